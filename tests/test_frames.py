"""Frames, conflict labels and their voice, territorial verbs and source attribution on real and self-written text."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import actors, frames
from analysis.errors import ParameterError, ResourceError


def docs_of(**texts) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())})


def one(text: str) -> pd.DataFrame:
    return docs_of(d=text)


def fired(text: str) -> set[str]:
    _, indicators, _ = frames.score_frames(one(text))
    return set(indicators.loc[indicators["fired"], "frame"] + "." + indicators.loc[indicators["fired"], "indicator"])


def seed_story(seed_path) -> str:
    """The seed's 12 story paragraphs: everything before the "Disclaimer:" line (the rest is the paywall)."""
    text = seed_path.read_text(encoding="utf-8")
    return text.split("\nDisclaimer:")[0].strip()


# ------------------------------------------------------------------------------------------------ codebook
def test_codebook_has_semetko_valkenburg_questions_and_domain_frames():
    cb = frames.load_codebook()
    generic = {f.id: f for f in cb.frames if f.family == "generic"}
    assert {k: len(f.indicators) for k, f in generic.items()} == {
        "responsibility": 5,
        "human_interest": 5,
        "conflict": 4,
        "morality": 3,
        "economic": 3,
    }
    assert sum(len(f.indicators) for f in generic.values()) == 20
    visuals = [i for i in cb.indicators if i.id == "visuals"]
    assert len(visuals) == 1 and not visuals[0].measurable and visuals[0].regex is None
    assert {f.id for f in cb.frames if f.family == "domain"} == {
        "military",
        "humanitarian",
        "terrorism_security",
        "diplomacy",
        "casualties",
    }
    table = frames.find_indicator_questions()
    assert table["question"].str.endswith("?").all() or table["question"].str.contains(r"\?").all()


INDICATOR_EXAMPLES = [
    (
        "The government has pledged $50 million to rebuild schools in the liberated districts.",
        "responsibility.government_can_alleviate",
    ),
    (
        "Residents blamed the government for failing to restore water supplies to the east of the city.",
        "responsibility.government_responsible",
    ),
    ("Diplomats said a political solution was the only way to end the war.", "responsibility.solution_proposed"),
    (
        "The Islamic State group claimed responsibility for the bombing in Baghdad.",
        "responsibility.individual_group_responsible",
    ),
    (
        "Aid agencies called for urgent action to reach 400,000 people trapped in the old city.",
        "responsibility.urgent_action",
    ),
    ("Um Khaled, a 43-year-old widow, sheltered with her children in a basement.", "human_interest.human_example"),
    (
        "It was a harrowing ordeal for the families who waited for news of their relatives.",
        "human_interest.emotional_language",
    ),
    (
        "Thousands of families were forced to flee their homes as the fighting closed in.",
        "human_interest.individuals_affected",
    ),
    ("The fighter said he had not seen his wife and daughters for two years.", "human_interest.private_lives"),
    ("Ankara and Washington remain at odds over the role of the Kurdish militia.", "conflict.disagreement"),
    ("Moscow accused the coalition of killing civilians in the strike.", "conflict.reproach"),
    ("The Kurdish leadership rejected the accusations, and both sides traded blame.", "conflict.two_sides"),
    ("The loss of Mosul is the biggest defeat for the jihadists since 2014.", "conflict.winners_losers"),
    ("Rights groups said the killings amounted to war crimes.", "morality.moral_message"),
    ("The preacher told worshippers that God would punish the infidels.", "morality.religious_reference"),
    ("The minister said the international community must protect the Yazidis.", "morality.social_prescriptions"),
    ("The group earned millions from oil smuggling and taxes on local trade.", "economic.financial_losses_gains"),
    ("Rebuilding the city will cost an estimated $1 billion, the mayor said.", "economic.costs"),
    (
        "Washington imposed sanctions on the bank, which officials said would hit the economy.",
        "economic.economic_consequences_action",
    ),
    (
        "Iraqi forces retook the airport and the last IS-held district in the south of the city.",
        "military.territorial_change",
    ),
    ("The offensive to retake Raqqa began on Tuesday with an assault from the north.", "military.offensive"),
    ("Heavy clashes and air strikes were reported near the old bridge.", "military.combat"),
    ("Government troops have besieged the town and cut off its main supply route.", "military.siege_and_supply"),
    ("More than 200,000 people have been displaced since the start of the operation.", "humanitarian.displacement"),
    ("Aid convoys carrying food and medicine reached the camp on Monday.", "humanitarian.humanitarian_needs"),
    ("The jihadists are using civilians as human shields, officers said.", "humanitarian.trapped_civilians"),
    ("The UNHCR opened a second camp near Erbil.", "humanitarian.aid_agencies"),
    ("Officials described the attack as an act of terrorism.", "terrorism_security.terror_reference"),
    ("A suicide bomber blew himself up at a checkpoint.", "terrorism_security.attacks"),
    ("Police arrested six suspects in dawn raids in the capital.", "terrorism_security.security_measures"),
    ("Foreign ministers will meet for talks in Geneva next week.", "diplomacy.negotiations"),
    ("The UN Security Council passed a resolution on aid access.", "diplomacy.international_bodies"),
    ("Kurdish voters backed independence in the referendum.", "diplomacy.domestic_politics"),
    ("Russia and Turkey brokered a ceasefire agreement for the province.", "diplomacy.agreements"),
    ("At least 12 civilians were killed and 30 wounded in the air strike.", "casualties.casualty_figures"),
    ("At least 12 civilians were killed and 30 wounded in the air strike.", "casualties.civilian_casualties"),
    ("At least 12 civilians were killed and 30 wounded in the air strike.", "casualties.injuries"),
]


@pytest.mark.parametrize("text, question", INDICATOR_EXAMPLES)
def test_each_indicator_fires_on_a_wire_style_sentence(text, question):
    assert question in fired(text)


def test_neutral_sentence_fires_no_generic_indicator():
    got = fired("The river runs through the city from north to south.")
    assert not got


def test_counter_terrorism_service_is_a_name_not_a_terror_reference():
    assert "terrorism_security.terror_reference" not in fired("The Counter-Terrorism Service entered the district.")
    assert "terrorism_security.terror_reference" in fired("Counter-terrorism cooperation was discussed.")


def test_frame_score_is_mean_of_measurable_indicators_and_evidence_offsets_are_exact():
    text = (
        "Um Khaled, a 43-year-old widow, said her children were hungry. Thousands were forced to flee "
        "their homes. It was a harrowing ordeal."
    )
    scores, indicators, evidence = frames.score_frames(one(text))
    hi = scores.set_index("frame").loc["human_interest"]
    assert hi["n_indicators"] == 4  # visuals is not measurable from text
    assert hi["score"] == pytest.approx(hi["n_fired"] / 4)
    assert hi["n_fired"] >= 3
    assert len(indicators) == sum(len(f.measurable) for f in frames.load_codebook().frames)
    for row in evidence.itertuples():
        assert text[row.start : row.end] == row.evidence
    first = indicators[indicators["fired"]].iloc[0]
    assert text[first["start"] : first["end"]] == first["evidence"]


def test_prefilter_gives_identical_results_on_every_indicator_example():
    texts = [t for t, _ in INDICATOR_EXAMPLES] + ["The river runs through the city.", "He paid $5 for 2 EU visas."]
    docs = pd.DataFrame({"doc_id": [f"t{i}" for i in range(len(texts))], "text": texts})
    for fast, full in zip(frames.score_frames(docs), frames.score_frames(docs, _prefilter=False)):
        pd.testing.assert_frame_equal(fast, full)


def test_evidence_in_context_shows_the_words_around_each_hit(mini_corpus):
    _, _, evidence = frames.score_frames(mini_corpus)
    shown = frames.find_evidence_context(evidence, mini_corpus, width=20)
    assert len(shown) == len(evidence) and (shown["match"] == shown["evidence"]).all()
    text = dict(zip(mini_corpus["doc_id"], mini_corpus["text"]))
    row = shown.iloc[0]
    assert text[row["doc_id"]][row["start"] - len(row["left"]) : row["start"]].replace("\n", " ") == row["left"]
    assert len(row["right"]) <= 20
    with pytest.raises(ParameterError):
        frames.find_evidence_context(evidence, mini_corpus.iloc[:1])


def test_count_frames_by_outlet_and_quarter(mini_corpus):
    scores, _, _ = frames.score_frames(mini_corpus)
    by_outlet = frames.count_frames(scores, mini_corpus, by="outlet")
    assert set(by_outlet["outlet"]) == set(mini_corpus["outlet"])
    assert (by_outlet["share_present"].between(0, 1)).all()
    n_outlet = mini_corpus.groupby("outlet").size()
    for outlet, n_docs in by_outlet.groupby("outlet")["n_docs"].max().items():
        assert n_docs == n_outlet[outlet]
    over_time = frames.count_frames(scores, mini_corpus, freq="Q", include_duplicates=False)
    assert over_time["n_docs"].groupby(over_time["period"]).max().sum() == mini_corpus["published"].notna().sum() - 1
    military = over_time[over_time["frame"] == "military"]
    assert military["n_present"].sum() >= 3
    assert set(military["label"]) == {frames.find_frame_labels()["military"]}  # figures and tables show the label


# ------------------------------------------------------------------------------------------------ quotations
def test_quote_spans_curly_straight_nested_and_apostrophes():
    text = "He said \"we will 'never' leave\" and the group's leader said “no”. The militants' base fell."
    spans = frames.find_quote_spans(text)
    quoted = [text[s:e] for s, e in spans]
    assert quoted == ["\"we will 'never' leave\"", "“no”"]


def test_quote_running_over_paragraphs_is_one_quotation():
    text = '"We took the bridge at dawn.\n"Then the jihadists ran," said the colonel.'
    spans = frames.find_quote_spans(text)
    assert [text[s:e] for s, e in spans] == ['"We took the bridge at dawn.', '"Then the jihadists ran,"']


def test_unmarked_continuation_paragraph_closes_carried_quote():
    text = '"We took the bridge at dawn.\nThen the jihadists ran," said the colonel.'
    spans = frames.find_quote_spans(text)
    assert text[spans[-1][0] : spans[-1][1]] == 'Then the jihadists ran,"'


# ------------------------------------------------------------------------------------------------ labels and voice
def labels_of(text: str) -> pd.DataFrame:
    return frames.find_labels(one(text))


def test_label_in_own_voice():
    got = labels_of("Islamic State terrorists executed four men in the town square on Friday.")
    assert got[["label", "voice"]].values.tolist() == [["terrorist", "own"]]
    assert got["voice_kind"].isna().all()


def test_label_in_quotation_is_attributed_with_speaker():
    got = labels_of('"The terrorists will be defeated," Prime Minister Haider al-Abadi said.')
    row = got.iloc[0]
    assert (row["label"], row["voice"], row["voice_kind"]) == ("terrorist", "attributed", "quote")
    assert row["source"] == "Prime Minister Haider al-Abadi"


def test_label_in_nested_quotation_is_attributed():
    got = labels_of("The governor said: \"A mother told me, 'the terrorists took my son,' and I wept.\"")
    assert got.loc[got["label"] == "terrorist", "voice_kind"].tolist() == ["quote"]


def test_said_in_the_middle_of_the_sentence_makes_reported_speech():
    got = labels_of(
        "The terrorists were pushed back overnight, a military source said, but the claim could not be verified."
    )
    assert got[["label", "voice", "voice_kind", "source"]].values.tolist() == [
        ["terrorist", "attributed", "reported_speech", "a military source"]
    ]


def test_quote_across_sentences_attributes_both_sentences():
    text = (
        "“We will not stop until every terrorist has left. The jihadists know it,” the commander told AFP. "
        "The militants withdrew on Sunday."
    )
    got = labels_of(text)
    voices = dict(zip(got["text"], got["voice"]))
    assert voices == {"terrorist": "attributed", "jihadists": "attributed", "militants": "own"}
    assert set(got.loc[got["voice"] == "attributed", "source"]) == {"the commander"}


def test_scare_quotes_according_to_and_label_inside_speaker_phrase():
    got = labels_of(
        'Damascus described the rebels as "terrorists". According to the Syrian Observatory for Human '
        "Rights, the extremists withdrew. A source close to the militants said the fighters were tired."
    )
    kinds = dict(zip(got["text"], zip(got["voice"], [None if pd.isna(k) else k for k in got["voice_kind"]])))
    assert kinds["terrorists"] == ("attributed", "scare_quote")
    assert kinds["rebels"] == ("own", None)
    assert kinds["extremists"] == ("attributed", "reported_speech")
    assert kinds["militants"] == ("own", None)  # part of the speaker description, the writer's words
    assert kinds["fighters"] == ("attributed", "reported_speech")


def test_naming_act_is_attributed_but_so_called_is_own():
    got = labels_of(
        "Erdogan on Wednesday called Assad a terrorist. Washington designated the group a terrorist "
        "organisation in 2014. The so-called Islamic State lost Mosul."
    )
    assert got[["label", "voice", "voice_kind"]].values.tolist()[:2] == [
        ["terrorist", "attributed", "naming"],
        ["terrorist", "attributed", "naming"],
    ]
    assert got.loc[got["label"] == "so_called", "voice"].tolist() == ["own"]


def test_so_called_and_counter_terrorism(seed_path):
    got = labels_of("The Counter-Terrorism Service advanced against the so-called Islamic State.")
    assert got["label"].tolist() == ["so_called"]


def test_seed_labels_target_islamic_state(seed_path):
    got = frames.find_labels(one(seed_story(seed_path)))
    own = got[got["voice"] == "own"]
    assert {"jihadist", "so_called"} <= set(own["label"])
    if actors.find_mentions(one("IS")) is not None:
        assert set(own.loc[own["label"].isin(["jihadist", "so_called"]), "target_actor"]) == {"islamic_state"}


def test_count_labels_share_of_own_voice(mini_corpus):
    labels = frames.find_labels(mini_corpus)
    counts = frames.count_labels(labels, mini_corpus, by="outlet")
    assert counts.groupby(["outlet", "label"])["share"].sum().round(9).eq(1).all()
    assert counts["n"].sum() == len(labels)


# ------------------------------------------------------------------------------------------------ territorial verbs
def test_territorial_verbs_perspective_voice_and_passive():
    text = (
        "Mosul was liberated by Iraqi forces in July, three years after it fell to Islamic State. "
        "Kurdish fighters captured the dam near Tabqa. The SDF says it will liberate Raqqa."
    )
    got = frames.find_territorial_verbs(one(text))
    rows = got.set_index("text")
    assert rows.loc["liberated", "perspective"] == "victor" and bool(rows.loc["liberated", "passive"])
    assert rows.loc["fell to", "perspective"] == "loser"
    assert rows.loc["captured", "perspective"] == "neutral"
    assert rows.loc["liberate", "voice"] == "attributed"
    assert rows.loc["liberated", "voice"] == "own"
    assert not frames.find_territorial_verbs(one("IS retook the town of Hit."))["passive"].any()
    if actors.find_mentions(one("IS")) is not None:  # subject/object need analysis.actors
        assert rows.loc["liberated", "subject_actor"] == "iraqi_forces"
        assert rows.loc["liberated", "object_place"] == "mosul"
        assert rows.loc["fell to", "subject_actor"] == "islamic_state"


def test_ambiguous_verbs_need_a_place_when_places_are_known():
    text = "Trump seized on the attack. Obama expelled 35 diplomats. Iraqi forces seized the airport in Mosul."
    got = frames.find_territorial_verbs(one(text))
    if actors.find_mentions(one("IS")) is None:
        pytest.skip("needs analysis.actors for place mentions")
    assert got["text"].tolist() == ["seized"] and got["object_place"].tolist() == ["mosul"]


def test_seed_territorial_verbs(seed_path):
    got = frames.find_territorial_verbs(one(seed_story(seed_path)))
    assert set(got["lemma"]) >= {"retake", "recapture", "cut off", "seize"}
    assert "liberate" not in set(got["lemma"])
    cut = got[got["lemma"] == "cut off"].iloc[0]
    assert cut["voice"] == "own"
    if actors.find_mentions(one("IS")) is not None:
        assert cut["subject_actor"] == "sdf"
        seize = got[got["lemma"] == "seize"].iloc[0]
        assert seize["subject_actor"] == "sdf" and seize["object_actor"] != "sohr"  # the speaker is not an object


# ------------------------------------------------------------------------------------------------ attribution
@pytest.mark.parametrize(
    "text, pattern, speaker, source_type",
    [
        (
            "Iraqi forces retook the airport, the Joint Operations Command said.",
            "X said",
            "the Joint Operations Command",
            "government_military",
        ),
        ("The Observatory said at least 12 civilians were killed.", "X said", "The Observatory", "monitor_ngo"),
        ('"We have lost everything," said Um Ahmed, a mother of four.', "said X", "Um Ahmed", "civilian_witness"),
        (
            "The United Nations said on Sunday that 900,000 people had fled.",
            "X said",
            "The United Nations",
            "un_international",
        ),
        (
            "The army entered the town, according to state news agency SANA.",
            "according to X",
            "state news agency SANA",
            "journalist_agency",
        ),
        (
            "A Kurdish commander told AFP the road had been cut.",
            "X told MEDIA",
            "A Kurdish commander",
            "government_military",
        ),
        ("An SDF spokesman confirmed the advance.", "X confirmed", "An SDF spokesman", "armed_group"),
        ("IS claimed the attack through its Amaq propaganda agency.", "X claimed", "IS", "armed_group"),
        (
            "IS fighters in the old city said they would never surrender.",
            "X said",
            "IS fighters in the old city",
            "armed_group",
        ),
        (
            "A source close to the Kurdish forces said the offensive would resume.",
            "X said",
            "A source close to the Kurdish forces",
            "anonymous",
        ),
        ("AFP reporters witnessed heavy clashes in the old city.", "X witnessed", "AFP reporters", "journalist_agency"),
        ("Residents said the jihadists had left overnight.", "X said", "Residents", "civilian_witness"),
        (
            "Brett McGurk, the US envoy to the coalition, said the jihadists were collapsing.",
            "X said",
            "Brett McGurk",
            "government_military",
        ),
        (
            "Lt. Gen. Abdul-Amir Yarallah said the operation was over.",
            "X said",
            "Lt. Gen. Abdul-Amir Yarallah",
            "government_military",
        ),
        ("Ahmed Karim, on his first visit to Brussels, said the move helped peace.", "X said", "Ahmed Karim", "other"),
        (
            "Around one in four of the 4,200 students in the survey said the curfew was fair.",
            "X said",
            "Around one in four of the 4,200 students in the survey",
            "other",
        ),
        ("Russian media reported the strike on the convoy.", "X reported", "Russian media", "journalist_agency"),
        ("The Amaq news agency said the fighters had withdrawn.", "X said", "The Amaq news agency", "armed_group"),
        ("Activists reported 30 dead in the town.", "X reported", "Activists", "monitor_ngo"),
    ],
)
def test_attribution_patterns(text, pattern, speaker, source_type):
    got = frames.find_attributions(one(text))
    assert len(got) == 1, got[["pattern", "speaker"]]
    row = got.iloc[0]
    assert (row["pattern"], row["speaker"], row["source_type"]) == (pattern, speaker, source_type)
    assert text[row["speaker_start"] : row["speaker_end"]] == speaker


def test_nested_attribution_gives_both_speakers():
    text = "Around one in four of the 4,200 students in the survey said they agreed with the curfew."
    got = frames.find_attributions(one(text)).sort_values("start")
    assert list(zip(got["speaker"], got["verb"])) == [
        ("Around one in four of the 4,200 students in the survey", "said"),
        ("they", "agreed"),  # the nested attribution (PolNeAR annotates both)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The attack claimed the lives of 20 people.",
        "The United States has said nothing.",  # "states" is not a speech verb; "has said" keeps "The United States"
        "The figures could not be independently confirmed.",
        "Dozens were reported killed in the shelling.",
        "The city witnessed heavy fighting last year.",
        "The former governor fit the long-stated criteria of the campaign.",
    ],
)
def test_non_attributions(text):
    got = frames.find_attributions(one(text))
    assert got["speaker"].tolist() in ([], ["The United States"])


def test_pronoun_speaker_takes_previous_type():
    got = frames.find_attributions(one('Prime Minister Haider al-Abadi declared victory. "It is over," he said.'))
    assert got["source_type"].tolist() == ["government_military", "government_military"]
    assert got["coref"].tolist()[1] == "previous"


def test_speech_reported_inside_a_quotation_is_not_a_second_attribution():
    got = frames.find_attributions(one('The governor said: "The people told me they were hungry."'))
    assert got["speaker"].tolist() == ["The governor"]


def test_seed_attributions_exactly(seed_path):
    """The seed cites the JOC twice, the IOM, the SOHR, an SDF commander, and AFP reporters as witnesses."""
    got = frames.find_attributions(one(seed_story(seed_path)))
    rows = sorted(zip(got["pattern"], got["speaker"], got["source_type"]))
    assert rows == sorted(
        [
            ("X said", "the Joint Operations Command", "government_military"),
            ("according to X", "the JOC", "government_military"),
            ("X said", "the International Organization for Migration", "un_international"),
            ("X said", "the Syrian Observatory for Human Rights monitoring group", "monitor_ngo"),
            ("X confirmed", "an SDF commander", "armed_group"),
            ("X witnessed", "AFP reporters in west Mosul", "journalist_agency"),
        ]
    )
    if actors.find_mentions(one("IS")) is not None:
        assert (
            dict(zip(got["speaker"], got["actor_id"]))["the JOC"]
            == dict(zip(got["speaker"], got["actor_id"]))["the Joint Operations Command"]
        )


# ------------------------------------------------------------------------------------------------ resources
def test_user_codebook_extends_builtin_and_bad_files_name_the_entry(tmp_path):
    good = tmp_path / "mine.yaml"
    good.write_text(
        "version: '1'\nextends: builtin\nframes:\n  - id: reconstruction\n    family: domain\n"
        "    indicators:\n      - id: rebuilding\n        question: Does the story report rebuilding?\n"
        "        cues: ['rebuild(?:ing)?', reconstruction]\n"
    )
    cb = frames.load_codebook(good)
    assert "reconstruction" in {f.id for f in cb.frames} and "conflict" in {f.id for f in cb.frames}
    scores, _, _ = frames.score_frames(one("Rebuilding the bridge will take years."), codebook=good)
    assert scores.set_index("frame").loc["reconstruction", "score"] == 1.0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: '1'\nframes:\n  - id: x\n    indicators:\n      - id: y\n        question: q?\n"
        "        cues: ['(unclosed']\n"
    )
    with pytest.raises(ResourceError, match=r"frame #1 \(x\), indicator #1 \(y\).*invalid pattern"):
        frames.load_codebook(bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("version: '1'\nlabels: []\nterritorial_verbs: []\nlabelz: []\n")
    with pytest.raises(ResourceError, match="unknown key"):
        frames.load_conflict_language(typo)


# ------------------------------------------------------------------------------------------------ pipeline stage
def test_analyze_chunk_tables_and_determinism(mini_corpus):
    from analysis.pipeline import build_sentences

    sentences = build_sentences(mini_corpus)
    mentions = actors.find_mentions(mini_corpus, sentences=sentences)  # the actors stage's table, as in `analyze`
    out = frames.analyze_chunk(mini_corpus, sentences, mentions=mentions)
    assert set(out) == {
        "frames",
        "frame_indicators",
        "frame_evidence",
        "labels",
        "territorial_verbs",
        "attributions",
        "documents_frames",
    }
    wide = out["documents_frames"]
    assert list(wide["doc_id"]) == list(mini_corpus["doc_id"])
    assert {f"frame_{f.id}" for f in frames.load_codebook().frames} <= set(wide.columns)
    for name in ("labels", "territorial_verbs", "attributions", "frame_evidence"):
        table = out[name]
        assert set(table["sent_id"]) <= set(sentences["sent_id"])
        merged = table.merge(sentences, on=["doc_id", "sent_id"], suffixes=("", "_s"))
        assert ((merged["start"] >= merged["start_s"]) & (merged["start"] < merged["end_s"])).all(), name
    again = frames.analyze_chunk(mini_corpus, sentences, mentions=mentions)
    for name in out:
        pd.testing.assert_frame_equal(out[name], again[name])
    versions = frames.RESOURCE_VERSIONS()
    assert set(versions) == {
        "frames",
        "conflict_language",
        "attribution",
        "reporting_verbs",
        "attribution_gate",
        "attribution_tagger",
        "frame_presence",
    }
    assert versions["attribution_gate"]["version"] == frames.cue_gate.load_cue_gate().version


def test_fakes_real_corpus(fakes_csv):
    raw = pd.read_csv(fakes_csv, encoding="latin-1")
    docs = pd.DataFrame({"doc_id": [f"r{i}" for i in range(len(raw))], "text": raw["article_content"]})
    docs = docs.iloc[:200]
    scores, indicators, evidence = frames.score_frames(docs)
    text = dict(zip(docs["doc_id"], docs["text"]))
    assert all(text[r.doc_id][r.start : r.end] == r.evidence for r in evidence.itertuples())
    # the literal-word prefilter only skips indicators that cannot match: results equal a full run of every regex
    for fast, full in zip((scores, indicators, evidence), frames.score_frames(docs, _prefilter=False)):
        pd.testing.assert_frame_equal(fast, full)
    assert scores["score"].between(0, 1).all()
    labels = frames.find_labels(docs)
    assert not labels["text"].str.contains("Counter-Terrorism", case=False).any()
    assert {"own", "attributed"} <= set(labels["voice"])
    attributions = frames.find_attributions(docs)
    assert {"government_military", "monitor_ngo", "anonymous", "journalist_agency"} <= set(attributions["source_type"])
    for r in attributions.itertuples():
        assert text[r.doc_id][r.speaker_start : r.speaker_end] == r.speaker


# ------------------------------------------------------------------------------------------------ figures
def test_plots_render_from_count_tables(mini_corpus):
    from matplotlib.figure import Figure

    from analysis.plots import frames as pf

    scores, _, _ = frames.score_frames(mini_corpus)
    figs = [
        pf.plot_frame_prevalence(frames.count_frames(scores, mini_corpus, freq="Q")),
        pf.plot_frame_prevalence(frames.count_frames(scores, mini_corpus, freq="Q", by="outlet"), by="outlet"),
        pf.plot_frame_heatmap(frames.count_frames(scores, mini_corpus, by="outlet")),
        pf.plot_label_voice(
            frames.count_labels(frames.find_labels(mini_corpus), mini_corpus, by="outlet"), normalize=True
        ),
        pf.plot_territorial_verbs(
            frames.count_territorial_verbs(frames.find_territorial_verbs(mini_corpus), mini_corpus, freq="Q")
        ),
        pf.plot_sources(frames.count_attributions(frames.find_attributions(mini_corpus), mini_corpus, by="outlet")),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        titled = [ax for ax in fig.axes for loc in ("left", "center") if ax.get_title(loc=loc)]
        assert titled or fig._suptitle is not None
        fig.canvas.draw()  # renders without error
    sources = frames.count_attributions(frames.find_attributions(mini_corpus), mini_corpus)
    labels = dict(zip(sources["source_type"], sources["source_label"]))
    assert labels["monitor_ngo"] == "monitor / NGO" and labels["government_military"] == "government / military"
    heat_rows = [t.get_text().replace("\n", " ") for t in figs[2].axes[0].get_yticklabels()]
    assert heat_rows[0] == "Attribution of responsibility"  # codebook order: generic frames first (names wrapped)


from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402 - used by the figure tests below


def _inside(inner, outer) -> bool:
    return (
        outer.x0 - 1 <= inner.x0 and inner.x1 <= outer.x1 + 1 and outer.y0 - 1 <= inner.y0 and inner.y1 <= outer.y1 + 1
    )


def test_frame_prevalence_panels_fit_an_a4_page(mini_corpus):
    from analysis.plots import frames as pf

    scores, _, _ = frames.score_frames(mini_corpus)
    fig = pf.plot_frame_prevalence(frames.count_frames(scores, mini_corpus, freq="Q"))
    assert fig.get_size_inches()[0] <= 7.5
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(panels) == len(frames.load_codebook().frames)
    titles = {ax.get_title(loc="left").replace("\n", " "): ax for ax in panels}
    assert "Military progress and territorial control" in titles  # wrapped, not cut
    for ax in panels:
        title = ax.title if ax.title.get_text() else ax._left_title
        box = title.get_window_extent(renderer)
        assert _inside(box, fig.bbox)
        neighbours = [o.get_window_extent(renderer) for o in panels if o is not ax]
        assert not any(box.overlaps(o) for o in neighbours)  # no title runs into the next panel
        for axis in (ax.xaxis, ax.yaxis):  # readable tick labels
            assert min(t.label1.get_fontsize() for t in axis.get_major_ticks()) >= 8


def test_frame_heatmap_is_sized_from_the_table(mini_corpus):
    from analysis.plots import frames as pf

    scores, _, _ = frames.score_frames(mini_corpus)
    counts = frames.count_frames(scores, mini_corpus, by="outlet")
    fig = pf.plot_frame_heatmap(counts)
    n_rows, n_cols = counts["frame"].nunique(), counts["outlet"].nunique()
    width, height = fig.get_size_inches()
    assert width <= 7.5 and height >= 0.35 * n_rows
    ax = fig.axes[0]
    cells = [t for t in ax.texts]
    assert len(cells) == n_rows * n_cols and min(t.get_fontsize() for t in cells) >= 7.5
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    assert all(_inside(t.get_window_extent(renderer), fig.bbox) for t in ax.get_yticklabels() + ax.get_xticklabels())
    small = pf.plot_frame_heatmap(counts[counts["outlet"] == counts["outlet"].iloc[0]])  # one column: narrow
    renderer = FigureCanvasAgg(small).get_renderer()
    small.draw(renderer)
    assert _inside(small.axes[0]._left_title.get_window_extent(renderer), small.bbox)


def test_reuters_real_wire_copy(reuters_csv):
    raw = pd.read_csv(reuters_csv)
    docs = pd.DataFrame({"doc_id": [f"r{i}" for i in range(len(raw))], "text": raw["text"]}).iloc[:150]
    text = dict(zip(docs["doc_id"], docs["text"]))
    attributions = frames.find_attributions(docs)
    assert attributions["doc_id"].nunique() > 0.8 * len(docs)  # wire copy attributes almost every story
    assert (attributions["pattern"] == "X told MEDIA").any() and (attributions["pattern"] == "said X").any()
    shares = attributions["source_type"].value_counts(normalize=True)
    assert shares.index[0] == "government_military"  # reliance on official sources
    for r in attributions.itertuples():
        assert text[r.doc_id][r.speaker_start : r.speaker_end] == r.speaker
        assert r.start <= r.speaker_start and r.speaker_end <= r.end
    labels = frames.find_labels(docs)
    quoted = labels[labels["voice_kind"] == "quote"]
    for r in quoted.itertuples():  # every "quote" lies between quotation marks in the same paragraph
        para_start = text[r.doc_id].rfind("\n", 0, r.start) + 1
        assert any(q in text[r.doc_id][para_start : r.start] for q in '"“')


def test_stray_quote_mark_does_not_swallow_the_paragraph():
    text = 'He called it "a disaster. The militants left the town.\nOfficials said it was calm.'
    assert [text[s:e] for s, e in frames.find_quote_spans(text)] == ['"a disaster.']
    assert labels_of(text)["voice"].tolist() == ["own"]
    continued = '"We took the bridge. The militants fled.\n"Then we rested," he said.'
    assert labels_of(continued)["voice"].tolist() == ["attributed"]


def test_label_in_speaker_appositive_is_own_and_participle_by_is_not_speech():
    got = labels_of(
        "Amaq, the news agency of the Islamic State militant group, claimed the attack. Attacks claimed "
        "by jihadists have stoked fears, said police."
    )
    voices = dict(zip(got["text"], got["voice"]))
    assert voices["militant"] == "own"
    assert voices["jihadists"] == "attributed"  # the sentence is reported speech of "police", not "X claimed"
    sources = frames.find_attributions(one("Attacks claimed by jihadists have stoked fears, said police."))
    assert sources[["pattern", "speaker"]].values.tolist() == [["said X", "police"]]


@pytest.mark.parametrize(
    "text",
    [
        "Shells hit the mainly Christian and Druze district, killing four.",
        "Thousands of Muslims, Christians and members of the Yazidi religious minority fled the town.",
        "The jet struck near a mosque of the Alawite religious minority.",
        "Militants abducted Christian hostages from villages in the north-east.",
        "The strikes damaged 50 religious centers and 25 residential blocks.",
        "The blast went off during the holy month of Ramadan, as worshippers left Friday prayers.",
        "The footage showed sectarian killings in the coastal city.",
        "The area is inhabited mainly by Christians; shells hit schools and houses of worship.",
        "The market was hit on the first day of the holy Muslim month of Ramadan.",
    ],
)
def test_religious_identity_is_no_religious_reference(text):
    """A faith named as who people are or where something happened is no reference to religious tenets (MO2)."""
    assert "morality.religious_reference" not in fired(text)


@pytest.mark.parametrize(
    "text",
    [
        "Pope Francis said caring for the poor is a Christian duty.",
        "Evangelical Christians read the Bible as a call to protect creation.",
        "He said religious leaders had a duty to speak out, and prayed for peace.",
        "The cleric called the shrine a sacred place and said God would judge them.",
    ],
)
def test_religious_tenets_still_count(text):
    assert "morality.religious_reference" in fired(text)


def test_documents_get_the_same_sentences_and_mentions_in_any_row_order():
    # _by_document uses a table as it is when each document's rows are one ordered run, else sorts it: each
    # document gets the same rows either way (ties of start and end keep their order, as the stable sort does)
    import numpy as np

    from analysis.frames.document import _iter_docs

    docs = pd.DataFrame({"doc_id": ["b", "a", "c"], "text": ["One. Two. Three.", "Four five.", "Six."]})
    sentences = pd.DataFrame(
        {"doc_id": ["b", "b", "b", "a", "c"], "sent_id": [0, 1, 2, 0, 0], "start": [0, 5, 10, 0, 0]}
    ).assign(end=lambda t: t["start"] + 4)
    mentions = pd.DataFrame(
        {
            "doc_id": ["b", "b", "b", "a", "a"],
            "start": [0, 5, 5, 0, 0],
            "end": [3, 8, 7, 4, 4],
            "actor_id": ["x", "y", "z", "u", "v"],
            "kind": "actor",
            "actor_type": "state",
        }
    )

    def seen(s, m):
        return [(d.doc_id, d.sent_ids, d.starts, d.ends, d.mentions) for d in _iter_docs(docs, s, m)]

    def sorted_first(s, m):  # what the stable sort by (doc_id, start[, end]) gives each document
        return seen(
            s.sort_values(["doc_id", "start"], kind="stable"), m.sort_values(["doc_id", "start", "end"], kind="stable")
        )

    expected = sorted_first(sentences, mentions)
    assert expected[0][4] == [
        (0, 3, "x", "actor", "state"),
        (5, 7, "z", "actor", "state"),
        (5, 8, "y", "actor", "state"),
    ]
    rng = np.random.default_rng(0)
    for _ in range(20):
        s = sentences.iloc[rng.permutation(len(sentences))]
        m = mentions.iloc[rng.permutation(len(mentions))]
        assert seen(s, m) == sorted_first(s, m)
    assert seen(sentences, mentions) == expected  # one run per document, out of doc_id order: used as it is
