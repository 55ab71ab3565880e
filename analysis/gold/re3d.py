"""re3d (Syria/Iraq conflict documents, dstl): read the entity gold and score found mentions against it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import InputError, ParameterError
from analysis.gold._score import content_words, match_one_to_one, prf, spans_overlap

TYPES = ("Organisation", "Person", "Location", "Nationality")
GOLD_COLUMNS = ["doc_id", "folder", "type", "start", "end", "value"]
FOUND_COLUMNS = ["doc_id", "start", "end", "type"]  # type: one of TYPES, or None when the mention is untyped
MAX_START_DISTANCE = 40  # the rule: a mention starts within 40 characters of the gold span


def default_root() -> Path:
    """The re3d folder in ../shared/corpora."""
    return config.SHARED_CORPORA / "re3d"


def find_folders(root: str | Path | None = None) -> list[str]:
    """The source folders present (each one publisher: "BBC Online", "CENTCOM", ...), sorted."""
    base = Path(root) if root is not None else default_root()
    if not base.is_dir():
        raise InputError(f"{base} not found: is ../shared/corpora/re3d present?")
    return sorted(p.name for p in base.iterdir() if (p / "documents.json").exists())


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not a JSON object ({exc.msg})") from None
    return rows


def load_re3d(folders: list[str] | None = None, *, root: str | Path | None = None, types=TYPES) -> tuple:
    """re3d documents and entity spans as ``(docs, gold)``.

    ``folders``: which source folders (default: every folder present). docs: doc_id, folder, title, text;
    gold: GOLD_COLUMNS for the entity ``types`` (default the four actor/place types), exact duplicates removed.
    """
    base = Path(root) if root is not None else default_root()
    present = find_folders(base)
    folders = present if folders is None else list(folders)
    unknown = sorted(set(folders) - set(present))
    if unknown:
        raise ParameterError(f"re3d folder(s) {unknown} not found in {base}; present: {present}")
    docs, gold = [], []
    for folder in folders:
        for d in _read_jsonl(base / folder / "documents.json"):
            docs.append({"doc_id": d["_id"], "folder": folder, "title": d.get("title"), "text": d["text"]})
        for e in _read_jsonl(base / folder / "entities.json"):
            if e["type"] in types:
                gold.append([e["documentId"], folder, e["type"], int(e["begin"]), int(e["end"]), e["value"]])
    docs_df = pd.DataFrame(docs, columns=["doc_id", "folder", "title", "text"])
    gold_df = pd.DataFrame(gold, columns=GOLD_COLUMNS).drop_duplicates(["doc_id", "type", "start", "end"])
    gold_df = gold_df.sort_values(["doc_id", "start", "end", "type"], kind="stable").reset_index(drop=True)
    return docs_df, gold_df


def _matches(rule: str, f, g, f_words, g_words) -> bool:
    if rule == "lenient":
        return abs(f.start - g.start) <= MAX_START_DISTANCE and bool(f_words & g_words)
    return spans_overlap(f.start, f.end, g.start, g.end)


def score_mentions(
    found: pd.DataFrame, gold: pd.DataFrame, docs: pd.DataFrame, *, rule: str = "lenient", typed: bool = False
) -> pd.DataFrame:
    """Precision, recall and F1 of found mentions, overall and per gold type (one row each).

    ``found`` has FOUND_COLUMNS; ``docs`` gives the text (for the words of each span). Matching is one-to-one,
    nearest start first. ``rule``: "lenient" (the issue's: the mention shares a word with a gold span and starts
    within 40 characters of it) or "overlap" (the spans share a character). ``typed=True`` also requires the
    found type to equal the gold type; untyped mentions (type None) then count as wrong. Per-type rows: recall over
    that type's gold spans; precision over the found mentions of that type (typed) or over those matched to, or
    left unmatched and typed as, that type.
    """
    if rule not in ("lenient", "overlap"):
        raise ParameterError(f"rule {rule!r} must be 'lenient' or 'overlap'")
    text = dict(zip(docs["doc_id"], docs["text"]))
    matched_f: dict[int, str] = {}  # found row position -> gold type it matched
    matched_g: set[int] = set()
    found = found.reset_index(drop=True)
    gold = gold.reset_index(drop=True)
    f_by_doc = {d: t for d, t in found.groupby("doc_id", sort=False)}
    for doc_id, gd in gold.groupby("doc_id", sort=False):
        fd = f_by_doc.get(doc_id)
        if fd is None:
            continue
        t = text.get(doc_id, "")
        f_words = {i: content_words(t[r.start : r.end]) for i, r in zip(fd.index, fd.itertuples(index=False))}
        g_words = {j: content_words(t[r.start : r.end]) for j, r in zip(gd.index, gd.itertuples(index=False))}
        pairs = []
        for i, f in zip(fd.index, fd.itertuples(index=False)):
            for j, g in zip(gd.index, gd.itertuples(index=False)):
                if abs(f.start - g.start) > max(MAX_START_DISTANCE, g.end - g.start, f.end - f.start):
                    continue
                if typed and f.type != g.type:
                    continue
                if _matches(rule, f, g, f_words[i], g_words[j]):
                    pairs.append((abs(f.start - g.start), i, j))
        for i, j in match_one_to_one(pairs):
            matched_f[i] = gold.at[j, "type"]
            matched_g.add(j)
    rows = [{"type": "all", **prf(len(found), len(gold), len(matched_f))}]
    for typ in sorted(set(gold["type"])):
        n_gold = int((gold["type"] == typ).sum())
        recalled = sum(1 for j in matched_g if gold.at[j, "type"] == typ)
        if typed:
            of_type = found.index[found["type"] == typ]
        else:  # a found mention "belongs" to the type it matched, or to its own type when unmatched
            of_type = [i for i in found.index if matched_f.get(i, found.at[i, "type"]) == typ]
        correct = sum(1 for i in of_type if i in matched_f)
        row = prf(len(of_type), n_gold, correct, recalled)
        rows.append({"type": typ, **row})
    return pd.DataFrame(rows)
