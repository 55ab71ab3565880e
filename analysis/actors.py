"""Actors and places: dictionary + gazetteer, mention finding, counts, co-occurrence, actor tone, discovery."""

from __future__ import annotations

import logging
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
import numpy as np
import pandas as pd
import regex
import yaml

from analysis import config
from analysis.errors import ParameterError, ResourceError
from analysis.periods import require_columns, select_documents, to_period, validate_freq

# The pipeline runs this stage on English articles only (the actor dictionary and its rules are English).
LANGUAGES = ("en",)

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
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResourceError(f"cannot read dictionary file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ResourceError(f"{path} is not UTF-8 text: save the dictionary as UTF-8") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ResourceError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc


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


def _parse_native(data: dict, source: str) -> list[Entry]:
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
    ``extend=False`` only your files are used. Any problem (duplicate id, an alias claimed by two entries, an
    invalid pattern, an unknown key) raises one :class:`ResourceError` naming the file and entry.
    """
    paths = [] if path is None else [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not extend and not paths:
        raise ParameterError("extend=False needs at least one dictionary file in path")
    builtin = [config.resource(ACTORS_FILE), config.resource(PLACES_FILE)] if extend else []
    entries: dict[str, Entry] = {}
    versions: dict[str, str] = {}
    for p in [*builtin, *map(Path, paths)]:
        data = _read_yaml(p)
        source = p.name if p in builtin else str(p)
        if _is_native(data):
            parsed = _parse_native(data, source)
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


def _version_line(name: str) -> str:
    try:
        match = re.search(r"^version:\s*[\"']?([^\"'\n]+)", config.resource(name).read_text(encoding="utf-8"), re.M)
    except OSError:
        return "missing"
    return match.group(1).strip() if match else "unversioned"


def RESOURCE_VERSIONS() -> dict[str, str]:  # noqa: N802 - the name the pipeline looks up on every stage module
    """Versions of the built-in dictionary files (for manifest.json)."""
    return {ACTORS_FILE: _version_line(ACTORS_FILE), PLACES_FILE: _version_line(PLACES_FILE)}


# ------------------------------------------------------------------------------------------------ finding mentions
def _as_documents(texts_or_corpus) -> tuple[pd.DataFrame, bool]:
    """(doc_id, text[, sent_id, start]) frame and whether it is a sentence table."""
    if isinstance(texts_or_corpus, str):
        return pd.DataFrame({"doc_id": ["0"], "text": [texts_or_corpus]}), False
    if isinstance(texts_or_corpus, pd.Series):
        return pd.DataFrame({"doc_id": texts_or_corpus.index.astype(str), "text": texts_or_corpus.to_numpy()}), False
    if isinstance(texts_or_corpus, pd.DataFrame):
        require_columns(texts_or_corpus, ["doc_id", "text"], what="corpus")
        is_sent = "sent_id" in texts_or_corpus.columns
        if is_sent:
            require_columns(texts_or_corpus, ["start"], what="sentence table")
        return texts_or_corpus, is_sent
    try:
        texts = list(texts_or_corpus)
    except TypeError:
        raise ParameterError(
            f"find_mentions needs a text, a list of texts, a Series or a corpus DataFrame, "
            f"not {type(texts_or_corpus).__name__}"
        ) from None
    return pd.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts}), False


def _empty_mentions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": pd.Series([], dtype=object),
            "sent_id": pd.Series([], dtype="Int64"),
            "actor_id": pd.Series([], dtype=object),
            "kind": pd.Series([], dtype=object),
            "start": pd.Series([], dtype="int64"),
            "end": pd.Series([], dtype="int64"),
            "matched": pd.Series([], dtype=object),
        }
    )


def find_mentions(
    texts_or_corpus,
    *,
    dictionary: ActorDictionary | None = None,
    sentences: pd.DataFrame | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Every mention of an actor or place: doc_id, sent_id, actor_id, kind, start, end, matched.

    ``texts_or_corpus``: a corpus DataFrame (doc_id, text), a sentence table (doc_id, sent_id, start, text), a Series
    (index = doc_id), a list of texts or one text. ``start``/``end`` are character offsets into the document text
    (``text[start:end] == matched``). ``sent_id`` is filled when ``sentences`` (doc_id, sent_id, start) is given or
    the input is a sentence table; otherwise it is <NA>. ``actor_id`` holds actor and place ids alike; ``kind``
    says which ('actor' | 'place'). Longest match wins; a character belongs to at most one mention.
    """
    if kind not in (None, "actor", "place"):
        raise ParameterError(f"kind {kind!r} must be 'actor', 'place' or None (both)")
    dictionary = dictionary or default_dictionary()
    docs, is_sent = _as_documents(texts_or_corpus)
    matcher = dictionary._matcher_obj()
    kinds = {eid: e.kind for eid, e in dictionary.entries.items()}
    rows_doc, rows_sent, rows_id, rows_start, rows_end, rows_text = [], [], [], [], [], []
    sent_ids = docs["sent_id"].to_numpy() if is_sent else None
    offsets = docs["start"].to_numpy() if is_sent else None
    for i, (doc_id, text) in enumerate(zip(docs["doc_id"].to_numpy(), docs["text"].to_numpy())):
        if not isinstance(text, str) or not text:
            continue
        found = matcher.find(_normalise(text))
        if kind is not None:
            found = [m for m in found if kinds[m[2]] == kind]
        if not found:
            continue
        base = int(offsets[i]) if is_sent else 0
        for s, e, eid in found:
            rows_doc.append(doc_id)
            rows_start.append(s + base)
            rows_end.append(e + base)
            rows_id.append(eid)
            rows_text.append(text[s:e])
        if is_sent:
            rows_sent.extend([sent_ids[i]] * len(found))
    if not rows_doc:
        return _empty_mentions()
    out = pd.DataFrame(
        {
            "doc_id": pd.array(rows_doc, dtype=object),
            "sent_id": pd.array(rows_sent if is_sent else [pd.NA] * len(rows_doc), dtype="Int64"),
            "actor_id": pd.array(rows_id, dtype=object),
            "kind": pd.array([kinds[i] for i in rows_id], dtype=object),
            "start": np.asarray(rows_start, dtype="int64"),
            "end": np.asarray(rows_end, dtype="int64"),
            "matched": pd.array(rows_text, dtype=object),
        }
    )
    if sentences is not None and not is_sent:
        out = _assign_sentences(out, sentences)
    return out.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


def _assign_sentences(mentions: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Fill sent_id with the sentence (doc_id, sent_id, start) holding each mention's first character."""
    require_columns(sentences, ["doc_id", "sent_id", "start"], what="sentence table")
    sent = sentences[["doc_id", "sent_id", "start"]].rename(columns={"start": "_s"})
    sent = sent.assign(doc_id=sent["doc_id"].astype(str), _s=sent["_s"].astype("int64")).sort_values("_s")
    left = mentions.drop(columns="sent_id").assign(_doc=mentions["doc_id"].astype(str)).sort_values("start")
    merged = pd.merge_asof(
        left, sent.rename(columns={"doc_id": "_doc"}), left_on="start", right_on="_s", by="_doc", direction="backward"
    )
    merged["sent_id"] = merged["sent_id"].astype("Int64")
    return merged[MENTION_COLUMNS]


def analyze_chunk(docs: pd.DataFrame, sentences: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Pipeline stage: ``mentions`` (doc_id, sent_id, actor_id, kind, start, end, matched) for one chunk."""
    return {"mentions": find_mentions(docs, sentences=sentences)}


# ----------------------------------------------------------------------------------------------------------- counts
def _labels(dictionary: ActorDictionary) -> dict[str, str]:
    return {eid: e.label for eid, e in dictionary.entries.items()}


def _select_mentions(mentions: pd.DataFrame, *, kind: str | None, actors) -> pd.DataFrame:
    require_columns(mentions, ["doc_id", "actor_id", "kind"], what="mentions table")
    if kind not in (None, "actor", "place"):
        raise ParameterError(f"kind {kind!r} must be 'actor', 'place' or None (both)")
    out = mentions if kind is None else mentions[mentions["kind"] == kind]
    if actors is not None:
        actors = [actors] if isinstance(actors, str) else list(actors)
        known = set(mentions["actor_id"])
        missing = sorted(set(actors) - known)
        if missing and len(missing) == len(actors):
            raise ParameterError(
                f"none of the actors {missing} is mentioned in this table; e.g. {', '.join(sorted(known)[:8])}"
            )
        out = out[out["actor_id"].isin(actors)]
    return out


def _group_keys(docs: pd.DataFrame, by, freq) -> tuple[pd.DataFrame, list[str]]:
    """docs with a `period` column (when freq) and the list of grouping columns."""
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    bad = [b for b in by if b in ("actor_id", "kind", "period")]
    if bad:
        raise ParameterError(
            f"by={bad}: actors are always a key and periods come from freq=; "
            f"use corpus columns such as 'outlet' or 'agency'"
        )
    require_columns(docs, by, what="corpus")
    keys = list(by)
    docs = docs[["doc_id", "n_words", *by, *(["published"] if freq else [])]].copy()
    for b in by:
        docs[b] = docs[b].astype(object).where(docs[b].notna(), "(none)")
    if freq:
        docs["period"] = to_period(docs["published"], validate_freq(freq))
        docs = docs[docs["period"].notna()]
        keys = ["period", *keys]
    return docs, keys


def count_mentions(
    mentions: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    kind: str | None = None,
    actors=None,
    min_count: int = 1,
    dictionary: ActorDictionary | None = None,
) -> pd.DataFrame:
    """Mentions of each actor/place per group: raw, per 1,000 words, and share of articles mentioning it.

    ``mentions`` comes from :func:`find_mentions` (or ``mentions.parquet``), ``corpus`` gives the denominators
    (doc_id, n_words and the ``by`` columns such as 'outlet' or 'agency'; 'published' when ``freq`` is given).
    Rows: one per group x actor (zeros included) for actors with at least ``min_count`` mentions in the selection.
    Columns: [period], [by...], actor_id, kind, label, n_mentions, n_articles_mentioning, n_articles, n_words,
    mentions_per_1000_words, share_of_articles. Undated articles are left out when ``freq`` is given.
    """
    dictionary = dictionary or default_dictionary()
    require_columns(corpus, ["doc_id", "n_words"], what="corpus")
    docs = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    docs, keys = _group_keys(docs, by, freq)
    m = _select_mentions(mentions, kind=kind, actors=actors)
    m = m[["doc_id", "actor_id", "kind"]].merge(docs[["doc_id", *keys]], on="doc_id", how="inner")
    totals = m.groupby("actor_id").size()
    keep = totals.index[totals >= min_count]
    m = m[m["actor_id"].isin(keep)]
    denom = (
        docs.groupby(keys, dropna=False).agg(n_articles=("doc_id", "size"), n_words=("n_words", "sum")).reset_index()
        if keys
        else pd.DataFrame({"n_articles": [len(docs)], "n_words": [docs["n_words"].sum()]})
    )
    kinds = m.drop_duplicates("actor_id").set_index("actor_id")["kind"]
    grid = denom.merge(pd.DataFrame({"actor_id": sorted(keep)}), how="cross")
    if len(m):
        num = (
            m.groupby([*keys, "actor_id"])
            .agg(n_mentions=("doc_id", "size"), n_articles_mentioning=("doc_id", "nunique"))
            .reset_index()
        )
        grid = grid.merge(num, on=[*keys, "actor_id"], how="left")
    else:
        grid["n_mentions"], grid["n_articles_mentioning"] = 0, 0
    grid[["n_mentions", "n_articles_mentioning"]] = grid[["n_mentions", "n_articles_mentioning"]].fillna(0)
    grid = grid.astype(
        {"n_mentions": "int64", "n_articles_mentioning": "int64", "n_articles": "int64", "n_words": "int64"}
    )
    grid["kind"] = grid["actor_id"].map(kinds)
    grid["label"] = grid["actor_id"].map(_labels(dictionary)).fillna(grid["actor_id"])
    words = grid["n_words"].where(grid["n_words"] > 0)
    grid["mentions_per_1000_words"] = (grid["n_mentions"] * 1000 / words).astype("float64")
    grid["share_of_articles"] = (grid["n_articles_mentioning"] / grid["n_articles"]).astype("float64")
    cols = [
        *keys,
        "actor_id",
        "kind",
        "label",
        "n_mentions",
        "n_articles_mentioning",
        "n_articles",
        "n_words",
        "mentions_per_1000_words",
        "share_of_articles",
    ]
    return grid[cols].sort_values([*keys, "actor_id"], kind="stable").reset_index(drop=True)


def count_cooccurrence(
    mentions: pd.DataFrame,
    *,
    level: str = "sentence",
    corpus: pd.DataFrame | None = None,
    sentences: pd.DataFrame | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    kind: str | None = "actor",
    min_count: int = 1,
    as_matrix: bool = False,
) -> pd.DataFrame:
    """How often two actors are mentioned in the same sentence (``level='sentence'``) or article ('document').

    Long table, one row per pair (``actor_a`` < ``actor_b``): n_both (units mentioning both), n_a, n_b (units
    mentioning each), n_units (all units: the selected articles, or the sentences of ``sentences`` if given, else
    the sentences with any mention), jaccard = n_both / (n_a + n_b - n_both), lift = n_both * n_units / (n_a * n_b)
    (> 1: together more often than chance). Pairs with n_both >= ``min_count``, sorted by n_both (desc).
    ``corpus`` restricts to start/end/outlets/include_duplicates. ``as_matrix=True`` returns the symmetric
    actor-by-actor matrix of n_both instead (diagonal: n units mentioning the actor).
    """
    if level not in ("sentence", "document"):
        raise ParameterError(f"level {level!r} must be 'sentence' or 'document'")
    m = _select_mentions(mentions, kind=kind, actors=None)
    n_docs = None
    if corpus is not None:
        docs = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
        m = m[m["doc_id"].isin(docs["doc_id"])]
        n_docs = len(docs)
    elif start is not None or end is not None or outlets is not None or not include_duplicates:
        raise ParameterError("start/end/outlets/include_duplicates need corpus= (the articles table)")
    unit = ["doc_id"]
    if level == "sentence":
        require_columns(m, ["sent_id"], what="mentions table")
        if m["sent_id"].isna().any():
            raise ParameterError(
                "mentions have no sent_id: use find_mentions(corpus, sentences=...) or "
                "mentions.parquet from `python -m analysis analyze`, or level='document'"
            )
        unit = ["doc_id", "sent_id"]
    pairs_in = m[[*unit, "actor_id"]].drop_duplicates()
    if level == "document":
        n_units = n_docs if n_docs is not None else m["doc_id"].nunique()
    elif sentences is not None:
        require_columns(sentences, ["doc_id"], what="sentence table")
        n_units = len(sentences) if corpus is None else int(sentences["doc_id"].isin(docs["doc_id"]).sum())
    else:
        n_units = len(pairs_in[unit].drop_duplicates())
    per_actor = pairs_in.groupby("actor_id").size()
    if as_matrix:
        both = pairs_in.merge(pairs_in, on=unit, suffixes=("_a", "_b"))
        mat = pd.crosstab(both["actor_id_a"], both["actor_id_b"])
        mat.index.name, mat.columns.name = "actor_id", None
        return mat
    both = pairs_in.merge(pairs_in, on=unit, suffixes=("_a", "_b"))
    both = both[both["actor_id_a"] < both["actor_id_b"]]
    out = both.groupby(["actor_id_a", "actor_id_b"]).size().rename("n_both").reset_index()
    out = out[out["n_both"] >= min_count].rename(columns={"actor_id_a": "actor_a", "actor_id_b": "actor_b"})
    out["n_a"] = out["actor_a"].map(per_actor).astype("int64")
    out["n_b"] = out["actor_b"].map(per_actor).astype("int64")
    out["n_units"] = int(n_units)
    out["level"] = level
    out["jaccard"] = out["n_both"] / (out["n_a"] + out["n_b"] - out["n_both"])
    out["lift"] = out["n_both"] * out["n_units"] / (out["n_a"] * out["n_b"])
    out = out.astype({"n_both": "int64"})
    cols = ["actor_a", "actor_b", "level", "n_both", "n_a", "n_b", "n_units", "jaccard", "lift"]
    return (
        out[cols]
        .sort_values(["n_both", "actor_a", "actor_b"], ascending=[False, True, True], kind="stable")
        .reset_index(drop=True)
    )


def _sentence_scores(sentences: pd.DataFrame) -> pd.DataFrame:
    """doc_id, sent_id, vader_compound: from the table if present, else scored now with analysis.sentiment."""
    require_columns(sentences, ["doc_id", "sent_id"], what="sentence table")
    if "vader_compound" in sentences.columns:
        return sentences[["doc_id", "sent_id", "vader_compound"]]
    require_columns(sentences, ["text"], what="sentence table (no vader_compound column, so text is needed)")
    from analysis import sentiment  # only needed for standalone use; the pipeline already wrote the scores

    scores = sentiment.score_sentences(sentences["text"].fillna(""))
    return pd.DataFrame(
        {
            "doc_id": sentences["doc_id"].to_numpy(),
            "sent_id": sentences["sent_id"].to_numpy(),
            "vader_compound": scores["vader_compound"].to_numpy(),
        }
    )


def score_actor_tone(
    mentions: pd.DataFrame,
    sentences: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    kind: str | None = "actor",
    actors=None,
    min_count: int = 1,
    threshold: float = 0.05,
    dictionary: ActorDictionary | None = None,
) -> pd.DataFrame:
    """Tone of the sentences that mention each actor: VADER compound averaged over those sentences.

    ``sentences``: doc_id, sent_id and vader_compound (``sentences.parquet`` from the pipeline) or text (scored
    here with analysis.sentiment). A sentence mentioning an actor twice counts once for that actor.
    ``corpus`` is needed for ``by`` (e.g. 'outlet'), ``freq`` and the selection options.
    Columns: [period], [by...], actor_id, kind, label, n_sentences, n_articles, mean_compound, sd_compound,
    se_compound, share_negative (compound <= -threshold), share_positive (>= threshold).
    Rows with fewer than ``min_count`` sentences are dropped.
    """
    dictionary = dictionary or default_dictionary()
    m = _select_mentions(mentions, kind=kind, actors=actors)
    require_columns(m, ["sent_id"], what="mentions table")
    if m["sent_id"].isna().any():
        raise ParameterError("mentions have no sent_id: use find_mentions(corpus, sentences=...) or mentions.parquet")
    keys: list[str] = []
    units = m[["doc_id", "sent_id", "actor_id", "kind"]].drop_duplicates(["doc_id", "sent_id", "actor_id"])
    if corpus is not None:
        require_columns(corpus, ["doc_id"], what="corpus")
        corpus = corpus if "n_words" in corpus.columns else corpus.assign(n_words=0)
        docs = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
        docs, keys = _group_keys(docs, by, freq)
        units = units.merge(docs[["doc_id", *keys]], on="doc_id", how="inner")
    elif by is not None or freq is not None or start is not None or end is not None or outlets is not None:
        raise ParameterError("by/freq/start/end/outlets need corpus= (the articles table)")
    scores = _sentence_scores(sentences)
    units = units.astype({"sent_id": "int64"}).merge(
        scores.astype({"sent_id": "int64"}), on=["doc_id", "sent_id"], how="inner"
    )
    comp = units["vader_compound"]
    units = units.assign(_neg=(comp <= -threshold).astype("float64"), _pos=(comp >= threshold).astype("float64"))
    out = (
        units.groupby([*keys, "actor_id", "kind"])
        .agg(
            n_sentences=("vader_compound", "size"),
            n_articles=("doc_id", "nunique"),
            mean_compound=("vader_compound", "mean"),
            sd_compound=("vader_compound", "std"),
            share_negative=("_neg", "mean"),
            share_positive=("_pos", "mean"),
        )
        .reset_index()
    )
    out = out[out["n_sentences"] >= min_count]
    out["se_compound"] = out["sd_compound"] / np.sqrt(out["n_sentences"])
    out["label"] = out["actor_id"].map(_labels(dictionary)).fillna(out["actor_id"])
    cols = [
        *keys,
        "actor_id",
        "kind",
        "label",
        "n_sentences",
        "n_articles",
        "mean_compound",
        "sd_compound",
        "se_compound",
        "share_negative",
        "share_positive",
    ]
    return out[cols].sort_values([*keys, "actor_id"], kind="stable").reset_index(drop=True)


# -------------------------------------------------------------------------------------------------------- discovery
_NAME_RE = regex.compile(
    r"(?<![\p{L}\p{N}'])"
    r"(?:(?:[Aa]l|[Ee]l|[Aa]bu|[Bb]in|[Ii]bn|[Uu]m|[Aa]sh|[Aa]d|[Aa]r|[Aa]s|[Aa]z)[-\s])?"
    r"\p{Lu}[\p{Ll}'][\p{L}'\-]*"
    r"(?:[-\s](?:(?:al|el|ad|ar|as|az|ash|bin|ibn|abu|bani|of|for|the|de|ez|es)[-\s])?\p{Lu}[\p{Ll}'][\p{L}'\-]*)*"
    r"(?![\p{L}\p{N}])"
)
_ACRONYM_RE = regex.compile(r"(?<![\p{L}\p{N}'])\p{Lu}{2,6}s?(?![\p{L}\p{N}])")
MAX_NAME_WORDS = 6  # longer capitalised runs are page furniture ("Contact Us Legal Terms of Use ..."), not names
_LOWER_WORD_RE = regex.compile(r"(?<![\p{L}\p{N}])\p{Ll}[\p{Ll}'-]*")


@lru_cache(maxsize=1)
def _discovery_lists() -> tuple[frozenset, frozenset, frozenset]:
    """(stopwords, demonyms, titles) from the ``discovery`` section of the built-in actors.yaml."""
    data = _read_yaml(config.resource(ACTORS_FILE)).get("discovery") or {}
    return tuple(frozenset(str(w) for w in data.get(key, [])) for key in ("stopwords", "demonyms", "titles"))


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 12) : start].rstrip(" \t\"'(\u201c\u2018[-")
    return not before or before[-1] in ".!?:\n" or before.endswith("...")


def _strip_leading(name: str, drop: frozenset) -> str:
    """Drop leading words in ``drop`` and the lower-case joiners they leave ("Army of Conquest" -> "Conquest")."""
    words = name.split(" ")
    while len(words) > 1 and (words[0] in drop or words[0].islower()):
        words = words[1:]
    return " ".join(words)


def find_unlisted_names(
    corpus,
    *,
    dictionary: ActorDictionary | None = None,
    min_count: int = 2,
    top: int | None = 100,
    include_acronyms: bool = True,
    context: int = 40,
) -> pd.DataFrame:
    """Frequent capitalised names and acronyms that the dictionary does not cover, ranked, to extend it.

    ``corpus``: a corpus DataFrame (doc_id, text), a Series or a list of texts. Text covered by a dictionary
    mention is masked first, so only uncovered names remain. Single words that appear only at sentence starts,
    that are stopwords or demonyms ("Kurdish", "Sunni"; lists in the ``discovery`` section of actors.yaml), that
    also occur in lower case in the corpus (common words), or that are a covered name plus "s" (possessives
    written without apostrophe) are dropped; leading stopwords and titles are stripped ("Prime Minister X" -> "X");
    runs of more than six capitalised words (page furniture) are dropped.
    Columns: name (most frequent spelling), kind ('name' | 'acronym'), n_mentions, n_articles,
    n_sentence_initial, first_doc_id, context (the first occurrence with ``context`` characters around it).
    Sorted by n_articles, n_mentions (desc), then name; names with fewer than ``min_count`` mentions are dropped.
    """
    dictionary = dictionary or default_dictionary()
    docs, _ = _as_documents(corpus)
    stop, demonyms, titles = _discovery_lists()
    matcher = dictionary._matcher_obj()
    lower_vocab: Counter = Counter()
    found: dict[str, dict] = {}
    for doc_id, text in zip(docs["doc_id"].to_numpy(), docs["text"].to_numpy()):
        if not isinstance(text, str) or not text:
            continue
        norm = _normalise(text)
        chars = list(norm)
        for s, e, _ in matcher.find(norm):
            chars[s:e] = "\x00" * (e - s)
        masked = "".join(chars)
        lower_vocab.update(w for w in _LOWER_WORD_RE.findall(masked))
        cands = [(m.start(), m.group(), "name") for m in _NAME_RE.finditer(masked)]
        if include_acronyms:
            cands += [(m.start(), m.group(), "acronym") for m in _ACRONYM_RE.finditer(masked)]
        for start, name, ckind in cands:
            initial = _sentence_initial(masked, start)
            if ckind == "name":
                stripped = _strip_leading(_strip_leading(name, stop), titles)
                if stripped != name:
                    start += len(name) - len(stripped)
                    initial = False
                    name = stripped
                if name in stop or name in titles or name in demonyms:
                    continue
            key = name.lower()
            rec = found.get(key)
            if rec is None:
                lo, hi = max(0, start - context), min(len(text), start + len(name) + context)
                rec = found[key] = {
                    "forms": Counter(),
                    "kind": ckind,
                    "n": 0,
                    "docs": set(),
                    "initial": 0,
                    "first_doc_id": doc_id,
                    "context": " ".join(text[lo:hi].split()),
                }
            rec["forms"][name] += 1
            rec["n"] += 1
            rec["docs"].add(doc_id)
            rec["initial"] += initial
    rows = []
    for key, rec in found.items():
        name = rec["forms"].most_common(1)[0][0]
        if rec["n"] < min_count or name.count(" ") >= MAX_NAME_WORDS:
            continue
        if name[-1] == "s" and (dictionary.resolve(name[:-1]) or name[:-1] in stop | demonyms):
            continue  # a possessive written without its apostrophe ("Assads", "Syrias"): already covered
        single = " " not in name and "-" not in name
        if rec["kind"] == "name" and single:
            if rec["initial"] == rec["n"]:
                continue  # only ever seen at the start of a sentence: most likely an ordinary word
            if lower_vocab.get(key, 0) >= rec["n"] - rec["initial"]:
                continue  # as common in lower case as capitalised mid-sentence: an ordinary word
        rows.append(
            {
                "name": name,
                "kind": rec["kind"],
                "n_mentions": rec["n"],
                "n_articles": len(rec["docs"]),
                "n_sentence_initial": rec["initial"],
                "first_doc_id": rec["first_doc_id"],
                "context": rec["context"],
            }
        )
    out = pd.DataFrame(
        rows, columns=["name", "kind", "n_mentions", "n_articles", "n_sentence_initial", "first_doc_id", "context"]
    )
    out = out.sort_values(["n_articles", "n_mentions", "name"], ascending=[False, False, True], kind="stable")
    out = out.reset_index(drop=True)
    return out.head(top) if top else out


# ------------------------------------------------------------------------------------------------------- validation
def score_place_agreement(
    corpus: pd.DataFrame,
    *,
    label_column: str = "location",
    dictionary: ActorDictionary | None = None,
    text_columns: tuple[str, ...] = ("title", "text"),
    title_weight: float = 1.0,
) -> pd.DataFrame:
    """Per article: does the most-mentioned city-level place equal the article's location label?

    ``corpus`` has doc_id, the ``text_columns`` (missing ones are skipped) and ``label_column`` (e.g. FA-KES
    ``location``: "deir ezzor", "lattakia"...). Labels are resolved through the gazetteer to a city-level id.
    Mentions count towards the ``city_level`` of their place (Douma -> damascus); ties go to the place mentioned
    first. ``title_weight`` > 1 counts a mention in the ``title`` column that many times (1 = plain counts).
    Columns: doc_id, label, label_city, predicted_city, runner_up_city, n_place_mentions, n_city_mentions,
    correct. ``table.correct.mean()`` is the agreement; rows whose label does not resolve have label_city <NA>.
    """
    dictionary = dictionary or default_dictionary()
    require_columns(corpus, ["doc_id", label_column], what="corpus")
    cols = [c for c in text_columns if c in corpus.columns]
    if not cols:
        raise ParameterError(f"corpus has none of the text columns {list(text_columns)}")
    city = {eid: e.attrs.get("city_level") for eid, e in dictionary.entries.items() if e.kind == "place"}
    matcher = dictionary._matcher_obj()
    label_cache: dict[str, str | None] = {}
    rows = []
    columns = [corpus[c].fillna("").astype(str).to_numpy() for c in cols]
    weights = [title_weight if c == "title" else 1.0 for c in cols]
    for row, (doc_id, label) in enumerate(zip(corpus["doc_id"], corpus[label_column])):
        found, counts, first, offset = [], Counter(), {}, 0
        for values, weight in zip(columns, weights):
            text = values[row]
            for s, _, eid in matcher.find(_normalise(text)):
                c = city.get(eid, False)
                if c is False:
                    continue
                found.append(eid)
                if c:
                    counts[c] += weight
                    first.setdefault(c, offset + s)
            offset += len(text) + 1
        ranked = sorted(counts, key=lambda c: (-counts[c], first[c]))
        if label not in label_cache:
            pid = dictionary.resolve(str(label), kind="place") if isinstance(label, str) else None
            label_cache[label] = city.get(pid) if pid else None
        label_city = label_cache[label]
        pred = ranked[0] if ranked else None
        rows.append(
            {
                "doc_id": doc_id,
                "label": label,
                "label_city": label_city,
                "predicted_city": pred,
                "runner_up_city": ranked[1] if len(ranked) > 1 else None,
                "n_place_mentions": len(found),
                "n_city_mentions": sum(1 for eid in found if city[eid]),
                "correct": bool(pred is not None and pred == label_city),
            }
        )
    return pd.DataFrame(rows)


def load_fakes(path: str | os.PathLike) -> pd.DataFrame:
    """FA-KES CSV (latin-1) as a small corpus: doc_id (row number), title, text, outlet, published, location, label.

    For validation of the gazetteer only; the full ingest path is ``python -m analysis ingest``.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, encoding="latin-1")
    except (OSError, pd.errors.ParserError) as exc:
        raise ParameterError(f"cannot read FA-KES CSV {path}: {exc}") from exc
    require_columns(raw, ["article_title", "article_content", "location"], what=str(path))
    return pd.DataFrame(
        {
            "doc_id": [f"fakes-{i:04d}" for i in range(1, len(raw) + 1)],
            "title": raw["article_title"],
            "text": raw["article_content"].fillna(""),
            "outlet": raw.get("source"),
            "published": pd.to_datetime(raw.get("date"), format="%m/%d/%Y", errors="coerce"),
            "location": raw["location"],
            "label": raw.get("labels"),
            "n_words": raw["article_content"].fillna("").str.split().str.len().astype("int64"),
        }
    )
