"""Language identification of article text with py3langid (offline, 97 languages); ``und`` when unsure."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

# Measured in benchmarks/bench_langid.py on self-written sentences in six languages (docs/ingest.md).
SAMPLE_CHARS = 400  # the opening (3-4 sentences) decides: py3langid is linear in length; 400 agreed with the whole
# text on every FA-KES, Reuters-ISOT and bench_langid article (docs/ingest.md), at half the cost of 1,000
MIN_LETTERS = 20  # fewer letters than this: too little to tell ("und")
MIN_PROBABILITY = 0.5  # py3langid's normalised probability below this: "und"
METHOD = "py3langid"
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def score_language(text: str) -> tuple[str, float]:
    """The most probable ISO 639-1 language of ``text`` and its probability (``("und", 0.0)`` without letters)."""
    sample = (text or "")[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return "und", 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)


def find_language(text: str) -> str:
    """ISO 639-1 code of the language of ``text``, or ``"und"`` when it is too short or the model is unsure."""
    lang, prob = score_language(text)
    return lang if prob >= MIN_PROBABILITY else "und"


def RESOURCE_VERSIONS() -> dict[str, str]:  # noqa: N802 - the name the manifests look up
    """The identifier and its decision parameters, for the manifests."""
    from importlib.metadata import version

    return {
        "langid": f"{METHOD} {version('py3langid')}; first {SAMPLE_CHARS} chars; "
        f"p>={MIN_PROBABILITY}; >={MIN_LETTERS} letters"
    }


def count_languages(docs: pd.DataFrame) -> pd.DataFrame:
    """Articles per language code (``lang``, ``n_articles``), most frequent first."""
    counts = docs["lang"].fillna("und").value_counts()
    out = counts.rename_axis("lang").reset_index(name="n_articles")
    return out.sort_values(["n_articles", "lang"], ascending=[False, True], kind="stable").reset_index(drop=True)
