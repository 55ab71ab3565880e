"""The shared document view of the frames package: sentences, quotation spans, voice, and evidence in context."""

from __future__ import annotations

import bisect
import re
import weakref

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.resources import compile_cues
from analysis.tables import require_columns
from analysis.text import split_sentences

VOICES = ("own", "attributed")


_ROWS: dict[int, tuple[weakref.ref, list[dict]]] = {}


def _rows(df: pd.DataFrame) -> list[dict]:
    """Rows of a small resource table as dicts, computed once per table (resource tables are not changed once loaded).

    Kept beside the table, not in ``df.attrs``: pandas deep-copies ``attrs`` into every column or slice taken from
    a table, which made each ``labels["pattern"]`` copy all the rows (a fifth of the frames stage's time).
    """
    hit = _ROWS.get(id(df))
    if hit is not None and hit[0]() is df and len(hit[1]) == len(df):
        return hit[1]
    rows = df.to_dict("records")
    _ROWS[id(df)] = (weakref.ref(df), rows)
    return rows


# ================================================================================================== shared plumbing
def _as_docs(corpus_or_docs) -> pd.DataFrame:
    if isinstance(corpus_or_docs, str):
        corpus_or_docs = pd.DataFrame({"doc_id": ["text"], "text": [corpus_or_docs]})
    if not isinstance(corpus_or_docs, pd.DataFrame):
        raise ParameterError("expected a corpus DataFrame with columns doc_id and text (or a single text string)")
    require_columns(corpus_or_docs, ["doc_id", "text"], what="corpus")
    return corpus_or_docs


def _build_sentences(docs: pd.DataFrame) -> pd.DataFrame:
    """Sentences as the `analyze` pipeline builds them (doc_id, sent_id, start, end), from analysis.text."""
    rows = [
        (d, n, s, e)
        for d, t in zip(docs["doc_id"], docs["text"])
        if isinstance(t, str)
        for n, (s, e) in enumerate(split_sentences(t))
    ]
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "start", "end"])


class _Doc:
    """One document's text with sentence offsets, quotation spans and (lazily) actor mentions."""

    __slots__ = ("doc_id", "text", "sent_ids", "starts", "ends", "_quotes", "mentions")

    def __init__(self, doc_id, text: str, sents: tuple[list, list, list] | None, mentions=None):
        self.doc_id, self.text = doc_id, text
        if not sents or not sents[0]:
            spans = split_sentences(text) or [(0, len(text))]
            self.sent_ids = list(range(len(spans)))
            self.starts = [s for s, _ in spans]
            self.ends = [e for _, e in spans]
        else:
            self.sent_ids, self.starts, self.ends = sents
        self._quotes = None
        self.mentions = mentions  # list of (start, end, actor_id, kind, actor_type), sorted by start

    def sentence_at(self, pos: int) -> int:
        """Index (into sent_ids/starts/ends) of the sentence holding character ``pos``."""
        return max(bisect.bisect_right(self.starts, pos) - 1, 0)

    @property
    def quotes(self) -> list[tuple[int, int]]:
        if self._quotes is None:
            self._quotes = find_quote_spans(self.text)
        return self._quotes


def _iter_docs(docs: pd.DataFrame, sentences: pd.DataFrame | None, mentions: pd.DataFrame | None = None):
    """Yield a :class:`_Doc` per document with text, using the given sentences (and mentions) when present."""
    sent_index: dict = {}
    if sentences is not None and len(sentences):
        s, bounds = _by_document(sentences, ["doc_id", "start"])
        ids, sids = s["doc_id"].to_numpy(), s["sent_id"].to_numpy()
        starts, ends = s["start"].to_numpy(), s["end"].to_numpy()
        for a, b in zip(bounds[:-1], bounds[1:]):
            sent_index[ids[a]] = (sids[a:b].tolist(), starts[a:b].tolist(), ends[a:b].tolist())
    ment_index: dict = {}
    if mentions is not None and len(mentions):
        m, bounds = _by_document(mentions, ["doc_id", "start", "end"])
        ids = m["doc_id"].to_numpy()
        rows = list(zip(*(m[c].tolist() for c in ("start", "end", "actor_id", "kind", "actor_type"))))
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            ment_index[ids[a]] = rows[a:b]
    for doc_id, text in zip(docs["doc_id"].tolist(), docs["text"].tolist()):
        if not isinstance(text, str) or not text:
            continue
        yield _Doc(doc_id, text, sent_index.get(doc_id), ment_index.get(doc_id, []) if mentions is not None else None)


def _by_document(table: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """``table`` in the order of a stable sort by ``keys`` (``doc_id`` first) within each document, and the bounds
    of each document's rows: ``bounds[i]:bounds[i + 1]``.

    The stages build their tables a document at a time in text order, so each document's rows are usually one run
    already ordered by the other keys: then the table is used as it is (each document's rows are the same as after
    the sort), and the sort (of a string column, most of this function's time) is left out.
    """

    def bounds_of(t: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        ids = t["doc_id"].to_numpy()
        new = np.r_[True, ids[1:] != ids[:-1]]
        return new, np.flatnonzero(np.r_[new, True])

    new, bounds = bounds_of(table)
    ordered = (
        all(table[key].dtype.kind in "iu" for key in keys[1:])  # plain integer offsets (no NA)
        and not table["doc_id"].isna().any()
        and len(bounds) - 1 == len(set(table["doc_id"].to_numpy()[new].tolist()))  # one run per document
    )
    same = ~new[1:]  # row i + 1 belongs to the document of row i
    for key in keys[1:]:
        if not ordered:
            break
        step = np.diff(table[key].to_numpy())
        ordered = not (step[same] < 0).any()
        same = same & (step == 0)  # ties: the next key decides
    if ordered:
        return table, bounds
    table = table.sort_values(keys, kind="stable")
    return table, bounds_of(table)[1]


# ================================================================================================== quotation and voice
_OPEN_DOUBLE, _CLOSE_DOUBLE = "“«„", "”»"
_QUOTE_CHARS = re.compile(r"[\"“”«»„‘’']")


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations in ``text`` (outermost; quote marks included), paragraph by paragraph.

    Handles straight and curly double quotes (“ ” « » „), single quotes used as quotation marks (‘ ’ or ' ' around
    words, not apostrophes), nesting, and wire-style quotes that run over several paragraphs (an unclosed quote
    ends with its paragraph; the next paragraph re-opens it with a quote mark).
    """
    paras = text.split("\n")
    offsets = np.cumsum([0] + [len(p) + 1 for p in paras[:-1]]).tolist()
    spans = []
    carry = False
    for k, (para, pos) in enumerate(zip(paras, offsets)):
        para_spans, still_open = _paragraph_quotes(para, carry and bool(para.strip()))
        carry = False
        if still_open:
            nxt = next((p for p in paras[k + 1 :] if p.strip()), "")
            if _continues_quote(nxt):
                carry = True  # wire style: the quotation goes on in the next paragraph
            else:  # a stray opening mark: let the quotation end with its sentence, not run over the paragraph
                s0 = para_spans[-1][0]
                stop = _SENTENCE_END.search(para, s0 + 1)
                para_spans[-1] = (s0, stop.end() if stop else len(para))
        spans.extend((s + pos, e + pos) for s, e in para_spans)
    return spans


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def _continues_quote(para: str) -> bool:
    """Whether ``para`` continues a quotation left open by the paragraph before it."""
    stripped = para.lstrip()
    if stripped[:1] in "\"“«„'‘":
        return True
    spans, _ = _paragraph_quotes(para, True)
    return bool(spans) and spans[0][0] == 0 and para[:1] not in '"“«„'  # closes before anything opens


def _paragraph_quotes(para: str, carry: bool = False) -> tuple[list[tuple[int, int]], bool]:
    """Quotation spans of one paragraph, and whether a quotation is still open at its end.

    ``carry``: the previous paragraph ended inside a quotation, so a closing mark with nothing open closes a
    quotation that started at the beginning of this paragraph.
    """
    # A hand-written scanner: no library handles straight quotes whose direction must be read from context.
    stack: list[tuple[str, int]] = []  # (kind, start) with kind "d" (double) or "s" (single)
    spans = []
    n = len(para)
    for m in _QUOTE_CHARS.finditer(para):
        i, ch = m.start(), m.group()
        prev = para[i - 1] if i > 0 else " "
        nxt = para[i + 1] if i + 1 < n else " "
        if ch in _OPEN_DOUBLE:
            stack.append(("d", i))
        elif ch in _CLOSE_DOUBLE or ch == '"':
            opening = ch == '"' and (prev.isspace() or prev in "([{—–-/") and not nxt.isspace()
            if not stack and not opening and carry and not spans:
                spans.append((0, i + 1))  # closes a quotation carried over from the previous paragraph
                carry = False
                continue
            if ch == '"' and (opening or not any(k == "d" for k, _ in stack)):
                if not opening and (nxt.isspace() or nxt in ".,;:!?)"):
                    continue  # a stray closing mark with nothing open
                stack.append(("d", i))
                continue
            while stack and stack[-1][0] != "d":
                stack.pop()
            if stack:
                _, s = stack.pop()
                if not stack:
                    spans.append((s, i + 1))
        else:  # single quotes: only when they cannot be apostrophes
            opening = ch in "‘'" and (prev.isspace() or prev in '([{—–"“') and nxt.isalnum()
            closing = ch in "’'" and not prev.isspace() and not nxt.isalnum()
            if opening:
                stack.append(("s", i))
            elif closing and any(k == "s" for k, _ in stack):
                while stack and stack[-1][0] != "s":
                    stack.pop()
                _, s = stack.pop()
                if not stack:
                    spans.append((s, i + 1))
    still_open = False
    if stack:  # an unclosed quotation runs to the end of its paragraph (and may continue in the next one)
        first_double = next((s for k, s in stack if k == "d"), None)
        if first_double is not None:
            spans.append((first_double, n))
            still_open = True
    spans.sort()
    merged = []
    for s, e in spans:  # keep the outermost spans only
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged, still_open


def _in_spans(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= start and end <= spans[i][1]:
        return spans[i]
    return None


# A naming act just before the label: "called Assad a terrorist", "designated the group a terrorist organisation",
# "described them as extremists" (the label follows "as", "a" or "an", possibly after one adjective).
_NAMING = re.compile(
    r"(?<![\w-])(?:call(?:s|ed|ing)?|describ(?:e|es|ed|ing)|brand(?:s|ed|ing)?|"
    r"label(?:s|led|ed|ling|ing)?|dub(?:s|bed|bing)?|term(?:s|ed|ing)?|designat(?:e|es|ed|ing)|"
    r"list(?:s|ed|ing)?|consider(?:s|ed|ing)?|regard(?:s|ed|ing)?|deem(?:s|ed|ing)?)(?!\w)[^.;:!?\"“”]{0,50}"
    r"(?<!\w)(?:as|a|an)\s+(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)


def _voice(doc: _Doc, start: int, end: int, reported: dict) -> tuple[str, str | None, str | None]:
    """(voice, kind, source) of a word at [start, end): quoted, scare-quoted, reported speech, or the writer's own.

    ``reported`` maps a sentence index to (speaker spans, first speaker) of the attributions in that sentence.
    """
    span = _in_spans(doc.quotes, start, end)
    si = doc.sentence_at(start)
    if span is not None:
        inner = doc.text[span[0] + 1 : span[1] - 1].split()
        kind = "scare_quote" if len(inner) <= 3 else "quote"
        speaker = reported.get(si, (None, None))[1]
        if speaker is None and kind == "quote":  # a quotation whose speaker comes in the next sentence
            speaker = reported.get(si + 1, (None, None))[1]
        return "attributed", kind, speaker
    if si in reported:
        speaker_spans, speaker = reported[si]
        if not any(s <= start and end <= e for s, e in speaker_spans):
            return "attributed", "reported_speech", speaker
    if _NAMING.search(doc.text, max(doc.starts[si], start - 60), start):
        return "attributed", "naming", None  # "Erdogan called Assad a terrorist": someone else's naming act
    return "own", None, None


def find_evidence_context(table: pd.DataFrame, docs: pd.DataFrame, *, width: int = 60) -> pd.DataFrame:
    """Read the evidence: ``table`` (frame_evidence, labels, territorial_verbs or attributions) with the text around
    each hit, like a keyword-in-context listing: the table's columns plus the article's outlet, published and title
    (where the corpus has them and the table does not) and left, match, right.

    ``width`` is the number of characters shown on each side (line breaks shown as spaces).
    """
    require_columns(table, ["doc_id", "start", "end"], what="evidence table")
    require_columns(docs, ["doc_id", "text"], what="corpus")
    texts = dict(zip(docs["doc_id"], docs["text"]))
    missing = set(table["doc_id"]) - set(texts)
    if missing:
        raise ParameterError(
            f"{len(missing)} doc_id(s) of the table are not in the corpus (e.g. "
            f"{sorted(map(str, missing))[0]!r}): pass the corpus the table was made from"
        )
    left, match, right = [], [], []
    for doc_id, start, end in zip(table["doc_id"], table["start"], table["end"]):
        text = texts[doc_id]
        left.append(text[max(0, start - width) : start].replace("\n", " "))
        match.append(text[start:end])
        right.append(text[end : end + width].replace("\n", " "))
    about = [c for c in ("outlet", "published", "title") if c in docs.columns and c not in table.columns]
    meta = docs.drop_duplicates("doc_id").set_index("doc_id")[about]
    located = table.assign(**{c: table["doc_id"].map(meta[c]).to_numpy() for c in about})
    return located.assign(left=left, match=match, right=right).reset_index(drop=True)


def _named_alternation(
    patterns: list[str], prefix: str, where: list[str], *, ignore_case: bool = True, boundary: str = r"\w"
) -> re.Pattern:
    parts = []
    for n, (pat, w) in enumerate(zip(patterns, where)):
        compile_cues([pat], w)  # validates and names the entry in the error
        parts.append(f"(?P<{prefix}{n}>{pat})")
    return re.compile(rf"(?<![{boundary}])(?:{'|'.join(parts)})(?![{boundary}])", re.IGNORECASE if ignore_case else 0)
