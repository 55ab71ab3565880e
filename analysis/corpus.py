"""The canonical corpus: its schema, its fingerprint columns, and the one loader every module reads it with."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from analysis import config, outputs
from analysis.errors import InputError, SchemaError

# The canonical schema (docs/CONTRIBUTING.md): a corpus without every one of these columns is refused.
SCHEMA = [
    "doc_id",
    "outlet",
    "agency",
    "url",
    "published",
    "title",
    "text",
    "n_words",
    "lang",
    "source_path",
    "source_row",
    "source_id",
    "source_sha256",
    "duplicate_of",
]
# Extra columns ingest adds after the schema (source columns of a table input follow, sorted).
EXTRA_COLUMNS = ["dup_similarity", "dup_kind", "date_source", "dateline", "bytes_repaired", "published_raw"]
# The per-article metadata the `analyze` tables carry (documents.parquet), in this order.
DOCUMENT_COLUMNS = ["doc_id", "outlet", "agency", "published", "title", "url", "n_words", "lang", "duplicate_of"]
# The columns the corpus fingerprint hashes (analysis.provenance.fingerprint_corpus and the streaming `analyze`).
FINGERPRINT_COLUMNS = ("doc_id", "outlet", "agency", "published", "title", "text", "duplicate_of")
# analysis.outputs set name: ingest switches the corpus, rejects, removed spans and manifest in together
OUTPUT_SET = "ingest"


def require_complete_corpus(path: str | os.PathLike) -> None:
    """Refuse a corpus whose output set an interrupted ingest left half-switched (see :mod:`analysis.outputs`)."""
    path = Path(path)
    outputs.require_complete(
        path.parent, OUTPUT_SET, rerun=f"`python -m analysis ingest ... --out {path}` to write it again"
    )


def _checked_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"corpus {path} does not exist: run `make ingest` (python -m analysis ingest data/raw --out {path})"
        )
    if path.is_dir():
        raise InputError(f"corpus {path} is a directory: pass the parquet file written by `python -m analysis ingest`")
    require_complete_corpus(path)
    return path


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(
        f"corpus {path} cannot be read as parquet ({type(exc).__name__}): it is not a parquet file written by "
        f"`python -m analysis ingest` (e.g. data/interim/articles.parquet); re-run ingest"
    )


def check_schema(names, path: str | os.PathLike) -> None:
    """Raise the one SchemaError for a corpus whose column ``names`` lack part of :data:`SCHEMA`."""
    missing = [c for c in SCHEMA if c not in names]
    if missing:
        raise SchemaError(
            f"corpus {path} is not in the canonical schema: lacks column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, names))}); it was not written by this version of ingest: "
            f"re-run `python -m analysis ingest ... --out {path}`"
        )


def open_corpus(path: str | os.PathLike = config.CORPUS_FILE):
    """The corpus as a ``pyarrow.parquet.ParquetFile`` (for streaming it in row groups), its schema checked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = _checked_path(path)
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable(path, exc) from None
    check_schema(pf.schema_arrow.names, path)
    if pf.metadata.num_rows == 0:
        raise SchemaError(f"corpus {path} holds no articles: check the ingest input and its rejects table")
    text_type = pf.schema_arrow.field("text").type
    if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type) or pa.types.is_null(text_type)):
        raise SchemaError(f"corpus {path}: column text is {text_type}, not text: re-create it with ingest")
    return pf


def load_corpus(path: str | os.PathLike = config.CORPUS_FILE, *, columns: list[str] | None = None) -> pd.DataFrame:
    """The canonical corpus written by ``ingest`` as a DataFrame, its columns checked against the schema.

    ``columns`` reads only those columns (e.g. metadata without the texts, which is fast on a large corpus); the
    file's schema is checked all the same.
    """
    import pyarrow.parquet as pq

    path = _checked_path(path)
    try:
        names = pq.read_schema(path).names
        check_schema(names, path)
        df = pd.read_parquet(path, engine="pyarrow", columns=columns)
    except SchemaError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise _unreadable(path, exc) from None
    if "published" in df.columns and not pd.api.types.is_datetime64_any_dtype(df["published"]):
        raise SchemaError(f"corpus {path}: column published is {df['published'].dtype}, not a date: re-run ingest")
    if "text" in df.columns and not df["text"].dropna().map(lambda t: isinstance(t, str)).all():
        raise SchemaError(f"corpus {path}: column text is {df['text'].dtype}, not text: re-create it with ingest")
    return df


def iter_corpus_texts(path: str | os.PathLike, doc_ids=None):
    """``(doc_id, text)`` of the corpus file's articles in file order (the order :func:`load_corpus` gives), one
    row group in memory at a time; only the articles ``doc_ids`` when given (a report's selection)."""
    pf = open_corpus(path)
    keep = None if doc_ids is None else set(doc_ids)
    for i in range(pf.num_row_groups):
        group = pf.read_row_group(i, columns=["doc_id", "text"], use_threads=False)
        for doc_id, text in zip(group.column("doc_id").to_pylist(), group.column("text").to_pylist()):
            if keep is None or doc_id in keep:
                yield doc_id, text
        del group
