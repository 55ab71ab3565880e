"""VADER sentiment through NLTK's SentimentIntensityAnalyzer, with the lexicon of the `vaderSentiment` package, offline."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import nltk
import numpy as np
import pandas as pd

from analysis.errors import ResourceError
from analysis.tables import require_columns

# The pipeline runs this stage on English articles only (VADER is an English lexicon); see stages.select_stage_docs.
LANGUAGES = ("en",)

# VADER's own cut-offs for calling a compound score positive or negative (Hutto & Gilbert 2014, README of vaderSentiment).
THRESHOLD = 0.05
SENTENCE_COLUMNS = ["vader_neg", "vader_neu", "vader_pos", "vader_compound"]
DOCUMENT_COLUMNS = ["vader_compound", "vader_sent_mean", "vader_share_neg", "vader_share_pos"]


def _lexicon_source() -> Path:
    try:
        path = Path(str(resources.files("vaderSentiment") / "vader_lexicon.txt"))
    except ModuleNotFoundError as exc:
        raise ResourceError(
            "the VADER lexicon needs the `vaderSentiment` package: run `make setup` (or pip install vaderSentiment)"
        ) from exc
    if not path.exists():
        raise ResourceError(f"vaderSentiment is installed but {path} is missing: reinstall vaderSentiment")
    return path


@lru_cache(maxsize=1)
def lexicon_info() -> dict[str, str]:
    """Which implementation and lexicon score sentiment: recorded in every analysis manifest."""
    path = _lexicon_source()
    return {
        "implementation": "analysis.vader: NLTK's SentimentIntensityAnalyzer rules, equal scores "
        f"(tests/test_vader.py; nltk {nltk.__version__})",
        "lexicon": f"vaderSentiment {metadata.version('vaderSentiment')} vader_lexicon.txt",
        "lexicon_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, float]:
    """The VADER lexicon of vaderSentiment as ``{token: mean valence}`` (-4 .. 4), parsed as NLTK parses it."""
    from analysis.vader import parse_lexicon

    return parse_lexicon(_lexicon_source().read_text(encoding="utf-8"))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "conflict-news" / "nltk_data"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return path
    except OSError:  # read-only home (CI containers): fall back to the temp dir
        path = Path(tempfile.gettempdir()) / f"conflict-news-{os.getuid()}" / "nltk_data"
        path.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache(maxsize=1)
def _lexicon_resource() -> str:
    """Build ``<cache>/sentiment/vader_lexicon_<sha12>.zip`` once and put ``<cache>`` on ``nltk.data.path``.

    NLTK only loads resources found on its data path; this is the supported way to give it a lexicon without
    the downloader. The file name carries the lexicon hash, so a user's own nltk_data lexicon is never picked up
    instead, and a new vaderSentiment release builds a new zip.
    """
    source = _lexicon_source()
    sha12 = lexicon_info()["lexicon_sha256"][:12]
    root = _cache_dir()
    target = root / "sentiment" / f"vader_lexicon_{sha12}.zip"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # NLTK's reader splits on "\n" and needs every line to hold a word and a score: no trailing newline.
        content = source.read_text(encoding="utf-8").strip("\n")
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr("vader_lexicon/vader_lexicon.txt", content)
        os.replace(tmp, target)
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    return f"sentiment/{target.name}/vader_lexicon/vader_lexicon.txt"


@lru_cache(maxsize=1)
def analyzer():
    """NLTK's VADER ``SentimentIntensityAnalyzer`` loaded with the vaderSentiment lexicon (built once)."""
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer(lexicon_file=_lexicon_resource())


def score_text(text: str) -> dict[str, float]:
    """VADER scores of one text: ``{"neg", "neu", "pos", "compound"}`` exactly as NLTK returns them."""
    from analysis.vader import default_vader

    neg, neu, pos, compound = default_vader().score(text)
    return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}


def score_sentences(texts: Iterable[str]) -> pd.DataFrame:
    """VADER scores of each text (usually a sentence): columns vader_neg, vader_neu, vader_pos, vader_compound."""
    from analysis.vader import default_vader

    rows = default_vader().score_many(list(texts))
    return pd.DataFrame(np.array(rows, dtype="float64").reshape(-1, 4), columns=SENTENCE_COLUMNS)


def aggregate_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    """Per-document sentence aggregates from a table with doc_id and vader_compound.

    vader_sent_mean (mean sentence compound), vader_share_neg / vader_share_pos (share of sentences with compound
    <= -0.05 / >= 0.05). Documents without sentences are absent (the caller fills NaN).
    """
    require_columns(sentences, ["doc_id", "vader_compound"], what="sentence table")
    comp = sentences["vader_compound"]
    frame = pd.DataFrame(
        {
            "doc_id": sentences["doc_id"].to_numpy(),
            "vader_sent_mean": comp.to_numpy(),
            "vader_share_neg": (comp <= -THRESHOLD).to_numpy(dtype="float64"),
            "vader_share_pos": (comp >= THRESHOLD).to_numpy(dtype="float64"),
        }
    )
    return frame.groupby("doc_id", sort=True).mean().reset_index()


def score_documents(corpus: pd.DataFrame) -> pd.DataFrame:
    """Per-document VADER measures of a corpus (doc_id, text): one row per doc_id, sorted.

    vader_compound is VADER on the whole text (as in the VADER paper; it saturates towards +-1 on long articles);
    vader_sent_mean, vader_share_neg and vader_share_pos aggregate the sentence scores (Punkt sentences).
    """
    from analysis.text import split_sentences

    require_columns(corpus, ["doc_id", "text"], what="corpus")
    rows = []
    for doc_id, text in zip(corpus["doc_id"], corpus["text"].fillna("")):
        for i, (s, e) in enumerate(split_sentences(text)):
            rows.append((doc_id, i, text[s:e]))
    sentences = pd.DataFrame(rows, columns=["doc_id", "sent_id", "text"])
    return analyze_chunk(corpus, sentences)["documents_sentiment"]


def _score_chunk(docs: pd.DataFrame, sentences: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Sentence scores (rows of ``sentences``, 4 columns) and whole-text compounds (rows of ``docs``).

    With sentence offsets (the pipeline's table) each article is tokenised once for its sentences and its whole
    text (:meth:`analysis.vader.Vader.score_document`); otherwise sentences and texts are scored one by one.
    """
    from analysis.vader import default_vader

    vader = default_vader()
    sent_texts = sentences["text"].tolist()
    sent_scores = np.zeros((len(sent_texts), 4), dtype="float64")
    texts = docs["text"].fillna("").tolist()
    whole = np.zeros(len(texts), dtype="float64")
    if not {"start", "end"} <= set(sentences.columns):
        sent_scores[:] = np.array(vader.score_many(sent_texts), dtype="float64").reshape(-1, 4)
        whole[:] = [vader.score(t)[3] for t in texts]
        return sent_scores, whole
    rows_of: dict = {}
    for row, doc_id in enumerate(sentences["doc_id"].tolist()):
        rows_of.setdefault(doc_id, []).append(row)
    starts, ends = sentences["start"].tolist(), sentences["end"].tolist()
    done = np.zeros(len(sent_texts), dtype=bool)
    for k, (doc_id, text) in enumerate(zip(docs["doc_id"].tolist(), texts)):
        rows = rows_of.get(doc_id, [])
        spans = [(starts[r], ends[r]) for r in rows]
        if [text[s:e] for s, e in spans] == [sent_texts[r] for r in rows]:
            scores, whole_scores = vader.score_document(text, spans)
            if rows:
                sent_scores[rows] = scores
                done[rows] = True
            whole[k] = whole_scores[3]
        else:  # offsets that do not cut these sentences from this text: score each on its own
            whole[k] = vader.score(text)[3]
    rest = np.flatnonzero(~done)
    if len(rest):
        sent_scores[rest] = np.array(vader.score_many([sent_texts[r] for r in rest]), dtype="float64").reshape(-1, 4)
    return sent_scores, whole


def analyze_chunk(docs: pd.DataFrame, sentences: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Pipeline stage: sentence scores (``sentences_sentiment``) and document measures (``documents_sentiment``)."""
    sent_scores, whole_compound = _score_chunk(docs, sentences)
    scores = pd.DataFrame(sent_scores, columns=SENTENCE_COLUMNS)
    sent = pd.concat([sentences[["doc_id", "sent_id"]].reset_index(drop=True), scores], axis=1)
    whole = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy(), "vader_compound": whole_compound})
    agg = (
        aggregate_sentences(sent)
        if len(sent)
        else pd.DataFrame(columns=["doc_id", "vader_sent_mean", "vader_share_neg", "vader_share_pos"])
    )
    documents = whole.merge(agg, on="doc_id", how="left").sort_values("doc_id", kind="stable")
    documents[DOCUMENT_COLUMNS[1:]] = documents[DOCUMENT_COLUMNS[1:]].astype("float64")
    return {"sentences_sentiment": sent, "documents_sentiment": documents.reset_index(drop=True)}


def RESOURCE_VERSIONS() -> dict[str, str]:  # noqa: N802 - the name the pipeline looks up on every stage module
    """Versions of the resources this stage used (for manifest.json)."""
    return {"vader": lexicon_info()}


def score_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """Sentiment towards a target: ``frame`` (text, start, end) with ``polarity`` and signed ``score`` added.

    Target-dependent, unlike the sentence scores above: a linear model over features around the target span
    (analysis.target_sentiment, trained on NewsMTSC; see docs/actors.md for its validation figures).
    """
    from analysis.target_sentiment import score_targets as _score_targets

    return _score_targets(frame)
