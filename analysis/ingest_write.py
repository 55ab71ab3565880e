"""Ingest's second pass: the run's per-article keys (compact arrays), duplicate marks, and the corpus and removed
spans written from the spool row group by row group, sorted by source path and row, with the corpus fingerprint."""

from __future__ import annotations

import bisect
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import dedup as dedup_mod
from analysis.articles import INTEGER_SOURCE_COLUMNS, Cleaned
from analysis.corpus import EXTRA_COLUMNS, FINGERPRINT_COLUMNS, SCHEMA
from analysis.spool import FingerprintSpool, ParquetStream, RowSpool
from analysis.tables import ROW_GROUP_ROWS

REMOVED_COLUMNS = ["doc_id", "rule", "text"]

_ROW_NA = np.iinfo(np.int64).min  # source_row of a one-article file: sorts first, as pandas puts nulls first


class RunKeys:
    """The per-article arrays of a run (arrival order): what the second pass needs, a few dozen bytes per article;
    the MinHash signatures wait in a file in ``folder`` (call :meth:`close`)."""

    def __init__(self, orders: tuple[str, ...], folder: str | Path | None = None):
        self.orders = orders
        self.ids: list[np.ndarray] = []
        self.path: list[np.ndarray] = []
        self.row: list[np.ndarray] = []
        self.published: dict[str, list[np.ndarray]] = {o: [] for o in orders}
        self.digests: list[np.ndarray] = []
        self.n_words: list[np.ndarray] = []
        self.sigs = dedup_mod.SignatureFile(dedup_mod.DEFAULT_NUM_PERM, folder)
        self.paths: dict[str, int] = {}
        self.extras: set[str] = set()
        self.bytes_repaired = 0
        self.n_removed = 0
        self.raw_dates = False  # any article with a published_raw value
        self.batch_starts: list[int] = []
        self.n = 0

    def add(self, part: Cleaned) -> None:
        rows = part.rows
        self.batch_starts.append(self.n)
        self.n += len(rows)
        self.ids.append(np.array([r["doc_id"] for r in rows], dtype="S16"))
        self.path.append(np.array([self.paths.setdefault(r["source_path"], len(self.paths)) for r in rows], np.int32))
        self.row.append(np.array([_ROW_NA if r["source_row"] is None else r["source_row"] for r in rows], np.int64))
        for o in self.orders:
            values = pd.Series([r[f"published:{o}"] for r in rows], dtype=object)
            self.published[o].append(pd.to_datetime(values).to_numpy(dtype="datetime64[ns]"))
        if part.keys is not None:
            self.digests.append(part.keys.digests)
            self.n_words.append(part.keys.n_words)
            self.sigs.append(part.keys.signatures)
        for r in rows:
            self.extras.update(r["extras"])
            self.bytes_repaired += r["bytes_repaired"]
            self.raw_dates = self.raw_dates or r["published_raw"] is not None
        self.n_removed += sum(len(spans) for spans in part.removed)

    def final_ids(self) -> np.ndarray:
        """doc ids with ``-N`` appended to the N-th arrival of a repeated id (two copies of one file, same name
        and text, in different folders): arrival order is file order, so this is deterministic."""
        raw = np.concatenate(self.ids) if self.ids else np.empty(0, dtype="S16")
        ids = raw.astype("S24")
        srt = np.argsort(raw, kind="stable")
        same = np.zeros(len(raw), dtype=bool)
        same[1:] = raw[srt][1:] == raw[srt][:-1]
        if same.any():
            start = np.maximum.accumulate(np.where(~same, np.arange(len(raw)), 0))
            nth = np.arange(len(raw)) - start + 1
            for pos in np.flatnonzero(same):
                ids[srt[pos]] = raw[srt[pos]] + f"-{nth[pos]}".encode()
        return ids

    def text_keys(self) -> dedup_mod.TextKeys:
        """The run's keys as one :class:`~analysis.dedup.TextKeys` (its signatures: the file); the batches are
        moved into it, so they are not held twice."""
        digests = np.concatenate(self.digests) if self.digests else np.empty(0, dtype="S20")
        n_words = np.concatenate(self.n_words) if self.n_words else np.empty(0, dtype=np.int32)
        self.digests, self.n_words = [], []
        return dedup_mod.TextKeys(digests, n_words, self.sigs)

    def close(self) -> None:
        self.sigs.close()


def write_outputs(targets, keys: RunKeys, rows_spool: RowSpool, removed_spool: RowSpool, order: str, opts) -> dict:
    """The second pass: duplicate marks, then the removed spans and the corpus (sorted by source path and row)
    written row group by row group, and the corpus fingerprint."""
    n = keys.n
    ids = keys.final_ids()
    published = np.concatenate(keys.published[order]) if n else np.empty(0, dtype="datetime64[ns]")
    keys.ids, keys.published = [], {}  # held once, as the arrays above
    if opts.dedup and n:
        marks = dedup_mod.find_duplicate_marks(
            ids,
            published,
            keys.text_keys(),
            near_threshold=opts.near_threshold,
            spill_dir=Path(targets["articles"]).parent,
        )
    else:
        marks = dedup_mod.DuplicateMarks(np.full(n, -1), np.full(n, np.nan), np.zeros(n, dtype=np.int8))
    starts = keys.batch_starts
    removed = ParquetStream(targets["removed_spans"])
    try:
        for b in range(len(removed_spool)):
            spans = removed_spool.get(b)
            batch_ids = ids[starts[b] : starts[b] + len(spans)]
            removed.write(
                pd.DataFrame(
                    [(i.decode(), rule, text) for i, row in zip(batch_ids, spans) for rule, text in row],
                    columns=REMOVED_COLUMNS,
                )
            )
    except BaseException:
        removed.abort()
        raise
    removed.close(pd.DataFrame([], columns=REMOVED_COLUMNS))
    path_names = list(keys.paths)
    path_rank = np.argsort(np.argsort(np.array(path_names, dtype=object), kind="stable"), kind="stable")
    path_idx = np.concatenate(keys.path) if n else np.empty(0, dtype=np.int32)
    src_row = np.concatenate(keys.row) if n else np.empty(0, dtype=np.int64)
    perm = np.lexsort((src_row, path_rank[path_idx])) if n else np.empty(0, dtype=np.int64)
    common = {"ids": ids, "published": published, "marks": marks, "order": order, "rest": sorted(keys.extras)}
    corpus = ParquetStream(targets["articles"])
    fingerprint = FingerprintSpool(Path(targets["articles"]).parent)
    try:
        for lo in range(0, n, ROW_GROUP_ROWS):
            idx = perm[lo : lo + ROW_GROUP_ROWS]
            rows = [rows_spool.get(b)[i - starts[b]] for i in idx for b in [bisect.bisect_right(starts, i) - 1]]
            frame = corpus_frame(rows, idx, raw_dates=keys.raw_dates, **common)
            corpus.write(frame)
            fingerprint.add(frame[list(FINGERPRINT_COLUMNS)])
        corpus.close(corpus_frame([], np.empty(0, dtype=np.int64), raw_dates=keys.raw_dates, **common))
        digest = fingerprint.hexdigest()
    except BaseException:
        corpus.abort()
        raise
    finally:
        fingerprint.close()
    kinds = Counter(dedup_mod.KINDS[k] for k in marks.kind if k)
    missing = np.isnat(published)
    meta = pd.DataFrame(
        {
            "source_path": pd.Categorical.from_codes(path_idx, categories=path_names) if n else pd.Categorical([]),
            "row_na": src_row == _ROW_NA,
            "missing": missing,
        }
    )
    per_file = Counter({path_names[i]: int(c) for i, c in enumerate(np.bincount(path_idx, minlength=len(path_names)))})
    return {
        "articles": n,
        "per_file": per_file,
        "kinds": kinds,
        "dates_missing": int(missing.sum()),
        "bytes_repaired": int(keys.bytes_repaired),
        "removed_spans": keys.n_removed,
        "fingerprint": digest,
        "meta": meta,
    }


_STRING_COLUMNS = [
    "doc_id",
    "outlet",
    "agency",
    "url",
    "title",
    "text",
    "lang",
    "source_path",
    "source_id",
    "source_sha256",
    "duplicate_of",
    "dup_kind",
    "date_source",
    "dateline",
]


def corpus_frame(
    rows: list[dict], idx: np.ndarray, *, ids, published, marks, order: str, rest: list[str], raw_dates: bool
):
    """Corpus rows (arrival positions ``idx``) as the corpus table: the schema, the extra columns, then the source
    columns (sorted), with the dtypes every ingest writes."""

    def col(name):
        return pd.Series([r[name] for r in rows], dtype=object)

    first = marks.first[idx]
    data = {
        "doc_id": pd.Series([i.decode() for i in ids[idx]], dtype=object),
        "outlet": col("outlet"),
        "agency": col("agency"),
        "url": col("url"),
        "published": pd.Series(published[idx], dtype="datetime64[ns]"),
        "title": col("title"),
        "text": col("text"),
        "n_words": pd.Series([r["n_words"] for r in rows], dtype="int64"),
        "lang": col("lang"),
        "source_path": col("source_path"),
        "source_row": pd.array([r["source_row"] for r in rows], dtype="Int64"),
        "source_id": col("source_id"),
        "source_sha256": col("source_sha256"),
        "duplicate_of": pd.Series([ids[f].decode() if f >= 0 else None for f in first], dtype=object),
        "dup_similarity": pd.Series(marks.similarity[idx], dtype="float64"),
        "dup_kind": pd.Series([dedup_mod.KINDS[k] for k in marks.kind[idx]], dtype=object),
        "date_source": col(f"date_source:{order}"),
        "dateline": col("dateline"),
        "bytes_repaired": pd.Series([r["bytes_repaired"] for r in rows], dtype="int64"),
        # not cast, as ingest always wrote it: pandas infers its str dtype when any article has a raw date
        "published_raw": pd.Series([r["published_raw"] for r in rows], dtype="str" if raw_dates else object),
    }
    for c in rest:
        values = [r["extras"].get(c) for r in rows]
        if c in INTEGER_SOURCE_COLUMNS:
            data[c] = pd.array([None if pd.isna(v) else int(v) for v in values], dtype="Int64")
        else:
            data[c] = pd.Series(values, dtype=object)
    out = pd.DataFrame(data)
    for c in _STRING_COLUMNS + [c for c in rest if c not in INTEGER_SOURCE_COLUMNS]:
        out[c] = out[c].astype("string")  # a string column in parquet even when every value is null
    return out[SCHEMA + EXTRA_COLUMNS + rest]
