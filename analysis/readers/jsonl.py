"""JSON Lines (``.jsonl``/``.ndjson``): one article per JSON object; a malformed line is rejected on its own."""

from __future__ import annotations

import json

import pandas as pd

from analysis import clean, sources
from analysis.readers.base import ReadContext, Record
from analysis.readers.table import records_from_frame

SUFFIXES = (".jsonl", ".ndjson")


def read_jsonl_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article per JSON line; a malformed line, or one whose text is not a string, is rejected on its own."""
    rules, rejects = ctx.rules, ctx.rejects
    sources.check_text_bytes(data)
    objs, rows, repaired = [], [], []
    for n, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        line, fixed = clean.decode_bytes(raw_line, rules)  # per line, so repaired bytes are counted per row
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            rejects.append((path, n, "malformed_json", f"line {n}: {str(exc)[:200]}"))
            continue
        if not isinstance(obj, dict):
            rejects.append((path, n, "malformed_json", f"line {n}: a JSON object {{...}} is expected"))
            continue
        objs.append(obj)
        rows.append(n)
        repaired.append(fixed)
    if not objs:
        return []
    columns = list(dict.fromkeys(k for obj in objs for k in obj))
    # values stay as JSON gave them: records_from_frame rejects a text that is not a string
    df = pd.DataFrame({c: [obj.get(c) for obj in objs] for c in columns}, columns=columns, dtype=object)
    return records_from_frame(df, path, ctx, row_numbers=rows, repaired=repaired)
