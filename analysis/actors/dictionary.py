"""The actor dictionary and place gazetteer: entries, aliases, validation of user files, name resolution."""

from __future__ import annotations

import logging
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
import pandas as pd
import regex

from analysis import config
from analysis.errors import ParameterError, ResourceError
from analysis.resources import EXTENDS_KEY, extend_entry, file_version, load_yaml, resource_versions, wants_extend

log = logging.getLogger(__name__)


ACTORS_FILE = "actors.yaml"
PLACES_FILE = "places.yaml"

ACTOR_TYPES = (
    "government",
    "state",
    "state_force",
    "armed_group",
    "coalition",
    "international_org",
    "ngo",
    "monitor",
    "media",
    "person",
    "other",
)
PLACE_TYPES = (
    "country",
    "region",
    "province",
    "city",
    "town",
    "district",
    "neighbourhood",
    "landmark",
    "river",
    "camp",
    "other",
)
CASE_RULES = ("auto", "exact", "insensitive")
COMMON_KEYS = {"id", "label", "type", "aliases", "patterns", "case", "note"}
# An entry saying ``extends: builtin`` adds to the earlier entry with its id instead of replacing it (see
# resources.extend_entry): its aliases and patterns are appended, the keys it sets replace those of that entry.
ENTRY_LIST_KEYS = ("aliases", "patterns")
ACTOR_KEYS = COMMON_KEYS | {"side", "affiliation", "country"}
PLACE_KEYS = COMMON_KEYS | {"country", "admin", "parent", "lat", "lon", "city_level", "province_of", "path"}
FILE_KEYS = {"version", "description", "actors", "places", "discovery"}
MENTION_COLUMNS = ["doc_id", "sent_id", "actor_id", "kind", "start", "end", "matched"]

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
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def _normalise(text: str) -> str:
    return text.translate(_NORMALISE)


def _lower(text: str) -> str:
    """Lower-case ``text`` keeping its length (a few characters such as U+0130 lower-case to two)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


# --------------------------------------------------------------------------------------------------- the dictionary
@dataclass(frozen=True)
class Entry:
    """One actor or place: canonical id, kind ('actor' | 'place'), attributes, aliases, patterns and its file."""

    id: str
    kind: str
    label: str
    type: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]
    case: str
    attrs: dict = field(default_factory=dict, hash=False, compare=False)
    source: str = ""


def _alias_rule(alias: str, case: str) -> tuple[str, tuple]:
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


class ActorDictionary:
    """Actors and places with their aliases, compiled once into an Aho-Corasick automaton for :func:`find_mentions`.

    Build it with :func:`load_dictionary`. ``actors`` and ``places`` are DataFrames of the entries,
    ``versions`` maps each source file to its ``version:``, ``resolve(name)`` maps a name to an id.
    """

    def __init__(self, entries: list[Entry], versions: dict[str, str]):
        self.entries: dict[str, Entry] = {e.id: e for e in entries}
        self.versions = dict(versions)
        self._build_index()
        self._matcher = None
        self._types: dict[str, str] | None = None

    # -- inspection
    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, entry_id) -> bool:
        return entry_id in self.entries

    def __repr__(self) -> str:
        n_actors = sum(e.kind == "actor" for e in self.entries.values())
        return (
            f"<ActorDictionary {n_actors} actors, {len(self) - n_actors} places, "
            f"{len(self._alias_owner)} aliases; {self.versions}>"
        )

    def _table(self, kind: str, columns: list[str]) -> pd.DataFrame:
        rows = []
        for e in self.entries.values():
            if e.kind != kind:
                continue
            row = {"id": e.id, "label": e.label, "type": e.type}
            row.update({c: e.attrs.get(c) for c in columns})
            row.update({"n_aliases": len(e.aliases), "n_patterns": len(e.patterns), "source": e.source})
            rows.append(row)
        cols = ["id", "label", "type", *columns, "n_aliases", "n_patterns", "source"]
        return pd.DataFrame(rows, columns=cols).sort_values("id").reset_index(drop=True)

    @property
    def actors(self) -> pd.DataFrame:
        """One row per actor: id, label, type, side, affiliation, country, n_aliases, n_patterns, source."""
        return self._table("actor", ["side", "affiliation", "country"])

    @property
    def places(self) -> pd.DataFrame:
        """One row per place: id, label, type, country, admin, parent, lat, lon, city_level, ..., source."""
        table = self._table("place", ["country", "admin", "parent", "lat", "lon", "city_level"])
        table[["lat", "lon"]] = table[["lat", "lon"]].astype("float64")
        return table

    @property
    def entities(self) -> pd.DataFrame:
        """Actors and places in one table: id, kind, label, type, side, country, city_level."""
        rows = [
            {
                "id": e.id,
                "kind": e.kind,
                "label": e.label,
                "type": e.type,
                "side": e.attrs.get("side"),
                "country": e.attrs.get("country"),
                "city_level": e.attrs.get("city_level"),
            }
            for e in self.entries.values()
        ]
        return pd.DataFrame(rows).sort_values("id").reset_index(drop=True)

    @property
    def types(self) -> dict[str, str]:
        """Entry id -> type; a person takes the type of the actor it is affiliated to (the party it speaks for)."""
        if self._types is None:
            types = {}
            for eid, entry in self.entries.items():
                etype = entry.type
                parent = entry.attrs.get("affiliation") if etype == "person" else None
                if parent in self.entries:
                    etype = self.entries[parent].type
                types[eid] = etype
            self._types = types
        return self._types

    def aliases(self, entry_id: str) -> list[str]:
        """The literal aliases of one entry (with generated variants), as matched."""
        return sorted(a for a, owner in self._alias_owner.items() if owner == entry_id)

    def resolve(self, name: str, *, kind: str | None = None) -> str | None:
        """The id of the entry that ``name`` refers to, or None.

        ``name`` is matched as a whole ("the Joint Operations Command", "the Observatory", "SOHR"), then by its
        longest mention ("an SDF commander" -> ``sdf``, "a spokesman for the Iraqi army" -> ``iraqi_forces``).
        ``kind`` ('actor' or 'place') restricts the answer.
        """
        if not isinstance(name, str) or not name.strip():
            return None
        text = _normalise(name.strip())
        key = " ".join(_lower(text).split())
        for candidate in (key, re.sub(r"^(?:the|an?)\s+", "", key)):  # whole name, any case
            owner = self._alias_owner.get(candidate)
            if owner is not None and (kind is None or self.entries[owner].kind == kind):
                return owner
        mentions = self._matcher_obj().find(text)
        mentions = [m for m in mentions if kind is None or self.entries[m[2]].kind == kind]
        if not mentions:
            return None
        whole = [m for m in mentions if m[0] == 0 and m[1] == len(text)]
        best = whole[0] if whole else max(mentions, key=lambda m: (m[1] - m[0], -m[0]))
        return best[2]

    def entry(self, entry_id: str) -> dict:
        """All attributes of one entry as a dict (raises ParameterError for an unknown id)."""
        if entry_id not in self.entries:
            raise ParameterError(f"unknown actor/place id {entry_id!r}; see load_dictionary().entities for the ids")
        e = self.entries[entry_id]
        return {
            "id": e.id,
            "kind": e.kind,
            "label": e.label,
            "type": e.type,
            **e.attrs,
            "aliases": list(e.aliases),
            "patterns": list(e.patterns),
            "case": e.case,
            "source": e.source,
        }

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, id)`` of the mentions in one text (longest match wins, no overlaps), sorted by start."""
        return self._matcher_obj().find(_normalise(text))

    # -- compilation
    def _build_index(self) -> None:
        """Collect every alias (with variants) and check that no alias is claimed by two entries."""
        owner: dict[str, str] = {}
        forms: dict[str, list[tuple[str, str]]] = defaultdict(list)  # id -> [(alias form, case)]
        # explicit aliases first, then generated variants (hyphen written as a space), which never take a name
        # that another entry claims
        for generated in (False, True):
            for e in self.entries.values():
                for alias in e.aliases:
                    if generated and "-" not in alias:
                        continue
                    variant = " ".join(_normalise(alias.replace("-", " ") if generated else alias).split())
                    key = _lower(variant)
                    other = owner.get(key)
                    if other is not None and other != e.id:
                        if generated:
                            continue
                        raise ResourceError(
                            f"{e.source}: alias {alias!r} of entry {e.id!r} is also claimed by entry {other!r}"
                            f" ({self.entries[other].source}): keep it in one entry, or replace that entry by "
                            f"giving yours its id"
                        )
                    owner[key] = e.id
                    forms[e.id].append((variant, e.case))
        self._alias_owner = owner
        self._forms = forms

    def _matcher_obj(self) -> _Matcher:
        if self._matcher is None:
            self._matcher = _Matcher(self)
        return self._matcher


class _Matcher:
    """Two Aho-Corasick automata (lower-cased text; exact case) plus the few regular-expression patterns.

    pyahocorasick gives every occurrence of every alias in one pass; word boundaries, case rules and
    "longest match wins" are then checked in Python on the (few) candidates.
    """

    def __init__(self, dictionary: ActorDictionary):
        self.ids: list[str] = list(dictionary.entries)
        index = {eid: i for i, eid in enumerate(self.ids)}
        lower: dict[str, tuple] = {}
        exact: dict[str, tuple] = {}
        for eid, forms in dictionary._forms.items():
            for form, case in forms:
                where, (cap, spans) = _alias_rule(form, case)
                if where == "exact":
                    exact.setdefault(form, (index[eid], len(form), -1, ()))
                else:
                    # the same alias written in two cases in one entry ("Eastern Ghouta", "eastern Ghouta"):
                    # either case rule admits a match
                    key = _lower(form)
                    prev = lower.get(key)
                    rules = ((cap, spans),) if prev is None else (*prev[2], (cap, spans))
                    lower[key] = (index[eid], len(form), rules)
        # an alias without any case constraint needs no check at match time
        lower = {
            k: (i, n, None if any(c < 0 and not sp for c, sp in rules) else rules) for k, (i, n, rules) in lower.items()
        }
        self.lower = self._automaton(lower)
        self.exact = self._automaton(exact)
        self.patterns = [(regex.compile(p), index[e.id]) for e in dictionary.entries.values() for p in e.patterns]

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
        n = len(norm)
        cands = []
        if self.lower is not None:
            for last, (idx, length, rules) in self.lower.iter(_lower(norm)):
                start, end = last - length + 1, last + 1
                # word boundaries, inlined: this loop runs once per automaton hit
                if start > 0:
                    c = norm[start - 1]
                    if c.isalnum() or c == "_":
                        continue
                if end < n:
                    c = norm[end]
                    if c.isalnum() or c == "_":
                        continue
                if rules is None or any(_case_ok(norm, start, cap, spans) for cap, spans in rules):
                    cands.append((start, end, idx))
        if self.exact is not None:
            for last, (idx, length, _, _) in self.exact.iter(norm):
                start, end = last - length + 1, last + 1
                if (start > 0 and _is_word(norm[start - 1])) or (end < n and _is_word(norm[end])):
                    continue
                cands.append((start, end, idx))
        for pattern, idx in self.patterns:
            cands.extend((m.start(), m.end(), idx) for m in pattern.finditer(norm) if m.end() > m.start())
        # "Britain-based monitor", "US-based group": the name describes where another actor sits, it does not
        # mention the state (on FA-KES 156 of 226 "UK" matches were the Observatory's "Britain-based").
        cands = [c for c in cands if not norm.startswith(DESCRIPTOR_SUFFIX, c[1])]
        if not cands:
            return []
        return _resolve_overlaps(cands, self.ids)


def _case_ok(norm: str, start: int, cap: int, spans: tuple) -> bool:
    """The case rule of :func:`_alias_rule` for an alias found at ``start`` of the normalised text."""
    if cap >= 0 and not norm[start + cap].isupper():
        return False
    return not spans or all(norm[start + i : start + j].isupper() for i, j in spans)


def _resolve_overlaps(cands: list[tuple[int, int, int]], ids: list[str]) -> list[tuple[int, int, str]]:
    """Longest match wins; among equally long ones the leftmost; a character belongs to at most one mention."""
    if len(cands) == 1:
        s, e, i = cands[0]
        return [(s, e, ids[i])]
    cands.sort(key=lambda c: (c[0] - c[1], c[0], c[2]))
    taken = bytearray(max(c[1] for c in cands))
    out = []
    for s, e, i in cands:
        if taken.find(1, s, e) >= 0:
            continue
        taken[s:e] = b"\x01" * (e - s)
        out.append((s, e, ids[i]))
    out.sort()
    return out


# ------------------------------------------------------------------------------------------------- loading files
def _read_yaml(path: Path):
    return load_yaml(path, what="dictionary file")


def _is_native(data) -> bool:
    return isinstance(data, dict) and ("actors" in data or "places" in data)


def _str_list(value, what: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ResourceError(f"{where}: {what} must be a list of non-empty strings")
    for v in value:
        if isinstance(v, bool):
            raise ResourceError(
                f"{where}: {what} has {v!r}, which YAML read from yes/no/on/off: put that name in quotes ('NO', 'On')"
            )
        if not isinstance(v, (str, int, float)) or not str(v).strip():
            raise ResourceError(f"{where}: {what} must be a list of non-empty strings, not {v!r}")
    return tuple(str(v).strip() for v in value)


def _parse_entry(raw, kind: str, source: str, position: int) -> Entry:
    where = f"{source} {kind} #{position + 1}"
    if not isinstance(raw, dict):
        raise ResourceError(f"{where}: an entry must be a mapping with at least id and aliases")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
        raise ResourceError(f"{where}: id {entry_id!r} must be lower-case letters, digits and _ (e.g. islamic_state)")
    where = f"{source} entry {entry_id!r}"
    allowed = ACTOR_KEYS if kind == "actor" else PLACE_KEYS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ResourceError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    types = ACTOR_TYPES if kind == "actor" else PLACE_TYPES
    etype = raw.get("type", "other")
    if etype not in types:
        raise ResourceError(f"{where}: type {etype!r} is not one of {', '.join(types)}")
    case = raw.get("case", "auto")
    if case not in CASE_RULES:
        raise ResourceError(f"{where}: case {case!r} is not one of {', '.join(CASE_RULES)}")
    aliases = tuple(dict.fromkeys(_str_list(raw.get("aliases"), "aliases", where)))
    patterns = _str_list(raw.get("patterns"), "patterns", where)
    for p in patterns:
        try:
            compiled = regex.compile(p)
        except regex.error as exc:
            raise ResourceError(f"{where}: invalid pattern {p!r} ({exc}); fix the regular expression") from exc
        if compiled.match(""):
            raise ResourceError(f"{where}: pattern {p!r} matches the empty string; make it match a name")
    attrs = {k: raw[k] for k in sorted(allowed - COMMON_KEYS) if raw.get(k) is not None}
    for coord, lim in (("lat", 90), ("lon", 180)):
        if coord in attrs:
            v = attrs[coord]
            if not isinstance(v, (int, float)) or not -lim <= v <= lim:
                raise ResourceError(f"{where}: {coord} {v!r} must be a number between {-lim} and {lim}")
    if not aliases and not patterns and "province_of" not in attrs:
        raise ResourceError(f"{where}: give at least one alias or pattern")
    label = str(raw.get("label") or entry_id)
    return Entry(entry_id, kind, label, etype, aliases, patterns, case, attrs, source)


def _entry_mapping(e: Entry) -> dict:
    """An entry as the mapping it was read from (for :func:`resources.extend_entry`)."""
    raw = {"id": e.id, "label": e.label, "type": e.type, "aliases": list(e.aliases), "patterns": list(e.patterns)}
    return {**raw, "case": e.case, **e.attrs}


def _parse_native(data: dict, source: str, earlier: dict[str, Entry] | None = None) -> list[Entry]:
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        raise ResourceError(
            f"{source}: unknown top-level key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(FILE_KEYS))}"
        )
    entries, seen = [], set()
    for kind, section in (("actor", "actors"), ("place", "places")):
        items = data.get(section) or []
        if not isinstance(items, list):
            raise ResourceError(f"{source}: {section} must be a list of entries")
        for i, raw in enumerate(items):
            if isinstance(raw, dict) and EXTENDS_KEY in raw:
                base = (earlier or {}).get(raw.get("id"))
                if raw[EXTENDS_KEY] != "builtin" or base is None or base.kind != kind:
                    raise ResourceError(
                        f"{source} {kind} #{i + 1}: `extends: builtin` needs the id of a built-in {kind} "
                        f"(got {raw.get('id')!r}); remove `extends:` to add a new entry"
                    )
                raw = extend_entry(_entry_mapping(base), raw, ENTRY_LIST_KEYS)
            e = _parse_entry(raw, kind, source, i)
            if e.id in seen:
                raise ResourceError(f"{source}: duplicate id {e.id!r}; every entry needs its own id")
            seen.add(e.id)
            entries.append(e)
    return entries


def parse_quanteda_dictionary(data, source: str, *, kind: str = "actor") -> list[Entry]:
    """Entries from a quanteda/Lexicoder-style YAML dictionary (``key: [terms]``, nested keys allowed).

    Nested keys are joined with ``_`` into ids; a term with ``*`` (glob) becomes a regular-expression pattern
    (``daesh*`` -> any word starting with "daesh"); other terms are case-insensitive literal aliases, as in quanteda.
    """
    entries: list[Entry] = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*path, str(key)])
            return
        label = " / ".join(path)
        entry_id = re.sub(r"[^a-z0-9]+", "_", "_".join(path).lower()).strip("_")
        if not entry_id:
            raise ResourceError(f"{source}: key {label!r} gives an empty id; use letters or digits in the key")
        terms = _str_list(node, "terms", f"{source} key {label!r}")
        aliases, patterns = [], []
        for term in terms:
            if "*" in term or "?" in term:
                body = "".join(r"\w*" if c == "*" else r"\w" if c == "?" else regex.escape(c) for c in term)
                patterns.append(rf"(?i)(?<!\w){body}(?!\w)")
            else:
                aliases.append(term)
        entries.append(
            Entry(
                entry_id,
                kind,
                label,
                "other",
                tuple(dict.fromkeys(aliases)),
                tuple(patterns),
                "insensitive",
                {},
                source,
            )
        )

    if not isinstance(data, dict) or not data:
        raise ResourceError(f"{source}: a quanteda-style dictionary is a mapping of keys to lists of terms")
    walk(data, [])
    ids = Counter(e.id for e in entries)
    dup = [i for i, n in ids.items() if n > 1]
    if dup:
        raise ResourceError(f"{source}: keys give duplicate id(s) {', '.join(dup)}; rename the keys")
    return entries


def _province_aliases(entry: Entry, entries: dict[str, Entry]) -> Entry:
    """Add "<city> province/governorate" and "province of <city>" aliases for a province_of entry."""
    city_id = entry.attrs["province_of"]
    city = entries.get(city_id)
    if city is None:
        raise ResourceError(f"{entry.source} entry {entry.id!r}: province_of {city_id!r} is not an entry id")
    generated = []
    for alias in city.aliases:
        if re.search(r"\b(?:city|capital)\b", alias, flags=re.I):
            continue
        generated += [f"{alias} province", f"{alias} governorate", f"{alias} Governorate", f"province of {alias}"]
    aliases = tuple(dict.fromkeys([*entry.aliases, *generated]))
    return Entry(
        entry.id, entry.kind, entry.label, entry.type, aliases, entry.patterns, entry.case, entry.attrs, entry.source
    )


def _file_version(data, path: Path) -> str:
    if isinstance(data, dict) and data.get("version") is not None:
        return str(data["version"])
    from analysis.provenance import file_sha256

    return "sha256:" + file_sha256(path)[:12]


def load_dictionary(path: str | os.PathLike | list | None = None, *, extend: bool = True) -> ActorDictionary:
    """Load the actor dictionary and place gazetteer; validate them; return an :class:`ActorDictionary`.

    ``path``: your own YAML file(s) (format of ``analysis/resources/actors.yaml``: top-level ``version``,
    ``actors`` and/or ``places``; or a quanteda-style ``key: [terms]`` dictionary). With ``extend=True`` (default)
    your entries are added to the built-in ones and an entry with a built-in id replaces that entry; with
    ``extend=False`` (or ``extends: none`` at the top of your file) only your files are used. Any problem (duplicate id, an alias claimed by two entries, an
    invalid pattern, an unknown key) raises one :class:`ResourceError` naming the file and entry.
    """
    paths = [] if path is None else [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not extend and not paths:
        raise ParameterError("extend=False needs at least one dictionary file in path")
    for p in paths:  # the override rule: a file saying `extends: none` replaces the built-in files
        data = _read_yaml(Path(p))
        if isinstance(data, dict) and data.get(EXTENDS_KEY) is not None:
            extend = wants_extend(dict(data), Path(p), default=extend)
    builtin = [config.resource(ACTORS_FILE), config.resource(PLACES_FILE)] if extend else []
    entries: dict[str, Entry] = {}
    versions: dict[str, str] = {}
    for p in [*builtin, *map(Path, paths)]:
        data = _read_yaml(p)
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != EXTENDS_KEY}
        source = p.name if p in builtin else str(p)
        if _is_native(data):
            parsed = _parse_native(data, source, entries)
        elif isinstance(data, dict) and data:
            parsed = parse_quanteda_dictionary(data, source)
        else:
            raise ResourceError(
                f"{source}: expected a mapping with 'actors' and/or 'places' lists "
                f"(or a quanteda-style key: [terms] dictionary)"
            )
        for e in parsed:
            if e.id in entries and p not in builtin:
                log.info("%s: entry %r replaces the one from %s", source, e.id, entries[e.id].source)
                del entries[e.id]  # keep the new entry's position deterministic: appended last
            entries[e.id] = e
        versions[source] = _file_version(data, p)
    for eid, e in list(entries.items()):
        if "province_of" in e.attrs:
            entries[eid] = _province_aliases(e, entries)
    for e in entries.values():
        for ref in ("affiliation", "parent"):
            target = e.attrs.get(ref)
            if target is not None and target not in entries:
                raise ResourceError(f"{e.source} entry {e.id!r}: {ref} {target!r} is not an entry id")
    return ActorDictionary(list(entries.values()), versions)


@lru_cache(maxsize=4)
def _cached_dictionary(files: tuple[str, ...], _digests: tuple[str, ...]) -> ActorDictionary:
    return load_dictionary(list(files)) if files else default_dictionary()


def find_dictionary(files: tuple[str, ...] | list[str] | None = None) -> ActorDictionary:
    """The dictionary of the user ``files`` (paths, as ``analyze --actors/--places`` passes them to the stages),
    or the built-in one when there are none; loaded once per process for the same files with the same bytes."""
    files = tuple(str(f) for f in files or ())
    digests = tuple(file_version(f)["sha256"] for f in files)
    return _cached_dictionary(files, digests)


def find_file_versions(files: tuple[str, ...] | list[str] | None) -> dict[str, dict[str, str]]:
    """Path, version and sha256 of each user dictionary file (for manifest.json), keyed by its path."""
    return {str(f): {"path": str(f), **file_version(f)} for f in files or ()}


@lru_cache(maxsize=1)
def _default_dictionary() -> ActorDictionary:
    return load_dictionary()


def default_dictionary() -> ActorDictionary:
    """The built-in dictionary, loaded once per process."""
    return _default_dictionary()


def resolve_actor(name: str, *, dictionary: ActorDictionary | None = None) -> str | None:
    """The actor id a speaker/source name refers to ("the Joint Operations Command" -> ``joc``), or None."""
    return (dictionary or default_dictionary()).resolve(name, kind="actor")


def resolve_place(name: str, *, dictionary: ActorDictionary | None = None) -> str | None:
    """The place id a name refers to ("Deir al-Zor" -> ``deir_ezzor``), or None."""
    return (dictionary or default_dictionary()).resolve(name, kind="place")


def RESOURCE_VERSIONS() -> dict[str, dict[str, str]]:  # noqa: N802 - the name the pipeline looks up on every stage module
    """Version and sha256 of the built-in dictionary files and of the mention tone model (for manifest.json)."""
    from analysis import target_sentiment

    return {**resource_versions(ACTORS_FILE, PLACES_FILE), **target_sentiment.RESOURCE_VERSIONS()}
