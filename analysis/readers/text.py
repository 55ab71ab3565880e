"""Plain-text articles (``.txt``): one article per file, metadata from YAML front matter, a sidecar or the name."""

from __future__ import annotations

from analysis.readers.base import (
    ReadContext,
    Record,
    apply_filename,
    apply_meta,
    decode,
    read_sidecar,
    split_front_matter,
)

SUFFIXES = (".txt", ".text")


def read_text_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article from a ``.txt`` file, with metadata from YAML front matter, a ``.meta.json`` sidecar or the name."""
    text, repaired = decode(data, ctx.rules)
    return records_from_text(path, text, ctx.sha256, repaired)


def records_from_text(path: str, text: str, sha256: str, repaired: int) -> list[Record]:
    """The one article of a text (front matter, sidecar and file name give its metadata)."""
    meta, text = split_front_matter(text.replace("\r\n", "\n"))
    rec = Record(text=text, path=path, row=None, sha256=sha256, bytes_repaired=repaired)
    apply_meta(rec, read_sidecar(path))
    apply_meta(rec, meta)
    return [apply_filename(rec, path)]
