"""The analysis stages and how one chunk of articles runs through them: sentences, stage tables, row order."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.corpus import DOCUMENT_COLUMNS
from analysis.errors import ParameterError, SchemaError

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
# The stage that takes the user's codebook and conflict-language files (``analyze --frames/--labels``) as the stage
# options ``codebook=path`` and ``lexicon=path``.
CODEBOOK_STAGES = ("analysis.frames:analyze_chunk",)
# The on/off switches of `analyze` that are a stage option: switch -> (stage, option set to True). A switch that is
# on is recorded in the manifest's parameters (``analyze --nominal-mentions``, ``--nested-mentions``,
# ``--attribution-tagger``).
SWITCH_STAGES = {
    "nominal_mentions": ("analysis.actors:analyze_chunk", "nominal"),
    "nested_mentions": ("analysis.actors:analyze_chunk", "nested"),
    "attribution_tagger": ("analysis.frames:analyze_chunk", "attribution_tagger"),
}
# The tables a stage returns that a later stage can take as input (checked before any chunk runs).
_STAGE_OUTPUTS = {"analysis.actors:analyze_chunk": ("mentions",)}

# A stage module may declare ``LANGUAGES = ("en",)``: it then sees only the articles identified as one of them
# (plus those whose language could not be told, ``und``); the others are left out, counted in the manifest.
UNDETERMINED_LANGUAGE = "und"


def select_stage_docs(module, docs: pd.DataFrame, sentences: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def load_stages(stages: Iterable[str]) -> tuple[list[tuple[str, object, object]], dict[str, str]]:
    """Import the stages: ``[(spec, module, function)]`` in order, and each spec's status ("ok" or why skipped)."""
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
                f"run the stage that makes them first (the order of stages.STAGES)"
            )
        produced.update(_STAGE_OUTPUTS.get(spec, ()))
        loaded.append((spec, module, func))
        status[spec] = "ok"
    return loaded, status


def find_resource_versions(modules) -> dict:
    """Each loaded stage module's ``RESOURCE_VERSIONS`` (the versions of the resources and models it uses)."""
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


def _arrow_is_sorted(table, keys: list[str]) -> bool:
    """:func:`_is_sorted` of an Arrow table without nulls in ``keys``, compared in Arrow."""
    import pyarrow.compute as pc

    n = table.num_rows
    if n < 2:
        return True
    first = table.column(keys[0])
    after, before = first.slice(1), first.slice(0, n - 1)
    if len(keys) == 1:
        return bool(pc.all(pc.greater_equal(after, before)).as_py())
    second = table.column(keys[1])
    same = pc.and_(pc.equal(after, before), pc.greater_equal(second.slice(1), second.slice(0, n - 1)))
    return bool(pc.all(pc.or_(pc.greater(after, before), same)).as_py())


def _arrow_table(df: pd.DataFrame):
    """``pa.Table.from_pandas(_sort_table(df), preserve_index=False)``, sorted in Arrow after the conversion.

    The same table: Arrow's sort_indices is stable and orders strings by their UTF-8 bytes, which is the code point
    order of pandas' sort; the pandas metadata does not depend on the row order; null keys (pandas' NA) leave the
    rows as they are in both. A key of another type (categories sort by their order in pandas) is sorted by pandas.
    One thread: the workers of `analyze --jobs` are one per core already. On a FA-KES chunk of 500 articles: 16
    instead of 49 ms of CPU (30 with pandas' sort and one thread).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = [c for c in ("doc_id", "sent_id") if c in df.columns]
    table = pa.Table.from_pandas(df, preserve_index=False, nthreads=1)
    types = [table.schema.field(k).type for k in keys]
    if len(types) == 2 and not (pa.types.is_integer(types[1]) or pa.types.is_floating(types[1])):
        return pa.Table.from_pandas(_sort_table(df), preserve_index=False, nthreads=1)
    if types and not (pa.types.is_string(types[0]) or pa.types.is_large_string(types[0])):
        return pa.Table.from_pandas(_sort_table(df), preserve_index=False, nthreads=1)
    if not keys or any(table.column(k).null_count for k in keys) or _arrow_is_sorted(table, keys):
        return table
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))


def process_chunk(docs: pd.DataFrame, stages, options: dict | None = None, *, arrow: bool = False) -> dict:
    """One chunk of articles through every loaded stage: the chunk's tables, rows in doc_id (sent_id) order.

    DataFrames, or with ``arrow=True`` the Arrow tables that `analyze` writes (the same as converting the
    DataFrames, made more cheaply).
    """
    sentences = build_sentences(docs)
    documents = docs[[c for c in DOCUMENT_COLUMNS if c in docs.columns]].copy()
    documents["n_sentences"] = (
        sentences.groupby("doc_id").size().reindex(documents["doc_id"]).fillna(0).astype("int64").to_numpy()
    )
    out: dict[str, pd.DataFrame] = {}
    sent_out = sentences.drop(columns="text")
    produced: dict[str, pd.DataFrame] = {}
    for spec, module, func in stages:
        stage_docs, stage_sentences = select_stage_docs(module, docs, sentences)
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
    sort = _arrow_table if arrow else _sort_table
    return {name: sort(table) for name, table in out.items()}


_WORKER_STAGES: list | None = None
