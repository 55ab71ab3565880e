"""VADER through NLTK with the vaderSentiment lexicon: identical to NLTK's own analyzer, sensible signs, aggregates."""

from __future__ import annotations

import hashlib
import zipfile
from importlib import resources

import nltk
import numpy as np
import pandas as pd
import pytest

from analysis import sentiment as S

WRITTEN = [
    "The air strike killed 20 civilians and wounded dozens more.",
    "Residents celebrated the liberation of the city with joy and relief.",
    "The meeting took place on Monday in Geneva.",
    "Aid agencies warned of a catastrophic humanitarian disaster.",
    "The ceasefire was a great success, officials said, praising the peaceful handover.",
    "It was not a good day for the coalition.",
]


@pytest.fixture(scope="module")
def nltk_vader(tmp_path_factory):
    """NLTK's own SentimentIntensityAnalyzer set up the way NLTK documents it: a vader_lexicon.zip on its data path."""
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    root = tmp_path_factory.mktemp("nltk_data")
    (root / "sentiment").mkdir()
    lexicon = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8").strip("\n")
    with zipfile.ZipFile(root / "sentiment" / "vader_lexicon.zip", "w") as zf:
        zf.writestr("vader_lexicon/vader_lexicon.txt", lexicon)
    nltk.data.path.insert(0, str(root))
    try:
        yield SentimentIntensityAnalyzer()
    finally:
        nltk.data.path.remove(str(root))


def _read_groundtruth(path):
    return pd.read_csv(path, sep="\t", header=None, names=["id", "rating", "text"], quoting=3, encoding="utf-8")


def test_identical_to_nltk_vader_on_written_sentences(nltk_vader):
    ours = S.score_sentences(WRITTEN)
    theirs = pd.DataFrame([nltk_vader.polarity_scores(t) for t in WRITTEN])
    np.testing.assert_array_equal(ours["vader_compound"], theirs["compound"])
    np.testing.assert_array_equal(
        ours[["vader_neg", "vader_neu", "vader_pos"]].to_numpy(), theirs[["neg", "neu", "pos"]].to_numpy()
    )


@pytest.mark.shared
def test_identical_to_nltk_vader_on_real_sentences(nltk_vader, vader_groundtruth_dir):
    snippets = _read_groundtruth(vader_groundtruth_dir / "nytEditorialSnippets_GroundTruth.txt")["text"][:2000]
    ours = S.score_sentences(snippets)["vader_compound"].to_numpy()
    theirs = np.array([nltk_vader.polarity_scores(t)["compound"] for t in snippets])
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.shared
def test_scores_follow_human_ratings(vader_groundtruth_dir):
    tweets = _read_groundtruth(vader_groundtruth_dir / "tweets_GroundTruth.txt")
    compound = S.score_sentences(tweets["text"])["vader_compound"]
    # Hutto & Gilbert (2014) report r = 0.88 on these tweets; a broken lexicon load gives ~0.
    assert np.corrcoef(compound, tweets["rating"])[0, 1] > 0.8


def test_obvious_signs():
    comp = S.score_sentences(WRITTEN)["vader_compound"].tolist()
    assert comp[0] < -0.05 and comp[3] < -0.05 and comp[5] < -0.05  # killing, disaster, "not good"
    assert comp[1] > 0.05 and comp[4] > 0.05
    assert comp[2] == 0.0
    assert S.score_sentences([]).shape == (0, 4)


def test_lexicon_provenance():
    info = S.lexicon_info()
    data = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_bytes()
    assert info["lexicon_sha256"] == hashlib.sha256(data).hexdigest()
    assert "nltk" in info["implementation"] and "vaderSentiment" in info["lexicon"]
    assert S.RESOURCE_VERSIONS()["vader"] == info


def test_document_measures(mini_corpus):
    docs = S.score_documents(mini_corpus)
    assert docs["doc_id"].tolist() == sorted(mini_corpus["doc_id"])
    assert list(docs.columns) == ["doc_id", *S.DOCUMENT_COLUMNS]
    for doc in mini_corpus.itertuples():
        row = docs.set_index("doc_id").loc[doc.doc_id]
        assert row["vader_compound"] == S.score_text(doc.text)["compound"]
        from analysis.text import split_sentences

        sent = S.score_sentences([doc.text[s:e] for s, e in split_sentences(doc.text)])["vader_compound"]
        assert row["vader_sent_mean"] == pytest.approx(sent.mean())
        assert row["vader_share_neg"] == pytest.approx((sent <= -0.05).mean())
        assert row["vader_share_pos"] == pytest.approx((sent >= 0.05).mean())
        assert 0 <= row["vader_share_neg"] + row["vader_share_pos"] <= 1


def test_thresholds_are_inclusive():
    sentences = pd.DataFrame({"doc_id": ["a", "a", "a", "a"], "vader_compound": [-0.05, 0.05, 0.0499, 0.9]})
    agg = S.aggregate_sentences(sentences).iloc[0]
    assert agg["vader_share_neg"] == 0.25 and agg["vader_share_pos"] == 0.5
