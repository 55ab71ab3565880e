"""The report path's counts from an analysis' parquet files (DuckDB, or only the rows and columns needed) equal the
counts from the tables loaded into pandas, on the mini corpus analysed by the real pipeline."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import actors, frames
from analysis.corpus import load_corpus
from analysis.errors import ParameterError
from analysis.pipeline import load_analysis


@pytest.fixture()
def loaded(built):
    corpus_path, analysis_path = built
    return corpus_path, load_corpus(corpus_path), load_analysis(analysis_path)


def test_mention_counts_from_the_file_equal_the_loaded_table(loaded):
    _, corpus, result = loaded
    names = result.dictionary
    cases = [
        {"kind": "actor"},
        {"kind": "actor", "freq": "M"},
        {"kind": "actor", "by": "outlet"},
        {"kind": "place", "roll_up": "city"},
        {"kind": "place", "roll_up": "province", "freq": "Y", "include_duplicates": False},
        {"kind": None, "min_count": 2},
    ]
    for options in cases:
        expected = actors.count_mentions(result.mentions, corpus, dictionary=names, **options)
        assert len(expected) and expected["n_mentions"].sum() > 0
        pd.testing.assert_frame_equal(actors.count_mentions(result, corpus, dictionary=names, **options), expected)
    some = sorted(result.mentions.loc[result.mentions["kind"] == "actor", "actor_id"].unique())[:2]
    pd.testing.assert_frame_equal(
        actors.count_mentions(result, corpus, kind="actor", actors=[*some, "not-an-actor"], dictionary=names),
        actors.count_mentions(result.mentions, corpus, kind="actor", actors=[*some, "not-an-actor"], dictionary=names),
    )
    with pytest.raises(ParameterError, match="none of the actors"):
        actors.count_mentions(result, corpus, actors=["not-an-actor"], dictionary=names)


def test_one_pass_of_mention_sums_serves_the_tables_its_cells_refine(loaded, monkeypatch):
    """sum_mentions counts per outlet x month cell once; the tables overall, by outlet and by month (or year) come
    from the cells with the counts of the file; a table the cells cannot give is counted from the file."""
    from analysis.actors import mention_counts

    _, corpus, result = loaded
    names = result.dictionary
    assert corpus["outlet"].nunique() > 1
    sums = actors.sum_mentions(result, corpus, by="outlet", freq="M", kind="actor", dictionary=names)
    whole = actors.sum_mentions(result, corpus, kind="actor", dictionary=names)  # one cell: all articles
    part = actors.sum_mentions(result, corpus.iloc[1:], kind="actor", dictionary=names)  # an article left out
    served = [{}, {"freq": "M"}, {"by": "outlet"}, {"freq": "Y", "by": "outlet"}, {"include_duplicates": False}]
    cases = [(sums, o) for o in served]
    cases += [(sums, {"kind": "place"}), (sums, {"kind": None}), (whole, {"by": "outlet"}), (part, {})]
    passes, real = [], mention_counts.aggregate.count_rows_by_group

    def counting(*args, **kwargs):
        passes.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mention_counts.aggregate, "count_rows_by_group", counting)
    for n, (source, options) in enumerate(cases):
        options = {"kind": "actor", **options}
        before = len(passes)
        got = actors.count_mentions(source, corpus, dictionary=names, **options)
        assert len(passes) - before == (0 if n < len(served) else 1), options  # served: no pass over the file
        assert len(got) and got["n_mentions"].sum() > 0
        pd.testing.assert_frame_equal(got, actors.count_mentions(result, corpus, dictionary=names, **options))
    assert actors.sum_mentions(result.mentions, corpus) is result.mentions  # a DataFrame is passed through


def test_cooccurrence_and_tone_from_the_file_equal_the_loaded_tables(loaded):
    _, corpus, result = loaded
    names = result.dictionary
    for options in [
        {"level": "sentence"},
        {"level": "document", "corpus": corpus},
        {"level": "sentence", "kind": None},
    ]:
        expected = actors.count_cooccurrence(result.mentions, dictionary=names, **options)
        assert len(expected)
        pd.testing.assert_frame_equal(actors.count_cooccurrence(result, dictionary=names, **options), expected)
    for options in [{"kind": "actor"}, {"kind": "actor", "method": "sentence", "by": "outlet"}, {"kind": None}]:
        expected = actors.score_actor_tone(result.mentions, result.sentences, corpus, dictionary=names, **options)
        assert len(expected) and expected["n_sentences"].sum() > 0
        got = actors.score_actor_tone(result, result, corpus, dictionary=names, **options)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_frame_and_event_counts_from_the_files_equal_the_loaded_tables(loaded):
    _, corpus, result = loaded
    for options in [{"presence": "model"}, {"presence": "dictionary", "freq": "M"}, {"by": "outlet"}]:
        expected = frames.count_frames(result.frames, corpus, codebook=result.codebook, **options)
        assert expected["n_docs"].sum() > 0
        pd.testing.assert_frame_equal(
            frames.count_frames(result, corpus, codebook=result.codebook, **options), expected
        )
    counters = [
        (frames.count_labels, "labels", [{}, {"by": "outlet", "freq": "Y"}, {"include_target": True}]),
        (frames.count_territorial_verbs, "territorial_verbs", [{}, {"include_lemma": True, "by": "outlet"}]),
        (frames.count_attributions, "attributions", [{}, {"by": "outlet"}, {"freq": "M", "min_count": 1}]),
    ]
    for count, table, cases in counters:
        assert len(result.table(table)), table
        for options in cases:
            expected = count(result.table(table), corpus, **options)
            assert expected["n"].sum() > 0
            pd.testing.assert_frame_equal(count(result, corpus, **options), expected)


def test_unlisted_names_read_from_the_corpus_file_equal_those_of_the_texts(loaded):
    corpus_path, corpus, _ = loaded
    expected = actors.find_unlisted_names(corpus, min_count=1)
    assert len(expected)
    without_text = corpus.drop(columns="text")
    pd.testing.assert_frame_equal(
        actors.find_unlisted_names(without_text, min_count=1, corpus_file=corpus_path), expected
    )
    some = corpus.iloc[[0, 2, 3]]
    pd.testing.assert_frame_equal(
        actors.find_unlisted_names(some[["doc_id"]], min_count=1, corpus_file=corpus_path),
        actors.find_unlisted_names(some, min_count=1),
    )


def test_unlisted_names_from_the_file_equal_the_loaded_table(loaded):
    corpus_path, corpus, result = loaded
    table = result.table("unlisted_mentions")
    assert (table["kind"] == "unlisted").any()
    for options in [{"min_count": 1}, {"min_count": 1, "top": 3}, {"min_count": 2}]:
        expected = actors.count_unlisted_names(table, corpus, **options)
        got = actors.count_unlisted_names(result, corpus[["doc_id"]], corpus_file=corpus_path, **options)
        pd.testing.assert_frame_equal(got, expected)
    assert actors.count_unlisted_names(table, corpus, min_count=1)["context"].notna().all()


def test_tone_from_a_large_file_in_actor_batches_is_bit_identical(loaded, monkeypatch):
    """A mentions file is averaged in DuckDB and numpy a batch of actors at a time, with the figures of the pandas
    path to the last bit."""
    from analysis.actors import tone

    _, corpus, result = loaded
    names = result.dictionary
    cases = [
        {"kind": "actor"},
        {"kind": None, "by": "outlet", "freq": "M"},
        {"kind": "place", "min_count": 2},
        {"kind": "actor", "include_duplicates": False, "freq": "Y"},
    ]
    loaded_tables = [
        actors.score_actor_tone(result.mentions, result.sentences, corpus, dictionary=names, **options)
        for options in cases
    ]
    assert tone._actor_batches(result, kind=None, actors=None, method="target") == [None]  # one batch
    monkeypatch.setattr(tone, "TONE_BATCH_ROWS", 3)
    assert len(tone._actor_batches(result, kind=None, actors=None, method="target")) > 2
    for options, expected in zip(cases, loaded_tables):
        got = actors.score_actor_tone(result, result, corpus, dictionary=names, **options)
        assert len(got) and (got["n_sentences"] > got["n_articles"]).any()  # units of several sentences an article
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # a DataFrame, or the sentence method, is the pandas path whatever the size
    assert tone._actor_batches(result.mentions, kind=None, actors=None, method="target") is None
    assert tone._actor_batches(result, kind=None, actors=None, method="sentence") is None


def test_frame_counts_from_the_file_are_bit_identical_to_the_loaded_table(loaded):
    """Counted in DuckDB from frames.parquet, the prevalence and the mean scores equal pandas' to the last bit."""
    _, corpus, result = loaded
    cases = [{}, {"presence": "model", "by": "outlet", "freq": "M"}, {"threshold": 0.2}, {"presence": "dictionary"}]
    for options in cases:
        expected = frames.count_frames(result.frames, corpus, **options)
        assert expected["n_present"].sum() > 0 and expected["mean_score"].notna().any()
        got = frames.count_frames(result, corpus, **options)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    some = corpus.iloc[::3]  # a selection of the articles
    pd.testing.assert_frame_equal(
        frames.count_frames(result, some, by="outlet"),
        frames.count_frames(result.frames, some, by="outlet"),
        check_exact=True,
    )


def test_one_pass_of_frame_sums_serves_the_tables_its_cells_refine(loaded, monkeypatch):
    """sum_frames counts per outlet x month cell and score once; the prevalence tables overall, by outlet and by
    month (or year) come from the cells, mean scores to the last bit; any other table is counted from the file."""
    from analysis import aggregate

    _, corpus, result = loaded
    assert corpus["outlet"].nunique() > 1
    sums = frames.sum_frames(result, corpus, by="outlet", freq="M", presence="dictionary")
    whole = frames.sum_frames(result, corpus, presence="dictionary")  # one cell: all articles
    part = frames.sum_frames(result, corpus.iloc[1:], presence="dictionary")  # an article left out
    served = [{}, {"freq": "M", "min_docs": 2}, {"by": "outlet"}, {"freq": "Y", "by": "outlet"}]
    served += [{"include_duplicates": False}]
    cases = [(sums, o) for o in served]
    cases += [(sums, {"presence": "model"}), (sums, {"presence": None}), (whole, {"by": "outlet"}), (part, {})]
    passes, real = [], aggregate.summarise_rows_by_group

    def counting(*args, **kwargs):
        passes.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregate, "summarise_rows_by_group", counting)
    for n, (source, options) in enumerate(cases):
        options = {"presence": "dictionary", **options}
        before = len(passes)
        got = frames.count_frames(source, corpus, codebook=result.codebook, **options)
        assert len(passes) - before == (0 if n < len(served) else 1), options  # served: no pass over the file
        assert got["n_present"].sum() > 0 and got["mean_score"].notna().any()
        expected = frames.count_frames(result.frames, corpus, codebook=result.codebook, **options)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert frames.sum_frames(result.frames, corpus) is result.frames  # a DataFrame is passed through


def test_counted_means_equal_fsum_of_the_rows():
    """A mean from (value, count) pairs is math.fsum of the rows over their number, to the bit."""
    import math

    import numpy as np

    from analysis.aggregate import find_counted_means

    rng = np.random.default_rng(7)
    for trial in range(200):
        k = int(rng.integers(1, 9))
        pool = [0.0, 0.25, 1 / 3, 2 / 3, 0.2, 0.1, 0.7, 1e-300, 1e300, -5.5, 0.3]
        values = (
            rng.choice(pool, size=k, replace=False) if trial % 2 else rng.standard_normal(k) * 10.0 ** (trial % 40 - 20)
        )
        counts = rng.integers(1, 3000, size=k)
        group = rng.integers(0, 3, size=k)
        got = find_counted_means(values, counts, group, 4)
        for g in range(4):
            rows = np.repeat(values[group == g], counts[group == g])
            assert (np.isnan(got[g]) and not len(rows)) or got[g] == math.fsum(rows) / len(rows)
    assert np.isnan(find_counted_means(np.array([1.0, np.nan]), np.array([2, 1]), np.array([0, 0]), 1)[0])


def test_analysis_documents_reads_only_the_columns_asked_for(loaded):
    from analysis import notebook

    _, corpus, result = loaded
    some = corpus.iloc[1::2]
    whole = notebook.analysis_documents(result, some)
    assert len(whole) == len(some) and {"title", "n_tokens"} <= set(whole.columns)
    narrow = notebook.analysis_documents(result, some, columns=["published", "n_tokens"])
    assert list(narrow.columns) == ["doc_id", "published", "n_tokens"]
    pd.testing.assert_frame_equal(narrow, whole[["doc_id", "published", "n_tokens"]])
    from_frame = notebook.analysis_documents(result.documents, some, columns=["n_tokens"])
    pd.testing.assert_frame_equal(from_frame, whole[["doc_id", "n_tokens"]])
