"""Streaming a corpus through the stages: row-group reading, the running fingerprint, workers, ordered writing."""

from __future__ import annotations

import hashlib
import logging
import os
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.corpus import DOCUMENT_COLUMNS, FINGERPRINT_COLUMNS
from analysis.errors import ParameterError, SchemaError
from analysis.forkserver import worker_context
from analysis.selection import Selection
from analysis.stages import find_resource_versions, load_stages, process_chunk

# ----------------------------------------------------------------------------------------------- reading the corpus
# What the parent of `analyze` reads of every row at the start: the columns of the checks and of the selection, and
# the document columns that are numbers. The text columns of a chunk's documents (title, url, agency, ...) are read
# with its rows instead (run_chunks), so that memory does not grow with every title and URL of the corpus.
SELECTION_COLUMNS = ("doc_id", "outlet", "published", "n_words", "lang", "duplicate_of")
# of those, the columns the parent keeps for every row until the end (8 bytes a row each)
HELD_COLUMNS = ("published", "n_words")


class CorpusScan(NamedTuple):
    """What `analyze` holds of every row of the corpus while it streams it (see :func:`scan_metadata`)."""

    keep: np.ndarray  # bool per row, in file order: the selected articles
    held: pd.DataFrame  # HELD_COLUMNS of every row
    kept_languages: pd.DataFrame  # the "lang" column of the selected rows (the manifest's left_out)
    n_articles: int


def scan_metadata(pf: pq.ParquetFile, path: Path, selection: Selection) -> CorpusScan:
    """The corpus's document columns checked (doc_id present and unique, published a date) and ``selection``
    applied, one row group at a time.

    Memory holds one row group's metadata plus, for every row, the doc id as Arrow text (for the uniqueness check,
    freed before the stages run) and 17 bytes: the selection flag and the HELD_COLUMNS. Reading the whole metadata
    at once instead costs about 0.6 kB of resident memory a row (187 MB at 300,000 articles), because Arrow's and
    Python's allocators keep what the transient copies used. A corpus whose ``published`` is not stored as a date
    (not written by ingest) is read whole, so that its dates are parsed with one format for every row.
    """
    names = pf.schema_arrow.names
    cols = [c for c in DOCUMENT_COLUMNS if c in SELECTION_COLUMNS and c in names]
    published = pf.schema_arrow.field("published").type if "published" in names else None
    if published is not None and not (pa.types.is_timestamp(published) or pa.types.is_date(published)):
        groups: Iterable = [None]
    else:
        groups = range(pf.num_row_groups)
    ids, keep, held, languages, known = [], [], [], [], set()
    for i in groups:
        table = pf.read(columns=cols) if i is None else pf.read_row_group(i, columns=cols, use_threads=False)
        ids.append(table.column("doc_id"))
        meta = table.to_pandas()
        del table
        _check_metadata(meta, path)
        if selection.outlets:
            known.update(meta["outlet"].dropna())
        mask = selection.mask(meta).to_numpy(dtype=bool)
        keep.append(mask)
        held.append(meta[[c for c in HELD_COLUMNS if c in meta.columns]])
        languages.append(meta.loc[mask, [c for c in ("lang",) if c in meta.columns]])
    _check_unique(pa.chunked_array(ids), path)
    del ids
    if selection.outlets:
        selection.check_outlets(known)
    keep_all = np.concatenate(keep)
    if not keep_all.any():
        selection.raise_empty()
    held_all = pd.concat(held, ignore_index=True)
    pa.default_memory_pool().release_unused()  # the row groups' buffers, which mimalloc would otherwise keep
    return CorpusScan(keep_all, held_all, pd.concat(languages, ignore_index=True), len(keep_all))


def _check_metadata(meta: pd.DataFrame, path: Path) -> None:
    """doc_id present on every row; published a date (converted in place)."""
    if meta["doc_id"].isna().any():
        raise SchemaError(f"corpus {path} has rows without doc_id: re-create it with `python -m analysis ingest`")
    try:
        if "published" in meta:
            meta["published"] = pd.to_datetime(meta["published"])
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"corpus {path}: column published is not a date column") from exc


def _check_unique(ids: pa.ChunkedArray, path: Path) -> None:
    # by sorting (a sorted copy and its indices, about 16 bytes a row) rather than pc.value_counts, whose hash
    # table took 66 MB of resident memory at 300,000 ids, kept by the allocator after it was freed
    ordered = ids.take(pc.sort_indices(ids))
    same = pc.equal(ordered[1:], ordered[:-1]) if len(ordered) > 1 else pa.array([], pa.bool_())
    if pc.any(same).as_py():
        first = ordered[pc.index(same, True).as_py()].as_py()
        raise SchemaError(f"corpus {path} has duplicate doc_id values (e.g. {first!r}): doc_id must be unique")


def _iter_corpus_batches(
    pf: pq.ParquetFile, batch_size: int, columns: Iterable[str] = FINGERPRINT_COLUMNS
) -> Iterator[pa.RecordBatch]:
    """The corpus rows in file order, ``batch_size`` at a time, with ``columns`` (those the file has).

    Read one row group at a time: pyarrow's ``iter_batches`` keeps allocating as it goes (about 0.5 kB per article
    here), whereas a row group's buffers are freed before the next is read. Memory is then bounded by the row-group
    size, which `analysis.tables.save_table` caps.
    """
    cols = [c for c in dict.fromkeys(columns) if c in pf.schema_arrow.names]
    for i in range(pf.num_row_groups):
        table = pf.read_row_group(i, columns=cols, use_threads=False)
        yield from table.to_batches(max_chunksize=batch_size)
        del table


class Fingerprint:
    """provenance.fingerprint_corpus computed while streaming: rows are spooled to disk, then hashed in doc_id order.

    fingerprint_corpus hashes the rows sorted by doc_id, but the corpus is read in file order; spooling the row
    bytes to a temporary file keeps memory flat (only doc_id -> offset is held) and gives the same digest.
    """

    def __init__(self, path: Path, published: pd.Series):
        self._fh = open(path, "w+b")
        self._published = published  # whole column, formatted like fingerprint_corpus formats it
        self._ids: list[pa.Array] = []  # the doc ids of each batch, as Arrow arrays (not a Python str per row)
        self._offsets = array("q")  # where each row starts in the spool file
        self._row = 0

    def update(self, batch: pa.RecordBatch) -> None:
        columns = []
        for name in FINGERPRINT_COLUMNS:
            if name == "published" and name in batch.schema.names:
                columns.append(self._published.iloc[self._row : self._row + batch.num_rows].tolist())
            elif name in batch.schema.names:
                values = batch.column(name)
                if not (
                    pa.types.is_string(values.type)
                    or pa.types.is_large_string(values.type)
                    or pa.types.is_null(values.type)
                ):
                    values = pa.array(values.to_pandas().astype("string"), type=pa.large_string(), from_pandas=True)
                if name == "doc_id":  # never null (scan_metadata checks it)
                    self._ids.append(values)
                columns.append(["\x00" if v is None else v for v in values.to_pylist()])
        self._row += batch.num_rows
        for values in zip(*columns):
            self._offsets.append(self._fh.tell())
            self._fh.write("\x1f".join(values).encode("utf-8") + b"\x1e")

    def hexdigest(self) -> str:
        offsets = np.frombuffer(self._offsets, dtype="int64")
        offsets = np.append(offsets, self._fh.tell())
        # doc_id order: Arrow sorts strings by their UTF-8 bytes, which is the code point order of Python's str
        # comparison (fingerprint_corpus's sort); doc ids are unique, so no tie needs a stable sort
        ids = pa.chunked_array(self._ids, type=self._ids[0].type) if self._ids else pa.chunked_array([], pa.string())
        order = pc.sort_indices(ids).to_numpy()
        digest = hashlib.sha256()
        for i in order:
            self._fh.seek(offsets[i])
            digest.update(self._fh.read(offsets[i + 1] - offsets[i]))
        self._fh.close()
        return digest.hexdigest()


def fingerprint_corpus_file(path: str | os.PathLike, *, batch_size: int = 10_000) -> str:
    """:func:`analysis.provenance.fingerprint_corpus` of a corpus file, streamed: memory holds one row group and
    the doc ids, not every text (reports that read the corpus without its texts)."""
    import tempfile

    from analysis.corpus import open_corpus

    pf = open_corpus(path)
    published = (
        pf.read(columns=["published"]).to_pandas()["published"].astype("string").fillna("\x00")
        if "published" in pf.schema_arrow.names
        else pd.Series([], dtype="string")
    )
    with tempfile.TemporaryDirectory(prefix="fingerprint-") as tmp:
        fingerprint = Fingerprint(Path(tmp) / "rows.bin", published)
        for batch in _iter_corpus_batches(pf, batch_size):
            fingerprint.update(batch)
        return fingerprint.hexdigest()


# a corpus fingerprint computed once for several report kernels (analysis.render): the path of a JSON file
KNOWN_FINGERPRINT_ENV = "CONFLICT_NEWS_KNOWN_FINGERPRINT"


def _file_state(path: str | os.PathLike) -> dict:
    st = os.stat(path)
    return {"path": str(Path(path).resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def save_corpus_fingerprint(path: str | os.PathLike, dest: str | os.PathLike) -> str:
    """:func:`fingerprint_corpus_file` of the corpus ``path``, also written to ``dest`` (JSON, with the file's size,
    modification time and inode) for :func:`find_known_fingerprint`; not written if the file changed meanwhile."""
    before = _file_state(path)
    fingerprint = fingerprint_corpus_file(path)
    if _file_state(path) == before:
        _write_known(dest, before, fingerprint)
    return fingerprint


def save_recorded_fingerprint(path: str | os.PathLike, dest: str | os.PathLike, record: dict | None) -> str | None:
    """The fingerprint that ``record`` (an analysis manifest's ``corpus`` entry) holds for the corpus file ``path``
    (:func:`analysis.provenance.find_recorded_fingerprint`: the file has the recorded sha256), written to ``dest``
    as :func:`save_corpus_fingerprint` writes it; None, and nothing written, when it is not that file's or the file
    changed meanwhile."""
    from analysis.provenance import find_recorded_fingerprint

    before = _file_state(path)
    fingerprint = find_recorded_fingerprint(path, record)
    if fingerprint is None or _file_state(path) != before:
        return None
    _write_known(dest, before, fingerprint)
    return fingerprint


def _write_known(dest: str | os.PathLike, state: dict, fingerprint: str) -> None:
    import json

    tmp = Path(f"{dest}.tmp")
    tmp.write_text(json.dumps({**state, "sha256": fingerprint}), encoding="utf-8")
    tmp.replace(dest)  # whole or absent for a reader


def find_known_fingerprint(path: str | os.PathLike) -> str | None:
    """The fingerprint of the corpus file ``path`` that :func:`save_corpus_fingerprint` wrote to the file named by
    the environment variable ``CONFLICT_NEWS_KNOWN_FINGERPRINT``, if it is there and the corpus file is still the
    one it hashed (same path, size, modification time and inode); else None (compute it)."""
    import json

    known = os.environ.get(KNOWN_FINGERPRINT_ENV)
    if not known:
        return None
    try:
        record = json.loads(Path(known).read_text(encoding="utf-8"))
        state = _file_state(path)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or {k: record.get(k) for k in state} != state:
        return None
    return str(record.get("sha256")) or None


_WORKER_OPTIONS: dict | None = None
_WORKER_DESCRIPTION: tuple | Exception | None = None


def _init_worker(specs: list[str], options: dict | None = None) -> None:
    global _WORKER_STAGES, _WORKER_OPTIONS, _WORKER_DESCRIPTION
    import gc

    gc.enable()  # paused in the forkserver this worker was forked from (analysis.preload_gc)
    logging.disable(logging.WARNING)  # skipped stages are reported by the parent from describe_stages
    try:
        _WORKER_STAGES, status = load_stages(specs)
    except Exception as exc:  # e.g. a stage before the one it needs: raised by the first task, not a broken pool
        _WORKER_DESCRIPTION = exc
        return
    languages = {spec: getattr(module, "LANGUAGES", None) for spec, module, _ in _WORKER_STAGES}
    _WORKER_DESCRIPTION = (status, languages, find_resource_versions(_WORKER_STAGES))
    _WORKER_OPTIONS = options


def _describe() -> tuple:
    if isinstance(_WORKER_DESCRIPTION, Exception):
        raise _WORKER_DESCRIPTION
    return _WORKER_DESCRIPTION


def _work(docs: pd.DataFrame) -> dict[str, pa.Table]:
    """One chunk in a worker process, returned as Arrow tables: converted here, in parallel, and sent to the parent
    as buffers, which is cheaper than pickling DataFrames of Python objects."""
    _describe()
    return process_chunk(docs, _WORKER_STAGES, _WORKER_OPTIONS, arrow=True)


class WorkerPool:
    """``jobs`` worker processes that import the stages themselves: the parent (reading, hashing and writing) never
    imports NLTK or the stage modules; it learns what it records about the stages from :meth:`describe`."""

    def __init__(self, specs: list[str], options: dict | None, jobs: int):
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        self._pool = ProcessPoolExecutor(
            jobs, mp_context=worker_context(specs), initializer=_init_worker, initargs=(specs, options)
        )
        self._description = self._pool.submit(_describe)  # the workers start (and import) while the parent reads

    def describe(self) -> tuple[dict[str, str], list[tuple[str, object, None]], dict]:
        """What the workers loaded: (stage status, [(spec, module-like with LANGUAGES, None)], resource versions)."""
        from types import SimpleNamespace

        status, languages, versions = self._description.result()
        for spec, what in status.items():
            if what != "ok":
                logging.getLogger("analysis.stages").warning("stage %s %s", spec, what)
        loaded = [(spec, SimpleNamespace(LANGUAGES=langs), None) for spec, langs in languages.items()]
        return status, loaded, versions

    def submit(self, docs: pd.DataFrame):
        return self._pool.submit(_work, docs)

    def shutdown(self) -> None:
        from concurrent.futures import wait

        wait([self._description])  # never cancelled: describe() is asked after the chunks
        self._pool.shutdown(cancel_futures=True)


_CLUSTER_STAGES: dict[tuple[str, ...], list] = {}


def _work_on_cluster(docs: pd.DataFrame, specs: tuple[str, ...], options: dict | None = None) -> dict[str, bytes]:
    """One partition on a Dask worker: the same function as a local chunk; stages are loaded once per worker.

    The partition's tables come back as parquet parts (zstd bytes): typed by Arrow, compact on the wire, and
    read by the client into exactly the Arrow tables a local run writes.
    """
    if specs not in _CLUSTER_STAGES:
        _CLUSTER_STAGES[specs] = load_stages(specs)[0]
    parts = {}
    for name, table in process_chunk(docs, _CLUSTER_STAGES[specs], options, arrow=True).items():
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        parts[name] = sink.getvalue().to_pybytes()
    return parts


def _read_parts(parts: dict[str, bytes]) -> dict[str, pa.Table]:
    return {name: pq.read_table(pa.BufferReader(data)) for name, data in parts.items()}


# --------------------------------------------------------------------------------------------------- writing tables
class TableWriter:
    """Streams each table's chunks into one parquet file; memory holds one chunk.

    A table is written directly with a ParquetWriter whose schema is the first chunk's. When a later chunk does not
    fit that schema (e.g. a column that was all-null in the first chunk), the table switches to part files that
    finish() merges under a unified schema, again one part at a time.
    """

    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.writers: dict[str, tuple[pq.ParquetWriter, Path]] = {}
        self.parts: dict[str, list[Path]] = {}

    def _part(self, name: str, table: pa.Table) -> None:
        part_dir = self.build_dir / "parts" / name
        part_dir.mkdir(parents=True, exist_ok=True)
        path = part_dir / f"{len(self.parts.get(name, [])):06d}.parquet"
        pq.write_table(table, path)
        self.parts.setdefault(name, []).append(path)

    def append(self, name: str, df: pd.DataFrame | pa.Table) -> None:
        table = df if isinstance(df, pa.Table) else pa.Table.from_pandas(df, preserve_index=False)
        if name not in self.writers and name not in self.parts:
            if any(pa.types.is_null(field.type) for field in table.schema):
                self._part(name, table)
                return
            path = self.build_dir / f".{name}.direct.parquet"
            self.writers[name] = (pq.ParquetWriter(path, table.schema, compression="zstd"), path)
        if name in self.writers:
            writer, path = self.writers[name]
            try:
                if table.schema.names != writer.schema.names:
                    raise TypeError("columns differ")
                table = table.cast(writer.schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError, ValueError):
                writer.close()  # what was written so far becomes the first part
                del self.writers[name]
                self.parts[name] = [path]
                self._part(name, table)
                return
            writer.write_table(table)
            return
        self._part(name, table)

    def finish(self, out_dir: Path) -> dict[str, dict]:
        summary = {}
        for name, (writer, path) in sorted(self.writers.items()):
            writer.close()
            target = self.build_dir / f"{name}.parquet"
            os.replace(path, target)
            schema = pq.read_schema(target)
            summary[name] = {"rows": pq.ParquetFile(target).metadata.num_rows, "columns": schema.names}
        for name, parts in sorted(self.parts.items()):
            schemas = [pq.read_schema(p) for p in parts]
            schema = pa.unify_schemas(schemas, promote_options="permissive")
            target = self.build_dir / f"{name}.parquet"
            rows = 0
            with pq.ParquetWriter(target, schema, compression="zstd") as writer:
                for p in parts:
                    table = pq.read_table(p)
                    for field in schema:  # a column missing from a part is all-null there
                        if field.name not in table.column_names:
                            table = table.append_column(field.name, pa.nulls(table.num_rows, field.type))
                    table = table.select(schema.names).cast(schema)
                    rows += table.num_rows
                    writer.write_table(table)
            summary[name] = {"rows": rows, "columns": schema.names}
        return dict(sorted(summary.items()))


def run_chunks(
    pf: pq.ParquetFile,
    meta: pd.DataFrame,
    keep: np.ndarray,
    loaded: list,
    writer: TableWriter,
    fingerprint: Fingerprint,
    *,
    chunk_size: int,
    bar,
    pool: WorkerPool | None = None,
    cluster=None,
    options: dict | None = None,
) -> None:
    """Stream the corpus: hash every row, gather the selected ones into chunks, analyse and write each chunk.

    Chunks are analysed here (by the ``loaded`` stages), in the worker processes of ``pool``, or on a Dask
    ``cluster`` (an :class:`analysis.cluster.Cluster`); in every case results are written in corpus order, so the
    tables are the same.
    """
    import contextlib
    from concurrent.futures.process import BrokenProcessPool

    pending_rows: list[np.ndarray] = []
    pending_docs: list[pa.Table] = []  # the text columns of the chosen rows (the numbers are held in meta)
    n_pending = 0
    names = pf.schema_arrow.names
    doc_columns = [c for c in DOCUMENT_COLUMNS if c in names]
    read_columns = [c for c in doc_columns if c not in meta.columns] + ["text"]
    row = 0
    submit, limit = None, 2
    if cluster is not None:
        specs = tuple(spec for spec, _, _ in loaded)
        submit, limit = (lambda docs: cluster.submit(_work_on_cluster, docs, specs, options)), cluster.max_in_flight
    elif pool is not None:  # chunks are analysed in worker processes and written in corpus order
        submit, limit = pool.submit, 2 * pool.jobs
    in_flight: deque = deque()

    def write(result: dict, n_docs: int) -> None:
        if cluster is not None:
            result = _read_parts(result)
        for name, table in result.items():
            writer.append(name, table)
        bar.update(n_docs)

    def flush():
        nonlocal n_pending
        if not pending_rows:
            return
        table = pa.concat_tables(pending_docs)
        docs = table.drop_columns(["text"]).to_pandas()
        held = meta.iloc[np.concatenate(pending_rows)].reset_index(drop=True)
        for name in held.columns:
            docs[name] = held[name]
        docs = docs[doc_columns]
        docs["text"] = pd.Series(table.column("text").to_pylist(), dtype=object)
        pending_rows.clear()
        pending_docs.clear()
        n_pending = 0
        if submit is None:
            write(process_chunk(docs, loaded, options, arrow=True), len(docs))
            return
        in_flight.append((submit(docs), len(docs)))
        while len(in_flight) > limit:  # bounded: memory holds a few chunks, not the corpus
            future, n = in_flight.popleft()
            write(future.result(), n)

    lost = cluster.lost_scheduler_errors() if cluster is not None else contextlib.nullcontext()
    try:
        with lost:
            for batch in _iter_corpus_batches(pf, chunk_size, [*FINGERPRINT_COLUMNS, *read_columns]):
                fingerprint.update(batch)
                chosen = np.flatnonzero(keep[row : row + batch.num_rows])
                if len(chosen):
                    pending_rows.append(chosen + row)
                    pending_docs.append(pa.Table.from_batches([batch]).select(read_columns).take(pa.array(chosen)))
                    n_pending += len(chosen)
                row += batch.num_rows
                if n_pending >= chunk_size:
                    flush()
            flush()
            while in_flight:
                future, n = in_flight.popleft()
                write(future.result(), n)
    except BrokenProcessPool as exc:
        raise ParameterError(
            "analyze worker processes stopped (they start with the 'forkserver' or 'spawn' method): in a script, "
            'call analyze_corpus under `if __name__ == "__main__":`, or use jobs=1'
        ) from exc
    finally:
        if pool is not None:
            pool.shutdown()
        bar.close()
