"""Narrative Frames Corpus (Frermann, Li & Zhou 2023): read the gold set, map its questions to our codebook, score.

The corpus codes climate-change news for the five generic frames of Semetko & Valkenburg (2000) through yes/no
questions answered by 2-4 trained coders (``full_annotations.json``), plus an aggregated 0/1 label per frame
(``articles_metadata.tsv``). The folder in ``../shared`` holds the 250-article development part; the rest of the
corpus is kept aside upstream for independent checks and is never read here.

Typical use::

    from analysis.gold import narrative_frames as nf
    gold = nf.load_narrative_frames()                 # articles, coder answers, consensus, frame labels
    scores, indicators, evidence = frames.score_frames(gold.articles)
    nf.score_questions(nf.find_tool_answers(indicators), gold)
    nf.score_frame_presence(presence, gold)          # presence: doc_id, frame, present
    nf.score_alpha(nf.find_tool_answers(indicators), presence, gold)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis import config, validation
from analysis.errors import InputError

NAME = "narrative-frames"
TITLE = "Narrative Frames Corpus (Frermann, Li & Zhou 2023, ACL)"
TOPIC = "climate-change news, 2017-2019, US/UK outlets across the political spectrum"
DEFAULT_DIR = config.SHARED_CORPORA / "narrative-frames"
ARTICLES_FILE = "articles_metadata.tsv"
ANNOTATIONS_FILE = "full_annotations.json"
SPLIT = (
    "development part: all 250 articles in the shared folder (5-fold cross-validation within it); the remaining "
    "articles of the 428-article corpus are held out upstream for independent checks and are never read here"
)

# The gold frame codes and our generic frames.
FRAMES = {
    "RE": "responsibility",
    "HI": "human_interest",
    "CO": "conflict",
    "MO": "morality",
    "EC": "economic",
}


@dataclass(frozen=True)
class Question:
    """One gold question: its key in full_annotations.json, its id and text in the codebook PDF, our indicators."""

    key: str
    code: str
    text: str
    indicators: tuple[str, ...]  # our `frame.indicator` keys; the tool says yes when any of them fires
    note: str = ""


# The questions as the coders saw them (annotation_detailed_instructions.pdf). The JSON keys re1..re7 are the PDF's
# AR1..AR7 ("attribution of responsibility"; the corpus calls the frame "resolution").
QUESTIONS: tuple[Question, ...] = (
    Question("re1", "AR1", "Does this article predominantly (>70%) discuss a problem/issue related to climate change?",
             (), "topic filter (every article is yes); no frame indicator"),
    Question("re1a", "AR1a", "(a follow-up of AR1 that the codebook does not document)", (), "undocumented"),
    Question("re2", "AR2", "Does the story suggest a solution(s) to the issue/problem?",
             ("responsibility.solution_proposed",)),
    Question("re3", "AR3", "Is this problem/issue resolved in the story?", (), "no S&V indicator"),
    Question("re4", "AR4", "Is there any hope in the story for future resolution of the problem/issue?", (),
             "no S&V indicator"),
    Question("re5", "AR5", "Does the story suggest that the issue/problem requires urgent action?",
             ("responsibility.urgent_action",)),
    Question("re6", "AR6", "Does the story suggest that some entity could alleviate the problem?",
             ("responsibility.government_can_alleviate",),
             "approximate: the gold asks about any entity, S&V about a level of government"),
    Question("re7", "AR7", "Does the story suggest that some entity is responsible for the issue/problem?",
             ("responsibility.government_responsible", "responsibility.individual_group_responsible"),
             "either of our two responsibility indicators"),
    Question("hi1", "HI1", 'Does the story provide a human example or a "human face" on the problem/issue?',
             ("human_interest.human_example",)),
    Question("hi2", "HI2", "Does the story employ adjectives or personal vignettes that generate feelings of "
             "outrage, empathy-caring, sympathy, or compassion?", ("human_interest.emotional_language",)),
    Question("hi3", "HI3", "Does the story emphasize how one or more entities are NEGATIVELY affected by the "
             "issue/problem?", ("human_interest.individuals_affected",)),
    Question("hi4", "HI4", "Does the story emphasize how one or more entities are POSITIVELY affected by the "
             "issue/problem?", (), "no S&V indicator"),
    Question("hi5", "HI5", "Does the story go into the private or personal lives of the entities involved?",
             ("human_interest.private_lives",)),
    Question("co1", "CO1", "Does the story reflect disagreement between political parties/individuals/groups/"
             "countries?", ("conflict.disagreement",)),
    Question("co2", "CO2", "Does one party/individual/group/country reproach another?", ("conflict.reproach",)),
    Question("co3", "CO3", "Does the story refer to two sides or more than two sides of the problem or issue?",
             ("conflict.two_sides",)),
    Question("co4", "CO4", "Does the story refer to winners and losers?", ("conflict.winners_losers",)),
    Question("mo1", "MO1", "Does the story contain any moral message?", ("morality.moral_message",)),
    Question("mo2", "MO2", "Does the story make reference to morality, God, and other religious tenets?",
             ("morality.religious_reference",)),
    Question("mo3", "MO3", "Does the story offer specific social prescriptions about how to behave?",
             ("morality.social_prescriptions",)),
    Question("ec1", "EC1", "Is there a mention of financial losses or gains now or in the future?",
             ("economic.financial_losses_gains",)),
    Question("ec2", "EC2", "Is there a mention of the costs/degree of the expense involved?", ("economic.costs",)),
    Question("ec3", "EC3", "Is there a reference to the economic consequences of pursuing or not pursuing a course "
             "of action?", ("economic.economic_consequences_action",)),
)  # fmt: skip

# How the aggregated frame labels follow from the consensus answers: a frame is present when at least `k` of its
# questions have a consensus "yes". This reproduces all 5 x 250 labels of articles_metadata.tsv exactly (checked
# by tests/test_gold_narrative_frames.py); the same rule turns each coder's answers into that coder's frame codes.
FRAME_RULE: dict[str, tuple[tuple[str, ...], int]] = {
    "RE": (("re2", "re6"), 2),
    "HI": (("hi1", "hi2", "hi5"), 2),
    "CO": (("co1", "co2", "co3"), 2),
    "MO": (("mo1", "mo2"), 1),
    "EC": (("ec1", "ec2", "ec3"), 2),
}

ANSWER_COLUMNS = ["doc_id", "question", "coder", "answer"]
CONSENSUS_COLUMNS = ["doc_id", "question", "consensus"]
FRAME_COLUMNS = ["doc_id", "frame", "code", "present"]


class NarrativeFrames(NamedTuple):
    """The gold set: unpack as ``articles, answers, consensus, frames, files = load_narrative_frames()``."""

    articles: pd.DataFrame  # doc_id, outlet, mbfc, published, title (empty), text: a corpus for frames.score_frames
    answers: pd.DataFrame  # doc_id, question, coder (1-4), answer (1/0): one row per coder answer given
    consensus: pd.DataFrame  # doc_id, question, consensus (1/0, NA where the coders did not agree)
    frames: pd.DataFrame  # doc_id, frame (our id), code (RE...), present (bool): the aggregated labels
    files: dict  # file name -> sha256 of the bytes read


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _code(value, where: str):
    """A coder's or the consensus' answer as 1/0, or None (not coded, no agreement, "n/a: problem is resolved")."""
    if value == -1 or value is None:
        return None
    if isinstance(value, str):
        v = value.strip().lower()
        if v == "yes":
            return 1
        if v == "no":
            return 0
        if v == "no agreement" or v.startswith("n/a"):
            return None
    raise InputError(f"{where}: unexpected answer {value!r}; expected yes, no, NO AGREEMENT, n/a... or -1")


def load_narrative_frames(path: str | Path | None = None) -> NarrativeFrames:
    """Read the Narrative Frames Corpus folder (default ``../shared/corpora/narrative-frames``).

    Needs ``articles_metadata.tsv`` and ``full_annotations.json``; every article must have annotations and every
    annotated article a text. Raises :class:`InputError` naming the file and what is wrong.
    """
    folder = Path(path) if path is not None else DEFAULT_DIR
    files = {name: folder / name for name in (ARTICLES_FILE, ANNOTATIONS_FILE)}
    missing = [name for name, p in files.items() if not p.is_file()]
    if missing:
        raise InputError(f"{folder}: no {', '.join(missing)}; pass the Narrative Frames Corpus folder")
    meta = pd.read_csv(files[ARTICLES_FILE], sep="\t", dtype={"ID": str}, keep_default_na=False)
    needed = ["ID", "source", "mbfc", "date", "text", *FRAMES]
    absent = [c for c in needed if c not in meta.columns]
    if absent:
        raise InputError(f"{files[ARTICLES_FILE]}: missing column(s) {absent}; expected {needed}")
    try:
        raw = json.loads(files[ANNOTATIONS_FILE].read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{files[ANNOTATIONS_FILE]}: not valid JSON ({exc})") from exc
    ids = meta["ID"].astype(str)
    if ids.duplicated().any():
        raise InputError(f"{files[ARTICLES_FILE]}: duplicate article ID(s) {sorted(set(ids[ids.duplicated()]))[:5]}")
    no_codes = sorted(set(ids) - set(raw))
    if no_codes:
        raise InputError(f"{files[ANNOTATIONS_FILE]}: no annotations for article ID(s) {no_codes[:5]}")
    extra = sorted(set(raw) - set(ids))
    if extra:
        raise InputError(f"{files[ARTICLES_FILE]}: no text for annotated article ID(s) {extra[:5]}")

    answers, consensus = [], []
    for doc_id in ids:
        record = raw[doc_id]
        for q in QUESTIONS:
            where = f"{files[ANNOTATIONS_FILE]}: article {doc_id}, question {q.key}"
            if q.key not in record:
                raise InputError(f"{where}: missing")
            agg, per_coder = record[q.key]
            consensus.append((doc_id, q.key, _code(agg, where)))
            for coder, value in enumerate(per_coder, 1):
                code = _code(value, f"{where}, coder {coder}")
                if code is not None:
                    answers.append((doc_id, q.key, coder, code))
    bools = {
        c: meta[c].astype(str).str.lower().map({"true": True, "false": False, "1": True, "0": False}) for c in FRAMES
    }
    for c, col in bools.items():
        if col.isna().any():
            raise InputError(f"{files[ARTICLES_FILE]}: column {c} must be True/False (or 1/0)")
    frames = pd.DataFrame(
        [(d, FRAMES[c], c, bool(v)) for c in FRAMES for d, v in zip(ids, bools[c])], columns=FRAME_COLUMNS
    )
    articles = pd.DataFrame(
        {
            "doc_id": ids,
            "outlet": meta["source"].astype(str).str.lower().str.replace(" ", "", regex=False),
            "mbfc": meta["mbfc"].astype(str),
            "published": pd.to_datetime(meta["date"], errors="coerce"),
            "title": "",  # the corpus runs the headline into the first sentence of the text
            "text": meta["text"].astype(str),
        }
    )
    return NarrativeFrames(
        articles,
        pd.DataFrame(answers, columns=ANSWER_COLUMNS).astype({"coder": "int64", "answer": "int64"}),
        pd.DataFrame(consensus, columns=CONSENSUS_COLUMNS).astype({"consensus": "Int64"}),
        frames.sort_values(["doc_id", "frame"], kind="stable").reset_index(drop=True),
        {name: _sha256(p) for name, p in files.items()},
    )


# ================================================================================================== derived codes
def find_coder_frames(gold: NarrativeFrames) -> pd.DataFrame:
    """Each coder's frame codes, derived from that coder's answers by :data:`FRAME_RULE`: doc_id, frame, coder, present.

    A coder who answered none of a frame's questions for an article has no code for it.
    """
    wide = gold.answers.pivot_table(index=["doc_id", "coder"], columns="question", values="answer", aggfunc="max")
    rows = []
    for code, (qs, k) in FRAME_RULE.items():
        block = wide.reindex(columns=list(qs))
        coded = block.notna().any(axis=1)
        present = (block == 1).sum(axis=1) >= k
        for (doc_id, coder), ok, p in zip(block.index, coded, present):
            if ok:
                rows.append((doc_id, FRAMES[code], int(coder), bool(p)))
    return pd.DataFrame(rows, columns=["doc_id", "frame", "coder", "present"]).sort_values(
        ["doc_id", "frame", "coder"], kind="stable", ignore_index=True
    )


def find_tool_answers(indicators: pd.DataFrame, *, fired: str = "fired") -> pd.DataFrame:
    """The tool's answer to each mapped gold question: doc_id, question, answer (1 when any mapped indicator fired).

    ``indicators`` is the indicators table of ``frames.score_frames`` (doc_id, frame, indicator, and the 0/1 or
    bool column named by ``fired``).
    """
    key = indicators["frame"].astype(str) + "." + indicators["indicator"].astype(str)
    fired_by = indicators.assign(doc_id=indicators["doc_id"].astype(str), key=key, f=indicators[fired].astype(int))
    wide = fired_by.pivot_table(index="doc_id", columns="key", values="f", aggfunc="max")
    rows = []
    for q in QUESTIONS:
        if not q.indicators:
            continue
        present = [k for k in q.indicators if k in wide.columns]
        if not present:
            continue
        vals = wide[present].max(axis=1).fillna(0).astype(int)
        rows.extend((d, q.key, int(v)) for d, v in vals.items())
    return pd.DataFrame(rows, columns=["doc_id", "question", "answer"])


# ================================================================================================== scores
def _question_meta() -> pd.DataFrame:
    return pd.DataFrame(
        [(q.key, q.code, " | ".join(q.indicators), q.note) for q in QUESTIONS],
        columns=["question", "code", "indicators", "note"],
    )


def score_questions(tool_answers: pd.DataFrame, gold: NarrativeFrames) -> pd.DataFrame:
    """Precision, recall, F1, support and confusion counts of the tool on each mapped question, against consensus.

    Articles where the coders did not agree (consensus NA) are left out and counted in ``n_no_agreement``.
    Columns: question, code, indicators, n, n_no_agreement, support, predicted, tp, fp, fn, tn, precision, recall,
    f1, note.
    """
    merged = tool_answers.merge(gold.consensus, on=["doc_id", "question"], how="inner")
    rows = []
    for q, block in merged.groupby("question", sort=False):
        ok = block["consensus"].notna()
        stats = validation.score_confusion(block.loc[ok, "answer"], block.loc[ok, "consensus"].astype(int))
        rows.append({"question": q, "n": int(ok.sum()), "n_no_agreement": int((~ok).sum()), **stats})
    out = _question_meta().merge(pd.DataFrame(rows), on="question", how="inner")
    cols = ["question", "code", "indicators", "n", "n_no_agreement", "support", "predicted", "tp", "fp", "fn", "tn"]
    return out[cols + ["precision", "recall", "f1", "note"]].reset_index(drop=True)


def score_frame_presence(presence: pd.DataFrame, gold: NarrativeFrames, *, column: str = "present") -> pd.DataFrame:
    """Precision, recall, F1, support and confusion counts of a frame-presence table against the aggregated labels.

    ``presence`` has doc_id, frame and the bool/0-1 column ``column`` (e.g. ``present_dictionary`` or
    ``present_model``). Columns: frame, code, n, support, predicted, tp, fp, fn, tn, precision, recall, f1,
    prevalence (gold share present), predicted_share.
    """
    tool = presence[["doc_id", "frame", column]].rename(columns={column: "tool"})
    tool = tool.assign(doc_id=tool["doc_id"].astype(str))
    merged = gold.frames.merge(tool, on=["doc_id", "frame"], how="inner")
    rows = []
    for code, frame in FRAMES.items():
        block = merged[merged["frame"] == frame]
        stats = validation.score_confusion(block["tool"].astype(int), block["present"].astype(int))
        n = len(block)
        rows.append(
            {
                "frame": frame,
                "code": code,
                "n": n,
                **stats,
                "prevalence": stats["support"] / n if n else float("nan"),
                "predicted_share": stats["predicted"] / n if n else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def _alpha_rows(item: str, level: str, tool: pd.Series, coders: pd.DataFrame) -> list[dict]:
    """Alpha between coders, and of the tool against each coder, for one question or frame.

    ``tool``: doc_id -> 0/1; ``coders``: doc_id x coder matrix of 0/1 with NaN where a coder did not code.
    """
    coders = coders.reindex(tool.index.intersection(coders.index))
    mat = coders.to_numpy(dtype="float64").T
    pairable = (~np.isnan(mat)).sum(axis=0) >= 2
    rows = [
        {
            "item": item,
            "level": level,
            "comparison": "coder-coder",
            "coder": "all",
            "n_units": int(pairable.sum()),
            "alpha": validation.score_alpha(mat[:, pairable]) if pairable.any() else float("nan"),
        }
    ]
    t = tool.reindex(coders.index).to_numpy(dtype="float64")
    for coder in coders.columns:
        c = coders[coder].to_numpy(dtype="float64")
        ok = ~np.isnan(c) & ~np.isnan(t)
        rows.append(
            {
                "item": item,
                "level": level,
                "comparison": "tool-coder",
                "coder": str(coder),
                "n_units": int(ok.sum()),
                "alpha": validation.score_alpha(np.vstack([t[ok], c[ok]])) if ok.sum() >= 2 else float("nan"),
            }
        )
    return rows


def score_alpha(
    tool_answers: pd.DataFrame | None, presence: pd.DataFrame | None, gold: NarrativeFrames, *, column: str = "present"
) -> pd.DataFrame:
    """Krippendorff's alpha (nominal) of the tool against each coder, beside the coders' alpha with each other.

    Per mapped question (``tool_answers`` from :func:`find_tool_answers`) and per frame (``presence``: doc_id,
    frame and the 0/1 column ``column``; coders' frame codes from :func:`find_coder_frames`). Either input may be
    None. Long table: item, level (question/frame), comparison (coder-coder | tool-coder), coder, n_units, alpha.
    Add :func:`score_alpha_summary` for one row per item.
    """
    rows: list[dict] = []
    if tool_answers is not None:
        per_coder = gold.answers.pivot_table(index="doc_id", columns=["question", "coder"], values="answer")
        for q in QUESTIONS:
            sub = tool_answers[tool_answers["question"] == q.key]
            if sub.empty or q.key not in per_coder.columns.get_level_values(0):
                continue
            tool = sub.set_index(sub["doc_id"].astype(str))["answer"].astype(float)
            rows += _alpha_rows(q.key, "question", tool, per_coder[q.key])
    if presence is not None:
        cf = find_coder_frames(gold).pivot_table(index="doc_id", columns=["frame", "coder"], values="present")
        for frame in FRAMES.values():
            sub = presence[presence["frame"] == frame]
            if sub.empty:
                continue
            tool = sub.set_index(sub["doc_id"].astype(str))[column].astype(float)
            rows += _alpha_rows(frame, "frame", tool, cf[frame].astype(float))
    return pd.DataFrame(rows, columns=["item", "level", "comparison", "coder", "n_units", "alpha"])


def score_coder_f1(presence: pd.DataFrame, gold: NarrativeFrames, *, column: str = "present") -> pd.DataFrame:
    """F1 of the tool against single coders beside the F1 of one coder against another: the human reference.

    The aggregated labels the tool is scored on combine 2-4 coders, so no single coder reaches F1 1 against
    another; this says how far the tool is from that. Pooled over pairs: for every article and frame, each pair of
    coders who coded it (or the tool and each coder) adds its both-present count to ``tp`` and its two present
    counts to ``positives``; F1 = 2 tp / positives (symmetric in the two sides, so the order of a pair does not
    matter). ``presence``: doc_id, frame and the 0/1 column ``column``. Columns: frame, code, coder_pairs,
    coder_coder_f1, tool_pairs, tool_coder_f1, gap (coder_coder_f1 - tool_coder_f1).
    """
    cf = find_coder_frames(gold)
    tool = presence[["doc_id", "frame", column]].rename(columns={column: "tool"})
    tool = tool.assign(doc_id=tool["doc_id"].astype(str), tool=tool["tool"].astype(bool))
    rows = []
    for code, frame in FRAMES.items():
        block = cf[cf["frame"] == frame]
        per_doc = block.groupby("doc_id")["present"].agg(["sum", "count"])
        k, m = per_doc["sum"].to_numpy(), per_doc["count"].to_numpy()
        # over the m(m-1)/2 pairs of an article: both present k(k-1)/2 times; each coder is in m-1 pairs
        pairs, tp, pos = (m * (m - 1) // 2).sum(), (k * (k - 1) // 2).sum(), ((m - 1) * k).sum()
        with_tool = block.merge(tool[tool["frame"] == frame], on=["doc_id", "frame"], how="inner")
        t, c = with_tool["tool"].to_numpy(), with_tool["present"].to_numpy(dtype=bool)
        t_tp, t_pos = int((t & c).sum()), int(t.sum() + c.sum())
        cc = 2 * tp / pos if pos else float("nan")
        tc = 2 * t_tp / t_pos if t_pos else float("nan")
        rows.append({"frame": frame, "code": code, "coder_pairs": int(pairs), "coder_coder_f1": cc,
                     "tool_pairs": len(with_tool), "tool_coder_f1": tc, "gap": cc - tc})  # fmt: skip
    return pd.DataFrame(rows)


def score_alpha_summary(alpha: pd.DataFrame) -> pd.DataFrame:
    """One row per item: coder_coder alpha, mean/min/max tool-coder alpha over coders, gap (coder-coder - mean)."""
    cc = alpha[alpha["comparison"] == "coder-coder"].set_index(["level", "item"])["alpha"]
    tc = alpha[alpha["comparison"] == "tool-coder"].groupby(["level", "item"], sort=False)["alpha"]
    out = pd.DataFrame(
        {"coder_coder": cc, "tool_coder_mean": tc.mean(), "tool_coder_min": tc.min(), "tool_coder_max": tc.max()}
    )
    out["gap"] = out["coder_coder"] - out["tool_coder_mean"]
    out["within_0_15"] = out["gap"] <= 0.15
    return out.reset_index()


__all__ = [
    "NAME",
    "TITLE",
    "TOPIC",
    "SPLIT",
    "FRAMES",
    "QUESTIONS",
    "FRAME_RULE",
    "NarrativeFrames",
    "load_narrative_frames",
    "find_coder_frames",
    "find_tool_answers",
    "score_questions",
    "score_frame_presence",
    "score_alpha",
    "score_alpha_summary",
    "score_coder_f1",
]
