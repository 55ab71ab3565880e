"""Source attribution on tricky sentences (written for these tests) and on PolNeAR dev when ../shared is present."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import frames
from analysis.gold import polnear


def attributions(text: str) -> pd.DataFrame:
    got = frames.find_attributions(pd.DataFrame({"doc_id": ["d"], "text": [text]}))
    return got.sort_values("start").reset_index(drop=True)


def content(text: str, row) -> str:
    return text[row.content_start : row.content_end]


def test_pronoun_after_a_quote_takes_the_previous_speakers_type():
    text = (
        "Rami Abdel Rahman, who heads the Syrian Observatory for Human Rights, said 20 people were killed. "
        '"The toll will rise, because many are badly wounded," he said.'
    )
    got = attributions(text)
    assert list(got["speaker"]) == ["Rami Abdel Rahman", "he"]
    assert list(got["source_type"]) == ["monitor_ngo", "monitor_ngo"]
    assert got.loc[1, "coref"] == "previous"
    assert content(text, got.loc[1]) == '"The toll will rise, because many are badly wounded,"'


def test_said_inside_a_quote_belongs_to_the_quoted_speaker():
    text = '"The fighters said they would surrender the bridge," the SDF commander told AFP.'
    got = attributions(text)
    assert list(got["speaker"]) == ["the SDF commander"]  # not "The fighters"
    assert got.loc[0, "pattern"] == "X told MEDIA"
    assert got.loc[0, "source_type"] == "armed_group"


def test_nested_attribution_outside_quotes_gives_both_speakers():
    text = "Iraqi officials said the commander had denied that his troops shelled the market."
    got = attributions(text)
    assert list(zip(got["speaker"], got["verb"])) == [("Iraqi officials", "said"), ("the commander", "denied")]
    assert content(text, got.loc[1]) == "his troops shelled the market."


def test_participle_and_relative_sources():
    text = (
        "Abadi praised the troops in a televised address, saying Mosul would be free within weeks. "
        "The spokesman, who confirmed the strike, declined to give a toll."
    )
    got = attributions(text)
    rows = list(zip(got["speaker"], got["verb"], got["pattern"]))
    assert ("Abadi", "praised", "X praised") in rows
    assert ("Abadi", "saying", "X, saying") in rows  # the participle's speaker is the clause's subject
    assert ("who", "confirmed", "X confirmed") in rows
    who = got[got["speaker"] == "who"].iloc[0]
    assert (who["coref"], who["source_type"]) == ("relative", "government_military")  # "The spokesman"


def test_anonymous_sources_are_typed_anonymous():
    text = "Security sources said the convoy was hit. Officials who asked not to be named said two were dead."
    got = attributions(text)
    assert list(got["source_type"]) == ["anonymous", "anonymous"]


def test_content_of_a_quote_running_over_several_sentences():
    text = '"We entered the old city at dawn. The fighting was street by street," the officer said.'
    got = attributions(text)
    assert content(text, got.iloc[0]) == '"We entered the old city at dawn. The fighting was street by street,"'


def test_a_war_verb_from_political_news_is_not_a_speech_verb():
    # "withdrew", "pushed", "unveiled" head attributions in PolNeAR but name actions in war news (excluded)
    got = attributions("The jihadists withdrew from the village and the army pushed into the old city.")
    assert got.empty


# ------------------------------------------------------------------------------------------------ gold and scorer
ANN = (
    "T1\tSource 0 5\tSmith\n"
    "T2\tCue 6 10\tsaid\n"
    "T3\tContent 11 30;35 40\tthe town was quiet and calm\n"
    "T4\tAttribution 6 10\tsaid\n"
    "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    "T5\tCue 50 62\taccording to\n"
    "T6\tContent 41 49\ta second\nline of a span text\n"
    "E2\tAttribution:T5 Cue:T5 Content:T6\n"
)


def test_parse_brat_reads_discontinuous_spans_and_missing_sources():
    rels = polnear.parse_brat(ANN)
    assert len(rels) == 2
    assert rels[0]["Source"] == ([(0, 5)], "Smith")
    assert rels[0]["Content"][0] == [(11, 30), (35, 40)]
    assert rels[1]["Source"] is None


def test_score_attributions_lenient_and_overlap_rules():
    gold = pd.DataFrame(
        {
            "doc_id": ["a", "a"],
            "source_text": ["Mr. Smith", "she"],
            "source_start": [0, 40],
            "source_end": [9, 43],
            "cue_text": ["said", "told"],
            "cue_start": [10, 44],
            "cue_end": [14, 48],
        }
    )
    found = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a"],
            "speaker": ["Smith", "she", "Smith"],
            "speaker_start": [3, 80, 100],
            "speaker_end": [9, 83, 105],
            "verb": ["says", "told", "said"],
            "cue_start": [10, 84, 106],
            "cue_end": [14, 88, 110],
        }
    )
    lemmas = {"said": "say", "says": "say"}
    lenient = polnear.score_attributions(found, gold, rule="lenient", lemmas=lemmas)
    assert (lenient["n_correct"], lenient["n_found"], lenient["n_gold"]) == (2, 3, 2)  # one-to-one: 2, not 3
    overlap = polnear.score_attributions(found, gold, rule="overlap")
    assert overlap["n_correct"] == 1  # only the first found one sits on its gold spans


def test_polnear_refuses_the_held_out_part():
    with pytest.raises(polnear.ParameterError, match="held out"):
        polnear.load_polnear("test")


def test_polnear_dev_reads_and_scores():
    from analysis import config

    if not (config.SHARED_CORPORA / "polnear" / "data" / "dev").is_dir():
        pytest.skip("needs ../shared/corpora/polnear")
    docs, gold = polnear.load_polnear("dev")
    assert len(docs) == 84
    with_source = gold[gold["source_start"] >= 0]
    assert len(with_source) > 1500
    text = dict(zip(docs["doc_id"], docs["text"]))
    for r in with_source.head(200).itertuples():  # the BRAT offsets index the article text
        assert text[r.doc_id][r.source_start : r.source_end] == r.source_text
    found = frames.find_attributions(docs)
    score = polnear.score_attributions(found, gold, rule="overlap")
    assert score["precision"] > 0.8 and score["recall"] > 0.4


def test_pronoun_takes_the_last_named_speaker_of_its_kind():
    text = (
        "Haider al-Abadi said the city would be freed. The Joint Operations Command said 20 militants were killed. "
        '"We will not stop until the last one has gone," he said. They said the operation would go on.'
    )
    got = attributions(text)
    he = got[got["speaker"] == "he"].iloc[0]
    assert (he["actor_id"], he["coref"]) == ("abadi", "previous")  # the person, not the JOC said just before
    they = got[got["speaker"] == "They"].iloc[0]
    assert they["actor_id"] == "joc"


def test_anonymous_sources_keep_the_type_their_words_give():
    got = attributions("A military source said the convoy was hit. Sources close to the rebels said they withdrew.")
    assert list(got["source_type"]) == ["anonymous", "anonymous"]
    assert list(got["anonymous_type"]) == ["government_military", "armed_group"]


# ------------------------------------------------------------------------------------- speaker phrases (issue 11)
def speakers(text: str) -> list[tuple[str, str]]:
    return list(zip(*(attributions(text)[c] for c in ("speaker", "verb"))))


def test_a_pronoun_right_before_the_verb_is_the_speaker():
    # no comma after the time phrase (wire copy that lost its punctuation): the pronoun is still the speaker
    text = "Maria Lopez said the clinic was open. At the briefing this week she said the wards were full."
    got = attributions(text)
    she = got[got["speaker"] == "she"].iloc[0]
    assert she["verb"] == "said" and she["coref"] == "previous"


def test_it_after_a_quote_is_the_organisation_named_before():
    text = 'The Syrian Observatory for Human Rights said 12 civilians died. "Most of them were children," it added.'
    got = attributions(text)
    it = got[got["speaker"] == "it"].iloc[0]
    assert (it["verb"], it["coref"], it["source_type"]) == ("added", "previous", "monitor_ngo")


def test_party_tags_ages_asides_and_titles_stay_with_the_name():
    # (party tags with periods, "(D-R.I.)", end a sentence for the Punkt sentence splitter: not tested here)
    assert ("Gov. Rick Scott (R)", "said") in speakers("Gov. Rick Scott (R) said the bill would pass.")
    assert ("Rep. Bobby Scott (D-VA)", "said") in speakers("Rep. Bobby Scott (D-VA), said the vote was close.")
    assert ("Jillian Chase", "said") in speakers("Jillian Chase, 27, a nurse in Erbil, said the road was closed.")
    assert ("Kasich", "said") in speakers("Kasich (who has 25 delegates) said he would stay in the race.")
    got = attributions("Michael Green, associate professor of history at the university, said turnout was low.")
    assert (got.loc[0, "speaker"], got.loc[0, "role"]) == (
        "Michael Green",
        "associate professor of history at the university",
    )
    got = attributions("Bloomberg's pollster, Douglas Schoen, says the money is there.")
    assert (got.loc[0, "speaker"], got.loc[0, "role"]) == ("Douglas Schoen", "Bloomberg's pollster")


def test_a_dash_aside_between_speaker_and_verb():
    text = 'Donald Trump - who had said he would "bomb" the oil fields - said at a rally that he meant it.'
    assert ("Donald Trump", "said") in speakers(text)


def test_negation_and_modals_are_not_part_of_the_speaker():
    assert ("The ministry", "say") in speakers("The ministry did not say how many soldiers had died.")
    assert ("The employee", "said") in speakers("The employee first said he did not recall the deletions.")


def test_said_followed_by_a_clause_has_no_inverted_speaker():
    # "..., said he expects ...": the speaker is on the left, "he expects Obama" is what was said
    got = attributions("Dan Kritenbrink, senior director for Asian affairs, said he expects Obama to attend.")
    assert list(got["speaker"]) == ["Dan Kritenbrink"]


def test_a_participle_in_the_speaker_phrase_is_no_inner_speech_verb():
    got = attributions("A video posted online by activists showed smoke rising over the old city.")
    assert list(zip(got["speaker"], got["verb"])) == [("A video posted online by activists", "showed")]


def test_a_lexicon_verb_after_a_bare_comma_has_an_object_not_a_speaker():
    got = attributions("Morton Blackwell, founder of the institute, endorsed Cruz last week, saying he was ready.")
    assert "Cruz last week" not in set(got["speaker"])


# --------------------------------------------------------------------------------------------------- the cue gate
def test_the_cue_gate_keeps_a_stance_verb_with_a_named_subject_and_drops_it_after_a_noun_phrase():
    kept = attributions("Sanders believes that the primaries were rigged against him.")
    assert ("Sanders", "believes") in set(zip(kept["speaker"], kept["verb"]))
    rules = frames.load_attribution_rules()
    assert rules.verb_rows[rules.verb_forms["believes"]]["gated"]  # a low-rate verb: the gate decided
    dropped = attributions("The tall brick building with the broken windows believed in nothing.")
    assert dropped.empty


def test_the_cue_gate_file_has_provenance_and_one_coefficient_per_feature():
    import json

    from analysis import config
    from analysis.frames import cue_gate

    data = json.loads(config.resource(cue_gate.GATE_FILE).read_text(encoding="utf-8"))
    assert list(data["features"]) == list(cue_gate.FEATURES)
    assert set(data["coefficients"]) == set(cue_gate.FEATURES)
    assert data["training"]["data"].startswith("PolNeAR") and "train" in data["training"]["data"]
    assert data["training"]["files_sha256"] and data["cv"]["auc"] > 0.6
    gate = cue_gate.load_cue_gate()
    assert 0.0 < gate.threshold < 1.0


def test_a_gate_file_with_missing_features_is_refused(tmp_path):
    from analysis.errors import ResourceError
    from analysis.frames import cue_gate

    bad = tmp_path / "gate.json"
    bad.write_text('{"version": "1", "coefficients": {"form_logit": 1.0}, "intercept": 0, "threshold": 0.5}')
    with pytest.raises(ResourceError, match="exactly the features"):
        cue_gate.load_cue_gate(bad)


def test_masked_abbreviations_are_those_the_whole_sentence_substitution_finds():
    # _mask_abbreviations tries the abbreviation pattern only within reach of each period; it must mask exactly what
    # a substitution over the whole sentence masks, including runs of abbreviations, dotted ones and near-misses
    from analysis.frames.speakers import _ABBREV_DOT, _MASK, _mask_abbreviations

    sentences = [
        "Lt. Gen. Stephen Townsend told reporters in Baghdad on Jan. 5 at 3 p.m. that the U.S.-led coalition was ready.",
        "Maj.-Gen. Rupert Jones, the coalition's deputy commander, said the Gen.Staff met at 10 a.m.",
        "The col. said: colonels, gens. and sgts. were not there; Dr.Smith and Mr. Jones were.",
        "No abbreviation here, only a period at the end.",
        "U.S. and E.U. officials (R-Ky.) met... etc. etc.",
        "A.M.A.M. x.y. Sen.",
    ]
    for sent in sentences:
        expected = _ABBREV_DOT.sub(lambda m: m.group(1).replace(".", _MASK) + _MASK, sent)
        if "(" not in sent:
            assert _mask_abbreviations(sent) == expected
        assert len(_mask_abbreviations(sent)) == len(sent)
    assert _mask_abbreviations(sentences[0]).count(_MASK) == 7  # Lt. Gen. Jan. p.m. U.S. (not "ready.")
    assert "Gen" + _MASK + "Staff" in _mask_abbreviations(sentences[1])
    assert _mask_abbreviations(sentences[3]) == sentences[3]


def test_the_verbs_of_the_original_sentence_are_reused_only_where_masking_keeps_them():
    # _doc_found scans a sentence for speech verbs once, before masking, and reuses the matches: they must be those
    # a scan of the masked sentence finds (abbreviations next to verbs, apostrophes, hyphens, dotted initials)
    from analysis.frames.attribution import _masked_verbs
    from analysis.frames.attribution_rules import load_attribution_rules
    from analysis.frames.speakers import _mask_abbreviations

    rules = load_attribution_rules()
    sentences = [
        "Lt. Gen. Stephen Townsend said on Jan. 5 that the U.S.-led coalition, Gen. Jones added, was ready.",
        "The Dr. told reporters the St. Mary's clinic wasn't hit, officials said, and Mr. Khaled denied it.",
        "Maj.-Gen. Rupert Jones said at 3 p.m. that U.S. officials had re-stated their aims, Sgt. Lee warned.",
        "Sen. Jack Reed (D-R.I.) said the Sen. Armed Services panel would meet; Rep. Bobby Scott (D-VA) agreed.",
        "No speech verb here, only a period at the end.",
    ]
    reused = 0
    for original in sentences:
        sent = _mask_abbreviations(original)
        assert sent != original or "No speech" in original
        verbs = list(rules.verb_regex.finditer(original))
        got = _masked_verbs(rules, original, sent, verbs)
        expected = [(m.span(), m.group()) for m in rules.verb_regex.finditer(sent)]
        assert [(m.span(), m.group()) for m in got] == expected
        assert [(m.span(), m.group()) for m in _masked_verbs(rules, original, sent, None)] == expected
        reused += got is verbs
    assert reused == 4  # all but the sentence with party tags, which masking changes beyond periods
    assert len(list(rules.verb_regex.finditer(sentences[0]))) == 2  # said, added


def test_the_speaker_tail_is_stripped_as_by_the_three_substitutions():
    # _strip_speaker_tail skips the time-phrase and second trailing-word substitutions when the last token ends no
    # time phrase; it must give what the three substitutions give, on written tails and on seeded combinations of
    # trailing words, time phrases, names, odd whitespace and case (the long s matches "s" under IGNORECASE)
    import random

    from analysis.frames.attribution_rules import load_attribution_rules
    from analysis.frames.speakers import _TIME_TAIL, _strip_speaker_tail

    rules = load_attribution_rules()

    def three_substitutions(tail: str) -> str:
        tail = rules.trailing_regex.sub("", tail)
        tail = _TIME_TAIL.sub("", tail).rstrip()
        return rules.trailing_regex.sub("", tail).rstrip()

    written = [
        "The Syrian Observatory for Human Rights has also",
        "Foreign Minister Sergei Lavrov told reporters on Sunday",
        "The ministry in a statement on Monday has",
        "Smith, who was in Aleppo in March 2016, had also previously",
        "Officials late on Friday",
        "the army said in a televised address today",
        "A spokesman for the coalition, speaking in a press conference",
        "Hassan Hassan repeatedly",
        "The group",
        "",
    ]
    pieces = [" has", " also", " on", " Sunday", " in", " a", " statement", " March", " 2016", " last", " week",
              " today", " Smith", " the", " ministry", " had  also", "\u00a0on\u00a0Monday", " \u2009tonight", " Really",
              " reportedly", " did not", " couldn't", " press", " conference", " this", " year", ",", " IN A SPEECH",
              " \u017funday", " \n"]  # fmt: skip
    rng = random.Random(13)
    generated = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 7))) for _ in range(20_000)]
    for tail in written + generated:
        assert _strip_speaker_tail(tail, rules) == three_substitutions(tail), repr(tail)
    assert _strip_speaker_tail(written[1], rules) == "Foreign Minister Sergei Lavrov told reporters"
    assert _strip_speaker_tail(written[2], rules) == "The ministry"
    assert _strip_speaker_tail(written[3], rules) == "Smith, who was in Aleppo in March 2016,"
    assert _strip_speaker_tail(" Lavrov on \u017funday", rules) == " Lavrov"


def test_end_anchored_speaker_patterns_are_searched_only_where_a_match_can_end():
    # _search_end skips a `$`-anchored search when the phrase does not end as every match of the pattern ends: the
    # same result as the search, for each pattern and the endings _left_speaker gives it, on seeded phrases
    import random
    import re

    from analysis.frames import speakers

    uses = [
        (speakers._CLOSING_DASH, speakers._DASHES),
        (speakers._IT_SPEAKER, ("it", "It")),
        (speakers._PRONOUN_END, speakers._PRONOUNS),
        (speakers._RELATIVE_SPEAKER, ("who",)),
        (speakers._PASSIVE_ADVERB, ("ly",)),
    ]
    pieces = ["Name", " ", ",", ", ", '," ', "” ", ". ", " -", " —", "–", "--", " - ", "it", "It", "IT", "he", "She",
              "THEY", "I", "we", "who", "Who", "was", "is being", " badly", "only", "ly", "(", ")", "\n", "\u00a0",
              "said", "who ", "wit", "she", "Name, who", " was badly", " is newly"]  # fmt: skip
    rng = random.Random(7)
    phrases = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(20_000)]
    phrases += ["Harvey, who", '"We will stay," it', "at the town hall this week she", "Trump -", "was widely\n"]
    for pattern, endings in uses:
        assert not pattern.flags & re.IGNORECASE
        found = 0
        for text in phrases:
            expected = pattern.search(text)
            got = speakers._search_end(pattern, text, endings)
            assert (got and (got.span(), got.groups())) == (expected and (expected.span(), expected.groups())), text
            found += expected is not None
        assert found > 200  # the phrases do end in matches of every pattern


def test_it_after_a_quote_and_a_pronoun_after_a_quote_take_the_speaker_before():
    text = (
        "The Joint Operations Command said troops had entered the old city. "
        '"We will not stop until the last street is cleared," it added. '
        'Colonel Ahmed Jaber, a spokesman, said the road was open. "The convoy leaves at dawn," he said.'
    )
    got = attributions(text)
    assert list(zip(got["speaker"], got["coref"].fillna(""))) == [
        ("The Joint Operations Command", ""),
        ("it", "previous"),
        ("Colonel Ahmed Jaber", ""),
        ("he", "previous"),
    ]
    assert set(got["source_type"]) == {"government_military"}


def test_said_inside_a_quote_after_a_colon_is_not_a_second_attribution():
    got = attributions('The commander said: "The villagers said they saw nothing, and we believe them."')
    assert list(zip(got["speaker"], got["verb"])) == [("The commander", "said")]


def test_nested_attribution_with_an_auxiliary_and_an_addressee():
    text = "The ministry said the governor had told reporters that the bridge was destroyed."
    got = attributions(text)
    assert list(zip(got["speaker"], got["verb"])) == [("The ministry", "said"), ("the governor", "told")]
    assert content(text, got.loc[1]) == "the bridge was destroyed."


def test_the_name_that_opens_a_sentence_before_several_appositives():
    text = "Hassan Ali, a teacher from the eastern district, a father of three, said the shelling had stopped."
    got = attributions(text)
    assert list(got["speaker"]) == ["Hassan Ali"]
    assert got.loc[0, "role"] == "a teacher from the eastern district, a father of three"
    assert got.loc[0, "source_type"] == "civilian_witness"  # typed by its role
    # a sentence opened by an adverb or a preposition has no such speaker
    assert attributions("However, in a later interview with the station, said the shelling had stopped.").empty


def test_a_group_with_an_including_aside_and_a_modal_clause_after_the_verb():
    got = attributions("Several aid groups, including two local charities, said the convoy should wait.")
    # "said the convoy should wait" is a clause, not an inverted speaker "the convoy should wait"
    assert list(zip(got["speaker"], got["role"])) == [("Several aid groups", "including two local charities")]
    assert got.loc[0, "source_type"] == "monitor_ngo"


def test_a_sentence_whose_only_cue_is_a_participle():
    got = attributions("On Monday, the governor toured the camp, saying conditions had improved.")
    assert list(zip(got["speaker"], got["pattern"])) == [("the governor", "X, saying")]
    assert attributions("Then she cut into the minister, calling him a liar.")["speaker"].tolist() == ["she"]


def test_any_speech_verb_inverts_after_a_closing_quotation():
    got = attributions('"The road is open again," wrote Lina Saleh, a volunteer.')
    assert list(zip(got["speaker"], got["pattern"])) == [("Lina Saleh", "wrote X")]
    # without the quotation "wrote" keeps its object: no speaker after it
    assert attributions("The road was open again, wrote Lina Saleh.").empty


def test_trailing_words_are_stripped_as_by_the_substitution():
    # _strip_trailing_words skips the substitution when the text's last word ends as no trailing word can
    # (rules.trailing_ends), _left_speaker the not-a-speaker search likewise (rules.not_speaker_ends); seeded
    # combinations of trailing words, names, case, odd whitespace and characters that
    # lower-case matching must refuse (long s, Kelvin sign)
    import random

    from analysis.frames.attribution_rules import load_attribution_rules
    from analysis.frames.speakers import _may_end_in, _strip_trailing_words

    rules = load_attribution_rules()
    assert rules.trailing_ends is not None and "has" in rules.trailing_ends
    words = ["has", "HAS", "also", "had also", "didn't", "DIDN’T", "officially", "OFFICIALLY", "Italy", "The"]
    words += ["Assad", "haſ", "\u212a", "would not", "both", "ly", "", " ", "\n", "was", "It", "IT", "the", "ıt"]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(
            rng.choice(words) + rng.choice([" ", "  ", "\n", "", " \u00a0"]) for _ in range(rng.randint(0, 5))
        )
        assert _strip_trailing_words(text, rules) == rules.trailing_regex.sub("", text), repr(text)
        may = _may_end_in(text, rules.not_speaker_ends)
        assert bool(may and rules.not_speaker_regex.search(text)) == bool(rules.not_speaker_regex.search(text))


def test_verbs_tried_at_form_starts_equal_finditer():
    # _doc_found finds each sentence's speech verbs by trying the verb regex only where a form starts in the
    # document (_verb_starts, _verbs_at); it must give finditer's matches, also for sentences cut inside a word or
    # right after a hyphen, and for forms inside other words
    from analysis.frames.attribution import _verb_starts, _verbs_at
    from analysis.frames.attribution_rules import load_attribution_rules
    from analysis.frames.document import _Doc

    rules = load_attribution_rules()
    text = "He said.Said she, unsaid; long-stated says-added told told. Officials said-said,said. essays said"
    cuts = sorted({0, 3, 8, 9, 14, 27, 28, 33, 40, 46, 60, 62, 75, len(text)} | set(range(0, len(text), 7)))
    for step in (1, 2, 3):
        starts = cuts[::step]
        spans = list(zip(starts, starts[1:] + [len(text)]))
        doc = _Doc("d", text, (list(range(len(spans))), [s for s, _ in spans], [e for _, e in spans]))
        found = _verb_starts(doc, rules)
        for s0, e0 in spans:
            sent = text[s0:e0]
            expected = [(m.span(), m.group()) for m in rules.verb_regex.finditer(sent)]
            assert [(m.span(), m.group()) for m in _verbs_at(rules.verb_regex, sent, s0, found)] == expected


def test_person_heads_found_as_by_the_search():
    # _speaker_kind searches _PERSON_HEAD only in a speaker whose end, lowered, is one of the heads' endings
    import random

    from analysis.frames.speakers import _PERSON_HEAD, _PERSON_HEAD_ENDS, _may_end_in

    words = ["the", "SDF", "commander", "COMMANDER", "Spokeswoman", "man", "human", "Man\n", "woman ", "boy", "ſource"]
    words += ["officials", "head", "ahead", "\u212a", "", " "]
    rng = random.Random(3)
    for _ in range(20_000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 4)))
        expected = bool(_PERSON_HEAD.search(text))
        assert bool(_may_end_in(text, _PERSON_HEAD_ENDS) and _PERSON_HEAD.search(text)) == expected, repr(text)


def test_passive_and_last_and_equal_their_regexes():
    # language._is_passive searches _PASSIVE from the last but one word only; speakers._last_and_end finds the last
    # "and" with str.rfind on the lowered text: both must agree with the plain regex on seeded texts
    import random

    from analysis.frames.language import _PASSIVE, _is_passive
    from analysis.frames.speakers import _AND, _last_and_end

    words = ["was", "WAS", "were", "been", "is", "IS", "get", "gets", "quickly", "Quickly", "ly", "and", "AND", "And"]
    words += ["band", "andy", "_and", "x", "(was", "were)", "\u212a", "ſ", "é", "", "1"]
    rng = random.Random(5)
    for _ in range(30_000):
        text = "".join(rng.choice(words) + rng.choice([" ", "  ", "\n", "", "\t"]) for _ in range(rng.randint(0, 6)))
        assert _is_passive(text) == bool(_PASSIVE.search(text)), repr(text)
        ends = [m.end() for m in _AND.finditer(text)]
        assert _last_and_end(text) == (ends[-1] if ends else None), repr(text)


def test_rules_made_with_another_trailing_regex_take_its_ends():
    # the end strings are derived from the regexes whenever rules are made, so dataclasses.replace with a new
    # trailing regex cannot leave the old ends behind (which would skip its matches)
    import dataclasses
    import re

    from analysis.frames.attribution_rules import load_attribution_rules
    from analysis.frames.speakers import _strip_trailing_words

    rules = load_attribution_rules()
    custom = dataclasses.replace(rules, trailing_regex=re.compile(r"\s+(?:formerly)\s*$", re.IGNORECASE))
    assert custom.trailing_ends == ("formerly",) and rules.trailing_ends != custom.trailing_ends
    assert _strip_trailing_words("the governor formerly", custom) == "the governor"
    assert _strip_trailing_words("the governor has", custom) == "the governor has"
