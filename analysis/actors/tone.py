"""Tone towards each actor (target-dependent, default) or of the sentences naming it (VADER), by group and period."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.actors.dictionary import ActorDictionary, default_dictionary
from analysis.actors.mentions import _groups, _labels, _select_mentions
from analysis.aggregate import find_group_means
from analysis.errors import ParameterError
from analysis.tables import require_columns

METHODS = ("target", "sentence")
TONE_COLUMNS = ["tone", "tone_polarity"]


def score_mention_tone(mentions: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """``mentions`` with ``tone`` (-1 .. 1) and ``tone_polarity``: the sentiment of its sentence towards each mention.

    Scored by :func:`analysis.sentiment.score_targets` on the mention's sentence (``sentences``: doc_id, sent_id,
    start, text, as the pipeline builds them; mention offsets are document offsets). A mention running past its
    sentence's end is cut at the end. Every mention needs its sentence: a missing one is an error, not a gap.
    """
    from analysis.sentiment import score_targets

    require_columns(mentions, ["doc_id", "sent_id", "start", "end"], what="mentions table")
    require_columns(sentences, ["doc_id", "sent_id", "start", "text"], what="sentence table")
    out = mentions.drop(columns=[c for c in TONE_COLUMNS if c in mentions.columns]).reset_index(drop=True)
    if out.empty:
        return out.assign(tone=pd.Series(dtype="float64"), tone_polarity=pd.Series(dtype="string"))
    if out["sent_id"].isna().any():
        raise ParameterError("mentions have no sent_id: use find_mentions(corpus, sentences=...) or mentions.parquet")
    sent = sentences[["doc_id", "sent_id", "start", "text"]].rename(columns={"start": "_sent_start", "text": "_text"})
    joined = (
        out[["doc_id", "sent_id", "start", "end"]]
        .astype({"sent_id": "int64"})
        .merge(sent.astype({"sent_id": "int64"}), on=["doc_id", "sent_id"], how="left", validate="many_to_one")
    )
    missing = joined["_text"].isna()
    if missing.any():
        first = joined[missing].iloc[0]
        raise ParameterError(
            f"{int(missing.sum())} mention(s) have no sentence in the sentence table (first: doc {first['doc_id']}, "
            f"sentence {first['sent_id']}): pass the sentences the mentions were found in"
        )
    local_start = (joined["start"] - joined["_sent_start"]).to_numpy()
    local_end = np.minimum(joined["end"] - joined["_sent_start"], joined["_text"].str.len()).to_numpy()
    scored = score_targets(pd.DataFrame({"text": joined["_text"], "start": local_start, "end": local_end}))
    out["tone"] = scored["score"].to_numpy()
    out["tone_polarity"] = scored["polarity"].to_numpy()
    out["tone_polarity"] = out["tone_polarity"].astype("string")
    return out


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


def _tone_tables(mentions, sentences, corpus, *, kind, actors, method: str, actor_ids: list[str] | None = None):
    """The mentions and sentences to score, read from an analysis' files (only the columns and rows needed: the
    selected articles' mentions of ``kind``, of the actors ``actor_ids`` when given) when ``mentions`` is an
    analysis; DataFrames are passed through."""
    from analysis.aggregate import TableFile, find_table, load_table_columns, read_table_columns

    source = find_table(mentions, "mentions")
    if not isinstance(source, TableFile):
        return source, sentences if isinstance(sentences, pd.DataFrame) else mentions.sentences
    has_tone = {"tone", "tone_polarity"} <= set(read_table_columns(source))
    cols = ["doc_id", "sent_id", "actor_id", "kind", *(["tone", "tone_polarity"] if has_tone else ["start", "end"])]
    doc_ids = None if corpus is None else corpus["doc_id"]
    if actors is not None:  # unfiltered: the check that the actors are in the table looks at every row
        doc_ids, kind_filter = None, None
    else:
        kind_filter = {"kind": kind} if kind is not None else None
    batch = None if actor_ids is None else {"actor_id": actor_ids}
    m = load_table_columns(source, cols, doc_ids=doc_ids, equal=kind_filter, isin=batch)
    if isinstance(sentences, pd.DataFrame) or (method == "target" and has_tone):  # the target tone is in m
        return m, sentences
    if method == "sentence" and "vader_compound" in read_table_columns(mentions.path("sentences")):
        return m, mentions.table("sentences", columns=["doc_id", "sent_id", "vader_compound"])
    return m, mentions.sentences


def render_tone_method(method: str = "target") -> str:
    """One sentence naming the actor-tone method and its validation, for reports."""
    if method == "target":
        from analysis.target_sentiment import render_method

        return render_method()
    if method == "sentence":
        return (
            "Tone is the VADER compound of each sentence naming the actor (Hutto & Gilbert 2014), the same for every "
            "actor in the sentence: it measures the words of the events reported more than any stance towards the "
            "actor (macro F1 0.50 / 0.52 as tone towards a target on NewsMTSC's development parts)."
        )
    raise ParameterError(f"method {method!r} must be one of {', '.join(METHODS)}")


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
    method: str = "target",
    threshold: float = 0.05,
    dictionary: ActorDictionary | None = None,
) -> pd.DataFrame:
    """Tone towards each actor, one unit per sentence naming it, averaged by [group and] period.

    ``method="target"`` (default): the target-dependent score of each mention (``tone`` of ``mentions.parquet``
    from the pipeline, else scored here from ``sentences`` text with :func:`score_mention_tone`); a unit's tone is
    the mean over the actor's mentions in the sentence, its shares the share of those mentions classified
    negative / positive. Validated on NewsMTSC (docs/actors.md).
    ``method="sentence"``: the older measure, the VADER compound of the whole sentence (``vader_compound`` of
    ``sentences.parquet``, else scored from ``text``), the same for every actor the sentence names; negative /
    positive mean compound <= -threshold / >= threshold.
    ``corpus`` is needed for ``by`` (e.g. 'outlet'), ``freq`` and the selection options.
    Columns: [by...], [period], actor_id, kind, label, method, n_sentences, n_articles, mean_tone, sd_tone,
    se_tone, share_negative, share_positive. Rows with fewer than ``min_count`` sentences are dropped.
    """
    if method not in METHODS:
        raise ParameterError(f"method {method!r} must be one of {', '.join(METHODS)}")
    dictionary = dictionary or default_dictionary()
    options = dict(by=by, freq=freq, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates,
                   kind=kind, min_count=min_count, method=method, threshold=threshold, dictionary=dictionary)  # fmt: skip
    batches = _actor_batches(mentions, kind=kind, actors=actors, method=method)
    if batches is None:
        return _score_actor_tone(mentions, sentences, corpus, actors=actors, **options)
    # A large table file: the actors a batch at a time, so that only one batch's mentions are in memory. Every
    # figure is a mean over one actor's rows, in file order either way: the same numbers to the last bit.
    parts = [_score_actor_tone(mentions, sentences, corpus, actor_ids=b, **options) for b in batches]
    keys = list(parts[0].columns[: parts[0].columns.get_loc("actor_id")])  # the group and period columns lead
    return pd.concat(parts, ignore_index=True).sort_values([*keys, "actor_id"], kind="stable").reset_index(drop=True)


# mentions per batch when the tone is averaged from a table file (about 100 bytes per row in pandas at its peak)
TONE_BATCH_ROWS = 4_000_000


def _actor_batches(mentions, *, kind, actors, method: str) -> list[list[str]] | None:
    """Actor ids in sorted batches of at most :data:`TONE_BATCH_ROWS` mentions (an actor with more is a batch of
    its own), when ``mentions`` is an analysis whose mentions file holds more rows than that and carries the target
    tone; else None (one pass, as for a DataFrame)."""
    from analysis.aggregate import TableFile, find_table, find_value_batches, read_table_columns

    source = find_table(mentions, "mentions")
    if not isinstance(source, TableFile) or actors is not None or method != "target":
        return None
    if not {"tone", "tone_polarity"} <= set(read_table_columns(source)):
        return None
    return find_value_batches(source, "actor_id", TONE_BATCH_ROWS, equal=None if kind is None else {"kind": kind})


def _score_actor_tone(
    mentions, sentences, corpus, *, by, freq, start, end, outlets, include_duplicates, kind, min_count, method,
    threshold, dictionary, actors=None, actor_ids: list[str] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """:func:`score_actor_tone` over all mentions, or over those of the actors ``actor_ids`` (one batch)."""
    mentions, sentences = _tone_tables(
        mentions, sentences, corpus, kind=kind, actors=actors, method=method, actor_ids=actor_ids
    )
    m = _select_mentions(mentions, kind=kind, actors=actors)
    require_columns(m, ["sent_id"], what="mentions table")
    if m["sent_id"].isna().any():
        raise ParameterError("mentions have no sent_id: use find_mentions(corpus, sentences=...) or mentions.parquet")
    scored = method == "target" and set(TONE_COLUMNS) <= set(m.columns)  # else tone is scored from the sentences
    codes = _encode_keys(m) if scored else None
    if codes is not None:  # integer keys: a fraction of the memory of string keys, the same groups and order
        m = m.assign(doc_id=codes["doc_id"][0], actor_id=codes["actor_id"][0], kind=codes["kind"][0])
    units = _tone_units(m, sentences, method=method, threshold=threshold)
    keys: list[str] = []
    if corpus is not None:
        require_columns(corpus, ["doc_id"], what="corpus")
        corpus = corpus if "n_words" in corpus.columns else corpus.assign(n_words=0)
        groups = _groups(
            corpus, by=by, freq=freq, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates
        )
        keys = groups.keys
        if codes is not None:
            doc_code = pd.Index(codes["doc_id"][1]).get_indexer(groups.docs["doc_id"])
            groups = dataclasses.replace(groups, docs=groups.docs.assign(doc_id=doc_code))
        units = groups.join(units)
    elif by is not None or freq is not None or start is not None or end is not None or outlets is not None:
        raise ParameterError("by/freq/start/end/outlets need corpus= (the articles table)")
    grouped = units.groupby([*keys, "actor_id", "kind"])
    out = grouped.agg(n_sentences=("_tone", "size"), n_articles=("doc_id", "nunique")).reset_index()
    stats = find_group_means(units, grouped, ["_tone", "_neg", "_pos"], sd="_tone")
    out = out.assign(
        mean_tone=stats["_tone"], sd_tone=stats["_tone:sd"], share_negative=stats["_neg"], share_positive=stats["_pos"]
    )
    out = out[out["n_sentences"] >= min_count]
    for col, (_, values) in (codes or {}).items():
        if col != "doc_id":
            out[col] = values[out[col].to_numpy()]
    out["se_tone"] = out["sd_tone"] / np.sqrt(out["n_sentences"])
    out["label"] = out["actor_id"].map(_labels(dictionary)).fillna(out["actor_id"])
    out["method"] = method
    cols = [
        *keys,
        "actor_id",
        "kind",
        "label",
        "method",
        "n_sentences",
        "n_articles",
        "mean_tone",
        "sd_tone",
        "se_tone",
        "share_negative",
        "share_positive",
    ]
    return out[cols].sort_values([*keys, "actor_id"], kind="stable").reset_index(drop=True)


def _encode_keys(m: pd.DataFrame) -> dict[str, tuple[np.ndarray, pd.Index]] | None:
    """Integer codes and their values for doc_id, actor_id and kind (actor and kind codes in sorted order, so
    grouping by codes orders groups as grouping by the strings does); None when any is missing (pandas would drop
    those rows from a group-by, a code would not)."""
    out = {}
    for col, sort in (("doc_id", False), ("actor_id", True), ("kind", True)):
        codes, values = pd.factorize(m[col], sort=sort)
        if (codes < 0).any():
            return None
        out[col] = (codes, values)
    return out


def _tone_units(m: pd.DataFrame, sentences: pd.DataFrame, *, method: str, threshold: float) -> pd.DataFrame:
    """One row per (doc_id, sent_id, actor_id): kind, _tone, _neg, _pos."""
    key = ["doc_id", "sent_id", "actor_id"]
    if method == "sentence":
        units = m[[*key, "kind"]].drop_duplicates(key)
        scores = _sentence_scores(sentences)
        units = units.astype({"sent_id": "int64"}).merge(
            scores.astype({"sent_id": "int64"}), on=["doc_id", "sent_id"], how="inner"
        )
        comp = units.pop("vader_compound")
        return units.assign(
            _tone=comp, _neg=(comp <= -threshold).astype("float64"), _pos=(comp >= threshold).astype("float64")
        )
    if "tone" not in m.columns or "tone_polarity" not in m.columns:
        m = score_mention_tone(m, sentences)
    scored = (
        m[[*key, "kind"]]
        .astype({"sent_id": "int64"})
        .assign(
            _tone=m["tone"].to_numpy(dtype="float64"),
            _neg=(m["tone_polarity"] == "negative").to_numpy(dtype="float64"),
            _pos=(m["tone_polarity"] == "positive").to_numpy(dtype="float64"),
        )
    )
    grouped = scored.groupby(key, sort=False)
    units = grouped.agg(kind=("kind", "first")).reset_index()
    return units.assign(**find_group_means(scored, grouped, ["_tone", "_neg", "_pos"]))
