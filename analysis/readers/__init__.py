"""Input formats: one module per format, the registry of readers, and the detection of a file's format.

A reader is ``read_<format>_file(path, data, ctx) -> list[Record]``: ``data`` is the file's bytes (already
gunzipped), ``ctx`` a :class:`ReadContext` (checksum, cleaning rules, column overrides, the format and extension, and
the list that collects rows rejected while reading). A file that cannot be read at all raises :class:`FileRejected`
with a reason. To add a format: write ``readers/<format>.py``, add it to :data:`FORMATS` and :data:`READERS`, and
teach :func:`find_format` to recognise it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from analysis.readers import documents, exports, factiva, html, jsonl, lexisnexis, mediacloud, nexisuni, table, text
from analysis.readers.base import (
    Article,
    FileRejected,
    Parsed,
    ReadContext,
    Record,
    Reject,
    file_kind,
    read_bytes,
)
from analysis.readers.exports import EXPORT_FORMATS, read_export

__all__ = [
    "Article",
    "FileRejected",
    "Parsed",
    "ReadContext",
    "Record",
    "Reject",
    "FORMATS",
    "READERS",
    "STREAM_READERS",
    "EXPORT_FORMATS",
    "DOCUMENT_FORMATS",
    "file_kind",
    "find_format",
    "read_bytes",
    "read_export",
]

# Every format `ingest --format` accepts, with what it reads. "Export" formats hold many articles per file.
FORMATS = {
    "txt": "one article per plain-text file (YAML front matter / .meta.json sidecar for metadata)",
    "html": "one article per HTML page (main text and metadata by trafilatura)",
    "csv": "one article per row; columns found by name",
    "tsv": "one article per row, tab-separated",
    "jsonl": "one article per JSON line",
    "docx": "one article per Word file (python-docx)",
    "rtf": "one article per RTF file (striprtf)",
    "pdf": "one article per PDF file with a text layer (pypdf)",
    "lexisnexis": 'LexisNexis Academic export: "N of M DOCUMENTS" separators (.txt, or the same saved as .rtf)',
    "nexisuni": 'Nexis Uni Word export (.docx): articles closed by "End of Document"',
    "factiva": "Factiva export with field codes (HD, PD, SN, LP, TD, AN) as .html, .rtf or .txt",
    "mediacloud": "Media Cloud story-list CSV (media_name is the outlet)",
}
DOCUMENT_FORMATS = ("docx", "rtf", "pdf")
BY_SUFFIX = {
    "txt": "txt",
    "text": "txt",
    "html": "html",
    "htm": "html",
    "csv": "csv",
    "tsv": "tsv",
    "tab": "tsv",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "docx": "docx",
    "rtf": "rtf",
    "pdf": "pdf",
}
SNIFF_BYTES = 256_000  # how much of a text file detection reads


def _suffix(path: str) -> str:
    suffixes = [s.lower().lstrip(".") for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == "gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _docx_xml(data: bytes) -> str | None:
    """The document XML of a .docx (``None`` when ``data`` is no readable Word file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.read("word/document.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error):
        return None


def find_format(path: str, data: bytes) -> str | None:
    """The format of a file (a key of :data:`FORMATS`) from its content first, then its suffix; ``None`` when
    neither names a supported format. ``data`` is the (decompressed) content."""
    suffix = _suffix(path)
    if data[:4] == b"PK\x03\x04":
        xml = _docx_xml(data)
        if xml is None:
            return BY_SUFFIX.get(suffix)  # a damaged .docx: its reader says why it cannot be read
        # the marker in the raw XML is enough to choose; when Word split it across runs, read the paragraphs
        if ">End of Document<" in xml:
            return "nexisuni"
        if "End of" not in xml:
            return "docx"
        try:
            return "nexisuni" if nexisuni.sniff(nexisuni.load_docx_paragraphs(data)) else "docx"
        except FileRejected:
            return "docx"  # the docx reader reports why it cannot be read
    if data[:5] == b"%PDF-":
        return "pdf"
    head = data[:SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    if head.lstrip().startswith("{\\rtf"):
        try:  # the opening is enough to tell (striprtf reads an unterminated prefix)
            text = factiva.load_rtf_text(data[:SNIFF_BYTES].decode("latin-1"))
        except FileRejected:
            return "rtf"
        if lexisnexis.sniff(text):
            return "lexisnexis"
        return "factiva" if factiva.sniff_text(text) else "rtf"
    if lexisnexis.sniff(head):
        return "lexisnexis"
    low = head[:2000].lower()
    if ("<html" in low or "<!doctype" in low or "<table" in low) and factiva.sniff_html(head):
        return "factiva"
    if suffix not in ("csv", "tsv", "tab", "jsonl", "ndjson") and factiva.sniff_text(head):
        return "factiva"
    fmt = BY_SUFFIX.get(suffix)
    if fmt == "csv":
        first = head.split("\n", 1)[0]
        sep = max([",", ";", "\t", "|"], key=lambda d: (first.count(d), d == ","))
        if mediacloud.sniff_columns([c.strip().strip('"') for c in first.split(sep)]):
            return "mediacloud"
    return fmt


Reader = Callable[[str, bytes, ReadContext], list[Record]]

# format (a key of FORMATS) -> reader
READERS: dict[str, Reader] = {
    "txt": text.read_text_file,
    "html": html.read_html_file,
    "csv": table.read_table_file,
    "tsv": table.read_table_file,
    "jsonl": jsonl.read_jsonl_file,
    "mediacloud": mediacloud.read_mediacloud_file,
    **dict.fromkeys(DOCUMENT_FORMATS, documents.read_document_file),
    **dict.fromkeys(EXPORT_FORMATS, exports.read_export_file),
}
assert set(READERS) == set(FORMATS), "every format needs a reader"

# formats also read as a stream: ``iter_<format>_file(path, data, ctx, batch) -> Iterator[list[Record]]`` gives the
# reader's records ``batch`` rows at a time (whole-file rejections raised before it returns), holding one batch
StreamReader = Callable[[str, bytes, ReadContext, int], Iterator[list[Record]]]
STREAM_READERS: dict[str, StreamReader] = {
    "csv": table.iter_table_file,
    "tsv": table.iter_table_file,
    "jsonl": jsonl.iter_jsonl_file,
}
