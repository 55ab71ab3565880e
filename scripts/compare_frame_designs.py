"""Compare frame-presence model designs on the Narrative Frames Corpus by nested cross-validation (issue 10).

    python scripts/compare_frame_designs.py [--gold DIR] [--designs NAME ...] [--out CSV]

Prints, per design, the 5-fold cross-validated F1 of each generic frame (mean and sd over the outer folds) and the
macro F1. Every design is scored the way the stored model is (``analysis.gold.calibration``): the same outer folds;
inside each training part an inner 5-fold CV picks the feature form (log counts or log rates), C and the
probability cut-off; the held-out fold is scored once. Only the development part (250 articles) is read.

This is the record of the designs tried and not kept (docs/framing.md, "Tried and not kept"). Looking at all of
them on the same 250 articles is itself mild tuning: the best of these figures is optimistic.

Designs (``baseline`` is the stored design of frame_presence.json):

- ``baseline``: the frame's own indicators + log length, ridge logistic regression, balanced classes, F1 cut-off;
- ``soft_labels``: the same, trained on each coder's frame code (the share of coders coding the frame present,
  as sample weights) instead of the aggregated label;
- ``per_question`` / ``per_question_soft``: one model per question of the gold set's frame rule (consensus
  answer, or the coders' share of "yes"), combined into P(frame) by that rule (k of n, independence assumed);
- ``style``: baseline + 9 topic-free style rates (first person, we/our, you, quotation marks, question marks,
  obligation modals, future/ability modals, currency, numbers);
- ``l1_pool`` / ``l1_pool_style``: lasso over the indicators of all five generic frames (+ the style rates);
- ``evidence_sum``: 3 features: log(1 + the frame's cue matches), number of indicators fired, log length;
- ``binary``: the frame's indicators as fired 0/1 + log length;
- ``kappa_cutoff``: baseline, with the cut-off maximising Cohen's kappa (agreement) instead of F1;
- ``ar6_cues``: baseline on a codebook with one more responsibility indicator written from the question AR6
  ("some entity ... actively alleviating, or planning to alleviate, the problem");
- ``shared_vocab``: word features that can transfer to war news: TF-IDF (sublinear) of the words found in at least 5
  development articles *and* in at least 0.2% of FA-KES and the first 3,000 Reuters-ISOT Middle East articles
  (about 2,450 words; topic words of the climate set such as "carbon" drop out), beside the frame's own indicators
  (standardised, weight 0.3); C from a wider grid. It needs ../shared/corpora/fakes and reuters-isot.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import cohen_kappa_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from analysis import config  # noqa: E402
from analysis.gold import calibration as cal  # noqa: E402
from analysis.gold import narrative_frames as nf  # noqa: E402

GENERIC = tuple(nf.FRAMES.values())
STYLE = {  # topic-free style rates (log(1 + matches per 1,000 characters)); case-sensitive where it matters
    "first_person": r"\b(?:I|me|my|mine|myself|I'm|I've|I'd)\b",
    "we_our": r"\b(?:[Ww]e|[Oo]ur|[Uu]s)\b",
    "you": r"\b(?:[Yy]ou|[Yy]our)\b",
    "quotes": '["\u201c\u201d]',
    "question_marks": r"\?",
    "obligation": r"\b(?:should|must|ought to|need to|needs to|have to|has to)\b",
    "future_ability": r"\b(?:will|would|could|can|plans? to|aims? to)\b",
    "currency": "[$\u20ac\u00a3]|\\b(?:dollars|euros|pounds)\\b",
    "numbers": r"\b\d[\d,.]*\b",
}
AR6_INDICATOR = {  # the ar6_cues design: written from the question's wording (annotation_detailed_instructions.pdf)
    "id": "entity_alleviating",
    "question": "Does the story describe some entity as actively alleviating, or planning to alleviate, the problem?",
    "cues": [
        r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been)\s+(?:\w+\s+)?(?:working|trying|seeking|striving|"
        r"pushing|campaigning|lobbying|racing|scrambling)\s+(?:hard\s+)?(?:to|for)",
        r"(?:plans?|planning|aims?|aiming|intends?|intending|seeks?|seeking|hopes?|hoping|expects?|expected|wants?|"
        r"is\s+set|are\s+set)\s+to\s+(?:\w+\s+){0,2}(?:reduce|cut|curb|limit|lower|tackle|address|fight|combat|"
        r"prevent|end|stop|ban|phase\s+out|protect|restore|rebuild|repair|help|improve|expand|deliver|provide|invest|"
        r"build|develop|create|install|replace|clean\s+up|save)",
        r"(?:launched|launches|launch|unveiled|unveils|unveil|rolled\s+out|rolls\s+out|set\s+up|sets\s+up|"
        r"established|establishes|founded|formed|started|starts)\s+(?:\w+\s+){0,3}(?:initiative|programme|program|"
        r"project|scheme|fund|campaign|plan|task\s+force|partnership|coalition|alliance|effort|mission)",
        r"(?:in\s+an?\s+(?:effort|attempt|bid|drive|push)\s+to|efforts?\s+(?:to|aimed\s+at)|(?:an?|the|its|their)\s+"
        r"(?:bid|push|drive|campaign)\s+to)",
        r"(?:help|helps|helped|helping)\s+(?:\w+\s+){0,2}(?:to\s+)?(?:reduce|cut|curb|lower|limit|protect|prevent|"
        r"fight|combat|tackle|address|restore|save|cope|adapt|recover|rebuild|solve)",
        r"(?:is|are|was|were)\s+(?:\w+\s+)?(?:leading|spearheading|pioneering|championing|funding|financing|backing|"
        r"supporting)\s+(?:the\s+|an?\s+)?(?:\w+\s+){0,2}(?:efforts?|push|fight|drive|transition|plan|initiative|"
        r"project|programme|program|campaign)",
    ],
}
DESIGNS = ("baseline", "soft_labels", "per_question", "per_question_soft", "style", "l1_pool", "l1_pool_style",
           "evidence_sum", "binary", "kappa_cutoff", "ar6_cues", "shared_vocab")  # fmt: skip
WORD = r"(?u)\b[a-zA-Z][a-zA-Z']+\b"
SHARED_VOCAB_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)  # TF-IDF rows have unit norm: weaker penalties than the indicators


def _shared_vocab_matrix(texts: list[str]) -> np.ndarray:
    """TF-IDF of the words common to the development texts and to war news (the ``shared_vocab`` design)."""
    fakes = pd.read_csv(config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv", encoding="latin-1")
    reuters = pd.read_csv(config.SHARED_CORPORA / "reuters-isot" / "reuters_middle_east.csv", nrows=3000)
    war = pd.concat([fakes["article_content"], reuters["text"]]).astype(str)
    war_words = CountVectorizer(token_pattern=WORD, min_df=0.002, binary=True).fit(war).vocabulary_
    dev_words = CountVectorizer(token_pattern=WORD, min_df=5, binary=True).fit(texts).vocabulary_
    vocab = sorted(set(dev_words) & set(war_words))
    return TfidfVectorizer(token_pattern=WORD, vocabulary=vocab, sublinear_tf=True).fit_transform(texts).toarray()


class Data:
    """Features, labels and coder shares of the development part, lined up by doc_id."""

    def __init__(self, gold: nf.NarrativeFrames, codebook=None):
        self.design = cal.build_design(gold.articles, gold.frames, codebook=codebook)
        ids = self.design.labels.index
        self.ids, self.y, self.f = ids, self.design.labels, self.design.features
        coder = nf.find_coder_frames(gold)
        self.share = coder.groupby(["doc_id", "frame"])["present"].mean().unstack().reindex(ids)
        self.q_share = gold.answers.groupby(["doc_id", "question"])["answer"].mean().unstack().reindex(ids)
        cons = gold.consensus.pivot(index="doc_id", columns="question", values="consensus").reindex(ids)
        self.q_consensus = cons.astype("float64")
        self._words: np.ndarray | None = None
        text = gold.articles.drop_duplicates("doc_id").set_index("doc_id")["text"].reindex(ids)
        self.text = text.tolist()
        k = self.design.kchars.to_numpy()
        self.style = np.column_stack(
            [np.log1p(np.array([len(re.findall(p, t)) for t in text]) / k) for p in STYLE.values()]
        )

    @property
    def words(self) -> np.ndarray:
        if self._words is None:
            self._words = _shared_vocab_matrix(self.text)
        return self._words

    def own(self, frame: str, form: str) -> np.ndarray:
        return self.f[cal.frame_features(self.f, frame, form)].to_numpy(dtype="float64")


def _fit(x: np.ndarray, t: np.ndarray, c: float, *, balanced: bool = True, l1: bool = False):
    """Standardise, fit a logistic regression on 0/1 or soft targets ``t``; return a scorer of new rows."""
    scaler = StandardScaler().fit(x)
    xs, n = scaler.transform(x), len(t)
    kw = {"C": c, "max_iter": 5000}
    if l1:
        kw |= {"l1_ratio": 1.0, "solver": "liblinear"}
    if np.all((t == 0) | (t == 1)):
        lr = LogisticRegression(class_weight="balanced" if balanced else None, **kw).fit(xs, t.astype(int))
    else:  # soft targets: each article twice, as present (weight t) and absent (weight 1 - t)
        pos, neg = t.sum(), n - t.sum()
        w = np.r_[t * (n / (2 * pos) if balanced else 1), (1 - t) * (n / (2 * neg) if balanced else 1)]
        keep = w > 0
        lr = LogisticRegression(**kw).fit(np.vstack([xs, xs])[keep], np.r_[np.ones(n), np.zeros(n)][keep],
                                          sample_weight=w[keep])  # fmt: skip
    return lambda z: lr.predict_proba(scaler.transform(z))[:, 1]


def _kappa_cutoff(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    best = (float(np.max(score)), -2.0)
    for t in np.unique(score):
        pred = (score >= t).astype(int)
        k = cohen_kappa_score(y, pred) if 0 < pred.sum() < len(pred) else 0.0
        if k >= best[1]:
            best = (float(t), k)
    return best


def _combine(frame: str, probs: list[np.ndarray]) -> np.ndarray:
    """P(frame) from per-question probabilities by the gold set's rule (at least k of n), independence assumed."""
    code = next(c for c, f in nf.FRAMES.items() if f == frame)
    _, k = nf.FRAME_RULE[code]
    p = np.array(probs)
    dist = np.zeros((len(p) + 1, p.shape[1]))  # Poisson-binomial: P(exactly j questions yes)
    dist[0] = 1.0
    for row in p:
        dist[1:] = dist[1:] * (1 - row) + dist[:-1] * row
        dist[0] = dist[0] * (1 - row)
    return dist[k:].sum(axis=0)


def make_scorer(data: Data, design: str, frame: str, form: str, c: float):
    """fit(train_rows) -> scorer(test_rows) for one design, feature form and C."""
    y = data.y[frame].to_numpy().astype("float64")
    if design in ("per_question", "per_question_soft"):
        code = next(k for k, f in nf.FRAMES.items() if f == frame)
        qs, _ = nf.FRAME_RULE[code]
        x = data.own(frame, form)
        targets = []
        for q in qs:
            share = data.q_share[q].to_numpy()
            cons = data.q_consensus[q].to_numpy()
            targets.append(share if design == "per_question_soft" else np.where(np.isnan(cons), share >= 0.5, cons))

        def fit(a):
            models = [_fit(x[a], t[a].astype("float64"), c, balanced=False) for t in targets]
            return lambda b: _combine(frame, [m(x[b]) for m in models])

        return fit
    if design == "shared_vocab":
        own, words = data.own(frame, form), data.words

        def fit(a):
            scaler = StandardScaler().fit(own[a])
            x = lambda rows: np.hstack([words[rows], 0.3 * scaler.transform(own[rows])])  # noqa: E731
            lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x(a), y[a].astype(int))
            return lambda b: lr.predict_proba(x(b))[:, 1]

        return fit
    if design in ("l1_pool", "l1_pool_style"):
        suffix = ":" + ("matches" if form == "counts" else "per_kchar")
        cols = sorted(n for n in data.f.columns if n.split(".")[0] in GENERIC and n.endswith(suffix))
        x = data.f[cols + ["doc:log_kchars"]].to_numpy(dtype="float64")
        x = np.column_stack([x, data.style]) if design == "l1_pool_style" else x
    elif design == "style":
        x = np.column_stack([data.own(frame, form), data.style])
    elif design in ("evidence_sum", "binary"):
        own = data.own(frame, form)
        raw, length = np.expm1(own[:, :-1]), own[:, -1]
        if design == "evidence_sum":
            x = np.column_stack([np.log1p(raw.sum(axis=1)), (raw > 0).sum(axis=1), length])
        else:
            x = np.column_stack([(raw > 0).astype("float64"), length])
    else:
        x = data.own(frame, form)
    t = data.share[frame].to_numpy() if design == "soft_labels" else y
    l1 = design.startswith("l1_pool")
    return lambda a: (lambda m: lambda b: m(x[b]))(_fit(x[a], t[a], c, l1=l1))


def score_design(data: Data, design: str) -> pd.DataFrame:
    """Nested 5-fold CV of one design: fold, frame, f1 (held-out), form, C."""
    rows = []
    cutoff = _kappa_cutoff if design == "kappa_cutoff" else cal.best_threshold
    grid = (0.03, 0.1, 0.3, 1.0) if design.startswith("l1_pool") else cal.C_GRID
    grid = SHARED_VOCAB_GRID if design == "shared_vocab" else grid
    for k, (train, test) in enumerate(cal._folds(len(data.ids), cal.N_FOLDS, cal.SEED), 1):
        for frame in data.y.columns:
            y = data.y[frame].to_numpy()
            best = None
            for form in cal.MODEL_FORMS:
                for c in grid:
                    scorer = make_scorer(data, design, frame, form, c)
                    oof = np.zeros(len(train))
                    for a, b in cal._folds(len(train), cal.N_FOLDS, cal.SEED + 1):
                        oof[b] = scorer(train[a])(train[b])
                    t, f = cutoff(oof, y[train])
                    if best is None or f > best[0]:
                        best = (f, form, c, t)
            _, form, c, t = best
            pred = make_scorer(data, design, frame, form, c)(train)(test) >= t
            tp = int((pred & (y[test] == 1)).sum())
            f1 = 2 * tp / (int(pred.sum()) + int(y[test].sum()))
            rows.append({"design": design, "fold": k, "frame": frame, "f1": f1, "form": form, "C": c})
    return pd.DataFrame(rows)


def _ar6_codebook(folder: Path) -> Path:
    """The built-in codebook plus the AR6 indicator in the responsibility frame (a file with extends: builtin)."""
    builtin = yaml.safe_load(config.resource("frames.yaml").read_text(encoding="utf-8"))
    frame = next(f for f in builtin["frames"] if f["id"] == "responsibility")
    frame["indicators"].append(AR6_INDICATOR)
    path = folder / "frames_ar6.yaml"
    path.write_text(yaml.safe_dump({"version": "ar6", "extends": "builtin", "frames": [frame]}), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", default=str(nf.DEFAULT_DIR), help="Narrative Frames Corpus folder (default: %(default)s)")
    ap.add_argument("--designs", nargs="+", choices=DESIGNS, default=list(DESIGNS))
    ap.add_argument("--out", help="write the per-fold F1 of every design to this CSV")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    gold = nf.load_narrative_frames(args.gold)
    data = Data(gold)
    parts = []
    for design in args.designs:
        if design == "ar6_cues":
            with tempfile.TemporaryDirectory() as tmp:
                part = score_design(Data(gold, codebook=_ar6_codebook(Path(tmp))), "baseline").assign(design=design)
        else:
            part = score_design(data, design)
        per_frame = part.groupby("frame")["f1"].agg(["mean", "std"])
        macro = part.groupby("fold")["f1"].mean()
        cells = " ".join(f"{f} {m:.3f} ({s:.2f})" for f, (m, s) in per_frame.iterrows())
        print(f"{design:18s} {cells}  macro {macro.mean():.3f} ({macro.std():.2f})", flush=True)
        parts.append(part)
    if args.out:
        pd.concat(parts, ignore_index=True).to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
