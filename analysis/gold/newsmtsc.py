"""NewsMTSC (Hamborg & Donnay 2021, MIT): target-dependent sentiment gold, read from ../shared, and its scorer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import DataUnavailableError, InputError

# The development parts shipped in ../shared; the paper's test parts are held out by the issue author (see README).
SPLITS = ("train", "dev-rw", "dev-mt")
LABELS = ("negative", "neutral", "positive")
# NewsMTSC codes the crowd's judgement on a 1-7 scale collapsed to three values (README of the corpus).
_POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
COLUMNS = ["sentence_id", "story_id", "text", "start", "end", "mention", "polarity"]


def newsmtsc_dir() -> Path:
    """Where the NewsMTSC files are: ``../shared/corpora/newsmtsc``."""
    return config.SHARED_CORPORA / "newsmtsc"


def load_newsmtsc(split: str, *, root: str | Path | None = None) -> pd.DataFrame:
    """One row per target of a NewsMTSC split: sentence_id, story_id, text, start, end, mention, polarity.

    ``story_id`` (from the sentence id) keeps the sentences of one news story together when cross-validating, so
    that no fold is scored on a story it was trained on: AllSides ids name the story that several outlets' articles
    cover (``allsides_<article>_<story>_...``), POLUSA ids the article (``polusa_v1_<article>_...``).
    """
    if split not in SPLITS:
        raise InputError(f"unknown NewsMTSC split {split!r}: use one of {', '.join(SPLITS)}")
    path = Path(root) if root is not None else newsmtsc_dir()
    path = path / f"{split}.jsonl"
    if not path.exists():
        raise DataUnavailableError(f"{path} is missing: NewsMTSC is read from ../shared/corpora/newsmtsc")
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        text = record["sentence_normalized"]
        gid = record["primary_gid"]
        article = _story_id(gid)
        for target in record["targets"]:
            start, end = int(target["from"]), int(target["to"])
            if not 0 <= start < end <= len(text):
                raise InputError(f"{path}:{line_no}: target span {start}-{end} lies outside the sentence")
            if target["polarity"] not in _POLARITY:
                raise InputError(f"{path}:{line_no}: polarity {target['polarity']!r} is not 2.0, 4.0 or 6.0")
            rows.append((gid, article, text, start, end, target["mention"], _POLARITY[target["polarity"]]))
    return pd.DataFrame(rows, columns=COLUMNS).astype({"start": "int64", "end": "int64"})


def _story_id(gid: str) -> str:
    parts = gid.split("_")
    if parts[0] == "allsides" and len(parts) > 2:
        return f"allsides_{parts[2]}"
    if parts[0] == "polusa" and len(parts) > 2:
        return f"polusa_{parts[2]}"
    return gid  # an unknown id scheme: the sentence is its own group


def score_polarity(gold: pd.Series, predicted: pd.Series) -> dict[str, float]:
    """Macro F1 over negative/neutral/positive, accuracy, and per-class F1 of predicted against gold polarity."""
    from sklearn.metrics import accuracy_score, f1_score

    gold_arr, pred_arr = np.asarray(gold, dtype=object), np.asarray(predicted, dtype=object)
    if len(gold_arr) != len(pred_arr):
        raise InputError(f"{len(gold_arr)} gold labels but {len(pred_arr)} predictions")
    per_class = f1_score(gold_arr, pred_arr, labels=list(LABELS), average=None, zero_division=0)
    out = {
        "macro_f1": float(np.mean(per_class)),
        "accuracy": float(accuracy_score(gold_arr, pred_arr)),
        "n": len(gold_arr),
    }
    out.update({f"f1_{label}": float(f) for label, f in zip(LABELS, per_class)})
    return out
