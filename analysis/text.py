"""Sentences and tokens: offline NLTK Punkt with a curated news abbreviation list, regex word tokens, n-grams, stopwords."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer, PunktToken

from analysis import config
from analysis.errors import ResourceError
from analysis.resources import EXTENDS_KEY, load_yaml, wants_extend

# Punkt is used untrained but seeded with abbreviations that wire copy uses; training it on news learns
# junk abbreviations (e.g. "dog"), so the list is curated by hand. Stored lower-case without the final period.
NEWS_ABBREVIATIONS = frozenset(
    {
        "u.s",
        "u.n",
        "u.k",
        "e.u",
        "u.a.e",
        "a.m",
        "p.m",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cpl",
        "sgt",
        "adm",
        "brig",
        "cmdr",
        "lt.-gen",
        "maj.-gen",
        "gov",
        "sen",
        "rep",
        "rev",
        "sheikh",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thurs",
        "fri",
        "sat",
        "sun",
        "al",
        "i.e",
        "e.g",
    }
)

# Punkt decides each candidate break by tokenising and annotating its context ("said. The"). With our untrained
# parameters (no collocations, sentence starters or orthographic statistics) the two commonest kinds of context
# have a fixed outcome, which we return directly; every other context goes to Punkt unchanged. tests/test_text.py
# checks that the spans are identical to plain Punkt on real news text.
#   "said. The", "said.”" : a plain word that is not an abbreviation, then another token -> break
#   "U.S. officials"       : a listed abbreviation, then one plain word (Punkt's orthographic test is never
#                            positive without statistics)                                     -> no break
_PLAIN_BREAK = re.compile(r"([A-Za-z][a-z]+)\.(?:\s+\S|[\"\u201d\u2019')\]])")
_ABBREV_NO_BREAK = re.compile(r"([A-Za-z][A-Za-z.]*)\.\s+[A-Za-z]+")


class NewsPunktLanguageVars(PunktLanguageVars):
    """Punkt's own English patterns, compiled with the standard ``re`` engine.

    NLTK 3.10 runs each of its regexes through a timeout-guarded ``regex`` wrapper (a ReDoS backstop for
    caller-supplied patterns); for Punkt's fixed, linear patterns that wrapper costs more than the matching. The
    pattern strings and flags are NLTK's, unchanged; PunktLanguageVars subclasses are Punkt's documented way to
    customise these patterns.
    """

    re_boundary_realignment = re.compile(PunktLanguageVars.re_boundary_realignment.pattern, re.MULTILINE)

    def __init__(self):
        self._period_context = re.compile(
            self._period_context_fmt % {"NonWord": self._re_non_word_chars, "SentEndChars": self._re_sent_end_chars},
            re.UNICODE | re.VERBOSE,
        )
        self._word_tokenizer = re.compile(
            self._word_tokenize_fmt
            % {
                "NonWord": self._re_non_word_chars,
                "MultiChar": self._re_multi_char_punct,
                "WordStart": self._re_word_start,
            },
            re.UNICODE | re.VERBOSE,
        )

    def period_context_re(self):
        return self._period_context

    def _word_tokenizer_re(self):
        return self._word_tokenizer


_NUMERIC = re.compile(PunktToken._RE_NUMERIC.pattern)
_ELLIPSIS = re.compile(PunktToken._RE_ELLIPSIS.pattern)
_INITIAL = re.compile(PunktToken._RE_INITIAL.pattern)
_ALPHA = re.compile(PunktToken._RE_ALPHA.pattern)
_NON_PUNCT = re.compile(r"[^\W\d]")  # punkt._re_non_punct


class NewsPunktToken(PunktToken):
    r"""Punkt's token, whose pattern tests run with the standard ``re`` engine on ASCII text.

    NLTK's patterns (the same strings) go through its timeout-guarded ``regex`` wrapper, which cost a fifth of the
    sentence splitting. On ASCII text the two engines agree on ``\w`` and ``\d``; other text (where ``regex``'s
    Unicode classes differ from ``re``'s, e.g. on combining marks) keeps NLTK's patterns.
    """

    __slots__ = ()

    def _get_type(self, tok):
        if tok.isascii():
            return _NUMERIC.sub("##number##", tok.lower())
        return super()._get_type(tok)

    @property
    def is_ellipsis(self):
        return _ELLIPSIS.match(self.tok)  # no character class: the same in both engines

    @property
    def is_initial(self):
        return _INITIAL.match(self.tok) if self.tok.isascii() else super().is_initial

    @property
    def is_alpha(self):
        return _ALPHA.match(self.tok) if self.tok.isascii() else super().is_alpha

    @property
    def is_non_punct(self):
        return _NON_PUNCT.search(self.type) if self.type.isascii() else super().is_non_punct


class NewsPunktTokenizer(PunktSentenceTokenizer):
    """Punkt with fixed parameters and shortcuts for candidate breaks whose outcome Punkt cannot change."""

    def text_contains_sentbreak(self, text: str) -> bool:
        match = _PLAIN_BREAK.match(text)
        if match and match.group(1).lower() not in self._params.abbrev_types:
            return True
        match = _ABBREV_NO_BREAK.fullmatch(text)
        if match and match.group(1).lower() in self._params.abbrev_types:
            return False
        return super().text_contains_sentbreak(text)


@lru_cache(maxsize=1)
def sentence_tokenizer() -> PunktSentenceTokenizer:
    """The package's Punkt tokenizer (built once; needs no `nltk_data`)."""
    params = PunktParameters()
    params.abbrev_types = set(NEWS_ABBREVIATIONS)
    return NewsPunktTokenizer(params, lang_vars=NewsPunktLanguageVars(), token_cls=NewsPunktToken)


_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")  # a line with some non-space text


def split_sentences(text: str, *, paragraphs: bool = True) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``; ``text[start:end]`` is the sentence.

    Punkt with :data:`NEWS_ABBREVIATIONS`: "3 p.m. on Jan. 5" and "the U.S.-led coalition" stay in one sentence.
    With ``paragraphs=True`` (default) a line break also ends a sentence, so a heading, byline or caption
    without final punctuation is not glued to the next sentence; ``False`` gives plain Punkt on the whole text.
    """
    if not text:
        return []
    tokenizer = sentence_tokenizer()
    if not paragraphs or "\n" not in text:
        return list(tokenizer.span_tokenize(text))
    spans = []
    for par in _PARAGRAPH.finditer(text):
        start = par.start() + (len(par.group()) - len(par.group().lstrip()))
        chunk = text[start : par.end()].rstrip()
        spans.extend((start + s, start + e) for s, e in tokenizer.span_tokenize(chunk))
    return spans


# ---------------------------------------------------------------------------------------------------------------
# Word tokens. One compiled regex (C speed) instead of NLTK's ~30 regex substitutions per sentence. The token
# boundaries follow the Penn Treebank conventions of NLTK's `word_tokenize` wherever it splits (clitics "'s" and
# "n't", "cannot" -> "can not", "&", "$", "%", quotes, brackets, "--", commas and colons not between digits), so a
# Treebank token stream re-tokenised with this pattern gives exactly the same words (see benchmarks/bench_analyze.py).
# Words keep inner hyphens and periods ("al-assad", "u.s.-led", "u.s", "3,000", "10:30") but lose final periods
# ("Jan." -> "jan"). Punctuation-only tokens are not produced.
_CLITICS = r"'(?:s|m|d|ll|re|ve)\b|n't\b"
TOKEN_PATTERN = re.compile(
    r"""
      \b(?:can(?=not\b)|gim(?=me\b)|gon(?=na\b)|got(?=ta\b)|lem(?=me\b)|wan(?=na\b))   # Treebank's split words
    | \w+?(?=n't\b)                                                  # "do" of "don't", "ca" of "can't"
    | """
    + _CLITICS
    + r"""                                          # clitics as their own tokens
    | \w+(?:(?:\.-|[-.]|(?<=\d)[,:](?=\d)|'(?!(?:s|m|d|ll|re|ve|t)\b))\w+)*   # words with inner - . ' and 3,000
    """,
    re.IGNORECASE | re.VERBOSE,
)
_NUMBER = re.compile(r"[\d.,:\-]+")
# Fast path: the word branch of TOKEN_PATTERN with apostrophes allowed inside words is 4x faster; the few tokens
# that hold an apostrophe or start with "cannot"-type words are re-split with TOKEN_PATTERN, which gives exactly
# the tokens TOKEN_PATTERN gives on the whole text (tests/test_text.py checks this on real news).
_SIMPLE = re.compile(r"\w+(?:(?:\.-|[-.']|(?<=\d)[,:](?=\d))\w+)*")
_SPECIAL = re.compile(r"cannot|gimme|gonna|gotta|lemme|wanna")  # a prefilter on the lower-cased text
_LONE_CLITIC = re.compile(r"(?<!\w)'(?:s|m|d|ll|re|ve)\b", re.IGNORECASE)
_SPECIAL_PREFIXES = ("can", "gim", "gon", "got", "lem", "wan")


def split_words(text: str) -> list[str]:
    """Word tokens of ``text`` exactly as ``TOKEN_PATTERN.findall(text)``, about 4x faster (no case change)."""
    tokens = _SIMPLE.findall(text)
    if "'" not in text and not _SPECIAL.search(text.lower()):
        return tokens
    if _LONE_CLITIC.search(text):  # "'s" after a space or quote: a token the fast pattern cannot start
        return TOKEN_PATTERN.findall(text)
    out: list[str] = []
    for tok in tokens:
        if "'" in tok or tok.lower().startswith(_SPECIAL_PREFIXES):
            out.extend(TOKEN_PATTERN.findall(tok))
        else:
            out.append(tok)
    return out


def find_token_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the word tokens of ``text`` (same tokens as :func:`tokenize`)."""
    return [m.span() for m in TOKEN_PATTERN.finditer(text)]


def tokenize(
    text: str,
    *,
    lowercase: bool = True,
    include_numbers: bool = True,
    split_hyphens: bool = False,
    stopwords: Iterable[str] | None = None,
    min_length: int = 1,
    phrases: Iterable[str] | None = None,
) -> list[str]:
    """Word tokens of ``text``: lower-cased, punctuation dropped, hyphenated names kept whole.

    - "al-Assad" -> ``al-assad`` and "U.S.-led" -> ``u.s.-led`` (``split_hyphens=True`` gives ``al``, ``assad``).
    - "Assad's" -> ``assad``, ``'s``; "don't" -> ``do``, ``n't`` (Penn Treebank clitics, like NLTK).
    - Multi-word names such as "Deir Ezzor" are two tokens unless listed in ``phrases``, which joins them
      into one token with an underscore (``deir_ezzor``), like quanteda's ``tokens_compound``.
    - ``stopwords``: tokens to drop (e.g. ``load_stopwords()``), applied after joining phrases;
      ``include_numbers=False`` drops tokens made only of digits and separators; ``min_length`` drops short tokens.
    """
    tokens = split_words(text.lower() if lowercase else text)
    if split_hyphens:
        tokens = [part for tok in tokens for part in tok.split("-") if part]
    if phrases:
        tokens = join_phrases(tokens, phrases, lowercase=lowercase)
    if not include_numbers:
        tokens = [t for t in tokens if not _NUMBER.fullmatch(t)]
    if stopwords is not None:
        stop = stopwords if isinstance(stopwords, (set, frozenset)) else set(stopwords)
        tokens = [t for t in tokens if t not in stop]
    if min_length > 1:
        tokens = [t for t in tokens if len(t) >= min_length]
    return tokens


def join_phrases(tokens: Sequence[str], phrases: Iterable[str], *, sep: str = "_", lowercase: bool = True) -> list[str]:
    """Join consecutive tokens that spell one of ``phrases`` ("Deir Ezzor") into one token (``deir_ezzor``).

    Longest match first; phrases are tokenised like the text, so "Deir ez-Zor" matches ``deir``, ``ez-zor``.
    """
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        parts = tuple(TOKEN_PATTERN.findall(phrase.lower() if lowercase else phrase))
        if len(parts) > 1:
            by_first.setdefault(parts[0], []).append(parts)
    for first in by_first:
        by_first[first].sort(key=len, reverse=True)
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        for parts in by_first.get(tokens[i], ()):
            if tuple(tokens[i : i + len(parts)]) == parts:
                out.append(sep.join(parts))
                i += len(parts)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def ngrams(tokens: Sequence[str], n: int = 2, *, sep: str = " ") -> list[str]:
    """The ``n``-grams of ``tokens`` joined by ``sep`` (``n=1`` returns the tokens)."""
    if n < 1:
        from analysis.errors import ParameterError

        raise ParameterError(f"ngram size must be 1 or more, got {n}")
    if n == 1:
        return list(tokens)
    return [sep.join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def load_stopwords(path: str | Path | None = None, *, extend: bool = False) -> frozenset[str]:
    """English stopwords: the packaged list (``resources/stopwords_en.yaml``) or your own YAML/text file.

    A user file is YAML with a ``words:`` list, or plain text with one word per line (``#`` comments).
    ``extend=True`` (or ``extends: builtin`` in the YAML file) adds the user's words to the packaged list instead of
    replacing it.
    """
    if path is not None and Path(path).suffix in (".yaml", ".yml") and Path(path).is_file():
        data = load_yaml(Path(path), what="stopword file")  # the override rule: `extends: builtin` adds
        if isinstance(data, dict) and data.get(EXTENDS_KEY) is not None:
            extend = wants_extend(data, Path(path), default=extend)
    words = set(_load_stopword_file(config.resource("stopwords_en.yaml"))) if path is None or extend else set()
    if path is not None:
        words |= set(_load_stopword_file(Path(path)))
    return frozenset(words)


def resolve_stopwords(stopwords) -> frozenset[str] | None:
    """A table function's ``stopwords=`` argument as a set: None/False none, True the packaged list, a path that
    file (:func:`load_stopwords`), an iterable those words (lower-cased)."""
    if stopwords is None or stopwords is False:
        return None
    if stopwords is True:
        return load_stopwords()
    if isinstance(stopwords, str):
        return load_stopwords(stopwords)
    return frozenset(str(w).lower() for w in stopwords)


def stopwords_version(path: str | Path | None = None) -> str:
    """The ``version:`` of a stopword YAML file (the packaged one by default)."""
    data = load_yaml(Path(path or config.resource("stopwords_en.yaml")), what="stopword file")
    return str(data.get("version", "unversioned")) if isinstance(data, dict) else "unversioned"


@lru_cache(maxsize=8)
def _load_stopword_file(path: Path) -> tuple[str, ...]:
    if not path.exists():
        raise ResourceError(f"stopword file {path} does not exist: pass the path of a YAML or text file")
    if path.suffix in (".yaml", ".yml"):
        data = load_yaml(path, what="stopword file")
        if not isinstance(data, dict) or not isinstance(data.get("words"), list):
            raise ResourceError(f"stopword file {path} needs a `words:` list (and a `version:`)")
        words = data["words"]
        odd = [w for w in words if isinstance(w, bool) or not isinstance(w, (str, int, float))]
        if odd:  # YAML reads bare on/off/yes/no as booleans
            raise ResourceError(f'stopword file {path}: entries {odd[:3]} are not words; quote them, e.g. "on"')
    else:
        words = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return tuple(str(w).strip().lower() for w in words if str(w).strip())
