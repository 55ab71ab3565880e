"""Actors and places: the dictionary and gazetteer, mention finding, counts, co-occurrence, tone and discovery.

``analysis.actors`` re-exports the public names of its modules::

    dictionary  load_dictionary, default_dictionary, find_dictionary, find_actor_id, find_place_id, ActorDictionary
    mentions    find_mentions, count_mentions, count_cooccurrence, sum_mentions (one pass for several count_mentions
                tables of a report; and the `analyze` stage, analyze_chunk)
    tone        score_actor_tone, score_mention_tone, render_tone_method
    discover    find_unlisted_names, score_place_agreement, load_fakes
    unlisted    count_unlisted_names (the report's table, from the analysis's unlisted mentions)
    places      roll_up_places, find_place_parents (districts -> city, places -> province)
    mention_rules  find_all_mentions, find_rule_mentions, load_mention_rules (nationalities, unlisted names,
                   common nouns and pronouns)
    name_tagger    load_tagger, name_features (the opt-in classifier typing unlisted names; not re-exported)
"""

from __future__ import annotations

from analysis.actors.dictionary import (
    ACTOR_TYPES,
    ACTORS_FILE,
    BUILTIN_FILES,
    MENTION_COLUMNS,
    PLACE_TYPES,
    PLACES_FILE,
    RESOURCE_VERSIONS,
    ActorDictionary,
    Entry,
    default_dictionary,
    find_actor_id,
    find_dictionary,
    find_file_versions,
    find_place_id,
    load_dictionary,
    parse_quanteda_dictionary,
)
from analysis.actors.discover import find_unlisted_names, load_fakes, score_place_agreement
from analysis.actors.mention_rules import find_all_mentions, find_rule_mentions, load_mention_rules  # noqa: I001
from analysis.actors.mentions import analyze_chunk, count_cooccurrence, count_mentions, find_mentions, sum_mentions
from analysis.actors.places import ROLL_UP_LEVELS, find_place_parents, roll_up_places
from analysis.actors.tone import TONE_COLUMNS, render_tone_method, score_actor_tone, score_mention_tone
from analysis.actors.unlisted import UNLISTED_NAME_COLUMNS, count_unlisted_names

# The pipeline runs this stage on English articles only (the actor dictionary and its rules are English).
LANGUAGES = ("en",)

__all__ = [
    "ACTORS_FILE",
    "BUILTIN_FILES",
    "ACTOR_TYPES",
    "ActorDictionary",
    "Entry",
    "LANGUAGES",
    "MENTION_COLUMNS",
    "PLACES_FILE",
    "PLACE_TYPES",
    "RESOURCE_VERSIONS",
    "ROLL_UP_LEVELS",
    "TONE_COLUMNS",
    "analyze_chunk",
    "count_cooccurrence",
    "count_mentions",
    "default_dictionary",
    "render_tone_method",
    "find_dictionary",
    "find_file_versions",
    "find_all_mentions",
    "find_mentions",
    "find_place_parents",
    "roll_up_places",
    "find_rule_mentions",
    "find_unlisted_names",
    "count_unlisted_names",
    "UNLISTED_NAME_COLUMNS",
    "load_dictionary",
    "load_fakes",
    "load_mention_rules",
    "parse_quanteda_dictionary",
    "find_actor_id",
    "find_place_id",
    "score_actor_tone",
    "score_mention_tone",
    "score_place_agreement",
    "sum_mentions",
]
