"""Nexis Uni Word (.docx) exports: a cover list, then articles (title, outlet, date, fields, Body, End of Document)."""

from __future__ import annotations

import io
import re
import zipfile

from analysis.readers.base import (
    Article,
    FileRejected,
    Parsed,
    Reject,
    find_date_part,
    join_paragraphs,
    looks_like_date,
    normalize_field_name,
    parse_length,
)

DATABASE = "Nexis Uni"
END = "End of Document"
# "Byline: ...", "Load-Date: ...", "Journal Code: ...": a capitalised label of at most four words and a colon.
FIELD = re.compile(r"^(?P<name>[A-ZÄÖÜ][A-Za-zäöüÄÖÜ]*(?:[ -][A-Za-zäöüÄÖÜ]+){0,3}):\s*(?P<value>.*)$")
COPYRIGHT = re.compile(r"^\s*(?:Copyright\b|©)", re.I)
COVER_COUNT = re.compile(r"^Documents\s*\((\d+)\)\s*$")
# "Body" (English interface), "Text" (German interface, as LexisNexisTools reads it; not seen here)
BODY_HEADINGS = ("Body", "Text")
NAMED_FIELDS = {
    "byline": "byline",
    "author": "byline",
    "autor": "byline",
    "section": "section",
    "rubrik": "section",
    "length": "length",
    "länge": "length",
    "language": "language",
    "sprache": "language",
}


def load_docx_paragraphs(data: bytes) -> list[str]:
    """The paragraphs of a .docx file (line breaks inside a paragraph split it; non-breaking spaces as spaces)."""
    import docx  # python-docx, imported lazily: only Word files need it

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FileRejected("parse_error", f"not a readable Word .docx file ({exc}): open and save it again") from exc
    except Exception as exc:  # noqa: BLE001 - lxml raises its own types for damaged XML inside the zip
        raise FileRejected("parse_error", f"the .docx cannot be parsed ({type(exc).__name__}: {exc})") from exc
    out = []
    for p in document.paragraphs:
        for line in p.text.replace("\xa0", " ").split("\n"):
            out.append(line.strip())
    return out


def sniff(paragraphs: list[str]) -> bool:
    """Whether the paragraphs of a Word file are a Nexis Uni export (articles closed by "End of Document")."""
    return any(p == END for p in paragraphs) and any(p in BODY_HEADINGS or FIELD.match(p) for p in paragraphs)


def _field(line: str) -> tuple[str, str] | None:
    m = FIELD.match(line)
    return (m.group("name"), m.group("value").strip()) if m else None


def parse_article(lines: list[str], position: int) -> Article | Reject:
    """One article: the paragraphs between two "End of Document" markers (the cover list may precede it)."""
    idx = [i for i, line in enumerate(lines) if line]
    where = f"article {position} in the file"
    if not idx:
        return Reject(position, "malformed_article", f"{where} is empty: the export is damaged; export it again")
    body_at = next((i for i in idx if lines[i] in BODY_HEADINGS), None)
    # The fields before "Body" (Section:, Length:, Byline: ...) and, before them, copyright, date, outlet, title.
    if body_at is not None:
        j = body_at - 1
    else:  # no "Body" heading: the body starts after the run of fields that follows the head
        first = next((i for i in idx if _field(lines[i])), None)
        if first is None:
            return Reject(position, "malformed_article", f"{where} has no 'Body' heading and no fields (Length:)")
        body_at = first
        for i in idx:
            if i > first:
                if not _field(lines[i]):
                    break
                body_at = i
        j = body_at
    lead_fields = []
    while j >= 0 and (not lines[j] or _field(lines[j])):
        if lines[j]:
            lead_fields.insert(0, _field(lines[j]))
        j -= 1
    head = []
    while j >= 0 and len(head) < 4:
        if lines[j]:
            if COVER_COUNT.match(lines[j]) or (len(head) >= 3 and re.match(r"^\d+\.\s", lines[j])):
                break
            head.insert(0, lines[j])
        j -= 1
    copyright_line = None
    if head and COPYRIGHT.match(head[-1]):
        copyright_line = head.pop()
    date_at = next((k for k in range(len(head) - 1, -1, -1) if looks_like_date(head[k])), None)
    if date_at is not None:
        date_line = head[date_at]
        outlet = head[date_at - 1] if date_at >= 1 else None
        title = head[date_at - 2] if date_at >= 2 else None
    else:
        date_line, outlet = None, None
        title = head[-1] if head else None
    # Body paragraphs up to the trailing block: "Classification" and fields (Language:, Load-Date: ...).
    rest = lines[body_at + 1 :]
    k = len(rest)
    while k > 0 and (not rest[k - 1] or _field(rest[k - 1]) or rest[k - 1] in ("Classification", "Graphic")):
        k -= 1
    body = join_paragraphs(rest[:k])
    fields: dict[str, str | None] = {"database": DATABASE}
    for name, value in lead_fields + [f for f in map(_field, rest[k:]) if f]:
        key = normalize_field_name(name)
        fields[NAMED_FIELDS.get(key, "nexis_" + key)] = value
    if copyright_line:
        fields["nexis_copyright"] = copyright_line
    fields["published_raw"] = date_line
    if fields.get("length") is not None:
        fields["length_words"] = parse_length(fields["length"])
    if not body:
        return Reject(position, "malformed_article", f"{where} ({title or 'no title'}) has no body text")
    return Article(
        position=position, text=body, title=title, outlet=outlet, published=find_date_part(date_line), fields=fields
    )


def parse_nexisuni(paragraphs: list[str]) -> Parsed:
    """The articles of a Nexis Uni Word export, and the documents its cover list announces but it does not hold."""
    ends = [i for i, p in enumerate(paragraphs) if p == END]
    if not ends:
        raise FileRejected("no_documents", '"End of Document" never occurs: not a Nexis Uni Word export')
    out = Parsed()
    start = 0
    for n, end in enumerate(ends, start=1):
        item = parse_article(paragraphs[start:end], n)
        (out.articles if isinstance(item, Article) else out.rejects).append(item)
        start = end + 1
    tail = [p for p in paragraphs[start:] if p]
    if tail:  # text after the last "End of Document": an article cut off by a truncated download
        n = len(ends) + 1
        item = parse_article(paragraphs[start:], n)
        if isinstance(item, Article):
            item.fields["nexis_truncated"] = "no End of Document"
            out.articles.append(item)
        else:
            out.rejects.append(
                Reject(n, "truncated_article", f"article {n}: text after the last End of Document ({item.detail})")
            )
    announced = next((int(m.group(1)) for p in paragraphs[:50] if (m := COVER_COUNT.match(p))), None)
    found = len(out.articles) + sum(r.position is not None for r in out.rejects)
    if announced is not None and found < announced:
        out.rejects.append(
            Reject(
                None,
                "missing_documents",
                f"the cover list announces {announced} documents, the file holds {found} "
                "(the file is probably truncated: download it again)",
            )
        )
    return out
