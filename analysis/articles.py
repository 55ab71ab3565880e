"""Ingest's per-article work, one partition at a time (here, in worker processes or on Dask workers): files or
records -> cleaned corpus rows, removed spans, rejects, date evidence and dedup keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis import clean, dates, langid, readers, sources
from analysis import dedup as dedup_mod
from analysis.corpus import EXTRA_COLUMNS, SCHEMA
from analysis.readers import Record

# Source columns that readers fill with whole numbers (the database's word count); every other one is a string.
INTEGER_SOURCE_COLUMNS = {"length_words"}
# Suffixes whose files hold many articles: the client reads them and sends their records out in batches, so one
# big table is cleaned in parallel; every other file is read where it is cleaned (one task per few files).
TABLE_SUFFIXES = ("csv", "tsv", "tab", "jsonl", "ndjson")


@dataclass
class IngestOptions:
    """Options of one ingest run (the CLI flags)."""

    text_column: str | None = None
    title_column: str | None = None
    date_column: str | None = None
    outlet_column: str | None = None
    id_column: str | None = None
    url_column: str | None = None
    outlet: str | None = None
    boilerplate: str | None = None
    agencies: str | None = None
    dedup: bool = True
    near_threshold: float = dedup_mod.DEFAULT_NEAR_THRESHOLD
    progress: bool | None = None  # None: a bar on an interactive terminal only
    format: str | None = None  # a key of readers.FORMATS: every file is read with it (None: detected per file)
    max_file_mb: float = sources.DEFAULT_MAX_FILE_MB  # per file, and what a .gz expands to
    date_order: str | None = None  # "dmy"/"mdy" for numeric dates; None: decided from the run's values

    def columns(self) -> dict[str, str]:
        return {
            k: v
            for k, v in {
                "text": self.text_column,
                "title": self.title_column,
                "published": self.date_column,
                "outlet": self.outlet_column,
                "source_id": self.id_column,
                "url": self.url_column,
            }.items()
            if v
        }

    def orders(self) -> tuple[str, ...]:
        """The day/month orders each date is read in: the option's, or both until the run's values decide."""
        return (self.date_order,) if self.date_order else dates.DATE_ORDERS


@dataclass
class Partition:
    """One unit of work: records the client read (``records``) or files to read here (``files``: index, path)."""

    records: list[Record] = field(default_factory=list)
    files: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Cleaned:
    """What one partition gives back, in record order.

    ``rows``: corpus fields (doc_id before the run-wide suffix of repeated ids) plus, per day/month order ``o``,
    ``published:o``, ``date_source:o`` and the source columns under ``extras``; ``removed``: the spans cut from each
    row's text; ``problems``: per order, the unreadable dates ``(path, row, raw, problem)``."""

    rows: list[dict] = field(default_factory=list)
    removed: list[list[tuple[str, str]]] = field(default_factory=list)
    rejects: list[tuple] = field(default_factory=list)
    files: list[tuple[int, dict]] = field(default_factory=list)
    evidence: dict = field(default_factory=lambda: dict.fromkeys(dates.EVIDENCE_KEYS, 0))
    problems: dict = field(default_factory=dict)
    n_records: int = 0  # records cleaned (articles + rejected as empty)
    row_rejects: int = 0  # rows of files rejected while reading
    keys: dedup_mod.TextKeys | None = None


@lru_cache(maxsize=4)
def _resources(boilerplate: str | None, agencies: str | None) -> tuple[clean.Rules, clean.AgencyFinder]:
    rules = clean.load_rules(boilerplate) if boilerplate else clean.default_rules()
    finder = clean.load_agencies(agencies) if agencies else clean.default_agencies()
    return rules, finder


def load_resources(opts: IngestOptions) -> tuple[clean.Rules, clean.AgencyFinder]:
    """The run's boilerplate rules and agency patterns (compiled once per process)."""
    return _resources(opts.boilerplate, opts.agencies)


def make_doc_id(path: str, row: int | None, text: str) -> str:
    """Stable id: sha256 of the file's base name, the row and the raw text (same input -> same id anywhere)."""
    key = f"{_display_names(path)[1]}\x1f{'' if row is None else row}\x1f{text}"
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


@lru_cache(maxsize=64)
def _display_names(path: str) -> tuple[str, str]:
    """``display_path`` of a path and of its base name, once per file rather than once per record of a table."""
    return sources.display_path(path), sources.display_path(Path(path).name)


def _column_name(name: str, taken) -> str:
    """A source column's name in the corpus: as is, unless it clashes with a corpus column or starts with ``_``
    (then ``src_NAME``); nothing is dropped."""
    name = str(name)
    cand = name if name.strip() and not name.startswith("_") else f"src_{name.strip() or 'column'}"
    while cand in taken:
        cand = f"src_{cand}"
    return cand


_TAKEN = set(SCHEMA) | set(EXTRA_COLUMNS)  # a source column of one of these names becomes src_NAME


def _date(rec: Record, header_date: str | None, order: str) -> tuple:
    """(published, date_source, problem) of one record read in ``order``: its date field, else a date in a removed
    header, else (one article per file) a date in the file name."""
    published, date_source, problem = None, None, None
    if rec.published is not None:
        published, problem = dates.parse_date(rec.published, order=order)
        date_source = rec.date_source if published is not None else None
    if published is None and header_date:
        published = dates.parse_date(header_date, order=order)[0]
        date_source = "text" if published is not None else None
    if published is None and rec.row is None:
        published = dates.date_from_filename(rec.path)
        date_source = "filename" if published is not None else None
    return published, date_source, problem


def clean_record(rec: Record, opts: IngestOptions, out: Cleaned) -> None:
    """Clean one record into ``out``: a corpus row and its removed spans, or a reject (``empty_text``)."""
    rules, finder = load_resources(opts)
    result = clean.clean_text(rec.text, title=rec.title, rules=rules)
    out.n_records += 1
    if not result.text.strip():
        detail = "all text was removed as boilerplate" if result.removed else "the text is empty"
        out.rejects.append((rec.path, rec.row, "empty_text", detail))
        return
    # a database reader hands on the date part it found and the whole date line as published_raw
    published_raw = rec.extras.pop("published_raw", None)
    if rec.published is not None and published_raw is None:
        published_raw = str(rec.published)
    agency, dateline = clean.find_agency(result.text, finder)
    if agency is None and result.header_credit:  # "... AFP Monday 3 Oct 2016" in a removed header
        agency = finder.alias_of.get(result.header_credit) or finder.alias_of.get(result.header_credit.upper())
    text = result.text
    row = {
        "doc_id": make_doc_id(rec.path, rec.row, rec.text),
        "outlet": rec.outlet or result.outlet or opts.outlet,
        "agency": rec.agency or agency,
        "url": rec.url,
        "title": result.title,
        "text": text,
        "n_words": len(text.split()),
        "lang": None,  # set for the whole partition by langid.find_languages
        "source_path": _display_names(rec.path)[0],
        "source_row": rec.row,
        "source_id": rec.source_id,
        "source_sha256": rec.sha256,
        "dateline": dateline,
        "bytes_repaired": rec.bytes_repaired,
        "published_raw": published_raw,
    }
    for order in opts.orders():
        published, date_source, problem = _date(rec, result.header_date, order)
        row[f"published:{order}"], row[f"date_source:{order}"] = published, date_source
        if problem:
            out.problems.setdefault(order, []).append((_display_names(rec.path)[0], rec.row, published_raw, problem))
    extras: dict = {}
    for k, v in rec.extras.items():
        extras[_column_name(k, _TAKEN | set(extras))] = v
    row["extras"] = extras
    out.rows.append(row)
    out.removed.append(result.removed)


def read_file(path: str, opts: IngestOptions, rejects: list, info: dict) -> list[Record]:
    """The records of one file: its bytes read safely (regular files, size caps), its format detected, its reader."""
    return _read_file(path, opts, rejects, info)


def _read_file(path: str, opts: IngestOptions, rejects: list, info: dict, batch: int | None = None):
    """:func:`read_file`; with ``batch``, an iterator of record lists instead (a stream reader's batches, else the
    records in slices): only what rejects the whole file is checked before it returns."""
    rules, _ = load_resources(opts)
    kind, gz = readers.file_kind(path)
    if batch is not None and not gz and is_table_file(path, opts):
        # a plain table file streams from disk: one pass for the checks and the sha256, the reader's pass after
        src = sources.scan_source(path, max_mb=opts.max_file_mb, head_bytes=readers.SNIFF_BYTES)
        fmt = opts.format or (None if src.head[:4] == b"PK\x03\x04" else readers.find_format(path, src.head))
        if fmt in readers.STREAM_READERS:  # (a zip or an export named .csv is read whole, below)
            info["sha256"], info["reader"] = src.sha256, fmt
            ctx = readers.ReadContext(
                src.sha256, rules, opts.columns(), rejects, fmt=fmt, kind=kind, max_file_mb=opts.max_file_mb
            )
            return readers.STREAM_READERS[fmt](path, src, ctx, batch)
    raw, data = sources.read_source_bytes(path, gz=gz, max_mb=opts.max_file_mb)
    info["sha256"] = sha = hashlib.sha256(raw).hexdigest()
    sources.check_archive(data, max_mb=opts.max_file_mb)  # before format detection unpacks a .docx
    info["reader"] = fmt = opts.format or readers.find_format(path, data)
    if fmt is None:
        raise readers.FileRejected(
            "unsupported_type",
            f"type {('.' + kind) if kind else '(no extension)'} is not supported and the content is no "
            "known export: use .txt, .html/.htm, .csv, .tsv, .jsonl, .docx, .rtf, .pdf (optionally .gz), "
            "or name the format with --format",
        )
    ctx = readers.ReadContext(sha, rules, opts.columns(), rejects, fmt=fmt, kind=kind, max_file_mb=opts.max_file_mb)
    if batch is None:
        return readers.READERS[fmt](path, data, ctx)
    if fmt in readers.STREAM_READERS:
        return readers.STREAM_READERS[fmt](path, data, ctx, batch)
    recs = readers.READERS[fmt](path, data, ctx)
    return (recs[lo : lo + batch] for lo in range(0, len(recs), batch))


def read_file_safely(path: str, opts: IngestOptions, out: Cleaned) -> tuple[dict, list[Record]]:
    """The file's manifest entry and records; a file rejected as a whole is one reject (its row rejects dropped)."""
    kind, gz = readers.file_kind(path)
    info = {"path": sources.display_path(path), "type": kind + (".gz" if gz else ""), "sha256": None, "rows": 0}
    info["reader"] = None
    rejects: list[tuple] = []
    try:
        recs = read_file(path, opts, rejects, info)
    except readers.FileRejected as rej:
        out.rejects.append((path, None, rej.reason, rej.detail))
        return info, []
    out.rejects.extend(rejects)
    out.row_rejects += len(rejects)
    info["rows"] = len(recs) + len(rejects)
    return info, recs


def read_file_batches(path: str, opts: IngestOptions, out: Cleaned, batch: int) -> tuple[dict, Iterator[list[Record]]]:
    """:func:`read_file_safely` as a stream: the file's manifest entry (its row count filled in once the stream is
    read) and its records ``batch`` rows at a time. A file rejected as a whole is rejected before any record."""
    kind, gz = readers.file_kind(path)
    info = {"path": sources.display_path(path), "type": kind + (".gz" if gz else ""), "sha256": None, "rows": 0}
    info["reader"] = None
    rejects: list[tuple] = []
    try:
        batches = _read_file(path, opts, rejects, info, batch)
    except readers.FileRejected as rej:
        out.rejects.append((path, None, rej.reason, rej.detail))
        return info, iter(())

    def stream() -> Iterator[list[Record]]:
        n = 0
        for recs in batches:
            n += len(recs)
            yield recs
        out.rejects.extend(rejects)
        out.row_rejects += len(rejects)
        info["rows"] = n + len(rejects)

    return info, stream()


def is_table_file(path: str, opts: IngestOptions) -> bool:
    """True for files the client reads and splits into record batches (CSV/TSV/JSONL tables)."""
    if opts.format is not None:
        return opts.format in ("csv", "tsv", "jsonl", "mediacloud")
    return readers._suffix(path) in TABLE_SUFFIXES


def clean_partition(args: tuple[Partition, IngestOptions]) -> Cleaned:
    """Read (``files``) and clean one partition, with its date evidence and dedup keys: what a worker runs."""
    part, opts = args
    out = Cleaned()
    records = list(part.records)
    for index, path in part.files:
        info, recs = read_file_safely(path, opts, out)
        out.files.append((index, info))
        records += recs
    for key, n in dates.count_date_evidence(r.published for r in records if r.published is not None).items():
        out.evidence[key] += n
    for rec in records:
        clean_record(rec, opts, out)
        rec.text = ""  # free the raw text early
    for row, lang in zip(out.rows, langid.find_languages([row["text"] for row in out.rows])):
        row["lang"] = lang
    out.keys = dedup_mod.key_texts([row["text"] for row in out.rows]) if opts.dedup else None
    return out
