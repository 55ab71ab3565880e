"""Framing: generic and domain news frames, conflict labels, territorial verbs and source attribution, with evidence.

Everything here is rule-based and transparent: the cues, labels, verbs and attribution rules are data in
``analysis/resources/{frames,conflict_language,attribution}.yaml``; each measure keeps the matched text and its
character offsets so that a researcher can read why an article was coded the way it was. See docs/framing.md.

Typical use in JupyterLab::

    from analysis import frames
    scores, indicators, evidence = frames.score_frames(corpus)
    frames.count_frames(scores, corpus, by="outlet", freq="Q")
    labels = frames.find_labels(corpus)
    frames.count_labels(labels, corpus, by="outlet")
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml

from analysis import actors, config
from analysis.errors import ParameterError, ResourceError
from analysis.periods import require_columns, select_documents, to_period, validate_freq
from analysis.text import NEWS_ABBREVIATIONS, split_sentences

# The pipeline runs this stage on English articles only (the frame codebook and cue lists are English).
LANGUAGES = ("en",)

CODEBOOK_FILE = "frames.yaml"
LANGUAGE_FILE = "conflict_language.yaml"
ATTRIBUTION_FILE = "attribution.yaml"

VOICES = ("own", "attributed")
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


# ================================================================================================= resource files
def _resource_path(source, default: str) -> Path:
    path = config.resource(default) if source is None else Path(source)
    if not path.is_file():
        raise ResourceError(
            f"resource file {path} does not exist: pass an existing YAML file or None for the built-in {default}"
        )
    return path


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ResourceError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}); fix the syntax") from exc
    if not isinstance(data, dict) or "version" not in data:
        raise ResourceError(f"{path}: expected a mapping with a `version:` key at the top level")
    return data


def _check_keys(entry, allowed: set[str], required: set[str], where: str) -> None:
    if not isinstance(entry, dict):
        raise ResourceError(f"{where}: expected a mapping, got {type(entry).__name__}")
    unknown = set(entry) - allowed
    if unknown:
        raise ResourceError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    missing = required - set(entry)
    if missing:
        raise ResourceError(f"{where}: missing key(s) {sorted(missing)}")


def _merge_by_id(base: list, extra: list, key: str) -> list:
    """Entries of ``extra`` replace those of ``base`` with the same ``key`` and the rest are appended."""
    out = {e[key]: e for e in base}
    out.update({e[key]: e for e in extra if isinstance(e, dict) and key in e})
    return list(out.values())


def _load_with_extends(source, default: str) -> tuple[Path, dict]:
    path = _resource_path(source, default)
    data = _read_yaml(path)
    extends = data.pop("extends", None)
    if extends is not None:
        if extends != "builtin":
            raise ResourceError(f"{path}: `extends:` must be `builtin` (or be left out to replace the built-in file)")
        base = _read_yaml(config.resource(default))
        for list_key, id_key in (
            ("frames", "id"),
            ("labels", "id"),
            ("territorial_verbs", "lemma"),
            ("verbs", "lemma"),
            ("source_types", "id"),
        ):
            if list_key in data or list_key in base:
                data[list_key] = _merge_by_id(base.get(list_key) or [], data.get(list_key) or [], id_key)
        for k, v in base.items():
            data.setdefault(k, v)
        data["version"] = f"{base['version']}+{data['version']}"
    return path, data


def _compile_cues(cues, where: str) -> re.Pattern:
    """One case-insensitive regex for a list of cues, each wrapped in implicit word boundaries."""
    if isinstance(cues, str):
        cues = [cues]
    if not cues or not all(isinstance(c, str) and c.strip() for c in cues):
        raise ResourceError(f"{where}: needs at least one non-empty pattern string")
    for cue in cues:
        try:
            re.compile(cue)
        except re.error as exc:
            raise ResourceError(f"{where}: invalid pattern {cue!r} ({exc}); fix the regular expression") from exc
    body = "|".join(f"(?:{c})" for c in cues)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


# ------------------------------------------------------------------------------------------------- frame codebook
@dataclass(frozen=True)
class Indicator:
    """One yes/no indicator question of a frame, with the cues that operationalise it."""

    frame: str
    id: str
    question: str
    measurable: bool
    cues: tuple[str, ...]
    regex: re.Pattern | None

    @property
    def key(self) -> str:
        """``frame.indicator``: the name of this question in coding sheets and validation tables."""
        return f"{self.frame}.{self.id}"


@dataclass(frozen=True)
class Frame:
    id: str
    label: str
    family: str
    indicators: tuple[Indicator, ...]

    @property
    def measurable(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.measurable)


@dataclass(frozen=True)
class Codebook:
    """A frame codebook: frames, each with indicator questions and their cues (see :func:`load_codebook`)."""

    version: str
    path: str
    frames: tuple[Frame, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for f in self.frames for i in f.indicators)

    def frame(self, frame_id: str) -> Frame:
        for f in self.frames:
            if f.id == frame_id:
                return f
        raise ParameterError(f"unknown frame {frame_id!r}; the codebook has: {', '.join(f.id for f in self.frames)}")

    def to_frame(self) -> pd.DataFrame:
        """The codebook as a table: frame, family, indicator, question, measurable, n_cues, cues."""
        return pd.DataFrame(
            [
                {
                    "frame": i.frame,
                    "family": self.frame(i.frame).family,
                    "indicator": i.id,
                    "question": i.question,
                    "measurable": i.measurable,
                    "n_cues": len(i.cues),
                    "cues": " | ".join(i.cues),
                }
                for i in self.indicators
            ]
        )


def load_codebook(source: str | Path | Codebook | None = None) -> Codebook:
    """Load a frame codebook: None for the built-in ``frames.yaml``, or a path to your own YAML file.

    Your file replaces the built-in one, or adds to it (frames with the same id replaced) when it starts with
    ``extends: builtin``. Errors name the file and the entry.
    """
    if isinstance(source, Codebook):
        return source
    path = _resource_path(source, CODEBOOK_FILE)
    return _load_codebook_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_codebook_cached(path_str: str, _mtime: int) -> Codebook:
    path, data = _load_with_extends(Path(path_str), CODEBOOK_FILE)
    _check_keys(data, {"version", "frames"}, {"version", "frames"}, str(path))
    frames, seen = [], set()
    for n, fr in enumerate(data["frames"] or [], 1):
        where = f"{path}: frame #{n} ({fr.get('id', '?') if isinstance(fr, dict) else '?'})"
        _check_keys(fr, {"id", "label", "family", "indicators"}, {"id", "indicators"}, where)
        if fr["id"] in seen:
            raise ResourceError(f"{where}: duplicate frame id {fr['id']!r}; frame ids must be unique")
        seen.add(fr["id"])
        inds, ind_seen = [], set()
        for m, ind in enumerate(fr["indicators"] or [], 1):
            iwhere = f"{where}, indicator #{m} ({ind.get('id', '?') if isinstance(ind, dict) else '?'})"
            _check_keys(ind, {"id", "question", "cues", "measurable"}, {"id", "question"}, iwhere)
            if ind["id"] in ind_seen:
                raise ResourceError(f"{iwhere}: duplicate indicator id {ind['id']!r} in frame {fr['id']!r}")
            ind_seen.add(ind["id"])
            measurable = bool(ind.get("measurable", True))
            cues = tuple(ind.get("cues") or ())
            if measurable and not cues:
                raise ResourceError(f"{iwhere}: a measurable indicator needs `cues:` (or set `measurable: false`)")
            regex = _compile_cues(list(cues), iwhere) if measurable else None
            inds.append(Indicator(fr["id"], str(ind["id"]), str(ind["question"]), measurable, cues, regex))
        if not any(i.measurable for i in inds):
            raise ResourceError(f"{where}: needs at least one measurable indicator")
        frames.append(
            Frame(str(fr["id"]), str(fr.get("label", fr["id"])), str(fr.get("family", "custom")), tuple(inds))
        )
    if not frames:
        raise ResourceError(f"{path}: no frames defined under `frames:`")
    return Codebook(str(data["version"]), str(path), tuple(frames))


# ------------------------------------------------------------------------------------------------- conflict language
@dataclass(frozen=True)
class Lexicon:
    """Labels for armed groups and territorial-change verbs (see :func:`load_conflict_language`)."""

    version: str
    path: str
    labels: pd.DataFrame  # id, class, pattern
    verbs: pd.DataFrame  # lemma, perspective, agent, place, pattern
    label_regex: re.Pattern  # named groups L0, L1, ... (one per label row)
    verb_regex: re.Pattern  # named groups V0, V1, ...

    @property
    def label_rows(self) -> list[dict]:
        return _rows(self.labels)

    @property
    def verb_rows(self) -> list[dict]:
        return _rows(self.verbs)


def _named_alternation(
    patterns: list[str], prefix: str, where: list[str], *, ignore_case: bool = True, boundary: str = r"\w"
) -> re.Pattern:
    parts = []
    for n, (pat, w) in enumerate(zip(patterns, where)):
        _compile_cues([pat], w)  # validates and names the entry in the error
        parts.append(f"(?P<{prefix}{n}>{pat})")
    return re.compile(rf"(?<![{boundary}])(?:{'|'.join(parts)})(?![{boundary}])", re.IGNORECASE if ignore_case else 0)


def load_conflict_language(source: str | Path | Lexicon | None = None) -> Lexicon:
    """Load the labels and territorial verbs: None for the built-in ``conflict_language.yaml`` or your own YAML."""
    if isinstance(source, Lexicon):
        return source
    path = _resource_path(source, LANGUAGE_FILE)
    return _load_lexicon_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_lexicon_cached(path_str: str, _mtime: int) -> Lexicon:
    path, data = _load_with_extends(Path(path_str), LANGUAGE_FILE)
    _check_keys(data, {"version", "labels", "territorial_verbs"}, {"version", "labels", "territorial_verbs"}, str(path))
    labels, seen = [], set()
    for n, e in enumerate(data["labels"] or [], 1):
        where = f"{path}: label #{n} ({e.get('id', '?') if isinstance(e, dict) else '?'})"
        _check_keys(e, {"id", "class", "pattern"}, {"id", "class", "pattern"}, where)
        if e["id"] in seen:
            raise ResourceError(f"{where}: duplicate label id {e['id']!r}")
        seen.add(e["id"])
        labels.append({"id": str(e["id"]), "class": str(e["class"]), "pattern": str(e["pattern"]), "where": where})
    verbs, seen = [], set()
    for n, e in enumerate(data["territorial_verbs"] or [], 1):
        where = f"{path}: territorial verb #{n} ({e.get('lemma', '?') if isinstance(e, dict) else '?'})"
        _check_keys(
            e,
            {"lemma", "perspective", "agent", "place", "pattern", "needs_place"},
            {"lemma", "perspective", "pattern"},
            where,
        )
        if e["lemma"] in seen:
            raise ResourceError(f"{where}: duplicate lemma {e['lemma']!r}")
        seen.add(e["lemma"])
        agent = e.get("agent", "before")
        place = e.get("place", "before" if agent == "after" else "after")
        if agent not in ("before", "after", "none") or place not in ("before", "after"):
            raise ResourceError(f"{where}: `agent:` must be before/after/none and `place:` before/after")
        verbs.append(
            {
                "lemma": str(e["lemma"]),
                "perspective": str(e["perspective"]),
                "agent": agent,
                "place": place,
                "needs_place": bool(e.get("needs_place", False)),
                "pattern": str(e["pattern"]),
                "where": where,
            }
        )
    if not labels or not verbs:
        raise ResourceError(f"{path}: needs at least one entry under `labels:` and under `territorial_verbs:`")
    lab, vb = pd.DataFrame(labels), pd.DataFrame(verbs)
    return Lexicon(
        str(data["version"]),
        str(path),
        lab.drop(columns="where"),
        vb.drop(columns="where"),
        _named_alternation(list(lab["pattern"]), "L", list(lab["where"])),
        _named_alternation(list(vb["pattern"]), "V", list(vb["where"])),
    )


# ------------------------------------------------------------------------------------------------- attribution rules
@dataclass(frozen=True)
class AttributionRules:
    """Speech verbs, speaker-phrase rules, anonymous cues and source types (see :func:`load_attribution_rules`)."""

    version: str
    path: str
    verbs: pd.DataFrame  # lemma, pattern, past, inverted, speaker_requires
    verb_regex: re.Pattern  # named groups S0, S1, ...
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

    @property
    def verb_rows(self) -> list[dict]:
        return _rows(self.verbs)


def _rows(df: pd.DataFrame) -> list[dict]:
    """Rows of a small resource table as dicts, stored on the table (resource tables are not changed once loaded)."""
    rows = df.attrs.get("_rows")
    if rows is None or len(rows) != len(df):
        rows = df.to_dict("records")
        df.attrs["_rows"] = rows
    return rows


def load_attribution_rules(source: str | Path | AttributionRules | None = None) -> AttributionRules:
    """Load the source-attribution rules: None for the built-in ``attribution.yaml`` or your own YAML file."""
    if isinstance(source, AttributionRules):
        return source
    path = _resource_path(source, ATTRIBUTION_FILE)
    return _load_rules_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_rules_cached(path_str: str, _mtime: int) -> AttributionRules:
    path, data = _load_with_extends(Path(path_str), ATTRIBUTION_FILE)
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
    }
    _check_keys(data, keys, keys - {"actor_types"}, str(path))
    verbs, requires = [], {}
    for n, e in enumerate(data["verbs"] or [], 1):
        where = f"{path}: verb #{n} ({e.get('lemma', '?') if isinstance(e, dict) else '?'})"
        _check_keys(
            e, {"lemma", "pattern", "inverted", "speaker_requires", "not_followed_by"}, {"lemma", "pattern"}, where
        )
        past = str(e["pattern"]).split("|")[0]
        exclude = None
        if e.get("not_followed_by"):
            exclude = re.compile(rf"\s+(?:{_compile_cues([e['not_followed_by']], where).pattern})", re.IGNORECASE)
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
            requires[n - 1] = _compile_cues([e["speaker_requires"]], where + " speaker_requires")
    if not verbs:
        raise ResourceError(f"{path}: no speech verbs under `verbs:`")
    vdf = pd.DataFrame(verbs)
    types = []
    for n, e in enumerate(data["source_types"] or [], 1):
        where = f"{path}: source type #{n} ({e.get('id', '?') if isinstance(e, dict) else '?'})"
        _check_keys(e, {"id", "type", "label", "pattern", "before_actor"}, {"id", "pattern"}, where)
        types.append(
            (
                str(e.get("type", e["id"])),
                str(e.get("label", e["id"])),
                _compile_cues([e["pattern"]], where),
                bool(e.get("before_actor", False)),
            )
        )
    try:
        max_words = int(data["max_speaker_words"])
    except (TypeError, ValueError) as exc:
        raise ResourceError(f"{path}: max_speaker_words must be an integer") from exc

    def rx(key):
        return _compile_cues([data[key]], f"{path}: {key}")

    return AttributionRules(
        str(data["version"]),
        str(path),
        vdf.drop(columns="where"),
        # speech verbs are matched case-sensitively: "The United States" is not "X states"
        # and not inside hyphenated words ("long-stated criteria")
        _named_alternation(list(vdf["pattern"]), "S", list(vdf["where"]), ignore_case=False, boundary=r"\w-"),
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
    )


def RESOURCE_VERSIONS() -> dict[str, str]:  # noqa: N802 - name fixed by the pipeline contract
    """Versions of the built-in resources used by the `analyze` stage (recorded in manifest.json)."""
    return {
        "frames": load_codebook().version,
        "conflict_language": load_conflict_language().version,
        "attribution": load_attribution_rules().version,
    }


# ================================================================================================== shared plumbing
def _as_docs(corpus_or_docs) -> pd.DataFrame:
    if isinstance(corpus_or_docs, str):
        corpus_or_docs = pd.DataFrame({"doc_id": ["text"], "text": [corpus_or_docs]})
    if not isinstance(corpus_or_docs, pd.DataFrame):
        raise ParameterError("expected a corpus DataFrame with columns doc_id and text (or a single text string)")
    require_columns(corpus_or_docs, ["doc_id", "text"], what="corpus")
    return corpus_or_docs


def _build_sentences(docs: pd.DataFrame) -> pd.DataFrame:
    """Sentences as the `analyze` pipeline builds them (doc_id, sent_id, start, end), from analysis.text."""
    rows = [
        (d, n, s, e)
        for d, t in zip(docs["doc_id"], docs["text"])
        if isinstance(t, str)
        for n, (s, e) in enumerate(split_sentences(t))
    ]
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "start", "end"])


class _Doc:
    """One document's text with sentence offsets, quotation spans and (lazily) actor mentions."""

    __slots__ = ("doc_id", "text", "sent_ids", "starts", "ends", "_quotes", "mentions")

    def __init__(self, doc_id, text: str, sents: tuple[list, list, list] | None, mentions=None):
        self.doc_id, self.text = doc_id, text
        if not sents or not sents[0]:
            spans = split_sentences(text) or [(0, len(text))]
            self.sent_ids = list(range(len(spans)))
            self.starts = [s for s, _ in spans]
            self.ends = [e for _, e in spans]
        else:
            self.sent_ids, self.starts, self.ends = sents
        self._quotes = None
        self.mentions = mentions  # list of (start, end, actor_id, kind, actor_type), sorted by start

    def sentence_at(self, pos: int) -> int:
        """Index (into sent_ids/starts/ends) of the sentence holding character ``pos``."""
        return max(bisect.bisect_right(self.starts, pos) - 1, 0)

    @property
    def quotes(self) -> list[tuple[int, int]]:
        if self._quotes is None:
            self._quotes = find_quote_spans(self.text)
        return self._quotes


def _iter_docs(docs: pd.DataFrame, sentences: pd.DataFrame | None, mentions: pd.DataFrame | None = None):
    """Yield a :class:`_Doc` per document with text, using the given sentences (and mentions) when present."""
    sent_index: dict = {}
    if sentences is not None and len(sentences):
        s = sentences.sort_values(["doc_id", "start"], kind="stable")
        ids, sids = s["doc_id"].to_numpy(), s["sent_id"].to_numpy()
        starts, ends = s["start"].to_numpy(), s["end"].to_numpy()
        bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
        for a, b in zip(bounds[:-1], bounds[1:]):
            sent_index[ids[a]] = (sids[a:b].tolist(), starts[a:b].tolist(), ends[a:b].tolist())
    ment_index: dict = {}
    if mentions is not None and len(mentions):
        m = mentions.sort_values(["doc_id", "start", "end"], kind="stable")
        for doc_id, *rest in m[["doc_id", "start", "end", "actor_id", "kind", "actor_type"]].itertuples(
            index=False, name=None
        ):
            ment_index.setdefault(doc_id, []).append(tuple(rest))
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        if not isinstance(text, str) or not text:
            continue
        yield _Doc(doc_id, text, sent_index.get(doc_id), ment_index.get(doc_id, []) if mentions is not None else None)


# ================================================================================================== frames
class FrameScores(NamedTuple):
    """Result of :func:`score_frames`: unpack as ``scores, indicators, evidence = score_frames(corpus)``."""

    scores: pd.DataFrame  # doc_id, frame, family, score, n_fired, n_indicators
    indicators: pd.DataFrame  # doc_id, frame, indicator, fired, n_matches, evidence, start, end (first match)
    evidence: pd.DataFrame  # doc_id, sent_id, frame, indicator, start, end, evidence (every match)


SCORE_COLUMNS = ["doc_id", "frame", "family", "score", "n_fired", "n_indicators"]
INDICATOR_COLUMNS = ["doc_id", "frame", "indicator", "fired", "n_matches", "evidence", "start", "end"]
EVIDENCE_COLUMNS = ["doc_id", "sent_id", "frame", "indicator", "start", "end", "evidence"]


def score_frames(
    corpus_or_docs, *, codebook=None, sentences: pd.DataFrame | None = None, _prefilter: bool = True
) -> FrameScores:
    """Code every article with the frame codebook: which indicator questions fire, with evidence, and frame scores.

    An indicator fires when any of its cues matches the article text (title excluded). A frame's score is the mean
    of its measurable indicators (0-1), as in Semetko & Valkenburg (2000); S&V's "visuals" question cannot be
    measured from text and is left out. Returns :class:`FrameScores` (scores, indicators, evidence).
    """
    docs = _as_docs(corpus_or_docs)
    cb = load_codebook(codebook)
    inds = [i for i in cb.indicators if i.measurable]
    families = {f.id: f.family for f in cb.frames}
    n_meas = {f.id: len(f.measurable) for f in cb.frames}
    prefilter = _indicator_prefilter(cb) if _prefilter else None
    ev_rows, ind_rows, score_rows = [], [], []
    for doc in _iter_docs(docs, sentences):
        fired_by_frame = dict.fromkeys(n_meas, 0)
        candidates = prefilter.candidates(doc.text) if prefilter is not None else None
        for k, ind in enumerate(inds):
            # one compiled alternation per indicator: a single pass over the text finds every cue; indicators
            # whose required words are absent from the text cannot match and are skipped
            matches = list(ind.regex.finditer(doc.text)) if candidates is None or k in candidates else []
            if matches:
                fired_by_frame[ind.frame] += 1
                for m in matches:
                    ev_rows.append(
                        (
                            doc.doc_id,
                            doc.sent_ids[doc.sentence_at(m.start())],
                            ind.frame,
                            ind.id,
                            m.start(),
                            m.end(),
                            m.group(),
                        )
                    )
                first = matches[0]
                ind_rows.append(
                    (doc.doc_id, ind.frame, ind.id, True, len(matches), first.group(), first.start(), first.end())
                )
            else:
                ind_rows.append((doc.doc_id, ind.frame, ind.id, False, 0, None, -1, -1))
        for frame_id, n in fired_by_frame.items():
            score_rows.append((doc.doc_id, frame_id, families[frame_id], n / n_meas[frame_id], n, n_meas[frame_id]))
    scores = pd.DataFrame(score_rows, columns=SCORE_COLUMNS)
    indicators = pd.DataFrame(ind_rows, columns=INDICATOR_COLUMNS)
    evidence = pd.DataFrame(ev_rows, columns=EVIDENCE_COLUMNS)
    for df in (indicators, evidence):
        df[["start", "end"]] = df[["start", "end"]].astype("int64")
    indicators["start"] = indicators["start"].astype("Int64").mask(~indicators["fired"])
    indicators["end"] = indicators["end"].astype("Int64").mask(~indicators["fired"])
    return FrameScores(
        scores.astype({"score": "float64", "n_fired": "int64", "n_indicators": "int64"}),
        indicators.astype({"fired": "bool", "n_matches": "int64"}),
        evidence.astype({"sent_id": "int64"}),
    )


# ---------------------------------------------------------------------------------------------- cue prefilter
# Python's `re` tries every alternative of an indicator at every word start, so 38 indicators cost 38 full passes.
# Most cues contain a literal word that every match must include ("disput", "ceasefire"); one Aho-Corasick pass
# over the lower-cased text finds which of those words occur, and only indicators with a present word (or cues
# without such a word) run their regex. The result is identical; tests and benchmarks/bench_frames.py check it.
_ANCHOR_STOPWORDS = frozenset(
    {
        "the",
        "and",
        "his",
        "her",
        "for",
        "was",
        "were",
        "has",
        "have",
        "are",
        "with",
        "that",
        "from",
        "not",
        "but",
        "who",
        "its",
        "their",
        "they",
        "said",
        "this",
        "all",
        "one",
        "two",
        "can",
        "will",
        "our",
        "out",
        "per",
        "off",
    }
)


def _literal_anchors(items) -> set[str] | None:
    """Lower-case strings such that every match of the parsed regex ``items`` contains one of them, or None."""
    from re import _constants as c  # the parsed-pattern opcodes of the standard library's `re`

    best: tuple[float, set[str]] | None = None

    def consider(cands):
        nonlocal best
        if not cands or any(len(x) < 3 for x in cands):
            return
        score = min(len(x) for x in cands) - 0.01 * len(cands) - (10 if cands & _ANCHOR_STOPWORDS else 0)
        if best is None or score > best[0]:
            best = (score, cands)

    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av).lower())
            continue
        consider({"".join(run)} if run else None)
        run = []
        if op is c.SUBPATTERN:
            consider(_literal_anchors(av[-1]))
        elif op is c.BRANCH:
            alts = [_literal_anchors(alt) for alt in av[1]]
            if all(a is not None for a in alts):
                consider(set().union(*alts))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            consider(_literal_anchors(av[2]))
    consider({"".join(run)} if run else None)
    return None if best is None else best[1]


class _Prefilter:
    def __init__(self, automaton, always: frozenset[int]):
        self.automaton, self.always = automaton, always

    def candidates(self, text: str) -> set[int]:
        found = set(self.always)
        for _, idxs in self.automaton.iter(text.lower()):
            found.update(idxs)
        return found


@lru_cache(maxsize=8)
def _indicator_prefilter(cb: Codebook) -> _Prefilter | None:
    """The prefilter for a codebook, or None (then every regex runs) if the parser internals are unavailable."""
    import ahocorasick

    try:
        from re import _parser  # the standard library's regex parser (Python >= 3.11)
    except ImportError:  # pragma: no cover - an exotic Python: run every regex, the results are the same
        return None

    owners: dict[str, set[int]] = {}
    always = set()
    for k, ind in enumerate(i for i in cb.indicators if i.measurable):
        anchors = set()
        for cue in ind.cues:
            found = _literal_anchors(_parser.parse(cue, re.IGNORECASE))
            if found is None:
                anchors = None
                break
            anchors |= found
        if anchors is None:
            always.add(k)
            continue
        for a in anchors:
            owners.setdefault(a, set()).add(k)
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for word, idxs in owners.items():
        automaton.add_word(word, tuple(sorted(idxs)))
    automaton.make_automaton()
    return _Prefilter(automaton, frozenset(always))


def _group_keys(table: pd.DataFrame, docs: pd.DataFrame, by, freq, start, end, include_duplicates, what: str):
    """Join ``table`` to the selected documents and return (joined, group key columns)."""
    by = [by] if isinstance(by, str) else list(by or [])
    require_columns(docs, ["doc_id"], what="corpus")
    selected = select_documents(docs, start=start, end=end, include_duplicates=include_duplicates)
    doc_cols = ["doc_id"] + [c for c in ("published",) + tuple(by) if c in selected.columns and c not in table]
    missing = [c for c in by if c not in selected.columns and c not in table.columns]
    if missing:
        raise ParameterError(
            f"cannot group {what} by {missing}: not a column of the table or the corpus "
            f"(corpus columns: {', '.join(map(str, docs.columns))})"
        )
    joined = table.merge(selected[list(dict.fromkeys(doc_cols))], on="doc_id", how="inner")
    keys = list(by)
    if freq is not None:
        freq = validate_freq(freq)
        require_columns(selected, ["published"], what="corpus")
        joined = joined.assign(period=to_period(joined["published"], freq)).dropna(subset=["period"])
        keys.append("period")
    return joined, keys, selected


def count_frames(
    frames_df: pd.DataFrame,
    docs: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    include_duplicates: bool = True,
    min_count: int = 1,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Frame prevalence by group and period: articles, articles with the frame, share, mean score.

    ``frames_df`` is the ``scores`` table of :func:`score_frames` (or ``frames.parquet`` from `analyze`). A frame
    is *present* in an article when its score is above ``threshold`` (default: any indicator fired, i.e. > 0).
    ``by`` names corpus columns (e.g. "outlet"), ``freq`` one of D/W/M/Q/Y; groups with fewer than ``min_count``
    articles are dropped. Columns: by..., [period], frame, family, n_docs, n_present, share_present, mean_score.
    """
    require_columns(frames_df, ["doc_id", "frame", "score"], what="frame scores")
    joined, keys, _ = _group_keys(frames_df, docs, by, freq, start, end, include_duplicates, "frames")
    cut = 0.0 if threshold is None else float(threshold)
    joined = joined.assign(present=joined["score"] > cut)
    if "family" not in joined:
        joined["family"] = ""
    out = (
        joined.groupby(keys + ["frame", "family"], dropna=False, sort=True)
        .agg(n_docs=("doc_id", "nunique"), n_present=("present", "sum"), mean_score=("score", "mean"))
        .reset_index()
    )
    out["n_present"] = out["n_present"].astype("int64")
    out["share_present"] = out["n_present"] / out["n_docs"]
    out = out[out["n_docs"] >= min_count]
    cols = keys + ["frame", "family", "n_docs", "n_present", "share_present", "mean_score"]
    return out[cols].sort_values(keys + ["frame"], kind="stable").reset_index(drop=True)


# ================================================================================================== quotation and voice
_OPEN_DOUBLE, _CLOSE_DOUBLE = "“«„", "”»"
_QUOTE_CHARS = re.compile(r"[\"“”«»„‘’']")


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations in ``text`` (outermost; quote marks included), paragraph by paragraph.

    Handles straight and curly double quotes (“ ” « » „), single quotes used as quotation marks (‘ ’ or ' ' around
    words, not apostrophes), nesting, and wire-style quotes that run over several paragraphs (an unclosed quote
    ends with its paragraph; the next paragraph re-opens it with a quote mark).
    """
    paras = text.split("\n")
    offsets = np.cumsum([0] + [len(p) + 1 for p in paras[:-1]]).tolist()
    spans = []
    carry = False
    for k, (para, pos) in enumerate(zip(paras, offsets)):
        para_spans, still_open = _paragraph_quotes(para, carry and bool(para.strip()))
        carry = False
        if still_open:
            nxt = next((p for p in paras[k + 1 :] if p.strip()), "")
            if _continues_quote(nxt):
                carry = True  # wire style: the quotation goes on in the next paragraph
            else:  # a stray opening mark: let the quotation end with its sentence, not run over the paragraph
                s0 = para_spans[-1][0]
                stop = _SENTENCE_END.search(para, s0 + 1)
                para_spans[-1] = (s0, stop.end() if stop else len(para))
        spans.extend((s + pos, e + pos) for s, e in para_spans)
    return spans


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def _continues_quote(para: str) -> bool:
    """Whether ``para`` continues a quotation left open by the paragraph before it."""
    stripped = para.lstrip()
    if stripped[:1] in "\"“«„'‘":
        return True
    spans, _ = _paragraph_quotes(para, True)
    return bool(spans) and spans[0][0] == 0 and para[:1] not in '"“«„'  # closes before anything opens


def _paragraph_quotes(para: str, carry: bool = False) -> tuple[list[tuple[int, int]], bool]:
    """Quotation spans of one paragraph, and whether a quotation is still open at its end.

    ``carry``: the previous paragraph ended inside a quotation, so a closing mark with nothing open closes a
    quotation that started at the beginning of this paragraph.
    """
    # A hand-written scanner: no library handles straight quotes whose direction must be read from context.
    stack: list[tuple[str, int]] = []  # (kind, start) with kind "d" (double) or "s" (single)
    spans = []
    n = len(para)
    for m in _QUOTE_CHARS.finditer(para):
        i, ch = m.start(), m.group()
        prev = para[i - 1] if i > 0 else " "
        nxt = para[i + 1] if i + 1 < n else " "
        if ch in _OPEN_DOUBLE:
            stack.append(("d", i))
        elif ch in _CLOSE_DOUBLE or ch == '"':
            opening = ch == '"' and (prev.isspace() or prev in "([{—–-/") and not nxt.isspace()
            if not stack and not opening and carry and not spans:
                spans.append((0, i + 1))  # closes a quotation carried over from the previous paragraph
                carry = False
                continue
            if ch == '"' and (opening or not any(k == "d" for k, _ in stack)):
                if not opening and (nxt.isspace() or nxt in ".,;:!?)"):
                    continue  # a stray closing mark with nothing open
                stack.append(("d", i))
                continue
            while stack and stack[-1][0] != "d":
                stack.pop()
            if stack:
                _, s = stack.pop()
                if not stack:
                    spans.append((s, i + 1))
        else:  # single quotes: only when they cannot be apostrophes
            opening = ch in "‘'" and (prev.isspace() or prev in '([{—–"“') and nxt.isalnum()
            closing = ch in "’'" and not prev.isspace() and not nxt.isalnum()
            if opening:
                stack.append(("s", i))
            elif closing and any(k == "s" for k, _ in stack):
                while stack and stack[-1][0] != "s":
                    stack.pop()
                _, s = stack.pop()
                if not stack:
                    spans.append((s, i + 1))
    still_open = False
    if stack:  # an unclosed quotation runs to the end of its paragraph (and may continue in the next one)
        first_double = next((s for k, s in stack if k == "d"), None)
        if first_double is not None:
            spans.append((first_double, n))
            still_open = True
    spans.sort()
    merged = []
    for s, e in spans:  # keep the outermost spans only
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged, still_open


def _in_spans(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= start and end <= spans[i][1]:
        return spans[i]
    return None


# A naming act just before the label: "called Assad a terrorist", "designated the group a terrorist organisation",
# "described them as extremists" (the label follows "as", "a" or "an", possibly after one adjective).
_NAMING = re.compile(
    r"(?<![\w-])(?:call(?:s|ed|ing)?|describ(?:e|es|ed|ing)|brand(?:s|ed|ing)?|"
    r"label(?:s|led|ed|ling|ing)?|dub(?:s|bed|bing)?|term(?:s|ed|ing)?|designat(?:e|es|ed|ing)|"
    r"list(?:s|ed|ing)?|consider(?:s|ed|ing)?|regard(?:s|ed|ing)?|deem(?:s|ed|ing)?)(?!\w)[^.;:!?\"“”]{0,50}"
    r"(?<!\w)(?:as|a|an)\s+(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)


def _voice(doc: _Doc, start: int, end: int, reported: dict) -> tuple[str, str | None, str | None]:
    """(voice, kind, source) of a word at [start, end): quoted, scare-quoted, reported speech, or the writer's own.

    ``reported`` maps a sentence index to (speaker spans, first speaker) of the attributions in that sentence.
    """
    span = _in_spans(doc.quotes, start, end)
    si = doc.sentence_at(start)
    if span is not None:
        inner = doc.text[span[0] + 1 : span[1] - 1].split()
        kind = "scare_quote" if len(inner) <= 3 else "quote"
        speaker = reported.get(si, (None, None))[1]
        if speaker is None and kind == "quote":  # a quotation whose speaker comes in the next sentence
            speaker = reported.get(si + 1, (None, None))[1]
        return "attributed", kind, speaker
    if si in reported:
        speaker_spans, speaker = reported[si]
        if not any(s <= start and end <= e for s, e in speaker_spans):
            return "attributed", "reported_speech", speaker
    if _NAMING.search(doc.text, max(doc.starts[si], start - 60), start):
        return "attributed", "naming", None  # "Erdogan called Assad a terrorist": someone else's naming act
    return "own", None, None


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
    if inner is not None:
        seg_start += inner.end()
        while seg_start < len(stripped) and stripped[seg_start].isspace():
            seg_start += 1
        segment = stripped[seg_start:]
    lead = _LEADING_RELATIVE.match(segment)  # "..., which he said"
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
    )
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


def _source_type(text: str, actor_type, rules: AttributionRules) -> str:
    if rules.anonymous_regex.search(text):
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


def _doc_attributions(doc: _Doc, rules: AttributionRules, resolve) -> list[tuple]:
    """Attribution rows for one document (ATTRIBUTION_COLUMNS)."""
    rows = []
    last_type = None
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
                    (m.start(), st + len(phrase), "according to X", "according to", st, st + len(phrase), None)
                )
        for m in rules.verb_regex.finditer(sent):
            if _in_spans(doc.quotes, s0 + m.start(), s0 + m.end()):
                continue  # speech reported inside a quotation belongs to the quoted speaker
            row = int(m.lastgroup[1:])
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
            found.append((min(sp[0], m.start()), clause_end, pattern, m.group().lower(), sp[0], sp[1], sp[2]))
        for start, end, pattern, verb, sps, spe, role in sorted(found):
            speaker = original[sps:spe].strip()
            if role is not None:
                role = original[sent.index(role) : sent.index(role) + len(role)] if role in sent else role
                role = role.replace(_MASK, ".")
            coref = None
            if rules.pronoun_regex.match(speaker):
                actor_id, coref = None, "previous" if last_type else "unresolved"
                stype = last_type or "unresolved"
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
                last_type = stype
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
                )
            )
    return rows


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
    return df.astype(
        {"sent_id": "int64", "start": "int64", "end": "int64", "speaker_start": "int64", "speaker_end": "int64"}
    )


def _reported_index(attr_rows: list[tuple], doc: _Doc) -> dict:
    """Sentence index -> (attribution clause spans, first speaker text) for the attributions of one document."""
    out: dict[int, tuple[list, str]] = {}
    pos = {sid: i for i, sid in enumerate(doc.sent_ids)}
    for r in attr_rows:
        si = pos[r[1]]
        spans, speaker = out.get(si, ([], r[6]))
        spans.append((r[2], r[3]))  # the whole clause: speaker, appositive and verb ("Amaq, the ... group, said")
        out[si] = (spans, speaker)
    return out


# ================================================================================================== actor adapter
# Actor and place mentions come from analysis.actors; everything here goes through these functions so that the
# dependency is in one place.
def _actor_types() -> dict:
    """Actor/place id -> type from the actor dictionary; a person takes the type of the actor it is affiliated to."""
    return _actor_types_cached(id(actors.default_dictionary()))


@lru_cache(maxsize=2)
def _actor_types_cached(_key) -> dict:
    dictionary = actors.default_dictionary()
    types = {}
    for eid, entry in dictionary.entries.items():
        etype = entry.type
        parent = entry.attrs.get("affiliation") if etype == "person" else None
        if parent in dictionary.entries:
            etype = dictionary.entries[parent].type
        types[eid] = etype
    return types


def find_actor_mentions(docs: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actor and place mentions in one schema (doc_id, start, end, actor_id, kind, actor_type).

    ``kind`` is "actor" or "place"; ``actor_type`` comes from the actor dictionary (a person takes the type of the
    actor it is affiliated to). Uses :func:`analysis.actors.find_mentions`.
    """
    m = actors.find_mentions(docs[["doc_id", "text"]], sentences=sentences)
    cols = ["doc_id", "start", "end", "actor_id", "kind", "actor_type"]
    if m is None or not len(m):
        return pd.DataFrame(columns=cols)
    m = m.assign(actor_type=m["actor_id"].map(_actor_types()))
    return m[cols]


def _speaker_resolver():
    """A function speaker text -> (actor_id, actor_type) through the actor dictionary; (None, None) if unresolved."""
    fn = actors.resolve_actor
    types = _actor_types()

    @lru_cache(maxsize=8192)
    def resolve(text: str):
        actor_id = fn(text)
        return (actor_id, types.get(actor_id)) if actor_id else (None, None)

    return resolve


# ================================================================================================== labels and verbs
LABEL_COLUMNS = [
    "doc_id",
    "sent_id",
    "start",
    "end",
    "label",
    "label_class",
    "text",
    "target_actor",
    "voice",
    "voice_kind",
    "source",
]
VERB_COLUMNS = [
    "doc_id",
    "sent_id",
    "start",
    "end",
    "lemma",
    "perspective",
    "text",
    "passive",
    "subject_actor",
    "object_actor",
    "object_place",
    "voice",
    "voice_kind",
    "source",
]
_PASSIVE = re.compile(r"(?<!\w)(?:was|were|been|being|is|are|be|get|got|gets)\s+(?:\w+ly\s+)?$")  # not "IS"
_BY = re.compile(r"(?<!\w)by(?!\w)", re.IGNORECASE)
ARMED_TYPES = ("armed", "militia", "insurgent", "terror", "rebel")


def _is_armed(actor_type) -> bool:
    return actor_type is not None and any(t in str(actor_type).lower() for t in ARMED_TYPES)


def _dictionary_has_armed_types() -> bool:
    return any(_is_armed(t) for t in _actor_types().values())


def _nearest_target(doc: _Doc, start: int, end: int, s0: int, e0: int, armed_only: bool = True):
    """The nearest armed-group mention in the sentence (any actor when ``armed_only`` is False)."""
    if not doc.mentions:
        return None
    cands = [m for m in doc.mentions if m[3] == "actor" and m[0] >= s0 and m[1] <= e0]
    pool = [m for m in cands if _is_armed(m[4])] if armed_only else cands
    if not pool:
        return None

    def dist(m):
        return 0 if m[0] < end and start < m[1] else min(abs(m[0] - end), abs(start - m[1]))

    return min(pool, key=lambda m: (dist(m), m[0]))[2]


def _doc_labels_and_verbs(doc: _Doc, lex: Lexicon, reported: dict, armed_only: bool = True) -> tuple[list, list]:
    labels, verbs = [], []
    text = doc.text
    for m in lex.label_regex.finditer(text):
        row = lex.label_rows[int(m.lastgroup[1:])]
        si = doc.sentence_at(m.start())
        s0, e0 = doc.starts[si], doc.ends[si]
        target = _nearest_target(doc, m.start(), m.end(), s0, e0, armed_only)
        voice, kind, source = _voice(doc, m.start(), m.end(), reported)
        labels.append(
            (
                doc.doc_id,
                doc.sent_ids[si],
                m.start(),
                m.end(),
                row["id"],
                row["class"],
                m.group(),
                target,
                voice,
                kind,
                source,
            )
        )
    for m in lex.verb_regex.finditer(text):
        row = lex.verb_rows[int(m.lastgroup[1:])]
        si = doc.sentence_at(m.start())
        s0, e0 = doc.starts[si], doc.ends[si]
        passive = bool(_PASSIVE.search(text[s0 : m.start()]))
        subj = obj_actor = obj_place = None
        if (
            row["needs_place"]
            and doc.mentions is not None
            and not any(x[3] == "place" and x[0] >= s0 and x[1] <= e0 for x in doc.mentions)
        ):
            continue  # "seized on the attack", "expelled 35 diplomats": not territorial without a place
        if doc.mentions:
            speakers = reported.get(si, ([], None))[0]  # the speaker of "X said" is neither subject nor object
            ments = [
                x
                for x in doc.mentions
                if x[0] >= s0 and x[1] <= e0 and not any(a <= x[0] and x[1] <= b for a, b in speakers)
            ]
            before = [x for x in ments if x[1] <= m.start()]
            after = [x for x in ments if x[0] >= m.end()]
            place_side = "before" if passive else row["place"]
            side = before if place_side == "before" else after
            places = [x for x in side if x[3] == "place"]
            if places:
                obj_place = (places[-1] if place_side == "before" else places[0])[2]
            if passive:
                by = _BY.search(text, m.end(), e0)
                agents = [x for x in after if by and x[0] >= by.end() and x[3] == "actor"]
                subj = agents[0][2] if agents else None
            elif row["agent"] == "before":
                acts = [x for x in before if x[3] == "actor"]
                clause = text.rfind(",", s0, m.start())
                in_clause = [x for x in acts if x[0] > clause] if clause >= 0 else []
                subj = (in_clause or acts or [None])[0]
                subj = subj[2] if subj else None
                objs = [x for x in after if x[3] == "actor"]
                obj_actor = objs[0][2] if objs else None
            elif row["agent"] == "after":
                acts = [x for x in after if x[3] == "actor"]
                subj = acts[0][2] if acts else None
        voice, kind, source = _voice(doc, m.start(), m.end(), reported)
        verbs.append(
            (
                doc.doc_id,
                doc.sent_ids[si],
                m.start(),
                m.end(),
                row["lemma"],
                row["perspective"],
                m.group(),
                passive,
                subj,
                obj_actor,
                obj_place,
                voice,
                kind,
                source,
            )
        )
    return labels, verbs


def _label_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=LABEL_COLUMNS).astype({"sent_id": "int64", "start": "int64", "end": "int64"})


def _verb_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=VERB_COLUMNS).astype(
        {"sent_id": "int64", "start": "int64", "end": "int64", "passive": "bool"}
    )


def _run_language(docs, sentences, mentions, lexicon, rules, *, want_attr=True):
    lex = load_conflict_language(lexicon)
    rules = load_attribution_rules(rules)
    resolve = _speaker_resolver()
    # labels target armed groups; a custom actor dictionary without armed-group types falls back to any actor
    armed_only = _dictionary_has_armed_types()
    labels, verbs, attrs = [], [], []
    for doc in _iter_docs(docs, sentences, mentions):
        a = _doc_attributions(doc, rules, resolve)
        lab, vb = _doc_labels_and_verbs(doc, lex, _reported_index(a, doc), armed_only)
        labels.extend(lab)
        verbs.extend(vb)
        attrs.extend(a)
    return _label_frame(labels), _verb_frame(verbs), _attribution_frame(attrs)


def _mentions_or_find(docs, sentences, mentions):
    return find_actor_mentions(docs, sentences) if mentions is None else mentions


def find_labels(
    corpus_or_docs,
    *,
    sentences: pd.DataFrame | None = None,
    lexicon=None,
    rules=None,
    mentions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each use of a label for an armed group (terrorist, militant, jihadist, "so-called", ...), with its voice.

    Columns: doc_id, sent_id, start, end, label, label_class, text (as written), target_actor (the nearest
    armed-group mention in the same sentence, via analysis.actors; None when none is found), voice ("own" or
    "attributed"), voice_kind (None for own voice; "quote" inside quotation marks, "scare_quote" for quotation
    marks around three words or fewer, "reported_speech" in a sentence with an attribution clause such as
    "X said" or "according to X", outside the speaker phrase itself; "naming" right after a naming verb such as
    "called Assad a terrorist", "designated ... a terrorist organisation") and source (the speaker, when known).
    """
    docs = _as_docs(corpus_or_docs)
    labels, _, _ = _run_language(docs, sentences, _mentions_or_find(docs, sentences, mentions), lexicon, rules)
    return labels


def find_territorial_verbs(
    corpus_or_docs,
    *,
    sentences: pd.DataFrame | None = None,
    lexicon=None,
    rules=None,
    mentions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each territorial-change verb (liberate, retake, capture, fall to, cut off, advance, withdraw, ...).

    Columns: doc_id, sent_id, start, end, lemma, perspective (victor, neutral, loser, siege, advance, withdrawal),
    text, passive, subject_actor (the acting party), object_actor, object_place, voice, voice_kind, source.
    Subject and object are read from actor/place mentions in the same sentence with a simple pattern: in an active
    sentence the subject is the first actor of the clause before the verb and the object the first place after it
    ("fall to": place before, actor after); in a passive one ("was retaken by X") the agent follows "by" and the
    place precedes the verb. There is no parser: long or nested sentences can give the wrong actor (see docs).
    """
    docs = _as_docs(corpus_or_docs)
    _, verbs, _ = _run_language(docs, sentences, _mentions_or_find(docs, sentences, mentions), lexicon, rules)
    return verbs


# ================================================================================================== counts
def _count_events(table, docs, keys, *, by, freq, start, end, include_duplicates, min_count, share_within, what):
    joined, gkeys, _ = _group_keys(table, docs, by, freq, start, end, include_duplicates, what)
    joined = joined.copy()
    for k in keys:
        joined[k] = joined[k].astype(object).where(joined[k].notna(), "(none)")
    out = (
        joined.groupby(gkeys + keys, dropna=False, sort=True)
        .agg(n=("doc_id", "size"), n_docs=("doc_id", "nunique"))
        .reset_index()
    )
    denom = (
        out.groupby(gkeys + share_within, dropna=False)["n"].transform("sum")
        if (gkeys + share_within)
        else out["n"].sum()
    )
    out["share"] = out["n"] / denom
    out = out[out["n"] >= min_count]
    return out.sort_values(gkeys + keys, kind="stable").reset_index(drop=True)


def count_labels(
    labels: pd.DataFrame,
    docs: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    include_duplicates: bool = True,
    min_count: int = 1,
    include_target: bool = False,
) -> pd.DataFrame:
    """Label uses by group, period and voice: n (uses), n_docs, share (of the label's uses in the group).

    ``by`` may name corpus columns ("outlet") or label-table columns ("target_actor"); ``include_target=True``
    adds the target actor as a key. The share answers "what share of 'terrorist' uses in outlet X are own voice?".
    """
    require_columns(labels, ["doc_id", "label", "voice"], what="labels table")
    keys = ["label"] + (["target_actor"] if include_target else []) + ["voice"]
    return _count_events(
        labels,
        docs,
        keys,
        by=by,
        freq=freq,
        start=start,
        end=end,
        include_duplicates=include_duplicates,
        min_count=min_count,
        share_within=keys[:-1],
        what="labels",
    )


def count_territorial_verbs(
    verbs: pd.DataFrame,
    docs: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    include_duplicates: bool = True,
    min_count: int = 1,
    include_lemma: bool = False,
) -> pd.DataFrame:
    """Territorial verbs by group, period and perspective: n, n_docs, share (of all verbs in the group)."""
    require_columns(verbs, ["doc_id", "perspective"], what="territorial verbs table")
    keys = ["perspective"] + (["lemma"] if include_lemma else [])
    return _count_events(
        verbs,
        docs,
        keys,
        by=by,
        freq=freq,
        start=start,
        end=end,
        include_duplicates=include_duplicates,
        min_count=min_count,
        share_within=[],
        what="territorial verbs",
    )


def count_attributions(
    attributions: pd.DataFrame,
    docs: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    include_duplicates: bool = True,
    min_count: int = 1,
) -> pd.DataFrame:
    """Who is quoted: attributions by group, period and source type: n, n_docs, share (of the group's attributions)."""
    require_columns(attributions, ["doc_id", "source_type"], what="attributions table")
    return _count_events(
        attributions,
        docs,
        ["source_type"],
        by=by,
        freq=freq,
        start=start,
        end=end,
        include_duplicates=include_duplicates,
        min_count=min_count,
        share_within=[],
        what="attributions",
    )


# ================================================================================================== pipeline stage
def analyze_chunk(docs: pd.DataFrame, sentences: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The `analyze` stage: frame scores, indicators and evidence, labels, territorial verbs and attributions."""
    scores, indicators, evidence = score_frames(docs, sentences=sentences)
    mentions = find_actor_mentions(docs, sentences)
    labels, verbs, attrs = _run_language(docs, sentences, mentions, None, None)
    wide = scores.pivot(index="doc_id", columns="frame", values="score")
    wide.columns = [f"frame_{c}" for c in wide.columns]
    wide = wide.reindex(pd.Index(docs["doc_id"].unique(), name="doc_id")).reset_index()
    return {
        "frames": scores,
        "frame_indicators": indicators[["doc_id", "frame", "indicator", "fired", "n_matches"]],
        "frame_evidence": evidence,
        "labels": labels,
        "territorial_verbs": verbs,
        "attributions": attrs,
        "documents_frames": wide,
    }


def find_evidence_context(table: pd.DataFrame, docs: pd.DataFrame, *, width: int = 60) -> pd.DataFrame:
    """Read the evidence: ``table`` (frame_evidence, labels, territorial_verbs or attributions) with the text around
    each hit, like a keyword-in-context listing: the table's columns plus left, match, right.

    ``width`` is the number of characters shown on each side (line breaks shown as spaces).
    """
    require_columns(table, ["doc_id", "start", "end"], what="evidence table")
    require_columns(docs, ["doc_id", "text"], what="corpus")
    texts = dict(zip(docs["doc_id"], docs["text"]))
    missing = set(table["doc_id"]) - set(texts)
    if missing:
        raise ParameterError(
            f"{len(missing)} doc_id(s) of the table are not in the corpus (e.g. "
            f"{sorted(map(str, missing))[0]!r}): pass the corpus the table was made from"
        )
    left, match, right = [], [], []
    for doc_id, start, end in zip(table["doc_id"], table["start"], table["end"]):
        text = texts[doc_id]
        left.append(text[max(0, start - width) : start].replace("\n", " "))
        match.append(text[start:end])
        right.append(text[end : end + width].replace("\n", " "))
    return table.assign(left=left, match=match, right=right).reset_index(drop=True)


def frame_labels(codebook=None) -> dict[str, str]:
    """Frame id -> readable label, for tables and figures."""
    return {f.id: f.label for f in load_codebook(codebook).frames}


def indicator_questions(codebook=None) -> pd.DataFrame:
    """The codebook as a table (frame, family, indicator, question, measurable, n_cues, cues)."""
    return load_codebook(codebook).to_frame()


__all__ = [
    "Codebook",
    "FrameScores",
    "load_codebook",
    "load_conflict_language",
    "load_attribution_rules",
    "score_frames",
    "count_frames",
    "find_quote_spans",
    "find_labels",
    "find_territorial_verbs",
    "find_attributions",
    "find_actor_mentions",
    "find_evidence_context",
    "count_labels",
    "count_territorial_verbs",
    "count_attributions",
    "analyze_chunk",
    "frame_labels",
    "indicator_questions",
    "RESOURCE_VERSIONS",
]
