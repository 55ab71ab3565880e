"""analysis.vader: scores equal to NLTK's SentimentIntensityAnalyzer on written, ground-truth and news text."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import sentiment as S
from analysis.text import split_sentences
from analysis.vader import Vader, default_vader, parse_lexicon, split_tokens

# Each sentence exercises one rule of VADER (the comment names it).
RULES = [
    "The food here is good.",  # plain lexicon word
    "The food here is not good.",  # negation (start_i 0)
    "The food here isn't really all that good.",  # n't negation further back, booster
    "The food is never so good.",  # never so
    "It is never this bad, never.",  # never this, repeated token
    "The food is GOOD but the service is horrible.",  # caps differential, but-rule
    "The food is good, but the service is horrible!!!",  # exclamation emphasis (capped at 4)
    "Is the food good?? Is it really good???",  # question marks (2-3 and 4+)
    "Why??? Why???? Why is it so bad?",  # more than three question marks
    "ALL CAPS EVERYWHERE IS GREAT",  # every word upper case: no caps differential
    "The movie was kind of good.",  # 'kind of' dampener
    "The movie was sort of good, kinda great.",  # two-word booster, single-word dampener
    "That concert was the bomb, yeah right.",  # idioms
    "He is at least trying; it was the least helpful thing.",  # least rule
    "I :) love this :-( so much <3 :D",  # emoticons
    '"Great," she said. ,good; -bad- ..fine.. !!wow!! ?!?!sad',  # punctuation before/after words
    "U.S.-led, al-Assad's forces; 'quoted' \u201cgood\u201d",  # inner punctuation, unicode quotes
    "a b c d e f",  # single characters only: no tokens
    "",  # empty
    "   \n\t ",  # whitespace only
    "Not bad. Not bad at all. NOT BAD!",  # repeated tokens take the first occurrence's context
    "Without doubt, rarely has anything been this wonderful, despite the rain.",  # other negators
    "The aid was extremely helpful and deeply appreciated.",  # boosters before lexicon words
    "She cut the mustard; it was a kiss of death; hand to mouth living.",  # three-word idioms
]


@pytest.fixture(scope="module")
def nltk_vader():
    """NLTK's own analyzer with the same lexicon (analysis.sentiment builds it offline)."""
    return S.analyzer()


def _nltk(analyzer, text):
    r = analyzer.polarity_scores(text)
    return (r["neg"], r["neu"], r["pos"], r["compound"])


def test_lexicon_is_nltks(nltk_vader):
    assert default_vader().lexicon == nltk_vader.lexicon


@pytest.mark.parametrize("text", RULES)
def test_rule_sentences_equal_nltk(nltk_vader, text):
    assert default_vader().score(text) == _nltk(nltk_vader, text)


def test_rules_change_scores():
    # the written cases are not all alike: negation, caps and the but-rule move the compound
    v = default_vader()
    assert v.score("The food here is good.")[3] > 0 > v.score("The food here is not good.")[3]
    assert v.score("The food is GOOD today.")[3] > v.score("The food is good today.")[3]
    assert v.score("a b c d e f") == (0.0, 0.0, 0.0, 0.0)


def test_punctuation_stripping():
    # NLTK's SentiText.words_and_emoticons on this text: one punctuation mark (or run from PUNC_LIST) on ONE side
    # of a word is removed; on both sides, or inside, it stays
    text = '"Great," she said. !!wow!! ?!?!sad U.S.-led -x- ,good'
    assert split_tokens(text) == ['"Great,"', "she", "said", "!!wow!!", "sad", "U.S.-led", "-x-", "good"]


def test_whole_text_from_sentences_equals_nltk(nltk_vader):
    text = "  The strike killed 20 civilians.\nResidents were not happy!  But aid arrived, thankfully.\n\nGood. "
    spans = split_sentences(text)
    sents, whole = default_vader().score_document(text, spans)
    assert sents == [_nltk(nltk_vader, text[s:e]) for s, e in spans]
    assert whole == _nltk(nltk_vader, text)


# Sentence pairs whose second sentence changes a valence at the end of the first one (its context crosses over).
EDGE_PAIRS = [
    ("It was kind", "of course it was"),  # "kind" + "of": dampened in the text, not in its sentence
    ("the food was bad", "ass kicking all round"),  # a two-word idiom across the boundary
    ("she gave him the kiss of", "death to them all"),  # a three-word idiom across it
    ("THE FOOD HERE IS GREAT AND VERY TASTY TODAY", "but the rest was fine"),  # all caps: no caps differential alone
    ("He was not", "good at all"),  # a negator before the next sentence's first word
    ("It was never", "so very good for all of us"),  # "never so" three tokens back, across the boundary
]


def _assert_document_equals_nltk(nltk_vader, text):
    spans = split_sentences(text)
    sents, whole = default_vader().score_document(text, spans)
    assert sents == [_nltk(nltk_vader, text[s:e]) for s, e in spans]
    assert whole == _nltk(nltk_vader, text), text


def test_whole_text_across_sentence_edges_equals_nltk(nltk_vader):
    # the whole text takes most token valences from its sentences, except near a sentence's edges and for
    # sentences whose caps differential is not the text's: these pairs fail if it took those too
    for first, second in EDGE_PAIRS:
        text = f"{first}\n{second}"
        assert len(split_sentences(text)) == 2
        _assert_document_equals_nltk(nltk_vader, text)
    assert default_vader().score_document("It was kind\nof course", [(0, 11), (12, 21)])[1] != default_vader().score(
        "It was kind"
    )


def test_whole_text_of_the_rule_sentences_in_any_order_equals_nltk(nltk_vader):
    import random

    rng = random.Random(13)
    pieces = [r for r in RULES if r.strip()] + [s for pair in EDGE_PAIRS for s in pair]
    for _ in range(300):
        _assert_document_equals_nltk(
            nltk_vader, rng.choice([" ", "\n", "\n\n"]).join(rng.sample(pieces, rng.randint(2, 8)))
        )


def test_whole_text_when_sentences_do_not_cover_it(nltk_vader):
    # spans that cut a word or skip text: the whole text is tokenised on its own and still equals NLTK
    text = "Good news.Bad news! Terrible, but hopeful."
    for spans in ([(0, 10), (10, 19), (20, 42)], [(0, 4)], []):
        sents, whole = default_vader().score_document(text, spans)
        assert sents == [_nltk(nltk_vader, text[s:e]) for s, e in spans]
        assert whole == _nltk(nltk_vader, text)


def test_parse_lexicon_like_nltk():
    lex = parse_lexicon("good\t1.9\t0.9\t[2, 2]\n:)\t2.0\t1.1\t[1]\n")
    assert lex == {"good": 1.9, ":)": 2.0}
    assert Vader(lex).score("good :)")[3] > 0


@pytest.mark.shared
def test_groundtruth_equal_nltk(nltk_vader, vader_groundtruth_dir):
    v = default_vader()
    n = 0
    for path in sorted(vader_groundtruth_dir.glob("*_GroundTruth.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.split("\t", 2)[2]
            assert v.score(text) == _nltk(nltk_vader, text), text
            n += 1
    assert n > 20_000


@pytest.mark.shared
def test_fakes_sentences_and_articles_equal_nltk(nltk_vader, fakes_csv):
    texts = pd.read_csv(fakes_csv, encoding="latin-1")["article_content"].fillna("")
    v = default_vader()
    n_sent = 0
    for text in texts:
        spans = split_sentences(text)
        sents, whole = v.score_document(text, spans)
        assert sents == [_nltk(nltk_vader, text[s:e]) for s, e in spans]
        assert whole == _nltk(nltk_vader, text)
        n_sent += len(spans)
    assert n_sent > 8_000


def test_sentiment_stage_equals_nltk(nltk_vader, mini_corpus):
    from analysis.pipeline import build_sentences

    sentences = build_sentences(mini_corpus)
    out = S.analyze_chunk(mini_corpus, sentences)
    sent = out["sentences_sentiment"]
    expected = [_nltk(nltk_vader, t)[3] for t in sentences["text"]]
    assert sent["vader_compound"].tolist() == expected
    docs = out["documents_sentiment"].set_index("doc_id")
    for doc_id, text in zip(mini_corpus["doc_id"], mini_corpus["text"].fillna("")):
        assert docs.loc[doc_id, "vader_compound"] == _nltk(nltk_vader, text)[3]
