"""Mention counts summed in DuckDB straight from mentions.parquet (the report path on large corpora): the inputs of
:func:`analysis.actors.count_mentions` and :func:`analysis.actors.count_cooccurrence` for a table that is never
loaded into pandas (about 30 M rows at a million articles)."""

from __future__ import annotations

import numpy as np
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
    _kinds(kind)
    actors = _check_actors(path, actors, recode)
    doc_groups, key_table = aggregate.index_groups(groups.docs, groups.keys)
    counted = _count_rows(path, doc_groups, kind=kind, actors=actors, recode=recode)
    return _finish_counts(counted, key_table, groups.keys)


def _count_rows(path, doc_groups: pd.DataFrame, *, kind, actors, recode: dict) -> pd.DataFrame:
    """Per ``g`` of ``doc_groups`` and actor: ``g, actor_id, kind, n, n_docs``, summed in DuckDB."""
    keep = _kinds(kind)
    if actors is not None:
        keep["actor_id"] = actors
    return aggregate.count_rows_by_group(
        path,
        doc_groups,
        columns=["actor_id"],
        recode={"actor_id": recode} if recode else None,
        keep=keep,
        first=["kind"],
    )


def _finish_counts(counted: pd.DataFrame, key_table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The counts per ``g`` with their keys instead of ``g``, named and sorted as ``count_mention_file`` gives them."""
    out = key_table.merge(counted, on="g", how="inner").drop(columns="g")
    out = out.rename(columns={"n": "n_mentions", "n_docs": "n_articles_mentioning"})
    cols = [*keys, "actor_id", "kind", "n_mentions", "n_articles_mentioning"]
    return out[cols].sort_values([*keys, "actor_id"], kind="stable").reset_index(drop=True)


def _actor_list(actors) -> list[str] | None:
    return None if actors is None else ([actors] if isinstance(actors, str) else list(actors))


class MentionSums:
    """The mentions of an analysis' articles counted once per cell (:func:`analysis.actors.sum_mentions`): pass
    this to :func:`analysis.actors.count_mentions` instead of the analysis, so that a report's tables by outlet,
    by period and overall make one pass over mentions.parquet, not one each.

    A table whose groups are unions of cells (every cell's articles in one group, or all left out) and that asks
    for the same ``kind``, ``actors`` and ``roll_up`` is summed from the cells: mentions and distinct articles are
    integers, and an article lies in one cell only, so its sums are those of the file. Any other table is counted
    from the file as without it.
    """

    def __init__(self, path, doc_ids: np.ndarray, cells: np.ndarray, counts: pd.DataFrame, *, kind, actors, roll_up):
        self.path = path  # mentions.parquet, a TableFile
        self.doc_index = pd.Index(doc_ids)  # the articles counted, each with its cell number in ``cells``
        self.cells = cells
        self.counts = counts  # per (cell, actor): g (the cell), actor_id, kind, n, n_docs
        self.kind, self.actors, self.roll_up = kind, actors, roll_up

    def count_groups(self, groups: Groups, *, kind, actors, roll_up) -> pd.DataFrame | None:
        """:func:`count_mention_file`'s table from the cells, or None when they cannot give it."""
        if (kind, _actor_list(actors), roll_up) != (self.kind, self.actors, self.roll_up):
            return None
        doc_groups, key_table = aggregate.index_groups(groups.docs, groups.keys)
        found = aggregate.find_cell_groups(self.doc_index, self.cells, doc_groups["doc_id"], doc_groups["g"].to_numpy())
        if found is None:
            return None
        low, n_cells = found
        row_group = low[self.counts["g"].to_numpy()] if n_cells else np.array([], dtype="int64")
        use = row_group >= 0
        counted = (
            self.counts[use]
            .assign(g=row_group[use])
            .groupby(["g", "actor_id"], sort=False)
            .agg(kind=("kind", "min"), n=("n", "sum"), n_docs=("n_docs", "sum"))
            .reset_index()
        )
        return _finish_counts(counted, key_table, groups.keys)


def sum_mention_file(
    path, documents: pd.DataFrame, cells: np.ndarray, *, kind, actors, roll_up, dictionary: ActorDictionary
) -> MentionSums:
    """The mentions of ``documents`` (doc_id) counted per cell (``cells``: the cell number of each article) and
    actor, in one DuckDB pass, as a :class:`MentionSums`."""
    recode = find_place_parents(dictionary, level=roll_up) if roll_up is not None else {}
    _kinds(kind)
    actors = _check_actors(path, actors, recode)
    doc_ids = documents["doc_id"].to_numpy(dtype=object)
    counts = _count_rows(path, pd.DataFrame({"doc_id": doc_ids, "g": cells}), kind=kind, actors=actors, recode=recode)
    return MentionSums(path, doc_ids, cells, counts, kind=kind, actors=actors, roll_up=roll_up)


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
