"""Publication dates from raw values: one parser that never raises, one day/month order per run, a plausible range.

Every reader hands its raw date strings to :func:`parse_date` (or :func:`parse_date_value`). A value that is not a
date, an impossible date (``2017-02-30``) or one outside :data:`DATE_MIN`..:data:`DATE_MAX` (``1500-01-01``, the
placeholder ``9999-12-31``) gives ``None`` and a problem code, never an exception: the article is kept with a null
date, its raw value is kept (``published_raw``), and ingest warns and counts it.

Numeric dates such as ``4/5/2017`` are ambiguous. The order (``dmy`` or ``mdy``) is decided once for a whole ingest
run by :func:`find_date_order` from the values that only one order can read (``31/12/2016``), or set with
``--date-order``, and recorded in the manifest; every ambiguous value of the run is then read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

DATE_ORDERS = ("dmy", "mdy")
DEFAULT_DATE_ORDER = "mdy"  # used when no value of a run shows its order (recorded as such in the manifest)
# Dates outside this window are placeholders or typos in news metadata (and beyond pandas' datetime64[ns] range).
DATE_MIN = pd.Timestamp("1800-01-01")
DATE_MAX = pd.Timestamp("2200-12-31")

# Formats with a month name or the year first: never ambiguous. Tried in order after ISO and numeric d/m/y.
NAMED_FORMATS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y/%m/%d",
    "%Y%m%d",
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_TIME = r"(?:[T ,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp]\.?[Mm]\.?)?(?: ?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?"
_NUMERIC = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + "$")


def _clean(value) -> str:
    return " ".join(str(value).split()).strip(" ,.")


def check_order(order: str | None) -> str | None:
    """``order`` lower-cased if it is ``dmy``/``mdy`` (or None); a ParameterError otherwise."""
    if order is None:
        return None
    from analysis.errors import ParameterError

    if str(order).lower() not in DATE_ORDERS:
        raise ParameterError(f"date order {order!r}: use dmy (31/12/2016) or mdy (12/31/2016)")
    return str(order).lower()


EVIDENCE_KEYS = ("day_first_only", "month_first_only", "ambiguous")


def count_date_evidence(values: Iterable) -> dict:
    """How many numeric ``values`` only day-first reading allows, only month-first, or either: the evidence of
    :func:`find_date_order` (counts of several batches add up)."""
    day_first = month_first = ambiguous = 0
    for v in values:
        if v is None or not isinstance(v, (str, int)):
            continue
        m = _NUMERIC.match(_clean(v))
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b >= 1:
            day_first += 1
        elif b > 12 >= a >= 1:
            month_first += 1
        elif a <= 12 and b <= 12:
            ambiguous += 1
    return {"day_first_only": day_first, "month_first_only": month_first, "ambiguous": ambiguous}


def choose_date_order(evidence: dict, *, order: str | None = None) -> dict:
    """The day/month order for the counted ``evidence`` (see :func:`find_date_order`)."""
    evidence = {k: int(evidence[k]) for k in EVIDENCE_KEYS}
    day_first, month_first = evidence["day_first_only"], evidence["month_first_only"]
    if order is not None:
        return {"order": check_order(order), "source": "option", **evidence}
    if day_first or month_first:
        chosen = "dmy" if day_first > month_first else "mdy"
        source = "values" if not (day_first and month_first) else "values (conflicting: majority)"
        return {"order": chosen, "source": source, **evidence}
    return {"order": DEFAULT_DATE_ORDER, "source": "default (no value shows the order)", **evidence}


def find_date_order(values: Iterable, *, order: str | None = None) -> dict:
    """The day/month order for ``values`` and the evidence: ``{"order", "source", "day_first_only",
    "month_first_only", "ambiguous"}``. ``order`` (an option) wins; else the order most unambiguous values need;
    else :data:`DEFAULT_DATE_ORDER` (``source`` says which)."""
    return choose_date_order(count_date_evidence(values), order=order)


def _in_range(ts: pd.Timestamp) -> tuple[pd.Timestamp | None, str | None]:
    if ts < DATE_MIN or ts > DATE_MAX:
        return None, "out_of_range"
    return ts, None


def _from_parts(year: int, month: int, day: int) -> tuple[pd.Timestamp | None, str | None]:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None, "impossible"
    if not (DATE_MIN.year <= d.year <= DATE_MAX.year):
        return None, "out_of_range"
    return _in_range(pd.Timestamp(d))


@lru_cache(maxsize=100_000)
def _dateparser(value: str, order: str) -> pd.Timestamp | None:
    import dateparser  # imported lazily: slow to import, needed only for unusual dates

    try:
        parsed = dateparser.parse(
            value,
            languages=["en", "fr", "de", "es", "ar"],
            settings={
                "REQUIRE_PARTS": ["day", "month", "year"],
                "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False,
                "RELATIVE_BASE": dt.datetime(2000, 1, 1),  # fixed base: relative words never depend on today
                "DATE_ORDER": order.upper(),
            },
        )
    except (ValueError, OverflowError, TypeError):  # dateparser raises on some hostile strings
        return None
    if parsed is None:
        return None
    return _from_parts(parsed.year, parsed.month, parsed.day)[0]


@lru_cache(maxsize=200_000)
def _parse_str(value: str, order: str) -> tuple[pd.Timestamp | None, str | None]:
    m = _ISO.match(value)
    if m:
        return _from_parts(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC.match(value)
    if m:
        a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
        year = int(y) if len(y) == 4 else (1900 + int(y) if int(y) >= 69 else 2000 + int(y))  # strptime's %y pivot
        day, month = (a, b) if order == "dmy" else (b, a)
        if month > 12 >= day:  # only the other order reads it: read it so (find_date_order counted it)
            day, month = month, day
        return _from_parts(year, month, day)
    for f in NAMED_FORMATS:
        try:
            d = dt.datetime.strptime(value, f)
        except ValueError:
            continue
        return _from_parts(d.year, d.month, d.day)
    if len(value) > 200 or not re.search(r"\d{4}", value):  # no year: never guess one
        return None, "unparsable"
    ts = _dateparser(value, order)
    return (ts, None) if ts is not None else (None, "unparsable")


def parse_date(value, *, order: str = DEFAULT_DATE_ORDER) -> tuple[pd.Timestamp | None, str | None]:
    """(date at midnight, naive; problem) from a raw value. ``problem`` is None, ``"unparsable"``, ``"impossible"``
    (``2017-02-30``) or ``"out_of_range"``; the date is None whenever there is a problem or no value. Never raises."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None, None
    if isinstance(value, bool):
        return None, "unparsable"
    if isinstance(value, (dt.date, pd.Timestamp)):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, OverflowError):
            return None, "out_of_range"
        ts = ts.tz_localize(None) if ts.tzinfo else ts
        return _in_range(ts.normalize())
    text = _clean(value)
    if not text:
        return None, None
    return _parse_str(text, order)


def parse_date_value(value, fmt: str | None = None, *, order: str = DEFAULT_DATE_ORDER) -> pd.Timestamp | None:
    """One date (midnight, naive) or ``None``; ``fmt`` (a strptime format) is tried first. Never raises."""
    if fmt and isinstance(value, str):
        try:
            d = dt.datetime.strptime(_clean(value), fmt)
        except ValueError:
            pass
        else:
            return _from_parts(d.year, d.month, d.day)[0]
    return parse_date(value, order=order)[0]


def parse_dates(values: Iterable, *, order: str | None = None) -> list[pd.Timestamp | None]:
    """Parse a column of dates with one day/month order (``order``, else the one its values show)."""
    values = list(values)
    chosen = find_date_order(values, order=order)["order"]
    return [parse_date(v, order=chosen)[0] for v in values]


_FILENAME_DATE = re.compile(
    r"(?<![0-9A-Za-z])((?:19|20)\d{2})([-_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?![0-9A-Za-z])"
)


def date_from_filename(name: str) -> pd.Timestamp | None:
    """A ``YYYY-MM-DD``/``YYYYMMDD``/``YYYY_MM_DD`` date standing alone in a file name, else ``None``."""
    m = _FILENAME_DATE.search(Path(name).name)
    if not m:
        return None
    return _from_parts(int(m.group(1)), int(m.group(3)), int(m.group(4)))[0]


__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "DATE_ORDERS",
    "check_order",
    "date_from_filename",
    "find_date_order",
    "parse_date",
    "parse_date_value",
    "parse_dates",
]
