"""Attribution recall and precision on PolNeAR: source+cue P/R/F1 (lenient and span-overlap rules), content overlap.

    .venv/bin/python benchmarks/bench_attribution.py [--part dev] [--errors N] [--tagger] [--fakes-ab ROUNDS]

Runs ``analysis.frames.find_attributions`` on the PolNeAR articles of ``--part`` (train or dev; the test part is
held out and never read) and scores them with ``analysis.gold.polnear``: overall, per publisher, and the time taken.
``--errors N`` prints N missed and N wrong attributions (use it on train, where rules are developed).
``--tagger`` switches the CRF tagger on (opt-in: ``frames.load_attribution_rules(tagger=True)``). ``--fakes-ab ROUNDS`` instead times
``find_attributions`` on FA-KES with and without the tagger, interleaved in this one process (CPU seconds, best and
median of ROUNDS each), and prints both tables' counts by source type and a sample of the tagger's rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import frames  # noqa: E402
from analysis.gold import polnear  # noqa: E402


def found_table(attributions: pd.DataFrame) -> pd.DataFrame:
    """The scorer's columns from a find_attributions table (cue and content offsets as the rules give them)."""
    out = attributions.copy()
    for col in ("cue_start", "cue_end", "content_start", "content_end"):
        if col not in out:
            out[col] = -1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="dev", choices=polnear.PARTS)
    ap.add_argument("--errors", type=int, default=0, help="print this many misses and false attributions")
    ap.add_argument("--limit", type=int, default=0, help="first N articles only (0: all)")
    ap.add_argument("--tagger", action="store_true", help="rules + the CRF tagger (opt-in)")
    ap.add_argument("--fakes-ab", type=int, default=0, metavar="ROUNDS", help="time FA-KES with/without the tagger")
    args = ap.parse_args(argv)
    if args.fakes_ab:
        return fakes_ab(args.fakes_ab)
    rules = frames.load_attribution_rules(tagger=args.tagger)
    docs, gold = polnear.load_polnear(args.part)
    if args.limit:
        docs = docs.head(args.limit)
        gold = gold[gold["doc_id"].isin(docs["doc_id"])]
    frames.find_attributions(docs.head(1), rules=rules)  # load rules and the actor dictionary before timing
    t0 = time.perf_counter()
    found = found_table(frames.find_attributions(docs, rules=rules))
    elapsed = time.perf_counter() - t0
    lemmas = polnear.load_cue_lemmas()
    n_words = int(docs["text"].str.split().str.len().sum())
    print(
        f"PolNeAR {args.part}: {len(docs)} articles, {n_words:,} words, {int((gold.source_start >= 0).sum())} "
        f"gold attributions with a source; found {len(found)} in {elapsed:.2f}s ({len(docs) / elapsed:.0f} articles/s)"
    )
    rows = []
    for rule in ("lenient", "overlap"):
        rows.append({"set": "all", **polnear.score_attributions(found, gold, rule=rule, lemmas=lemmas)})
    pubs = docs.set_index("doc_id")["publisher"]
    for pub in sorted(pubs.dropna().unique()):
        ids = set(pubs.index[pubs == pub])
        s = polnear.score_attributions(
            found[found.doc_id.isin(ids)], gold[gold.doc_id.isin(ids)], rule="lenient", lemmas=lemmas
        )
        rows.append({"set": pub, **s})
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    content = polnear.score_content_overlap(found, gold)
    print(
        "content spans:", " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in content.items())
    )
    if args.errors:
        print_errors(docs, gold, found, lemmas, args.errors)
    return 0


def fakes_ab(rounds: int) -> int:
    """CPU seconds of find_attributions on FA-KES without and with the tagger, interleaved; counts; a sample."""
    from bench_frames import load_fakes

    from analysis.frames.document import _build_sentences

    corpus = load_fakes()
    with_tagger = frames.load_attribution_rules(tagger=True)
    rules_only = frames.load_attribution_rules(tagger=False)
    sentences = _build_sentences(corpus)  # as analyze gives them, built once outside the timing
    frames.find_attributions(corpus.head(5), rules=with_tagger)
    cpu: dict[str, list[float]] = {"rules": [], "rules+tagger": []}
    tables = {}
    for _ in range(rounds):
        for name, rules in (("rules", rules_only), ("rules+tagger", with_tagger)):
            t0 = time.process_time()
            tables[name] = frames.find_attributions(corpus, sentences=sentences, rules=rules)
            cpu[name].append(time.process_time() - t0)
    for name, times in cpu.items():
        print(
            f"{name:13s} {len(tables[name]):5d} attributions; CPU s best {min(times):.2f}, median "
            f"{statistics.median(times):.2f} ({len(corpus) / min(times):.0f} articles/s)"
        )
    print(f"CPU ratio (best): {min(cpu['rules+tagger']) / min(cpu['rules']):.3f}")
    stage_ab(corpus, rules_only, with_tagger, rounds)
    counts = pd.DataFrame({k: t["source_type"].value_counts() for k, t in tables.items()}).fillna(0).astype(int)
    print(counts.to_string())
    new = tables["rules+tagger"][tables["rules+tagger"]["pattern"] == "tagger"]
    text = dict(zip(corpus["doc_id"], corpus["text"]))
    print(f"\n--- {min(20, len(new))} of the tagger's {len(new)} rows")
    for r in new.sample(min(20, len(new)), random_state=1).itertuples():
        t = text[r.doc_id]
        print(
            f"SPK[{r.speaker}] CUE[{r.verb}] {r.source_type} :: {' '.join(t[max(0, r.start - 40) : r.end + 60].split())}"
        )
    return 0


def stage_ab(corpus: pd.DataFrame, rules_only, with_tagger, rounds: int) -> None:
    """CPU seconds of the whole frames stage (bench_frames' _stage: sentences, mentions, analyze_chunk) with the
    rules alone and with the tagger, interleaved."""
    from bench_frames import _stage

    from analysis.frames import language  # find_language (the stage's call) loads the rules through it

    builtin = language.load_attribution_rules
    cpu: dict[str, list[float]] = {"rules": [], "rules+tagger": []}
    try:
        for _ in range(rounds):
            for name in cpu:
                chosen = with_tagger if name == "rules+tagger" else rules_only
                language.load_attribution_rules = lambda _r, chosen=chosen: chosen
                t0 = time.process_time()
                _stage(corpus)
                cpu[name].append(time.process_time() - t0)
    finally:
        language.load_attribution_rules = builtin
    for name, times in cpu.items():
        print(f"frames stage, {name:13s} CPU s best {min(times):.2f}, median {statistics.median(times):.2f}")
    print(f"frames stage CPU ratio (best): {min(cpu['rules+tagger']) / min(cpu['rules']):.3f}")


def print_errors(docs, gold, found, lemmas, n: int) -> None:
    """Misses and false attributions under the overlap rule, with their sentence."""
    from analysis.gold._score import spans_overlap

    text = dict(zip(docs["doc_id"], docs["text"]))
    g = gold[gold.source_start >= 0]
    hit_g, hit_f = set(), set()
    for doc_id, gd in g.groupby("doc_id"):
        fd = found[found.doc_id == doc_id]
        for j, gg in gd.iterrows():
            for i, f in fd.iterrows():
                if spans_overlap(f.speaker_start, f.speaker_end, gg.source_start, gg.source_end) and spans_overlap(
                    f.cue_start, f.cue_end, gg.cue_start, gg.cue_end
                ):
                    hit_g.add(j)
                    hit_f.add(i)
    print(f"\n--- {n} missed (of {len(g) - len(hit_g)})")
    for _, gg in g[~g.index.isin(hit_g)].sample(min(n, len(g) - len(hit_g)), random_state=1).iterrows():
        t = text[gg.doc_id]
        lo, hi = min(gg.source_start, gg.cue_start), max(gg.source_end, gg.cue_end)
        print(f"SRC[{gg.source_text}] CUE[{gg.cue_text}] :: {' '.join(t[max(0, lo - 80) : hi + 60].split())}")
    wrong = found[~found.index.isin(hit_f)]
    print(f"\n--- {n} false (of {len(wrong)})")
    for _, f in wrong.sample(min(n, len(wrong)), random_state=1).iterrows():
        t = text[f.doc_id]
        print(f"SPK[{f.speaker}] VERB[{f.verb}] :: {' '.join(t[max(0, f.start - 60) : f.end + 60].split())}")


if __name__ == "__main__":
    raise SystemExit(main())
