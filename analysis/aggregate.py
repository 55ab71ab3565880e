"""Sums over the analysis tables in DuckDB, read straight from their parquet files (bounded memory, both cores).

The report path counts terms of millions of articles (a million articles make about 150 M rows of terms.parquet,
30 M of mentions.parquet): loading such a table into pandas needs gigabytes, whereas DuckDB streams the file
through a hash aggregation and returns only the sums. The table functions (e.g.
:func:`analysis.frequency.count_terms`, :func:`analysis.actors.count_mentions`, :func:`analysis.selection.count_events`)
call this when they are given an analysis (:func:`analysis.pipeline.load_analysis`) rather than DataFrames, and finish
the small result in pandas exactly as before, so the tables are the same either way (counts are exact in any order).
Groups of articles travel to DuckDB as one integer per article (:func:`index_groups`), so their keys keep the
dtypes pandas gave them.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager

import numpy as np
import pandas as pd

MEMORY_LIMIT = "1GB"  # DuckDB spills larger aggregations to a temporary folder instead of growing past this
# another cap for this process's connections, e.g. "500MB" (the user's choice; the package itself never sets it)
MEMORY_LIMIT_ENV = "CONFLICT_NEWS_DUCKDB_MEMORY_LIMIT"


def connect(spill: str | os.PathLike):
    """An in-memory DuckDB connection with a memory limit (:data:`MEMORY_LIMIT`, or the environment variable
    ``CONFLICT_NEWS_DUCKDB_MEMORY_LIMIT``), spilling to the folder ``spill`` (one per connection: two processes
    sharing a spill folder could overwrite each other's files). The cap changes no result, only what spills."""
    import duckdb

    limit = os.environ.get(MEMORY_LIMIT_ENV) or MEMORY_LIMIT
    # no progress bar: in a report kernel a query of more than 2 s drew a Jupyter progress widget into the page
    # (random ids, a different set on every run, so the HTML of the same inputs differed)
    con = duckdb.connect(config={"memory_limit": limit, "temp_directory": str(spill)})
    con.execute("SET enable_progress_bar = false")  # a connection's own setting, not a config option
    return con


@contextmanager
def connection(tables: dict[str, pd.DataFrame] | None = None):
    """A :func:`connect` connection with a private spill folder and the DataFrames ``tables`` registered under
    their names; closed and its folder removed on exit."""
    spill = tempfile.mkdtemp(prefix="conflict-news-duckdb-")
    con = connect(spill)
    try:
        for name, frame in (tables or {}).items():
            con.register(name, frame)
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


class TableFile(str):
    """The path of a local analysis table (parquet): counted in DuckDB, never loaded whole into pandas."""


def find_table(data, name: str, *, columns: list[str] | None = None):
    """``data`` itself when it is a DataFrame; for an analysis (:func:`analysis.pipeline.load_analysis`), its table
    ``name`` as a :class:`TableFile` when it is a local file, else the table read into pandas (remote folders)
    with only ``columns``."""
    if isinstance(data, pd.DataFrame) or not (hasattr(data, "manifest") and hasattr(data, "table")):
        return data
    from analysis import storage

    path = data.path(name)
    if name in data.tables and not storage.is_remote(path):
        return TableFile(path)
    return data.table(name, columns=columns)


def read_table_columns(path: str | os.PathLike) -> dict[str, str]:
    """Column name -> Arrow type name of a parquet file (read from its footer)."""
    import pyarrow.parquet as pq

    return {f.name: str(f.type) for f in pq.read_schema(str(path))}


def load_table_columns(
    path: str | os.PathLike,
    columns: list[str],
    *,
    doc_ids=None,
    equal: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Only ``columns`` of the parquet file and only the rows of the articles ``doc_ids`` (None: all) whose
    ``equal`` columns hold the given values, in file order,
    as pandas reads them: for the tables whose means are taken row by row in pandas (a float sum's last bit depends
    on its order, which DuckDB does not keep)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    columns = list(dict.fromkeys(columns))
    file = pq.ParquetFile(str(path))
    read = list(dict.fromkeys([*columns, *(["doc_id"] if doc_ids is not None else []), *(equal or {})]))
    ids = None if doc_ids is None else pa.array(pd.unique(pd.Series(doc_ids, dtype=object)), type=pa.string())
    parts = []
    for i in range(file.num_row_groups):  # one row group at a time (iter_batches keeps allocating as it goes)
        batch = file.read_row_group(i, columns=read, use_threads=False)
        for col, value in (equal or {}).items():  # the cheap conditions first, each on the rows left before
            batch = batch.filter(pc.fill_null(pc.equal(batch.column(col), value), False))
        parts.append(batch)
    schema = file.schema_arrow
    keep = [*columns, *(["doc_id"] if ids is not None and "doc_id" not in columns else [])]
    schema = pa.schema([schema.field(c) for c in keep], metadata=schema.metadata)  # pandas' dtypes kept
    table = pa.concat_tables([part.select(keep).cast(schema) for part in parts] or [schema.empty_table()])
    if ids is not None:  # the articles' set once over all rows: is_in builds its hash table of the set on every call
        table = table.filter(pc.is_in(table.column("doc_id"), value_set=ids))
    return table.select(columns).to_pandas()


def find_value_batches(
    path: str | os.PathLike, column: str, max_rows: int, *, equal: dict[str, str] | None = None
) -> list[list] | None:
    """The values of ``column`` in the parquet file (not null, sorted), packed in order into batches of at most
    ``max_rows`` rows (a value with more rows is a batch of its own), counting only the rows whose ``equal``
    columns hold the given values; None when those rows number ``max_rows`` or fewer (one pass is enough)."""
    where = " AND ".join([f"{_quote(column)} IS NOT NULL", *(f"{_quote(c)} = ?" for c in (equal or {}))])
    counts = run_query(
        f"SELECT {_quote(column)} AS value, count(*) AS n FROM read_parquet(?) WHERE {where} GROUP BY 1 ORDER BY 1",
        params=[str(path), *(equal or {}).values()],
    )
    if counts["n"].sum() <= max_rows:
        return None
    batches, current, size = [], [], 0
    for value, n in zip(counts["value"], counts["n"]):
        if current and size + n > max_rows:
            batches.append(current)
            current, size = [], 0
        current.append(value)
        size += int(n)
    return [*batches, current]


def find_group_means(frame: pd.DataFrame, grouped, columns: list[str], *, sd: str | None = None) -> dict:
    """Per group of ``grouped`` (a group-by of ``frame``, in its group order): the mean of each of ``columns``
    from the correctly rounded sum (``math.fsum``), and for ``sd`` also the sample standard deviation (ddof 1,
    from the correctly rounded sum of squared deviations; NaN for one row), as ``"<sd>:sd"``.

    Hand-written because pandas' and DuckDB's float sums depend on how the rows are laid out (pandas gives
    another last bit for the same rows in the same order when the other groups differ), so figures summed a batch
    of actors at a time, or in another chunking, would not be reproducible to the bit; a correctly rounded sum
    depends only on the values. Groups of one or two rows need no loop (their plain sum is already correctly
    rounded); larger groups are summed one by one.
    """
    gid = grouped.ngroup().to_numpy()
    keep = gid >= 0  # rows with a missing key are in no group (as in a pandas group-by)
    order = np.argsort(gid[keep], kind="stable")
    values = {col: frame[col].to_numpy(dtype="float64")[keep][order] for col in columns}
    return _sorted_group_means(gid[keep][order], int(grouped.ngroups), values, sd=sd)


def _sorted_group_means(sorted_gid: np.ndarray, n_groups: int, values: dict, *, sd: str | None = None) -> dict:
    """:func:`find_group_means` of rows sorted by their group number ``sorted_gid`` (0 .. ``n_groups`` - 1):
    per group, the mean of each array of ``values`` (same order) and for ``sd`` its sample standard deviation."""
    starts = np.searchsorted(sorted_gid, np.arange(n_groups), side="left")
    ends = np.searchsorted(sorted_gid, np.arange(n_groups), side="right")
    n = ends - starts

    def _sums(v: np.ndarray) -> np.ndarray:
        out = np.zeros(n_groups)
        one, two = n == 1, n == 2
        out[one] = v[starts[one]]
        out[two] = v[starts[two]] + v[starts[two] + 1]
        for g in np.flatnonzero(n > 2):
            out[g] = math.fsum(v[starts[g] : ends[g]])
        return out

    result = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for col, v in values.items():
            mean = _sums(v) / n
            result[col] = mean
            if col == sd:
                dev = (v - np.repeat(mean, n)) ** 2
                var = _sums(dev) / (n - 1)
                result[f"{col}:sd"] = np.where(n > 1, np.sqrt(var), np.nan)
    return result


def find_counted_means(values: np.ndarray, counts: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group 0 .. ``n_groups`` - 1: the mean of rows given as distinct values and how often each occurs
    (``values``, ``counts``, ``group``: one entry per group and value), as :func:`find_group_means` takes it from
    the rows themselves: the correctly rounded sum (``math.fsum`` of the rows) divided by the number of rows.

    The sum is exact in integers (a double is an integer over a power of two) and rounded once by Python's
    correctly rounded integer division, so a table of counts per value (e.g. frame scores, a handful of distinct
    fractions) gives the means of its rows to the last bit without the rows. A group with a NaN or an infinity is
    summed by ``math.fsum`` over its rows, as the rows would be.
    """
    values = np.asarray(values, dtype="float64")
    counts = np.asarray(counts, dtype="int64")
    order = np.argsort(group, kind="stable")
    group, values, counts = np.asarray(group)[order], values[order], counts[order]
    starts = np.searchsorted(group, np.arange(n_groups), side="left")
    ends = np.searchsorted(group, np.arange(n_groups), side="right")
    out = np.full(n_groups, np.nan)
    for g in range(n_groups):
        v, c = values[starts[g] : ends[g]], counts[starts[g] : ends[g]]
        n = int(c.sum())
        if not n:
            continue
        if not np.isfinite(v).all():
            out[g] = math.fsum(np.repeat(v, c)) / n
            continue
        ratios = [x.as_integer_ratio() for x in v.tolist()]
        scale = max(d for _, d in ratios)  # powers of two: every denominator divides the largest
        total = sum(k * num * (scale // den) for k, (num, den) in zip(c.tolist(), ratios))
        out[g] = (total / scale) / n  # int / int is correctly rounded, as fsum's sum is
    return out


def number_cells(documents: pd.DataFrame, *, by: str | None, freq: str | None) -> np.ndarray:
    """The cell number (0, 1, ...) of each article of ``documents`` (doc_id, and ``by``/``published`` as needed):
    one cell per value of ``by`` (missing values one cell) x period of ``freq`` (undated one cell), numbered in
    order of first appearance. The cells of one-pass sums (``actors.sum_mentions``, ``frames.sum_frames``)."""
    from analysis.errors import ParameterError
    from analysis.periods import to_period, validate_freq
    from analysis.tables import require_columns

    need = ["doc_id"] + ([by] if by else []) + (["published"] if freq else [])
    require_columns(documents, need, what="documents")
    if not documents["doc_id"].is_unique:
        raise ParameterError("doc_id occurs twice in the documents: doc_id must be unique")
    cells = np.zeros(len(documents), dtype="int64")
    if by:
        cells = pd.factorize(documents[by], use_na_sentinel=False)[0].astype("int64")
    if freq:
        periods, _ = pd.factorize(to_period(pd.to_datetime(documents["published"]), validate_freq(freq)))  # NaT: -1
        cells = cells * (int(periods.max()) + 2 if len(periods) else 1) + (periods.astype("int64") + 1)
    return pd.factorize(cells)[0].astype("int64")


def find_cell_groups(
    doc_index: pd.Index, cells: np.ndarray, doc_ids, group_of_doc: np.ndarray
) -> tuple[np.ndarray, int] | None:
    """For sums kept per cell (``cells``: the cell number of each article of ``doc_index``): the group of each cell,
    -1 for a cell whose articles are in no group, given the articles ``doc_ids`` of the groups and their group
    numbers ``group_of_doc``; with the number of cells. None when the groups are not unions of cells (an article
    that was not summed, or one cell's articles in two groups): the table must then be counted from the file."""
    position = doc_index.get_indexer(doc_ids)
    if (position < 0).any():  # an article that was not summed
        return None
    group = np.full(len(doc_index), -1, dtype="int64")  # articles of the cells not in the groups: left out
    group[position] = group_of_doc
    n_cells = int(cells.max()) + 1 if len(cells) else 0
    low = np.full(n_cells, np.iinfo("int64").max)
    high = np.full(n_cells, np.iinfo("int64").min)
    np.minimum.at(low, cells, group)
    np.maximum.at(high, cells, group)
    if (low != high).any():  # a cell's articles in two groups
        return None
    return low, n_cells


def index_groups(docs: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(doc_groups, key_table)``: each article of ``docs`` (doc_id and the ``keys`` columns) with the integer
    ``g`` of its key combination, and one row per ``g`` with the keys (as their pandas dtypes)."""
    if keys:
        g = docs.groupby(keys, sort=False).ngroup().to_numpy(dtype="int64")
    else:
        g = np.zeros(len(docs), dtype="int64")
    doc_groups = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy(dtype=object), "g": g})
    key_table = docs[keys].assign(g=g).drop_duplicates("g").reset_index(drop=True)
    return doc_groups, key_table


def run_query(sql: str, *, tables: dict[str, pd.DataFrame] | None = None, params: list | None = None) -> pd.DataFrame:
    """The result of ``sql`` (with the DataFrames ``tables`` registered under their names) as a DataFrame, in a
    connection of its own under the memory cap."""
    with connection(tables) as con:
        return con.sql(sql, params=params or None).to_arrow_table().to_pandas()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def count_rows_by_group(
    path: str | os.PathLike,
    doc_groups: pd.DataFrame,
    *,
    columns: list[str],
    missing: str | None = None,
    recode: dict[str, dict] | None = None,
    keep: dict[str, list] | None = None,
    first: Iterable[str] = (),
) -> pd.DataFrame:
    """Rows of the table ``path`` (keyed by doc_id) of the articles in ``doc_groups`` (doc_id, g), counted per
    (g, ``columns``): ``n`` (rows) and ``n_docs`` (distinct articles), int64.

    ``missing``: the value of a null in ``columns``; ``recode``: per column, a mapping applied first (values not in
    it are kept, e.g. places rolled up to their city); ``keep``: per column, the (recoded) values to count, others
    are left out; ``first``: further columns returned as their smallest value per row of the result (columns that
    depend on a key only, such as an actor's kind). Columns ``g``, ``columns``, ``first``, ``n``, ``n_docs``, in no
    particular order.
    """
    recode, keep, first = recode or {}, keep or {}, list(first)
    tables = {"doc_groups": doc_groups[["doc_id", "g"]]}
    joins, exprs = [], {}
    for i, col in enumerate(dict.fromkeys([*columns, *keep, *first])):
        expr = f"t.{_quote(col)}"
        if col in recode:
            tables[f"recode_{i}"] = pd.DataFrame(
                {
                    "key": pd.array(list(recode[col]), dtype=object),
                    "value": pd.array(list(recode[col].values()), dtype=object),
                }
            )
            joins.append(f"LEFT JOIN recode_{i} ON recode_{i}.key = t.{_quote(col)}")
            expr = f"COALESCE(recode_{i}.value, {expr})"
        if missing is not None and col in columns:
            expr = f"COALESCE({expr}, {_literal(missing)})"
        exprs[col] = expr
    where = []
    for i, (col, values) in enumerate(keep.items()):
        tables[f"keep_{i}"] = pd.DataFrame({"value": pd.array(list(values), dtype=object)})
        where.append(f"{exprs[col]} IN (SELECT value FROM keep_{i})")
    select = ["d.g AS g", *(f"{exprs[c]} AS {_quote(c)}" for c in columns)]
    select += [f"MIN({exprs[c]}) AS {_quote(c)}" for c in first]
    sql = f"""
        SELECT {", ".join(select)},
               CAST(COUNT(*) AS BIGINT) AS n, CAST(COUNT(DISTINCT t.doc_id) AS BIGINT) AS n_docs
        FROM read_parquet(?) AS t JOIN doc_groups AS d ON t.doc_id = d.doc_id {" ".join(joins)}
        {"WHERE " + " AND ".join(where) if where else ""}
        GROUP BY ALL
    """
    return run_query(sql, tables=tables, params=[str(path)])


def count_unit_pairs(
    path: str | os.PathLike,
    doc_ids: pd.Series | None,
    *,
    unit: list[str],
    item: str,
    keep: dict[str, list] | None = None,
    min_count: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, int, bool]:
    """Co-occurrence of ``item`` values in the units (e.g. doc_id, sent_id) of the table ``path``, over the articles
    ``doc_ids`` (None: all), counting rows whose ``keep`` columns hold the given values.

    ``(pairs, per_item, n_units, null_unit)``: pairs ``a < b`` with ``n_both`` (units holding both, >=
    ``min_count``), ``per_item`` (item, ``n``: units holding it), the number of units, and whether any kept row has
    a null unit column.
    """
    keep = keep or {}
    if doc_ids is not None and unit[:1] == ["doc_id"] and len(unit) <= 2:
        columns = read_table_columns(path)
        if columns.get(item) in ("string", "large_string") and (
            len(unit) == 1 or columns.get(unit[1]) in _INTEGER_TYPES
        ):
            found = _count_unit_pairs_sorted(path, doc_ids, sub=unit[1:], item=item, keep=keep, min_count=min_count)
            if found is not None:
                return found
    tables: dict[str, pd.DataFrame] = {}
    where = []
    source, exprs = "read_parquet(?) AS t", {c: f"t.{_quote(c)}" for c in [*unit, item]}
    if doc_ids is not None:
        ids = pd.unique(pd.Series(list(doc_ids), dtype=object))
        tables["selected"] = pd.DataFrame({"doc_id": pd.array(ids, dtype=object), "i": np.arange(len(ids))})
        source += " JOIN selected AS s ON t.doc_id = s.doc_id"
        if "doc_id" in exprs:  # the article as its number: integer units hash and compare faster than id strings
            exprs["doc_id"] = "s.i"
    for i, (col, values) in enumerate(keep.items()):
        tables[f"keep_{i}"] = pd.DataFrame({"value": pd.array(list(values), dtype=object)})
        where.append(f"t.{_quote(col)} IN (SELECT value FROM keep_{i})")
    cols = ", ".join(f"{expr} AS {_quote(c)}" for c, expr in exprs.items())
    rows = f"SELECT {cols} FROM {source} {'WHERE ' + ' AND '.join(where) if where else ''}"
    on = " AND ".join(f"a.{_quote(c)} = b.{_quote(c)}" for c in unit)
    null_unit = " OR ".join(f"{_quote(c)} IS NULL" for c in unit)
    unit_cols = ", ".join(_quote(c) for c in unit)
    with connection(tables) as con:
        con.execute(f"CREATE TEMP TABLE p AS SELECT DISTINCT * FROM ({rows})", [str(path)])
        has_null = bool(con.execute(f"SELECT COUNT(*) FROM p WHERE {null_unit}").fetchall()[0][0])
        n_units = int(con.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT {unit_cols} FROM p)").fetchall()[0][0])
        per_item = (
            con.sql(f"SELECT {_quote(item)} AS item, CAST(COUNT(*) AS BIGINT) AS n FROM p GROUP BY ALL")
            .to_arrow_table()
            .to_pandas()
        )
        pairs = (
            con.sql(
                f"""SELECT a.{_quote(item)} AS a, b.{_quote(item)} AS b, CAST(COUNT(*) AS BIGINT) AS n_both
                FROM p AS a JOIN p AS b ON {on} AND a.{_quote(item)} < b.{_quote(item)}
                GROUP BY ALL HAVING COUNT(*) >= ?""",
                params=[int(min_count)],
            )
            .to_arrow_table()
            .to_pandas()
        )
    return pairs, per_item, n_units, has_null


_INTEGER_TYPES = {f"{s}int{b}" for s in ("", "u") for b in (8, 16, 32, 64)}
# pair codes counted with np.bincount up to this many (item, item) cells, else with np.unique
_BINCOUNT_CELLS = 1 << 22


def _count_unit_pairs_sorted(
    path, doc_ids, *, sub: list[str], item: str, keep: dict[str, list], min_count: int
) -> tuple[pd.DataFrame, pd.DataFrame, int, bool] | None:
    """:func:`count_unit_pairs` for the units (doc_id) or (doc_id, an integer column ``sub``), without the
    self-join: each kept row becomes one integer ``(article, sub, item)`` (the article as its number in the
    selection, the item as its rank among the distinct values, 0 for a null), the integers are sorted and made
    distinct in numpy, and each unit's items, adjacent and ascending, give its pairs ``a < b``. None when the
    integers would not fit in 63 bits (then the self-join counts).

    Why: at a million articles the self-join of 17.6 M (article, sentence, actor) rows held DuckDB at its 1 GB
    cap for about 40 s, the peak of the whole report run; 8 bytes a row sorted in numpy take a fraction of both.
    The counts are the same integers (a pair is counted once per unit that holds both)."""
    tables: dict[str, pd.DataFrame] = {}
    ids = pd.unique(pd.Series(list(doc_ids), dtype=object))
    tables["selected"] = pd.DataFrame({"doc_id": pd.array(ids, dtype=object), "i": np.arange(len(ids))})
    where = [f"t.{_quote(col)} IN (SELECT value FROM keep_{i})" for i, col in enumerate(keep)]
    for i, values in enumerate(keep.values()):
        tables[f"keep_{i}"] = pd.DataFrame({"value": pd.array(list(values), dtype=object)})
    it = f"t.{_quote(item)}"
    kept = " AND ".join(where) or "TRUE"
    sub_col = f"t.{_quote(sub[0])}" if sub else "NULL"
    with connection(tables) as con:
        # the items in DuckDB's own order (that of its `<`), numbered from 1, and the range of the sub column
        con.execute(
            f"""CREATE TEMP TABLE codes AS SELECT v, CAST(row_number() OVER (ORDER BY v) AS BIGINT) AS code,
                lo, hi FROM (SELECT {it} AS v, MIN({sub_col}) AS lo, MAX({sub_col}) AS hi
                FROM read_parquet(?) AS t WHERE {kept} GROUP BY ALL)""",
            [str(path)],
        )
        codes = con.sql("SELECT v, code, lo, hi FROM codes ORDER BY code").to_arrow_table().to_pandas()
        named = codes[codes["v"].notna()]
        lows, highs = codes["lo"].dropna(), codes["hi"].dropna()
        lo, hi = (int(lows.min()), int(highs.max())) if len(lows) else (0, -1)
        n_items = len(named) + 1  # 0: a null item
        n_sub = hi - lo + 2 if sub else 1  # 0: a null sub value
        if len(ids) * n_sub * n_items >= 1 << 62:
            return None
        sub_code = f"COALESCE(t.{_quote(sub[0])} - ({lo}) + 1, 0)" if sub else "0"
        key = (
            f"(s.i * {n_sub} + {sub_code}) * {n_items} + COALESCE(c.code, 0)"
            if len(named)
            else f"(s.i * {n_sub} + {sub_code}) * {n_items}"
        )
        join_codes = "LEFT JOIN (SELECT v, code FROM codes WHERE v IS NOT NULL) AS c ON c.v = " + it
        # streamed batch by batch, not materialised in DuckDB and again in Arrow (8 bytes a row either way)
        reader = con.sql(
            f"""SELECT CAST({key} AS BIGINT) AS k FROM read_parquet(?) AS t
            JOIN selected AS s ON t.doc_id = s.doc_id {join_codes} WHERE {kept}""",
            params=[str(path)],
        ).to_arrow_reader(1 << 20)
        chunks = [batch.column(0).to_numpy() for batch in reader]
    keys = np.concatenate(chunks) if chunks else np.zeros(0, "int64")
    del chunks
    keys.sort()
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]  # DISTINCT (article, sub, item)
    units, items = np.divmod(keys, n_items)
    del keys
    n_units = int(len(units) and 1 + np.count_nonzero(units[1:] != units[:-1]))
    null_sub = bool(sub) and bool(np.any(units % n_sub == 0))
    values = np.asarray([None, *named["v"].tolist()], dtype=object)
    per = np.bincount(items, minlength=n_items)
    present = np.flatnonzero(per)
    per_item = pd.DataFrame({"item": values[present], "n": per[present].astype("int64")})
    # pairs: a null item or a null sub value pairs with nothing (SQL's = and < are not true for a null)
    pairable = items > 0
    if sub:
        pairable &= units % n_sub != 0
    if not pairable.all():
        units, items = units[pairable], items[pairable]
    del pairable
    small = n_items * n_items <= _BINCOUNT_CELLS
    counts = np.zeros(n_items * n_items if small else 0, dtype="int64")
    found: list[np.ndarray] = []
    start = np.flatnonzero(units[1:] == units[:-1])  # the rows followed by another of their unit
    gap = 1
    while len(start):  # rows `gap` apart in the same unit: the unit's items are sorted, so the pair is a < b
        if gap > 1:
            start = start[units[start + gap] == units[start]]
        cells = items[start] * n_items + items[start + gap]
        if small:
            counts += np.bincount(cells, minlength=n_items * n_items)
        else:
            found.append(cells)
        gap += 1
        start = start[start + gap < len(units)]
    if small:
        cell = np.flatnonzero(counts >= max(int(min_count), 1))
        n_both = counts[cell]
    else:
        cell, n_both = np.unique(np.concatenate(found) if found else np.zeros(0, "int64"), return_counts=True)
        pick = n_both >= int(min_count)
        cell, n_both = cell[pick], n_both[pick]
    a, b = np.divmod(cell, n_items)
    pairs = pd.DataFrame({"a": values[a], "b": values[b], "n_both": n_both.astype("int64")})
    return pairs, per_item, n_units, null_sub


def sum_terms_by_group(
    terms_path: str | os.PathLike, doc_groups: pd.DataFrame, *, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """Per (group, term): ``count`` (sum of the term's counts) and ``doc_freq`` (its doc-term rows, i.e. documents).

    ``terms_path``: a terms.parquet (doc_id, term, count); ``doc_groups``: doc_id and an integer ``group`` for each
    document to count (others are left out); ``exclude``: terms to leave out (stopwords). Columns ``group``,
    ``term``, ``count``, ``doc_freq`` (int64), in no particular order.
    """
    sums, vocab = sum_term_codes_by_group(terms_path, doc_groups, exclude=exclude)
    return pd.DataFrame(
        {
            "group": sums["group"].to_numpy(),
            "term": vocab[sums["term_code"].to_numpy()] if len(vocab) else np.array([], dtype=object),
            "count": sums["count"].to_numpy(),
            "doc_freq": sums["doc_freq"].to_numpy(),
        }
    )


def sum_term_codes_by_group(
    terms_path: str | os.PathLike, doc_groups: pd.DataFrame, *, exclude: Iterable[str] = ()
) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`sum_terms_by_group` with the terms as integer codes: ``(sums, vocabulary)``, where ``sums`` has
    ``group``, ``term_code`` (index into ``vocabulary``, an object array of the distinct terms, each string once),
    ``count`` and ``doc_freq`` (int64): millions of (group, term) rows need no Python string each."""
    excluded = pd.DataFrame({"term": pd.array(sorted(set(exclude)), dtype=object)})
    with connection({"doc_groups": doc_groups[["doc_id", "group"]], "excluded": excluded}) as con:
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
    terms = result.column("term").combine_chunks().dictionary_encode()
    sums = pd.DataFrame(
        {
            "group": result.column("group").to_numpy().astype("int64"),
            "term_code": terms.indices.to_numpy(zero_copy_only=False).astype("int64"),
            "count": result.column("count").to_numpy().astype("int64"),
            "doc_freq": result.column("doc_freq").to_numpy().astype("int64"),
        }
    )
    return sums, np.asarray(terms.dictionary.to_pylist(), dtype=object)


def summarise_rows_by_group(
    path: str | os.PathLike,
    doc_groups: pd.DataFrame,
    *,
    rows: dict[str, str],
    columns: list[str],
    counts: dict[str, str],
    means: list[str],
) -> pd.DataFrame:
    """Rows of the table ``path`` (keyed by doc_id) of the articles in ``doc_groups`` (doc_id, g), summarised per
    (g, ``columns``): the integer aggregates ``counts`` and the means ``means``.

    ``rows``: the row values, name -> SQL expression over the file's columns (``t.<column>``; ``doc_id`` is always
    there); ``columns`` and ``means`` name some of them; ``counts``: name -> SQL aggregate over those names (e.g.
    ``COUNT(DISTINCT doc_id)``, ``SUM(CAST(present AS BIGINT))``), returned as int64. A mean is
    :func:`find_group_means`' correctly rounded sum over the group's rows divided by their number, so the figures
    are those of the same rows in pandas to the last bit, in any file layout. DuckDB does the selection, the
    grouping and the sort; only the group numbers and the mean columns come back to numpy (16 bytes a row for one
    mean, instead of whole rows in pandas). Columns ``g``, ``columns``, ``counts``, ``means``, in no particular
    order.
    """
    named = ", ".join(f"{expr} AS {_quote(name)}" for name, expr in {"doc_id": "t.doc_id", **rows}.items())
    source = f"(SELECT d.g AS g, {named} FROM read_parquet(?) AS t JOIN doc_groups AS d ON t.doc_id = d.doc_id)"
    keys = ", ".join(["g", *(_quote(c) for c in columns)])
    aggs = ", ".join(f"CAST({expr} AS BIGINT) AS {_quote(name)}" for name, expr in counts.items())
    on = " AND ".join(f"r.{_quote(c)} IS NOT DISTINCT FROM s.{_quote(c)}" for c in ["g", *columns])
    vals = ", ".join(f"CAST(r.{_quote(c)} AS DOUBLE) AS {_quote(c)}" for c in means)
    with connection({"doc_groups": doc_groups[["doc_id", "g"]]}) as con:
        con.execute(
            f"""CREATE TEMP TABLE s AS SELECT *, CAST(row_number() OVER (ORDER BY {keys}) - 1 AS BIGINT) AS _gk
            FROM (SELECT {keys}{", " + aggs if aggs else ""} FROM {source} GROUP BY ALL)""",
            [str(path)],
        )
        out = con.sql("SELECT * FROM s ORDER BY _gk").to_arrow_table().to_pandas()
        if means:
            ordered = con.sql(
                f"SELECT s._gk AS _gk, {vals} FROM {source} AS r JOIN s ON {on} ORDER BY s._gk", params=[str(path)]
            ).to_arrow_table()
            values = {c: ordered.column(c).to_numpy().astype("float64") for c in means}
            out = out.assign(**_sorted_group_means(ordered.column("_gk").to_numpy(), len(out), values))
    return out.drop(columns="_gk").astype({name: "int64" for name in counts})
