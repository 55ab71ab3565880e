"""The report notebooks: which exist and which tables they need, and their parameters, read and checked in one place.

Every check a report kernel would trip over (an unknown parameter, a wrong type, a bad date, frequency, outlet or
actor, an empty selection, a missing table) runs here, before any kernel starts.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.corpus import load_corpus
from analysis.errors import InputError, ParameterError


@dataclass(frozen=True)
class ReportSpec:
    """A report notebook in ``notebooks/`` and the analysis tables it needs."""

    name: str
    notebook: str
    description: str
    tables: tuple[str, ...] = ("documents",)


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec(
            "coverage",
            "coverage.ipynb",
            "volume over time, outlets and agencies, wire copy, top terms and keyness, sentiment over time",
            ("documents", "terms"),
        ),
        ReportSpec(
            "actors",
            "actors.ipynb",
            "actor and place mentions over time and by outlet, co-occurrence network, actor tone, unlisted names",
            ("documents", "mentions"),
        ),
        ReportSpec(
            "framing",
            "framing.ipynb",
            "frames over time and by outlet, labels in voice vs attributed, territorial verbs, sources, validation",
            ("documents",),
        ),
    )
}
#: Notebooks that run like reports but are not part of ``all`` (the exploratory notebook).
EXTRA_NOTEBOOKS: dict[str, ReportSpec] = {
    "explore": ReportSpec("explore", "explore.ipynb", "a tour of the library for JupyterLab", ("documents",)),
}


def list_reports(include_extra: bool = False) -> list[ReportSpec]:
    """The report notebooks rendered by ``report all`` (plus the exploratory notebook with ``include_extra``)."""
    specs = list(REPORTS.values())
    return specs + list(EXTRA_NOTEBOOKS.values()) if include_extra else specs


def report_catalogue() -> pd.DataFrame:
    """The report notebooks as a table: name, notebook file, what it shows, whether ``report all`` renders it."""
    rows = [
        {"report": s.name, "notebook": f"notebooks/{s.notebook}", "shows": s.description, "in_all": s.name in REPORTS}
        for s in list_reports(include_extra=True)
    ]
    return pd.DataFrame(rows)


def find_report(name: str) -> ReportSpec:
    """The catalogue entry of a report (or of the exploratory notebook) by name; an unknown name is an error."""
    known = {**REPORTS, **EXTRA_NOTEBOOKS}
    if name not in known:
        raise ParameterError(f"unknown report {name!r}: choose from {', '.join(known)} or 'all'")
    return known[name]


def notebook_path(name: str) -> Path:
    """The notebook file of a report name."""
    return config.NOTEBOOKS_DIR / find_report(name).notebook


def notebook_parameters(name: str) -> dict[str, dict]:
    """The ``parameters`` cell of a report notebook: name -> {"type", "default", "help"} (via papermill)."""
    import papermill as pm

    path = notebook_path(name)
    if not path.is_file():
        raise InputError(f"report notebook {path} is missing: restore it from git (notebooks/)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # papermill warns about kernel names it cannot check offline
        raw = pm.inspect_notebook(str(path))
    return {
        k: {"type": v.get("inferred_type_name", "None"), "default": v.get("default"), "help": v.get("help", "")}
        for k, v in raw.items()
    }


_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def coerce_parameter(name: str, value, type_name: str):
    """Convert a command-line string to the type declared in the notebook (str, int, float, bool, list[str])."""
    if not isinstance(value, str):
        return value
    t = (type_name or "str").replace(" ", "").lower()
    try:
        if t == "bool":
            if value.lower() in _TRUE:
                return True
            if value.lower() in _FALSE:
                return False
            raise ValueError
        if t == "int":
            return int(value)
        if t == "float":
            return float(value)
        if t.startswith("list"):
            return [v.strip() for v in value.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"parameter {name}={value!r} is not a {type_name}") from None
    return value


def _check_required_text(declared: dict[str, dict], given: dict) -> None:
    """A text parameter whose default is not empty, and whose help does not say what empty means (``empty: all``),
    must not be empty: ``-p keyword ""`` is refused here rather than failing in the kernel."""
    for key, value in given.items():
        spec = declared.get(key, {})
        if str(spec.get("type", "")).replace(" ", "").lower() != "str" or not isinstance(value, str):
            continue
        default = _literal(spec.get("default"))
        if value.strip() or not (isinstance(default, str) and default.strip()) or "empty" in spec.get("help", ""):
            continue
        raise ParameterError(f"parameter {key} is empty: give a value (default {default!r}; {spec.get('help', '')})")


def _unknown_actors(names) -> list[str]:
    """The names in ``names`` that are neither an id nor a name of the actor dictionary."""
    from analysis.actors import default_dictionary

    dictionary = default_dictionary()
    return [a for a in names if a not in dictionary and dictionary.resolve(str(a), kind="actor") is None]


def validate_parameters(
    names: list[str], parameters: dict, *, corpus: str | os.PathLike, analysis: str | os.PathLike
) -> dict[str, dict]:
    """Check everything a kernel would trip over, before any kernel starts; return the typed parameters per report.

    Unknown parameter names, values of the wrong type, a bad date or frequency, an unknown outlet or actor, an
    empty selection, a missing corpus or analysis (or one lacking a table a report needs) each raise one
    :class:`ParameterError` / :class:`InputError` naming the fix.
    """
    from analysis.periods import validate_freq
    from analysis.selection import select_documents

    corpus_path, analysis_dir = Path(corpus), Path(analysis)
    typed: dict[str, dict] = {}
    declared_any: set[str] = set()
    for name in names:
        declared = notebook_parameters(name)
        declared_any |= set(declared)
        typed[name] = {k: coerce_parameter(k, v, declared[k]["type"]) for k, v in parameters.items() if k in declared}
    for name in names:
        _check_required_text(notebook_parameters(name), typed[name])
    unknown = sorted(set(parameters) - declared_any)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}: the report(s) {', '.join(names)} take "
            f"{', '.join(sorted(declared_any - {'corpus', 'analysis_dir', 'output_dir'}))}"
        )
    corpus_df = load_corpus(corpus_path, columns=["doc_id", "outlet", "published", "duplicate_of"])
    from analysis.pipeline import load_analysis

    result = load_analysis(analysis_dir)
    have = set(result.tables)
    for name in names:
        declared = notebook_parameters(name)
        p = {k: v["default"] for k, v in declared.items()}
        p.update(typed[name])
        p = {k: _literal(v) for k, v in p.items()}
        if "freq" in p:
            validate_freq(p["freq"])
        select_documents(
            corpus_df,
            start=p.get("start") or None,
            end=p.get("end") or None,
            outlets=p.get("outlets") or None,
            include_duplicates=bool(p.get("include_duplicates", True)),
        )
        if "frame_presence" in p and p["frame_presence"] not in ("dictionary", "model"):
            raise ParameterError(f"frame_presence must be dictionary or model, not {p['frame_presence']!r}")
        if p.get("actors"):
            bad = _unknown_actors(p["actors"])
            if bad:
                raise ParameterError(
                    f"unknown actor(s) {', '.join(map(repr, bad))}: use ids or labels from "
                    f"analysis/resources/actors.yaml (e.g. islamic_state, iraqi_forces)"
                )
        if p.get("events"):
            from analysis.timeseries import load_events

            load_events(p["events"])
            if "events" in typed[name]:  # the kernel runs in notebooks/: pass the file as an absolute path
                typed[name]["events"] = str(Path(typed[name]["events"]).resolve())
        missing = [t for t in find_report(name).tables if t not in have]
        if missing:
            raise InputError(
                f"report {name} needs analysis table(s) {', '.join(missing)} missing from "
                f"{analysis_dir}: re-run `python -m analysis analyze` with all stages installed"
            )
    return typed


def _literal(v):
    """papermill's inspected defaults are source literals (strings of Python code): evaluate them safely."""
    import ast

    if isinstance(v, str):
        try:
            return ast.literal_eval(v)
        except (ValueError, SyntaxError):
            return v
    return v
