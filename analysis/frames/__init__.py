"""Framing: generic and domain news frames, conflict labels, territorial verbs and source attribution, with evidence.

Everything here is rule-based and transparent: the cues, labels, verbs and attribution rules are data in
``analysis/resources/{frames,conflict_language,attribution}.yaml``; each measure keeps the matched text and its
character offsets so that a researcher can read why an article was coded the way it was. See docs/framing.md.

Modules (``analysis.frames`` re-exports their public names)::

    document     the shared view of a document: sentences, quotation spans, voice; find_evidence_context
    codebook     load_codebook, score_frames, count_frames, sum_frames (one pass for several count_frames tables
                 of a report), find_frame_labels, find_indicator_questions
    presence     calibrated presence (dictionary threshold, logistic model): score_presence, add_presence
    attribution  find_attributions, count_attributions (the per-sentence pass and content spans)
    attribution_rules  load_attribution_rules: speech verbs, the PolNeAR lexicon, source types
    speakers     the speaker phrase of a cue, pronoun kinds, source typing
    cue_gate     the logistic-regression gate on low-rate reporting verbs (attribution_gate.json)
    attribution_tagger  the CRF tagger of sources and cues the rules miss (attribution_tagger.json, own Viterbi)
    language     load_conflict_language, find_labels, find_territorial_verbs, count_labels, count_territorial_verbs

Typical use in JupyterLab::

    from analysis import frames
    scores, indicators, evidence = frames.score_frames(corpus)
    frames.count_frames(scores, corpus, by="outlet", freq="Q")
    labels = frames.find_labels(corpus)
    frames.count_labels(labels, corpus, by="outlet")
"""

from __future__ import annotations

import pandas as pd

from analysis.frames.attribution import (
    SOURCE_TYPES,
    AttributionRules,
    count_attributions,
    find_attributions,
    load_attribution_rules,
)
from analysis.frames.codebook import (
    Codebook,
    FrameScores,
    FrameSums,
    count_frames,
    find_frame_labels,
    find_indicator_questions,
    load_codebook,
    score_frames,
    sum_frames,
)
from analysis.frames.document import VOICES, find_evidence_context, find_quote_spans
from analysis.frames.language import (
    Lexicon,
    count_labels,
    count_territorial_verbs,
    find_labels,
    find_language,
    find_territorial_verbs,
    load_conflict_language,
)
from analysis.frames.presence import add_presence, load_presence_model, score_presence

# The pipeline runs this stage on English articles only (the frame codebook and cue lists are English).
LANGUAGES = ("en",)


def analyze_chunk(
    docs: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    mentions: pd.DataFrame,
    dictionary: tuple[str, ...] = (),
    codebook: str | None = None,
    lexicon: str | None = None,
    attribution_tagger: bool = False,
) -> dict[str, pd.DataFrame]:
    """The `analyze` stage: frame scores, indicators and evidence, labels, territorial verbs and attributions.

    ``mentions`` is the actors stage's table for the same chunk (the pipeline passes it on), so that labels and
    verbs are tied to the same actor mentions that ``mentions.parquet`` holds; ``dictionary`` (the user dictionary
    files, as the actors stage got them) types those mentions and resolves speakers; ``codebook`` and ``lexicon``
    are the user's frame codebook and conflict-language files (``analyze --frames/--labels``), None: built-in.
    ``attribution_tagger``: add the CRF attribution tagger to the rules (``analyze --attribution-tagger``).
    """
    from analysis.actors import find_dictionary

    scores, indicators, evidence = score_frames(docs, sentences=sentences, codebook=codebook)
    scores = add_presence(scores, indicators, docs)
    rules = load_attribution_rules(tagger=True) if attribution_tagger else None
    labels, verbs, attrs = find_language(
        docs,
        sentences=sentences,
        mentions=mentions,
        lexicon=lexicon,
        dictionary=find_dictionary(dictionary),
        rules=rules,
    )
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


def RESOURCE_VERSIONS() -> dict[str, dict[str, str]]:  # noqa: N802 - name fixed by the pipeline contract
    """Version and sha256 of the built-in resources used by the `analyze` stage (recorded in manifest.json)."""
    from analysis.frames import attribution_tagger, cue_gate, presence
    from analysis.resources import resource_versions

    versions = (
        resource_versions(
            frames="frames.yaml",
            conflict_language="conflict_language.yaml",
            attribution="attribution.yaml",
            reporting_verbs="reporting_verbs.yaml",
            attribution_gate="attribution_gate.json",
            attribution_tagger="attribution_tagger.json",
        )
        | presence.RESOURCE_VERSIONS()
    )
    versions["attribution_gate"]["version"] = cue_gate.load_cue_gate().version  # JSON: no `version:` line
    versions["attribution_tagger"]["version"] = attribution_tagger.load_attribution_tagger().version
    return versions


__all__ = [
    "LANGUAGES",
    "SOURCE_TYPES",
    "VOICES",
    "AttributionRules",
    "Codebook",
    "FrameScores",
    "Lexicon",
    "RESOURCE_VERSIONS",
    "add_presence",
    "analyze_chunk",
    "count_attributions",
    "count_frames",
    "sum_frames",
    "FrameSums",
    "count_labels",
    "count_territorial_verbs",
    "find_attributions",
    "find_evidence_context",
    "find_labels",
    "find_language",
    "find_quote_spans",
    "find_territorial_verbs",
    "find_frame_labels",
    "find_indicator_questions",
    "load_attribution_rules",
    "load_codebook",
    "load_conflict_language",
    "load_presence_model",
    "score_frames",
    "score_presence",
]
