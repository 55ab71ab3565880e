"""Nationality adjectives, generic organisation/place names and unlisted names on sentences written for these tests,
and the re3d reader and scorer (on ../shared/corpora/re3d when present)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import actors, config
from analysis.actors import mention_rules
from analysis.gold import re3d


def find(text: str, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    return mention_rules.find_all_mentions(pd.DataFrame({"doc_id": ["d"], "text": [text]}), **options)


def test_nationality_stands_for_a_state_only_before_a_state_noun():
    mentions, other = find(
        "Russian jets struck Idlib. The Russian Orthodox Church held a service. Turkish diplomats met."
    )
    assert mentions.loc[mentions["matched"] == "Russian jets", "actor_id"].tolist() == ["russia"]  # an alias
    assert ("Turkish", "turkey") in set(zip(mentions["matched"], mentions["actor_id"]))  # the rule
    church = other[other["matched"] == "Russian Orthodox Church"]
    assert church[["kind", "type"]].values.tolist() == [["unlisted", "organisation"]]
    assert "russia" not in set(mentions.loc[mentions["start"] > 26, "actor_id"])  # not the Church


def test_peoples_and_plain_nationalities_are_nationality_mentions():
    _, other = find("Syrian refugees and Kurdish and Yazidi families crossed into Iraqi Kurdistan.")
    nat = other[other["kind"] == "nationality"]
    assert nat["matched"].tolist() == ["Syrian", "Kurdish", "Yazidi"]
    assert nat["actor_id"].tolist()[0] == "SY"


def test_generic_organisation_and_place_patterns():
    _, other = find(
        "Fighters of the Hamza Brigades and the Levant Front met officials of the Ministry of Electricity "
        "near the Tishrin Dam."
    )
    types = dict(zip(other["matched"], other["type"]))
    assert types["Hamza Brigades"] == "organisation"
    assert types["Levant Front"] == "organisation"
    assert types["Ministry of Electricity"] == "organisation"
    assert types["Tishrin Dam"] == "place"


def test_unlisted_names_are_kept_apart_and_typed_by_title():
    mentions, other = find("Brigadier Hamid al-Jubouri said Abu Jandal was killed. Fighting raged on Monday.")
    assert "Hamid al-Jubouri" not in set(mentions["matched"])  # never an actor's count
    types = dict(zip(other["matched"], other["type"]))
    assert types == {"Hamid al-Jubouri": "person", "Abu Jandal": "person"}  # "Fighting", "Monday": no names


def test_place_that_is_also_a_persons_name():
    # "Hama" is the city, except as the second word of a man's name
    mentions, other = find("Jets struck Hama on Monday. Hamid Hama, a teacher, said the Hama road was shut.")
    places = mentions[mentions["kind"] == "place"]
    assert places["matched"].tolist() == ["Hama", "Hama"]  # the first and the last, not the teacher
    assert "Hamid Hama" in set(other["matched"])
    # a possessive written without its apostrophe (FA-KES lost them) is no first name
    mentions, other = find("Rebels shelled Syrias Aleppo province and Bashar al-Assads palace.")
    assert "aleppo_province" in set(mentions["actor_id"])
    assert not set(other["matched"]) & {"Syrias", "Aleppo", "Bashar al-Assads"}


def test_dictionary_mentions_are_unchanged_by_the_rules():
    text = "Iraqi forces and the SDF fought Islamic State near Mosul."
    plain = actors.find_mentions(text)
    merged, _ = find(text)
    assert merged[["actor_id", "start", "end"]].values.tolist() == plain[["actor_id", "start", "end"]].values.tolist()


# ---------------------------------------------------------------------------------------------------------- re3d
def test_score_mentions_one_to_one_and_typed():
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["The Syrian army shelled Aleppo and Aleppo again."]})
    gold = pd.DataFrame(
        {
            "doc_id": ["a"] * 2,
            "type": ["Organisation", "Location"],
            "start": [0, 24],
            "end": [15, 30],
            "value": ["The Syrian army", "Aleppo"],
        }
    )
    found = pd.DataFrame(
        {
            "doc_id": ["a"] * 3,
            "start": [4, 24, 35],
            "end": [15, 30, 41],
            "type": ["Organisation", "Organisation", "Location"],
        }
    )
    loose = re3d.score_mentions(found, gold, docs).set_index("type")
    assert loose.loc["all", "n_correct"] == 2  # the second "Aleppo" has no gold span left
    strict = re3d.score_mentions(found, gold, docs, rule="overlap", typed=True).set_index("type")
    assert strict.loc["Location", "recall"] == 0.0  # found as an Organisation: wrong type
    assert strict.loc["Organisation", "recall"] == 1.0


def test_re3d_reader_offsets_index_the_text():
    if not (config.SHARED_CORPORA / "re3d").is_dir():
        pytest.skip("needs ../shared/corpora/re3d")
    docs, gold = re3d.load_re3d()
    assert set(gold["type"]) == set(re3d.TYPES)
    text = dict(zip(docs["doc_id"], docs["text"]))
    same = [text[r.doc_id][r.start : r.end] == r.value for r in gold.itertuples()]
    assert sum(same) / len(same) > 0.99  # a few gold values differ in quote marks or line breaks
    with pytest.raises(re3d.ParameterError, match="not found"):
        re3d.load_re3d(["No Such Folder"])


def test_common_noun_mentions_are_nominal_and_never_actors():
    mentions, other = find(
        "The army shelled a nearby village and civilians fled to the camp. The Syrian army said its soldiers "
        "had left the town.",
        nominal=True,
    )
    nominal = other[other["kind"] == "nominal"]
    assert dict(zip(nominal["matched"], nominal["type"])) == {
        "The army": "organisation",
        "a nearby village": "place",
        "civilians": "organisation",
        "the camp": "place",
        "its soldiers": "organisation",
        "the town": "place",
    }
    assert "Syrian army" in set(mentions["matched"])  # a dictionary mention, not a nominal one
    assert not set(mentions["matched"]) & set(nominal["matched"])  # nominal mentions never count for an actor
    assert "nominal" not in set(find("The army shelled the town.")[1]["kind"])  # only when asked for


def test_pronouns_are_typed_pronoun_mentions_only_when_asked_for():
    text = (
        'The commander said he had seen her brother. "We will not leave," she told him. '
        "I'm sure, the man added; it rained. Where is the shelter? World War I ended. Shehab and Heather left."
    )
    mentions, other = find(text, nominal=True)
    pron = other[other["kind"] == "pronoun"]
    assert list(zip(pron["matched"], pron["type"])) == [
        ("he", "person"),
        ("We", "organisation"),
        ("she", "person"),
        ("him", "person"),
        ("I", "person"),  # "I'm": the contraction keeps the pronoun
    ]  # not the "I" of "World War I": it is inside a capitalised name
    assert not set(pron["matched"]) & {"her", "it", "the", "Shehab", "Heather"}  # no part of a word, no "it"
    assert "pronoun" not in set(find(text)[1]["kind"])
    assert "pronoun" not in set(mentions["kind"])  # never an actor mention


def test_re3d_nested_spans_merge_into_one_unit():
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["Fighters of the SDF entered the area of Mosul district."]})
    gold = pd.DataFrame(
        {
            "doc_id": ["a"] * 4,
            "type": ["Organisation", "Organisation", "Location", "Location"],
            "start": [12, 16, 32, 40],
            "end": [19, 19, 54, 54],
            "value": ["the SDF", "SDF", "the area of Mosul district", "Mosul district"],
        }
    )
    assert re3d.find_nested_groups(gold) == [0, 0, 1, 1]
    found = pd.DataFrame({"doc_id": ["a", "a"], "start": [16, 40], "end": [19, 54], "type": [None, None]})
    separate = re3d.score_mentions(found, gold, docs).set_index("type")
    merged = re3d.score_mentions(found, gold, docs, nested="merge").set_index("type")
    assert separate.loc["all", "recall"] == 0.5  # one mention for one span: "the SDF" and "SDF" cannot both count
    assert merged.loc["all", ["n_gold", "recall", "precision"]].tolist() == [2, 1.0, 1.0]


def test_re3d_check_part_is_kept_apart():
    if not (config.SHARED_CORPORA / "re3d").is_dir():
        pytest.skip("needs ../shared/corpora/re3d")
    tune, tune_gold = re3d.load_re3d(part="tune")
    check, check_gold = re3d.load_re3d(part="check")
    assert (len(tune), len(check)) == (39, 11)
    assert not set(tune["doc_id"]) & set(check["doc_id"])
    assert set(check_gold["doc_id"]) <= set(check["doc_id"])
    _, best = re3d.load_re3d(part="tune", one_type_per_span=True)
    assert len(best) < len(tune_gold)  # "Syria" annotated Location (confidence 0) and Organisation (1): one kept
    with pytest.raises(re3d.ParameterError, match="part"):
        re3d.load_re3d(part="test")


def test_operations_and_ships_are_no_names_and_a_nationality_may_sit_inside_a_nominal_mention():
    _, other = find(
        "Operation Matador began as HMS Ocean sailed north. The Iraqi commander said that the command had moved.",
        nominal=True,
    )
    assert not {"Operation Matador", "Matador", "HMS Ocean", "Ocean"} & set(other["matched"])
    nominal = other[other["kind"] == "nominal"]
    assert dict(zip(nominal["matched"], nominal["type"])) == {
        "The Iraqi commander": "person",
        "the command": "organisation",
    }
    assert "Iraqi" in set(other.loc[other["kind"] == "nationality", "matched"])  # both: re3d marks both


def test_capitalised_runs_start_on_a_leading_particle_only_after_a_boundary():
    text = (
        "Forces of al-Assad met Abu Bakr al-Baghdadi, bin Laden's men and Jaish al-Islam; Hal-Abbas and xal-Bab, U.S."
    )
    runs = [text[s:e] for s, e in mention_rules._find_runs(text)]
    assert runs == [
        "Forces",
        "al-Assad",
        "Abu Bakr al-Baghdadi",
        "bin Laden's",
        "Jaish al-Islam",
        "Hal-Abbas",
        "Bab",
        "U.S.",
    ]


def nested_rows(other: pd.DataFrame) -> dict[str, tuple[str, str]]:
    rows = other[other["kind"] == "nested"]
    return {m: (t, r) for m, t, r in zip(rows["matched"], rows["type"], rows["rule"])}


def test_nested_mentions_inside_and_around_names_only_when_asked_for():
    text = (
        "Coalition jets hit two ISIL-held buildings and five ISIL tactical units west of Raqqa, while Iraqi security "
        "forces advanced in northern Iraq. The Baghdad Operational Command said al-Qaeda in Iraq had left."
    )
    mentions, plain = find(text, nominal=True)
    assert "nested" not in set(plain["kind"])
    nested_mentions, other = find(text, nominal=True, nested=True)
    pd.testing.assert_frame_equal(nested_mentions, mentions)  # never actor or place mentions
    got = nested_rows(other)
    assert got["two ISIL-held buildings"] == ("place", "nested_phrase")
    assert got["five ISIL tactical units"] == ("organisation", "nested_phrase")
    assert got["west of Raqqa"] == ("place", "nested_direction")
    assert got["northern Iraq"] == ("place", "nested_direction")
    assert got["Iraqi"] == ("nationality", "nested_nationality")  # inside the dictionary's "Iraqi security forces"
    assert got["The Baghdad Operational Command"] == ("organisation", "nested_phrase")
    assert got["Iraq"] == ("place", "nested_name")  # the place that ends "al-Qaeda in Iraq"
    # the spans they hold are still found once each
    assert mentions["matched"].tolist().count("ISIL") == 2
    assert {"Raqqa", "Baghdad"} <= set(mentions["matched"])


def test_nested_nationality_inside_a_church_is_no_state_and_country_names_hold_none():
    mentions, other = find(
        "The Russian Orthodox Church met envoys of Saudi Arabia and the United Arab Emirates.", nested=True
    )
    got = nested_rows(other)
    assert got["Russian"] == ("nationality", "nested_nationality")
    assert "russia" not in set(mentions["actor_id"])  # a nationality, not the state
    assert "Saudi" not in got and "Arab" not in got  # a country's name is one name


def test_nested_person_with_titles_and_no_surname_inside_a_full_name():
    _, other = find(
        "Iraqi Prime Minister Haider al-Abadi met Defense Secretary Ash Carter. Bashar al-Assad stayed away.",
        nested=True,
    )
    got = nested_rows(other)
    assert got["Iraqi Prime Minister Haider al-Abadi"] == ("person", "nested_title")
    assert got["Defense Secretary Ash Carter"] == ("person", "nested_title")  # an alias of the US in the dictionary
    assert "al-Assad" not in got  # a person's name is one name
    # a verb between a name and a people word makes no phrase
    assert not [m for m in got if m.startswith("Ash Carter")]


def test_nested_place_bound_into_a_persons_name_stays_a_person():
    # "Hama" is a city; here it is the second word of a man's name, and no direction phrase is built on it
    mentions, other = find("Hamid Hama, a teacher from Idlib, fled north of Hama with his family.", nested=True)
    assert mentions["matched"].tolist() == ["Idlib", "Hama"]  # only the city of the second sentence part
    got = nested_rows(other)
    assert got["north of Hama"] == ("place", "nested_direction")
    assert not [m for m in got if "Hamid" in m]


def test_a_foreign_language_gloss_is_no_unlisted_name():
    text = "The Hamrin Mountains (Arabic: جبال حمرين, Kurdish: Çiyayê Hemrîn) rise north of Baquba near Qaraçoq Hill."
    _, other = find(text)
    names = other.loc[other["kind"] == "unlisted", "matched"].tolist()
    assert "Çiyayê Hemrîn" not in names
    assert "Qaraçoq Hill" in names  # outside the parenthesis it is a name


def test_common_noun_head_may_carry_a_possessive():
    _, other = find("Strikes limit the group's ability and the farms' owners fled.", nominal=True)
    nominal = other[other["kind"] == "nominal"]
    assert nominal["matched"].tolist() == ["the group", "the farms"]
