"""Exact and near-duplicate articles: normalised-text hashes and MinHash signatures with LSH banding.

Two halves, so that ingest can stream: :func:`key_texts` turns texts into compact keys (a sha1 digest, a word count
and a MinHash signature per text; on any worker, batch by batch) and :func:`find_duplicate_marks` finds the
duplicates from the keys of the whole corpus (numpy arrays only: about 40 bytes per article when the signatures
wait on disk in a :class:`SignatureFile`, 550 when they are held).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.clean import hash_words, normalize_for_hash
from analysis.errors import ParameterError

DEFAULT_NEAR_THRESHOLD = 0.7  # estimated Jaccard similarity of word 3-shingles
DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE = 3
MIN_WORDS_NEAR = 20  # shorter texts are only checked for exact duplicates
MAX_BUCKET_PEERS = 10  # a doc is compared with at most this many earliest docs per LSH bucket

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
KINDS = (None, "exact", "near")  # dup_kind codes of :class:`DuplicateMarks`


def minhash_permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` permutation parameters of ``datasketch.MinHash(num_perm, seed)`` (its default affine32
    scheme), as uint64.

    Generated here the way datasketch generates them (tests/test_dedup.py checks equality) because importing
    datasketch imports scipy, 1.5 s of every ingest's start-up."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a.astype(np.uint64), b.astype(np.uint64)


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

    def __init__(self, num_perm: int, shingle: int, seed: int = 1, batch: int = 8, chunk: int = 8192):
        self.a, self.b = minhash_permutations(num_perm, seed)
        self.num_perm, self.shingle, self.batch, self.chunk = num_perm, shingle, batch, chunk
        self.mult = np.array([pow(1_000_003, shingle - 1 - i, 1 << 64) for i in range(shingle)], dtype=np.uint64)

    def _permute_min(self, hv: np.ndarray, starts: np.ndarray) -> np.ndarray:
        # (num_perm x shingles) layout: the min over each document's shingles runs along contiguous memory;
        # small batches keep the temporaries in the CPU cache
        # in place: each whole-array temporary costs as much as the arithmetic (a*h + b < 2^64: no overflow)
        v = np.multiply(self.a[:, None], hv[None, :])
        v += self.b[:, None]
        high = v >> np.uint64(61)
        v &= _MERSENNE
        v += high  # v mod (2^61 - 1) without a division, up to one subtraction
        np.subtract(v, _MERSENNE, out=v, where=v >= _MERSENNE)
        v &= _MAX_HASH
        return np.minimum.reduceat(v, starts, axis=1).T.astype(np.uint32)

    def sign_many(self, docs: list[list[str]]) -> np.ndarray:
        """Signatures (one row of ``num_perm`` uint32 per document) of documents given as word lists."""
        out = np.full((len(docs), self.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        k = self.shingle
        # every token of the call hashed in one hash_array call: per batch of 8 documents, pandas' fixed cost per
        # call (factorising, a Categorical) was most of the hashing time; the hash of a token does not depend on
        # what it is hashed with, so the signatures are the same
        all_lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        offsets = np.concatenate(([0], np.cumsum(all_lens)))
        if offsets[-1] == 0:
            return out
        all_tok = pd.util.hash_array(np.array([w for d in docs for w in d], dtype=object)) & _MAX_HASH
        for lo in range(0, len(docs), self.batch):
            lens = all_lens[lo : lo + self.batch]
            chunk = docs[lo : lo + self.batch]
            tok = all_tok[offsets[lo] : offsets[lo + len(chunk)]]
            if not len(tok):
                continue
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


@lru_cache(maxsize=16)
def _lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band for ``threshold``, chosen as ``datasketch.lsh._optimal_param`` chooses them but
    weighting false negatives 9:1 (candidates are verified on their signatures, so an extra candidate costs little
    and a missed pair is lost).

    datasketch integrates with scipy's ``quad`` (and importing it costs 1.5 s); the integrands are polynomials of
    degree ``b * r <= num_perm``, which Gauss-Legendre quadrature with ``num_perm // 2 + 1`` nodes integrates exactly
    (tests/test_dedup.py checks the same choice as datasketch's over a grid of thresholds)."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(f, lo: float, hi: float) -> float:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        return float((hi - lo) / 2 * (weights * f(s)).sum())

    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = integral(lambda s, b=b, r=r: 1 - (1 - s ** float(r)) ** float(b), 0.0, threshold)
            fn = integral(lambda s, b=b, r=r: 1 - (1 - (1 - s ** float(r)) ** float(b)), threshold, 1.0)
            error = fp * 0.1 + fn * 0.9
            if error < best:
                best, opt = error, (b, r)
    return opt


class SignatureFile:
    """MinHash signatures (rows of ``num_perm`` uint32) appended to a temporary file in ``folder``, so that a
    corpus's signatures (512 bytes per article) are not held in memory; read back as LSH band keys, one band at a
    time, and as the rows that candidate pairs need, a bounded number of pages at a time.

    Rows are read through a memory map opened for one read and closed after it: the pages a read touches count in
    the process's resident memory only while it is mapped."""

    CHUNK_ROWS = 16_384  # rows read at once when band keys are built (8 MB of signatures)

    def __init__(self, num_perm: int, folder: str | os.PathLike | None = None):
        self.num_perm, self.folder = num_perm, folder
        self._fh = tempfile.TemporaryFile(prefix=".dedup-signatures.", dir=folder)
        self._bands_fh = None
        self._band_shape: tuple[int, int] | None = None
        self.n = 0

    def append(self, sigs: np.ndarray) -> None:
        if len(sigs):
            self._fh.seek(0, 2)
            self._fh.write(np.ascontiguousarray(sigs, dtype=np.uint32).tobytes())
            self.n += len(sigs)

    def __len__(self) -> int:
        return self.n

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.num_perm)

    def _map(self, fh, dtype, shape) -> np.memmap:
        fh.flush()
        return np.memmap(fh, dtype=dtype, mode="r", shape=shape)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The signatures of ``rows`` (a new array)."""
        if not len(rows):
            return np.empty((0, self.num_perm), dtype=np.uint32)
        mm = self._map(self._fh, np.uint32, self.shape)
        try:
            return np.array(mm[rows])
        finally:
            del mm

    def band_keys(self, band: int, bands: int, rows_per_band: int, weights: np.ndarray) -> np.ndarray:
        """The LSH key of every row for ``band`` (:func:`_band_keys` of its columns), in row order. The
        first call computes every band's keys in one pass over the file and spools them band by band."""
        if self._band_shape != (bands, rows_per_band):
            if self._bands_fh is not None:
                self._bands_fh.close()
            self._bands_fh = tempfile.TemporaryFile(prefix=".dedup-bands.", dir=self.folder)
            self._bands_fh.truncate(bands * self.n * 8)
            for lo in range(0, self.n, self.CHUNK_ROWS):
                sigs = self.take(np.arange(lo, min(lo + self.CHUNK_ROWS, self.n)))
                for b in range(bands):
                    self._bands_fh.seek((b * self.n + lo) * 8)
                    self._bands_fh.write(
                        _band_keys(sigs[:, b * rows_per_band : (b + 1) * rows_per_band], b, weights).tobytes()
                    )
            self._band_shape = (bands, rows_per_band)
        self._bands_fh.seek(band * self.n * 8)
        return np.frombuffer(self._bands_fh.read(self.n * 8), dtype=np.uint64)

    def close(self) -> None:
        self._fh.close()
        if self._bands_fh is not None:
            self._bands_fh.close()


def _band_keys(columns: np.ndarray, band: int, weights: np.ndarray) -> np.ndarray:
    """One uint64 key per row of ``columns`` (signatures' columns of LSH band ``band``): the values weighted,
    summed, plus the band number."""
    block = columns.astype(np.uint64)
    with np.errstate(over="ignore"):
        return (block * weights).sum(axis=1, dtype=np.uint64) + np.uint64(band)


def _take(sigs, rows: np.ndarray) -> np.ndarray:
    return sigs.take(rows) if isinstance(sigs, SignatureFile) else sigs[rows]


@dataclass
class TextKeys:
    """The dedup keys of a batch of texts: sha1 digests of the normalised texts, their word counts, and the MinHash
    signatures of those with at least ``min_words`` words (rows of ``signatures``, in text order; held, or on disk
    in a :class:`SignatureFile`)."""

    digests: np.ndarray  # S20, one per text
    n_words: np.ndarray  # int32, words of the normalised text
    signatures: np.ndarray | SignatureFile  # uint32 (n_signed x num_perm), texts with n_words >= min_words, in order


def key_texts(
    texts: list[str],
    *,
    num_perm: int = DEFAULT_NUM_PERM,
    shingle: int = DEFAULT_SHINGLE,
    min_words: int = MIN_WORDS_NEAR,
    signer: _Signer | None = None,
) -> TextKeys:
    """The dedup keys of ``texts`` (each text on its own: any batch of a corpus, on any worker)."""
    digests, n_words, words = [], [], []
    for text in texts:
        split = hash_words(text)
        digests.append(hashlib.sha1(" ".join(split).encode("utf-8")).digest())  # of normalize_for_hash(text)
        n_words.append(len(split))
        if len(split) >= min_words:
            words.append(split)
    signer = signer or _signer(num_perm, shingle)
    sigs = signer.sign_many(words) if words else np.empty((0, num_perm), dtype=np.uint32)
    return TextKeys(np.array(digests, dtype="S20"), np.array(n_words, dtype=np.int32), sigs)


_SIGNERS: dict[tuple[int, int], _Signer] = {}


def _signer(num_perm: int, shingle: int) -> _Signer:
    if (num_perm, shingle) not in _SIGNERS:
        _SIGNERS[num_perm, shingle] = _Signer(num_perm, shingle)
    return _SIGNERS[num_perm, shingle]


@dataclass
class DuplicateMarks:
    """Duplicate marks per article (arrays in the order the keys were given): the index of the first copy (-1 for
    none), the similarity (NaN for none) and the kind code (an index into :data:`KINDS`)."""

    first: np.ndarray
    similarity: np.ndarray
    kind: np.ndarray


def find_duplicate_marks(
    doc_ids: np.ndarray,
    published: np.ndarray,
    keys: TextKeys,
    *,
    near_threshold: float = DEFAULT_NEAR_THRESHOLD,
    near: bool = True,
    min_words: int = MIN_WORDS_NEAR,
    spill_dir: str | os.PathLike | None = None,
) -> DuplicateMarks:
    """Exact and near-duplicate marks from the keys of every article (see :func:`find_duplicates`).

    ``doc_ids`` (unique strings or bytes), ``published`` (datetime64, NaT for undated) and ``keys`` are in any one
    order; the marks come back in it. Memory: the keys plus a few integers per article and band; LSH candidate
    pairs beyond two million wait in a temporary file in ``spill_dir`` (default: the system's temporary folder)."""
    if not 0 < near_threshold <= 1:
        raise ParameterError(f"near_threshold {near_threshold} must be in (0, 1]: e.g. 0.8")
    n = len(doc_ids)
    first = np.full(n, -1, dtype=np.int64)
    similarity = np.full(n, np.nan, dtype=np.float64)
    kind = np.zeros(n, dtype=np.int8)
    if n == 0:
        return DuplicateMarks(first, similarity, kind)
    # priority: earliest published first (undated last), then doc_id, as pandas' stable sort_values would order
    stamp = np.asarray(published, dtype="datetime64[ns]").view(np.int64)
    undated = np.isnat(np.asarray(published, dtype="datetime64[ns]"))
    stamp = np.where(undated, np.iinfo(np.int64).max, stamp)
    order = np.lexsort((np.asarray(doc_ids), stamp))
    _, first_pos, inverse = np.unique(keys.digests[order], return_index=True, return_inverse=True)
    first_of = first_pos[inverse.reshape(-1)]  # per position in priority order: the position of its first copy
    del first_pos, inverse, stamp, undated  # a few arrays of n: not held while near duplicates are looked for
    is_exact = first_of != np.arange(n)
    first[order[is_exact]] = order[first_of[is_exact]]
    del first_of
    similarity[order[is_exact]] = 1.0
    kind[order[is_exact]] = 1
    if near and n > 1:
        signed = np.flatnonzero(keys.n_words >= min_words)  # key rows (in given order) that have a signature
        sig_row = np.full(n, -1, dtype=np.int64)
        sig_row[signed] = np.arange(len(signed))
        cand = order[~is_exact & (keys.n_words[order] >= min_words)]  # in priority order
        rows = _near_duplicates(
            keys.signatures, sig_row[cand], near_threshold, keys.signatures.shape[1], spill_dir=spill_dir
        )
        for d, s_, sim in rows:
            first[cand[d]], similarity[cand[d]], kind[cand[d]] = cand[s_], sim, 2
    return DuplicateMarks(first, similarity, kind)


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
    ids = corpus["doc_id"].astype(str).to_numpy()
    keys = key_texts(
        corpus["text"].astype(str).tolist(),
        num_perm=num_perm,
        shingle=shingle,
        min_words=min_words if near else 10**9,
        signer=_Signer(num_perm, shingle),
    )
    marks = find_duplicate_marks(
        ids.astype(str),
        pd.to_datetime(corpus["published"]).to_numpy(),
        keys,
        near_threshold=near_threshold,
        near=near,
        min_words=min_words,
    )
    dup = np.flatnonzero(marks.kind > 0)
    out = pd.DataFrame(
        {
            "doc_id": ids[dup],
            "duplicate_of": ids[marks.first[dup]],
            "dup_similarity": marks.similarity[dup],
            "dup_kind": [KINDS[k] for k in marks.kind[dup]],
        },
        columns=cols,
    )
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)


PAIR_BLOCK = 16_384  # later documents per block of candidate pairs (pairs are grouped, checked and kept per block)
_PAIRS_IN_MEMORY = 2_000_000  # candidate pairs held before they go to the spool file


class _PairSpool:
    """Candidate pairs (``src * n + dst``) grouped by the block of their later document, in memory up to
    :data:`_PAIRS_IN_MEMORY` pairs and in a temporary file beyond, so that LSH candidates never all sit in memory
    at once (the replicated benchmark finds about 200 per document)."""

    def __init__(self, n: int, spill_dir):
        self.n, self.spill_dir = n, spill_dir
        self.held: dict[int, list[np.ndarray]] = {}
        self.n_held = 0
        self.on_disk: dict[int, list[tuple[int, int]]] = {}  # block -> (offset, count) in the file
        self._fh = None

    def add(self, pairs: np.ndarray) -> None:
        if not len(pairs):
            return
        block = (pairs % self.n) // PAIR_BLOCK
        srt = np.argsort(block, kind="stable")
        pairs, block = pairs[srt], block[srt]
        cuts = np.flatnonzero(np.diff(block)) + 1
        for part, b in zip(np.split(pairs, cuts), block[np.r_[0, cuts]]):
            self.held.setdefault(int(b), []).append(part)
        self.n_held += len(pairs)
        if self.n_held > _PAIRS_IN_MEMORY:
            self._flush()

    def _flush(self) -> None:
        if self._fh is None:
            self._fh = tempfile.TemporaryFile(prefix=".dedup-pairs.", dir=self.spill_dir)
        for b, parts in self.held.items():
            data = np.concatenate(parts).astype(np.int64)
            self._fh.seek(0, 2)
            self.on_disk.setdefault(b, []).append((self._fh.tell(), len(data)))
            self._fh.write(data.tobytes())
        self.held, self.n_held = {}, 0

    def blocks(self):
        """(block, unique pairs of that block, sorted) in block order."""
        for b in sorted(set(self.held) | set(self.on_disk)):
            parts = list(self.held.pop(b, []))
            for offset, count in self.on_disk.pop(b, []):
                self._fh.seek(offset)
                parts.append(np.frombuffer(self._fh.read(count * 8), dtype=np.int64))
            yield b, np.unique(np.concatenate(parts))

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def _near_duplicates(
    sigs: np.ndarray, rows: np.ndarray, threshold: float, num_perm: int, *, spill_dir=None
) -> list[tuple]:
    """Near-duplicate ``(later, first, similarity)`` among the documents whose signatures are ``sigs[rows]``
    (``rows`` in priority order; positions in the result index ``rows``).

    Memory: a few integers per document and band at a time, plus the candidate pairs of one block of
    :data:`PAIR_BLOCK` later documents (the rest wait in :class:`_PairSpool`), whatever the corpus size."""
    n = len(rows)
    if n < 2:
        return []
    bands, rows_per_band = _lsh_params(threshold, num_perm)
    # LSH banding with numpy instead of datasketch.MinHashLSH: its Python dict-of-sets buckets cost ~1 KB per
    # document and band; sorting one uint64 key per document and band (a group-by on band hashes) scales to
    # millions of articles.
    weights = np.array([pow(0x9E3779B1, j + 1, 1 << 64) for j in range(rows_per_band)], dtype=np.uint64)
    index = np.arange(n, dtype=np.int64)
    spool = _PairSpool(n, spill_dir)
    try:
        for band in range(bands):
            if isinstance(sigs, SignatureFile):
                keys = sigs.band_keys(band, bands, rows_per_band, weights)[rows]
            else:
                keys = _band_keys(sigs[rows, band * rows_per_band : (band + 1) * rows_per_band], band, weights)
            srt = np.argsort(keys, kind="stable")  # equal keys keep priority order
            k = keys[srt]
            del keys
            new_group = np.empty(n, dtype=bool)
            new_group[0] = True
            new_group[1:] = k[1:] != k[:-1]
            del k
            start = np.maximum.accumulate(np.where(new_group, index, 0))
            rank = index - start
            for t in range(MAX_BUCKET_PEERS):
                mask = rank > t
                if not mask.any():
                    break
                spool.add(srt[start[mask] + t] * n + srt[mask])
        # from a file, each read maps the pages of its rows: 4,096 rows touch at most 16 MB of pages
        chunk = 4_096 if isinstance(sigs, SignatureFile) else 20_000
        marked = np.zeros(n, dtype=bool)  # later documents given a first copy (those cannot be pointed at)
        out = []
        for _, pairs in spool.blocks():
            src, dst = pairs // n, pairs % n
            same = np.empty(len(pairs), dtype=np.int64)
            for s in range(0, len(pairs), chunk):  # chunks bound memory (two blocks of chunk x num_perm signatures)
                sl = slice(s, s + chunk)
                same[sl] = (_take(sigs, rows[src[sl]]) == _take(sigs, rows[dst[sl]])).sum(axis=1)
            sims = same / num_perm  # the mean of the equal slots, exactly
            keep = sims >= threshold
            src, dst, sims = src[keep], dst[keep], sims[keep]
            # per later doc (blocks come in order, so all earlier docs are settled): most similar first, then
            # earliest, skipping first copies that are themselves marked
            for j in np.lexsort((src, -sims, dst)):
                d, s_ = int(dst[j]), int(src[j])
                if marked[d] or marked[s_]:
                    continue
                marked[d] = True
                out.append((d, s_, round(float(sims[j]), 4)))
    finally:
        spool.close()
    return out


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
