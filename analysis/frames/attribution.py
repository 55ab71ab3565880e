"""Source attribution: who is quoted or cited ("X said", "according to X"), the speaker's actor and source type."""

from __future__ import annotations

import bisect
import re

import pandas as pd

from analysis.aggregate import find_table
from analysis.cuematch import find_cue_words, lower_text
from analysis.frames.attribution_rules import (
    ATTRIBUTION_FILE,
    SOURCE_TYPE_LABELS,
    SOURCE_TYPES,
    AttributionRules,
    load_attribution_rules,
)
from analysis.frames.attribution_tagger import find_tokens
from analysis.frames.cue_gate import cue_features
from analysis.frames.document import _NAMING, _as_docs, _Doc, _in_spans, _iter_docs
from analysis.frames.speakers import (
    _COMMON_SPEAKERS,
    _COORDINATED,
    _DETERMINERS,
    _MASK,
    _PRONOUN_KIND,
    _SHORT_NAME,
    _antecedent,
    _clause_speaker,
    _left_speaker,
    _mask_abbreviations,
    _name_context,
    _opening_speaker,
    _right_speaker,
    _source_type,
    _speaker_kind,
    _speaker_resolver,
    _strip_trailing_words,
)
from analysis.selection import count_events

__all__ = [
    "ATTRIBUTION_COLUMNS",
    "ATTRIBUTION_FILE",
    "SOURCE_TYPES",
    "AttributionRules",
    "count_attributions",
    "find_attributions",
    "load_attribution_rules",
]


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

_BY_AFTER = re.compile(r"\s+by(?!\w)")
_AGENT_AFTER = re.compile(r"(?:\s+[a-z]+){1,2}\s+by\s+(?!phone|telephone|email|e-mail|text)")


def _doc_attributions(doc: _Doc, rules: AttributionRules, resolve) -> list[tuple]:
    """Attribution rows for one document (ATTRIBUTION_COLUMNS)."""
    return next(_iter_attributions([doc], rules, resolve))[1]


#: documents whose tagger sentences are scored and decoded together (numpy over the batch, not per sentence)
_TAGGER_BATCH = 64


def _iter_attributions(docs, rules: AttributionRules, resolve):
    """(doc, attribution rows) for each document of ``docs``, in order. The rules run per document; the sentences
    the tagger is asked about (a trigger word, no rule attribution) are decoded for ``_TAGGER_BATCH`` documents at
    once, then each document's rows are resolved in sentence order (pronouns take the previous speaker)."""
    batch = []
    for doc in docs:
        batch.append((doc, _doc_found(doc, rules)))
        if len(batch) >= _TAGGER_BATCH:
            yield from _finish_batch(batch, rules, resolve)
            batch = []
    yield from _finish_batch(batch, rules, resolve)


def _finish_batch(batch: list, rules: AttributionRules, resolve):
    if rules.tagger is not None:
        asked = [(doc, entry) for doc, entries in batch for entry in entries if entry[6] and not entry[5]]
        for (_, entry), pairs in zip(asked, _tagger_attributions(asked, rules)):
            entry[5].extend(pairs)
    for doc, entries in batch:
        yield doc, _doc_rows(doc, entries, rules, resolve)


def _doc_found(doc: _Doc, rules: AttributionRules) -> list[list]:
    """The rules' attributions of each sentence that may hold one: [k, s0, e0, original, sent, found, tag]
    (``tag``: the sentence holds a tagger trigger word)."""
    text = doc.text
    tagger = rules.tagger
    # "according": a sentence without it (lower-cased) holds no "according to" and is not searched, as the regex
    # is tried at every position of it (analysis.cuematch.find_cue_words)
    words = find_cue_words(rules.according_regex.pattern)
    lowered = lower_text(text) if words is not None else None
    verb_rows = rules.verb_rows
    verb_starts = _verb_starts(doc, rules)
    out = []
    for k, (s0, e0) in enumerate(zip(doc.starts, doc.ends)):
        original = text[s0:e0]
        low = lowered[s0:e0] if lowered is not None else None
        tag = tagger is not None and tagger.trigger_regex.search(original) is not None
        # the speech verbs of the sentence: all of them, not just the first, as the loop below reuses them
        if tag:
            verbs = None
        elif verb_starts is None:
            verbs = list(rules.verb_regex.finditer(original))
        else:
            verbs = _verbs_at(rules.verb_regex, original, s0, verb_starts)
        if (
            not tag
            and not verbs
            and not (_may_hold(low, words) and rules.according_regex.search(original))
            and (rules.participle_regex is None or not _participles(rules, original))
        ):
            continue  # most sentences attribute nothing: skip the work below (a sentence whose only cue is a
            # participle, "Trump ratcheted up his attacks, saying ...", is not one of them)
        sent = _mask_abbreviations(original)
        if sent is not original and low is not None:
            low = lower_text(sent)
        found = []  # (start, end, pattern, verb, sp_start, sp_end, role)
        for m in rules.according_regex.finditer(sent) if _may_hold(low, words) else ():
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
        for m in _masked_verbs(rules, original, sent, verbs):
            if _in_spans(doc.quotes, s0 + m.start(), s0 + m.end()):
                continue  # speech reported inside a quotation belongs to the quoted speaker
            row = rules.verb_row(m)
            verb = verb_rows[row]
            if verb.get("exclude") is not None and verb["exclude"].match(sent, m.end()):
                continue
            if _BY_AFTER.match(sent, m.end()) or (m.group().endswith("ed") and _AGENT_AFTER.match(sent, m.end())):
                continue  # "attacks claimed by Islamic State", "a video posted online by activists": participles
            before = sent[: m.start()].rstrip()
            sp = left = None
            # '"...," said X' / "..., said X"; a lexicon verb after a bare comma has an object ("..., endorsed Cruz")
            # any speech verb inverts right after a quotation that closes on its own punctuation ('"...," wrote X')
            quoted = len(before) > 1 and before[-1] in "\"”'’" and before[-2] in ",?!"
            if quoted or (
                verb["inverted"] and before and (before[-1] in "\"”'’" or (before[-1] == "," and not verb["lexicon"]))
            ):
                left = _left_speaker(sent, m.start(), rules) if before[-1] == "," else None
                if left is not None and left[2] is not None:  # "Name, the title, said ...": speaker on the left
                    sp, pattern = left, f"X {verb['past']}"
                else:
                    sp = _right_speaker(sent, m.end())
                    pattern = f"{verb['past']} X"
            if sp is None:
                # the same call as above when that one was made (a pure function of its arguments, and a costly one)
                sp = left if left is not None else _left_speaker(sent, m.start(), rules)
                pattern = f"X {verb['past']}"
                if sp is not None and verb["lemma"] == "tell" and rules.media_regex.match(sent, m.end()):
                    pattern = "X told MEDIA"
            if sp is None and _COORDINATED.search(_strip_trailing_words(before[-60:], rules)):
                # "Clinton mocked Trump ... and said ...": the speaker of the clause the verb is coordinated with
                sp = _clause_speaker(sent, m.start(), found)
                pattern = f"X ... and {verb['past']}"
            if sp is None:
                # "Name, a title of several commas, said": the name that opens the sentence (hand-listed verbs and
                # lexicon verbs that invert, whose speakers are named people and bodies)
                sp = _opening_speaker(sent, m.start())
                pattern = f"X {verb['past']}"
            if sp is None:
                continue
            speaker = sent[sp[0] : sp[1]]
            req = rules.requires.get(row)
            if req is not None and not req.search(speaker):
                continue
            if verb["gated"] and rules.gate is not None:
                stats = rules.form_stats.get(m.group().lower(), (0, 0))
                feats = cue_features(text, s0 + m.start(), s0 + m.end(), s0 + sp[0], s0 + sp[1], pattern, sp[2], stats)
                if rules.gate.score(feats) < rules.gate.threshold:
                    continue  # a low-rate verb whose context reads as no attribution (see cue_gate)
            clause_end = max(sp[1], m.end())
            if sp[2] is not None and sp[0] > m.start():  # an inverted speaker's appositive belongs to the clause
                role_at = sent.find(sp[2], sp[1])
                clause_end = max(clause_end, role_at + len(sp[2]) if role_at >= 0 else clause_end)
            found.append(
                (min(sp[0], m.start()), clause_end, pattern, m.group().lower(), sp[0], sp[1], sp[2], m.start(), m.end())
            )
        if rules.participle_regex is not None:
            found.extend(_participle_attributions(sent, s0, doc, found, rules))
        # the tagger's extra pairs are precise where the rules found nothing (see its script): asked in _finish_batch
        out.append([k, s0, e0, original, sent, found, tag])
    return out


def _verb_starts(doc: _Doc, rules: AttributionRules) -> list[int] | None:
    """Where a speech verb may start in the document (sorted offsets), or None when the verbs are no list of
    literal forms: where a form occurs (one Aho-Corasick pass over the text, :func:`_verb_automaton`) after no
    word character or "-", or at a sentence start (a sentence is searched on its own, where nothing precedes it).
    Each sentence's verb regex is then tried at those offsets only (:func:`_verbs_at`), instead of at every
    character of every sentence, which was the largest regex cost of the attribution rules."""
    automaton = _verb_automaton(rules)
    if automaton is None:
        return None
    text = doc.text
    sentence_starts = set(doc.starts)
    found = set()
    for end, length in automaton.iter(text):
        start = end - length + 1
        if start and (text[start - 1].isalnum() or text[start - 1] in "_-") and start not in sentence_starts:
            continue  # (?<![\w-]) opens the verb regex (\w is str.isalnum() or "_")
        found.add(start)
    return sorted(found)


_VERB_AUTOMATA: dict[int, tuple] = {}


def _verb_automaton(rules: AttributionRules):
    """An Aho-Corasick automaton of the literal verb forms (value: the form's length), or None (no literal forms);
    built once per rules' verb table."""
    forms = rules.verb_forms
    if forms is None:
        return None
    hit = _VERB_AUTOMATA.get(id(forms))
    if hit is None or hit[0] is not forms:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for form in forms:
            automaton.add_word(form, len(form))
        automaton.make_automaton()
        hit = _VERB_AUTOMATA[id(forms)] = (forms, automaton)
    return hit[1]


def _verbs_at(regex: re.Pattern, sent: str, s0: int, starts: list[int]) -> list[re.Match]:
    """``list(regex.finditer(sent))`` for the sentence at document offset ``s0``, trying the regex only at the
    document offsets ``starts`` (sorted) that lie in it: every match begins where a verb form does, and matches are
    taken left to right, each after the previous one, as finditer takes them."""
    out = []
    last_end = 0
    for p in starts[bisect.bisect_left(starts, s0) : bisect.bisect_left(starts, s0 + len(sent))]:
        if p - s0 < last_end:
            continue
        m = regex.match(sent, p - s0)
        if m is not None:
            out.append(m)
            last_end = m.end()
    return out


def _may_hold(lowered: str | None, words: tuple[str, ...] | None) -> bool:
    """False when the lower-cased text ``lowered`` holds none of ``words`` (None: not known, True)."""
    if lowered is None or words is None:
        return True
    for word in words:
        if word in lowered:
            return True
    return False


def _masked_verbs(rules: AttributionRules, original: str, sent: str, verbs: list[re.Match] | None) -> list[re.Match]:
    """The speech-verb matches of ``sent``, the masked ``original`` (see _mask_abbreviations); ``verbs``, the
    matches in ``original`` (or None), when they are the same.

    They are when ``original`` has no "(" and the verbs are literal forms: then masking only turns abbreviation
    periods into _MASK, and a literal form (letters and apostrophes, bounded by ``[\\w-]``) holds neither, nor is
    either a word character or "-". Reusing them scans each sentence with the verbs once instead of twice.
    """
    if verbs is None or rules.verb_forms is None or "(" in original:
        return list(rules.verb_regex.finditer(sent))
    return verbs


def _doc_rows(doc: _Doc, entries: list, rules: AttributionRules, resolve) -> list[tuple]:
    """Attribution rows (ATTRIBUTION_COLUMNS) of a document's found attributions, in sentence order."""
    rows = []
    last: dict[str, tuple] = {}  # speaker kind ("person", "group", "any") -> (source type, actor id) of the last one
    text = doc.text
    for k, s0, _, original, sent, found, _ in entries:
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


def _participle_attributions(sent: str, s0: int, doc: _Doc, found: list, rules: AttributionRules) -> list[tuple]:
    """ ", saying ..." / ", adding that ...": attributed to the speaker of the clause the participle hangs on."""
    out = []
    for m in _participles(rules, sent, every=True):
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


def _participles(rules: AttributionRules, sent: str, *, every: bool = False):
    """The first match of ``rules.participle_regex`` in ``sent`` (``every``: all of them), not searched in a
    sentence without a comma when the regex starts with ``(?<=,)``, as the rules build it."""
    if "," not in sent and rules.participle_regex.pattern.startswith("(?<=,)"):
        return [] if every else None
    return list(rules.participle_regex.finditer(sent)) if every else rules.participle_regex.search(sent)


def _tagger_attributions(asked: list, rules: AttributionRules) -> list[list]:
    """Source+cue pairs of the CRF tagger for each (doc, sentence entry) of ``asked``, sentences where the rules
    found none (sentence offsets, as the rules' tuples); a cue inside a quotation is left out, as the rules leave it
    (speech of the quoted speaker), and so is a cue with a word of the `tagger: exclude:` list."""
    tagger = rules.tagger
    sentences, where = [], []
    for n, (doc, (_, s0, e0, *_rest)) in enumerate(asked):
        tokens = find_tokens(doc.text, s0, e0)
        if tokens and len(tokens) <= tagger.max_words:
            sentences.append((tokens, doc.quotes))
            where.append(n)
    out: list[list] = [[] for _ in asked]
    for n, pairs in zip(where, tagger.find_pairs_batch(sentences, lexicon=rules.verb_forms or {})):
        doc, (_, s0, *_rest) = asked[n]
        text = doc.text
        for ss, se, cs, ce, _ in pairs:
            verb = " ".join(text[cs:ce].lower().split())
            # `tagger: exclude:`: in war news "attacked", "fired", "targeted" name actions, though PolNeAR marks
            # "X attacked Y" as an attribution
            if not _in_spans(doc.quotes, cs, ce) and rules.cue_exclude.isdisjoint(verb.split()):
                out[n].append(
                    (min(ss, cs) - s0, max(se, ce) - s0, "tagger", verb, ss - s0, se - s0, None, cs - s0, ce - s0)
                )
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
    for _, doc_rows in _iter_attributions(_iter_docs(docs, sentences), rules, resolve):
        rows.extend(doc_rows)
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

    Keys ``[*by, period, source_type]``; zeros included; ``min_count`` applies to ``n``. ``source_label`` is the
    type's label for figures and tables (:data:`SOURCE_TYPE_LABELS`).
    """
    counts = count_events(
        find_table(attributions, "attributions"),
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
    at = counts.columns.get_loc("source_type") + 1
    counts.insert(at, "source_label", counts["source_type"].map(SOURCE_TYPE_LABELS).fillna(counts["source_type"]))
    return counts
