"""Sentences, tokens, phrases, n-grams and stopwords on self-written news sentences and real corpora."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from analysis import text as T
from analysis.errors import ParameterError, ResourceError

NEWS = (
    "The strike hit at 3 p.m. on Jan. 5 near the old city. The U.S.-led coalition said it was investigating. "
    'Lt. Gen. Stephen Townsend spoke to Mr. al-Abadi by phone. "We will not stop," he said. '
    "Forces of President Bashar al-Assad advanced on Deir Ezzor. It didn't last. Assad's men cannot wait."
)


def sentences(text):
    return [text[s:e] for s, e in T.split_sentences(text)]


def test_abbreviations_do_not_end_sentences():
    got = sentences(NEWS)
    assert got[0] == "The strike hit at 3 p.m. on Jan. 5 near the old city."
    assert got[1] == "The U.S.-led coalition said it was investigating."
    assert got[2] == "Lt. Gen. Stephen Townsend spoke to Mr. al-Abadi by phone."
    assert got[3] == '"We will not stop," he said.'
    assert len(got) == 7


def test_spans_are_offsets_into_the_text():
    spans = T.split_sentences("  First sentence here.  Second one, by the U.N. envoy.\nThird.")
    assert all(a < b for a, b in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))
    assert T.split_sentences("") == []


def test_line_breaks_end_sentences():
    text = "MOSUL OFFENSIVE\n\nIraqi forces advanced on Monday. The U.S.-led coalition said\nso.\n  By A. Writer\n"
    got = sentences(text)
    assert got == [
        "MOSUL OFFENSIVE",
        "Iraqi forces advanced on Monday.",
        "The U.S.-led coalition said",
        "so.",
        "By A. Writer",
    ]
    whole = [text[s:e] for s, e in T.split_sentences(text, paragraphs=False)]
    assert whole[0].startswith("MOSUL OFFENSIVE\n\nIraqi forces")


def _reference_punkt():
    params = PunktParameters()
    params.abbrev_types = set(T.NEWS_ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def test_fast_path_gives_plain_punkt_spans_on_written_text():
    tricky = [
        NEWS,
        "He left at 5. Then he came back. No. 1 is U.S. policy.",
        "Ends with an initial J. Smith said.",
        "Wait... What? Yes! (He said so.) Then 'quoted.' Done.",
        "It cost $5.5 million. Officials said.",
    ]
    ref = _reference_punkt()
    for text in tricky:
        assert T.split_sentences(text, paragraphs=False) == list(ref.span_tokenize(text))


@pytest.mark.shared
def test_fast_path_gives_plain_punkt_spans_on_real_news(fakes_csv, reuters_csv):
    texts = (
        pd.read_csv(fakes_csv, encoding="latin-1")["article_content"].tolist()[:400]
        + pd.read_csv(reuters_csv)["text"].tolist()[:150]
    )
    ref = _reference_punkt()
    mismatched = [t[:60] for t in texts if T.split_sentences(t, paragraphs=False) != list(ref.span_tokenize(t))]
    assert mismatched == []


def test_tokens_keep_hyphenated_names_and_split_clitics():
    toks = T.tokenize(NEWS)
    assert "u.s.-led" in toks and "al-assad" in toks and "al-abadi" in toks
    assert "p.m" in toks and "jan" in toks and "3" in toks
    assert ["did", "n't"] == toks[toks.index("did") : toks.index("did") + 2]
    assert ["assad", "'s"] == toks[toks.index("assad") : toks.index("assad") + 2]
    assert ["can", "not"] == toks[toks.index("can") : toks.index("can") + 2]
    assert "," not in toks and "." not in toks and '"' not in toks
    assert T.tokenize("Deir Ezzor") == ["deir", "ezzor"]
    assert T.tokenize("3,000 people at 10:30, then 4.5%") == ["3,000", "people", "at", "10:30", "then", "4.5"]


def test_tokenize_options():
    assert T.tokenize("The U.S.-led coalition", lowercase=False) == ["The", "U.S.-led", "coalition"]
    assert T.tokenize("al-Assad forces", split_hyphens=True) == ["al", "assad", "forces"]
    assert T.tokenize("In 2017, 3,000 fled", include_numbers=False) == ["in", "fled"]
    got = T.tokenize(
        "Fighting in Deir Ezzor and Deir ez-Zor province",
        phrases=["Deir Ezzor", "Deir ez-Zor"],
        stopwords=T.load_stopwords(),
    )
    assert got == ["fighting", "deir_ezzor", "deir_ez-zor", "province"]
    assert T.tokenize("an IS attack", min_length=3) == ["attack"]


def test_find_token_spans_match_tokens():
    spans = T.find_token_spans(NEWS)
    assert [NEWS[s:e].lower() for s, e in spans] == T.tokenize(NEWS)


def test_ngrams():
    assert T.ngrams(["a", "b", "c"], 2) == ["a b", "b c"]
    assert T.ngrams(["a", "b", "c"], 3, sep="_") == ["a_b_c"]
    assert T.ngrams(["a"], 2) == []
    with pytest.raises(ParameterError):
        T.ngrams(["a"], 0)


def _treebank_words(text):
    """Naive NLTK: untrained Punkt, NLTKWordTokenizer per sentence, then the documented normalisation."""
    words = NLTKWordTokenizer()
    return [
        w
        for s in PunktSentenceTokenizer().tokenize(text)
        for tok in words.tokenize(s)
        for w in T.TOKEN_PATTERN.findall(tok.lower())
    ]


def test_same_words_as_nltk_treebank_on_written_text():
    for text in (NEWS, "AT&T's $5 bid -- rejected; 'We won't,' she said (twice)... Iraq/Syria 50%!"):
        assert Counter(T.tokenize(text)) == Counter(_treebank_words(text))


@pytest.mark.shared
def test_same_words_as_nltk_treebank_on_real_news(fakes_csv):
    texts = pd.read_csv(fakes_csv, encoding="latin-1")["article_content"].tolist()[:150]
    assert [Counter(T.tokenize(t)) == Counter(_treebank_words(t)) for t in texts] == [True] * len(texts)


def test_packaged_stopwords_and_user_files(tmp_path):
    stop = T.load_stopwords()
    assert {"the", "on", "no", "off", "'s", "n't"} <= stop  # "on"/"no" would be YAML booleans if unquoted
    assert "assad" not in stop and "killed" not in stop
    assert T.stopwords_version() != "unversioned"
    own = tmp_path / "mine.txt"
    own.write_text("# my list\nsaid\nReuters\n")
    assert T.load_stopwords(own) == {"said", "reuters"}
    assert {"said", "the"} <= T.load_stopwords(own, extend=True)
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nwords: [on, off]\n")
    with pytest.raises(ResourceError, match="quote"):
        T.load_stopwords(bad)
    with pytest.raises(ResourceError, match="does not exist"):
        T.load_stopwords(tmp_path / "missing.yaml")


EDGE_WORDS = [
    "the rebels 's men",
    "'s start",
    "x.don't",
    "I cannot-win, gonna wanna. Wanna go",
    "it's 'd 'll",
    "rock'n'roll at 5 o'clock",
    "He said 'we're done'",
    "CANNOT stop; Can't stop",
    "U.S.-led, 3,000:10:30",
]


def test_fast_word_path_equals_the_full_pattern():
    for text in EDGE_WORDS + [NEWS]:
        for t in (text, text.lower()):
            assert T.split_words(t) == T.TOKEN_PATTERN.findall(t)


@pytest.mark.shared
def test_fast_word_path_equals_the_full_pattern_on_real_news(fakes_csv, reuters_csv):
    texts = (
        pd.read_csv(fakes_csv, encoding="latin-1")["article_content"].tolist()
        + pd.read_csv(reuters_csv)["text"].tolist()
    )
    assert [t[:40] for t in texts if T.split_words(t) != T.TOKEN_PATTERN.findall(t)] == []
