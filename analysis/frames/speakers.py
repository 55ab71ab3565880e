"""Attribution speakers: the speaker phrase left or right of a cue, its actor, its kind and its source type."""

from __future__ import annotations

import re
from functools import lru_cache

from analysis import actors
from analysis.cuematch import find_end_literals, lower_text
from analysis.frames.attribution_rules import AttributionRules
from analysis.text import NEWS_ABBREVIATIONS

_HARD_BOUNDARY = re.compile(
    r"[;:()\[\]\"“”«»—–]|''\s*|(?<!\d),|,(?!\d)|\s-\s|\s--\s|(?<!\w)(?:that|but|while|because|although|whereas|"
    r"after|before|when|where|since|if|as)(?!\w)",
    re.IGNORECASE,
)
_AND = re.compile(r"(?<!\w)and(?!\w)", re.IGNORECASE)


def _last_and_end(text: str) -> int | None:
    """The end of the last _AND match ("and" as a word, any case), or None: str.rfind on the lowered text, where
    that is exact (lower_text), instead of the regex at every position."""
    low = lower_text(text)
    if low is None:
        ends = [m.end() for m in _AND.finditer(text)]
        return ends[-1] if ends else None
    end = len(low)
    while (i := low.rfind("and", 0, end)) >= 0:
        before, after = low[i - 1 : i], low[i + 3 : i + 4]  # "" at either end of the text
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return i + 3
        end = i + 2  # the occurrences that start before this one
    return None


# the words that end a time or occasion phrase (after "on", "last", "in", "in a" ...), in _TIME_TAIL and _TIME_TAIL_END
_TIME_UNITS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|year|morning|evening|night|afternoon|day"
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NOW = "today|yesterday|tonight"
_TIME_TAIL = re.compile(
    rf"(?:\s+(?:on|late\s+on|early\s+on|last|this|earlier\s+this|later\s+on|on\s+(?:the\s+)?\w+)\s+(?:{_TIME_UNITS})|"
    rf"\s+in\s+(?:{_MONTHS})(?:\s+\d{{4}})?|"
    r"\s+in\s+a\s+(?:statement|speech|communique|briefing|televised\s+address|press\s+conference)|"
    rf"\s+(?:{_NOW}))+\s*$",
    re.IGNORECASE,
)
# What a _TIME_TAIL match ends with: every part of it ends in one of these words (or a year) after whitespace, and
# only whitespace may follow, so a text whose last whitespace-separated token is none of them has no such tail.
_TIME_TAIL_END = re.compile(
    rf"{_TIME_UNITS}|{_MONTHS}|\d{{4}}|statement|speech|communique|briefing|address|conference|{_NOW}", re.IGNORECASE
)
# "could not be independently confirmed": a passive, not a speaker
# auxiliaries are matched in lower case only: "IS" (Islamic State) is not "is"
_PASSIVE_ADVERB = re.compile(r"(?<!\w)(?:be|been|being|was|were|is|are)\s+\w+ly$")
_FINITE = re.compile(r"(?<!\w)(?:was|were|is|are|did|does|had|has|have)(?!\w)")
_FINITE_RIGHT = re.compile(
    r"(?<!\w)(?:was|were|is|are|had|has|have|will|would|could|can|did|do|does|should|must|may|might)(?!\w)"
)
_AUXILIARIES = {"was", "were", "is", "are", "did", "does", "do", "had", "has", "have", "will", "would", "could"}
_LEADING_RELATIVE = re.compile(r"(?:which|that|who|whom|what)\s+", re.IGNORECASE)
_RELATIVE = re.compile(r"(?<!\w)(?:who|which|whose)(?!\w)", re.IGNORECASE)
_PARTY_TAG = re.compile(r"(\s)\((?:[RDI]|Rep|Dem|Ind)\.?(?:-[A-Z][A-Za-z.]{0,8})?\)(?=[\s,])")
_AGE = re.compile(r",\s+\d{1,3}$")
_IT_SPEAKER = re.compile(r"(?:^|[,\"”’']\s*|\.\s+)(it|It)$")
_ASIDE = re.compile(r"\s*\([^()]{1,80}\)$")
_DASHES = ("—", "–", "-")
_CLOSING_DASH = re.compile(rf"\s({'|'.join(_DASHES)}|--)$")
_PRONOUNS = ("he", "she", "they", "we", "I", "He", "She", "They", "We")
_PRONOUN_END = re.compile(rf"(?:^|[\s,])({'|'.join(_PRONOUNS)})$")
_NAME_WORD = re.compile(r"^(?:[A-Z]|(?:al|el|bin|ibn|abu|de|van|von|la|le)(?:-|$))")
_PREPOSITIONS = {
    "in",
    "on",
    "at",
    "from",
    "inside",
    "near",
    "after",
    "before",
    "during",
    "meanwhile",
    "elsewhere",
    "separately",
    "earlier",
    "later",
    "however",
    "also",
    "but",
    "and",
    "for",
    "with",
    "by",
    "to",
}
_DETERMINERS = {
    "the",
    "a",
    "an",
    "one",
    "another",
    "two",
    "three",
    "several",
    "some",
    "many",
    "its",
    "his",
    "her",
    "their",
}


_ABBREV_DOT = re.compile(
    r"(?<![\w.])(" + "|".join(sorted((re.escape(a) for a in NEWS_ABBREVIATIONS), key=len, reverse=True)) + r")\.",
    re.IGNORECASE,
)
_ABBREV_REACH = max(map(len, NEWS_ABBREVIATIONS))  # a match "abbrev." starts at most this far before a period
_MASK = "\x01"


def _mask_abbreviations(sent: str) -> str:
    """``sent`` with the periods of abbreviations ("Lt. Gen.", "U.S.") replaced by a placeholder (same length)."""
    if "(" in sent:  # "Sen. Jack Reed (D-R.I.) said": a party tag reads as part of the name, not as a boundary
        sent = _PARTY_TAG.sub(lambda m: m.group(1) + "P" + "p" * (len(m.group()) - len(m.group(1)) - 1), sent)
    dot = sent.find(".")
    if dot < 0:
        return sent
    # The same matches as _ABBREV_DOT.sub, found by trying the pattern only where one can start: a match ends in a
    # period at most _ABBREV_REACH characters after its start, so only those positions before each period are
    # tried, each once, left to right, resuming after each match. sub() tries every position of the sentence under
    # IGNORECASE with a 65-way alternation, which made this a tenth of the attribution stage.
    parts, done, tried = [], 0, 0  # text before `done` is in parts; positions below `tried` were tried
    match = _ABBREV_DOT.match
    while dot >= 0:
        p = max(done, tried, dot - _ABBREV_REACH)
        while p < dot:
            # (?<![\w.]) opens the pattern: after a word character or a period no match starts (\w is
            # str.isalnum() or "_"), and testing that here costs less than a match call
            m = None if p and (sent[p - 1].isalnum() or sent[p - 1] in "_.") else match(sent, p)
            if m is None:
                p += 1
                continue
            parts.append(sent[done:p])
            parts.append(m.group(1).replace(".", _MASK) + _MASK)
            done = p = m.end()
        tried = max(tried, dot)
        dot = sent.find(".", max(dot + 1, done))
    if not parts:
        return sent
    parts.append(sent[done:])
    return "".join(parts)


_RELATIVE_BEFORE = re.compile(r"(?<!\w)(?:who|that|which)\s+$")
_PARTICIPLE_AFTER = re.compile(
    r"\s+(?:by|on|online|in|at|to|from|with|last|this|earlier|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday)(?!\w)",
    re.IGNORECASE,
)
_RELATIVE_SPEAKER = re.compile(r"[\w\x01’'\")],\s+(who)$")


def _antecedent(sent: str, who_start: int) -> str:
    """The phrase a relative "who" refers to: the words before its comma, back to the previous boundary."""
    before = sent[:who_start].rstrip().rstrip(",")
    cut = 0
    for m in _HARD_BOUNDARY.finditer(before):
        cut = m.end()
    return before[cut:].strip()


def _is_name(words: list[str]) -> bool:
    """Whether ``words`` read as a name: capitalised words, name particles, "of" inside ("Sanders of Vermont")."""
    return all(_NAME_WORD.match(w) or (0 < i < len(words) - 1 and w == "of") for i, w in enumerate(words))


def _search_end(pattern: re.Pattern, text: str, endings: tuple[str, ...]) -> re.Match | None:
    """``pattern.search(text)`` for a `$`-anchored, case-sensitive pattern every match of which ends with one of
    ``endings``: a text that ends with none of them (before the final newline `$` also matches before) has no match
    and is not scanned. Each such search tries the pattern at every position of the phrase; most phrases end in a
    name, so this skips five of them per speaker phrase."""
    if text.endswith(endings) or (text.endswith("\n") and text[:-1].endswith(endings)):
        return pattern.search(text)
    return None


def _may_end_in(text: str, ends: tuple[str, ...] | None) -> bool:
    """False when ``text`` cannot hold a match of a ``X\\s*$`` regex whose matches of X end with one of ``ends``
    (:func:`analysis.cuematch.find_end_literals`, longest first): its end, lowered, ends with none of them."""
    if ends is None:
        return True
    last = lower_text(text.rstrip()[-len(ends[0]) :])  # a few characters: lowered exactly, or None
    return last is None or last.endswith(ends)


def _strip_trailing_words(text: str, rules: AttributionRules) -> str:
    """``rules.trailing_regex.sub("", text)``: ``text`` without the words that may close a speaker phrase ("has
    also", "officially"). The substitution tries the pattern at every whitespace of ``text``; it is skipped when
    the last word ends as no trailing word can (most speaker phrases end in a name or a noun)."""
    return rules.trailing_regex.sub("", text) if _may_end_in(text, rules.trailing_ends) else text


def _strip_speaker_tail(tail: str, rules: AttributionRules) -> str:
    """``tail`` without the words that may close a speaker phrase ("has also", "on Sunday", "in a statement"): the
    trailing words, the time phrases, the trailing words again, then trailing whitespace.

    The second and third substitution are skipped (a third of a speaker's cost) when the last token is no word that
    ends a time phrase (_TIME_TAIL_END): then _TIME_TAIL finds nothing, and the trailing words were already removed
    -- a `$`-anchored substitution leaves nothing for a second one, since what it leaves ends where its leftmost match
    began, and a match before that would have begun further left.
    """
    tail = _strip_trailing_words(tail, rules)
    last = tail.rsplit(None, 1)[-1:]  # str.split and re's \s take the same characters for whitespace
    if last and _TIME_TAIL_END.fullmatch(last[0]):
        tail = _TIME_TAIL.sub("", tail).rstrip()
        tail = _strip_trailing_words(tail, rules)
    return tail.rstrip()


def _left_speaker(sent: str, verb_start: int, rules: AttributionRules) -> tuple[int, int, str | None] | None:
    """The speaker phrase ending just before a speech verb: (start, end, role) in sentence offsets, or None."""
    left = sent[:verb_start]
    stripped = left.rstrip()
    # the tails to strip ("has also", "on Sunday", "in a statement") are short: work on the last 120 characters
    # only, as a `$`-anchored substitution scans the whole string
    head, tail = stripped[:-120], stripped[-120:]
    stripped = (head + _strip_speaker_tail(tail, rules)).rstrip()
    closing_comma = stripped.endswith(",")  # "Name, the title, said": the comma closing an appositive
    if closing_comma:
        stripped = stripped[:-1].rstrip()
    # "Name - who previously said ... - said": skip the aside
    closing_dash = _search_end(_CLOSING_DASH, stripped, _DASHES)
    if closing_dash and not closing_comma:
        opening = stripped.rfind(closing_dash.group(1), 0, closing_dash.start())
        if opening > 0:
            name = stripped[:opening].rstrip()
            cut = 0
            for m in _HARD_BOUNDARY.finditer(name):
                cut = m.end()
            words = name[cut:].split()
            if 1 <= len(words) <= 6 and _is_name(words[-3:]):
                start = name.index(words[0], cut)
                return start, len(name), stripped[opening + 1 : closing_dash.start()].strip()
    aside = _ASIDE.search(stripped) if stripped.endswith(")") else None
    if aside and not closing_comma:  # "Kasich (who has 25 delegates to date) said": the speaker before the aside
        stripped = stripped[: aside.start()]
    if not closing_comma:
        it = _search_end(_IT_SPEAKER, stripped, ("it", "It"))  # '"...," it added': the organisation named before
        if it:
            return it.start(1), it.end(1), None
        # "at the town hall this week she said": the pronoun is the speaker
        pron = _search_end(_PRONOUN_END, stripped, _PRONOUNS)
        if pron:
            return pron.start(1), pron.end(1), None
    rel = _search_end(_RELATIVE_SPEAKER, stripped, ("who",))
    if rel:  # "Harvey, who acknowledged ...": the relative pronoun is the source (resolved to its antecedent)
        return rel.start(1), rel.end(1), None
    if (
        not stripped
        or (_may_end_in(stripped, rules.not_speaker_ends) and rules.not_speaker_regex.search(stripped))
        or _search_end(_PASSIVE_ADVERB, stripped, ("ly",))
    ):
        return None
    cut = 0
    for m in _HARD_BOUNDARY.finditer(stripped):
        cut = m.end()
    seg_start = cut
    while seg_start < len(stripped) and stripped[seg_start].isspace():
        seg_start += 1
    segment = stripped[seg_start:]
    if len(segment.split()) > 6 and not closing_comma:  # "Name, a physician and activist, said" keeps its "and"
        and_end = _last_and_end(segment)
        if and_end is not None:
            seg_start += and_end
            while seg_start < len(stripped) and stripped[seg_start].isspace():
                seg_start += 1
            segment = stripped[seg_start:]
    # "Cruz said Hillary Clinton said": the last speaker
    inner = next(iter(reversed(list(rules.verb_regex.finditer(segment)))), None)
    if inner is not None and (
        _RELATIVE_BEFORE.search(segment, 0, inner.start()) or _PARTICIPLE_AFTER.match(segment, inner.end())
    ):
        # "Officials who asked not to be named said": the relative clause belongs to the speaker; "A video posted
        # online by activists showed": a participle inside the speaker phrase, not an inner speech verb
        inner = None
    if inner is not None:
        seg_start += inner.end()
        while seg_start < len(stripped) and stripped[seg_start].isspace():
            seg_start += 1
        segment = stripped[seg_start:]
    lead = _LEADING_RELATIVE.match(segment)  # "..., which he said"
    relative = bool(lead) and lead.group().split()[0].lower() in ("who", "whose")
    pre_lead = seg_start
    if lead:
        seg_start += lead.end()
        segment = stripped[seg_start:]
    words = segment.split()
    if not words or len(words) > rules.max_speaker_words or words[0] in _AUXILIARIES:  # "have each claimed"
        return None
    if all(w.lower() in _DETERMINERS for w in words):  # "several reported": no noun, no speaker
        return None
    if len(words) > 2 and _FINITE.search(segment) and not _RELATIVE.search(segment):
        return None  # "Fifteen of the wounded were in critical condition ... said": a clause, not a speaker
    first = words[0]
    role = None
    # "Name, the title, said" / "Name, on a visit to Brussels, said" / "Name, speaking to reporters, said": the
    # name is the speaker and the parenthetical its role
    parenthetical = (
        first.lower() in _DETERMINERS
        or first.lower() in _PREPOSITIONS
        or (first[0].islower() and first.endswith("ing"))
        or relative  # "Name, who heads the Observatory, said"
    )
    if relative:
        seg_start, segment = pre_lead, stripped[pre_lead:]
    if closing_comma and parenthetical and stripped[:seg_start].rstrip().endswith(","):
        before = _AGE.sub("", stripped[:seg_start].rstrip()[:-1])  # "Jillian Chase, 27, a Tinder user, said"
        prev_cut = 0
        for m in _HARD_BOUNDARY.finditer(before):
            prev_cut = m.end()
        name = before[prev_cut:].strip()
        nwords = name.split()
        if 1 <= len(nwords) <= 5 and _is_name(nwords) and nwords[0].lower() not in _PREPOSITIONS:
            role = segment
            seg_start = before.index(name, prev_cut)
            return seg_start, seg_start + len(name), role
    if closing_comma and len(words) <= 14 and stripped[:seg_start].rstrip().endswith(","):
        # "Michael Green, associate professor of history at ..., said": a name, then its (lower-case) title
        before = stripped[:seg_start].rstrip()[:-1]
        prev_cut = 0
        for m in _HARD_BOUNDARY.finditer(before):
            prev_cut = m.end()
        name = before[prev_cut:].strip()
        nwords = name.split()
        if 2 <= len(nwords) <= 5 and _is_name(nwords) and first[0].islower() and not first.endswith("ly"):
            start = before.index(name, prev_cut)
            return start, start + len(name), segment
    if closing_comma and seg_start == 0 and 2 <= len(words) <= 5 and _is_name(words):
        return seg_start, len(stripped), None  # "Sen. Jack Reed (D-R.I.), said after a lunch"
    if closing_comma:
        # "Bloomberg's pollster, Douglas Schoen, says": a name after its title; the title is the role
        if 1 <= len(words) <= 4 and _is_name(words) and stripped[:seg_start].rstrip().endswith(","):
            before = stripped[:seg_start].rstrip()[:-1]
            prev_cut = 0
            for m in _HARD_BOUNDARY.finditer(before):
                prev_cut = m.end()
            title = before[prev_cut:].strip()
            if 1 <= len(title.split()) <= 5 and title[:1].isupper() and title.split()[0].lower() not in _PREPOSITIONS:
                return seg_start, len(stripped), title
        return None
    if (
        first[0].islower()
        and first.lower() not in _DETERMINERS
        and not rules.pronoun_regex.match(first)
        and (first.endswith("ing") or first.lower() in _PREPOSITIONS or len(words) > 4)
        and not (len(words) <= 6 and words[-1][:1].isupper() and _is_name(words[-2:]))  # "former FBI agent Tim Gill"
    ):
        return None
    return seg_start, len(stripped), role


def _right_speaker(sent: str, verb_end: int) -> tuple[int, int, str | None] | None:
    """The speaker after an inverted speech verb ('..., said X, a Y.'): (start, end, role) or None."""
    m = re.match(r"\s+([^,.;:\"“”()!?]+)", sent[verb_end:])
    if not m:
        return None
    phrase = m.group(1).rstrip()
    words = phrase.split()
    if not words or len(words) > 10:
        return None
    first = words[0].lower()
    if first in _PRONOUNS_SUBJECT and len(words) > 1:
        return None  # "..., said he expects ...": a reported clause, not an inverted speaker
    if (
        first in _PREPOSITIONS
        or first in _NOT_INVERTED
        or first in _TIME_WORDS
        or first.endswith("ly")
        or _FINITE_RIGHT.search(phrase)
    ):
        return None  # "..., said the jihadists were collapsing", "..., said on Sunday" have no inverted speaker
    start = verb_end + m.start(1)
    end = start + len(phrase)
    role = None
    rest = sent[end:]
    rm = re.match(r",\s+((?:a|an|the)\s[^,.;:\"“”()!?]+)", rest)
    if rm:
        role = rm.group(1).strip()
    return start, end, role


_PRONOUNS_SUBJECT = {"he", "she", "they", "we", "i", "you"}
_TIME_WORDS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tonight",
    "last",
    "this",
    "next",
    "of",
    "about",
    "afterward",
    "afterwards",
}
_NOT_INVERTED = {
    "that",
    "it",
    "there",
    "this",
    "if",
    "whether",
    "so",
    "not",
    "nothing",
    "yes",
    "no",
    "goodbye",
    "hello",
    "sorry",
    "thanks",
    "what",
    "how",
    "why",
    "when",
    "where",
}
# Capitalised sentence-initial speakers that are common nouns, not surnames ("Critics say ...").
_COMMON_SPEAKERS = {
    "critics",
    "analysts",
    "experts",
    "supporters",
    "opponents",
    "protesters",
    "democrats",
    "republicans",
    "observers",
    "commentators",
    "economists",
    "scholars",
    "researchers",
    "polls",
    "reports",
    "others",
    "some",
    "many",
    "most",
    "both",
}
_SHORT_NAME = re.compile(r"^(?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+){0,2}$")


def _name_context(text: str, name: str, starts, ends, sentence_at) -> str | None:
    """The words around the first mention of ``name`` in ``text`` (inside its sentence), without the name itself."""
    pos = text.find(name)
    if pos < 0:
        return None
    si = sentence_at(pos)
    s0, e0 = starts[si], ends[si]
    before = text[max(s0, pos - 50) : pos]
    after = text[pos + len(name) : min(e0, pos + len(name) + 80)]
    after = re.split(r"\b(?:said|says|told|added)\b", after)[0]  # not what the sentence goes on to report
    return f"{before} {after}".strip() or None


def _source_type(text: str, actor_type, rules: AttributionRules, *, anonymous: bool = True) -> str:
    """The source type of a speaker phrase (``anonymous=False``: what an anonymous source's words say it is)."""
    if anonymous and rules.anonymous_regex.search(text):
        return "anonymous"
    for type_id, _, regex, before_actor in rules.source_types:
        if before_actor and regex.search(text):  # "Russian media": the medium, not Russia
            return type_id
    if actor_type is not None and rules.actor_types.get(str(actor_type)):
        return rules.actor_types[str(actor_type)]
    for type_id, _, regex, _ in rules.source_types:
        if regex.search(text):
            return type_id
    return "other"


_PRONOUN_KIND = {"he": "person", "she": "person", "i": "person"}  # the others ("they", "it", ...) are groups
_PERSON_HEAD = re.compile(
    r"(?<!\w)(?:commander|spokes(?:man|woman|person)|official|minister|president|premier|resident|man|woman|"
    r"general|colonel|major|lieutenant|captain|director|head|chief|leader|doctor|witness|activist|source|envoy|"
    r"ambassador|governor|mayor|analyst|expert|correspondent|reporter|journalist|officer|soldier|fighter|father|"
    r"mother|boy|girl)$",
    re.IGNORECASE,
)


_PERSON_HEAD_ENDS = find_end_literals(_PERSON_HEAD)  # a speaker ending in none of them is not searched


def _speaker_kind(speaker: str, actor_id) -> str:
    """ "person" for a person's name or a singular person noun ("the SDF commander"), else "group"."""
    entry = actors.default_dictionary().entries.get(actor_id) if actor_id else None
    if (entry is not None and entry.type == "person") or (
        _may_end_in(speaker, _PERSON_HEAD_ENDS) and _PERSON_HEAD.search(speaker)
    ):
        return "person"
    if entry is None and _SHORT_NAME.match(speaker) and speaker.lower() not in _COMMON_SPEAKERS:
        return "person"  # an unresolved capitalised name ("Abdel Rahman")
    return "group"


_SUBJECT = re.compile(
    r"^\W*(?:(?:But|And|Yet|So|Still|Then|Now|Later|Meanwhile|However),?\s+)?"
    # an opening adverbial ends in a comma ("On Thursday, he hedged ...", "In three interviews, the justice ...")
    r"(?:(?:On|In|At|During|After|Earlier|Later|Last|This)\s[^,;:\"“”]{1,40},\s+)?"
    r"((?:He|She|They|We|I|he|she|they|we)(?!\w)|(?:(?:the|The)\s+[a-z][\w-]*\s+)?"
    r"(?:[A-Z][\w'’.\x01-]*\s+){0,4}[A-Z][\w'’.\x01-]*|(?:the|The)\s+[a-z][\w-]+)"
    r"(?=\s+[a-z])"
)


_OPENING_NAME = re.compile(
    r"^[\W\x01]*?((?:[A-Z][\w'’.\x01-]*\s+){0,5}[A-Z][\w'’.\x01-]*|"
    r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Tt]wo|[Ss]everal|[Ss]ome|[Mm]any)\s[^,;:\"“”()]{1,60}?),\s"
)
_NOT_OPENER = {
    "however",
    "meanwhile",
    "yesterday",
    "today",
    "tonight",
    "still",
    "now",
    "then",
    "so",
    "yet",
    "also",
    "instead",
    "indeed",
    "moreover",
    "separately",
    "similarly",
    "finally",
    "first",
    "second",
    "again",
    "overall",
    "here",
    "thus",
    "nonetheless",
    "nevertheless",
    "last",
    "next",
    "well",
    "yes",
    "no",
    "oh",
    "sir",
    "look",
    "okay",
    "ok",
}


def _opening_speaker(sent: str, verb_start: int) -> tuple[int, int, str] | None:
    """ "Mike Shields, president of the Congressional Leadership Fund, a super PAC allied with ..., said": the name
    that opens the sentence, when only appositives (commas, no quotation, colon or semicolon) lead from it to a
    speech verb that follows a comma; the appositives are its role. (start, end, role) or None."""
    before = sent[:verb_start].rstrip()
    if not before.endswith(","):
        return None
    m = _OPENING_NAME.match(before)
    if m is None:
        return None
    words = m.group(1).split()
    first = words[0].lower()
    if (first in _NOT_SUBJECT and first not in _DETERMINERS) or first in _NOT_OPENER or first.endswith("ly"):
        return None
    middle = before[m.end() : -1]
    if not middle.strip() or len(middle.split()) > 30 or re.search(r"[;:\"“”()\[\]]|\s-\s|\s--\s|[—–]", middle):
        return None
    return m.start(1), m.end(1), middle.strip()


_NOT_SUBJECT = _PREPOSITIONS | _DETERMINERS | {"despite", "among", "nearly", "even", "only", "about", "it", "there"}


_COORDINATED = re.compile(r"(?<!\w)(?:and|but)\s*$")


def _clause_speaker(sent: str, cs: int, found: list) -> tuple[int, int, None] | None:
    """The speaker of the clause a participle or coordinated verb at ``cs`` belongs to (sentence offsets).

    That is the speaker of the last attribution before it in the sentence ("Trump said ..., adding that ..."),
    else the sentence's subject when it opens the sentence ("Clinton mocked Trump, calling him ...").
    """
    before = [f for f in found if f[8] <= cs]
    if before:
        return before[-1][4], before[-1][5], None
    sm = _SUBJECT.match(sent)
    if sm is None or sm.end(1) > cs:
        return None
    words = sm.group(1).split()
    # "the justice sounded off ..., saying": a determiner with a lower-case noun is a subject; "The Louisville" not
    if words[0].lower() in _NOT_SUBJECT and not (len(words) == 2 and words[0].lower() == "the" and words[1].islower()):
        return None
    return sm.start(1), sm.end(1), None


def _speaker_resolver(dictionary=None):
    """A function speaker text -> (actor_id, actor_type) through the actor dictionary (default: the built-in one);
    (None, None) if unresolved."""
    dictionary = dictionary or actors.default_dictionary()
    types = dictionary.types

    @lru_cache(maxsize=8192)
    def resolve(text: str):
        actor_id = dictionary.resolve(text, kind="actor")
        return (actor_id, types.get(actor_id)) if actor_id else (None, None)

    return resolve
