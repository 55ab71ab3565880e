"""Benchmark `analyze` on FA-KES replicated to 50,000 articles against a naive per-article NLTK approach.

    .venv/bin/python benchmarks/bench_analyze.py                       # 10k, 50k, 100k articles (~20 minutes)
    .venv/bin/python benchmarks/bench_analyze.py --sizes 2000 --naive-sample 1000 --vader-sample 200   # quick

Every measurement runs in a fresh subprocess, so the peak resident memory (ru_maxrss) belongs to that run alone.

- ``analyze core``: the pipeline with the frequency stage only (read the corpus in chunks, Punkt sentences,
  word tokens, doc-term counts, write documents/sentences/terms parquet, manifest) -- everything but VADER.
- ``naive NLTK``: per article, untrained ``PunktSentenceTokenizer().tokenize``, ``NLTKWordTokenizer().tokenize``
  per sentence and ``FreqDist`` of the tokens -- on the first ``--naive-sample`` articles, extrapolated per article.
- ``VADER``: our sentiment stage (sentence scores + whole-text compound) vs naive NLTK VADER per sentence.
- ``analyze all``: the full command with every stage in pipeline.STAGES (sentiment, frequency, actors, frames),
  once, at the largest size.
- identical counts: for every naive article, its FreqDist normalised as documented (each Treebank token
  lower-cased and re-split with ``analysis.text.TOKEN_PATTERN``, which drops punctuation-only tokens) must equal
  the article's rows in ``terms.parquet``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAKES = "fakes/FA-KES-Dataset.csv"


def _maxrss_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM: unlike ru_maxrss it is not inherited over fork+exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# ---------------------------------------------------------------------------------------------- child processes
def child_analyze(corpus: str, out: str, stages: str) -> dict:
    from analysis import pipeline

    chosen = {
        "core": ["analysis.frequency:analyze_chunk"],
        "sentiment": ["analysis.sentiment:analyze_chunk"],
        "all": None,
    }[stages]
    base = _maxrss_mb()
    t0 = time.perf_counter()
    result = pipeline.analyze_corpus(corpus, out, stages=chosen, progress=False)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "articles": result.manifest["corpus"]["n_selected"],
        "maxrss_mb": _maxrss_mb(),
        "rss_after_imports_mb": base,
        "rows": {k: v["rows"] for k, v in result.manifest["tables"].items()},
    }


def child_naive(corpus: str, terms: str, limit: int, vader_limit: int) -> dict:
    import pyarrow.parquet as pq
    from nltk import FreqDist
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    from analysis.sentiment import analyzer
    from analysis.text import TOKEN_PATTERN

    docs = pq.read_table(corpus, columns=["doc_id", "text"]).slice(0, limit).to_pandas()
    punkt, words = PunktSentenceTokenizer(), NLTKWordTokenizer()
    t0 = time.perf_counter()
    dists = []
    for text in docs["text"]:
        tokens = [tok for sent in punkt.tokenize(text) for tok in words.tokenize(sent)]
        dists.append(FreqDist(tokens))
    seconds = time.perf_counter() - t0

    vader = analyzer()  # NLTK's SentimentIntensityAnalyzer, same lexicon as the pipeline
    t0 = time.perf_counter()
    for text in docs["text"][:vader_limit]:
        for sent in punkt.tokenize(text):
            vader.polarity_scores(sent)
    vader_seconds = time.perf_counter() - t0

    # identical counts: naive FreqDist after the documented normalisation == terms.parquet rows of the article
    ours = pq.read_table(terms, filters=[("doc_id", "in", list(docs["doc_id"]))]).to_pandas()
    ours = {d: dict(zip(g["term"], g["count"])) for d, g in ours.groupby("doc_id")}
    same = 0
    differing = []
    for doc_id, dist in zip(docs["doc_id"], dists):
        norm = Counter()
        for tok, n in dist.items():
            for w in TOKEN_PATTERN.findall(tok.lower()):
                norm[w] += n
        if dict(norm) == ours.get(doc_id, {}):
            same += 1
        else:
            differing.append(doc_id)
    return {
        "seconds": seconds,
        "articles": len(docs),
        "vader_seconds": vader_seconds,
        "vader_articles": min(vader_limit, len(docs)),
        "identical_counts": same,
        "differing": differing[:5],
        "maxrss_mb": _maxrss_mb(),
    }


def _run_child(*args: str, required: bool = True) -> dict | None:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        message = f"child {args[0]} {args[-1]} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else ''}"
        if required:
            raise SystemExit(message)
        print(message, flush=True)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(name: str, r: dict) -> None:
    print(
        f"{name:44s} {r['articles']:9,d} {r['seconds']:8.1f} {r['articles'] / r['seconds']:8.0f} "
        f"{r['maxrss_mb']:11.0f}",
        flush=True,
    )


# ------------------------------------------------------------------------------------------------------ corpus
def build_corpora(workdir: Path, sizes: list[int]) -> dict[int, Path]:
    """FA-KES through `ingest`, replicated (new doc_ids, no duplicate marks) and cut to each size."""
    import pandas as pd

    from analysis import config, ingest
    from analysis.tables import save_table

    source = config.SHARED_CORPORA / FAKES
    if not source.exists():
        print(f"skipped: needs ../shared/corpora/{FAKES}")
        raise SystemExit(0)
    corpus = ingest.ingest_files([source], options=ingest.IngestOptions(progress=False)).corpus
    reps = -(-max(sizes) // len(corpus))
    big = pd.concat(
        [corpus.assign(doc_id=corpus["doc_id"] + f"-{k:03d}", duplicate_of=None) for k in range(reps)],
        ignore_index=True,
    )
    paths = {}
    for size in sizes:
        paths[size] = save_table(big.iloc[:size], workdir / f"fakes_{size}.parquet")
    print(
        f"corpus: FA-KES via ingest, {len(corpus)} articles (mean {corpus['n_words'].mean():.0f} words), "
        f"replicated x{reps}; sizes {', '.join(f'{s:,}' for s in sizes)}"
    )
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    ap.add_argument("--naive-sample", type=int, default=5_000, help="articles for the naive NLTK run")
    ap.add_argument("--vader-sample", type=int, default=1_000, help="articles for the naive VADER timing")
    ap.add_argument("--skip-all", action="store_true", help="skip the full analyze (all stages) runs")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        out = child_analyze(*rest) if kind == "analyze" else child_naive(rest[0], rest[1], int(rest[2]), int(rest[3]))
        print(json.dumps(out))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        work = Path(tmp)
        corpora = build_corpora(work, sorted(args.sizes))
        print(f"\n{'run':44s} {'articles':>9s} {'seconds':>8s} {'art/s':>8s} {'peak RSS MB':>11s}", flush=True)
        core = {}
        for size, path in corpora.items():
            core[size] = _run_child("analyze", str(path), str(work / f"core_{size}"), "core")
            _line(f"analyze core (no VADER), {size:,}", core[size])
        small = min(corpora)
        naive = _run_child(
            "naive",
            str(corpora[small]),
            str(work / f"core_{small}" / "terms.parquet"),
            str(args.naive_sample),
            str(args.vader_sample),
        )
        _line("naive NLTK (Punkt+Treebank+FreqDist)", naive)
        print(
            f"{'naive NLTK VADER per sentence':44s} {naive['vader_articles']:9,d} {naive['vader_seconds']:8.1f} "
            f"{naive['vader_articles'] / naive['vader_seconds']:8.0f}",
            flush=True,
        )
        senti = _run_child("analyze", str(corpora[small]), str(work / f"senti_{small}"), "sentiment")
        _line(f"analyze sentiment stage only, {small:,}", senti)
        if not args.skip_all:
            for size in [max(corpora)]:  # the full command once, at the largest size
                full = _run_child("analyze", str(corpora[size]), str(work / f"all_{size}"), "all", required=False)
                if full:
                    _line(f"analyze all stages, {size:,}", full)

    print()
    naive_rate = naive["articles"] / naive["seconds"]
    vader_rate = naive["vader_articles"] / naive["vader_seconds"]
    for size, r in core.items():
        rate = r["articles"] / r["seconds"]
        print(
            f"{size:,} articles: analyze core {rate:,.0f} art/s vs naive {naive_rate:,.0f} art/s "
            f"(measured on {naive['articles']:,}, extrapolated: {size / naive_rate:,.0f} s) -> {rate / naive_rate:.1f}x"
        )
    print(
        f"sentiment stage {senti['articles'] / senti['seconds']:,.0f} art/s vs naive VADER {vader_rate:,.0f} art/s "
        "(the stage also scores each whole text)"
    )
    print(
        f"identical counts: {naive['identical_counts']:,} of {naive['articles']:,} articles"
        + (f"; differing e.g. {naive['differing']}" if naive["differing"] else "")
    )
    sizes = sorted(core)
    if len(sizes) > 1:
        a, b = core[sizes[0]], core[sizes[-1]]
        print(
            f"peak RSS analyze core: {a['maxrss_mb']:.0f} MB at {sizes[0]:,} vs {b['maxrss_mb']:.0f} MB at "
            f"{sizes[-1]:,} articles (after imports: {a['rss_after_imports_mb']:.0f} MB)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
