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
    Rows whose *count of the unit the table counts* (terms, mentions, sentences, labels, articles with the frame,
    ...) is below ``min_count`` are dropped. Each function's docstring names its count column.

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
    corpus: pd.DataFrame, *, start=None, end=None, outlets: Iterable[str] | None = None, include_duplicates: bool = True
) -> pd.DataFrame:
    """The rows of ``corpus`` inside ``[start, end]`` (inclusive dates), from ``outlets``, optionally without duplicates.

    A date window drops undated articles (they cannot be placed in it). Unknown outlets and an empty result are errors,
    so a typo never silently yields an empty report.
    """
    start_ts, end_ts = parse_date(start, name="start"), parse_date(end, name="end")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise ParameterError(f"start {start_ts.date()} is after end {end_ts.date()}")
    keep = pd.Series(True, index=corpus.index)
    if start_ts is not None or end_ts is not None:
        require_columns(corpus, ["published"], what="corpus")
        published = pd.to_datetime(corpus["published"])
        if start_ts is not None:
            keep &= published >= start_ts
        if end_ts is not None:
            keep &= published < end_ts + pd.Timedelta(days=1)
    if outlets:
        require_columns(corpus, ["outlet"], what="corpus")
        outlets = [outlets] if isinstance(outlets, str) else list(outlets)
        known = set(corpus["outlet"].dropna())
        unknown = sorted(set(outlets) - known)
        if unknown:
            raise ParameterError(
                f"unknown outlet(s) {', '.join(map(repr, unknown))}; "
                f"the corpus has: {', '.join(sorted(known)) or 'none'}"
            )
        keep &= corpus["outlet"].isin(outlets)
    if not include_duplicates and "duplicate_of" in corpus.columns:
        keep &= corpus["duplicate_of"].isna()
    selected = corpus[keep]
    if selected.empty:
        raise ParameterError(
            f"no articles left after selecting start={start!r}, end={end!r}, outlets={outlets!r}, "
            f"include_duplicates={include_duplicates}: widen the selection"
        )
    return selected.copy()


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
        groups = self.docs[by].drop_duplicates().sort_values(by, kind="stable") if by else pd.DataFrame(index=[0])
        if self.freq is None:
            return groups.reset_index(drop=True)
        periods = pd.DataFrame({PERIOD: self.periods})
        grid = groups.merge(periods, how="cross") if by else periods
        return grid[self.keys].reset_index(drop=True)

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


def complete_counts(counts: pd.DataFrame, groups: Groups, *, fill: dict, inner: pd.DataFrame | None = None):
    """``counts`` reindexed on every key combination of ``groups`` (x ``inner``, the table's own keys, e.g. every
    frame), missing rows filled with ``fill`` (e.g. ``{"n": 0}``), sorted by the keys."""
    grid = groups.grid()
    if inner is not None:
        grid = grid.merge(inner, how="cross") if groups.keys else inner.reset_index(drop=True)
    on = [c for c in grid.columns if c in counts.columns]
    out = grid.merge(counts, on=on, how="left") if on else counts
    for col, value in fill.items():
        if col in out:
            out[col] = out[col].fillna(value).astype(type(value).__name__ if isinstance(value, int) else out[col].dtype)
    return out.sort_values(on, kind="stable").reset_index(drop=True)
