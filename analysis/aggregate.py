"""Sums over the analysis tables in DuckDB, read straight from their parquet files (bounded memory, both cores).

The report path counts terms of millions of articles (a million articles make about 150 M rows of terms.parquet):
loading such a table into pandas needs gigabytes, whereas DuckDB streams the file through a hash aggregation and
returns only the sums. The table functions (e.g. :func:`analysis.frequency.count_terms`) call this when they are
given an analysis (:func:`analysis.pipeline.load_analysis`) rather than DataFrames, and finish the small result in
pandas exactly as before, so the tables are the same either way (sums of integers are exact in any order).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable

import numpy as np
import pandas as pd

MEMORY_LIMIT = "1GB"  # DuckDB spills larger aggregations to a temporary folder instead of growing past this


def connect(spill: str | os.PathLike):
    """An in-memory DuckDB connection with a memory limit, spilling to the folder ``spill`` (one per connection:
    two processes sharing a spill folder could overwrite each other's files)."""
    import duckdb

    return duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})


def sum_terms_by_group(
    terms_path: str | os.PathLike, doc_groups: pd.DataFrame, *, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """Per (group, term): ``count`` (sum of the term's counts) and ``doc_freq`` (its doc-term rows, i.e. documents).

    ``terms_path``: a terms.parquet (doc_id, term, count); ``doc_groups``: doc_id and an integer ``group`` for each
    document to count (others are left out); ``exclude``: terms to leave out (stopwords). Columns ``group``,
    ``term``, ``count``, ``doc_freq`` (int64), in no particular order.
    """
    spill = tempfile.mkdtemp(prefix="conflict-news-duckdb-")
    con = connect(spill)
    try:
        con.register("doc_groups", doc_groups[["doc_id", "group"]])
        con.register("excluded", pd.DataFrame({"term": pd.array(sorted(set(exclude)), dtype=object)}))
        result = con.sql(
            """
            SELECT d."group" AS "group", t.term AS term,
                   CAST(SUM(t."count") AS BIGINT) AS "count", CAST(COUNT(*) AS BIGINT) AS doc_freq
            FROM read_parquet(?) AS t
            JOIN doc_groups AS d ON t.doc_id = d.doc_id
            WHERE t.term IS NOT NULL AND t.term NOT IN (SELECT term FROM excluded)
            GROUP BY d."group", t.term
            """,
            params=[str(terms_path)],
        ).to_arrow_table()
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    return pd.DataFrame(
        {
            "group": result.column("group").to_numpy().astype("int64"),
            "term": np.asarray(result.column("term").to_pylist(), dtype=object),
            "count": result.column("count").to_numpy().astype("int64"),
            "doc_freq": result.column("doc_freq").to_numpy().astype("int64"),
        }
    )
