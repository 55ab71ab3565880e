"""Tables of articles (``.csv``, ``.tsv``, ``.tab``): one article per row, columns detected by name."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import pandas as pd

from analysis import clean
from analysis.readers.base import FileRejected, ReadContext, Record

# Column auto-detection: first matching name wins (compared lower-case, without spaces, dashes, underscores).
COLUMN_ALIASES = {
    "text": [
        "text",
        "articlecontent",
        "content",
        "body",
        "articlebody",
        "article",
        "fulltext",
        "maintext",
        "story",
        "articletext",
        "bodytext",
    ],
    "title": ["title", "articletitle", "headline", "heading", "head", "name"],
    "published": [
        "published",
        "date",
        "publishdate",
        "publicationdate",
        "pubdate",
        "datepublished",
        "publishedat",
        "publishedate",
        "datetime",
        "time",
        "created",
        "createdat",
    ],
    "outlet": [
        "outlet",
        "source",
        "publisher",
        "publication",
        "sitename",
        "site",
        "newspaper",
        "media",
        "medium",
        "domain",
    ],
    "url": ["url", "link", "sourceurl", "articleurl", "href", "uri"],
    "source_id": ["id", "unitid", "docid", "articleid", "uid", "guid", "documentid", "storyid"],
    "agency": ["agency", "wire", "newsagency"],
}
OPTION_OF = {
    "text": "--text-column",
    "title": "--title-column",
    "published": "--date-column",
    "outlet": "--outlet-column",
    "url": "--url-column",
    "source_id": "--id-column",
}


def _norm_col(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name).lower())


def detect_columns(columns: Sequence[str], overrides: dict[str, str] | None = None, path: str = "") -> dict[str, str]:
    """Map canonical fields (text, title, published, outlet, url, source_id, agency) to ``columns``.

    ``overrides`` (from the ``--*-column`` options) win and must exist; the rest are found by common names.
    Raises ``FileRejected`` (missing_text_column) when no text column is found.
    """
    overrides = overrides or {}
    mapping: dict[str, str] = {}
    by_norm = {}
    for c in columns:
        by_norm.setdefault(_norm_col(c), c)
    for fld, col in overrides.items():
        if col not in columns:
            raise FileRejected(
                "missing_column",
                f"column {col!r} given with {OPTION_OF[fld]} is not in the file; "
                f"columns found: {', '.join(map(str, columns))}",
            )
        mapping[fld] = col
    used = set(mapping.values())
    for fld, aliases in COLUMN_ALIASES.items():
        if fld in mapping:
            continue
        for alias in aliases:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping[fld] = col
                used.add(col)
                break
    if "text" not in mapping:
        raise FileRejected(
            "missing_text_column",
            f"no text column; columns found: {', '.join(map(str, columns))}; name it with --text-column",
        )
    return mapping


def records_from_frame(
    df: pd.DataFrame,
    path: str,
    ctx: ReadContext,
    row_offset: int = 1,
    row_numbers: Sequence[int] | None = None,
    repaired: Sequence[int] | None = None,
) -> list[Record]:
    mapping = detect_columns(list(df.columns), ctx.columns, path)
    dates = clean.parse_dates(df[mapping["published"]]) if "published" in mapping else [None] * len(df)
    mapped = set(mapping.values())
    extras = [c for c in df.columns if c not in mapped]
    records = []
    cols = {fld: df[col].tolist() for fld, col in mapping.items()}
    extra_vals = {c: df[c].tolist() for c in extras}
    rows = row_numbers if row_numbers is not None else range(row_offset, row_offset + len(df))
    for i, row in enumerate(rows):

        def val(fld, i=i):
            v = cols[fld][i] if fld in cols else None
            if v is None or (isinstance(v, float) and pd.isna(v)):
                return None
            v = str(v).strip()
            return v or None

        rec = Record(
            text=val("text") or "",
            path=path,
            row=int(row),
            sha256=ctx.sha256,
            title=val("title"),
            outlet=val("outlet"),
            url=val("url"),
            source_id=val("source_id"),
            agency=val("agency"),
            bytes_repaired=int(repaired[i]) if repaired is not None else 0,
        )
        if "published" in mapping:
            rec.published = dates[i]
            rec.date_source = "metadata" if dates[i] is not None else None
            if dates[i] is None and val("published"):
                rec.extras["_bad_date"] = val("published")
        for c in extras:
            v = extra_vals[c][i]
            rec.extras[str(c)] = None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
        records.append(rec)
    return records


def _read_rows_leniently(text: str, sep: str, path: str, rejects: list) -> tuple[pd.DataFrame, list[int]]:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(rows)
        good, numbers, i = [], [], 0
        for row in rows:
            if not row:  # blank lines are not rows (as for pandas)
                continue
            i += 1
            if len(row) != len(header):
                rejects.append(
                    (
                        path,
                        i,
                        "malformed_row",
                        f"row {i} has {len(row)} fields, the header {len(header)}: check its quoting",
                    )
                )
                continue
            good.append(row)
            numbers.append(i)
    except csv.Error as exc:
        raise FileRejected(
            "parse_error",
            f"cannot parse as {'TSV' if sep == chr(9) else 'CSV'} ({exc}): check quoting and the delimiter",
        ) from exc
    return pd.DataFrame(good, columns=header, dtype=str), numbers


def read_table_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article per row of a CSV/TSV file; columns detected by name (see :data:`COLUMN_ALIASES`)."""
    df, row_numbers, repaired = read_frame(path, data, ctx)
    return records_from_frame(df, path, ctx, row_numbers=row_numbers, repaired=repaired)


def read_frame(path: str, data: bytes, ctx: ReadContext) -> tuple[pd.DataFrame, list[int] | None, list[int] | None]:
    """The rows of a CSV/TSV file as strings, their 1-based row numbers (None: 1..n) and bytes repaired per row."""
    tab = ctx.fmt == "tsv" or (ctx.fmt == "mediacloud" and ctx.kind in ("tsv", "tab"))
    sep, rules, rejects = "\t" if tab else ",", ctx.rules, ctx.rejects
    if not data.strip():
        raise FileRejected("empty_file", "the file is empty")
    if clean.looks_binary(data):
        raise FileRejected("binary", "binary content (NUL or control bytes), not text: remove it or convert it to text")
    try:
        text, _ = (
            clean.decode_bytes(data, rules)
            if data.startswith((b"\xff\xfe", b"\xfe\xff"))
            else (data.decode("utf-8-sig"), 0)
        )
        needs_repair = False
    except UnicodeDecodeError:
        # Not UTF-8: parse the latin-1 view (every byte a character, CSV syntax intact), then repair each cell's
        # bytes separately so that repaired bytes are counted per row.
        text, needs_repair = data.decode("latin-1"), True
    if sep == ",":  # a .csv may use ; or | : take the delimiter the header line uses most
        header_line = text.split("\n", 1)[0]
        sep = max([",", ";", "\t", "|"], key=lambda d: (header_line.count(d), d == ","))
    row_numbers = None
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[], engine="c", on_bad_lines="error"
        )
    except pd.errors.EmptyDataError as exc:
        raise FileRejected("empty_file", "no header line and no rows") from exc
    except (pd.errors.ParserError, ValueError):
        # a row with the wrong number of fields: read row by row, reject only the bad rows
        df, row_numbers = _read_rows_leniently(text, sep, path, rejects)
    repaired = None
    if needs_repair:
        repaired = [0] * len(df)
        for c in list(df.columns):
            col = df[c]
            bad = col.str.contains(r"[\x80-\xff]", regex=True, na=False)
            if not bad.any():
                continue
            vals = col.tolist()
            for i in bad.to_numpy().nonzero()[0]:
                fixed, n = clean.decode_bytes(vals[i].encode("latin-1"), rules)
                vals[i] = fixed
                repaired[i] += n
            df[c] = vals
        df.columns = [clean.decode_bytes(str(c).encode("latin-1"), rules)[0] for c in df.columns]
    # a data row's line number is not its 1-based row index when cells hold newlines; rows are counted as
    # data rows (header excluded), the convention of spreadsheet users and pandas alike
    return df, row_numbers, repaired
