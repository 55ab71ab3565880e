"""Coding sheets for human coders: the questions, a stratified sample, writing the sheet and reading filled-in ones.

The sheet format (one row per sampled article, one 0/1 column per question, a first row holding the question texts)
is documented in docs/framing.md; :mod:`analysis.validation` scores the filled-in sheets.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError, ParameterError
from analysis.periods import to_period, validate_freq
from analysis.selection import select_documents
from analysis.tables import neutralise_formulas, save_table

QUESTION_ROW = "#question"  # doc_id of the sheet row that holds the question texts
META_COLUMNS = ["doc_id", "coder", "stratum", "outlet", "published", "title", "text"]
YES = {"1", "1.0", "yes", "y", "true", "t", "x"}
NO = {"0", "0.0", "no", "n", "false", "f"}
INSTRUCTIONS = (
    "INSTRUCTIONS: read the article (title and text). For every question column answer 1 (yes) or 0 (no); leave a "
    "cell blank only if you cannot decide. Write your name or initials in `coder` on every row. Code independently: "
    "do not discuss articles with other coders before all sheets are in. Label questions: 'own voice' = the word is "
    "the journalist's own; 'attributed' = inside quotation marks or in a reported-speech clause (X said ..., "
    "according to X). Source questions: code 1 if the article cites such a source at least once. Do not edit "
    "doc_id. Keep this row; it is ignored when sheets are read."
)


# ================================================================================================== questions
# Source-type questions (`source.<type>`): does the article cite such a source at least once?
SOURCE_QUESTIONS = {
    "government_military": "a government or military official or body (ministry, army, command, spokesman)",
    "armed_group": "an armed group (e.g. Islamic State, SDF, rebels) or its media (Amaq)",
    "monitor_ngo": "a monitor or NGO (e.g. the Syrian Observatory for Human Rights, Amnesty, activists)",
    "un_international": "the UN or another international organisation (UNHCR, IOM, Red Cross, ...)",
    "civilian_witness": "a civilian or witness (resident, displaced person, doctor, relative)",
    "journalist_agency": "a journalist, news agency or other media (AFP reporters, state TV, SANA)",
    "anonymous": "an anonymous source (a source, sources close to ..., an official who asked not to be named)",
}


def find_coding_questions(frames_codebook=None, *, lexicon=None, labels=None, sources: bool = True) -> pd.DataFrame:
    """The questions of a coding sheet: question (column name), level, frame, item, voice, text.

    One question per measurable indicator (``frame.indicator``); for each label (all labels of the conflict
    lexicon, or the ids in ``labels``) two questions ``label.<id>.own`` and ``label.<id>.attributed``; and with
    ``sources`` one question per source type (``source.<type>``: is such a source cited at least once?).
    Frame-level answers are derived (a frame is present when any of its indicators is coded yes).
    """
    from analysis import frames as fr

    cb = fr.load_codebook(frames_codebook)
    rows = [
        {"question": i.key, "level": "indicator", "frame": i.frame, "item": i.id, "voice": None, "text": i.question}
        for i in cb.indicators
        if i.measurable
    ]
    lex = fr.load_conflict_language(lexicon)
    ids = list(lex.labels["id"]) if labels is None else list(labels)
    unknown = sorted(set(ids) - set(lex.labels["id"]))
    if unknown:
        raise ParameterError(f"unknown label id(s) {unknown}; the lexicon has: {', '.join(lex.labels['id'])}")
    for lab in ids:
        rows.append(
            {
                "question": f"label.{lab}.own",
                "level": "label",
                "frame": None,
                "item": lab,
                "voice": "own",
                "text": f"Does the journalist call an armed group '{lab}' (or a form of it) in their OWN voice?",
            }
        )
        rows.append(
            {
                "question": f"label.{lab}.attributed",
                "level": "label",
                "frame": None,
                "item": lab,
                "voice": "attributed",
                "text": f"Is the label '{lab}' used in a quotation or in speech attributed to a source?",
            }
        )
    if sources:
        for stype, what in SOURCE_QUESTIONS.items():
            rows.append(
                {
                    "question": f"source.{stype}",
                    "level": "source",
                    "frame": None,
                    "item": stype,
                    "voice": None,
                    "text": f"Does the article cite or quote {what} (said, according to, told)?",
                }
            )
    return pd.DataFrame(rows, columns=["question", "level", "frame", "item", "voice", "text"])


def _frame_questions(columns) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in columns:
        if not c.startswith(("label.", "source.", "frame.")) and c.count(".") == 1:
            out.setdefault(c.split(".")[0], []).append(c)
    return out


def with_frames(wide: pd.DataFrame) -> pd.DataFrame:
    """Add derived ``frame.<id>`` columns: 1 when any indicator of the frame is 1, 0 when all are 0, else NA."""
    wide = wide.copy()
    for frame, cols in _frame_questions([c for c in wide.columns if "." in c]).items():
        block = wide[cols].astype("Float64")
        anyyes = (block == 1).any(axis=1)
        allno = (block == 0).all(axis=1)
        wide[f"frame.{frame}"] = pd.array(np.where(anyyes, 1, np.where(allno, 0, -1)), dtype="Int64")
        wide.loc[~anyyes & ~allno, f"frame.{frame}"] = pd.NA
    return wide


def level_of(question: str) -> str:
    if question.startswith("label."):
        return "label"
    if question.startswith("source."):
        return "source"
    if question.startswith("frame."):
        return "frame"
    return "indicator"


# ================================================================================================== sampling and sheets
def find_sample(
    corpus: pd.DataFrame,
    n: int,
    *,
    by=("outlet", "period"),
    freq: str = "Q",
    seed: int = 20170710,
    start=None,
    end=None,
    include_duplicates: bool = False,
) -> pd.DataFrame:
    """A stratified random sample of ``n`` articles, allocated to strata in proportion to their size.

    Strata are the combinations of ``by`` (corpus columns; "period" means the publication period at ``freq``).
    Every stratum gets at least one article when ``n`` allows it (then largest remainders); the same ``seed`` gives
    the same sample. Duplicates are left out by default. Returns doc_id, stratum, outlet, published, title, text
    (and the ``by`` columns), sorted by stratum and doc_id.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"sample size n={n!r} must be a positive integer")
    by = [by] if isinstance(by, str) else list(by or [])
    docs = select_documents(corpus, start=start, end=end, include_duplicates=include_duplicates)
    docs = docs[docs["text"].notna()].copy() if "text" in docs else docs.copy()
    if "period" in by:
        docs["period"] = to_period(docs["published"], validate_freq(freq)).dt.strftime("%Y-%m-%d").fillna("undated")
    missing = [c for c in by if c not in docs.columns]
    if missing:
        raise ParameterError(f"cannot stratify by {missing}: not corpus columns (available: {', '.join(docs.columns)})")
    strata = docs[by].astype(str).agg(" | ".join, axis=1) if by else pd.Series("all", index=docs.index)
    docs["stratum"] = strata
    sizes = docs.groupby("stratum").size().sort_index()
    n = min(int(n), len(docs))
    alloc = _allocate(sizes, n)
    rng = np.random.default_rng(seed)
    picked = []
    for stratum, k in alloc.items():
        if k:
            ids = np.sort(docs.loc[docs["stratum"] == stratum, "doc_id"].astype(str).to_numpy())
            picked.extend(rng.choice(ids, size=int(k), replace=False).tolist())
    sample = docs[docs["doc_id"].astype(str).isin(picked)]
    cols = ["doc_id", "stratum"] + [
        c
        for c in ["outlet", "published", "title", "text"] + by
        if c in sample.columns and c not in ("doc_id", "stratum")
    ]
    return sample[list(dict.fromkeys(cols))].sort_values(["stratum", "doc_id"]).reset_index(drop=True)


def _allocate(sizes: pd.Series, n: int) -> pd.Series:
    """Proportional allocation with at least one per stratum (when n >= strata) and largest remainders."""
    total = sizes.sum()
    if n >= len(sizes):
        base = pd.Series(1, index=sizes.index)
        rest = n - len(sizes)
        share = (sizes - 1) / max(total - len(sizes), 1) * rest
    else:
        base = pd.Series(0, index=sizes.index)
        rest = n
        share = sizes / total * rest
    floor = np.floor(share).astype(int)
    alloc = base + floor
    left = n - int(alloc.sum())
    order = (share - floor).sort_values(ascending=False, kind="stable").index
    for stratum in order:
        if left <= 0:
            break
        if alloc[stratum] < sizes[stratum]:
            alloc[stratum] += 1
            left -= 1
    return alloc.clip(upper=sizes)


def save_codesheet(
    sample: pd.DataFrame,
    frames_codebook=None,
    path: str | os.PathLike | None = None,
    *,
    lexicon=None,
    labels=None,
    sources: bool = True,
) -> Path:
    """Write a coding sheet (CSV): one row per sampled article, one blank column per question.

    Text cells starting with ``= + - @``, a tab or a carriage return get a leading ``'``: taken from scraped data,
    they would otherwise run as formulas in the coder's spreadsheet (OWASP's advice on CSV injection).

    The first row (doc_id ``#question``) holds the question texts and the instructions, so that a coder sees
    each question under its column in a spreadsheet; :func:`load_codesheets` skips it.
    """
    if path is None:
        raise ParameterError("save_codesheet needs a path for the CSV file")
    questions = find_coding_questions(frames_codebook, lexicon=lexicon, labels=labels, sources=sources)
    sheet = pd.DataFrame({c: sample[c] if c in sample.columns else "" for c in META_COLUMNS})
    sheet["coder"] = ""
    if "published" in sample.columns:
        sheet["published"] = pd.to_datetime(sample["published"]).dt.strftime("%Y-%m-%d").fillna("")
    for q in questions["question"]:
        sheet[q] = ""
    sheet["notes"] = ""
    header = {c: "" for c in sheet.columns}
    header.update({"doc_id": QUESTION_ROW, "text": INSTRUCTIONS})
    header.update(dict(zip(questions["question"], questions["text"])))
    sheet = pd.concat([pd.DataFrame([header]), sheet.astype(object)], ignore_index=True)
    # titles and text come from scraped data: a cell such as =HYPERLINK(...) must not run in the coder's spreadsheet
    sheet = neutralise_formulas(sheet)
    return save_table(sheet, Path(path) if str(path).endswith(".csv") else Path(f"{path}.csv"))


def _parse_value(value, where: str):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return pd.NA
    text = str(value).strip().lower()
    if text == "":
        return pd.NA
    if text in YES:
        return 1
    if text in NO:
        return 0
    raise InputError(f"{where}: value {value!r} is not a code; write 1 (yes) or 0 (no), or leave the cell blank")


def load_codesheets(paths, *, frames_codebook=None, lexicon=None) -> pd.DataFrame:
    """Read completed coding sheets into one wide table: coder, doc_id, source_file and one column per question.

    Values are 1/0 (also yes/no, y/n, true/false, x for yes); blank cells are missing (Int64 NA). A value that is
    not a code, a missing doc_id column, or the same coder coding one article twice is an error naming the file,
    row (as a spreadsheet shows it) and column. A blank ``coder`` takes the file name.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    known = set(find_coding_questions(frames_codebook, lexicon=lexicon)["question"])
    frames_out = []
    for path in map(Path, paths):
        if not path.is_file():
            raise InputError(f"coding sheet {path} does not exist")
        if path.suffix.lower() in (".xlsx", ".xls", ".ods", ".numbers"):
            raise InputError(f"{path}: a spreadsheet file; save it as CSV (UTF-8) from your spreadsheet program")
        try:
            with open(path, encoding="utf-8-sig") as fh:
                header = fh.readline()
            # spreadsheets in many European locales save "CSV" with semicolons
            sep = ";" if header.count(";") > header.count(",") else ","
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep)
        except pd.errors.EmptyDataError:
            raise InputError(
                f"{path}: the coding sheet is empty; use a sheet written by `python -m analysis codesheet`"
            ) from None
        except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
            raise InputError(
                f"{path}: not a readable CSV ({str(exc).splitlines()[0]}); save the sheet as UTF-8 CSV"
            ) from exc
        if "doc_id" not in raw.columns:
            raise InputError(f"{path}: no `doc_id` column; use a sheet written by `python -m analysis codesheet`")
        qcols = [c for c in raw.columns if c in known]
        if not qcols:
            raise InputError(
                f"{path}: none of the question columns (e.g. conflict.reproach) is present; "
                f"use a sheet written by `python -m analysis codesheet`"
            )
        out = {"coder": [], "doc_id": [], "row": []}
        values = {q: [] for q in qcols}
        for i, rec in enumerate(raw.to_dict("records")):
            row_no = i + 2  # spreadsheet row: the header is row 1
            doc_id = str(rec["doc_id"]).strip()
            if doc_id == QUESTION_ROW or (not doc_id and not any(str(rec[q]).strip() for q in qcols)):
                continue
            if not doc_id:
                raise InputError(f"{path}: row {row_no} has codes but no doc_id; restore the doc_id of that article")
            coder = str(rec.get("coder", "")).strip() or path.stem
            out["coder"].append(coder)
            out["doc_id"].append(doc_id)
            out["row"].append(row_no)
            for q in qcols:
                values[q].append(_parse_value(rec[q], f"{path}: row {row_no}, column {q!r}"))
        df = pd.DataFrame(out)
        for q in qcols:
            df[q] = pd.array(values[q], dtype="Int64")
        df["source_file"] = str(path)
        frames_out.append(df)
    sheets = pd.concat(frames_out, ignore_index=True)
    if sheets.empty:
        raise InputError(
            f"{', '.join(map(str, paths))}: no article has been coded yet (every row is blank): code some articles first"
        )
    dup = sheets.duplicated(["coder", "doc_id"], keep=False)
    if dup.any():
        first = sheets[dup].iloc[0]
        raise InputError(
            f"{first['source_file']}: row {first['row']}: coder {first['coder']!r} coded article "
            f"{first['doc_id']!r} more than once; keep one row per coder and article"
        )
    qs = [c for c in sheets.columns if c in known]
    return (
        sheets[["coder", "doc_id", "source_file", "row"] + qs].sort_values(["coder", "doc_id"]).reset_index(drop=True)
    )
