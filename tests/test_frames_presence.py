"""Frame presence: features, the calibrated dictionary rule, the stored logistic model applied without sklearn."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from analysis import frames
from analysis.errors import ParameterError, ResourceError
from analysis.frames import presence as fp
from analysis.gold import calibration as cal

TEXTS = [
    "The cost of the plan is $4 billion and taxes will rise.",
    "Budget cuts hurt the economy; the price tag is $2 million.",
    "Spending on the programme is expensive, and jobs will be lost.",
    "Critics accused the mayor of lying. Both sides dispute the figures.",
    "The river ran clear. The birds returned to the valley in spring.",
    "She walked to the market and bought bread.",
    "The economy grew, profits rose and wages went up; it cost $5 million.",
    "Opponents condemned the decision and rejected the deal.",
    "A quiet day in the town; the school reopened after the holiday.",
    "Unemployment fell while exports and revenues increased by $9 billion.",
]
ECONOMIC = np.array([1, 1, 1, 0, 0, 0, 1, 0, 0, 1])


@pytest.fixture(scope="module")
def scored():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(TEXTS))], "text": TEXTS})
    _, indicators, _ = frames.score_frames(docs)
    return docs, indicators


def test_features_are_log_match_counts_per_indicator_and_article_length(scored):
    docs, indicators = scored
    feats = fp.find_presence_features(indicators, docs)
    assert set(feats.index) == set(docs["doc_id"])
    row = indicators[(indicators["doc_id"] == "d0") & (indicators["indicator"] == "costs")].iloc[0]
    assert row["n_matches"] >= 2  # "cost" and "$4 billion"
    assert feats.loc["d0", "economic.costs:matches"] == pytest.approx(np.log1p(row["n_matches"]))
    assert feats.loc["d4", "economic.costs:matches"] == 0.0
    assert feats.loc["d0", fp.LENGTH_FEATURE] == pytest.approx(np.log(len(TEXTS[0]) / 1000))
    rate = row["n_matches"] / (len(TEXTS[0]) / 1000)
    assert feats.loc["d0", "economic.costs:per_kchar"] == pytest.approx(np.log1p(rate))


def test_lengths_outside_the_calibrated_range_are_clamped(scored):
    docs, indicators = scored
    feats = fp.find_presence_features(indicators, docs, length_range=(1.0, 6.0))
    n = indicators[(indicators["doc_id"] == "d0") & (indicators["indicator"] == "costs")]["n_matches"].iloc[0]
    # a 55-character article counts as one of 1,000 characters: its rate is its count, not 18 times it
    assert feats.loc["d0", "economic.costs:per_kchar"] == pytest.approx(np.log1p(n / 1.0))
    assert (feats[fp.LENGTH_FEATURE] == 0.0).all()
    long_doc = pd.DataFrame({"doc_id": ["x"], "text": ["word " * 3000]})
    assert fp.find_article_kchars(long_doc, ["x"], length_range=(1.0, 6.0))[0] == 6.0


def _rules(threshold: float, form: str = "count") -> dict:
    model = copy.deepcopy(fp.load_presence_model())
    model["frames"] = {"economic": model["frames"]["economic"]}
    model["frames"]["economic"]["dictionary"].update(threshold=threshold, form=form)
    model["length_range_kchars"] = [0.001, 100.0]  # no clamping of these short texts
    return model


def test_dictionary_rule_needs_the_threshold_of_cue_matches(scored):
    docs, indicators = scored
    ev = fp.count_frame_evidence(indicators).query("frame == 'economic'").set_index("doc_id")["evidence"]
    for threshold in (1, 2, 3):
        p = fp.score_presence(indicators, docs, model=_rules(threshold))
        eco = p[p["frame"] == "economic"].set_index("doc_id")["present_dictionary"]
        assert (eco == (ev >= threshold).reindex(eco.index)).all()
    assert ev["d4"] == 0 and not eco["d4"]
    # frames without a calibrated rule: any indicator fired, no model
    conflict = p[p["frame"] == "conflict"].set_index("doc_id")
    assert conflict.loc["d3", "present_dictionary"] and not conflict.loc["d4", "present_dictionary"]
    assert conflict["p_model"].isna().all() and conflict["present_model"].isna().all()


def test_length_aware_dictionary_rule_is_a_rate_per_thousand_characters(scored):
    docs, indicators = scored
    ev = fp.count_frame_evidence(indicators).query("frame == 'economic'").set_index("doc_id")["evidence"]
    kchars = docs.set_index("doc_id")["text"].str.len() / 1000
    rate = ev / kchars.reindex(ev.index)
    cut = float(rate[rate > 0].median())
    p = fp.score_presence(indicators, docs, model=_rules(cut, "rate"))
    eco = p[p["frame"] == "economic"].set_index("doc_id")["present_dictionary"]
    assert (eco == ((rate >= cut) & (ev >= 1)).reindex(eco.index)).all()
    assert 0 < eco.sum() < (ev >= 1).sum()
    # a threshold of zero still needs one cue match
    assert not fp.score_dictionary_rule(np.array([0.0]), np.array([1.0]), {"form": "rate", "threshold": 0.0})[0]


def test_fit_dictionary_chooses_a_form_and_a_threshold_with_at_least_one_match():
    ev = np.array([0, 0, 1, 1, 2, 3, 4, 0, 1, 5, 6, 0, 2, 3, 0, 1, 0, 4, 2, 0])
    kchars = np.array([1, 2, 4, 1, 4, 1, 2, 1, 4, 1, 2, 3, 1, 1, 2, 4, 1, 2, 4, 1], dtype=float)
    y = ((ev / kchars) >= 1).astype(int)  # presence follows the rate, not the count
    fit = cal.fit_dictionary(ev, kchars, y)
    assert fit["form"] == "rate" and fit["train_f1"] == 1.0
    assert set(fit["inner_cv_f1_by_form"]) == set(cal.DICTIONARY_FORMS)
    assert fit["inner_cv_f1_by_form"]["rate"] > fit["inner_cv_f1_by_form"]["count"]


def test_stored_model_equals_sklearn_predict_proba_on_training_features(scored):
    docs, indicators = scored
    feats = fp.find_presence_features(indicators, docs).loc[docs["doc_id"]]
    pipe, names, form, c, threshold, by_choice = cal.fit_model(feats, "economic", ECONOMIC)
    assert names == cal.frame_features(feats, "economic", form) and names[-1] == fp.LENGTH_FEATURE
    assert all(n.startswith("economic.") for n in names[:-1])
    x = feats[names].to_numpy()
    spec = cal.model_spec(pipe, names, c, threshold)
    ours = fp.score_model_probability(feats, spec)
    np.testing.assert_allclose(ours, pipe.predict_proba(x)[:, 1], rtol=1e-10, atol=1e-12)
    assert len(by_choice) == len(cal.C_GRID) * len(cal.MODEL_FORMS) and c in cal.C_GRID
    # the probability rises with cost cues: an article with many beats one with none
    assert ours[list(docs["doc_id"]).index("d0")] > ours[list(docs["doc_id"]).index("d5")]


def test_best_threshold_maximises_f1_prefers_higher_cutoffs_and_respects_a_minimum():
    score = np.array([0, 0, 1, 2, 3, 5])
    y = np.array([0, 0, 0, 1, 1, 1])
    assert cal.best_threshold(score, y) == (2.0, 1.0)
    everything = np.array([0, 0, 0, 0])
    t, f = cal.best_threshold(everything, np.array([1, 1, 0, 1]))
    assert t == 0.0  # only candidate: mark every article
    t, f = cal.best_threshold(everything, np.array([1, 1, 0, 1]), minimum=1)
    assert t == 1.0 and f == 0.0  # never present without evidence


def test_baseline_gain_compares_each_rule_with_marking_every_article_in_the_same_fold():
    # two folds, one frame: the all-present F1 is 0.5 and 0.8; the model beats it in fold 1 only
    folds = pd.DataFrame(
        {
            "fold": [1, 1, 1, 2, 2, 2],
            "frame": ["economic"] * 6,
            "method": ["all_present", "model", "dictionary"] * 2,
            "f1": [0.5, 0.7, 0.4, 0.8, 0.6, 0.8],
        }
    )
    gain = cal.score_baseline_gain(folds).set_index("method")
    assert set(gain.index) == {"model", "dictionary"}
    assert gain.loc["model", "f1_gain_mean"] == pytest.approx((0.2 - 0.2) / 2)
    assert gain.loc["model", "folds_above"] == 1
    assert gain.loc["dictionary", "f1_gain_mean"] == pytest.approx((-0.1 + 0.0) / 2)
    assert gain.loc["dictionary", "folds_above"] == 0  # equal is not above


def test_builtin_rules_cover_the_generic_frames_with_provenance():
    model = fp.load_presence_model()
    generic = {f.id for f in frames.load_codebook().frames if f.family == "generic"}
    assert set(model["frames"]) == generic
    prov = model["provenance"]
    assert set(prov["data_files"]) == {"articles_metadata.tsv", "full_annotations.json"}
    assert all(len(v["sha256"]) == 64 for v in prov["data_files"].values())
    assert prov["library_versions"]["scikit-learn"] and prov["hyper_parameters"]["folds"] == 5
    defined = {f["name"] for f in model["features"]}
    for spec in model["frames"].values():
        assert set(spec["model"]["coefficients"]) <= defined
        rule = spec["dictionary"]
        assert rule["form"] in cal.DICTIONARY_FORMS and spec["model"]["form"] in cal.MODEL_FORMS
        assert rule["threshold"] >= 1 if rule["form"] == "count" else rule["threshold"] > 0
        assert len(spec["cv"]["model"]["fold_f1"]) == 5
        # beside the trivial baseline of the same folds: F1 of marking every article present, and each rule's gain
        assert len(spec["cv"]["all_present"]["fold_f1"]) == 5
        assert 0 < spec["cv"]["all_present"]["f1_mean"] < 1
        for method in ("dictionary", "model"):
            cv = spec["cv"][method]
            assert cv["f1_gain_over_all_present"] == pytest.approx(
                np.mean(np.subtract(cv["fold_f1"], spec["cv"]["all_present"]["fold_f1"]))
            )
            assert 0 <= cv["folds_above_all_present"] <= 5
    assert fp.RESOURCE_VERSIONS()["frame_presence"]["version"] == model["version"]
    low, high = model["length_range_kchars"]
    assert 0 < low < high


def test_a_bad_rules_file_is_one_clear_error(tmp_path):
    model = copy.deepcopy(fp.load_presence_model())
    model["frames"]["economic"]["model"]["coefficients"]["economic.nonsense:matches"] = 1.0
    with pytest.raises(ResourceError, match=r"frame 'economic' uses undefined feature"):
        fp.load_presence_model(model)
    bad = tmp_path / "rules.json"
    bad.write_text("{not json")
    with pytest.raises(ResourceError, match="not valid JSON"):
        fp.load_presence_model(bad)
    with pytest.raises(ResourceError, match="does not exist"):
        fp.load_presence_model(tmp_path / "absent.json")


def test_analyze_stage_keeps_dictionary_and_model_presence_apart(mini_corpus):
    from analysis import actors
    from analysis.pipeline import build_sentences

    sentences = build_sentences(mini_corpus)
    mentions = actors.find_mentions(mini_corpus, sentences=sentences)
    table = frames.analyze_chunk(mini_corpus, sentences, mentions=mentions)["frames"]
    assert {"present_dictionary", "p_model", "present_model"} <= set(table.columns)
    generic = table["family"] == "generic"
    assert table.loc[generic, "p_model"].between(0, 1).all() and table.loc[~generic, "p_model"].isna().all()
    # uncalibrated frames: present by dictionary exactly when an indicator fired
    domain = table[~generic]
    assert (domain["present_dictionary"] == (domain["n_fired"] > 0)).all()

    by_model = frames.count_frames(table, mini_corpus, presence="model")
    rules = dict(zip(by_model["frame"], by_model["rule"]))
    assert rules["economic"] == "model" and rules["military"] == "any indicator (uncalibrated)"
    by_dict = frames.count_frames(table, mini_corpus, presence="dictionary").set_index("frame")
    expected = table.groupby("frame")["present_dictionary"].sum()
    assert (by_dict["n_present"] == expected.reindex(by_dict.index)).all()
    assert frames.count_frames(table, mini_corpus)["rule"].eq("any indicator (uncalibrated)").all()
    assert set(frames.count_frames(table, mini_corpus, presence="dictionary")["rule"]) == {
        "dictionary",
        "any indicator (uncalibrated)",
    }
    with pytest.raises(ParameterError, match="presence must be dictionary, model or None"):
        frames.count_frames(table, mini_corpus, presence="any")
    with pytest.raises(ParameterError, match="either presence= or threshold="):
        frames.count_frames(table, mini_corpus, presence="model", threshold=0.5)
