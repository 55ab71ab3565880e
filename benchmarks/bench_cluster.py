"""`analyze` on a Dask LocalCluster (1 and 2 workers) against the one-process run, on FA-KES x10, in one run.

    .venv/bin/python benchmarks/bench_cluster.py                  # FA-KES x10 (8,040 articles), 2 rounds
    .venv/bin/python benchmarks/bench_cluster.py --copies 2 --rounds 1   # quick

Each round runs, each in a fresh process and timed as a whole (imports, cluster start, reading, all stages,
writing): ``analyze CORPUS`` (one process), then ``analyze CORPUS --scheduler local:1`` and ``--scheduler local:2``.
The tables of every run must be byte-identical to the one-process run's (checked; the manifests differ only in their
``scheduler`` field). From the times it derives the cluster's fixed cost (local:1 minus one process) and the
per-partition cost, which docs/scale.md uses to predict scaling on a real cluster. Min and median over rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import build_corpus, run_analyze, tables_digest  # noqa: E402 - the same corpus, run and digest


def main(argv=None) -> int:
    from analysis import config
    from analysis.pipeline import DEFAULT_CHUNK_SIZE

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=10, help="FA-KES copies (default 10: 8,040 articles)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    if not (config.SHARED_CORPORA / "fakes/FA-KES-Dataset.csv").exists():
        print("skipped: needs ../shared/corpora/fakes")
        return 0
    variants = {"one process": [], "local:1": ["--scheduler", "local:1"], "local:2": ["--scheduler", "local:2"]}
    times: dict[str, list[float]] = {k: [] for k in variants}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "articles.parquet"
        n = build_corpus(corpus, args.copies)
        partitions = -(-n // DEFAULT_CHUNK_SIZE)
        print(f"corpus: FA-KES x{args.copies} = {n:,} articles, {partitions} partitions of {DEFAULT_CHUNK_SIZE}")
        reference = None
        for r in range(args.rounds):
            for name, extra in variants.items():
                out = Path(tmp) / f"out-{r}-{name.replace(':', '')}"
                times[name].append(run_analyze(corpus, out, *extra))
                d = tables_digest(out)
                reference = reference or d
                if d != reference:
                    raise SystemExit(f"tables of {name} differ from the one-process run's")
            load = os.getloadavg()[0]
            print(
                f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()) + f" (load {load:.1f})"
            )
    print(f"\n{'run':<12} {'min s':>7} {'median s':>9} {'articles/s (min)':>17}")
    for name, ts in times.items():
        print(f"{name:<12} {min(ts):>7.1f} {statistics.median(ts):>9.1f} {n / min(ts):>17.0f}")
    one, c1, c2 = (min(times[k]) for k in variants)
    print("\ntables: byte-identical in every run")
    print(f"cluster fixed cost (local:1 - one process): {c1 - one:.1f} s")
    print(f"speed-up local:2 over local:1: {c1 / c2:.2f}x; over one process: {one / c2:.2f}x")
    print(f"per-partition cost in one process: {one / partitions:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
