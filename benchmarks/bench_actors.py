"""Benchmark of actor/place mention finding: Aho-Corasick vs a naive one-regex-per-alias loop, and FA-KES agreement.

    .venv/bin/python benchmarks/bench_actors.py [--articles 50000] [--naive-articles 2000]

Replicates FA-KES (../shared/corpora/fakes) to at least ``--articles`` articles, finds and counts every mention
with ``analysis.actors`` and with a naive loop (one compiled regular expression per alias, the same case and
boundary rules, the same longest-match resolution) on the first ``--naive-articles`` of them (all of them with
``--naive-articles 0``), asserts identical mentions and counts on the shared articles, and prints articles/s.
Then prints the FA-KES place agreement (most-mentioned city-level place vs the `location` label).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import actors, config  # noqa: E402
from analysis.actors import matcher as actor_matcher  # noqa: E402


def find_mentions_naive(corpus: pd.DataFrame, dictionary: actors.ActorDictionary) -> pd.DataFrame:
    """Reference implementation: one `re` search per alias and per pattern over every text (slow by design)."""
    ids = list(dictionary.entries)
    index = {eid: i for i, eid in enumerate(ids)}
    compiled = []
    for eid, forms in dictionary._forms.items():
        for form, case in forms:
            where, (cap, spans) = actor_matcher.alias_rule(form, case)
            flags = 0 if where == "exact" else re.IGNORECASE
            rx = r"(?<!\w)" + re.escape(form) + r"(?!\w|" + re.escape(actor_matcher.DESCRIPTOR_SUFFIX) + ")"
            compiled.append((re.compile(rx, flags), index[eid], cap, spans))
    patterns = [(p, index[e.id]) for e in dictionary.entries.values() for p in e.patterns]
    import regex

    patterns = [(regex.compile(p), i) for p, i in patterns]
    rows = []
    for doc_id, text in zip(corpus["doc_id"], corpus["text"]):
        norm = actor_matcher.normalise(text)
        cands = []
        for rx, idx, cap, spans in compiled:
            for m in rx.finditer(norm):
                if actor_matcher.case_ok(norm, m.start(), cap, spans):
                    cands.append((m.start() - m.end(), m.start(), idx))
        for rx, idx in patterns:
            cands.extend(
                (m.start() - m.end(), m.start(), idx)
                for m in rx.finditer(norm)
                if m.end() > m.start() and not norm.startswith(actor_matcher.DESCRIPTOR_SUFFIX, m.end())
            )
        for s, e, eid in actor_matcher.resolve_overlaps(cands, ids, bytearray(len(norm))) if cands else []:
            rows.append((doc_id, eid, s, e))
    return pd.DataFrame(rows, columns=["doc_id", "actor_id", "start", "end"])


def replicate(corpus: pd.DataFrame, n: int) -> pd.DataFrame:
    copies = -(-n // len(corpus))
    parts = [corpus.assign(doc_id=corpus["doc_id"] + f"-r{k:03d}") for k in range(copies)]
    return pd.concat(parts, ignore_index=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000, help="replicate FA-KES to at least this many")
    parser.add_argument(
        "--naive-articles",
        type=int,
        default=500,
        help="articles for the naive loop (0 = all; the naive loop is ~100x slower)",
    )
    args = parser.parse_args(argv)
    path = config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv"
    if not path.exists():
        print(f"skipped: {path} is absent")
        return 0
    fakes = actors.load_fakes(path)
    dictionary = actors.load_dictionary()
    print(f"dictionary: {dictionary!r}")

    # ---- FA-KES place agreement
    for weight in (1, 3):
        table = actors.score_place_agreement(fakes, dictionary=dictionary, title_weight=weight)
        print(
            f"FA-KES place agreement (title_weight={weight}): {table['correct'].mean():.4f} "
            f"({table['correct'].sum()}/{len(table)}); no city-level place found: "
            f"{table['predicted_city'].isna().sum()}"
        )
    table = actors.score_place_agreement(fakes, dictionary=dictionary)
    label_in_text = [
        lab in {c for c in (p, r) if c}
        for lab, p, r in zip(table["label_city"], table["predicted_city"], table["runner_up_city"])
    ]
    misses = table[~table["correct"]]
    print(
        f"  misses: {len(misses)}; label city is the runner-up in "
        f"{sum(x for x, ok in zip(label_in_text, table['correct']) if not ok)}"
    )
    print("  most frequent confusions (label -> predicted):")
    confusions = misses.groupby(["label_city", "predicted_city"], dropna=False).size().sort_values(ascending=False)
    for (lab, pred), n in confusions.head(8).items():
        print(f"    {lab:>10} -> {pred!s:<10} {n}")

    # ---- speed
    corpus = replicate(
        fakes[["doc_id", "text", "n_words", "outlet", "published"]].assign(duplicate_of=None), args.articles
    )
    actors.find_mentions("warm-up: Mosul", dictionary=dictionary)
    t0 = time.perf_counter()
    fast = actors.find_mentions(corpus, dictionary=dictionary)
    t_find = time.perf_counter() - t0
    counts = actors.count_mentions(fast, corpus, by="outlet", dictionary=dictionary)
    t_fast = time.perf_counter() - t0
    print(
        f"\nAho-Corasick: {len(corpus):,} articles, {len(fast):,} mentions in {t_fast:.2f} s "
        f"(find {t_find:.2f} s + count {t_fast - t_find:.2f} s): {len(corpus) / t_fast:,.0f} articles/s"
    )

    sample = corpus if args.naive_articles <= 0 else corpus.iloc[: args.naive_articles]
    t0 = time.perf_counter()
    naive = find_mentions_naive(sample, dictionary)
    naive_counts = naive.groupby("actor_id").size()
    t_naive = time.perf_counter() - t0
    print(
        f"naive regex loop ({len(dictionary._alias_owner):,} aliases): {len(sample):,} articles in "
        f"{t_naive:.2f} s: {len(sample) / t_naive:,.1f} articles/s"
    )

    shared = fast[fast["doc_id"].isin(set(sample["doc_id"]))].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        shared[["doc_id", "actor_id", "start", "end"]],
        naive.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True),
    )
    assert shared.groupby("actor_id").size().equals(naive_counts)
    assert counts["n_mentions"].sum() == len(fast)
    print(
        f"identical mentions and counts on the {len(sample):,} shared articles "
        f"({len(naive):,} mentions, {naive_counts.size} distinct actors/places)"
    )
    print(f"speed-up: {(len(corpus) / t_fast) / (len(sample) / t_naive):,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
