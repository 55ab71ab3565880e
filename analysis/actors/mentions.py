"""Finding actor and place mentions in text, and counting them by group and period (mentions, co-occurrence)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.actors.dictionary import ActorDictionary, default_dictionary, find_dictionary
from analysis.actors.matcher import normalise
from analysis.actors.mention_counts import MentionSums, count_mention_file, sum_mention_file
from analysis.actors.places import roll_up_places
from analysis.aggregate import TableFile, find_table, number_cells
from analysis.errors import ParameterError
from analysis.selection import (
    PERIOD,
    Groups,
    as_list,
    complete_periods,
    drop_small_groups,
    group_documents,
    select_documents,
)
from analysis.tables import require_columns


# ------------------------------------------------------------------------------------------------ finding mentions
def _as_documents(texts_or_corpus) -> tuple[pd.DataFrame, bool]:
    """(doc_id, text[, sent_id, start]) frame and whether it is a sentence table."""
    if isinstance(texts_or_corpus, str):
        return pd.DataFrame({"doc_id": ["0"], "text": [texts_or_corpus]}), False
    if isinstance(texts_or_corpus, pd.Series):
        return pd.DataFrame({"doc_id": texts_or_corpus.index.astype(str), "text": texts_or_corpus.to_numpy()}), False
    if isinstance(texts_or_corpus, pd.DataFrame):
        require_columns(texts_or_corpus, ["doc_id", "text"], what="corpus")
        is_sent = "sent_id" in texts_or_corpus.columns
        if is_sent:
            require_columns(texts_or_corpus, ["start"], what="sentence table")
        return texts_or_corpus, is_sent
    try:
        texts = list(texts_or_corpus)
    except TypeError:
        raise ParameterError(
            f"find_mentions needs a text, a list of texts, a Series or a corpus DataFrame, "
            f"not {type(texts_or_corpus).__name__}"
        ) from None
    return pd.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts}), False


def _empty_mentions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": pd.Series([], dtype=object),
            "sent_id": pd.Series([], dtype="Int64"),
            "actor_id": pd.Series([], dtype=object),
            "kind": pd.Series([], dtype=object),
            "start": pd.Series([], dtype="int64"),
            "end": pd.Series([], dtype="int64"),
            "matched": pd.Series([], dtype=object),
        }
    )


def find_mentions(
    texts_or_corpus,
    *,
    dictionary: ActorDictionary | None = None,
    sentences: pd.DataFrame | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Every mention of an actor or place: doc_id, sent_id, actor_id, kind, start, end, matched.

    ``texts_or_corpus``: a corpus DataFrame (doc_id, text), a sentence table (doc_id, sent_id, start, text), a Series
    (index = doc_id), a list of texts or one text. ``start``/``end`` are character offsets into the document text
    (``text[start:end] == matched``). ``sent_id`` is filled when ``sentences`` (doc_id, sent_id, start) is given or
    the input is a sentence table; otherwise it is <NA>. ``actor_id`` holds actor and place ids alike; ``kind``
    says which ('actor' | 'place'). Longest match wins; a character belongs to at most one mention.
    """
    if kind not in (None, "actor", "place"):
        raise ParameterError(f"kind {kind!r} must be 'actor', 'place' or None (both)")
    dictionary = dictionary or default_dictionary()
    docs, is_sent = _as_documents(texts_or_corpus)
    matcher = dictionary._matcher_obj()
    kinds = {eid: e.kind for eid, e in dictionary.entries.items()}
    rows_doc, rows_sent, rows_id, rows_start, rows_end, rows_text = [], [], [], [], [], []
    sent_ids = docs["sent_id"].to_numpy() if is_sent else None
    offsets = docs["start"].to_numpy() if is_sent else None
    for i, (doc_id, text) in enumerate(zip(docs["doc_id"].to_numpy(), docs["text"].to_numpy())):
        if not isinstance(text, str) or not text:
            continue
        found = matcher.find(normalise(text))
        if kind is not None:
            found = [m for m in found if kinds[m[2]] == kind]
        if not found:
            continue
        base = int(offsets[i]) if is_sent else 0
        for s, e, eid in found:
            rows_doc.append(doc_id)
            rows_start.append(s + base)
            rows_end.append(e + base)
            rows_id.append(eid)
            rows_text.append(text[s:e])
        if is_sent:
            rows_sent.extend([sent_ids[i]] * len(found))
    if not rows_doc:
        return _empty_mentions()
    out = pd.DataFrame(
        {
            "doc_id": pd.array(rows_doc, dtype=object),
            "sent_id": pd.array(rows_sent if is_sent else [pd.NA] * len(rows_doc), dtype="Int64"),
            "actor_id": pd.array(rows_id, dtype=object),
            "kind": pd.array([kinds[i] for i in rows_id], dtype=object),
            "start": np.asarray(rows_start, dtype="int64"),
            "end": np.asarray(rows_end, dtype="int64"),
            "matched": pd.array(rows_text, dtype=object),
        }
    )
    if sentences is not None and not is_sent:
        out = _assign_sentences(out, sentences)
    return out.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


def _assign_sentences(mentions: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Fill sent_id with the sentence (doc_id, sent_id, start) holding each mention's first character.

    One sorted search over (document, start) keys: the sentence of the same document with the last start at or
    before the mention's start (<NA> when the document has no such sentence). Row order is kept.
    """
    require_columns(sentences, ["doc_id", "sent_id", "start"], what="sentence table")
    n_sent = len(sentences)
    codes, _ = pd.factorize(pd.concat([sentences["doc_id"].astype(str), mentions["doc_id"].astype(str)]).to_numpy())
    codes = codes.astype("int64")
    s_key = (codes[:n_sent] << 32) | sentences["start"].to_numpy(dtype="int64")
    m_key = (codes[n_sent:] << 32) | mentions["start"].to_numpy(dtype="int64")
    order = np.argsort(s_key, kind="stable")
    s_key, s_doc = s_key[order], codes[:n_sent][order]
    s_id = sentences["sent_id"].to_numpy()[order]
    pos = np.maximum(np.searchsorted(s_key, m_key, side="right") - 1, 0)
    found = (
        np.zeros(len(mentions), dtype=bool) if not n_sent else (s_key[pos] <= m_key) & (s_doc[pos] == codes[n_sent:])
    )
    sent_id = pd.array(s_id[pos] if n_sent else np.zeros(len(mentions), dtype="int64"), dtype="Int64")
    sent_id[~found] = pd.NA
    return mentions.assign(sent_id=sent_id)[list(mentions.columns)]


def analyze_chunk(
    docs: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    dictionary: tuple[str, ...] = (),
    nominal: bool = False,
    nested: bool = False,
) -> dict[str, pd.DataFrame]:
    """Pipeline stage: ``mentions`` (doc_id, sent_id, actor_id, kind, start, end, matched, tone, tone_polarity).

    ``tone`` is the target-dependent sentiment of the mention's sentence towards it (see actors.tone).
    ``dictionary``: the user dictionary files (``analyze --actors/--places``) by path; none: the built-in one.
    Also ``unlisted_mentions`` (actors.mention_rules): nationalities and names no entry resolves; nationality
    adjectives that stand for a state ("Turkish diplomats") are in ``mentions``. ``nominal=True`` adds the
    common-noun and pronoun mentions ("the army", "he": kinds ``nominal``, ``pronoun``) to ``unlisted_mentions``;
    ``nested=True`` adds the spans inside and around the mentions that re3d annotates (kind ``nested``: "ISIL" in
    "ISIL tactical units", the phrase around a name) to it. Neither changes ``mentions``.
    """
    from analysis.actors import mention_rules  # builds on this module
    from analysis.actors.tone import score_mention_tone  # tone imports this module's helpers

    found, unlisted = mention_rules.find_all_mentions(
        docs, sentences=sentences, dictionary=find_dictionary(dictionary), nominal=nominal, nested=nested
    )
    return {"mentions": score_mention_tone(found, sentences), "unlisted_mentions": unlisted}


# ----------------------------------------------------------------------------------------------------------- counts
def _labels(dictionary: ActorDictionary) -> dict[str, str]:
    return {eid: e.label for eid, e in dictionary.entries.items()}


def _select_mentions(mentions: pd.DataFrame, *, kind: str | None, actors) -> pd.DataFrame:
    require_columns(mentions, ["doc_id", "actor_id", "kind"], what="mentions table")
    if kind not in (None, "actor", "place"):
        raise ParameterError(f"kind {kind!r} must be 'actor', 'place' or None (both)")
    out = mentions if kind is None else mentions[mentions["kind"] == kind]
    if actors is not None:
        actors = [actors] if isinstance(actors, str) else list(actors)
        known = set(mentions["actor_id"])
        missing = sorted(set(actors) - known)
        if missing and len(missing) == len(actors):
            raise ParameterError(
                f"none of the actors {missing} is mentioned in this table; e.g. {', '.join(sorted(known)[:8])}"
            )
        out = out[out["actor_id"].isin(actors)]
    return out


def _groups(corpus: pd.DataFrame, *, by, freq, start, end, outlets, include_duplicates) -> Groups:
    """The selected articles keyed by ``by`` and ``freq`` (analysis.selection); actors and kinds are never ``by``."""
    bad = [b for b in as_list(by) if b in ("actor_id", "kind", "period")]
    if bad:
        raise ParameterError(
            f"by={bad}: actors are always a key and periods come from freq=; "
            f"use corpus columns such as 'outlet' or 'agency'"
        )
    return group_documents(
        corpus,
        by=by,
        freq=freq,
        start=start,
        end=end,
        outlets=outlets,
        include_duplicates=include_duplicates,
        columns=["n_words"],
    )


def count_mentions(
    mentions: pd.DataFrame,
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
    kind: str | None = None,
    actors=None,
    dictionary: ActorDictionary | None = None,
    roll_up: str | None = None,
) -> pd.DataFrame:
    """Mentions of each actor/place per group: raw, per 1,000 words, and share of articles mentioning it.

    ``mentions`` comes from :func:`find_mentions` (or ``mentions.parquet``), ``corpus`` gives the denominators
    (doc_id, n_words and the ``by`` columns such as 'outlet' or 'agency'; 'published' when ``freq`` is given).
    Rows: one per group x period x actor mentioned in the selection, zeros included (every period of the window).
    Columns: [by...], [period], actor_id, kind, label, n_mentions, n_articles_mentioning, n_articles, n_words,
    mentions_per_1000_words, share_of_articles. ``min_count`` applies to ``n_mentions``, ``min_docs`` to
    ``n_articles`` (see analysis.selection). Undated articles are left out when ``freq`` is given.
    ``roll_up="city"`` counts districts and neighbourhoods as their city (East Aleppo -> Aleppo), ``"province"``
    every place as its province (Manbij -> Aleppo province), by the gazetteer's hierarchy
    (:func:`analysis.actors.places.find_place_parents`); ``actors`` then names the rolled-up ids.
    """
    dictionary = dictionary or default_dictionary()
    require_columns(corpus, ["doc_id", "n_words"], what="corpus")
    groups = _groups(
        corpus, by=by, freq=freq, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates
    )
    keys, docs = groups.keys, groups.docs
    num = None
    if isinstance(mentions, MentionSums):  # counted per cell by sum_mentions: from the cells when they give it
        num = mentions.count_groups(groups, kind=kind, actors=actors, roll_up=roll_up)
        mentions = mentions.path  # else from the file
    mentions = find_table(mentions, "mentions", columns=["doc_id", "actor_id", "kind"])
    if num is None and isinstance(mentions, TableFile):  # an analysis: summed in DuckDB from mentions.parquet
        num = count_mention_file(mentions, groups, kind=kind, actors=actors, roll_up=roll_up, dictionary=dictionary)
    elif num is None:
        mentions = roll_up_places(mentions, level=roll_up, dictionary=dictionary)
        m = groups.join(_select_mentions(mentions, kind=kind, actors=actors)[["doc_id", "actor_id", "kind"]])
        num = (
            m.groupby([*keys, "actor_id"])
            .agg(n_mentions=("doc_id", "size"), n_articles_mentioning=("doc_id", "nunique"))
            .reset_index()
        )
        num["kind"] = num["actor_id"].map(m.drop_duplicates("actor_id").set_index("actor_id")["kind"])
    keep = sorted(num["actor_id"].unique())
    if keys:
        denom = (
            docs.groupby(keys, sort=True).agg(n_articles=("doc_id", "size"), n_words=("n_words", "sum")).reset_index()
        )
        denom = complete_periods(
            denom, groups, combos=[k for k in keys if k != PERIOD], fill={"n_articles": 0, "n_words": 0}
        )
    else:
        denom = pd.DataFrame({"n_articles": [len(docs)], "n_words": [docs["n_words"].sum()]})
    kinds = num.drop_duplicates("actor_id").set_index("actor_id")["kind"]
    grid = denom.merge(pd.DataFrame({"actor_id": keep}), how="cross")
    if len(num):
        grid = grid.merge(num.drop(columns="kind"), on=[*keys, "actor_id"], how="left")
    else:
        grid["n_mentions"], grid["n_articles_mentioning"] = 0, 0
    grid[["n_mentions", "n_articles_mentioning"]] = grid[["n_mentions", "n_articles_mentioning"]].fillna(0)
    grid = grid.astype(
        {"n_mentions": "int64", "n_articles_mentioning": "int64", "n_articles": "int64", "n_words": "int64"}
    )
    grid["kind"] = grid["actor_id"].map(kinds)
    grid["label"] = grid["actor_id"].map(_labels(dictionary)).fillna(grid["actor_id"])
    words = grid["n_words"].where(grid["n_words"] > 0)
    grid["mentions_per_1000_words"] = (grid["n_mentions"] * 1000 / words).astype("float64")
    grid["share_of_articles"] = (
        grid["n_articles_mentioning"] / grid["n_articles"].where(grid["n_articles"] > 0)
    ).astype("float64")
    cols = [
        *keys,
        "actor_id",
        "kind",
        "label",
        "n_mentions",
        "n_articles_mentioning",
        "n_articles",
        "n_words",
        "mentions_per_1000_words",
        "share_of_articles",
    ]
    grid = drop_small_groups(grid[grid["n_mentions"] >= min_count], groups, min_docs)
    return grid[cols].sort_values([*keys, "actor_id"], kind="stable").reset_index(drop=True)


def sum_mentions(
    mentions,
    documents: pd.DataFrame,
    *,
    by: str | None = None,
    freq: str | None = None,
    kind: str | None = None,
    actors=None,
    roll_up: str | None = None,
    dictionary: ActorDictionary | None = None,
):
    """The mentions of the articles ``documents`` (doc_id, and ``by``/``published`` as needed) counted in one pass
    over the analysis ``mentions``' mentions.parquet, per cell of ``by`` (each value, missing apart) x period of
    ``freq`` (undated apart) and actor: a :class:`~analysis.actors.mention_counts.MentionSums` for
    :func:`count_mentions`, so that a report's actor tables overall, by ``by`` and by period make one pass, not one
    each. ``kind``, ``actors`` and ``roll_up`` as in :func:`count_mentions` (the tables asked of it must use the
    same; others are counted from the file).

    Without a local mentions file (a remote analysis, or ``mentions`` a DataFrame) ``mentions`` is returned
    unchanged: :func:`count_mentions` then works as it does on it.
    """
    source = find_table(mentions, "mentions", columns=["doc_id", "actor_id", "kind"])
    if not isinstance(source, TableFile):
        return mentions
    cells = number_cells(documents, by=by, freq=freq)
    return sum_mention_file(
        source,
        documents,
        cells,
        kind=kind,
        actors=actors,
        roll_up=roll_up,
        dictionary=dictionary or default_dictionary(),
    )


def count_cooccurrence(
    mentions: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    level: str = "sentence",
    sentences: pd.DataFrame | None = None,
    start=None,
    end=None,
    outlets=None,
    include_duplicates: bool = True,
    kind: str | None = "actor",
    min_count: int = 1,
    as_matrix: bool = False,
    dictionary: ActorDictionary | None = None,
) -> pd.DataFrame:
    """How often two actors are mentioned in the same sentence (``level='sentence'``) or article ('document').

    Long table, one row per pair (``actor_a`` < ``actor_b``): n_both (units mentioning both), n_a, n_b (units
    mentioning each), n_units (all units: the selected articles, or the sentences of ``sentences`` if given, else
    the sentences with any mention), jaccard = n_both / (n_a + n_b - n_both), lift = n_both * n_units / (n_a * n_b)
    (> 1: together more often than chance), and label_a, label_b (the actors' labels in ``dictionary``, default the
    built-in one). Pairs with n_both >= ``min_count``, sorted by n_both (desc).
    ``corpus`` restricts to start/end/outlets/include_duplicates. ``as_matrix=True`` returns the symmetric
    actor-by-actor matrix of n_both instead (diagonal: n units mentioning the actor).
    """
    if level not in ("sentence", "document"):
        raise ParameterError(f"level {level!r} must be 'sentence' or 'document'")
    source = find_table(mentions, "mentions")
    if as_matrix and isinstance(source, TableFile):  # the matrix is built in pandas
        source = mentions.mentions
    n_docs = None
    if corpus is not None:
        docs = select_documents(corpus, start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
        n_docs = len(docs)
    elif start is not None or end is not None or outlets is not None or not include_duplicates:
        raise ParameterError("start/end/outlets/include_duplicates need corpus= (the articles table)")
    if isinstance(source, TableFile):  # an analysis: pairs counted in DuckDB from mentions.parquet
        from analysis.actors.mention_counts import count_cooccurrence_file

        both, per_actor, n_found = count_cooccurrence_file(
            source, docs["doc_id"] if corpus is not None else None, level=level, kind=kind, min_count=min_count
        )
        return _pair_table(
            both,
            per_actor,
            _count_units(level, n_docs, n_found, sentences, docs if corpus is not None else None),
            level=level,
            min_count=min_count,
            dictionary=dictionary,
        )
    m = _select_mentions(source, kind=kind, actors=None)
    if corpus is not None:
        m = m[m["doc_id"].isin(docs["doc_id"])]
    unit = ["doc_id"]
    if level == "sentence":
        require_columns(m, ["sent_id"], what="mentions table")
        if m["sent_id"].isna().any():
            raise ParameterError(
                "mentions have no sent_id: use find_mentions(corpus, sentences=...) or "
                "mentions.parquet from `python -m analysis analyze`, or level='document'"
            )
        unit = ["doc_id", "sent_id"]
    pairs_in = m[[*unit, "actor_id"]].drop_duplicates()
    n_found = m["doc_id"].nunique() if level == "document" else len(pairs_in[unit].drop_duplicates())
    n_units = _count_units(level, n_docs, n_found, sentences, docs if corpus is not None else None)
    per_actor = pairs_in.groupby("actor_id").size()
    if as_matrix:
        both = pairs_in.merge(pairs_in, on=unit, suffixes=("_a", "_b"))
        mat = pd.crosstab(both["actor_id_a"], both["actor_id_b"])
        mat.index.name, mat.columns.name = "actor_id", None
        return mat
    both = pairs_in.merge(pairs_in, on=unit, suffixes=("_a", "_b"))
    both = both[both["actor_id_a"] < both["actor_id_b"]]
    both = both.groupby(["actor_id_a", "actor_id_b"]).size().rename("n_both").reset_index()
    return _pair_table(both, per_actor, n_units, level=level, min_count=min_count, dictionary=dictionary)


def _count_units(level: str, n_docs: int | None, n_found: int, sentences, docs) -> int:
    """The units of co-occurrence: the selected articles, the sentences of ``sentences``, or those found."""
    if level == "document":
        return n_docs if n_docs is not None else n_found
    if sentences is not None:
        require_columns(sentences, ["doc_id"], what="sentence table")
        return len(sentences) if docs is None else int(sentences["doc_id"].isin(docs["doc_id"]).sum())
    return n_found


def _pair_table(both, per_actor, n_units: int, *, level: str, min_count: int, dictionary) -> pd.DataFrame:
    """The co-occurrence table from pair counts (actor_id_a < actor_id_b, n_both) and units per actor."""
    out = both[both["n_both"] >= min_count].rename(columns={"actor_id_a": "actor_a", "actor_id_b": "actor_b"})
    out["n_a"] = out["actor_a"].map(per_actor).astype("int64")
    out["n_b"] = out["actor_b"].map(per_actor).astype("int64")
    out["n_units"] = int(n_units)
    out["level"] = level
    out["jaccard"] = out["n_both"] / (out["n_a"] + out["n_b"] - out["n_both"])
    out["lift"] = out["n_both"] * out["n_units"] / (out["n_a"] * out["n_b"])
    out = out.astype({"n_both": "int64"})
    labels = _labels(dictionary or default_dictionary())
    for side in ("a", "b"):
        out[f"label_{side}"] = out[f"actor_{side}"].map(labels).fillna(out[f"actor_{side}"])
    cols = ["actor_a", "actor_b", "label_a", "label_b", "level", "n_both", "n_a", "n_b", "n_units", "jaccard", "lift"]
    return (
        out[cols]
        .sort_values(["n_both", "actor_a", "actor_b"], ascending=[False, True, True], kind="stable")
        .reset_index(drop=True)
    )
