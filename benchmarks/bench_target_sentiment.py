"""Benchmark of target-dependent sentiment: macro F1 on NewsMTSC dev-rw and dev-mt, and speed on FA-KES.

    python benchmarks/bench_target_sentiment.py [--repeat 3]

Validity: every target of the two development parts (../shared/corpora/newsmtsc) scored by
(a) the baseline, its sentence's VADER compound with VADER's +-0.05 cut-offs (NLTK's analyzer as analysis.sentiment
uses it), and (b) ``analysis.sentiment.score_targets``. The model was tuned by cross-validation on train.jsonl
only; these are development figures. The paper's test parts are held out.

Speed: on FA-KES (../shared/corpora/fakes), VADER on every Punkt sentence in sentences/s, with NLTK's analyzer
and with the sentiment stage's fast exact VADER, against ``score_targets`` on every actor mention in those
sentences in targets/s. Min and median of ``--repeat`` interleaved runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import config, sentiment  # noqa: E402
from analysis.gold import newsmtsc  # noqa: E402


def predict_baseline(frame: pd.DataFrame) -> np.ndarray:
    """The sentence's VADER compound as every target's polarity (+-0.05 cut-offs)."""
    compound = sentiment.score_sentences(frame["text"])["vader_compound"].to_numpy()
    return np.where(
        compound >= sentiment.THRESHOLD, "positive", np.where(compound <= -sentiment.THRESHOLD, "negative", "neutral")
    )


def print_validity() -> None:
    print("NewsMTSC development parts, macro F1 over negative/neutral/positive (accuracy; per-class F1 neg/neu/pos)")
    for split in ("dev-rw", "dev-mt"):
        gold = newsmtsc.load_newsmtsc(split)
        base = newsmtsc.score_polarity(gold["polarity"], predict_baseline(gold))
        new = newsmtsc.score_polarity(gold["polarity"], sentiment.score_targets(gold)["polarity"])
        for name, r in (("sentence VADER", base), ("score_targets", new)):
            print(
                f"  {split:7} {name:15} macro F1 {r['macro_f1']:.3f}  (acc {r['accuracy']:.3f}; "
                f"{r['f1_negative']:.3f} / {r['f1_neutral']:.3f} / {r['f1_positive']:.3f})  n={r['n']}"
            )
        print(f"  {split:7} gain over baseline: {new['macro_f1'] - base['macro_f1']:+.3f}")


def fakes_targets() -> tuple[list[str], pd.DataFrame]:
    """FA-KES Punkt sentences, and one row (sentence, actor_id, text, start, end) per actor mention in them."""
    from analysis import actors
    from analysis.text import split_sentences

    corpus = actors.load_fakes(config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv")
    rows = [
        (doc, i, text[s:e])
        for doc, text in zip(corpus["doc_id"], corpus["text"])
        for i, (s, e) in enumerate(split_sentences(text))
    ]
    sentences = [r[2] for r in rows]
    frame = pd.DataFrame({"doc_id": range(len(sentences)), "sent_id": 0, "start": 0, "text": sentences})
    mentions = actors.find_mentions(frame, kind="actor")
    targets = pd.DataFrame(
        {
            "sentence": mentions["doc_id"].to_numpy(dtype="int64"),
            "where": [f"{rows[i][0]}#{rows[i][1]}" for i in mentions["doc_id"]],
            "actor_id": mentions["actor_id"].to_numpy(),
            "text": [sentences[i] for i in mentions["doc_id"]],
            "start": mentions["start"].to_numpy(),
            "end": mentions["end"].to_numpy(),
        }
    )
    return sentences, targets


COMPARED = ("islamic_state", "sdf", "syrian_army", "russia", "coalition", "fsa")


def print_fakes_comparison(n_disagreements: int) -> None:
    """Old (sentence VADER) vs new (target) tone of the issue's six actors on FA-KES, and the largest disagreements."""
    sentences, targets = fakes_targets()
    compound = sentiment.score_sentences(sentences)["vader_compound"].to_numpy()
    scored = sentiment.score_targets(targets).assign(
        old=compound[targets["sentence"].to_numpy()],
        neg=lambda d: (d["polarity"] == "negative").astype(float),
        pos=lambda d: (d["polarity"] == "positive").astype(float),
    )
    # One unit per (actor, sentence), as score_actor_tone counts: mentions of the actor in the sentence averaged.
    units = scored.groupby(["actor_id", "sentence"], as_index=False).agg(
        where=("where", "first"),
        text=("text", "first"),
        old=("old", "first"),
        new=("score", "mean"),
        neg=("neg", "mean"),
        pos=("pos", "mean"),
    )
    print("\nFA-KES actor tone, one unit per sentence naming the actor (old: sentence VADER compound, +-0.05;")
    print("new: score_targets, mean over the actor's mentions in the sentence)")
    print(
        f"  {'actor':15} {'n':>5} {'old mean':>9} {'new mean':>9} {'old neg':>8} {'new neg':>8} {'old pos':>8} {'new pos':>8}"
    )
    for actor in COMPARED:
        u = units[units["actor_id"] == actor]
        print(
            f"  {actor:15} {len(u):5d} {u['old'].mean():+9.3f} {u['new'].mean():+9.3f} "
            f"{(u['old'] <= -sentiment.THRESHOLD).mean():8.1%} {u['neg'].mean():8.1%} "
            f"{(u['old'] >= sentiment.THRESHOLD).mean():8.1%} {u['pos'].mean():8.1%}"
        )
    if n_disagreements:
        u = units[units["actor_id"].isin(COMPARED)]
        u = u.assign(gap=(u["new"] - u["old"]).abs()).sort_values(
            ["gap", "where", "actor_id"], ascending=[False, True, True]
        )
        print(f"\n{n_disagreements} largest disagreements |new - old|, to read (FA-KES text is never committed)")
        for _, r in u.head(n_disagreements).iterrows():
            print(f"  {r['where']:>12} {r['actor_id']:14} old {r['old']:+.2f} new {r['new']:+.2f} | {r['text']}")


def print_speed(repeat: int) -> None:
    """targets/s of score_targets against sentences/s of NLTK's VADER analyzer (the anchor of issue 12) and of the
    project's fast exact VADER (analysis.vader, the sentiment stage since issue 13)."""
    sentences, targets = fakes_targets()
    targets = targets[["text", "start", "end"]]
    nltk_vader = sentiment.analyzer().polarity_scores
    sentiment.score_targets(targets.head(50))  # warm-up: model, cues, lexicon, stemmer
    sentiment.score_sentences(sentences[:50])
    rates: dict[str, list[float]] = {"nltk": [], "stage": [], "tone": []}
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text in sentences:
            nltk_vader(text)
        rates["nltk"].append(len(sentences) / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        sentiment.score_sentences(sentences)
        rates["stage"].append(len(sentences) / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        sentiment.score_targets(targets)
        rates["tone"].append(len(targets) / (time.perf_counter() - t0))
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"\nSpeed on FA-KES ({len(sentences):,} sentences, {len(targets):,} actor mentions; {repeat} runs)")
    for key, name, unit in (
        ("nltk", "VADER, NLTK's analyzer, per sentence", "sentences/s"),
        ("stage", "VADER stage (analysis.vader)        ", "sentences/s"),
        ("tone", "score_targets, per actor mention   ", "targets/s"),
    ):
        print(f"  {name} {min(rates[key]):8,.0f} min / {med[key]:8,.0f} median {unit}")
    print(f"  targets/s : NLTK VADER sentences/s  {med['tone'] / med['nltk']:.2f}")
    print(f"  targets/s : VADER stage sentences/s {med['tone'] / med['stage']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each stage (interleaved)")
    parser.add_argument("--disagreements", type=int, default=0, help="print this many FA-KES sentences to read")
    args = parser.parse_args(argv)
    if not newsmtsc.newsmtsc_dir().exists():
        print(f"skipped: {newsmtsc.newsmtsc_dir()} is absent")
        return 0
    print_validity()
    if (config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv").exists():
        print_speed(args.repeat)
        print_fakes_comparison(args.disagreements)
    else:
        print("speed skipped: ../shared/corpora/fakes is absent")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
