"""External validation of the frame measures against a public gold set: `python -m analysis validate --gold NAME PATH`.

Scores every mapped question and every generic frame (precision, recall, F1, support, confusion counts) and
Krippendorff's alpha of the tool against each coder beside the coders' own alpha, and writes tidy CSV tables.
Frame presence is scored three ways, each named in the ``evaluation`` column:

- ``cv``: the calibrated rules re-fitted inside 5-fold cross-validation, every article scored by the rule fitted
  without it (pooled out-of-fold decisions) - the figures to cite;
- ``in_sample``: the stored rules (analysis/resources/frame_presence.json) applied to the articles they were
  fitted on - optimistic, shown for comparison;
- ``baseline``: the uncalibrated rule (any indicator fired) and marking every article present.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis.errors import ParameterError
from analysis.frames import presence as frame_presence
from analysis.gold import calibration as cal
from analysis.gold import narrative_frames as nf
from analysis.tables import save_table

GOLD_SETS = {nf.NAME: nf}
FILES = {
    "questions": "questions.csv",
    "frames": "frames.csv",
    "folds": "folds.csv",
    "alpha": "alpha.csv",
    "alpha_summary": "alpha_summary.csv",
    "coder_f1": "coder_f1.csv",
}


class GoldValidation(NamedTuple):
    questions: pd.DataFrame  # per mapped question: P/R/F1 and confusion counts of the indicator cues
    frames: pd.DataFrame  # per frame x method x evaluation: P/R/F1, confusion counts, prevalence
    folds: pd.DataFrame  # per fold x frame x method: held-out scores and the chosen thresholds
    alpha: pd.DataFrame  # long: item, level, method, comparison, coder, n_units, alpha
    alpha_summary: pd.DataFrame  # per item x method: coder-coder alpha, mean tool-coder alpha, gap
    coder_f1: pd.DataFrame  # per frame x method (cross-validated decisions): F1 against single coders vs coder-coder


def score_gold_validation(name: str = nf.NAME, path: str | Path | None = None) -> GoldValidation:
    """Run the frame measures over the gold set and score them (see the module docstring). Takes about a minute."""
    if name not in GOLD_SETS:
        raise ParameterError(f"unknown gold set {name!r}; available: {', '.join(GOLD_SETS)}")
    gold = nf.load_narrative_frames(path)
    design = cal.build_design(gold.articles, gold.frames)
    answers = nf.find_tool_answers(design.indicators)
    questions = nf.score_questions(answers, gold)

    cv = cal.score_cross_validation(design)
    stored = frame_presence.score_presence(design.indicators, gold.articles)
    stored = stored[stored["frame"].isin(nf.FRAMES.values())]
    fired = design.indicators.groupby(["doc_id", "frame"])["fired"].any().rename("present").reset_index()
    fired = fired[fired["frame"].isin(nf.FRAMES.values())]
    variants = [
        ("dictionary", "cv", cv.predictions, "present_dictionary"),
        ("model", "cv", cv.predictions, "present_model"),
        ("dictionary", "in_sample", stored, "present_dictionary"),
        ("model", "in_sample", stored, "present_model"),
        ("any_indicator", "baseline", fired, "present"),
        ("all_present", "baseline", fired.assign(present=True), "present"),
    ]
    frame_rows, alpha_rows = [], []
    for method, evaluation, table, column in variants:
        scores = nf.score_frame_presence(table, gold, column=column)
        frame_rows.append(scores.assign(method=method, evaluation=evaluation))
        if evaluation != "baseline" or method == "any_indicator":
            a = nf.score_alpha(None, table, gold, column=column)
            alpha_rows.append(a.assign(method=method, evaluation=evaluation))
    q_alpha = nf.score_alpha(answers, None, gold).assign(method="cues", evaluation="in_sample")
    alpha = pd.concat([q_alpha, *alpha_rows], ignore_index=True)
    summary = pd.concat(
        [
            nf.score_alpha_summary(block).assign(method=m, evaluation=e)
            for (m, e), block in alpha.groupby(["method", "evaluation"], sort=False)
        ],
        ignore_index=True,
    )
    frames_table = pd.concat(frame_rows, ignore_index=True)
    lead = ["frame", "code", "method", "evaluation"]
    frames_table = frames_table[lead + [c for c in frames_table.columns if c not in lead]]
    alpha = alpha[["level", "item", "method", "evaluation", "comparison", "coder", "n_units", "alpha"]]
    coder_f1 = pd.concat(
        [
            nf.score_coder_f1(cv.predictions, gold, column=f"present_{method}").assign(method=method, evaluation="cv")
            for method in ("model", "dictionary")
        ],
        ignore_index=True,
    )
    return GoldValidation(questions, frames_table, cv.folds, alpha, summary, coder_f1)


def save_gold_validation(result: GoldValidation, out: str | Path) -> dict[str, Path]:
    """Write the tables as CSV files in ``out`` (questions, frames, folds, alpha, alpha_summary, coder_f1)."""
    out = Path(out)
    return {key: save_table(getattr(result, key), out / fname) for key, fname in FILES.items()}


def print_gold_validation(result: GoldValidation, fold_summary: pd.DataFrame) -> None:
    """The per-frame table (cross-validated, mean and sd over folds) and alpha, as the CLI prints them."""
    with pd.option_context("display.width", 160, "display.max_rows", 200, "display.precision", 3):
        print(f"{nf.TITLE}: {nf.TOPIC}; {nf.SPLIT}.")
        print("\nFrames, 5-fold cross-validated (held-out folds; F1 mean and sd over folds):")
        print(fold_summary.to_string(index=False))
        cols = ["frame", "method", "evaluation", "support", "predicted", "tp", "fp", "fn", "tn", "precision",
                "recall", "f1", "prevalence", "predicted_share"]  # fmt: skip
        print("\nFrames, pooled over all articles (cv: out-of-fold decisions; in_sample: stored rules):")
        print(result.frames[cols].to_string(index=False))
        print("\nKrippendorff's alpha: coders with each other vs the tool with each coder (frames):")
        frames_alpha = result.alpha_summary[result.alpha_summary["level"] == "frame"]
        print(frames_alpha.to_string(index=False))
        print("\nF1 against single coders (cross-validated decisions) beside one coder against another (pooled pairs):")
        print(result.coder_f1.to_string(index=False))
        print("\nQuestions (indicator cues against the coders' consensus; no agreement left out):")
        print(result.questions.drop(columns=["note"]).to_string(index=False))


def run_gold_validation(args) -> int:
    """The `validate --gold NAME [PATH]` command."""
    result = score_gold_validation(args.gold, args.gold_path)
    out = Path(args.out) if args.out else Path(args.analysis_dir) / "validation" / f"gold-{args.gold}"
    print_gold_validation(result, cal.score_fold_summary(result.folds))
    written = save_gold_validation(result, out)
    print(f"\nwrote {', '.join(str(p) for p in written.values())}")
    return 0


__all__ = ["GOLD_SETS", "GoldValidation", "score_gold_validation", "save_gold_validation", "run_gold_validation"]
