"""What every reader shares: the raw record and the read context, articles and rejects with their position in the
file, reading and decoding bytes, metadata from sidecars and front matter, and date/length helpers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis import clean, sources
from analysis.sources import Rejected

# The whole file (or row) cannot be read; ``reason`` is a short key, ``detail`` says what to do. It is the one
# rejection every reader raises (analysis.sources.Rejected), so ingest accounts for all of them alike.
FileRejected = Rejected


@dataclass
class Article:
    """One article found in an export, before cleaning; ``position`` is its 1-based place in the file."""

    position: int
    text: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # the date as the database wrote it (parsed later, by the one date rule)
    url: str | None = None
    source_id: str | None = None
    fields: dict[str, str | None] = field(default_factory=dict)  # the database's own fields (source columns)


@dataclass
class Reject:
    """An article (or a stretch of the file) that could not be read; ``position`` as for :class:`Article`."""

    position: int | None
    reason: str
    detail: str


@dataclass
class Parsed:
    """The articles and rejects of one file, in file order."""

    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


# "January 11, 2010 Monday", "July 1, 2019 Monday 9:20 AM GMT", "11 January 2010", "Sunday, 10. January 2010":
# the day-month-year part, so that the fast explicit formats read it (dateparser would, 100x slower). The raw
# value is kept beside it as published_raw; nothing is added that the database did not write.
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE_PART = re.compile(
    rf"\b(?:(?P<m1>{_MONTHS})\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<d2>\d{{1,2}})\.?\s+(?P<m2>{_MONTHS})\s+(?P<y2>(?:19|20)\d\d))\b",
    re.I,
)


_MONTH_NUMBER = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def find_date_part(raw: str | None) -> str | None:
    """The day-month-year of a database date line as ``YYYY-MM-DD`` ("January 11, 2010 Monday" -> "2010-01-11");
    ``raw`` unchanged when it holds no English month-name date (the general date parser then reads it)."""
    if not raw:
        return None
    m = _DATE_PART.search(raw)
    if not m:
        return raw.strip() or None
    month, day, year = (m.group("m1"), m.group("d1"), m.group("y1")) if m.group("m1") else m.group("m2", "d2", "y2")
    return f"{year}-{_MONTH_NUMBER[month[:3].lower()]:02d}-{int(day):02d}"


# Any language: a day, a word (the month) and a year, either order ("11. Januar 2010", "11 janvier 2010").
_ANY_DATE = re.compile(
    r"\b(?:\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+(?:19|20)\d\d|[^\W\d_]{3,}\.?\s+\d{1,2}\.?,?\s+(?:19|20)\d\d)\b"
)


def looks_like_date(line: str) -> bool:
    """Whether ``line`` holds a day, a month name and a year (a database's date line), in any language."""
    return bool(_DATE_PART.search(line) or _ANY_DATE.search(line))


_LENGTH = re.compile(r"([\d,.\s]+)\s*(?:words?|wörter|mots)\b", re.I)


def parse_length(value: str | None) -> int | None:
    """The number of words in a length field ("2,968 words", "523 words"), or ``None``."""
    if not value:
        return None
    m = _LENGTH.search(value)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(1))
    return int(digits) if digits else None


def normalize_field_name(name: str) -> str:
    """A field label as a column name: ``"PUBLICATION-TYPE"`` and ``"Publication-Type"`` -> ``publication_type``."""
    return re.sub(r"\W+", "_", name.strip().lower()).strip("_")


def join_paragraphs(paragraphs: list[str]) -> str:
    """Paragraphs as one text, separated by a newline; runs of blank paragraphs dropped."""
    return "\n".join(p for p in (q.strip() for q in paragraphs) if p)


@dataclass
class ReadContext:
    """What a reader needs besides the file: its checksum, the cleaning rules, column overrides, row rejects."""

    sha256: str
    rules: clean.Rules
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> column name (the --*-column flags)
    rejects: list = field(default_factory=list)  # (path, row, reason, detail) of rows rejected while reading
    fmt: str = ""  # the format the file is read as (a key of readers.FORMATS)
    kind: str = ""  # the file's extension without the dot (and without .gz)
    max_file_mb: float = sources.DEFAULT_MAX_FILE_MB  # the size cap (ingest --max-file-mb): also a cell's limit


@dataclass
class Record:
    """One raw article as read from its file, before cleaning."""

    text: str
    path: str
    row: int | None
    sha256: str
    title: str | None = None
    published: object = None  # raw value as read (analysis.dates parses it once the run's day/month order is known)
    outlet: str | None = None
    url: str | None = None
    source_id: str | None = None
    agency: str | None = None
    date_source: str | None = None
    bytes_repaired: int = 0
    extras: dict = field(default_factory=dict)


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
FILENAME_OUTLET = re.compile(r"^(?P<outlet>[A-Za-z][A-Za-z0-9.-]*?)_(?:19|20)\d{2}-?\d{2}-?\d{2}(?:_|$)")


def file_kind(path: str) -> tuple[str, bool]:
    """(extension of the content, gzipped?) for ``path``, e.g. ``("csv", True)`` for ``x.csv.gz``."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    return (suffixes[-1].lstrip(".") if suffixes else ""), gz


def read_bytes(path: str, gz: bool, *, max_mb: float = sources.DEFAULT_MAX_FILE_MB) -> bytes:
    """The content of ``path`` (gunzipped when ``gz``): regular files only, size-capped (analysis.sources)."""
    return sources.read_source_bytes(path, gz=gz, max_mb=max_mb)[1]


def decode(data: bytes, rules: clean.Rules) -> tuple[str, int]:
    """(text, bytes repaired) of a one-article file; empty, binary and mostly undecodable content is rejected."""
    return sources.decode_source(data, rules)


def read_sidecar(path: str) -> dict:
    p = Path(path)
    base = p.name[: -len("".join(p.suffixes))] if p.suffixes else p.name
    for cand in (p.with_name(p.name + ".meta.json"), p.with_name(base + ".meta.json")):
        if cand.exists():
            try:
                meta = json.loads(sources.read_source_bytes(str(cand), max_mb=16)[1].decode("utf-8"))
            except Rejected as exc:
                raise FileRejected("bad_metadata", f"sidecar {cand.name}: {exc.detail}") from None
            except (OSError, ValueError, RecursionError) as exc:
                raise FileRejected("bad_metadata", f"sidecar {cand.name} is not valid JSON ({exc}): fix it") from exc
            if not isinstance(meta, dict):
                raise FileRejected("bad_metadata", f"sidecar {cand.name} must hold a JSON object")
            return meta
    return {}


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings and go through analysis.dates like every other
    date (an impossible ``2017-02-30`` or an out-of-range ``1500-01-01`` is then a null date, not a crash)."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.load(m.group(1), Loader=_FrontMatterLoader) or {}  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise FileRejected("bad_metadata", f"YAML front matter cannot be parsed ({str(exc).splitlines()[0]})") from exc
    if not isinstance(meta, dict):
        raise FileRejected("bad_metadata", "YAML front matter must be a mapping (key: value lines)")
    return meta, text[m.end() :]


def apply_meta(rec: Record, meta: dict) -> Record:
    for key, value in meta.items():
        target = META_KEYS.get(str(key).lower())
        if target and value is not None and value != "":
            if isinstance(value, (dict, list, tuple, set)):
                # one value is expected; a nested value (possibly a YAML alias bomb) is never expanded to text
                raise FileRejected(
                    "bad_metadata", f"metadata {str(key)[:40]!r} must be a single value, not a list or mapping"
                )
            setattr(rec, target, value if target == "published" else str(value))
            if target == "published":
                rec.date_source = "metadata"
    return rec


def apply_filename(rec: Record, path: str) -> Record:
    name = Path(path).name
    if rec.outlet is None:
        m = FILENAME_OUTLET.match(name)
        if m:
            rec.outlet = m.group("outlet")
    return rec
