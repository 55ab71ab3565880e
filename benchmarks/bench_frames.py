"""Benchmark and summary of the framing stage on FA-KES: throughput of analyze_chunk and the headline figures.

    .venv/bin/python benchmarks/bench_frames.py [--copies 4] [--chunk 500]

Reads FA-KES (../shared/corpora/fakes) with analysis.ingest (or pandas, latin-1, when ingest is not installed),
runs ``analysis.frames.analyze_chunk`` over the corpus replicated ``--copies`` times in chunks of ``--chunk``
articles (as the `analyze` pipeline does), and prints articles/s for the whole stage and for its parts (frames,
actor mentions, labels/verbs/attributions). Then prints frame prevalence, the share of "terrorist" uses in the
writer's own voice by outlet, and attribution counts by source type.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import actors, config, frames  # noqa: E402


def _stage(docs: pd.DataFrame) -> dict:
    """The frames stage as the pipeline runs it: after the actors stage, whose mentions it receives."""
    from analysis.pipeline import build_sentences

    sents = build_sentences(docs)
    return frames.analyze_chunk(docs, sents, mentions=actors.find_mentions(docs, sentences=sents))


def load_fakes() -> pd.DataFrame:
    path = config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv"
    if not path.exists():
        print(f"skipped: {path} is absent")
        raise SystemExit(0)
    try:
        from analysis.ingest import ingest, load_corpus
    except ModuleNotFoundError:
        raw = pd.read_csv(path, encoding="latin-1")
        return pd.DataFrame(
            {
                "doc_id": [f"fakes-{i}" for i in range(len(raw))],
                "text": raw["article_content"],
                "outlet": raw["source"],
                "published": pd.to_datetime(raw["date"], format="%m/%d/%Y"),
                "duplicate_of": None,
            }
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "articles.parquet"
        ingest([str(path)], out)
        return load_corpus(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=4, help="replicate FA-KES this many times (default 4)")
    ap.add_argument("--chunk", type=int, default=500, help="articles per chunk (default 500)")
    args = ap.parse_args()
    from analysis.pipeline import build_sentences

    corpus = load_fakes()
    big = pd.concat(
        [corpus.assign(doc_id=corpus["doc_id"].astype(str) + f"~{k}") for k in range(args.copies)], ignore_index=True
    )
    _stage(big.iloc[:5])  # load resources once, outside the timing
    parts = {"sentences (pipeline)": 0.0, "frames": 0.0, "mentions": 0.0, "labels+verbs+attributions": 0.0}
    t_all = time.perf_counter()
    for i in range(0, len(big), args.chunk):
        docs = big.iloc[i : i + args.chunk]
        t = time.perf_counter()
        sents = build_sentences(docs)
        parts["sentences (pipeline)"] += time.perf_counter() - t
        t = time.perf_counter()
        frames.score_frames(docs, sentences=sents)
        parts["frames"] += time.perf_counter() - t
        t = time.perf_counter()
        mentions = actors.find_mentions(docs, sentences=sents)
        parts["mentions"] += time.perf_counter() - t
        t = time.perf_counter()
        frames.find_language(docs, sentences=sents, mentions=mentions)
        parts["labels+verbs+attributions"] += time.perf_counter() - t
    total = time.perf_counter() - t_all
    n = len(big)
    t = time.perf_counter()
    for i in range(0, len(big), args.chunk):
        docs = big.iloc[i : i + args.chunk]
        _stage(docs)
    stage = time.perf_counter() - t
    print(f"articles: {n:,} (FA-KES x{args.copies}); chunk {args.chunk}")
    print(f"analyze_chunk (frames stage, incl. building sentences): {n / stage:,.0f} articles/s ({stage:.1f} s)")
    for name, sec in parts.items():
        print(f"  {name:<28} {n / sec:>8,.0f} articles/s  ({sec:.1f} s, {sec / total:.0%})")

    t = time.perf_counter()
    fast = frames.score_frames(big)
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    full = frames.score_frames(big, _prefilter=False)
    t_full = time.perf_counter() - t
    for a, b in zip(fast, full):
        pd.testing.assert_frame_equal(a, b)
    print(
        f"\nscore_frames with the literal-word prefilter: {n / t_fast:,.0f} articles/s; every regex on every "
        f"text: {n / t_full:,.0f} articles/s ({t_full / t_fast:.1f}x; identical tables)"
    )

    out = _stage(corpus)
    docs = corpus.drop(columns="text")
    prevalence = frames.count_frames(out["frames"], docs)
    print("\nFrame prevalence (share of articles with at least one indicator; mean score):")
    print(
        prevalence[["frame", "family", "n_docs", "share_present", "mean_score"]].to_string(
            index=False, float_format=lambda v: f"{v:.3f}"
        )
    )
    labels = frames.count_labels(out["labels"], docs, by="outlet")
    terror = (
        labels[labels["label"] == "terrorist"]
        .pivot_table(index="outlet", columns="voice", values="n", aggfunc="sum")
        .fillna(0)
        .astype(int)
    )
    terror["share_own"] = terror.get("own", 0) / terror.sum(axis=1)
    print("\n'terrorist' uses by outlet and voice:")
    print(terror.sort_values("share_own", ascending=False).to_string(float_format=lambda v: f"{v:.2f}"))
    overall = out["labels"][out["labels"]["label"] == "terrorist"]["voice"].value_counts(normalize=True)
    print(f"overall: own {overall.get('own', 0):.1%}, attributed {overall.get('attributed', 0):.1%}")
    attrs = out["attributions"]
    print(f"\nAttributions: {len(attrs):,} in {attrs['doc_id'].nunique()} articles")
    print(attrs["source_type"].value_counts().to_string())
    print("\nBy pattern:")
    print(attrs["pattern"].value_counts().head(10).to_string())
    verbs = out["territorial_verbs"]
    print(f"\nTerritorial verbs: {len(verbs):,}; by perspective and voice:")
    print(pd.crosstab(verbs["perspective"], verbs["voice"]).to_string())


if __name__ == "__main__":
    main()
