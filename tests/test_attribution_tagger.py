"""The CRF attribution tagger: its Viterbi decoder on hand-computable weights, its file, and sentences written here."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis import frames
from analysis.errors import ResourceError
from analysis.frames import attribution_tagger as at


def write_tagger(tmp_path, state: dict, transitions: dict | None = None, words=("said",)) -> at.AttributionTagger:
    data = {
        "version": "test",
        "labels": list(at.LABELS),
        "max_words": 40,
        "trigger_words": list(words),
        "transitions": transitions or {},
        "state_features": state,
    }
    path = tmp_path / "tagger.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return at.load_attribution_tagger(path)


def test_viterbi_takes_the_transitions_into_account():
    scores = [[1.0, 0.0], [0.0, 1.0]]
    # without transitions the best path is each word's best label
    assert at.viterbi(scores, [[0.0, 0.0], [0.0, 0.0]]) == [0, 1]
    # a bonus for staying in label 1: 0 + 2 + 1 = 3 beats 1 + 0 + 1 = 2 (path 0, 1) and 1 + 0 + 0 (path 0, 0)
    assert at.viterbi(scores, [[0.0, 0.0], [0.0, 2.0]]) == [1, 1]
    # a penalty on 0 -> 1: the path 0, 0 (1 + 0 + 0) beats 0, 1 (1 - 5 + 1)
    assert at.viterbi(scores, [[0.0, -5.0], [0.0, 0.0]]) == [0, 0]
    assert at.viterbi([], [[0.0]]) == []


def test_marginals_by_hand():
    # one word, two labels with equal scores: one half each
    assert at.find_marginals([[0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]).tolist() == [[0.5, 0.5]]
    # two words, label 0 of the first worth log 2: paths (0,0) and (0,1) weigh 2 each, (1,0) and (1,1) 1 each
    got = at.find_marginals([[math.log(2), 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])
    assert got[0] == pytest.approx([2 / 3, 1 / 3]) and got[1] == pytest.approx([0.5, 0.5])
    # a transition bonus 0 -> 0 of log 3: weights (0,0) 6, (0,1) 2, (1,0) 1, (1,1) 1; P(second = 0) = 7/10
    got = at.find_marginals([[math.log(2), 0.0], [0.0, 0.0]], [[math.log(3), 0.0], [0.0, 0.0]])
    assert got[0] == pytest.approx([0.8, 0.2]) and got[1] == pytest.approx([0.7, 0.3])


def test_tiny_tagger_labels_a_source_and_its_cue(tmp_path):
    tagger = write_tagger(
        tmp_path,
        {
            "b": {"O": 1.0, "I-S": -3.0},
            "w=said": {"B-C": 3.0},
            "w+1=said": {"B-S": 3.0, "I-S": 3.0},
            "w+2=said": {"B-S": 2.5},
        },
        {"B-S": {"I-S": 4.0}},
    )
    text = "Mr Smith said no."
    tokens = at.find_tokens(text, 0, len(text))
    assert [w for _, _, w in tokens] == ["Mr", "Smith", "said", "no", "."]
    feats = at.token_features(tokens, quotes=[], lexicon={}, rule_spans=[])
    # word scores (O / B-S / I-S / B-C): "Mr" 1 / 2.5 / -3 / 0, "Smith" 1 / 3 / 0 / 0, "said" 1 / 0 / -3 / 3,
    # "no" and "." 1 / 0 / -3 / 0. First two words: B-S I-S = 2.5 + 4 + 0 = 6.5 beats B-S B-S = 5.5, O B-S = 4;
    # "said": B-C (3); the last two: O O = 2 beats B-S I-S = 0 + 4 - 3 = 1.
    labels = tagger.find_spans(feats)
    assert labels == ["B-S", "I-S", "B-C", "O", "O"]
    pairs = [p[:4] for p in at.find_pairs(tokens, labels)]
    assert [(text[a:b], text[c:d]) for a, b, c, d in pairs] == [("Mr Smith", "said")]
    # two sources: the cue takes the nearer one
    two = [p[:4] for p in at.find_pairs(tokens, ["B-S", "B-S", "B-C", "O", "O"])]
    assert [(text[a:b], text[c:d]) for a, b, c, d in two] == [("Smith", "said")]


def test_all_o_shortcut_agrees_with_the_full_decoder(tmp_path):
    tagger = write_tagger(tmp_path, {"b": {"O": 2.0}, "w=said": {"B-C": 1.0}}, {"O": {"O": 0.5}, "B-C": {"O": 1.0}})
    # the largest transition gain over O -> O is 1.0 - 0.5, so a word must prefer O by more than 1.0
    assert tagger.o_margin == pytest.approx(1.0)
    text = "They said nothing at all"
    tokens = at.find_tokens(text, 0, len(text))
    feats = at.token_features(tokens, quotes=[], lexicon={}, rule_spans=[])
    scores = tagger.score_tokens(feats)
    full = [tagger.labels[i] for i in at.viterbi(scores, tagger.transitions)]
    assert tagger.find_spans(feats) == full == ["O"] * 5


def test_features_mark_quotation_lexicon_and_the_rules_spans():
    text = '"We will win," Smith argued.'
    tokens = at.find_tokens(text, 0, len(text))
    words = [w for _, _, w in tokens]
    feats = at.token_features(tokens, quotes=[(0, 14)], lexicon={"argued": 0}, rule_spans=[(15, 20, "S")])
    by_word = dict(zip(words, feats))
    assert "inq" in by_word["win"] and "inq" not in by_word["Smith"]
    assert "lex" in by_word["argued"] and "r=S" in by_word["Smith"]
    assert "w-1=smith" in by_word["argued"] and "first" in feats[0] and "last" in feats[-1]


def test_a_tagger_file_with_labels_out_of_order_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    data = {
        "version": "x",
        "labels": ["B-S", "O", "I-S", "B-C", "I-C"],
        "max_words": 5,
        "trigger_words": [],
        "transitions": {},
        "state_features": {},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResourceError, match="labels must be exactly"):
        at.load_attribution_tagger(path)


def test_the_decoder_agrees_with_crfsuite_on_a_model_trained_here(tmp_path):
    pycrfsuite = pytest.importorskip("pycrfsuite")  # a development dependency: training only
    sentences = [
        ("Smith lit into the governor .", "B-S B-C I-C O O O"),
        ("Jones is angry at the plan .", "B-S B-C I-C I-C O O O"),
        ("The plan failed .", "O O O O"),
        ("Brown lit into the mayor .", "B-S B-C I-C O O O"),
    ]
    trainer = pycrfsuite.Trainer(verbose=False)
    seqs = []
    for text, labels in sentences:
        tokens = at.find_tokens(text, 0, len(text))
        feats = at.token_features(tokens, quotes=[], lexicon={}, rule_spans=[])
        seqs.append(feats)
        trainer.append(feats, labels.split())
    trainer.set_params({"c2": 0.01, "max_iterations": 50, "feature.possible_transitions": True})
    trainer.train(str(tmp_path / "m.crfsuite"))
    crf = pycrfsuite.Tagger()
    crf.open(str(tmp_path / "m.crfsuite"))
    info = crf.info()
    state: dict = {}
    for (attr, label), w in info.state_features.items():
        state.setdefault(attr, {})[label] = w
    trans: dict = {}
    for (a, b), w in info.transitions.items():
        trans.setdefault(a, {})[b] = w
    tagger = write_tagger(tmp_path, state, trans, words=("lit",))
    text = "Green lit into the council ."
    tokens = at.find_tokens(text, 0, len(text))
    unseen = at.token_features(tokens, quotes=[], lexicon={}, rule_spans=[])
    for feats in [*seqs, unseen]:
        assert tagger.find_spans(feats) == crf.tag(feats)
    assert tagger.find_spans(unseen)[:2] == ["B-S", "B-C"]


# ------------------------------------------------------------------------------------- the built-in tagger in use
def attributions(text: str, **kw) -> pd.DataFrame:
    got = frames.find_attributions(pd.DataFrame({"doc_id": ["d"], "text": [text]}), **kw)
    return got.sort_values("start").reset_index(drop=True)


def test_the_tagger_is_opt_in_and_finds_a_cue_that_no_rule_knows():
    text = "Clinton went on to say the plan would fail."
    assert frames.load_attribution_rules().tagger is None  # off by default (cost: see docs/framing.md)
    assert attributions(text).empty
    got = attributions(text, rules=frames.load_attribution_rules(tagger=True))
    assert list(zip(got["speaker"], got["verb"], got["pattern"])) == [("Clinton", "went on to say", "tagger")]
    assert text[got.loc[0, "content_start"] : got.loc[0, "content_end"]] == "the plan would fail."


def test_the_tagger_adds_nothing_where_the_rules_found_an_attribution():
    text = 'Officials said the convoy was hit. "We are furious at the delay," the commander said.'
    got = attributions(text, rules=frames.load_attribution_rules(tagger=True))
    assert list(got["speaker"]) == ["Officials", "the commander"]
    assert "tagger" not in set(got["pattern"])


def test_a_cue_with_an_excluded_word_is_dropped():
    rules = frames.load_attribution_rules(tagger=True)
    assert {"attacked", "fired", "targeted"} <= rules.cue_exclude  # war actions, from attribution.yaml
    text = "Clinton went on to say the plan would fail."
    assert attributions(text, rules=dataclasses.replace(rules, cue_exclude=frozenset({"went"}))).empty


def test_switching_on_a_tagger_the_file_lacks_is_refused(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text('extends: builtin\nversion: "mine"\ntagger: null\n', encoding="utf-8")
    with pytest.raises(ResourceError, match="no `tagger:` section"):
        frames.load_attribution_rules(path, tagger=True)


def test_the_fast_scorer_sums_the_same_weights_as_the_feature_names():
    tagger = at.load_attribution_tagger()
    text = (
        'The senator lit into the plan. "It is a disgrace," she said, angry at the White House over the delay. '
        "Critics argued that the bill | would fail."
    )
    quotes = [(31, 50)]
    lexicon = {"said": 0, "argued": 1}
    for start, end in ((0, 30), (31, 101), (102, len(text))):
        tokens = at.find_tokens(text, start, end)
        spans = [(87, 91, "S"), (92, 96, "C")]
        kw = {"quotes": quotes, "lexicon": lexicon, "rule_spans": spans}
        fast = tagger.score_sentence(tokens, **kw)
        slow = tagger.score_tokens(at.token_features(tokens, **kw))
        assert fast.shape == (len(tokens), 5)
        np.testing.assert_allclose(fast, np.array(slow), atol=1e-9)


def test_the_batched_viterbi_gives_each_sentence_its_own_best_path():
    rng = np.random.default_rng(7)
    transitions = rng.normal(size=(5, 5)).tolist()
    sentences = [rng.normal(size=(n, 5)) for n in (1, 6, 3, 11)]
    padded = np.zeros((len(sentences), 11, 5))
    for b, s in enumerate(sentences):
        padded[b, : len(s)] = s
        padded[b, len(s) :] = 50.0  # padding that would win every word if it leaked into a sentence
    paths = at.viterbi_batch(padded, [len(s) for s in sentences], transitions)
    assert paths == [at.viterbi(s, transitions) for s in sentences]
    assert [len(p) for p in paths] == [1, 6, 3, 11]


def test_sentences_tagged_together_get_the_pairs_of_one_at_a_time():
    tagger = at.load_attribution_tagger()
    text = (
        "Clinton went on to say the plan would fail. The weather was mild on Tuesday. "
        "The mayor is furious at the delay, aides told reporters on the phone."
    )
    bounds = ((0, 43), (44, 76), (77, len(text)))
    sentences = [(at.find_tokens(text, s, e), []) for s, e in bounds]
    lexicon = frames.load_attribution_rules().verb_forms  # the reporting verbs, as find_attributions passes them
    one = [tagger.find_pairs(t, quotes=q, lexicon=lexicon, rule_spans=[]) for t, q in sentences]
    assert tagger.find_pairs_batch(sentences, lexicon=lexicon) == one
    assert one[0] and not one[1]  # the first sentence has a source and cue, the weather sentence none
    assert tagger.find_pairs_batch([], lexicon=lexicon) == []
