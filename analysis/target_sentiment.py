"""Target-dependent sentiment: transparent features around a target span, scored by a stored linear model."""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, compress
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import InputError, ResourceError
from analysis.resources import load_mapping, resource_path
from analysis.tables import require_columns

CUES_FILE = "target_sentiment_cues.yaml"
MODEL_FILE = "target_sentiment_model.json"
LABELS = ("negative", "neutral", "positive")
# Feature groups, named by the prefix of their feature names (the ablation in the model file drops one at a time).
GROUPS = ("sent", "dist", "clause", "role", "speaker", "quote", "negation", "position", "word", "bow")
# Learned word features: their weights come from the training data, so only words seen often enough are kept.
LEARNED_GROUPS = ("word", "bow")

# Words (with inner apostrophes, hyphens, periods: "didn't", "al-Assad", "U.S"), a double dash, or one symbol.
# (Possessive: a word run is never given back, as no shorter run could be followed by "-", "'" or "." either; the
# same tokens, without the regex engine keeping backtracking points.)
_TOKEN = re.compile(r"\w++(?:[-'’.]\w++)*+|--|[^\w\s]")
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")
_QUOTES = {'"': "toggle", "“": "open", "”": "close"}


@dataclass(frozen=True)
class Cues:
    """The word cues of ``target_sentiment_cues.yaml`` as sets (see the comments in that file)."""

    version: str
    sha256: str
    negators: frozenset[str]
    negation_window: int
    clause_breaks: frozenset[str]
    auxiliaries: frozenset[str]
    passive_auxiliaries: frozenset[str]
    agent_markers: frozenset[str]
    speech_verbs: frozenset[str]
    speaker_markers: tuple[tuple[str, ...], ...]
    word_window: int
    bow_scale: float
    distance_bands: tuple[int, ...]
    min_word_count: int


@lru_cache(maxsize=4)
def load_cues(path: str | Path | None = None) -> Cues:
    """The feature cues (``analysis/resources/target_sentiment_cues.yaml`` unless ``path`` names another file).

    A cue file is not extended or merged like the other resources: the model is trained with one exact file, and
    :func:`load_model` refuses a model whose recorded cue sha256 differs (retrain after changing a cue).
    """
    source = resource_path(path, CUES_FILE, what="target sentiment cue file")
    data = load_mapping(source, what="target sentiment cue file")
    words = lambda key: frozenset(str(w).lower() for w in data[key])  # noqa: E731 - a local shorthand
    try:
        return Cues(
            version=str(data["version"]),
            sha256=hashlib.sha256(source.read_bytes()).hexdigest(),
            negators=words("negators"),
            negation_window=int(data["negation_window"]),
            clause_breaks=words("clause_breaks"),
            auxiliaries=words("auxiliaries"),
            passive_auxiliaries=words("passive_auxiliaries"),
            agent_markers=words("agent_markers"),
            speech_verbs=words("speech_verbs"),
            speaker_markers=tuple(tuple(m.lower().split()) for m in data["speaker_markers"]),
            word_window=int(data["word_window"]),
            bow_scale=float(data["bow_scale"]),
            distance_bands=tuple(int(b) for b in data["distance_bands"]),
            min_word_count=int(data["min_word_count"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceError(
            f"{source}: bad or missing entry ({exc}); compare with analysis/resources/{CUES_FILE}"
        ) from exc


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    from analysis.sentiment import load_lexicon

    return load_lexicon()


@lru_cache(maxsize=1)
def _stem_lexicon() -> dict[str, float]:
    """Mean VADER valence per Porter stem: the fallback for inflections VADER does not list ("bombed" -> "bomb")."""
    stem = _stemmer()
    sums: dict[str, list[float]] = {}
    for word, valence in _lexicon().items():
        if word[0].isalpha():
            sums.setdefault(stem(word), []).append(valence)
    return {s: sum(v) / len(v) for s, v in sums.items()}


@lru_cache(maxsize=1)
def _stemmer():
    # NLTK's Porter stemmer needs no nltk_data; it pools inflections ("killed", "kills" -> "kill") for the learned
    # word weights, which 8.7k training targets are too few to learn one by one.
    from nltk.stem.porter import PorterStemmer

    return lru_cache(maxsize=200_000)(PorterStemmer().stem)


def _band(distance: int, bands: tuple[int, ...]) -> str:
    low = 1
    for high in bands:
        if distance <= high:
            return f"{low}-{high}"
        low = high + 1
    return f"{low}+"


# Token type -> (word, stem, lexicon valence or None, is a word, learned-group keys, the same negated, valence / 4
# or 0.0). Bounded: a news vocabulary repeats (Zipf), so nearly every token is a hit; cleared when full rather than
# grown without end.
_TOKEN_INFO: dict[str, tuple] = {}
_TOKEN_INFO_MAX = 200_000


def _keys(stem: str) -> tuple[str, str, str]:
    """The learned-group feature names of a (negated) stem: bow, word left of the target, word right of it."""
    return "bow:" + stem, "word:L:" + stem, "word:R:" + stem


def _token_info(token: str) -> tuple:
    """What a token contributes regardless of its sentence (computed once per token type, see _TOKEN_INFO)."""
    info = _TOKEN_INFO.get(token)
    if info is None:
        if len(_TOKEN_INFO) >= _TOKEN_INFO_MAX:
            _TOKEN_INFO.clear()
        word = token.lower().replace("’", "'")
        is_word = word[0].isalnum()
        stem = _stemmer()(word) if is_word else word
        valence = _lexicon().get(word)
        if valence is None:  # a word VADER lacks: the mean valence of its stem
            valence = _stem_lexicon().get(stem)
        keys = (_keys(stem), _keys("not_" + stem)) if is_word else (None, None)
        scaled = valence / 4.0 if valence else 0.0  # what _valences gives outside a negation's scope
        info = _TOKEN_INFO[token] = (word, stem, valence, is_word, keys[0], keys[1], scaled)
    return info


class _Sentence:
    """The target-independent token data of one sentence, computed once for all the targets in it."""

    __slots__ = ("words", "starts", "ends", "lex", "quoted", "breaks", "clause", "negated", "in_scope", "valence",
                 "nonzero", "keys", "first_word", "infos", "band_names", "closeness")  # fmt: skip

    def __init__(self, text: str, cues: Cues):
        # _TOKEN matches at every character that is not whitespace, so splitting on it (kept as a group) gives the
        # whitespace before each token and the token, alternately: the running sum of their lengths is every
        # token's start and end, without a match object or a Python step per token
        pieces = _TOKEN_SPLIT.split(text)
        tokens = pieces[1::2]
        offsets = list(accumulate(map(len, pieces)))
        self.starts, self.ends = offsets[0:-1:2], offsets[1::2]
        infos = self.infos = list(map(_TOKEN_INFO.get, tokens))
        if None in infos:  # a token type not seen before (or since the table was cleared)
            infos = self.infos = [i or _token_info(t) for i, t in zip(infos, tokens)]
        n = len(infos)
        # the token data as columns, one tuple per field of the token info (zip transposes in one call); `lex` is
        # the lexicon valence of each word (a word VADER lacks: the mean valence of its stem), before negation
        words, _, lex, is_word, keys, _, scaled = zip(*infos) if n else ((),) * 7
        self.words, self.lex = words, lex
        if _QUOTES.keys().isdisjoint(words):  # most sentences quote nothing
            self.quoted = (False,) * n
        else:
            quoted, in_quote = [False] * n, False
            for i, w in enumerate(words):
                kind = _QUOTES.get(w)
                if kind is not None:
                    in_quote = (not in_quote) if kind == "toggle" else (kind == "open")
                quoted[i] = in_quote
            self.quoted = quoted
        breaks = self.breaks = list(map(cues.clause_breaks.__contains__, words))
        # clause numbers and negation scope when no break token lies inside the target (the usual case; a target
        # holding one gets its own, see _clauses)
        self.clause = _clauses(breaks, -1, -1)
        self.negated = not cues.negators.isdisjoint(words)
        if not self.negated:  # no negator: nothing is in a negation's scope (most sentences)
            self.in_scope = (False,) * n
            self.valence = scaled
            self.keys = keys
        else:
            self.in_scope = _negation_scope(words, self.clause, cues)
            self.valence = _valences(lex, self.in_scope)
            # feature names of the learned word groups, per word (None: not a word)
            self.keys = _learned_keys(infos, self.in_scope)
        self.nonzero = list(compress(range(n), self.valence))
        self.first_word = is_word.index(True) if True in is_word else 0
        # the distance tables long enough for this sentence, looked up once for all its targets
        self.band_names = _band_names(cues.distance_bands, n)
        self.closeness = _closeness(cues.bow_scale, n)

    def target_tokens(self, start: int, end: int) -> tuple[int, int]:
        """First and last token overlapping ``[start, end)`` (tokens are sorted and do not overlap)."""
        t0, t1 = bisect.bisect_right(self.ends, start), bisect.bisect_left(self.starts, end) - 1
        if t0 > t1:
            raise InputError(f"target span {start}-{end} covers no word of its text")
        return t0, t1


def _clauses(breaks: list[bool], t0: int, t1: int) -> list[int]:
    """Clause number of every token; a break token belongs to no clause (-1), unless it lies inside the target."""
    if t0 > t1:  # no target (the sentence's own clauses): the running count of breaks, in one C-level pass
        count = accumulate(breaks, initial=0)
        next(count)
        return [-1 if brk else c for brk, c in zip(breaks, count)]
    clause, current = [0] * len(breaks), 0
    for i, brk in enumerate(breaks):
        if brk and not (t0 <= i <= t1):
            current += 1
            clause[i] = -1
        else:
            clause[i] = current
    return clause


def _negation_scope(words: list[str], clause: list[int], cues: Cues) -> list[bool]:
    """Whether a negator of the same clause precedes each token within ``negation_window`` tokens.

    One pass keeping the last negator position per clause number: the same answer as looking back over the
    window at every token, in linear time.
    """
    window, negators = cues.negation_window, cues.negators
    last: dict[int, int] = {}
    out = [False] * len(words)
    for i, w in enumerate(words):
        j = last.get(clause[i])
        out[i] = j is not None and j >= i - window
        if w in negators:
            last[clause[i]] = i
    return out


_SENT_NAMES = ("sent:neg", "sent:pos")
_ROLE_NAMES = {role: (f"role:{role}:neg", f"role:{role}:pos") for role in ("agent", "be", "by_agent", "object")}


def _add_valence(f: dict[str, float], names: tuple[str, str], v: float) -> None:
    """Add a valence to a role feature: ``names[1]`` (positive) gets v, ``names[0]`` (negative) -v; 0 adds none."""
    if v > 0:
        f[names[1]] = f.get(names[1], 0.0) + v
    elif v < 0:
        f[names[0]] = f.get(names[0], 0.0) + -v


_CLAUSE_NAMES = (("clause:out:neg", "clause:out:pos"), ("clause:in:neg", "clause:in:pos"))
_BAND_NAMES: dict[tuple[int, ...], tuple[list, list]] = {}


def _band_names(bands: tuple[int, ...], n: int) -> tuple[list, list]:
    """The ``dist`` feature names (negative, positive valence) left and right of a target, per token distance 0 .. n."""
    left, right = _BAND_NAMES.setdefault(bands, ([], []))
    for dist in range(len(left), n + 1):
        band = _band(dist, bands)
        left.append((f"dist:L{band}:neg", f"dist:L{band}:pos"))
        right.append((f"dist:R{band}:neg", f"dist:R{band}:pos"))
    return left, right


_CLOSENESS: dict[float, list[float]] = {}


def _closeness(scale: float, n: int) -> list[float]:
    """``1 / (1 + distance / scale)`` for every distance 0 .. n (the bow weights), computed once per distance."""
    table = _CLOSENESS.setdefault(scale, [])
    for dist in range(len(table), n + 1):
        table.append(1.0 / (1.0 + dist / scale))
    return table


def _valences(lex: list, in_scope: list[bool]) -> list[float]:
    """Each word's valence / 4, sign-flipped in a negation's scope (0.0 for a word without one)."""
    return [((-v if neg else v) / 4.0) if v else 0.0 for v, neg in zip(lex, in_scope, strict=True)]


def _learned_keys(infos: list[tuple], in_scope: list[bool]) -> list:
    """Each word's learned-group feature names (see _keys), of ``not_<stem>`` in a negation's scope; None: not a
    word."""
    return [info[5] if neg else info[4] for info, neg in zip(infos, in_scope, strict=True)]


def find_features(text: str, start: int, end: int, *, cues: Cues | None = None) -> dict[str, float]:
    """The features of the target at ``text[start:end]``: ``{name: value}``, names prefixed by their group.

    Valences are VADER lexicon values / 4 (a word VADER lacks takes the mean valence of the lexicon words with
    its Porter stem: "bombed" -> "bomb"), sign-flipped when a negator precedes them within ``negation_window``
    tokens of the same clause; such words also enter the learned groups as ``not_<stem>``. The target's own
    words never count (so no actor carries a prior). Groups:

    - ``sent``: positive and negative valence of the whole sentence, and its VADER-style normalised sum;
    - ``dist``: valence left (L) and right (R) of the target by token-distance band;
    - ``clause``: valence inside and outside the target's clause (clauses end at punctuation and "but", "while" ...);
    - ``role``: valence of the verb after the target (skipping auxiliaries), of a be/passive predicate
      (``be``: "X was praised", "X is corrupt"), of the words before it (``object``: "freed X"), and of the verb
      before an agentive "by" (``by_agent``: "accused by X");
    - ``speaker``: the target says the sentence ("X said", "according to X"): the sentence valence again;
    - ``quote``: the target inside quotes, valence quoted around a target outside them;
    - ``negation``: a negator within the window around the target in its clause;
    - ``position``: the target opens the sentence;
    - ``word``: the (Porter-stemmed) words within ``word_window`` tokens left and right of the target;
    - ``bow``: every stemmed word of the sentence, weighted by closeness, ``1 / (1 + distance / bow_scale)``.

    ``word`` and ``bow`` carry weights learned from NewsMTSC; the other groups are lexicon sums and flags.
    """
    cues = cues or load_cues()
    return _target_features(_Sentence(text, cues), start, end, cues)


def _target_features(sent: _Sentence, start: int, end: int, cues: Cues) -> dict[str, float]:
    """:func:`find_features` of one target of a prepared sentence (the sentence's token data is shared)."""
    words, quoted = sent.words, sent.quoted
    t0, t1 = sent.target_tokens(start, end)
    n = len(words)
    clause, in_scope, valence, keys = sent.clause, sent.in_scope, sent.valence, sent.keys
    if True in sent.breaks[t0 : t1 + 1]:  # a break token inside the target does not end a clause
        clause = _clauses(sent.breaks, t0, t1)
        in_scope = _negation_scope(words, clause, cues)
        valence = _valences(sent.lex, in_scope)
        keys = _learned_keys(sent.infos, in_scope)
    target_clause = clause[t0]

    f: dict[str, float] = {}
    total = 0.0
    speech_quoted = 0.0
    target_quoted = quoted[t0]
    names = sent.band_names  # [side][distance] -> (":neg", ":pos") feature names
    for i in sent.nonzero if valence is sent.valence else range(n):
        v = valence[i]
        if not v or t0 <= i <= t1:  # the target's own words never count
            continue
        total += v
        # add_valence of "sent", the distance band and the clause, written out: the same features in the same order
        pos = v > 0
        a = v if pos else -v
        name = _SENT_NAMES[pos]
        f[name] = f.get(name, 0.0) + a
        name = names[0][t0 - i][pos] if i < t0 else names[1][i - t1][pos]
        f[name] = f.get(name, 0.0) + a
        name = _CLAUSE_NAMES[clause[i] == target_clause][pos]
        f[name] = f.get(name, 0.0) + a
        if quoted[i] and not target_quoted:
            speech_quoted += v
    # The features from here to the word groups are each set once, under names the loop above does not use (the
    # role features excepted, see _add_valence): a nonzero value x is stored as x, which is 0.0 + x.
    scaled = 4.0 * total
    norm = scaled / math.sqrt(scaled * scaled + 15.0)  # VADER's normalisation of a summed valence
    if norm:
        f["sent:norm"] = norm
    if speech_quoted > 0:
        f["quote:in:pos"] = speech_quoted
    elif speech_quoted < 0:
        f["quote:in:neg"] = -speech_quoted
    if target_quoted:
        f["quote:target"] = 1.0

    # Role: the verb after the target (skipping auxiliaries), a be/passive predicate, the words before it.
    j, passive = t1 + 1, False
    while j < n and j <= t1 + 4 and words[j] in cues.auxiliaries and clause[j] == target_clause:
        passive = passive or words[j] in cues.passive_auxiliaries
        j += 1
    role = _ROLE_NAMES["be" if passive else "agent"]
    for k in range(j, min(n, j + 3)):
        if clause[k] == target_clause:
            _add_valence(f, role, valence[k])
    if t0 >= 1 and words[t0 - 1] in cues.agent_markers:
        role = _ROLE_NAMES["by_agent"]
        for k in range(max(0, t0 - 4), t0 - 1):
            if clause[k] == target_clause:
                _add_valence(f, role, valence[k])
    else:
        role = _ROLE_NAMES["object"]
        for k in range(max(0, t0 - 3), t0):
            if clause[k] == target_clause:
                _add_valence(f, role, valence[k])

    # Speaker: "X said", "X has told", "..., said X", "according to X".
    speaker = j < n and words[j] in cues.speech_verbs
    speaker = speaker or (t0 >= 1 and words[t0 - 1] in cues.speech_verbs)
    for marker in cues.speaker_markers:
        if t0 >= len(marker) and tuple(words[t0 - len(marker) : t0]) == marker:
            speaker = True
    if speaker:
        f["speaker:flag"] = 1.0
        if total > 0:
            f["speaker:pos"] = total
        elif total < 0:
            f["speaker:neg"] = -total

    lo, hi = max(0, t0 - cues.negation_window), min(n, t1 + 1 + cues.negation_window)
    if sent.negated and any(
        words[k] in cues.negators and clause[k] == target_clause for k in range(lo, hi) if not t0 <= k <= t1
    ):
        f["negation:near"] = 1.0
    if t0 == sent.first_word:
        f["position:first"] = 1.0

    window, closeness = cues.word_window, sent.closeness
    # Left of the target, then right of it: the features in token order. On the left the closeness grows towards
    # the target, so a stem's later occurrence always replaces its bow value (no bow name is in f before this).
    near = max(0, t0 - window)
    for key, c in zip(keys[:near], closeness[t0 : t0 - near : -1]):  # beyond the word window
        if key is not None:
            f[key[0]] = c  # of the stem, "not_<stem>" in a negation's scope (Das & Chen 2001)
    for key, c in zip(keys[near:t0], closeness[t0 - near : 0 : -1]):
        if key is not None:
            f[key[1]] = 1.0
            f[key[0]] = c
    # on the right the closeness falls, so a stem keeps its nearest (first) value, or its value from the left
    far = t1 + 1 + window
    for key, c in zip(keys[t1 + 1 : far], closeness[1 : window + 1]):  # within the word window
        if key is not None:
            f[key[2]] = 1.0
            bow = key[0]
            if c > f.get(bow, 0.0):
                f[bow] = c
    for key, c in zip(keys[far:], closeness[window + 1 : n - t1]):
        if key is not None:
            bow = key[0]
            if c > f.get(bow, 0.0):
                f[bow] = c
    return f


@dataclass(frozen=True)
class Model:
    """A multinomial logistic regression as data: one weight per (class, feature) plus an intercept per class."""

    labels: tuple[str, ...]
    intercept: np.ndarray  # shape (n_classes,)
    weights: dict[str, np.ndarray]  # feature name -> weights per class (scaling already folded in)
    info: dict

    def score_features(self, features: dict[str, float]) -> np.ndarray:
        """Class probabilities of one feature dict (softmax of intercept + sum of value x weight)."""
        return _softmax(np.array([self.score_logits(features)], dtype="float64"))[0]

    def score_logits(self, features: dict[str, float]) -> tuple[float, float, float]:
        """intercept + sum of value x weight per class, for one feature dict."""
        # The sums in Python floats, in the dict's order: the same IEEE operations as adding value * w to a numpy
        # vector feature by feature, without a numpy call per feature.
        weights = self._weight_tuples
        z0, z1, z2 = self._intercept_tuple
        for name, value in features.items():
            w = weights.get(name)
            if w is not None:
                z0 += value * w[0]
                z1 += value * w[1]
                z2 += value * w[2]
        return z0, z1, z2

    @cached_property
    def _weight_tuples(self) -> dict[str, tuple[float, float, float]]:
        return {name: tuple(w.tolist()) for name, w in self.weights.items()}

    @cached_property
    def _intercept_tuple(self) -> tuple[float, float, float]:
        return tuple(self.intercept.tolist())


def _softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits (rows: targets), shifted by each row's maximum."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def parse_model(data: dict) -> Model:
    """A :class:`Model` from the JSON structure that scripts/train_target_sentiment.py writes."""
    try:
        labels = tuple(data["labels"])
        intercept = np.asarray(data["intercept"], dtype="float64")
        weights = {name: np.asarray(w, dtype="float64") for name, w in data["weights"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceError(
            f"target sentiment model: bad structure ({exc}); re-run scripts/train_target_sentiment.py"
        ) from exc
    if labels != LABELS or intercept.shape != (3,) or any(w.shape != (3,) for w in weights.values()):
        raise ResourceError("target sentiment model: expects 3 classes negative/neutral/positive with 3 weights each")
    return Model(labels, intercept, weights, {k: v for k, v in data.items() if k not in ("weights", "intercept")})


@lru_cache(maxsize=2)
def load_model(path: str | Path | None = None) -> Model:
    """The stored model (``analysis/resources/target_sentiment_model.json``), checked against the cue file."""
    source = Path(path) if path is not None else config.resource(MODEL_FILE)
    if not source.exists():
        raise ResourceError(f"{source} is missing: run `python scripts/train_target_sentiment.py`")
    model = parse_model(json.loads(source.read_text(encoding="utf-8")))
    trained_with = model.info.get("cues", {}).get("sha256")
    if trained_with != load_cues().sha256:
        raise ResourceError(
            f"{source} was trained with other cues than analysis/resources/{CUES_FILE}: "
            "re-run `python scripts/train_target_sentiment.py`"
        )
    return model


def score_targets(frame: pd.DataFrame, *, model: Model | None = None) -> pd.DataFrame:
    """``frame`` (text, start, end: the target's character span) with ``polarity`` and signed ``score`` added.

    ``score`` is P(positive) - P(negative) of the stored model (-1 .. 1); ``polarity`` is the most probable class.
    Returns a new frame; the input is not changed.
    """
    require_columns(frame, ["text", "start", "end"], what="target table")
    model = model or load_model()
    cues = load_cues()
    out = frame.copy()
    logits = []  # one (3,) tuple per target, made an array at once (not a numpy row assignment per target)
    sent = last_text = None  # consecutive targets in one sentence share its token data
    columns = (frame["text"].tolist(), frame["start"].tolist(), frame["end"].tolist())  # lists: fast to iterate
    for row, (text, start, end) in enumerate(zip(*columns)):
        if not isinstance(text, str):
            raise InputError(f"target table row {row}: text is {type(text).__name__}, not a string")
        start, end = int(start), int(end)
        if not 0 <= start < end <= len(text):
            raise InputError(
                f"target table row {row}: span {start}-{end} lies outside its text ({len(text)} characters)"
            )
        if text is not last_text and text != last_text:
            sent, last_text = _Sentence(text, cues), text
        logits.append(model.score_logits(_target_features(sent, start, end, cues)))
    probs = _softmax(np.array(logits, dtype="float64").reshape(len(frame), 3))
    out["polarity"] = pd.Series(np.asarray(LABELS, dtype=object)[probs.argmax(axis=1)], index=out.index, dtype="string")
    out["score"] = probs[:, 2] - probs[:, 0]
    return out


def RESOURCE_VERSIONS() -> dict[str, dict[str, str]]:  # noqa: N802 - the name the pipeline looks up on every stage module
    """Version (data, C, size) and sha256 of the model file and of its cue file (for manifest.json)."""
    from analysis.resources import resource_versions

    hp = load_model().info.get("hyper_parameters", {})
    model = config.resource(MODEL_FILE)
    versions = resource_versions(CUES_FILE)
    versions[MODEL_FILE] = {
        # no date here: the training date is in the model file, and reports must not look rendered on a date
        "version": f"NewsMTSC train, C={hp.get('C', '?')}, {hp.get('n_features', '?')} features",
        "sha256": hashlib.sha256(model.read_bytes()).hexdigest(),
    }
    return versions


def render_method(model: Model | None = None) -> str:
    """One sentence naming the method and its validation figures, read from the model file (for reports)."""
    info = (model or load_model()).info
    data = info.get("training_data", {})
    text = (
        "Tone towards each actor is target-dependent: a logistic regression over features of the words around each "
        f"mention (VADER valence by distance, clause and grammatical role; negation; learned words), trained on "
        f"NewsMTSC ({data.get('targets', '?'):,} targets of US political news, Hamborg & Donnay 2021) and scored "
        "P(positive) - P(negative) from -1 to 1"
    )
    dev = info.get("validation", {})
    if dev:
        parts = [
            f"{split} {r['macro_f1']:.2f} (sentence VADER {r['baseline_macro_f1']:.2f})" for split, r in dev.items()
        ]
        text += f". Macro F1 on NewsMTSC's development parts: {'; '.join(parts)}"
    return text + ". Trained on another domain, so compare actors rather than read levels."
