"""Compare two output trees (ingest, analyze, report) file by file: prove that tables and figures are unchanged.

    .venv/bin/python scripts/compare_outputs.py BASELINE NEW [--ignore GLOB ...]

Walks BASELINE and NEW and compares every ``*.parquet`` (read with pandas and compared with ``DataFrame.equals``,
plus a byte compare), ``*.csv`` (bytes; when they differ, also as tables: same columns in another order, same rows
in another order, or different values), ``*.png``/``*.svg`` (bytes) and ``*.json`` (parsed; keys whose values are
expected to differ between two runs -- paths, times, git commit, package versions -- are ignored). Files present in
only one tree are listed. Prints one line per file that differs, with what differs, and exits 1 when any does.
HTML, PDF and executed notebooks are skipped: they embed the figures and tables compared here.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from pathlib import Path

import pandas as pd

COMPARED = (".parquet", ".csv", ".png", ".svg", ".json")
# JSON keys that name where or when a run happened, not what it computed.
VOLATILE_KEYS = {
    "started",
    "finished",
    "seconds",
    "git_commit",
    "python",
    "path",
    "corpus",
    "analysis",
    "package_versions",
}


def _strip(obj):
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in VOLATILE_KEYS}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _json_diff(a, b, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{where}/{k}: only in {'new' if k in b else 'baseline'}")
            else:
                out += _json_diff(a[k], b[k], f"{where}/{k}")
        return out
    return [] if a == b else [f"{where or '/'}: {str(a)[:80]!r} -> {str(b)[:80]!r}"]


def _table_diff(a: pd.DataFrame, b: pd.DataFrame) -> str:
    """What differs between two tables, in words."""
    if list(a.columns) != list(b.columns):
        if sorted(map(str, a.columns)) == sorted(map(str, b.columns)):
            b2 = b[list(a.columns)]
            same = a.equals(b2) or _same_rows(a, b2)
            return f"column order {list(a.columns)} -> {list(b.columns)}" + (
                "; same values" if same else "; values differ too"
            )
        return f"columns {list(a.columns)} -> {list(b.columns)}"
    if len(a) != len(b):
        return f"rows {len(a)} -> {len(b)}"
    if _same_rows(a, b):
        return "same rows in another order"
    diff = [c for c in a.columns if not a[c].equals(b[c])]
    return f"values differ in column(s) {diff}"


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if len(a) != len(b):
        return False
    cols = list(a.columns)
    key = [str(c) for c in cols]
    sa = a.astype(str).set_axis(key, axis=1).sort_values(key).reset_index(drop=True)
    sb = b[cols].astype(str).set_axis(key, axis=1).sort_values(key).reset_index(drop=True)
    return sa.equals(sb)


def compare_file(old: Path, new: Path) -> str | None:
    """None when the two files hold the same content, else a short description of the difference."""
    suffix = old.suffix
    same_bytes = old.read_bytes() == new.read_bytes()
    if suffix == ".parquet":
        a, b = pd.read_parquet(old), pd.read_parquet(new)
        if a.equals(b) and list(a.dtypes) == list(b.dtypes):
            return None if same_bytes else "same table (pandas equals), different bytes"
        if a.equals(b):
            return f"dtypes {dict(a.dtypes)} -> {dict(b.dtypes)}"
        return _table_diff(a, b)
    if suffix == ".csv":
        if same_bytes:
            return None
        return "CSV " + _table_diff(pd.read_csv(old), pd.read_csv(new))
    if suffix == ".json":
        diff = _json_diff(_strip(json.loads(old.read_text())), _strip(json.loads(new.read_text())))
        return None if not diff else "; ".join(diff[:6]) + (f" (+{len(diff) - 6} more)" if len(diff) > 6 else "")
    return None if same_bytes else "different bytes"


def compare_trees(baseline: Path, new: Path, *, ignore: list[str] = ()) -> list[tuple[str, str]]:
    """[(relative path, difference)] for every compared file that differs or exists in one tree only."""

    def files(root: Path) -> set[str]:
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file()
            and p.suffix in COMPARED
            and not any(fnmatch.fnmatch(p.relative_to(root).as_posix(), g) for g in ignore)
        }

    old_files, new_files = files(baseline), files(new)
    out = [(f, "only in baseline") for f in sorted(old_files - new_files)]
    out += [(f, "only in new") for f in sorted(new_files - old_files)]
    for f in sorted(old_files & new_files):
        diff = compare_file(baseline / f, new / f)
        if diff:
            out.append((f, diff))
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--ignore", action="append", default=[], metavar="GLOB", help="relative paths to skip")
    args = parser.parse_args(argv)
    diffs = compare_trees(args.baseline, args.new, ignore=args.ignore)
    n = sum(1 for root in (args.baseline,) for p in root.rglob("*") if p.is_file() and p.suffix in COMPARED)
    for path, what in diffs:
        print(f"DIFF {path}: {what}")
    print(f"{n} files compared in {args.baseline}; {len(diffs)} differ")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
