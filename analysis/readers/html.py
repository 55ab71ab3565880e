"""HTML pages (``.html``/``.htm``): the main text and metadata extracted with trafilatura."""

from __future__ import annotations

from analysis.readers.base import ReadContext, Record, apply_filename, apply_meta, decode, read_sidecar

SUFFIXES = (".html", ".htm")

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


def read_html_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article from an HTML page: main text and metadata (title, date, site, url) by trafilatura."""
    html, repaired = decode(data, ctx.rules)
    page = extract_html(html)
    rec = Record(
        text=page["text"],
        path=path,
        row=None,
        sha256=ctx.sha256,
        bytes_repaired=repaired,
        title=page["title"],
        url=page["url"],
        outlet=page["outlet"],
    )
    if page["date"]:
        rec.published, rec.date_source = page["date"], "metadata"
    apply_meta(rec, read_sidecar(path))
    return [apply_filename(rec, path)]
