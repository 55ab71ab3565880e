"""Factiva exports ("Full Article/Report plus Indexing"): field-coded articles (HD, BY, WC, PD, SN, LP, TD, AN ...)
saved as HTML, RTF or plain text."""

from __future__ import annotations

import re

from analysis.readers.base import Article, FileRejected, Parsed, Reject, find_date_part, join_paragraphs, parse_length

DATABASE = "Factiva"
# Factiva's documented field codes. Only these open a field, so a body line that starts with "US " stays text.
CODES = {
    "HD": "headline",
    "CR": "credit",
    "WC": "word count",
    "PD": "publication date",
    "ET": "publication time",
    "SN": "source name",
    "SC": "source code",
    "ED": "edition",
    "PG": "page",
    "LA": "language",
    "CY": "copyright",
    "LP": "lead paragraph",
    "TD": "text",
    "CT": "contact",
    "RF": "reference",
    "CO": "companies",
    "IN": "industries",
    "NS": "subjects",
    "RE": "regions",
    "IPC": "information provider codes",
    "IPD": "information provider descriptors",
    "PUB": "publisher",
    "AN": "accession number",
    "BY": "byline",
    "SE": "section",
    "CLM": "column",
    "ART": "captions",
    "VOL": "volume",
    "NGC": "newsgroup codes",
}
BODY_CODES = ("LP", "TD")
NAMED_FIELDS = {"BY": "byline", "SE": "section", "WC": "length", "LA": "language"}
_CODE_ALT = "|".join(sorted(CODES, key=len, reverse=True))
# "HD  Title", "HD\tTitle", a code alone on its line (the value follows), or "HD | Title |" (an RTF table row).
_LINE = re.compile(rf"^[ \t]*(?P<code>{_CODE_ALT})(?:[ \t]*\|[ \t]*|[ \t]+|$)(?P<value>.*?)[ \t|]*$")
_SP = r"(?:\s|&nbsp;|&#160;)*"
# Inside LP/TD a field line must look like one: the code at the line start, then a tab, two spaces, "|" or nothing.
_STRICT_LINE = re.compile(rf"^(?:{_CODE_ALT})(?:\t|  |[ \t]*\||[ \t]*$)")
_HTML_CODE_CELL = re.compile(rf"<td[^>]*>{_SP}(?:<[^>]+>{_SP})*(?:{_CODE_ALT}){_SP}(?:</[^>]+>{_SP})*</td>", re.I)


def sniff_text(text: str) -> bool:
    """Whether ``text`` holds Factiva field lines (an HD and a PD line at least)."""
    codes = {m.group("code") for m in map(_LINE.match, text.split("\n")) if m}
    return {"HD", "PD"} <= codes and bool(codes & {"SN", "AN", "WC", "LP", "TD"})


def sniff_html(html: str) -> bool:
    """Whether an HTML page is a Factiva export: table rows whose first cell is a field code."""
    return len(_HTML_CODE_CELL.findall(html[:200_000])) >= 3


def parse_factiva_text(text: str) -> Parsed:
    """The articles of a Factiva export in text form (a .txt, or an .rtf converted to text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    items: list[tuple[str, list[str], int]] = []  # (code, lines of its value, line number)
    for n, line in enumerate(text.split("\n"), start=1):
        m = _LINE.match(line)
        if m and items and items[-1][0] in BODY_CODES and not _STRICT_LINE.match(line):
            m = None  # inside the text, "IN 2015 the army ..." is a sentence, not the industry-code field
        if m:
            items.append((m.group("code"), [m.group("value").strip()], n))
        elif items:
            items[-1][1].append(line.strip())
    if not items:
        raise FileRejected("no_documents", "no Factiva field lines (HD, PD, SN, TD ...): not a Factiva export")
    return _articles([(code, _paragraphs(lines), n) for code, lines, n in items], unit="line")


def parse_factiva_html(html: str) -> Parsed:
    """The articles of a Factiva HTML export: each field one table row, its code in the first cell."""
    import lxml.html  # lxml comes with trafilatura

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise FileRejected("parse_error", f"the HTML cannot be parsed ({exc})") from exc
    items: list[tuple[str, list[str], int]] = []
    for row in root.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        if len(cells) < 2:
            continue
        code = cells[0].text_content().strip()
        if code not in CODES:
            continue
        paras = [" ".join(p.text_content().split()) for p in cells[1].iter("p")]
        if not paras:
            paras = [" ".join(cells[1].text_content().split())]
        items.append((code, [p for p in paras if p], row.sourceline or 0))
    if not items:
        raise FileRejected("no_documents", "no table row opens with a Factiva field code (HD, PD ...)")
    return _articles(items, unit="HTML line")


def parse_factiva_rtf(rtf: str) -> Parsed:
    """The articles of a Factiva RTF export (converted to text with striprtf, then read as text)."""
    return parse_factiva_text(load_rtf_text(rtf))


def load_rtf_text(rtf: str) -> str:
    """The plain text of an RTF document (striprtf); table cells become ``|``-separated."""
    from striprtf.striprtf import rtf_to_text

    try:
        return rtf_to_text(rtf, errors="ignore")
    except Exception as exc:  # noqa: BLE001 - striprtf raises bare exceptions on broken groups
        raise FileRejected("parse_error", f"the RTF cannot be parsed ({type(exc).__name__}: {exc})") from exc


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines of a field value as paragraphs: blank lines separate them, other line breaks are wrapping."""
    paras, cur = [], []
    for line in lines:
        if line:
            cur.append(line)
        elif cur:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return paras


def _articles(items: list[tuple[str, list[str], int]], *, unit: str) -> Parsed:
    """Group field items into articles: a new HD (once the current article has one) or an AN closes one."""
    groups: list[list[tuple[str, list[str], int]]] = []
    cur: list[tuple[str, list[str], int]] = []
    for item in items:
        if item[0] == "HD" and any(c == "HD" for c, _, _ in cur):
            groups.append(cur)
            cur = []
        cur.append(item)
        if item[0] == "AN":
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    out = Parsed()
    for position, group in enumerate(groups, start=1):
        item = _article(group, position, unit)
        (out.articles if isinstance(item, Article) else out.rejects).append(item)
    return out


def _article(group: list[tuple[str, list[str], int]], position: int, unit: str) -> Article | Reject:
    values: dict[str, list[str]] = {}
    for code, paras, _ in group:
        values.setdefault(code, []).extend(paras)
    where = f"article {position} ({unit} {group[0][2]})"
    body = join_paragraphs([p for code in BODY_CODES for p in values.get(code, [])])

    def one(code: str) -> str | None:
        return " ".join(values[code]).strip() or None if code in values else None

    if not body:
        return Reject(position, "malformed_article", f"{where}: no LP or TD text ({one('HD') or 'no headline'})")
    fields: dict[str, str | None] = {"database": DATABASE, "published_raw": one("PD")}
    for code in values:
        if code in BODY_CODES or code in ("HD", "SN", "AN", "PD"):
            continue
        fields[NAMED_FIELDS.get(code, "factiva_" + code.lower())] = one(code)
    if fields.get("length") is not None:
        fields["length_words"] = parse_length(fields["length"])
    an = one("AN")
    if an is None:
        fields["factiva_truncated"] = "no AN field: the article may be cut off"
    return Article(
        position=position,
        text=body,
        title=one("HD"),
        outlet=one("SN"),
        published=find_date_part(one("PD")),
        source_id=re.sub(r"^Document\s+", "", an) if an else None,
        fields=fields,
    )
