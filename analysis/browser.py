"""Headless Chromium (Debian's `chromium`, driven by Playwright) for screenshots and browser checks of HTML pages."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import AnalysisError

# Flags for a quiet, offline browser: no GPU, no first-run pages, no background network, updates or sync.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_INSTALL = "sudo apt-get install chromium   (or: bash scripts/setup.sh --dev as root)"


class BrowserError(AnalysisError):
    """Chromium or Playwright is missing, or a page could not be opened."""


def find_chromium() -> Path:
    """The Chromium executable: $CHROMIUM, else `chromium` on the PATH (Debian's package installs /usr/bin/chromium)."""
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not candidate or not Path(candidate).exists():
        raise BrowserError(f"no Chromium found (set $CHROMIUM or install it: {CHROMIUM_INSTALL})")
    return Path(candidate)


@contextlib.contextmanager
def open_browser(*, width: int = 1440, height: int = 900) -> Iterator[object]:
    """A Playwright browser context on a fresh, temporary profile, removed afterwards; yields the context.

    Never downloads a browser (no `playwright install`): it drives the system Chromium found by
    :func:`find_chromium`, with :data:`CHROMIUM_FLAGS`.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BrowserError("Playwright is not installed: run `bash scripts/setup.sh --dev`") from exc
    executable = find_chromium()
    with tempfile.TemporaryDirectory(prefix="analysis-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(executable),
            args=list(CHROMIUM_FLAGS),
            headless=True,
            viewport={"width": width, "height": height},
            offline=True,
        )
        try:
            yield context
        finally:
            context.close()


def save_screenshot(
    url_or_path: str | os.PathLike, out: str | os.PathLike, *, width: int = 1440, height: int = 900, full_page=True
) -> Path:
    """Open a page (a URL or an HTML file) at ``width`` x ``height`` CSS pixels and save a PNG screenshot to ``out``."""
    target = str(url_or_path)
    if "://" not in target:
        target = Path(target).resolve().as_uri()
    out = Path(out)
    with open_browser(width=width, height=height) as context:
        page = context.new_page()
        page.goto(target, wait_until="load")
        page.wait_for_timeout(300)  # let the page's scripts (interactive tables) finish drawing
        page.screenshot(path=str(out), full_page=full_page)
    return out
