"""End-to-end: every report notebook executed with papermill on a small real corpus, then HTML and PDF checked.

The corpus is FA-KES (../shared, 804 real articles) ingested and analysed with the package's own commands; without
../shared the self-written mini corpus (tests/data/mini_corpus.jsonl) goes through the same steps.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import catalogue, config, render

pytestmark = pytest.mark.slow


def _source_file() -> Path:
    fakes = config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv"
    return fakes if fakes.is_file() else Path(__file__).parent / "data" / "mini_corpus.jsonl"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Corpus and analysis built with `python -m analysis ingest` and the pipeline."""
    from analysis.pipeline import analyze_corpus

    base = tmp_path_factory.mktemp("nb")
    corpus = base / "articles.parquet"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(_source_file()), "--out", str(corpus)],
        capture_output=True,
        text=True,
        cwd=config.ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    analysis = base / "analysis"
    analyze_corpus(corpus, analysis, progress=False)
    return corpus, analysis, base


@pytest.fixture(scope="module")
def rendered(inputs):
    corpus, analysis, base = inputs
    out = base / "reports"
    results = render.render_reports(["all"], corpus=corpus, analysis=analysis, out=out, progress=False)
    return {r.name: r for r in results}, out


def test_every_report_is_rendered(rendered):
    results, out = rendered
    assert set(results) == set(catalogue.REPORTS)
    index = (out / "index.html").read_text()
    run = json.loads((out / "run.json").read_text())
    assert [r["name"] for r in run["reports"]] == list(results)
    assert run["started"] <= run["finished"]
    for name in results:
        assert f'href="{name}/{name}.html"' in index and f'href="{name}/{name}.pdf"' in index


@pytest.mark.parametrize("name", list(catalogue.REPORTS))
def test_notebook_outputs(rendered, name):
    r = rendered[0][name]
    record = json.loads((r.folder / "outputs.json").read_text())
    assert record["python"] == sys.executable  # the kernel ran this interpreter
    figures = [o for o in record["outputs"] if o["kind"] == "figure"]
    tables = [o for o in record["outputs"] if o["kind"] == "table"]
    assert figures or tables
    for f in r.figures:
        data = (r.folder / f).read_bytes()
        assert data.startswith(b"\x89PNG") if f.endswith(".png") else b"<svg" in data[:2000], f
    for f in r.tables:
        header = (r.folder / f).read_text().splitlines()[0]
        assert header.strip(), f  # a CSV with its header row, even when a small selection has no rows
    nb = nbformat.read(r.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"warnings printed in {name}: {stderr}"
    plain = [
        o for o in outputs if o.output_type in ("execute_result", "display_data") and set(o.data) == {"text/plain"}
    ]
    assert not plain, f"raw repr shown in {name}: {[o.data['text/plain'][:80] for o in plain]}"
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == len(figures)


@pytest.mark.parametrize("name", list(catalogue.REPORTS))
def test_html_is_self_contained_without_code(rendered, name):
    r = rendered[0][name]
    html = r.html.read_text()
    images = re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', html)
    assert len(images) == len(r.figures) // 2  # PNG + SVG per figure on disk, one inline image each
    assert f"<title>{r.title}</title>" in html
    assert "report.figure(" not in html and "import " not in html  # no code
    assert not re.search(r'(src|href)="https?://', html)  # nothing fetched from the network
    assert "Provenance" in html and "corpus fingerprint" in html


@pytest.mark.parametrize("name", list(catalogue.REPORTS))
def test_pdf_is_valid_titled_and_not_blank(rendered, name):
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    r = rendered[0][name]
    reader = PdfReader(str(r.pdf))
    assert len(reader.pages) == r.pages >= 1
    first = reader.pages[0].extract_text()
    assert r.title.split()[0] in first and r.title in " ".join(first.split())
    pdf = pdfium.PdfDocument(str(r.pdf))
    image = pdf[0].render(scale=0.5).to_pil().convert("L")
    dark = sum(image.histogram()[:200]) / (image.width * image.height)
    assert dark > 0.01, f"page 1 of {name} looks blank ({dark:.2%} dark pixels)"


def test_coverage_tables_match_the_corpus(rendered, inputs):
    import pandas as pd

    corpus = pd.read_parquet(inputs[0])
    folder = rendered[0]["coverage"].folder
    outlets = pd.read_csv(folder / "tables" / "outlets.csv")
    assert len(outlets) == corpus["outlet"].nunique() and outlets["n_articles"].sum() == len(corpus)
    record = json.loads((folder / "outputs.json").read_text())
    assert [o["name"] for o in record["outputs"] if o["kind"] == "figure"][:2] == ["volume", "volume-by-outlet"]


def test_same_inputs_give_identical_tables_and_figures(rendered, inputs):
    corpus, analysis, base = inputs
    first = rendered[0]["coverage"]
    again = render.render_report(
        "coverage", corpus=corpus, analysis=analysis, out=base / "again", include_code=True, pdf=False, progress=False
    )
    names = sorted(first.figures + first.tables)
    assert names == sorted(again.figures + again.tables)
    for f in names:
        assert (first.folder / f).read_bytes() == (again.folder / f).read_bytes(), f
    code_html = again.html.read_text()
    assert "input_area" in code_html and "plot_volume" in code_html  # --include-code keeps the code


def test_reports_at_once_give_the_files_of_reports_one_at_a_time(rendered, inputs):
    """`report all --jobs 2` renders two reports at a time, each in its own kernel, with the corpus fingerprinted
    once for all kernels: the same tables, figures and pages as one at a time (the fixture, default jobs=1)."""
    from analysis.streaming import fingerprint_corpus_file

    corpus, analysis, base = inputs
    results, _ = rendered
    fingerprint = fingerprint_corpus_file(corpus)
    at_once = render.render_reports(
        ["coverage", "framing"], corpus=corpus, analysis=analysis, out=base / "two", pdf=False, progress=False, jobs=2
    )
    assert [r.name for r in at_once] == ["coverage", "framing"]
    for r in at_once:
        first = results[r.name]
        names = sorted(first.figures + first.tables)
        assert names == sorted(r.figures + r.tables) and names
        for f in names:
            assert (first.folder / f).read_bytes() == (r.folder / f).read_bytes(), f
        assert first.html.read_text() == r.html.read_text()
        assert fingerprint in r.html.read_text()


def test_explore_notebook_with_parameters(inputs, monkeypatch):
    import pandas as pd

    corpus, analysis, base = inputs
    outlet = sorted(pd.read_parquet(corpus, columns=["outlet"])["outlet"].dropna().unique())[0]
    monkeypatch.chdir(base)  # relative paths, as in the Makefile
    [r] = render.render_reports(
        ["explore"],
        corpus=corpus.name,
        analysis=analysis.name,
        out="explore-out",
        parameters={"outlets": outlet, "freq": "Q"},
        pdf=False,
        progress=False,
    )
    assert (base / "explore-out" / "index.html").is_file()
    assert r.parameters["outlets"] == [outlet] and r.parameters["freq"] == "Q"
    articles = pd.read_csv(r.folder / "tables" / "articles.csv")
    assert set(articles["outlet"]) == {outlet}
    assert {"tables/top-terms.csv", "figures/volume.png"} <= set(r.tables + r.figures)
