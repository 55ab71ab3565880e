"""The one selector and keyer: select_documents and group_documents, and the documents= bug it replaces."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import frequency, selection
from analysis.errors import ParameterError
from analysis.pipeline import analyze_corpus
from analysis.tables import save_table


def test_group_documents_keys_missing_groups_and_empty_periods(mini_corpus):
    corpus = mini_corpus.copy()
    corpus.loc[corpus.index[0], "outlet"] = None
    g = selection.group_documents(corpus, by="outlet", freq="M")
    assert g.keys == ["outlet", "period"]  # one order everywhere: groups, then time
    assert selection.MISSING_GROUP in set(g.docs["outlet"])
    assert g.n_undated == int(corpus["published"].isna().sum())
    grid = g.grid()
    assert list(grid.columns) == ["outlet", "period"]
    months = pd.period_range(corpus["published"].min(), corpus["published"].max(), freq="M")
    assert len(grid) == g.docs["outlet"].nunique() * len(months)  # every month, also those without articles
    assert grid.equals(grid.sort_values(["outlet", "period"]).reset_index(drop=True))


def test_group_documents_selects_like_select_documents(mini_corpus):
    g = selection.group_documents(mini_corpus, by=["outlet"], include_duplicates=False)
    assert "m02" not in set(g.docs["doc_id"]) and g.keys == ["outlet"]
    with pytest.raises(ParameterError, match="unknown outlet"):
        selection.group_documents(mini_corpus, outlets=["nowhere"])
    with pytest.raises(ParameterError, match="freq="):
        selection.group_documents(mini_corpus, by="period")
    with pytest.raises(ParameterError, match="no column 'desk'"):
        selection.group_documents(mini_corpus, by="desk")


def test_label_groups_top_folds_the_smallest_deterministically():
    values = pd.Series(["b", "a", "a", "c", "c", None, " "])
    assert selection.label_groups(values).tolist() == ["b", "a", "a", "c", "c", "(none)", "(none)"]
    assert selection.label_groups(values, top=2).tolist() == ["other", "a", "a", "other", "other", "(none)", "(none)"]


def _two_outlets(mini_corpus, n_sana: int, n_other: int) -> pd.DataFrame:
    rows = []
    for i in range(n_sana + n_other):
        row = mini_corpus.iloc[i % len(mini_corpus)].copy()
        row["doc_id"] = f"d{i:03d}"
        row["outlet"] = "sana" if i < n_sana else "other-news"
        row["duplicate_of"] = None
        rows.append(row)
    return pd.DataFrame(rows).reset_index(drop=True)


def test_count_terms_documents_restricts_an_analysis(tmp_path, mini_corpus):
    """The documents= bug: with an analysis, documents= was overwritten and every article was counted."""
    corpus = _two_outlets(mini_corpus, 5, 9)
    path = save_table(corpus, tmp_path / "articles.parquet")
    result = analyze_corpus(path, tmp_path / "analysis", progress=False, stages=["analysis.frequency:analyze_chunk"])
    sana = result.documents[result.documents["outlet"] == "sana"]
    counted = frequency.count_terms(result, documents=sana)
    assert counted["n_docs"].unique().tolist() == [5]
    everything = frequency.count_terms(result)
    assert everything["n_docs"].unique().tolist() == [14]
    # the same counts as counting SANA's articles from the text
    from_text = frequency.count_terms(corpus[corpus["outlet"] == "sana"])
    pd.testing.assert_frame_equal(counted, from_text)
    # corpus rows (no n_tokens column) select the same articles
    pd.testing.assert_frame_equal(frequency.count_terms(result, documents=corpus[corpus["outlet"] == "sana"]), counted)
    key = frequency.score_keyness(result, documents=result.documents, by="outlet", target="sana")
    key_sana_only = frequency.score_keyness(
        result, documents=result.documents[result.documents["doc_id"] != "d000"], by="outlet", target="sana"
    )
    assert not key.equals(key_sana_only)  # documents= changes the result: it is used


def test_every_table_function_keys_groups_then_periods_with_empty_periods(mini_corpus):
    from analysis import actors, frames, timeseries
    from analysis.pipeline import build_sentences

    corpus = mini_corpus
    sentences = build_sentences(corpus)
    mentions = actors.find_mentions(corpus, sentences=sentences)
    scores = frames.score_frames(corpus, sentences=sentences).scores
    labels = frames.find_labels(corpus, sentences=sentences, mentions=mentions)
    tables = {
        "count_articles": timeseries.count_articles(corpus, by="outlet", freq="M"),
        "count_terms": frequency.count_terms(corpus, by="outlet", freq="M"),
        "count_mentions": actors.count_mentions(mentions, corpus, by="outlet", freq="M"),
        "score_actor_tone": actors.score_actor_tone(
            mentions, sentences.assign(vader_compound=0.1), corpus, by="outlet", freq="M"
        ),
        "count_frames": frames.count_frames(scores, corpus, by="outlet", freq="M"),
        "count_labels": frames.count_labels(labels, corpus, by="outlet", freq="M"),
        "score_by_period": timeseries.score_by_period(
            corpus[["doc_id"]].assign(s=1.0), corpus, value="s", by="outlet", freq="M"
        ),
    }
    for name, table in tables.items():
        assert list(table.columns[:2]) == ["outlet", "period"], name
        keys = table[["outlet", "period"]]
        assert keys.equals(keys.sort_values(["outlet", "period"], kind="stable")), name
    dated = corpus[corpus["published"].notna()]
    months = pd.period_range(dated["published"].min(), dated["published"].max(), freq="M").start_time
    for name in ("count_articles", "count_mentions", "count_frames", "count_labels"):
        table = tables[name]
        for _, part in table.groupby("outlet"):  # every month of the window, zeros included
            assert set(months) <= set(part["period"]), name
    empty = tables["count_mentions"]
    empty = empty[empty["n_articles"] == 0]
    assert len(empty) and (empty["n_mentions"] == 0).all()


def test_min_count_is_the_row_count_and_min_docs_the_group_size(mini_corpus):
    from analysis import actors

    mentions = actors.find_mentions(mini_corpus)
    every = actors.count_mentions(mentions, mini_corpus, by="outlet")
    assert (every["n_mentions"] == 0).any()  # zeros are listed by default
    two = actors.count_mentions(mentions, mini_corpus, by="outlet", min_count=2)
    assert (two["n_mentions"] >= 2).all() and len(two) == (every["n_mentions"] >= 2).sum()
    sizes = mini_corpus["outlet"].value_counts()
    big = actors.count_mentions(mentions, mini_corpus, by="outlet", min_docs=int(sizes.max()))
    assert set(big["outlet"]) == set(sizes[sizes == sizes.max()].index)
    assert actors.count_mentions(mentions, mini_corpus, by="outlet", min_docs=int(sizes.max()) + 1).empty
