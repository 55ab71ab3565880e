"""The attribution tagger: a linear-chain CRF over a sentence's words that marks SOURCE and CUE spans the rules miss.

PolNeAR annotates stances and beliefs as well as speech ("lit into", "is angry at"), which no reporting-verb list
covers. The tagger labels each word of a candidate sentence O, B-S/I-S (source) or B-C/I-C (cue) from readable
features (the word, its neighbours, shape, quotation, the reporting-verb lexicon and the rules' own spans). Its
weights are in ``analysis/resources/attribution_tagger.json``, trained on PolNeAR train by
``scripts/train_attribution_tagger.py`` (python-crfsuite; provenance, cross-validated scores and hyper-parameters
in the file). At run time the labels are decoded here from the stored weights with a small Viterbi: no library
decodes a CRF from readable weights (crfsuite reads only its own binary model), and the decoder is 30 lines.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.errors import ResourceError
from analysis.resources import load_parsed

TAGGER_FILE = "attribution_tagger.json"
LABELS = ("O", "B-S", "I-S", "B-C", "I-C")
#: words, or single non-space characters; "don't", "al-Assad" and "U.S" stay one word
TOKEN = re.compile(r"\w+(?:['’.-]\w+)*|[^\w\s]")
_QUOTE_MARKS = frozenset("\"“”‘’'«»")


@dataclass(frozen=True, eq=False)
class AttributionTagger:
    """Label set, state weights (feature -> one weight per label), transition weights and candidate words."""

    version: str
    labels: tuple[str, ...]
    state: dict  # feature name -> tuple of weights, one per label
    transitions: tuple  # [from][to] weights
    trigger_regex: re.Pattern  # a sentence is tagged only when it holds one of the trigger words (cue words of train)
    max_words: int  # longer sentences are not tagged (cost; PolNeAR gold cues sit in sentences shorter than this)
    o_margin: float  # twice the largest gain of a transition over O -> O (see find_spans)
    threshold: float = 0.0  # a pair is kept when the marginal probability of its B-S and its B-C both reach it
    cue_margin: float = math.inf  # a sentence is decoded only when a word's cue score comes this close to its O
    rows: dict | None = None  # feature template -> value -> row of ``matrix`` (the fast scorer's index)
    matrix: np.ndarray | None = None  # one row of label weights per feature, then a row of zeros
    vocab: dict | None = None  # word -> row of ``word_rows``: every word a w / w-1 / w+1 / w-2 / w+2 feature names
    word_rows: np.ndarray | None = None  # per vocab word, its rows of ``matrix`` for those five templates; last: none

    def find_spans(self, features: list[list[str]]) -> list[str]:
        """The most probable label sequence (Viterbi) of one sentence's feature lists."""
        scores = self.score_tokens(features)
        # exact shortcut: when every word prefers O by more than twice the largest gain a transition can bring
        # over O -> O, no other path can beat all-O (each non-O word changes at most two transitions)
        if all(max(row[1:]) - row[0] < -self.o_margin for row in scores):
            return ["O"] * len(scores)
        return [self.labels[i] for i in viterbi(scores, self.transitions)]

    def find_pairs(
        self, tokens: list[tuple[int, int, str]], *, quotes: list, lexicon, rule_spans: list
    ) -> list[tuple[int, int, int, int, float]]:
        """The (source, cue) pairs of one sentence whose confidence reaches ``threshold`` (see :func:`find_pairs`)."""
        scores = self.score_sentence(tokens, quotes=quotes, lexicon=lexicon, rule_spans=rule_spans)
        if (scores[:, 1:].max(axis=1) - scores[:, 0] < -self.o_margin).all():
            return []  # the exact shortcut of find_spans
        # the calibrated pre-filter: no word looks enough like a cue (`cue_margin`, set on train so that it loses
        # at most the share of train pairs stored with it)
        if (scores[:, 3:].max(axis=1) - scores[:, 0]).max() < -self.cue_margin:
            return []
        labels = [self.labels[i] for i in viterbi(scores, self.transitions)]
        if "B-C" not in labels or ("B-S" not in labels and "I-S" not in labels):
            return []
        if self.threshold <= 0:
            return find_pairs(tokens, labels)
        pairs = find_pairs(tokens, labels, find_marginals(scores, self.transitions))
        return [p for p in pairs if p[4] >= self.threshold]

    def _feature_rows(
        self, tokens: list[tuple[int, int, str]], *, quotes: list, lexicon, rule_spans: list
    ) -> np.ndarray:
        """The rows of ``matrix`` of each word's features, as a (templates, n) array (see :meth:`score_sentence`)."""
        rows, zero = self.rows, len(self.matrix) - 1
        words = [w for _, _, w in tokens]
        low = [w.lower() for w in words]
        n = len(low)
        padded = ["<s>", "<s>", *low, "</s>", "</s>"]
        shapes = [_shape(w) for w in words]
        # one lookup per word gives its rows for the five word templates (it is the token itself for w=, the left
        # neighbour of the next token for w-1=, ...); the gather below keeps the template order of token_features,
        # so that the sums are added in the same order as before
        vget, none = self.vocab.get, len(self.vocab)
        wr = self.word_rows[[vget(v, none) for v in padded]]
        s3get, shget = rows.get("s3", {}).get, rows.get("sh", {}).get
        keys = [a + "|" + b for a, b in zip(padded[1 : n + 2], padded[2 : n + 3])]  # (left, word) pairs, n + 1
        lget, rget = rows.get("w-1w", {}).get, rows.get("ww+1", {}).get
        flags = _token_flags(tokens, shapes, low, quotes, lexicon, rule_spans)
        flag_rows = []
        for name in ("inq", "lex", "caprun", "first", "last", "r=S", "r=C"):
            row = rows.get("", {}).get(name, zero)
            flag_rows.extend([row if name in f else zero for f in flags])
        idx = np.concatenate(
            (
                wr[2 : n + 2, 0],
                [s3get(w[-3:], zero) for w in low],
                [shget(h, zero) for h in shapes],
                wr[1 : n + 1, 1],
                wr[3 : n + 3, 2],
                wr[0:n, 3],
                wr[4 : n + 4, 4],
                [lget(k, zero) for k in keys[:n]],
                [rget(k, zero) for k in keys[1:]],
                flag_rows,
            )
        )
        return idx.reshape(-1, n)

    def _bias(self) -> np.ndarray:
        return self.matrix[self.rows.get("", {}).get("b", len(self.matrix) - 1)]

    def find_pairs_batch(self, sentences: list[tuple[list, list]], *, lexicon) -> list[list[tuple]]:
        """``find_pairs(tokens, quotes=quotes, lexicon=lexicon, rule_spans=[])`` for each ``(tokens, quotes)`` of
        ``sentences``, scored in one numpy gather and decoded by one Viterbi over the batch (the same sums, labels
        and pairs as one sentence at a time, in a fraction of the time: numpy's cost per call is paid per word of
        the longest sentence instead of per word of every sentence)."""
        out: list[list[tuple]] = [[] for _ in sentences]
        if not sentences:
            return out
        lengths = np.array([len(tokens) for tokens, _ in sentences])
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        rows = np.concatenate(
            [self._feature_rows(t, quotes=q, lexicon=lexicon, rule_spans=[]) for t, q in sentences], axis=1
        )
        scores = self.matrix[rows].sum(axis=0) + self._bias()
        # the exact shortcut and the calibrated pre-filter of find_pairs, per sentence
        gap = np.maximum.reduceat(scores[:, 1:].max(axis=1) - scores[:, 0], starts)
        cue = np.maximum.reduceat(scores[:, 3:].max(axis=1) - scores[:, 0], starts)
        todo = np.flatnonzero((gap >= -self.o_margin) & (cue >= -self.cue_margin))
        if not len(todo):
            return out
        width = int(lengths[todo].max())
        padded = np.zeros((len(todo), width, len(self.labels)))
        for b, n in enumerate(todo):
            padded[b, : lengths[n]] = scores[starts[n] : starts[n] + lengths[n]]
        paths = viterbi_batch(padded, lengths[todo], self.transitions)
        for b, n in enumerate(todo):
            labels = [self.labels[i] for i in paths[b]]
            if "B-C" not in labels or ("B-S" not in labels and "I-S" not in labels):
                continue
            tokens = sentences[n][0]
            if self.threshold <= 0:
                out[n] = find_pairs(tokens, labels)
            else:
                marginals = find_marginals(padded[b, : lengths[n]], self.transitions)
                out[n] = [p for p in find_pairs(tokens, labels, marginals) if p[4] >= self.threshold]
        return out

    def score_sentence(
        self, tokens: list[tuple[int, int, str]], *, quotes: list, lexicon, rule_spans: list
    ) -> np.ndarray:
        """Per word, the summed weight of each label of the features of :func:`token_features`, as an (n, 5) array.

        The same sums as ``score_tokens(token_features(...))`` without building the feature names: each template's
        value is looked up in its own index and the rows are added in one numpy gather (tests check the two agree).
        """
        rows = self._feature_rows(tokens, quotes=quotes, lexicon=lexicon, rule_spans=rule_spans)
        return self.matrix[rows].sum(axis=0) + self._bias()

    def score_tokens(self, features: list[list[str]]) -> list[list[float]]:
        """Per word, the summed state weight of each label (label order: LABELS)."""
        get = self.state.get
        out = []
        for feats in features:
            a0 = a1 = a2 = a3 = a4 = 0.0  # unrolled over the five labels: the hot loop of the tagger
            for f in feats:
                w = get(f)
                if w is not None:
                    a0 += w[0]
                    a1 += w[1]
                    a2 += w[2]
                    a3 += w[3]
                    a4 += w[4]
            out.append([a0, a1, a2, a3, a4])
        return out


def find_marginals(scores, transitions) -> np.ndarray:
    """Per word, the marginal probability of each label: forward-backward, scaled at each word (no logs needed)."""
    s = np.asarray(scores, dtype=float)
    if not len(s):
        return s
    e = np.exp(s - s.max(axis=1, keepdims=True))  # a constant per word does not change the marginals
    t = np.asarray(transitions, dtype=float)
    m = np.exp(t - t.max())
    alpha, beta = np.empty_like(e), np.empty_like(e)
    a = e[0]
    alpha[0] = a / a.sum()
    for i in range(1, len(e)):
        a = (alpha[i - 1] @ m) * e[i]
        alpha[i] = a / a.sum()
    beta[-1] = 1.0
    for i in range(len(e) - 2, -1, -1):
        b = m @ (e[i + 1] * beta[i + 1])
        beta[i] = b / b.sum()
    p = alpha * beta
    return p / p.sum(axis=1, keepdims=True)


def viterbi(scores, transitions) -> list[int]:
    """Best label indices for per-word label ``scores`` (n, k) and ``transitions[from][to]`` (a linear-chain CRF).

    Plain Python over lists: with five labels, numpy's per-call cost at each word outweighs its arithmetic (this
    is twice as fast, with the same float64 sums and the same tie-break, the first best label)."""
    s = scores.tolist() if isinstance(scores, np.ndarray) else [list(r) for r in scores]
    if not s:
        return []
    labels = range(len(s[0]))
    rest = labels[1:]
    cols = [[row[j] for row in transitions] for j in labels]  # cols[to][from]
    best = s[0]
    back = []
    for row in s[1:]:
        pointers, nxt = [], []
        for j in labels:
            col = cols[j]
            bi, bv = 0, best[0] + col[0]
            for i in rest:
                v = best[i] + col[i]
                if v > bv:
                    bi, bv = i, v
            pointers.append(bi)
            nxt.append(bv + row[j])
        back.append(pointers)
        best = nxt
    j = max(labels, key=best.__getitem__)
    path = [j]
    for pointers in reversed(back):
        j = pointers[j]
        path.append(j)
    return path[::-1]


def viterbi_batch(scores: np.ndarray, lengths, transitions) -> list[list[int]]:
    """:func:`viterbi` of many sentences at once: ``scores`` (sentences, longest, k) padded after each sentence's
    ``lengths`` words (the padding never reaches a sentence's own words: the recursion runs left to right)."""
    t = np.asarray(transitions, dtype=float)
    b, width, _ = scores.shape
    back = np.zeros(scores.shape, dtype=np.intp)
    best = np.empty(scores.shape)
    best[:, 0] = scores[:, 0]
    for i in range(1, width):
        cand = best[:, i - 1, :, None] + t  # [sentence, from, to]
        back[:, i] = cand.argmax(axis=1)
        best[:, i] = np.take_along_axis(cand, back[:, i, None, :], axis=1)[:, 0] + scores[:, i]
    paths = []
    for n, length in enumerate(lengths):
        j = int(best[n, length - 1].argmax())
        path = [j]
        for i in range(length - 1, 0, -1):
            j = int(back[n, i, j])
            path.append(j)
        paths.append(path[::-1])
    return paths


def load_attribution_tagger(path: str | Path | None = None) -> AttributionTagger:
    """The tagger from ``attribution_tagger.json`` (or your own file of the same shape)."""
    return load_parsed(path, TAGGER_FILE, _parse_tagger)


def _parse_tagger(path: Path) -> AttributionTagger:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        labels = tuple(data["labels"])
        if labels != LABELS:
            raise ResourceError(f"attribution tagger {path}: labels must be exactly {', '.join(LABELS)}, in order")
        index = {lab: i for i, lab in enumerate(labels)}
        state = {}
        for feat, weights in data["state_features"].items():
            vec = [0.0] * len(labels)
            for lab, w in weights.items():
                vec[index[lab]] = float(w)
            state[str(feat)] = tuple(vec)
        trans = [[0.0] * len(labels) for _ in labels]
        for a, row in data["transitions"].items():
            for b, w in row.items():
                trans[index[a]][index[b]] = float(w)
        from analysis.frames.attribution_rules import _trie_pattern  # (that module imports this one)

        words = sorted({str(w) for w in data["trigger_words"]})
        trigger = re.compile(r"(?<![\w-])(?:" + _trie_pattern(words) + r")(?![\w-])" if words else "(?!)", re.I)
        margin = 2 * max(0.0, max(max(row) for row in trans) - trans[0][0])
        rows: dict[str, dict[str, int]] = {}
        for n, feat in enumerate(state):
            tpl, eq, value = feat.partition("=")
            if feat.startswith("r=") or not eq:
                tpl, value = "", feat  # flags: "b", "inq", "lex", ..., and the rules' spans "r=S", "r=C"
            rows.setdefault(tpl, {})[value] = n
        matrix = np.array([*state.values(), [0.0] * len(labels)], dtype=float).reshape(-1, len(labels))
        zero = len(matrix) - 1
        templates = ("w", "w-1", "w+1", "w-2", "w+2")
        vocab: dict[str, int] = {}
        for tpl in templates:
            for value in rows.get(tpl, {}):
                vocab.setdefault(value, len(vocab))
        word_rows = np.full((len(vocab) + 1, len(templates)), zero, dtype=np.intp)
        for c, tpl in enumerate(templates):
            for value, n in rows.get(tpl, {}).items():
                word_rows[vocab[value], c] = n
        tagger = AttributionTagger(
            str(data["version"]),
            labels,
            state,
            tuple(map(tuple, trans)),
            trigger,
            int(data["max_words"]),
            margin,
            float(data.get("threshold", 0.0)),
            float(data.get("cue_margin", math.inf)),
            rows,
            matrix,
            vocab,
            word_rows,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResourceError(f"attribution tagger {path}: cannot read its weights ({exc})") from None
    return tagger


# --------------------------------------------------------------------------------------------------------- features
def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper():
        return "X" if len(word) > 1 else "X1"
    if word[:1].isupper():
        return "Xx"
    if word[:1].isalpha():
        return "x"
    return "p"


def find_tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The words of ``text[start:end]`` as (start, end, word) with document offsets."""
    return [(m.start() + start, m.end() + start, m.group()) for m in TOKEN.finditer(text[start:end])]


def token_features(
    tokens: list[tuple[int, int, str]], *, quotes: list, lexicon, rule_spans: list[tuple[int, int, str]]
) -> list[list[str]]:
    """The CRF's feature names of each word: word, suffix, shape, neighbours, quotation, lexicon, the rules' spans.

    ``quotes``: the document's quotation spans (sorted); ``lexicon``: reporting-verb forms (a set);
    ``rule_spans``: (start, end, "S" or "C") of the speakers and cues the rules found in the sentence.
    """
    low = [w.lower() for _, _, w in tokens]
    shapes = [_shape(w) for _, _, w in tokens]
    padded = ["<s>", "<s>", *low, "</s>", "</s>"]
    flags = _token_flags(tokens, shapes, low, quotes, lexicon, rule_spans)
    out = []
    for i, lw in enumerate(low):
        out.append(
            [
                "b",
                "w=" + lw,
                "s3=" + lw[-3:],
                "sh=" + shapes[i],
                "w-1=" + padded[i + 1],
                "w+1=" + padded[i + 3],
                "w-2=" + padded[i],
                "w+2=" + padded[i + 4],
                "w-1w=" + padded[i + 1] + "|" + lw,
                "ww+1=" + lw + "|" + padded[i + 3],
                *flags[i],
            ]
        )
    return out


def _token_flags(tokens, shapes: list[str], low: list[str], quotes: list, lexicon, rule_spans) -> list[list[str]]:
    """The binary features of each word: inq, lex, caprun, r=S / r=C, first, last."""
    n, nq = len(tokens), len(quotes)
    qi = max(bisect.bisect_right(quotes, (tokens[0][0], float("inf"))) - 1, 0) if tokens else 0
    out = []
    for i, (ts, te, word) in enumerate(tokens):
        f = []
        while qi < nq and quotes[qi][1] <= ts:
            qi += 1
        if qi < nq and quotes[qi][0] <= ts and word not in _QUOTE_MARKS:
            f.append("inq")
        if low[i] in lexicon:
            f.append("lex")
        if i > 0 and shapes[i] in ("Xx", "X") and shapes[i - 1] in ("Xx", "X"):
            f.append("caprun")
        for rs, re_, kind in rule_spans:
            if rs < te and ts < re_:
                f.append("r=" + kind)
                break
        if i == 0:
            f.append("first")
        elif i == n - 1:
            f.append("last")
        out.append(f)
    return out


def find_pairs(
    tokens: list[tuple[int, int, str]], labels: list[str], marginals: list[list[float]] | None = None
) -> list[tuple[int, int, int, int, float]]:
    """(source start, source end, cue start, cue end, confidence) in document offsets: each cue with its nearest
    source span; the confidence is the smaller marginal probability of the B-S and B-C words (1.0 without
    ``marginals``)."""
    spans: dict[str, list[list[int]]] = {"S": [], "C": []}
    for i, lab in enumerate(labels):
        if lab == "O":
            continue
        kind = lab[2]
        if lab[0] == "B" or not spans[kind] or spans[kind][-1][1] != i - 1:
            spans[kind].append([i, i])
        else:
            spans[kind][-1][1] = i
    pairs = []
    for cs, ce in spans["C"]:
        best = None
        for ss, se in spans["S"]:
            gap = cs - se if se < cs else ss - ce
            key = (gap, se >= cs)  # nearest; a source on the left wins a tie
            if best is None or key < best[0]:
                best = (key, ss, se)
        if best is not None:
            _, ss, se = best
            conf = 1.0
            if marginals is not None:
                conf = min(marginals[ss][LABELS.index(labels[ss])], marginals[cs][LABELS.index(labels[cs])])
            pairs.append((tokens[ss][0], tokens[se][1], tokens[cs][0], tokens[ce][1], conf))
    return pairs
