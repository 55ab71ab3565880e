"""Frame presence: the calibrated dictionary rule and the logistic model over indicator evidence, as arithmetic.

Two separate decisions of whether a frame is present in an article, so that a user can choose (docs/framing.md):

- ``present_dictionary``: the frame's cue evidence (number of cue matches of its indicators, or matches per 1,000
  characters) reaches a threshold chosen by cross-validation on a gold set (frames without a calibrated
  threshold: any indicator fired);
- ``present_model``: a regularised logistic regression over indicator features (``p_model`` >= its threshold).

Article lengths are clamped to the range the rules were calibrated on (``length_range_kchars``).

Both are stored with their training provenance in ``analysis/resources/frame_presence.json`` (written by
``scripts/train_frames.py``). Applying them is a dot product over the stored coefficients: no scikit-learn objects.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import ResourceError
from analysis.tables import require_columns

PRESENCE_FILE = "frame_presence.json"
PRESENCE_COLUMNS = ["doc_id", "frame", "evidence", "present_dictionary", "p_model", "present_model"]


# ================================================================================================== features
LENGTH_FEATURE = "doc:log_kchars"  # log(characters / 1000): longer articles have more matches by chance
# How an indicator's cue matches enter the model: as counts, or as a rate per 1,000 characters (length-aware)
FEATURE_FORMS = {"counts": "matches", "rates": "per_kchar"}


def feature_name(indicator_key: str, form: str = "counts") -> str:
    """Name of an indicator feature: ``frame.indicator:matches`` (counts) or ``frame.indicator:per_kchar`` (rates)."""
    return f"{indicator_key}:{FEATURE_FORMS[form]}"


def find_article_kchars(docs: pd.DataFrame, ids, *, length_range: tuple[float, float] | None = None) -> np.ndarray:
    """Article length in thousands of characters for ``ids``, clamped to ``length_range`` (the calibration range).

    The stored rules were calibrated on articles of 1,100-6,200 characters; a shorter or longer article is
    treated as one of the nearest calibrated length, so that rates and the length feature never extrapolate
    (one cue match in a 100-character snippet is not a rate of 10 per 1,000 characters).
    """
    return _kchars(_article_chars(docs), ids, length_range=length_range)


def _article_chars(docs: pd.DataFrame) -> pd.Series:
    """Characters per article, by doc_id (the first row of a repeated doc_id)."""
    return docs.drop_duplicates("doc_id").set_index("doc_id")["text"].str.len()


def _kchars(chars: pd.Series, ids, *, length_range: tuple[float, float] | None = None) -> np.ndarray:
    """:func:`find_article_kchars` from the lengths of :func:`_article_chars` (found once for several frames)."""
    k = np.maximum(chars.reindex(ids).fillna(1).to_numpy(dtype="float64"), 1.0) / 1000.0
    if length_range is not None:
        k = np.clip(k, float(length_range[0]), float(length_range[1]))
    return k


def find_presence_features(
    indicators: pd.DataFrame, docs: pd.DataFrame, *, length_range: tuple[float, float] | None = None
) -> pd.DataFrame:
    """Per article the raw feature values: doc_id index, two columns per indicator, plus article length.

    ``frame.indicator:matches`` = log(1 + cue matches of the indicator in the article);
    ``frame.indicator:per_kchar`` = log(1 + cue matches per 1,000 characters); ``doc:log_kchars`` =
    log(characters / 1000). Lengths are clamped to ``length_range`` (see :func:`find_article_kchars`).
    ``indicators`` is the indicators table of ``frames.score_frames`` (or frame_indicators.parquet); ``docs`` has
    doc_id and text. (Matches in the lead sentences alone, which the coders were told to weigh most, were tried as
    further features and did not improve cross-validated F1.)
    """
    require_columns(indicators, ["doc_id", "frame", "indicator", "n_matches"], what="frame indicators")
    require_columns(docs, ["doc_id", "text"], what="corpus")
    key = indicators["frame"].astype(str) + "." + indicators["indicator"].astype(str)
    n_all = indicators.assign(key=key).pivot_table(
        index="doc_id", columns="key", values="n_matches", aggfunc="sum", fill_value=0
    )
    n_all.columns.name = None
    n = n_all.astype("float64")
    k = find_article_kchars(docs, n.index, length_range=length_range)
    counts = np.log1p(n).rename(columns=lambda c: feature_name(c, "counts"))
    rates = np.log1p(n.div(k, axis=0)).rename(columns=lambda c: feature_name(c, "rates"))
    out = pd.concat([counts, rates], axis=1)
    out[LENGTH_FEATURE] = np.log(k)
    return out.sort_index(axis=1)


def count_frame_evidence(indicators: pd.DataFrame) -> pd.DataFrame:
    """The dictionary rule's evidence: doc_id, frame, evidence (cue matches summed over the frame's indicators)."""
    require_columns(indicators, ["doc_id", "frame", "n_matches"], what="frame indicators")
    return (
        indicators.groupby(["doc_id", "frame"], sort=False)["n_matches"]
        .sum()
        .rename("evidence")
        .astype("int64")
        .reset_index()
    )


def score_dictionary_rule(evidence: np.ndarray, kchars: np.ndarray, spec: dict) -> np.ndarray:
    """The dictionary decision of one frame: at least one cue match, and the evidence reaches the threshold.

    ``spec["form"]`` is ``count`` (cue matches) or ``rate`` (cue matches per 1,000 characters of the clamped
    length, :func:`find_article_kchars`): which one a frame uses was chosen by cross-validation.
    """
    evidence = np.asarray(evidence, dtype="float64")
    score = evidence if spec.get("form", "count") == "count" else evidence / np.asarray(kchars, dtype="float64")
    return (evidence >= 1) & (score >= float(spec["threshold"]))


# ================================================================================================== the stored rule
def _check_model(data: dict, where: str) -> dict:
    for key in ("version", "features", "frames"):
        if key not in data:
            raise ResourceError(f"{where}: missing key {key!r}; regenerate it with scripts/train_frames.py")
    names = [f["name"] for f in data["features"]]
    for frame, spec in data["frames"].items():
        for key in ("dictionary", "model"):
            if key not in spec:
                raise ResourceError(f"{where}: frame {frame!r} has no {key!r} entry")
        m = spec["model"]
        unknown = set(m.get("coefficients", {})) - set(names)
        if unknown:
            raise ResourceError(f"{where}: frame {frame!r} uses undefined feature(s) {sorted(unknown)}")
        for key in ("intercept", "threshold", "coefficients", "means", "scales"):
            if key not in m:
                raise ResourceError(f"{where}: frame {frame!r} model has no {key!r}")
        if any(not s or not math.isfinite(s) for s in m["scales"].values()):
            raise ResourceError(f"{where}: frame {frame!r} has a zero or non-finite feature scale")
    return data


def load_presence_model(source: str | Path | dict | None = None) -> dict:
    """The presence rules (built-in ``frame_presence.json``, your own file, or an already loaded dict)."""
    if isinstance(source, dict):
        return _check_model(source, "presence model")
    path = config.resource(PRESENCE_FILE) if source is None else Path(source)
    if not path.is_file():
        raise ResourceError(f"presence model {path} does not exist; run scripts/train_frames.py or pass None")
    return _load_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load_cached(path_str: str, _mtime: int) -> dict:
    try:
        data = json.loads(Path(path_str).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResourceError(f"{path_str}: not valid JSON ({exc})") from exc
    return _check_model(data, path_str)


def score_model_probability(features: pd.DataFrame, spec: dict) -> np.ndarray:
    """P(frame present) of one frame's stored logistic model: sigmoid(intercept + sum_j w_j (x_j - mean_j) / scale_j).

    ``features`` is :func:`find_presence_features` output; a feature the table lacks counts as 0 (no match).
    """
    z = np.full(len(features), float(spec["intercept"]))
    for name, w in spec["coefficients"].items():
        x = features[name].to_numpy(dtype="float64") if name in features else np.zeros(len(features))
        z += float(w) * (x - float(spec["means"][name])) / float(spec["scales"][name])
    return 1.0 / (1.0 + np.exp(-z))


def score_presence(
    indicators: pd.DataFrame, docs: pd.DataFrame, *, model: str | Path | dict | None = None
) -> pd.DataFrame:
    """Both presence decisions for every article and frame: doc_id, frame, evidence, present_dictionary, p_model,
    present_model.

    Frames with a calibrated rule use its evidence threshold and model; other frames (e.g. the conflict-specific
    ones) are present by dictionary when any indicator fired, with ``p_model``/``present_model`` left empty (NA).
    """
    rules = load_presence_model(model)
    ev = count_frame_evidence(indicators)
    fired = (indicators["n_matches"] > 0).groupby([indicators["doc_id"], indicators["frame"]], sort=False).sum()
    ev = ev.merge(fired.rename("n_fired").reset_index(), on=["doc_id", "frame"], how="left")
    length_range = rules.get("length_range_kchars")
    feats = find_presence_features(indicators, docs, length_range=length_range) if len(ev) else pd.DataFrame()
    parts = []
    chars = _article_chars(docs)
    for frame, block in ev.groupby("frame", sort=False):
        spec = rules["frames"].get(frame)
        block = block.copy()
        if spec is None:
            block["present_dictionary"] = block["n_fired"] >= 1
            block["p_model"] = np.nan
            block["present_model"] = pd.array([pd.NA] * len(block), dtype="boolean")
        else:
            kchars = _kchars(chars, block["doc_id"], length_range=length_range)
            block["present_dictionary"] = score_dictionary_rule(block["evidence"], kchars, spec["dictionary"])
            p = score_model_probability(feats.reindex(block["doc_id"]), spec["model"])
            block["p_model"] = p
            block["present_model"] = pd.array(p >= float(spec["model"]["threshold"]), dtype="boolean")
        parts.append(block)
    if not parts:
        return pd.DataFrame(columns=PRESENCE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)[PRESENCE_COLUMNS]
    return out.astype({"present_dictionary": "bool", "p_model": "float64"})


def add_presence(scores: pd.DataFrame, indicators: pd.DataFrame, docs: pd.DataFrame, *, model=None) -> pd.DataFrame:
    """The frame ``scores`` table with the presence columns joined: present_dictionary, p_model, present_model."""
    pres = score_presence(indicators, docs, model=model)[["doc_id", "frame", "present_dictionary", "p_model",
                                                          "present_model"]]  # fmt: skip
    out = scores.merge(pres, on=["doc_id", "frame"], how="left")
    out["present_dictionary"] = out["present_dictionary"].fillna(False).astype(bool)
    out["present_model"] = out["present_model"].astype("boolean")
    return out


def RESOURCE_VERSIONS() -> dict[str, dict[str, str]]:  # noqa: N802 - name fixed by the pipeline contract
    """Version and sha256 of the stored presence rules (recorded in manifest.json)."""
    from analysis.resources import file_version

    path = config.resource(PRESENCE_FILE)
    return {
        "frame_presence": {"version": str(load_presence_model()["version"]), "sha256": file_version(path)["sha256"]}
    }


__all__ = [
    "LENGTH_FEATURE",
    "FEATURE_FORMS",
    "feature_name",
    "find_article_kchars",
    "score_dictionary_rule",
    "find_presence_features",
    "count_frame_evidence",
    "load_presence_model",
    "score_model_probability",
    "score_presence",
    "add_presence",
    "RESOURCE_VERSIONS",
]
