"""Mentions beyond the dictionary's entries: nationality adjectives, generic organisation/place names, unlisted names.

Rules are data in ``analysis/resources/mention_rules.yaml``. Three kinds of rows, kept apart from the resolved
``actor``/``place`` mentions of :func:`analysis.actors.find_mentions`:

- a nationality adjective that stands for its state ("Russian jets", "the Turkish military") is an ``actor``
  mention of that state (``rule="nationality_state"``), when the state is an actor of the dictionary;
- any other nationality, people or religion adjective ("Syrian refugees", "Kurdish", "Sunni") is a ``nationality``
  mention (``actor_id`` holds the ISO country code, or is empty for peoples);
- a capitalised name that no entry resolves is an ``unlisted`` mention, with a ``type`` guessed from its words:
  ``organisation`` ("Ministry of Defence", "Hamza Brigades", "Levant Front"), ``place`` ("Tabqa Dam"), ``person``
  (after a title: "President Fuad Masum"), or ``unknown``. Unlisted names count towards recall but never towards an
  actor's counts; a researcher promotes one by adding it to a dictionary file;
- with ``nominal=True``, a common-noun phrase ("the army", kind ``nominal``) or a pronoun that refers to a person or
  an institution ("he", "she", "him", "I", "we": kind ``pronoun``), typed but never resolved;
- a place alias that is the second word of a capitalised name ("Hamid Hama, a teacher") is marked
  ``name_bound_place`` and is not a place mention (the name is an unlisted mention).

One pass over each text: the dictionary's automata find the entries (and mark the characters they cover), one
regular expression finds the capitalised runs, and each distinct run is read once per call (a cache): what is left
per run is a look-up and a few checks of its context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import regex

from analysis import config
from analysis.actors.dictionary import MENTION_COLUMNS, ActorDictionary, default_dictionary
from analysis.actors.discover import _discovery_lists
from analysis.actors.matcher import DESCRIPTOR_SUFFIX, normalise
from analysis.actors.mentions import _assign_sentences
from analysis.errors import ParameterError, ResourceError
from analysis.resources import load_mapping
from analysis.tables import require_columns

if TYPE_CHECKING:
    from analysis.actors.name_tagger import NameTagger

RULES_FILE = "mention_rules.yaml"
UNLISTED_COLUMNS = ["doc_id", "sent_id", "actor_id", "kind", "start", "end", "matched", "type", "rule"]
KINDS = ("actor", "nationality", "unlisted", "nominal", "pronoun", "nested", "name_bound_place")
TYPES = ("organisation", "person", "place", "nationality", "unknown")
NESTED_KEYS = ("directions", "areas", "joined", "not_nationalities", "not_between")

# A capitalised run: words starting with a capital (or all-capital acronyms, "U.S."), joined by spaces or hyphens
# and by the lower-case particles of Arabic and European names ("Jaish al-Islam", "Army of Conquest"). The expression
# runs (with the standard library's engine, several times faster here than ``regex``'s) on the text's *shape*: the
# same length, ASCII kept, every other letter written "A" (upper case) or "a", every other digit "0". It starts with
# the capital itself (so the engine skips to the next capital in C instead of trying the expression at every
# character), then checks the character before it; a particle just before the capital ("al-Assad", "Abu ...") is
# found by a look-behind and moved into the run by _find_runs (the same runs as starting the expression on it).
_RUN = re.compile(
    r"[A-Z](?<![A-Za-z0-9'.][A-Z])"
    # a particle before the capital starts the run (not after a letter, digit, apostrophe or dot): group p3 / p4
    r"(?:(?<=(?<![A-Za-z0-9'.])(?:al|el|ad|ar|as|az|um)[-\s][A-Z])(?P<p3>)"
    r"|(?<=(?<![A-Za-z0-9'.])(?:ash|abu|bin|ibn|umm)[-\s][A-Z])(?P<p4>))?"
    r"(?:\.(?:[A-Z]\.)+|[A-Za-z']*)"
    r"(?:(?:[-\s]|\s(?:al|el|ad|ar|as|az|ash|bin|ibn|abu|bani|of|for|the|de|du|von|van|ez|es)[-\s])"
    r"(?:(?:[A-Z]\.){2,}|[A-Z][A-Za-z']*))*"
    r"(?![A-Za-z0-9])"
)
_PARTICLE_LENGTH = {None: 0, "p3": 3, "p4": 4}  # the particle and its hyphen or space
_SHAPE = str.maketrans(
    {
        chr(c): "A" if chr(c).isupper() else "a" if chr(c).isalpha() else "0"
        for c in range(0x80, 0x3000)
        if chr(c).isalpha() or chr(c).isdigit()
    }
)


def _find_runs(norm: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each capitalised run of a normalised text."""
    shape = norm.translate(_SHAPE) if not norm.isascii() else norm
    return [(m.start() - _PARTICLE_LENGTH[m.lastgroup], m.end()) for m in _RUN.finditer(shape)]


_LOWER_WORD = regex.compile(r"(?<![\p{L}\p{N}])\p{Ll}[\p{Ll}'-]*")
_POSSESSIVE = regex.compile(r"['’]s$")
_TITLE_BEFORE = regex.compile(r"(?:^|\s)([\p{L}.-]+)\s+(?:([\p{L}.-]+)\s+)?$")
_NEXT_WORDS = regex.compile(r"[\s-]+([\p{L}-]+)(?:\s+([\p{L}-]+))?")
MAX_RUN_WORDS = 7


@dataclass(frozen=True)
class MentionRules:
    """The rule tables of ``mention_rules.yaml`` as sets, loaded once (see :func:`load_mention_rules`)."""

    version: str
    nationalities: dict
    peoples: frozenset
    state_actors: dict
    state_nouns: frozenset
    organisation_heads: frozenset
    organisation_prefixes: tuple
    place_heads: frozenset
    place_prefixes: frozenset
    person_titles: frozenset
    person_prefixes: frozenset
    title_joiners: frozenset
    not_names: frozenset
    not_name_first_words: frozenset
    nominal: object  # compiled expression of the common-noun and pronoun mentions (see _compile_nominal)
    nominal_types: dict  # head word -> type
    pronoun_types: dict  # lower-cased pronoun -> type
    nested: dict  # the nested-mention word lists and expressions (see _compile_nested)
    gloss: object  # "Arabic:", "Kurdish:" ... (a name in other languages follows), or None


def load_mention_rules(path=None) -> MentionRules:
    """The built-in ``mention_rules.yaml`` (or your own file of the same format)."""
    return _load_cached(str(path or config.resource(RULES_FILE)))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> MentionRules:
    data = load_mapping(path, what="mention rules")
    keys = {
        "version",
        "nationalities",
        "peoples",
        "state_actors",
        "state_nouns",
        "organisation_heads",
        "organisation_prefixes",
        "place_heads",
        "place_prefixes",
        "person_titles",
        "person_prefixes",
        "title_joiners",
        "not_names",
        "not_name_first_words",
        "nominal_determiners",
        "nominal_heads",
        "nominal_bare",
    }
    # added later: a user's rule file written before them still loads (no pronoun or nested mentions)
    optional = {"pronouns", "nested", "gloss_languages"}
    if not isinstance(data, dict) or not keys <= set(data) <= keys | optional:
        missing = sorted(keys - set(data or {}))
        extra = sorted(set(data or {}) - keys - optional)
        raise ResourceError(
            f"{path}: mention rules need exactly the keys {sorted(keys)} (missing {missing}, unknown {extra})"
        )
    dictionary_ids = set(default_dictionary().entries)
    unknown = sorted(v for v in data["state_actors"].values() if v not in dictionary_ids)
    if unknown:
        raise ResourceError(f"{path}: state_actors name ids that are not in the actor dictionary: {unknown}")

    def words(key):
        return frozenset(str(w) for w in data[key] or [])

    pronouns = data.get("pronouns") or {}
    if not isinstance(pronouns, dict) or not set(pronouns) <= set(TYPES):
        raise ResourceError(f"{path}: pronouns maps types ({', '.join(TYPES)}) to lists of pronouns")
    nested = data.get("nested") or {}
    if not isinstance(nested, dict) or not set(nested) <= set(NESTED_KEYS):
        raise ResourceError(f"{path}: nested maps {', '.join(NESTED_KEYS)} to lists of words")

    return MentionRules(
        version=str(data["version"]),
        nationalities={str(k): str(v) for k, v in data["nationalities"].items()},
        peoples=words("peoples"),
        state_actors={str(k): str(v) for k, v in data["state_actors"].items()},
        state_nouns=words("state_nouns"),
        organisation_heads=words("organisation_heads"),
        organisation_prefixes=tuple(str(p) + " " for p in data["organisation_prefixes"])
        + tuple(str(p) + "-" for p in data["organisation_prefixes"]),
        place_heads=words("place_heads"),
        place_prefixes=words("place_prefixes"),
        person_titles=words("person_titles"),
        person_prefixes=words("person_prefixes"),
        title_joiners=words("title_joiners"),
        not_names=words("not_names") | frozenset(_discovery_lists()[0]),
        not_name_first_words=words("not_name_first_words"),
        nominal=_compile_nominal(
            data["nominal_determiners"], data["nominal_heads"], data["nominal_bare"], pronouns, path
        ),
        nominal_types={str(w): str(t) for t, ws in data["nominal_heads"].items() for w in ws},
        pronoun_types={str(w).lower(): str(t) for t, ws in pronouns.items() for w in ws},
        nested=_compile_nested(nested, data),
        gloss=re.compile(rf"\b{_alternation(data['gloss_languages'])}:") if data.get("gloss_languages") else None,
    )


def _compile_nominal(determiners, heads: dict, bare, pronouns: dict, path) -> re.Pattern:
    """One expression for every common-noun mention: determiner, at most two words (lower-case, or capitalised
    as a nationality is: the mention is dropped when a name covers them), head (or a bare plural people word);
    and, as group 2, the pronouns (any case but "I", which is upper case only; "I'm", "we've" included)."""
    if not isinstance(heads, dict) or not set(heads) <= set(TYPES):
        raise ResourceError(f"{path}: nominal_heads maps types ({', '.join(TYPES)}) to lists of head words")
    alt = "|".join(re.escape(str(w)) for w in sorted({w for ws in heads.values() for w in ws}, key=len, reverse=True))
    det = "|".join(re.escape(str(w)).replace(r"\ ", r"\s+") for w in sorted(determiners, key=len, reverse=True))
    det += r"|\d[\d,]*"  # a count in digits: "29 supply routes", "120 soldiers"
    bare_alt = "|".join(re.escape(str(w)) for w in sorted(bare, key=len, reverse=True))
    words = {str(w) for ws in pronouns.values() for w in ws}
    alternatives = [f"(?i:{'|'.join(re.escape(w) for w in sorted(words - {'I'}, key=len, reverse=True))})"]
    alternatives = (alternatives if words - {"I"} else []) + (["I"] if "I" in words else [])
    pron_alt = "|".join(alternatives)
    # one look-behind before the three branches (the engine tries it once per position, not once per branch)
    pronoun = rf"|({pron_alt})(?![\w-])(?!'(?![a-z]))" if pron_alt else ""
    return re.compile(
        # the head may carry a possessive ("the group's ability", "the farms' owner")
        rf"(?<![\w'-])(?:(?:(?:(?i:{det}))\s+(?:(?:[a-z][a-z-]*|[A-Z][a-z]+)\s+){{0,2}}?({alt})|(?i:{bare_alt}))"
        r"(?=(?:'s|')?(?![\w'-]))" + pronoun + ")"
    )


def _alternation(words, flags: str = "") -> str:
    alt = "|".join(re.escape(str(w)) for w in sorted({str(w) for w in words}, key=len, reverse=True))
    return f"(?{flags}:{alt})" if flags else f"(?:{alt})"


def _compile_nested(nested: dict, data: dict) -> dict:
    """The nested-mention word lists as sets, and their expressions: ``before_place`` (a direction or area word
    before a place: "northern", "west of", "the outskirts of"), ``after_name`` (a head noun after a name, at most
    two lower-case words between: "tactical units", "-held building"), ``capital_after`` (capitalised words after a
    name: " Operational Command"), ``determiner`` (just before a name) and ``title_before`` (title words, and a
    nationality, before a person's name: "Iraqi Prime Minister ", "Lt. Gen. ")."""
    out = {k: frozenset(str(w) for w in nested.get(k) or []) for k in NESTED_KEYS}
    heads = sorted({str(w) for ws in data["nominal_heads"].values() for w in ws})
    det = _alternation(data["nominal_determiners"], "i").replace(r"\ ", r"\s+")
    if out["directions"] or out["areas"]:
        parts = []
        if out["directions"]:
            d = _alternation(out["directions"], "i")
            parts.append(rf"(?:(?i:the)\s+)?{d}(?:\s+(?i:and|or)\s+{d})?(?:\s+of)?")
        if out["areas"]:
            parts.append(rf"(?:(?i:the)\s+)?{_alternation(out['areas'], 'i')}\s+of")
        out["before_place"] = re.compile(rf"(?<![\w'-])(?:{'|'.join(parts)})\s+(?:the\s+)?$")
    joined = rf"(?:-{_alternation(out['joined'])})?" if out["joined"] else ""
    # the words between a name and its head are not function words ("Brandbergen is a mosque", "ISIL fighters in a
    # building" are no phrases); the longest phrase wins ("Coalition military forces")
    from analysis.text import load_stopwords  # (the packaged English list; imported here, only the rules need it)

    # nor verbs or adverbs ("Ash Carter today met troops"): not_between, and words in -ed but for compounds
    # ("self-proclaimed capital")
    stop = _alternation(load_stopwords() | out["not_between"])
    between = rf"(?:\s+(?!{stop}(?![\w'-]))(?![a-z]+ed(?![\w'-]))[a-z][a-z-]*)"
    out["after_name"] = re.compile(rf"{joined}(?:'s)?{between}{{0,2}}\s+({_alternation(heads)})(?![\w'-])")
    out["capital_after"] = re.compile(r"(?:'s)?((?:\s+[A-Z][\w'-]*){1,3})(?![\w'-])")
    out["determiner"] = re.compile(rf"(?<![\w'-])(?:{det}|\d(?:[\d,]*\d)?)\s+$")
    titles = {str(w) for w in data["person_titles"]} | {str(w) for w in data["title_joiners"]}
    nat = _alternation([*data["nationalities"], "U.S.", "US", "UN", "U.N."])
    out["title_before"] = re.compile(rf"(?<![\w.'-])(?:{nat}\s+)?(?:{_alternation(titles)}\s+)+$")
    return out


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip(" \t\"'(“‘[-")
    return not before or before[-1] in ".!?:\n" or before.endswith("...")


def _written_lower(norm: str, low: str) -> bool:
    """Whether the lower-case word ``low`` occurs as a whole word in the text (as ``_LOWER_WORD`` would find it)."""
    n, k = len(norm), len(low)
    i = norm.find(low)
    while i >= 0:
        after = i + k
        if (i == 0 or not norm[i - 1].isalnum()) and (after >= n or not (norm[after].islower() or norm[after] in "'-")):
            return True
        i = norm.find(low, i + 1)
    return False


def _classify(name: str, titled: bool, rules: MentionRules) -> tuple[str, str]:
    """(type, rule) of an unlisted name."""
    words = name.replace("-", " ").split()
    if len(words) == 1 and name.isupper():
        return ("organisation", "acronym") if not titled else ("person", "title")
    if name.startswith(rules.organisation_prefixes) or words[-1] in rules.organisation_heads:
        return "organisation", "organisation_pattern"
    if words[-1] in rules.place_heads or (len(words) > 1 and words[0] in rules.place_prefixes):
        return "place", "place_pattern"
    if titled:
        return "person", "title"
    if len(words) > 1 and words[0] in rules.person_prefixes:
        return "person", "name_prefix"
    return "unknown", "capitalised"


class _RunReader:
    """Reads capitalised runs against the rules: what depends on the run's words alone is computed once per
    distinct run text (``plan``); :func:`_scan_text` then checks the context of each occurrence."""

    def __init__(self, rules: MentionRules, aliases):
        self.rules = rules
        self.aliases = aliases  # the dictionary's lower-cased aliases ("Syrias": a possessive without apostrophe)
        self.skip = rules.not_names | rules.person_titles | rules.title_joiners
        self.titles = rules.person_titles | rules.title_joiners
        self.lead = rules.not_names | self.titles
        self._plans: dict[str, tuple] = {}

    def plan(self, run: str) -> tuple:
        """``(nationality, item)`` for a run's text: each None or offsets relative to the run's start.

        nationality: ``(start, end, word)``; item: ``(start, end, titled, word_to_check, titled_class,
        untitled_class)``, where word_to_check is a single non-acronym word whose context decides (None: no check).
        """
        plan = self._plans.get(run)
        if plan is None:
            plan = self._plans[run] = self._read(run)
        return plan

    def _read(self, run: str) -> tuple:
        rules, aliases, skip = self.rules, self.aliases, self.skip
        name = _POSSESSIVE.sub("", run)
        words = name.split()
        titled = False
        start = 0
        while words and words[0] in self.lead:
            if words[0] in self.titles:
                titled = True
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1] in ("of", "for", "the", "and", "al", "de"):
            words = words[:-1]
        if not words or len(words) > MAX_RUN_WORDS or words[0] in rules.not_name_first_words:
            return None, None
        name = " ".join(words)
        if run[start : start + len(name)] != name:  # line breaks or double spaces: keep the text's own characters
            name = run[start:].split("\n")[0][: len(name)]
        nationality = None
        first = words[0]
        if first in rules.nationalities or first in rules.peoples:
            if len(words) == 1 or words[1] in rules.state_nouns:
                nationality = (start, start + len(first), first)
                if len(words) == 1:
                    return nationality, None
                name = " ".join(words[1:])
                start = start + len(first) + 1
                titled = titled or words[1] in self.titles
                words = words[1:]
                if all(w[0].islower() or w in rules.state_nouns for w in words):
                    return nationality, None
                if len(words) == 1 and words[0] in self.titles:
                    return nationality, None
        while len(words) > 1 and words[0].endswith("s") and words[0][:-1].lower() in aliases:
            start += len(words[0]) + 1  # "Syrias Aleppo": a possessive written without its apostrophe
            words = words[1:]
            name = " ".join(words)
        if len(words) > 1 and words[-1].endswith("s") and " ".join(words)[:-1].lower() in aliases:
            return nationality, None  # "Bashar al-Assads": a covered name with the possessive's "s"
        check = None
        if len(words) == 1:
            w = words[0]
            if w in skip or len(w) < 2 or w.islower():
                return nationality, None
            if w[-1] == "s" and (w[:-1] in skip or w[:-1].lower() in aliases):
                return nationality, None  # a possessive without its apostrophe ("Assads") or a plural ("Tuesdays")
            if w in rules.place_heads:
                return nationality, None  # "Province", "River" alone ("Coalition", "Observatory" do name one)
            if not w.isupper():
                check = w
        item = (start, start + len(name), titled, check, _classify(name, True, rules), _classify(name, False, rules))
        return nationality, item


def _scan_text(norm: str, taken: bytearray, reader: _RunReader) -> list[tuple]:
    """``(start, end, kind, actor_id, type, rule)`` of the rule mentions of one normalised text whose dictionary
    mentions cover the characters set in ``taken``."""
    rules, skip = reader.rules, reader.skip
    out = []
    singles = []  # the text's one-word runs (to tell a name from a capitalised word at a sentence start)
    initial = []  # one-word names at a sentence start: kept when the word is also capitalised inside a sentence
    glosses = rules.gloss is not None and not norm.isascii()  # (a gloss writes a name in other letters)
    for start, end in _find_runs(norm):
        name = norm[start:end]
        if name in skip:  # most runs are "The", "He", "In" ...
            continue
        if " " not in name:
            singles.append((name, start))
        if norm.startswith(DESCRIPTOR_SUFFIX, end):
            continue  # "Britain-based": describes where another actor sits (as in the dictionary)
        first = taken.find(1, start, end)
        if first >= 0:
            # a run that contains a dictionary mention keeps only its part before the mention ("Iraqi" in
            # "Iraqi Prime Minister Haider al-Abadi" when the title is not an alias)
            if first == start:
                continue
            name = norm[start:first].rstrip(" -")
        nationality, item = reader.plan(name)
        if nationality is not None:
            s, e, word = nationality
            out.append(_nationality_row(norm, start + s, start + e, word, rules))
        if item is None:
            continue
        s, e, titled, word, titled_class, untitled_class = item
        s += start
        e += start
        if word is not None:
            if _written_lower(norm, word.lower()):
                continue  # also written in lower case in this text: an ordinary word ("Injured", "Civilians")
            if _sentence_initial(norm, s):
                initial.append((word, s, e, titled, titled_class, untitled_class))
                continue
        if glosses and not norm[s:e].isascii() and _in_gloss(norm, s, rules):
            continue
        out.append(_unlisted_row(norm, s, e, titled, titled_class, untitled_class, rules))
    if initial:
        inside = {w for w, at in singles if not _sentence_initial(norm, at)}
        for word, s, e, titled, titled_class, untitled_class in initial:
            if word in inside:  # else "Fighting raged ...": a capitalised common word, most likely
                out.append(_unlisted_row(norm, s, e, titled, titled_class, untitled_class, rules))
        out.sort(key=lambda row: row[0])
    return out


def _in_gloss(norm: str, s: int, rules: MentionRules) -> bool:
    """Whether position ``s`` is inside a parenthesis that gives a name in other languages ("(Arabic: ...; Kurdish:
    Çiyayê Hemrîn)"): the name again, written in another language, not a further mention."""
    opening = norm.rfind("(", max(0, s - 120), s)
    return opening >= 0 and ")" not in norm[opening:s] and rules.gloss.search(norm, opening, s) is not None


def _unlisted_row(norm: str, s: int, e: int, titled: bool, titled_class, untitled_class, rules) -> tuple:
    if not titled:  # a title just before the run: "Gen. Joseph Votel", "Brig. Hamid ..."
        before = norm[max(0, s - 30) : s]
        if before.endswith((" ", "\t", "\n")):
            *_, prev, last = ["", "", *before.split()]
            titled = last in rules.person_titles or (
                prev in rules.person_titles and last.replace(".", "").replace("-", "").isalpha()
            )
    typ, rule = titled_class if titled else untitled_class
    return (s, e, "unlisted", None, typ, rule)


def _nationality_row(text: str, start: int, end: int, word: str, rules: MentionRules) -> tuple:
    iso = rules.nationalities.get(word)
    if iso is not None and iso in rules.state_actors:
        nxt = _NEXT_WORDS.match(text, end)
        if nxt and (nxt.group(1).lower() in rules.state_nouns or (nxt.group(2) or "").lower() in rules.state_nouns):
            return (start, end, "actor", rules.state_actors[iso], "nationality", "nationality_state")
    return (start, end, "nationality", iso, "nationality", "nationality")


_WORD_BEFORE = regex.compile(r"(?<![\p{L}\p{N}'’.-])(\p{Lu}\p{Ll}+) $")


def _name_bound_places(norm: str, found: list, kinds: dict, rules: MentionRules, aliases) -> set[tuple[int, int]]:
    """Place mentions that are the second word of a capitalised name: "Hamid Hama, a teacher" is a person, not
    the city of Hama. The word before must be capitalised, not a mention, and none of the
    rule words (titles, nationalities, place and organisation words, stopwords such as "In" or "Eastern")."""
    out = set()
    taken = {e for _, e, _ in found}
    for s, e, eid in found:
        if s < 3 or norm[s - 1] != " " or not norm[s - 2].islower() or kinds.get(eid) != "place":
            continue  # (cheap checks first: most places follow "in ", "of ", a comma or a line break)
        m = _WORD_BEFORE.search(norm, max(0, s - 25), s)
        if m is None or m.end(1) in taken:
            continue
        w = m.group(1)
        if w.lower() in aliases or (w.endswith("s") and w[:-1].lower() in aliases):
            continue  # "Syrias Aleppo": a possessive without apostrophe, not a person's name
        if (
            w in rules.not_names
            or w in rules.person_titles
            or w in rules.title_joiners
            or w in rules.nationalities
            or w in rules.peoples
            or w in rules.place_prefixes
            or w in rules.place_heads
            or w in rules.organisation_heads
        ):
            continue
        out.add((s, e))
    return out


def _scan_document(
    norm: str,
    found: list,
    taken: bytearray,
    kinds: dict,
    reader: _RunReader,
    *,
    nominal: bool = False,
    nested: tuple | None = None,
) -> tuple[list, list]:
    """``(mentions, rule_rows)`` of one normalised text: its dictionary mentions ``found`` without the places bound
    into a person's name, and the rule rows (those bound places first, as ``name_bound_place`` rows)."""
    bound = _name_bound_places(norm, found, kinds, reader.rules, reader.aliases)
    rows = []
    if bound:
        found = [f for f in found if (f[0], f[1]) not in bound]
        for s, e in sorted(bound):
            taken[s:e] = bytes(e - s)  # the name's second word: the run reads it as part of the name
            rows.append((s, e, "name_bound_place", None, "place", "name_bound"))
    rows.extend(_scan_text(norm, taken, reader))
    if nominal:
        rows.extend(_nominal_rows(norm, taken, rows, reader.rules))
    if nested is not None:  # (matcher, entry types, cache)
        rows.extend(_nested_rows(norm, found, rows, *nested[:2], reader.rules, nested[2]))
    return found, rows


def _nominal_rows(norm: str, taken: bytearray, rows: list, rules: MentionRules) -> list[tuple]:
    """Common-noun mentions ("the army", "a nearby village") that overlap no name already found; ``taken`` is
    updated with the rule rows."""
    for s, e, kind, *_ in rows:
        if kind not in ("nationality", "actor"):  # "the Iraqi commander": a nationality may sit inside
            taken[s:e] = b"\x01" * (e - s)
    out = []
    for m in rules.nominal.finditer(norm):
        s, e = m.span()
        if taken.find(1, s, e) >= 0:
            continue
        if m.group(2) is not None:
            out.append((s, e, "pronoun", None, rules.pronoun_types[m.group(2).lower()], "pronoun"))
            continue
        head = m.group(1)
        typ = rules.nominal_types[head] if head is not None else "organisation"
        out.append((s, e, "nominal", None, typ, "nominal" if head is not None else "nominal_bare"))
    return out


_TOKEN = re.compile(r"[A-Za-z][A-Za-z.']*")
_ARTICLES = frozenset("al el ar as ad ash an at az".split())  # the Arabic article opening a place's name


def _nested_rows(
    norm: str, found: list, rows: list, matcher, etypes: dict, rules: MentionRules, cache: dict | None = None
) -> list[tuple]:
    """Nested mentions (kind ``nested``) of one normalised text: spans inside or around the mentions already found,
    as re3d marks them (see ``nested`` in mention_rules.yaml). ``found``: the dictionary mentions; ``rows``: the rule
    rows; ``etypes``: entry id -> (re3d-like type: organisation, person or place; the entry's own type); ``cache``:
    part of a name -> the dictionary's mentions in it, kept for one call of find_all_mentions (names recur)."""
    cache = {} if cache is None else cache
    nr = rules.nested
    spans = []  # (start, end, type, entry type or None, source)
    for s, e, eid in found:
        typ, etype = etypes[eid]
        spans.append((s, e, typ, etype, "entry"))
    for s, e, kind, _, typ, _ in rows:
        if kind in ("actor", "nationality"):
            spans.append((s, e, "nationality", None, "nationality"))
        elif kind in ("unlisted", "nominal"):
            spans.append((s, e, typ, None, kind))
    have = {(s, e) for s, e, *_ in spans}
    nationality_chars = bytearray(len(norm))
    for s, e, typ, _, _ in spans:
        if typ == "nationality":
            nationality_chars[s:e] = b"\x01" * (e - s)
    in_nominal = bytearray(len(norm))  # the characters of common-noun mentions
    for s, e, _, _, src in spans:
        if src == "nominal":
            in_nominal[s:e] = b"\x01" * (e - s)
    out = []

    def add(s: int, e: int, actor_id, typ: str, rule: str) -> None:
        if (s, e) not in have:
            have.add((s, e))
            out.append((s, e, "nested", actor_id, typ, rule))

    inner_people = []
    titles = rules.person_titles | rules.title_joiners
    for s, e, typ, etype, src in spans:
        if src not in ("entry", "unlisted") or " " not in norm[s:e].strip():
            continue
        text = norm[s:e]
        first_end = text.find(" ")
        last_start = text.rfind(" ") + 1
        first = text[:first_end]
        if first in rules.not_name_first_words or first.lower() in _ARTICLES:
            continue  # "Operation Inherent Resolve", "Ar Raqqah": one name
        # names inside a name (the dictionary on the name without its last or without its first word): the owner
        # at its start ("ISIL fighters", "UN Security Council"), a place at its end ("al-Qaeda in Iraq"); a person's
        # name is one name ("Bashar al-Assad" holds no "al-Assad") unless titles lead it ("President Bashar
        # al-Assad" holds Bashar al-Assad)
        if typ == "person":
            parts = ((first_end + 1, text[first_end + 1 :], ("person",)),) if first in titles else ()
        else:
            parts = (
                (0, text[: last_start - 1], ("organisation", "place", "person")),
                (first_end + 1, text[first_end + 1 :], ("place",)),
            )
        inner = []  # the first part's names start the name, the last part's end it
        for offset, part, keep in parts:
            edge = 0 if offset == 0 else len(part)
            names = cache.get(part)
            if names is None:
                names = cache[part] = matcher.find(part)
            inner.extend(
                (s + a + offset, s + b + offset, eid)
                for a, b, eid in names
                if etypes[eid][0] in keep and (a if offset == 0 else b) == edge
            )
        taken = bytearray(e - s)
        for a, b, eid in sorted(inner, key=lambda t: (t[0] - t[1], t[0])):
            if taken.find(1, a - s, b - s) >= 0 or nationality_chars.find(1, a, b) >= 0:
                continue
            taken[a - s : b - s] = b"\x01" * (b - a)
            inner_typ = etypes[eid][0]
            add(a, b, eid, inner_typ, "nested_name")
            if inner_typ == "person":
                inner_people.append((a, b))
        if typ == "place" or etype == "state":
            continue  # "Saudi Arabia", "United Arab Emirates": a country's name holds no nationality
        # nationality words inside a name: "Iraqi security forces", "Syrian Democratic Forces"
        for m in _TOKEN.finditer(text):
            w = _POSSESSIVE.sub("", m.group()).rstrip(".") if m.group() not in rules.nationalities else m.group()
            if (w in rules.nationalities or w in rules.peoples) and w not in nr["not_nationalities"]:
                a = s + m.start()
                b = a + len(w)
                if taken.find(1, a - s, b - s) < 0 and nationality_chars.find(1, a, b) < 0:
                    add(a, b, rules.nationalities.get(w), "nationality", "nested_nationality")
    before_place = nr.get("before_place")
    for s, e, typ, etype, src in spans:
        if src == "nominal":
            continue
        placelike = typ == "place" or etype == "state"
        # the phrase around a name: "ISIL tactical units", "an ISIL-held building", "Baghdad Operational Command"
        last_word = norm[s:e].rsplit(None, 1)[-1]
        if (
            typ != "person"
            and last_word not in rules.nominal_types  # "Iraqi military" is a phrase already
            and last_word not in rules.organisation_heads
            and in_nominal.find(0, s, e) >= 0  # (else a common-noun mention holds the name)
        ):
            head_end, head_typ = None, None
            m = nr["after_name"].match(norm, e)
            if m is not None:
                head_end, head_typ = m.end(), rules.nominal_types[m.group(1)]
            elif src == "entry":
                c = nr["capital_after"].match(norm, e)
                if c is not None:
                    words = c.group(1).split()
                    for k in range(len(words), 0, -1):
                        last = words[k - 1]
                        if last in rules.organisation_heads or last in rules.place_heads:
                            head_typ = "organisation" if last in rules.organisation_heads else "place"
                            head_end = e + c.group(0).find(last) + len(last)
                            break
            if head_end is not None:
                d = nr["determiner"].search(norm, max(0, s - 20), s)
                add(d.start() if d else s, head_end, None, head_typ, "nested_phrase")
        if placelike and before_place is not None:
            # "northern Syria", "west of Mosul", "the outskirts of Raqqa"
            d = before_place.search(norm, max(0, s - 40), s)
            if d is not None:
                add(d.start(), e, None, "place", "nested_direction")
    # "Defense Secretary Ash Carter", "Iraqi Prime Minister Nouri al-Maliki": the name with its titles
    # (the dictionary also lists officials as aliases of their state or coalition: "Ash Carter", "Stephen J.
    # Townsend"; a name of capitalised words after a title is read as a person's too)
    people = [
        (s, e)
        for s, e, typ, _, src in spans
        if (typ == "person" and src in ("entry", "unlisted"))
        or (src == "entry" and typ == "organisation" and _name_shaped(norm[s:e], rules))
    ]
    for s, e in people + inner_people:
        t = nr["title_before"].search(norm, max(0, s - 60), s)
        if t is not None:
            add(t.start(), e, None, "person", "nested_title")
    return out


def _name_shaped(text: str, rules: MentionRules) -> bool:
    """Whether a mention's text is shaped like a person's name: two to four words, each capitalised (not in
    capitals but for initials), none a word of organisations, places or states ("Ash Carter", not "Central Command" or "US forces")."""
    words = text.split()
    return 2 <= len(words) <= 4 and all(
        w[0].isupper()
        and (not w.isupper() or (len(w) == 2 and w[1] == "."))  # an initial ("Stephen J. Townsend") is no acronym
        and w not in rules.organisation_heads
        and w not in rules.place_heads
        and w.lower() not in rules.state_nouns
        for w in words
    )


def _scan_corpus(
    corpus: pd.DataFrame, dictionary: ActorDictionary, rules: MentionRules, known=None, nominal=False, nested=False
):
    """Yield ``(doc_id, text, mentions, rule_rows)`` for each non-empty text of a corpus (doc_id, text)."""
    matcher = dictionary._matcher_obj()
    kinds = {eid: e.kind for eid, e in dictionary.entries.items()}
    nested_args = (matcher, _entry_types(dictionary), {}) if nested else None
    reader = _RunReader(rules, dictionary._alias_owner)
    for doc_id, text in zip(corpus["doc_id"].to_numpy(), corpus["text"].to_numpy()):
        if not isinstance(text, str) or not text:
            continue
        norm = normalise(text)
        if known is None:
            found, taken = matcher.find_with_mask(norm)
        else:
            found = known.get(doc_id, [])
            taken = bytearray(len(norm))
            for s, e, _ in found:
                taken[s:e] = b"\x01" * (e - s)
        found, rows = _scan_document(norm, found, taken, kinds, reader, nominal=nominal, nested=nested_args)
        yield doc_id, text, found, rows


def _entry_types(dictionary: ActorDictionary) -> dict:
    """Entry id -> (organisation, person or place; the entry's own type), for the nested mentions."""
    out = {}
    for eid, e in dictionary.entries.items():
        typ = "place" if e.kind == "place" else "person" if e.type == "person" else "organisation"
        out[eid] = (typ, e.type)
    return out


def _rule_frame(rows: list) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=UNLISTED_COLUMNS)
    out["sent_id"] = out["sent_id"].astype("Int64")
    out[["start", "end"]] = out[["start", "end"]].astype("int64")
    return out.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


def find_rule_mentions(
    corpus: pd.DataFrame,
    *,
    dictionary: ActorDictionary | None = None,
    rules: MentionRules | None = None,
    mentions: pd.DataFrame | None = None,
    nominal: bool = False,
    nested: bool = False,
) -> pd.DataFrame:
    """Nationality, generic-name and unlisted mentions of a corpus (doc_id, text): UNLISTED_COLUMNS.

    ``start``/``end`` are offsets into the document text; ``sent_id`` is <NA> (assign sentences with
    :func:`find_all_mentions` when needed). ``mentions``: the corpus's dictionary
    mentions when already found (saves a second pass of the dictionary). Also the ``name_bound_place`` rows, and
    with ``nominal=True`` the common-noun mentions (kind ``nominal``), with ``nested=True`` the nested ones (kind
    ``nested``, see :func:`find_all_mentions`).
    """
    dictionary = dictionary or default_dictionary()
    rules = rules or load_mention_rules()
    known = None
    if mentions is not None:
        known = {}
        for d, s, e, i in zip(mentions["doc_id"], mentions["start"], mentions["end"], mentions["actor_id"]):
            known.setdefault(d, []).append((int(s), int(e), i))
    rows = []
    for doc_id, text, _, found_rows in _scan_corpus(corpus, dictionary, rules, known, nominal, nested):
        rows.extend((doc_id, pd.NA, a, k, s, e, text[s:e], t, r) for s, e, k, a, t, r in found_rows)
    return _rule_frame(rows)


def find_all_mentions(
    corpus: pd.DataFrame,
    *,
    sentences: pd.DataFrame | None = None,
    dictionary: ActorDictionary | None = None,
    nominal: bool = False,
    tagger: bool | NameTagger = False,
    nested: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(mentions, unlisted)``: the dictionary's mentions plus nationalities that stand for a state (MENTION_COLUMNS
    of :mod:`analysis.actors`), and the other rule mentions (UNLISTED_COLUMNS: nationalities, unlisted names).

    One pass over each text finds both (the same mentions as :func:`analysis.actors.find_mentions` but for a place
    bound into a person's name, "Hamid Hama"). ``sentences`` (doc_id, sent_id, start) fills ``sent_id``.
    ``nominal=True`` adds the common-noun mentions ("the army", "a nearby village": kind ``nominal``) and the
    pronouns ("he", "we": kind ``pronoun``) to ``unlisted``; off by default, as their one extra pass over the text
    costs about a third of this function's time. ``tagger=True`` (or a
    :class:`analysis.actors.name_tagger.NameTagger`) types the unlisted names of unknown type with the name tagger
    and drops those it rejects (rule ``tagger``; see :mod:`analysis.actors.name_tagger`); off by default.
    ``nested=True`` adds to ``unlisted`` the spans inside and around the mentions found (kind ``nested``, as re3d
    marks them): the names and nationalities inside a name ("ISIL" in "ISIL fighters", "Iraqi" in "Iraqi security
    forces"), the phrase around a name ("an ISIL-held building", "Baghdad Operational Command", "northern Syria")
    and a person's name with its titles ("Defense Secretary Ash Carter"). They overlap other
    mentions, so they are never actor mentions; off by default.
    """
    require_columns(corpus, ["doc_id", "text"], what="corpus")
    dictionary = dictionary or default_dictionary()
    rules = load_mention_rules()
    kinds = {eid: e.kind for eid, e in dictionary.entries.items()}
    name_tagger, gazetteer = _tagger_and_gazetteer(tagger, dictionary)
    tag_cache: tuple[dict, dict] = ({}, {})  # name -> its word features; features -> type (see _tag_names)
    m_doc, m_id, m_start, m_end, m_text, other = [], [], [], [], [], []
    for doc_id, text, found, rows in _scan_corpus(corpus, dictionary, rules, nominal=nominal, nested=nested):
        if name_tagger is not None:
            rows = _tag_names(text, rows, name_tagger, rules, gazetteer, tag_cache)
        for s, e, eid in found:
            m_doc.append(doc_id)
            m_id.append(eid)
            m_start.append(s)
            m_end.append(e)
            m_text.append(text[s:e])
        for s, e, kind, actor_id, typ, rule in rows:
            if kind == "actor":  # a nationality that stands for its state: a mention of that state's actor
                m_doc.append(doc_id)
                m_id.append(actor_id)
                m_start.append(s)
                m_end.append(e)
                m_text.append(text[s:e])
            elif kind != "name_bound_place":
                other.append((doc_id, pd.NA, actor_id, kind, s, e, text[s:e], typ, rule))
    mentions = pd.DataFrame(
        {
            "doc_id": pd.array(m_doc, dtype=object),
            "sent_id": pd.array([pd.NA] * len(m_doc), dtype="Int64"),
            "actor_id": pd.array(m_id, dtype=object),
            "kind": pd.array([kinds[i] for i in m_id], dtype=object),
            "start": np.asarray(m_start, dtype="int64"),
            "end": np.asarray(m_end, dtype="int64"),
            "matched": pd.array(m_text, dtype=object),
        }
    )
    unlisted = _rule_frame(other)
    if sentences is not None:
        mentions = _assign_sentences(mentions, sentences) if len(mentions) else mentions
        unlisted = _assign_sentences(unlisted, sentences) if len(unlisted) else unlisted
    mentions = mentions.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)
    unlisted = unlisted.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)
    return mentions[MENTION_COLUMNS], unlisted


def _tagger_and_gazetteer(tagger, dictionary: ActorDictionary):
    """The name tagger asked for (None when off) and the gazetteer words of ``dictionary`` (built once)."""
    if tagger is False or tagger is None:
        return None, None
    from analysis.actors import name_tagger as nt  # only when asked for

    model = nt.load_tagger() if tagger is True else tagger
    if not isinstance(model, nt.NameTagger):
        raise ParameterError(f"tagger must be True, False or a NameTagger, not {type(tagger).__name__}")
    gazetteer = getattr(dictionary, "_name_gazetteer", None)
    if gazetteer is None:
        gazetteer = dictionary._name_gazetteer = nt.build_gazetteer(dictionary)
    return model, gazetteer


def _tag_names(text: str, rows: list, model, rules: MentionRules, gazetteer, cache: tuple[dict, dict]) -> list:
    """The rule rows of one text with the unlisted names of unknown type typed by the name tagger (or dropped).
    ``cache``: (name -> word features, feature tuple -> type), kept for one call of find_all_mentions."""
    from analysis.actors.name_tagger import name_features

    word_cache, type_cache = cache
    # a two-word name whose second word is a place bound into it ("Hamid Hama"): a person, as the rule reads it
    # (in longer names the bound place may be part of a group's name: "Liwa Thuwar Raqqa")
    bound_ends = {r[1] for r in rows if r[2] == "name_bound_place"}
    bound_names = {
        (r[0], r[1]) for r in rows if r[1] in bound_ends and r[2] == "unlisted" and text.count(" ", r[0], r[1]) == 1
    }
    out = []
    for row in rows:
        s, e, kind, actor_id, typ, rule = row
        if kind == "unlisted" and typ == "unknown" and (s, e) in bound_names:
            row = (s, e, kind, actor_id, "person", "name_bound")  # "Hamid Hama, a teacher": the rule's person
        elif kind == "unlisted" and typ == "unknown":
            features = tuple(name_features(text, s, e, rules, gazetteer, word_cache))
            typ = type_cache.get(features)
            if typ is None:
                typ = type_cache[features] = model.find_type(list(features))[0]
            if typ == "none":
                continue
            row = (s, e, kind, actor_id, typ, "tagger")
        out.append(row)
    return out
