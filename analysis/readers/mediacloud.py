"""Media Cloud story lists (CSV): which columns mean what, and the notice that a list holds no article text."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from analysis.readers import table
from analysis.readers.base import ReadContext, Record

log = logging.getLogger(__name__)

DATABASE = "Media Cloud"
# Both generations of Media Cloud's story-list CSV: the current search tool (id, indexed_date, language,
# media_name, media_url, publish_date, title, url) and the legacy API (stories_id, ..., media_id, media_name).
COLUMNS = {
    "source_id": ("id", "stories_id"),
    "published": ("publish_date",),
    "title": ("title",),
    "url": ("url",),
    "outlet": ("media_name",),
    "text": ("text", "story_text", "full_text"),
}
NO_TEXT = (
    "Media Cloud story lists carry titles, dates and URLs but no article text: fetch the pages at the url "
    "column (e.g. `trafilatura -i urls.txt -o pages/` or `wget -i urls.txt`) and ingest the saved .html files"
)


def sniff_columns(columns: Sequence[str]) -> bool:
    """Whether a CSV header is a Media Cloud story list (media_name, publish_date and url columns)."""
    names = {str(c).strip().lower() for c in columns}
    return {"media_name", "publish_date", "url"} <= names


def find_columns(columns: Sequence[str]) -> dict[str, str]:
    """Canonical field -> column of a Media Cloud story list (``media_name`` is the outlet)."""
    by_lower = {str(c).strip().lower(): c for c in columns}
    out = {}
    for fld, names in COLUMNS.items():
        col = next((by_lower[n] for n in names if n in by_lower), None)
        if col is not None:
            out[fld] = col
    return out


def _missing_text_detail(url: str | None) -> str:
    """The rejection detail for one story of a list without text."""
    return f"{NO_TEXT}; this story: {url or 'no url'}"


def read_mediacloud_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """A Media Cloud story list: its own columns (media_name is the outlet); a list without text: each story
    rejected, saying so."""
    df, row_numbers, repaired = table.read_frame(path, data, ctx)
    columns = {**find_columns(list(df.columns)), **ctx.columns}
    numbers = row_numbers if row_numbers is not None else range(1, len(df) + 1)
    if "text" not in columns:
        urls = df[columns["url"]].tolist() if "url" in columns else [None] * len(df)
        ctx.rejects.extend((path, int(n), "no_text", _missing_text_detail(u)) for n, u in zip(numbers, urls))
        log.warning("%s: %s", path, NO_TEXT)
        return []
    ctx = dataclasses.replace(ctx, columns=columns)
    records = table.records_from_frame(df, path, ctx, row_numbers=row_numbers, repaired=repaired)
    for rec in records:
        rec.extras["database"] = DATABASE
    return records
