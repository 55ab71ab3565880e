"""Tests of analysis.reports (parameters, validation, tables, provenance, figure files) and analysis.plots.coverage."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import TEST_DATA
from matplotlib.figure import Figure

from analysis import catalogue, config, notebook, render, timeseries
from analysis.errors import InputError, ParameterError
from analysis.plots import coverage as cplots
from analysis.plots import style
from analysis.provenance import fingerprint_corpus


@pytest.fixture()
def built(tmp_path, mini_corpus):
    """The mini corpus as parquet plus its analysis tables (the pipeline on six articles)."""
    from analysis.pipeline import analyze_corpus

    corpus = tmp_path / "articles.parquet"
    mini_corpus.sort_values("doc_id").to_parquet(corpus, index=False)
    analysis = tmp_path / "analysis"
    analyze_corpus(corpus, analysis, progress=False)
    return corpus, analysis


# ------------------------------------------------------------------------------------------------ parameters
def test_notebook_parameters_are_typed_and_commented():
    for spec in catalogue.list_reports(include_extra=True):
        params = catalogue.notebook_parameters(spec.name)
        for key in (
            "corpus",
            "analysis",
            "output_dir",
            "start",
            "end",
            "freq",
            "outlets",
            "include_duplicates",
            "title",
        ):
            assert key in params, (spec.name, key)
        assert all(p["help"] for p in params.values()), spec.name  # every parameter has a comment
        assert params["outlets"]["type"].startswith("list")
        assert params["include_duplicates"]["type"] == "bool"


def test_coerce_parameter():
    assert catalogue.coerce_parameter("x", "yes", "bool") is True
    assert catalogue.coerce_parameter("x", "0", "bool") is False
    assert catalogue.coerce_parameter("x", "12", "int") == 12
    assert catalogue.coerce_parameter("x", "sana, trt,", "list[str]") == ["sana", "trt"]
    assert catalogue.coerce_parameter("x", "2016-01-01", "str") == "2016-01-01"
    with pytest.raises(ParameterError, match="is not a int"):
        catalogue.coerce_parameter("top", "seven", "int")
    with pytest.raises(ParameterError):
        catalogue.coerce_parameter("flag", "maybe", "bool")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2016-13-01"}, "not a date"),
        ({"outlets": "nowhere-times"}, "unknown outlet"),
        ({"start": "2019-01-01"}, "no articles left"),
        ({"freq": "fortnight"}, "invalid frequency"),
        ({"actors": "islamic_state,the_martians"}, "unknown actor"),
        ({"colour": "red"}, "unknown parameter"),
        ({"top": "many"}, "not a int"),
        ({"events": "/nonexistent/events.yaml"}, "does not exist"),
    ],
)
def test_validate_parameters_rejects_bad_input(built, params, message):
    corpus, analysis = built
    names = ["actors"] if "actors" in params else ["coverage"]
    with pytest.raises(ParameterError if "exist" not in message else Exception, match=message):
        catalogue.validate_parameters(names, params, corpus=corpus, analysis=analysis)


def test_validate_parameters_accepts_and_types(built):
    corpus, analysis = built
    typed = catalogue.validate_parameters(
        ["coverage", "actors"],
        {"start": "2016-01-01", "top": "3", "actors": "islamic_state,Iraqi forces"},
        corpus=corpus,
        analysis=analysis,
    )
    assert typed["coverage"] == {"start": "2016-01-01", "top": 3}
    assert typed["actors"]["actors"] == ["islamic_state", "Iraqi forces"]


def test_relative_events_file_is_passed_absolute(built, tmp_path, monkeypatch):
    corpus, analysis = built
    (tmp_path / "ev.yaml").write_text('version: "1"\nevents:\n  - {id: a, date: 2016-10-17, label: A}\n')
    monkeypatch.chdir(tmp_path)
    typed = catalogue.validate_parameters(["coverage"], {"events": "ev.yaml"}, corpus=corpus, analysis=analysis)
    assert typed["coverage"]["events"] == str(tmp_path / "ev.yaml")


def test_validate_needs_corpus_and_analysis(built, tmp_path):
    corpus, analysis = built
    with pytest.raises(InputError, match="does not exist"):
        catalogue.validate_parameters(["coverage"], {}, corpus=tmp_path / "none.parquet", analysis=analysis)
    with pytest.raises(InputError, match="analyze"):
        catalogue.validate_parameters(["coverage"], {}, corpus=corpus, analysis=tmp_path / "empty")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="cannot be read as parquet"):
        catalogue.validate_parameters(["coverage"], {}, corpus=tmp_path / "bad.parquet", analysis=analysis)


def test_no_kernel_starts_on_bad_parameters(built, tmp_path, monkeypatch):
    corpus, analysis = built
    import papermill

    def boom(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", boom)
    with pytest.raises(ParameterError):
        render.render_reports(
            ["all"], corpus=corpus, analysis=analysis, out=tmp_path / "out", parameters={"end": "yesterday"}
        )
    assert not (tmp_path / "out" / "coverage").exists()


def test_cli_bad_parameter_is_one_line_exit_2(built, tmp_path):
    corpus, analysis = built
    out = tmp_path / "reports"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "report",
            "coverage",
            "--corpus",
            str(corpus),
            "--analysis",
            str(analysis),
            "--out",
            str(out),
            "-p",
            "outlets",
            "nowhere-times",
        ],
        capture_output=True,
        text=True,
        cwd=config.ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: unknown outlet"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (out / "coverage").exists()


def test_cli_unknown_report_and_reserved_parameter(built, tmp_path):
    corpus, analysis = built
    base = [
        sys.executable,
        "-m",
        "analysis",
        "report",
        "--corpus",
        str(corpus),
        "--analysis",
        str(analysis),
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.run(base + ["weather"], capture_output=True, text=True, cwd=config.ROOT, timeout=120)
    assert proc.returncode == 2 and "unknown report 'weather'" in proc.stderr
    proc = subprocess.run(
        base + ["coverage", "-p", "corpus", "x.parquet"], capture_output=True, text=True, cwd=config.ROOT, timeout=120
    )
    assert proc.returncode == 2 and "--corpus" in proc.stderr


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


def test_describe_selection(mini_corpus):
    from analysis.selection import select_documents

    text = notebook.describe_selection(mini_corpus, select_documents(mini_corpus, outlets=["gulf-monitor"]))
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


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text")) if t.get_text()]


def test_plots_have_titles_labels_and_legends(mini_corpus):
    events = timeseries.load_events()
    by = timeseries.count_articles(mini_corpus, freq="Q", by="outlet")
    values = pd.DataFrame({"doc_id": mini_corpus["doc_id"], "s": [0.1, 0.2, -0.3, 0.4, 0.0, -0.1]})
    figs = {
        "volume": cplots.plot_volume(timeseries.count_articles(mini_corpus, freq="M"), events=events),
        "by": cplots.plot_volume_by_group(by, by="outlet"),
        "share": cplots.plot_volume_by_group(by, by="outlet", normalize=True, min_total=1),
        "heat": cplots.plot_volume_heatmap(by, by="outlet"),
        "wire": cplots.plot_wire_share(timeseries.count_wire_share(mini_corpus, freq="Q"), events=events, min_total=1),
        "score": cplots.plot_score_over_time(
            timeseries.score_by_period(values, mini_corpus, value="s", freq="Q"), label="mean score", events=events
        ),
    }
    for name, fig in figs.items():
        assert isinstance(fig, Figure), name
        ax = fig.axes[0]
        titled = [a for a in fig.axes if any(a.get_title(loc) for loc in ("left", "center", "right"))]
        assert titled, name
        assert any(a.get_xlabel() for a in fig.axes) and any(a.get_ylabel() for a in fig.axes), name
        if name != "heat":
            assert ax.get_legend() is not None or fig.legends, name
    key = " ".join(_texts(figs["volume"]))
    assert "Mosul offensive" in key and "Fall of Mosul" not in key  # only events inside the plotted window
    assert "riverside-daily" in " ".join(_texts(figs["by"]))


def test_mark_events_selects_major_events_on_long_windows():
    fig = Figure()
    ax = fig.subplots()
    ax.plot(pd.to_datetime(["2014-01-01", "2018-12-31"]), [0, 1])
    events = timeseries.load_events()
    entries = cplots.mark_events(ax, events, fig=fig, max_events=10)
    major = events[events["level"] == 1]
    assert len(entries) == min(10, len(major))
    assert all(any(label in e for label in major["label"]) for e in entries)


def test_empty_score_table_says_so():
    empty = pd.DataFrame(columns=["period", "n_articles", "mean", "sem"])
    fig = cplots.plot_score_over_time(empty, label="mean score")
    assert any("enough scored articles" in t for t in _texts(fig))


# ------------------------------------------------------------------------------------------------ notebook rules
@pytest.mark.parametrize("name", ["coverage", "actors", "framing", "explore"])
def test_notebooks_are_thin_and_clean(name):
    import nbformat

    nb = nbformat.read(config.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert all(k in nb.cells[0].source for k in ("**Question.**", "**Data window.**", "**What you will see.**"))
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells.index(tagged[0]) == 1
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)  # committed clean
    for c in code:
        source = "\n".join(line.split("#")[0] for line in c.source.splitlines())  # code without comments
        for banned in ("def ", "lambda", "now(", "http", "open(", "Path(", "os.path", "for ", "if ", "while "):
            assert banned not in source, (name, banned, source[:60])
    # after the parameters and setup cells: markdown heading + one code cell, alternating
    rest = nb.cells[3:]
    kinds = [c.cell_type for c in rest]
    assert kinds == ["markdown", "code"] * (len(rest) // 2)
    assert all(c.source.startswith("## ") for c in rest if c.cell_type == "markdown")
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebook_generator_matches_committed_notebooks(tmp_path):
    """scripts/make_notebooks.py is the source of the notebooks: regenerate and compare."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_notebooks", config.ROOT / "scripts" / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import nbformat

    for name, cells in module.ALL.items():
        built = module.build(name, cells())
        committed = nbformat.read(config.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        assert [c.source for c in built.cells] == [c.source for c in committed.cells], name
