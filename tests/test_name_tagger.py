"""The name tagger (analysis.actors.name_tagger): its stored weights, its scorer, and what it does to the unlisted
names of sentences written for these tests."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis import config
from analysis.actors import mention_rules
from analysis.actors import name_tagger as nt
from analysis.errors import ResourceError


def find(text: str, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    return mention_rules.find_all_mentions(pd.DataFrame({"doc_id": ["d"], "text": [text]}), **options)


def unlisted(frame: pd.DataFrame) -> dict:
    u = frame[frame["kind"] == "unlisted"]
    return {m: (t, r) for m, t, r in zip(u["matched"], u["type"], u["rule"])}


def test_the_stored_tagger_is_readable_json_with_its_provenance():
    data = json.loads(config.resource(nt.TAGGER_FILE).read_text(encoding="utf-8"))
    assert data["classes"] == list(nt.CLASSES)
    prov = data["provenance"]
    assert prov["script"] == "scripts/train_name_tagger.py" and len(prov["data_sha256"]) == 64
    assert "tune" in prov["data"] and prov["parameters"]["C"] > 0
    assert sum(prov["labels"].values()) == prov["examples"]
    assert all(len(w) == len(nt.CLASSES) and all(math.isfinite(x) for x in w) for w in data["weights"].values())
    assert {r["threshold"] for r in data["cv"]["by_threshold"]} >= {None, data["drop_threshold"]}
    tagger = nt.load_tagger()
    assert set(tagger.weights) == set(data["weights"])
    # a title before a name says "person", a place head says "place": the learned weights agree with the rules
    assert tagger.weights["prev_title"].argmax() == nt.CLASSES.index("person")
    assert tagger.weights["organisation_head"].argmax() == nt.CLASSES.index("organisation")


def test_scorer_sums_weights_and_drops_only_above_the_threshold():
    tagger = nt.parse_tagger(
        {
            "classes": list(nt.CLASSES),
            "bias": [0.0, 0.0, 0.0, 0.0, 0.0],
            "weights": {"a": [1.0, 0.0, 0.0, 0.0, 0.0], "b": [0.0, 0.0, 0.0, 0.0, 3.0]},
            "drop_threshold": 0.8,
        }
    )
    p = tagger.score(["a", "unknown feature"])
    assert p[0] == pytest.approx(math.e / (math.e + 4))
    assert tagger.find_type(["a"])[0] == "organisation"
    none_p = math.exp(3) / (math.exp(3) + 4)  # 0.834: above 0.8, the name is dropped
    assert tagger.find_type(["b"]) == ("none", pytest.approx(none_p))
    assert tagger.find_type(["a", "b"])[0] == "organisation"  # "none" most probable (0.73) but below 0.8
    with pytest.raises(ResourceError, match="classes"):
        nt.parse_tagger({"classes": ["person"], "bias": [0.0], "weights": {}, "drop_threshold": 0.5})
    with pytest.raises(ResourceError, match="not a name tagger"):
        nt.parse_tagger({"weights": {}})


def test_tagger_types_unknown_names_and_leaves_resolved_mentions_alone():
    text = (
        "Mortar fire hit the market on Monday, and families fled to Qalaat Madiq. "
        "Mahmoud Haddad said the bakery had closed."
    )
    plain_mentions, plain = find(text)
    assert unlisted(plain) == {"Qalaat Madiq": ("unknown", "capitalised"), "Mahmoud Haddad": ("unknown", "capitalised")}
    mentions, tagged = find(text, tagger=True)
    assert unlisted(tagged) == {"Qalaat Madiq": ("place", "tagger"), "Mahmoud Haddad": ("person", "tagger")}
    pd.testing.assert_frame_equal(mentions, plain_mentions)  # resolved actors and places are never touched


def test_a_place_that_is_also_part_of_a_persons_name():
    # "Hama" is a city; "Hamid Hama, a teacher" is a man: the rule binds the place into the name, and the tagger
    # path types the name a person (rule name_bound) while "from Hama" stays a place mention
    mentions, other = find("Hamid Hama, a teacher, fled from Hama to Idlib with his family.", tagger=True)
    assert [m for m, k in zip(mentions["matched"], mentions["kind"]) if k == "place"] == ["Hama", "Idlib"]
    assert mentions.loc[mentions["matched"] == "Hama", "start"].tolist() == [33]  # the city, not the name
    assert unlisted(other) == {"Hamid Hama": ("person", "name_bound")}


def test_a_nationality_adjective_that_is_not_a_state_keeps_the_nationality_kind():
    text = "Kurdish officials said Turkish jets struck villages where Yazidi families had returned."
    for tagger in (False, True):
        mentions, other = find(text, tagger=tagger)
        assert list(zip(mentions["matched"], mentions["actor_id"])) == [("Turkish jets", "turkey")]
        nat = other[other["kind"] == "nationality"]
        assert nat["matched"].tolist() == ["Kurdish", "Yazidi"]  # peoples: no state, no actor
        assert nat["actor_id"].isna().all()
