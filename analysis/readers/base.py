"""What every reader returns: articles with their position in the file, rejects with theirs, and shared helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class FileRejected(Exception):
    """The whole file cannot be read by this reader; ``reason`` is a short key, ``detail`` says what to do."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


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
