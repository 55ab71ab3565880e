"""Train the target-dependent sentiment model on NewsMTSC train.jsonl and write it as readable JSON.

    python scripts/train_target_sentiment.py            # writes analysis/resources/target_sentiment_model.json

Only train.jsonl is used to fit and choose. The regularisation strength is chosen by cross-validation on it (folds grouped by news
story, so no story is both trained and scored); the feature-group ablation is cross-validated the same way. Once the
model is fixed, the development parts (dev-rw, dev-mt) are scored and recorded under "validation" (also printed by
benchmarks/bench_target_sentiment.py); nothing is chosen on them. The paper's test parts are held out by the issue
author.

    python scripts/train_target_sentiment.py --validate-only   # re-score the stored model, no training
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, cross_val_predict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import config  # noqa: E402
from analysis import sentiment as vader  # noqa: E402
from analysis import target_sentiment as ts  # noqa: E402
from analysis.gold import newsmtsc  # noqa: E402
from analysis.provenance import file_sha256  # noqa: E402

C_GRID = (0.05, 0.1, 0.2, 0.4)
FOLDS = 5
CLASS_WEIGHT = "balanced"  # macro F1 weighs the rarer positive class as much as the others
MAX_ITER = 5000
DIGITS = 6  # weights are stored rounded, so the file reads as a table; the apply check below bounds the effect


def find_training_features(frame: pd.DataFrame) -> list[dict[str, float]]:
    """The feature dicts of every target of ``frame`` (text, start, end)."""
    cues = ts.load_cues()
    return [
        ts.find_features(t, int(s), int(e), cues=cues) for t, s, e in zip(frame["text"], frame["start"], frame["end"])
    ]


def select_features(features: list[dict[str, float]], *, min_count: int, drop: tuple[str, ...] = ()) -> list[dict]:
    """Keep learned word features seen in at least ``min_count`` targets; drop whole groups named in ``drop``."""
    counts = Counter(k for f in features for k in f if k.split(":", 1)[0] in ts.LEARNED_GROUPS)

    def keep(name: str) -> bool:
        group = name.split(":", 1)[0]
        if group in drop:
            return False
        return group not in ts.LEARNED_GROUPS or counts[name] >= min_count

    return [{k: v for k, v in f.items() if keep(k)} for f in features]


def fit_model(features: list[dict], labels: np.ndarray, *, c: float) -> tuple[DictVectorizer, LogisticRegression]:
    """A multinomial logistic regression on the feature dicts (classes in ts.LABELS order)."""
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(features)
    clf = LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=MAX_ITER)
    clf.fit(matrix, labels)
    if tuple(clf.classes_) != ts.LABELS:
        raise SystemExit(f"unexpected classes {clf.classes_}")
    return vectorizer, clf


def score_cv(features: list[dict], labels: np.ndarray, groups: np.ndarray, *, c: float) -> float:
    """Macro F1 of out-of-fold predictions, folds grouped by story."""
    matrix = DictVectorizer(sort=True).fit_transform(features)
    clf = LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=MAX_ITER)
    pred = cross_val_predict(clf, matrix, labels, groups=groups, cv=GroupKFold(n_splits=FOLDS))
    return float(f1_score(labels, pred, labels=list(ts.LABELS), average="macro"))


def score_dev(model: ts.Model) -> dict:
    """Macro F1 of the fixed model and of the sentence-VADER baseline on dev-rw and dev-mt (recorded, never tuned on)."""
    out = {}
    for split in ("dev-rw", "dev-mt"):
        gold = newsmtsc.load_newsmtsc(split)
        pred = ts.score_targets(gold, model=model)["polarity"]
        compound = vader.score_sentences(gold["text"])["vader_compound"].to_numpy()
        base = np.where(
            compound >= vader.THRESHOLD, "positive", np.where(compound <= -vader.THRESHOLD, "negative", "neutral")
        )
        out[split] = {
            "targets": len(gold),
            "macro_f1": round(newsmtsc.score_polarity(gold["polarity"], pred)["macro_f1"], 4),
            "baseline_macro_f1": round(newsmtsc.score_polarity(gold["polarity"], base)["macro_f1"], 4),
        }
    return out


def model_data(vectorizer: DictVectorizer, clf: LogisticRegression, info: dict) -> dict:
    """The JSON structure :func:`analysis.target_sentiment.parse_model` reads."""
    names = vectorizer.get_feature_names_out()
    weights = {str(name): [round(float(w), DIGITS) for w in clf.coef_[:, j]] for j, name in enumerate(names)}
    intercept = [round(float(b), DIGITS) for b in clf.intercept_]
    return {**info, "labels": list(ts.LABELS), "intercept": intercept, "weights": weights}


def dump_model(data: dict) -> str:
    """JSON with one feature per line, so the file reads (and diffs) as a table of weights."""
    head = {k: v for k, v in data.items() if k != "weights"}
    lines = json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ',\n "weights": {\n'
    rows = [f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in sorted(data["weights"].items())]
    return lines + ",\n".join(rows) + "\n }\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=config.resource(ts.MODEL_FILE), help="model file to write")
    parser.add_argument("--no-ablation", action="store_true", help="skip the per-group ablation (faster)")
    parser.add_argument(
        "--validate-only", action="store_true", help="re-score the stored model on the dev parts, do not train"
    )
    args = parser.parse_args(argv)
    if args.validate_only:
        data = json.loads(args.out.read_text(encoding="utf-8"))
        data["validation"] = score_dev(ts.parse_model(data))
        args.out.write_text(dump_model(data), encoding="utf-8")
        print(f"validation of {args.out}: {data['validation']}")
        return 0

    train = newsmtsc.load_newsmtsc("train")
    labels = train["polarity"].to_numpy(dtype=object)
    groups = train["story_id"].to_numpy(dtype=object)
    cues = ts.load_cues()
    raw = find_training_features(train)
    features = select_features(raw, min_count=cues.min_word_count)

    grid = {str(c): round(score_cv(features, labels, groups, c=c), 4) for c in C_GRID}
    best_c = max(C_GRID, key=lambda c: (grid[str(c)], -c))  # ties: the stronger regularisation
    print(f"CV macro F1 by C: {grid}; chosen C={best_c}", flush=True)
    ablation = {}
    if not args.no_ablation:
        hand_built = tuple(g for g in ts.GROUPS if g not in ts.LEARNED_GROUPS)
        drops = {g: (g,) for g in ts.GROUPS}
        drops["all lexicon and cue groups (learned words only)"] = hand_built
        drops["all learned words (lexicon and cue groups only)"] = ts.LEARNED_GROUPS
        for name, drop in drops.items():
            dropped = select_features(raw, min_count=cues.min_word_count, drop=drop)
            ablation[name] = round(score_cv(dropped, labels, groups, c=best_c), 4)
            print(f"  without {name}: {ablation[name]}", flush=True)

    vectorizer, clf = fit_model(features, labels, c=best_c)
    data_dir = newsmtsc.newsmtsc_dir()
    upstream = (data_dir / "COMMIT").read_text().strip() if (data_dir / "COMMIT").exists() else "unknown"
    info = {
        "model": "multinomial logistic regression over the features of analysis.target_sentiment.find_features",
        "apply": "p = softmax(intercept + sum over present features of value * weights[feature]); "
        "weights are per class in `labels` order; features absent from `weights` contribute nothing",
        "trained": dt.date.today().isoformat(),
        "training_data": {
            "corpus": "NewsMTSC (Hamborg & Donnay 2021, EACL), github.com/fhamborg/NewsMTSC, commit " + upstream,
            "licence": "MIT, Copyright 2020 Felix Hamborg; the weights are derived from its training split",
            "file": "train.jsonl",
            "sha256": file_sha256(data_dir / "train.jsonl"),
            "sentences": int(train["sentence_id"].nunique()),
            "targets": len(train),
            "classes": {k: int(v) for k, v in sorted(Counter(labels).items())},
        },
        "hyper_parameters": {
            "C": best_c,
            "class_weight": CLASS_WEIGHT,
            "penalty": "l2",
            "solver": clf.solver,
            "max_iter": MAX_ITER,
            "min_word_count": cues.min_word_count,
            "n_features": len(vectorizer.feature_names_),
        },
        "cross_validation": {
            "folds": FOLDS,
            "grouping": "GroupKFold by story_id (analysis.gold.newsmtsc), no story in two folds",
            "metric": "macro F1 over negative/neutral/positive, out-of-fold predictions on train.jsonl",
            "by_C": grid,
            "best": grid[str(best_c)],
            "ablation_without_group": ablation,
        },
        "cues": {"file": f"analysis/resources/{ts.CUES_FILE}", "version": cues.version, "sha256": cues.sha256},
        "lexicon": vader.lexicon_info(),
        "versions": {
            "python": platform.python_version(),
            **{p: metadata.version(p) for p in ("scikit-learn", "numpy", "nltk", "vaderSentiment")},
        },
    }
    data = model_data(vectorizer, clf, info)

    # The stored model must give sklearn's probabilities on the training features (tests check this too).
    model = ts.parse_model(data)
    ours = np.array([model.score_features(f) for f in features])
    theirs = clf.predict_proba(vectorizer.transform(features))
    gap = float(np.abs(ours - theirs).max())
    flips = int((ours.argmax(axis=1) != theirs.argmax(axis=1)).sum())
    if gap > 1e-4:
        raise SystemExit(f"stored model differs from sklearn by {gap}")
    data["validation"] = score_dev(model)
    data["apply_check"] = (
        f"on the {len(features)} training targets: max |p_json - p_sklearn| = {gap:.1e}, "
        f"{flips} predicted classes differ"
    )
    args.out.write_text(dump_model(data), encoding="utf-8")
    print(f"wrote {args.out}: {len(data['weights'])} features, CV macro F1 {grid[str(best_c)]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
