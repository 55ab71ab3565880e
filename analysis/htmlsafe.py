"""The PDF renderer fetches nothing that data names: a WeasyPrint URL fetcher for report pages.

Outlet names, titles, agencies and article text are scraped, untrusted input; tables escape them
(:mod:`analysis.htmltable`). Should a URL from data reach a page anyway, WeasyPrint is given :func:`make_url_fetcher`,
which serves only embedded ``data:`` images and files inside the report's own folder: an ``<img src="http://...">``
or ``file:///etc/...`` is never fetched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from analysis.errors import AnalysisError

# Embedded images nbconvert writes into the report (figures); nothing else is a data: URL the report needs.
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|svg\+xml)[;,]", re.I)


class RefusedURL(AnalysisError):
    """A URL in report HTML that the PDF renderer must not fetch."""


def check_url(url: str, root: str | os.PathLike) -> str:
    """``url`` if the PDF renderer may fetch it: a ``data:image/...`` URL or a file under ``root``; else RefusedURL."""
    if _DATA_IMAGE.match(url):
        return url
    parsed = urlparse(url)
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        base = Path(root).resolve()
        target = Path(unquote(parsed.path)).resolve()
        if target == base or base in target.parents:
            return url
    raise RefusedURL(f"not fetched: {url[:80]} (only the report's own figures are)")


def make_url_fetcher(root: str | os.PathLike):
    """A WeasyPrint URL fetcher that serves ``data:image/...`` URLs and files under ``root`` (the report's folder)
    and refuses every other URL (http, https, ftp, files elsewhere): WeasyPrint then leaves that resource out."""
    from weasyprint.urls import URLFetcher

    class ReportFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return super().fetch(check_url(url, root), headers)

    return ReportFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


__all__ = ["RefusedURL", "check_url", "make_url_fetcher"]
