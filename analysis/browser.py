"""Headless Chromium (Debian's `chromium`, driven by Playwright) for screenshots and browser checks of HTML pages."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

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


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("file", "data", "blob", "about") or parts.hostname in ("127.0.0.1", "localhost", "::1")


@contextlib.contextmanager
def open_browser(*, width: int = 1440, height: int = 900) -> Iterator[object]:
    """A Playwright browser context on a fresh, temporary profile, removed afterwards; yields the context.

    Never downloads a browser (no `playwright install`): it drives the system Chromium found by
    :func:`find_chromium`, with :data:`CHROMIUM_FLAGS`. Only local pages load (files, data:/blob: URLs and
    127.0.0.1, e.g. a JupyterLab server); every other request is refused and its URL appended to
    ``context.blocked_requests``, so that a test can assert a page asks for nothing from the network.
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
        )
        blocked: list[str] = []
        context.blocked_requests = blocked

        def _route(route) -> None:
            if _is_local(route.request.url):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", _route)
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
