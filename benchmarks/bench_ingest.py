"""Ingest throughput and memory: the whole `python -m analysis ingest` process (imports included) at two or more
corpus sizes, with --jobs 1/2 and --scheduler local:1/local:2, interleaved over rounds.

Corpora (built once per size, then reused by every run):

- ``replicated`` (default): FA-KES repeated to N rows in one CSV, each copy after the first with one word dropped
  (a lightly edited republication). This is the issue-13 benchmark (FA-KES x10 = 8,040 rows) and a worst case for
  duplicate detection: at 48,240 rows every story has 60 near-identical copies.
- ``scale``: benchmarks/bench_scale.py's FA-KES-like corpus (new articles built from FA-KES and Reuters-ISOT
  sentences, 8% wire copies, CSV files of 50,000 rows).

For every run it prints wall seconds, articles per second, CPU seconds of the whole process tree (workers
included), the peak resident memory of the process tree (sampled every 0.1 s, summed over the process and its
children: RSS, and PSS, which counts the pages forked workers share with their parent once), and the machine's
1-minute load average at the start and the end of the run (other processes' work slows the wall clock: compare
runs at a similar load, and read the CPU column). Every run of one size must write the same corpus bytes; the
script checks that and says so.

    .venv/bin/python benchmarks/bench_ingest.py --sizes 8040,48240 --modes jobs1,jobs2 --rounds 2
    .venv/bin/python benchmarks/bench_ingest.py --sizes 8040 --modes local:1,local:2
    .venv/bin/python benchmarks/bench_ingest.py --corpus scale --sizes 100000 --modes jobs2

(needs ../shared/corpora/fakes; the machine is shared: compare runs of one round, and read the CPU column too)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import config  # noqa: E402

FAKES = config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv"


def replicate(rows: int, seed: int = 1, *, start: int = 0, stop: int | None = None) -> bytes:
    """FA-KES bytes (latin-1 view, so its bad bytes survive) repeated to ``rows`` rows; every copy after the
    first gets a new unit_id and one word dropped from its text, like a lightly edited republication. ``start`` and
    ``stop`` give rows ``start:stop`` of that sequence (the same rows whichever way it is cut into files)."""
    rng = random.Random(seed)
    text = FAKES.read_bytes().decode("latin-1")
    src = list(csv.reader(io.StringIO(text)))
    header, body = src[0], src[1:]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for i in range(min(rows, stop if stop is not None else rows)):
        row = list(body[i % len(body)])
        if i >= len(body):
            row[0] = str(9_000_000_000 + i)
            words = row[2].split(" ")
            del words[rng.randrange(len(words))]
            row[2] = " ".join(words)
        if i >= start:
            w.writerow(row)
    return out.getvalue().encode("latin-1")


def build(kind: str, rows: int, folder: Path, per_file: int) -> Path:
    """The input of one size, in CSV files of ``per_file`` rows (built once and kept in ``folder``)."""
    target = folder / f"{kind}_{rows}_{per_file}"
    if target.exists():
        return target
    part = folder / f".{kind}_{rows}.partial"
    part.mkdir(parents=True, exist_ok=True)
    if kind == "replicated":
        for lo in range(0, rows, per_file):
            (part / f"fakes_x_{lo // per_file:04d}.csv").write_bytes(replicate(rows, start=lo, stop=lo + per_file))
    else:
        import bench_scale

        bench_scale.build_corpus(rows, part, dup_rate=0.08, seed=13, per_file=per_file)
    part.rename(target)
    return target


def run(src: Path, out: Path, mode: str) -> dict:
    """One ingest process: wall and CPU seconds (the whole tree) and peak RSS (MB, summed over the tree)."""
    import psutil

    cmd = [sys.executable, "-m", "analysis", "ingest", str(src), "--out", str(out), "--no-progress"]
    if mode.startswith("jobs"):
        cmd += ["--jobs", mode[len("jobs") :]]
    else:
        cmd += ["--scheduler", mode]
    load0 = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    top, peak, peak_pss = psutil.Process(proc.pid), 0, 0
    while proc.poll() is None:
        rss = pss = 0
        try:
            for p in [top, *top.children(recursive=True)]:
                try:
                    full = p.memory_full_info()  # pss: shared pages (forked workers) counted once
                    rss, pss = rss + full.rss, pss + full.pss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"ingest {mode} failed ({proc.returncode}): {stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next(ln for ln in stdout.splitlines() if ln.startswith("rows:"))
    articles = int(line.split("articles ")[1].split(" ")[0])
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_mb": peak / 2**20,
        "pss_mb": peak_pss / 2**20,
        "articles": articles,
        "digest": digest,
        "load": (load0, os.getloadavg()[0]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["replicated", "scale"], default="replicated")
    parser.add_argument("--sizes", default="8040,48240", help="comma-separated article counts (default: %(default)s)")
    parser.add_argument("--modes", default="jobs1,jobs2,local:1,local:2", help="jobsN or a --scheduler value")
    parser.add_argument(
        "--rows-per-file",
        type=int,
        default=5_000,
        help="rows per CSV file (default %(default)s; ingest holds one file's records at a time)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="rounds; each runs every mode once, interleaved")
    parser.add_argument("--keep", help="build corpora in this folder and keep them (default: a temporary folder)")
    args = parser.parse_args(argv)
    if not FAKES.exists():
        print(f"skipped: {FAKES} is absent")
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        results: dict[tuple[int, str], list[dict]] = {}
        print(
            f"{'articles':>9s} {'mode':>8s} {'wall s':>8s} {'art/s':>7s} {'CPU s':>7s} {'art/CPU-s':>9s} {'RSS MB':>7s} "
            f"{'PSS MB':>7s} {'load':>9s}"
        )
        for n in sizes:
            src = build(args.corpus, n, folder, args.rows_per_file)
            for _ in range(args.rounds):
                for mode in modes:
                    r = run(src, Path(tmp) / "out" / "articles.parquet", mode)
                    results.setdefault((n, mode), []).append(r)
                    print(
                        f"{r['articles']:9,d} {mode:>8s} {r['wall']:8.1f} {r['articles'] / r['wall']:7,.0f} "
                        f"{r['cpu']:7.1f} {r['articles'] / r['cpu']:9,.0f} {r['rss_mb']:7,.0f} {r['pss_mb']:7,.0f} "
                        f"{r['load'][0]:4.1f}-{r['load'][1]:<4.1f}",
                        flush=True,
                    )
            digests = {r["digest"] for m in modes for r in results[(n, m)]}
            print(f"  {n:,} articles: {'identical corpus bytes in every run' if len(digests) == 1 else 'RUNS DIFFER'}")
        print("\nsummary over rounds (best / median):")
        for (n, mode), rs in results.items():
            rates = [r["articles"] / r["wall"] for r in rs]
            walls, cpus = [r["wall"] for r in rs], [r["cpu"] for r in rs]
            print(
                f"  {n:>7,d} {mode:>8s}: {max(rates):,.0f} / {statistics.median(rates):,.0f} articles/s, "
                f"wall {min(walls):.1f} / {statistics.median(walls):.1f} s, "
                f"CPU {min(cpus):.1f} / {statistics.median(cpus):.1f} s, "
                f"peak RSS {max(r['rss_mb'] for r in rs):,.0f} MB (PSS {max(r['pss_mb'] for r in rs):,.0f} MB), "
                f"load {min(min(r['load']) for r in rs):.1f}-{max(max(r['load']) for r in rs):.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
