"""The report's table of names no dictionary entry resolves, counted from the ``unlisted`` mentions of `analyze`.

:func:`count_unlisted_names` ranks the ``unlisted`` mentions of ``unlisted_mentions.parquet`` (capitalised names the
mention rules found and no entry resolves; see :mod:`analysis.actors.mention_rules`) by the number of articles
naming them. These are the same mentions that the re3d benchmark scores and that a researcher promotes to the
dictionary, so the report's list and the analysis tables agree. It is summed in DuckDB from the table file, and
reads the text of at most ``top`` articles for the context column: its cost does not grow with the texts of the
corpus. (:func:`analysis.actors.find_unlisted_names` is the other measure: it re-reads every text and masks the
dictionary's matches; it stays for exploring a corpus without an analysis.)
"""

from __future__ import annotations

import os

import pandas as pd

from analysis import aggregate
from analysis.errors import ParameterError
from analysis.tables import require_columns

UNLISTED_TABLE = "unlisted_mentions"
UNLISTED_NAME_COLUMNS = ["name", "type", "n_mentions", "n_articles", "first_doc_id", "context"]

# One query for a table file and for a DataFrame (registered as ``unlisted``), so the two paths cannot drift apart.
# ``_row`` is the row's position in the table (file order): the "first" mention is the first row of its name.
_QUERY = """
WITH m AS (
    SELECT lower(matched) AS key, matched, coalesce(type, 'unknown') AS type, doc_id, start, "end", _row
    FROM {source} AS u
    WHERE kind = 'unlisted' AND matched IS NOT NULL {selection}
),
forms AS (
    SELECT key, matched, row_number() OVER (PARTITION BY key ORDER BY count(*) DESC, matched) AS rank
    FROM m GROUP BY key, matched
),
types AS (
    SELECT key, type, row_number() OVER (PARTITION BY key ORDER BY count(*) DESC, type) AS rank
    FROM m GROUP BY key, type
),
names AS (
    SELECT key, count(*) AS n_mentions, count(DISTINCT doc_id) AS n_articles, arg_min(doc_id, _row) AS first_doc_id,
           arg_min(start, _row) AS first_start, arg_min("end", _row) AS first_end
    FROM m GROUP BY key HAVING count(*) >= ?
)
SELECT f.matched AS name, t.type, n.n_mentions, n.n_articles, n.first_doc_id, n.first_start, n.first_end
FROM names AS n
JOIN forms AS f ON f.key = n.key AND f.rank = 1
JOIN types AS t ON t.key = n.key AND t.rank = 1
ORDER BY n.n_articles DESC, n.n_mentions DESC, f.matched, n.key
{limit}
"""


def _contexts(found: pd.DataFrame, texts: dict[str, str], width: int) -> list[str | None]:
    out: list[str | None] = []
    for doc_id, s, e in zip(found["first_doc_id"], found["first_start"], found["first_end"]):
        text = texts.get(doc_id)
        if not isinstance(text, str):
            out.append(None)
            continue
        lo, hi = max(0, int(s) - width), min(len(text), int(e) + width)
        out.append(" ".join(text[lo:hi].split()))
    return out


def _first_texts(found: pd.DataFrame, docs: pd.DataFrame | None, corpus_file) -> dict[str, str]:
    ids = pd.DataFrame({"doc_id": pd.unique(found["first_doc_id"]).astype(object)})
    if corpus_file is not None:  # only the rows of these articles are read (DuckDB filters the doc_id column first)
        rows = aggregate.run_query(
            "SELECT c.doc_id, c.text FROM read_parquet(?) AS c SEMI JOIN ids USING (doc_id)",
            tables={"ids": ids},
            params=[str(corpus_file)],
        )
        return dict(zip(rows["doc_id"], rows["text"]))
    if docs is not None and "text" in docs.columns:
        sel = docs[docs["doc_id"].isin(ids["doc_id"])]
        return dict(zip(sel["doc_id"], sel["text"]))
    return {}


def count_unlisted_names(
    data,
    docs: pd.DataFrame | None = None,
    *,
    corpus_file: str | os.PathLike | None = None,
    top: int | None = 40,
    min_count: int = 2,
    context: int = 40,
) -> pd.DataFrame:
    """Names that no dictionary entry resolves, ranked by the articles that name them: candidates for the dictionary.

    ``data``: an analysis (:func:`analysis.pipeline.load_analysis`; its ``unlisted_mentions`` table is summed in
    DuckDB from the file) or the ``unlisted_mentions`` table as a DataFrame. ``docs``: the selected articles
    (doc_id; None: all). Spellings of a name that differ only in case count as one name, shown in its most frequent
    spelling; ``type`` is its most frequent guessed type (person, organisation, place or unknown). Names with fewer
    than ``min_count`` mentions are left out; ``top`` keeps the first rows (None: all). ``context``: ``context``
    characters either side of the name's first mention, from ``corpus_file`` (the corpus parquet; only those
    articles are read) or from a ``text`` column of ``docs`` (else empty).
    Columns: name, type, n_mentions, n_articles, first_doc_id, context. Sorted by n_articles, n_mentions
    (descending), then name.
    """
    if top is not None and (not isinstance(top, int) or top < 1):
        raise ParameterError(f"top must be a positive whole number or None, not {top!r}")
    if not isinstance(min_count, int) or min_count < 1:
        raise ParameterError(f"min_count must be a positive whole number, not {min_count!r}")
    table = aggregate.find_table(data, UNLISTED_TABLE, columns=["doc_id", "kind", "matched", "type", "start", "end"])
    tables: dict[str, pd.DataFrame] = {}
    if isinstance(table, aggregate.TableFile):
        source, params = (
            "(SELECT *, file_row_number AS _row FROM read_parquet(?, file_row_number = true))",
            [str(table)],
        )
    else:
        require_columns(table, ["doc_id", "kind", "matched", "type", "start", "end"], what="unlisted mentions table")
        tables["unlisted"] = table[["doc_id", "kind", "matched", "type", "start", "end"]].assign(_row=range(len(table)))
        source, params = "unlisted", []
    selection = ""
    if docs is not None:
        require_columns(docs, ["doc_id"], what="corpus")
        tables["selected"] = pd.DataFrame({"doc_id": docs["doc_id"].astype(object).to_numpy()})
        selection = "AND doc_id IN (SELECT doc_id FROM selected)"
    sql = _QUERY.format(source=source, selection=selection, limit="" if top is None else f"LIMIT {int(top)}")
    found = aggregate.run_query(sql, tables=tables, params=[*params, int(min_count)])
    found = found.astype({"n_mentions": "int64", "n_articles": "int64"})
    found["context"] = _contexts(found, _first_texts(found, docs, corpus_file), context) if len(found) else []
    return found[UNLISTED_NAME_COLUMNS].reset_index(drop=True)


__all__ = ["UNLISTED_NAME_COLUMNS", "count_unlisted_names"]
