"""Source attribution: who is quoted or cited ("X said", "according to X"), the speaker's actor and source type."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import actors, config
from analysis.errors import ResourceError
from analysis.frames.document import (
    _NAMING,
    _as_docs,
    _Doc,
    _in_spans,
    _iter_docs,
    _named_alternation,
    _rows,
)
from analysis.resources import check_keys, compile_cues, load_mapping, load_resource, resource_path
from analysis.selection import count_events
from analysis.text import NEWS_ABBREVIATIONS

_LISTS = {"verbs": "lemma", "source_types": "id"}  # entry lists merged by id when a user file extends the built-in one
ATTRIBUTION_FILE = "attribution.yaml"
SOURCE_TYPES = (
    "government_military",
    "armed_group",
    "monitor_ngo",
    "un_international",
    "civilian_witness",
    "journalist_agency",
    "anonymous",
    "other",
    "unresolved",
)


# ------------------------------------------------------------------------------------------------- attribution rules
@dataclass(frozen=True)
class AttributionRules:
    """Speech verbs, speaker-phrase rules, anonymous cues and source types (see :func:`load_attribution_rules`)."""

    version: str
    path: str
    verbs: pd.DataFrame  # lemma, pattern, past, inverted, speaker_requires
    verb_regex: re.Pattern  # named groups S0, S1, ... (or one trie of literal forms, see verb_forms)
    according_regex: re.Pattern
    media_regex: re.Pattern
    requires: dict  # verb row -> compiled speaker_requires
    trailing_regex: re.Pattern
    not_speaker_regex: re.Pattern
    pronoun_regex: re.Pattern
    max_speaker_words: int
    anonymous_regex: re.Pattern
    source_types: tuple[tuple[str, str, re.Pattern, bool], ...]  # (id, label, regex, before_actor), in order
    actor_types: dict
    verb_forms: dict | None = None  # literal verb form -> verb row, when every verb pattern is a list of words
    participle_regex: re.Pattern | None = None  # ", saying ...", ", adding that ...": the speaker is the clause's

    @property
    def verb_rows(self) -> list[dict]:
        return _rows(self.verbs)

    def verb_row(self, m: re.Match) -> int:
        """The verb row of a match of ``verb_regex``."""
        return self.verb_forms[m.group()] if self.verb_forms is not None else int(m.lastgroup[1:])


def load_attribution_rules(source: str | Path | AttributionRules | None = None) -> AttributionRules:
    """Load the source-attribution rules: None for the built-in ``attribution.yaml`` or your own YAML file."""
    if isinstance(source, AttributionRules):
        return source
    path = resource_path(source, ATTRIBUTION_FILE)
    return _load_rules_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_rules_cached(path_str: str, _mtime: int) -> AttributionRules:
    path, data = load_resource(Path(path_str), ATTRIBUTION_FILE, lists=_LISTS)
    keys = {
        "version",
        "verbs",
        "according_to",
        "media_addressee",
        "speaker_trailing_words",
        "not_speaker_endings",
        "pronouns",
        "max_speaker_words",
        "anonymous",
        "source_types",
        "actor_types",
        "lexicon",
    }
    check_keys(data, keys, keys - {"actor_types", "lexicon"}, str(path))
    participles = []
    if data.get("lexicon"):
        extra, participles = _lexicon_verbs(data["lexicon"], data["verbs"] or [], str(path))
        data["verbs"] = list(data["verbs"] or []) + extra
    verbs, requires = [], {}
    for n, e in enumerate(data["verbs"] or [], 1):
        where = f"{path}: verb #{n} ({e.get('lemma', '?') if isinstance(e, dict) else '?'})"
        check_keys(
            e, {"lemma", "pattern", "inverted", "speaker_requires", "not_followed_by"}, {"lemma", "pattern"}, where
        )
        past = str(e["pattern"]).split("|")[0]
        exclude = None
        if e.get("not_followed_by"):
            exclude = re.compile(rf"\s+(?:{compile_cues([e['not_followed_by']], where).pattern})", re.IGNORECASE)
        verbs.append(
            {
                "lemma": str(e["lemma"]),
                "pattern": str(e["pattern"]),
                "past": past,
                "inverted": bool(e.get("inverted", False)),
                "exclude": exclude,
                "where": where,
            }
        )
        if e.get("speaker_requires"):
            requires[n - 1] = compile_cues([e["speaker_requires"]], where + " speaker_requires")
    if not verbs:
        raise ResourceError(f"{path}: no speech verbs under `verbs:`")
    vdf = pd.DataFrame(verbs)
    types = []
    for n, e in enumerate(data["source_types"] or [], 1):
        where = f"{path}: source type #{n} ({e.get('id', '?') if isinstance(e, dict) else '?'})"
        check_keys(e, {"id", "type", "label", "pattern", "before_actor"}, {"id", "pattern"}, where)
        types.append(
            (
                str(e.get("type", e["id"])),
                str(e.get("label", e["id"])),
                compile_cues([e["pattern"]], where),
                bool(e.get("before_actor", False)),
            )
        )
    try:
        max_words = int(data["max_speaker_words"])
    except (TypeError, ValueError) as exc:
        raise ResourceError(f"{path}: max_speaker_words must be an integer") from exc

    def rx(key):
        return compile_cues([data[key]], f"{path}: {key}")

    # speech verbs are matched case-sensitively: "The United States" is not "X states"
    # and not inside hyphenated words ("long-stated criteria")
    verb_forms = _literal_forms(list(vdf["pattern"]))
    if verb_forms is not None:  # a few hundred words: one trie-shaped regex, many times faster than an alternation
        for n, w in enumerate(vdf["where"]):
            compile_cues([vdf["pattern"][n]], w)
        verb_regex = re.compile(rf"(?<![\w-])(?:{_trie_pattern(list(verb_forms))})(?![\w-])")
    else:
        verb_regex = _named_alternation(
            list(vdf["pattern"]), "S", list(vdf["where"]), ignore_case=False, boundary=r"\w-"
        )
    return AttributionRules(
        str(data["version"]),
        str(path),
        vdf.drop(columns="where"),
        verb_regex,
        rx("according_to"),
        re.compile(rf"\s+(?:{data['media_addressee']})(?!\w)", re.IGNORECASE),
        requires,
        re.compile(rf"(?:\s+(?:{data['speaker_trailing_words']}))+\s*$", re.IGNORECASE),
        # case-sensitive, so that "IS said" keeps its speaker while "... is said" has none
        re.compile(rf"(?<!\w)(?:{data['not_speaker_endings']})\s*$"),
        re.compile(rf"^(?:{data['pronouns']})$", re.IGNORECASE),
        max_words,
        rx("anonymous"),
        tuple(types),
        {str(k): v for k, v in (data.get("actor_types") or {}).items()},
        verb_forms,
        re.compile(rf"(?<=,)\s+(?:{_trie_pattern(participles)})(?![\w-])") if participles else None,
    )


_LITERAL_WORD = re.compile(r"^[A-Za-z']+$")


def _literal_forms(patterns: list[str]) -> dict[str, int] | None:
    """form -> row when every pattern is a plain alternation of words ("said|says"); None otherwise."""
    forms: dict[str, int] = {}
    for row, pat in enumerate(patterns):
        for form in pat.split("|"):
            if not _LITERAL_WORD.match(form):
                return None
            forms.setdefault(form, row)
    return forms


def _trie_pattern(words: list[str]) -> str:
    """A regex matching exactly ``words``, as a trie (shared prefixes factored out), longest alternative first.

    Hand-written because Python's re tries every alternative of a flat alternation at every position.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return (
            body + "?"
            if len(body) == 1 or body.startswith("(?:") and body.endswith(")") and len(branches) > 1
            else ("(?:" + body + ")?")
        )

    return emit(trie)


_NOT_FINITE = re.compile(r"(?:ing|ion|ions|ment|ments|ism|ist|ists|ers|er|al|ly|ful|ive|ity|ence|ance|ant|ent)$")


def _wilson_lower(k: int, n: int, z: float = 1.645) -> float:
    """Lower bound of the 90% Wilson interval of a proportion k/n (0 when n is 0): a rate seen on few cases counts
    for less than the same rate seen on many."""
    if n <= 0:
        return 0.0
    p = k / n
    centre = p + z * z / (2 * n)
    margin = z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    return (centre - margin) / (1 + z * z / n)


def _lexicon_verbs(spec, verbs: list, where: str) -> tuple[list[dict], list[str]]:
    """Verb entries and -ing participles from the generated reporting-verb lexicon (``lexicon:`` in attribution.yaml).

    Forms already in ``verbs`` are skipped; a form is used when its cue rate and cue count on the lexicon's
    training data reach ``min_form_rate`` / ``min_form_cues``; noun-like forms are left out and participles in
    -ing are returned apart (they head no "X <verb>" clause but ", saying ..." after one).
    """
    check_keys(spec, {"file", "min_form_rate", "min_form_cues", "exclude"}, {"file"}, f"{where}: lexicon")
    lex = load_mapping(
        resource_path(spec["file"], spec["file"]) if Path(spec["file"]).is_absolute() else config.resource(spec["file"])
    )
    taken = {f.lower() for e in verbs if isinstance(e, dict) for f in str(e.get("pattern", "")).split("|")}
    rate, cues = float(spec.get("min_form_rate", 0.3)), int(spec.get("min_form_cues", 3))
    exclude = set(spec.get("exclude") or [])
    out, participles = [], []
    for e in lex.get("verbs") or []:
        usable = [
            f
            for f, st in (e.get("forms") or {}).items()
            if st["n_cue"] >= cues
            and _wilson_lower(st["n_cue"], st["n_seen"]) >= rate
            and f.isalpha()
            and f not in exclude
            and str(e["lemma"]) not in exclude
        ]
        participles.extend(f for f in usable if f.endswith("ing") and f != "according")  # "according to X" is apart
        forms = [f for f in usable if f not in taken and not _NOT_FINITE.search(f)]
        if forms:
            taken.update(forms)
            out.append({"lemma": str(e["lemma"]), "pattern": "|".join(forms), "inverted": bool(e.get("inverted"))})
    return out, sorted(set(participles))


# ================================================================================================== source attribution
ATTRIBUTION_COLUMNS = [
    "doc_id",
    "sent_id",
    "start",
    "end",
    "pattern",
    "verb",
    "speaker",
    "speaker_start",
    "speaker_end",
    "role",
    "actor_id",
    "source_type",
    "coref",
    "cue_start",
    "cue_end",
    "content_start",
    "content_end",
    "anonymous_type",
]

_HARD_BOUNDARY = re.compile(
    r"[;:()\[\]\"“”«»—–]|(?<!\d),|,(?!\d)|\s-\s|\s--\s|(?<!\w)(?:that|but|while|because|although|whereas|"
    r"after|before|when|where|since|if|as)(?!\w)",
    re.IGNORECASE,
)
_AND = re.compile(r"(?<!\w)and(?!\w)", re.IGNORECASE)
_TIME_TAIL = re.compile(
    r"(?:\s+(?:on|late\s+on|early\s+on|last|this|earlier\s+this|later\s+on|on\s+(?:the\s+)?\w+)"
    r"\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|year|morning|"
    r"evening|night|afternoon|day)|\s+in\s+(?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december)(?:\s+\d{4})?|"
    r"\s+in\s+a\s+(?:statement|speech|communique|briefing|"
    r"televised\s+address|press\s+conference)|\s+(?:today|yesterday|tonight))+\s*$",
    re.IGNORECASE,
)
# "could not be independently confirmed": a passive, not a speaker
# auxiliaries are matched in lower case only: "IS" (Islamic State) is not "is"
_PASSIVE_ADVERB = re.compile(r"(?<!\w)(?:be|been|being|was|were|is|are)\s+\w+ly$")
_FINITE = re.compile(r"(?<!\w)(?:was|were|is|are|did|does|had|has|have)(?!\w)")
_FINITE_RIGHT = re.compile(r"(?<!\w)(?:was|were|is|are|had|has|have|will|would|could|can|did|do|does)(?!\w)")
_AUXILIARIES = {"was", "were", "is", "are", "did", "does", "do", "had", "has", "have", "will", "would", "could"}
_LEADING_RELATIVE = re.compile(r"(?:which|that|who|whom|what)\s+", re.IGNORECASE)
_RELATIVE = re.compile(r"(?<!\w)(?:who|which|whose)(?!\w)", re.IGNORECASE)
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
_MASK = "\x01"


def _mask_abbreviations(sent: str) -> str:
    """``sent`` with the periods of abbreviations ("Lt. Gen.", "U.S.") replaced by a placeholder (same length)."""
    if "." not in sent:
        return sent
    return _ABBREV_DOT.sub(lambda m: m.group(1).replace(".", _MASK) + _MASK, sent)


_RELATIVE_BEFORE = re.compile(r"(?<!\w)(?:who|that)\s+$")
_RELATIVE_SPEAKER = re.compile(r"\w,\s+(who)$")


def _antecedent(sent: str, who_start: int) -> str:
    """The phrase a relative "who" refers to: the words before its comma, back to the previous boundary."""
    before = sent[:who_start].rstrip().rstrip(",")
    cut = 0
    for m in _HARD_BOUNDARY.finditer(before):
        cut = m.end()
    return before[cut:].strip()


def _left_speaker(sent: str, verb_start: int, rules: AttributionRules) -> tuple[int, int, str | None] | None:
    """The speaker phrase ending just before a speech verb: (start, end, role) in sentence offsets, or None."""
    left = sent[:verb_start]
    stripped = left.rstrip()
    # the tails to strip ("has also", "on Sunday", "in a statement") are short: work on the last 120 characters
    # only, as a `$`-anchored substitution scans the whole string
    head, tail = stripped[:-120], stripped[-120:]
    tail = rules.trailing_regex.sub("", tail)
    tail = _TIME_TAIL.sub("", tail).rstrip()
    tail = rules.trailing_regex.sub("", tail).rstrip()
    stripped = (head + tail).rstrip()
    closing_comma = stripped.endswith(",")  # "Name, the title, said": the comma closing an appositive
    if closing_comma:
        stripped = stripped[:-1].rstrip()
    rel = _RELATIVE_SPEAKER.search(stripped)
    if rel:  # "Harvey, who acknowledged ...": the relative pronoun is the source (resolved to its antecedent)
        return rel.start(1), rel.end(1), None
    if not stripped or rules.not_speaker_regex.search(stripped) or _PASSIVE_ADVERB.search(stripped):
        return None
    cut = 0
    for m in _HARD_BOUNDARY.finditer(stripped):
        cut = m.end()
    seg_start = cut
    while seg_start < len(stripped) and stripped[seg_start].isspace():
        seg_start += 1
    segment = stripped[seg_start:]
    if len(segment.split()) > 6:
        ands = [m.end() for m in _AND.finditer(segment)]
        if ands:
            seg_start += ands[-1]
            while seg_start < len(stripped) and stripped[seg_start].isspace():
                seg_start += 1
            segment = stripped[seg_start:]
    # "Cruz said Hillary Clinton said": the last speaker
    inner = next(iter(reversed(list(rules.verb_regex.finditer(segment)))), None)
    if inner is not None and _RELATIVE_BEFORE.search(segment, 0, inner.start()):
        inner = None  # "Officials who asked not to be named said": the relative clause belongs to the speaker
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
        before = stripped[:seg_start].rstrip()[:-1]
        prev_cut = 0
        for m in _HARD_BOUNDARY.finditer(before):
            prev_cut = m.end()
        name = before[prev_cut:].strip()
        nwords = name.split()
        if (
            1 <= len(nwords) <= 5
            and all(_NAME_WORD.match(w) for w in nwords)
            and nwords[0].lower() not in _PREPOSITIONS
        ):
            role = segment
            seg_start = before.index(name, prev_cut)
            return seg_start, seg_start + len(name), role
    if closing_comma:
        return None
    if (
        first[0].islower()
        and first.lower() not in _DETERMINERS
        and not rules.pronoun_regex.match(first)
        and (first.endswith("ing") or first.lower() in _PREPOSITIONS or len(words) > 4)
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
    if first in _PREPOSITIONS or first in _NOT_INVERTED or first.endswith("ly") or _FINITE_RIGHT.search(phrase):
        return None  # "..., said the jihadists were collapsing", "..., said on Sunday" have no inverted speaker
    start = verb_end + m.start(1)
    end = start + len(phrase)
    role = None
    rest = sent[end:]
    rm = re.match(r",\s+((?:a|an|the)\s[^,.;:\"“”()!?]+)", rest)
    if rm:
        role = rm.group(1).strip()
    return start, end, role


_BY_AFTER = re.compile(r"\s+by(?!\w)")
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


def _speaker_kind(speaker: str, actor_id) -> str:
    """ "person" for a person's name or a singular person noun ("the SDF commander"), else "group"."""
    entry = actors.default_dictionary().entries.get(actor_id) if actor_id else None
    if (entry is not None and entry.type == "person") or _PERSON_HEAD.search(speaker):
        return "person"
    if entry is None and _SHORT_NAME.match(speaker) and speaker.lower() not in _COMMON_SPEAKERS:
        return "person"  # an unresolved capitalised name ("Abdel Rahman")
    return "group"


def _doc_attributions(doc: _Doc, rules: AttributionRules, resolve) -> list[tuple]:
    """Attribution rows for one document (ATTRIBUTION_COLUMNS)."""
    rows = []
    last: dict[str, tuple] = {}  # speaker kind ("person", "group", "any") -> (source type, actor id) of the last one
    text = doc.text
    for k, (s0, e0) in enumerate(zip(doc.starts, doc.ends)):
        original = text[s0:e0]
        if not rules.verb_regex.search(original) and not rules.according_regex.search(original):
            continue  # most sentences attribute nothing: skip the work below
        sent = _mask_abbreviations(original)
        found = []  # (start, end, pattern, verb, sp_start, sp_end, role)
        for m in rules.according_regex.finditer(sent):
            sm = re.match(r"\s+([^,.;:\"“”()!?]+)", sent[m.end() :])
            if sm:
                phrase = sm.group(1).rstrip()
                first = phrase.split()[0]
                # "according to type, location and munitions" is not a source: a source starts with a name, a
                # determiner, or a word that the source-type rules know ("residents", "activists", "sources")
                if not (
                    first[:1].isupper()
                    or first.lower() in _DETERMINERS
                    or rules.anonymous_regex.search(phrase)
                    or any(rx.search(phrase) for _, _, rx, _ in rules.source_types)
                ):
                    continue
                st = m.end() + sm.start(1)
                found.append(
                    (
                        m.start(),
                        st + len(phrase),
                        "according to X",
                        "according to",
                        st,
                        st + len(phrase),
                        None,
                        m.start(),
                        m.end(),
                    )
                )
        for m in rules.verb_regex.finditer(sent):
            if _in_spans(doc.quotes, s0 + m.start(), s0 + m.end()):
                continue  # speech reported inside a quotation belongs to the quoted speaker
            row = rules.verb_row(m)
            verb = rules.verb_rows[row]
            if verb.get("exclude") is not None and verb["exclude"].match(sent, m.end()):
                continue
            if _BY_AFTER.match(sent, m.end()):
                continue  # "attacks claimed by Islamic State": a participle, not a speech clause
            before = sent[: m.start()].rstrip()
            sp = None
            if verb["inverted"] and before and before[-1] in ",\"”'’":
                left = _left_speaker(sent, m.start(), rules) if before[-1] == "," else None
                if left is not None and left[2] is not None:  # "Name, the title, said ...": speaker on the left
                    sp, pattern = left, f"X {verb['past']}"
                else:
                    sp = _right_speaker(sent, m.end())
                    pattern = f"{verb['past']} X"
            if sp is None:
                sp = _left_speaker(sent, m.start(), rules)
                pattern = f"X {verb['past']}"
                if sp is not None and verb["lemma"] == "tell" and rules.media_regex.match(sent, m.end()):
                    pattern = "X told MEDIA"
            if sp is None and _COORDINATED.search(rules.trailing_regex.sub("", before[-60:])):
                # "Clinton mocked Trump ... and said ...": the speaker of the clause the verb is coordinated with
                sp = _clause_speaker(sent, m.start(), found)
                pattern = f"X ... and {verb['past']}"
            if sp is None:
                continue
            speaker = sent[sp[0] : sp[1]]
            req = rules.requires.get(row)
            if req is not None and not req.search(speaker):
                continue
            clause_end = max(sp[1], m.end())
            if sp[2] is not None and sp[0] > m.start():  # an inverted speaker's appositive belongs to the clause
                role_at = sent.find(sp[2], sp[1])
                clause_end = max(clause_end, role_at + len(sp[2]) if role_at >= 0 else clause_end)
            found.append(
                (min(sp[0], m.start()), clause_end, pattern, m.group().lower(), sp[0], sp[1], sp[2], m.start(), m.end())
            )
        if rules.participle_regex is not None:
            found.extend(_participle_attributions(sent, s0, doc, found, rules))
        for start, end, pattern, verb, sps, spe, role, cs, ce in sorted(found):
            speaker = original[sps:spe].strip()
            if role is not None:
                role = original[sent.index(role) : sent.index(role) + len(role)] if role in sent else role
                role = role.replace(_MASK, ".")
            coref = None
            if speaker == "who":
                antecedent = _antecedent(original, sps)
                actor_id, actor_type = resolve(antecedent) if antecedent else (None, None)
                stype = _source_type(antecedent, actor_type, rules) if antecedent else "unresolved"
                coref = "relative"
                last["any"] = last[_speaker_kind(antecedent, actor_id)] = (stype, actor_id)
            elif rules.pronoun_regex.match(speaker):
                # "he"/"she" take the last named person, "they"/"it"/"the statement" the last group or
                # organisation; either falls back to the last named speaker of any kind
                antecedent = last.get(_PRONOUN_KIND.get(speaker.lower(), "group")) or last.get("any")
                if antecedent is None:
                    actor_id, coref, stype = None, "unresolved", "unresolved"
                else:
                    stype, actor_id = antecedent
                    coref = "previous"
            else:
                actor_id, actor_type = resolve(speaker)
                stype = _source_type(f"{speaker} {role or ''}".strip(), actor_type, rules)
                if (
                    stype == "other"
                    and _SHORT_NAME.match(speaker)
                    and speaker.lower() not in _COMMON_SPEAKERS
                    and not re.search(rf"(?<!\w){re.escape(speaker.lower())}(?!\w)", text)
                ):
                    # a surname ("Abdel Rahman said"): the first mention of the name in the article usually carries
                    # the title or appositive ("Observatory head Rami Abdel Rahman", "Xelil, a YPG spokesman")
                    named = _name_context(text, speaker, doc.starts, doc.ends, doc.sentence_at)
                    if named is not None:
                        context_type = _source_type(named, None, rules)
                        # the credited agency of a dateline ("MOSCOW (Reuters) -") often sits next to a first
                        # mention, so the context never makes a speaker a journalist
                        if context_type not in ("other", "anonymous", "journalist_agency"):
                            stype, coref = context_type, "name_context"
                            actor_id = actor_id or resolve(named)[0]
                last["any"] = last[_speaker_kind(speaker, actor_id)] = (stype, actor_id)
            rows.append(
                (
                    doc.doc_id,
                    doc.sent_ids[k],
                    s0 + start,
                    s0 + end,
                    pattern,
                    verb,
                    speaker,
                    s0 + sps,
                    s0 + spe,
                    role,
                    actor_id,
                    stype,
                    coref,
                    s0 + cs,
                    s0 + ce,
                    *_content_span(doc, s0, original, start, end, told=pattern == "X told MEDIA" or verb == "told"),
                    _source_type(f"{speaker} {role or ''}".strip(), None, rules, anonymous=False)
                    if stype == "anonymous"
                    else None,
                )
            )
    return rows


_CONTENT_TRIM = " \t\n,;:—–-"
_ADDRESSEE = re.compile(r"[^\"“:;,.]{1,40}?(?::\s*|\s+(?=that\s))")
_THAT = re.compile(r"(?:that|how|whether|why|what)\s+", re.IGNORECASE)


def _content_span(doc: _Doc, s0: int, sent: str, start: int, end: int, told: bool = False) -> tuple[int, int]:
    """What is attributed, as document offsets: the longer side of the sentence around the attribution clause
    (without a leading "that"), widened to the whole quotation when a quotation runs past the sentence."""
    if len(sent) - end >= start:
        cs, ce = end, len(sent)
    else:
        cs, ce = 0, start
    while cs < ce and sent[cs] in _CONTENT_TRIM:
        cs += 1
    while ce > cs and sent[ce - 1] in _CONTENT_TRIM:
        ce -= 1
    m = _ADDRESSEE.match(sent, cs) if told else None  # "told AFP: ..." / "told reporters that ..."
    if m and cs - end <= 1:
        cs = m.end()
    m = _THAT.match(sent, cs)
    if m:
        cs = m.end()
    if ce <= cs:
        return -1, -1
    cs, ce = s0 + cs, s0 + ce
    for qs, qe in doc.quotes[bisect.bisect_left(doc.quotes, (cs - 5000, 0)) :]:
        if qs >= ce:
            break
        if qe > cs and (qs < s0 or qe > s0 + len(sent)):  # a quotation that runs over sentences
            cs, ce = min(cs, qs), max(ce, qe)
    return cs, ce


_SUBJECT = re.compile(
    r"^\W*(?:(?:But|And|Yet|So|Still|Then|Now|Later|Meanwhile|However),?\s+)?"
    r"((?:He|She|They|We|I)(?!\w)|(?:[A-Z][\w'’.\x01-]*\s+){0,4}[A-Z][\w'’.\x01-]*)"
    r"(?=\s+[a-z])"
)


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
    if sm is None or sm.end(1) > cs or sm.group(1).split()[0].lower() in _NOT_SUBJECT:
        return None
    return sm.start(1), sm.end(1), None


def _participle_attributions(sent: str, s0: int, doc: _Doc, found: list, rules: AttributionRules) -> list[tuple]:
    """ ", saying ..." / ", adding that ...": attributed to the speaker of the clause the participle hangs on."""
    out = []
    for m in rules.participle_regex.finditer(sent):
        cs, ce = m.start() + len(m.group()) - len(m.group().lstrip()), m.end()
        if _in_spans(doc.quotes, s0 + cs, s0 + ce):
            continue
        sp = _clause_speaker(sent, cs, found)
        if sp is None:
            continue
        sps, spe, _ = sp
        verb = sent[cs:ce].lower()
        out.append((min(sps, cs), max(spe, ce), f"X, {verb}", verb, sps, spe, None, cs, ce))
    return out


def find_attributions(
    corpus_or_docs, *, sentences: pd.DataFrame | None = None, rules=None, mentions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Who is quoted or cited: one row per attribution ("X said", "said X", "according to X", "X told AFP", ...).

    Columns: doc_id, sent_id, start, end (the attribution clause), pattern, verb, speaker (text), speaker_start,
    speaker_end, role (an appositive such as "a mother of four"), actor_id (the speaker resolved through the actor
    dictionary, when possible), source_type (government_military, armed_group, monitor_ngo, un_international,
    civilian_witness, journalist_agency, anonymous, other; pronoun speakers take the type of the previous named
    speaker, marked coref="previous"). Offsets are into the document text.
    """
    docs = _as_docs(corpus_or_docs)
    rules = load_attribution_rules(rules)
    resolve = _speaker_resolver()
    rows = []
    for doc in _iter_docs(docs, sentences):
        rows.extend(_doc_attributions(doc, rules, resolve))
    return _attribution_frame(rows)


def _attribution_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=ATTRIBUTION_COLUMNS)
    ints = [
        "sent_id",
        "start",
        "end",
        "speaker_start",
        "speaker_end",
        "cue_start",
        "cue_end",
        "content_start",
        "content_end",
    ]
    return df.astype(dict.fromkeys(ints, "int64"))


_NAMING_VERB = re.compile(_NAMING.pattern.split("(?!\\w)")[0] + "$", re.IGNORECASE)


def _reported_index(attr_rows: list[tuple], doc: _Doc) -> dict:
    """Sentence index -> (attribution clause spans, first speaker text) for the attributions of one document."""
    out: dict[int, tuple[list, str]] = {}
    pos = {sid: i for i, sid in enumerate(doc.sent_ids)}
    for r in attr_rows:
        if _NAMING_VERB.match(r[5]):
            continue  # "described the rebels as terrorists": the naming rule decides which words are attributed
        si = pos[r[1]]
        spans, speaker = out.get(si, ([], r[6]))
        spans.append((r[2], r[3]))  # the whole clause: speaker, appositive and verb ("Amaq, the ... group, said")
        out[si] = (spans, speaker)
    return out


def count_attributions(
    attributions: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    min_count: int = 0,
    min_docs: int = 0,
) -> pd.DataFrame:
    """Who is quoted: attributions by group, period and source type: n, n_docs, share (of the group's attributions).

    Keys ``[*by, period, source_type]``; zeros included; ``min_count`` applies to ``n``.
    """
    return count_events(
        attributions,
        corpus,
        items=["source_type"],
        by=by,
        freq=freq,
        start=start,
        end=end,
        outlets=outlets,
        include_duplicates=include_duplicates,
        min_count=min_count,
        min_docs=min_docs,
        what="attributions table",
    )


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
