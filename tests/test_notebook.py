"""What notebooks call: figures display when returned bare, re-running a cell works, tables, provenance, files."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from conftest import TEST_DATA
from IPython.core.formatters import PNGFormatter

from analysis import notebook, timeseries
from analysis.errors import ParameterError
from analysis.plots import coverage as cplots
from analysis.plots import style
from analysis.plots import text as text_plots
from analysis.provenance import fingerprint_corpus


def test_a_bare_figure_displays_as_png(mini_corpus):
    table = timeseries.count_articles(mini_corpus, freq="M")
    png = PNGFormatter()(cplots.plot_volume(table))  # what Jupyter calls on a cell's value
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")  # an image, not "<Figure size ...>"
    assert png == PNGFormatter()(cplots.plot_volume(table))  # deterministic


def test_every_plot_module_builds_report_figures():
    keyness = pd.DataFrame({"term": ["shelling", "talks"], "g2": [12.0, -8.0], "p_g2": [0.001, 0.01]})
    fig = text_plots.plot_keyness(keyness)
    assert isinstance(fig, style.ReportFigure) and PNGFormatter()(fig).startswith(b"\x89PNG")


def test_rerunning_a_cell_in_jupyterlab_does_not_raise(mini_corpus):
    report = notebook.open_report(title="t")  # interactive: no output_dir
    table = timeseries.count_articles(mini_corpus, freq="M")
    for _ in range(2):  # the same cell run twice
        report.table(table, "volume")
        report.figure(cplots.plot_volume(table), "volume")
    assert report.outputs == []  # nothing saved, nothing recorded


def test_a_rendered_report_still_refuses_a_name_used_twice(tmp_path, mini_corpus):
    report = notebook.open_report(title="t", output_dir=tmp_path)
    table = timeseries.count_articles(mini_corpus, freq="M")
    report.table(table, "volume")
    with pytest.raises(ParameterError, match="used twice"):
        report.table(table, "volume")


# ------------------------------------------------------------------------------------------------ tables, provenance
def test_render_table_formats_and_truncates():
    df = pd.DataFrame(
        {
            "outlet": [f"o{i}" for i in range(30)],
            "n_articles": range(1000, 1030),
            "share": [0.123456] * 30,
            "mean": [0.5] * 30,
            "first": pd.to_datetime(["2016-01-02"] * 30),
        }
    )
    html = notebook.render_table(df, name="t", max_rows=5, percent=["share"], digits=3, number=2)
    assert "Showing 5 of 30 rows" in html and "Table 2." in html
    assert "1,000" in html and "12.3%" in html and "0.500" in html and "2016-01-02" in html
    assert "n articles" in html  # readable headers
    assert "o5" not in html  # rows beyond max_rows are not shown
    assert html == notebook.render_table(df, name="t", max_rows=5, percent=["share"], digits=3, number=2)
    assert "No rows" in notebook.render_table(df.iloc[:0], name="e")


def test_inputs_without_text_give_the_same_selection_and_provenance(built):
    corpus, analysis = built
    full = notebook.load_inputs(corpus, analysis, start="2016-01-01")
    lean = notebook.load_inputs(corpus, analysis, start="2016-01-01", text=False)
    assert "text" in full.corpus.columns and "text" not in lean.corpus.columns
    assert "url" in full.corpus.columns and not set(notebook.NOT_IN_REPORTS) & set(lean.corpus.columns)
    pd.testing.assert_frame_equal(lean.docs, full.docs.drop(columns=list(notebook.NOT_IN_REPORTS)))
    assert 0 < len(lean.docs) < len(lean.corpus)
    html = {
        name: notebook.render_provenance(parameters={}, corpus=i.corpus, corpus_path=corpus, analysis=i.analysis)
        for name, i in (("full", full), ("lean", lean))
    }
    assert html["lean"] == html["full"]  # the fingerprint streamed from the file is the one of the loaded corpus
    assert fingerprint_corpus(full.corpus) in html["lean"] and "computed on this corpus</th><td>yes" in html["lean"]


def test_render_provenance(built, mini_corpus):
    from analysis.pipeline import load_analysis

    corpus, analysis = built
    loaded = pd.read_parquet(corpus)
    html = notebook.render_provenance(
        parameters={"start": "", "freq": "M", "outlets": []},
        corpus=loaded,
        corpus_path=corpus,
        analysis=load_analysis(analysis),
    )
    assert fingerprint_corpus(loaded) in html
    assert "computed on this corpus</th><td>yes" in html
    assert "vader" in html.lower() and "pandas" in html and "git commit" in html
    assert "(not set)" in html and "(all)" in html
    # provenance must not carry the time of rendering (determinism)
    assert (
        pd.Timestamp.now().strftime("%Y-%m-%d") not in html
        or pd.Timestamp.now().strftime("%Y-%m-%d") in html.split("publication dates")[1][:40]
    )
    other = notebook.render_provenance(
        parameters={}, corpus=loaded.iloc[1:], corpus_path=corpus, analysis=load_analysis(analysis)
    )
    assert "NO: analysis was computed on corpus" in other


def test_render_provenance_reports_how_the_corpus_was_ingested(tmp_path):
    from analysis import clean, ingest

    out = tmp_path / "articles.parquet"
    ingest.ingest([TEST_DATA / "mini_corpus.jsonl"], out, options=ingest.IngestOptions(progress=False))
    corpus = ingest.load_corpus(out)
    html = notebook.render_provenance(parameters={}, corpus=corpus, corpus_path=out)
    ingest_part = html.split("Ingest")[1]
    assert "built from this corpus</th><td>yes" in ingest_part
    assert "mini_corpus.jsonl" in ingest_part
    assert f"version {clean.default_rules().version}" in ingest_part
    # a corpus that is not the one the manifest describes is flagged
    other = notebook.render_provenance(parameters={}, corpus=corpus.iloc[1:], corpus_path=out)
    assert "NO: the ingest manifest describes another corpus" in other


def test_render_selection_note(mini_corpus):
    from analysis.selection import select_documents

    text = notebook.render_selection_note(mini_corpus, select_documents(mini_corpus, outlets=["gulf-monitor"]))
    n = int((mini_corpus["outlet"] == "gulf-monitor").sum())
    assert text.startswith(f"This report covers {n:,} of the corpus' {len(mini_corpus):,} articles from 1 outlet")


# ------------------------------------------------------------------------------------------------ figures
def test_report_figure_and_table_files_are_deterministic(tmp_path, mini_corpus):
    style.use_report_style()
    volume = timeseries.count_articles(mini_corpus, freq="M")
    events = timeseries.load_events(start="2016-01-01", end="2017-12-31")
    files = {}
    for run in ("one", "two"):
        rep = notebook.open_report(title="T", output_dir=tmp_path / run, parameters={"freq": "M"})
        rep.figure(cplots.plot_volume(volume, events=events), "volume")
        rep.table(volume, "volume")
        files[run] = {
            p.relative_to(tmp_path / run).as_posix(): p.read_bytes()
            for p in sorted((tmp_path / run).rglob("*"))
            if p.is_file()
        }
    assert set(files["one"]) == {"figures/volume.png", "figures/volume.svg", "tables/volume.csv", "outputs.json"}
    assert files["one"] == files["two"]
    record = json.loads(files["one"]["outputs.json"])
    assert [o["name"] for o in record["outputs"]] == ["volume", "volume"]
    assert record["python"] == sys.executable
    assert b"Mosul offensive" in files["one"]["figures/volume.svg"]  # event key drawn
    with pytest.raises(ParameterError, match="used twice"):
        rep.figure(cplots.plot_volume(volume), "volume")
    with pytest.raises(ParameterError, match="lower-case"):
        rep.table(volume, "Bad Name")


def test_report_table_csv_neutralises_formulas(tmp_path):
    """A title or name from the data that a spreadsheet would run (=HYPERLINK, +1, @SUM, -2) is saved as text."""
    table = pd.DataFrame(
        {
            "title": ['=HYPERLINK("http://x.test","click")', "+1 for peace", "@SUM(A1)", "-2 dead", "Raqqa falls"],
            "mean_tone": [-0.5, 0.25, 0.0, -1.0, 0.5],  # numbers stay numbers, negative ones too
        }
    )
    rep = notebook.open_report(title="T", output_dir=tmp_path)
    rep.table(table, "titles")
    saved = pd.read_csv(tmp_path / "tables" / "titles.csv")
    assert saved["title"].tolist() == [
        '\'=HYPERLINK("http://x.test","click")',
        "'+1 for peace",
        "'@SUM(A1)",
        "'-2 dead",
        "Raqqa falls",
    ]
    assert saved["mean_tone"].tolist() == [-0.5, 0.25, 0.0, -1.0, 0.5]


def test_report_table_hides_small_cells_and_says_so(tmp_path, monkeypatch):
    import IPython.display

    shown_html = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown_html.append(obj.data))
    tone = pd.DataFrame(
        {
            "label": ["TASS", "SANA", "Reuters", "AFP"],
            "n_sentences": [1, 40, 3, 25],
            "mean_tone": [0.71, -0.1, 0.4, 0.0],
        }
    )
    rep = notebook.open_report(title="T", output_dir=tmp_path)
    rep.table(tone, "tone", min_count={"n_sentences": 5}, caption="Tone by outlet.")
    shown = "".join(shown_html)
    assert "Tone by outlet. 2 rows with n_sentences below 5 hidden." in shown
    assert "SANA" in shown and "TASS" not in shown and "Reuters" not in shown
    assert len(pd.read_csv(tmp_path / "tables" / "tone.csv")) == 4  # the CSV keeps every row
    with pytest.raises(ParameterError, match="min_count"):
        rep.table(tone, "tone2", min_count={"n_docs": 5})
