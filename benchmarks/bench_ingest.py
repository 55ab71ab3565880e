"""Ingest throughput: FA-KES replicated to N rows (each copy lightly edited, so dedup has real work), end to end.

Replication is a worst case for duplicate detection: at 50,000 rows every story has ~62 near-identical copies.

Prints articles per second for the whole `ingest` (read, repair bytes, clean, agency, dates, language, exact and
near-duplicate detection, write) and for duplicate detection alone.

Usage: .venv/bin/python benchmarks/bench_ingest.py [--rows 50000]   (needs ../shared/corpora/fakes)
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from analysis import config, dedup, ingest

FAKES = config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv"


def replicate(rows: int, seed: int = 1) -> bytes:
    """FA-KES bytes (latin-1 view, so its bad bytes survive) repeated to ``rows`` rows; every copy after the
    first gets a new unit_id and one word dropped from its text, like a lightly edited republication."""
    rng = random.Random(seed)
    text = FAKES.read_bytes().decode("latin-1")
    src = list(csv.reader(io.StringIO(text)))
    header, body = src[0], src[1:]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for i in range(rows):
        row = list(body[i % len(body)])
        if i >= len(body):
            row[0] = str(9_000_000_000 + i)
            words = row[2].split(" ")
            del words[rng.randrange(len(words))]
            row[2] = " ".join(words)
        w.writerow(row)
    return out.getvalue().encode("latin-1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args(argv)
    if not FAKES.exists():
        print(f"skipped: {FAKES} is absent")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "fakes_x.csv"
        src.write_bytes(replicate(args.rows))
        t0, c0 = time.perf_counter(), time.process_time()
        res = ingest.ingest([src], Path(tmp) / "out" / "articles.parquet", options=ingest.IngestOptions(progress=False))
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
        c = res.manifest["counts"]
        print(
            f"ingest {c['articles']} articles ({src.stat().st_size / 1e6:.0f} MB CSV) in {total:.1f} s: "
            f"{c['articles'] / total:,.0f} articles/s end to end ({c['articles'] / cpu:,.0f} per CPU-second; "
            f"the machine may be shared)"
        )
        print(
            f"  duplicates: {c['duplicates_exact']} exact, {c['duplicates_near']} near; "
            f"bytes repaired {c['bytes_repaired']}; rejects {c['rejected']}"
        )
        t0, c0 = time.perf_counter(), time.process_time()
        dedup.find_duplicates(res.corpus)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"  duplicate detection alone: {dt:.1f} s ({len(res.corpus) / dt:,.0f} articles/s; "
            f"{len(res.corpus) / cpu:,.0f} per CPU-second)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
