"""Time periods and document selection shared by every table function: frequency strings, date windows, outlets."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.errors import ParameterError

# pandas period aliases accepted by every `freq=` option, with the word used in labels and axis titles.
FREQUENCIES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def validate_freq(freq: str) -> str:
    """Return ``freq`` upper-cased if it is one of D, W, M, Q, Y; else raise a ParameterError saying which are valid."""
    if not isinstance(freq, str) or freq.upper() not in FREQUENCIES:
        valid = ", ".join(f'"{k}" ({v})' for k, v in FREQUENCIES.items())
        raise ParameterError(f"invalid frequency {freq!r}: use one of {valid}")
    return freq.upper()


def parse_date(value, *, name: str = "date") -> pd.Timestamp | None:
    """Parse an ISO date (``"2017-02-19"``) or Timestamp; ``None``/``""`` give ``None``; anything else is an error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD") from exc
    if pd.isna(ts):
        raise ParameterError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD")
    return ts.tz_localize(None) if ts.tzinfo else ts


def to_period(dates: pd.Series, freq: str) -> pd.Series:
    """The start date of the period (day, week starting Monday, month, quarter, year) holding each date; NaT stays NaT."""
    freq = validate_freq(freq)
    alias = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}[freq]
    dates = pd.to_datetime(dates)
    return dates.dt.to_period(alias).dt.start_time.astype("datetime64[ns]")


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "table") -> None:
    """Raise a ParameterError naming the missing columns and the available ones."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(
            f"{what} has no column {', '.join(map(repr, missing))}; available: {', '.join(map(str, df.columns))}"
        )


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
