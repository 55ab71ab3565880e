"""The report catalogue: notebook parameters, their checks before any kernel starts, and the notebook rules."""

from __future__ import annotations

import pytest

from analysis import catalogue, config, render
from analysis.errors import InputError, ParameterError


# ------------------------------------------------------------------------------------------------ parameters
def test_notebook_parameters_are_typed_and_commented():
    for spec in catalogue.list_reports(include_extra=True):
        params = catalogue.notebook_parameters(spec.name)
        for key in (
            "corpus",
            "analysis_dir",
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


@pytest.mark.parametrize("name", ["coverage", "actors", "framing", "explore"])
def test_notebook_pairs_are_in_sync(name):
    """Each notebook is a jupytext pair (notebooks/<name>.ipynb + <name>.py, py:percent): edit either, then run
    `jupytext --sync notebooks/<name>.ipynb`; the two must hold the same cells."""
    import jupytext
    import nbformat

    committed = nbformat.read(config.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    assert committed.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    paired = jupytext.read(config.NOTEBOOKS_DIR / f"{name}.py", fmt="py:percent")
    assert [(c.cell_type, c.source) for c in paired.cells] == [(c.cell_type, c.source) for c in committed.cells]
    tags = [c.metadata.get("tags", []) for c in committed.cells]
    assert [c.metadata.get("tags", []) for c in paired.cells] == tags
    # the round trip: the .py converted back to a notebook gives the committed cells
    again = jupytext.reads(jupytext.writes(committed, fmt="py:percent"), fmt="py:percent")
    assert [c.source for c in again.cells] == [c.source for c in paired.cells]
