"""Places rolled up the gazetteer's hierarchy: districts and neighbourhoods to their city, places to their province."""

from __future__ import annotations

import pandas as pd

from analysis.actors.dictionary import ActorDictionary, default_dictionary
from analysis.errors import ParameterError
from analysis.tables import require_columns

#: The levels places can be rolled up to (None: as mentioned).
ROLL_UP_LEVELS = ("city", "province")
#: Place types that lie inside a city and count towards it (their ``parent`` in places.yaml).
WITHIN_CITY = ("district", "neighbourhood", "landmark")


def find_place_parents(dictionary: ActorDictionary | None = None, *, level: str = "city") -> dict[str, str]:
    """Place id -> the id it rolls up to at ``level``, from the gazetteer's own hierarchy (places.yaml):

    - ``"city"``: a district, neighbourhood or landmark counts towards its ``parent`` (followed up the chain:
      a Mosul neighbourhood -> west Mosul -> Mosul); every other place stays itself.
    - ``"province"``: every place with an ``admin`` (first-level division) counts towards the province entry of
      that country and division (Aleppo, East Aleppo, Manbij -> Aleppo province); a place whose division has no
      province entry rolls up to its city as above. Countries, regions and rivers stay themselves.

    Only ids that change are listed.
    """
    if level not in ROLL_UP_LEVELS:
        raise ParameterError(f"roll_up {level!r} must be one of {', '.join(ROLL_UP_LEVELS)} (or None)")
    places = (dictionary or default_dictionary()).places.set_index("id")
    kind, parent = places["type"].to_dict(), places["parent"].to_dict()

    def city(pid: str) -> str:
        seen = set()
        while kind.get(pid) in WITHIN_CITY and isinstance(parent.get(pid), str) and parent[pid] in kind:
            if pid in seen:  # a loop in a user's gazetteer: stop where it closes
                break
            seen.add(pid)
            pid = parent[pid]
        return pid

    out = {pid: city(pid) for pid in places.index}
    if level == "province":
        provinces = places[places["type"] == "province"]
        by_division = {
            (c, a): pid
            for pid, c, a in zip(provinces.index, provinces["country"], provinces["admin"])
            if isinstance(a, str)
        }
        for pid, c, a, t in zip(places.index, places["country"], places["admin"], places["type"]):
            if t not in ("country", "region", "river") and (c, a) in by_division:
                out[pid] = by_division[(c, a)]
    return {pid: to for pid, to in out.items() if to != pid}


def roll_up_places(
    mentions: pd.DataFrame, *, level: str | None = "city", dictionary: ActorDictionary | None = None
) -> pd.DataFrame:
    """A copy of ``mentions`` (or of any table with ``actor_id``) whose place ids are rolled up to ``level``
    (:func:`find_place_parents`); actors and places that do not move are unchanged. ``level=None``: unchanged."""
    if level is None:
        return mentions
    require_columns(mentions, ["actor_id"], what="mentions table")
    parents = find_place_parents(dictionary, level=level)
    return mentions.assign(actor_id=mentions["actor_id"].map(lambda a: parents.get(a, a)))
