"""Text from data kept inert in HTML and PDF: escaped table cells, and a PDF URL fetcher that fetches nothing from data.

Outlet names, titles, agencies and article text are scraped, untrusted input. Every table a report shows goes through
:func:`escape_frame` (inside the one table renderer), so a cell holding ``<script>`` or ``<img onerror=...>`` is shown
as text, whatever renders the table afterwards (a pandas Styler, an interactive table). WeasyPrint is given
:func:`make_url_fetcher`, which serves only embedded ``data:`` images and files inside the report's own folder: an
``<img src="http://...">`` or ``file:///etc/...`` that reached the HTML is never fetched.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd

from analysis.errors import AnalysisError

# Embedded images nbconvert writes into the report (figures); nothing else is a data: URL the report needs.
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|svg\+xml)[;,]", re.I)


class RefusedURL(AnalysisError):
    """A URL in report HTML that the PDF renderer must not fetch."""


def escape_text(value) -> str:
    """``value`` as HTML text: ``&``, ``<``, ``>`` and both quote characters escaped."""
    return html.escape(str(value), quote=True)


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) are HTML-escaped; numbers, dates and missing values
    are left as they are, so formatting still applies. Render the result without escaping again."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[col] = pd.Series(
                [escape_text(v) if isinstance(v, str) else v for v in s.tolist()], index=s.index, dtype=object
            )
    out.columns = [escape_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


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


__all__ = ["RefusedURL", "check_url", "escape_frame", "escape_text", "make_url_fetcher"]
