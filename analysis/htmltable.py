"""HTML tables for notebooks and reports: one escaped, readable Styler, plus a searchable, sortable, paged copy.

Everything taken from data is escaped here (cell values, column names, captions): this is the one place where a
table becomes HTML. The interactive copy is an `itables <https://mwouts.github.io/itables/>`_ DataTable in offline
mode: its JavaScript is bundled into the page once (:func:`render_table_scripts`), no CDN, no network. Reports show
the interactive copy on screen and the static table (the first ``max_rows`` rows) in print and in the PDF.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import pandas as pd

# More rows than this are not put in an interactive table (the page would grow by megabytes); the caption says so.
MAX_INTERACTIVE_ROWS = 5_000

# Which copy shows where; repeated in every table's HTML so that it also holds in JupyterLab (no report.css there).
_VISIBILITY_CSS = (
    "<style>@media screen{.table-print.has-screen{display:none}}"
    "@media print{.table-screen{display:none}}"
    ".table-box{max-width:100%;overflow-x:auto}</style>"
)


def _fmt_value(v) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v)) if v else "(all)"
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "–"
    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d}"
    return str(v)


def _display_name(column) -> str:
    return str(column).replace("_", " ")


def _formatters(df: pd.DataFrame, *, percent: set[str], digits: int) -> dict:
    """Column -> function giving the shown text of a value (not yet escaped)."""
    formats = {}
    for col in df.columns:
        s = df[col]
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
            formats[col] = _fmt_value
    return formats


def _is_number(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def style_table(
    df: pd.DataFrame,
    *,
    percent=(),
    digits: int = 2,
    caption: str | None = None,
    uuid: str = "table",
):
    """A readable pandas Styler of ``df`` for a notebook or a report: no index, text left-aligned and numbers
    right-aligned (JupyterLab right-aligns every cell otherwise), dates as YYYY-MM-DD that never wrap, thousands
    separators, ``digits`` decimals, ``percent`` columns (shares 0-1) as percentages, yes/no for booleans.

    Every value, column name and the caption are HTML-escaped. A ``left`` column (keyword in context) is
    right-aligned so that the keywords line up. Deterministic: the same table gives the same HTML.
    """
    shown = df.copy()
    shown.columns = [_display_name(c) for c in shown.columns]
    percent = {_display_name(c) for c in percent}
    formats = {
        col: (lambda v, f=f: html.escape(f(v), quote=True))
        for col, f in _formatters(shown, percent=percent, digits=digits).items()
    }
    numbers = [c for c in shown.columns if _is_number(shown[c]) or c in percent]
    dates = [c for c in shown.columns if pd.api.types.is_datetime64_any_dtype(shown[c])]
    texts = [c for c in shown.columns if c not in numbers]
    styler = (
        shown.style.hide(axis="index")
        .format(formats)
        .format_index(escape="html", axis=1)
        .set_table_attributes('class="report-table"')
        .set_table_styles([{"selector": "th", "props": "text-align: left; white-space: nowrap;"}])
        .set_properties(subset=texts, **{"text-align": "left"})
        .set_properties(subset=numbers, **{"text-align": "right", "white-space": "nowrap"})
        .set_properties(subset=dates, **{"white-space": "nowrap"})
    )
    if "left" in shown.columns and "match" in shown.columns:
        styler = styler.set_properties(subset=["left"], **{"text-align": "right"})
    styler.set_uuid(re.sub(r"[^A-Za-z0-9_-]", "_", uuid))
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


def _interactive_frame(df: pd.DataFrame, *, percent: set[str], digits: int) -> pd.DataFrame:
    """The values the interactive table shows and sorts by: numbers stay numbers (rounded), dates become
    YYYY-MM-DD (which sort in date order), shares become percent values, the rest text."""
    out = pd.DataFrame(index=range(len(df)))
    for col in df.columns:
        s = df[col].reset_index(drop=True)
        name = _display_name(col)
        if name in percent:
            out[f"{name} (%)"] = (s.astype("float64") * 100).round(1)
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[name] = s.dt.strftime("%Y-%m-%d").fillna("–").astype(object)
        elif pd.api.types.is_bool_dtype(s):
            out[name] = s.map({True: "yes", False: "no"}).fillna("–").astype(object)
        elif pd.api.types.is_integer_dtype(s):
            out[name] = s.astype("float64") if s.isna().any() else s.astype("int64")
        elif pd.api.types.is_float_dtype(s):
            out[name] = s.astype("float64").round(digits)
        else:
            out[name] = s.map(_fmt_value).astype(object)
    return out


def render_datatable(df: pd.DataFrame, *, name: str = "table", percent=(), digits: int = 2) -> str:
    """HTML of a searchable, sortable, paged itables DataTable of ``df`` (offline: needs the bundle of
    :func:`render_table_scripts` once on the page). Values are escaped by itables (``allow_html=False``)."""
    from itables import to_html_datatable

    percent = {_display_name(c) for c in percent}
    data = _interactive_frame(df.head(MAX_INTERACTIVE_ROWS), percent=percent, digits=digits)
    table_id = "dt_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
    numbers = [i for i, c in enumerate(data.columns) if _is_number(data[c])]
    # keyword in context: the left context ends at the keyword, so it is right-aligned and the keywords line up
    right = numbers + ([list(data.columns).index("left")] if {"left", "match"} <= set(data.columns) else [])
    left = [i for i in range(len(data.columns)) if i not in right]  # JupyterLab right-aligns every cell otherwise
    column_defs = [{"className": cls, "targets": t} for cls, t in (("dt-right", right), ("dt-left", left)) if t]
    markup = to_html_datatable(
        data,
        table_id=table_id,
        connected=False,
        allow_html=False,
        showIndex=False,
        maxBytes=0,
        pageLength=10,
        lengthMenu=[10, 25, 100, -1],
        classes="display compact nowrap",
        style="table-layout:auto;width:100%;margin:0",
        order=[],
        columnDefs=column_defs,
        display_logo_when_loading=False,
    )
    return _without_links(markup)


def _without_links(markup: str) -> str:
    """itables' markup without its links to itables.org (a help mark, "need help?", a logo): a report links to
    nothing outside itself, and the PDF has no stray marks."""
    markup = re.sub(r"<sup>(?:(?!</sup>).)*itables\.org(?:(?!</sup>).)*</sup>", "", markup, flags=re.S)
    markup = re.sub(r"<noscript>(?:(?!</noscript>).)*</noscript>", "", markup, flags=re.S)
    return re.sub(r'<a href="?https?://itables\.org[^>]*>(.*?)</a>', r"\1", markup, flags=re.S)


@lru_cache(maxsize=1)
def render_table_scripts() -> str:
    """The itables/DataTables JavaScript and CSS, inlined (base64, loaded as a module from a blob: URL), to put
    once on a page (a notebook output or a report) before any :func:`render_datatable` table. No CDN."""
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    # hidden: the bundle's <noscript> hint ("is your notebook trusted?") must not print in the PDF
    bundle = _without_links(generate_init_offline_itables_html(options.dt_bundle))
    return f'<div class="table-scripts" style="display:none">{bundle}</div>'


def render_table(
    df: pd.DataFrame,
    *,
    name: str = "table",
    max_rows: int = 15,
    caption: str | None = None,
    percent=(),
    digits: int = 2,
    number: int | None = None,
    interactive: bool = False,
) -> str:
    """HTML of a table for a notebook or a report: :func:`style_table` of the first ``max_rows`` rows, with a
    caption saying how many rows there are. With ``interactive=True`` and more rows than ``max_rows``, a
    searchable, sortable, paged copy of all rows (up to :data:`MAX_INTERACTIVE_ROWS`) is shown on screen and the
    static table in print (the PDF). Deterministic."""
    if df.empty:
        return '<p class="note">No rows to show for this selection.</p>'
    label = f"Table {number}. " if number else ""
    shown = df.head(max_rows)
    live = interactive and len(df) > len(shown)
    extra = f" Showing {len(shown):,} of {len(df):,} rows." if len(df) > len(shown) else ""
    text = f"{label}{caption or ''}{extra}".strip()
    static = style_table(shown, percent=percent, digits=digits, caption=text or None, uuid=name).to_html()
    if not live:
        return f'<div class="table-box">{static}</div>'
    search = f"{label}{caption or ''}".strip()
    held = f" (the first {MAX_INTERACTIVE_ROWS:,} here; the CSV has all)" if len(df) > MAX_INTERACTIVE_ROWS else ""
    head = f'<p class="table-caption">{html.escape(search)} {len(df):,} rows{held}: search, sort, page.</p>'
    return (
        f"{_VISIBILITY_CSS}"
        f'<div class="table-box table-print has-screen">{static}</div>'
        f'<div class="table-box table-screen">{head}{render_datatable(df, name=name, percent=percent, digits=digits)}'
        "</div>"
    )
