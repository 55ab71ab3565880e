"""Narrative Frames gold set: the reader on a small self-written folder, the scores, alpha; the real set when present."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import config, frames
from analysis.errors import InputError
from analysis.gold import narrative_frames as nf
from analysis.gold import validate as gold_validate

TEXTS = {
    "1": "Critics accused the minister of hiding the report. Both sides dispute the findings. The plan would cost "
    "$3 billion and hurt the economy, opponents argue.",
    "2": "A quiet spring day in the valley. The river ran clear and the birds returned.",
    "3": "The pope said it is a moral duty to care for creation. God, he said, asks us to protect the poor.",
}
FRAME_LABELS = {  # RE HI CO MO EC
    "1": (False, False, True, False, True),
    "2": (False, False, False, False, False),
    "3": (False, False, False, True, False),
}


def _answers(doc_id: str) -> dict:
    """Per question [consensus, [coder1..coder4]] consistent with FRAME_LABELS (coders 1 and 2; 3 on doc 1)."""
    yes = {
        "1": {"co1", "co2", "co3", "ec1", "ec2", "re7"},
        "2": set(),
        "3": {"mo1", "mo2", "re5"},
    }[doc_id]
    out = {"_source": "test", "_text": -1}
    for q in nf.QUESTIONS:
        a = "yes" if q.key in yes else "no"
        coders = [a, a, -1, -1]
        if doc_id == "1":
            coders[2] = "no" if q.key == "co3" else a  # the third coder disagrees once
        out[q.key] = [a, coders]
    out["hi1"] = ["NO AGREEMENT", ["yes", "no", -1, -1]] if doc_id == "2" else out["hi1"]
    return out


@pytest.fixture()
def gold_dir(tmp_path):
    rows = [
        {"ID": d, "source": "The Outlet", "mbfc": "center", "date": "2019-01-0" + d, "text": t,
         **dict(zip(nf.FRAMES, FRAME_LABELS[d]))}
        for d, t in TEXTS.items()
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / nf.ARTICLES_FILE, sep="\t", index=False)
    (tmp_path / nf.ANNOTATIONS_FILE).write_text(json.dumps({d: _answers(d) for d in TEXTS}))
    return tmp_path


def test_reader_gives_articles_coder_answers_consensus_and_frames(gold_dir):
    gold = nf.load_narrative_frames(gold_dir)
    assert list(gold.articles["doc_id"]) == ["1", "2", "3"]
    assert gold.articles["outlet"].eq("theoutlet").all() and gold.articles["title"].eq("").all()
    # coder 3 coded only article 1; -1 answers are not rows
    assert set(gold.answers["coder"]) == {1, 2, 3}
    assert set(gold.answers.loc[gold.answers["coder"] == 3, "doc_id"]) == {"1"}
    hi1 = gold.consensus.set_index(["doc_id", "question"])["consensus"]
    assert pd.isna(hi1[("2", "hi1")]) and hi1[("1", "co1")] == 1 and hi1[("2", "co1")] == 0
    present = gold.frames.set_index(["doc_id", "frame"])["present"]
    assert present[("1", "conflict")] and present[("3", "morality")] and not present[("2", "economic")]
    assert set(gold.files) == {nf.ARTICLES_FILE, nf.ANNOTATIONS_FILE} and all(len(h) == 64 for h in gold.files.values())


def test_reader_errors_name_the_file_and_the_problem(gold_dir, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(InputError, match="no articles_metadata.tsv, full_annotations.json"):
        nf.load_narrative_frames(empty)
    data = json.loads((gold_dir / nf.ANNOTATIONS_FILE).read_text())
    data["3"]["co2"] = ["maybe", ["yes", "maybe", -1, -1]]
    (gold_dir / nf.ANNOTATIONS_FILE).write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"article 3, question co2.*'maybe'"):
        nf.load_narrative_frames(gold_dir)
    del data["3"]
    (gold_dir / nf.ANNOTATIONS_FILE).write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"no annotations for article ID\(s\) \['3'\]"):
        nf.load_narrative_frames(gold_dir)


def test_coder_frames_follow_the_k_of_n_rule(gold_dir):
    gold = nf.load_narrative_frames(gold_dir)
    cf = nf.find_coder_frames(gold).set_index(["doc_id", "frame", "coder"])["present"]
    assert cf[("1", "conflict", 1)] and cf[("1", "conflict", 2)]
    assert cf[("1", "conflict", 3)]  # co1 and co2 yes, co3 no: still 2 of 3
    assert cf[("3", "morality", 1)] and not cf[("3", "economic", 2)]
    assert ("2", "conflict", 3) not in cf.index  # coder 3 did not code article 2


def test_question_and_frame_scores_count_the_confusion_cells(gold_dir):
    gold = nf.load_narrative_frames(gold_dir)
    _, indicators, _ = frames.score_frames(gold.articles)
    answers = nf.find_tool_answers(indicators)
    assert set(answers["question"]) <= {q.key for q in nf.QUESTIONS if q.indicators}
    q = nf.score_questions(answers, gold).set_index("question")
    reproach = q.loc["co2"]  # "accused" fires only in article 1, which is the only yes
    assert (reproach["tp"], reproach["fp"], reproach["fn"], reproach["tn"]) == (1, 0, 0, 2)
    assert reproach["precision"] == reproach["recall"] == reproach["f1"] == 1.0
    assert q.loc["hi1", "n"] == 2 and q.loc["hi1", "n_no_agreement"] == 1
    presence = pd.DataFrame(
        {"doc_id": ["1", "2", "3"] * 2, "frame": ["conflict"] * 3 + ["morality"] * 3,
         "present": [True, True, False, False, False, True]}
    )  # fmt: skip
    f = nf.score_frame_presence(presence, gold).set_index("frame")
    assert (f.loc["conflict", "tp"], f.loc["conflict", "fp"], f.loc["conflict", "tn"]) == (1, 1, 1)
    assert f.loc["conflict", "precision"] == 0.5 and f.loc["conflict", "recall"] == 1.0
    assert f.loc["morality", "f1"] == 1.0 and f.loc["morality", "prevalence"] == pytest.approx(1 / 3)


def test_alpha_tool_against_each_coder_beside_coder_agreement(gold_dir):
    gold = nf.load_narrative_frames(gold_dir)
    presence = gold.frames.rename(columns={"present": "present"})[["doc_id", "frame", "present"]]
    alpha = nf.score_alpha(None, presence, gold)
    conflict = alpha[(alpha["item"] == "conflict")].set_index(["comparison", "coder"])
    # the tool equals the gold labels, which equal coders 1 and 2 here: perfect agreement with them
    assert conflict.loc[("tool-coder", "1"), "alpha"] == pytest.approx(1.0)
    assert conflict.loc[("coder-coder", "all"), "alpha"] == pytest.approx(1.0)
    assert conflict.loc[("tool-coder", "3"), "n_units"] == 1  # coder 3 coded one article: alpha undefined
    assert np.isnan(conflict.loc[("tool-coder", "3"), "alpha"])
    wrong = presence.assign(present=~presence["present"])
    summary = nf.score_alpha_summary(nf.score_alpha(None, wrong, gold)).set_index("item")
    assert summary.loc["conflict", "tool_coder_mean"] < 0 and not summary.loc["conflict", "within_0_15"]


def test_coder_f1_pools_pairs_of_coders_and_tool_coder_pairs(gold_dir):
    gold = nf.load_narrative_frames(gold_dir)
    presence = pd.DataFrame(
        {"doc_id": ["1", "2", "3"] * 2, "frame": ["conflict"] * 3 + ["morality"] * 3,
         "present": [True, True, False, False, False, True]}
    )  # fmt: skip
    f = nf.score_coder_f1(presence, gold).set_index("frame")
    # conflict: three coders agree on article 1 (3 pairs, all present), two agree on 2 and 3 (absent)
    assert f.loc["conflict", "coder_pairs"] == 5 and f.loc["conflict", "coder_coder_f1"] == 1.0
    # the tool marks article 2 too: 3 both-present pairs on article 1, 2 tool-only on article 2 -> 6 / 8
    assert f.loc["conflict", "tool_pairs"] == 7 and f.loc["conflict", "tool_coder_f1"] == pytest.approx(0.75)
    assert f.loc["morality", "tool_coder_f1"] == 1.0 and f.loc["conflict", "gap"] == pytest.approx(0.25)
    # coder 2 now says no to both morality questions of article 3: the two coders never agree on "present"
    data = json.loads((gold_dir / nf.ANNOTATIONS_FILE).read_text())
    for q in ("mo1", "mo2"):
        data["3"][q] = ["NO AGREEMENT", ["yes", "no", -1, -1]]
    (gold_dir / nf.ANNOTATIONS_FILE).write_text(json.dumps(data))
    split = nf.score_coder_f1(presence, nf.load_narrative_frames(gold_dir)).set_index("frame")
    assert split.loc["morality", "coder_coder_f1"] == 0.0
    assert split.loc["morality", "tool_coder_f1"] == pytest.approx(2 / 3)  # the tool agrees with coder 1 only


# ------------------------------------------------------------------------------------------------ the real gold set
@pytest.fixture(scope="module")
def real_gold():
    path = config.SHARED_CORPORA / "narrative-frames"
    if not (path / nf.ARTICLES_FILE).is_file():
        pytest.skip("needs ../shared/corpora/narrative-frames (absent on this checkout)")
    return nf.load_narrative_frames(path)


def test_real_gold_set_has_250_dev_articles_and_the_frame_rule_reproduces_every_label(real_gold):
    assert len(real_gold.articles) == 250
    wide = real_gold.consensus.pivot(index="doc_id", columns="question", values="consensus")
    labels = real_gold.frames.pivot(index="doc_id", columns="code", values="present")
    for code, (qs, k) in nf.FRAME_RULE.items():
        derived = (wide[list(qs)] == 1).sum(axis=1) >= k
        assert (derived.reindex(labels.index) == labels[code]).all(), code


def test_validate_command_errors_are_one_line(capsys):
    from analysis import cli

    assert cli.main(["validate", "--gold", "no-such-set"]) == 2
    assert "unknown gold set 'no-such-set'; available: narrative-frames" in capsys.readouterr().err
    assert cli.main(["validate"]) == 2
    assert "pass the completed coding sheets" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------ the command, end to end
@pytest.fixture(scope="module")
def validate_run(tmp_path_factory, real_gold):
    """`python -m analysis validate --gold narrative-frames FOLDER --out DIR` once on the real development part."""
    import contextlib
    import io

    from analysis import cli

    out = tmp_path_factory.mktemp("gold-validation")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = cli.main(["validate", "--gold", "narrative-frames", str(nf.DEFAULT_DIR), "--out", str(out)])
    return code, buf.getvalue(), out


@pytest.mark.slow
def test_validate_gold_end_to_end_prints_the_tables_and_writes_the_csvs(validate_run):
    code, printed, out = validate_run
    assert code == 0
    assert "5-fold cross-validated" in printed and "Krippendorff's alpha" in printed
    for frame in nf.FRAMES.values():
        assert frame in printed
    tables = {key: pd.read_csv(out / name) for key, name in gold_validate.FILES.items()}
    fr = tables["frames"]
    assert set(fr["evaluation"]) == {"cv", "in_sample", "baseline"}
    assert ((fr["tp"] + fr["fp"] + fr["fn"] + fr["tn"]) == 250).all()
    # the all-present baseline follows from the gold prevalence alone: F1 = 2p / (1 + p)
    labels = pd.read_csv(nf.DEFAULT_DIR / nf.ARTICLES_FILE, sep="\t", usecols=list(nf.FRAMES))
    allp = fr[fr["method"] == "all_present"].set_index("code")
    for code_ in nf.FRAMES:
        p = labels[code_].mean()
        assert allp.loc[code_, "f1"] == pytest.approx(2 * p / (1 + p))
    folds = tables["folds"]
    assert len(folds) == 5 * 5 * 3 and set(folds["fold"]) == {1, 2, 3, 4, 5}  # dictionary, model, all_present
    allp_fold = folds[folds["method"] == "all_present"]
    expected = 2 * allp_fold["support"] / (allp_fold["n"] + allp_fold["support"])
    assert np.allclose(allp_fold["f1"], expected, rtol=0, atol=1e-12)
    assert (folds.groupby(["method", "frame"])["n"].sum() == 250).all()  # every article held out exactly once
    alpha = tables["alpha_summary"]
    coder = alpha[alpha["level"] == "frame"].drop_duplicates("item").set_index("item")["coder_coder"]
    assert set(coder.index) == set(nf.FRAMES.values()) and coder.between(0, 1).all()
    assert len(tables["questions"]) >= 15
    human = tables["coder_f1"].set_index(["method", "frame"])
    assert set(human.index.get_level_values(0)) == {"model", "dictionary"}
    assert human["coder_coder_f1"].between(0.3, 1).all() and (human["tool_pairs"] > 250).all()


@pytest.mark.slow
def test_validate_gold_reproduces_the_cross_validated_figures_stored_with_the_rules(validate_run):
    """The CV figures recorded in frame_presence.json (and quoted in docs/framing.md) are what the command computes."""
    from analysis.frames import presence

    _, _, out = validate_run
    stored = presence.load_presence_model()
    folds = pd.read_csv(out / "folds.csv")
    macro = folds.groupby(["method", "fold"])["f1"].mean().groupby("method").mean()
    for method, figures in stored["cv_macro_f1"].items():
        assert macro[method] == pytest.approx(figures["mean"], abs=1e-9), method
    per_frame = folds.groupby(["method", "frame"])["f1"].mean()
    for frame, spec in stored["frames"].items():
        for method, figures in spec["cv"].items():
            assert per_frame[(method, frame)] == pytest.approx(figures["f1_mean"], abs=1e-9)
