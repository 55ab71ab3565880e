"""Calibrate frame presence on a gold set: evidence thresholds and logistic models chosen by cross-validation.

Used by ``scripts/train_frames.py`` (which stores the result in ``analysis/resources/frame_presence.json``) and by
``python -m analysis validate --gold`` (which recomputes the cross-validated figures). Needs scikit-learn; applying
the stored result does not (``analysis.frames.presence``).

Every choice is made inside the training part of a split: in the 5 outer folds the dictionary rule's form (cue
matches, or matches per 1,000 characters) and threshold, and the model's feature form, regularisation strength C
and probability cut-off are chosen on the 4 training folds only (the forms, C and the cut-off by an inner 5-fold
cross-validation), then scored on the held-out fold. The stored rule is the same procedure on all of the
development data.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis import frames, validation
from analysis.frames import presence as frame_presence

SEED = 20230709  # fixed: the same folds every run
N_FOLDS = 5
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
DICTIONARY_FORMS = ("count", "rate")  # threshold on cue matches, or on matches per 1,000 characters
MODEL_FORMS = tuple(frame_presence.FEATURE_FORMS)  # indicator features as log counts or log rates
PENALTY = "l2"  # the default of LogisticRegression (ridge)
CLASS_WEIGHT = "balanced"  # the rarer frames (10% of articles) get the same total weight as their absence


class Design(NamedTuple):
    """What the calibration learns from: per article the features, each frame's evidence, and the gold labels."""

    features: pd.DataFrame  # doc_id index x feature columns (frame_presence.find_presence_features)
    evidence: pd.DataFrame  # doc_id index x frame: cue matches summed over the frame's indicators
    kchars: pd.Series  # doc_id index: article length in thousands of characters
    labels: pd.DataFrame  # doc_id index x frame: 0/1 gold labels
    indicators: pd.DataFrame  # the indicators table of frames.score_frames (for question-level scores)


def build_design(articles: pd.DataFrame, labels: pd.DataFrame, *, codebook=None) -> Design:
    """Run the frame codebook over the gold articles and line up features, evidence and labels by doc_id.

    ``labels``: doc_id, frame, present (the gold frame labels, long).
    """
    _, indicators, _ = frames.score_frames(articles, codebook=codebook)
    feats = frame_presence.find_presence_features(indicators, articles)
    ev = frame_presence.count_frame_evidence(indicators).pivot(index="doc_id", columns="frame", values="evidence")
    y = labels.pivot(index="doc_id", columns="frame", values="present").astype(int)
    ids = sorted(set(y.index) & set(feats.index))
    kchars = pd.Series(frame_presence.find_article_kchars(articles, ids), index=ids, name="kchars")
    return Design(feats.loc[ids], ev.loc[ids, y.columns], kchars, y.loc[ids], indicators)


def frame_features(features: pd.DataFrame, frame: str, form: str = "counts") -> list[str]:
    """The model's inputs for one frame: its own indicators' match counts (or rates) and the article length.

    (The indicators of all five generic frames as inputs to every frame model were tried too: macro F1 0.591 vs
    0.587 with five times the coefficients, so the smaller, more readable model is kept.)"""
    suffix = ":" + frame_presence.FEATURE_FORMS[form]
    own = [c for c in features.columns if c.startswith(f"{frame}.") and c.endswith(suffix)]
    return sorted(own) + [frame_presence.LENGTH_FEATURE]


# ================================================================================================== threshold choice
def best_threshold(score: np.ndarray, y: np.ndarray, *, minimum: float | None = None) -> tuple[float, float]:
    """The cut-off t maximising F1 of ``score >= t`` against ``y`` (ties: the higher t), and that F1.

    Candidates are the observed scores (and ``minimum``); with ``minimum`` no cut-off below it is considered.

    Hand-written rather than sklearn.metrics.precision_recall_curve so that a cut-off at the lowest score (mark
    every article present) is a candidate too and ties resolve the same way on every platform.
    """
    score, y = np.asarray(score, dtype="float64"), np.asarray(y, dtype=int)
    best_t, best_f = float(np.max(score)) if len(score) else 0.0, -1.0
    pos = int(y.sum())
    candidates = np.unique(score if minimum is None else np.r_[score[score >= minimum], minimum])
    for t in candidates:
        pred = score >= t
        tp = int((pred & (y == 1)).sum())
        f = 2 * tp / (int(pred.sum()) + pos) if pred.sum() + pos else 0.0
        if f >= best_f:
            best_t, best_f = float(t), f
    return best_t, best_f


def _folds(n: int, k: int, seed: int):
    from sklearn.model_selection import KFold

    return list(KFold(k, shuffle=True, random_state=seed).split(np.arange(n)))


def _pipeline(c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=5000))


def _inner_oof(n: int, seed: int, fit_score) -> np.ndarray:
    """Out-of-fold scores of an inner 5-fold CV: ``fit_score(train_idx, test_idx)`` -> scores of test_idx."""
    oof = np.zeros(n)
    for a, b in _folds(n, N_FOLDS, seed + 1):
        oof[b] = fit_score(a, b)
    return oof


def fit_model(
    features: pd.DataFrame, frame: str, y: np.ndarray, *, seed: int = SEED
) -> tuple[object, list[str], str, float, float, dict]:
    """Choose the feature form, C and the probability cut-off by inner 5-fold CV on (features, y); refit on all.

    ``features`` holds the training articles only. Returns (fitted sklearn pipeline, feature names, form, C,
    cut-off, {"form C": pooled out-of-fold F1}).
    """
    best, by_choice = None, {}
    for form in MODEL_FORMS:
        names = frame_features(features, frame, form)
        x = features[names].to_numpy(dtype="float64")
        for c in C_GRID:
            oof = _inner_oof(
                len(y), seed, lambda a, b, x=x, c=c: _pipeline(c).fit(x[a], y[a]).predict_proba(x[b])[:, 1]
            )
            t, f = best_threshold(oof, y)
            by_choice[f"{form} {c:g}"] = f
            if best is None or f > best[0]:  # ties: the first (counts before rates, the smaller C)
                best = (f, form, names, c, t)
    _, form, names, c, t = best
    x = features[names].to_numpy(dtype="float64")
    return _pipeline(c).fit(x, y), names, form, c, t, by_choice


def dictionary_score(evidence: np.ndarray, kchars: np.ndarray, form: str) -> np.ndarray:
    """What the dictionary threshold applies to: cue matches (``count``) or matches per 1,000 characters."""
    return np.asarray(evidence, dtype="float64") / (1.0 if form == "count" else np.asarray(kchars, dtype="float64"))


def fit_dictionary(evidence: np.ndarray, kchars: np.ndarray, y: np.ndarray, *, seed: int = SEED) -> dict:
    """Choose the dictionary rule's form by inner 5-fold CV and its threshold on all of (evidence, y).

    A frame is never present without a cue match (else the rule could mark every article), so the threshold is at
    least the score of one match.
    """

    def fit_threshold(form: str, rows: np.ndarray) -> float:
        score = dictionary_score(evidence[rows], kchars[rows], form)
        has = evidence[rows] >= 1
        return best_threshold(score, y[rows], minimum=float(score[has].min()) if has.any() else 1.0)[0]

    by_form = {}
    for form in DICTIONARY_FORMS:
        pred = np.zeros(len(y), bool)
        for a, b in _folds(len(y), N_FOLDS, seed + 1):
            spec = {"form": form, "threshold": fit_threshold(form, a)}
            pred[b] = frame_presence.score_dictionary_rule(evidence[b], kchars[b], spec)
        by_form[form] = validation.score_confusion(pred.astype(int), y)["f1"]
    form = max(DICTIONARY_FORMS, key=lambda f: (by_form[f], f == "count"))  # ties: the plain count
    threshold = fit_threshold(form, np.arange(len(y)))
    train = frame_presence.score_dictionary_rule(evidence, kchars, {"form": form, "threshold": threshold})
    return {
        "form": form,
        "threshold": int(threshold) if form == "count" else threshold,
        "train_f1": validation.score_confusion(train.astype(int), y)["f1"],
        "inner_cv_f1_by_form": by_form,
    }


def model_spec(pipe, names: list[str], c: float, threshold: float) -> dict:
    """The fitted pipeline as readable numbers: intercept, coefficient, mean and scale per feature, cut-off."""
    scaler, lr = pipe.named_steps["standardscaler"], pipe.named_steps["logisticregression"]
    return {
        "intercept": float(lr.intercept_[0]),
        "coefficients": {n: float(w) for n, w in zip(names, lr.coef_[0])},
        "means": {n: float(m) for n, m in zip(names, scaler.mean_)},
        "scales": {n: float(s) for n, s in zip(names, scaler.scale_)},
        "C": c,
        "threshold": threshold,
    }


def fit_frame(design: Design, frame: str, train: np.ndarray | None = None, *, seed: int = SEED) -> dict:
    """Fit both presence rules of one frame on the rows ``train`` (all rows when None): dictionary and model."""
    idx = np.arange(len(design.labels)) if train is None else train
    y = design.labels[frame].to_numpy()[idx]
    ev = design.evidence[frame].to_numpy()[idx]
    kchars = design.kchars.to_numpy()[idx]
    pipe, names, form, c, t_model, by_choice = fit_model(design.features.iloc[idx], frame, y, seed=seed)
    model = model_spec(pipe, names, c, t_model) | {"form": form, "inner_cv_f1_by_form_and_C": by_choice}
    return {"dictionary": fit_dictionary(ev, kchars, y, seed=seed), "model": model, "_pipeline": pipe}


# ================================================================================================== cross-validation
class CrossValidation(NamedTuple):
    # fold, frame, method (dictionary | model | all_present, the trivial baseline), form, threshold, C, n, support,
    # predicted, tp, fp, fn, tn, precision, recall, f1
    folds: pd.DataFrame
    predictions: pd.DataFrame  # doc_id, frame, fold, present_dictionary, p_model, present_model (out-of-fold)


def score_cross_validation(design: Design, *, seed: int = SEED) -> CrossValidation:
    """5-fold cross-validation of both presence rules: per fold and frame the held-out scores (beside marking every
    article of the fold present, ``all_present``), and the out-of-fold decisions for every article (for alpha and
    pooled figures)."""
    ids = design.labels.index.to_numpy()
    rows, preds = [], []
    for k, (train, test) in enumerate(_folds(len(ids), N_FOLDS, seed), 1):
        for frame in design.labels.columns:
            fit = fit_frame(design, frame, train, seed=seed)
            y = design.labels[frame].to_numpy()[test]
            ev = design.evidence[frame].to_numpy()[test]
            names = fit["model"]["coefficients"].keys()
            x = design.features[list(names)].iloc[test]
            p = frame_presence.score_model_probability(x, fit["model"])
            pd_dict = frame_presence.score_dictionary_rule(ev, design.kchars.to_numpy()[test], fit["dictionary"])
            pd_model = p >= fit["model"]["threshold"]
            for method, pred, spec, c in (
                ("dictionary", pd_dict, fit["dictionary"], np.nan),
                ("model", pd_model, fit["model"], fit["model"]["C"]),
            ):
                stats = validation.score_confusion(pred.astype(int), y)
                rows.append({"fold": k, "frame": frame, "method": method, "form": spec["form"],
                             "threshold": spec["threshold"], "C": c, "n": len(test), **stats})  # fmt: skip
            # the trivial baseline in the same fold: every article present (F1 = 2p / (1 + p), p the fold's prevalence)
            stats = validation.score_confusion(np.ones(len(test), dtype=int), y)
            rows.append({"fold": k, "frame": frame, "method": "all_present", "form": "all", "threshold": np.nan,
                         "C": np.nan, "n": len(test), **stats})  # fmt: skip
            preds.append(
                pd.DataFrame(
                    {"doc_id": ids[test], "frame": frame, "fold": k, "present_dictionary": pd_dict,
                     "p_model": p, "present_model": pd_model}
                )
            )  # fmt: skip
    return CrossValidation(pd.DataFrame(rows), pd.concat(preds, ignore_index=True))


def score_fold_summary(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over folds of precision, recall and F1, per frame and method (and macro F1).

    The standard deviation is over the 5 held-out folds (ddof=1); precision undefined in a fold counts as missing.
    """
    g = folds.groupby(["method", "frame"], sort=True)
    out = g.agg(
        f1_mean=("f1", "mean"),
        f1_sd=("f1", "std"),
        precision_mean=("precision", "mean"),
        recall_mean=("recall", "mean"),
        forms=("form", lambda f: "/".join(sorted(set(f)))),  # the rule's form chosen in the 5 training parts
    ).reset_index()
    macro = folds.groupby(["method", "fold"])["f1"].mean().groupby("method").agg(["mean", "std"]).reset_index()
    macro = macro.rename(columns={"mean": "f1_mean", "std": "f1_sd"}).assign(frame="(macro)")
    return pd.concat([out, macro], ignore_index=True).sort_values(["method", "frame"], ignore_index=True)


def score_baseline_gain(folds: pd.DataFrame) -> pd.DataFrame:
    """How much each rule beats marking every article present, fold by fold: method, frame, f1_gain_mean (mean
    over folds of F1 minus the all-present F1 of the same fold), folds_above (folds where the rule's F1 is higher).

    A rule with no gain carries no information beyond the frame's base rate, whatever its F1.
    """
    base = folds[folds["method"] == "all_present"].set_index(["fold", "frame"])["f1"]
    rules = folds[folds["method"] != "all_present"]
    gain = rules["f1"].to_numpy() - base.reindex(pd.MultiIndex.from_frame(rules[["fold", "frame"]])).to_numpy()
    g = rules.assign(gain=gain).groupby(["method", "frame"], sort=True)["gain"]
    return pd.DataFrame({"f1_gain_mean": g.mean(), "folds_above": g.apply(lambda x: int((x > 0).sum()))}).reset_index()


__all__ = [
    "SEED",
    "N_FOLDS",
    "C_GRID",
    "DICTIONARY_FORMS",
    "MODEL_FORMS",
    "Design",
    "build_design",
    "frame_features",
    "best_threshold",
    "fit_model",
    "dictionary_score",
    "fit_dictionary",
    "model_spec",
    "fit_frame",
    "CrossValidation",
    "score_cross_validation",
    "score_fold_summary",
    "score_baseline_gain",
]
