"""Target-dependent sentiment: roles, negation, two targets in one sentence, the contract, and the stored model."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from analysis import config, sentiment
from analysis import target_sentiment as ts
from analysis.errors import InputError, ResourceError


def _targets(*pairs: tuple[str, str]) -> pd.DataFrame:
    """A target table from (sentence, target) pairs: the span of the target's first occurrence."""
    rows = [(text, text.index(target), text.index(target) + len(target)) for text, target in pairs]
    return pd.DataFrame(rows, columns=["text", "start", "end"])


def _score(text: str, target: str) -> pd.Series:
    return sentiment.score_targets(_targets((text, target))).iloc[0]


# ------------------------------------------------------------------------------------------------ behaviour
def test_agent_of_a_killing_is_negative_and_below_its_victims():
    text = "The rebels killed dozens of civilians in the village."
    agent, patient = _score(text, "rebels"), _score(text, "civilians")
    assert agent["polarity"] == "negative"
    assert agent["score"] < patient["score"]


def test_rescuer_and_praised_patient_are_positive():
    assert _score("The medics rescued the wounded children.", "medics")["polarity"] == "positive"
    assert _score("Jordan was praised for hosting refugees.", "Jordan")["polarity"] == "positive"


def test_negation_flips_or_weakens():
    assert _score("Smith is honest.", "Smith")["polarity"] == "positive"
    assert _score("Smith is not honest.", "Smith")["polarity"] == "negative"
    assert _score("Smith is a good leader.", "Smith")["polarity"] == "positive"
    assert _score("Smith is not a good leader.", "Smith")["polarity"] == "negative"
    assert _score("The minister was guilty of fraud.", "minister")["polarity"] == "negative"
    assert _score("The minister was not guilty of fraud.", "minister")["polarity"] == "positive"
    assert (
        _score("The governor is not dishonest.", "governor")["score"]
        > _score("The governor is dishonest.", "governor")["score"] + 0.3
    )


@pytest.mark.parametrize(
    ("text", "good", "bad"),
    [
        ("Smith won praise while Jones faced criticism.", "Smith", "Jones"),
        ("Activists hailed Ahmed as a hero, while they denounced Karim as a war criminal.", "Ahmed", "Karim"),
    ],
)
def test_two_targets_of_opposite_polarity_in_one_sentence(text, good, bad):
    out = sentiment.score_targets(_targets((text, good), (text, bad)))
    assert list(out["polarity"]) == ["positive", "negative"]
    assert out["score"].iloc[0] > 0 > out["score"].iloc[1]


def test_the_target_name_itself_carries_no_weight():
    """Only the context scores: no actor gets a prior from NewsMTSC's politicians."""
    a = _score("Trump criticised the ruling on Tuesday.", "Trump")["score"]
    b = _score("Assad criticised the ruling on Tuesday.", "Assad")["score"]
    assert a == b


def test_features_name_their_groups_and_skip_the_target():
    text = "The army was accused by observers of shelling the market."
    start = text.index("army")
    feats = ts.find_features(text, start, start + 4)
    assert {name.split(":", 1)[0] for name in feats} <= set(ts.GROUPS)
    assert not any(name.endswith(":armi") or name.endswith(":army") for name in feats)
    assert feats["role:be:neg"] > 0  # "was accused": the target is the patient of a negative verb
    start = text.index("observers")
    assert ts.find_features(text, start, start + 9)["role:by_agent:neg"] > 0  # "accused by observers"


# ------------------------------------------------------------------------------------------------ contract
def test_contract_columns_dtypes_and_input_untouched():
    frame = _targets(("The rebels killed dozens of civilians.", "rebels"), ("Peace talks went well.", "Peace"))
    frame.index = [10, 20]
    before = frame.copy()
    out = sentiment.score_targets(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == ["text", "start", "end", "polarity", "score"]
    assert list(out.index) == [10, 20]
    assert out["polarity"].dtype == "string"
    assert set(out["polarity"]) <= set(ts.LABELS)
    assert out["score"].dtype == "float64" and out["score"].between(-1, 1).all()
    again = sentiment.score_targets(frame)
    pd.testing.assert_frame_equal(out, again)


def test_empty_frame():
    out = sentiment.score_targets(pd.DataFrame({"text": [], "start": [], "end": []}))
    assert len(out) == 0 and {"polarity", "score"} <= set(out.columns)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("Short text.", 5, 40), "outside its text"),
        (("Short text.", 4, 4), "outside its text"),
        (("Short   text.", 6, 7), "covers no word"),
        ((None, 0, 1), "not a string"),
    ],
)
def test_bad_spans_raise_clear_errors(row, message):
    with pytest.raises(InputError, match=message):
        sentiment.score_targets(pd.DataFrame([row], columns=["text", "start", "end"]))


def test_missing_column_is_named():
    with pytest.raises(Exception, match="end"):
        sentiment.score_targets(pd.DataFrame({"text": ["a b"], "start": [0]}))


def test_model_trained_with_other_cues_is_refused(tmp_path):
    data = json.loads(config.resource(ts.MODEL_FILE).read_text())
    data["cues"]["sha256"] = "0" * 64
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ResourceError, match="re-run"):
        ts.load_model(path)


def test_stored_model_records_its_provenance():
    info = ts.load_model().info
    assert info["training_data"]["file"] == "train.jsonl" and len(info["training_data"]["sha256"]) == 64
    assert "MIT" in info["training_data"]["licence"]
    assert info["cross_validation"]["best"] == max(info["cross_validation"]["by_C"].values())
    assert set(ts.GROUPS) <= set(info["cross_validation"]["ablation_without_group"])


# ------------------------------------------------------------------------------------------------ the stored model
@pytest.fixture(scope="module")
def trainer():
    spec = importlib.util.spec_from_file_location(
        "train_target_sentiment", config.ROOT / "scripts" / "train_target_sentiment.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_model_equals_sklearn_refit_on_the_training_features(trainer):
    """Re-fit with the script's settings on NewsMTSC train: the JSON dot product gives sklearn's probabilities."""
    from analysis.gold import newsmtsc

    if not newsmtsc.newsmtsc_dir().exists():
        pytest.skip("needs ../shared/corpora/newsmtsc")
    model = ts.load_model()
    train = newsmtsc.load_newsmtsc("train")
    cues = ts.load_cues()
    features = trainer.select_features(trainer.find_training_features(train), min_count=cues.min_word_count)
    vectorizer, clf = trainer.fit_model(
        features, train["polarity"].to_numpy(dtype=object), c=model.info["hyper_parameters"]["C"]
    )
    assert sorted(model.weights) == list(vectorizer.get_feature_names_out())
    ours = np.array([model.score_features(f) for f in features])
    theirs = clf.predict_proba(vectorizer.transform(features))
    np.testing.assert_allclose(ours, theirs, atol=1e-4)
    assert (ours.argmax(axis=1) != theirs.argmax(axis=1)).sum() <= 2  # weights are stored rounded to 6 digits
    scored = sentiment.score_targets(train.head(200))
    np.testing.assert_allclose(scored["score"], theirs[:200, 2] - theirs[:200, 0], atol=1e-4)
