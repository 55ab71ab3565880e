"""Term counts, keyness statistics, collocations and KWIC on the mini corpus, hand-computed tables and FA-KES."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis import concordance as C
from analysis import frequency as F
from analysis.errors import ParameterError
from analysis.text import load_stopwords, tokenize


@pytest.fixture(scope="module")
def fakes(request):
    path = request.getfixturevalue("fakes_csv")
    raw = pd.read_csv(path, encoding="latin-1")
    return pd.DataFrame(
        {
            "doc_id": [f"fakes-{i:04d}" for i in range(len(raw))],
            "outlet": raw["source"],
            "published": pd.to_datetime(raw["date"], format="%m/%d/%Y"),
            "text": raw["article_content"],
            "duplicate_of": None,
        }
    )


# ------------------------------------------------------------------------------------------------------- keyness
def test_keyness_matches_hand_computed_g2():
    # term: 10 of 1,000 target tokens, 5 of 2,000 reference tokens
    a, b, t, r = 10, 5, 1000, 2000
    n = t + r
    e = {"a": t * (a + b) / n, "b": r * (a + b) / n, "c": t * (n - a - b) / n, "d": r * (n - a - b) / n}
    g2 = 2 * (
        a * math.log(a / e["a"])
        + b * math.log(b / e["b"])
        + (t - a) * math.log((t - a) / e["c"])
        + (r - b) * math.log((r - b) / e["d"])
    )
    q = 1 + (n * (1 / t + 1 / r) - 1) * (n * (1 / (a + b) + 1 / (n - a - b)) - 1) / (6 * n)
    yates = n * (abs(a * (r - b) - b * (t - a)) - n / 2) ** 2 / (t * r * (a + b) * (n - a - b))
    got = F.score_keyness_counts([a], [b], t, r).iloc[0]
    assert got["g2"] == pytest.approx(g2 / q, rel=1e-12)
    assert got["chi2"] == pytest.approx(yates, rel=1e-12)
    assert got["log_ratio"] == pytest.approx(math.log2((a / t) / (b / r)))
    # and against scipy's implementations of the uncorrected G2 and Yates' chi-square
    table = np.array([[a, t - a], [b, r - b]])
    assert got["g2"] * q == pytest.approx(
        chi2_contingency(table, correction=False, lambda_="log-likelihood")[0], rel=1e-9
    )
    assert got["chi2"] == pytest.approx(chi2_contingency(table, correction=True)[0], rel=1e-9)
    assert 0 < got["p_g2"] < 0.05


def test_keyness_signs_and_zero_counts():
    got = F.score_keyness_counts([0, 20, 5], [30, 0, 10], 1000, 2000)
    assert got.loc[0, "g2"] < 0 and got.loc[0, "chi2"] < 0 and got.loc[0, "log_ratio"] < 0
    assert got.loc[1, "g2"] > 0 and np.isfinite(got.loc[1, "log_ratio"])
    assert got.loc[2, "log_ratio"] == 0 and abs(got.loc[2, "g2"]) < 1e-9 and got.loc[2, "p_g2"] == pytest.approx(1)
    with pytest.raises(ParameterError):
        F.score_keyness_counts([2000], [1], 1000, 2000)


def test_keyness_p_values_are_scipy_stats_chi2_sf_exactly():
    from scipy.stats import chi2

    rng = np.random.default_rng(7)
    a, b = rng.integers(1, 400, 2_000), rng.integers(1, 400, 2_000)
    got = F.score_keyness_counts(a, b, 500_000, 800_000)
    np.testing.assert_array_equal(got["p_g2"].to_numpy(), chi2.sf(got["g2"].abs().to_numpy(), 1))
    np.testing.assert_array_equal(got["p_chi2"].to_numpy(), chi2.sf(got["chi2"].abs().to_numpy(), 1))
    balanced = F.score_keyness_counts([5], [10], 1000, 2000).iloc[0]  # observed = expected: p is 1, not NaN
    assert balanced["p_g2"] == 1.0 and balanced["p_chi2"] == 1.0


def test_score_keyness_on_corpus(mini_corpus):
    key = F.score_keyness(mini_corpus, by="outlet", target="gulf-monitor", stopwords=True)
    assert key["g2"].is_monotonic_decreasing
    gulf = Counter(t for text in mini_corpus.loc[mini_corpus.outlet == "gulf-monitor", "text"] for t in tokenize(text))
    rest = Counter(t for text in mini_corpus.loc[mini_corpus.outlet != "gulf-monitor", "text"] for t in tokenize(text))
    row = key.set_index("term").loc["raqqa"]
    assert (row["target_count"], row["reference_count"]) == (gulf["raqqa"], rest["raqqa"])
    assert key.attrs["target_tokens"] == sum(gulf.values()) and key.attrs["reference_tokens"] == sum(rest.values())
    assert not set(key["term"]) & load_stopwords()
    ab = F.score_keyness(mini_corpus, by="outlet", target="gulf-monitor", reference="northern-herald")
    assert ab.attrs["reference"] == "northern-herald"
    with pytest.raises(ParameterError, match="not in the selected"):
        F.score_keyness(mini_corpus, by="outlet", target="nonexistent-outlet")
    with pytest.raises(ParameterError, match="no column"):
        F.score_keyness(mini_corpus, by="newspaper", target="x")


# ------------------------------------------------------------------------------------------------------ counts
def test_count_terms_overall_and_by_group(mini_corpus):
    overall = F.count_terms(mini_corpus)
    expected = Counter(t for text in mini_corpus["text"] for t in tokenize(text))
    assert dict(zip(overall["term"], overall["count"])) == dict(expected)
    top = overall.iloc[0]
    assert top["count"] == max(expected.values()) and top["rank"] == 1
    assert top["rate_per_1000"] == pytest.approx(top["count"] / sum(expected.values()) * 1000)
    mosul_docs = sum("mosul" in tokenize(t) for t in mini_corpus["text"])
    assert overall.set_index("term").loc["mosul", "doc_freq"] == mosul_docs

    by = F.count_terms(mini_corpus, by="outlet", stopwords=True, min_count=2)
    assert set(by["outlet"]) <= set(mini_corpus["outlet"])
    assert by["count"].min() >= 2 and not set(by["term"]) & load_stopwords()
    herald = by[by["outlet"] == "northern-herald"]
    assert herald["count"].is_monotonic_decreasing and herald["rank"].tolist() == list(range(1, len(herald) + 1))


def test_count_terms_duplicates_periods_ngrams(mini_corpus):
    with_dup = F.count_terms(mini_corpus).set_index("term")
    without = F.count_terms(mini_corpus, include_duplicates=False).set_index("term")
    assert with_dup.loc["offensive", "count"] == without.loc["offensive", "count"] * 2
    monthly = F.count_terms(mini_corpus, freq="M")
    assert "period" in monthly and monthly["period"].notna().all()  # the undated article is dropped
    assert set(monthly["period"].dt.day) == {1}
    bigrams = F.count_terms(mini_corpus, ngram=2, stopwords=True)
    assert "islamic state" in set(bigrams["term"]) and "the islamic" not in set(bigrams["term"])
    phrases = F.count_terms(mini_corpus, phrases=["Islamic State"])
    assert "islamic_state" in set(phrases["term"])


def test_count_terms_bad_options(mini_corpus):
    with pytest.raises(ParameterError, match="no column 'newspaper'"):
        F.count_terms(mini_corpus, by="newspaper")
    with pytest.raises(ParameterError, match="invalid frequency"):
        F.count_terms(mini_corpus, freq="fortnight")
    with pytest.raises(ParameterError, match="ngram"):
        F.count_terms(mini_corpus, ngram=0)
    with pytest.raises(ParameterError, match="documents="):
        F.count_terms(pd.DataFrame({"doc_id": ["a"], "term": ["x"], "count": [1]}))


def test_count_terms_from_analysis_equals_corpus(mini_corpus, tmp_path):
    from analysis.pipeline import analyze_corpus
    from analysis.tables import save_table

    save_table(mini_corpus.sort_values("doc_id"), tmp_path / "corpus.parquet")
    result = analyze_corpus(tmp_path / "corpus.parquet", tmp_path / "out", progress=False)
    a = F.count_terms(result, by="outlet", freq="Y", stopwords=True)
    b = F.count_terms(mini_corpus, by="outlet", freq="Y", stopwords=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    c = F.count_terms(result.terms, documents=result.documents, by="outlet", freq="Y", stopwords=True)
    pd.testing.assert_frame_equal(c, b, check_dtype=False)
    ka = F.score_keyness(result, by="outlet", target="gulf-monitor", stopwords=True)
    kb = F.score_keyness(mini_corpus, by="outlet", target="gulf-monitor", stopwords=True)
    pd.testing.assert_frame_equal(ka, kb, check_dtype=False)
    with pytest.raises(ParameterError, match="need the article text"):
        F.count_terms(result, ngram=2)


def test_terms_summed_in_duckdb_equal_the_pandas_tables(mini_corpus, tmp_path):
    """An analysis is summed in DuckDB from terms.parquet, its loaded terms table in pandas: the same tables."""
    from analysis.pipeline import analyze_corpus
    from analysis.tables import save_table

    save_table(mini_corpus.sort_values("doc_id"), tmp_path / "corpus.parquet")
    result = analyze_corpus(tmp_path / "corpus.parquet", tmp_path / "out", progress=False)
    docs = result.documents[result.documents["doc_id"] != "m03"]  # a selection
    for kw in ({"stopwords": True}, {"by": "outlet", "freq": "M"}, {"freq": "Y", "min_count": 2}):
        pd.testing.assert_frame_equal(F.count_terms(result, docs, **kw), F.count_terms(result.terms, docs, **kw))
    outlets = sorted(docs["outlet"].unique())[:2]
    by_group = F.score_keyness_by_group(result, docs, by="outlet", targets=outlets, stopwords=True)
    for outlet in outlets:
        one = F.score_keyness(result.terms, docs, by="outlet", target=outlet, stopwords=True)
        pd.testing.assert_frame_equal(by_group[outlet], one)
        assert by_group[outlet].attrs == one.attrs
        assert one["target_count"].sum() > 0


def test_term_sums_of_one_pass_give_the_tables_of_the_file(mini_corpus, tmp_path, monkeypatch):
    """sum_terms sums the terms once per outlet x year cell: the term table and the keyness tables by outlet and by
    year from it are those summed from the file, with one pass; a grouping that splits a cell (months), other
    articles or other stopwords are summed from the file again, and still give its tables."""
    from analysis import aggregate
    from analysis import notebook as N
    from analysis.pipeline import analyze_corpus
    from analysis.tables import save_table

    save_table(mini_corpus.sort_values("doc_id"), tmp_path / "corpus.parquet")
    result = analyze_corpus(tmp_path / "corpus.parquet", tmp_path / "out", progress=False)
    docs = result.documents[result.documents["doc_id"] != "m03"].reset_index(drop=True)  # a selection
    expected = [
        F.count_terms(result, docs, stopwords=True),
        N.score_key_terms(result, docs, by="outlet", top=2, min_count=1, max_p=1.0),
        N.score_key_terms(result, docs, freq="Y", min_count=1, max_p=1.0),
    ]
    passes = []
    real = aggregate.sum_term_codes_by_group
    monkeypatch.setattr(aggregate, "sum_term_codes_by_group", lambda *a, **k: passes.append(1) or real(*a, **k))
    sums = F.sum_terms(result, docs, by="outlet", freq="Y", top=2, stopwords=True)
    assert isinstance(sums, F.TermSums) and len(passes) == 1
    got = [
        F.count_terms(sums, docs, stopwords=True),
        N.score_key_terms(sums, docs, by="outlet", top=2, min_count=1, max_p=1.0),
        N.score_key_terms(sums, docs, freq="Y", min_count=1, max_p=1.0),
    ]
    assert len(passes) == 1  # no further pass over the file
    for a, b in zip(got, expected):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert expected[0]["count"].sum() > 0 and (expected[1]["key_terms"] != "–").all()
    years = F.sum_terms(result, docs, freq="Y", stopwords=True)  # cells of 2 articles in 2016 and 2017
    assert len(passes) == 2 and years.cells.max() == 2
    pd.testing.assert_frame_equal(N.score_key_terms(years, docs, freq="Y", min_count=1, max_p=1.0), expected[2])
    assert len(passes) == 2
    months = docs.assign(month=docs["published"].dt.month.astype("Int64"))
    split = F.score_keyness_by_group(years, months, by="month", targets=[10], stopwords=True)
    assert len(passes) == 3  # months split the 2017 cell: summed from the file
    pd.testing.assert_frame_equal(
        split["10"], F.score_keyness_by_group(result, months, by="month", targets=[10], stopwords=True)["10"]
    )
    pd.testing.assert_frame_equal(  # outlets split the 2016 cell
        N.score_key_terms(years, docs, by="outlet", top=2, min_count=1, max_p=1.0), expected[1]
    )
    assert len(passes) == 5
    pd.testing.assert_frame_equal(F.count_terms(years, docs), F.count_terms(result, docs))  # stopwords kept
    fewer = docs[docs["doc_id"] != "m01"]  # one article less: its cell is split
    pd.testing.assert_frame_equal(
        F.count_terms(years, fewer, stopwords=True), F.count_terms(result, fewer, stopwords=True)
    )
    assert len(passes) == 9
    assert F.sum_terms(result.terms, docs) is result.terms  # a DataFrame: nothing to sum once


# -------------------------------------------------------------------------------------------------- collocations
def test_collocations_on_written_text(mini_corpus):
    col = C.find_collocations(mini_corpus, min_count=2)
    assert "islamic state" in set(col["collocation"])
    assert (col["count"] >= 2).all() and col["score"].is_monotonic_decreasing
    with pytest.raises(ParameterError, match="unknown measure"):
        C.find_collocations(mini_corpus, measure="cosine")


@pytest.mark.shared
def test_collocations_on_fakes(fakes):
    lr = C.find_collocations(fakes, measure="likelihood_ratio", min_count=10, top=20)
    assert {"human rights", "islamic state"} <= set(lr["collocation"])
    pmi = C.find_collocations(fakes, measure="pmi", min_count=10, top=20)
    assert (pmi["count"] >= 10).all() and pmi["measure"].eq("pmi").all()
    assert lr["collocation"].tolist() != pmi["collocation"].tolist()
    tri = C.find_collocations(fakes, size=3, min_count=20, top=10)
    assert "syrian observatory human" not in set(tri["collocation"])  # "for" is a stopword: dropped


# ----------------------------------------------------------------------------------------------------------- KWIC
def test_kwic_phrase_and_glob_on_written_text(mini_corpus):
    kw = C.find_kwic(mini_corpus, "Islamic State", window=3)
    assert len(kw) == sum(t.lower().count("islamic state") for t in mini_corpus["text"])
    assert kw["match"].str.lower().eq("islamic state").all()
    assert kw.loc[kw.doc_id == "m01", "left"].iloc[0] == "Mosul from the"
    assert (kw["left"].str.split().str.len() <= 3).all() and (kw["right"].str.split().str.len() <= 3).all()
    glob = C.find_kwic(mini_corpus, ["liberat*", "captur*"], window=2)
    assert glob["match"].str.lower().str.match(r"liberat|captur").all() and len(glob) > 0
    assert list(glob.columns) == [
        "doc_id",
        "outlet",
        "published",
        "title",
        "pattern",
        "token_start",
        "token_end",
        "left",
        "match",
        "right",
    ]
    assert C.find_kwic(mini_corpus, "xyzzy").empty


@pytest.mark.shared
def test_kwic_multiword_phrase_on_fakes(fakes):
    kw = C.find_kwic(fakes, "Syrian Observatory for Human Rights", window=4)
    expected = fakes["text"].str.count(r"(?i)\bsyrian\s+observatory\s+for\s+human\s+rights\b").sum()
    assert len(kw) == expected > 100
    assert kw["match"].str.lower().eq("syrian observatory for human rights").all()
    assert (kw["token_end"] - kw["token_start"] == 5).all()
    assert kw["outlet"].notna().all() and kw["published"].notna().all()


# --------------------------------------------------------------------------------------------------------- plots
def test_plot_keyness_and_dispersion(mini_corpus):
    from matplotlib.figure import Figure

    from analysis.plots.text import plot_dispersion, plot_keyness

    key = F.score_keyness(mini_corpus, by="outlet", target="gulf-monitor", stopwords=True)
    fig = plot_keyness(key, n=5, max_p=None)
    assert isinstance(fig, Figure)
    bars = fig.axes[0].patches
    assert len(bars) == (key["g2"] > 0).head(5).sum() + (key["g2"] < 0).tail(5).sum()
    assert "gulf-monitor" in fig.axes[0].get_title()
    fig = plot_dispersion(mini_corpus, ["Islamic State", "Raqqa"], label="title")
    kw = C.find_kwic(mini_corpus, ["Islamic State", "Raqqa"])
    marks = [len(ax.collections[0].get_offsets()) for ax in fig.axes[:2]]
    assert marks == [int((kw["pattern"] == "Islamic State").sum()), int((kw["pattern"] == "Raqqa").sum())]
    assert isinstance(plot_dispersion(mini_corpus, "xyzzy"), Figure)


def test_kwic_glob_and_word_match_inside_hyphenated_compounds():
    docs = pd.DataFrame(
        {
            "doc_id": ["h1"],
            "outlet": ["wire"],
            "published": pd.to_datetime(["2017-07-10"]),
            "title": ["Mosul"],
            "text": ["Crowds filled the newly-liberated streets. A Raqqa-based monitor counted the deliberate fires."],
        }
    )
    for pattern in ("liberat*", "*liberated", "liberated"):
        kw = C.find_kwic(docs, pattern)
        assert kw["match"].tolist() == ["newly-liberated"], pattern
    assert C.find_kwic(docs, "Raqqa")["match"].tolist() == ["Raqqa-based"]
    assert C.find_kwic(docs, "liberat*")["match"].tolist() == ["newly-liberated"]  # not "deliberate"


def test_kwic_by_sentence_gives_the_pipelines_sent_id_and_the_whole_sentence(mini_corpus):
    from analysis.pipeline import build_sentences

    kw = C.find_kwic(mini_corpus, "Mosul", unit="sentence")
    assert len(kw) == len(C.find_kwic(mini_corpus, "Mosul")) > 0
    assert {"sent_id", "outlet", "published", "title"} <= set(kw.columns)
    sentences = build_sentences(mini_corpus).set_index(["doc_id", "sent_id"])["text"]
    ws = re.compile(r"\s+")
    for row in kw.itertuples():
        whole = ws.sub(" ", sentences[(row.doc_id, row.sent_id)]).strip()
        assert " ".join(p for p in (row.left, row.match, row.right) if p) == whole
        assert row.title == mini_corpus.set_index("doc_id").loc[row.doc_id, "title"]
    with pytest.raises(ParameterError, match="unit"):
        C.find_kwic(mini_corpus, "Mosul", unit="paragraph")
