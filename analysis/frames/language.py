"""Conflict language: labels for armed groups and territorial-change verbs, with their voice and actors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis import actors
from analysis.aggregate import find_table
from analysis.cuematch import CueStartMatcher, cue_pattern, is_cue_alternation, lower_text, span_text
from analysis.errors import ResourceError
from analysis.frames.attribution import (
    _attribution_frame,
    _iter_attributions,
    _reported_index,
    _speaker_resolver,
    load_attribution_rules,
)
from analysis.frames.document import _as_docs, _Doc, _iter_docs, _named_alternation, _rows, _voice
from analysis.resources import check_keys, load_parsed, load_resource
from analysis.selection import count_events

_LISTS = {
    "labels": "id",
    "territorial_verbs": "lemma",
}  # entry lists merged by id when a user file extends the built-in one
LANGUAGE_FILE = "conflict_language.yaml"


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

    @property
    def label_patterns(self) -> tuple[str, ...]:
        return tuple(row["pattern"] for row in self.label_rows)

    @property
    def verb_patterns(self) -> tuple[str, ...]:
        return tuple(row["pattern"] for row in self.verb_rows)


def load_conflict_language(source: str | Path | Lexicon | None = None) -> Lexicon:
    """Load the labels and territorial verbs: None for the built-in ``conflict_language.yaml`` or your own YAML."""
    if isinstance(source, Lexicon):
        return source
    return load_parsed(source, LANGUAGE_FILE, _parse_lexicon)


def _parse_lexicon(path: Path) -> Lexicon:
    path, data = load_resource(path, LANGUAGE_FILE, lists=_LISTS)
    check_keys(data, {"version", "labels", "territorial_verbs"}, {"version", "labels", "territorial_verbs"}, str(path))
    labels, seen = [], set()
    for n, e in enumerate(data["labels"] or [], 1):
        where = f"{path}: label #{n} ({e.get('id', '?') if isinstance(e, dict) else '?'})"
        check_keys(e, {"id", "class", "pattern"}, {"id", "class", "pattern"}, where)
        if e["id"] in seen:
            raise ResourceError(f"{where}: duplicate label id {e['id']!r}")
        seen.add(e["id"])
        labels.append({"id": str(e["id"]), "class": str(e["class"]), "pattern": str(e["pattern"]), "where": where})
    verbs, seen = [], set()
    for n, e in enumerate(data["territorial_verbs"] or [], 1):
        where = f"{path}: territorial verb #{n} ({e.get('lemma', '?') if isinstance(e, dict) else '?'})"
        check_keys(
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


def _is_passive(before: str) -> bool:
    """Whether the text before a verb ends in a passive auxiliary (``_PASSIVE``), searched from the start of its
    last but one word: a match is the auxiliary, whitespace, perhaps an adverb, then whitespace to the end, so it
    starts in one of the last two whitespace-separated words (the sentence before them is not scanned)."""
    words = before.rsplit(None, 2)
    pos = 0
    if len(words) == 3:  # the last but one word, found before the last one (it holds no whitespace)
        pos = before.rfind(words[1], 0, len(before.rstrip()) - len(words[2]))
    return _PASSIVE.search(before, pos) is not None


_BY = re.compile(r"(?<!\w)by(?!\w)", re.IGNORECASE)
ARMED_TYPES = ("armed", "militia", "insurgent", "terror", "rebel")


def _is_armed(actor_type) -> bool:
    return actor_type is not None and any(t in str(actor_type).lower() for t in ARMED_TYPES)


def _dictionary_has_armed_types(dictionary=None) -> bool:
    return any(_is_armed(t) for t in (dictionary or actors.default_dictionary()).types.values())


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


@lru_cache(maxsize=16)
def _named_start_matcher(regex: re.Pattern, patterns: tuple[str, ...], prefix: str) -> CueStartMatcher | None:
    """The start matcher of a ``_named_alternation`` regex, or None when it cannot stand in for the regex."""
    matcher = CueStartMatcher([patterns])
    return matcher if 0 in matcher.covered and is_cue_alternation(regex, patterns, named=prefix) else None


def _find_named(regex: re.Pattern, matcher: CueStartMatcher | None, text: str, lowered: str | None):
    """(match, entry index) of a ``_named_alternation`` regex (case-insensitive, ``\\w`` boundaries) in text
    order: tried only where an entry's start words occur when every entry has known starts (``matcher``, from
    :func:`_named_start_matcher`; analysis.cuematch)."""
    found = matcher.find(text, lowered) if matcher is not None else None
    if found is not None:
        return found.get(0, [])
    return [(m, int(m.lastgroup[1:])) for m in cue_pattern(regex).finditer(text, lowered)]


class _LexiconView(NamedTuple):
    """What :func:`_doc_labels_and_verbs` reads of a lexicon for each document, built once per call (the rows are
    dicts; the start matchers are looked up by the regex, whose hash reads its whole compiled code)."""

    lex: Lexicon
    label_rows: list[dict]
    verb_rows: list[dict]
    label_matcher: CueStartMatcher | None
    verb_matcher: CueStartMatcher | None


def _lexicon_view(lex: Lexicon) -> _LexiconView:
    return _LexiconView(
        lex,
        lex.label_rows,
        lex.verb_rows,
        _named_start_matcher(lex.label_regex, lex.label_patterns, "L"),
        _named_start_matcher(lex.verb_regex, lex.verb_patterns, "V"),
    )


def _doc_labels_and_verbs(doc: _Doc, view: _LexiconView, reported: dict, armed_only: bool = True) -> tuple[list, list]:
    labels, verbs = [], []
    text = doc.text
    lowered = lower_text(text)
    lex, label_rows, verb_rows = view.lex, view.label_rows, view.verb_rows
    for m, n in _find_named(lex.label_regex, view.label_matcher, text, lowered):
        row = label_rows[n]
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
                span_text(text, m),
                target,
                voice,
                kind,
                source,
            )
        )
    for m, n in _find_named(lex.verb_regex, view.verb_matcher, text, lowered):
        row = verb_rows[n]
        si = doc.sentence_at(m.start())
        s0, e0 = doc.starts[si], doc.ends[si]
        passive = _is_passive(text[s0 : m.start()])
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
                span_text(text, m),
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


def _typed_mentions(docs: pd.DataFrame, sentences, mentions, dictionary=None) -> pd.DataFrame:
    """Actor and place mentions with each one's type from the actor dictionary (a person takes the type of the
    actor it is affiliated to). ``mentions`` is the actors stage's table; found here only for standalone use."""
    dictionary = dictionary or actors.default_dictionary()
    if mentions is None:
        mentions = actors.find_mentions(docs[["doc_id", "text"]], sentences=sentences, dictionary=dictionary)
    cols = ["doc_id", "start", "end", "actor_id", "kind", "actor_type"]
    if not len(mentions):
        return pd.DataFrame(columns=cols)
    return mentions.assign(actor_type=mentions["actor_id"].map(dictionary.types))[cols]


def find_language(
    corpus_or_docs,
    *,
    sentences: pd.DataFrame | None = None,
    mentions: pd.DataFrame | None = None,
    lexicon=None,
    rules=None,
    dictionary=None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Labels, territorial verbs and attributions in one pass: ``(labels, verbs, attributions)``.

    ``mentions`` (from :func:`analysis.actors.find_mentions`, or ``mentions.parquet``) ties labels and verbs to
    actors; when it is None the mentions are found here. See :func:`find_labels`, :func:`find_territorial_verbs`
    and :func:`analysis.frames.find_attributions` for the columns. ``dictionary``: the ActorDictionary that found
    ``mentions`` (default: the built-in one); it types them and resolves speakers.
    """
    docs = _as_docs(corpus_or_docs)
    mentions = _typed_mentions(docs, sentences, mentions, dictionary)
    lex = load_conflict_language(lexicon)
    rules = load_attribution_rules(rules)
    resolve = _speaker_resolver(dictionary)
    # labels target armed groups; a custom actor dictionary without armed-group types falls back to any actor
    armed_only = _dictionary_has_armed_types(dictionary)
    labels, verbs, attrs = [], [], []
    view = _lexicon_view(lex)
    for doc, a in _iter_attributions(_iter_docs(docs, sentences, mentions), rules, resolve):
        lab, vb = _doc_labels_and_verbs(doc, view, _reported_index(a, doc), armed_only)
        labels.extend(lab)
        verbs.extend(vb)
        attrs.extend(a)
    return _label_frame(labels), _verb_frame(verbs), _attribution_frame(attrs)


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
    return find_language(corpus_or_docs, sentences=sentences, mentions=mentions, lexicon=lexicon, rules=rules)[0]


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
    return find_language(corpus_or_docs, sentences=sentences, mentions=mentions, lexicon=lexicon, rules=rules)[1]


def count_labels(
    labels: pd.DataFrame,
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
    include_target: bool = False,
) -> pd.DataFrame:
    """Label uses by group, period and voice: n (uses), n_docs, share (of the label's uses in the group).

    Keys ``[*by, period, label, (target_actor), voice]`` (see analysis.selection for the shared options; every
    period and voice of a label seen in the selection has a row, zeros included; ``min_count`` applies to ``n``).
    ``by`` may name corpus columns ("outlet") or label-table columns ("target_actor"); ``include_target=True``
    adds the target actor as a key. The share answers "what share of 'terrorist' uses in outlet X are own voice?".
    """
    keys = ["label"] + (["target_actor"] if include_target else []) + ["voice"]
    return count_events(
        find_table(labels, "labels"),
        corpus,
        items=keys,
        by=by,
        freq=freq,
        start=start,
        end=end,
        outlets=outlets,
        include_duplicates=include_duplicates,
        min_count=min_count,
        min_docs=min_docs,
        share_within=keys[:-1],
        what="labels table",
    )


def count_territorial_verbs(
    verbs: pd.DataFrame,
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
    include_lemma: bool = False,
) -> pd.DataFrame:
    """Territorial verbs by group, period and perspective: n, n_docs, share (of all verbs in the group).

    Keys ``[*by, period, perspective, (lemma)]``; zeros included; ``min_count`` applies to ``n``.
    """
    return count_events(
        find_table(verbs, "territorial_verbs"),
        corpus,
        items=["perspective"] + (["lemma"] if include_lemma else []),
        by=by,
        freq=freq,
        start=start,
        end=end,
        outlets=outlets,
        include_duplicates=include_duplicates,
        min_count=min_count,
        min_docs=min_docs,
        what="territorial verbs table",
    )
