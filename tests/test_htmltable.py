"""The one table renderer: escaped, readable, and searchable on screen without any network."""

from __future__ import annotations

import json
import re

import pandas as pd

from analysis import htmltable

HOSTILE = ['<script>alert("x")</script>', '<img src=x onerror="alert(1)">', "</table><h1>big</h1>"]


def _table(n: int = 30) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outlet": [HOSTILE[i % 3] for i in range(n)],
            "published": pd.to_datetime(["2017-10-02"] * (n - 1) + [None]),
            "n_articles": range(1000, 1000 + n),
            "share_neg": [0.25] * n,
            "left": ["the forces that"] * n,
            "match": ["liberated"] * n,
        }
    )


def _interactive_data(markup: str) -> list:
    return json.loads(json.loads(re.search(r'"data_json": ("(?:[^"\\]|\\.)*")', markup).group(1)))


def test_static_table_escapes_values_names_and_caption_and_formats_numbers():
    df = _table(3).rename(columns={"outlet": "<b>outlet</b>"})
    page = htmltable.render_table(df, caption="<i>caption</i>", percent=["share_neg"], max_rows=2)
    for bad in ("<script>", "<img", "</table><h1>", "<b>outlet", "<i>caption"):
        assert bad not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;outlet&lt;/b&gt;" in page and "&lt;i&gt;caption&lt;/i&gt;" in page
    assert "1,000" in page and "25.0%" in page and "2017-10-02" in page
    assert "Showing 2 of 3 rows." in page


def test_styler_aligns_text_left_numbers_right_and_keeps_dates_on_one_line():
    css = htmltable.style_table(_table(2), uuid="t").to_html().split("</style>")[0]
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", css))
    col = {name: i for i, name in enumerate(["outlet", "published", "n articles", "share neg", "left", "match"])}

    def props(c):
        return " ".join(v for k, v in rules.items() if f"#T_t_row0_col{col[c]}" in k)

    assert "text-align: left" in props("outlet") and "text-align: left" in props("match")
    assert "text-align: right" in props("n articles") and "white-space: nowrap" in props("published")
    assert "text-align: right" in props("left")  # keyword in context: the left context ends at the keyword


def test_interactive_copy_holds_every_row_escaped_and_links_nowhere():
    df = _table(30)
    page = htmltable.render_table_scripts() + htmltable.render_table(df, name="kwic", max_rows=5, interactive=True)
    assert not re.search(r"<script[^>]*\bsrc=", page) and not re.search(r"https?://", page)
    static, screen = page.split('class="table-box table-screen"')
    assert static.count('class="data row') // 6 == 5  # the first max_rows rows for print, six cells each
    data = _interactive_data(screen)
    assert len(data) == 30 and data[0][0] == '&lt;script&gt;alert("x")&lt;/script&gt;'  # cell text, not markup
    assert data[-1][1] == "–" and data[0][2] == 1000  # missing date shown as a dash; numbers sortable as numbers
    assert "<h1>" not in screen.replace("&lt;h1&gt;", "")
    assert htmltable.render_table(df, name="kwic", max_rows=5, interactive=True) in page  # deterministic
    small = htmltable.render_table(df.head(3), max_rows=5, interactive=True)
    assert "table-screen" not in small  # all rows already shown: no search box needed
