"""Language identification: accuracy and speed of analysis.langid (py3langid) on self-written texts.

Evaluation texts: benchmarks/data/langid_sentences.yaml (self-written, CC0; 20 sentences in each of en, ar, fr, de,
es, ru). Articles are 3-6 of a language's sentences drawn with a fixed seed (50 per language, 300 in all); single
sentences are scored too. Nothing here was tuned on: the decision parameters in analysis/langid.py were set before
this file was run (SAMPLE_CHARS, MIN_LETTERS, MIN_PROBABILITY) and are reported, not fitted.

    python benchmarks/bench_langid.py
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import yaml

from analysis import langid

DATA = Path(__file__).resolve().parent / "data" / "langid_sentences.yaml"
PER_LANGUAGE = 50


def build_articles(sentences: dict[str, list[str]], *, seed: int = 16) -> list[tuple[str, str]]:
    """(language, text) articles: 3-6 sentences of one language, paragraphs separated by newlines."""
    rng = random.Random(seed)
    out = []
    for lang in sorted(sentences):
        for _ in range(PER_LANGUAGE):
            k = rng.randint(3, 6)
            out.append((lang, "\n".join(rng.sample(sentences[lang], k))))
    return out


def score(name: str, fn, items: list[tuple[str, str]]) -> None:
    t0 = time.perf_counter()
    guesses = [fn(text) for _, text in items]
    dt = time.perf_counter() - t0
    right = Counter(g == lang for (lang, _), g in zip(items, guesses))
    per = {}
    for (lang, _), g in zip(items, guesses):
        ok, n = per.get(lang, (0, 0))
        per[lang] = (ok + (g == lang), n + 1)
    wrong = Counter((lang, g) for (lang, _), g in zip(items, guesses) if g != lang)
    print(
        f"{name:<28} accuracy {right[True] / len(items):.3f} ({right[True]}/{len(items)})  "
        f"{len(items) / dt:,.0f} texts/s  " + "  ".join(f"{lang} {ok}/{n}" for lang, (ok, n) in sorted(per.items()))
    )
    if wrong:
        print(f"{'':28} errors (true->guess): " + ", ".join(f"{a}->{b} x{n}" for (a, b), n in wrong.most_common()))


def main() -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    sentences, confusable = data["sentences"], data["confusable"]
    articles = build_articles(sentences)
    singles = [(lang, s) for lang in sorted(sentences) for s in sentences[lang]]
    headlines = [(lang, " ".join(s.split()[:6])) for lang, s in singles]  # headline-length openings
    rng = random.Random(16)
    hard = [(lang, s) for lang in sorted(confusable) for s in confusable[lang]]
    hard += [(lang, "\n".join(rng.sample(confusable[lang], 3))) for lang in sorted(confusable) for _ in range(10)]
    langid.score_language("warm up the model once before timing anything")  # model loading is not timed
    print(f"{langid.RESOURCE_VERSIONS()}")
    sets = (
        (f"{len(articles)} articles of 3-6 sentences (en ar fr de es ru)", articles),
        (f"{len(singles)} single sentences", singles),
        (f"{len(headlines)} headline-length openings (first 6 words)", headlines),
        (f"{len(hard)} Persian and Ukrainian texts (sentences + 3-sentence articles)", hard),
    )
    for label, items in sets:
        print(f"-- {label}")
        score("py3langid (analysis.langid)", langid.find_language, items)


if __name__ == "__main__":
    main()
