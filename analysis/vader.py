"""VADER exactly as NLTK's SentimentIntensityAnalyzer scores it, about 20x faster, and whole texts from their sentences.

Hand-written because no maintained package offers this: NLTK spends two thirds of every call building a dict of
each word x 17 punctuation marks (``SentiText._words_plus_punc``) and re-lower-cases tokens many times. The rules
below are NLTK 3.x's ``polarity_scores`` step by step, with the same constants (taken from NLTK itself), the same
quirks (a repeated token takes the context of its first occurrence; "but" halves what precedes it), and the same
order of floating-point operations, so neg/neu/pos/compound are equal to NLTK's, not just close;
tests/test_vader.py checks this on the VADER ground truth, FA-KES sentences and whole articles, and hand-written cases.

The speed comes from: the punctuation rule applied per token (a token ``p + w`` or ``w + p`` with ``p`` in
PUNC_LIST becomes ``w`` exactly when ``w`` has no ASCII punctuation and is longer than one character, which is
what NLTK's dict encodes), each distinct token's valence computed once (NLTK's first-occurrence rule makes it
depend on the token only), and non-lexicon tokens skipped with one dict lookup. A whole text is scored from its
sentences' tokens when the sentences are separated by whitespace (then ``text.split()`` gives the same tokens),
and takes each token's valence from its sentence where the token's context is the same in both
(:meth:`Vader.score_document`), so it is not scored a second time from scratch.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain, repeat

from nltk.sentiment.vader import VaderConstants

_C = VaderConstants
_PUNC_SET = frozenset(_C.PUNC_LIST)
_PUNC_CHARS = "".join(sorted(set("".join(_C.PUNC_LIST))))
_HAS_PUNCT = re.compile(f"[{re.escape(string.punctuation)}]").search
_BOOSTER = _C.BOOSTER_DICT
_IDIOMS = _C.SPECIAL_CASE_IDIOMS
_NEGATE = _C.NEGATE
_B_DECR, _C_INCR, _N_SCALAR = _C.B_DECR, _C.C_INCR, _C.N_SCALAR
# the words of the multi-word idioms and boosters: _idioms_check can change a valence only when they occur
_IDIOM_WORDS = frozenset(word for key in [*_IDIOMS, *_BOOSTER] if " " in key for word in key.split(" "))

Scores = tuple[float, float, float, float]  # neg, neu, pos, compound (rounded as NLTK rounds them)


def _strip_punctuation(we: str) -> str:
    """NLTK's ``words_punc_dict`` lookup for one token (``we`` starts or ends with a PUNC_LIST character)."""
    if we[-1] in _PUNC_CHARS:
        w = we.rstrip(_PUNC_CHARS)
        if len(w) > 1 and we[len(w) :] in _PUNC_SET and not _HAS_PUNCT(w):
            return w
    if we[0] in _PUNC_CHARS:
        w = we.lstrip(_PUNC_CHARS)
        if len(w) > 1 and we[: len(we) - len(w)] in _PUNC_SET and not _HAS_PUNCT(w):
            return w
    return we


def split_tokens(text: str) -> list[str]:
    """VADER's ``words_and_emoticons``: whitespace tokens longer than one character, edge punctuation removed."""
    p = _PUNC_CHARS
    return [_strip_punctuation(we) if (we[-1] in p or we[0] in p) else we for we in text.split() if len(we) > 1]


def _negated(low: str) -> bool:
    """NLTK's ``negated`` of one lower-cased token."""
    return low in _NEGATE or "n't" in low


def _booster(word: str, low: str, valence: float, is_cap_diff: bool) -> float:
    """NLTK's ``_scalar_inc_dec`` of a booster word (``low`` in BOOSTER_DICT)."""
    scalar = _BOOSTER[low]
    if valence < 0:
        scalar *= -1
    if word.isupper() and is_cap_diff:
        if valence > 0:
            scalar += _C_INCR
        else:
            scalar -= _C_INCR
    return scalar


def _idioms_check(valence: float, w: list[str], i: int) -> float:
    onezero = f"{w[i - 1]} {w[i]}"
    twoonezero = f"{w[i - 2]} {w[i - 1]} {w[i]}"
    twoone = f"{w[i - 2]} {w[i - 1]}"
    threetwoone = f"{w[i - 3]} {w[i - 2]} {w[i - 1]}"
    threetwo = f"{w[i - 3]} {w[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in _IDIOMS:
            valence = _IDIOMS[seq]
            break
    if len(w) - 1 > i:
        zeroone = f"{w[i]} {w[i + 1]}"
        if zeroone in _IDIOMS:
            valence = _IDIOMS[zeroone]
    if len(w) - 1 > i + 1:
        zeroonetwo = f"{w[i]} {w[i + 1]} {w[i + 2]}"
        if zeroonetwo in _IDIOMS:
            valence = _IDIOMS[zeroonetwo]
    if threetwo in _BOOSTER or twoone in _BOOSTER:
        valence = valence + _B_DECR
    return valence


class Vader:
    """VADER with one lexicon: :meth:`score` one text, :meth:`score_document` a text and its sentences."""

    def __init__(self, lexicon: dict[str, float]):
        self.lexicon = lexicon
        self._words = lexicon.keys()

    def _lexicon_valence(self, w: list[str], lows: list[str], i: int, is_cap_diff: bool) -> float:
        """NLTK's ``sentiment_valence`` for the lexicon token at index ``i`` (its first occurrence)."""
        lex = self.lexicon
        valence = lex[lows[i]]
        if w[i].isupper() and is_cap_diff:
            if valence > 0:
                valence += _C_INCR
            else:
                valence -= _C_INCR
        # NLTK's loop over the 3 tokens before (start_i 0, 1, 2: its _scalar_inc_dec, _never_check and, at 2,
        # _idioms_check) written out once per distance, with the same operations in the same order; a token that is
        # not a booster adds 0.0, as in NLTK.
        if i > 0 and lows[i - 1] not in lex:
            low = lows[i - 1]
            valence = valence + (_booster(w[i - 1], low, valence, is_cap_diff) if low in _BOOSTER else 0.0)
            if _negated(low):
                valence = valence * _N_SCALAR
        if i > 1 and lows[i - 2] not in lex:
            low = lows[i - 2]
            s = _booster(w[i - 2], low, valence, is_cap_diff) if low in _BOOSTER else 0.0
            if s != 0:
                s = s * 0.95
            valence = valence + s
            if w[i - 2] == "never" and (w[i - 1] == "so" or w[i - 1] == "this"):
                valence = valence * 1.5
            elif _negated(low):
                valence = valence * _N_SCALAR
        if i > 2 and lows[i - 3] not in lex:
            low = lows[i - 3]
            s = _booster(w[i - 3], low, valence, is_cap_diff) if low in _BOOSTER else 0.0
            if s != 0:
                s = s * 0.9
            valence = valence + s
            if (
                w[i - 3] == "never"
                and (w[i - 2] == "so" or w[i - 2] == "this")
                or (w[i - 1] == "so" or w[i - 1] == "this")
            ):
                valence = valence * 1.25
            elif _negated(low):
                valence = valence * _N_SCALAR
            # every idiom or two-word booster holds one of the tokens i-2, i-1, i: test those first
            if w[i - 2] in _IDIOM_WORDS or w[i - 1] in _IDIOM_WORDS or w[i] in _IDIOM_WORDS:
                valence = _idioms_check(valence, w, i)
        # _least_check
        if i > 1 and lows[i - 1] not in lex and lows[i - 1] == "least":
            if lows[i - 2] != "at" and lows[i - 2] != "very":
                valence = valence * _N_SCALAR
        elif i > 0 and lows[i - 1] not in lex and lows[i - 1] == "least":
            valence = valence * _N_SCALAR
        return valence

    def _token_values(self, w: list[str], lows: list[str], is_cap_diff: bool) -> tuple[dict, list[int]]:
        """The valence of each lexicon token type of ``w`` (NLTK's rule: from its first occurrence, 0 for a
        booster or the "kind" of "kind of"), in order of first occurrence, and those first positions."""
        n = len(w)
        hits = self._words & set(lows)
        value: dict[str, object] = {}
        if not hits:
            return value, []
        # the first position of each token whose lower case is in the lexicon, found with list.index (C) per lexicon
        # word rather than by a Python loop over every token (2 lexicon words in a sentence of 24 tokens on FA-KES)
        first = []
        for low in hits:
            j = lows.index(low)
            first.append(j)
            tok = w[j]
            if w.count(tok) < lows.count(low):  # other case forms too ("War" ... "war"): the first of each
                seen = {tok}
                for k in range(j + 1, n):
                    if lows[k] == low and w[k] not in seen:
                        seen.add(w[k])
                        first.append(k)
        first.sort()  # in order of first occurrence, as NLTK meets them
        for j in first:
            low = lows[j]
            if low in _BOOSTER or (low == "kind" and j < n - 1 and lows[j + 1] == "of"):
                value[w[j]] = 0
            else:
                value[w[j]] = self._lexicon_valence(w, lows, j, is_cap_diff)
        return value, first

    def _score_tokens(self, w: list[str], lows: list[str], text: str) -> Scores:
        n = len(w)
        if not n:
            return (0.0, 0.0, 0.0, 0.0)
        is_cap_diff = 0 < n - sum(map(str.isupper, w)) < n
        return _score_values(self._token_values(w, lows, is_cap_diff)[0], w, lows, text)

    def score(self, text: str) -> Scores:
        """(neg, neu, pos, compound) of ``text``, equal to NLTK's ``polarity_scores(text)``."""
        w = split_tokens(text)
        return self._score_tokens(w, list(map(str.lower, w)), text)

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        """Scores of each text."""
        return [self.score(t) for t in texts]

    def score_document(self, text: str, spans: Sequence[tuple[int, int]]) -> tuple[list[Scores], Scores]:
        """Scores of each sentence ``text[s:e]`` and of the whole text, tokenising the text once when possible.

        When the sentences' tokens are the text's (see _tokens_concatenate), the whole text's token valences are
        also taken from its sentences: a valence depends on the token, the tokens up to 3 before it and 2 after it,
        and (for upper-case words) on whether the text mixes upper-case and other words. A token type's first
        occurrence in the text is its first in its sentence; when it lies 3 or more tokens from the sentence's
        start and 2 from its end, and the sentence's mixing flag is the text's or the sentence has no upper-case
        word, its valence in the text is its valence in the sentence. The others are computed on the text.
        """
        words, lowers, out, parts = [], [], [], []
        for s, e in spans:
            sent = text[s:e]
            w = split_tokens(sent)
            lows = list(map(str.lower, w))
            n = len(w)
            if n:
                upper = sum(map(str.isupper, w))
                value, first = self._token_values(w, lows, 0 < n - upper < n)
                out.append(_score_values(value, w, lows, sent))
                parts.append((n, upper, value, first))
            else:
                out.append((0.0, 0.0, 0.0, 0.0))
            words.append(w)
            lowers.append(lows)
        if not _tokens_concatenate(text, spans):
            w = split_tokens(text)
            return out, self._score_tokens(w, list(map(str.lower, w)), text)
        w = list(chain.from_iterable(words))
        lows = list(chain.from_iterable(lowers))
        n = len(w)
        if not n:
            return out, (0.0, 0.0, 0.0, 0.0)
        is_cap_diff = 0 < n - sum(p[1] for p in parts) < n
        value: dict[str, object] = {}
        offset = 0
        for n_sent, upper, sent_value, first in parts:
            same_context = upper == 0 or (0 < n_sent - upper < n_sent) == is_cap_diff
            for (tok, valence), j in zip(sent_value.items(), first):
                if tok in value:
                    continue
                if same_context and 3 <= j <= n_sent - 3:
                    value[tok] = valence
                    continue
                g = offset + j  # near the sentence's edges: its context in the text
                low = lows[g]
                if low in _BOOSTER or (low == "kind" and g < n - 1 and lows[g + 1] == "of"):
                    value[tok] = 0
                else:
                    value[tok] = self._lexicon_valence(w, lows, g, is_cap_diff)
            offset += n_sent
        return out, _score_values(value, w, lows, text)


def _score_values(value: dict, w: list[str], lows: list[str], text: str) -> Scores:
    """The scores of tokens ``w`` (at least one) whose token types have the valences ``value`` (the others 0):
    NLTK's but-rule, then its score_valence."""
    if not value:  # every sentiment 0 (one sentence in 7 on FA-KES): NLTK's score_valence of n zeros, n > 0
        return (0.0, 1.0, 0.0, 0.0)
    n = len(w)
    sentiments = list(map(value.get, w, repeat(0, n)))
    if "but" in lows:  # _but_check on the lower-cased tokens: the same products, zeros too (0 becomes 0.0)
        bi = lows.index("but")
        sentiments = [v * 0.5 for v in sentiments[:bi]] + [sentiments[bi]] + [v * 1.5 for v in sentiments[bi + 1 :]]
    return _score_valence(sentiments, text)


def _tokens_concatenate(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """True if ``text.split()`` equals the concatenated ``text[s:e].split()``: the text outside the spans is
    whitespace and every span edge touches whitespace or an end of the text."""
    prev = 0
    n = len(text)
    for s, e in spans:
        if s < prev or e < s:
            return False
        if text[prev:s].strip():
            return False
        for b in (s, e):
            if 0 < b < n and not (text[b - 1].isspace() or text[b].isspace()):
                return False
        prev = e
    return not text[prev:].strip()


def _score_valence(sentiments: list, text: str) -> Scores:
    """NLTK's ``score_valence`` (punctuation emphasis from the whole text) and its rounding."""
    sum_s = float(sum(sentiments))
    ep_count = min(text.count("!"), 4)
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
    pos_sum = 0.0
    neg_sum = 0.0
    neu_count = sentiments.count(0)
    for sentiment_score in filter(None, sentiments):  # zeros add nothing to the sums: skip them, keep the order
        if sentiment_score > 0:
            pos_sum += float(sentiment_score) + 1
        elif sentiment_score < 0:
            neg_sum += float(sentiment_score) - 1
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct_emph_amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct_emph_amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    pos = math.fabs(pos_sum / total)
    neg = math.fabs(neg_sum / total)
    neu = math.fabs(neu_count / total)
    return (round(neg, 3), round(neu, 3), round(pos, 3), round(compound, 4))


def parse_lexicon(content: str) -> dict[str, float]:
    """The lexicon dict as NLTK's ``make_lex_dict`` builds it from the file content (trailing newline stripped)."""
    lex: dict[str, float] = {}
    for line in content.strip("\n").split("\n"):
        word, measure = line.strip().split("\t")[0:2]
        lex[word] = float(measure)
    return lex


@lru_cache(maxsize=1)
def default_vader() -> Vader:
    """The fast VADER with the vaderSentiment lexicon that analysis.sentiment records in the manifest."""
    from analysis.sentiment import _lexicon_source

    return Vader(parse_lexicon(_lexicon_source().read_text(encoding="utf-8")))
