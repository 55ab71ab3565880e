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
- a place alias that is the second word of a capitalised name ("Hamid Hama, a teacher") is marked
  ``name_bound_place`` and is not a place mention (the name is an unlisted mention).

One regular-expression pass over each text finds the capitalised runs; everything else is set look-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import regex

from analysis import config
from analysis.actors.dictionary import (
    DESCRIPTOR_SUFFIX,
    MENTION_COLUMNS,
    ActorDictionary,
    _normalise,
    default_dictionary,
)
from analysis.actors.discover import _discovery_lists
from analysis.actors.mentions import _assign_sentences, find_mentions
from analysis.errors import ResourceError
from analysis.resources import load_mapping

RULES_FILE = "mention_rules.yaml"
UNLISTED_COLUMNS = ["doc_id", "sent_id", "actor_id", "kind", "start", "end", "matched", "type", "rule"]
KINDS = ("actor", "nationality", "unlisted", "name_bound_place")
TYPES = ("organisation", "person", "place", "nationality", "unknown")

# A capitalised run: words starting with a capital (or all-capital acronyms, "U.S."), joined by spaces or hyphens
# and by the lower-case particles of Arabic and European names ("Jaish al-Islam", "Army of Conquest").
_RUN = regex.compile(
    r"(?<![\p{L}\p{N}'’.])"
    r"(?:(?:al|el|ad|ar|as|az|ash|abu|bin|ibn|um|umm)[-\s])?"
    r"(?:(?:\p{Lu}\.){2,}|\p{Lu}[\p{L}'’]*)"
    r"(?:(?:[-\s]|\s(?:al|el|ad|ar|as|az|ash|bin|ibn|abu|bani|of|for|the|de|du|von|van|ez|es)[-\s])"
    r"(?:(?:\p{Lu}\.){2,}|\p{Lu}[\p{L}'’]*))*"
    r"(?![\p{L}\p{N}])"
)
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
    }
    if not isinstance(data, dict) or set(data) != keys:
        missing = sorted(keys - set(data or {}))
        extra = sorted(set(data or {}) - keys)
        raise ResourceError(
            f"{path}: mention rules need exactly the keys {sorted(keys)} (missing {missing}, unknown {extra})"
        )
    dictionary_ids = set(default_dictionary().entries)
    unknown = sorted(v for v in data["state_actors"].values() if v not in dictionary_ids)
    if unknown:
        raise ResourceError(f"{path}: state_actors name ids that are not in the actor dictionary: {unknown}")

    def words(key):
        return frozenset(str(w) for w in data[key] or [])

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
    )


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip(" \t\"'(“‘[-")
    return not before or before[-1] in ".!?:\n" or before.endswith("...")


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, non-overlapping ``spans``."""
    import bisect

    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    for j in (i, i + 1):
        if 0 <= j < len(spans) and spans[j][0] < end and start < spans[j][1]:
            return True
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


def find_rule_mentions_text(
    text: str, spans: list[tuple[int, int]], rules: MentionRules, aliases=frozenset()
) -> list[tuple]:
    """``(start, end, kind, actor_id, type, rule)`` for one text whose dictionary mentions are ``spans``;
    ``aliases``: the dictionary's lower-cased aliases (to recognise "Syrias", a possessive without apostrophe)."""
    out = []
    nationalities, peoples = rules.nationalities, rules.peoples
    skip = rules.not_names | rules.person_titles | rules.title_joiners
    runs = [m for m in _RUN.finditer(text) if m.group() not in skip]  # most runs are "The", "He", "In" ...
    inside = None  # single words seen capitalised inside a sentence: names even at a sentence start (lazily)
    lower_words = None  # the text's lower-case words (lazily)
    for m in runs:
        start, end = m.start(), m.end()
        name = m.group()
        if text.startswith(DESCRIPTOR_SUFFIX, end):
            continue  # "Britain-based": describes where another actor sits (as in the dictionary)
        if spans and _covered(spans, start, end):
            # a run that contains a dictionary mention keeps only its part before the mention ("Iraqi" in
            # "Iraqi Prime Minister Haider al-Abadi" when the title is not an alias)
            import bisect

            i = bisect.bisect_left(spans, (start, 0))
            first = spans[i][0] if i < len(spans) else end
            if i > 0 and spans[i - 1][1] > start:
                continue
            name = text[start:first].rstrip(" -")
            end = start + len(name)
            if not name:
                continue
        name = _POSSESSIVE.sub("", name)
        words = name.split()
        titled = False
        while words and (
            words[0] in rules.not_names or words[0] in rules.person_titles or words[0] in rules.title_joiners
        ):
            if words[0] in rules.person_titles or words[0] in rules.title_joiners:
                titled = True
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1] in ("of", "for", "the", "and", "al", "de"):
            words = words[:-1]
        if not words or len(words) > MAX_RUN_WORDS:
            continue
        name = " ".join(words)
        end = start + len(name)
        if text[start:end] != name:  # a run with line breaks or double spaces: keep the text's own characters
            end = start + len(text[start:].split("\n")[0][: len(name)])
            name = text[start:end]
        first = words[0]
        if first in nationalities or first in peoples:
            if len(words) == 1 or words[1] in rules.state_nouns:
                out.append(_nationality_row(text, start, start + len(first), first, rules))
                if len(words) == 1:
                    continue
                name = " ".join(words[1:])
                start = start + len(first) + 1
                titled = titled or words[1] in rules.person_titles or words[1] in rules.title_joiners
                words = words[1:]
                if all(w[0].islower() or w in rules.state_nouns for w in words):
                    continue
                if len(words) == 1 and (words[0] in rules.title_joiners or words[0] in rules.person_titles):
                    continue
        while len(words) > 1 and words[0].endswith("s") and words[0][:-1].lower() in aliases:
            start += len(words[0]) + 1  # "Syrias Aleppo": a possessive written without its apostrophe
            words = words[1:]
            name = " ".join(words)
        if spans and _covered(spans, start, start + len(" ".join(words))):
            continue  # what is left is a dictionary mention
        if len(words) > 1 and words[-1].endswith("s") and " ".join(words)[:-1].lower() in aliases:
            continue  # "Bashar al-Assads": a covered name with the possessive's "s"
        if len(words) == 1:
            w = words[0]
            if w in skip or len(w) < 2 or w.islower():
                continue
            if w[-1] == "s" and (w[:-1] in skip or w[:-1].lower() in aliases):
                continue  # a possessive without its apostrophe ("Assads") or a plural ("Tuesdays")
            if w in rules.place_heads:
                continue  # "Province", "River" alone ("Coalition", "Observatory" alone do name an organisation)
            if not w.isupper():
                if lower_words is None:
                    lower_words = set(_LOWER_WORD.findall(text))
                if w.lower() in lower_words:
                    continue  # also written in lower case in this text: an ordinary word ("Injured", "Civilians")
            if not w.isupper() and _sentence_initial(text, start):
                if inside is None:
                    inside = {
                        r.group() for r in runs if " " not in r.group() and not _sentence_initial(text, r.start())
                    }
                if w not in inside:
                    continue  # "Fighting raged ...": a capitalised common word, most likely
        if not titled:  # a title just before the run: "Gen. Joseph Votel", "Brig. Hamid ..."
            before = _TITLE_BEFORE.search(text, max(0, start - 30), start)
            titled = bool(before) and any(w in rules.person_titles for w in before.groups() if w)
        typ, rule = _classify(name, titled, rules)
        out.append((start, start + len(name), "unlisted", None, typ, rule))
    return out


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
        if kinds.get(eid) != "place" or s < 2:
            continue
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


def find_rule_mentions(
    corpus: pd.DataFrame,
    *,
    dictionary: ActorDictionary | None = None,
    rules: MentionRules | None = None,
    mentions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Nationality, generic-name and unlisted mentions of a corpus (doc_id, text): UNLISTED_COLUMNS.

    ``start``/``end`` are offsets into the document text; ``sent_id`` is <NA> (assign sentences with
    :func:`find_all_mentions` when needed). ``mentions``: the corpus's dictionary
    mentions when already found (saves a second pass of the dictionary).
    """
    dictionary = dictionary or default_dictionary()
    rules = rules or load_mention_rules()
    matcher = dictionary._matcher_obj()
    kinds = {eid: e.kind for eid, e in dictionary.entries.items()}
    known = None
    if mentions is not None:
        known = {}
        for d, s, e, i in zip(mentions["doc_id"], mentions["start"], mentions["end"], mentions["actor_id"]):
            known.setdefault(d, []).append((int(s), int(e), i))
    rows = []
    for doc_id, text in zip(corpus["doc_id"].to_numpy(), corpus["text"].to_numpy()):
        if not isinstance(text, str) or not text:
            continue
        norm = _normalise(text)
        found = known.get(doc_id, []) if known is not None else matcher.find(norm)
        bound = _name_bound_places(norm, found, kinds, rules, dictionary._alias_owner)
        spans = [(s, e) for s, e, _ in found if (s, e) not in bound]
        for s, e in sorted(bound):
            rows.append((doc_id, pd.NA, None, "name_bound_place", s, e, text[s:e], "place", "name_bound"))
        for s, e, kind, actor_id, typ, rule in find_rule_mentions_text(norm, spans, rules, dictionary._alias_owner):
            rows.append((doc_id, pd.NA, actor_id, kind, s, e, text[s:e], typ, rule))
    out = pd.DataFrame(rows, columns=UNLISTED_COLUMNS)
    out["sent_id"] = out["sent_id"].astype("Int64")
    out[["start", "end"]] = out[["start", "end"]].astype("int64")
    return out.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


def find_all_mentions(
    corpus: pd.DataFrame, *, sentences: pd.DataFrame | None = None, dictionary: ActorDictionary | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(mentions, unlisted)``: the dictionary's mentions plus nationalities that stand for a state (MENTION_COLUMNS
    of :mod:`analysis.actors`), and the other rule mentions (UNLISTED_COLUMNS: nationalities, unlisted names)."""
    mentions = find_mentions(corpus, dictionary=dictionary, sentences=sentences)
    extra = find_rule_mentions(corpus, dictionary=dictionary, mentions=mentions)
    if sentences is not None and len(extra):
        extra = _assign_sentences(extra, sentences)
    bound = extra[extra["kind"] == "name_bound_place"]
    if len(bound):  # "Hamid Hama": not the city
        keys = set(zip(bound["doc_id"], bound["start"], bound["end"]))
        keep = [k not in keys for k in zip(mentions["doc_id"], mentions["start"], mentions["end"])]
        mentions = mentions[keep]
    state = extra[extra["kind"] == "actor"]
    if len(state):
        mentions = pd.concat([mentions, state[MENTION_COLUMNS]], ignore_index=True)
    mentions = mentions.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)
    unlisted = extra[~extra["kind"].isin(["actor", "name_bound_place"])].reset_index(drop=True)
    return mentions, unlisted
