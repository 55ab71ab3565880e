"""Writers of database exports in their documented structures, filled with self-written stories (tests, benchmarks).

The stories are invented for this project; the layouts follow LexisNexis Academic's text export, Nexis Uni's Word
export, Factiva's "Full Article/Report plus Indexing" (HTML, RTF, text) and Media Cloud's story-list CSV.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field


@dataclass
class Story:
    title: str
    outlet: str
    date: tuple[int, int, int]  # year, month, day
    byline: str
    section: str
    paragraphs: list[str]
    url: str = ""
    extra: dict = field(default_factory=dict)


MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

STORIES = [
    Story(
        "Ceasefire talks resume in Geneva",
        "The Northern Ledger",
        (2016, 10, 5),
        "Mara Quill",
        "WORLD; Pg. 4",
        [
            "Delegations from both sides returned to the negotiating table on Wednesday after a pause of two weeks.",
            "Mediators said the first session focused on access for aid convoys to the besieged districts.",
            "A spokesman for the opposition said no agreement was expected before the weekend.",
        ],
        "https://ledger.example/world/ceasefire-talks",
    ),
    Story(
        "Aid convoy reaches the eastern suburbs",
        "Harbour Evening Post",
        (2016, 10, 6),
        "Tomas Brenn",
        "NEWS",
        [
            "Forty trucks carrying flour, medicine and blankets crossed the front line shortly after dawn.",
            "Local officials counted more than twelve thousand families waiting at the distribution points.",
        ],
        "https://post.example/news/aid-convoy",
    ),
    Story(
        "Shelling damages the old market",
        "The Northern Ledger",
        (2016, 10, 9),
        "Mara Quill and Ide Varga",
        "WORLD; Pg. 2",
        [
            "Several shops in the covered market were destroyed overnight, residents said.",
            "LONDON: Diplomats at the embassy condemned the attack and called for an inquiry.",
            "The market had reopened in the spring after repairs paid for by traders themselves.",
        ],
        "https://ledger.example/world/old-market",
    ),
    Story(
        "Parliament debates refugee quota",
        "Valley Courier",
        (2016, 11, 1),
        "Sera Holm",
        "POLITICS",
        [
            "Members argued for six hours over a proposal to double the number of places for resettled families.",
            "The vote is scheduled for next Tuesday; the governing coalition is divided.",
            "Charities urged members to support the measure before winter sets in.",
        ],
        "https://courier.example/politics/quota",
    ),
]


def _date_us(story: Story, weekday: bool = True) -> str:
    y, m, d = story.date
    import datetime as dt

    wd = WEEKDAYS[dt.date(y, m, d).weekday()]
    return f"{MONTHS[m - 1]} {d}, {y}" + (f" {wd}" if weekday else "")


def _date_dmy(story: Story) -> str:
    y, m, d = story.date
    return f"{d} {MONTHS[m - 1]} {y}"


def _words(story: Story) -> int:
    return sum(len(p.split()) for p in story.paragraphs)


def _wrap(text: str, width: int = 76) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def write_lexisnexis(stories: list[Story], *, total: int | None = None) -> str:
    """A classic LexisNexis Academic text export (CRLF lines, download header, centred head lines)."""
    total = total or len(stories)
    out = ["", f"Download Request: Selected Items: 1-{total}", "Terms: ceasefire", "", ""]
    for i, s in enumerate(stories, start=1):
        out += [f"{'':30}{i} of {total} DOCUMENTS", "", "", f"{'':30}{s.outlet}", "", f"{'':28}{_date_us(s)}", ""]
        out += [s.title, "", f"BYLINE: {s.byline}", "", f"SECTION: {s.section}", "", f"LENGTH: {_words(s)} words", ""]
        for p in s.paragraphs:
            out += _wrap(p) + [""]
        out += [
            f"LOAD-DATE: {_date_us(s, weekday=False)}",
            "",
            "LANGUAGE: ENGLISH",
            "",
            "PUBLICATION-TYPE: Newspaper",
            "",
            f"{'':20}Copyright {s.date[0]} {s.outlet}",
            f"{'':30}All Rights Reserved",
            "",
        ]
    return "\r\n".join(out) + "\r\n"


def write_nexisuni_docx(stories: list[Story], *, announced: int | None = None, end_last: bool = True) -> bytes:
    """A Nexis Uni Word export: the cover list, then each article closed by "End of Document"."""
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.add_paragraph("Date and Time: Friday, 5. July 2019 09:31:00 CEST")
    d.add_paragraph(f"Documents ({announced or len(stories)})")
    for i, s in enumerate(stories, start=1):
        d.add_paragraph(f"{i}. {s.title}")
        d.add_paragraph("Client/Matter: -None-")
        d.add_paragraph("Search Terms: ceasefire")
    for i, s in enumerate(stories, start=1):
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        d.add_paragraph(s.title)
        d.add_paragraph(s.outlet)
        d.add_paragraph(_date_us(s) + " 9:20 AM GMT")
        d.add_paragraph(f"Copyright {s.date[0]} {s.outlet} All Rights Reserved")
        d.add_paragraph(f"Section:\xa0{s.section}")
        d.add_paragraph(f"Length:\xa0{_words(s)} words")
        d.add_paragraph(f"Byline:\xa0{s.byline}")
        d.add_paragraph("Body")
        for p in s.paragraphs:
            d.add_paragraph(p)
        d.add_paragraph("Classification")
        d.add_paragraph("Language:\xa0ENGLISH")
        d.add_paragraph(f"Load-Date:\xa0{_date_us(s, weekday=False)}")
        if end_last or i < len(stories):
            d.add_paragraph("End of Document")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _factiva_fields(s: Story, i: int) -> list[tuple[str, list[str]]]:
    y, m, day = s.date
    return [
        ("HD", [s.title]),
        ("BY", [s.byline]),
        ("WC", [f"{_words(s):,} words"]),
        ("PD", [_date_dmy(s)]),
        ("ET", ["09:15"]),
        ("SN", [s.outlet]),
        ("SC", ["NLEDG"]),
        ("SE", [s.section]),
        ("LA", ["English"]),
        ("CY", [f"(c) {y} {s.outlet}. All rights reserved."]),
        ("LP", s.paragraphs[:1]),
        ("TD", s.paragraphs[1:]),
        ("NS", ["gvio : Military Action | gcat : Political/General News"]),
        ("RE", ["syria : Syria | meastz : Middle East"]),
        ("AN", [f"Document NLEDG000020{y}{m:02d}{day:02d}ec{i:02d}0000x"]),
    ]


def write_factiva_html(stories: list[Story], *, damage: dict[int, tuple[str, ...]] | None = None) -> str:
    """A Factiva HTML export: one div per article, one table row per field (code cell, value cell)."""
    out = ["<html><head><title>Factiva</title></head><body>"]
    for i, s in enumerate(stories, start=1):
        out.append(f'<div class="article enArticle" id="article-{i}"><table border="0">')
        for code, paras in _factiva_fields(s, i):
            if code in (damage or {}).get(i, ()):  # a damaged article: these fields are missing
                continue
            if code in ("LP", "TD"):
                value = "".join(f'<p class="articleParagraph enarticleParagraph">{html.escape(p)}</p>' for p in paras)
            else:
                value = html.escape(" ".join(paras))
            out.append(
                f'<tr><td class="index" align="right" valign="top"><b>{code}</b>&nbsp;</td><td>{value}</td></tr>'
            )
        out.append("</table></div><br/>")
    out.append("</body></html>")
    return "\n".join(out)


def write_factiva_text(stories: list[Story], *, damage: dict[int, tuple[str, ...]] | None = None) -> str:
    """The same articles as field lines: a code, a tab, the value; paragraphs separated by blank lines."""
    out = []
    for i, s in enumerate(stories, start=1):
        for code, paras in _factiva_fields(s, i):
            if code in (damage or {}).get(i, ()):  # a damaged article: these fields are missing
                continue
            if code in ("LP", "TD"):
                out.append(code)
                for p in paras:
                    out += [""] + ["\t" + line for line in _wrap(p)]
                out.append("")
            else:
                out.append(f"{code}\t{' '.join(paras)}")
        out += ["", ""]
    return "\n".join(out)


def _rtf_escape(text: str) -> str:
    out = []
    for ch in text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}"):
        out.append(ch if ord(ch) < 128 else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?")
    return "".join(out)


def to_rtf(text: str) -> str:
    """Plain text as an RTF document (one \\par per line, non-ASCII as \\u escapes)."""
    body = "\\par\n".join(_rtf_escape(line) for line in text.split("\n"))
    return "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs22\n" + body + "\\par\n}"


def write_mediacloud_csv(stories: list[Story], *, with_text: bool = False) -> str:
    """A Media Cloud story list (the search tool's columns), optionally with a text column."""
    buf = io.StringIO()
    cols = ["id", "indexed_date", "language", "media_name", "media_url", "publish_date", "title", "url"]
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols + (["text"] if with_text else []))
    for i, s in enumerate(stories, start=1):
        y, m, d = s.date
        row = [
            f"{9000 + i}",
            f"{y}-{m:02d}-{d:02d} 14:00:00",
            "en",
            s.outlet,
            s.url.split("/")[2],
            f"{y}-{m:02d}-{d:02d} 08:30:00",
            s.title,
            s.url,
        ]
        w.writerow(row + (["\n\n".join(s.paragraphs)] if with_text else []))
    return buf.getvalue()


def write_docx_article(paragraphs: list[str]) -> bytes:
    """A one-article Word file."""
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def write_pdf(lines: list[str] | None) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica); ``None``: a page with no text (a "scan").

    Written by hand (objects + xref) because no PDF writer with text output is among the test dependencies.
    """
    if lines is None:
        content = b"0 0 1 rg 72 600 200 100 re f"  # a filled rectangle: an image-only page
    else:
        ops = ["BT", "/F1 11 Tf", "72 720 Td", "14 TL"]
        for line in lines:
            esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({esc}) Tj T*")
        ops.append("ET")
        content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
