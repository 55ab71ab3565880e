"""Language identification of article text with py3langid (offline, 97 languages); ``und`` when unsure."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

# Measured in benchmarks/bench_langid.py on self-written sentences in six languages (docs/ingest.md).
SAMPLE_CHARS = 400  # the opening (3-4 sentences) decides: py3langid is linear in length; 400 agreed with the whole
# text on every FA-KES, Reuters-ISOT and bench_langid article (docs/ingest.md), at half the cost of 1,000
MIN_LETTERS = 20  # fewer letters than this: too little to tell ("und")
MIN_PROBABILITY = 0.5  # py3langid's normalised probability below this: "und"
METHOD = "py3langid"
BATCH_MIN = 32  # find_languages walks at least this many texts together (measured: 500 texts 0.14 ms each, one
# by one 0.33 ms; 7 texts together 1.1 ms each)
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


def find_languages(texts: list[str]) -> list[str]:
    """:func:`find_language` of every text, with py3langid's byte walk and scoring done for all texts at once.

    py3langid walks each text's bytes through its automaton in a Python loop (a third of ingest's CPU); here the
    automaton advances every text by one byte per numpy step. Each text's feature counts, in py3langid's order
    (first occurrence), go through the model's own product, and the normalisation is the same float32 arithmetic
    row by row, so languages and probabilities are exactly those of ``classify`` (tests/test_langid.py)."""
    out = ["und"] * len(texts)
    ident = _identifier()
    todo, encoded = [], []
    for i, text in enumerate(texts):
        sample = (text or "")[:SAMPLE_CHARS]
        if len(_LETTER.findall(sample)) >= MIN_LETTERS:
            todo.append(i)
            encoded.append(ident._encode(sample))
    if len(encoded) < BATCH_MIN:  # a numpy step per byte costs more than it saves on a few texts
        langs, probs = zip(*(ident.classify(data) for data in encoded)) if encoded else ((), ())
    else:
        langs, probs = _classify_many(ident, encoded, _visit_counts(ident, encoded))
    for i, lang, prob in zip(todo, langs, probs):
        out[i] = str(lang) if prob >= MIN_PROBABILITY else "und"
    return out


def _visit_counts(ident, encoded: list[bytes]) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """py3langid's ``visit_counts`` of every byte string as (features, counts) in order of first occurrence (None:
    no feature), the automaton run on all strings together, longest first."""
    nextmove, output = np.asarray(ident.tk_nextmove), np.asarray(ident.tk_output)
    rowbase = np.asarray(ident._rowbase, dtype=np.int64)
    lengths = np.array([len(b) for b in encoded], dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    width = int(lengths.max())
    grid = np.zeros((len(encoded), width), dtype=np.int64)
    for row, k in enumerate(order):
        grid[row, : lengths[k]] = np.frombuffer(encoded[k], dtype=np.uint8)
    active = np.searchsorted(-lengths[order], -np.arange(1, width + 1), side="right")  # rows longer than j
    state = np.zeros(len(encoded), dtype=np.int64)
    hit_rows, hit_features = [], []
    for j in range(width):
        k = active[j]
        state[:k] = nextmove[rowbase[state[:k]] + grid[:k, j]]
        found = output[state[:k]]
        rows = np.flatnonzero(found >= 0)
        if len(rows):
            hit_rows.append(rows)
            hit_features.append(found[rows])
    result: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(encoded)
    if not hit_rows:
        return result
    rows, features = np.concatenate(hit_rows), np.concatenate(hit_features).astype(np.int64)
    n_features = int(features.max()) + 1
    srt = np.argsort(rows, kind="stable")  # per string, its features in byte order
    key = rows[srt] * n_features + features[srt]
    uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
    by_first = np.argsort(first, kind="stable")  # per string, each feature where it first occurred
    uniq, counts = uniq[by_first], counts[by_first]
    cuts = np.flatnonzero(np.diff(uniq // n_features)) + 1
    for part, cnt in zip(np.split(uniq, cuts), np.split(counts, cuts)):
        result[int(order[int(part[0] // n_features)])] = (part % n_features, cnt)
    return result


def _classify_many(ident, encoded: list[bytes], visits: list) -> tuple[list[str], list[float]]:
    """``ident.classify`` of each encoded string from its feature counts: py3langid 0.4's ``_sparse_score``
    (``log1p(counts) @ nb_ptc[features] + nb_pc``, one product per string as there, on the same float32 rows), then ``_decide``'s
    normalisation and ``classify``'s choice (normalised probabilities, no minimum confidence) on all rows."""
    scores = np.zeros((len(encoded), len(ident.nb_classes)), dtype=np.float32)  # featureless: 0.0, as there
    rows = [row for row, found in enumerate(visits) if found is not None]
    if rows:
        # the model's float16 rows of every feature the batch uses, made float32 once: the product there casts
        # the rows it gathers to float32 (exactly) text by text, most of its cost; the same float32 rows in the
        # same product give the same bits
        used, where = np.unique(np.concatenate([visits[row][0] for row in rows]), return_inverse=True)
        table = ident.nb_ptc[used].astype(np.float32)
        pos = 0
        for row in rows:
            features, counts = visits[row]
            end = pos + len(features)
            scores[row] = np.log1p(counts.astype(np.float32)) @ table[where[pos:end]] + ident.nb_pc
            pos = end
    scale = np.array([1.0 / math.sqrt(len(data) or 1) for data in encoded], dtype=np.float32)
    scores *= scale[:, None]
    np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    best = scores.argmax(axis=1)
    return [ident.nb_classes[b] for b in best], scores[np.arange(len(best)), best].tolist()


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
