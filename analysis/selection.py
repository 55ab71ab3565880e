"""Which articles a table counts and how it groups them: the one selector and keyer of every count_/score_ function.

Every table function takes ``(table, corpus, *, by, freq, start, end, outlets, include_duplicates, min_count)``
where the option applies, and each option means the same thing everywhere:

``start``, ``end``
    Inclusive publication dates (``"2016-10-01"``). A window drops undated articles.
``outlets``
    Keep only these outlets (an unknown outlet is an error, so a typo never yields an empty report).
``include_duplicates``
    ``False`` drops articles marked as a copy of an earlier one (``duplicate_of``).
``by``
    Corpus column(s) to group by (e.g. ``"outlet"``, ``"agency"``); a missing value becomes the group
    ``"(none)"`` (:data:`MISSING_GROUP`); ``top=`` where offered folds the smaller groups into ``"other"``.
``freq``
    ``D``/``W``/``M``/``Q``/``Y`` adds a ``period`` column (the period's start date); undated articles are left
    out; every period of the window appears, an empty period with zero counts.
``min_count``
    Rows whose count is below ``min_count`` are left out; the count is the table's count column, named in each
    function's docstring (``count`` of a term, ``n_mentions``, ``n`` uses of a label, ``n_present`` articles with a
    frame, ``n_articles`` scored articles, ``n_sentences``, ...). Tables that list zeros (every period of the window for
    each group and item seen) default to 0, so that their zeros stay; sparse tables (terms, co-occurrence, scores) default to 1.
``min_docs``
    Rows of a group (or period) with fewer than ``min_docs`` selected articles are left out: a share of a handful
    of articles is noise.

Where an option does not apply, the function does not take it (rather than ignore it):
``score_keyness`` has no ``freq`` (one comparison over the selection: window it with ``start``/``end``);
``count_wire_share`` has no ``by`` and always counts duplicates (they are what it measures; ``count_by_group`` gives
the shares per outlet); ``count_by_group`` has no ``freq`` (``count_articles(by=..., freq=...)`` is its series);
``count_cooccurrence`` has no ``by``/``freq`` (one network: choose an outlet with ``outlets``, a period with
``start``/``end``); ``count_articles`` has no ``min_count`` (its zeros are the point; ``top`` folds small groups).

Key columns come first, in ONE order: ``[*by, "period"]`` (each group's series is contiguous), then the
table's own keys (term, actor_id, frame, ...). Rows are sorted by those keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import ParameterError
from analysis.periods import parse_date, period_range, to_period, validate_freq
from analysis.tables import require_columns

PERIOD = "period"
MISSING_GROUP = "(none)"  # the group of an article whose `by` value is missing
OTHER_GROUP = "other"  # the smaller groups folded together by `top=`


def select_documents(
    corpus: pd.DataFrame,
    *,
    start=None,
    end=None,
    outlets: Iterable[str] | None = None,
    include_duplicates: bool = True,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """The rows of ``corpus`` inside ``[start, end]`` (inclusive dates), from ``outlets``, optionally without duplicates.

    A date window drops undated articles (they cannot be placed in it). Unknown outlets and an empty result are errors,
    so a typo never silently yields an empty report (``allow_empty=True``: an empty result is an empty table, for
    interactive filtering).
    """
    selection = Selection.parse(start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    if selection.outlets:
        require_columns(corpus, ["outlet"], what="corpus")
        selection.check_outlets(corpus["outlet"].dropna())
    selected = corpus[selection.mask(corpus)]
    if selected.empty and not allow_empty:
        selection.raise_empty()
    return selected.copy()


@dataclass(frozen=True)
class Selection:
    """The selection options of :func:`select_documents`, parsed once, applied to any number of row batches
    (``analyze`` streams the corpus through it in row groups)."""

    start: object = None  # as given, for messages
    end: object = None
    start_ts: pd.Timestamp | None = None
    end_ts: pd.Timestamp | None = None
    outlets: list[str] | None = None
    include_duplicates: bool = True

    @classmethod
    def parse(cls, *, start=None, end=None, outlets=None, include_duplicates: bool = True) -> Selection:
        start_ts, end_ts = parse_date(start, name="start"), parse_date(end, name="end")
        if start_ts is not None and end_ts is not None and start_ts > end_ts:
            raise ParameterError(f"start {start_ts.date()} is after end {end_ts.date()}")
        if outlets:
            outlets = [outlets] if isinstance(outlets, str) else list(outlets)
        return cls(start, end, start_ts, end_ts, outlets or None, include_duplicates)

    def check_outlets(self, known: Iterable[str]) -> None:
        """An unknown outlet is an error naming the ``known`` ones (the corpus's outlets)."""
        known = set(known)
        unknown = sorted(set(self.outlets or ()) - known)
        if unknown:
            raise ParameterError(
                f"unknown outlet(s) {', '.join(map(repr, unknown))}; "
                f"the corpus has: {', '.join(sorted(known)) or 'none'}"
            )

    def mask(self, corpus: pd.DataFrame) -> pd.Series:
        """Which rows of ``corpus`` are selected (outlets are not checked here: see check_outlets)."""
        keep = pd.Series(True, index=corpus.index)
        if self.start_ts is not None or self.end_ts is not None:
            require_columns(corpus, ["published"], what="corpus")
            published = pd.to_datetime(corpus["published"])
            if self.start_ts is not None:
                keep &= published >= self.start_ts
            if self.end_ts is not None:
                keep &= published < self.end_ts + pd.Timedelta(days=1)
        if self.outlets:
            require_columns(corpus, ["outlet"], what="corpus")
            keep &= corpus["outlet"].isin(self.outlets)
        if not self.include_duplicates and "duplicate_of" in corpus.columns:
            keep &= corpus["duplicate_of"].isna()
        return keep

    def raise_empty(self) -> None:
        raise ParameterError(
            f"no articles left after selecting start={self.start!r}, end={self.end!r}, outlets={self.outlets!r}, "
            f"include_duplicates={self.include_duplicates}: widen the selection"
        )


def as_list(value) -> list[str]:
    """``None`` -> [], a string -> [it], an iterable -> its items: the forms a ``by=`` option takes."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def label_groups(values: pd.Series, *, top: int | None = None) -> pd.Series:
    """Group labels: missing or blank values become ``"(none)"``; with ``top``, all but the ``top`` largest groups
    become ``"other"`` (ties broken by name, so the choice is deterministic)."""
    groups = values.astype("string").fillna(MISSING_GROUP).str.strip().replace("", MISSING_GROUP)
    if top is not None and groups.nunique() > top:
        sizes = groups.value_counts()
        ranked = sorted(sizes.index, key=lambda g: (-sizes[g], g))
        groups = groups.where(groups.isin(ranked[:top]), OTHER_GROUP)
    return groups


@dataclass
class Groups:
    """The selected documents with their group keys (see :func:`group_documents`)."""

    docs: pd.DataFrame  # doc_id, the key columns and the other corpus columns asked for
    keys: list[str]  # [*by, "period"]: the key columns every table starts with
    freq: str | None = None
    periods: pd.DatetimeIndex | None = None  # every period of the window (when freq)
    n_undated: int = 0  # selected articles left out because a period table cannot place them
    attrs: dict = field(default_factory=dict)

    def grid(self) -> pd.DataFrame:
        """Every key combination a table should have a row for: the observed groups x every period of the window."""
        by = [k for k in self.keys if k != PERIOD]
        if not self.keys:
            return pd.DataFrame(index=[0])
        groups = self.docs[by].drop_duplicates().sort_values(by, kind="stable") if by else None
        if self.freq is None:
            return groups.reset_index(drop=True)
        periods = pd.DataFrame({PERIOD: self.periods})
        grid = groups.merge(periods, how="cross") if by else periods
        return grid[self.keys].reset_index(drop=True)

    def sizes(self) -> pd.DataFrame:
        """Articles per key combination (``n_articles``), every combination of :meth:`grid` included."""
        if not self.keys:
            return pd.DataFrame({"n_articles": [len(self.docs)]})
        counts = self.docs.groupby(self.keys, sort=True).size().rename("n_articles").reset_index()
        by = [k for k in self.keys if k != PERIOD]
        return complete_periods(counts, self, combos=by, fill={"n_articles": 0})

    def join(self, table: pd.DataFrame, *, what: str = "table") -> pd.DataFrame:
        """The rows of ``table`` (keyed by doc_id) of the selected documents, with the key columns added."""
        require_columns(table, ["doc_id"], what=what)
        add = ["doc_id"] + [k for k in self.keys if k not in table.columns]
        return table.merge(self.docs[add], on="doc_id", how="inner")


def group_documents(
    corpus: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    top: int | None = None,
    columns: Iterable[str] = (),
) -> Groups:
    """Select the documents of ``corpus`` and key them by ``by`` and ``freq`` (see the module docstring).

    Returns :class:`Groups`: ``docs`` (doc_id, the key columns and ``columns``), ``keys`` (``[*by, "period"]``),
    and ``grid()``, every key combination including empty periods. ``by`` columns must exist in the corpus.
    """
    by = as_list(by)
    bad = [b for b in by if b == PERIOD]
    if bad:
        raise ParameterError("by='period' is not a corpus column: periods come from freq= (D, W, M, Q or Y)")
    require_columns(corpus, ["doc_id", *by], what="corpus")
    if freq is not None:
        freq = validate_freq(freq)
        require_columns(corpus, ["published"], what="corpus")
    selected = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    extra = [c for c in dict.fromkeys(columns) if c in selected.columns and c not in ("doc_id", *by)]
    docs = selected[["doc_id", *by, *extra, *(["published"] if freq and "published" not in extra else [])]].copy()
    for b in by:
        docs[b] = label_groups(docs[b], top=top)
    keys = list(by)
    periods, n_undated = None, 0
    if freq is not None:
        undated = docs["published"].isna()
        n_undated = int(undated.sum())
        docs = docs[~undated].copy()
        docs[PERIOD] = to_period(docs["published"], freq)
        periods = period_range(docs[PERIOD], freq, start, end)
        keys.append(PERIOD)
        if "published" not in extra:
            docs = docs.drop(columns="published")
    return Groups(docs.reset_index(drop=True), keys, freq, periods, n_undated)


def complete_periods(counts: pd.DataFrame, groups: Groups, *, combos: list[str], fill: dict) -> pd.DataFrame:
    """``counts`` with a row for every period of the window for each combination of ``combos`` (groups and items)
    seen, the missing rows filled with ``fill`` (e.g. ``{"n": 0}``, keeping each column's dtype). Without ``freq``
    nothing is added."""
    if groups.freq is None:
        return counts.reset_index(drop=True)
    seen = counts[combos].drop_duplicates() if combos else pd.DataFrame(index=[0])
    grid = seen.merge(pd.DataFrame({PERIOD: groups.periods}), how="cross")
    out = grid.merge(counts, on=[*combos, PERIOD], how="left")
    for col, value in fill.items():
        out[col] = out[col].fillna(value).astype(counts[col].dtype)
    return out


def count_events(
    table: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    items: list[str],
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    min_count: int = 0,
    min_docs: int = 0,
    share_within: list[str] = (),
    what: str = "table",
) -> pd.DataFrame:
    """Rows of ``table`` (events keyed by doc_id: labels, verbs, attributions) counted per ``[*by, period, *items]``.

    ``by`` may also name columns of ``table`` (e.g. ``target_actor``). Columns: the keys, ``n`` (events),
    ``n_docs`` (articles with at least one) and ``share`` (``n`` over all events of the row's group and period, and
    of its ``share_within`` items). Each group and item seen has a row for every period of the window, zeros
    included; then rows with ``n < min_count`` and groups with fewer than ``min_docs`` articles are left out.
    """
    from analysis import aggregate

    by = as_list(by)
    in_file = isinstance(table, aggregate.TableFile)  # an analysis table: counted in DuckDB (analysis.aggregate)
    types = aggregate.read_table_columns(table) if in_file else {}
    columns = list(types) if in_file else list(table.columns)
    require_columns(pd.DataFrame(columns=columns), ["doc_id", *items], what=what)
    table_by = [b for b in by if b in columns and b not in corpus.columns]
    missing = [b for b in by if b not in columns and b not in corpus.columns]
    if missing:
        raise ParameterError(
            f"cannot group {what} by {missing}: not a column of the table or the corpus "
            f"(corpus columns: {', '.join(map(str, corpus.columns))})"
        )
    corpus_by = [b for b in by if b not in table_by]
    groups = group_documents(
        corpus,
        by=corpus_by,
        freq=freq,
        start=start,
        end=end,
        outlets=outlets,
        include_duplicates=include_duplicates,
    )
    item_cols = [*table_by, *[i for i in items if i not in table_by]]
    keys = [*corpus_by, *table_by, *([PERIOD] if freq else []), *items]
    if in_file and not all(types[c] in ("string", "large_string") for c in item_cols):
        in_file, table = False, aggregate.load_table_columns(table, ["doc_id", *item_cols])  # not text: as pandas
    if in_file:
        doc_groups, key_table = aggregate.index_groups(groups.docs, groups.keys)
        counted = aggregate.count_rows_by_group(table, doc_groups, columns=item_cols, missing=MISSING_GROUP)
        counted = key_table.merge(counted, on="g", how="inner")
        counted = counted[[*keys, "n", "n_docs"]].sort_values(keys, kind="stable").reset_index(drop=True)
    else:
        joined = groups.join(table[["doc_id", *item_cols]], what=what)
        for col in item_cols:
            joined[col] = joined[col].astype(object).where(joined[col].notna(), MISSING_GROUP)
        counted = joined.groupby(keys, sort=True).agg(n=("doc_id", "size"), n_docs=("doc_id", "nunique"))
        counted = counted.reset_index()
    combos = [*corpus_by, *table_by, *items]
    out = complete_periods(counted, groups, combos=combos, fill={"n": 0, "n_docs": 0})[keys + ["n", "n_docs"]]
    within = [*corpus_by, *table_by, *([PERIOD] if freq else []), *share_within]
    total = out.groupby(within, sort=False)["n"].transform("sum") if within else out["n"].sum()
    out["share"] = out["n"] / (total.where(total > 0) if within else (total or float("nan")))
    out = out[out["n"] >= min_count]
    out = drop_small_groups(out, groups, min_docs)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def drop_small_groups(table: pd.DataFrame, groups: Groups, min_docs: int) -> pd.DataFrame:
    """``table`` without the rows of groups (group x period) that have fewer than ``min_docs`` selected articles."""
    if not min_docs:
        return table
    if not groups.keys:
        return table if len(groups.docs) >= min_docs else table.iloc[0:0]
    sizes = table[groups.keys].merge(groups.sizes(), on=groups.keys, how="left")["n_articles"].to_numpy()
    return table[sizes >= min_docs]
