"""analysis.cuematch: the fast cue matching finds exactly what finditer over each indicator's alternation finds."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import frames
from analysis.cuematch import CueStartMatcher, cue_pattern, find_cue_prefixes, is_lowerable, lower_text
from analysis.resources import compile_cues

CUES = [
    ("(?:heartbreaking|heart-breaking|harrowing|tragic|tragedy)",),
    (r"peace\s+(?:talks|plan|process)", r"ceasefire\s+(?:deal|agreement)", r"(?:peace|truce)"),  # order matters
    (r"(?:at\s+least|more\s+than)?\s*\d[\d,]*\s+(?:people|civilians)\s+(?:were\s+)?killed",),  # may start in \s*
    (r"\d[\d,]*\s+(?:people|civilians)", r"(?:dozens|scores)\s+of\s+(?:people|civilians)"),
    (r"(?-i:UN|U\.N\.)\s+(?:envoy|officials?)", r"united\s+nations"),  # a case-sensitive part
    (r"(?<!counter-)(?:terror|terrorism|terrorists?)",),  # a lookbehind before the start word
    (r"(?:\$|€|£)\s?\d[\d,.]*\s*(?:million|billion)?",),  # currency signs: one-character starts
    (r"\w+-held",),  # starts where the word before "-held" starts
    (r"(?:the\s+)?(?:only|best)\s+way\s+to",),  # an optional first word
    (r"(?:a|one|the)\s+(?:resident|widow)",),  # a one-letter start followed by a space
    (r"(?:at|sin)\s+(?:home|bad)",),  # start words found inside other words ("that home", "business bad")
]
TEXTS = [
    "Peace talks failed; a peace plan, a truce and a ceasefire deal followed. PEACE\tTALKS resumed.",
    "At least 20 civilians were killed and 1,200 people fled; dozens of civilians\nwere hurt. 3 people killed.",
    "The UN envoy met UN officials; the un envoy did not. The United   Nations and U.N. officials agreed.",
    "Counter-terrorism units hunted terrorists; terror spread. Counter-terror: no. TERRORIST cells.",
    "A heartbreaking, harrowing, Heart-Breaking tragedy; tragically not. Tragedies are not matched.",
    "Aid of $5 million and €3.5 billion and £ 200 arrived; US$ 4 was pledged.",
    "Rebel-held and government-held areas. The only way to peace; the best way to win; best\u00a0way to go.",
    "A resident and one widow spoke; the resident left. Aresident no.",
    "That home is not at home; business bad, sin bad, at\u00a0home, (at home, _at home, 2at home.",
    "Kelvin \u212a and long \u017f and dotless \u0131 and \u0130stanbul: peace talks.",  # unsafe characters
    "Reports: \n  3 civilians were killed;(  20 people killed), x5 people killed, at  least 7 people killed.",
    "Rebel-held, ISIS_fighters-held, Al-Nusra-held, 12-held, -held, \u00e9lite-held and Kurdish\u2010held areas.",
    "",
]


def _reference(cues, text):
    regex = compile_cues(list(cues), "test")
    return [(m.span(), m.group()) for m in regex.finditer(text)]


@pytest.mark.parametrize("text", TEXTS)
def test_cue_starts_equal_finditer(text):
    matcher = CueStartMatcher(CUES)
    lowered = lower_text(text)
    found = matcher.find(text, lowered)
    for k, cues in enumerate(CUES):
        expected = _reference(cues, text)
        if found is not None and k in matcher.covered:
            got = [(m.span(), text[m.start() : m.end()]) for m, _ in found.get(k, [])]
        else:
            got = [
                (m.span(), text[m.start() : m.end()])
                for m in cue_pattern(compile_cues(list(cues), "t")).finditer(text, lowered)
            ]
        assert got == expected, (cues, text)


def test_first_cue_in_order_wins():
    text = "Peace talks began."
    found = CueStartMatcher(CUES).find(text, lower_text(text))
    ((m, j),) = found[1]
    assert (m.group(), j) == ("peace talks", 0)  # cue 0 ("peace\s+talks") before cue 2 ("peace")


def test_coverage_and_prefixes():
    matcher = CueStartMatcher(CUES)
    # 2 may start in the whitespace before its number, 7 where the word before "-held" starts; 9 with "a "
    assert set(range(len(CUES))) == matcher.covered
    assert find_cue_prefixes(r"(?:the\s+)?(?:only|best)\s+way") == {"the ", "only ", "best "}
    assert find_cue_prefixes(r"(?-i:UN)\s+envoy") == {"un "}
    # in a text without two whitespace characters in a row, \s+ is one character: the start strings go on
    assert find_cue_prefixes(r"(?:the\s+)?(?:only|best)\s+way", single_space=True) == {
        "the only way",
        "the best way",
        "only way",
        "best way",
    }
    assert find_cue_prefixes(r"peace\s*talks", single_space=True) == {"peacetalks", "peace talks"}
    assert find_cue_prefixes(r"\w+ly") is None  # the run of word characters may end anywhere in a word
    assert find_cue_prefixes(r"\s*\w+-held") is None and find_cue_prefixes(r"\w+\s*held") is None


def test_lowered_matching_only_when_exact():
    assert is_lowerable(re.compile(r"(?<!\w)(?:peace\s+talks)(?!\w)", re.IGNORECASE))
    assert not is_lowerable(re.compile(r"(?-i:UN)\s+envoy", re.IGNORECASE))  # needs the original case
    assert not is_lowerable(re.compile(r"\Wpeace", re.IGNORECASE))  # an upper-case escape
    assert not is_lowerable(re.compile(r"peace", 0))  # already case-sensitive
    assert lower_text("Peace TALKS") == "peace talks"
    assert lower_text("\u212a") is None and lower_text("stra\u00dfe") is None  # Kelvin sign, sharp s
    assert lower_text("\u0130stanbul") is None  # lower-casing changes the length


@pytest.mark.shared
def test_fakes_frame_cues_equal_finditer(fakes_csv):
    texts = pd.read_csv(fakes_csv, encoding="latin-1")["article_content"].fillna("").tolist()
    cb = frames.load_codebook()
    inds = [i for i in cb.indicators if i.measurable]
    matcher = CueStartMatcher([i.cues for i in inds])
    assert len(matcher.covered) >= len(inds) // 2
    n = n_docs = 0
    for text in texts:
        found = matcher.find(text, lower_text(text))
        if found is None:  # characters that make lowered matching inexact: the pipeline scans these texts
            continue
        n_docs += 1
        for k in matcher.covered:
            expected = [m.span() for m in inds[k].regex.finditer(text)]
            assert [m.span() for m, _ in found.get(k, [])] == expected
            n += len(expected)
    assert n_docs > 700 and n > 5_000


def test_other_spaces_are_the_whitespace_class():
    import sys

    from analysis.cuematch import _other_spaces

    other = re.compile(r"[^\S ]")
    assert _other_spaces() == tuple(c for c in map(chr, range(sys.maxunicode + 1)) if other.match(c))


def test_end_literals_of_a_dollar_anchored_pattern():
    from analysis.cuematch import find_end_literals

    ends = find_end_literals(re.compile(r"(?:\s+(?:(?-i:[a-z]{2,}ly)|has|had\s+also|(?:did|ca)n['’]t))+\s*$", re.I))
    assert set(ends) == {"ly", "has", "also", "didn't", "didn’t", "can't", "can’t"}
    assert ends[0] in ("didn't", "didn’t")  # longest first
    assert find_end_literals(re.compile(r"(?:\s+(?:has|\w+))+\s*$", re.I)) is None  # an end that is no literal
    assert find_end_literals(re.compile(r"(?:has|had\s*)\s*$", re.I)) is None  # ends in whitespace
    assert find_end_literals(re.compile(r"has$", re.M)) is None  # MULTILINE
    assert find_end_literals(re.compile(r"(?<!\w)(?:spokes(?:man|woman)|boy)$", re.I)) == (
        "spokeswoman",
        "spokesman",
        "boy",
    )


def test_cue_words_are_held_wherever_a_cue_matches():
    from analysis.cuematch import find_cue_words

    assert find_cue_words(r"(?<!\w)(?:(?:according\s+to))(?!\w)") == ("according",)
    assert find_cue_words(r"\d+\s+people") is None  # a digit start
    for cues in CUES:
        for cue in cues:
            words = find_cue_words(cue)
            for text in TEXTS:
                low = lower_text(text)
                if words is not None and low is not None and re.search(cue, text, re.IGNORECASE):
                    assert any(w in low for w in words), (cue, text)
