"""PolNeAR (political news attribution relations): read the BRAT gold and score found attributions against it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import InputError, ParameterError
from analysis.gold._score import content_words, match_one_to_one, prf, spans_overlap

PARTS = ("train", "dev")  # the test part is kept aside upstream of this project and is never read here
GOLD_COLUMNS = [
    "doc_id",
    "coder",
    "attribution",
    "source_text",
    "source_start",
    "source_end",
    "cue_text",
    "cue_start",
    "cue_end",
    "content_text",
    "content_start",
    "content_end",
    "content_spans",
]
FOUND_COLUMNS = ["doc_id", "speaker", "speaker_start", "speaker_end", "verb", "cue_start", "cue_end"]


def default_root() -> Path:
    """The PolNeAR folder in ../shared/corpora."""
    return config.SHARED_CORPORA / "polnear"


_ID_LINE = re.compile(r"^[TERAMN#*]\d*\t")


def _check_part(part: str) -> None:
    if part not in PARTS:
        raise ParameterError(
            f"PolNeAR part {part!r} is not available: use one of {', '.join(PARTS)} (test is held out)"
        )


def _parse_spans(field: str, where: str) -> list[tuple[int, int]]:
    """BRAT offsets "12 30" or discontinuous "12 30;35 40" as [(start, end), ...]."""
    spans = []
    for piece in field.split(";"):
        try:
            s, e = piece.split()
            spans.append((int(s), int(e)))
        except ValueError:
            raise InputError(f"{where}: cannot read BRAT offsets {field!r}") from None
    return spans


def parse_brat(text: str, *, where: str = "<ann>") -> list[dict]:
    """The attribution relations of one BRAT .ann file: one dict per `E` line with its Source, Cue and Content.

    Each role is ``(spans, text)`` or None when the relation lacks it (``Attribution-no-source``).
    """
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    events = []
    for n, line in enumerate(text.splitlines(), 1):
        if not _ID_LINE.match(line):
            continue  # blank, or the continuation of a span text that contains a line break
        parts = line.split("\t")
        if line.startswith("T"):
            if len(parts) < 2:
                raise InputError(f"{where}:{n}: a T line needs an id, a label with offsets and a text")
            label, _, offsets = parts[1].partition(" ")
            spans[parts[0]] = (label, _parse_spans(offsets, f"{where}:{n}"), parts[2] if len(parts) > 2 else "")
        elif line.startswith("E"):
            events.append((parts[0], parts[1].split() if len(parts) > 1 else [], n))
    out = []
    for eid, args, n in events:
        roles: dict[str, tuple[list[tuple[int, int]], str]] = {}
        for arg in args:
            role, _, ref = arg.partition(":")
            if ref not in spans:
                raise InputError(f"{where}:{n}: event {eid} refers to unknown span {ref!r}")
            role = role.rstrip("0123456789")  # BRAT numbers repeated roles: Content2
            if role in roles and role == "Content":
                prev_spans, prev_text = roles[role]
                roles[role] = (prev_spans + spans[ref][1], f"{prev_text} {spans[ref][2]}")
            else:
                roles[role] = (spans[ref][1], spans[ref][2])
        out.append({"attribution": eid, **{r: roles.get(r) for r in ("Source", "Cue", "Content")}})
    return out


def load_polnear(part: str = "dev", *, root: str | Path | None = None, coder: str = "first") -> tuple:
    """PolNeAR ``part`` as ``(docs, gold)``: docs (doc_id, text, publisher) and one gold row per attribution.

    ``coder``: "first" keeps one annotator's file per article (the alphabetically first coder id, for the few
    articles coded by several), "all" keeps every coder's file (column ``coder``). Gold columns: GOLD_COLUMNS;
    a missing role gives empty text and -1 offsets; ``content_spans`` lists discontinuous pieces.
    """
    _check_part(part)
    if coder not in ("first", "all"):
        raise ParameterError(f"coder {coder!r} must be 'first' or 'all'")
    base = Path(root) if root is not None else default_root()
    folder = base / "data" / part
    if not (folder / "text").is_dir():
        raise InputError(f"{folder}/text not found: is ../shared/corpora/polnear present?")
    meta_path = base / "data" / "metadata.tsv"
    publishers = {}
    if meta_path.exists():
        meta = pd.read_csv(meta_path, sep="\t", dtype=str)
        publishers = dict(zip(meta["filename"], meta["publisher"]))
    docs, gold = [], []
    for txt in sorted((folder / "text").glob("*.txt")):
        doc_id = txt.stem
        docs.append({"doc_id": doc_id, "text": txt.read_text(encoding="utf-8"), "publisher": publishers.get(doc_id)})
        anns = sorted((folder / "attributions").glob(f"{doc_id}_*.ann"))
        if coder == "first":
            anns = anns[:1]
        for ann in anns:
            who = ann.stem[len(doc_id) + 1 :]
            for rel in parse_brat(ann.read_text(encoding="utf-8"), where=str(ann)):
                row = {"doc_id": doc_id, "coder": who, "attribution": rel["attribution"]}
                for role, key in (("Source", "source"), ("Cue", "cue"), ("Content", "content")):
                    val = rel[role]
                    row[f"{key}_text"] = val[1] if val else ""
                    row[f"{key}_start"] = min(s for s, _ in val[0]) if val else -1
                    row[f"{key}_end"] = max(e for _, e in val[0]) if val else -1
                    if key == "content":
                        row["content_spans"] = tuple(val[0]) if val else ()
                gold.append(row)
    docs_df = pd.DataFrame(docs, columns=["doc_id", "text", "publisher"])
    gold_df = pd.DataFrame(gold, columns=GOLD_COLUMNS)
    return docs_df, gold_df


def digest_part(part: str, *, root: str | Path | None = None) -> tuple[int, str]:
    """(number of files, sha256 of their "path sha256" lines) of PolNeAR ``part``: the provenance of a model."""
    import hashlib

    from analysis import provenance

    _check_part(part)
    base = Path(root) if root is not None else default_root()
    files = sorted((base / "data" / part / "text").glob("*.txt")) + sorted(
        (base / "data" / part / "attributions").glob("*.ann")
    )
    digest = hashlib.sha256()
    for p in files:
        digest.update(f"{p.relative_to(base)} {provenance.file_sha256(p)}\n".encode())
    return len(files), digest.hexdigest()


# ------------------------------------------------------------------------------------------------------- scoring
def load_cue_lemmas() -> dict[str, str]:
    """Word form -> lemma from the reporting-verb lexicon, so that a found "says" agrees with a gold "said"."""
    from analysis.resources import load_mapping

    data = load_mapping(config.resource("reporting_verbs.yaml"))
    return {form: v["lemma"] for v in data["verbs"] for form in v["forms"]}


def _cue_lemmas(text: str, lemmas: dict[str, str]) -> frozenset[str]:
    return frozenset(lemmas.get(w, w) for w in content_words(text))


def score_attributions(
    found: pd.DataFrame, gold: pd.DataFrame, *, rule: str = "lenient", lemmas: dict[str, str] | None = None
) -> dict:
    """Precision, recall and F1 of found attributions against the gold ones that have a Source.

    ``found`` has FOUND_COLUMNS (cue offsets: the reporting verb or phrase). Rules, one-to-one (each gold and each
    found attribution is used once, nearest cue first):

    - ``lenient`` (the issue's rule): same article, the speaker shares a content word with the gold Source
      (pronouns count as content words: "he" matches "he") and the verb agrees with the gold Cue (a shared word
      after mapping word forms to lemmas with ``lemmas``, e.g. the reporting-verb lexicon's forms).
    - ``overlap`` (stricter): the speaker span overlaps the gold Source span and the cue span overlaps the gold Cue.
    """
    if rule not in ("lenient", "overlap"):
        raise ParameterError(f"rule {rule!r} must be 'lenient' or 'overlap'")
    lemmas = lemmas or {}
    g = gold[gold["source_start"] >= 0]
    n_correct = 0
    found_by_doc = {d: t for d, t in found.groupby("doc_id", sort=False)}
    for doc_id, gd in g.groupby("doc_id", sort=False):
        fd = found_by_doc.get(doc_id)
        if fd is None:
            continue
        pairs = []
        fr = list(fd.itertuples(index=False))
        gr = list(gd.itertuples(index=False))
        f_words = [content_words(r.speaker) for r in fr]
        f_cues = [_cue_lemmas(r.verb, lemmas) for r in fr]
        g_words = [content_words(r.source_text) for r in gr]
        g_cues = [_cue_lemmas(r.cue_text, lemmas) for r in gr]
        for i, f in enumerate(fr):
            for j, gg in enumerate(gr):
                if rule == "lenient":
                    ok = bool(f_words[i] & g_words[j]) and bool(f_cues[i] & g_cues[j])
                else:
                    ok = spans_overlap(f.speaker_start, f.speaker_end, gg.source_start, gg.source_end) and (
                        spans_overlap(f.cue_start, f.cue_end, gg.cue_start, gg.cue_end)
                    )
                if ok:
                    pairs.append((abs(f.cue_start - gg.cue_start), i, j))
        n_correct += len(match_one_to_one(pairs))
    return {"rule": rule, **prf(len(found), len(g), n_correct)}


def score_content_overlap(found: pd.DataFrame, gold: pd.DataFrame) -> dict:
    """Content-span scores: span-level F1 at partial overlap, and character-level (token-wise) F1.

    ``found`` has doc_id, content_start, content_end (-1 when none). Span level: a found content span is correct
    when it overlaps a gold Content span of the article, a gold span is recalled when some found span overlaps it
    (as in the quote-span evaluations of the Gender Gap Tracker and Citron). Character level: precision and recall
    of the characters inside found vs gold content spans (each article's characters counted once).
    """
    f = found[found["content_start"] >= 0]
    g = gold[gold["content_start"] >= 0]
    n_fc = n_gc = 0
    chars_f = chars_g = chars_both = 0
    f_by_doc = {d: t for d, t in f.groupby("doc_id", sort=False)}
    for doc_id in sorted(set(g["doc_id"]) | set(f["doc_id"])):
        gspans = [s for spans in g.loc[g["doc_id"] == doc_id, "content_spans"] for s in spans]
        fd = f_by_doc.get(doc_id)
        fspans = [] if fd is None else list(zip(fd["content_start"], fd["content_end"]))
        n_fc += sum(any(spans_overlap(a, b, c, d) for c, d in gspans) for a, b in fspans)
        gold_ids = g.loc[g["doc_id"] == doc_id]
        n_gc += sum(
            any(spans_overlap(a, b, c, d) for c, d in spans for a, b in fspans) for spans in gold_ids["content_spans"]
        )
        fset, gset = set(), set()
        for a, b in fspans:
            fset.update(range(a, b))
        for c, d in gspans:
            gset.update(range(c, d))
        chars_f += len(fset)
        chars_g += len(gset)
        chars_both += len(fset & gset)
    span = prf(len(f), len(g), n_fc, n_gc)
    char = prf(chars_f, chars_g, chars_both)
    return {
        "span_precision": span["precision"],
        "span_recall": span["recall"],
        "span_f1": span["f1"],
        "char_precision": char["precision"],
        "char_recall": char["recall"],
        "char_f1": char["f1"],
        "n_found": len(f),
        "n_gold": len(g),
    }
