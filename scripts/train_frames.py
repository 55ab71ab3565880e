"""Train the frame-presence rules on the Narrative Frames Corpus and store them in analysis/resources/frame_presence.json.

    python scripts/train_frames.py [--gold DIR] [--out PATH]

Reads the development part of the corpus (../shared/corpora/narrative-frames: 250 articles; the held-out part is
never read), runs the frame codebook over it, and for each of the five generic frames

1. reports 5-fold cross-validated scores of both rules (thresholds, C and cut-offs chosen inside the training folds);
2. fits the stored rules on all 250 articles with the same procedure: the dictionary threshold on cue evidence,
   and a ridge-regularised logistic regression over the frame's indicator match counts and article length (C and
   the probability cut-off chosen by inner 5-fold CV).

The JSON holds coefficients, intercepts, feature means and scales, thresholds, feature definitions and provenance
(data files with sha256, split, hyper-parameters, CV scores, date, library versions). No pickles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402

from analysis import config, frames  # noqa: E402
from analysis.frames import presence as frame_presence  # noqa: E402
from analysis.gold import calibration as cal  # noqa: E402
from analysis.gold import narrative_frames as nf  # noqa: E402
from analysis.tables import save_json  # noqa: E402

VERSION = "2026.12.4"


def _feature_definitions(names: list[str]) -> list[dict]:
    defs = []
    for name in names:
        if name == frame_presence.LENGTH_FEATURE:
            defs.append(
                {"name": name, "definition": "log(number of characters of the article text / 1000), clamped length"}
            )
        else:
            key, form = name.rsplit(":", 1)
            per = "" if form == frame_presence.FEATURE_FORMS["counts"] else " per 1,000 characters (clamped length)"
            defs.append(
                {
                    "name": name,
                    "indicator": key,
                    "definition": f"log(1 + number of cue matches of indicator {key} in the article text{per})",
                }
            )
    return defs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", default=str(nf.DEFAULT_DIR), help="Narrative Frames Corpus folder (default: %(default)s)")
    ap.add_argument("--out", default=str(config.resource(frame_presence.PRESENCE_FILE)), help="JSON to write")
    args = ap.parse_args(argv)

    gold = nf.load_narrative_frames(args.gold)
    design = cal.build_design(gold.articles, gold.frames)
    cv = cal.score_cross_validation(design)
    summary = cal.score_fold_summary(cv.folds)
    with pd.option_context("display.width", 160, "display.precision", 3):
        print("5-fold cross-validation on the development part (held-out fold scores, mean and sd over folds):")
        print(summary.to_string(index=False))

    alpha = {
        method: nf.score_alpha_summary(
            nf.score_alpha(None, cv.predictions, gold, column=f"present_{method}")
        ).set_index("item")
        for method in ("dictionary", "model")
    }
    gain = cal.score_baseline_gain(cv.folds).set_index(["method", "frame"])
    human = {  # F1 against single coders beside one coder against another (the human reference)
        method: nf.score_coder_f1(cv.predictions, gold, column=f"present_{method}").set_index("frame")
        for method in ("dictionary", "model")
    }
    out_frames, all_names = {}, set()
    for frame in design.labels.columns:
        fit = cal.fit_frame(design, frame)
        fit.pop("_pipeline")
        rows = summary[summary["frame"] == frame].set_index("method")

        def _fold(method: str, column: str, frame: str = frame) -> list[float]:
            sel = cv.folds[(cv.folds["frame"] == frame) & (cv.folds["method"] == method)]
            return [float(x) for x in sel[column]]

        fit["cv"] = {
            method: {
                "f1_mean": float(rows.loc[method, "f1_mean"]),
                "f1_sd": float(rows.loc[method, "f1_sd"]),
                "precision_mean": float(rows.loc[method, "precision_mean"]),
                "recall_mean": float(rows.loc[method, "recall_mean"]),
                "fold_f1": _fold(method, "f1"),
                "fold_thresholds": _fold(method, "threshold"),
                "fold_forms": [
                    str(x) for x in cv.folds[(cv.folds["frame"] == frame) & (cv.folds["method"] == method)]["form"]
                ],
                "alpha_coder_coder": float(alpha[method].loc[frame, "coder_coder"]),
                "alpha_tool_coder_mean": float(alpha[method].loc[frame, "tool_coder_mean"]),
                "alpha_tool_coder_min": float(alpha[method].loc[frame, "tool_coder_min"]),
                "alpha_tool_coder_max": float(alpha[method].loc[frame, "tool_coder_max"]),
                # against marking every article present in the same fold (no gain: no information beyond the base rate)
                "f1_gain_over_all_present": float(gain.loc[(method, frame), "f1_gain_mean"]),
                "folds_above_all_present": int(gain.loc[(method, frame), "folds_above"]),
                # pooled over tool-coder pairs (out-of-fold decisions) and over coder-coder pairs of the same articles
                "f1_tool_coder": float(human[method].loc[frame, "tool_coder_f1"]),
                "f1_coder_coder": float(human[method].loc[frame, "coder_coder_f1"]),
                "n_tool_coder_pairs": int(human[method].loc[frame, "tool_pairs"]),
                "n_coder_coder_pairs": int(human[method].loc[frame, "coder_pairs"]),
            }
            for method in ("dictionary", "model")
        }
        fit["cv"]["all_present"] = {
            "f1_mean": float(rows.loc["all_present", "f1_mean"]),
            "f1_sd": float(rows.loc["all_present", "f1_sd"]),
            "fold_f1": _fold("all_present", "f1"),
        }
        fit["dictionary"]["evidence"] = "sum of cue matches over the frame's measurable indicators"
        fit["dictionary"]["rule"] = (
            "present when evidence >= threshold"
            if fit["dictionary"]["form"] == "count"
            else "present when evidence >= 1 and evidence / (clamped characters / 1000) >= threshold"
        )
        fit["model"]["rule"] = "p = 1 / (1 + exp(-(intercept + sum_j coefficient_j * (x_j - mean_j) / scale_j)))"
        fit["model"]["decision"] = "present when p >= threshold"
        fit["gold_prevalence"] = float(design.labels[frame].mean())
        out_frames[frame] = fit
        all_names.update(fit["model"]["coefficients"])
    macro = summary[summary["frame"] == "(macro)"].set_index("method")
    doc = {
        "version": VERSION,
        "description": "Frame presence rules calibrated on the Narrative Frames Corpus (see docs/framing.md)",
        "features": _feature_definitions(sorted(all_names)),
        # lengths outside the calibration range count as the nearest calibrated length (no extrapolation)
        "length_range_kchars": [float(design.kchars.min()), float(design.kchars.max())],
        "frames": out_frames,
        "cv_macro_f1": {
            m: {"mean": float(macro.loc[m, "f1_mean"]), "sd": float(macro.loc[m, "f1_sd"])} for m in macro.index
        },
        "human_reference_macro_f1": {
            "coder_coder": float(human["model"]["coder_coder_f1"].mean()),
            **{f"{m}_coder": float(human[m]["tool_coder_f1"].mean()) for m in ("dictionary", "model")},
            "definition": "macro over the five frames of F1 pooled over pairs (nf.score_coder_f1): a single coder "
            "against another coder of the same article, and the rule's out-of-fold decision against each coder",
        },
        "provenance": {
            "gold_set": nf.TITLE,
            "topic": nf.TOPIC,
            "data_files": {name: {"sha256": sha} for name, sha in sorted(gold.files.items())},
            "n_articles": int(len(design.labels)),
            "split": nf.SPLIT,
            "labels": "aggregated frame labels of articles_metadata.tsv (RE->responsibility, HI->human_interest, "
            "CO->conflict, MO->morality, EC->economic)",
            "codebook": {"file": "analysis/resources/frames.yaml", "version": frames.load_codebook().version},
            "hyper_parameters": {
                "model": "sklearn.linear_model.LogisticRegression (lbfgs, L2) after StandardScaler",
                "C_grid": list(cal.C_GRID),
                "model_forms": list(cal.MODEL_FORMS),
                "dictionary_forms": list(cal.DICTIONARY_FORMS),
                "class_weight": cal.CLASS_WEIGHT,
                "selection": "the model's feature form (log counts or log rates per 1,000 characters), C and "
                "probability cut-off maximise pooled out-of-fold F1 of an inner 5-fold CV; the dictionary rule's "
                "form (count or rate) maximises pooled out-of-fold F1 of an inner 5-fold CV, and its threshold F1 "
                "on the training articles (ties: the higher threshold, at least one cue match)",
                "folds": cal.N_FOLDS,
                "seed": cal.SEED,
            },
            "trained": dt.date.today().isoformat(),
            "script": "scripts/train_frames.py",
            "library_versions": {
                "python": platform.python_version(),
                "scikit-learn": sklearn.__version__,
                "numpy": np.__version__,
                "pandas": pd.__version__,
            },
        },
    }
    save_json(doc, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
