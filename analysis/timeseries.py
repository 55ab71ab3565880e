"""Coverage over time: article volume by period and group (raw and normalised), wire/duplicate share, key events."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import ParameterError, ResourceError
from analysis.periods import FREQUENCIES, parse_date, period_range, to_period, validate_freq
from analysis.resources import load_yaml, merge_resource, wants_extend
from analysis.selection import MISSING_GROUP, OTHER_GROUP, label_groups, select_documents
from analysis.tables import require_columns

#: Label of articles whose grouping column is empty (e.g. no wire agency credited).
EVENT_COLUMNS = ["id", "date", "end", "label", "level", "place", "country", "note"]


def _dated(corpus: pd.DataFrame, *, start, end, outlets, include_duplicates) -> pd.DataFrame:
    require_columns(corpus, ["doc_id", "published"], what="corpus")
    docs = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    return docs[docs["published"].notna()]


def _group_labels(docs: pd.DataFrame, by: str, top: int | None) -> pd.Series:
    require_columns(docs, [by], what="corpus")
    return label_groups(docs[by], top=top)


def count_articles(
    corpus: pd.DataFrame,
    *,
    freq: str = "M",
    by: str | None = None,
    top: int | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
) -> pd.DataFrame:
    """Articles per period (and per group), raw and normalised.

    Columns: ``<by>`` when grouping, ``period`` (period start date), ``n_articles``, ``period_total`` (all selected
    articles in the period), ``share_of_period`` (n_articles / period_total: a group's share of the period's
    coverage) and ``share_of_group`` (n_articles / the group's articles in the whole window: the group's own output
    spread over time, which compares outlets of very different size). Periods without articles appear with 0 so
    gaps are visible. Undated articles cannot be placed in time and are left out (their number is in
    ``df.attrs["n_undated"]``). ``top`` keeps the ``top`` largest groups and folds the rest into ``"other"``.
    """
    freq = validate_freq(freq)
    selected = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    require_columns(selected, ["doc_id", "published"], what="corpus")
    docs = selected[selected["published"].notna()].copy()
    if docs.empty:
        raise ParameterError("no dated articles in the selection: a volume over time needs publication dates")
    docs["period"] = to_period(docs["published"], freq)
    periods = period_range(docs["period"], freq, start, end)
    keys = ["period"]
    if by:
        docs[by] = _group_labels(docs, by, top)
        keys = [by, "period"]  # groups, then time: the key order of every table (analysis.selection)
    counts = docs.groupby(keys, observed=True).size().rename("n_articles")
    if by:
        groups = sorted(docs[by].unique())
        index = pd.MultiIndex.from_product([groups, periods], names=keys)
    else:
        index = pd.Index(periods, name="period")
    table = counts.reindex(index, fill_value=0).reset_index()
    table["n_articles"] = table["n_articles"].astype("int64")
    table["period_total"] = table.groupby("period")["n_articles"].transform("sum").astype("int64")
    table["share_of_period"] = (table["n_articles"] / table["period_total"].where(table["period_total"] > 0)).fillna(
        0.0
    )
    group_total = table.groupby(by)["n_articles"].transform("sum") if by else table["n_articles"].sum()
    table["share_of_group"] = table["n_articles"] / group_total
    table = table.sort_values(keys, kind="mergesort").reset_index(drop=True)
    table.attrs.update(freq=freq, by=by, n_undated=int(selected["published"].isna().sum()))
    return table


def count_wire_share(corpus: pd.DataFrame, *, freq: str = "M", start=None, end=None, outlets=None) -> pd.DataFrame:
    """Per period: articles, near/exact duplicates, and articles crediting a wire agency, with their shares.

    Columns: ``period``, ``n_articles`` (all selected articles, duplicates included), ``n_duplicates`` (rows with a
    ``duplicate_of``: re-published copies of an earlier article), ``n_wire`` (rows whose ``agency`` is set: the text
    credits AFP, Reuters, AP, ...), ``duplicate_share`` and ``wire_share`` (each divided by ``n_articles``; empty
    when the period has no articles).
    """
    freq = validate_freq(freq)
    docs = _dated(corpus, start=start, end=end, outlets=outlets, include_duplicates=True).copy()
    if docs.empty:
        raise ParameterError("no dated articles in the selection: the wire share over time needs publication dates")
    docs["period"] = to_period(docs["published"], freq)
    docs["is_duplicate"] = docs["duplicate_of"].notna() if "duplicate_of" in docs else False
    docs["is_wire"] = (
        docs["agency"].notna() & (docs["agency"].astype("string").str.strip() != "") if "agency" in docs else False
    )
    grouped = docs.groupby("period").agg(
        n_articles=("doc_id", "size"), n_duplicates=("is_duplicate", "sum"), n_wire=("is_wire", "sum")
    )
    table = grouped.reindex(period_range(docs["period"], freq, start, end), fill_value=0)
    table.index.name = "period"
    table = table.reset_index().astype({"n_articles": "int64", "n_duplicates": "int64", "n_wire": "int64"})
    total = table["n_articles"].where(table["n_articles"] > 0)
    table["duplicate_share"] = table["n_duplicates"] / total
    table["wire_share"] = table["n_wire"] / total
    table.attrs.update(freq=freq)
    return table


def count_by_group(
    corpus: pd.DataFrame,
    *,
    by: str = "outlet",
    top: int | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
) -> pd.DataFrame:
    """One row per group (outlet, agency, ...): its articles, share of the selection, first and last publication
    date, undated articles, and the shares of its articles that credit a wire agency or are duplicates.

    Columns: ``<by>``, ``n_articles``, ``share``, ``first_published``, ``last_published``, ``n_undated``,
    ``wire_share``, ``duplicate_share``; sorted by descending ``n_articles`` then name (``other`` last).
    """
    docs = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    require_columns(docs, ["doc_id", by], what="corpus")
    docs = docs.copy()
    docs["is_wire"] = (
        docs["agency"].notna() & (docs["agency"].astype("string").str.strip() != "") if "agency" in docs else False
    )
    docs["is_duplicate"] = docs["duplicate_of"].notna() if "duplicate_of" in docs else False
    published = pd.to_datetime(docs["published"]) if "published" in docs else pd.Series(pd.NaT, index=docs.index)
    docs["published_"] = published
    docs["undated"] = published.isna()
    docs[by] = _group_labels(docs, by, top)
    table = docs.groupby(by).agg(
        n_articles=("doc_id", "size"),
        first_published=("published_", "min"),
        last_published=("published_", "max"),
        n_undated=("undated", "sum"),
        wire_share=("is_wire", "mean"),
        duplicate_share=("is_duplicate", "mean"),
    )
    table = table.reset_index().astype({"n_articles": "int64", "n_undated": "int64"})
    table.insert(2, "share", table["n_articles"] / table["n_articles"].sum())
    last = table[by].isin([OTHER_GROUP, MISSING_GROUP])
    table = (
        table.assign(_last=last, _neg=-table["n_articles"])
        .sort_values(["_last", "_neg", by], kind="mergesort")
        .drop(columns=["_last", "_neg"])
    )
    return table.reset_index(drop=True)


def score_by_period(
    values: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    value: str,
    freq: str = "M",
    by: str | None = None,
    top: int | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    min_count: int = 1,
) -> pd.DataFrame:
    """Mean of a per-document measure (e.g. a sentiment score) per period and group, with its standard error.

    ``values`` holds ``doc_id`` and the column ``value`` (one row per document, as in the analysis tables); dates
    and groups come from ``corpus``. Columns: ``<by>``, ``period``, ``n_articles``, ``mean``, ``sem`` (standard
    error of the mean; empty for a single article). Periods with fewer than ``min_count`` scored articles are
    dropped, so a mean of one or two articles is not drawn as a trend.
    """
    freq = validate_freq(freq)
    require_columns(values, ["doc_id", value], what="score table")
    docs = _dated(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    cols = ["doc_id", "published"] + ([by] if by else [])
    joined = docs[cols].merge(values[["doc_id", value]].drop_duplicates("doc_id"), on="doc_id", how="inner")
    joined = joined[joined[value].notna()].copy()
    if joined.empty:
        raise ParameterError(f"no dated article in the selection has a {value!r} score")
    joined["period"] = to_period(joined["published"], freq)
    keys = ["period"]
    if by:
        joined[by] = _group_labels(joined, by, top)
        keys = [by, "period"]
    table = (
        joined.groupby(keys)[value]
        .agg(n_articles="size", mean="mean", sem="sem")
        .reset_index()
        .astype({"n_articles": "int64"})
    )
    table = table[table["n_articles"] >= min_count].sort_values(keys, kind="mergesort").reset_index(drop=True)
    table.attrs.update(freq=freq, by=by, value=value)
    return table


def render_volume_note(table: pd.DataFrame) -> str:
    """One sentence on a :func:`count_articles` table: window, total and the busiest period (computed, not asserted)."""
    if table.empty:
        return "No dated articles fall in the selected window."
    freq = table.attrs.get("freq", "M")
    totals = table.groupby("period")["n_articles"].sum()
    total = int(totals.sum())
    peak = totals.idxmax()
    fmt = {"D": "%d %b %Y", "W": "week of %d %b %Y", "M": "%b %Y", "Q": "%b %Y", "Y": "%Y"}[freq]
    unit = FREQUENCIES[freq]
    text = (
        f"From {totals.index.min():{fmt.replace('week of ', '')}} to {totals.index.max():{fmt.replace('week of ', '')}} "
        f"the selection holds {total:,} dated articles; the busiest {unit} was {peak:{fmt}} with "
        f"{int(totals.max()):,} articles ({totals.max() / total:.0%} of the total)"
    )
    empty = int((totals == 0).sum())
    if empty:
        text += f", and {empty} of {len(totals)} {unit}s have no article at all"
    undated = table.attrs.get("n_undated", 0)
    if undated:
        text += f". {undated:,} undated articles are not shown"
    return text + "."


def render_groups_note(table: pd.DataFrame, *, by: str = "outlet") -> str:
    """One sentence on a :func:`count_by_group` table: how concentrated the articles are among the groups."""
    named = table[~table[by].isin([OTHER_GROUP, MISSING_GROUP])]
    if named.empty:
        return f"No article has a known {by}."
    total = int(table["n_articles"].sum())
    k = min(3, len(named))
    top_share = named["n_articles"].head(k).sum() / total
    lead = named.iloc[0]
    what = by.replace("_", " ")
    plural = what if len(named) == 1 else (what[:-1] + "ies" if what.endswith("y") else what + "s")
    text = (
        f"{len(named):,} {plural} supplied the {total:,} articles; the largest, "
        f"{lead[by]}, {lead['n_articles'] / total:.0%} of them"
    )
    if k > 1:
        text += f", and the {k} largest together {top_share:.0%}"
    missing = table.loc[table[by] == MISSING_GROUP, "n_articles"].sum()
    if missing:
        text += f"; {int(missing):,} articles ({missing / total:.0%}) have no {what}"
    return text + "."


def render_scores_note(table: pd.DataFrame, *, label: str = "mean score") -> str:
    """One sentence on a :func:`score_by_period` table (without ``by``): the range of the period means."""
    if table.empty:
        return f"No period has enough scored articles to report a {label}."
    freq = table.attrs.get("freq", "M")
    fmt = {"D": "%d %b %Y", "W": "%d %b %Y", "M": "%b %Y", "Q": "%b %Y", "Y": "%Y"}[freq]
    low, high = table.loc[table["mean"].idxmin()], table.loc[table["mean"].idxmax()]
    overall = (table["mean"] * table["n_articles"]).sum() / table["n_articles"].sum()
    return (
        f"Over {len(table):,} {FREQUENCIES[freq]}s with enough articles, the {label} averaged {overall:+.2f}; "
        f"it was lowest in {low['period']:{fmt}} ({low['mean']:+.2f}, {int(low['n_articles']):,} articles) and "
        f"highest in {high['period']:{fmt}} ({high['mean']:+.2f}, {int(high['n_articles']):,} articles)."
    )


def _as_date(value, *, entry: str, key: str, path) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return pd.Timestamp(value)
    try:
        return pd.Timestamp(str(value))
    except (ValueError, TypeError):
        raise ResourceError(f"{path}: event {entry!r} has {key} {value!r}, not a date: write YYYY-MM-DD") from None


def load_events(path: str | Path | None = None, *, start=None, end=None) -> pd.DataFrame:
    """Key events (id, date, end, label, level, place, country, note) from ``path`` or the built-in ``events.yaml``.

    ``start``/``end`` keep the events that overlap the window. Rows are sorted by date then id. The file is
    meant to be edited: a user file replaces the built-in list, or adds to it (by id) when it says
    ``extends: builtin`` (the override rule of analysis.resources).
    """
    path = Path(path) if path else config.resource("events.yaml")
    if not path.is_file():
        raise ResourceError(
            f"events file {path} does not exist: pass an existing YAML file or None for the built-in list"
        )
    data = load_yaml(path, what="events file")
    builtin = config.resource("events.yaml")
    if isinstance(data, dict) and path.resolve() != builtin.resolve() and wants_extend(data, path, default=False):
        data = merge_resource(load_yaml(builtin, what="events file"), data, {"events": "id"}, where=str(path))
    if not isinstance(data, dict) or not isinstance(data.get("events"), list) or "version" not in data:
        raise ResourceError(f"{path} needs a `version:` key and an `events:` list (see analysis/resources/events.yaml)")
    rows, seen = [], set()
    for i, item in enumerate(data["events"], 1):
        if not isinstance(item, dict) or not item.get("id") or not item.get("label") or not item.get("date"):
            raise ResourceError(f"{path}: event #{i} needs at least id, date and label")
        eid = str(item["id"])
        if eid in seen:
            raise ResourceError(f"{path}: event id {eid!r} appears twice; ids must be unique")
        seen.add(eid)
        date = _as_date(item["date"], entry=eid, key="date", path=path)
        stop = _as_date(item.get("end"), entry=eid, key="end", path=path)
        if stop is not None and stop < date:
            raise ResourceError(f"{path}: event {eid!r} ends ({stop.date()}) before it starts ({date.date()})")
        level = item.get("level", 1)
        if level not in (1, 2):
            raise ResourceError(f"{path}: event {eid!r} has level {level!r}: use 1 (major) or 2 (minor)")
        rows.append(
            {
                "id": eid,
                "date": date,
                "end": stop,
                "label": str(item["label"]),
                "level": int(level),
                "place": item.get("place"),
                "country": item.get("country"),
                "note": item.get("note"),
            }
        )
    events = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    events["date"] = pd.to_datetime(events["date"])
    events["end"] = pd.to_datetime(events["end"])
    events["level"] = events["level"].astype("int64")
    for col in ("label", "place", "country", "note", "id"):
        events[col] = events[col].astype("string")
    lo, hi = parse_date(start, name="start"), parse_date(end, name="end")
    keep = pd.Series(True, index=events.index)
    if lo is not None:
        keep &= events["end"].fillna(events["date"]) >= lo
    if hi is not None:
        keep &= events["date"] <= hi
    events = events[keep]
    events = events.sort_values(["date", "id"], kind="mergesort").reset_index(drop=True)
    events.attrs["version"] = str(data["version"])
    events.attrs["path"] = str(path)
    return events
