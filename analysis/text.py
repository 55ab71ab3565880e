"""Sentences and tokens: offline NLTK Punkt with a curated news abbreviation list."""
from __future__ import annotations

from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Punkt is used untrained but seeded with abbreviations that wire copy uses; training it on news learns
# junk abbreviations (e.g. "dog"), so the list is curated by hand. Stored lower-case without the final period.
NEWS_ABBREVIATIONS = frozenset({
    "u.s", "u.n", "u.k", "e.u", "u.a.e", "a.m", "p.m", "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr",
    "gen", "lt", "col", "maj", "capt", "cpl", "sgt", "adm", "brig", "cmdr", "lt.-gen", "maj.-gen", "gov",
    "sen", "rep", "rev", "sheikh", "no", "vs", "etc", "inc", "ltd", "co", "corp", "dept", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun", "al", "i.e", "e.g",
})


@lru_cache(maxsize=1)
def sentence_tokenizer() -> PunktSentenceTokenizer:
    """The package's Punkt tokenizer (built once; needs no `nltk_data`)."""
    params = PunktParameters()
    params.abbrev_types = set(NEWS_ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``; ``text[start:end]`` is the sentence."""
    return list(sentence_tokenizer().span_tokenize(text))
