"""NewsMTSC reader and scorer: the shared files as documented, spans that point at the mention, macro F1."""

from __future__ import annotations

import json

import pytest

from analysis.errors import DataUnavailableError, InputError
from analysis.gold import newsmtsc


@pytest.fixture(scope="module")
def newsmtsc_dir():
    path = newsmtsc.newsmtsc_dir()
    if not path.exists():
        pytest.skip("needs ../shared/corpora/newsmtsc")
    return path


@pytest.mark.parametrize(("split", "sentences"), [("train", 7758), ("dev-rw", 320), ("dev-mt", 216)])
def test_splits_as_documented(newsmtsc_dir, split, sentences):
    frame = newsmtsc.load_newsmtsc(split)
    assert list(frame.columns) == newsmtsc.COLUMNS
    assert frame["sentence_id"].nunique() == sentences
    assert set(frame["polarity"]) == set(newsmtsc.LABELS)
    spans = [t[s:e] for t, s, e in zip(frame["text"], frame["start"], frame["end"])]
    assert spans == list(frame["mention"])


def test_story_ids_group_articles_of_one_story(tmp_path):
    rows = [
        {"primary_gid": "allsides_10_7_1_X_0_1", "sentence_normalized": "Ann won.", "targets": []},
        {"primary_gid": "allsides_11_7_3_X_0_1", "sentence_normalized": "Bob lost.", "targets": []},
        {"primary_gid": "polusa_v1_555_-1_2_X_0_1", "sentence_normalized": "Cy spoke.", "targets": []},
    ]
    for row, name in zip(rows, ["Ann", "Bob", "Cy"]):
        row["targets"] = [{"from": 0, "to": len(name), "mention": name, "polarity": 4.0}]
    (tmp_path / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    frame = newsmtsc.load_newsmtsc("train", root=tmp_path)
    assert list(frame["story_id"]) == ["allsides_7", "allsides_7", "polusa_555"]
    assert list(frame["polarity"]) == ["neutral"] * 3


def test_bad_input_is_named(tmp_path):
    with pytest.raises(InputError, match="unknown NewsMTSC split"):
        newsmtsc.load_newsmtsc("test-rw", root=tmp_path)
    with pytest.raises(DataUnavailableError, match="missing"):
        newsmtsc.load_newsmtsc("train", root=tmp_path)
    row = {"primary_gid": "g", "sentence_normalized": "Short.", "targets": [{"from": 2, "to": 40, "polarity": 2.0}]}
    (tmp_path / "dev-rw.jsonl").write_text(json.dumps(row) + "\n")
    with pytest.raises(InputError, match="dev-rw.jsonl:1: target span 2-40"):
        newsmtsc.load_newsmtsc("dev-rw", root=tmp_path)


def test_score_polarity_macro_f1():
    gold = ["negative", "negative", "neutral", "positive"]
    pred = ["negative", "neutral", "neutral", "positive"]
    r = newsmtsc.score_polarity(gold, pred)
    assert r["f1_negative"] == pytest.approx(2 / 3) and r["f1_neutral"] == pytest.approx(2 / 3)
    assert r["f1_positive"] == 1.0
    assert r["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3) and r["accuracy"] == 0.75
    with pytest.raises(InputError):
        newsmtsc.score_polarity(gold, pred[:2])
