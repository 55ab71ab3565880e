"""End to end on a hostile corpus (issue 15): ingest, analyse and render every report from scraped-looking input full
of markup, formulas, broken rows, bad dates, special files and odd names, and check what came out.

Asserted: no command exits 1 (an internal error); every input is accounted for (articles + rejects + listed skips);
no markup from the data is live in any HTML; the PDF renderer fetches nothing the data names; nothing outside the
output folders is written or deleted.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pandas as pd
import pytest

from analysis import config

pytestmark = pytest.mark.slow

MARK = "xss15"
PAYLOADS = [
    f"<script>alert('{MARK}')</script>",
    f"<img src=x onerror=alert('{MARK}')>",
    f"<svg onload=alert('{MARK}')>",
    f"</table><h1>{MARK}-INJECTED</h1>",
    f'"><iframe src="javascript:alert(\'{MARK}\')"></iframe>',
    f"</script><script>alert('{MARK}')</script>",
    f"<a href=\"javascript:alert('{MARK}')\">{MARK}-link</a>",
]
BODY = (
    "Iraqi forces pushed into western Mosul on {day}, officers said, as Islamic State fighters fired mortars at "
    "advancing troops.\nThe United Nations said thousands of civilians had fled the city and aid agencies warned "
    "of shortages of food and water.\nIn Raqqa, the Syrian Democratic Forces said they had taken a district from "
    "the militants."
)


class _Server(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


def _write_hostile_inputs(raw: Path, port: int) -> None:
    """The hostile corpus: every kind of bad input the sweep covers, around articles that are fine."""
    fetch = f'<img src="http://127.0.0.1:{port}/{MARK}.png"> <link rel=stylesheet href="http://127.0.0.1:{port}/c.css">'
    rows = ["id,title,outlet,agency,date,text"]
    for i, payload in enumerate(PAYLOADS + [fetch, '=HYPERLINK("http://evil.example","x")', "+1+1", "@SUM(A1)"]):
        text = BODY.format(day=f"day {i}") + f"\nThe statement read: {payload}"
        cell = '"' + text.replace('"', '""') + '"'
        title = '"' + f"Mosul {payload}".replace('"', '""') + '"'
        outlet = '"' + f"Outlet {payload}".replace('"', '""') + '"'
        agency = '"' + payload.replace('"', '""') + '"'
        rows.append(f"{i},{title},{outlet},{agency},2017-0{1 + i % 9}-1{i % 9},{cell}")
    rows.append('90,"Short row",Desk,2017-01-05')  # too few fields
    rows.append('91,"Unclosed quote,Desk,,2017-01-06,' + BODY.format(day="Friday").replace("\n", " "))
    rows.append(f'92,Far future,Desk,,9999-12-31,"{BODY.format(day="Sunday")}"')
    rows.append(f'93,Impossible,Desk,,2017-02-30,"{BODY.format(day="Monday")}"')
    rows.append(f'94,Ancient,Desk,,1500-01-01,"{BODY.format(day="Tuesday")}"')
    (raw / "scraped.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = [
        json.dumps(
            {"title": f"Raqqa {p}", "source": f"<b>{MARK}</b>", "date": "2017-03-02", "text": BODY.format(day=p)}
        )
        for p in PAYLOADS[:3]
    ]
    lines += [json.dumps({"text": 12345}), json.dumps({"text": True}), json.dumps({"text": {"a": 1}}), "{broken"]
    (raw / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    front = f'---\ntitle: "{PAYLOADS[1]}"\noutlet: "{PAYLOADS[3]}"\ndate: 2017-02-30\n---\n'
    (raw / "front.txt").write_text(front + BODY.format(day="Wednesday"), encoding="utf-8")
    page = (
        f"<html><head><title>Aleppo {PAYLOADS[0]}</title></head><body><article><h1>Aleppo</h1>"
        f"<p>{BODY.format(day='Thursday')}</p><p>&lt;script&gt;alert('{MARK}')&lt;/script&gt; was posted.</p>"
        f"{fetch}</article></body></html>"
    )
    (raw / "page.html").write_text(page, encoding="utf-8")
    with open(os.path.join(os.fsencode(raw), b"caf\xe9_2017-04-01.txt"), "w") as fh:
        fh.write(BODY.format(day="Saturday"))
    (raw / ".hidden").mkdir()
    (raw / ".hidden" / "x.txt").write_text(BODY.format(day="x"))
    (raw / "README.md").write_text("notes")
    os.mkfifo(raw / "pipe.txt")
    os.symlink("/dev/zero", raw / "zero.txt")
    with gzip.open(raw / "bomb.txt.gz", "wb") as fh:
        for _ in range(12):
            fh.write(b" " * 2**20)
    (raw / "noise.txt").write_bytes(bytes((i * 7919) % 224 + 32 for i in range(30_000)))


def _tree(path: Path) -> dict[str, str]:
    out = {}
    for root, dirs, files in os.walk(path):
        for f in files + dirs:
            p = Path(root) / f
            key = os.fsencode(p.relative_to(path)).hex()
            if p.is_symlink():
                out[key] = "link:" + os.readlink(p)
            elif p.is_file():
                out[key] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[key] = "special" if not p.is_dir() else "dir"
    return out


class _LiveMarkup(HTMLParser):
    """Collects markup that the payloads would create if they were not escaped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self._tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._tags.append(tag)
        for name, value in attrs:
            if MARK in (value or "") or MARK in name or (value or "").lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        if self._tags and self._tags[-1] == tag:
            self._tags.pop()

    def handle_data(self, data):
        if not self._tags:
            return
        tag = self._tags[-1]
        if tag == "script" and f"alert('{MARK}')" in data.strip()[:40]:
            self.live.append(f"<script>{data[:60]}")
        if tag in ("h1", "a", "iframe", "b") and data.startswith(MARK):
            self.live.append(f"<{tag}>{data[:60]}")


def _run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd, timeout=1500
    )


def test_hostile_corpus_end_to_end(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    raw = tmp_path / "raw"
    raw.mkdir()
    _write_hostile_inputs(raw, server.server_address[1])
    untouched = tmp_path / "untouched"
    untouched.mkdir()
    (untouched / "keep.txt").write_text("precious")
    before_raw, before_untouched = _tree(raw), _tree(untouched)
    before_notebooks = sorted(p.name for p in config.NOTEBOOKS_DIR.iterdir())
    work = tmp_path / "cwd"
    work.mkdir()
    corpus, analysis, reports = tmp_path / "interim" / "articles.parquet", tmp_path / "analysis", tmp_path / "reports"
    try:
        ing = _run("ingest", str(raw), "--out", str(corpus), "--no-progress", "--max-file-mb", "4", cwd=work)
        assert ing.returncode == 0, ing.stderr
        ana = _run("analyze", str(corpus), "--out", str(analysis), "--no-progress", cwd=work)
        assert ana.returncode == 0, ana.stderr
        rep = _run(
            "report", "all", "--corpus", str(corpus), "--analysis", str(analysis), "--out", str(reports), cwd=work
        )
        assert rep.returncode == 0, rep.stderr[-3000:]
    finally:
        server.shutdown()

    # every input accounted for: articles + rejects + listed skips
    manifest = json.loads((corpus.parent / "ingest_manifest.json").read_text())
    articles = pd.read_parquet(corpus)
    rejects = pd.read_parquet(corpus.parent / "rejects.parquet")
    entries = {os.fsencode(p).decode("utf-8", "backslashreplace") for p in os.listdir(raw)}
    accounted = {Path(p).name for p in articles["source_path"]} | {Path(p).name for p in rejects["path"]}
    accounted |= {Path(s["path"]).name for s in manifest["skipped"]}
    assert entries <= accounted, entries - accounted
    c = manifest["counts"]
    assert c["rows"] == c["articles"] + c["rejected_rows"] and len(articles) == c["articles"]
    reasons = set(rejects["reason"])
    assert {"malformed_row", "bad_text_type", "malformed_json", "not_a_file", "too_large", "undecodable"} <= reasons
    assert {"1500-01-01", "9999-12-31", "2017-02-30"} <= set(articles["published_raw"].dropna())

    # no live markup in any HTML, and nothing fetched while making the PDFs
    pages = sorted(reports.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        parser = _LiveMarkup()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not parser.live, (page.name, parser.live[:5])
    assert not _Server.hits
    assert list(reports.rglob("*.pdf"))

    # nothing written or deleted outside the output folders
    assert _tree(raw) == before_raw and _tree(untouched) == before_untouched
    assert sorted(p.name for p in config.NOTEBOOKS_DIR.iterdir()) == before_notebooks
    assert not list(work.iterdir())
