"""Words in context: keyword-in-context (concordance) lines and collocations, from the corpus texts."""

from __future__ import annotations

import bisect
import fnmatch
import re

import numpy as np
import pandas as pd

from analysis.errors import ParameterError
from analysis.selection import select_documents
from analysis.tables import as_list, require_columns
from analysis.text import TOKEN_PATTERN, resolve_stopwords, split_sentences, split_words

# ------------------------------------------------------------------------------------------------------ collocations
_MEASURES = {"likelihood_ratio", "pmi", "student_t", "chi_sq", "raw_freq", "poisson_stirling", "jaccard", "dice"}


def find_collocations(
    corpus: pd.DataFrame,
    *,
    measure: str = "likelihood_ratio",
    size: int = 2,
    min_count: int = 5,
    stopwords=True,
    top: int | None = 100,
    include_duplicates: bool = True,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Collocations (bigrams or trigrams) scored with NLTK's collocation finders.

    Sentences are the units (no collocation spans a sentence break). ``measure``: ``"likelihood_ratio"``
    (Dunning), ``"pmi"``, ``"student_t"``, ``"chi_sq"``, ``"raw_freq"``, ...; ``min_count``: NLTK's frequency
    filter; ``stopwords``: n-grams containing a stopword are dropped (``True`` = packaged list; ``None`` keeps all).
    Columns: ``collocation`` ("islamic state"), ``word1``, ``word2`` (``word3``), ``count``, ``score``, ``measure``.
    """
    from nltk.collocations import (
        BigramAssocMeasures,
        BigramCollocationFinder,
        TrigramAssocMeasures,
        TrigramCollocationFinder,
    )

    if size not in (2, 3):
        raise ParameterError(f"size must be 2 (bigrams) or 3 (trigrams), got {size!r}")
    if measure not in _MEASURES:
        raise ParameterError(f"unknown measure {measure!r}: use one of {', '.join(sorted(_MEASURES))}")
    require_columns(corpus, ["doc_id", "text"], what="corpus")
    docs = select_documents(corpus, start=start, end=end, include_duplicates=include_duplicates)
    units = []
    for text in docs["text"].fillna(""):
        for s, e in split_sentences(text):
            units.append(split_words(text[s:e].lower()))
    finder_cls, measures = (
        (BigramCollocationFinder, BigramAssocMeasures)
        if size == 2
        else (TrigramCollocationFinder, TrigramAssocMeasures)
    )
    finder = finder_cls.from_documents(units)
    finder.apply_freq_filter(min_count)
    stop = resolve_stopwords(stopwords)
    if stop:
        finder.apply_word_filter(lambda w: w in stop)
    scored = finder.score_ngrams(getattr(measures, measure))
    words = [f"word{i + 1}" for i in range(size)]
    table = pd.DataFrame(
        [(" ".join(g), *g, finder.ngram_fd[g], s) for g, s in scored], columns=["collocation", *words, "count", "score"]
    )
    table["count"] = table["count"].astype("int64")
    table["measure"] = measure
    table = table.sort_values(["score", "collocation"], ascending=[False, True], kind="stable")
    return (table.head(top) if top else table).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------- KWIC
def _compile_pattern(pattern: str, case_sensitive: bool) -> list[re.Pattern]:
    parts = TOKEN_PATTERN.findall(pattern) if "*" not in pattern and "?" not in pattern else pattern.split()
    if not parts:
        raise ParameterError(f"pattern {pattern!r} has no word: give a word, a phrase or a glob such as 'liberat*'")
    flags = 0 if case_sensitive else re.IGNORECASE
    return [re.compile(fnmatch.translate(p), flags) for p in parts]


def _token_matches(part: re.Pattern, token: str) -> bool:
    """A pattern word matches a token, or one part of a hyphenated compound ("liberated" in "newly-liberated")."""
    return bool(part.match(token)) or ("-" in token and any(part.match(p) for p in token.split("-")))


KWIC_UNITS = ("window", "sentence")


def find_kwic(
    corpus: pd.DataFrame,
    pattern: str | list[str],
    *,
    window: int = 5,
    unit: str = "window",
    case_sensitive: bool = False,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
) -> pd.DataFrame:
    """Keyword-in-context: every match of ``pattern`` with its context.

    ``pattern``: a word ("Raqqa"), a phrase ("Islamic State", matched as consecutive tokens), or a glob over
    tokens ("liberat*", "al-*"); a list of patterns is searched at once. Matching is case-insensitive unless
    ``case_sensitive=True``. A word or glob also matches one part of a hyphenated compound: "liberat*" and
    "liberated" find "newly-liberated", "Raqqa" finds "Raqqa-based" (the match column shows the whole token).

    ``unit="window"``: ``window`` words of context on each side. ``unit="sentence"``: the rest of the sentence
    on each side (left + match + right is the whole sentence), and ``sent_id`` is the sentence's number in the
    article, as in the ``sentences`` table of `analyze` (the same sentence splitter).

    Columns: doc_id, [sent_id,] outlet, published, title, pattern, token_start, token_end (token positions in the
    document), left, match, right (original text, whitespace collapsed); one row per match, sorted by doc_id and
    position.
    """
    if not isinstance(window, (int, np.integer)) or window < 0:
        raise ParameterError(f"window must be a number of words (0 or more), got {window!r}")
    if unit not in KWIC_UNITS:
        raise ParameterError(f"unit must be one of {', '.join(KWIC_UNITS)}, got {unit!r}")
    require_columns(corpus, ["doc_id", "text"], what="corpus")
    docs = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    patterns = as_list(pattern)
    blank = [p for p in patterns if not isinstance(p, str) or not p.split()]
    if not patterns or blank:
        raise ParameterError(f"keyword pattern {blank[0] if blank else pattern!r} is empty: give a word, e.g. Raqqa")
    compiled = [(p, _compile_pattern(p, case_sensitive)) for p in patterns]
    # Cheap prefilter on the raw text: the literal head of the first token of each pattern.
    heads = []
    for p, _parts in compiled:
        head = re.split(r"[*?\[]", p.split()[0])[0]
        heads.append(re.compile(re.escape(head), 0 if case_sensitive else re.IGNORECASE) if head else None)
    by_sentence = unit == "sentence"
    ws = re.compile(r"\s+")
    rows = []
    for doc in docs.itertuples(index=False):
        text = doc.text if isinstance(doc.text, str) else ""
        candidates = [(p, parts) for (p, parts), h in zip(compiled, heads) if h is None or h.search(text)]
        if not candidates:
            continue
        spans = [m.span() for m in TOKEN_PATTERN.finditer(text)]
        toks = [text[s:e] for s, e in spans]
        n = len(toks)
        sentences = split_sentences(text) if by_sentence else []
        sentence_starts = [s for s, _ in sentences]
        for p, parts in candidates:
            k = len(parts)
            first = parts[0]
            for i in range(n - k + 1):
                if not _token_matches(first, toks[i]):
                    continue
                if all(_token_matches(parts[j], toks[i + j]) for j in range(1, k)):
                    m0, m1 = spans[i][0], spans[i + k - 1][1]
                    if by_sentence:
                        sent_id = max(0, bisect.bisect_right(sentence_starts, m0) - 1)
                        s0, s1 = sentences[sent_id] if sentences else (0, len(text))
                        left, right = text[s0:m0], text[m1:s1]
                    else:
                        sent_id = -1
                        j0, j1 = max(0, i - window), min(n, i + k + window)
                        left = text[spans[j0][0] : m0] if i > j0 else ""
                        right = text[m1 : spans[j1 - 1][1]] if j1 > i + k else ""
                    rows.append(
                        (
                            doc.doc_id,
                            sent_id,
                            getattr(doc, "outlet", None),
                            getattr(doc, "published", pd.NaT),
                            getattr(doc, "title", None),
                            p,
                            i,
                            i + k,
                            ws.sub(" ", left).strip(),
                            ws.sub(" ", text[m0:m1]),
                            ws.sub(" ", right).strip(),
                        )
                    )
    columns = ["doc_id", "sent_id", "outlet", "published", "title", "pattern", "token_start", "token_end"]
    table = pd.DataFrame(rows, columns=columns + ["left", "match", "right"])
    table = table.astype({"sent_id": "int64", "token_start": "int64", "token_end": "int64"})
    if not by_sentence:
        table = table.drop(columns="sent_id")
    return table.sort_values(["doc_id", "token_start", "pattern"], kind="stable").reset_index(drop=True)
