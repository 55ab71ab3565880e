"""analysis.stages: the tables of a chunk, sorted in pandas or (the workers' call) in Arrow, are the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.stages import _arrow_table, _sort_table


def _both(df: pd.DataFrame) -> tuple[pa.Table, pa.Table]:
    return pa.Table.from_pandas(_sort_table(df), preserve_index=False), _arrow_table(df)


def test_arrow_sort_equals_pandas_sort():
    rng = np.random.default_rng(3)
    ids = np.array(["b", "a", "ä", "a-1", "Z", "é", "b"], dtype=object)
    n = 400
    df = pd.DataFrame(
        {
            "doc_id": ids[rng.integers(0, len(ids), n)],
            "sent_id": rng.integers(-2, 5, n),
            "value": rng.random(n),  # ties of (doc_id, sent_id) keep their order
            "label": pd.array(rng.choice(["x", "y", None], n), dtype="str"),
        }
    )
    for table in (df, df[["doc_id", "value"]], df.astype({"doc_id": "str"}), df.iloc[:1], df.iloc[:0]):
        expected, got = _both(table)
        assert got.equals(expected, check_metadata=True)


def test_arrow_sort_leaves_null_keys_and_other_key_types_as_pandas_does():
    df = pd.DataFrame({"doc_id": ["b", None, "a"], "sent_id": [1.0, 2.0, np.nan], "v": [1, 2, 3]})
    categorical = pd.DataFrame({"doc_id": pd.Categorical(["b", "a"], categories=["b", "a"]), "v": [1, 2]})
    for table in (df, df.assign(doc_id=["b", "c", "a"]), categorical, pd.DataFrame({"v": [2, 1]})):
        expected, got = _both(table)
        assert got.equals(expected, check_metadata=True)
