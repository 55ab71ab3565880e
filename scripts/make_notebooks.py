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

COMMON_PARAMETERS = """\
corpus: str = "../data/interim/articles.parquet"  # canonical corpus written by `python -m analysis ingest`
analysis: str = "../data/processed/analysis"  # folder written by `python -m analysis analyze`
output_dir: str = ""  # folder for figures and tables; empty saves nothing (interactive use); set by the renderer
start: str = ""  # first publication date, inclusive, YYYY-MM-DD; empty: from the first article
end: str = ""  # last publication date, inclusive, YYYY-MM-DD; empty: to the last article
freq: str = "M"  # period of the time series: D, W, M, Q or Y
outlets: list[str] = []  # outlets to include, e.g. sana and reuters; empty: all
include_duplicates: bool = True  # keep re-published copies (articles with duplicate_of set)
top: int = 7  # groups (outlets, agencies, actors) shown by name; the rest are folded into other
events: str = ""  # YAML file of key events for time axes; empty: analysis/resources/events.yaml"""

SETUP_COMMON = """\
corpus_all = ingest.load_corpus(corpus)
docs = selection.select_documents(corpus_all, start=start, end=end, outlets=outlets,
                                include_duplicates=include_duplicates)
result = pipeline.load_analysis(analysis)
key_events = timeseries.load_events(events or None, start=start, end=end)
report.note(notebook.describe_selection(corpus_all, docs))"""

PARAMS_DICT = (
    "dict(title=title, start=start, end=end, freq=freq, outlets=outlets, "
    "include_duplicates=include_duplicates, top=top, events=events{extra})"
)

PROVENANCE = [
    ("md", "## Provenance\n\nThe parameters, data and software this report was made with."),
    ("code", "report.provenance(corpus=corpus_all, corpus_path=corpus, analysis=result)"),
]


def coverage() -> list[tuple[str, str]]:
    return [
        (
            "md",
            """# Coverage over time

**Question.** How much did the outlets in the corpus publish about the conflict, when, which outlets and wire
agencies supplied the copy, which words dominated, and how did the tone of the coverage move over time?

**Data window.** Articles published between the `start` and `end` parameters (empty: the whole corpus) from the
`outlets` listed (empty: all), with or without duplicates (`include_duplicates`). The exact window and counts are
stated below and in the provenance section at the end.

**What you will see.** Article volume per period with key events of the campaign marked; volume by outlet, raw and
as shares; when each outlet published; wire agencies and duplicated copy; the most frequent terms and the terms
most typical of each outlet; sentiment over time; provenance.""",
        ),
        ("parameters", COMMON_PARAMETERS + '\ntitle: str = "Coverage of the conflict over time"  # report title'),
        (
            "code",
            "from analysis import ingest, notebook, pipeline, selection, timeseries, frequency\n"
            "from analysis.plots import coverage as coverage_plots\n\n"
            f"report = notebook.open_report(title=title, output_dir=output_dir,\n"
            f"                             parameters={PARAMS_DICT.format(extra='')})\n" + SETUP_COMMON,
        ),
        (
            "md",
            "## Volume over time\n\nArticles per period; dashed lines and numbers mark the key events listed under "
            "the figure (edit `analysis/resources/events.yaml` or pass your own file as `events`). Peaks show "
            "when the outlets paid attention, which need not be when most happened on the ground.",
        ),
        (
            "code",
            "volume = timeseries.count_articles(docs, freq=freq, start=start, end=end)\n"
            'report.figure(coverage_plots.plot_volume(volume, events=key_events), "volume")\n'
            "report.note(timeseries.describe_volume(volume))",
        ),
        (
            "md",
            "## Volume by outlet\n\nThe same articles stacked by outlet (the largest outlets by name, the rest as "
            '"other"). Outlets can differ greatly in size; the next figures normalise.',
        ),
        (
            "code",
            'by_outlet = timeseries.count_articles(docs, freq=freq, by="outlet", top=top, start=start, end=end)\n'
            'report.figure(coverage_plots.plot_volume_by_group(by_outlet, by="outlet"), "volume-by-outlet")',
        ),
        (
            "md",
            "## Share of each outlet per period\n\nEach bar sums to 100%: a growing band means the outlet "
            "supplied a larger part of that period's coverage in this corpus, whatever the total volume.",
        ),
        (
            "code",
            'report.figure(coverage_plots.plot_volume_by_group(by_outlet, by="outlet", normalize=True),'
            ' "share-by-outlet")',
        ),
        (
            "md",
            "## When each outlet published\n\nEach row is one outlet's own output spread over time (its "
            "articles per period divided by all its articles), so small and large outlets can be compared.",
        ),
        ("code", 'report.figure(coverage_plots.plot_volume_heatmap(by_outlet, by="outlet"), "outlet-timing")'),
        (
            "md",
            "## Outlets\n\nArticles per outlet, the period each one covers, and how much of its copy credits a "
            "wire agency or duplicates another article.",
        ),
        (
            "code",
            'outlet_table = timeseries.count_by_group(docs, by="outlet")\n'
            'report.table(outlet_table, "outlets", max_rows=20, percent=["share", "wire_share", "duplicate_share"])\n'
            'report.note(timeseries.describe_groups(outlet_table, by="outlet"))',
        ),
        (
            "md",
            "## Wire agencies\n\nArticles by the agency credited in the text (AFP, Reuters, AP, ...); "
            '"(none)" means no agency is credited, which includes outlets\' own reporting.',
        ),
        (
            "code",
            'report.table(timeseries.count_by_group(docs, by="agency"), "agencies", max_rows=12,\n'
            '             percent=["share", "duplicate_share"], columns=["agency", "n_articles", "share",'
            ' "first_published", "last_published", "duplicate_share"])',
        ),
        (
            "md",
            "## Wire copy and duplicates over time\n\nTop: articles crediting a wire agency versus the rest. "
            "Bottom: the share of wire-credited articles and of duplicates (re-published copies) per period.",
        ),
        (
            "code",
            "wire = timeseries.count_wire_share(docs, freq=freq, start=start, end=end)\n"
            'report.figure(coverage_plots.plot_wire_share(wire, events=key_events), "wire-share")',
        ),
        (
            "md",
            "## Most frequent terms\n\nWords per 1,000 word tokens in the selected articles (English stopwords "
            "removed). Frequent terms show the vocabulary of the coverage, usually dominated by its recurring "
            "actors and places.",
        ),
        (
            "code",
            "documents = notebook.analysis_documents(result, docs)\n"
            "top_terms = frequency.count_terms(result.terms, documents=documents, stopwords=True)\n"
            'report.figure(coverage_plots.plot_ranking(top_terms, value="rate_per_1000", label="term", top=25,'
            ' xlabel="occurrences per 1,000 words", title="Most frequent terms"), "top-terms")',
        ),
        (
            "md",
            "## Terms typical of each outlet\n\nFor each of the largest outlets, the terms that occur significantly more "
            "often in its articles than in the other outlets' (log-likelihood G2 keyness, p < 0.001, most key "
            "first). Keyness points to an outlet's topics, sources and house style (for example datelines and "
            "agency names), not to its stance.",
        ),
        (
            "code",
            'report.table(notebook.summarize_keyness(result.terms, documents, by="outlet", top=top), '
            '"keyness-by-outlet", max_rows=20)',
        ),
        (
            "md",
            "## Terms typical of each year\n\nThe same comparison between years: each year's articles against all "
            "other years'. Changing key terms trace how the story moved.",
        ),
        (
            "code",
            'report.table(notebook.summarize_keyness(result.terms, documents, freq="Y"), "keyness-by-year",'
            " max_rows=20)",
        ),
        (
            "md",
            "## Sentiment over time\n\nMean sentence-level VADER compound score of the articles per period "
            "(−1 negative, +1 positive; band: ±1 standard error; periods with fewer than 3 articles left out). "
            "Dictionary sentiment is a weak measure of tone in news (Boukes et al. 2020): read changes "
            "over time and differences between outlets, not the level.",
        ),
        (
            "code",
            'tone = timeseries.score_by_period(result.documents, docs, value="vader_sent_mean", freq=freq,'
            " min_count=3)\n"
            'report.figure(coverage_plots.plot_score_over_time(tone, label="mean sentence sentiment (VADER)",'
            ' events=key_events), "sentiment")\n'
            'report.note(timeseries.describe_scores(tone, label="mean sentence sentiment"))',
        ),
    ] + PROVENANCE


def explore() -> list[tuple[str, str]]:
    return [
        (
            "md",
            """# Exploring the corpus with the `analysis` library

**Question.** What is in the corpus, and how do you use the library interactively? This notebook is a tour for
JupyterLab: each cell calls one library function; change the parameters below and re-run.

**Data window.** The `start`/`end`/`outlets` parameters below (empty: everything).

**What you will see.** The selected articles, volume over time, outlets, the most frequent terms, a
keyword-in-context view, and where the report notebooks are. Every function has a docstring: `help(timeseries.count_articles)`
or `timeseries.count_articles?` shows it.""",
        ),
        (
            "parameters",
            COMMON_PARAMETERS + '\ntitle: str = "Exploring the corpus"  # title\n'
            'keyword: str = "Raqqa"  # word to show in context',
        ),
        (
            "code",
            "from analysis import ingest, notebook, pipeline, selection, timeseries, frequency\n"
            "from analysis.plots import coverage as coverage_plots\n\n"
            f"report = notebook.open_report(title=title, output_dir=output_dir,\n"
            f"                             parameters={PARAMS_DICT.format(extra=', keyword=keyword')})\n"
            + SETUP_COMMON,
        ),
        (
            "md",
            "## The articles\n\nThe first rows of the selected corpus (one row per article; the `text` column "
            "holds the cleaned body).",
        ),
        (
            "code",
            'report.table(docs[["doc_id", "outlet", "agency", "published", "title", "n_words"]], '
            '"articles", max_rows=8)',
        ),
        (
            "md",
            "## Articles per period\n\n`timeseries.count_articles` returns a tidy table; plot it with "
            "`plots.coverage.plot_volume`.",
        ),
        (
            "code",
            "volume = timeseries.count_articles(docs, freq=freq, start=start, end=end)\n"
            'report.figure(coverage_plots.plot_volume(volume, events=key_events), "volume")',
        ),
        (
            "md",
            "## Most frequent terms\n\n`frequency.count_terms` counts words (stopwords removed) overall or by "
            "group and period.",
        ),
        ("code", 'report.table(frequency.count_terms(docs, stopwords=True), "top-terms", max_rows=12)'),
        (
            "md",
            "## A word in context\n\n`frequency.find_kwic` shows every occurrence of a word with its "
            "neighbours (keyword in context).",
        ),
        (
            "code",
            'report.table(frequency.find_kwic(docs, keyword, window=6), "kwic", max_rows=10,\n'
            '             columns=["outlet", "published", "left", "match", "right"])',
        ),
        (
            "md",
            "## The analysis tables\n\n`pipeline.load_analysis` opens the tables written by "
            "`python -m analysis analyze`; each is a tidy DataFrame keyed by `doc_id`.",
        ),
        ("code", 'report.table(notebook.summarize_analysis(result), "analysis-tables")'),
        (
            "md",
            "## Reports\n\n`notebook.report_catalogue()` lists the report notebooks that "
            "`python -m analysis report all` renders to HTML and PDF.",
        ),
        ("code", 'report.table(notebook.report_catalogue(), "reports")'),
    ]


def actors() -> list[tuple[str, str]]:
    return [
        (
            "md",
            """# Actors and places in the coverage

**Question.** Which actors and places does the coverage name, how often, in which outlets and when; which actors
appear together; in what tone are they written about; and which frequent names are missing from the dictionary?

**Data window.** The `start`, `end`, `outlets` and `include_duplicates` parameters; the exact window is stated
below and in the provenance section.

**What you will see.** The most mentioned actors; their mentions over time and by outlet; a co-occurrence network;
the tone of the sentences that mention each actor; a map of the places mentioned; and frequent names that the
actor dictionary (`analysis/resources/actors.yaml`) does not cover yet.""",
        ),
        (
            "parameters",
            COMMON_PARAMETERS + "\nactors: list[str] = []  # actor ids or names to follow; empty: all actors"
            "\nmin_sentences: int = 20  # fewest sentences for an actor tone estimate"
            '\ntitle: str = "Actors and places in the coverage"  # report title',
        ),
        (
            "code",
            "from analysis import ingest, notebook, pipeline, selection, timeseries\n"
            "from analysis import actors as actor_lib\n"
            "from analysis.plots import actors as actor_plots, coverage as coverage_plots\n\n"
            f"report = notebook.open_report(title=title, output_dir=output_dir,\n"
            f"                             parameters={PARAMS_DICT.format(extra=', actors=actors, min_sentences=min_sentences')})\n"
            + SETUP_COMMON,
        ),
        (
            "md",
            "## Most mentioned actors\n\nThe share of the selected articles that mention each actor at least once "
            "(any alias in the dictionary). A high share says an actor is part of the story, not that the story is "
            "about it.",
        ),
        (
            "code",
            'actor_counts = actor_lib.count_mentions(result.mentions, docs, kind="actor", actors=actors or None)\n'
            'report.figure(coverage_plots.plot_ranking(actor_counts, value="share_of_articles", label="label",'
            ' percent=True, xlabel="share of articles mentioning the actor"), "actor-ranking")\n'
            'report.table(actor_counts, "actor-mentions", max_rows=15, sort_by="n_mentions", percent=["share_of_articles"],\n'
            '             columns=["label", "n_mentions", "n_articles_mentioning", "mentions_per_1000_words", "share_of_articles"])',
        ),
        (
            "md",
            "## Mentions over time\n\nArticles mentioning each of the most mentioned actors per period. Volume "
            "changes with the overall coverage (first figure of the coverage report), so compare the lines with "
            "each other rather than reading a rise as more attention per article.",
        ),
        (
            "code",
            'actors_over_time = actor_lib.count_mentions(result.mentions, docs, kind="actor", freq=freq,'
            " actors=actors or None)\n"
            'report.figure(coverage_plots.plot_categories_over_time(actors_over_time, category="label",'
            ' value="n_articles_mentioning", weight="n_mentions", top=top, ylabel="articles mentioning the actor",'
            ' events=key_events), "actors-over-time")',
        ),
        (
            "md",
            "## Actors by outlet\n\nShare of each outlet's articles that mention each actor: columns are outlets "
            "(largest first), rows the most mentioned actors.",
        ),
        (
            "code",
            'actors_by_outlet = actor_lib.count_mentions(result.mentions, docs, kind="actor", by="outlet",'
            " actors=actors or None)\n"
            'report.figure(coverage_plots.plot_category_heatmap(actors_by_outlet, rows="label", columns="outlet",'
            ' value="share_of_articles", weight="n_mentions", percent=True,'
            ' colorbar_label="share of the outlet\'s articles"), "actors-by-outlet")',
        ),
        (
            "md",
            "## Who appears with whom\n\nActors named in the same sentence. Line width is the number of sentences "
            "naming both; node size the actor's co-occurrences in total. Lift above 1 in the table means the pair "
            "meets more often than their separate frequencies predict.",
        ),
        (
            "code",
            'pairs = actor_lib.count_cooccurrence(result.mentions, level="sentence", corpus=docs, min_count=2)\n'
            'report.figure(actor_plots.plot_cooccurrence_network(pairs, top=25), "cooccurrence-network")\n'
            'report.table(pairs, "cooccurrence", max_rows=12, columns=["actor_a", "actor_b", "n_both", "n_a", "n_b", "jaccard", "lift"])',
        ),
        (
            "md",
            "## Tone around each actor\n\nMean VADER compound score of the sentences that mention each of the 25 "
            "actors named in most sentences (dots; bars: 95% intervals), most positive first. Sentence tone reflects the events reported (attacks, deaths) as much as "
            "any stance towards the actor, and dictionary sentiment is a weak measure on news: compare actors, "
            "do not read the level.",
        ),
        (
            "code",
            'tone = actor_lib.score_actor_tone(result.mentions, result.sentences, docs, kind="actor",'
            " actors=actors or None, min_count=min_sentences)\n"
            'report.figure(coverage_plots.plot_ranking(tone, value="mean_compound", label="label", error="se_compound",'
            ' reference=0, top=25, select_by="n_sentences", xlabel="mean sentence sentiment (VADER compound)",'
            ' title="Tone of the sentences naming each actor"), "actor-tone")',
        ),
        (
            "md",
            "## Places\n\nPlaces of the gazetteer (`analysis/resources/places.yaml`) by the number of articles "
            "naming them, at their approximate coordinates.",
        ),
        (
            "code",
            'place_counts = actor_lib.count_mentions(result.mentions, docs, kind="place")\n'
            'report.figure(actor_plots.plot_place_map(place_counts), "place-map")\n'
            'report.table(place_counts, "place-mentions", max_rows=15, sort_by="n_mentions", percent=["share_of_articles"],\n'
            '             columns=["label", "n_mentions", "n_articles_mentioning", "mentions_per_1000_words", "share_of_articles"])',
        ),
        (
            "md",
            "## Names the dictionary does not cover\n\nFrequent capitalised names and acronyms left after every "
            "dictionary match is masked: candidates to add to `actors.yaml` or `places.yaml` (many will be "
            "ordinary words or people of no interest).",
        ),
        (
            "code",
            'report.table(actor_lib.find_unlisted_names(docs, top=40), "unlisted-names", max_rows=15,\n'
            '             columns=["name", "kind", "n_mentions", "n_articles", "context"])',
        ),
    ] + PROVENANCE


def framing() -> list[tuple[str, str]]:
    return [
        (
            "md",
            """# Framing, labels and sources

**Question.** Which frames structure the coverage and how do they change over time and between outlets; which
labels do outlets use in their own voice and which only in attributed speech; which verbs describe territorial
change; who is quoted; and how far can these automatic measures be trusted?

**Data window.** The `start`, `end`, `outlets` and `include_duplicates` parameters; the exact window is stated
below and in the provenance section.

**What you will see.** Frame prevalence overall, over time and by outlet; labels in own voice vs attributed;
territorial-change verbs by perspective; the types of sources quoted; and the validation status of the measures.""",
        ),
        ("parameters", COMMON_PARAMETERS + '\ntitle: str = "Framing, labels and sources"  # report title'),
        (
            "code",
            "from analysis import ingest, notebook, pipeline, selection, timeseries, frames, validation\n"
            "from analysis.plots import coverage as coverage_plots, frames as frame_plots\n\n"
            f"report = notebook.open_report(title=title, output_dir=output_dir,\n"
            f"                             parameters={PARAMS_DICT.format(extra='')})\n" + SETUP_COMMON,
        ),
        (
            "md",
            "## Frame prevalence\n\nShare of articles in which at least one indicator of each frame fired (codebook "
            "`analysis/resources/frames.yaml`: the five generic frames of Semetko & Valkenburg 2000 plus "
            "conflict-specific ones). Cue-based indicators over-detect frames that share vocabulary with "
            "everyday war reporting; see the validation section.",
        ),
        (
            "code",
            "frame_shares = frames.count_frames(result.frames, docs)\n"
            'report.figure(coverage_plots.plot_ranking(frame_shares, value="share_present", label="frame",'
            ' percent=True, xlabel="share of articles with the frame"), "frame-prevalence")\n'
            'report.table(frame_shares, "frame-prevalence", percent=["share_present"],'
            ' columns=["frame", "family", "n_present", "share_present", "mean_score"])',
        ),
        (
            "md",
            "## Frames over time\n\nShare of each period's articles with each frame, one panel per frame (periods "
            "with fewer than 5 articles are not drawn; those with few articles still swing widely).",
        ),
        (
            "code",
            "frames_over_time = frames.count_frames(result.frames, docs, freq=freq, min_count=5)\n"
            'report.figure(frame_plots.plot_frame_prevalence(frames_over_time, min_docs=5), "frames-over-time")',
        ),
        (
            "md",
            "## Frames by outlet\n\nShare of each outlet's articles with each frame (outlets with at least 5 "
            "articles).",
        ),
        (
            "code",
            'frames_by_outlet = frames.count_frames(result.frames, docs, by="outlet", min_count=5)\n'
            'report.figure(coverage_plots.plot_category_heatmap(frames_by_outlet, rows="frame", columns="outlet",'
            ' value="share_present", weight="n_present", percent=True,'
            ' colorbar_label="share of the outlet\'s articles"), "frames-by-outlet")',
        ),
        (
            "md",
            "## Labels: own voice or attributed\n\nFor each conflict label (lexicon "
            "`analysis/resources/conflict_language.yaml`), the share of its uses in the outlet's own voice versus "
            "inside quotations or reported speech. Editorial guidelines ask that loaded words such as "
            '"terrorist" or "liberate" be attributed rather than used in the outlet\'s own voice.',
        ),
        (
            "code",
            "label_voice = frames.count_labels(result.labels, docs)\n"
            'report.figure(coverage_plots.plot_split_bars(label_voice, category="label", split="voice",'
            ' value="n", xlabel="share of the label\'s uses"), "labels-voice")',
        ),
        (
            "md",
            "## Verbs of territorial change\n\nVerbs describing control of territory by the perspective they carry: "
            "victor's (liberate, free), neutral (retake, capture, seize), loser's (fall to, overrun), and sieges, "
            "advances and withdrawals.",
        ),
        (
            "code",
            "verbs = frames.count_territorial_verbs(result.territorial_verbs, docs)\n"
            'report.figure(coverage_plots.plot_ranking(verbs, value="share", label="perspective",'
            ' percent=True, xlabel="share of territorial verbs"), "territorial-verbs")\n'
            "report.figure(frame_plots.plot_territorial_verbs(frames.count_territorial_verbs(result.territorial_verbs,"
            ' docs, freq="Q")), "territorial-verbs-over-time")\n'
            "report.table(frames.count_territorial_verbs(result.territorial_verbs, docs, include_lemma=True),"
            ' "territorial-verbs", max_rows=15, sort_by="n", percent=["share"])',
        ),
        (
            "md",
            '## Who is quoted\n\nAttributed statements ("X said", "according to X", ...) by the type of '
            "source. Reliance on official and military sources is a standard finding of conflict-news research.",
        ),
        (
            "code",
            "sources = frames.count_attributions(result.attributions, docs)\n"
            'report.figure(coverage_plots.plot_ranking(sources, value="share", label="source_type",'
            ' percent=True, xlabel="share of attributed statements"), "sources")',
        ),
        (
            "md",
            "## Sources by outlet\n\nShare of each outlet's attributed statements by source type (outlets with at "
            "least 20 attributions).",
        ),
        (
            "code",
            'sources_by_outlet = frames.count_attributions(result.attributions, docs, by="outlet")\n'
            'report.figure(frame_plots.plot_sources(sources_by_outlet, min_n=20), "sources-by-outlet")',
        ),
        (
            "md",
            "## Validation\n\nHow far the automatic frame, label and attribution measures agree with human coders "
            "of this corpus (`python -m analysis codesheet` and `validate`).",
        ),
        ("code", "report.validation(validation.summarise_validation(analysis))"),
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
