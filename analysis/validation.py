"""Validation against human coding: stratified samples, coding sheets, Krippendorff's alpha, precision/recall/F1.

Workflow (docs/framing.md):

1. ``python -m analysis codesheet`` (or :func:`analysis.codesheets.find_sample` + ``save_codesheet``) writes a
   CSV with one row per sampled article and one blank column per question (the frame indicator questions and the
   label questions).
2. Two or more coders fill in copies of the sheet independently (1 = yes, 0 = no).
3. ``python -m analysis validate sheet_a.csv sheet_b.csv`` (or ``codesheets.load_codesheets``,
   :func:`score_agreement`, :func:`score_against_human`) reports Krippendorff's alpha between coders and the precision, recall and F1 of each
   automated indicator, frame and label against the coders' majority code; the framing report shows these
   figures through :func:`load_validation_summary` and says plainly when the measures are unvalidated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.codesheets import (
    find_coding_questions,
    find_sample,
    level_of,
    load_codesheets,
    save_codesheet,
    with_frames,
)
from analysis.errors import InputError, ParameterError
from analysis.ingest import load_corpus
from analysis.tables import load_table, save_table

VALIDATION_SUBDIR = "validation"
AGREEMENT_FILE = "agreement.csv"
SCORES_FILE = "scores.csv"
# Krippendorff (2004): alpha >= .800 reliable; .667-.800 allows tentative conclusions.
ALPHA_RELIABLE, ALPHA_TENTATIVE = 0.800, 0.667


# ================================================================================================== agreement
def score_alpha(matrix: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of a coders x units matrix (NaN = not coded); NaN when no variation."""
    import krippendorff

    values = matrix[~np.isnan(matrix)]
    if np.unique(values).size < 2:
        return float("nan")  # no variation: alpha is undefined (Krippendorff 2004)
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def _reliability(alpha: float) -> str:
    if np.isnan(alpha):
        return "undefined (no variation)"
    if alpha >= ALPHA_RELIABLE:
        return "reliable (>= .800)"
    if alpha >= ALPHA_TENTATIVE:
        return "tentative (.667-.800)"
    return "unreliable (< .667)"


def _question_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if "." in c and c not in ("source_file",)]


def score_agreement(sheets: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's alpha (nominal) between coders for each question, and for each frame (derived).

    Columns: question, level, n_units (articles coded by at least two coders), n_coders, n_values, percent_agreement
    (share of coder pairs that agree, over pairable values), alpha, reliability (Krippendorff 2004: >= .800 reliable,
    .667-.800 tentative). Alpha is undefined (NaN) when every code is the same.
    """
    coders = sorted(sheets["coder"].unique())
    if len(coders) < 2:
        raise ParameterError(f"agreement needs sheets from at least two coders; found {coders or 'none'}")
    wide = with_frames(sheets)
    rows = []
    for q in _question_columns(wide):
        mat = (
            wide.pivot(index="coder", columns="doc_id", values=q)
            .reindex(coders)
            .astype("Float64")
            .to_numpy(dtype="float64", na_value=np.nan)
        )
        pairable = (~np.isnan(mat)).sum(axis=0) >= 2
        mat = mat[:, pairable]
        agree = pairs = 0
        for col in mat.T:
            vals = col[~np.isnan(col)]
            k = len(vals)
            pairs += k * (k - 1)
            agree += sum(int((vals == v).sum()) * (int((vals == v).sum()) - 1) for v in np.unique(vals))
        alpha = score_alpha(mat) if mat.shape[1] else float("nan")
        rows.append(
            {
                "question": q,
                "level": level_of(q),
                "n_units": int(mat.shape[1]),
                "n_coders": len(coders),
                "n_values": int((~np.isnan(mat)).sum()),
                "percent_agreement": agree / pairs if pairs else float("nan"),
                "alpha": alpha,
                "reliability": _reliability(alpha),
            }
        )
    return pd.DataFrame(rows).sort_values(["level", "question"], kind="stable").reset_index(drop=True)


def find_consensus(sheets: pd.DataFrame) -> pd.DataFrame:
    """One code per article and question: the majority of coders (ties and all-blank are NA). doc_id + questions."""
    qs = _question_columns(sheets)
    block = sheets[["doc_id"] + qs].copy()
    out = {}
    grouped = block.groupby("doc_id", sort=True)
    yes = grouped[qs].agg(lambda s: int((s == 1).sum()))
    no = grouped[qs].agg(lambda s: int((s == 0).sum()))
    for q in qs:
        val = np.where(yes[q] > no[q], 1, np.where(no[q] > yes[q], 0, -1))
        out[q] = pd.array(np.where(val < 0, None, val), dtype="Int64")
    return pd.DataFrame({"doc_id": yes.index.to_numpy(), **out})


# ================================================================================================== automated answers
def find_automated_answers(source, doc_ids=None, *, frames_codebook=None, lexicon=None) -> pd.DataFrame:
    """The automated measures coded like a sheet: doc_id and one 0/1 column per question.

    ``source`` is an `analyze` output directory (reads frame_indicators.parquet, labels.parquet and, when present,
    attributions.parquet) or a corpus DataFrame (measured now with analysis.frames). ``doc_ids`` restricts the rows
    (e.g. to a coded sample).
    """
    from analysis import frames as fr

    questions = find_coding_questions(frames_codebook, lexicon=lexicon)
    attributions = None
    if isinstance(source, pd.DataFrame):
        docs = source if doc_ids is None else source[source["doc_id"].astype(str).isin(set(map(str, doc_ids)))]
        _, indicators, _ = fr.score_frames(docs, codebook=frames_codebook)
        labels = fr.find_labels(docs, lexicon=lexicon)
        attributions = fr.find_attributions(docs)
        all_ids = docs["doc_id"].astype(str)
    else:
        out_dir = Path(source)
        needed = [out_dir / "frame_indicators.parquet", out_dir / "labels.parquet"]
        missing = [p.name for p in needed if not p.is_file()]
        if missing:
            raise InputError(
                f"{out_dir}: no {', '.join(missing)}; run `python -m analysis analyze` first (with the "
                f"frames stage) or pass the corpus"
            )
        indicators = load_table(needed[0])
        labels = load_table(needed[1])
        if (out_dir / "attributions.parquet").is_file():
            attributions = load_table(out_dir / "attributions.parquet")
        all_ids = indicators["doc_id"].astype(str).drop_duplicates()
    ids = pd.Index(sorted(set(all_ids) if doc_ids is None else set(map(str, doc_ids))), name="doc_id")
    out = pd.DataFrame(index=ids)
    ind = indicators.assign(
        doc_id=indicators["doc_id"].astype(str), question=indicators["frame"] + "." + indicators["indicator"]
    )
    fired = ind.pivot_table(index="doc_id", columns="question", values="fired", aggfunc="max")
    lab = labels.assign(
        doc_id=labels["doc_id"].astype(str), question="label." + labels["label"] + "." + labels["voice"]
    )
    lab_counts = lab.groupby(["doc_id", "question"]).size().unstack(fill_value=0) if len(lab) else pd.DataFrame()
    src_counts = pd.DataFrame()
    if attributions is not None and len(attributions):
        src = attributions.assign(
            doc_id=attributions["doc_id"].astype(str), question="source." + attributions["source_type"].astype(str)
        )
        src_counts = src.groupby(["doc_id", "question"]).size().unstack(fill_value=0)
    known_docs = set(ind["doc_id"])
    for q in questions["question"]:
        if q.startswith("source.") and attributions is None:
            continue  # no attribution table: these questions cannot be answered automatically
        if q.startswith(("label.", "source.")):
            counts = lab_counts if q.startswith("label.") else src_counts
            col = counts[q] if q in counts.columns else pd.Series(dtype="float64")
            vals = (col.reindex(ids).fillna(0) > 0).astype(int)
        else:
            col = fired[q] if q in fired.columns else pd.Series(dtype="float64")
            vals = col.reindex(ids).astype("float64").fillna(0).astype(int)
        # articles the automated run never saw stay NA rather than counting as "no"
        out[q] = pd.array(np.where(ids.isin(known_docs), vals.to_numpy(), -1), dtype="Int64")
        out.loc[~ids.isin(known_docs), q] = pd.NA
    return out.reset_index()


# ================================================================================================== P/R/F1
def score_confusion(automated, human) -> dict:
    """Confusion counts and precision, recall, F1 of 0/1 codes ``automated`` against ``human`` (same length).

    Returns support (human yes), predicted (automated yes), tp, fp, fn, tn, precision, recall, f1; precision
    and recall are NaN when undefined (no predicted yes / no human yes), F1 is 0 when both are defined and tp = 0.
    """
    a, h = np.asarray(automated, dtype=int), np.asarray(human, dtype=int)
    if a.shape != h.shape:
        raise ParameterError(f"automated and human codes differ in length ({a.size} vs {h.size})")
    tp = int(((a == 1) & (h == 1)).sum())
    fp = int(((a == 1) & (h == 0)).sum())
    fn = int(((a == 0) & (h == 1)).sum())
    tn = int(((a == 0) & (h == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = (
        2 * precision * recall / (precision + recall)
        if tp and not np.isnan(precision) and not np.isnan(recall)
        else (0.0 if tp + fp and tp + fn else float("nan"))
    )
    return {
        "support": tp + fn,
        "predicted": tp + fp,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def score_against_human(automated: pd.DataFrame, human: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 of each automated question against human codes (and of each derived frame).

    ``automated`` and ``human`` are wide tables (doc_id + question columns of 0/1), e.g. from
    :func:`find_automated_answers` and :func:`find_consensus`; only articles and questions present (non-NA) in both
    count.
    Columns: question, level, n, support (human yes), predicted (automated yes), tp, fp, fn, tn, precision,
    recall, f1 (NaN when undefined: no predicted yes / no human yes).
    """
    if "coder" in human.columns or human["doc_id"].duplicated().any():
        raise ParameterError(
            "score_against_human needs one code per article: pass find_consensus(sheets) or one coder's rows"
        )
    shared = [q for q in _question_columns(human) if q in automated.columns and not q.startswith("frame.")]
    if not shared:
        raise ParameterError("the automated and human tables share no question column")
    # frames are derived from the indicator questions both sides answered, so the two sides are comparable
    auto = with_frames(automated[["doc_id"] + shared].assign(doc_id=automated["doc_id"].astype(str)))
    hum = with_frames(human[["doc_id"] + shared].assign(doc_id=human["doc_id"].astype(str)))
    auto, hum = auto.set_index("doc_id"), hum.set_index("doc_id")
    common = _question_columns(hum.reset_index())
    ids = auto.index.intersection(hum.index)
    rows = []
    for q in common:
        a = auto.loc[ids, q].astype("Float64")
        h = hum.loc[ids, q].astype("Float64")
        ok = a.notna() & h.notna()
        a, h = a[ok].astype(int).to_numpy(), h[ok].astype(int).to_numpy()
        rows.append({"question": q, "level": level_of(q), "n": int(ok.sum()), **score_confusion(a, h)})
    return pd.DataFrame(rows).sort_values(["level", "question"], kind="stable").reset_index(drop=True)


# ================================================================================================== report helper
PRESENCE_RULES = ("dictionary", "model")


def load_external_validation(presence: str = "dictionary") -> dict:
    """The external validation of the generic frames stored with the presence rules (``frame_presence.json``).

    Returns ``table`` (frame, method, cv_f1_mean, cv_f1_sd, precision, recall, alpha_coder_coder,
    alpha_tool_coder, all_present_f1, f1_gain_over_all_present, tool_coder_f1, coder_coder_f1: 5-fold
    cross-validated figures on the gold set's development part; all_present_f1 and the gain compare with marking
    every article present, the last two with single coders (the human reference)), ``statement`` (naming the frames
    whose rule does not beat that baseline) and the gold set's ``provenance``. ``presence`` names the rule the report shows (dictionary or model).
    """
    from analysis.frames import presence as frame_presence

    if presence not in PRESENCE_RULES:
        raise ParameterError(f"presence must be one of {', '.join(PRESENCE_RULES)}, not {presence!r}")
    rules = frame_presence.load_presence_model()
    prov = rules["provenance"]
    rows = []
    for frame, spec in sorted(rules["frames"].items()):
        for method in PRESENCE_RULES:
            cv = spec["cv"][method]
            rows.append(
                {
                    "frame": frame,
                    "method": method,
                    "cv_f1_mean": cv["f1_mean"],
                    "cv_f1_sd": cv["f1_sd"],
                    "precision": cv["precision_mean"],
                    "recall": cv["recall_mean"],
                    "alpha_coder_coder": cv["alpha_coder_coder"],
                    "alpha_tool_coder": cv["alpha_tool_coder_mean"],
                    # the trivial baseline in the same folds (rules 2026.12.3 on; NaN for older files)
                    "all_present_f1": spec["cv"].get("all_present", {}).get("f1_mean", float("nan")),
                    "f1_gain_over_all_present": cv.get("f1_gain_over_all_present", float("nan")),
                    # the human reference (rules 2026.12.4 on): against single coders, and coder against coder
                    "tool_coder_f1": cv.get("f1_tool_coder", float("nan")),
                    "coder_coder_f1": cv.get("f1_coder_coder", float("nan")),
                }
            )
    table = pd.DataFrame(rows)
    shown = table[table["method"] == presence]
    macro = rules["cv_macro_f1"][presence]
    close = shown[(shown["alpha_coder_coder"] - shown["alpha_tool_coder"]) <= 0.15]["frame"].tolist()
    no_gain = shown[shown["f1_gain_over_all_present"] <= 0]
    baseline = ""
    if len(no_gain):
        names = list(no_gain["frame"])
        figures = "; ".join(
            f"{f} {m:.2f} vs {b:.2f}, alpha {a:.2f}"
            for f, m, b, a in zip(names, no_gain["cv_f1_mean"], no_gain["all_present_f1"], no_gain["alpha_tool_coder"])
        )
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        baseline = (
            f" For {joined} the rule's F1 is no higher than marking every article present ({figures} with the "
            "coders): F1 does not show that the rule finds the frame there, so do not cite its prevalence as "
            "validated."
        )
    human = rules.get("human_reference_macro_f1")
    reference = (
        f" Scored against single coders instead of their aggregate, its macro F1 is {human[presence + '_coder']:.2f}, "
        f"where one trained coder scores {human['coder_coder']:.2f} against another: the human reference."
        if human
        else ""
    )
    lo, hi = (1000 * x for x in rules["length_range_kchars"])
    statement = (
        f"External validation of the five generic frames: {prov['gold_set']} ({prov['topic']}; "
        f"{prov['n_articles']} human-coded articles, the development part; each article coded by 2-4 trained "
        f"coders). This report shows {presence} presence. Its 5-fold cross-validated F1 against the coders' "
        f"aggregated labels: macro {macro['mean']:.2f} (sd {macro['sd']:.2f} over folds); "
        + ", ".join(f"{f} {m:.2f}" for f, m in zip(shown["frame"], shown["cv_f1_mean"]))
        + "."
        + reference
        + baseline
        + f" Krippendorff's alpha of the tool with each coder is within 0.15 of the coders' alpha with each "
        f"other for {len(close)} of 5 frames ({', '.join(close) or 'none'}); the coders themselves reach only "
        f"{shown['alpha_coder_coder'].min():.2f}-{shown['alpha_coder_coder'].max():.2f}. These figures are "
        "cross-validated (the stored rules were fitted on the same articles; in-sample figures are higher) and "
        "come from another topic: the generic frames are topic-independent by design, but the rules were "
        f"calibrated on articles of {lo:,.0f}-{hi:,.0f} characters (shorter or longer articles count as the nearest "
        "calibrated length). The conflict-specific frames, labels and attributions have no public "
        "human coding and remain unvalidated (docs/framing.md says how they were checked)."
    )
    return {"table": table, "statement": statement, "provenance": prov, "presence": presence}


def load_validation_summary(dir_or_none=None, *, presence: str = "dictionary") -> dict:
    """The validation figures for reports: the user's own coding first, else the external gold-set figures.

    ``dir_or_none`` is an `analyze` output directory (the `validate` command writes ``validation/agreement.csv`` and
    ``validation/scores.csv`` there) or the validation folder itself. Returns a dict with ``status``
    ("validated" | "unvalidated"), ``statement`` (one paragraph for the report), ``agreement`` and ``scores``
    (DataFrames or None) and ``external`` (:func:`load_external_validation` for the presence rule the report
    shows; None when the user's own coding sheets were found).
    """
    folder = None
    if dir_or_none is not None:
        d = Path(dir_or_none)
        folder = d if (d / SCORES_FILE).is_file() else d / VALIDATION_SUBDIR
    if folder is None or not (folder / SCORES_FILE).is_file():
        where = ""
        if folder is not None:
            # relative to the project root (else the analysis folder's own name), so that a report neither leaks
            # a machine path nor differs between machines
            shown = Path(folder).resolve()
            try:
                shown = shown.relative_to(config.ROOT)
            except ValueError:
                shown = Path(*shown.parts[-2:])
            where = f" in {shown.as_posix()}"
        return {
            "status": "unvalidated",
            "agreement": None,
            "scores": None,
            "external": load_external_validation(presence),
            "statement": (
                f"NOT VALIDATED ON THIS CORPUS: no human-coded validation sheet was found{where}. The frame, label "
                "and attribution measures are transparent dictionary rules that have not been checked against human "
                "coding of this corpus; treat the figures as indicative (Grimmer & Stewart 2013: validate, validate, "
                "validate). To validate, run `python -m analysis codesheet`, have two coders fill in the sheet, "
                "then `python -m analysis validate SHEETS...`. The external figures below are the best evidence "
                "available until then."
            ),
        }
    scores = pd.read_csv(folder / SCORES_FILE)
    agreement = pd.read_csv(folder / AGREEMENT_FILE) if (folder / AGREEMENT_FILE).is_file() else None
    frames_only = scores[scores["level"] == "frame"]
    parts = [f"Validated against human coding ({int(scores['n'].max()) if len(scores) else 0} articles)."]
    if len(frames_only):
        parts.append(
            "Frame-level F1: "
            + ", ".join(
                f"{q.split('.', 1)[1]} {f:.2f}" if pd.notna(f) else f"{q.split('.', 1)[1]} n/a"
                for q, f in zip(frames_only["question"], frames_only["f1"])
            )
            + "."
        )
    if agreement is not None and len(agreement):
        alpha = agreement["alpha"].dropna()
        if len(alpha):
            parts.append(
                f"Coder agreement: median Krippendorff's alpha {alpha.median():.2f} over {len(alpha)} "
                f"questions; {int((alpha >= ALPHA_RELIABLE).sum())} reach .800 (reliable) and "
                f"{int((alpha < ALPHA_TENTATIVE).sum())} fall below .667."
            )
    else:
        parts.append("Only one coder: agreement between coders is unknown (Song et al. 2020 advise reporting it).")
    return {
        "status": "validated",
        "agreement": agreement,
        "scores": scores,
        "external": None,
        "statement": " ".join(parts),
    }


# ================================================================================================== CLI
def register_cli(sub) -> None:
    """Add the `codesheet` and `validate` commands."""
    p = sub.add_parser(
        "codesheet",
        help="draw a stratified sample and write a coding sheet (CSV) for human coders",
        description="Draw a stratified random sample of articles (by outlet and period) and write a "
        "CSV coding sheet with one blank column per frame indicator and label question.",
    )
    p.add_argument("corpus", nargs="?", default=str(config.CORPUS_FILE), help="corpus parquet (default: %(default)s)")
    p.add_argument(
        "--analysis-dir",
        default=None,
        help="`analyze` output; when given, only articles it analysed are sampled",
    )
    p.add_argument("-n", "--n", type=int, default=100, help="number of articles (default: %(default)s)")
    p.add_argument("--by", nargs="+", default=["outlet", "period"], help="strata columns (default: outlet period)")
    p.add_argument("--freq", default="Q", help="period for the `period` stratum: D, W, M, Q, Y (default: Q)")
    p.add_argument("--seed", type=int, default=20170710, help="random seed (default: %(default)s)")
    p.add_argument("--include-duplicates", action="store_true", help="also sample near-duplicate articles")
    p.add_argument(
        "--labels",
        nargs="+",
        default=None,
        metavar="LABEL",
        help="label ids to ask about (default: every label of the lexicon), e.g. terrorist militant",
    )
    p.add_argument("--no-sources", action="store_true", help="leave out the source-type questions")
    p.add_argument(
        "--out",
        default=str(config.CODESHEETS_DIR / "codesheet.csv"),
        help="CSV path (default: %(default)s; data/external holds hand-made input, never cleaned)",
    )
    p.set_defaults(func=_run_codesheet)

    v = sub.add_parser(
        "validate",
        help="agreement between coders and precision/recall/F1 of the automated measures",
        description="Read completed coding sheets; report Krippendorff's alpha between coders and "
        "precision, recall and F1 of each automated indicator, frame, label and source type.",
    )
    v.add_argument(
        "sheets",
        nargs="*",
        help="completed coding sheets (CSV), one or more per coder; with --gold: the gold set's folder (optional)",
    )
    v.add_argument(
        "--gold",
        default=None,
        metavar="NAME",
        help="score the frame measures against a public gold set instead (narrative-frames), e.g. "
        "`validate --gold narrative-frames ../shared/corpora/narrative-frames`",
    )
    v.add_argument(
        "--analysis-dir",
        default=str(config.ANALYSIS_DIR),
        help="`analyze` output with frame_indicators/labels tables (default: %(default)s)",
    )
    v.add_argument(
        "--out", default=None, help="folder for agreement.csv and scores.csv (default: <analysis dir>/validation)"
    )
    v.set_defaults(func=_run_validate)


def _run_codesheet(args) -> int:
    corpus = load_corpus(args.corpus)
    out_dir = Path(args.analysis_dir) if args.analysis_dir else config.ANALYSIS_DIR
    if args.analysis_dir:
        docs_file = out_dir / "documents.parquet"
        if not docs_file.is_file():
            raise InputError(
                f"{out_dir}: no documents.parquet; run `python -m analysis analyze` first or leave out --analysis-dir"
            )
        analysed = set(load_table(docs_file, columns=["doc_id"])["doc_id"].astype(str))
        corpus = corpus[corpus["doc_id"].astype(str).isin(analysed)]
    sample = find_sample(
        corpus, args.n, by=args.by, freq=args.freq, seed=args.seed, include_duplicates=args.include_duplicates
    )
    path = Path(args.out)
    save_codesheet(sample, None, path, labels=args.labels, sources=not args.no_sources)
    print(
        f"wrote {path}: {len(sample)} articles in {sample['stratum'].nunique()} strata, "
        f"{len(find_coding_questions(labels=args.labels, sources=not args.no_sources))} questions"
    )
    return 0


def _run_validate(args) -> int:
    if args.gold:
        from analysis.gold import validate as gold_validate  # the gold readers import this module

        if len(args.sheets) > 1:
            raise ParameterError(f"--gold takes one folder, got {len(args.sheets)} paths")
        args.gold_path = args.sheets[0] if args.sheets else None
        return gold_validate.run_gold_validation(args)
    if not args.sheets:
        raise ParameterError("pass the completed coding sheets (CSV), or --gold NAME [FOLDER] for a public gold set")
    sheets = load_codesheets(args.sheets)
    auto = find_automated_answers(Path(args.analysis_dir), sheets["doc_id"].unique())
    out = Path(args.out) if args.out else Path(args.analysis_dir) / VALIDATION_SUBDIR
    coders = sheets["coder"].nunique()
    with pd.option_context("display.width", 160, "display.max_rows", 200, "display.precision", 3):
        if coders >= 2:
            agreement = score_agreement(sheets)
            save_table(agreement, out / AGREEMENT_FILE)
            print(f"Agreement between {coders} coders (Krippendorff's alpha, nominal):")
            print(agreement.to_string(index=False))
        else:
            (out / AGREEMENT_FILE).unlink(missing_ok=True)  # never leave figures from an earlier run behind
            print("One coder only: no agreement figures (code the sheet twice, independently, to get them).")
        scores = score_against_human(auto, find_consensus(sheets))
        save_table(scores, out / SCORES_FILE)
        print("\nAutomated measures against the coders' majority code:")
        print(scores.to_string(index=False))
    print(f"\nwrote {out / SCORES_FILE}" + (f" and {out / AGREEMENT_FILE}" if coders >= 2 else ""))
    return 0


__all__ = [
    "score_agreement",
    "find_consensus",
    "find_automated_answers",
    "score_against_human",
    "load_validation_summary",
    "score_confusion",
    "score_alpha",
    "load_external_validation",
    "register_cli",
]
