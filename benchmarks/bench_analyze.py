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

The corpus is FA-KES through ``ingest`` replicated with new doc_ids; the copies are exact, so a cache of repeated
sentences would look far better here than on real news (9.6% of FA-KES sentences repeat). ``analyze`` has no such
cache. On a shared machine run this when it is quiet: both programs slow down under load, the ratio less so.
"""

from __future__ import annotations

import argparse
import hashlib
import re
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


def run_anchor(anchor: Path, corpus: Path) -> float:
    """The anchor's printed rate (articles/s)."""
    proc = subprocess.run([sys.executable, str(anchor), str(corpus)], capture_output=True, text=True, check=True)
    m = re.search(r"= (\d+(?:\.\d+)?) articles/s", proc.stdout)
    if not m:
        raise SystemExit(f"anchor printed no rate: {proc.stdout!r} {proc.stderr[-500:]!r}")
    return float(m.group(1))


def run_analyze(corpus: Path, out: Path, *options: str) -> float:
    """Wall seconds of the whole `python -m analysis analyze` process (with ``options``, e.g. ``--jobs 2``)."""
    cmd = [sys.executable, "-m", "analysis", "analyze", str(corpus), "--out", str(out), "--no-progress", *options]
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - t0


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
        ours: dict[int, list[float]] = {j: [] for j in args.jobs}
        ratios: dict[int, list[float]] = {j: [] for j in args.jobs}
        reference = None
        for r in range(args.rounds):
            rate = run_anchor(anchor, corpus)
            anchor_rates.append(rate)
            line = [f"round {r + 1}: naive {rate:6.0f} art/s"]
            for j in args.jobs:
                out = work / f"out_{j}_{r}"
                seconds = run_analyze(corpus, out, "--jobs", str(j))
                digest = tables_digest(out)
                reference = reference or digest
                if digest != reference:
                    raise SystemExit(f"tables of --jobs {j} round {r + 1} differ from the first run's")
                ours[j].append(n / seconds)
                ratios[j].append(n / seconds / rate)
                line.append(
                    f"analyze --jobs {j} {seconds:6.1f} s = {n / seconds:6.0f} art/s ({n / seconds / rate:4.1f}x)"
                )
            print("; ".join(line), flush=True)
        print()
        print(
            f"naive anchor (loop only): min {min(anchor_rates):.0f}, median {statistics.median(anchor_rates):.0f} art/s"
        )
        for j in args.jobs:
            print(
                f"analyze --jobs {j} (whole process): min {min(ours[j]):.0f}, median {statistics.median(ours[j]):.0f} "
                f"art/s; ratio to the anchor of the same round: min {min(ratios[j]):.2f}x, "
                f"median {statistics.median(ratios[j]):.2f}x"
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
