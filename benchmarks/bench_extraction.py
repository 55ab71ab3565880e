"""HTML main-text extraction quality on the Zyte/Scrapinghub article-extraction benchmark (181 news pages).

Scores the text that `analysis ingest` keeps from an HTML page (trafilatura with `ingest.HTML_OPTIONS`, then our
boilerplate cleaning) against the benchmark's ground-truth `articleBody`, with the benchmark's own measure
(scrapinghub/article-extraction-benchmark, evaluate.py): per page, true/false positives and false negatives over
4-word shingles of `\\w+` tokens, normalised by their sum; precision and recall are averaged over pages, and F1 is
the harmonic mean of the two averages. The published figure for trafilatura on this benchmark is F1 0.958.

Usage: .venv/bin/python benchmarks/bench_extraction.py [--variants]   (needs ../shared/corpora)
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter

from analysis import clean, config
from analysis.readers.html import HTML_OPTIONS, extract_html

BENCH_DIR = config.SHARED_CORPORA / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+")


def shingle_counts(text: str, n: int = 4) -> Counter:
    """Counts of the ``n``-token shingles of ``text`` (one shingle when it has fewer than ``n`` tokens)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Shingle-level true positives, false positives, false negatives of one page, normalised to sum to 1."""
    t, p = shingle_counts(true), shingle_counts(pred)
    tp = sum(min(t[k], p[k]) for k in t.keys() | p.keys())
    fp = sum(max(0, p[k] - t[k]) for k in p)
    fn = sum(max(0, t[k] - p[k]) for k in t)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(pages: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision and recall over pages (pages with no prediction / no truth left out), and their F1."""

    def prec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))

    def rec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))

    p = statistics.mean(prec(*x) for x in pages if x[0] + x[1] > 0)
    r = statistics.mean(rec(*x) for x in pages if x[0] + x[2] > 0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r)}


def run(variant: dict, pages: dict[str, str], truth: dict, *, with_cleaning: bool) -> dict[str, float]:
    rows = []
    rules = clean.default_rules()
    for key, html in pages.items():
        page = extract_html(html, **variant)
        text = page["text"]
        if with_cleaning:
            text = clean.clean_text(text, title=page["title"], rules=rules).text
        rows.append(tp_fp_fn(truth[key].get("articleBody", ""), text))
    return score(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true", help="also score other trafilatura option sets")
    args = parser.parse_args(argv)
    if not (BENCH_DIR / "ground-truth.json").exists():
        print(f"skipped: {BENCH_DIR} is absent")
        return 0
    truth = json.loads((BENCH_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        p.name.split(".")[0]: gzip.open(p, "rt", encoding="utf-8").read()
        for p in sorted((BENCH_DIR / "html").glob("*.html.gz"))
    }
    print(f"{len(pages)} pages, ground truth for {len(truth)}; ingest options {HTML_OPTIONS}")
    variants = {"ingest (trafilatura + cleaning)": ({}, True), "trafilatura only": ({}, False)}
    if args.variants:
        variants.update(
            {
                "favor_precision": ({"favor_precision": True}, True),
                "favor_recall": ({"favor_recall": True}, True),
                "no tables": ({"include_tables": False}, True),
            }
        )
    for name, (variant, with_cleaning) in variants.items():
        t0 = time.perf_counter()
        m = run(variant, pages, truth, with_cleaning=with_cleaning)
        dt = time.perf_counter() - t0
        print(
            f"{name:<34} precision={m['precision']:.3f} recall={m['recall']:.3f} F1={m['f1']:.3f}  "
            f"({len(pages) / dt:.1f} pages/s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
