"""Single-article Word (.docx), RTF and PDF files: their text layer, for the same cleaning as a .txt article."""

from __future__ import annotations

import io

from analysis.readers.base import FileRejected, ReadContext, Record
from analysis.readers.text import records_from_text


def load_docx_text(data: bytes) -> str:
    """The paragraphs of a .docx article, one per line (tables, headers and footers are not read)."""
    from analysis.readers.nexisuni import load_docx_paragraphs

    return "\n".join(load_docx_paragraphs(data))


def load_rtf_text(data: bytes) -> str:
    """The text of an .rtf article (striprtf); RTF is 7-bit, its own escapes carry the other characters."""
    from analysis.readers.factiva import load_rtf_text as rtf_to_text

    return rtf_to_text(data.decode("latin-1"))


def load_pdf_text(data: bytes) -> str:
    """The text layer of a PDF article (pypdf), pages separated by a blank line.

    A PDF without a text layer (a scan) is rejected (reason ``no_text_layer``): run OCR on it first.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - pypdf raises several types for unknown encryption
                raise FileRejected("encrypted", "the PDF is password-protected: save an unprotected copy") from exc
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FileRejected("parse_error", f"the PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    text = "\n\n".join(p.strip() for p in pages)
    if not text.strip():
        raise FileRejected(
            "no_text_layer",
            f"the PDF has {len(pages)} page(s) but no text layer (a scanned image?): run OCR "
            "(e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result",
        )
    return text


def read_document_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article from a Word, RTF or PDF file: its text layer, then read exactly as a ``.txt`` article."""
    loaders = {"docx": load_docx_text, "rtf": load_rtf_text, "pdf": load_pdf_text}
    text = loaders[ctx.fmt](data)
    if not text.strip():
        raise FileRejected("empty_file", f"the {ctx.fmt} file holds no text")
    return records_from_text(path, text, ctx.sha256, 0)
