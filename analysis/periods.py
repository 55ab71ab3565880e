"""Time periods shared by every table function: frequency strings, dates, period start dates and period ranges."""

from __future__ import annotations

import re

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


_YMD = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value, *, name: str = "date") -> pd.Timestamp | None:
    """Parse a ``YYYY-MM-DD`` date (``"2017-02-19"``) or Timestamp; ``None``/``""`` give ``None``; anything else is
    an error: ``now``, ``today``, ``31/12/2017`` or a time are refused, so a parameter means the same on every run."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and not _YMD.match(value.strip()):
        raise ParameterError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD (e.g. 2017-02-19)")
    if isinstance(value, (int, float, bool)):
        raise ParameterError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD (e.g. 2017-02-19)")
    try:
        ts = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParameterError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD") from exc
    if pd.isna(ts):
        raise ParameterError(f"{name} {value!r} is not a date: write it as YYYY-MM-DD")
    from analysis.dates import DATE_MAX, DATE_MIN

    if not DATE_MIN <= ts.tz_localize(None) <= DATE_MAX:
        raise ParameterError(
            f"{name} {value!r} is outside {DATE_MIN.date()}..{DATE_MAX.date()}: write a real date as YYYY-MM-DD"
        )
    return ts.tz_localize(None) if ts.tzinfo else ts


def to_period(dates: pd.Series, freq: str) -> pd.Series:
    """The start date of the period (day, week starting Monday, month, quarter, year) holding each date; NaT stays NaT."""
    freq = validate_freq(freq)
    alias = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}[freq]
    dates = pd.to_datetime(dates)
    return dates.dt.to_period(alias).dt.start_time.astype("datetime64[ns]")


def period_range(periods: pd.Series, freq: str, start=None, end=None) -> pd.DatetimeIndex:
    """Every period start from the first to the last of ``periods`` (or the window's ``start``/``end``).

    Tables index on it so that a period without articles appears with 0 instead of being skipped.
    """
    freq = validate_freq(freq)
    lo = to_period(pd.Series([pd.Timestamp(start)]), freq).iloc[0] if start else periods.min()
    hi = to_period(pd.Series([pd.Timestamp(end)]), freq).iloc[0] if end else periods.max()
    if pd.isna(lo) or pd.isna(hi):
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    alias = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}[freq]
    return pd.period_range(lo, hi, freq=alias).start_time.astype("datetime64[ns]")
