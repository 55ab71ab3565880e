"""Tables of articles (``.csv``, ``.tsv``, ``.tab``): one article per row, columns detected by name."""

from __future__ import annotations

import codecs
import io
import itertools
import json
import re
from collections.abc import Iterator, Sequence

import pandas as pd

from analysis import clean, delimited, sources
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


def _cell(v) -> str | None:
    """A metadata cell as stripped text (None when missing or blank); JSON objects and lists as JSON text."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, (dict, list)):
        v = json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    v = str(v).strip()
    return v or None


def records_from_frame(
    df: pd.DataFrame,
    path: str,
    ctx: ReadContext,
    row_offset: int = 1,
    row_numbers: Sequence[int] | None = None,
    repaired: Sequence[int] | None = None,
) -> list[Record]:
    """One record per row of ``df``; a row whose text is not a string is rejected (into ``ctx.rejects``)."""
    rejects = ctx.rejects
    mapping = detect_columns(list(df.columns), ctx.columns, path)
    mapped = set(mapping.values())
    extras = [c for c in df.columns if c not in mapped]
    records = []
    cols = {fld: df[col].tolist() for fld, col in mapping.items()}
    extra_vals = {c: df[c].tolist() for c in extras}
    rows = row_numbers if row_numbers is not None else range(row_offset, row_offset + len(df))
    texts = cols["text"]
    for i, row in enumerate(rows):
        raw_text = texts[i]
        if (
            raw_text is not None
            and not isinstance(raw_text, str)
            and not (isinstance(raw_text, float) and pd.isna(raw_text))
        ):
            shown = json.dumps(raw_text, default=str)[:40]
            rejects.append(
                (
                    path,
                    int(row),
                    "bad_text_type",
                    f"row {row}: the text ({mapping['text']}) is a {type(raw_text).__name__} ({shown}), not a string",
                )
            )
            continue

        def val(fld, i=i):
            return _cell(cols[fld][i]) if fld in cols else None

        rec = Record(
            text=raw_text.strip() if isinstance(raw_text, str) else "",
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
            raw = cols["published"][i]
            rec.published = raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else val("published")
            if isinstance(rec.published, float) and pd.isna(rec.published):
                rec.published = None
            rec.date_source = "metadata" if rec.published is not None else None
        for c in extras:
            rec.extras[str(c)] = _cell(extra_vals[c][i]) if not isinstance(extra_vals[c][i], str) else extra_vals[c][i]
        records.append(rec)
    return records


def read_table_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article per row of a CSV/TSV file; columns detected by name (see :data:`COLUMN_ALIASES`)."""
    df, row_numbers, repaired = read_frame(path, data, ctx)
    return records_from_frame(df, path, ctx, row_numbers=row_numbers, repaired=repaired)


class BytesSource:
    """Bytes in memory behind the interface of :class:`analysis.sources.FileSource` (what the stream readers use)."""

    def __init__(self, data: bytes):
        self.data, self.head, self.blank, self.size = data, data, not data.strip(), len(data)

    def open(self) -> io.BytesIO:
        return io.BytesIO(self.data)

    def read(self) -> bytes:
        return self.data


def as_source(data: bytes | sources.FileSource) -> BytesSource | sources.FileSource:
    """``data`` as a source the stream readers can read (and read again) from the start."""
    return BytesSource(data) if isinstance(data, (bytes, bytearray)) else data


def check_text_source(src) -> None:
    """:func:`analysis.sources.check_text_bytes` of a source: empty (only whitespace) or binary (its first 8 KB)."""
    if src.blank:
        raise FileRejected("empty_file", "the file is empty")
    if clean.looks_binary(src.head):
        raise FileRejected("binary", "binary content (NUL or control bytes), not text: remove it or convert it to text")


def _closing_lines(f) -> Iterator[str]:
    with f:
        yield from f


def iter_table_file(
    path: str, data: bytes | sources.FileSource, ctx: ReadContext, batch: int = 500
) -> Iterator[list[Record]]:
    """:func:`read_table_file`'s records, ``batch`` rows at a time, reading the file as a stream: only the rows of one
    batch are held besides ``data`` (never the decoded text, its lines or every row's cells at once).

    Everything that rejects the whole file (empty, binary, mostly undecodable, no text column, a bad header) is
    checked before this returns, so a rejected file yields no record. The records, row numbers, repairs and row
    rejects are those of :func:`read_table_file` (tests/test_readers.py)."""
    tab = ctx.fmt == "tsv" or (ctx.fmt == "mediacloud" and ctx.kind in ("tsv", "tab"))
    rules, src = ctx.rules, as_source(data)
    del data
    check_text_source(src)
    needs_repair, lines = False, None
    if src.head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: decoded whole (rare; no streaming decoder)
        try:
            lines = iter(delimited.split_lines(clean.decode_bytes(src.read(), rules)[0]))
        except UnicodeDecodeError:
            needs_repair = True
    else:
        needs_repair = not _valid_utf8(src)
    if needs_repair:  # mostly undecodable (random bytes, a wrong encoding): the whole file, before any row
        sources.check_undecodable("", undecodable_count(src, rules), src.size)
    if lines is None:  # newline="\n": lines end at "\n" only, untranslated, exactly as delimited.split_lines cuts
        encoding = "latin-1" if needs_repair else "utf-8-sig"
        lines = _closing_lines(io.TextIOWrapper(src.open(), encoding=encoding, newline="\n"))
    first = next(lines, "")
    sep = "\t" if tab else max([",", ";", "\t", "|"], key=lambda d: (first.split("\n", 1)[0].count(d), d == ","))
    stream = delimited.iter_delimited(itertools.chain([first], lines), sep, max_mb=ctx.max_file_mb)
    columns = next(stream)
    if needs_repair:
        columns = delimited.unique_names([clean.decode_bytes(str(c).encode("latin-1"), rules)[0] for c in columns])
    detect_columns(columns, ctx.columns, path)  # no text column: the whole file is rejected, before any row
    return _table_batches(path, stream, columns, needs_repair, ctx, batch)


def _table_batches(path, stream, columns, needs_repair: bool, ctx: ReadContext, batch: int):
    """The records of ``stream`` (rows of :func:`analysis.delimited.iter_delimited`), ``batch`` rows at a time."""
    rules, rejects = ctx.rules, ctx.rejects
    while True:
        rows, numbers, seen = [], [], 0
        for row in itertools.islice(stream, batch):
            seen += 1
            if isinstance(row, delimited.Malformed):
                rejects.append((path, row.data_row, "malformed_row", row.detail))
            else:
                rows.append(row.fields)
                numbers.append(row.data_row)
        if not seen:
            return
        if not rows:
            continue
        repaired = None
        if needs_repair:  # as read_frame: each cell's bytes repaired on their own, counted per row
            repaired = [0] * len(rows)
            for i, cells in enumerate(rows):
                for j, v in enumerate(cells):
                    if not v.isascii():  # a non-ASCII character: bytes to repair
                        cells[j], n = clean.decode_bytes(v.encode("latin-1"), rules)
                        repaired[i] += n
        df = pd.DataFrame(rows, columns=columns, dtype=object)
        del rows
        yield records_from_frame(df, path, ctx, row_numbers=numbers, repaired=repaired)


def _valid_utf8(src, step: int = 1 << 20) -> bool:
    """Whether the source is UTF-8 (a BOM allowed), checked a megabyte at a time (no decoded copy of the file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with as_source(src).open() as f:
        try:
            while block := f.read(step):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def undecodable_count(data, rules: clean.Rules, step: int = 1 << 20) -> int:
    """U+FFFD characters plus repaired bytes of ``clean.decode_bytes(data)`` (bytes or a source), decoded a
    megabyte or so at a time.

    Chunks are cut only at a line break with 64 ASCII bytes on either side: a repair rule looks 20 bytes around its
    byte sequence, so every byte is repaired (and counted) as in one whole-file decode (for sequences up to 40
    bytes), and no later chunk starts with a byte-order mark."""
    bad = 0
    with as_source(data).open() as f:
        buf, eof, look = b"", False, step
        while True:
            hi = buf.find(b"\n", look) if look < len(buf) else -1
            while hi >= 0 and hi + 65 <= len(buf) and not buf[max(0, hi - 64) : hi + 65].isascii():
                hi = buf.find(b"\n", hi + 1)
            if hi >= 0 and hi + 65 <= len(buf):  # a safe cut: decode up to it
                text, repaired = clean.decode_bytes(buf[: hi + 1], rules)
                bad += text.count("\ufffd") + repaired
                buf, look = buf[hi + 1 :], step
                continue
            if eof:
                break
            look = max(step, hi if hi >= 0 else len(buf))  # no safe cut yet: read on, look on from here
            block = f.read(step)
            eof = not block
            buf += block
        if buf:
            text, repaired = clean.decode_bytes(buf, rules)
            bad += text.count("\ufffd") + repaired
    return bad


def _decode_table(data: bytes, rules: clean.Rules) -> tuple[str, bool]:
    """(text, cells need repair): UTF-16/UTF-8 as is; anything else parsed in its latin-1 view (every byte one
    character, CSV syntax intact) and each cell's bytes repaired separately so repairs are counted per row."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return clean.decode_bytes(data, rules)[0], False
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("latin-1"), True


def read_frame(path: str, data: bytes, ctx: ReadContext) -> tuple[pd.DataFrame, list[int] | None, list[int] | None]:
    """The rows of a CSV/TSV file as strings, their 1-based row numbers and bytes repaired per row.

    Rows are parsed one by one (:mod:`analysis.delimited`): a malformed row is rejected with its line number (into
    ``ctx.rejects``) and the rest of the file is kept."""
    tab = ctx.fmt == "tsv" or (ctx.fmt == "mediacloud" and ctx.kind in ("tsv", "tab"))
    sep, rules, rejects = "\t" if tab else ",", ctx.rules, ctx.rejects
    sources.check_text_bytes(data)
    text, needs_repair = _decode_table(data, rules)
    if needs_repair:  # mostly undecodable (random bytes, a wrong encoding): the whole file, before any row
        sources.check_undecodable(*clean.decode_bytes(data, rules), len(data))
    if sep == ",":  # a .csv may use ; or | : take the delimiter the header line uses most
        header_line = text.split("\n", 1)[0]
        sep = max([",", ";", "\t", "|"], key=lambda d: (header_line.count(d), d == ","))
    lines = delimited.split_lines(text)
    del text  # the lines are the file now: one copy held while the cells are parsed, not two
    parsed = delimited.parse_delimited(lines, sep, max_mb=ctx.max_file_mb)
    del lines
    for row, _line, detail in parsed.rejects:
        rejects.append((path, row, "malformed_row", detail))
    df = pd.DataFrame(parsed.rows, columns=parsed.header, dtype=object)
    repaired = None
    if needs_repair:
        repaired = [0] * len(df)
        for c in list(df.columns):
            vals = df[c].tolist()
            for i, v in enumerate(vals):
                if not v.isascii():  # a non-ASCII character: bytes to repair
                    vals[i], n = clean.decode_bytes(v.encode("latin-1"), rules)
                    repaired[i] += n
            df[c] = vals
        df.columns = delimited.unique_names(
            [clean.decode_bytes(str(c).encode("latin-1"), rules)[0] for c in df.columns]
        )
    # a data row's line number is not its 1-based row index when cells hold newlines; rows are counted as
    # data rows (header excluded), the convention of spreadsheet users and pandas alike
    return df, parsed.row_numbers, repaired
