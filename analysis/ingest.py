"""Raw article files (txt, html, csv, tsv, jsonl, docx, rtf, pdf, database exports; optionally gzipped) to the
canonical corpus table; `load_corpus`."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import io
import json
import logging
import os
import re
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis import clean, config, langid, readers
from analysis import dedup as dedup_mod
from analysis.errors import InputError, SchemaError
from analysis.tables import save_json, save_table

log = logging.getLogger(__name__)

# The canonical schema (docs/CONTRIBUTING.md), then the extra columns ingest adds; source columns follow.
SCHEMA = [
    "doc_id",
    "outlet",
    "agency",
    "url",
    "published",
    "title",
    "text",
    "n_words",
    "lang",
    "source_path",
    "source_row",
    "source_id",
    "source_sha256",
    "duplicate_of",
]
EXTRA_COLUMNS = ["dup_similarity", "dup_kind", "date_source", "dateline", "bytes_repaired"]
REJECT_COLUMNS = ["path", "row", "reason", "detail"]
# Source columns that readers fill with whole numbers (the database's word count); every other one is a string.
INTEGER_SOURCE_COLUMNS = {"length_words"}
REMOVED_COLUMNS = ["doc_id", "rule", "text"]
MANIFEST_NAME = "ingest_manifest.json"

TEXT_TYPES = {".txt", ".text"}
HTML_TYPES = {".html", ".htm"}
TABLE_TYPES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
JSONL_TYPES = {".jsonl", ".ndjson"}
DOCUMENT_TYPES = {".docx", ".rtf", ".pdf"}
SUPPORTED = TEXT_TYPES | HTML_TYPES | set(TABLE_TYPES) | JSONL_TYPES | DOCUMENT_TYPES
# Files a directory walk passes over silently (listed in the manifest as skipped): documentation, sidecars,
# provenance written by `fetch-data`, hidden files.
SKIP_PATTERNS = (
    re.compile(r"^README(\..*)?$", re.I),
    re.compile(r"\.meta\.(json|ya?ml)$", re.I),
    re.compile(r"\.provenance\.json$", re.I),
    re.compile(r"^\."),
)

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
META_KEYS = {
    "title": "title",
    "headline": "title",
    "outlet": "outlet",
    "source": "outlet",
    "publisher": "outlet",
    "url": "url",
    "link": "url",
    "published": "published",
    "date": "published",
    "agency": "agency",
    "id": "source_id",
    "source_id": "source_id",
}
_FILENAME_OUTLET = re.compile(r"^(?P<outlet>[A-Za-z][A-Za-z0-9.-]*?)_(?:19|20)\d{2}-?\d{2}-?\d{2}(?:_|$)")


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


@dataclass
class Record:
    """One raw article as read from its file, before cleaning."""

    text: str
    path: str
    row: int | None
    sha256: str
    title: str | None = None
    published: object = None  # raw value, or a Timestamp already parsed for a whole column
    outlet: str | None = None
    url: str | None = None
    source_id: str | None = None
    agency: str | None = None
    date_source: str | None = None
    bytes_repaired: int = 0
    extras: dict = field(default_factory=dict)


@dataclass
class IngestResult:
    """What an ingest run produced: the corpus, the rejects, the removed spans and the manifest."""

    corpus: pd.DataFrame
    rejects: pd.DataFrame
    removed: pd.DataFrame
    manifest: dict

    def summary(self) -> str:
        """The human-readable summary printed by the CLI."""
        c = self.manifest["counts"]
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(c["rejected_by_reason"].items())) or "none"
        used = Counter(str(i.get("reader")) for i in self.manifest["inputs"] if i.get("reader"))
        readers_used = ", ".join(f"{k} {v}" for k, v in sorted(used.items())) or "none"
        return "\n".join(
            [
                f"files: {c['files']} read ({c['files_skipped']} skipped: README/sidecars/hidden); "
                f"read as: {readers_used}",
                f"rows: {c['rows']} (articles {c['articles']} + rejected {c['rejected_rows']})",
                f"rejected: {c['rejected']} ({reasons})",
                f"duplicates: {c['duplicates_exact']} exact, {c['duplicates_near']} near "
                f"(threshold {self.manifest['options']['near_threshold']})",
                f"dates missing: {c['dates_missing']} of {c['articles']} articles (kept as null)",
                f"bytes repaired: {c['bytes_repaired']}",
                f"boilerplate spans removed: {c['removed_spans']}",
            ]
        )


# ---------------------------------------------------------------------------------------------------------------
# Finding and reading files
# ---------------------------------------------------------------------------------------------------------------


def _skippable(path: Path) -> bool:
    return any(p.search(path.name) for p in SKIP_PATTERNS)


def find_input_files(inputs: Sequence[str | os.PathLike]) -> tuple[list[str], list[str]]:
    """The files to read under ``inputs`` (files as given; directories walked recursively, sorted) and the
    files skipped on the way. A missing input is an :class:`InputError`."""
    files, skipped = [], []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    f = Path(root) / name
                    (skipped if _skippable(f) else files).append(f.as_posix())
        elif p.exists():
            files.append(p.as_posix())
        else:
            raise InputError(
                f"input {str(item)!r} does not exist: check the path (files or folders of "
                ".txt/.html/.csv/.tsv/.jsonl/.docx/.rtf/.pdf articles or database exports)"
            )
    return sorted(dict.fromkeys(files)), sorted(skipped)


def _kind(path: str) -> tuple[str, bool]:
    """(extension of the content, gzipped?) for ``path``, e.g. ``("csv", True)`` for ``x.csv.gz``."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    return (suffixes[-1].lstrip(".") if suffixes else ""), gz


class _Reject(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _read_bytes(path: str, gz: bool) -> bytes:
    try:
        data = Path(path).read_bytes()
    except PermissionError as exc:
        raise _Reject("unreadable", f"permission denied ({exc.strerror}): make the file readable") from exc
    except OSError as exc:
        raise _Reject("unreadable", f"cannot read the file ({exc.strerror or exc})") from exc
    if gz:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise _Reject("undecodable", f"not a valid gzip file ({exc})") from exc
    return data


def _decode(data: bytes, rules: clean.Rules) -> tuple[str, int]:
    if not data.strip():
        raise _Reject("empty_file", "the file is empty")
    if clean.looks_binary(data):
        raise _Reject("binary", "binary content (NUL or control bytes), not text: remove it or convert it to text")
    text, repaired = clean.decode_bytes(data, rules)
    if text.count("\ufffd") > max(20, len(text) // 20):
        raise _Reject(
            "undecodable", f"too many undecodable bytes ({text.count(chr(0xFFFD))}): convert the file to UTF-8"
        )
    return text, repaired


def _sidecar(path: str) -> dict:
    p = Path(path)
    base = p.name[: -len("".join(p.suffixes))] if p.suffixes else p.name
    for cand in (p.with_name(p.name + ".meta.json"), p.with_name(base + ".meta.json")):
        if cand.exists():
            try:
                meta = json.loads(cand.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise _Reject("bad_metadata", f"sidecar {cand.name} is not valid JSON ({exc}): fix it") from exc
            if not isinstance(meta, dict):
                raise _Reject("bad_metadata", f"sidecar {cand.name} must hold a JSON object")
            return meta
    return {}


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def _front_matter(text: str) -> tuple[dict, str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise _Reject("bad_metadata", f"YAML front matter cannot be parsed ({str(exc).splitlines()[0]})") from exc
    if not isinstance(meta, dict):
        raise _Reject("bad_metadata", "YAML front matter must be a mapping (key: value lines)")
    return meta, text[m.end() :]


def _apply_meta(rec: Record, meta: dict) -> Record:
    for key, value in meta.items():
        target = META_KEYS.get(str(key).lower())
        if target and value not in (None, ""):
            setattr(rec, target, value if target == "published" else str(value))
            if target == "published":
                rec.date_source = "metadata"
    return rec


def _from_filename(rec: Record, path: str) -> Record:
    name = Path(path).name
    if rec.outlet is None:
        m = _FILENAME_OUTLET.match(name)
        if m:
            rec.outlet = m.group("outlet")
    return rec


def read_text_file(path: str, data: bytes, sha: str, rules: clean.Rules) -> list[Record]:
    """One article from a ``.txt`` file, with metadata from YAML front matter, a ``.meta.json`` sidecar or the name."""
    text, repaired = _decode(data, rules)
    return _text_records(path, text, sha, repaired)


def read_document_file(path: str, data: bytes, sha: str, fmt: str) -> list[Record]:
    """One article from a Word, RTF or PDF file: its text layer, then read exactly as a ``.txt`` article."""
    try:
        text = readers.load_document(fmt, data)
    except readers.FileRejected as rej:
        raise _Reject(rej.reason, rej.detail) from rej
    if not text.strip():
        raise _Reject("empty_file", f"the {fmt} file holds no text")
    return _text_records(path, text, sha, 0)


def read_export_file(path: str, data: bytes, sha: str, rules: clean.Rules, fmt: str, rejects: list) -> list[Record]:
    """The articles of a database export (LexisNexis, Nexis Uni, Factiva), one record each with its position in
    the file as ``source_row``; a damaged article is rejected on its own, with its position."""
    text, repaired = None, 0
    if fmt != "nexisuni" and not data.lstrip()[:5] == b"{\\rtf":
        text, repaired = _decode(data, rules)
    try:
        parsed = readers.read_export(fmt, data, text)
    except readers.FileRejected as rej:
        raise _Reject(rej.reason, rej.detail) from rej
    rejects.extend((path, r.position, r.reason, r.detail) for r in parsed.rejects)
    return [
        Record(
            text=a.text,
            path=path,
            row=a.position,
            sha256=sha,
            title=a.title,
            published=a.published,
            outlet=a.outlet,
            url=a.url,
            source_id=a.source_id,
            date_source="metadata" if a.published else None,
            bytes_repaired=repaired if i == 0 else 0,
            extras=dict(a.fields),
        )
        for i, a in enumerate(parsed.articles)
    ]


def _text_records(path: str, text: str, sha: str, repaired: int) -> list[Record]:
    meta, text = _front_matter(text.replace("\r\n", "\n"))
    rec = Record(text=text, path=path, row=None, sha256=sha, bytes_repaired=repaired)
    _apply_meta(rec, _sidecar(path))
    _apply_meta(rec, meta)
    return [_from_filename(rec, path)]


# trafilatura options used for HTML pages; bench_extraction.py scores them on the Zyte benchmark.
HTML_OPTIONS = {"include_comments": False, "include_tables": True, "favor_precision": True, "favor_recall": False}


def extract_html(html: str, **options) -> dict:
    """Main text and metadata of one HTML page with trafilatura: ``text, title, date, outlet, url``."""
    import trafilatura  # imported lazily: only HTML needs it

    doc = trafilatura.bare_extraction(html, with_metadata=True, **{**HTML_OPTIONS, **options})
    if doc is None:
        return {"text": "", "title": None, "date": None, "outlet": None, "url": None}
    return {
        "text": doc.text or "",
        "title": doc.title or None,
        "date": doc.date or None,
        "outlet": doc.sitename or doc.hostname or None,
        "url": doc.url or None,
    }


def read_html_file(path: str, data: bytes, sha: str, rules: clean.Rules) -> list[Record]:
    """One article from an HTML page: main text and metadata (title, date, site, url) by trafilatura."""
    html, repaired = _decode(data, rules)
    page = extract_html(html)
    rec = Record(
        text=page["text"],
        path=path,
        row=None,
        sha256=sha,
        bytes_repaired=repaired,
        title=page["title"],
        url=page["url"],
        outlet=page["outlet"],
    )
    if page["date"]:
        rec.published, rec.date_source = page["date"], "metadata"
    _apply_meta(rec, _sidecar(path))
    return [_from_filename(rec, path)]


def _norm_col(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name).lower())


def detect_columns(columns: Sequence[str], overrides: dict[str, str] | None = None, path: str = "") -> dict[str, str]:
    """Map canonical fields (text, title, published, outlet, url, source_id, agency) to ``columns``.

    ``overrides`` (from the ``--*-column`` options) win and must exist; the rest are found by common names.
    Raises ``_Reject`` (missing_text_column) when no text column is found.
    """
    overrides = overrides or {}
    mapping: dict[str, str] = {}
    by_norm = {}
    for c in columns:
        by_norm.setdefault(_norm_col(c), c)
    for fld, col in overrides.items():
        if col not in columns:
            raise _Reject(
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
        raise _Reject(
            "missing_text_column",
            f"no text column; columns found: {', '.join(map(str, columns))}; name it with --text-column",
        )
    return mapping


def _records_from_frame(
    df: pd.DataFrame,
    path: str,
    sha: str,
    opts: IngestOptions,
    row_offset: int = 1,
    row_numbers: Sequence[int] | None = None,
    repaired: Sequence[int] | None = None,
) -> list[Record]:
    mapping = detect_columns(list(df.columns), opts.columns(), path)
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
            sha256=sha,
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
        raise _Reject(
            "parse_error",
            f"cannot parse as {'TSV' if sep == chr(9) else 'CSV'} ({exc}): check quoting and the delimiter",
        ) from exc
    return pd.DataFrame(good, columns=header, dtype=str), numbers


def read_table_file(
    path: str,
    data: bytes,
    sha: str,
    opts: IngestOptions,
    rules: clean.Rules,
    sep: str,
    rejects: list,
    mediacloud: bool = False,
) -> list[Record]:
    """One article per row of a CSV/TSV file; columns detected by name (see :data:`COLUMN_ALIASES`), or those of a
    Media Cloud story list (``mediacloud``)."""
    if not data.strip():
        raise _Reject("empty_file", "the file is empty")
    if clean.looks_binary(data):
        raise _Reject("binary", "binary content (NUL or control bytes), not text: remove it or convert it to text")
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
        raise _Reject("empty_file", "no header line and no rows") from exc
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
    if mediacloud:
        return _mediacloud_records(df, path, sha, opts, rejects, row_numbers, repaired)
    return _records_from_frame(df, path, sha, opts, row_numbers=row_numbers, repaired=repaired)


_OPTION_FIELDS = {
    "text": "text_column",
    "title": "title_column",
    "published": "date_column",
    "outlet": "outlet_column",
    "source_id": "id_column",
    "url": "url_column",
}


def _mediacloud_records(df, path, sha, opts, rejects, row_numbers, repaired) -> list[Record]:
    """Media Cloud's own columns (media_name is the outlet); a list without text: each story rejected, saying so."""
    found = readers.mediacloud.find_columns(list(df.columns))
    given = opts.columns()
    columns = {**found, **given}
    numbers = row_numbers if row_numbers is not None else range(1, len(df) + 1)
    if "text" not in columns:
        urls = df[columns["url"]].tolist() if "url" in columns else [None] * len(df)
        rejects.extend(
            (path, int(n), "no_text", readers.mediacloud.describe_missing_text(u)) for n, u in zip(numbers, urls)
        )
        log.warning("%s: %s", path, readers.mediacloud.NO_TEXT)
        return []
    opts = dataclasses.replace(opts, **{_OPTION_FIELDS[f]: c for f, c in columns.items()})
    records = _records_from_frame(df, path, sha, opts, row_numbers=row_numbers, repaired=repaired)
    for rec in records:
        rec.extras["database"] = readers.mediacloud.DATABASE
    return records


def read_jsonl_file(
    path: str, data: bytes, sha: str, opts: IngestOptions, rules: clean.Rules, rejects: list
) -> list[Record]:
    """One article per JSON line; a malformed line is rejected on its own, the others are kept."""
    if not data.strip():
        raise _Reject("empty_file", "the file is empty")
    if clean.looks_binary(data):
        raise _Reject("binary", "binary content (NUL or control bytes), not text: remove it or convert it to text")
    objs, rows, repaired = [], [], []
    for n, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        line, fixed = clean.decode_bytes(raw_line, rules)  # per line, so repaired bytes are counted per row
        try:
            obj = json.loads(line)
        except ValueError as exc:
            rejects.append((path, n, "malformed_json", f"line {n}: {exc}"))
            continue
        if not isinstance(obj, dict):
            rejects.append((path, n, "malformed_json", f"line {n}: a JSON object {{...}} is expected"))
            continue
        objs.append(
            {
                k: (json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (dict, list)) else v)
                for k, v in obj.items()
            }
        )
        rows.append(n)
        repaired.append(fixed)
    if not objs:
        return []
    columns = list(dict.fromkeys(k for obj in objs for k in obj))
    df = pd.DataFrame(objs, columns=columns)
    return _records_from_frame(df, path, sha, opts, row_numbers=rows, repaired=repaired)


# ---------------------------------------------------------------------------------------------------------------
# Records -> corpus rows
# ---------------------------------------------------------------------------------------------------------------


def make_doc_id(path: str, row: int | None, text: str) -> str:
    """Stable id: sha256 of the file's base name, the row and the raw text (same input -> same id anywhere)."""
    key = f"{Path(path).name}\x1f{'' if row is None else row}\x1f{text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _article(rec: Record, rules: clean.Rules, finder: clean.AgencyFinder, opts: IngestOptions):
    result = clean.clean_text(rec.text, title=rec.title, rules=rules)
    if not result.text.strip():
        detail = "all text was removed as boilerplate" if result.removed else "the text is empty"
        return None, result.removed, ("empty_text", detail)
    published = rec.published
    date_source = rec.date_source
    if published is not None and not isinstance(published, pd.Timestamp):
        published = clean.parse_date_value(published)
        if published is None:
            rec.extras["_bad_date"] = str(rec.published)
            date_source = None
    if published is None and result.header_date:
        published, date_source = clean.parse_date_value(result.header_date), "text"
        date_source = date_source if published is not None else None
    if published is None and rec.row is None:
        published = clean.date_from_filename(rec.path)
        date_source = "filename" if published is not None else None
    agency, dateline = clean.find_agency(result.text, finder)
    if agency is None and result.header_credit:  # "... AFP Monday 3 Oct 2016" in a removed header
        agency = finder.alias_of.get(result.header_credit) or finder.alias_of.get(result.header_credit.upper())
    text = result.text
    row = {
        "doc_id": make_doc_id(rec.path, rec.row, rec.text),
        "outlet": rec.outlet or result.outlet or opts.outlet,
        "agency": rec.agency or agency,
        "url": rec.url,
        "published": published,
        "title": result.title,
        "text": text,
        "n_words": len(text.split()),
        "lang": langid.find_language(text),
        "source_path": rec.path,
        "source_row": rec.row,
        "source_id": rec.source_id,
        "source_sha256": rec.sha256,
        "duplicate_of": None,
        "dup_similarity": None,
        "dup_kind": None,
        "date_source": date_source,
        "dateline": dateline,
        "bytes_repaired": rec.bytes_repaired,
    }
    for k, v in rec.extras.items():
        if not k.startswith("_"):
            row[k if k not in row else f"src_{k}"] = v
    return row, result.removed, None


def _progress(iterable, total: int, desc: str, enabled: bool | None):
    if enabled is False or total < 200:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit="article" if desc != "reading" else "file",
        file=sys.stderr,
        disable=None if enabled is None else not enabled,
        leave=False,
    )


def ingest_files(inputs: Sequence[str | os.PathLike], *, options: IngestOptions | None = None) -> IngestResult:
    """Read, clean and deduplicate the articles under ``inputs``; nothing is written (see :func:`ingest`)."""
    opts = options or IngestOptions()
    rules = clean.load_rules(opts.boilerplate) if opts.boilerplate else clean.default_rules()
    finder = clean.load_agencies(opts.agencies) if opts.agencies else clean.default_agencies()
    if opts.format is not None and opts.format not in readers.FORMATS:
        raise InputError(f"format {opts.format!r} is not known: use one of {', '.join(sorted(readers.FORMATS))}")
    files, skipped = find_input_files(inputs)
    if not files:
        where = ", ".join(map(str, inputs))
        raise InputError(
            f"no article files in {where}"
            f"{' (only ' + ', '.join(Path(s).name for s in skipped) + ')' if skipped else ''}: "
            "run `make data` to fetch the default corpus (FA-KES) or put .txt/.html/.csv/.tsv/.jsonl "
            "files there"
        )
    rejects: list[tuple] = []
    records: list[Record] = []
    file_info = []
    row_rejects = 0  # rows of a file rejected while reading (malformed JSON lines)
    for path in _progress(files, len(files), "reading", opts.progress):
        kind, gz = _kind(path)
        info = {"path": path, "type": kind + (".gz" if gz else ""), "sha256": None, "rows": 0, "reader": None}
        file_info.append(info)
        before = len(rejects)
        try:
            raw = _read_bytes(path, gz=False)
            info["sha256"] = sha = hashlib.sha256(raw).hexdigest()
            data = _read_bytes(path, gz=True) if gz else raw
            info["reader"] = fmt = opts.format or readers.find_format(path, data)
            if fmt is None:
                raise _Reject(
                    "unsupported_type",
                    f"type {('.' + kind) if kind else '(no extension)'} is not supported and the content is no "
                    "known export: use .txt, .html/.htm, .csv, .tsv, .jsonl, .docx, .rtf, .pdf (optionally .gz), "
                    "or name the format with --format",
                )
            recs = _read_as(fmt, path, data, sha, opts, rules, rejects, kind)
        except _Reject as rej:
            rejects.append((path, None, rej.reason, rej.detail))
            continue
        row_rejects += len(rejects) - before
        info["rows"] = len(recs) + (len(rejects) - before)
        records.extend(recs)

    rows, removed = [], []
    seen_ids: dict[str, int] = {}
    for rec in _progress(records, len(records), "cleaning", opts.progress):
        row, spans, rej = _article(rec, rules, finder, opts)
        rec.text = ""  # free the raw text early: large corpora
        if rej:
            rejects.append((rec.path, rec.row, rej[0], rej[1]))
            continue
        # two copies of one file (same name, same text) in different folders would share an id: files are read
        # in sorted order, so suffixing the later copies is deterministic
        n = seen_ids[row["doc_id"]] = seen_ids.get(row["doc_id"], 0) + 1
        if n > 1:
            row["doc_id"] = f"{row['doc_id']}-{n}"
        rows.append(row)
        removed.extend((row["doc_id"], rule, text) for rule, text in spans)
    corpus = _corpus_frame(rows)
    if opts.dedup and len(corpus):
        corpus = dedup_mod.mark_duplicates(corpus, near_threshold=opts.near_threshold)
    corpus = _order_columns(corpus)
    rejects_df = pd.DataFrame(rejects, columns=REJECT_COLUMNS)
    rejects_df["row"] = rejects_df["row"].astype("Int64")
    rejects_df = rejects_df.sort_values(["path", "row", "reason"], na_position="first", kind="stable")
    rejects_df = rejects_df.reset_index(drop=True)
    removed_df = pd.DataFrame(removed, columns=REMOVED_COLUMNS)
    manifest = _manifest(
        corpus, rejects_df, removed_df, file_info, skipped, opts, rules, finder, len(records) + row_rejects
    )
    _warn_dates(corpus)
    return IngestResult(corpus, rejects_df, removed_df, manifest)


def _read_as(fmt, path, data, sha, opts, rules, rejects, kind) -> list[Record]:
    """The records of one file read with the reader of ``fmt`` (a key of :data:`readers.FORMATS`)."""
    if fmt == "txt":
        return read_text_file(path, data, sha, rules)
    if fmt == "html":
        return read_html_file(path, data, sha, rules)
    if fmt in ("csv", "tsv", "mediacloud"):
        sep = "\t" if fmt == "tsv" or (fmt == "mediacloud" and kind in ("tsv", "tab")) else ","
        return read_table_file(path, data, sha, opts, rules, sep, rejects, mediacloud=fmt == "mediacloud")
    if fmt == "jsonl":
        return read_jsonl_file(path, data, sha, opts, rules, rejects)
    if fmt in readers.DOCUMENT_FORMATS:
        return read_document_file(path, data, sha, fmt)
    return read_export_file(path, data, sha, rules, fmt, rejects)


def _corpus_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=None if rows else SCHEMA + EXTRA_COLUMNS)
    if df.empty:
        df = pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEMA + EXTRA_COLUMNS})
    df["published"] = pd.to_datetime(df["published"]).astype("datetime64[ns]")
    df["n_words"] = df["n_words"].astype("int64")
    df["source_row"] = df["source_row"].astype("Int64")
    df["bytes_repaired"] = df["bytes_repaired"].astype("int64")
    df["dup_similarity"] = df["dup_similarity"].astype("float64")
    return df.sort_values(["source_path", "source_row"], na_position="first", kind="stable").reset_index(drop=True)


def _order_columns(df: pd.DataFrame) -> pd.DataFrame:
    rest = sorted(c for c in df.columns if c not in SCHEMA and c not in EXTRA_COLUMNS)
    out = df[SCHEMA + EXTRA_COLUMNS + rest].copy()
    for c in [
        "doc_id",
        "outlet",
        "agency",
        "url",
        "title",
        "text",
        "lang",
        "source_path",
        "source_id",
        "source_sha256",
        "duplicate_of",
        "dup_kind",
        "date_source",
        "dateline",
    ] + rest:
        if c in INTEGER_SOURCE_COLUMNS:
            out[c] = pd.array([None if pd.isna(v) else int(v) for v in out[c]], dtype="Int64")
        else:
            out[c] = out[c].astype("string")  # a string column in parquet even when every value is null
    return out


def _warn_dates(corpus: pd.DataFrame) -> None:
    missing = corpus[corpus["published"].isna()]
    for path, group in missing.groupby("source_path", sort=True):
        if group["source_row"].isna().all():
            log.warning("%s: no publication date found (kept as null)", path)
        else:
            total = int((corpus["source_path"] == path).sum())
            log.warning("%s: %d of %d rows have no parsable date (kept as null)", path, len(group), total)


def _manifest(corpus, rejects, removed, file_info, skipped, opts, rules, finder, n_rows) -> dict:
    from analysis import provenance

    by_reason = Counter(rejects["reason"])
    per_file_articles = Counter(corpus["source_path"])
    per_file_rejects = Counter(rejects["path"])
    inputs = [
        {**f, "articles": per_file_articles.get(f["path"], 0), "rejected": per_file_rejects.get(f["path"], 0)}
        for f in file_info
    ]
    kinds = Counter(corpus["dup_kind"].dropna()) if "dup_kind" in corpus else Counter()
    return {
        "command": "ingest",
        "options": {
            "near_threshold": opts.near_threshold,
            "dedup": opts.dedup,
            "outlet": opts.outlet,
            "columns": opts.columns(),
            "boilerplate": opts.boilerplate,
            "agencies": opts.agencies,
            "format": opts.format,
        },
        "rules_version": rules.version,
        "agencies_version": finder.version,
        "resource_versions": langid.RESOURCE_VERSIONS(),
        "inputs": inputs,
        "skipped": skipped,
        "counts": {
            "files": len(file_info),
            "files_skipped": len(skipped),
            "rows": n_rows,
            "articles": len(corpus),
            "rejected": len(rejects),
            "rejected_rows": n_rows - len(corpus),
            "rejected_by_reason": dict(sorted(by_reason.items())),
            "duplicates_exact": int(kinds.get("exact", 0)),
            "duplicates_near": int(kinds.get("near", 0)),
            "dates_missing": int(corpus["published"].isna().sum()),
            "bytes_repaired": int(corpus["bytes_repaired"].sum()) if len(corpus) else 0,
            "removed_spans": len(removed),
        },
        "corpus_fingerprint": provenance.fingerprint_corpus(corpus),
        "package_versions": provenance.package_versions(
            (
                "analysis",
                "pandas",
                "pyarrow",
                "trafilatura",
                "datasketch",
                "dateparser",
                "py3langid",
                "python-docx",
                "striprtf",
                "pypdf",
            )
        ),
    }


def output_paths(out: str | os.PathLike) -> dict[str, Path]:
    """Where ingest writes, beside ``out``: articles, rejects, removed spans and the manifest."""
    out = Path(out)
    return {
        "articles": out,
        "rejects": out.parent / config.REJECTS_FILE.name,
        "removed_spans": out.parent / config.REMOVED_FILE.name,
        "manifest": out.parent / MANIFEST_NAME,
    }


def ingest(
    inputs: Sequence[str | os.PathLike],
    out: str | os.PathLike = config.CORPUS_FILE,
    *,
    options: IngestOptions | None = None,
) -> IngestResult:
    """Ingest ``inputs`` and write the corpus to ``out`` plus rejects, removed spans and a manifest beside it.

    Every write is atomic, and the same inputs give byte-identical tables.
    """
    out = Path(out)
    if out.suffix != ".parquet":
        raise InputError(f"--out {out} must end in .parquet (e.g. data/interim/articles.parquet)")
    result = ingest_files(inputs, options=options)
    paths = output_paths(out)
    save_table(result.corpus, paths["articles"])
    save_table(result.rejects, paths["rejects"])
    save_table(result.removed, paths["removed_spans"])
    result.manifest["outputs"] = {k: p.name for k, p in paths.items()}
    save_json(result.manifest, paths["manifest"])
    return result


# ---------------------------------------------------------------------------------------------------------------
# Reading the corpus back
# ---------------------------------------------------------------------------------------------------------------


def load_corpus(path: str | os.PathLike = config.CORPUS_FILE) -> pd.DataFrame:
    """The canonical corpus written by ``ingest`` as a DataFrame, its columns checked against the schema."""
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"corpus {path} does not exist: run `make ingest` (python -m analysis ingest data/raw --out {path})"
        )
    try:
        df = pd.read_parquet(path, engine="pyarrow")
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise InputError(f"corpus {path} cannot be read as parquet ({type(exc).__name__}): re-run ingest") from exc
    missing = [c for c in SCHEMA if c not in df.columns]
    if missing:
        raise SchemaError(
            f"corpus {path} lacks column(s) {', '.join(missing)}: it was not written by this "
            f"version of ingest; re-run `python -m analysis ingest ... --out {path}`"
        )
    if not pd.api.types.is_datetime64_any_dtype(df["published"]):
        raise SchemaError(f"corpus {path}: column published is {df['published'].dtype}, not a date: re-run ingest")
    return df


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------


def register_cli(subparsers) -> None:
    """Add the ``ingest`` command."""
    p = subparsers.add_parser(
        "ingest",
        help="raw article files -> canonical corpus (parquet)",
        description="Read .txt/.html/.csv/.tsv/.jsonl files (optionally .gz; folders are walked recursively), "
        "clean boilerplate, detect agencies, dates and duplicates, and write the corpus table plus "
        "rejects.parquet, removed_spans.parquet and ingest_manifest.json beside it.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (e.g. data/raw)")
    p.add_argument("--out", default=str(config.CORPUS_FILE), help="corpus file (default: %(default)s)")
    g = p.add_argument_group("columns of CSV/TSV/JSONL files (detected by name when not given)")
    g.add_argument("--text-column", help="article text (default: text/content/body/article_content ...)")
    g.add_argument("--title-column", help="title (default: title/headline/article_title)")
    g.add_argument("--date-column", help="publication date (default: date/published/pubdate ...)")
    g.add_argument("--outlet-column", help="outlet (default: outlet/source/publisher/site)")
    g.add_argument("--id-column", help="the source's article id (default: id/unit_id/article_id)")
    g.add_argument("--url-column", help="url (default: url/link)")
    p.add_argument(
        "--format",
        choices=sorted(readers.FORMATS),
        help="read every input as this format (default: detected per file from its content, then its suffix; "
        "the reader used is recorded per file in the manifest)",
    )
    p.add_argument("--outlet", help="outlet for articles whose metadata names none")
    p.add_argument("--boilerplate", metavar="RULES.yaml", help="extra boilerplate rules added to the built-ins")
    p.add_argument("--agencies", metavar="AGENCIES.yaml", help="extra wire agencies / credit forms")
    p.add_argument(
        "--near-threshold",
        type=float,
        default=dedup_mod.DEFAULT_NEAR_THRESHOLD,
        help="estimated Jaccard similarity (word 3-shingles) above which an article is a "
        "near-duplicate (default: %(default)s)",
    )
    p.add_argument("--no-dedup", action="store_true", help="do not look for duplicates")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cli)


def _cli(args) -> int:
    opts = IngestOptions(
        text_column=args.text_column,
        title_column=args.title_column,
        date_column=args.date_column,
        outlet_column=args.outlet_column,
        id_column=args.id_column,
        url_column=args.url_column,
        outlet=args.outlet,
        boilerplate=args.boilerplate,
        agencies=args.agencies,
        dedup=not args.no_dedup,
        near_threshold=args.near_threshold,
        progress=False if args.no_progress else None,
        format=args.format,
    )
    if not 0 < args.near_threshold <= 1:
        raise InputError(f"--near-threshold {args.near_threshold} must be between 0 and 1 (e.g. 0.7)")
    result = ingest(args.inputs, args.out, options=opts)
    print(result.summary())
    paths = output_paths(args.out)
    print(
        f"wrote {paths['articles']} ({len(result.corpus)} articles), {paths['rejects'].name}, "
        f"{paths['removed_spans'].name}, {paths['manifest'].name}"
    )
    return 0
