"""Case-insensitive cue regexes run as case-sensitive ones over the lower-cased text, where that finds the same matches.

Python's ``re`` cannot skip ahead under IGNORECASE: at every word start it enters every alternative of a cue list
(``(?:heartbreaking|harrowing|tragic|...)``) and compares case-folded characters. Without IGNORECASE it rejects an
alternative on its first character before entering it, which makes the frame cues 2-3x faster. Both give the same
matches (same positions, same alternative chosen) when

- the pattern is ASCII, has no upper-case letter outside group names (so no ``\\W``, ``\\S``, ``\\B``, ``\\A``...),
  no inline flags (a ``(?-i:UN)`` part must see the original case), no numeric or ``\\x``/``\\N`` escapes and no
  back-references; and
- lower-casing the text keeps its length and maps no character onto or off an ASCII letter in a way IGNORECASE
  does not (the Kelvin sign, dotless i, long s, dotted capital I are refused).

Anything else runs the original pattern on the original text, so results never change; tests/test_cuematch.py
compares both ways on written and real text. Matches found on the lowered text carry lowered ``group()`` text:
callers take the evidence from the original text by offsets (:func:`span_text`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache

_GROUP_NAME = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
_UNSAFE = re.compile(
    r"[A-Z]"  # upper-case literals and the escapes \W \S \D \B \A \Z \N \U
    r"|\\[0-9xu]"  # numeric, octal and hex escapes, back-references
    r"|\(\?[a-zA-Z-]"  # inline flags: (?i) (?-i:...) (?x) ...; also (?P=name) and (?P>...)
    r"|[^\x00-\x7f]"  # non-ASCII literals
)


def is_lowerable(pattern: re.Pattern) -> bool:
    """True if ``pattern`` (IGNORECASE, str) gives the same matches case-sensitively on lower-cased safe text."""
    if not isinstance(pattern.pattern, str) or not pattern.flags & re.IGNORECASE:
        return False
    if pattern.flags & (re.VERBOSE | re.LOCALE | re.ASCII):
        return False
    return _UNSAFE.search(_GROUP_NAME.sub("(", pattern.pattern)) is None


@lru_cache(maxsize=1)
def _unsafe_chars() -> frozenset[str]:
    """Non-ASCII characters that case-fold to or from ASCII letters (U+212A Kelvin sign, U+0131, U+017F, U+0130),
    that have extra case equivalences, or whose lower case is another kind of character for \\w, \\d or \\s."""
    from re import _casefix  # the standard library's table of extra case equivalences

    chars = set()
    for code in range(0x80, 0x10000):
        c = chr(code)
        low = c.lower()
        if low.isascii() or c.upper().isascii():
            chars.add(c)
        elif low != c and (  # lower-casing must not change what \w, \d, \s see
            len(low) != 1
            or c.isalnum() != low.isalnum()
            or c.isdecimal() != low.isdecimal()
            or c.isspace() != low.isspace()
        ):
            chars.add(c)
    for lower, extra in _casefix._EXTRA_CASES.items():
        chars.add(chr(lower))
        chars.update(map(chr, extra))
    return frozenset(c for c in chars if not c.isascii())


def lower_text(text: str) -> str | None:
    """``text.lower()`` if matching lowerable patterns on it is exact, else None (then use the original patterns)."""
    low = text.lower()
    if len(low) != len(text):
        return None
    if not text.isascii() and not _unsafe_chars().isdisjoint(text):
        return None
    return low


class CuePattern:
    """One case-insensitive regex with its lowered twin: ``finditer(text, lowered)`` uses the twin when it may."""

    __slots__ = ("regex", "lowered")

    def __init__(self, regex: re.Pattern):
        self.regex = regex
        self.lowered = re.compile(regex.pattern, regex.flags & ~re.IGNORECASE) if is_lowerable(regex) else None

    def match(self, text: str, lowered: str | None, pos: int) -> re.Match | None:
        """The match starting at ``pos`` (lookbehinds see the text before it), as ``regex.match(text, pos)``."""
        if lowered is not None and self.lowered is not None:
            return self.lowered.match(lowered, pos)
        return self.regex.match(text, pos)

    def finditer(self, text: str, lowered: str | None = None) -> Iterator[re.Match]:
        """Matches of the pattern in ``text``; ``lowered`` is :func:`lower_text` of ``text`` (or None)."""
        if lowered is not None and self.lowered is not None:
            return self.lowered.finditer(lowered)
        return self.regex.finditer(text)


@lru_cache(maxsize=4096)
def cue_pattern(regex: re.Pattern) -> CuePattern:
    """The :class:`CuePattern` of a compiled regex (built once per pattern)."""
    return CuePattern(regex)


def is_cue_alternation(regex: re.Pattern, cues, *, named: str | None = None) -> bool:
    """True if ``regex`` is the case-insensitive alternation of ``cues`` that :class:`CueStartMatcher` assumes:
    ``(?<!\\w)(?:(?:cue1)|...)(?!\\w)`` (``analysis.resources.compile_cues``), or with ``named`` group prefix and
    ``[\\w]`` boundaries (``analysis.frames.document._named_alternation``)."""
    if not regex.flags & re.IGNORECASE or regex.flags & re.VERBOSE:
        return False
    if named is None:
        body = "|".join(f"(?:{c})" for c in cues)
        return regex.pattern == rf"(?<!\w)(?:{body})(?!\w)"
    body = "|".join(f"(?P<{named}{n}>{c})" for n, c in enumerate(cues))
    return regex.pattern == rf"(?<![\w])(?:{body})(?![\w])"


def span_text(text: str, match: re.Match) -> str:
    """The matched text as written in ``text`` (a match on the lowered text has lower-case ``group()``)."""
    return text[match.start() : match.end()]


# ------------------------------------------------------------------------------------------ matching at cue starts
# Most cues start with one of a few literal words ("(?:heartbreaking|harrowing|...)", "peace\s+talks"). A match of
# such a cue can only start where one of those words starts, so one Aho-Corasick pass over the lower-cased text
# (whitespace folded to " ") lists every position where any cue could start, and the cue's regex is tried only
# there (``match`` at the position, in text order, skipping positions inside the previous match). ``finditer`` over
# the alternation of an indicator's cues gives exactly these matches: at one position the alternation takes the
# first cue (in order) that matches, and a cue whose start word is absent at that position cannot match there.
_DIGIT = "\x00digit"  # a cue that starts with \d: candidates are the digits that start a word
# Two kinds of start that are not a literal string, marked by a first character no text holds:
_SPACES = "\x01"  # "\s*" then the rest: the match starts where the rest does, or in the whitespace just before it
_WORD_RUN = "\x02"  # "\w+" then a rest that opens with a non-word character: the match starts where that run does
_KINDS = {_SPACES: 1, _WORD_RUN: 2}
_MAX_PREFIXES = 512
_WORD_DIGIT = re.compile(r"\d(?<!\w\d)")  # (?<!\w)\d: the lookbehind after \d lets re skip to digits


def _prefix_literal(code: int) -> str | None:
    ch = chr(code)
    low = ch.lower()
    if ch.isspace():
        return " "
    if ch.isascii() or low == ch == ch.upper():  # ASCII, or a character without case ("€", "£")
        return low
    return None


def _is_space(op, av) -> bool:
    from re import _constants as c

    return op is c.IN and av == [(c.CATEGORY, c.CATEGORY_SPACE)]


def _is_word(body) -> bool:
    from re import _constants as c

    return len(body) == 1 and body[0][0] is c.IN and body[0][1] == [(c.CATEGORY, c.CATEGORY_WORD)]


def _space_repeat(op, av) -> tuple[int, int] | None:
    """(min, max) of ``\\s+``, ``\\s*``, ``\\s?``, ``\\s{m,n}``; None for anything else."""
    from re import _constants as c

    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and len(av[2]) == 1 and _is_space(*av[2][0]):
        return av[0], av[1]
    return None


def _prefixes(items: list, single_space: bool) -> set[str] | None:
    """Strings (lower case, whitespace as " ") one of which starts every match of the parsed regex ``items``, or
    None when no such set is known (then the cue runs over the whole text).

    ``single_space``: the text has no two whitespace characters in a row, so ``\\s+`` matches exactly one and the
    strings go on past it ("the only way" instead of "the ").
    """
    from re import _constants as c  # the parsed-pattern opcodes of the standard library's `re`

    if not items:
        return None
    op, av = items[0]
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero-width: the match starts with what follows
        return _prefixes(items[1:], single_space)
    rep = _space_repeat(op, av) if single_space else None
    if rep is not None and rep[0] == 0:  # \s* or \s?: no whitespace, or exactly one
        absent = _prefixes(items[1:], single_space)
        return None if absent is None or _DIGIT in absent else absent | {" " + r for r in absent}
    space = _space_repeat(op, av)
    if space is not None and space[0] == 0:  # \s* or \s? (any whitespace run): the rest, marked
        absent = _prefixes(items[1:], single_space)
        if absent is None or any(r[0] in _KINDS or r[0] == " " for r in absent):
            return None
        return {_SPACES + r for r in absent}
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1 and _is_word(av[2]):  # \w+ then a non-word character
        rest = _prefixes(items[1:], single_space)
        if rest is None or any(r == _DIGIT or r[0] in _KINDS or r[0].isalnum() or r[0] in "_ " for r in rest):
            return None
        return {_WORD_RUN + r for r in rest}
    if op is c.LITERAL or _is_space(op, av) or rep is not None:
        run: list[str] = []
        used = 0
        for op2, av2 in items:
            rep2 = _space_repeat(op2, av2) if single_space else None
            if op2 is c.LITERAL:
                ch = _prefix_literal(av2)
            elif _is_space(op2, av2):
                ch = " "
            elif rep2 is not None and rep2[0] >= 1:
                ch = " " * rep2[0]  # more than one whitespace character in a row never occurs in such a text
            else:
                break
            if ch is None:
                break
            run.append(ch)
            used += 1
        if not run:
            return None
        head = "".join(run)
        rest = _prefixes(items[used:], single_space) if used < len(items) else None
        if rest and _DIGIT not in rest and len(rest) <= _MAX_PREFIXES and not any(r[0] in _KINDS for r in rest):
            return {head + r for r in rest}
        return {head}
    if op is c.IN and av == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
        return {_DIGIT}
    if op is c.IN and av and all(o is c.LITERAL for o, _ in av):  # "[$€£]", or "\\$|€|£" as the parser writes it
        return _prefixes([(c.BRANCH, (None, [[(c.LITERAL, ch)] for _, ch in av]))] + items[1:], single_space)
    if op is c.SUBPATTERN:
        return _prefixes(list(av[-1]) + items[1:], single_space)
    if op is c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            found = _prefixes(list(alt) + items[1:], single_space)
            if found is None:
                return None
            out |= found
            if len(out) > _MAX_PREFIXES:
                return None
        return out
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, high, body = av
        # an optional part ("(?:the\\s+)?") is followed by the rest; a repeated one may be followed by itself
        first = _prefixes(list(body) + (items[1:] if high == 1 else []), single_space)
        if low >= 1 or first is None:
            return first
        following = _prefixes(items[1:], single_space)  # the optional part may be absent
        return None if following is None else first | following
    return None


def find_cue_prefixes(cue: str, *, single_space: bool = False) -> set[str] | None:
    """The start strings of a case-insensitive cue (see :func:`_prefixes`), or None if a match may start almost
    anywhere (a one-letter or whitespace start, ``\\w``, a character class)."""
    found = _cue_prefixes(cue)[single_space]
    return None if found is None else set(found)  # a copy: the parsed results are cached


@lru_cache(maxsize=4096)
def _cue_prefixes(cue: str) -> tuple[set[str] | None, set[str] | None]:
    """:func:`find_cue_prefixes` of a cue without and with ``single_space`` (the cue is parsed once)."""
    from re import _parser  # the standard library's regex parser

    try:
        items = list(_parser.parse(cue, re.IGNORECASE))
    except (re.error, RecursionError):
        return None, None
    return _checked(_safe_prefixes(items, False)), _checked(_safe_prefixes(items, True))


@lru_cache(maxsize=256)
def find_cue_words(cue: str) -> tuple[str, ...] | None:
    """Lower-case strings one of which the lower-cased text (:func:`lower_text`) holds wherever the case-insensitive
    ``cue`` matches: its start strings (:func:`find_cue_prefixes`) up to their first whitespace; None if not known.
    A quick ``in`` test before a search, which tries the regex at every position."""
    starts = find_cue_prefixes(cue)
    if starts is None or _DIGIT in starts:
        return None
    words = {(p[1:] if p[0] in _KINDS else p).split(" ")[0] for p in starts}
    return None if "" in words else tuple(sorted(words))


def _safe_prefixes(items: list, single_space: bool) -> set[str] | None:
    try:
        return _prefixes(items, single_space)
    except RecursionError:
        return None


def _checked(found: set[str] | None) -> set[str] | None:
    bodies = [p[1:] if p[0] in _KINDS else p for p in found or ()]
    if found is None or any(len(p) < 2 and (p.isalnum() or p == " ") for p in bodies if p != _DIGIT):
        return None
    if any(p.startswith(" ") for p in bodies):
        return None
    return found


class CueStartMatcher:
    """All matches of each indicator's cue alternation, trying cues only where one of their start words occurs.

    ``cues[k]`` is indicator k's cue list, compiled as ``(?<!\\w)(?:cue)(?!\\w)`` (IGNORECASE) like
    ``analysis.frames._compile_cues``. Indicators with a cue whose starts are unknown are not ``covered``: the caller
    runs their regex over the text. Two automata: one with start strings that go on past ``\\s+`` (for texts
    without two whitespace characters in a row, which ingest's normalisation makes the rule), one without.
    """

    def __init__(self, cues: list[tuple[str, ...]]):
        import ahocorasick

        # each cue of a covered indicator gets a number, in (indicator, cue) order, so that sorting an indicator's
        # candidates (position, number) sorts them by (position, cue index) as finditer over the alternation tries
        owners: dict[bool, dict[str, list[tuple[int, int, int]]]] = {False: {}, True: {}}
        covered = set()
        self._cues: list[str] = []
        self._owner: list[tuple[int, int]] = []  # cue number -> (indicator k, cue index j)
        for k, cue_list in enumerate(cues):
            short = [find_cue_prefixes(cue) for cue in cue_list]
            if not cue_list or any(s is None for s in short):
                continue
            covered.add(k)
            for j, (cue, found) in enumerate(zip(cue_list, short)):
                c = len(self._cues)
                self._cues.append(cue)
                self._owner.append((k, j))
                longer = find_cue_prefixes(cue, single_space=True) or found
                for single_space, starts in ((False, found), (True, longer)):
                    for p in starts:  # (k, c, kind): kind 0 a literal start, else a marked one (_KINDS)
                        kind = _KINDS.get(p[0], 0)
                        owners[single_space].setdefault(p[1:] if kind else p, []).append((k, c, kind))
        self.covered = frozenset(covered)
        # compiled on first use (most cues rarely occur): cue number -> (bound match method, matches lowered text)
        self._match: list[tuple | None] = [None] * len(self._cues)
        self._digit = tuple(owners[False].pop(_DIGIT, ()))
        owners[True].pop(_DIGIT, None)
        self._automata = {}
        for single_space, table in owners.items():
            if table:
                automaton = ahocorasick.Automaton()
                for word, kcs in table.items():
                    # literal starts apart from marked ones: a literal start inside a word is no candidate
                    plain = tuple((k, c) for k, c, kind in kcs if not kind)
                    marked = tuple(kc for kc in kcs if kc[2])
                    automaton.add_word(word, (len(word) - 1, plain, marked))
                automaton.make_automaton()
                self._automata[single_space] = automaton

    def _compile(self, c: int) -> tuple:
        pattern = CuePattern(re.compile(rf"(?<!\w)(?:{self._cues[c]})(?!\w)", re.IGNORECASE))
        low = pattern.lowered is not None
        compiled = self._match[c] = ((pattern.lowered if low else pattern.regex).match, low)
        return compiled

    def find(self, text: str, lowered: str | None) -> dict[int, list[tuple[re.Match, int]]] | None:
        """(match, cue index) per covered indicator (absent: no match), or None when ``lowered`` is None (the text
        is not safe to match lowered) or a cue matched the empty string: then run the indicators' regexes."""
        if lowered is None:
            return None
        # candidates per indicator as one int each, position * n + cue number: sorted like (position, cue number)
        # pairs and compared with a bound, with no tuple per candidate
        n = len(self._cues)
        hits: defaultdict[int, list[int]] = defaultdict(list)
        search = lowered  # every whitespace character as " " (same length); str.replace, not re.sub: most texts
        for ch in _other_spaces():  # hold none of them, and a membership test is a memchr
            if ch in search:
                search = search.replace(ch, " ")
        automaton = self._automata.get("  " not in search)
        if automaton is not None:
            for end, (back, plain, marked) in automaton.iter(search):
                start = end - back
                # every cue's regex opens with (?<!\w): a literal start right after a word character cannot match
                # (the start strings are found inside words too: "at " in "that ", "sin" in "business")
                if plain and not (start and (search[start - 1].isalnum() or search[start - 1] == "_")):
                    base = start * n
                    for k, c in plain:
                        hits[k].append(base + c)
                for k, c, kind in marked:
                    hits[k].extend(q * n + c for q in _starts(search, start, kind))
        if self._digit:
            digits = [m.start() for m in _WORD_DIGIT.finditer(lowered)]
            if digits:
                bases = [p * n for p in digits]
                for k, c, kind in self._digit:
                    if kind:  # "\s*" then a digit
                        hits[k].extend(q * n + c for p in digits for q in _starts(search, p, kind))
                    else:
                        hits[k].extend([base + c for base in bases])
        out: dict[int, list[tuple[re.Match, int]]] = {}
        compiled, owner = self._match, self._owner
        for k, keys in hits.items():
            keys.sort()
            found = []
            limit = -1  # the keys below it start inside the previous match (or a cue earlier in order matched there)
            for key in keys:
                if key < limit:
                    continue
                p, c = divmod(key, n)
                match, low = compiled[c] or self._compile(c)
                m = match(lowered, p) if low else match(text, p)
                if m is not None:
                    end = m.end()
                    if end == p:  # an empty match: finditer's rules for those differ, let the caller scan
                        return None
                    found.append((m, owner[c][1]))
                    limit = end * n
            if found:
                out[k] = found
        return out


@lru_cache(maxsize=1)
def _other_spaces() -> tuple[str, ...]:
    """The characters that ``[^\\S ]`` matches: whitespace other than " " (re's ``\\s`` is str.isspace; no
    whitespace character lies above U+3000, tests/test_cuematch.py checks the whole range)."""
    return tuple(c for c in map(chr, range(0x10000)) if c.isspace() and c != " ")


def _starts(search: str, pos: int, kind: int) -> list[int]:
    """Where a cue may start, given its start string of ``kind`` at ``pos`` of the whitespace-folded lowered text.

    Kind 0: at ``pos``. Kind 1 (``_SPACES``): at ``pos`` or at any whitespace just before it. Kind 2 (``_WORD_RUN``,
    for ``\\w+`` then a non-word character): where the word characters just before ``pos`` begin, since the
    ``(?<!\\w)`` put before every cue lets no match start inside them; none if ``pos`` follows no word character.
    """
    if kind == 0:
        return [pos]
    p = pos
    if kind == 1:
        while p > 0 and search[p - 1] == " ":
            p -= 1
        return list(range(p, pos + 1))
    while p > 0 and (search[p - 1].isalnum() or search[p - 1] == "_"):  # what \w matches: str.isalnum() or "_"
        p -= 1
    return [p] if p < pos else []


# ------------------------------------------------------------------------------------------- literals ending a match
def _end_literals(items: list) -> set[str] | None:
    """Lower-case strings, one of which ends every match of the parsed regex ``items``, or None when no such set
    is known. Only literals count: a caseless character, or an ASCII letter, which matches only its own two cases
    in a text that :func:`lower_text` accepts."""
    from re import _constants as c  # the parsed-pattern opcodes of the standard library's `re`

    run = ""
    i = len(items)
    while i > 0 and items[i - 1][0] is c.LITERAL:
        ch = chr(items[i - 1][1])
        if not (ch.isascii() or ch.lower() == ch == ch.upper()):
            return None
        run = ch.lower() + run
        i -= 1
    known = {run} if run else None  # what the final literals alone give
    if i == 0:
        return known
    op, av = items[i - 1]
    if op is c.IN and av and all(o is c.LITERAL for o, _ in av):  # "['’]"
        alts = [[(c.LITERAL, v)] for _, v in av]
    elif op is c.BRANCH:
        alts = [list(alt) for alt in av[1]]
    elif op is c.SUBPATTERN:
        alts = [list(av[-1])]
    elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:  # the last repetition ends the match
        found = _end_literals(list(av[2]))
        return known if found is None else {f + run for f in found}
    else:
        return known
    out: set[str] = set()
    for alt in alts:
        found = _end_literals(list(items[: i - 1]) + alt)
        if found is None:
            return known
        out |= {f + run for f in found}
    return out


def find_end_literals(regex: re.Pattern) -> tuple[str, ...] | None:
    """For a regex ``X\\s*$`` or ``X$`` (no MULTILINE): lower-case strings one of which ends what X matches, none
    ending in whitespace, longest first; None if not known. A text whose end (before trailing whitespace), lowered,
    ends with none of them holds no match: X's match is followed by whitespace only (``$`` also matches before a
    final newline), so it ends where the stripped text does.
    """
    from re import _constants as c
    from re import _parser

    if regex.flags & (re.MULTILINE | re.VERBOSE) or not isinstance(regex.pattern, str):
        return None
    items = list(_parser.parse(regex.pattern, regex.flags))
    if len(items) < 2 or items[-1] != (c.AT, c.AT_END):
        return None
    op, av = items[-2]
    if op is c.MAX_REPEAT and av[0] == 0 and list(av[2]) == [(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])]:
        items = items[:-1]  # X\s*$: X is followed by whitespace only
    found = _end_literals(items[:-1])
    if not found or any(not e or e[-1].isspace() for e in found):
        return None
    return tuple(sorted(found, key=lambda e: (-len(e), e)))
