"""Exact and near-duplicate articles: normalised-text hashes and MinHash signatures with LSH banding."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from datasketch import MinHash

from analysis.clean import normalize_for_hash
from analysis.errors import ParameterError

DEFAULT_NEAR_THRESHOLD = 0.7  # estimated Jaccard similarity of word 3-shingles
DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE = 3
MIN_WORDS_NEAR = 20  # shorter texts are only checked for exact duplicates
MAX_BUCKET_PEERS = 10  # a doc is compared with at most this many earliest docs per LSH bucket

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


def text_hash(text: str) -> str:
    """sha1 of the normalised text (lower-case words only): equal hashes are exact duplicates."""
    return hashlib.sha1(normalize_for_hash(text).encode("utf-8")).hexdigest()


class _Signer:
    """MinHash signatures of word shingles, using the permutations of ``datasketch.MinHash`` (same seed, same
    ``a``, ``b``; the same ``(a*h + b) mod (2^61-1)`` family).

    datasketch hashes each shingle with sha1 in a Python loop (~50 us per shingle); here tokens are hashed in C by
    ``pandas.util.hash_array`` (fixed key, so the same on every run and machine), combined per shingle with numpy,
    and whole batches of documents are signed at once, which is what lets ingest scale to a million articles.
    """

    def __init__(self, num_perm: int, shingle: int, seed: int = 1, batch: int = 16, chunk: int = 8192):
        a, b = MinHash(num_perm=num_perm, seed=seed).permutations
        self.a, self.b = a.astype(np.uint64), b.astype(np.uint64)
        self.num_perm, self.shingle, self.batch, self.chunk = num_perm, shingle, batch, chunk
        self.mult = np.array([pow(1_000_003, shingle - 1 - i, 1 << 64) for i in range(shingle)], dtype=np.uint64)

    def _permute_min(self, hv: np.ndarray, starts: np.ndarray) -> np.ndarray:
        # (num_perm x shingles) layout: the min over each document's shingles runs along contiguous memory;
        # small batches keep the temporaries in the CPU cache
        with np.errstate(over="ignore"):
            v = self.a[:, None] * hv[None, :] + self.b[:, None]
        v = (v & _MERSENNE) + (v >> np.uint64(61))  # v mod (2^61 - 1) without a division
        v = np.where(v >= _MERSENNE, v - _MERSENNE, v) & _MAX_HASH
        return np.minimum.reduceat(v, starts, axis=1).T.astype(np.uint32)

    def sign_many(self, docs: list[list[str]]) -> np.ndarray:
        """Signatures (one row of ``num_perm`` uint32 per document) of documents given as word lists."""
        out = np.full((len(docs), self.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        k = self.shingle
        for lo in range(0, len(docs), self.batch):
            chunk = docs[lo : lo + self.batch]
            lens = np.array([len(d) for d in chunk], dtype=np.int64)
            flat = [w for d in chunk for w in d]
            if not flat:
                continue
            tok = pd.util.hash_array(np.array(flat, dtype=object)) & _MAX_HASH
            ends = np.cumsum(lens)
            doc_of = np.repeat(np.arange(len(chunk)), lens)
            n = len(tok) - k + 1
            sh_list, doc_list = [], []
            if n > 0:
                sh = np.zeros(n, dtype=np.uint64)
                with np.errstate(over="ignore"):
                    for j in range(k):
                        sh += tok[j : j + n] * self.mult[j]
                valid = doc_of[:n] == doc_of[k - 1 :]  # shingle inside one document
                sh_list.append(sh[valid])
                doc_list.append(doc_of[:n][valid])
            for i in np.flatnonzero((lens > 0) & (lens < k)):  # documents shorter than a shingle: one shingle
                part = tok[ends[i] - lens[i] : ends[i]]
                with np.errstate(over="ignore"):
                    sh_list.append(np.array([(part * self.mult[k - len(part) :]).sum(dtype=np.uint64)]))
                doc_list.append(np.array([i]))
            sh, dd = np.concatenate(sh_list) & _MAX_HASH, np.concatenate(doc_list)
            order = np.argsort(dd, kind="stable")
            sh, dd = sh[order], dd[order]
            for c in range(0, len(sh), self.chunk):  # bounded temporaries, even for a book-length document
                seg, seg_doc = sh[c : c + self.chunk], dd[c : c + self.chunk]
                present = np.unique(seg_doc)
                rows = lo + present
                out[rows] = np.minimum(out[rows], self._permute_min(seg, np.searchsorted(seg_doc, present)))
        return out

    def sign(self, words: list[str]) -> np.ndarray:
        """The signature of one document."""
        return self.sign_many([words])[0]


def _lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band for ``threshold``, chosen as datasketch does but weighting false negatives 9:1
    (candidates are verified on their signatures, so an extra candidate costs little and a missed pair is lost)."""
    try:
        from datasketch.lsh import _optimal_param

        return _optimal_param(threshold, num_perm, 0.1, 0.9)
    except ImportError:  # pragma: no cover - private helper moved; fall back to the textbook choice
        r = max(1, round(np.log(1 / num_perm) / np.log(threshold)))
        return max(1, num_perm // r), r


def find_duplicates(
    corpus: pd.DataFrame,
    *,
    near_threshold: float = DEFAULT_NEAR_THRESHOLD,
    near: bool = True,
    num_perm: int = DEFAULT_NUM_PERM,
    shingle: int = DEFAULT_SHINGLE,
    min_words: int = MIN_WORDS_NEAR,
) -> pd.DataFrame:
    """One row per duplicate article: ``doc_id, duplicate_of, dup_similarity, dup_kind`` ("exact" or "near").

    The first copy of a story is the earliest by ``published`` (undated last), then by ``doc_id``; every later
    copy points at it. Exact duplicates share the normalised text (similarity 1.0). Near-duplicates have an
    estimated Jaccard similarity of their word ``shingle``-grams >= ``near_threshold``, found with MinHash
    signatures and LSH banding (candidate pairs share a band), so the cost grows linearly with the corpus.
    """
    if not 0 < near_threshold <= 1:
        raise ParameterError(f"near_threshold {near_threshold} must be in (0, 1]: e.g. 0.8")
    cols = ["doc_id", "duplicate_of", "dup_similarity", "dup_kind"]
    if corpus.empty:
        return pd.DataFrame(columns=cols)
    order = pd.DataFrame(
        {
            "doc_id": corpus["doc_id"].astype(str).to_numpy(),
            "published": pd.to_datetime(corpus["published"]).to_numpy(),
            "text": corpus["text"].astype(str).to_numpy(),
        }
    )
    order = order.sort_values(["published", "doc_id"], na_position="last", kind="stable").reset_index(drop=True)
    norm = [normalize_for_hash(t) for t in order["text"]]
    hashes = pd.Series([hashlib.sha1(t.encode("utf-8")).digest() for t in norm])
    first = _first_index(hashes)
    rows = []
    is_exact = first.to_numpy() != np.arange(len(order))
    ids = order["doc_id"].to_numpy()
    for i in np.flatnonzero(is_exact):
        rows.append((ids[i], ids[first[i]], 1.0, "exact"))
    if near and len(order) > 1:
        cand = [i for i in np.flatnonzero(~is_exact) if len(norm[i].split()) >= min_words]
        rows += _near_duplicates(
            ids, [norm[i].split() for i in cand], np.array(cand, dtype=np.int64), near_threshold, num_perm, shingle
        )
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)


def _first_index(hashes: pd.Series) -> pd.Series:
    seen: dict[bytes, int] = {}
    return pd.Series([seen.setdefault(h, i) for i, h in enumerate(hashes)])


def _near_duplicates(
    ids: np.ndarray, docs: list[list[str]], pos: np.ndarray, threshold: float, num_perm: int, shingle: int
) -> list[tuple]:
    """Near-duplicate rows among ``docs`` (already in priority order; ``pos`` maps them back to ``ids``)."""
    n = len(docs)
    if n < 2:
        return []
    sigs = _Signer(num_perm, shingle).sign_many(docs)
    bands, rows_per_band = _lsh_params(threshold, num_perm)
    # LSH banding with numpy instead of datasketch.MinHashLSH: its Python dict-of-sets buckets cost ~1 KB per
    # document and band; sorting one uint64 key per document and band scales to millions of articles.
    pairs = np.empty(0, dtype=np.int64)  # candidate pairs as src * n + dst
    pending: list[np.ndarray] = []
    weights = np.array([pow(0x9E3779B1, j + 1, 1 << 64) for j in range(rows_per_band)], dtype=np.uint64)
    index = np.arange(n, dtype=np.int64)
    for band in range(bands):
        block = sigs[:, band * rows_per_band : (band + 1) * rows_per_band].astype(np.uint64)
        with np.errstate(over="ignore"):
            keys = (block * weights).sum(axis=1, dtype=np.uint64) + np.uint64(band)
        srt = np.argsort(keys, kind="stable")  # equal keys keep priority order
        k = keys[srt]
        new_group = np.empty(n, dtype=bool)
        new_group[0] = True
        new_group[1:] = k[1:] != k[:-1]
        start = np.maximum.accumulate(np.where(new_group, index, 0))
        rank = index - start
        found = []
        for t in range(MAX_BUCKET_PEERS):
            mask = rank > t
            if not mask.any():
                break
            found.append(srt[start[mask] + t] * n + srt[mask])
        pending += found
        if sum(len(f) for f in pending) > 20_000_000:  # merge now and then: bounded memory, few big sorts
            pairs, pending = np.unique(np.concatenate([pairs, *pending])), []
    pairs = np.unique(np.concatenate([pairs, *pending]))
    if not len(pairs):
        return []
    src, dst = pairs // n, pairs % n
    sims = np.empty(len(pairs), dtype=np.float64)
    for s in range(0, len(pairs), 200_000):  # chunks bound memory
        sl = slice(s, s + 200_000)
        sims[sl] = (sigs[src[sl]] == sigs[dst[sl]]).mean(axis=1)
    keep = sims >= threshold
    src, dst, sims = src[keep], dst[keep], sims[keep]
    by_dst = np.lexsort((src, -sims, dst))  # per later doc: most similar first, then earliest
    marked: dict[int, tuple[int, float]] = {}
    for j in by_dst:
        d, s_ = int(dst[j]), int(src[j])
        if d in marked or s_ in marked:  # only first copies (originals) can be pointed at
            continue
        marked[d] = (s_, float(sims[j]))
    return [(ids[pos[d]], ids[pos[s_]], round(sim, 4), "near") for d, (s_, sim) in marked.items()]


def mark_duplicates(corpus: pd.DataFrame, **options) -> pd.DataFrame:
    """A copy of ``corpus`` with ``duplicate_of``, ``dup_similarity`` and ``dup_kind`` filled from
    :func:`find_duplicates` (``options`` are passed on)."""
    dups = find_duplicates(corpus, **options).set_index("doc_id")
    out = corpus.copy()
    key = out["doc_id"].astype(str)
    out["duplicate_of"] = key.map(dups["duplicate_of"]).astype(object).where(key.isin(dups.index), None)
    out["dup_similarity"] = key.map(dups["dup_similarity"]).astype("float64")
    out["dup_kind"] = key.map(dups["dup_kind"]).astype(object).where(key.isin(dups.index), None)
    return out
