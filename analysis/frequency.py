"""Term and n-gram frequencies and keyness tables (words in context: :mod:`analysis.concordance`)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.periods import to_period, validate_freq
from analysis.selection import group_documents, label_groups, select_documents
from analysis.tables import as_list, require_columns
from analysis.text import join_phrases, ngrams, resolve_stopwords, split_words

# Bumped whenever analysis.text.TOKEN_PATTERN changes the tokens it yields (recorded in manifest.json).
TOKENIZER_VERSION = "treebank-compatible-regex-1"
RESOURCE_VERSIONS = {"tokenizer": TOKENIZER_VERSION}
PERIOD = "period"
log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------------ pipeline stage
def _doc_term_counts(doc_ids, texts) -> tuple[pd.DataFrame, np.ndarray]:
    """Long doc-term counts (doc_id, term, count) sorted by doc_id then term, and the token total per document.

    One regex scan per document, then vectorised counting: terms are factorised to integer codes and
    (document, term) pairs counted with numpy. Python strings exist only for the current chunk's tokens.
    """
    doc_ids = np.asarray(doc_ids, dtype=object)
    lists = [split_words(t.lower()) if isinstance(t, str) else [] for t in texts]
    totals = np.fromiter(map(len, lists), dtype="int64", count=len(lists))
    flat = list(chain.from_iterable(lists))
    if not flat:
        empty = pd.DataFrame(
            {
                "doc_id": pd.Series([], dtype=object),
                "term": pd.Series([], dtype=object),
                "count": pd.Series([], dtype="int64"),
            }
        )
        return empty, totals
    codes, uniques = pd.factorize(np.array(flat, dtype=object))
    uniques = np.asarray(uniques, dtype=object)
    order = np.argsort(uniques, kind="stable")  # alphabetical rank of each distinct term
    rank = np.empty(len(uniques), dtype="int64")
    rank[order] = np.arange(len(uniques))
    n_terms = len(uniques)
    keys = np.repeat(np.arange(len(lists), dtype="int64"), totals) * n_terms + rank[codes]
    keys, counts = np.unique(keys, return_counts=True)
    table = pd.DataFrame(
        {  # object dtype: no conversion to pandas' string dtype for a table that goes to parquet
            "doc_id": pd.Series(doc_ids[keys // n_terms], dtype=object),
            "term": pd.Series(uniques[order][keys % n_terms], dtype=object),
            "count": counts.astype("int64"),
        }
    )
    return table, totals


def analyze_chunk(docs: pd.DataFrame, sentences: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Pipeline stage: ``terms`` (doc_id, term, count; all word tokens, no stopword removal) and n_tokens per doc."""
    order = docs.sort_values("doc_id", kind="stable")
    terms, totals = _doc_term_counts(order["doc_id"].to_numpy(), order["text"].to_numpy())
    documents = pd.DataFrame({"doc_id": order["doc_id"].to_numpy(), "n_tokens": totals})
    return {"terms": terms, "documents_frequency": documents}


# ------------------------------------------------------------------------------------------- inputs of table functions
def _documents_and_terms(
    data,
    *,
    ngram: int,
    stopwords,
    phrases,
    documents,
    start,
    end,
    outlets=None,
    include_duplicates,
    need_columns: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, doc-term counts) from a corpus, an analysis (`load_analysis`) or a terms table + documents.

    documents has doc_id, n_tokens and the requested columns, restricted to the selection; counts has doc_id,
    term, count for those documents, after stopword removal. n_tokens counts every word token (the denominator of
    rates), before stopwords are removed.
    """
    if not isinstance(ngram, (int, np.integer)) or ngram < 1:
        raise ParameterError(f"ngram must be a positive integer, got {ngram!r}")
    stop = resolve_stopwords(stopwords)
    if hasattr(data, "manifest") and hasattr(data, "table"):  # an Analysis from pipeline.load_analysis
        if ngram != 1 or phrases:
            raise ParameterError(
                "n-grams and phrases need the article text: pass the corpus "
                "(analysis.ingest.load_corpus) instead of the analysis tables"
            )
        # documents= (e.g. one outlet's articles, or corpus rows) restricts the analysis to those articles
        if documents is None:
            documents = data.documents
        elif "n_tokens" not in documents.columns:
            require_columns(documents, ["doc_id"], what="documents")
            documents = data.documents[data.documents["doc_id"].isin(documents["doc_id"])]
        data = _terms_source(data)
    if isinstance(data, (TermsFile, TermSums)):  # summed in DuckDB from the file (analysis.aggregate)
        if documents is None:
            raise ParameterError("term sums need their documents (the analysis' documents table) as `corpus`")
        require_columns(documents, ["doc_id", "n_tokens"] + need_columns, what="documents table")
        docs = select_documents(documents, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
        return docs.reset_index(drop=True), data
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"expected a corpus DataFrame, a terms table or an analysis, got {type(data).__name__}")
    if "text" in data.columns:  # a corpus
        docs = data.drop(columns="text")
        require_columns(data, ["doc_id"], what="corpus")
        require_columns(docs, need_columns, what="corpus")
        docs = select_documents(docs, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
        texts = data.loc[docs.index, "text"]
        ids, terms, counts, totals = [], [], [], []
        for doc_id, text in zip(docs["doc_id"], texts):
            toks = split_words(text.lower()) if isinstance(text, str) else []
            totals.append(len(toks))
            if phrases:
                toks = join_phrases(toks, phrases)
            if ngram > 1:
                toks = _ngrams_without(toks, ngram, stop)
            elif stop:
                toks = [t for t in toks if t not in stop]
            counter = Counter(toks)
            ids.extend([doc_id] * len(counter))
            terms.extend(counter.keys())
            counts.extend(counter.values())
        docs = docs.assign(n_tokens=np.array(totals, dtype="int64"))
        long = pd.DataFrame(
            {
                "doc_id": pd.array(ids, dtype=object),
                "term": pd.array(terms, dtype=object),
                "count": np.array(counts, dtype="int64"),
            }
        )
        return docs.reset_index(drop=True), long
    # a terms table (doc_id, term, count) with its documents table
    require_columns(data, ["doc_id", "term", "count"], what="terms table")
    if ngram != 1 or phrases:
        raise ParameterError("n-grams and phrases need the article text: pass the corpus, not a terms table")
    if documents is None:
        raise ParameterError(
            "a terms table needs its documents (documents.parquet) as `corpus` (formerly `documents=`) for grouping"
        )
    require_columns(documents, ["doc_id", "n_tokens"] + need_columns, what="documents table")
    docs = select_documents(documents, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    return docs.reset_index(drop=True), data  # rows of other documents and stopwords are dropped by _encode


class TermsFile(str):
    """The path of an analysis' local terms.parquet: its sums are computed in DuckDB, not in pandas."""


def _terms_source(analysis) -> TermsFile | pd.DataFrame:
    """A local analysis' terms file (summed in DuckDB), or the table itself (remote folders: read into pandas)."""
    from analysis import storage

    path = analysis.path("terms")
    if not storage.is_remote(path) and "terms" in analysis.tables:
        return TermsFile(path)
    return _categorical_terms(analysis)


class TermSums:
    """The terms of an analysis' articles summed once per cell (:func:`sum_terms`): for the table functions that
    would each make a pass over terms.parquet (:func:`count_terms`, :func:`score_keyness`,
    :func:`score_keyness_by_group`, :func:`analysis.notebook.score_key_terms`), pass this instead of the analysis.

    A table whose groups are unions of cells (every cell's articles in one group, or all left out) is summed from
    the cells: exact integer sums, so the same table as from the file. Any other table (other articles, groups
    that split a cell, other stopwords) is summed from the file as without it.
    """

    def __init__(self, path: TermsFile, doc_ids: np.ndarray, cells: np.ndarray, stopwords, sums, vocab):
        self.path = path  # terms.parquet
        self.doc_index = pd.Index(doc_ids)  # the articles summed, each with its cell number
        self.cells = cells
        self.stopwords = stopwords  # as resolve_stopwords gives them
        self.sums = sums  # per (cell, term): group (the cell), term_code, count, doc_freq
        self.vocab = vocab

    def sum_groups(self, docs: pd.DataFrame, group_of_doc: np.ndarray, stopwords) -> pd.DataFrame | None:
        """:func:`_sum_terms` from the cells, or None when the groups are not unions of cells."""
        if resolve_stopwords(stopwords) != self.stopwords:
            return None
        from analysis.aggregate import find_cell_groups

        found = find_cell_groups(self.doc_index, self.cells, docs["doc_id"], group_of_doc)
        if found is None:
            return None
        low, n_cells = found
        row_group = low[self.sums["group"].to_numpy()] if n_cells else np.array([], dtype="int64")
        use = row_group >= 0
        n_vocab = max(len(self.vocab), 1)
        key = row_group[use] * n_vocab + self.sums["term_code"].to_numpy()[use]
        keys, inverse = np.unique(key, return_inverse=True)
        return pd.DataFrame(
            {
                "group": keys // n_vocab,
                "term": self.vocab[keys % n_vocab] if len(self.vocab) else np.array([], dtype=object),
                "count": np.bincount(inverse, weights=self.sums["count"].to_numpy()[use], minlength=len(keys)),
                "doc_freq": np.bincount(inverse, weights=self.sums["doc_freq"].to_numpy()[use], minlength=len(keys)),
            }
        ).astype({"count": "int64", "doc_freq": "int64"})


def sum_terms(
    data,
    documents: pd.DataFrame,
    *,
    by: str | None = None,
    freq: str | None = None,
    top: int | None = None,
    stopwords=None,
) -> TermSums | Any:
    """The terms of the articles ``documents`` (doc_id, and ``by``/``published`` as needed) summed in one pass over
    the analysis ``data``'s terms.parquet, per cell of ``by`` (its ``top`` largest values by name, the others
    together, missing values apart) x period of ``freq`` (undated apart): a :class:`TermSums` for the table
    functions, so that a report's term table and keyness tables by ``by`` and by period make one pass, not one
    each. ``stopwords`` as in :func:`count_terms` (the tables asked of it must use the same).

    Without a local terms file (a remote analysis, or ``data`` a DataFrame) ``data`` is returned unchanged: the
    table functions then work as they do on it.
    """
    if not (hasattr(data, "manifest") and hasattr(data, "table")):
        return data
    source = _terms_source(data)
    if not isinstance(source, TermsFile):
        return data
    need = ["doc_id"] + ([by] if by else []) + (["published"] if freq else [])
    require_columns(documents, need, what="documents")
    _check_unique(documents["doc_id"])
    cells = np.zeros(len(documents), dtype="int64")
    if by:  # the groups the table functions give ``by`` (label_groups: top N by size then name, other, none)
        cells = pd.factorize(label_groups(documents[by], top=top))[0].astype("int64")
    if freq:
        validate_freq(freq)
        periods, _ = pd.factorize(to_period(pd.to_datetime(documents["published"]), freq))  # NaT: -1
        cells = cells * (int(periods.max()) + 2 if len(periods) else 1) + (periods.astype("int64") + 1)
    cells = pd.factorize(cells)[0].astype("int64")
    from analysis.aggregate import sum_term_codes_by_group

    stop = resolve_stopwords(stopwords)
    doc_ids = documents["doc_id"].to_numpy(dtype=object)
    sums, vocab = sum_term_codes_by_group(source, pd.DataFrame({"doc_id": doc_ids, "group": cells}), exclude=stop or ())
    return TermSums(source, doc_ids, cells, stop, sums, vocab)


def _sum_terms(long, docs: pd.DataFrame, group_of_doc: np.ndarray, stopwords) -> pd.DataFrame:
    """Per (group, term) of the selected ``docs``: count and doc_freq (columns group, term, count, doc_freq).

    ``group_of_doc`` is the group number of each row of ``docs`` (-1: leave the document out); ``long`` a doc-term
    table, a :class:`TermsFile` summed in DuckDB, or :class:`TermSums` (from its cells when it can). Stopwords and
    other documents' rows are left out.
    """
    if isinstance(long, TermSums):
        sums = long.sum_groups(docs, group_of_doc, stopwords)
        if sums is not None:
            return sums
        long = long.path
    if isinstance(long, TermsFile):
        from analysis.aggregate import sum_terms_by_group

        _check_unique(docs["doc_id"])
        use = group_of_doc >= 0
        groups = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy()[use], "group": group_of_doc[use]})
        return sum_terms_by_group(long, groups, exclude=resolve_stopwords(stopwords) or ())
    row, term, count, vocab = _encode(long, docs, stopwords)
    row_group = group_of_doc[row]
    use = row_group >= 0
    n_vocab = max(len(vocab), 1)
    key = row_group[use] * n_vocab + term[use]
    keys, inverse = np.unique(key, return_inverse=True)
    return pd.DataFrame(
        {
            "group": keys // n_vocab,
            "term": vocab[keys % n_vocab] if len(vocab) else np.array([], dtype=object),
            "count": np.bincount(inverse, weights=count[use], minlength=len(keys)).astype("int64"),
            "doc_freq": np.bincount(inverse, minlength=len(keys)).astype("int64"),
        }
    )


def _check_unique(ids: pd.Series) -> None:
    ids = pd.Index(ids)
    if not ids.is_unique:
        raise ParameterError(
            f"doc_id {ids[ids.duplicated()][0]!r} occurs twice in the documents: doc_id must be unique"
        )


def _categorical_terms(analysis) -> pd.DataFrame:
    """terms.parquet with doc_id and term as categoricals (a fraction of the memory of strings), cached."""
    cache = analysis._cache
    if "_terms_categorical" not in cache:
        import pyarrow.parquet as pq

        table = pq.read_table(
            analysis.path("terms"), columns=["doc_id", "term", "count"], read_dictionary=["doc_id", "term"]
        )
        cache["_terms_categorical"] = table.to_pandas()
    return cache["_terms_categorical"]


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype("int64"), np.asarray(values.cat.categories, dtype=object)
    codes, uniques = pd.factorize(values)
    return codes.astype("int64"), np.asarray(uniques, dtype=object)


def _encode(long: pd.DataFrame, docs: pd.DataFrame, stopwords) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Doc-term rows as integer arrays: (row of ``docs``, term code, count, vocabulary).

    Rows of documents not in ``docs`` (the selection) and stopwords are dropped. Counting on integer codes instead
    of string columns keeps `count_terms` and `score_keyness` fast and small on millions of doc-term rows.
    """
    doc_codes, doc_values = _codes(long["doc_id"])
    term_codes, vocab = _codes(long["term"])
    _check_unique(docs["doc_id"])
    ids = pd.Index(docs["doc_id"])
    position = np.append(ids.get_indexer(doc_values), -1)  # index -1 (a missing doc_id) maps to -1
    row = position[doc_codes]
    keep = (row >= 0) & (term_codes >= 0)
    stop = resolve_stopwords(stopwords)
    if stop:
        keep &= ~np.append(pd.Index(vocab).isin(list(stop)), True)[term_codes]
    return row[keep], term_codes[keep], long["count"].to_numpy()[keep].astype("int64"), vocab


def _ngrams_without(tokens: list[str], n: int, stop) -> list[str]:
    grams = ngrams(tokens, n)
    if not stop:
        return grams
    keep = [not any(t in stop for t in tokens[i : i + n]) for i in range(len(grams))]
    return [g for g, k in zip(grams, keep) if k]


def _group_columns(docs: pd.DataFrame, by, freq) -> tuple[pd.DataFrame, list[str]]:
    """The documents (doc_id, n_tokens, keys) keyed by analysis.selection.group_documents, and the key columns."""
    groups = group_documents(docs, by=by, freq=freq, columns=["n_tokens"])
    if groups.n_undated:  # a period table cannot place them; say so instead of a NaT row
        log.warning("%d undated article(s) left out of the %s table", groups.n_undated, freq)
    return groups.docs, groups.keys


# ------------------------------------------------------------------------------------------------------ frequencies
def count_terms(
    data,
    corpus: pd.DataFrame | None = None,
    *,
    by: str | list[str] | None = None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    min_count: int = 1,
    ngram: int = 1,
    stopwords=None,
    phrases: Iterable[str] | None = None,
    documents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Term (or n-gram) frequencies overall or per group and period, as a tidy table.

    ``data``: the corpus (DataFrame with ``text``), an analysis (:func:`analysis.pipeline.load_analysis`), or a
    terms table; ``corpus``: the documents to count (e.g. one outlet's rows of ``documents.parquet`` or of the
    corpus; required with a terms table; ``documents=`` is the former name). ``by``, ``freq``, ``start``, ``end``,
    ``outlets``, ``include_duplicates`` as in analysis.selection (keys ``[*by, period]``; only non-zero counts are
    listed). ``stopwords``: ``True`` for the packaged English list, a file path, or your own word list.

    Columns: the group columns, ``term``, ``count``, ``rate_per_1000`` (count per 1,000 word tokens of the group,
    stopwords included in the denominator), ``doc_freq`` (documents of the group containing the term),
    ``n_docs`` (documents in the group) and ``rank`` (1 = most frequent in the group). Rows with
    ``count < min_count`` are dropped; sorted by group, descending count, then term.
    """
    need = as_list(by) + (["published"] if freq is not None else [])
    if freq is not None:
        validate_freq(freq)
    docs, long = _documents_and_terms(
        data,
        ngram=ngram,
        stopwords=stopwords,
        phrases=phrases,
        documents=corpus if corpus is not None else documents,
        start=start,
        end=end,
        outlets=outlets,
        include_duplicates=include_duplicates,
        need_columns=need,
    )
    docs, groups = _group_columns(docs, by, freq)
    docs = docs.reset_index(drop=True)
    if groups:
        grouped = docs.groupby(groups, dropna=False, sort=True)
        group_of_doc = grouped.ngroup().to_numpy().astype("int64")
        totals = grouped.agg(n_tokens=("n_tokens", "sum"), n_docs=("doc_id", "size")).reset_index()
    else:
        group_of_doc = np.zeros(len(docs), dtype="int64")
        totals = pd.DataFrame({"n_tokens": [int(docs["n_tokens"].sum())], "n_docs": [len(docs)]})
    sums = _sum_terms(long, docs, group_of_doc, stopwords)
    table = totals.iloc[sums["group"].to_numpy()].reset_index(drop=True)
    table["term"] = sums["term"].to_numpy()
    table["count"] = sums["count"].to_numpy()
    table["doc_freq"] = sums["doc_freq"].to_numpy()
    table = table[table["count"] >= min_count]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate_per_1000"] = np.where(table["n_tokens"] > 0, table["count"] / table["n_tokens"] * 1000, np.nan)
    table = table.sort_values(groups + ["count", "term"], ascending=[True] * len(groups) + [False, True], kind="stable")
    table["rank"] = (table.groupby(groups, dropna=False).cumcount() + 1) if groups else np.arange(1, len(table) + 1)
    cols = groups + ["term", "count", "rate_per_1000", "doc_freq", "n_docs", "rank"]
    return (
        table[cols]
        .reset_index(drop=True)
        .astype({"count": "int64", "doc_freq": "int64", "n_docs": "int64", "rank": "int64"})
    )


# --------------------------------------------------------------------------------------------------------- keyness
def score_keyness_counts(target_counts, reference_counts, target_total, reference_total) -> pd.DataFrame:
    """Keyness statistics for term counts in a target and a reference corpus (arrays of equal length).

    For each term the 2x2 table is a = target count, b = reference count, c = target_total - a,
    d = reference_total - b. Returns signed ``g2`` (Dunning's log-likelihood with Williams' correction),
    ``p_g2``, signed ``chi2`` (Pearson with Yates' continuity correction), ``p_chi2`` and ``log_ratio``
    (Hardie's log2 ratio of relative frequencies, 0.5 substituted for a zero count). The sign is positive when
    the term is relatively more frequent in the target.
    """
    # chdtrc(1, x) is the chi-square(1) survival function that scipy.stats.chi2.sf(x, 1) calls, without importing
    # scipy.stats (0.5 s more in every report kernel that computes keyness); below 0 (a statistic that rounding
    # left a hair under 0) chdtrc gives NaN where chi2.sf gives 1, hence the clip
    from scipy.special import chdtrc

    def chi2_sf(x: np.ndarray) -> np.ndarray:
        return chdtrc(1, np.maximum(x, 0.0))

    a = np.asarray(target_counts, dtype="float64")
    b = np.asarray(reference_counts, dtype="float64")
    c = float(target_total) - a
    d = float(reference_total) - b
    if (c < 0).any() or (d < 0).any():
        raise ParameterError("a term count exceeds its corpus total: pass the token totals of target and reference")
    n = a + b + c + d
    row1, row2, col1, col2 = a + c, b + d, a + b, c + d  # rows: target/reference; cols: term/other terms
    e11, e12 = row1 * col1 / n, row1 * col2 / n
    e21, e22 = row2 * col1 / n, row2 * col2 / n

    def term(o, e):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(o > 0, o * np.log(o / e), 0.0)

    g2 = 2 * (term(a, e11) + term(c, e12) + term(b, e21) + term(d, e22))
    # Williams (1976) correction for an r x c table, here (r-1)(c-1) = 1.
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1 + (n * (1 / row1 + 1 / row2) - 1) * (n * (1 / col1 + 1 / col2) - 1) / (6 * n)
        g2 = g2 / q
        yates = np.maximum(np.abs(a * d - b * c) - n / 2, 0)
        chi2 = n * yates**2 / (row1 * row2 * col1 * col2)
    sign = np.sign(a - e11)
    sign[sign == 0] = 1
    a_adj = np.where(a == 0, 0.5, a)
    b_adj = np.where(b == 0, 0.5, b)
    log_ratio = np.log2((a_adj / float(target_total)) / (b_adj / float(reference_total)))
    g2 = np.nan_to_num(g2)
    chi2 = np.nan_to_num(chi2)
    return pd.DataFrame(
        {
            "g2": sign * g2,
            "p_g2": chi2_sf(g2),
            "chi2": sign * chi2,
            "p_chi2": chi2_sf(chi2),
            "log_ratio": log_ratio,
        }
    )


def score_keyness(
    data,
    corpus: pd.DataFrame | None = None,
    *,
    by: str,
    target,
    reference=None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    min_count: int = 1,
    ngram: int = 1,
    stopwords=None,
    phrases: Iterable[str] | None = None,
    documents: pd.DataFrame | None = None,
    sort_by: str = "g2",
) -> pd.DataFrame:
    """Keyness of the documents where column ``by`` equals ``target`` against a ``reference`` (default: the rest).

    ``target``/``reference`` are one value or a list of values of ``by`` (e.g. ``by="outlet", target="reuters",
    reference=["sana", "manar"]``). Terms with fewer than ``min_count`` occurrences in target and reference
    together are dropped. Columns: ``term``, ``target_count``, ``reference_count``, ``target_rate`` and
    ``reference_rate`` (per 1,000 tokens), ``g2``, ``p_g2``, ``chi2``, ``p_chi2``, ``log_ratio`` (see
    :func:`score_keyness_counts`); sorted by ``sort_by`` descending (most key for the target first).
    Plot it with :func:`analysis.plots.text.plot_keyness`.
    """
    if by is None:
        raise ParameterError("score_keyness needs `by=` (the column that holds the target, e.g. 'outlet')")
    targets = as_list(target)
    if not targets:
        raise ParameterError("score_keyness needs a `target=` value of the `by` column")
    docs, long = _documents_and_terms(
        data,
        ngram=ngram,
        stopwords=stopwords,
        phrases=phrases,
        documents=corpus if corpus is not None else documents,
        start=start,
        end=end,
        outlets=outlets,
        include_duplicates=include_duplicates,
        need_columns=[by],
    )
    values = set(docs[by].dropna().astype(str))
    refs = as_list(reference)
    unknown = sorted({str(v) for v in targets + refs} - values)
    if unknown:
        raise ParameterError(
            f"{by} value(s) {', '.join(map(repr, unknown))} not in the selected documents; "
            f"available: {', '.join(sorted(values)[:30])}"
        )
    in_target = docs[by].astype(str).isin([str(t) for t in targets])
    in_ref = docs[by].astype(str).isin([str(r) for r in refs]) if refs else ~in_target
    if (in_target & in_ref).any():
        raise ParameterError("target and reference overlap: give disjoint values")
    if not in_ref.any():
        raise ParameterError(f"the reference for keyness is empty: no documents outside target {targets!r}")
    side = np.where(in_target.to_numpy(), 0, np.where(in_ref.to_numpy(), 1, -1))  # per document
    docs = docs.reset_index(drop=True)
    sums = _sum_terms(long, docs, side.astype("int64"), stopwords)
    vocab, term = np.unique(sums["term"].to_numpy(), return_inverse=True)  # terms in sorted order
    cells = np.zeros((len(vocab), 2), dtype="int64")
    np.add.at(cells, (term, sums["group"].to_numpy()), sums["count"].to_numpy())
    t_total = int(docs.loc[in_target.to_numpy(), "n_tokens"].sum())
    r_total = int(docs.loc[in_ref.to_numpy(), "n_tokens"].sum())
    attrs = {"target": ", ".join(map(str, targets)), "reference": ", ".join(map(str, refs)) or "rest", "by": by}
    return _keyness_table(vocab, cells[:, 0], cells[:, 1], t_total, r_total, min_count, sort_by, attrs)


def _keyness_table(vocab, target, reference, t_total: int, r_total: int, min_count: int, sort_by: str, attrs: dict):
    """The keyness table of per-term target and reference counts (see :func:`score_keyness`)."""
    present = (target + reference) >= max(min_count, 1)
    counts = pd.DataFrame({"target": target[present], "reference": reference[present]}, index=vocab[present])
    stats = score_keyness_counts(counts["target"].to_numpy(), counts["reference"].to_numpy(), t_total, r_total)
    table = pd.DataFrame(
        {
            "term": counts.index.to_numpy(),
            "target_count": counts["target"].to_numpy().astype("int64"),
            "reference_count": counts["reference"].to_numpy().astype("int64"),
            "target_rate": counts["target"].to_numpy() / t_total * 1000,
            "reference_rate": counts["reference"].to_numpy() / r_total * 1000,
        }
    )
    table = pd.concat([table, stats], axis=1)
    if sort_by not in ("g2", "chi2", "log_ratio"):
        raise ParameterError(f"sort_by must be 'g2', 'chi2' or 'log_ratio', got {sort_by!r}")
    table = table.sort_values([sort_by, "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table.attrs.update(**attrs, target_tokens=t_total, reference_tokens=r_total)
    return table


def score_keyness_by_group(
    data,
    corpus: pd.DataFrame | None = None,
    *,
    by: str,
    targets: list,
    min_count: int = 1,
    stopwords=None,
    sort_by: str = "g2",
) -> dict[str, pd.DataFrame]:
    """:func:`score_keyness` of each value in ``targets`` against all the other documents, ``{target: table}``.

    The same tables as one ``score_keyness(data, corpus, by=by, target=t)`` per target, from one pass over the
    terms instead of one per target (each reference is the total minus the target: exact integer sums).
    """
    docs, long = _documents_and_terms(
        data,
        ngram=1,
        stopwords=stopwords,
        phrases=None,
        documents=corpus,
        start=None,
        end=None,
        outlets=None,
        include_duplicates=True,
        need_columns=[by],
    )
    docs = docs.reset_index(drop=True)
    labels = docs[by].astype(str)
    targets = [str(t) for t in targets]
    unknown = sorted(set(targets) - set(docs[by].dropna().astype(str)))
    if unknown:
        raise ParameterError(f"{by} value(s) {', '.join(map(repr, unknown))} not in the selected documents")
    code = pd.Index(targets).get_indexer(labels).astype("int64")  # -1: not a target
    code[code < 0] = len(targets)  # every other document: in each target's reference
    sums = _sum_terms(long, docs, code, stopwords)
    vocab, term = np.unique(sums["term"].to_numpy(), return_inverse=True)  # terms in sorted order
    cells = np.zeros((len(vocab), len(targets) + 1), dtype="int64")
    np.add.at(cells, (term, sums["group"].to_numpy()), sums["count"].to_numpy())
    total = cells.sum(axis=1)
    tokens = docs["n_tokens"].groupby(code).sum()
    all_tokens = int(docs["n_tokens"].sum())
    out = {}
    for i, t in enumerate(targets):
        if (code != i).sum() == 0:
            raise ParameterError(f"the reference for keyness is empty: no documents outside target {[t]!r}")
        t_total = int(tokens.get(i, 0))
        attrs = {"target": t, "reference": "rest", "by": by}
        out[t] = _keyness_table(
            vocab, cells[:, i], total - cells[:, i], t_total, all_tokens - t_total, min_count, sort_by, attrs
        )
    return out
