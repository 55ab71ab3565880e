"""Matching a dictionary's aliases in text: normalisation, case rules, Aho-Corasick automata, longest match wins."""

from __future__ import annotations

import itertools
import re

import ahocorasick
import regex

# Offsets must stay valid, so text normalisation is strictly one character for one character.
_NORMALISE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
    }
)
_WORD_RE = re.compile(r"[^\W\d_]+")
# A name directly followed by this suffix locates another actor ("Britain-based"); it is not a mention.
DESCRIPTOR_SUFFIX = "-based"


def normalise(text: str) -> str:
    """Quotes, dashes and spaces in one form each, one character for one character (offsets stay valid)."""
    return text.translate(_NORMALISE)


def lower_keep_length(text: str) -> str:
    """Lower-case ``text`` keeping its length (a few characters such as U+0130 lower-case to two)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def alias_rule(alias: str, case: str) -> tuple[str, tuple]:
    """Where an alias is matched ('exact' automaton on the text or 'lower' on the lower-cased text) and its checks.

    Checks are ``(cap_offset, exact_spans)``: the letter at ``cap_offset`` must be upper-case in the text (-1: none)
    and each ``(i, j)`` span must equal ``alias[i:j]`` exactly.
    """
    if case == "exact":
        return "exact", (-1, ())
    if case == "insensitive":
        return "lower", (-1, ())
    letters = [c for c in alias if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "exact", (-1, ())
    cap, spans = -1, []
    for m in _WORD_RE.finditer(alias):
        tok = m.group()
        if len(tok) >= 2 and tok.isupper():
            spans.append((m.start(), m.end()))
        elif cap < 0 and len(tok) >= 3 and tok[0].isupper():
            cap = m.start()
    return "lower", (cap, tuple(spans))


def case_ok(norm: str, start: int, cap: int, spans: tuple) -> bool:
    """The case rule of :func:`alias_rule` for an alias found at ``start`` of the normalised text."""
    if cap >= 0 and not norm[start + cap].isupper():
        return False
    return not spans or all(norm[start + i : start + j].isupper() for i, j in spans)


class Matcher:
    """Two Aho-Corasick automata (lower-cased text; exact case) plus the few regular-expression patterns.

    ``forms``: entry id -> [(alias form, case rule)], in the dictionary's order; ``patterns``: [(regex, id)].
    pyahocorasick gives every occurrence of every alias in one pass; word boundaries, case rules and
    "longest match wins" are then checked in Python on the (few) candidates.
    """

    def __init__(self, ids: list[str], forms: dict[str, list[tuple[str, str]]], patterns: list[tuple[str, str]]):
        self.ids: list[str] = list(ids)
        index = {eid: i for i, eid in enumerate(self.ids)}
        lower: dict[str, tuple] = {}
        exact: dict[str, tuple] = {}
        for eid, entry_forms in forms.items():
            for form, case in entry_forms:
                where, (cap, spans) = alias_rule(form, case)
                if where == "exact":
                    exact.setdefault(form, (index[eid], len(form), -1, (), None))
                else:
                    # the same alias written in two cases in one entry ("Eastern Ghouta", "eastern Ghouta"):
                    # either case rule admits a match
                    key = lower_keep_length(form)
                    prev = lower.get(key)
                    rules = ((cap, spans),) if prev is None else (*prev[2], (cap, spans))
                    lower[key] = (index[eid], len(form), rules)
        # (entry index, length, cap offset, exact spans, further rules): an alias without any case constraint needs
        # no check at match time; one case rule is checked inline; two are tried in turn
        lower = {k: self._case_value(i, n, rules) for k, (i, n, rules) in lower.items()}
        self.lower = self._automaton(lower)
        self.exact = self._automaton(exact)
        self.patterns = [(regex.compile(p), index[eid]) for p, eid in patterns]

    @staticmethod
    def _case_value(idx: int, length: int, rules: tuple) -> tuple:
        if any(c < 0 and not sp for c, sp in rules):
            return idx, length, -1, (), None
        if len(rules) == 1:
            return idx, length, rules[0][0], rules[0][1], None
        return idx, length, -1, (), rules

    @staticmethod
    def _automaton(words: dict) -> ahocorasick.Automaton | None:
        if not words:
            return None
        automaton = ahocorasick.Automaton()
        for key, value in words.items():
            automaton.add_word(key, value)
        automaton.make_automaton()
        return automaton

    def find(self, norm: str) -> list[tuple[int, int, str]]:
        """Mentions in an already normalised text: ``[(start, end, id)]`` sorted by start."""
        return self.find_with_mask(norm)[0]

    def find_with_mask(self, norm: str) -> tuple[list[tuple[int, int, str]], bytearray]:
        """:meth:`find` and a mask of the text's characters, 1 where a mention covers them."""
        n = len(norm)
        cands = []  # (start - end, start, entry index): sorts longest first, then leftmost, without a key function
        append = cands.append
        # This loop runs once per automaton hit (tens of thousands on a corpus): boundaries are inlined.
        hits = []
        if self.lower is not None:
            hits.append(self.lower.iter(lower_keep_length(norm)))
        if self.exact is not None:
            hits.append(self.exact.iter(norm))
        for last, (idx, length, cap, spans, rules) in itertools.chain.from_iterable(hits):
            start = last - length + 1
            end = last + 1
            if start > 0:
                c = norm[start - 1]
                if c.isalnum() or c == "_":
                    continue
            if end < n:
                c = norm[end]
                if c.isalnum() or c == "_":
                    continue
            if cap >= 0 and not norm[start + cap].isupper():
                continue
            if spans and not all(norm[start + i : start + j].isupper() for i, j in spans):
                continue
            if rules is not None and not any(case_ok(norm, start, c, sp) for c, sp in rules):
                continue
            append((-length, start, idx))
        for pattern, idx in self.patterns:
            cands.extend((m.start() - m.end(), m.start(), idx) for m in pattern.finditer(norm) if m.end() > m.start())
        # "Britain-based monitor", "US-based group": the name describes where another actor sits, it does not
        # mention the state (on FA-KES 156 of 226 "UK" matches were the Observatory's "Britain-based").
        if "-based" in norm:
            cands = [c for c in cands if not norm.startswith(DESCRIPTOR_SUFFIX, c[1] - c[0])]
        taken = bytearray(n)
        if not cands:
            return [], taken
        return resolve_overlaps(cands, self.ids, taken), taken


def resolve_overlaps(cands: list[tuple[int, int, int]], ids: list[str], taken: bytearray) -> list[tuple[int, int, str]]:
    """Longest match wins; among equally long ones the leftmost; a character belongs to at most one mention.

    ``cands``: ``(start - end, start, entry index)``; ``taken`` (one byte a character) is set where a mention is.
    """
    cands.sort()
    out = []
    for neg, s, i in cands:
        e = s - neg
        if taken.find(1, s, e) >= 0:
            continue
        taken[s:e] = b"\x01" * (e - s)
        out.append((s, e, ids[i]))
    out.sort()
    return out
