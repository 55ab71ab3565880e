"""Cost of the hostile-input mechanisms: row-by-row CSV parsing and the one date parser, on FA-KES replicated.

Prints rows per second for `analysis.delimited.parse_delimited` (every row checked, malformed rows rejected with
their line) against pandas' C parser (which pads short rows silently), and dates per second for `analysis.dates`.

Usage: .venv/bin/python benchmarks/bench_hostile.py [--rows 50000]   (needs ../shared/corpora/fakes)
"""

from __future__ import annotations

import argparse
import io
import sys
import time

import pandas as pd

from analysis import dates, delimited

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from bench_ingest import FAKES, replicate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    args = ap.parse_args()
    if not FAKES.is_file():
        print(f"skipped: {FAKES} is absent")
        return
    text = replicate(args.rows).decode("latin-1")
    t0 = time.perf_counter()
    parsed = delimited.parse_delimited(text, ",")
    t_rows = time.perf_counter() - t0
    t0 = time.perf_counter()
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, engine="c")
    t_pandas = time.perf_counter() - t0
    assert len(parsed.rows) == len(df), (len(parsed.rows), len(df))
    print(f"rows: {len(parsed.rows):,} ({len(parsed.rejects)} rejected), {len(text) / 2**20:.1f} MB")
    print(f"delimited.parse_delimited: {len(parsed.rows) / t_rows:,.0f} rows/s ({t_rows:.2f} s)")
    print(f"pandas read_csv (C engine): {len(df) / t_pandas:,.0f} rows/s ({t_pandas:.2f} s)")
    values = df["date"].tolist()
    dates._parse_str.cache_clear()
    t0 = time.perf_counter()
    info = dates.find_date_order(values)
    parsed_dates = [dates.parse_date(v, order=info["order"])[0] for v in values]
    t_dates = time.perf_counter() - t0
    print(
        f"dates: {len(values) / t_dates:,.0f} values/s, order {info['order']} ({info['source']}), "
        f"{sum(d is None for d in parsed_dates)} unreadable"
    )


if __name__ == "__main__":
    main()
