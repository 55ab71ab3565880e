"""HTML reports in a real browser (Debian's Chromium driven by Playwright): no horizontal overflow on a phone or a
laptop, the interactive tables search, no console errors, nothing fetched from the network.

These tests never skip silently: without Chromium they fail and say how to install it (`make test` and
`scripts/setup.sh --dev` install it as root). Set ANALYSIS_SKIP_BROWSER_TESTS=1 to skip them on purpose.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import browser, config, render

pytestmark = pytest.mark.slow
REPORTS = ["explore", "coverage"]
WIDTHS = [390, 1440]


@pytest.fixture(scope="module")
def chromium():
    if os.environ.get("ANALYSIS_SKIP_BROWSER_TESTS") == "1":
        pytest.skip("ANALYSIS_SKIP_BROWSER_TESTS=1")
    try:
        return browser.find_chromium()
    except browser.BrowserError as exc:
        pytest.fail(f"{exc}. The browser tests do not skip silently; ANALYSIS_SKIP_BROWSER_TESTS=1 skips them.")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, chromium):
    """Two reports rendered with the package's own commands from FA-KES (../shared, 804 real articles: long
    titles, wide tables), or from the self-written mini corpus without ../shared."""
    from analysis.pipeline import analyze_corpus

    base = tmp_path_factory.mktemp("browser")
    corpus = base / "articles.parquet"
    fakes = config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv"
    source = fakes if fakes.is_file() else Path(__file__).parent / "data" / "mini_corpus.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(source), "--out", str(corpus)],
        capture_output=True,
        text=True,
        cwd=config.ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    analyze_corpus(corpus, base / "analysis", progress=False)
    results = render.render_reports(
        REPORTS, corpus=corpus, analysis=base / "analysis", out=base / "reports", progress=False, pdf=False
    )
    return {r.name: r.html for r in results}


def _open(context, path: Path):
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    # every interactive table has been drawn by DataTables (no-op when the page has none)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.table-screen')].every(b => b.querySelector('table.dataTable'))"
    )
    return page, errors


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", REPORTS)
def test_report_fits_the_screen_without_errors_or_network(rendered, name, width):
    path = Path(rendered[name])
    page_html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", page_html), "a script is loaded from a URL (no CDN: bundle it)"
    with browser.open_browser(width=width, height=900) as context:
        page, errors = _open(context, path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        body_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.text_cell_render p')).fontSize)")
        assert overflow <= 0, f"{name} at {width}px is {overflow}px wider than the screen"
        assert errors == [], errors
        assert context.blocked_requests == [], context.blocked_requests
        assert 15 <= body_px <= 16, body_px


def test_interactive_table_searches(rendered):
    path = Path(rendered["explore"])
    with browser.open_browser(width=1440, height=900) as context:
        page, errors = _open(context, path)
        table = page.locator(".table-screen").first
        rows = table.locator("table.dataTable tbody tr")
        first_page = rows.count()
        total = int(re.search(r"of ([\d,]+) entries", table.locator(".dt-info").inner_text()).group(1).replace(",", ""))
        assert total > first_page  # more rows than one page: the search has something to find
        word = rows.nth(first_page - 1).locator("td").first.inner_text().strip()
        table.locator("input[type=search]").fill(word)
        page.wait_for_timeout(300)
        shown = [rows.nth(i).inner_text() for i in range(rows.count())]
        assert 0 < len(shown) < total and all(word.lower() in r.lower() for r in shown)
        assert "filtered from" in table.locator(".dt-info").inner_text()
        table.locator("input[type=search]").fill("zzzz-no-such-term")
        page.wait_for_timeout(300)
        assert "No matching records" in table.inner_text()
        assert errors == []
