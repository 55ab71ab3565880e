"""Tidy tables: atomic, deterministic parquet, CSV and JSON writes, reading them back, and column contracts."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis.errors import ParameterError

# Rows per parquet row group: readers that stream a table (e.g. `analyze` over the corpus) hold one group at a time.
ROW_GROUP_ROWS = 5_000


def save_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` to parquet (or CSV by suffix) atomically: readers never see a half-written file.

    The frame is written without its index; the same frame gives byte-identical files.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the writer's pid is in the name so that a later run can tell an abandoned temporary file (analysis.outputs)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".csv":
            # csv quotes a cell holding the line terminator (\n) but not a bare \r, which readers take for a line
            # break: a table with one is written with every cell quoted, so no row is split
            quoting = csv.QUOTE_ALL if _has_carriage_return(df) else csv.QUOTE_MINIMAL
            df.to_csv(tmp, index=False, lineterminator="\n", quoting=quoting)
        else:
            df.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd", row_group_size=ROW_GROUP_ROWS)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# Cell prefixes a spreadsheet reads as a formula (OWASP "CSV injection"): = + - @, tab, carriage return.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` in which every text cell that a spreadsheet would run as a formula (``=HYPERLINK(...)``,
    ``+1``, ``@SUM``, ...) starts with ``'``, OWASP's advice for CSV files people open in a spreadsheet: the
    spreadsheet then shows the text and runs nothing. Numbers are left alone."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        out[col] = ["'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v for v in s.tolist()]
    return out


def _has_carriage_return(df: pd.DataFrame) -> bool:
    for col in df.columns:
        s = df[col]
        if (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)) and any(
            isinstance(v, str) and "\r" in v for v in s.tolist()
        ):
            return True
    return False


def load_table(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a parquet (or CSV) table written by :func:`save_table`."""
    path = Path(path)
    if path.suffix == ".csv":
        return pd.read_csv(path, usecols=columns)
    return pd.read_parquet(path, columns=columns, engine="pyarrow")


def save_json(obj, path: str | os.PathLike, *, sort_keys: bool = True, default=str) -> Path:
    """Write ``obj`` as indented UTF-8 JSON atomically (a temporary file renamed over ``path``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(obj, indent=2, sort_keys=sort_keys, default=default) + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def as_list(value) -> list:
    """A one-or-many argument as a list: None -> [], a string -> [it], any other iterable -> its items."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "table") -> None:
    """Raise a ParameterError naming the missing columns and the available ones."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(
            f"{what} has no column {', '.join(map(repr, missing))}; available: {', '.join(map(str, df.columns))}"
        )


def find_members(values: pd.Series, members) -> pd.Series:
    """``values.isin(members)`` (a boolean Series on ``values``' index), for text columns in one Arrow pass.

    pandas' ``isin`` on a pyarrow-backed string column turns every member into a Python scalar first (2 s for
    300,000 doc ids); Arrow's ``is_in`` takes the members as one array. Null matches null, as in pandas. Other
    dtypes go to pandas.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = (pa.string(), pa.large_string())
    try:
        column = pa.array(values, from_pandas=True)
        wanted = pa.array(
            pd.Series(members, dtype=object) if not isinstance(members, pd.Series) else members, from_pandas=True
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return values.isin(members)
    if column.type not in text or not (wanted.type in text or pa.types.is_null(wanted.type)):
        return values.isin(members)
    mask = pc.is_in(column, value_set=wanted.cast(column.type))
    return pd.Series(mask.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)
