"""Language identification of article text with py3langid (offline, 97 languages); ``und`` when unsure."""

from __future__ import annotations

import math
import os
import re
from functools import lru_cache
from pathlib import Path

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
# at least MIN_LETTERS letters (the two classes are complements: it stops at the MIN_LETTERS-th letter)
_ENOUGH_LETTERS = re.compile(rf"(?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS}}}")


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier (normalised probabilities), from the unpacked model cache when it can be used."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import _to_array

    arrays = _unpacked_model(MODEL_DIR / MODEL_FILE)
    if arrays is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # what py3langid's load_model and from_model_file make of the same arrays
    ptc, pc, classes, nextmove, row, output = (arrays[k] for k in _MODEL_KEYS)
    return LanguageIdentifier(
        ptc, pc, classes.tolist(), _to_array(nextmove), output.tolist(), norm_probs=True, tk_row=_to_array(row)
    )


_MODEL_KEYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")  # py3langid's npz layout


def _unpacked_model(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays of py3langid's LZMA-packed model, unpacked once into the user cache (one .npy file each, in a
    folder named by the packed file's sha256) and memory-mapped from there: unpacking costs about 0.5-0.9 s of
    CPU on every run, and mapped pages are shared by every process. ``None`` (load the packed file) when the
    cache cannot be written or the model has another layout."""
    import hashlib

    try:
        packed = path.read_bytes()
        folder = _cache_root() / f"py3langid-{hashlib.sha256(packed).hexdigest()[:16]}"
        if not (folder / "complete").exists():
            _unpack(packed, folder)
        return {k: np.load(folder / f"{k}.npy", mmap_mode="r", allow_pickle=False) for k in _MODEL_KEYS}
    except (OSError, ValueError, KeyError):
        return None


def _unpack(packed: bytes, folder: Path) -> None:
    """Write the model's arrays into ``folder`` atomically (a temporary folder renamed when complete)."""
    import io
    import lzma
    import shutil
    import tempfile

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".unpack-"))
    try:
        with np.load(io.BytesIO(lzma.decompress(packed)), allow_pickle=False) as data:
            for k in _MODEL_KEYS:
                np.save(tmp / f"{k}.npy", data[k], allow_pickle=False)
        (tmp / "complete").write_text("")
        try:
            os.replace(tmp, folder)
        except OSError:  # another process unpacked it first
            if not (folder / "complete").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _cache_root() -> Path:
    """``$XDG_CACHE_HOME/conflict-news`` (``~/.cache/conflict-news``), as analysis.sentiment's lexicon cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "conflict-news"


def score_language(text: str) -> tuple[str, float]:
    """The most probable ISO 639-1 language of ``text`` and its probability (``("und", 0.0)`` without letters)."""
    sample = (text or "")[:SAMPLE_CHARS]
    if not _ENOUGH_LETTERS.match(sample):
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
        if _ENOUGH_LETTERS.match(sample):
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
        features = np.concatenate([visits[row][0] for row in rows])
        seen = np.zeros(len(ident.nb_ptc), dtype=bool)  # which features occur (a mask, not a sort)
        seen[features] = True
        table = ident.nb_ptc[seen].astype(np.float32)
        where = (np.cumsum(seen) - 1)[features]  # each occurrence's row of `table`
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
