"""The attribution cue gate: a logistic regression that keeps or drops a candidate "X <verb>" by its context.

Reporting verbs with a low cue rate on PolNeAR train ("thinks", "wants", "showed", "criticized") are attributions
in some contexts only. The gate scores such a candidate from a few readable features of its speaker phrase and of
the words after the verb; the coefficients are in ``analysis/resources/attribution_gate.json``, trained on PolNeAR
train by ``scripts/train_attribution_gate.py`` (provenance, cross-validated scores and threshold in the file).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import ResourceError
from analysis.resources import load_parsed

GATE_FILE = "attribution_gate.json"
FEATURES = (
    "form_logit",
    "pattern_left",
    "pattern_right",
    "pattern_coordinated",
    "speaker_pronoun",
    "speaker_name",
    "speaker_determiner",
    "speaker_lower",
    "speaker_words",
    "speaker_role",
    "speaker_opens_sentence",
    "gap_words",
    "next_that",
    "next_quote",
    "next_colon",
    "next_comma",
    "next_to",
    "next_determiner",
    "next_pronoun",
    "next_preposition",
    "next_name",
    "next_end",
)
_PRONOUNS = {"he", "she", "they", "we", "i", "it", "you"}
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "this", "that", "these", "those", "some"}
_PREPOSITIONS = {"for", "about", "on", "with", "of", "in", "at", "against", "by", "from", "over", "as", "into"}
_WORD = re.compile(r"[\w'’.-]+|[^\w\s]")


@dataclass(frozen=True)
class CueGate:
    """Coefficients (one per name in FEATURES), intercept and decision threshold of the cue gate."""

    version: str
    coefficients: dict[str, float]
    intercept: float
    threshold: float

    def score(self, features: dict[str, float]) -> float:
        """The probability that the candidate is an attribution."""
        z = self.intercept + sum(self.coefficients[k] * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-z))


def load_cue_gate(path: str | Path | None = None) -> CueGate:
    """The cue gate from ``attribution_gate.json`` (or your own file of the same shape)."""
    return load_parsed(path, GATE_FILE, _parse_gate)


def _parse_gate(path: Path) -> CueGate:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        coef = {str(k): float(v) for k, v in data["coefficients"].items()}
        gate = CueGate(str(data["version"]), coef, float(data["intercept"]), float(data["threshold"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResourceError(f"cue gate {path}: cannot read coefficients ({exc})") from None
    if set(coef) != set(FEATURES):
        raise ResourceError(f"cue gate {path}: coefficients must name exactly the features {', '.join(FEATURES)}")
    return gate


def form_logit(n_cue: int, n_seen: int) -> float:
    """Smoothed log-odds that an occurrence of the verb form is a cue on the lexicon's training data."""
    return math.log((n_cue + 0.5) / (max(n_seen - n_cue, 0) + 0.5))


def cue_features(
    text: str, cue_start: int, cue_end: int, speaker_start: int, speaker_end: int, pattern: str, role, stats
) -> dict[str, float]:
    """The gate's features of one candidate (offsets into ``text``; ``stats`` = (n_cue, n_seen) of the form)."""
    speaker = text[speaker_start:speaker_end]
    words = speaker.split()
    first = words[0] if words else ""
    before = text[max(0, speaker_start - 3) : speaker_start].rstrip()
    nxt = _WORD.findall(text[cue_end : cue_end + 40])
    n1 = nxt[0] if nxt else ""
    n1l = n1.lower()
    gap = text[speaker_end:cue_start] if speaker_end <= cue_start else text[cue_end:speaker_start]
    right = pattern.endswith(" X")
    return {
        "form_logit": form_logit(*stats),
        "pattern_left": float(pattern.startswith("X ") and " ... and " not in pattern),
        "pattern_right": float(right),
        "pattern_coordinated": float(" ... and " in pattern),
        "speaker_pronoun": float(speaker.lower() in _PRONOUNS),
        "speaker_name": float(bool(words) and all(w[:1].isupper() for w in words) and speaker.lower() not in _PRONOUNS),
        "speaker_determiner": float(first.lower() in _DETERMINERS),
        "speaker_lower": float(first[:1].islower() and first.lower() not in _PRONOUNS | _DETERMINERS),
        "speaker_words": math.log1p(len(words)),
        "speaker_role": float(role is not None),
        "speaker_opens_sentence": float(not before or before[-1] in ".!?\n\"”'’"),
        "gap_words": math.log1p(len(gap.split())),
        "next_that": float(n1l in ("that", "how", "whether", "why", "what")),
        "next_quote": float(n1 in ('"', "“", "'", "‘", "''")),
        "next_colon": float(n1 == ":"),
        "next_comma": float(n1 == ","),
        "next_to": float(n1l == "to"),
        "next_determiner": float(n1l in _DETERMINERS),
        "next_pronoun": float(n1l in _PRONOUNS or n1l in ("him", "them", "us", "me")),
        "next_preposition": float(n1l in _PREPOSITIONS),
        "next_name": float(n1[:1].isupper() and n1l not in _PRONOUNS),
        "next_end": float(n1 in (".", "!", "?", "") or n1.endswith(".")),
    }
