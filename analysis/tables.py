"""Tidy tables: atomic, deterministic parquet, CSV and JSON writes, reading them back, and column contracts."""

from __future__ import annotations

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
            df.to_csv(tmp, index=False, lineterminator="\n")
        else:
            df.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd", row_group_size=ROW_GROUP_ROWS)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "table") -> None:
    """Raise a ParameterError naming the missing columns and the available ones."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(
            f"{what} has no column {', '.join(map(repr, missing))}; available: {', '.join(map(str, df.columns))}"
        )
