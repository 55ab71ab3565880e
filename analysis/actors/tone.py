"""The tone of the sentences that mention each actor (VADER compound), by group and period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.actors.dictionary import ActorDictionary, default_dictionary
from analysis.actors.mentions import _groups, _labels, _select_mentions
from analysis.errors import ParameterError
from analysis.tables import require_columns


def _sentence_scores(sentences: pd.DataFrame) -> pd.DataFrame:
    """doc_id, sent_id, vader_compound: from the table if present, else scored now with analysis.sentiment."""
    require_columns(sentences, ["doc_id", "sent_id"], what="sentence table")
    if "vader_compound" in sentences.columns:
        return sentences[["doc_id", "sent_id", "vader_compound"]]
    require_columns(sentences, ["text"], what="sentence table (no vader_compound column, so text is needed)")
    from analysis import sentiment  # only needed for standalone use; the pipeline already wrote the scores

    scores = sentiment.score_sentences(sentences["text"].fillna(""))
    return pd.DataFrame(
        {
            "doc_id": sentences["doc_id"].to_numpy(),
            "sent_id": sentences["sent_id"].to_numpy(),
            "vader_compound": scores["vader_compound"].to_numpy(),
        }
    )


def score_actor_tone(
    mentions: pd.DataFrame,
    sentences: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    by=None,
    freq: str | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    kind: str | None = "actor",
    actors=None,
    min_count: int = 1,
    threshold: float = 0.05,
    dictionary: ActorDictionary | None = None,
) -> pd.DataFrame:
    """Tone of the sentences that mention each actor: VADER compound averaged over those sentences.

    ``sentences``: doc_id, sent_id and vader_compound (``sentences.parquet`` from the pipeline) or text (scored
    here with analysis.sentiment). A sentence mentioning an actor twice counts once for that actor.
    ``corpus`` is needed for ``by`` (e.g. 'outlet'), ``freq`` and the selection options.
    Columns: [by...], [period], actor_id, kind, label, n_sentences, n_articles, mean_compound, sd_compound,
    se_compound, share_negative (compound <= -threshold), share_positive (>= threshold).
    Rows with fewer than ``min_count`` sentences are dropped.
    """
    dictionary = dictionary or default_dictionary()
    m = _select_mentions(mentions, kind=kind, actors=actors)
    require_columns(m, ["sent_id"], what="mentions table")
    if m["sent_id"].isna().any():
        raise ParameterError("mentions have no sent_id: use find_mentions(corpus, sentences=...) or mentions.parquet")
    keys: list[str] = []
    units = m[["doc_id", "sent_id", "actor_id", "kind"]].drop_duplicates(["doc_id", "sent_id", "actor_id"])
    if corpus is not None:
        require_columns(corpus, ["doc_id"], what="corpus")
        corpus = corpus if "n_words" in corpus.columns else corpus.assign(n_words=0)
        groups = _groups(
            corpus, by=by, freq=freq, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates
        )
        keys = groups.keys
        units = groups.join(units)
    elif by is not None or freq is not None or start is not None or end is not None or outlets is not None:
        raise ParameterError("by/freq/start/end/outlets need corpus= (the articles table)")
    scores = _sentence_scores(sentences)
    units = units.astype({"sent_id": "int64"}).merge(
        scores.astype({"sent_id": "int64"}), on=["doc_id", "sent_id"], how="inner"
    )
    comp = units["vader_compound"]
    units = units.assign(_neg=(comp <= -threshold).astype("float64"), _pos=(comp >= threshold).astype("float64"))
    out = (
        units.groupby([*keys, "actor_id", "kind"])
        .agg(
            n_sentences=("vader_compound", "size"),
            n_articles=("doc_id", "nunique"),
            mean_compound=("vader_compound", "mean"),
            sd_compound=("vader_compound", "std"),
            share_negative=("_neg", "mean"),
            share_positive=("_pos", "mean"),
        )
        .reset_index()
    )
    out = out[out["n_sentences"] >= min_count]
    out["se_compound"] = out["sd_compound"] / np.sqrt(out["n_sentences"])
    out["label"] = out["actor_id"].map(_labels(dictionary)).fillna(out["actor_id"])
    cols = [
        *keys,
        "actor_id",
        "kind",
        "label",
        "n_sentences",
        "n_articles",
        "mean_compound",
        "sd_compound",
        "se_compound",
        "share_negative",
        "share_positive",
    ]
    return out[cols].sort_values([*keys, "actor_id"], kind="stable").reset_index(drop=True)
