"""LexisNexis Academic classic plain-text exports: "N of M DOCUMENTS" separators, a metadata head, fields, body."""

from __future__ import annotations

import re
from collections import Counter

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

DATABASE = "LexisNexis"
# "1 of 10 DOCUMENTS"; the German and French interfaces write "Dokument 1 von 10", "Document 1 de 10" (the
# keywords LexisNexisTools documents for them; no such export was seen here).
SEPARATOR = re.compile(
    r"^[ \t]*(?:(\d+)[ \t]+of[ \t]+(\d+)[ \t]+DOCUMENTS?|Dokument[ \t]+(\d+)[ \t]+von[ \t]+(\d+)"
    r"|Document[ \t]+(\d+)[ \t]+de[ \t]+(\d+))[ \t]*$",
    re.M | re.I,
)
# An upper-case label and a colon opening a block: "BYLINE: ...", "LOAD-DATE: ...", "PUBLICATION-TYPE: ...".
_UP = "A-ZÀ-ÖØ-Þ"  # upper-case letters of the English, German and French interfaces ("LÄNGE:")
FIELD = re.compile(rf"^(?P<name>[{_UP}][{_UP}0-9]*(?:[ -][{_UP}0-9]+){{0,3}}):[ \t]*(?P<value>.*)$")
COPYRIGHT = re.compile(r"^\s*(?:Copyright\b|©|\(c\)\s*\d{4}|All Rights Reserved)", re.I)
# Canonical source columns; every other field keeps its own name with an ``ln_`` prefix.
NAMED_FIELDS = {
    "byline": "byline",
    "autor": "byline",
    "auteur": "byline",
    "section": "section",
    "rubrik": "section",
    "rubrique": "section",
    "length": "length",
    "länge": "length",
    "longueur": "length",
    "language": "language",
    "sprache": "language",
    "langue": "language",
}


def sniff(text: str) -> bool:
    """Whether ``text`` (the first part of a file) is a classic LexisNexis export."""
    return SEPARATOR.search(text.replace("\r", "")) is not None


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines (stripped), in order."""
    blocks, cur = [], []
    for line in lines:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def _field(block: list[str]) -> tuple[str, str] | None:
    m = FIELD.match(block[0])
    if not m:
        return None
    return m.group("name"), " ".join([m.group("value"), *block[1:]]).strip()


def _is_trailer(block: list[str]) -> bool:
    return _field(block) is not None or bool(COPYRIGHT.match(block[0]))


def parse_document(chunk: str, position: int, number: str, total: str) -> Article | Reject:
    """One document (the text between two separators) as an :class:`Article`, or a :class:`Reject`."""
    blocks = _blocks(chunk.split("\n"))
    where = f"document {position} in the file ({number} of {total} DOCUMENTS)"
    if not blocks:
        return Reject(position, "malformed_article", f"{where} is empty: the export is damaged; export it again")
    # Head: outlet block(s), the date block (date line + edition lines), then the title until the first field.
    date_at = next((i for i, b in enumerate(blocks[:4]) if looks_like_date(b[0])), None)
    first_field = next((i for i, b in enumerate(blocks) if _field(b) is not None), None)
    if date_at is None or (first_field is not None and first_field <= date_at):
        outlet, date_line, edition, after_head = None, None, [], 0
        if first_field is None:
            return Reject(
                position,
                "malformed_article",
                f"{where} has no date line and no fields (BYLINE:, LENGTH:): not a LexisNexis document",
            )
        # no date line: the block before the first field is the title, the first block (if another) the outlet
        title_blocks = blocks[first_field - 1 : first_field] if first_field else []
        outlet = " ".join(blocks[0]) if first_field >= 2 else None
        edition = [line for b in blocks[1 : first_field - 1] for line in b]
        after_head = first_field
    else:
        outlet = " ".join(line for b in blocks[:date_at] for line in b) or None
        date_line, edition = blocks[date_at][0], blocks[date_at][1:]
        after_head = date_at + 1
        end_title = first_field if first_field is not None else min(after_head + 1, len(blocks))
        title_blocks = blocks[after_head:end_title]
        after_head = end_title
    # Leading fields (BYLINE, SECTION, LENGTH, DATELINE, HIGHLIGHT ...), then the body, then trailing fields and
    # the copyright notice. The body ends where the blocks up to the end are all fields or copyright lines, so a
    # body paragraph that opens with "LONDON:" is not taken for a field.
    lead_end = after_head
    while lead_end < len(blocks) and _field(blocks[lead_end]) is not None:
        lead_end += 1
    tail_start = len(blocks)
    while tail_start > lead_end and _is_trailer(blocks[tail_start - 1]):
        tail_start -= 1
    body = join_paragraphs([" ".join(b) for b in blocks[lead_end:tail_start]])
    fields: dict[str, str | None] = {"database": DATABASE, "ln_document": f"{number} of {total}"}
    copyright_lines = []
    for b in blocks[after_head:lead_end] + blocks[tail_start:]:
        f = _field(b)
        if f is None:
            copyright_lines.append(" ".join(b))
            continue
        key = normalize_field_name(f[0])
        fields[NAMED_FIELDS.get(key, "ln_" + key)] = f[1]
    if copyright_lines:
        fields["ln_copyright"] = " ".join(copyright_lines)
    if edition:
        fields["ln_edition"] = " ".join(edition)
    fields["published_raw"] = date_line
    if fields.get("length") is not None:
        fields["length_words"] = parse_length(fields["length"])
    title = " ".join(line for b in title_blocks for line in b) or None
    if not body:
        return Reject(position, "malformed_article", f"{where} ({title or 'no title'}) has no body text")
    return Article(
        position=position,
        text=body,
        title=title,
        outlet=outlet,
        published=find_date_part(date_line),
        fields=fields,
    )


def parse_lexisnexis(text: str) -> Parsed:
    """The articles of a classic LexisNexis text export, and the documents it announces but does not hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    seps = list(SEPARATOR.finditer(text))
    if not seps:
        raise FileRejected(
            "no_documents", 'no "N of M DOCUMENTS" separator: not a LexisNexis text export (use --format)'
        )
    out = Parsed()
    for i, m in enumerate(seps, start=1):
        end = seps[i].start() if i < len(seps) else len(text)
        number, total = _numbers(m)
        item = parse_document(text[m.end() : end], i, number, total)
        (out.articles if isinstance(item, Article) else out.rejects).append(item)
    # A truncated file: the separators announce M documents, fewer are there.
    total = Counter(int(_numbers(m)[1]) for m in seps).most_common(1)[0][0]
    seen = {int(_numbers(m)[0]) for m in seps}
    missing = [n for n in range(1, total + 1) if n not in seen]
    if missing:
        out.rejects.append(
            Reject(
                None,
                "missing_documents",
                f"the export announces {total} documents but holds {total - len(missing)}; missing: "
                f"{_ranges(missing)} (the file is probably truncated: download it again)",
            )
        )
    return out


def _numbers(m: re.Match) -> tuple[str, str]:
    """(N, M) of a separator in any of its languages."""
    groups = [g for g in m.groups() if g is not None]
    return groups[0], groups[1]


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    parts, start = [], numbers[0]
    for a, b in zip(numbers, numbers[1:] + [None]):
        if b != a + 1:
            parts.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(parts)
