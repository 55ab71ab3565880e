# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Actors and places in the coverage
#
# **Question.** Which actors and places does the coverage name, how often, in which outlets and when; which actors
# appear together; in what tone are they written about; and which frequent names are missing from the dictionary?
#
# **Data window.** The `start`, `end`, `outlets` and `include_duplicates` parameters; the exact window is stated
# below and in the provenance section.
#
# **What you will see.** The most mentioned actors; their mentions over time and by outlet; a co-occurrence network;
# the tone towards each actor (target-dependent sentiment); a map of the places mentioned; and frequent names that the
# actor dictionary (`analysis/resources/actors.yaml`) does not cover yet.

# %% tags=["parameters"]
corpus: str = "../data/interim/articles.parquet"  # canonical corpus written by `python -m analysis ingest`
analysis_dir: str = "../data/processed/analysis"  # folder written by `python -m analysis analyze`
output_dir: str = ""  # folder for figures and tables; empty saves nothing (interactive use); set by the renderer
start: str = ""  # first publication date, inclusive, YYYY-MM-DD; empty: from the first article
end: str = ""  # last publication date, inclusive, YYYY-MM-DD; empty: to the last article
freq: str = "M"  # period of the time series: D, W, M, Q or Y
outlets: list[str] = []  # outlets to include, e.g. sana and reuters; empty: all
include_duplicates: bool = True  # keep re-published copies (articles with duplicate_of set)
top: int = 7  # groups (outlets, agencies, actors) shown by name; the rest are folded into other
events: str = ""  # YAML file of key events for time axes; empty: analysis/resources/events.yaml
actors: list[str] = []  # actor ids or names to follow; empty: all actors
min_sentences: int = 20  # fewest sentences for an actor tone estimate
tone_method: str = "target"  # actor tone: target (towards the actor; validated on NewsMTSC) or sentence (sentence VADER)
roll_up: str = "city"  # places: city (districts and neighbourhoods count as their city), province, or empty (as found)
dictionary: list[str] = []  # your dictionary files, as given to `analyze --actors/--places` (checked); empty: as analysed
title: str = "Actors and places in the coverage"  # report title

# %%
from analysis import notebook, timeseries
from analysis import actors as actor_lib
from analysis.plots import actors as actor_plots, coverage as coverage_plots

report = notebook.open_report(title=title, output_dir=output_dir,
                             parameters=dict(title=title, start=start, end=end, freq=freq, outlets=outlets, include_duplicates=include_duplicates, top=top, events=events, actors=actors, min_sentences=min_sentences, tone_method=tone_method, roll_up=roll_up, dictionary=dictionary))
corpus_all, docs, result, key_events = notebook.load_inputs(corpus, analysis_dir, start=start, end=end, outlets=outlets,
                                                            include_duplicates=include_duplicates, events=events, text=False, dictionary=dictionary)
names = result.dictionary  # the dictionary that produced the mentions: labels of your own entries come from it
report.note(notebook.render_selection_note(corpus_all, docs))

# %% [markdown]
# ## Most mentioned actors
#
# The share of the selected articles that mention each actor at least once (any alias in the dictionary). A high share says an actor is part of the story, not that the story is about it.

# %%
mention_sums = actor_lib.sum_mentions(result, docs, by="outlet", freq=freq, kind="actor", actors=actors or None, dictionary=names)  # one pass for this and the next two tables
actor_counts = actor_lib.count_mentions(mention_sums, docs, kind="actor", actors=actors or None, dictionary=names)
report.figure(coverage_plots.plot_ranking(actor_counts, value="share_of_articles", label="label", percent=True, xlabel="share of articles mentioning the actor"), "actor-ranking")
report.table(actor_counts, "actor-mentions", max_rows=15, sort_by="n_mentions", percent=["share_of_articles"],
             columns=["label", "n_mentions", "n_articles_mentioning", "mentions_per_1000_words", "share_of_articles"])

# %% [markdown]
# ## Mentions over time
#
# Articles mentioning each of the most mentioned actors per period. Volume changes with the overall coverage (first figure of the coverage report), so compare the lines with each other rather than reading a rise as more attention per article.

# %%
actors_over_time = actor_lib.count_mentions(mention_sums, docs, kind="actor", freq=freq, actors=actors or None, dictionary=names)
report.figure(coverage_plots.plot_categories_over_time(actors_over_time, category="label", value="n_articles_mentioning", weight="n_mentions", top=top, ylabel="articles mentioning the actor", events=key_events), "actors-over-time")

# %% [markdown]
# ## Actors by outlet
#
# Share of each outlet's articles that mention each actor: columns are outlets (largest first), rows the most mentioned actors.

# %%
actors_by_outlet = actor_lib.count_mentions(mention_sums, docs, kind="actor", by="outlet", actors=actors or None, dictionary=names)
report.figure(coverage_plots.plot_category_heatmap(actors_by_outlet, rows="label", columns="outlet", value="share_of_articles", weight="n_mentions", percent=True, colorbar_label="share of the outlet's articles"), "actors-by-outlet")

# %% [markdown]
# ## Who appears with whom
#
# Actors named in the same sentence. Line width is the number of sentences naming both; node size the actor's co-occurrences in total. Lift above 1 in the table means the pair meets more often than their separate frequencies predict.

# %%
pairs = actor_lib.count_cooccurrence(result, level="sentence", corpus=docs, min_count=2, dictionary=names)
report.figure(actor_plots.plot_cooccurrence_network(pairs, top=25, dictionary=names), "cooccurrence-network")
report.table(pairs, "cooccurrence", max_rows=12, columns=["label_a", "label_b", "n_both", "n_a", "n_b", "jaccard", "lift"])

# %% [markdown]
# ## How actor tone is measured
#
# The method (the `tone_method` parameter) and how well it agrees with human coders:

# %%
report.note(actor_lib.render_tone_method(tone_method))

# %% [markdown]
# ## Tone towards each actor
#
# Mean tone towards each of the 25 actors named in most sentences (dots; bars: 95% intervals), most positive first. Actors with fewer than `min_sentences` sentences are hidden (a mean of a few sentences is noise); the figure title and the table caption say how many. With `tone_method="target"` (the default) each mention is scored for the sentiment its sentence expresses towards that actor, so two actors in one sentence can differ ("the army drove IS out of the town"); with `tone_method="sentence"` every actor in a sentence gets that sentence's VADER compound, which measures the vocabulary of the events reported (attacks, deaths) more than any stance towards the actor.

# %%
tone = actor_lib.score_actor_tone(result, result, docs, kind="actor", actors=actors or None, method=tone_method, dictionary=names)
report.figure(actor_plots.plot_actor_tone(tone, top=25, min_sentences=min_sentences), "actor-tone")
report.table(tone, "actor-tone", max_rows=15, sort_by="n_sentences", percent=["share_negative", "share_positive"], min_count={"n_sentences": min_sentences},
             columns=["label", "method", "n_sentences", "mean_tone", "se_tone", "share_negative", "share_positive"])

# %% [markdown]
# ## Places
#
# Places of the gazetteer (`analysis/resources/places.yaml`) by the number of articles naming them, at their approximate coordinates. With `roll_up="city"` (the default) a city's districts and neighbourhoods count as the city (East Aleppo as Aleppo); `roll_up="province"` counts every place as its province (Manbij as Aleppo province).

# %%
place_counts = actor_lib.count_mentions(result, docs, kind="place", roll_up=roll_up or None, dictionary=names)
report.figure(actor_plots.plot_place_map(place_counts, dictionary=names), "place-map")
report.table(place_counts, "place-mentions", max_rows=15, sort_by="n_mentions", percent=["share_of_articles"],
             columns=["label", "n_mentions", "n_articles_mentioning", "mentions_per_1000_words", "share_of_articles"])

# %% [markdown]
# ## Names the dictionary does not cover
#
# Capitalised names that the mention rules found and no dictionary entry resolves (the `unlisted` mentions of the analysis, with a guessed type), ranked by the articles that name them: candidates to add to `actors.yaml` or `places.yaml` (some will be parts of longer names or people of no interest). `unlisted_mentions.parquet` holds every one of them.

# %%
report.table(actor_lib.count_unlisted_names(result, docs, top=40, corpus_file=corpus), "unlisted-names", max_rows=15,
             columns=["name", "type", "n_mentions", "n_articles", "context"])

# %% [markdown]
# ## Provenance
#
# The parameters, data and software this report was made with.

# %%
report.provenance(corpus=corpus_all, corpus_path=corpus, analysis=result)
