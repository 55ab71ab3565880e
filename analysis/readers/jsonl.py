"""JSON Lines (``.jsonl``/``.ndjson``): one article per JSON object; a malformed line is rejected on its own."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator

import pandas as pd

from analysis import clean, sources
from analysis.readers import table
from analysis.readers.base import ReadContext, Record
from analysis.readers.table import detect_columns, records_from_frame

SUFFIXES = (".jsonl", ".ndjson")


def read_jsonl_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article per JSON line; a malformed line, or one whose text is not a string, is rejected on its own."""
    sources.check_text_bytes(data)
    found = list(_objects(io.BytesIO(data), ctx.rules, ctx.rejects, path))
    if not found:
        return []
    columns = list(dict.fromkeys(k for _n, obj, _f in found for k in obj))
    return _records(path, found, columns, ctx)


def _records(path: str, found: list[tuple[int, dict, int]], columns: list, ctx: ReadContext) -> list[Record]:
    """The records of the (line number, object, bytes repaired) triples ``found``, with the columns ``columns``."""
    rows = [n for n, _o, _f in found]
    repaired = [f for _n, _o, f in found]
    # values stay as JSON gave them: records_from_frame rejects a text that is not a string
    df = pd.DataFrame({c: [o.get(c) for _n, o, _f in found] for c in columns}, columns=columns, dtype=object)
    return records_from_frame(df, path, ctx, row_numbers=rows, repaired=repaired)


def _lines(f) -> Iterator[tuple[int, bytes]]:
    """``enumerate(data.split(b"\\n"), start=1)`` read from the open file ``f`` line by line, closing it (the empty
    piece after a final line break is blank, so it is not needed)."""
    with f:
        for n, line in enumerate(f, start=1):
            yield n, line[:-1] if line.endswith(b"\n") else line


def _objects(f, rules, rejects: list | None, path: str) -> Iterator[tuple[int, dict, int]]:
    """(line number, object, bytes repaired) of every JSON object line of the open file ``f``; malformed lines into
    ``rejects`` (when given)."""
    for n, raw_line in _lines(f):
        if not raw_line.strip():
            continue
        line, fixed = clean.decode_bytes(raw_line, rules)  # per line, so repaired bytes are counted per row
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            if rejects is not None:
                rejects.append((path, n, "malformed_json", f"line {n}: {str(exc)[:200]}"))
            continue
        if not isinstance(obj, dict):
            if rejects is not None:
                rejects.append((path, n, "malformed_json", f"line {n}: a JSON object {{...}} is expected"))
            continue
        yield n, obj, fixed


def iter_jsonl_file(
    path: str, data: bytes | sources.FileSource, ctx: ReadContext, batch: int = 500
) -> Iterator[list[Record]]:
    """:func:`read_jsonl_file`'s records, ``batch`` lines at a time, holding one batch of objects besides ``data``.

    The columns are every key of the file in order of first appearance, as there: a first pass over the lines
    collects the keys only, the second reads the records (each line is parsed twice, a cheap price for memory that
    does not grow with the file)."""
    src = table.as_source(data)
    del data
    table.check_text_source(src)
    keys: dict = {}
    found = False
    for _n, obj, _f in _objects(src.open(), ctx.rules, None, path):
        found = True
        keys.update(dict.fromkeys(obj))
    columns = list(keys)
    if found:
        detect_columns(columns, ctx.columns, path)  # no text column: the whole file is rejected, before any row
    return _jsonl_batches(path, src.open(), ctx, batch, columns)  # opened now: a file gone is rejected now


def _jsonl_batches(path: str, f, ctx: ReadContext, batch: int, columns: list) -> Iterator[list[Record]]:
    objects = _objects(f, ctx.rules, ctx.rejects, path)
    while True:
        chunk = list(itertools.islice(objects, batch))
        if not chunk:
            return
        records = _records(path, chunk, columns, ctx)
        del chunk  # not held while the caller works on the batch
        yield records
