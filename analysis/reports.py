"""The `report` command: validate parameters, execute report notebooks with papermill, write HTML, PDF and index.html;
plus the helpers report notebooks call to show and save figures, tables and provenance."""

from __future__ import annotations

import datetime as _dt
import html
import json
import logging
import os
import platform
import re
import shutil
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import AnalysisError, InputError, ParameterError
from analysis.provenance import fingerprint_corpus, git_commit, package_versions
from analysis.tables import save_json

log = logging.getLogger(__name__)


class ReportError(AnalysisError):
    """A report notebook failed while executing or rendering (the message names the cell and the saved notebook)."""


# ------------------------------------------------------------------------------------------------ the report list
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


def summarize_analysis(result) -> pd.DataFrame:
    """The tables of an analysis (:func:`analysis.pipeline.load_analysis`): name, rows, columns."""
    tables = (getattr(result, "manifest", {}) or {}).get("tables", {})
    rows = [
        {"table": name, "rows": int(info.get("rows", 0)), "columns": ", ".join(info.get("columns", []))}
        for name, info in sorted(tables.items())
    ]
    return pd.DataFrame(rows, columns=["table", "rows", "columns"])


def _spec(name: str) -> ReportSpec:
    known = {**REPORTS, **EXTRA_NOTEBOOKS}
    if name not in known:
        raise ParameterError(f"unknown report {name!r}: choose from {', '.join(known)} or 'all'")
    return known[name]


# ------------------------------------------------------------------------------------------------ figure style

#: matplotlib settings of every report figure: readable sizes, light grid, fixed SVG ids and no dates in files, so
#: the same data gives byte-identical PNG and SVG files.
REPORT_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": True,  # a white box, so event lines and grid do not run through legend text
    "legend.framealpha": 0.9,
    "legend.edgecolor": "none",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.hashsalt": "analysis-report",
    "svg.fonttype": "path",
    "path.simplify": True,
}


def use_report_style() -> None:
    """Apply :data:`REPORT_RC` and the palette to matplotlib (called by :func:`open_report`)."""
    import matplotlib as mpl
    from cycler import cycler

    from analysis.plots.coverage import PALETTE

    mpl.rcParams.update(REPORT_RC)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE)


# ------------------------------------------------------------------------------------------------ in the notebook
def _fmt_value(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    if isinstance(v, str) and not v:
        return "(not set)"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v)) if v else "(all)"
    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d}"
    return str(v)


class Report:
    """What a report notebook shows and saves: figures (PNG + SVG), tables (CSV), notes and provenance.

    Create it with :func:`open_report`. With an empty ``output_dir`` (interactive use in JupyterLab) nothing is
    written; the renderer passes a folder, and every figure and table is then also saved there and listed in
    ``outputs.json`` so that tests and users can find them.
    """

    def __init__(self, *, title: str, output_dir: str | os.PathLike = "", parameters: dict | None = None):
        self.title = title
        self.parameters = dict(parameters or {})
        self.output_dir = Path(output_dir) if output_dir else None
        self.outputs: list[dict] = []
        self._figure_no = 0
        self._table_no = 0
        if self.output_dir:
            (self.output_dir / "figures").mkdir(parents=True, exist_ok=True)
            (self.output_dir / "tables").mkdir(parents=True, exist_ok=True)
            self._record()

    def _record(self) -> None:
        if not self.output_dir:
            return
        record = {"title": self.title, "python": sys.executable, "parameters": self.parameters, "outputs": self.outputs}
        save_json(record, self.output_dir / "outputs.json", sort_keys=False, default=_fmt_value)

    def _check_name(self, name: str, kind: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise ParameterError(f"output name {name!r}: use lower-case letters, digits, '-' and '_'")
        if any(o["name"] == name and o["kind"] == kind for o in self.outputs):
            raise ParameterError(f"output name {name!r} is used twice in this report: give each output its own name")
        return name

    def figure(self, fig, name: str, *, caption: str | None = None) -> None:
        """Show a matplotlib Figure (as PNG) and, when rendering, save it as figures/<name>.png and .svg."""
        from IPython.display import HTML, Image, display

        self._check_name(name, "figure")
        self._figure_no += 1
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        png = buf.getvalue()
        files = []
        if self.output_dir:
            for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
                path = self.output_dir / "figures" / f"{name}.{ext}"
                if ext == "png":
                    path.write_bytes(png)
                else:
                    fig.savefig(path, format="svg", metadata=meta)
                files.append(f"figures/{name}.{ext}")
        self.outputs.append({"kind": "figure", "name": name, "files": files})
        self._record()
        import matplotlib.pyplot as plt

        plt.close(fig)
        alt = next((t for ax in fig.axes for loc in ("left", "center", "right") if (t := ax.get_title(loc))), name)
        display(Image(data=png, format="png", metadata={"alt": alt}))
        if caption:
            display(HTML(f'<p class="caption"><b>Figure {self._figure_no}.</b> {html.escape(caption)}</p>'))

    def table(
        self,
        df: pd.DataFrame,
        name: str,
        *,
        max_rows: int = 15,
        caption: str | None = None,
        percent: tuple[str, ...] | list[str] = (),
        digits: int = 2,
        sort_by: str | None = None,
        columns: list[str] | None = None,
    ) -> None:
        """Show the first ``max_rows`` rows of ``df`` (rounded, no index) and, when rendering, save all of it as
        tables/<name>.csv. ``percent`` names share columns (0-1) shown as percentages; ``sort_by`` orders the rows
        shown (largest first; ties keep the table's order) and ``columns`` picks the columns shown, without changing
        the saved table."""
        from IPython.display import HTML, display

        self._check_name(name, "table")
        self._table_no += 1
        files = []
        if self.output_dir:
            from analysis.tables import save_table

            os.chmod(save_table(df, self.output_dir / "tables" / f"{name}.csv"), 0o644)
            files.append(f"tables/{name}.csv")
        self.outputs.append({"kind": "table", "name": name, "files": files, "rows": int(len(df))})
        self._record()
        shown = df.sort_values(sort_by, ascending=False, kind="mergesort") if sort_by else df
        if columns:
            missing = [c for c in columns if c not in shown.columns]
            if missing:
                raise ParameterError(
                    f"table {name!r} has no column(s) {', '.join(missing)}; it has {', '.join(map(str, shown.columns))}"
                )
            shown = shown[list(columns)]
        display(
            HTML(
                render_table(
                    shown,
                    name=name,
                    max_rows=max_rows,
                    caption=caption,
                    percent=percent,
                    digits=digits,
                    number=self._table_no,
                )
            )
        )

    def note(self, text: str) -> None:
        """Show a sentence of interpretation (plain text, e.g. from a ``describe_*`` function; `code` spans allowed)."""
        from IPython.display import HTML, display

        body = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))  # `code` spans, as in markdown
        display(HTML(f'<p class="note">{body}</p>'))

    def validation(self, summary: dict) -> None:
        """Show a validation summary (:func:`analysis.validation.summarise_validation`): its statement, and the
        scores against human coding and the coder agreement when there are any (saved as CSV too)."""
        self.note(summary.get("statement", "UNVALIDATED: no validation summary."))
        if summary.get("scores") is not None:
            self.table(
                summary["scores"],
                "validation-scores",
                max_rows=30,
                columns=[
                    c
                    for c in ("question", "level", "n", "support", "precision", "recall", "f1")
                    if c in summary["scores"].columns
                ],
            )
        if summary.get("agreement") is not None:
            self.table(summary["agreement"], "validation-agreement", max_rows=30)

    def provenance(self, *, corpus: pd.DataFrame, corpus_path: str | os.PathLike, analysis=None) -> None:
        """Show the provenance section (see :func:`render_provenance`) with this report's parameters."""
        from IPython.display import HTML, display

        display(
            HTML(
                render_provenance(parameters=self.parameters, corpus=corpus, corpus_path=corpus_path, analysis=analysis)
            )
        )


def open_report(*, title: str, output_dir: str | os.PathLike = "", parameters: dict | None = None) -> Report:
    """Start a report in a notebook: apply the report figure style and return a :class:`Report` for its outputs."""
    use_report_style()
    return Report(title=title, output_dir=output_dir, parameters=parameters)


def render_table(
    df: pd.DataFrame,
    *,
    name: str = "table",
    max_rows: int = 15,
    caption: str | None = None,
    percent=(),
    digits: int = 2,
    number: int | None = None,
) -> str:
    """HTML of a table for a report: no index, thousands separators, ``digits`` decimals, dates as YYYY-MM-DD, shares
    as percentages, at most ``max_rows`` rows with a note saying how many there are. Deterministic."""
    if df.empty:
        return '<p class="note">No rows to show for this selection.</p>'
    shown = df.head(max_rows).copy()
    percent = {str(c).replace("_", " ") for c in percent}
    shown.columns = [str(c).replace("_", " ") for c in shown.columns]
    formats = {}
    for col in shown.columns:
        s = shown[col]
        if col in percent:
            formats[col] = lambda v: "–" if pd.isna(v) else f"{v:.1%}"
        elif pd.api.types.is_datetime64_any_dtype(s):
            formats[col] = lambda v: "–" if pd.isna(v) else f"{v:%Y-%m-%d}"
        elif pd.api.types.is_bool_dtype(s):
            formats[col] = lambda v: "yes" if v else "no"
        elif pd.api.types.is_integer_dtype(s):
            formats[col] = lambda v: "–" if pd.isna(v) else f"{int(v):,}"
        elif pd.api.types.is_float_dtype(s):
            formats[col] = lambda v, d=digits: "–" if pd.isna(v) else f"{v:,.{d}f}"
        else:
            formats[col] = lambda v: _fmt_value(v) if isinstance(v, (list, tuple)) or not pd.isna(v) else "–"
    numeric = [
        c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
    ]
    styler = (
        shown.style.hide(axis="index")
        .format(formats)
        .set_table_attributes('class="report-table"')
        .set_properties(subset=numeric, **{"text-align": "right"})
    )
    styler.set_uuid(re.sub(r"[^A-Za-z0-9_-]", "_", name))
    label = f"Table {number}. " if number else ""
    extra = f" Showing {len(shown):,} of {len(df):,} rows." if len(df) > len(shown) else ""
    if caption or extra:
        styler = styler.set_caption(f"{label}{caption or ''}{extra}".strip())
    return styler.to_html()


def describe_selection(corpus: pd.DataFrame, selected: pd.DataFrame) -> str:
    """One sentence on a report's data window: how many of the corpus' articles and outlets are selected, and the
    dates they span (computed from the data, so it is true for any corpus and parameters)."""
    n, total = len(selected), len(corpus)
    dates = pd.to_datetime(selected["published"]).dropna() if "published" in selected else pd.Series(dtype=object)
    outlets = selected["outlet"].nunique() if "outlet" in selected else 0
    text = f"This report covers {n:,} of the corpus' {total:,} articles"
    if outlets:
        text += f" from {outlets:,} outlet{'s' if outlets != 1 else ''}"
    if len(dates):
        text += f", published between {dates.min():%d %B %Y} and {dates.max():%d %B %Y}"
    undated = n - len(dates)
    if undated:
        text += f"; {undated:,} of them have no publication date and are left out of the time series"
    if "lang" in selected:
        other = selected["lang"].fillna("und")
        other = other[~other.isin(["en", "und"])].value_counts()
        if len(other):
            langs = ", ".join(f"{k} {v:,}" for k, v in sorted(other.items(), key=lambda kv: (-kv[1], kv[0])))
            n_other = int(other.sum())
            text += (
                f". {n_other:,} selected article{' is' if n_other == 1 else 's are'} not in English ({langs}): "
                f"{'it is' if n_other == 1 else 'they are'} left out of the English-only measures (sentiment, "
                "actors, frames), not scored with an English lexicon"
            )
    if "duplicate_of" in selected:
        dups = int(selected["duplicate_of"].notna().sum())
        text += (
            f". {dups:,} selected articles are copies of another article (duplicates)"
            if dups
            else ". No selected article is marked as a duplicate"
        )
    return text + "."


def analysis_documents(result, selected: pd.DataFrame) -> pd.DataFrame:
    """The analysis' ``documents`` table (one row per article, with n_tokens, sentiment and frame columns) restricted
    to the report's selected articles, for the table functions that take ``documents=``."""
    docs = result.table("documents") if hasattr(result, "table") else result
    return docs[docs["doc_id"].isin(selected["doc_id"])].reset_index(drop=True)


def summarize_keyness(
    terms: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    by: str = "outlet",
    freq: str | None = None,
    top: int | None = 8,
    n_terms: int = 8,
    min_count: int = 5,
    max_p: float = 0.001,
    stopwords=True,
) -> pd.DataFrame:
    """The terms most typical of each group against all other groups (G2 keyness, :func:`analysis.frequency.
    score_keyness`), one row per group: ``<by>`` (or ``period``), ``n_articles``, ``key_terms`` (the ``n_terms``
    terms with the largest positive G2 and p below ``max_p``, most key first).

    ``terms``/``documents`` are the analysis tables (``documents`` restricted to the selection, e.g. with
    :func:`analysis_documents`). With ``freq`` the groups are periods (e.g. ``freq="Y"``: each year against the
    others) instead of ``by``. Only the ``top`` largest groups are scored (keyness of a handful of articles is noise).
    """
    from analysis import frequency
    from analysis.periods import to_period

    docs = documents.copy()
    key = by
    if freq:
        key = "period"
        docs = docs[docs["published"].notna()].copy()
        fmt = {"Y": "%Y", "Q": "%Y-%m", "M": "%Y-%m"}.get(freq.upper(), "%Y-%m-%d")
        docs["period"] = to_period(docs["published"], freq).dt.strftime(fmt)
    docs = docs[docs[key].notna()]
    sizes = docs[key].astype(str).value_counts()
    if freq:  # every period, in time order
        groups = sorted(g for g in sizes.index if sizes[g] >= 2)
    else:  # the largest groups
        groups = [g for g in sorted(sizes.index, key=lambda g: (-sizes[g], g)) if sizes[g] >= 2][: top or None]
    rows = []
    for g in groups:
        if sizes[g] == len(docs):  # a single group has no reference
            continue
        table = frequency.score_keyness(
            terms, documents=docs, by=key, target=g, min_count=min_count, stopwords=stopwords
        )
        best = table[(table["g2"] > 0) & (table["p_g2"] < max_p)].head(n_terms)
        rows.append({key: g, "n_articles": int(sizes[g]), "key_terms": ", ".join(best["term"]) or "–"})
    return pd.DataFrame(rows, columns=[key, "n_articles", "key_terms"])


def _flatten(prefix: str, value, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k in sorted(value):
            _flatten(f"{prefix} / {k}" if prefix else str(k), value[k], rows)
    else:
        rows.append((prefix, _fmt_value(value)))


def _kv_table(rows, caption: str) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    # wrapped in a block that must not break, so a caption never stays behind at the foot of a page
    return (
        f'<div class="provenance-group"><table class="provenance"><caption>{html.escape(caption)}</caption>'
        f"<tbody>{body}</tbody></table></div>"
    )


def render_provenance(*, parameters: dict, corpus: pd.DataFrame, corpus_path: str | os.PathLike, analysis=None) -> str:
    """HTML of a report's provenance: parameters, corpus fingerprint, size and date range, analysis manifest (stages,
    dictionary/lexicon/codebook versions, whether it was computed on this corpus), package versions and git commit.

    The time of rendering is left out on purpose (it is in the run's ``run.json`` and ``index.html``), so that two
    renders of the same corpus and parameters give identical reports.
    """
    fingerprint = fingerprint_corpus(corpus)
    dates = pd.to_datetime(corpus["published"]) if "published" in corpus else pd.Series(dtype="datetime64[ns]")
    data_rows = [
        ("corpus file", Path(corpus_path).name),
        ("corpus fingerprint (sha256 of content)", fingerprint),
        ("articles in the corpus", f"{len(corpus):,}"),
        ("outlets in the corpus", f"{corpus['outlet'].nunique():,}" if "outlet" in corpus else "–"),
        ("publication dates", f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}" if dates.notna().any() else "–"),
        ("undated articles", f"{int(dates.isna().sum()):,}"),
        ("marked as duplicates", f"{int(corpus['duplicate_of'].notna().sum()):,}" if "duplicate_of" in corpus else "–"),
    ]
    param_rows = [(k, _fmt_value(v)) for k, v in parameters.items() if k not in ("corpus", "analysis", "output_dir")]
    parts = [
        '<section class="provenance">',
        "<p>Everything needed to reproduce this report: the same corpus (same fingerprint), analysis tables, "
        "parameters and software give the same tables and figures. The time of rendering is recorded in the "
        "run's <code>run.json</code>, not here.</p>",
        _kv_table(param_rows, "Parameters"),
        _kv_table(data_rows, "Data"),
    ]
    ingest_manifest = Path(corpus_path).with_name("ingest_manifest.json")
    if ingest_manifest.is_file():  # written by `ingest` beside the corpus: how the raw files became this corpus
        record = json.loads(ingest_manifest.read_text(encoding="utf-8"))
        counts = record.get("counts", {})
        inputs = record.get("inputs", [])
        ingest_rows = [
            (
                "built from this corpus",
                "yes"
                if record.get("corpus_fingerprint") == fingerprint
                else "NO: the ingest manifest describes another corpus",
            ),
            (
                "input files",
                ", ".join(
                    f"{Path(str(i.get('path', '?'))).name} (sha256 {str(i.get('sha256', ''))[:12]})" for i in inputs[:5]
                )
                + (f" and {len(inputs) - 5} more" if len(inputs) > 5 else ""),
            ),
            ("rows read / rejected", f"{counts.get('rows', '–')} / {counts.get('rejected', '–')}"),
            (
                "duplicates exact / near",
                f"{counts.get('duplicates_exact', '–')} / {counts.get('duplicates_near', '–')} "
                f"(near threshold {record.get('options', {}).get('near_threshold', '–')})",
            ),
            (
                "boilerplate rules / agency list",
                f"version {record.get('rules_version', '–')} / version {record.get('agencies_version', '–')}",
            ),
            (
                "spans removed / bytes repaired",
                f"{counts.get('removed_spans', '–')} / {counts.get('bytes_repaired', '–')}",
            ),
        ]
        parts.append(_kv_table(ingest_rows, "Ingest"))
    if analysis is not None:
        manifest = getattr(analysis, "manifest", analysis) or {}
        recorded = manifest.get("corpus", {}).get("fingerprint")
        match = (
            "yes"
            if recorded == fingerprint
            else f"NO: analysis was computed on corpus {recorded}; re-run `python -m analysis analyze`"
        )
        ana_rows = [
            ("computed on this corpus", match),
            (
                "analysis parameters",
                ", ".join(
                    f"{k}={_fmt_value(v)}"
                    for k, v in sorted(manifest.get("parameters", {}).items())
                    if k not in ("corpus",)
                ),
            ),
            (
                "articles analysed",
                f"{manifest.get('corpus', {}).get('n_selected', '–'):,}"
                if isinstance(manifest.get("corpus", {}).get("n_selected"), int)
                else "–",
            ),
            ("analysis git commit", str(manifest.get("git_commit", "–"))),
        ]
        for stage, status in sorted(manifest.get("stages", {}).items()):
            ana_rows.append((f"stage {stage.split(':')[0].removeprefix('analysis.')}", str(status)))
        for stage, left in sorted(manifest.get("left_out", {}).items()):
            by = ", ".join(f"{k} {v:,}" for k, v in left.get("by_language", {}).items())
            ana_rows.append(
                (
                    f"left out of {stage.removeprefix('analysis.')}",
                    f"{left.get('n_articles', 0):,} article{'' if left.get('n_articles') == 1 else 's'} in other "
                    "languages" + (f" ({by})" if by else ""),
                )
            )
        res_rows: list[tuple[str, str]] = []
        _flatten("", manifest.get("resource_versions", {}), res_rows)
        res_rows = [(k.removeprefix("analysis."), v) for k, v in res_rows]
        parts += [
            _kv_table(ana_rows, "Analysis tables"),
            _kv_table(res_rows or [("–", "no versions recorded")], "Dictionaries, lexicons and codebooks"),
        ]
    versions = package_versions()
    sw_rows = [
        ("git commit", git_commit()),
        ("python", platform.python_version()),
        ("packages", ", ".join(f"{k} {v}" for k, v in versions.items())),
    ]
    parts += [_kv_table(sw_rows, "Software"), "</section>"]
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------ parameters
def notebook_path(name: str) -> Path:
    """The notebook file of a report name."""
    return config.NOTEBOOKS_DIR / _spec(name).notebook


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


def _load_corpus(path: Path) -> pd.DataFrame:
    """The corpus columns that parameters are checked against (no text: fast and small on large corpora)."""
    if not path.is_file():
        raise InputError(f"corpus {path} does not exist: build it with `python -m analysis ingest ... --out {path}`")
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
        columns = [c for c in ("doc_id", "outlet", "published", "duplicate_of") if c in names]
        corpus = pd.read_parquet(path, columns=columns)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a file that is not parquet
        raise InputError(
            f"corpus {path} cannot be read as parquet ({type(exc).__name__}): pass the file written "
            "by `python -m analysis ingest`"
        ) from None
    if "doc_id" not in corpus:
        raise InputError(f"corpus {path} has no doc_id column: it was not written by `python -m analysis ingest`")
    return corpus


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
    from analysis.periods import select_documents, validate_freq

    corpus_path, analysis_dir = Path(corpus), Path(analysis)
    typed: dict[str, dict] = {}
    declared_any: set[str] = set()
    for name in names:
        declared = notebook_parameters(name)
        declared_any |= set(declared)
        typed[name] = {k: coerce_parameter(k, v, declared[k]["type"]) for k, v in parameters.items() if k in declared}
    unknown = sorted(set(parameters) - declared_any)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}: the report(s) {', '.join(names)} take "
            f"{', '.join(sorted(declared_any - {'corpus', 'analysis', 'output_dir'}))}"
        )
    corpus_df = _load_corpus(corpus_path)
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
        missing = [t for t in _spec(name).tables if t not in have]
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


# ------------------------------------------------------------------------------------------------ rendering
def _css() -> str:
    return config.resource("report.css").read_text(encoding="utf-8")


def _strip_opener_title(nb) -> None:
    """The page header shows the ``title`` parameter; drop the notebook's own first ``# `` heading (meant for Lab)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            if lines and lines[0].startswith("# "):
                cell.source = "\n".join(lines[1:]).lstrip("\n")
            return


def _add_alt_text(nb, body: str) -> str:
    """nbconvert writes ``<img>`` without ``alt``: use each figure's title (kept in the output metadata)."""
    alts = [
        out.get("metadata", {}).get("alt", "figure")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    it = iter(alts)
    return re.sub(r"<img (?![^>]*\balt=)", lambda m: f'<img alt="{html.escape(next(it, "figure"))}" ', body)


def export_html(executed: Path, html_path: Path, *, title: str, subtitle: str = "", include_code: bool = False) -> Path:
    """Write a self-contained HTML page of an executed notebook: images inline (data: URIs), print CSS, no code
    unless ``include_code``."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    _strip_opener_title(nb)
    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = not include_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    # papermill's own cells: the injected parameters show only with the code
    if not include_code:
        nb.cells = [
            c for c in nb.cells if not ({"injected-parameters", "parameters"} & set(c.metadata.get("tags", [])))
        ]
    body, _ = exporter.from_notebook_node(nb)
    body = _add_alt_text(nb, body)
    extra_css = ""
    if include_code:
        from pygments.formatters import HtmlFormatter

        extra_css = HtmlFormatter(style="default").get_style_defs(".highlight")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_css()}\n{extra_css}\n</style>\n</head>\n<body>\n"
        f'<main class="report">\n<header class="report-header"><h1>{html.escape(title)}</h1>'
        f'<p class="subtitle">{html.escape(subtitle)}</p></header>\n{body}\n</main>\n</body>\n</html>\n'
    )
    html_path.write_text(page, encoding="utf-8")
    return html_path


def export_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print an HTML report to PDF with WeasyPrint (the page size and margins come from the print CSS)."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # pango missing
        raise ReportError(
            f"WeasyPrint cannot load its system libraries ({exc}); run `bash scripts/setup.sh` "
            "or `apt-get install libpango-1.0-0 libpangoft2-1.0-0`"
        ) from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(filename=str(html_path), base_url=str(html_path.parent)).write_pdf(str(pdf_path))
    return pdf_path


def _kernel_manager_class():
    """A kernel manager talking to the kernel over local IPC sockets (not TCP): nothing listens on the network,
    and the kernel does not warn about unencrypted TCP. The kernel is the ``python3`` kernelspec, whose ``python``
    jupyter_client replaces with this interpreter (sys.executable), so reports run in this environment."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    if len(jupyter_runtime_dir()) > 60:  # socket paths are limited to ~107 bytes: fall back to local TCP
        return AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.transport = "ipc"

    return IPCKernelManager


def _execute(nb_in: Path, nb_out: Path, parameters: dict, *, progress: bool) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(nb_in),
            str(nb_out),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(nb_in.parent),
            log_output=False,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"{nb_in.name} failed in cell {exc.exec_count or exc.cell_index}: {exc.ename}: "
            f"{exc.evalue} (the executed notebook with the traceback is {nb_out})"
        ) from None


def _clean_output_dir(out_dir: Path, name: str) -> None:
    for sub in ("figures", "tables"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    for f in (f"{name}.ipynb", f"{name}.html", f"{name}.pdf", "outputs.json"):
        (out_dir / f).unlink(missing_ok=True)


@dataclass
class RenderResult:
    """What one rendered report produced."""

    name: str
    title: str
    folder: Path
    notebook: Path
    html: Path
    pdf: Path | None
    parameters: dict
    figures: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    pages: int | None = None
    seconds: dict = field(default_factory=dict)


def render_report(
    name: str,
    *,
    corpus: str | os.PathLike,
    analysis: str | os.PathLike,
    out: str | os.PathLike,
    parameters: dict | None = None,
    include_code: bool = False,
    pdf: bool = True,
    progress: bool = True,
    validate: bool = True,
) -> RenderResult:
    """Execute one report notebook with papermill and write ``<out>/<name>/``: the executed notebook, HTML, PDF,
    figures/*.png|svg, tables/*.csv and outputs.json. Parameters are validated first (see
    :func:`validate_parameters`)."""
    corpus, analysis, out = Path(corpus).resolve(), Path(analysis).resolve(), Path(out).resolve()
    params = dict(parameters or {})
    if validate:
        params = validate_parameters([name], params, corpus=corpus, analysis=analysis)[name]
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    _clean_output_dir(folder, name)
    nb_out = folder / f"{name}.ipynb"
    injected = {**params, "corpus": str(corpus), "analysis": str(analysis), "output_dir": str(folder)}
    timings = {}
    t0 = time.perf_counter()
    _execute(notebook_path(name), nb_out, injected, progress=progress)
    timings["execute"] = round(time.perf_counter() - t0, 1)
    record = (
        json.loads((folder / "outputs.json").read_text(encoding="utf-8"))
        if (folder / "outputs.json").exists()
        else {"title": name, "outputs": [], "parameters": injected}
    )
    title = record.get("title") or name
    subtitle = f"Report “{name}” · corpus {corpus.name}"
    t0 = time.perf_counter()
    html_path = export_html(nb_out, folder / f"{name}.html", title=title, subtitle=subtitle, include_code=include_code)
    timings["html"] = round(time.perf_counter() - t0, 1)
    pdf_path, pages = None, None
    if pdf:
        t0 = time.perf_counter()
        pdf_path = export_pdf(html_path, folder / f"{name}.pdf")
        timings["pdf"] = round(time.perf_counter() - t0, 1)
        from pypdf import PdfReader

        pages = len(PdfReader(str(pdf_path)).pages)
    outputs = record.get("outputs", [])
    return RenderResult(
        name=name,
        title=title,
        folder=folder,
        notebook=nb_out,
        html=html_path,
        pdf=pdf_path,
        parameters=record.get("parameters", injected),
        figures=[f for o in outputs if o["kind"] == "figure" for f in o["files"]],
        tables=[f for o in outputs if o["kind"] == "table" for f in o["files"]],
        pages=pages,
        seconds=timings,
    )


def render_reports(
    names: list[str] | None = None,
    *,
    corpus: str | os.PathLike = config.CORPUS_FILE,
    analysis: str | os.PathLike = config.ANALYSIS_DIR,
    out: str | os.PathLike = config.REPORTS_DIR,
    parameters: dict | None = None,
    include_code: bool = False,
    pdf: bool = True,
    progress: bool = True,
) -> list[RenderResult]:
    """Render several reports (``None`` or ``["all"]``: every report) into ``out`` and write ``index.html`` and
    ``run.json`` there. All parameters are validated for all reports before the first kernel starts."""
    names = list(names or ["all"])
    if "all" in names:
        names = [s.name for s in list_reports()] + [n for n in names if n != "all" and n not in REPORTS]
    names = list(dict.fromkeys(names))
    for n in names:
        _spec(n)
    typed = validate_parameters(names, dict(parameters or {}), corpus=corpus, analysis=analysis)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    results, started = [], _dt.datetime.now(_dt.UTC)
    for i, name in enumerate(names, 1):
        print(f"report {i}/{len(names)}: {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        result = render_report(
            name,
            corpus=corpus,
            analysis=analysis,
            out=out,
            parameters=typed[name],
            include_code=include_code,
            pdf=pdf,
            progress=progress,
            validate=False,
        )
        result.seconds["total"] = round(time.perf_counter() - t0, 1)
        results.append(result)
    write_index(results, out, corpus=corpus, analysis=analysis, started=started)
    return results


def write_index(results: list[RenderResult], out: Path, *, corpus, analysis, started: _dt.datetime) -> Path:
    """Write ``index.html`` (links to every report of the run) and ``run.json`` (what was rendered, when, with what)."""
    finished = _dt.datetime.now(_dt.UTC)
    run = {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "corpus": str(corpus),
        "analysis": str(analysis),
        "git_commit": git_commit(),
        "python": sys.executable,
        "packages": package_versions(),
        "reports": [
            {
                "name": r.name,
                "title": r.title,
                "html": r.html.relative_to(out).as_posix(),
                "pdf": r.pdf.relative_to(out).as_posix() if r.pdf else None,
                "notebook": r.notebook.relative_to(out).as_posix(),
                "pages": r.pages,
                "seconds": r.seconds,
                "figures": r.figures,
                "tables": r.tables,
                "parameters": {k: v for k, v in r.parameters.items() if k not in ("output_dir",)},
            }
            for r in results
        ],
    }
    (out / "run.json").write_text(json.dumps(run, indent=2, default=str) + "\n", encoding="utf-8")
    rows = []
    for r, info in zip(results, run["reports"]):
        links = [f'<a href="{html.escape(info["html"])}">HTML</a>']
        if info["pdf"]:
            links.append(f'<a href="{html.escape(info["pdf"])}">PDF</a> ({r.pages} pages)')
        links.append(f'<a href="{html.escape(info["notebook"])}">notebook</a>')
        figs = ", ".join(
            f'<a href="{r.name}/{html.escape(f)}">{html.escape(Path(f).name)}</a>'
            for f in r.figures
            if f.endswith(".svg")
        )
        tabs = ", ".join(f'<a href="{r.name}/{html.escape(f)}">{html.escape(Path(f).name)}</a>' for f in r.tables)
        params = ", ".join(
            f"{html.escape(k)}={html.escape(_fmt_value(v))}"
            for k, v in info["parameters"].items()
            if k not in ("corpus", "analysis")
        )
        rows.append(
            f"<tr><td><b>{html.escape(r.title)}</b><br><small>{html.escape(_spec(r.name).description)}"
            f"</small></td><td>{' · '.join(links)}</td><td><small>{figs or '–'}</small></td>"
            f"<td><small>{tabs or '–'}</small></td><td><small>{params}</small></td></tr>"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Reports</title>\n'
        f'<style>\n{_css()}\n</style>\n</head>\n<body>\n<main class="report index">\n'
        '<header class="report-header"><h1>Reports</h1>'
        f'<p class="subtitle">corpus {html.escape(str(corpus))} · analysis {html.escape(str(analysis))}</p></header>\n'
        '<table class="report-table index-table"><thead><tr><th>report</th><th>files</th><th>figures (SVG; PNG '
        "beside them)</th><th>tables (CSV)</th><th>parameters</th></tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n"
        f'<p class="note">Rendered {finished:%Y-%m-%d %H:%M} UTC from git commit {html.escape(run["git_commit"])}; '
        'details in <a href="run.json">run.json</a>. The reports themselves carry no rendering time, so that '
        "re-rendering the same inputs gives identical tables and figures.</p>\n</main>\n</body>\n</html>\n"
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ CLI
def register_cli(sub) -> None:
    """Add the `report` sub-command."""
    names = ", ".join(list(REPORTS) + list(EXTRA_NOTEBOOKS))
    p = sub.add_parser(
        "report",
        help="render report notebooks to HTML and PDF (papermill + nbconvert + WeasyPrint)",
        description=f"Execute report notebooks ({names}) on a corpus and its analysis tables, and write for each "
        "an executed notebook, a self-contained HTML page, a PDF, figures (PNG, SVG) and tables (CSV) "
        "into OUT/NAME/, plus OUT/index.html. Parameters are checked before any notebook runs.",
        epilog="Example: python -m analysis report coverage -p start 2016-01-01 -p end 2017-12-31 -p freq W "
        "-p outlets sana,reuters",
    )
    p.add_argument(
        "names", nargs="*", default=["all"], metavar="NAME", help=f"report(s) to render: {names}, or all (default)"
    )
    p.add_argument("--corpus", default=str(config.CORPUS_FILE), help="canonical corpus parquet (default: %(default)s)")
    p.add_argument(
        "--analysis", default=str(config.ANALYSIS_DIR), help="folder written by `analyze` (default: %(default)s)"
    )
    p.add_argument("--out", default=str(config.REPORTS_DIR), help="output folder (default: %(default)s)")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="set a notebook parameter (repeatable); lists are comma-separated, e.g. -p outlets sana,trt",
    )
    p.add_argument("--include-code", action="store_true", help="keep the code cells in the HTML and PDF")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--list", action="store_true", help="list the reports and their parameters, then exit")
    p.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    if args.list:
        for spec in list_reports(include_extra=True):
            print(f"{spec.name}: {spec.description}")
            for k, v in notebook_parameters(spec.name).items():
                print(f"    {k} ({v['type']}, default {v['default']}): {v['help']}")
        return 0
    params = {}
    for key, value in args.parameter:
        if key in params:
            raise ParameterError(f"parameter {key} given twice: give each -p KEY once")
        params[key] = value
    reserved = {"corpus", "analysis", "output_dir"} & set(params)
    if reserved:
        raise ParameterError(f"set {', '.join(sorted(reserved))} with --corpus/--analysis/--out, not -p")
    results = render_reports(
        args.names,
        corpus=args.corpus,
        analysis=args.analysis,
        out=args.out,
        parameters=params,
        include_code=args.include_code,
        pdf=not args.no_pdf,
        progress=not args.no_progress,
    )
    for r in results:
        pages = f", {r.pages} PDF pages" if r.pages else ""
        print(
            f"{r.name}: {r.html}{pages}, {len(r.figures) // 2} figures, {len(r.tables)} tables "
            f"({r.seconds.get('total', 0):.0f} s)"
        )
    print(f"index: {Path(args.out) / 'index.html'}")
    return 0
