"""Write the report notebooks in notebooks/ from the cell sources below (clean: no outputs, stable cell ids).

Run `.venv/bin/python scripts/make_notebooks.py` after editing a notebook here; edits made in JupyterLab should be
copied back here (or drop this script and edit the .ipynb files directly: both work, this one keeps diffs small).
Rules for report notebooks (docs/reports.md): a markdown opener, ONE cell tagged `parameters` with typed,
commented literals, a setup cell, then pairs of markdown + one code cell that calls one library function.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

COMMON_PARAMETERS = '''\
corpus: str = "../data/interim/articles.parquet"  # canonical corpus written by `python -m analysis ingest`
analysis: str = "../data/processed/analysis"  # folder written by `python -m analysis analyze`
output_dir: str = ""  # folder for figures and tables; empty saves nothing (interactive use); set by the renderer
start: str = ""  # first publication date, inclusive, YYYY-MM-DD; empty: from the first article
end: str = ""  # last publication date, inclusive, YYYY-MM-DD; empty: to the last article
freq: str = "M"  # period of the time series: D, W, M, Q or Y
outlets: list[str] = []  # outlets to include, e.g. sana and reuters; empty: all
include_duplicates: bool = True  # keep re-published copies (articles with duplicate_of set)
top: int = 7  # groups (outlets, agencies, actors) shown by name; the rest are folded into other
events: str = ""  # YAML file of key events for time axes; empty: analysis/resources/events.yaml'''

SETUP_COMMON = '''\
corpus_all = ingest.load_corpus(corpus)
docs = periods.select_documents(corpus_all, start=start, end=end, outlets=outlets,
                                include_duplicates=include_duplicates)
result = pipeline.load_analysis(analysis)
key_events = timeseries.load_events(events or None, start=start, end=end)
report.note(reports.describe_selection(corpus_all, docs))'''

PARAMS_DICT = ("dict(title=title, start=start, end=end, freq=freq, outlets=outlets, "
               "include_duplicates=include_duplicates, top=top, events=events{extra})")

PROVENANCE = [
    ("md", "## Provenance\n\nThe parameters, data and software this report was made with."),
    ("code", "report.provenance(corpus=corpus_all, corpus_path=corpus, analysis=result)"),
]


def coverage() -> list[tuple[str, str]]:
    return [
        ("md", """# Coverage over time

**Question.** How much did the outlets in the corpus publish about the conflict, when, which outlets and wire
agencies supplied the copy, which words dominated, and how did the tone of the coverage move over time?

**Data window.** Articles published between the `start` and `end` parameters (empty: the whole corpus) from the
`outlets` listed (empty: all), with or without duplicates (`include_duplicates`). The exact window and counts are
stated below and in the provenance section at the end.

**What you will see.** Article volume per period with key events of the campaign marked; volume by outlet, raw and
as shares; when each outlet published; wire agencies and duplicated copy; the most frequent terms and the terms
most typical of each outlet; sentiment over time; provenance."""),
        ("parameters", COMMON_PARAMETERS + '\ntitle: str = "Coverage of the conflict over time"  # report title'),
        ("code", "from analysis import ingest, periods, pipeline, reports, timeseries, frequency\n"
                 "from analysis.plots import coverage as coverage_plots\n\n"
                 f"report = reports.open_report(title=title, output_dir=output_dir,\n"
                 f"                             parameters={PARAMS_DICT.format(extra='')})\n" + SETUP_COMMON),
        ("md", "## Volume over time\n\nArticles per period; dashed lines and numbers mark the key events listed under "
               "the figure (edit `analysis/resources/events.yaml` or pass your own file as `events`). Peaks show "
               "when the outlets paid attention, which need not be when most happened on the ground."),
        ("code", "volume = timeseries.count_articles(docs, freq=freq, start=start, end=end)\n"
                 "report.figure(coverage_plots.plot_volume(volume, events=key_events), \"volume\")\n"
                 "report.note(timeseries.describe_volume(volume))"),
        ("md", "## Volume by outlet\n\nThe same articles stacked by outlet (the largest outlets by name, the rest as "
               "\"other\"). Outlets differ greatly in size, so the next figures normalise."),
        ("code", "by_outlet = timeseries.count_articles(docs, freq=freq, by=\"outlet\", top=top, start=start, end=end)\n"
                 "report.figure(coverage_plots.plot_volume_by_group(by_outlet, by=\"outlet\"), \"volume-by-outlet\")"),
        ("md", "## Share of each outlet per period\n\nEach bar sums to 100%: a growing band means the outlet "
               "supplied a larger part of that period's coverage in this corpus, whatever the total volume."),
        ("code", "report.figure(coverage_plots.plot_volume_by_group(by_outlet, by=\"outlet\", normalize=True),"
                 " \"share-by-outlet\")"),
        ("md", "## When each outlet published\n\nEach row is one outlet's own output spread over time (its "
               "articles per period divided by all its articles), so small and large outlets can be compared."),
        ("code", "report.figure(coverage_plots.plot_volume_heatmap(by_outlet, by=\"outlet\"), \"outlet-timing\")"),
        ("md", "## Outlets\n\nArticles per outlet, the period each one covers, and how much of its copy credits a "
               "wire agency or duplicates another article."),
        ("code", "report.table(timeseries.count_by_group(docs, by=\"outlet\"), \"outlets\", max_rows=20,\n"
                 "             percent=[\"share\", \"wire_share\", \"duplicate_share\"])"),
        ("md", "## Wire agencies\n\nArticles by the agency credited in the text (AFP, Reuters, AP, ...); "
               "\"(none)\" means no agency is credited, which includes outlets' own reporting."),
        ("code", "report.table(timeseries.count_by_group(docs, by=\"agency\"), \"agencies\", max_rows=12,\n"
                 "             percent=[\"share\", \"wire_share\", \"duplicate_share\"])"),
        ("md", "## Wire copy and duplicates over time\n\nTop: articles crediting a wire agency versus the rest. "
               "Bottom: the share of wire-credited articles and of duplicates (re-published copies) per period."),
        ("code", "wire = timeseries.count_wire_share(docs, freq=freq, start=start, end=end)\n"
                 "report.figure(coverage_plots.plot_wire_share(wire, events=key_events), \"wire-share\")"),
        ("md", "## Sentiment over time\n\nMean sentence-level VADER compound score of the articles per period "
               "(−1 negative, +1 positive; band: ±1 standard error; periods with fewer than 3 articles left out). "
               "Dictionary sentiment is a weak measure of tone in news (Boukes et al. 2020): read changes "
               "over time and differences between outlets, not the level."),
        ("code", "tone = timeseries.score_by_period(result.documents, docs, value=\"vader_sent_mean\", freq=freq,"
                 " min_count=3)\n"
                 "report.figure(coverage_plots.plot_score_over_time(tone, label=\"mean sentence sentiment (VADER)\","
                 " events=key_events), \"sentiment\")"),
    ] + PROVENANCE


def explore() -> list[tuple[str, str]]:
    return [
        ("md", """# Exploring the corpus with the `analysis` library

**Question.** What is in the corpus, and how do you use the library interactively? This notebook is a tour for
JupyterLab: each cell calls one library function; change the parameters below and re-run.

**Data window.** The `start`/`end`/`outlets` parameters below (empty: everything).

**What you will see.** The selected articles, volume over time, outlets, the most frequent terms, a
keyword-in-context view, and where the report notebooks are. Every function has a docstring: `help(timeseries.count_articles)`
or `timeseries.count_articles?` shows it."""),
        ("parameters", COMMON_PARAMETERS + '\ntitle: str = "Exploring the corpus"  # title\n'
                                           'keyword: str = "Raqqa"  # word to show in context'),
        ("code", "from analysis import ingest, periods, pipeline, reports, timeseries, frequency\n"
                 "from analysis.plots import coverage as coverage_plots\n\n"
                 f"report = reports.open_report(title=title, output_dir=output_dir,\n"
                 f"                             parameters={PARAMS_DICT.format(extra=', keyword=keyword')})\n"
                 + SETUP_COMMON),
        ("md", "## The articles\n\nThe first rows of the selected corpus (one row per article; the `text` column "
               "holds the cleaned body)."),
        ("code", "report.table(docs[[\"doc_id\", \"outlet\", \"agency\", \"published\", \"title\", \"n_words\"]], "
                 "\"articles\", max_rows=8)"),
        ("md", "## Articles per period\n\n`timeseries.count_articles` returns a tidy table; plot it with "
               "`plots.coverage.plot_volume`."),
        ("code", "volume = timeseries.count_articles(docs, freq=freq, start=start, end=end)\n"
                 "report.figure(coverage_plots.plot_volume(volume, events=key_events), \"volume\")"),
        ("md", "## Most frequent terms\n\n`frequency.count_terms` counts words (stopwords removed) overall or by "
               "group and period."),
        ("code", "report.table(frequency.count_terms(docs, stopwords=True), \"top-terms\", max_rows=12)"),
        ("md", "## A word in context\n\n`frequency.find_kwic` shows every occurrence of a word with its "
               "neighbours (keyword in context)."),
        ("code", "report.table(frequency.find_kwic(docs, keyword, window=6), \"kwic\", max_rows=10)"),
        ("md", "## The analysis tables\n\n`pipeline.load_analysis` opens the tables written by "
               "`python -m analysis analyze`; each is a tidy DataFrame keyed by `doc_id`."),
        ("code", "report.table(reports.summarize_analysis(result), \"analysis-tables\")"),
        ("md", "## Reports\n\n`reports.list_reports()` lists the report notebooks that "
               "`python -m analysis report all` renders to HTML and PDF."),
        ("code", "report.table(reports.report_catalogue(), \"reports\")"),
    ]


def actors() -> list[tuple[str, str]]:
    return [
        ("md", """# Actors and places in the coverage

**Question.** Which actors and places does the coverage name, how often, in which outlets and when; which appear
together; in what tone are they written about; and which frequent names are missing from the dictionary?

**Data window.** The `start`/`end`/`outlets`/`include_duplicates` parameters (stated below and in the provenance).

**What you will see.** Mentions over time and by outlet, actor co-occurrence, tone around each actor, places, and
candidate names for the dictionary."""),
        ("parameters", COMMON_PARAMETERS + '\nactors: list[str] = []  # actor ids or names to follow; empty: the most '
                                           'mentioned\ntitle: str = "Actors and places in the coverage"  # title'),
        ("code", "from analysis import ingest, periods, pipeline, reports, timeseries\n\n"
                 f"report = reports.open_report(title=title, output_dir=output_dir,\n"
                 f"                             parameters={PARAMS_DICT.format(extra=', actors=actors')})\n"
                 + SETUP_COMMON),
    ] + PROVENANCE


def framing() -> list[tuple[str, str]]:
    return [
        ("md", """# Framing, labels and sources

**Question.** Which frames structure the coverage and how do they change over time and between outlets; which
labels do outlets use in their own voice versus in attributed speech; which verbs describe territorial change; who
is quoted; and how far can the automatic measures be trusted?

**Data window.** The `start`/`end`/`outlets`/`include_duplicates` parameters (stated below and in the provenance).

**What you will see.** Frame prevalence over time and by outlet, labels in voice vs attributed, territorial-change
verbs, quoted sources, and validation results or an explicit note that the measures are unvalidated."""),
        ("parameters", COMMON_PARAMETERS + '\ntitle: str = "Framing, labels and sources"  # title'),
        ("code", "from analysis import ingest, periods, pipeline, reports, timeseries\n\n"
                 f"report = reports.open_report(title=title, output_dir=output_dir,\n"
                 f"                             parameters={PARAMS_DICT.format(extra='')})\n" + SETUP_COMMON),
    ] + PROVENANCE


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(cells):
        cell_id = hashlib.sha1(f"{name}-{i}-{kind}".encode()).hexdigest()[:8]
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
            if kind == "parameters":
                cell.metadata["tags"] = ["parameters"]
        cell.id = cell_id
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


ALL = {"coverage": coverage, "actors": actors, "framing": framing, "explore": explore}


def main(argv: list[str]) -> int:
    names = argv or list(ALL)
    for name in names:
        path = NOTEBOOKS / f"{name}.ipynb"
        path.parent.mkdir(exist_ok=True)
        nbformat.write(build(name, ALL[name]()), path)
        print(f"wrote {path.relative_to(NOTEBOOKS.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
