"""Tone towards each actor (target-dependent, default) or of the sentences naming it (VADER), by group and period."""

from __future__ import annotations

import dataclasses
import math

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


def _tone_tables(mentions, sentences, corpus, *, kind, actors, method: str):
    """The mentions and sentences to score, read from an analysis' files (only the columns and rows needed: the
    selected articles' mentions of ``kind``) when ``mentions`` is an analysis; DataFrames are passed through."""
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
    m = load_table_columns(source, cols, doc_ids=doc_ids, equal=kind_filter)
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
    if batches is None or corpus is None:
        return _score_actor_tone(mentions, sentences, corpus, actors=actors, **options)
    # A table file: averaged in DuckDB and numpy (_tone_file_stats), a batch of actors at a time so that only one
    # batch's mention values are in memory. Every figure is a correctly rounded mean over one actor's rows: the
    # same numbers as the pandas path to the last bit.
    from analysis.aggregate import find_table

    require_columns(corpus, ["doc_id"], what="corpus")
    corpus = corpus if "n_words" in corpus.columns else corpus.assign(n_words=0)
    groups = _groups(
        corpus, by=by, freq=freq, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates
    )
    path = find_table(mentions, "mentions")
    out = pd.concat([_tone_file_stats(path, groups, kind=kind, actor_ids=b) for b in batches], ignore_index=True)
    return _finish_tone(out.sort_values([*groups.keys, "actor_id"], kind="stable"), groups.keys, **options)


# mentions per batch when the tone is averaged from a table file (40 bytes a mention come back from DuckDB)
TONE_BATCH_ROWS = 4_000_000


def _actor_batches(mentions, *, kind, actors, method: str) -> list[list[str]] | None:
    """Actor ids in sorted batches of at most :data:`TONE_BATCH_ROWS` mentions (an actor with more is a batch of
    its own, ``[None]`` when all fit in one), when ``mentions`` is an analysis whose mentions file carries the
    target tone; else None (the pandas path, as for a DataFrame)."""
    from analysis.aggregate import TableFile, find_table, find_value_batches, read_table_columns

    source = find_table(mentions, "mentions")
    if not isinstance(source, TableFile) or actors is not None or method != "target":
        return None
    if not {"tone", "tone_polarity"} <= set(read_table_columns(source)):
        return None
    equal = None if kind is None else {"kind": kind}
    return find_value_batches(source, "actor_id", TONE_BATCH_ROWS, equal=equal) or [None]


def _tone_file_stats(path, groups, *, kind: str | None, actor_ids: list[str] | None) -> pd.DataFrame:
    """Per group and actor, from mentions.parquet: ``[*keys], actor_id, kind, n_sentences, n_articles, mean_tone,
    sd_tone, share_negative, share_positive``, as :func:`_score_actor_tone` computes them from the loaded table.

    DuckDB selects the mentions of the selected articles (of ``kind`` and of the actors ``actor_ids`` when given),
    forms the units (an actor in a sentence; the unit's kind is that of its first mention in the file, pandas'
    ``first``) and their means, and numbers the groups. A unit's mean is exact there when it has one or two
    mentions (``v`` or ``(a + b) / 2``: the correctly rounded sum is the plain one) and for the shares (counts of
    negative and positive mentions); the few units with more mentions get their tone from ``math.fsum`` in numpy,
    and so do the groups (:func:`analysis.aggregate.find_group_means`' rule): the same figures as the pandas path
    to the last bit, from about 40 bytes per unit.
    """
    from analysis.aggregate import _sorted_group_means, connection, index_groups

    doc_groups, key_table = index_groups(groups.docs, groups.keys)
    # the article as its row number in doc_groups: integer keys hash and count faster than the id strings
    tables = {"doc_groups": doc_groups[["doc_id", "g"]].assign(i=np.arange(len(doc_groups), dtype="int64"))}
    where = ["t.actor_id IS NOT NULL"]
    params: list = [str(path)]
    if kind is not None:
        where.append("t.kind = ?")
        params.append(kind)
    if actor_ids is not None:
        tables["batch"] = pd.DataFrame({"value": pd.array(list(actor_ids), dtype=object)})
        where.append("t.actor_id IN (SELECT value FROM batch)")
    scan = f"""(SELECT d.g AS g, d.i AS doc_id, t.sent_id AS sent_id, t.actor_id AS actor_id, t.kind AS kind,
                CAST(t.tone AS DOUBLE) AS tone, t.tone_polarity AS polarity, t.file_row_number AS rn
            FROM read_parquet(?, file_row_number = true) AS t JOIN doc_groups AS d ON t.doc_id = d.doc_id
            WHERE {" AND ".join(where)})"""
    with connection(tables) as con:
        con.execute(
            f"""CREATE TEMP TABLE u AS
            SELECT doc_id, sent_id, actor_id, any_value(g) AS g,
                   arg_min(kind, rn) FILTER (WHERE kind IS NOT NULL) AS kind, MIN(rn) AS first_rn,
                   COUNT(*) AS c, COUNT(tone) AS c_tone, MIN(tone) AS lo, MAX(tone) AS hi,
                   COUNT(*) FILTER (WHERE polarity = 'negative') AS n_neg,
                   COUNT(*) FILTER (WHERE polarity = 'positive') AS n_pos,
                   COUNT(*) FILTER (WHERE sent_id IS NULL) AS no_sentence
            FROM {scan} GROUP BY doc_id, sent_id, actor_id""",
            params,
        )
        if con.execute("SELECT COUNT(*) FROM u WHERE no_sentence > 0").fetchall()[0][0]:
            raise ParameterError(
                "mentions have no sent_id: use find_mentions(corpus, sentences=...) or mentions.parquet"
            )
        con.execute(
            """CREATE TEMP TABLE s AS
            SELECT *, CAST(row_number() OVER (ORDER BY g, actor_id, kind) - 1 AS BIGINT) AS gk FROM (
                SELECT g, actor_id, kind, CAST(COUNT(*) AS BIGINT) AS n_sentences,
                       CAST(COUNT(DISTINCT doc_id) AS BIGINT) AS n_articles
                FROM u WHERE kind IS NOT NULL GROUP BY ALL)"""
        )
        stats = con.sql("SELECT * FROM s ORDER BY gk").to_arrow_table().to_pandas()
        # per unit, in group order; a missing tone makes the unit's mean NaN, as a sum with a NaN does
        units = con.sql(
            """SELECT s.gk AS gk,
                CASE WHEN u.c_tone < u.c THEN CAST('nan' AS DOUBLE) WHEN u.c = 1 THEN u.lo
                     WHEN u.c = 2 THEN (u.lo + u.hi) / 2 END AS tone,
                CAST(u.n_neg AS DOUBLE) / u.c AS neg, CAST(u.n_pos AS DOUBLE) / u.c AS pos,
                CASE WHEN u.c > 2 AND u.c_tone = u.c THEN u.c END AS many
            FROM u JOIN s ON u.g = s.g AND u.actor_id = s.actor_id AND u.kind = s.kind
            ORDER BY s.gk, u.first_rn"""
        ).to_arrow_table()
        # every unit with a kind is in a group of s, numbered in (g, actor_id, kind) order: so these units need
        # no join with s to come in the order of the result above
        con.execute(
            """CREATE TEMP TABLE um AS SELECT doc_id, sent_id, actor_id, g, kind, first_rn
            FROM u WHERE c > 2 AND c_tone = c AND kind IS NOT NULL"""
        )
        many = con.sql(  # the mentions of those few units (a second scan, joined with a small table)
            f"""SELECT r.tone AS tone FROM {scan} AS r
            JOIN um ON r.doc_id = um.doc_id AND r.sent_id = um.sent_id AND r.actor_id = um.actor_id
            ORDER BY um.g, um.actor_id, um.kind, um.first_rn""",
            params=params,
        ).to_arrow_table()
    unit_group = units.column("gk").to_numpy()
    values = {f"_{c}": units.column(c).to_numpy().astype("float64") for c in ("tone", "neg", "pos")}
    sizes = units.column("many").to_numpy(zero_copy_only=False).astype("float64")  # NaN: not such a unit
    pick = np.flatnonzero(~np.isnan(sizes))
    if len(pick):  # the units of three or more mentions, in the same order in both results: their fsum means
        n = sizes[pick].astype("int64")
        tone = many.column("tone").to_numpy()
        sums = [math.fsum(tone[e - k : e]) for e, k in zip(np.cumsum(n), n)]
        values["_tone"][pick] = np.asarray(sums) / sizes[pick]
    del units, many
    per_group = _sorted_group_means(unit_group, len(stats), values, sd="_tone")
    stats = stats.assign(
        mean_tone=per_group["_tone"],
        sd_tone=per_group["_tone:sd"],
        share_negative=per_group["_neg"],
        share_positive=per_group["_pos"],
    )
    out = key_table.merge(stats.drop(columns="gk"), on="g", how="inner").drop(columns="g")
    return out[[*groups.keys, *stats.columns.drop(["g", "gk"])]]


def _score_actor_tone(
    mentions, sentences, corpus, *, by, freq, start, end, outlets, include_duplicates, kind, min_count, method,
    threshold, dictionary, actors=None,
) -> pd.DataFrame:  # fmt: skip
    """:func:`score_actor_tone` from the mentions loaded into pandas."""
    mentions, sentences = _tone_tables(mentions, sentences, corpus, kind=kind, actors=actors, method=method)
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
    for col, (_, values) in (codes or {}).items():
        if col != "doc_id":
            out[col] = values[out[col].to_numpy()]
    return _finish_tone(out, keys, min_count=min_count, method=method, dictionary=dictionary)


def _finish_tone(out: pd.DataFrame, keys: list[str], *, min_count: int, method: str, dictionary, **_) -> pd.DataFrame:
    """The per-group figures with the standard error, label and method, rows under ``min_count`` dropped, in the
    order of the keys and actor."""
    out = out[out["n_sentences"] >= min_count].copy()
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
