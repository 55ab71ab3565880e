"""`analyze` against the naive NLTK anchor (../shared/bench/naive_nltk.py) on FA-KES x10, interleaved, in one run.

    .venv/bin/python benchmarks/bench_analyze.py                 # FA-KES x10 (8,040 articles), 3 rounds
    .venv/bin/python benchmarks/bench_analyze.py --copies 2 --rounds 1 --jobs 1   # quick

Each round runs, one after the other and each in a fresh process: the anchor script (it prints its loop rate in
articles/s, leaving out imports and reading), then ``python -m analysis analyze CORPUS --jobs J`` for every J
asked, timed as a whole (wall clock from process start to exit: imports, reading, all stages, writing). Our rate
is articles / wall seconds; the ratio is our rate / the anchor's rate in the same round. Min and median over
rounds are printed, and the tables of every run are checked to be identical (same bytes) to the first run's.
Last, the word counts of the first ``--count-sample`` articles are checked against NLTK's Punkt + Treebank
FreqDist (normalised as docs/text-analysis.md says).

CPU seconds (user + system) are printed beside the wall times: of the anchor's whole process, and of `analyze`
with every process under it (its ``--jobs`` workers too, see :func:`time_command`). Under load they move far less
than wall times; the CPU ratio is the anchor's CPU over ours. The load average is printed per round and overall.

The corpus is FA-KES through ``ingest`` replicated with new doc_ids; the copies are exact, so a cache of repeated
sentences would look far better here than on real news (9.6% of FA-KES sentences repeat). ``analyze`` has no such
cache. On a shared machine run this when it is quiet: both programs slow down under load, the ratio less so.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAKES = "fakes/FA-KES-Dataset.csv"


def build_corpus(path: Path, copies: int) -> int:
    """FA-KES through `ingest`, replicated ``copies`` times with new doc_ids (no duplicate marks), saved to path."""
    import pandas as pd

    from analysis import config, ingest
    from analysis.tables import save_table

    source = config.SHARED_CORPORA / FAKES
    corpus = ingest.ingest_files([source], options=ingest.IngestOptions(progress=False)).corpus
    big = pd.concat(
        [corpus.assign(doc_id=corpus["doc_id"] + f"-{k:03d}", duplicate_of=None) for k in range(copies)],
        ignore_index=True,
    )
    save_table(big, path)
    return len(big)


def _become_subreaper() -> bool:
    """Adopt our descendants when their parent exits (Linux ``PR_SET_CHILD_SUBREAPER``), so that waiting for them
    adds their CPU time, and that of the processes they waited for, to ours in ``getrusage(RUSAGE_CHILDREN)``."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


SUBREAPER = sys.platform.startswith("linux") and _become_subreaper()


def time_command(cmd: list[str], **options) -> tuple[float, float | None, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds and result of ``cmd``.

    CPU is user + system of the process and of every process under it: `analyze --jobs N` forks its workers from a
    forkserver that it never waits for, so plain getrusage would miss them; as a subreaper this process adopts the
    forkserver when `analyze` exits and waits for it (the forkserver has waited for the workers). None when the
    platform cannot do that.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, **options)
    wall = time.perf_counter() - t0
    deadline = time.monotonic() + 30
    while SUBREAPER and time.monotonic() < deadline:  # adopted orphans exit once `analyze` has
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.05)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, (cpu if SUBREAPER else None), proc


def run_anchor(anchor: Path, corpus: Path) -> tuple[float, float | None]:
    """The anchor's printed rate (articles/s) and its CPU seconds (whole process)."""
    _, cpu, proc = time_command([sys.executable, str(anchor), str(corpus)])
    m = re.search(r"= (\d+(?:\.\d+)?) articles/s", proc.stdout)
    if not m:
        raise SystemExit(f"anchor printed no rate: {proc.stdout!r} {proc.stderr[-500:]!r}")
    return float(m.group(1)), cpu


def analyze_command(corpus: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "analysis", "analyze", str(corpus), "--out", str(out), "--no-progress", *options]


def run_analyze(corpus: Path, out: Path, *options: str) -> float:
    """Wall seconds of the whole `python -m analysis analyze` process (with ``options``, e.g. ``--jobs 2``)."""
    return time_analyze(corpus, out, *options)[0]


def time_analyze(corpus: Path, out: Path, *options: str) -> tuple[float, float | None]:
    """Wall and CPU seconds (see :func:`time_command`) of the whole `python -m analysis analyze` process."""
    wall, cpu, _ = time_command(analyze_command(corpus, out, *options), cwd=ROOT)
    return wall, cpu


def check_counts(corpus: Path, terms: Path, limit: int) -> tuple[int, int, list]:
    """For the first ``limit`` articles: NLTK's Punkt + Treebank FreqDist, normalised as documented (each token
    lower-cased and re-split with analysis.text.TOKEN_PATTERN, which drops punctuation-only tokens), must equal the
    article's rows in terms.parquet. Returns (identical, checked, first differing doc_ids)."""
    from collections import Counter

    import pyarrow.parquet as pq
    from nltk import FreqDist
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    from analysis.text import TOKEN_PATTERN

    docs = pq.read_table(corpus, columns=["doc_id", "text"]).slice(0, limit).to_pandas()
    ours = pq.read_table(terms, filters=[("doc_id", "in", list(docs["doc_id"]))]).to_pandas()
    ours = {d: dict(zip(g["term"], g["count"])) for d, g in ours.groupby("doc_id", observed=True)}
    punkt, words = PunktSentenceTokenizer(), NLTKWordTokenizer()
    same, differing = 0, []
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        dist = FreqDist(tok for sent in punkt.tokenize(text) for tok in words.tokenize(sent))
        norm = Counter()
        for tok, n in dist.items():
            for w in TOKEN_PATTERN.findall(tok.lower()):
                norm[w] += n
        if dict(norm) == ours.get(doc_id, {}):
            same += 1
        else:
            differing.append(doc_id)
    return same, len(docs), differing[:5]


def tables_digest(out: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(out.glob("*.parquet")):
        digest.update(p.name.encode() + p.read_bytes())
    return digest.hexdigest()


def _cpu(seconds: float | None) -> str:
    return "CPU n/a" if seconds is None else f"{seconds:.1f} CPU s"


def _spread(values: list) -> str:
    if None in values:
        return "CPU n/a"
    return f"CPU s min {min(values):.1f}, median {statistics.median(values):.1f}"


def main(argv=None) -> int:
    from analysis import config

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=10, help="FA-KES copies (default 10: 8,040 articles)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values of analyze to time")
    ap.add_argument("--count-sample", type=int, default=1_000, help="articles for the identical-counts check")
    args = ap.parse_args(argv)
    anchor = config.SHARED_DIR / "bench" / "naive_nltk.py"
    if not anchor.exists() or not (config.SHARED_CORPORA / FAKES).exists():
        print(f"skipped: needs ../shared/bench/naive_nltk.py and ../shared/corpora/{FAKES}")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        work = Path(tmp)
        corpus = work / f"fakes_x{args.copies}.parquet"
        n = build_corpus(corpus, args.copies)
        print(
            f"corpus: FA-KES via ingest x{args.copies} = {n:,} articles; {args.rounds} interleaved rounds", flush=True
        )
        anchor_rates: list[float] = []
        anchor_cpu: list[float] = []
        ours: dict[int, list[float]] = {j: [] for j in args.jobs}
        ratios: dict[int, list[float]] = {j: [] for j in args.jobs}
        cpu: dict[int, list[float]] = {j: [] for j in args.jobs}
        loads: list[float] = []
        reference = None
        for r in range(args.rounds):
            loads.append(os.getloadavg()[0])
            rate, seconds_cpu = run_anchor(anchor, corpus)
            anchor_rates.append(rate)
            anchor_cpu.append(seconds_cpu)
            line = [f"round {r + 1} (load {loads[-1]:.1f}): naive {rate:6.0f} art/s, {_cpu(seconds_cpu)}"]
            for j in args.jobs:
                out = work / f"out_{j}_{r}"
                seconds, seconds_cpu = time_analyze(corpus, out, "--jobs", str(j))
                digest = tables_digest(out)
                reference = reference or digest
                if digest != reference:
                    raise SystemExit(f"tables of --jobs {j} round {r + 1} differ from the first run's")
                ours[j].append(n / seconds)
                ratios[j].append(n / seconds / rate)
                cpu[j].append(seconds_cpu)
                line.append(
                    f"analyze --jobs {j} {seconds:6.1f} s = {n / seconds:6.0f} art/s ({n / seconds / rate:4.1f}x), "
                    + _cpu(seconds_cpu)
                )
            loads[-1] = max(loads[-1], os.getloadavg()[0])
            print("; ".join(line), flush=True)
        print()
        print(f"load average (1 min) at the rounds' starts and ends: {min(loads):.1f} - {max(loads):.1f}")
        print(
            f"naive anchor (loop only): min {min(anchor_rates):.0f}, median {statistics.median(anchor_rates):.0f} art/s; "
            f"whole process {_spread(anchor_cpu)}"
        )
        for j in args.jobs:
            print(
                f"analyze --jobs {j} (whole process): min {min(ours[j]):.0f}, median {statistics.median(ours[j]):.0f} "
                f"art/s; ratio to the anchor of the same round: min {min(ratios[j]):.2f}x, "
                f"median {statistics.median(ratios[j]):.2f}x; {_spread(cpu[j])}"
            )
            if None not in cpu[j] and None not in anchor_cpu:
                cpu_ratios = [a / b for a, b in zip(anchor_cpu, cpu[j], strict=True)]
                print(
                    f"  CPU ratio (anchor whole-process CPU / analyze CPU, same round): min {min(cpu_ratios):.2f}x, "
                    f"median {statistics.median(cpu_ratios):.2f}x"
                )
        print("tables identical across all runs: yes")
        same, checked, differing = check_counts(
            corpus, work / f"out_{args.jobs[0]}_0" / "terms.parquet", args.count_sample
        )
        print(
            f"identical counts (NLTK Punkt + Treebank FreqDist, normalised, vs terms.parquet): {same:,} of {checked:,}"
            + (f"; differing e.g. {differing}" if differing else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
