"""What report notebooks (and researchers in JupyterLab) call: show and save figures, tables, notes and provenance.

Interactive use saves nothing (and re-running a cell is harmless); the `report` command passes ``output_dir``, and
every figure and table is then also written there and listed in ``outputs.json``.
"""

from __future__ import annotations

import html
import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis.catalogue import EXTRA_NOTEBOOKS, REPORTS, list_reports, report_catalogue  # noqa: F401 - for notebooks
from analysis.errors import ParameterError
from analysis.htmltable import render_table  # the one table renderer (escaped; interactive on screen)
from analysis.plots.style import use_report_style
from analysis.provenance import find_recorded_fingerprint, fingerprint_corpus, git_commit, package_versions
from analysis.tables import find_members, save_json

# the external-validation columns that fit a PDF page (the report's CSV keeps them all)
EXTERNAL_COLUMNS = [
    "frame",
    "method",
    "cv_f1_mean",
    "cv_f1_sd",
    "all_present_f1",
    "alpha_coder_coder",
    "alpha_tool_coder",
]


class Inputs(NamedTuple):
    """What a report notebook works on (see :func:`load_inputs`)."""

    corpus: pd.DataFrame  # the whole corpus
    docs: pd.DataFrame  # the selected articles
    analysis: object  # the analysis tables (analysis.pipeline.Analysis)
    events: pd.DataFrame  # the key events inside the window


# corpus columns load_inputs(text=False) leaves out: the text, the title and where each article came from (url, file,
# row, id, checksum), which no report shows (the titles alone are about 70 bytes an article: 67 MB of each report
# kernel at a million articles); the explorer, which links to the articles, reads them all
NOT_IN_REPORTS = ("text", "title", "url", "source_path", "source_row", "source_id", "source_sha256")


def load_inputs(
    corpus: str | os.PathLike,
    analysis_dir: str | os.PathLike,
    *,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    events: str | os.PathLike | None = None,
    text: bool = True,
    dictionary=(),
) -> Inputs:
    """The setup of every report notebook in one call: the corpus, the selected articles (analysis.selection), the
    analysis tables and the key events of the window (``events`` empty: the built-in list).

    ``text=False`` reads the corpus without its texts, titles and the source columns no report shows
    (:data:`NOT_IN_REPORTS`: a report that needs no text then holds about a hundred bytes per article; the provenance
    fingerprint is then computed from the file).
    ``dictionary``: the user dictionary files the report is meant to use (the `report` parameter); each must be
    one the analysis was made with (``analyze --actors/--places``, same sha256), because the mentions come from
    the analysis: a report cannot relabel them with another dictionary. Labels then come from
    ``analysis.dictionary`` (the dictionary that produced the mentions), with or without this check.
    """
    from analysis.corpus import SCHEMA, load_corpus
    from analysis.pipeline import load_analysis
    from analysis.selection import select_documents
    from analysis.timeseries import load_events

    corpus_all = load_corpus(corpus, columns=None if text else [c for c in SCHEMA if c not in NOT_IN_REPORTS])
    docs = select_documents(
        corpus_all, start=start or None, end=end or None, outlets=outlets or None, include_duplicates=include_duplicates
    )
    result = load_analysis(analysis_dir)
    check_dictionary_files(result, dictionary)
    return Inputs(corpus_all, docs, result, load_events(events or None, start=start, end=end))


def check_dictionary_files(result, files) -> None:
    """Raise a ParameterError unless every file of ``files`` is a user dictionary the analysis ``result`` was made
    with (by sha256, as recorded in its manifest's ``resource_versions.user_dictionary``)."""
    from analysis.resources import file_version

    files = [files] if isinstance(files, (str, os.PathLike)) else list(files or [])
    used = (getattr(result, "manifest", {}) or {}).get("resource_versions", {}).get("user_dictionary", {})
    recorded = {info.get("sha256"): role for role, info in used.items()}
    for path in files:
        if not Path(path).is_file():
            raise ParameterError(f"dictionary {path} does not exist: give the file passed to `analyze --actors`")
        if file_version(path)["sha256"] not in recorded:
            made = ", ".join(f"--{role} {info['path']}" for role, info in used.items()) or "the built-in dictionary"
            raise ParameterError(
                f"dictionary {path}: the analysis was made with {made}, not with this file; run "
                f"`python -m analysis analyze CORPUS --actors {path}` (or --places) first, then render the report"
            )


def count_analysis_tables(result) -> pd.DataFrame:
    """The tables of an analysis (:func:`analysis.pipeline.load_analysis`): name, rows, columns."""
    tables = (getattr(result, "manifest", {}) or {}).get("tables", {})
    rows = [
        {"table": name, "rows": int(info.get("rows", 0)), "columns": ", ".join(info.get("columns", []))}
        for name, info in sorted(tables.items())
    ]
    return pd.DataFrame(rows, columns=["table", "rows", "columns"])


def format_value(v) -> str:
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
        save_json(record, self.output_dir / "outputs.json", sort_keys=False, default=format_value)

    def _check_name(self, name: str, kind: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise ParameterError(f"output name {name!r}: use lower-case letters, digits, '-' and '_'")
        # names are recorded only when saving (a rendered report runs each cell once); interactively, re-running
        # a cell shows its output again
        if self.output_dir and any(o["name"] == name and o["kind"] == kind for o in self.outputs):
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
        if self.output_dir:
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
        interactive: bool = True,
        min_count: dict[str, int] | None = None,
    ) -> None:
        """Show the first ``max_rows`` rows of ``df`` (rounded, no index) and, when rendering, save all of it as
        tables/<name>.csv (text cells a spreadsheet would run as a formula start with ``'``, as in
        :func:`analysis.tables.neutralise_formulas`). ``percent`` names share columns (0-1) shown as percentages; ``sort_by`` orders the rows
        shown (largest first; ties keep the table's order) and ``columns`` picks the columns shown, without changing
        the saved table. A table with more rows than ``max_rows`` is also searchable, sortable and paged on screen
        (``interactive=False``: the static table only). ``min_count={"n_sentences": 20}`` hides the rows whose
        count is below 20 (a mean of one sentence is no estimate) and the caption says how many it hid; the CSV
        keeps every row."""
        from IPython.display import HTML, display

        self._check_name(name, "table")
        self._table_no += 1
        files = []
        if self.output_dir:
            from analysis.tables import neutralise_formulas, save_table

            # text from the data (titles, names, KWIC context) must not run as a formula in a spreadsheet
            os.chmod(save_table(neutralise_formulas(df), self.output_dir / "tables" / f"{name}.csv"), 0o644)
            files.append(f"tables/{name}.csv")
        if self.output_dir:
            self.outputs.append({"kind": "table", "name": name, "files": files, "rows": int(len(df))})
            self._record()
        shown = df.sort_values(sort_by, ascending=False, kind="mergesort") if sort_by else df
        for col, least in (min_count or {}).items():
            if col not in shown.columns:
                raise ParameterError(f"table {name!r} has no column {col!r} for min_count")
            small = shown[col] < least
            if small.any():
                note = f"{int(small.sum()):,} row{'s' if small.sum() != 1 else ''} with {col} below {least} hidden."
                caption = f"{caption} {note}" if caption else note
            shown = shown[~small]
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
                    interactive=interactive,
                )
            )
        )

    def note(self, text: str) -> None:
        """Show a sentence of interpretation (plain text, e.g. from a ``render_*_note`` function; `code` spans allowed)."""
        from IPython.display import HTML, display

        body = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))  # `code` spans, as in markdown
        display(HTML(f'<p class="note">{body}</p>'))

    def validation(self, summary: dict) -> None:
        """Show a validation summary (:func:`analysis.validation.load_validation_summary`): its statement, and the
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
        external = summary.get("external")
        if external is not None:  # no coding sheet of this corpus: the gold-set figures of the generic frames
            self.note(external["statement"])
            self.table(
                external["table"],
                "validation-external",
                max_rows=10,
                caption=f"{external['provenance']['gold_set']}: 5-fold cross-validated F1 (mean and sd over "
                "folds) beside marking every article present, and Krippendorff's alpha, "
                f"{external['provenance']['n_articles']} articles (precision, recall and the F1 gain are in the CSV)",
                digits=2,
                columns=EXTERNAL_COLUMNS,
            )

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
    from IPython.display import HTML, display

    from analysis.htmltable import render_table_scripts

    use_report_style()
    display(HTML(render_table_scripts()))  # the interactive tables' JavaScript, once, offline
    return Report(title=title, output_dir=output_dir, parameters=parameters)


def render_selection_note(corpus: pd.DataFrame, selected: pd.DataFrame) -> str:
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


def analysis_documents(result, selected: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The analysis' ``documents`` table (one row per article, with n_tokens, sentiment and frame columns) restricted
    to the report's selected articles, for the table functions that take ``documents=``; only ``columns`` (doc_id
    always) when given: a report reads the few it needs, not every title and URL of a million articles."""
    if columns is not None:
        columns = list(dict.fromkeys(["doc_id", *columns]))
    if hasattr(result, "table"):
        docs = result.table("documents", columns=columns)
    else:
        docs = result if columns is None else result[columns]
    return docs[find_members(docs["doc_id"], selected["doc_id"])].reset_index(drop=True)


def score_key_terms(
    terms,
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

    ``terms`` is the analysis (:func:`analysis.pipeline.load_analysis`: its terms are summed in DuckDB from the
    file) or its terms table; ``documents`` the analysis' documents restricted to the selection (e.g. with
    :func:`analysis_documents`). All groups are scored from one pass over the terms. With ``freq`` the groups are periods (e.g. ``freq="Y"``: each year against the
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
    groups = [g for g in groups if sizes[g] != len(docs)]  # a single group has no reference
    tables = frequency.score_keyness_by_group(
        terms, docs, by=key, targets=groups, min_count=min_count, stopwords=stopwords
    )
    rows = []
    for g in groups:
        table = tables[g]
        best = table[(table["g2"] > 0) & (table["p_g2"] < max_p)].head(n_terms)
        rows.append({key: g, "n_articles": int(sizes[g]), "key_terms": ", ".join(best["term"]) or "–"})
    return pd.DataFrame(rows, columns=[key, "n_articles", "key_terms"])


def _flatten(prefix: str, value, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k in sorted(value):
            _flatten(f"{prefix} / {k}" if prefix else str(k), value[k], rows)
    else:
        rows.append((prefix, format_value(value)))


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
    if "text" in corpus.columns:
        fingerprint = fingerprint_corpus(corpus)
    else:  # the corpus was read without its texts (load_inputs(text=False)): the same hash, streamed from the file
        from analysis.streaming import find_known_fingerprint, fingerprint_corpus_file

        manifest = getattr(analysis, "manifest", analysis) if analysis is not None else None
        record = manifest.get("corpus") if isinstance(manifest, dict) else None
        # `report all` hashes the corpus once for its kernels (analysis.render): used when it is this very file;
        # else the fingerprint `analyze` recorded, when the corpus file is the one it read (same sha256)
        fingerprint = (
            find_known_fingerprint(corpus_path)
            or find_recorded_fingerprint(corpus_path, record)
            or fingerprint_corpus_file(corpus_path)
        )
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
    param_rows = [
        (k, format_value(v)) for k, v in parameters.items() if k not in ("corpus", "analysis_dir", "output_dir")
    ]
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
                    f"{k}={format_value(v)}"
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
