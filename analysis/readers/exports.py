"""Multi-article database exports (LexisNexis, Nexis Uni, Factiva): one record per article, with its position."""

from __future__ import annotations

from analysis.readers import factiva, lexisnexis, nexisuni
from analysis.readers.base import FileRejected, Parsed, ReadContext, Record, decode

EXPORT_FORMATS = ("lexisnexis", "nexisuni", "factiva")


def read_export(fmt: str, data: bytes, text: str | None) -> Parsed:
    """The articles of a multi-article export (``fmt`` in :data:`EXPORT_FORMATS`). ``text`` is ``data`` decoded
    (for the text-based formats); a .docx or .rtf container is read from ``data``."""
    is_rtf = data.lstrip()[:5] == b"{\\rtf"
    if fmt == "nexisuni":
        return nexisuni.parse_nexisuni(nexisuni.load_docx_paragraphs(data))
    if is_rtf:
        text = factiva.load_rtf_text(data.decode("latin-1"))
    if text is None:
        raise FileRejected("undecodable", f"a {fmt} export must be text, HTML or RTF")
    if fmt == "lexisnexis":
        return lexisnexis.parse_lexisnexis(text)
    if fmt == "factiva":
        if not is_rtf and factiva.sniff_html(text):
            return factiva.parse_factiva_html(text)
        return factiva.parse_factiva_text(text)
    raise ValueError(f"{fmt} is not an export format")


def read_export_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """The articles of a database export, one record each with its position in the file as ``source_row``; a
    damaged article is rejected on its own, with its position."""
    text, repaired = None, 0
    if ctx.fmt != "nexisuni" and not data.lstrip()[:5] == b"{\\rtf":
        text, repaired = decode(data, ctx.rules)
    parsed = read_export(ctx.fmt, data, text)
    ctx.rejects.extend((path, r.position, r.reason, r.detail) for r in parsed.rejects)
    return [
        Record(
            text=a.text,
            path=path,
            row=a.position,
            sha256=ctx.sha256,
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
