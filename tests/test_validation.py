"""Validation harness: samples, coding sheets, Krippendorff's alpha and P/R/F1 against hand-computed values."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import cli, codesheets, config, validation
from analysis.errors import InputError, ParameterError
from analysis.tables import save_table


def sheet(coder: str, codes: list, question: str = "conflict.reproach") -> pd.DataFrame:
    return pd.DataFrame(
        {"coder": coder, "doc_id": [f"d{i}" for i in range(len(codes))], question: pd.array(codes, dtype="Int64")}
    )


# ------------------------------------------------------------------------------------------------ alpha
def test_krippendorff_alpha_matches_hand_computation():
    # Two coders, six units, binary codes. Coincidences: o11 = 4, o00 = 4, o01 = o10 = 2; n = 12, n0 = n1 = 6.
    # D_o = 4/12, D_e = 2*6*6/(12*11) = 72/132, alpha = 1 - D_o/D_e = 1 - 132/216 = 7/18.
    sheets = pd.concat([sheet("a", [1, 1, 0, 0, 1, 0]), sheet("b", [1, 0, 0, 0, 1, 1])])
    got = validation.score_agreement(sheets).set_index("question")
    row = got.loc["conflict.reproach"]
    assert row["alpha"] == pytest.approx(7 / 18)
    assert row["percent_agreement"] == pytest.approx(4 / 6)
    assert row["n_units"] == 6 and row["n_coders"] == 2
    assert row["reliability"].startswith("unreliable")
    assert got.loc["frame.conflict", "alpha"] == pytest.approx(7 / 18)  # one indicator: the frame equals it


def test_alpha_skips_units_coded_once_and_is_undefined_without_variation():
    # unit d5 has only coder a's code: not pairable, so alpha is as for d0..d4
    a = sheet("a", [1, 1, 0, 0, 1, 1])
    b = sheet("b", [1, 1, 0, 0, 1, None])
    got = validation.score_agreement(pd.concat([a, b])).set_index("question").loc["conflict.reproach"]
    assert got["n_units"] == 5 and got["alpha"] == pytest.approx(1.0)
    same = validation.score_agreement(pd.concat([sheet("a", [1, 1]), sheet("b", [1, 1])]))
    assert same["alpha"].isna().all() and same["reliability"].str.startswith("undefined").all()


def test_agreement_needs_two_coders():
    with pytest.raises(ParameterError, match="at least two coders"):
        validation.score_agreement(sheet("a", [1, 0]))


# ------------------------------------------------------------------------------------------------ P/R/F1
def test_precision_recall_f1_match_hand_computation():
    automated = pd.DataFrame(
        {
            "doc_id": ["d0", "d1", "d2", "d3", "d4", "d5"],
            "conflict.reproach": [1, 1, 0, 0, 1, 1],
            "label.terrorist.own": [1, 0, 0, 0, 0, 0],
        }
    )
    human = pd.DataFrame(
        {
            "doc_id": ["d0", "d1", "d2", "d3", "d4", "d5"],
            "conflict.reproach": pd.array([1, 0, 0, 1, 1, None], dtype="Int64"),
            "label.terrorist.own": pd.array([1, 1, 0, 0, 0, 0], dtype="Int64"),
        }
    )
    got = validation.score_against_human(automated, human).set_index("question")
    r = got.loc["conflict.reproach"]  # d5 is not coded: tp 2 (d0, d4), fp 1 (d1), fn 1 (d3), tn 1 (d2)
    assert (r["tp"], r["fp"], r["fn"], r["tn"], r["n"], r["support"]) == (2, 1, 1, 1, 5, 3)
    assert r["precision"] == pytest.approx(2 / 3) and r["recall"] == pytest.approx(2 / 3)
    assert r["f1"] == pytest.approx(2 / 3)
    t = got.loc["label.terrorist.own"]  # tp 1, fn 1: precision 1, recall 1/2, F1 2/3
    assert (t["precision"], t["recall"]) == (1.0, 0.5) and t["f1"] == pytest.approx(2 / 3)
    assert got.loc["frame.conflict", "level"] == "frame" and t["level"] == "label"
    assert "frame.label" not in got.index  # label questions are not a frame


def test_consensus_is_majority_with_ties_missing():
    sheets = pd.concat([sheet("a", [1, 1, 0]), sheet("b", [1, 0, 0]), sheet("c", [0, 1, None])])
    got = validation.find_consensus(sheets)
    assert got["conflict.reproach"].tolist() == [1, 1, 0]
    tie = validation.find_consensus(pd.concat([sheet("a", [1]), sheet("b", [0])]))
    assert tie["conflict.reproach"].isna().all()


# ------------------------------------------------------------------------------------------------ sampling
def corpus(n_per: dict) -> pd.DataFrame:
    rows = []
    for (outlet, date), k in n_per.items():
        rows += [
            {
                "doc_id": f"{outlet}-{date}-{i}",
                "outlet": outlet,
                "published": pd.Timestamp(date),
                "title": "t",
                "text": "Iraqi forces advanced on Mosul.",
                "duplicate_of": None,
            }
            for i in range(k)
        ]
    return pd.DataFrame(rows)


def test_draw_sample_is_stratified_proportional_and_reproducible():
    c = corpus({("a", "2016-01-15"): 60, ("a", "2016-05-01"): 20, ("b", "2016-01-20"): 10, ("b", "2017-03-03"): 10})
    s = codesheets.find_sample(c, 20, seed=1)
    assert len(s) == 20 and s["doc_id"].is_unique
    per = s.groupby("stratum").size()
    assert len(per) == 4 and per.min() >= 1
    assert per["a | 2016-01-01"] > per["a | 2016-04-01"] >= per["b | 2017-01-01"]
    assert s.equals(codesheets.find_sample(c, 20, seed=1))
    assert not set(s["doc_id"]) == set(codesheets.find_sample(c, 20, seed=2)["doc_id"])
    assert len(codesheets.find_sample(c, 500)) == len(c)
    with pytest.raises(ParameterError):
        codesheets.find_sample(c, 0)


def test_draw_sample_leaves_out_duplicates(mini_corpus):
    s = codesheets.find_sample(mini_corpus, 6, by="outlet")
    assert "m02" not in set(s["doc_id"]) and len(s) == 5


# ------------------------------------------------------------------------------------------------ sheets
def test_codesheet_round_trip_and_value_parsing(tmp_path, mini_corpus):
    sample = codesheets.find_sample(mini_corpus, 4, by="outlet", seed=3)
    path = codesheets.save_codesheet(sample, None, tmp_path / "sheet.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    questions = codesheets.find_coding_questions()
    assert list(raw.columns[:7]) == codesheets.META_COLUMNS
    assert set(questions["question"]) <= set(raw.columns)
    assert raw.iloc[0]["doc_id"] == codesheets.QUESTION_ROW and raw.iloc[0]["conflict.reproach"].endswith("?")
    assert (raw.iloc[1:][questions["question"]] == "").all().all()
    raw.loc[1:, "coder"] = "ann"
    raw.loc[1:, "conflict.reproach"] = ["yes", "0", "1", ""][: len(raw) - 1]
    raw.loc[1:, "label.terrorist.own"] = "n"
    raw.to_csv(tmp_path / "ann.csv", index=False)
    raw.to_csv(tmp_path / "ann_semicolon.csv", index=False, sep=";")
    got = codesheets.load_codesheets([tmp_path / "ann.csv"])
    same = codesheets.load_codesheets([tmp_path / "ann_semicolon.csv"])
    pd.testing.assert_frame_equal(got.drop(columns="source_file"), same.drop(columns="source_file"))
    assert len(got) == len(sample) and set(got["coder"]) == {"ann"}
    by_doc = got.set_index("doc_id")
    codes = dict(zip(raw["doc_id"][1:], ["yes", "0", "1", ""]))
    for doc_id, value in codes.items():
        expected = {"yes": 1, "1": 1, "0": 0}.get(value)
        got_value = by_doc.loc[doc_id, "conflict.reproach"]
        assert (pd.isna(got_value) and expected is None) or got_value == expected
    assert (got["label.terrorist.own"] == 0).all()


def test_load_codesheets_errors_name_file_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"doc_id": ["x1", "x2"], "coder": ["ann", "ann"], "conflict.reproach": ["1", "maybe"]}).to_csv(
        path, index=False
    )
    with pytest.raises(InputError, match=r"bad\.csv: row 3, column 'conflict\.reproach': value 'maybe'"):
        codesheets.load_codesheets([path])
    nodoc = tmp_path / "nodoc.csv"
    pd.DataFrame({"id": ["x1"], "conflict.reproach": ["1"]}).to_csv(nodoc, index=False)
    with pytest.raises(InputError, match="no `doc_id` column"):
        codesheets.load_codesheets(nodoc)
    dup = tmp_path / "dup.csv"
    pd.DataFrame({"doc_id": ["x1", "x1"], "coder": ["ann", "ann"], "conflict.reproach": ["1", "0"]}).to_csv(
        dup, index=False
    )
    with pytest.raises(InputError, match="coded article 'x1' more than once"):
        codesheets.load_codesheets(dup)


# ------------------------------------------------------------------------------------------------ automated side
def test_automated_answers_from_corpus_match_frames(mini_corpus):
    from analysis import frames

    auto = validation.find_automated_answers(mini_corpus)
    _, indicators, _ = frames.score_frames(mini_corpus)
    labels = frames.find_labels(mini_corpus)
    fired = indicators[indicators["frame"].eq("military") & indicators["indicator"].eq("territorial_change")]
    assert dict(zip(auto["doc_id"], auto["military.territorial_change"])) == dict(
        zip(fired["doc_id"], fired["fired"].astype(int))
    )
    own_terror = set(labels.loc[labels["label"].eq("terrorist") & labels["voice"].eq("own"), "doc_id"])
    assert set(auto.loc[auto["label.terrorist.own"] == 1, "doc_id"]) == own_terror
    sources = frames.find_attributions(mini_corpus)
    monitors = set(sources.loc[sources["source_type"] == "monitor_ngo", "doc_id"])
    assert monitors and set(auto.loc[auto["source.monitor_ngo"] == 1, "doc_id"]) == monitors


def test_load_validation_summary_unvalidated_statement(tmp_path):
    got = validation.load_validation_summary(None)
    assert got["status"] == "unvalidated" and "NOT VALIDATED ON THIS CORPUS" in got["statement"]
    assert validation.load_validation_summary(tmp_path)["scores"] is None


def test_without_a_coding_sheet_the_external_gold_figures_are_shown():
    from analysis.frames import presence as frame_presence

    rules = frame_presence.load_presence_model()
    for presence in ("dictionary", "model"):
        ext = validation.load_validation_summary(None, presence=presence)["external"]
        assert ext["presence"] == presence and f"This report shows {presence} presence" in ext["statement"]
        assert "Narrative Frames Corpus" in ext["statement"] and "cross-validated" in ext["statement"]
        assert f"{rules['provenance']['n_articles']} human-coded articles" in ext["statement"]
        table = ext["table"].set_index(["frame", "method"])
        assert table.loc[("economic", presence), "cv_f1_mean"] == rules["frames"]["economic"]["cv"][presence]["f1_mean"]
        # frames whose rule does not beat marking every article present are named as such, and only those
        for frame, row in table.xs(presence, level="method").iterrows():
            assert row["all_present_f1"] == rules["frames"][frame]["cv"]["all_present"]["f1_mean"]
            named = f"{frame} {row['cv_f1_mean']:.2f} vs {row['all_present_f1']:.2f}, alpha" in ext["statement"]
            assert named == (row["f1_gain_over_all_present"] <= 0), frame
            assert 0 < row["tool_coder_f1"] <= 1 and 0 < row["coder_coder_f1"] <= 1
        human = rules["human_reference_macro_f1"]
        assert table.xs(presence, level="method")["tool_coder_f1"].mean() == pytest.approx(human[f"{presence}_coder"])
        assert f"its macro F1 is {human[presence + '_coder']:.2f}, where one trained coder scores" in ext["statement"]
    with pytest.raises(ParameterError, match="presence must be one of"):
        validation.load_validation_summary(None, presence="any")


def test_load_validation_summary_statement_names_no_machine_path(tmp_path):
    from analysis import config

    outside = validation.load_validation_summary(tmp_path / "analysis")["statement"]
    assert str(tmp_path) not in outside and " in analysis/validation." in outside
    inside = validation.load_validation_summary(config.ROOT / "data" / "analysis")["statement"]
    assert str(config.ROOT) not in inside and " in data/analysis/validation." in inside
    relative = validation.load_validation_summary(os.path.relpath(config.ROOT / "data" / "analysis"))["statement"]
    assert relative == inside  # the same report text whatever the working directory


# ------------------------------------------------------------------------------------------------ CLI end to end
def test_cli_codesheet_and_validate(tmp_path, mini_corpus, capsys):
    from analysis.pipeline import analyze_corpus

    corpus_path = save_table(mini_corpus, tmp_path / "articles.parquet")
    out = tmp_path / "analysis"
    analyze_corpus(corpus_path, out, stages=["analysis.actors:analyze_chunk", "analysis.frames:analyze_chunk"])
    assert (
        cli.main(
            [
                "codesheet",
                str(corpus_path),
                "--analysis-dir",
                str(out),
                "-n",
                "4",
                "--by",
                "outlet",
                "--labels",
                "terrorist",
                "militant",
                "--out",
                str(tmp_path / "external" / "codesheet.csv"),
            ]
        )
        == 0
    )
    sheet_path = tmp_path / "external" / "codesheet.csv"
    raw = pd.read_csv(sheet_path, dtype=str, keep_default_na=False)
    auto = validation.find_automated_answers(out).set_index("doc_id")
    coded = []
    for coder, flip in (("ann", False), ("bob", True)):
        filled = raw.copy()
        filled.loc[1:, "coder"] = coder
        assert [c for c in filled.columns if c.startswith("label.")] == [
            "label.terrorist.own",
            "label.terrorist.attributed",
            "label.militant.own",
            "label.militant.attributed",
        ]
        assert "source.anonymous" in filled.columns
        for q in codesheets.find_coding_questions(labels=["terrorist", "militant"])["question"]:
            vals = [str(auto.loc[d, q]) for d in filled["doc_id"][1:]]
            if flip and q == "military.territorial_change":
                vals[0] = "0" if vals[0] == "1" else "1"
            filled.loc[1:, q] = vals
        path = tmp_path / f"{coder}.csv"
        filled.to_csv(path, index=False)
        coded.append(str(path))
    assert cli.main(["validate", *coded, "--analysis-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Krippendorff" in printed and "military.territorial_change" in printed
    summary = validation.load_validation_summary(out)
    assert summary["status"] == "validated"
    scores = summary["scores"].set_index("question")
    # the majority of ann (= automated) and bob (one flip) ties on one article, so precision stays 1 where defined
    assert scores.loc["conflict.reproach", "n"] == 4
    assert (scores["precision"].dropna() == 1).all()
    assert set(scores.loc[scores["level"] == "source"].index) == {f"source.{t}" for t in codesheets.SOURCE_QUESTIONS}
    assert not any(q.startswith("frame.source") or q.startswith("frame.label") for q in scores.index)
    agreement = summary["agreement"].set_index("question")
    assert agreement.loc["military.territorial_change", "alpha"] < 1 or np.isnan(
        agreement.loc["military.territorial_change", "alpha"]
    )
    bad = tmp_path / "bad.csv"
    raw.assign(**{"conflict.reproach": ["", "2", "", "", ""][: len(raw)]}).to_csv(bad, index=False)
    assert cli.main(["validate", str(bad), "--analysis-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "row 3, column 'conflict.reproach'" in err


def test_coding_sheets_are_hand_made_input_outside_generated_data():
    args = cli.build_parser().parse_args(["codesheet"])
    assert Path(args.out).parent == config.CODESHEETS_DIR
    assert config.CODESHEETS_DIR.is_relative_to(config.EXTERNAL_DIR)
    assert not config.EXTERNAL_DIR.is_relative_to(config.PROCESSED_DIR)
    assert not config.EXTERNAL_DIR.is_relative_to(config.INTERIM_DIR)
    makefile = (config.ROOT / "Makefile").read_text()
    clean = next(line for line in makefile.splitlines() if line.startswith("\trm -rf"))
    assert "external" not in clean
