"""Throughput of the database-export readers: N-article LexisNexis, Nexis Uni, Factiva (HTML, RTF) files.

The files are written by tests/exports.py from self-written stories (each article a distinct variant: a number in
its title and body, sentences shuffled), so nothing from a database is needed. Two figures per format:
parse (bytes -> articles, the reader alone) and ingest (the whole `ingest_files`: reading, cleaning, agency,
dates, language, duplicate detection), in articles per second; the best of --repeat runs.

Usage: python benchmarks/bench_readers.py [--articles 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from exports import STORIES, to_rtf, write_factiva_html, write_factiva_text, write_lexisnexis, write_nexisuni_docx  # noqa: E402

from analysis import ingest, readers  # noqa: E402


def make_stories(n: int, seed: int = 16):
    """``n`` distinct stories: the four templates with numbered titles, shuffled and extended paragraphs."""
    rng = random.Random(seed)
    pool = [p for s in STORIES for p in s.paragraphs]
    out = []
    for i in range(n):
        base = STORIES[i % len(STORIES)]
        paras = rng.sample(pool, 6) + [f"Report number {i} was filed on day {i % 28 + 1} of the month."]
        out.append(replace(base, title=f"{base.title} ({i})", paragraphs=paras, date=(2016, 1 + i % 12, 1 + i % 28)))
    return out


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    stories = make_stories(args.articles)
    files = {
        "lexisnexis.txt": write_lexisnexis(stories).encode("utf-8"),
        "nexisuni.docx": write_nexisuni_docx(stories),
        "factiva.html": write_factiva_html(stories).encode("utf-8"),
        "factiva.rtf": to_rtf(write_factiva_text(stories)).encode("ascii"),
    }
    print(f"{args.articles} articles per file; best of {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            path = Path(tmp) / name
            path.write_bytes(data)
            fmt = readers.find_format(name, data)
            text = None if fmt == "nexisuni" or name.endswith(".rtf") else data.decode("utf-8")
            parsed = readers.read_export(fmt, data, text)
            assert len(parsed.articles) == args.articles and not parsed.rejects, name
            t_parse = best_of(args.repeat, lambda d=data, f=fmt, t=text: readers.read_export(f, d, t))
            opts = ingest.IngestOptions(progress=False)
            result = ingest.ingest_files([path], options=opts)
            assert len(result.corpus) == args.articles, name
            t_ingest = best_of(args.repeat, lambda p=path, o=opts: ingest.ingest_files([p], options=o))
            print(
                f"{name:<16} {len(data) / 1e6:5.2f} MB  parse {args.articles / t_parse:8,.0f} articles/s   "
                f"ingest {args.articles / t_ingest:6,.0f} articles/s"
            )


if __name__ == "__main__":
    main()
