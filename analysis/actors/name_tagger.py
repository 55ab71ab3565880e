"""The name tagger: a logistic classifier that types (or rejects) the capitalised names no dictionary entry resolves.

The mention rules find unlisted names and type some by their words ("Levant Front": organisation, "President
Fuad Masum": person); most stay ``unknown``. The tagger scores each unknown name over five classes (organisation,
person, place, nationality, none) from readable features: its shape (words, acronym, particles such as "al-" or
"Abu"), the rule words it holds (organisation and place heads, name prefixes), gazetteer membership of its words
(a token of a person's, a place's or an organisation's alias in the dictionary), and the word before and after it
from a closed list of function words ("in", "near", "said", ...). The weights are in
``analysis/resources/name_tagger.json``, trained on re3d's tune part by ``scripts/train_name_tagger.py``
(scikit-learn's logistic regression; provenance, parameters and cross-validated scores in the file); at run time
they are summed here with numpy. A name the tagger calls ``none`` with at least the stored ``drop_threshold``
probability is dropped; any other keeps the ``unlisted`` kind with the tagger's type (rule ``tagger``), so
resolved actors are never touched. Opt-in: ``find_all_mentions(..., tagger=True)``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analysis import config
from analysis.errors import ResourceError

if TYPE_CHECKING:
    from analysis.actors.dictionary import ActorDictionary
    from analysis.actors.mention_rules import MentionRules

TAGGER_FILE = "name_tagger.json"
CLASSES = ("organisation", "person", "place", "nationality", "none")
# The words before and after a name that are features by themselves: prepositions and verbs that say what kind of
# thing follows or precedes ("in Tal Afar", "Karim Wasifi said"). Any other word is "lower", "cap" or punctuation.
CONTEXT_WORDS = frozenset(
    "in near of from to at on by with for and the a an said says told added according into outside around across "
    "between against north south east west northern southern eastern western province city town village district "
    "minister president commander spokesman leader forces group".split()
)
_PARTICLES = frozenset("al el ad ar as az ash abu bin ibn umm bani".split())
_WORD = re.compile(r"[\w'’.]+|[^\w\s]")


@dataclass(frozen=True, eq=False)
class NameTagger:
    """Classes, feature weights (feature -> one weight per class) and the drop threshold."""

    version: str
    classes: tuple[str, ...]
    weights: dict  # feature -> np.ndarray of one weight per class
    bias: np.ndarray
    drop_threshold: float

    def score(self, features: list[str]) -> np.ndarray:
        """Class probabilities (softmax of the summed weights) of one name's features."""
        z = self.bias.copy()
        for f in features:
            w = self.weights.get(f)
            if w is not None:
                z += w
        z = np.exp(z - z.max())
        return z / z.sum()

    def find_type(self, features: list[str]) -> tuple[str, float]:
        """``(class, probability)``: ``none`` only when its probability reaches ``drop_threshold``; otherwise the
        most probable of the four entity classes."""
        p = self.score(features)
        none = self.classes.index("none")
        if p[none] >= self.drop_threshold:
            return "none", float(p[none])
        k = int(np.argmax(np.where(np.arange(len(p)) == none, -1.0, p)))
        return self.classes[k], float(p[k])


def parse_tagger(data: dict, *, source: str = "name tagger") -> NameTagger:
    """A :class:`NameTagger` from the JSON form written by ``scripts/train_name_tagger.py``."""
    try:
        classes = tuple(data["classes"])
        weights = {f: np.asarray(w, dtype="float64") for f, w in data["weights"].items()}
        bias = np.asarray(data["bias"], dtype="float64")
        threshold = float(data["drop_threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceError(f"{source}: not a name tagger file ({exc})") from None
    if classes != CLASSES or bias.shape != (len(classes),) or any(w.shape != bias.shape for w in weights.values()):
        raise ResourceError(f"{source}: classes must be {list(CLASSES)}, with one weight per class for each feature")
    return NameTagger(str(data.get("version", "")), classes, weights, bias, threshold)


def load_tagger(path: str | Path | None = None) -> NameTagger:
    """The built-in ``name_tagger.json`` (or a file of the same form)."""
    return _load_cached(str(path or config.resource(TAGGER_FILE)))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> NameTagger:
    p = Path(path)
    if not p.exists():
        raise ResourceError(f"{p} not found: train it with `python scripts/train_name_tagger.py`")
    return parse_tagger(json.loads(p.read_text(encoding="utf-8")), source=str(p))


@dataclass(frozen=True)
class Gazetteer:
    """Word sets from the dictionary's aliases: the first and last words of persons, the words of places and of
    organisations (every actor that is not a person), all lower-cased."""

    person_first: frozenset
    person_last: frozenset
    place_words: frozenset
    organisation_words: frozenset


def build_gazetteer(dictionary: ActorDictionary) -> Gazetteer:
    """The :class:`Gazetteer` of an :class:`analysis.actors.ActorDictionary` (one pass over its aliases)."""
    first, last, place, org = set(), set(), set(), set()
    for e in dictionary.entries.values():
        for alias in e.aliases:
            words = alias.lower().replace("-", " ").split()
            if not words:
                continue
            if e.kind == "place":
                place.update(words)
            elif e.type == "person":
                if len(words) > 1:
                    first.add(words[0])
                    last.add(words[-1])
            else:
                org.update(words)
    stop = _PARTICLES | {"of", "the", "and", "for"}
    return Gazetteer(
        frozenset(first - stop),
        frozenset(last - stop),
        frozenset(place - stop),
        frozenset(org - stop),
    )


def _context(token: str | None) -> str:
    if token is None:
        return "none"
    low = token.lower()
    if low in CONTEXT_WORDS:
        return low
    if not token[0].isalnum():
        return "punct" if token not in "\"“”'‘’" else "quote"
    if token[0].isdigit():
        return "digit"
    return "cap" if token[0].isupper() else "lower"


def name_features(text: str, start: int, end: int, rules, gazetteer: Gazetteer, cache: dict | None = None) -> list[str]:
    """The features of the name ``text[start:end]``: shape, rule words, gazetteer words and context (see the
    module's docstring). ``rules``: :class:`analysis.actors.mention_rules.MentionRules`. ``cache``: a dict kept
    across calls with the same rules and gazetteer (what the name's words alone decide is computed once per name)."""
    name = text[start:end]
    f = cache.get(name) if cache is not None else None
    if f is None:
        f = _word_features(name, rules, gazetteer)
        if cache is not None:
            cache[name] = f
    f = list(f)
    before = _WORD.findall(text[max(0, start - 40) : start])
    after = _WORD.findall(text[end : end + 40])
    prev = before[-1] if before else None
    f.append(f"prev={_context(prev)}")
    if prev is not None and prev.rstrip(".") in _stripped(rules.person_titles):
        f.append("prev_title")
    if len(before) > 1 and before[-2] in rules.person_titles:
        f.append("prev2_title")
    f.append(f"next={_context(after[0] if after else None)}")
    if not before or before[-1] in {".", "!", "?"} or "\n" in text[max(0, start - 3) : start]:
        f.append("sentence_start")
    return f


@lru_cache(maxsize=8)
def _stripped(titles: frozenset) -> frozenset:
    return frozenset(t.rstrip(".") for t in titles)


def _word_features(name: str, rules: MentionRules, gazetteer: Gazetteer) -> tuple[str, ...]:
    """The features that depend on the name's words only."""
    words = name.replace("-", " ").split()
    low = [w.lower() for w in words]
    n = len(words)
    f = [f"n_words={min(n, 4)}"]
    if n == 1 and name.replace(".", "").isupper():
        f.append("acronym")
    elif name.isupper():
        f.append("all_caps")
    if not _PARTICLES.isdisjoint(low):
        f.append("particle")
    if any(c.isdigit() for c in name):
        f.append("digit")
    if words[-1].endswith("s"):
        f.append("last_ends_s")
    if words[-1].endswith(("i", "is")) and n == 1:
        f.append("ends_i")  # "Kuwaiti", "Iraqis": a nationality or a family name (al-Kuwaiti)
    if words[-1] in rules.organisation_heads:
        f.append("organisation_head")
    if words[-1] in rules.place_heads:
        f.append("place_head")
    if words[0] in rules.place_prefixes:
        f.append("place_prefix")
    if words[0] in rules.person_prefixes:
        f.append("person_prefix")
    if words[0] in rules.nationalities or words[0] in rules.peoples:
        f.append("nationality_word")
    if low[0] in gazetteer.person_first:
        f.append("gaz_person_first")
    if low[-1] in gazetteer.person_last:
        f.append("gaz_person_last")
    if not gazetteer.place_words.isdisjoint(low):
        f.append("gaz_place_word")
    if not gazetteer.organisation_words.isdisjoint(low):
        f.append("gaz_organisation_word")
    return tuple(f)
