"""JSON Lines (``.jsonl``/``.ndjson``): one article per JSON object; a malformed line is rejected on its own."""

from __future__ import annotations

import json

import pandas as pd

from analysis import clean
from analysis.readers.base import FileRejected, ReadContext, Record
from analysis.readers.table import records_from_frame

SUFFIXES = (".jsonl", ".ndjson")


def read_jsonl_file(path: str, data: bytes, ctx: ReadContext) -> list[Record]:
    """One article per JSON line; a malformed line is rejected on its own, the others are kept."""
    rules, rejects = ctx.rules, ctx.rejects
    if not data.strip():
        raise FileRejected("empty_file", "the file is empty")
    if clean.looks_binary(data):
        raise FileRejected("binary", "binary content (NUL or control bytes), not text: remove it or convert it to text")
    objs, rows, repaired = [], [], []
    for n, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        line, fixed = clean.decode_bytes(raw_line, rules)  # per line, so repaired bytes are counted per row
        try:
            obj = json.loads(line)
        except ValueError as exc:
            rejects.append((path, n, "malformed_json", f"line {n}: {exc}"))
            continue
        if not isinstance(obj, dict):
            rejects.append((path, n, "malformed_json", f"line {n}: a JSON object {{...}} is expected"))
            continue
        objs.append(
            {
                k: (json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (dict, list)) else v)
                for k, v in obj.items()
            }
        )
        rows.append(n)
        repaired.append(fixed)
    if not objs:
        return []
    columns = list(dict.fromkeys(k for obj in objs for k in obj))
    df = pd.DataFrame(objs, columns=columns)
    return records_from_frame(df, path, ctx, row_numbers=rows, repaired=repaired)
