"""Mention counts summed in DuckDB straight from mentions.parquet (the report path on large corpora): the inputs of
:func:`analysis.actors.count_mentions` and :func:`analysis.actors.count_cooccurrence` for a table that is never
loaded into pandas (about 30 M rows at a million articles)."""

from __future__ import annotations

import pandas as pd

from analysis import aggregate
from analysis.actors.dictionary import ActorDictionary
from analysis.actors.places import find_place_parents
from analysis.errors import ParameterError
from analysis.selection import Groups


def _kinds(kind: str | None) -> dict[str, list]:
    if kind not in (None, "actor", "place"):
        raise ParameterError(f"kind {kind!r} must be 'actor', 'place' or None (both)")
    return {} if kind is None else {"kind": [kind]}


def _check_actors(path, actors, recode: dict) -> list[str] | None:
    """``actors`` as a list, checked as :func:`analysis.actors.mentions._select_mentions` checks them: an error
    when none of them is in the table."""
    if actors is None:
        return None
    actors = [actors] if isinstance(actors, str) else list(actors)
    known = aggregate.run_query("SELECT DISTINCT actor_id FROM read_parquet(?)", params=[str(path)])["actor_id"]
    known = {recode.get(a, a) for a in known if a is not None}
    missing = sorted(set(actors) - known)
    if missing and len(missing) == len(actors):
        raise ParameterError(
            f"none of the actors {missing} is mentioned in this table; e.g. {', '.join(sorted(known)[:8])}"
        )
    return actors


def count_mention_file(
    path,
    groups: Groups,
    *,
    kind: str | None,
    actors,
    roll_up: str | None,
    dictionary: ActorDictionary,
) -> pd.DataFrame:
    """Per selected group and actor: ``[*keys], actor_id, kind, n_mentions, n_articles_mentioning`` (int64),
    sorted by the keys and actor, as ``count_mentions`` counts them from a DataFrame."""
    recode = find_place_parents(dictionary, level=roll_up) if roll_up is not None else {}
    keep = _kinds(kind)
    actors = _check_actors(path, actors, recode)
    if actors is not None:
        keep["actor_id"] = actors
    doc_groups, key_table = aggregate.index_groups(groups.docs, groups.keys)
    counted = aggregate.count_rows_by_group(
        path,
        doc_groups,
        columns=["actor_id"],
        recode={"actor_id": recode} if recode else None,
        keep=keep,
        first=["kind"],
    )
    out = key_table.merge(counted, on="g", how="inner").drop(columns="g")
    out = out.rename(columns={"n": "n_mentions", "n_docs": "n_articles_mentioning"})
    cols = [*groups.keys, "actor_id", "kind", "n_mentions", "n_articles_mentioning"]
    return out[cols].sort_values([*groups.keys, "actor_id"], kind="stable").reset_index(drop=True)


def count_cooccurrence_file(
    path, doc_ids: pd.Series | None, *, level: str, kind: str | None, min_count: int
) -> tuple[pd.DataFrame, pd.Series, int]:
    """``(pairs, per_actor, n_units)`` of ``count_cooccurrence`` for mentions.parquet: pairs ``actor_id_a <
    actor_id_b`` with ``n_both`` (sorted by the two ids), units per actor, and the number of units mentioning any."""
    unit = ["doc_id", "sent_id"] if level == "sentence" else ["doc_id"]
    pairs, per_item, n_units, null_unit = aggregate.count_unit_pairs(
        path, doc_ids, unit=unit, item="actor_id", keep=_kinds(kind), min_count=min_count
    )
    if null_unit:
        raise ParameterError(
            "mentions have no sent_id: use find_mentions(corpus, sentences=...) or "
            "mentions.parquet from `python -m analysis analyze`, or level='document'"
        )
    pairs = pairs.rename(columns={"a": "actor_id_a", "b": "actor_id_b"})
    pairs = pairs.sort_values(["actor_id_a", "actor_id_b"], kind="stable").reset_index(drop=True)
    per_actor = per_item.set_index("item")["n"].sort_index()
    per_actor.index.name = "actor_id"
    return pairs, per_actor, n_units
