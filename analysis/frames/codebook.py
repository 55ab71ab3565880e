"""Frame codebook (generic and domain news frames, indicator questions and cues) and frame scoring with evidence."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.cuematch import CueStartMatcher, cue_pattern, is_cue_alternation, lower_text
from analysis.errors import ParameterError, ResourceError
from analysis.frames.document import _as_docs, _iter_docs
from analysis.resources import check_keys, compile_cues, load_parsed, load_resource
from analysis.selection import PERIOD, complete_periods, drop_small_groups, group_documents
from analysis.tables import require_columns

_LISTS = {"frames": "id"}  # entry lists merged by id when a user file extends the built-in one
CODEBOOK_FILE = "frames.yaml"


# ------------------------------------------------------------------------------------------------- frame codebook
@dataclass(frozen=True)
class Indicator:
    """One yes/no indicator question of a frame, with the cues that operationalise it."""

    frame: str
    id: str
    question: str
    measurable: bool
    cues: tuple[str, ...]
    regex: re.Pattern | None

    @property
    def key(self) -> str:
        """``frame.indicator``: the name of this question in coding sheets and validation tables."""
        return f"{self.frame}.{self.id}"


@dataclass(frozen=True)
class Frame:
    id: str
    label: str
    family: str
    indicators: tuple[Indicator, ...]

    @property
    def measurable(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.measurable)


@dataclass(frozen=True)
class Codebook:
    """A frame codebook: frames, each with indicator questions and their cues (see :func:`load_codebook`)."""

    version: str
    path: str
    frames: tuple[Frame, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for f in self.frames for i in f.indicators)

    def frame(self, frame_id: str) -> Frame:
        for f in self.frames:
            if f.id == frame_id:
                return f
        raise ParameterError(f"unknown frame {frame_id!r}; the codebook has: {', '.join(f.id for f in self.frames)}")

    def to_frame(self) -> pd.DataFrame:
        """The codebook as a table: frame, family, indicator, question, measurable, n_cues, cues."""
        return pd.DataFrame(
            [
                {
                    "frame": i.frame,
                    "family": self.frame(i.frame).family,
                    "indicator": i.id,
                    "question": i.question,
                    "measurable": i.measurable,
                    "n_cues": len(i.cues),
                    "cues": " | ".join(i.cues),
                }
                for i in self.indicators
            ]
        )


def load_codebook(source: str | Path | Codebook | None = None) -> Codebook:
    """Load a frame codebook: None for the built-in ``frames.yaml``, or a path to your own YAML file.

    Your file replaces the built-in one, or adds to it (frames with the same id replaced) when it starts with
    ``extends: builtin``. Errors name the file and the entry.
    """
    if isinstance(source, Codebook):
        return source
    return load_parsed(source, CODEBOOK_FILE, _parse_codebook)


def _parse_codebook(path: Path) -> Codebook:
    path, data = load_resource(path, CODEBOOK_FILE, lists=_LISTS)
    check_keys(data, {"version", "frames"}, {"version", "frames"}, str(path))
    frames, seen = [], set()
    for n, fr in enumerate(data["frames"] or [], 1):
        where = f"{path}: frame #{n} ({fr.get('id', '?') if isinstance(fr, dict) else '?'})"
        check_keys(fr, {"id", "label", "family", "indicators"}, {"id", "indicators"}, where)
        if fr["id"] in seen:
            raise ResourceError(f"{where}: duplicate frame id {fr['id']!r}; frame ids must be unique")
        seen.add(fr["id"])
        inds, ind_seen = [], set()
        for m, ind in enumerate(fr["indicators"] or [], 1):
            iwhere = f"{where}, indicator #{m} ({ind.get('id', '?') if isinstance(ind, dict) else '?'})"
            check_keys(ind, {"id", "question", "cues", "measurable"}, {"id", "question"}, iwhere)
            if ind["id"] in ind_seen:
                raise ResourceError(f"{iwhere}: duplicate indicator id {ind['id']!r} in frame {fr['id']!r}")
            ind_seen.add(ind["id"])
            measurable = bool(ind.get("measurable", True))
            cues = tuple(ind.get("cues") or ())
            if measurable and not cues:
                raise ResourceError(f"{iwhere}: a measurable indicator needs `cues:` (or set `measurable: false`)")
            regex = compile_cues(list(cues), iwhere) if measurable else None
            inds.append(Indicator(fr["id"], str(ind["id"]), str(ind["question"]), measurable, cues, regex))
        if not any(i.measurable for i in inds):
            raise ResourceError(f"{where}: needs at least one measurable indicator")
        frames.append(
            Frame(str(fr["id"]), str(fr.get("label", fr["id"])), str(fr.get("family", "custom")), tuple(inds))
        )
    if not frames:
        raise ResourceError(f"{path}: no frames defined under `frames:`")
    return Codebook(str(data["version"]), str(path), tuple(frames))


# ================================================================================================== frames
class FrameScores(NamedTuple):
    """Result of :func:`score_frames`: unpack as ``scores, indicators, evidence = score_frames(corpus)``."""

    scores: pd.DataFrame  # doc_id, frame, family, score, n_fired, n_indicators
    indicators: pd.DataFrame  # doc_id, frame, indicator, fired, n_matches, evidence, start, end (first match)
    evidence: pd.DataFrame  # doc_id, sent_id, frame, indicator, start, end, evidence (every match)


SCORE_COLUMNS = ["doc_id", "frame", "family", "score", "n_fired", "n_indicators"]
INDICATOR_COLUMNS = ["doc_id", "frame", "indicator", "fired", "n_matches", "evidence", "start", "end"]
EVIDENCE_COLUMNS = ["doc_id", "sent_id", "frame", "indicator", "start", "end", "evidence"]


def score_frames(
    corpus_or_docs, *, codebook=None, sentences: pd.DataFrame | None = None, _prefilter: bool = True
) -> FrameScores:
    """Code every article with the frame codebook: which indicator questions fire, with evidence, and frame scores.

    An indicator fires when any of its cues matches the article text (title excluded). A frame's score is the mean
    of its measurable indicators (0-1), as in Semetko & Valkenburg (2000); S&V's "visuals" question cannot be
    measured from text and is left out. Returns :class:`FrameScores` (scores, indicators, evidence).
    """
    docs = _as_docs(corpus_or_docs)
    cb = load_codebook(codebook)
    inds = [i for i in cb.indicators if i.measurable]
    families = {f.id: f.family for f in cb.frames}
    n_meas = {f.id: len(f.measurable) for f in cb.frames}
    prefilter = False  # built when first needed: with every indicator covered by the start matcher, never
    patterns = [cue_pattern(ind.regex) for ind in inds]
    keys = [(ind.frame, ind.id) for ind in inds]
    starts = _cue_start_matcher(cb) if _prefilter else None
    ev_rows, ind_rows, score_rows = [], [], []
    for doc in _iter_docs(docs, sentences):
        fired_by_frame = dict.fromkeys(n_meas, 0)
        text = doc.text
        lowered = lower_text(text)  # case-sensitive matching on the lowered text where exact (analysis.cuematch)
        # indicators whose cues all start with known words: tried only where those words start (analysis.cuematch)
        at_starts = starts.find(text, lowered) if starts is not None else None
        covered = starts.covered if at_starts is not None else frozenset()
        candidates = None
        if _prefilter and (at_starts is None or len(covered) < len(inds)):  # some indicator is left to its regex
            if prefilter is False:
                prefilter = _indicator_prefilter(cb)
            candidates = prefilter.candidates(text, lowered) if prefilter is not None else None
        doc_id, sent_ids, sent_starts = doc.doc_id, doc.sent_ids, doc.starts
        for k, (frame_id, ind_id) in enumerate(keys):
            # the others: one compiled alternation per indicator, a single pass over the text finds every cue;
            # indicators whose required words are absent from the text cannot match and are skipped
            if k in covered:
                found = at_starts.get(k)
                matches = [m for m, _ in found] if found else []
            else:
                matches = list(patterns[k].finditer(text, lowered)) if candidates is None or k in candidates else []
            if matches:
                fired_by_frame[frame_id] += 1
                for m in matches:
                    start, end = m.span()
                    sent = sent_ids[max(bisect_right(sent_starts, start) - 1, 0)]  # doc.sentence_at(start)
                    ev_rows.append((doc_id, sent, frame_id, ind_id, start, end, text[start:end]))
                start, end = matches[0].span()
                ind_rows.append((doc_id, frame_id, ind_id, True, len(matches), text[start:end], start, end))
            else:
                ind_rows.append((doc_id, frame_id, ind_id, False, 0, None, -1, -1))
        for frame_id, n in fired_by_frame.items():
            score_rows.append((doc.doc_id, frame_id, families[frame_id], n / n_meas[frame_id], n, n_meas[frame_id]))
    scores = pd.DataFrame(score_rows, columns=SCORE_COLUMNS)
    indicators = pd.DataFrame(ind_rows, columns=INDICATOR_COLUMNS)
    evidence = pd.DataFrame(ev_rows, columns=EVIDENCE_COLUMNS)
    for df in (indicators, evidence):
        df[["start", "end"]] = df[["start", "end"]].astype("int64")
    indicators["start"] = indicators["start"].astype("Int64").mask(~indicators["fired"])
    indicators["end"] = indicators["end"].astype("Int64").mask(~indicators["fired"])
    return FrameScores(
        scores.astype({"score": "float64", "n_fired": "int64", "n_indicators": "int64"}),
        indicators.astype({"fired": "bool", "n_matches": "int64"}),
        evidence.astype({"sent_id": "int64"}),
    )


# ---------------------------------------------------------------------------------------------- cue prefilter
# Python's `re` tries every alternative of an indicator at every word start, so 38 indicators cost 38 full passes.
# Most cues contain a literal word that every match must include ("disput", "ceasefire"); one Aho-Corasick pass
# over the lower-cased text finds which of those words occur, and only indicators with a present word (or cues
# without such a word) run their regex. The result is identical; tests and benchmarks/bench_frames.py check it.
_ANCHOR_STOPWORDS = frozenset(
    {
        "the",
        "and",
        "his",
        "her",
        "for",
        "was",
        "were",
        "has",
        "have",
        "are",
        "with",
        "that",
        "from",
        "not",
        "but",
        "who",
        "its",
        "their",
        "they",
        "said",
        "this",
        "all",
        "one",
        "two",
        "can",
        "will",
        "our",
        "out",
        "per",
        "off",
    }
)


def _literal_anchors(items) -> set[str] | None:
    """Lower-case strings such that every match of the parsed regex ``items`` contains one of them, or None."""
    from re import _constants as c  # the parsed-pattern opcodes of the standard library's `re`

    best: tuple[float, set[str]] | None = None

    def consider(cands):
        nonlocal best
        if not cands or any(len(x) < 3 for x in cands):
            return
        score = min(len(x) for x in cands) - 0.01 * len(cands) - (10 if cands & _ANCHOR_STOPWORDS else 0)
        if best is None or score > best[0]:
            best = (score, cands)

    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av).lower())
            continue
        consider({"".join(run)} if run else None)
        run = []
        if op is c.SUBPATTERN:
            consider(_literal_anchors(av[-1]))
        elif op is c.BRANCH:
            alts = [_literal_anchors(alt) for alt in av[1]]
            if all(a is not None for a in alts):
                consider(set().union(*alts))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            consider(_literal_anchors(av[2]))
    consider({"".join(run)} if run else None)
    return None if best is None else best[1]


class _Prefilter:
    def __init__(self, automaton, always: frozenset[int]):
        self.automaton, self.always = automaton, always

    def candidates(self, text: str, lowered: str | None = None) -> set[int]:
        found = set(self.always)
        for _, idxs in self.automaton.iter(text.lower() if lowered is None else lowered):
            found.update(idxs)
        return found


@lru_cache(maxsize=8)
def _cue_start_matcher(cb: Codebook) -> CueStartMatcher:
    inds = [i for i in cb.indicators if i.measurable]
    return CueStartMatcher([i.cues if is_cue_alternation(i.regex, i.cues) else () for i in inds])


@lru_cache(maxsize=8)
def _indicator_prefilter(cb: Codebook) -> _Prefilter | None:
    """The prefilter for a codebook, or None (then every regex runs) if the parser internals are unavailable."""
    import ahocorasick

    try:
        from re import _parser  # the standard library's regex parser (Python >= 3.11)
    except ImportError:  # pragma: no cover - an exotic Python: run every regex, the results are the same
        return None

    owners: dict[str, set[int]] = {}
    always = set()
    for k, ind in enumerate(i for i in cb.indicators if i.measurable):
        anchors = set()
        for cue in ind.cues:
            found = _literal_anchors(_parser.parse(cue, re.IGNORECASE))
            if found is None:
                anchors = None
                break
            anchors |= found
        if anchors is None:
            always.add(k)
            continue
        for a in anchors:
            owners.setdefault(a, set()).add(k)
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for word, idxs in owners.items():
        automaton.add_word(word, tuple(sorted(idxs)))
    automaton.make_automaton()
    return _Prefilter(automaton, frozenset(always))


UNCALIBRATED_RULE = "any indicator (uncalibrated)"


def count_frames(
    frames_df: pd.DataFrame,
    corpus: pd.DataFrame,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    min_count: int = 0,
    min_docs: int = 0,
    threshold: float | None = None,
    presence: str | None = None,
    codebook=None,
) -> pd.DataFrame:
    """Frame prevalence by group and period: articles, articles with the frame, share, mean score.

    ``frames_df`` is the ``scores`` table of :func:`score_frames` (or ``frames.parquet`` from `analyze`). Which
    articles count as having the frame:

    - ``presence="dictionary"`` or ``"model"``: the calibrated presence column of ``frames.parquet``
      (``present_dictionary`` / ``present_model``, see :mod:`analysis.frames.presence`); frames without a
      calibrated rule (the conflict-specific ones) count when any indicator fired, and the ``rule`` column says so;
    - otherwise a score above ``threshold`` (default: any indicator fired, i.e. > 0).

    Columns: by..., [period], frame, label (the frame's label in ``codebook``, default the built-in one), family,
    rule, n_docs, n_present, share_present, mean_score; each group and
    frame has a row for every period of the window (an empty period: n_docs 0, share and mean empty).
    ``min_count`` applies to ``n_present``; ``min_docs`` drops groups (and periods) with fewer articles (shares of
    a handful of articles are noise).
    """
    _check_presence(presence, threshold)
    groups = group_documents(
        corpus, by=by, freq=freq, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates
    )
    keys = groups.keys
    counted = None
    if isinstance(frames_df, FrameSums):  # counted per cell by sum_frames: from the cells when they give it
        counted = frames_df.count_groups(groups, presence=presence, threshold=threshold)
        frames_df = frames_df.path  # else from the file
    source = _frame_file(frames_df)
    if counted is None and source is not None:
        counted = _count_frame_file(source, groups, presence, threshold)
    elif counted is None:
        counted = _count_frame_rows(frames_df, groups, presence, threshold)
    by_keys = [k for k in keys if k != PERIOD]
    combos = [*by_keys, "frame", "family", "rule"]
    out = complete_periods(counted, groups, combos=combos, fill={"n_docs": 0, "n_present": 0})
    out["share_present"] = out["n_present"] / out["n_docs"].where(out["n_docs"] > 0)
    out = drop_small_groups(out[out["n_present"] >= min_count], groups, min_docs)
    out["label"] = out["frame"].map(find_frame_labels(codebook)).fillna(out["frame"])
    cols = keys + ["frame", "label", "family", "rule", "n_docs", "n_present", "share_present", "mean_score"]
    return out[cols].sort_values(keys + ["frame"], kind="stable").reset_index(drop=True)


def _check_presence(presence, threshold) -> None:
    if presence is not None and presence not in ("dictionary", "model"):
        raise ParameterError(f"presence must be dictionary, model or None, not {presence!r}")
    if presence is not None and threshold is not None:
        raise ParameterError("pass either presence= or threshold=, not both")


def _frame_file(frames_df):
    """The frames.parquet of an analysis (a :class:`~analysis.aggregate.TableFile`), or None for a DataFrame."""
    from analysis.aggregate import TableFile, find_table

    source = find_table(frames_df, "frames")
    return source if isinstance(source, TableFile) else None


def _frame_rows(path, presence, threshold) -> dict[str, str]:
    """The SQL of each value :func:`_count_frame_rows` counts, over the columns of frames.parquet (``t.``)."""
    from analysis.aggregate import _literal, read_table_columns

    present_cols = read_table_columns(path)
    header = pd.DataFrame(columns=list(present_cols))  # the file's columns, for require_columns' message
    require_columns(header, ["doc_id", "frame", "score"], what="frame scores")
    if presence is None:
        cut = 0.0 if threshold is None else float(threshold)
        rule = _literal(UNCALIBRATED_RULE if threshold is None else f"score > {cut:g}")
        present = f"t.score > CAST({cut!r} AS DOUBLE)"  # a decimal literal would round the scores it is compared with
    else:
        require_columns(header, ["present_dictionary", "present_model"], what="frame scores with presence")
        # frames without a calibrated rule (no model probability) are present when any indicator fired
        calibrated = "t.p_model IS NOT NULL" if "p_model" in present_cols else "TRUE"
        rule = f"CASE WHEN {calibrated} THEN {_literal(presence)} ELSE {_literal(UNCALIBRATED_RULE)} END"
        dictionary = "COALESCE(t.present_dictionary, TRUE)"  # pandas' astype(bool) makes a missing value True
        present = f"COALESCE(t.present_model, {dictionary})" if presence == "model" else dictionary
    family = "t.family" if "family" in present_cols else "''"
    return {"frame": "t.frame", "family": family, "rule": rule, "present": present, "score": "t.score"}


FRAME_KEYS = ["frame", "family", "rule"]


def _finish_frame_counts(counted: pd.DataFrame, key_table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The counts per ``g`` with their keys instead of ``g``, in the rows and order of :func:`_count_frame_rows`."""
    combos = [*keys, *FRAME_KEYS]
    out = key_table.merge(counted.rename(columns={"score": "mean_score"}), on="g", how="inner")
    out = out[[*combos, "n_docs", "n_present", "mean_score"]]
    return out.sort_values(combos, kind="stable", na_position="last", ignore_index=True)


def _count_frame_file(path, groups, presence, threshold) -> pd.DataFrame:
    """:func:`_count_frame_rows` of the selected articles' rows of frames.parquet, counted in DuckDB (a million
    articles make ten million rows): the same rows, dtypes and order, the means to the last bit."""
    from analysis.aggregate import index_groups, summarise_rows_by_group

    doc_groups, key_table = index_groups(groups.docs, groups.keys)
    counted = summarise_rows_by_group(
        path,
        doc_groups,
        rows=_frame_rows(path, presence, threshold),
        columns=FRAME_KEYS,
        counts={"n_docs": "COUNT(DISTINCT doc_id)", "n_present": "SUM(CAST(present AS BIGINT))"},
        means=["score"],
    )
    return _finish_frame_counts(counted, key_table, groups.keys)


class FrameSums:
    """The frame scores of an analysis' articles counted once per cell (:func:`sum_frames`): pass this to
    :func:`count_frames` instead of the analysis, so that a report's prevalence tables overall, by outlet and by
    period make one pass over frames.parquet, not one each.

    Per cell, frame (family, rule) and distinct score it holds the rows and the articles with the frame present;
    per cell and frame the distinct articles. A table whose groups are unions of cells and that asks for the same
    ``presence`` and ``threshold`` is summed from them: the counts are integers (an article lies in one cell), and
    a mean score is the exact sum of score x rows rounded once (:func:`analysis.aggregate.find_counted_means`),
    the same figure to the bit as from the rows. Any other table is counted from the file as without it.
    """

    def __init__(self, path, doc_ids: np.ndarray, cells: np.ndarray, docs, scores, *, presence, threshold):
        self.path = path  # frames.parquet, a TableFile
        self.doc_index = pd.Index(doc_ids)  # the articles counted, each with its cell number in ``cells``
        self.cells = cells
        self.docs = docs  # per (cell, frame, family, rule): g (the cell), n_docs
        self.scores = scores  # per (cell, frame, family, rule, score): g, score, n (rows), n_present
        self.presence, self.threshold = presence, threshold

    def count_groups(self, groups, *, presence, threshold) -> pd.DataFrame | None:
        """:func:`_count_frame_file`'s table from the cells, or None when they cannot give it."""
        from analysis.aggregate import find_cell_groups, find_counted_means, index_groups

        if (presence, threshold) != (self.presence, self.threshold):
            return None
        doc_groups, key_table = index_groups(groups.docs, groups.keys)
        found = find_cell_groups(self.doc_index, self.cells, doc_groups["doc_id"], doc_groups["g"].to_numpy())
        if found is None:
            return None
        low, n_cells = found
        docs = self.docs.assign(g=low[self.docs["g"].to_numpy()] if n_cells else self.docs["g"])
        docs = docs[docs["g"] >= 0]
        counted = docs.groupby(["g", *FRAME_KEYS], dropna=False, sort=True).agg(n_docs=("n_docs", "sum"))
        scores = self.scores.assign(g=low[self.scores["g"].to_numpy()] if n_cells else self.scores["g"])
        scores = scores[scores["g"] >= 0]
        grouped = scores.groupby(["g", *FRAME_KEYS], dropna=False, sort=True)
        sums = grouped.agg(n_present=("n_present", "sum"))
        sums["score"] = find_counted_means(
            scores["score"].to_numpy(), scores["n"].to_numpy(), grouped.ngroup().to_numpy(), grouped.ngroups
        )
        counted = counted.join(sums, how="inner").reset_index()
        return _finish_frame_counts(counted.astype({"n_docs": "int64", "n_present": "int64"}), key_table, groups.keys)


def sum_frames(
    frames_df,
    documents: pd.DataFrame,
    *,
    by: str | None = None,
    freq: str | None = None,
    presence: str | None = None,
    threshold: float | None = None,
):
    """The frame scores of the articles ``documents`` (doc_id, and ``by``/``published`` as needed) counted in one
    pass over the analysis ``frames_df``'s frames.parquet, per cell of ``by`` (each value, missing apart) x period
    of ``freq`` (undated apart): a :class:`FrameSums` for :func:`count_frames`, so that a report's prevalence tables
    overall, by ``by`` and by period make one pass, not one each. ``presence`` and ``threshold`` as in
    :func:`count_frames` (the tables asked of it must use the same; others are counted from the file).

    Without a local frames file (a remote analysis, or ``frames_df`` a DataFrame) ``frames_df`` is returned
    unchanged: :func:`count_frames` then works as it does on it.
    """
    from analysis.aggregate import connection, number_cells

    _check_presence(presence, threshold)
    source = _frame_file(frames_df)
    if source is None:
        return frames_df
    cells = number_cells(documents, by=by, freq=freq)
    doc_ids = documents["doc_id"].to_numpy(dtype=object)
    named = ", ".join(f"{expr} AS {name}" for name, expr in _frame_rows(source, presence, threshold).items())
    keys = ", ".join(["g", *FRAME_KEYS])
    with connection({"doc_groups": pd.DataFrame({"doc_id": doc_ids, "g": cells})}) as con:
        # the articles' rows once, the article as an integer (its cell's row number), for both sums
        con.execute(
            f"""CREATE TEMP TABLE r AS SELECT d.g AS g, d.i AS doc, {named}
            FROM read_parquet(?) AS t JOIN (SELECT *, row_number() OVER () AS i FROM doc_groups) AS d
            ON t.doc_id = d.doc_id""",
            [str(source)],
        )
        docs = (
            con.sql(f"SELECT {keys}, CAST(COUNT(DISTINCT doc) AS BIGINT) AS n_docs FROM r GROUP BY ALL")
            .to_arrow_table()
            .to_pandas()
        )
        scores = (
            con.sql(
                f"""SELECT {keys}, CAST(score AS DOUBLE) AS score, CAST(COUNT(*) AS BIGINT) AS n,
            CAST(SUM(CAST(present AS BIGINT)) AS BIGINT) AS n_present FROM r GROUP BY ALL"""
            )
            .to_arrow_table()
            .to_pandas()
        )
    return FrameSums(source, doc_ids, cells, docs, scores, presence=presence, threshold=threshold)


def _count_frame_rows(frames_df: pd.DataFrame, groups, presence, threshold) -> pd.DataFrame:
    """Per key combination, frame, family and rule: n_docs, n_present, mean_score (the counts before the grid)."""
    from analysis.aggregate import find_group_means

    require_columns(frames_df, ["doc_id", "frame", "score"], what="frame scores")
    if presence is not None:
        require_columns(frames_df, ["present_dictionary", "present_model"], what="frame scores with presence")
    joined = groups.join(frames_df, what="frame scores")
    if presence is None:
        cut = 0.0 if threshold is None else float(threshold)
        joined = joined.assign(
            present=joined["score"] > cut, rule=UNCALIBRATED_RULE if threshold is None else f"score > {cut:g}"
        )
    else:
        # frames without a calibrated rule (no model probability) are present when any indicator fired
        calibrated = joined["p_model"].notna().to_numpy() if "p_model" in joined else np.ones(len(joined), bool)
        if presence == "model":
            model = joined["present_model"].astype("boolean")
            present = model.fillna(joined["present_dictionary"].astype(bool)).astype(bool)
        else:
            present = joined["present_dictionary"].astype(bool)
        joined = joined.assign(present=present, rule=np.where(calibrated, presence, UNCALIBRATED_RULE))
    if "family" not in joined:
        joined["family"] = ""
    grouped = joined.groupby(groups.keys + ["frame", "family", "rule"], dropna=False, sort=True)
    counted = (
        grouped.agg(n_docs=("doc_id", "nunique"), n_present=("present", "sum"))
        .reset_index()
        .astype({"n_docs": "int64", "n_present": "int64"})
    )
    return counted.assign(mean_score=find_group_means(joined, grouped, ["score"])["score"])


def find_frame_labels(codebook=None) -> dict[str, str]:
    """Frame id -> readable label, for tables and figures."""
    return {f.id: f.label for f in load_codebook(codebook).frames}


def find_indicator_questions(codebook=None) -> pd.DataFrame:
    """The codebook as a table (frame, family, indicator, question, measurable, n_cues, cues)."""
    return load_codebook(codebook).to_frame()
