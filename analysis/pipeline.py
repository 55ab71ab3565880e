"""The `analyze` command: one streaming pass over the corpus in chunks that writes the tidy per-article tables."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import __version__, config, outputs, storage
from analysis.corpus import DOCUMENT_COLUMNS, FINGERPRINT_COLUMNS, open_corpus
from analysis.errors import InputError, ParameterError, SchemaError
from analysis.provenance import file_sha256, git_commit, package_versions
from analysis.selection import select_documents

log = logging.getLogger(__name__)

# The stages, in the order they run on every chunk: "module:function" with the signature
#     analyze_chunk(docs, sentences, **inputs) -> {table_name: DataFrame}
# where ``inputs`` are the tables that EARLIER stages returned for the same chunk, named in STAGE_INPUTS (so a
# later stage builds on an earlier one instead of recomputing it). A stage whose module is not installed is skipped.
STAGES = [
    "analysis.sentiment:analyze_chunk",
    "analysis.frequency:analyze_chunk",
    "analysis.actors:analyze_chunk",
    "analysis.frames:analyze_chunk",
]
STAGE_INPUTS = {
    "analysis.frames:analyze_chunk": ("mentions",),  # labels and verbs tie to the actors stage's mentions
}
# The stages that take the user's dictionary files (``analyze --actors/--places``) as the stage option
# ``dictionary=(path, ...)``: the frames stage types and resolves the actors stage's mentions with the same files.
# Stage options are plain picklable values, passed explicitly to every chunk (worker processes and Dask workers too).
DICTIONARY_STAGES = ("analysis.actors:analyze_chunk", "analysis.frames:analyze_chunk")
# The tables a stage returns that a later stage can take as input (checked before any chunk runs).
_STAGE_OUTPUTS = {"analysis.actors:analyze_chunk": ("mentions",)}
MANIFEST = "manifest.json"
OUTPUT_SET = "analysis"  # analysis.outputs set name: every table and the manifest switch in together
_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # stage table names (checked: they name files)
DEFAULT_CHUNK_SIZE = 500
# A stage module may declare ``LANGUAGES = ("en",)``: it then sees only the articles identified as one of them
# (plus those whose language could not be told, ``und``); the others are left out, counted in the manifest.
UNDETERMINED_LANGUAGE = "und"


def _stage_docs(module, docs: pd.DataFrame, sentences: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The documents and sentences a stage is run on: all, or those in the stage's ``LANGUAGES``."""
    languages = getattr(module, "LANGUAGES", None)
    if not languages or "lang" not in docs.columns:
        return docs, sentences
    lang = docs["lang"].fillna(UNDETERMINED_LANGUAGE)
    keep = lang.isin(list(languages) + [UNDETERMINED_LANGUAGE])
    if keep.all():
        return docs, sentences
    kept = docs[keep]
    return kept.reset_index(drop=True), sentences[sentences["doc_id"].isin(kept["doc_id"])].reset_index(drop=True)


def count_left_out(docs: pd.DataFrame, modules) -> dict[str, dict]:
    """Per language-restricted stage: how many of ``docs`` it leaves out, by language, and why."""
    out = {}
    for spec, module, _ in modules:
        languages = getattr(module, "LANGUAGES", None)
        if not languages:
            continue
        lang = docs["lang"].fillna(UNDETERMINED_LANGUAGE) if "lang" in docs else pd.Series([], dtype=object)
        other = lang[~lang.isin(list(languages) + [UNDETERMINED_LANGUAGE])]
        out[spec.partition(":")[0]] = {
            "n_articles": int(len(other)),
            "by_language": {k: int(v) for k, v in sorted(other.value_counts().items())},
            "reason": f"the measure is defined for {', '.join(languages)} text only; articles identified as "
            "another language are not scored (null), not scored as if they were",
        }
    return out


# ----------------------------------------------------------------------------------------------- reading the corpus
def _read_metadata(pf: pq.ParquetFile, path: Path) -> pd.DataFrame:
    cols = [c for c in DOCUMENT_COLUMNS if c in pf.schema_arrow.names]
    meta = pf.read(columns=cols).to_pandas()
    if meta["doc_id"].isna().any():
        raise SchemaError(f"corpus {path} has rows without doc_id: re-create it with `python -m analysis ingest`")
    dup = meta["doc_id"][meta["doc_id"].duplicated()]
    if len(dup):
        raise SchemaError(f"corpus {path} has duplicate doc_id values (e.g. {dup.iloc[0]!r}): doc_id must be unique")
    try:
        meta["published"] = pd.to_datetime(meta["published"])
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"corpus {path}: column published is not a date column") from exc
    return meta


def _iter_corpus_batches(pf: pq.ParquetFile, batch_size: int) -> Iterator[pa.RecordBatch]:
    """The corpus rows in file order, ``batch_size`` at a time, with the columns the fingerprint and stages need.

    Read one row group at a time: pyarrow's ``iter_batches`` keeps allocating as it goes (about 0.5 kB per article
    here), whereas a row group's buffers are freed before the next is read. Memory is then bounded by the row-group
    size, which `analysis.tables.save_table` caps.
    """
    cols = [c for c in FINGERPRINT_COLUMNS if c in pf.schema_arrow.names]
    for i in range(pf.num_row_groups):
        table = pf.read_row_group(i, columns=cols, use_threads=False)
        yield from table.to_batches(max_chunksize=batch_size)
        del table


class _Fingerprint:
    """provenance.fingerprint_corpus computed while streaming: rows are spooled to disk, then hashed in doc_id order.

    fingerprint_corpus hashes the rows sorted by doc_id, but the corpus is read in file order; spooling the row
    bytes to a temporary file keeps memory flat (only doc_id -> offset is held) and gives the same digest.
    """

    def __init__(self, path: Path, published: pd.Series):
        self._fh = open(path, "w+b")
        self._published = published  # whole column, formatted like fingerprint_corpus formats it
        self._ids: list[str] = []
        self._offsets: list[int] = []
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
                columns.append(["\x00" if v is None else v for v in values.to_pylist()])
        self._row += batch.num_rows
        for values in zip(*columns):
            self._ids.append(values[0])
            self._offsets.append(self._fh.tell())
            self._fh.write("\x1f".join(values).encode("utf-8") + b"\x1e")

    def hexdigest(self) -> str:
        end = self._fh.tell()
        offsets = np.array(self._offsets + [end], dtype="int64")
        order = np.argsort(np.array(self._ids, dtype=object), kind="stable")
        digest = hashlib.sha256()
        for i in order:
            self._fh.seek(offsets[i])
            digest.update(self._fh.read(offsets[i + 1] - offsets[i]))
        self._fh.close()
        return digest.hexdigest()


# ------------------------------------------------------------------------------------------------------ the stages
def _load_stages(stages: Iterable[str]) -> tuple[list[tuple[str, object, object]], dict[str, str]]:
    loaded, status = [], {}
    produced: set[str] = set()
    for spec in stages:
        module_name, _, func_name = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            log.warning("stage %s skipped: module %s is not available", spec, module_name)
            status[spec] = "skipped: module not available"
            continue
        func = getattr(module, func_name or "analyze_chunk", None)
        if func is None:
            log.warning("stage %s skipped: %s has no function %s", spec, module_name, func_name)
            status[spec] = f"skipped: no function {func_name}"
            continue
        missing = [n for n in STAGE_INPUTS.get(spec, ()) if n not in produced]
        if missing:
            raise ParameterError(
                f"stage {spec} needs the table(s) {', '.join(missing)} from an earlier stage: "
                f"run the stage that makes them first (the order of pipeline.STAGES)"
            )
        produced.update(_STAGE_OUTPUTS.get(spec, ()))
        loaded.append((spec, module, func))
        status[spec] = "ok"
    return loaded, status


def _resource_versions(modules) -> dict:
    versions = {}
    for spec, module, _ in modules:
        value = getattr(module, "RESOURCE_VERSIONS", None)
        if callable(value):
            value = value()
        if value:
            versions[spec.partition(":")[0]] = value
    return versions


def build_sentences(docs: pd.DataFrame) -> pd.DataFrame:
    """The sentences of ``docs`` (doc_id, text): doc_id, sent_id (0-based), start, end (offsets into text), text."""
    from analysis.text import split_sentences  # NLTK: imported where sentences are split (workers, jobs=1)

    ids, sent_ids, starts, ends, texts = [], [], [], [], []
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        if not isinstance(text, str):
            continue
        spans = split_sentences(text)
        ids.extend([doc_id] * len(spans))
        sent_ids.extend(range(len(spans)))
        for s, e in spans:
            starts.append(s)
            ends.append(e)
            texts.append(text[s:e])
    return pd.DataFrame(
        {
            "doc_id": pd.array(ids, dtype=object),
            "sent_id": np.array(sent_ids, dtype="int64"),
            "start": np.array(starts, dtype="int64"),
            "end": np.array(ends, dtype="int64"),
            "text": pd.array(texts, dtype=object),
        }
    )


def _is_sorted(df: pd.DataFrame, keys: list[str]) -> bool:
    if len(df) < 2:
        return True
    first = df[keys[0]].to_numpy()
    if len(keys) == 1:
        return bool(df[keys[0]].is_monotonic_increasing)
    second = df[keys[1]].to_numpy()
    same = first[1:] == first[:-1]
    return bool(np.all((first[1:] > first[:-1]) | (same & (second[1:] >= second[:-1]))))


def _sort_table(df: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by doc_id (and sent_id): a stable sort, skipped when the stage already returned them in order.

    Stages are deterministic, so rows with the same key keep the stage's (deterministic) order.
    """
    keys = [c for c in ("doc_id", "sent_id") if c in df.columns]
    if not keys or df[keys].isna().any().any() or _is_sorted(df, keys):
        return df.reset_index(drop=True)
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def _process_chunk(docs: pd.DataFrame, stages, options: dict | None = None) -> dict[str, pd.DataFrame]:
    sentences = build_sentences(docs)
    documents = docs[[c for c in DOCUMENT_COLUMNS if c in docs.columns]].copy()
    documents["n_sentences"] = (
        sentences.groupby("doc_id").size().reindex(documents["doc_id"]).fillna(0).astype("int64").to_numpy()
    )
    out: dict[str, pd.DataFrame] = {}
    sent_out = sentences.drop(columns="text")
    produced: dict[str, pd.DataFrame] = {}
    for spec, module, func in stages:
        stage_docs, stage_sentences = _stage_docs(module, docs, sentences)
        keep = set(stage_docs["doc_id"])
        inputs = {
            name: produced[name][produced[name]["doc_id"].isin(keep)].reset_index(drop=True)
            for name in STAGE_INPUTS.get(spec, ())
        }
        result = func(stage_docs.copy(), stage_sentences.copy(), **inputs, **(options or {}).get(spec, {}))
        for name, table in (result or {}).items():
            produced[name] = table
            if name.startswith("documents_"):
                dup_cols = [c for c in table.columns if c != "doc_id" and c in documents.columns]
                if dup_cols:
                    raise SchemaError(f"stage {spec} returned {name} with column(s) {dup_cols} already in documents")
                documents = documents.merge(table, on="doc_id", how="left")
            elif name.startswith("sentences_"):
                dup_cols = [c for c in table.columns if c not in ("doc_id", "sent_id") and c in sent_out.columns]
                if dup_cols:
                    raise SchemaError(f"stage {spec} returned {name} with column(s) {dup_cols} already in sentences")
                sent_out = sent_out.merge(table, on=["doc_id", "sent_id"], how="left")
            elif name in ("documents", "sentences"):
                raise SchemaError(
                    f"stage {spec} returned a table named {name!r}: use documents_<stage> or "
                    f"sentences_<stage> to add columns"
                )
            else:
                out[name] = pd.concat([out[name], table]) if name in out else table
    out["documents"] = documents
    out["sentences"] = sent_out
    return {name: _sort_table(table) for name, table in out.items()}


_WORKER_STAGES: list | None = None
_WORKER_OPTIONS: dict | None = None


def _init_worker(specs: list[str], options: dict | None = None) -> None:
    global _WORKER_STAGES, _WORKER_OPTIONS
    logging.disable(logging.WARNING)  # skipped stages were already reported by the parent
    _WORKER_STAGES = _load_stages(specs)[0]
    _WORKER_OPTIONS = options


def _worker_context(specs: list[str]):
    """Where available, a forkserver that imports the stage modules once: each worker is then forked from it ready,
    instead of importing NLTK, pandas and the stages anew (about 1.5 s of CPU per spawned worker). Elsewhere,
    spawn. Neither copies the parent process (its threads, open files), unlike a plain fork."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__, *(spec.partition(":")[0] for spec in specs)])
        return ctx
    return multiprocessing.get_context("spawn")


def _work(docs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return _process_chunk(docs, _WORKER_STAGES, _WORKER_OPTIONS)


_CLUSTER_STAGES: dict[tuple[str, ...], list] = {}


def _work_on_cluster(
    docs: pd.DataFrame, specs: tuple[str, ...], options: dict | None = None
) -> dict[str, pd.DataFrame]:
    """One partition on a Dask worker: the same function as a local chunk; stages are loaded once per worker."""
    if specs not in _CLUSTER_STAGES:
        _CLUSTER_STAGES[specs] = _load_stages(specs)[0]
    return _process_chunk(docs, _CLUSTER_STAGES[specs], options)


# --------------------------------------------------------------------------------------------------- writing tables
class _TableWriter:
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

    def append(self, name: str, df: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(df, preserve_index=False)
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


def _run_chunks(
    pf: pq.ParquetFile,
    meta: pd.DataFrame,
    keep: np.ndarray,
    loaded: list,
    writer: _TableWriter,
    fingerprint: _Fingerprint,
    *,
    chunk_size: int,
    jobs: int,
    bar,
    cluster=None,
    options: dict | None = None,
) -> None:
    """Stream the corpus: hash every row, gather the selected ones into chunks, analyse and write each chunk.

    Chunks are analysed here, in ``jobs`` worker processes, or on a Dask ``cluster`` (an
    :class:`analysis.cluster.Cluster`); in every case results are written in corpus order, so the tables are the same.
    """
    import contextlib
    from concurrent.futures.process import BrokenProcessPool

    pending_rows: list[np.ndarray] = []
    pending_texts: list = []
    row = 0
    pool = None
    submit, limit = None, 2 * jobs
    if cluster is not None:
        specs = tuple(spec for spec, _, _ in loaded)
        submit, limit = (lambda docs: cluster.submit(_work_on_cluster, docs, specs, options)), cluster.max_in_flight
    elif jobs > 1:  # chunks are analysed in worker processes and written in corpus order
        from concurrent.futures import ProcessPoolExecutor

        specs = [spec for spec, _, _ in loaded]
        pool = ProcessPoolExecutor(
            jobs, mp_context=_worker_context(specs), initializer=_init_worker, initargs=(specs, options)
        )
        submit = lambda docs: pool.submit(_work, docs)  # noqa: E731
    in_flight: deque = deque()

    def write(result: dict[str, pd.DataFrame], n_docs: int) -> None:
        for name, table in result.items():
            writer.append(name, table)
        bar.update(n_docs)

    def flush():
        if not pending_rows:
            return
        docs = meta.iloc[np.concatenate(pending_rows)].reset_index(drop=True)
        docs["text"] = pd.Series(pending_texts, dtype=object)
        pending_rows.clear()
        pending_texts.clear()
        if submit is None:
            write(_process_chunk(docs, loaded, options), len(docs))
            return
        in_flight.append((submit(docs), len(docs)))
        while len(in_flight) > limit:  # bounded: memory holds a few chunks, not the corpus
            future, n = in_flight.popleft()
            write(future.result(), n)

    lost = cluster.lost_scheduler_errors() if cluster is not None else contextlib.nullcontext()
    try:
        with lost:
            for batch in _iter_corpus_batches(pf, chunk_size):
                fingerprint.update(batch)
                chosen = np.flatnonzero(keep[row : row + batch.num_rows])
                if len(chosen):
                    pending_rows.append(chosen + row)
                    pending_texts.extend(batch.column("text").take(pa.array(chosen)).to_pylist())
                row += batch.num_rows
                if len(pending_texts) >= chunk_size:
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
            pool.shutdown(cancel_futures=True)
        bar.close()


# ------------------------------------------------------------------------------------------------------ the command
def analyze_corpus(
    corpus_path: str | os.PathLike = config.CORPUS_FILE,
    out_dir: str | os.PathLike = config.ANALYSIS_DIR,
    *,
    include_duplicates: bool = True,
    start=None,
    end=None,
    outlets: Iterable[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    stages: Iterable[str] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    actors: str | os.PathLike | None = None,
    places: str | os.PathLike | None = None,
    progress: bool = True,
) -> Analysis:
    """Analyse every selected article once and write the tidy tables to ``out_dir``; returns :func:`load_analysis`.

    Reads the corpus in chunks of ``chunk_size`` articles (memory stays flat as the corpus grows), splits sentences,
    runs every stage in :data:`STAGES` and writes ``documents.parquet``, ``sentences.parquet``, ``terms.parquet``
    and each stage's tables, plus ``manifest.json``. Re-running on the same corpus gives identical tables.
    ``jobs > 1`` analyses chunks in that many worker processes; ``scheduler`` (``local:N``, ``tcp://host:8786``,
    ``slurm:FILE.yaml``; see :mod:`analysis.cluster`) analyses them on a Dask cluster. Either way the tables are
    the same as a one-process run; only the manifest's ``scheduler`` field tells them apart. ``corpus_path`` and
    ``out_dir`` may be fsspec URLs (``s3://...``). ``actors`` / ``places``: your own dictionary files (format of
    :func:`analysis.actors.load_dictionary`, by its override rule); the actors and frames stages use them, and their
    path, version and sha256 go into the manifest's ``resource_versions["user_dictionary"]``.
    """
    if int(chunk_size) < 1:
        raise ParameterError(f"chunk_size must be 1 or more, got {chunk_size}")
    if int(jobs) < 1:
        raise ParameterError(f"jobs must be 1 or more (worker processes), got {jobs}")
    if not storage.is_remote(out_dir):
        outputs.prepare_folder(storage.local_path(out_dir))  # a bad --out fails now, not after the whole run
    if scheduler is not None and int(jobs) > 1:
        raise ParameterError("use either jobs (processes on this machine) or scheduler (a Dask cluster), not both")
    options = {
        "include_duplicates": include_duplicates,
        "start": start,
        "end": end,
        "outlets": outlets,
        "chunk_size": int(chunk_size),
        "stages": stages,
        "jobs": int(jobs),
        "progress": progress,
        "dictionary": _dictionary_files(actors=actors, places=places),
    }
    if scheduler is None:
        with storage.staged_input(corpus_path) as local, storage.staged_output(out_dir, last=MANIFEST) as out:
            _analyze(local, out, label=str(corpus_path), **options)
        return load_analysis(out_dir)
    from analysis import cluster as cluster_mod

    sched = cluster_mod.parse_scheduler(scheduler)  # a bad address fails before any work
    with storage.staged_input(corpus_path) as local, storage.staged_output(out_dir, last=MANIFEST) as out:
        with cluster_mod.Cluster(sched) as cluster:
            cluster.announce()
            _analyze(local, out, label=str(corpus_path), cluster=cluster, **options)
    return load_analysis(out_dir)


def _dictionary_files(*, actors, places) -> dict[str, str]:
    """The user dictionary files by role (actors, places), checked now: a bad file fails before any work."""
    files = {role: str(path) for role, path in (("actors", actors), ("places", places)) if path is not None}
    if files:
        from analysis.actors import load_dictionary

        load_dictionary(list(files.values()))
    return files


def _analyze(
    corpus_path: Path,
    out_dir: Path,
    *,
    label: str,
    include_duplicates: bool,
    start,
    end,
    outlets,
    chunk_size: int,
    stages,
    jobs: int,
    progress: bool,
    dictionary: dict[str, str],
    cluster=None,
) -> None:
    """The body of :func:`analyze_corpus` on a local corpus file and output folder (``label`` names the corpus)."""
    pf = open_corpus(corpus_path)
    meta = _read_metadata(pf, corpus_path)
    published_str = pf.read(columns=["published"]).to_pandas()["published"].astype("string").fillna("\x00")
    selected = select_documents(meta, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    keep = np.zeros(len(meta), dtype=bool)  # by row position in the file
    keep[selected.index.to_numpy()] = True
    n_selected = int(keep.sum())
    loaded, stage_status = _load_stages(STAGES if stages is None else stages)
    # absolute paths: worker processes and Dask workers on this machine read the same files
    files = tuple(str(Path(p).resolve()) for p in dictionary.values())
    options = {spec: {"dictionary": files} for spec, _, _ in loaded if files and spec in DICTIONARY_STAGES}

    with outputs.OutputSet(out_dir, OUTPUT_SET) as staged:
        build_dir = staged.stage
        writer = _TableWriter(build_dir)
        fingerprint = _Fingerprint(build_dir / ".fingerprint.bin", published_str)
        from tqdm.auto import tqdm

        bar = tqdm(total=n_selected, unit="article", desc="analyze", disable=not progress or None)
        _run_chunks(
            pf,
            meta,
            keep,
            loaded,
            writer,
            fingerprint,
            chunk_size=chunk_size,
            jobs=jobs,
            bar=bar,
            cluster=cluster,
            options=options,
        )
        tables = writer.finish(out_dir)
        bad = [name for name in tables if not _TABLE_NAME.match(name)]
        if bad:
            raise SchemaError(f"stage table name(s) {', '.join(map(repr, bad))}: use lower-case letters, digits, _")
        manifest = {
            "command": "analyze",
            "analysis_version": __version__,
            "parameters": {
                "corpus": label,
                "include_duplicates": include_duplicates,
                "start": None if start is None else str(start),
                "end": None if end is None else str(end),
                "outlets": sorted(outlets) if outlets and not isinstance(outlets, str) else outlets,
                "chunk_size": int(chunk_size),
                **dictionary,
            },
            "corpus": {
                "path": label,
                "sha256": file_sha256(corpus_path),
                "fingerprint": fingerprint.hexdigest(),
                "n_articles": int(len(meta)),
                "n_selected": n_selected,
            },
            "stages": stage_status,
            "left_out": count_left_out(meta[keep], loaded),
            "tables": tables,
            "resource_versions": _resource_versions(loaded),
            "package_versions": package_versions(),
            "git_commit": git_commit(),
        }
        if dictionary:
            from analysis.actors import find_file_versions

            manifest["resource_versions"]["user_dictionary"] = {
                role: find_file_versions([path])[path] for role, path in dictionary.items()
            }
        if cluster is not None:  # the one field in which a cluster run differs from a local one
            manifest["scheduler"] = cluster.scheduler.describe()
        (build_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
        # only tables this code wrote into out_dir before (its ledger), never names read from an old manifest
        staged.commit(last=MANIFEST)


# ------------------------------------------------------------------------------------------------------ loading
class Analysis:
    """The tables written by `analyze`, loaded lazily: ``a.documents``, ``a.sentences``, ``a.terms``, ...

    ``a.manifest`` is the run's manifest (parameters, corpus fingerprint, resource and package versions);
    ``a.tables`` lists the table names; ``a.path(name)`` gives a table's file.
    """

    def __init__(self, out_dir: Path | str, manifest: dict):
        self._dir = out_dir  # a folder, or an fsspec URL (s3://..., memory://...) of one
        self.manifest = manifest
        self._cache: dict[str, pd.DataFrame] = {}

    @property
    def tables(self) -> list[str]:
        """The tables of this run: those its manifest lists (plain names only), not whatever lies in the folder."""
        listed = self.manifest.get("tables", {})
        present = set(storage.list_stems(self._dir, ".parquet"))
        return sorted(n for n in listed if isinstance(n, str) and _TABLE_NAME.match(n) and n in present)

    def path(self, name: str) -> Path | str:
        return storage.join(self._dir, f"{name}.parquet")

    @property
    def dictionary(self):
        """The actor dictionary that produced ``mentions``: the user files recorded in the manifest
        (``analyze --actors/--places``), checked against their recorded sha256, or the built-in one. Pass it to
        the counting and plotting functions (``dictionary=``) so that labels come from the same entries."""
        from analysis.actors import find_dictionary
        from analysis.errors import ResourceError
        from analysis.resources import file_version

        used = self.manifest.get("resource_versions", {}).get("user_dictionary", {})
        for role, info in used.items():
            if file_version(info["path"])["sha256"] != info["sha256"]:
                raise ResourceError(
                    f"the {role} dictionary {info['path']} that made this analysis is missing or has changed since "
                    f"(sha256 {info['sha256'][:12]}...): restore it or re-run `python -m analysis analyze`"
                )
        return find_dictionary([info["path"] for info in used.values()])

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Load one table (cached when all columns are read)."""
        if name not in self.tables:
            raise ParameterError(f"analysis in {self._dir} has no table {name!r}; it has: {', '.join(self.tables)}")
        if columns is not None:
            return pd.read_parquet(self.path(name), columns=columns)
        if name not in self._cache:
            self._cache[name] = pd.read_parquet(self.path(name))
        return self._cache[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self.tables:
            return self.table(name)
        raise AttributeError(
            f"analysis in {self.__dict__['_dir']} has no table {name!r}; it has: {', '.join(self.tables)}"
        )

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        rows = {k: v.get("rows") for k, v in self.manifest.get("tables", {}).items()}
        listing = ", ".join(f"{k} ({v:,} rows)" if isinstance(v, int) else k for k, v in sorted(rows.items()))
        return f"<Analysis {self._dir}: {listing}>"


def add_sentence_text(sentences: pd.DataFrame, corpus: pd.DataFrame) -> pd.DataFrame:
    """``sentences`` (from ``load_analysis(...).sentences``) with a ``text`` column cut from the corpus by offsets.

    sentences.parquet stores offsets, not text: the corpus already holds every sentence, once.
    """
    from analysis.tables import require_columns

    require_columns(sentences, ["doc_id", "start", "end"], what="sentence table")
    require_columns(corpus, ["doc_id", "text"], what="corpus")
    texts = corpus.drop_duplicates("doc_id").set_index("doc_id")["text"]
    missing = set(sentences["doc_id"]) - set(texts.index)
    if missing:
        raise ParameterError(
            f"{len(missing)} sentence doc_id(s) are not in the corpus (e.g. {sorted(missing)[0]!r}): "
            "pass the corpus that was analysed"
        )
    out = sentences.copy()
    out["text"] = [texts[d][s:e] for d, s, e in zip(sentences["doc_id"], sentences["start"], sentences["end"])]
    return out


def load_analysis(out_dir: str | os.PathLike = config.ANALYSIS_DIR) -> Analysis:
    """The tables of an `analyze` run in ``out_dir`` as an :class:`Analysis` (tables load on first access).

    ``out_dir`` may be an fsspec URL (``s3://bucket/analysis``): tables are then read from there.
    """
    out_dir = out_dir if storage.is_remote(out_dir) else Path(out_dir)
    manifest_path = storage.join(out_dir, MANIFEST)
    if not storage.is_remote(out_dir):
        outputs.require_complete(out_dir, OUTPUT_SET, rerun=f"`python -m analysis analyze CORPUS --out {out_dir}`")
    if not storage.exists(manifest_path):
        raise InputError(
            f"no analysis in {out_dir} (no {MANIFEST}): run `python -m analysis analyze CORPUS --out {out_dir}` first"
        )
    try:
        manifest = json.loads(storage.read_text(manifest_path))
    except ValueError as exc:
        raise InputError(f"{manifest_path} is not valid JSON: re-run `python -m analysis analyze`") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables", {}), dict):
        raise InputError(f"{manifest_path} is not an analysis manifest: re-run `python -m analysis analyze`")
    return Analysis(out_dir, manifest)


# --------------------------------------------------------------------------------------------------------- CLI
def add_scheduler_option(parser) -> None:
    """The ``--scheduler`` option of `ingest` and `analyze` (kept here so `--help` does not import Dask)."""
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: local or local:N (N worker processes here), tcp://host:8786 (an existing "
        "scheduler) or slurm:FILE.yaml (dask-jobqueue settings); the tables are identical to a local run; "
        "see docs/scale.md",
    )


def register_cli(sub) -> None:
    """Add the `analyze` sub-command."""
    p = sub.add_parser(
        "analyze",
        help="run the per-article analysis once and write tidy tables",
        description="Split sentences, count terms, score sentiment (and actors, frames) for every "
        "selected article of CORPUS; write parquet tables and manifest.json to --out.",
    )
    p.add_argument(
        "corpus",
        nargs="?",
        default=str(config.CORPUS_FILE),
        help=f"canonical corpus parquet written by `ingest` (default: {config.CORPUS_FILE})",
    )
    p.add_argument("--out", default=str(config.ANALYSIS_DIR), help=f"output folder (default: {config.ANALYSIS_DIR})")
    p.add_argument("--exclude-duplicates", action="store_true", help="skip articles marked as duplicates")
    p.add_argument("--start", help="first publication date, inclusive (YYYY-MM-DD)")
    p.add_argument("--end", help="last publication date, inclusive (YYYY-MM-DD)")
    p.add_argument(
        "--outlet",
        action="append",
        dest="outlets",
        metavar="OUTLET",
        help="analyse only this outlet (repeat for several)",
    )
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="articles per chunk (memory vs speed)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1); the tables are identical")
    add_scheduler_option(p)
    p.add_argument(
        "--actors",
        metavar="FILE",
        help="your actor dictionary (YAML, as analysis.actors.load_dictionary reads it): its entries are added to the "
        "built-in ones (an entry with a built-in id replaces it, one saying `extends: builtin` adds to it); "
        "`extends: none` at its top uses only your files",
    )
    p.add_argument("--places", metavar="FILE", help="your place gazetteer (YAML), by the same rule as --actors")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    result = analyze_corpus(
        args.corpus,
        args.out,
        include_duplicates=not args.exclude_duplicates,
        start=args.start,
        end=args.end,
        outlets=args.outlets,
        chunk_size=args.chunk_size,
        jobs=args.jobs,
        scheduler=args.scheduler,
        actors=args.actors,
        places=args.places,
        progress=not args.no_progress,
    )
    print(
        f"wrote {len(result.manifest['tables'])} tables for {result.manifest['corpus']['n_selected']:,} "
        f"articles to {args.out}: {', '.join(sorted(result.manifest['tables']))}"
    )
    return 0
