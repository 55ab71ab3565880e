"""Matching a dictionary's aliases in text: normalisation, case rules, Aho-Corasick automata, longest match wins."""

from __future__ import annotations

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


# Every character that is not a letter, digit or "_" (what ends a word for the boundary rule) becomes a space.
_ASCII_BOUNDED = bytes(c if chr(c).isalnum() or c == 95 else 32 for c in range(128)) + bytes(range(128, 256))


class _BoundedMap(dict):
    """str.translate table for non-ASCII text: word characters unchanged, any other character a space (cached)."""

    def __missing__(self, code: int) -> int:
        c = chr(code)
        value = code if c.isalnum() or c == "_" else 32
        self[code] = value
        return value


_NON_ASCII_BOUNDED = _BoundedMap()


def _bounded_text(norm: str) -> str:
    """``norm`` with each non-word character a space, between two spaces (the automata's text, see find_with_mask)."""
    if norm.isascii():
        return " " + norm.encode("ascii").translate(_ASCII_BOUNDED).decode("ascii") + " "
    return " " + norm.translate(_NON_ASCII_BOUNDED) + " "


def _boundary_keys(words: dict) -> dict:
    """Automaton keys for :func:`_bounded_text`: each alias written as the text is, between two spaces. An alias
    of more than word characters ("al-Assad", "U.S.", "Islamic State": the text may have "al Assad", "U.S-",
    "Islamic\nState") has its form in its value, compared with the text at match time; when two aliases share a
    key ("al-Bab", "al Bab") the value holds both, ``(form, entry, cap offset, exact spans, rules)`` each."""
    grouped: dict[str, list] = {}
    for form, value in words.items():
        grouped.setdefault(" " + _bounded_text(form)[1:-1] + " ", []).append((form, value))
    out = {}
    for key, forms in grouped.items():
        (form, (idx, length, cap, spans, rules)), *_ = forms
        if len(forms) == 1:
            plain = " " not in key[1:-1] and key == " " + form + " "
            out[key] = (idx, length, cap, spans, rules, None if plain else form)
            continue
        alts = tuple((f, v[0], *v[2:]) for f, v in forms)
        out[key] = (idx, length, -1, (), None, alts)
    return out


class Matcher:
    """Two Aho-Corasick automata (lower-cased text; exact case) plus the few regular-expression patterns.

    ``forms``: entry id -> [(alias form, case rule)], in the dictionary's order; ``patterns``: [(regex, id)].
    pyahocorasick gives every whole-word occurrence of every alias in one pass (the keys carry the word
    boundaries, see :func:`_bounded_text`); case rules and "longest match wins" are then checked in Python on
    the candidates.
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
        self.lower = self._automaton(_boundary_keys(lower))
        self.exact = self._automaton(_boundary_keys(exact))
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
        cands = []  # (start - end, start, entry index): sorts longest first, then leftmost, without a key function
        append = cands.append
        # The automata run on the text with every character that is not a letter, digit or "_" written as a space
        # and one space added at each end; their keys are the aliases written the same way between two spaces. So
        # the automata only report whole-word occurrences (word boundaries are checked in C, not once per hit in
        # Python: a third of the raw hits were inside longer words). An alias with other characters than letters,
        # digits and spaces ("al-Assad", "U.S.") is compared with the text's own characters.
        bounded = _bounded_text(norm)
        hits = []  # (text the forms are compared with, the automaton's hits)
        if self.lower is not None:
            hits.append((lower_keep_length(norm), self.lower.iter(lower_keep_length(bounded))))
        if self.exact is not None:
            hits.append((norm, self.exact.iter(bounded)))
        for text, found in hits:
            for last, (idx, length, cap, spans, rules, form) in found:
                start = last - length - 1
                if form is not None:
                    if form.__class__ is str:
                        if not text.startswith(form, start):
                            continue
                    else:  # two aliases share the key
                        alias = next((a for a in form if text.startswith(a[0], start)), None)
                        if alias is None:
                            continue
                        _, idx, cap, spans, rules = alias
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
        taken = bytearray(len(norm))
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
