"""Attribution rules: speech verbs (hand list and PolNeAR lexicon), speaker words, anonymous cues, source types."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.cuematch import find_end_literals
from analysis.errors import ResourceError
from analysis.frames.attribution_tagger import TAGGER_FILE, AttributionTagger, load_attribution_tagger
from analysis.frames.cue_gate import GATE_FILE, CueGate, load_cue_gate
from analysis.frames.document import (
    _named_alternation,
    _rows,
)
from analysis.resources import check_keys, compile_cues, load_mapping, load_parsed, load_resource, resource_path

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
#: What reports show for each source type (figures, tables): short, plain labels instead of the ids.
SOURCE_TYPE_LABELS = {
    "government_military": "government / military",
    "armed_group": "armed group",
    "monitor_ngo": "monitor / NGO",
    "un_international": "UN / international",
    "civilian_witness": "civilian / witness",
    "journalist_agency": "journalist / agency",
    "anonymous": "anonymous",
    "other": "other (unclassified)",
    "unresolved": "pronoun (unresolved)",
}


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
    form_stats: dict | None = None  # verb form -> (n_cue, n_seen) on the lexicon's training data
    gate: CueGate | None = None  # keeps or drops the candidates of gated verbs (verbs["gated"]); None keeps all
    tagger: AttributionTagger | None = None  # the CRF that adds source+cue pairs the rules miss; None: rules only
    cue_exclude: frozenset = frozenset()  # `tagger: exclude:` words: no tagger cue holds one
    tagger_file: str | None = None  # the tagger's weights named in the file (loaded when `enabled` or on request)
    # what each match of trailing_regex / not_speaker_regex ends with, lower case (None: not known); always derived
    # from those regexes when the rules are made (analysis.cuematch.find_end_literals), so that rules made with
    # dataclasses.replace and another regex never keep the ends of the old one
    trailing_ends: tuple[str, ...] | None = field(init=False, default=None)
    not_speaker_ends: tuple[str, ...] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "trailing_ends", find_end_literals(self.trailing_regex))
        object.__setattr__(self, "not_speaker_ends", find_end_literals(self.not_speaker_regex))

    @property
    def verb_rows(self) -> list[dict]:
        return _rows(self.verbs)

    def verb_row(self, m: re.Match) -> int:
        """The verb row of a match of ``verb_regex``."""
        return self.verb_forms[m.group()] if self.verb_forms is not None else int(m.lastgroup[1:])


def load_attribution_rules(
    source: str | Path | AttributionRules | None = None, *, tagger: bool | None = None
) -> AttributionRules:
    """Load the source-attribution rules: None for the built-in ``attribution.yaml`` or your own YAML file.

    ``tagger``: None follows the file's ``tagger: enabled:``; True adds the CRF tagger of the file's ``tagger:``
    section (opt-in in the built-in file: it costs about 60% more CPU in the frames stage); False leaves it out.
    """
    rules = source if isinstance(source, AttributionRules) else load_parsed(source, ATTRIBUTION_FILE, _parse_rules)
    if tagger is False and rules.tagger is not None:
        return replace(rules, tagger=None)
    if tagger and rules.tagger is None:
        if rules.tagger_file is None:
            raise ResourceError(f"{rules.path}: no `tagger:` section to switch on")
        return replace(rules, tagger=_load_tagger(rules.tagger_file))
    return rules


def _load_tagger(name: str) -> AttributionTagger:
    return load_attribution_tagger(None if name == TAGGER_FILE else _lexicon_file(name))


def _parse_rules(path: Path) -> AttributionRules:
    path, data = load_resource(path, ATTRIBUTION_FILE, lists=_LISTS)
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
        "tagger",
    }
    check_keys(data, keys, keys - {"actor_types", "lexicon", "tagger"}, str(path))
    participles, form_stats, gate = [], {}, None
    if data.get("lexicon"):
        extra, participles, form_stats = _lexicon_verbs(data["lexicon"], data["verbs"] or [], str(path))
        data["verbs"] = list(data["verbs"] or []) + extra
        if any(e.get("gated") for e in extra) and data["lexicon"].get("gate"):
            gate_file = str(data["lexicon"]["gate"])
            gate = load_cue_gate(None if gate_file == GATE_FILE else _lexicon_file(gate_file))
    tagger, cue_exclude, tagger_file = None, frozenset(), None
    if data.get("tagger"):
        spec = data["tagger"]
        check_keys(spec, {"file", "exclude", "enabled"}, {"file"}, f"{path}: tagger")
        tagger_file = str(spec["file"])
        if spec.get("enabled", True):
            tagger = _load_tagger(tagger_file)
        cue_exclude = frozenset(str(w).lower() for w in spec.get("exclude") or [])
    verbs, requires = [], {}
    for n, e in enumerate(data["verbs"] or [], 1):
        where = f"{path}: verb #{n} ({e.get('lemma', '?') if isinstance(e, dict) else '?'})"
        check_keys(
            e,
            {"lemma", "pattern", "inverted", "speaker_requires", "not_followed_by", "gated", "lexicon"},
            {"lemma", "pattern"},
            where,
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
                "gated": bool(e.get("gated", False)),
                "lexicon": bool(e.get("lexicon", False)),
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
    trailing = re.compile(rf"(?:\s+(?:{data['speaker_trailing_words']}))+\s*$", re.IGNORECASE)
    # case-sensitive, so that "IS said" keeps its speaker while "... is said" has none
    not_speaker = re.compile(rf"(?<!\w)(?:{data['not_speaker_endings']})\s*$")
    return AttributionRules(
        str(data["version"]),
        str(path),
        vdf.drop(columns="where"),
        verb_regex,
        rx("according_to"),
        re.compile(rf"\s+(?:{data['media_addressee']})(?!\w)", re.IGNORECASE),
        requires,
        trailing,
        not_speaker,
        re.compile(rf"^(?:{data['pronouns']})$", re.IGNORECASE),
        max_words,
        rx("anonymous"),
        tuple(types),
        {str(k): v for k, v in (data.get("actor_types") or {}).items()},
        verb_forms,
        re.compile(rf"(?<=,)\s+(?:{_trie_pattern(participles)})(?![\w-])") if participles else None,
        form_stats,
        gate,
        tagger,
        cue_exclude,
        tagger_file,
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


def _lexicon_file(name: str) -> Path:
    """A file named in ``lexicon:``: an absolute path, or the name of a built-in resource."""
    return resource_path(name, name) if Path(name).is_absolute() else config.resource(name)


def _verb_form(form: str, forms: set[str], irregular: set[str]) -> bool:
    """Whether a lexicon word reads as a finite verb: a past in -ed or an irregular past, or an -s form whose past
    is in the lexicon too ("thinks" / "thought", "backs" / "backed"); the lexicon also counts the nouns, particles
    and weekdays of cue spans ("interview", "about", "Tuesday")."""
    if form in irregular or (form.endswith("ed") and len(form) > 4):
        return True
    if form.endswith("s") and not form.endswith(("ss", "us", "is")):
        stem = form[:-2] if form.endswith("es") else form[:-1]
        return any(p in forms or p in irregular for p in (stem + "ed", stem + "d", form[:-1] + "ed"))
    return False


def _lexicon_verbs(spec, verbs: list, where: str) -> tuple[list[dict], list[str], dict]:
    """Verb entries, -ing participles and form counts from the reporting-verb lexicon (``lexicon:`` in the rules).

    Forms already in ``verbs`` are skipped; a form is used when its cue rate and cue count on the lexicon's
    training data reach ``min_form_rate`` / ``min_form_cues``; noun-like forms are left out and participles in
    -ing are returned apart (they head no "X <verb>" clause but ", saying ..." after one). Forms below that rate but
    at or above ``gated_min_rate`` (and ``min_form_cues``) become verbs marked ``gated``: the cue gate decides each
    of their candidates. The counts: form -> (n_cue, n_seen), for every form of the lexicon.
    """
    check_keys(
        spec,
        {"file", "min_form_rate", "min_form_cues", "exclude", "gated_min_rate", "gate", "irregular_past"},
        {"file"},
        f"{where}: lexicon",
    )
    lex = load_mapping(_lexicon_file(spec["file"]))
    taken = {f.lower() for e in verbs if isinstance(e, dict) for f in str(e.get("pattern", "")).split("|")}
    rate, cues = float(spec.get("min_form_rate", 0.3)), int(spec.get("min_form_cues", 3))
    gated_rate = float(spec.get("gated_min_rate", rate))
    exclude = set(spec.get("exclude") or [])
    irregular = {str(f) for f in spec.get("irregular_past") or []}
    all_forms = {f for e in lex.get("verbs") or [] for f in (e.get("forms") or {})}
    out, participles, stats = [], [], {}
    for e in lex.get("verbs") or []:
        ok, gated = [], []
        for f, st in (e.get("forms") or {}).items():
            stats[f] = (int(st["n_cue"]), int(st["n_seen"]))
            if st["n_cue"] < cues or not f.isalpha() or f in exclude or str(e["lemma"]) in exclude:
                continue
            low = _wilson_lower(st["n_cue"], st["n_seen"])
            if low >= rate:
                ok.append(f)
            elif low >= gated_rate and _verb_form(f, all_forms, irregular):
                gated.append(f)
        participles.extend(f for f in ok if f.endswith("ing") and f != "according")  # "according to X" is apart
        for forms, is_gated in ((ok, False), (gated, True)):
            forms = [f for f in forms if f not in taken and not _NOT_FINITE.search(f)]
            if forms:
                taken.update(forms)
                entry = {
                    "lemma": str(e["lemma"]),
                    "pattern": "|".join(forms),
                    "inverted": bool(e.get("inverted")),
                    "lexicon": True,
                }
                out.append({**entry, "gated": True} if is_gated else entry)
    return out, sorted(set(participles)), stats
