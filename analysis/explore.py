"""Drill down from any aggregate to its articles, and the interactive JupyterLab explorer built on the same calls.

``analysis.explore(corpus, tables)`` opens the explorer (this module is callable). The drill-down functions are
the ones the explorer calls, for use in any notebook:

- :func:`find_articles`: the articles behind a period, outlet, actor or place, frame and/or keyword;
- :func:`find_evidence`: the frame cues and actor mentions behind them, in context, with outlet, date and title;
- :func:`render_article`: the full cleaned text of one article, with the matches highlighted.

Sentences with a word: ``concordance.find_kwic(corpus, "liberat*", unit="sentence")``.
"""

from __future__ import annotations

import html
import re
import sys
import types
from collections.abc import Iterable

import pandas as pd

from analysis.errors import ParameterError
from analysis.periods import parse_date, to_period, validate_freq
from analysis.selection import select_documents
from analysis.tables import require_columns

ARTICLE_COLUMNS = ["doc_id", "published", "outlet", "title", "agency", "n_words"]
ANY = "(any)"


# ----------------------------------------------------------------------------------------------- the selection
def _table(tables, name: str) -> pd.DataFrame:
    """One analysis table from an :class:`analysis.pipeline.Analysis` or a dict of DataFrames."""
    if isinstance(tables, dict):
        if name not in tables:
            raise ParameterError(f"the tables have no {name!r}; they have: {', '.join(sorted(tables))}")
        return tables[name]
    return tables.table(name)


def _as_list(value) -> list:
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    return [value] if isinstance(value, str) else list(value)


def parse_period(period, *, freq: str = "M") -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first day, first day of the next period) of ``period``: "2017-04" with freq "M", "2017" with "Y",
    "2017-04-10" with "W" (the week holding that day), or a date."""
    freq = validate_freq(freq)
    if isinstance(period, str) and re.fullmatch(r"\d{4}(-\d{2})?", period.strip()):  # a year or a month
        period = period.strip() + ("-01-01" if len(period.strip()) == 4 else "-01")
    start = parse_date(period, name="period")
    if start is None:
        raise ParameterError(f"period {period!r}: give a date such as 2017-04 (month) or 2017 (year)")
    first = to_period(pd.Series([start]), freq).iloc[0]
    alias = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}[freq]
    following = (pd.Period(first, freq=alias) + 1).start_time
    return first, following


def _resolve_actors(names, dictionary) -> list[str]:
    """Actor/place ids of ``names`` (ids, labels or aliases); an unknown name is an error naming close ids."""
    ids = []
    for name in _as_list(names):
        if name in dictionary:
            ids.append(name)
            continue
        found = dictionary.resolve(str(name))
        if found is None:
            close = [e for e in dictionary.entries if str(name).lower().replace(" ", "_") in e][:8]
            hint = f"; similar ids: {', '.join(close)}" if close else "; see load_dictionary().entities"
            raise ParameterError(f"no actor or place {name!r} in the dictionary{hint}")
        ids.append(found)
    return list(dict.fromkeys(ids))


def _resolve_frames(names, codebook=None) -> list[str]:
    from analysis.frames import find_frame_labels

    labels = find_frame_labels(codebook)
    by_label = {v.lower(): k for k, v in labels.items()}
    out = []
    for name in _as_list(names):
        key = str(name).strip()
        frame = key if key in labels else by_label.get(key.lower())
        if frame is None:
            raise ParameterError(f"no frame {name!r}; the codebook has: {', '.join(labels)}")
        out.append(frame)
    return out


def find_articles(
    corpus: pd.DataFrame,
    tables=None,
    *,
    period=None,
    freq: str = "M",
    start=None,
    end=None,
    outlet=None,
    actor=None,
    frame=None,
    keyword=None,
    include_duplicates: bool = True,
    mentions: pd.DataFrame | None = None,
    dictionary=None,
) -> pd.DataFrame:
    """The articles behind an aggregate, in one call, sorted by date, outlet and doc_id.

    - ``period``: one period of ``freq`` ("2017-04" with freq "M", "2017" with "Y"); ``start``/``end``: a date
      window (inclusive, YYYY-MM-DD). Either drops undated articles.
    - ``outlet``: one outlet or a list (any of them).
    - ``actor``: an actor or place (id, label or alias, e.g. "SDF", "Raqqa") or a list: articles mentioning any
      of them (from ``tables.mentions``, or from ``mentions=`` when you found mentions with your own dictionary).
    - ``frame``: a frame id or label ("humanitarian"): articles where the frame is present (score > 0, as in
      :func:`analysis.frames.count_frames`).
    - ``keyword``: a word, phrase or glob as in :func:`analysis.concordance.find_kwic` (hyphenated compounds match).

    ``tables`` is the analysis (``pipeline.load_analysis``); it is needed for ``actor``, ``frame`` and the tone
    column. Columns: doc_id, published, outlet, title, agency, n_words, then tone (mean sentence VADER
    compound, ``vader_sent_mean``) when the analysis has it, and n_mentions / frame_score / n_matches for the
    filters used. An empty selection is an empty table (not an error); an unknown outlet, actor or frame is.
    """
    require_columns(corpus, ["doc_id", "published", "text"], what="corpus")
    docs = select_documents(
        corpus, start=start, end=end, outlets=_as_list(outlet), include_duplicates=include_duplicates, allow_empty=True
    )
    if period is not None and str(period).strip():
        first, following = parse_period(period, freq=freq)
        published = pd.to_datetime(docs["published"])
        docs = docs[(published >= first) & (published < following)]
    columns = [c for c in ARTICLE_COLUMNS if c in docs.columns]
    out = docs[columns].copy()
    documents = _optional(tables, "documents")
    if documents is not None and "vader_sent_mean" in documents.columns:
        out["tone"] = out["doc_id"].map(documents.drop_duplicates("doc_id").set_index("doc_id")["vader_sent_mean"])
    if _as_list(actor):
        from analysis.actors import default_dictionary

        ids = _resolve_actors(actor, dictionary or default_dictionary())
        table = mentions if mentions is not None else _table(_need(tables, "actor"), "mentions")
        n = table[table["actor_id"].isin(ids)].groupby("doc_id").size()
        out = out[out["doc_id"].isin(n.index)].assign(n_mentions=lambda d: d["doc_id"].map(n).astype("int64"))
    if _as_list(frame):
        ids = _resolve_frames(frame)
        scores = _table(_need(tables, "frame"), "frames")
        scores = scores[scores["frame"].isin(ids) & (scores["score"] > 0)].groupby("doc_id")["score"].max()
        out = out[out["doc_id"].isin(scores.index)].assign(frame_score=lambda d: d["doc_id"].map(scores))
    if keyword is not None and str(keyword).strip():
        from analysis.concordance import find_kwic

        chosen = corpus.loc[corpus["doc_id"].isin(out["doc_id"])]
        n = find_kwic(chosen, keyword).groupby("doc_id").size() if len(chosen) else pd.Series(dtype="int64")
        out = out[out["doc_id"].isin(n.index)].assign(n_matches=lambda d: d["doc_id"].map(n).astype("int64"))
    return out.sort_values(["published", "outlet", "doc_id"], kind="stable", na_position="last").reset_index(drop=True)


def _optional(tables, name: str) -> pd.DataFrame | None:
    if tables is None:
        return None
    try:
        return _table(tables, name)
    except ParameterError:
        return None


def _need(tables, what: str):
    if tables is None:
        raise ParameterError(f"selecting by {what} needs the analysis tables: pass pipeline.load_analysis(...)")
    return tables


def find_evidence(
    corpus: pd.DataFrame,
    tables,
    *,
    frame=None,
    actor=None,
    width: int = 60,
    mentions: pd.DataFrame | None = None,
    dictionary=None,
    **selection,
) -> pd.DataFrame:
    """The evidence behind a frame or an actor in context: the frame's matched cues (``frame_evidence``) and/or
    the actor's mentions, in the articles that :func:`find_articles` selects with the same options (``period``,
    ``outlet``, ``start``, ``end``, ``keyword``, ...).

    Columns: evidence_of (frame or actor id), indicator (for frames), doc_id, sent_id, start, end (offsets into
    the text), outlet, published, title, left, match, right; sorted by date, outlet and position.
    """
    if not _as_list(frame) and not _as_list(actor):
        raise ParameterError("find_evidence needs frame= or actor= (what the evidence is for)")
    articles = find_articles(
        corpus, tables, frame=frame, actor=actor, mentions=mentions, dictionary=dictionary, **selection
    )
    from analysis.frames import find_evidence_context

    parts = []
    if _as_list(frame):
        ev = _table(tables, "frame_evidence")
        ev = ev[ev["frame"].isin(_resolve_frames(frame)) & ev["doc_id"].isin(articles["doc_id"])]
        parts.append(
            ev.rename(columns={"frame": "evidence_of"})[
                ["evidence_of", "indicator", "doc_id", "sent_id", "start", "end"]
            ]
        )
    if _as_list(actor):
        from analysis.actors import default_dictionary

        ids = _resolve_actors(actor, dictionary or default_dictionary())
        m = mentions if mentions is not None else _table(tables, "mentions")
        m = m[m["actor_id"].isin(ids) & m["doc_id"].isin(articles["doc_id"])]
        parts.append(
            m.rename(columns={"actor_id": "evidence_of"})[["evidence_of", "doc_id", "sent_id", "start", "end"]]
        )
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if "indicator" not in table.columns:
        table["indicator"] = None
    docs = corpus[corpus["doc_id"].isin(table["doc_id"])]
    found = find_evidence_context(table, docs, width=width)
    found = found.sort_values(["published", "outlet", "doc_id", "start"], kind="stable", na_position="last")
    cols = ["evidence_of", "indicator", "doc_id", "sent_id", "start", "end", "outlet", "published", "title"]
    cols += ["left", "match", "right"]
    return found[cols].reset_index(drop=True)


def render_article(corpus: pd.DataFrame, doc_id: str, *, highlight: Iterable[tuple[int, int]] = ()) -> str:
    """HTML of one article's full cleaned text (escaped), with its title, outlet, date, agency and URL, one
    paragraph per line of the text and the character spans ``highlight`` (start, end) marked."""
    rows = corpus[corpus["doc_id"] == doc_id]
    if rows.empty:
        raise ParameterError(f"no article {doc_id!r} in the corpus")
    row = rows.iloc[0]
    text = row["text"] if isinstance(row["text"], str) else ""
    marks = sorted({(int(s), int(e)) for s, e in highlight if 0 <= s < e <= len(text)})
    pieces, at = [], 0
    for s, e in marks:
        if s < at:
            continue
        pieces.append(html.escape(text[at:s]))
        pieces.append(f"<mark>{html.escape(text[s:e])}</mark>")
        at = e
    pieces.append(html.escape(text[at:]))
    body = "".join(pieces).split("\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body if p.strip())
    published = row.get("published")
    date = f"{published:%Y-%m-%d}" if isinstance(published, pd.Timestamp) and not pd.isna(published) else "undated"
    about = " · ".join(
        html.escape(str(v)) for v in (row.get("outlet"), date, row.get("agency"), doc_id) if isinstance(v, str)
    )
    url = row.get("url")
    link = ""
    if isinstance(url, str) and re.match(r"https?://", url):
        link = f' · <a href="{html.escape(url, quote=True)}" rel="noopener noreferrer" target="_blank">source</a>'
    title = html.escape(str(row.get("title") or "(no title)"))
    return (
        f'<article class="explore-article"><h3>{title}</h3><p class="subtitle">{about}{link}</p>{paragraphs}</article>'
    )


def find_match_spans(text: str, pattern: str) -> list[tuple[int, int]]:
    """Character spans of ``pattern`` (as :func:`analysis.concordance.find_kwic` matches it) in one text."""
    from analysis.concordance import find_kwic
    from analysis.text import TOKEN_PATTERN

    if not isinstance(text, str) or not str(pattern).strip():
        return []
    hits = find_kwic(pd.DataFrame({"doc_id": ["x"], "text": [text]}), pattern, window=0)
    spans = [m.span() for m in TOKEN_PATTERN.finditer(text)]
    return [(spans[a][0], spans[b - 1][1]) for a, b in zip(hits["token_start"], hits["token_end"])]


# ------------------------------------------------------------------------------------------------ the explorer
def render_explorer(corpus: pd.DataFrame, tables, **options):
    """Open the explorer in JupyterLab (an ipywidgets app); returns the :class:`analysis.explore_app.Explorer`
    (display it, or leave it as the cell's last value). Options (keyword-only): ``freq="M"``; ``actors``: your own
    actors/places YAML file (mentions are found with it; without it, the dictionary the analysis was made with);
    ``presets``: your own questions file (format of ``analysis/resources/explore_presets.yaml``);
    ``max_rows=10``; ``min_sentences=5``: tone cells of fewer sentences are hidden, and the explorer says how many."""
    from analysis.explore_app import Explorer

    return Explorer(corpus, tables, **options)


class _CallableModule(types.ModuleType):
    """``analysis.explore(corpus, tables)`` opens the explorer; ``analysis.explore.find_articles`` etc. stay."""

    def __call__(self, corpus: pd.DataFrame, tables, **options):
        return render_explorer(corpus, tables, **options)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["find_articles", "find_evidence", "find_match_spans", "parse_period", "render_article", "render_explorer"]
