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
# # Coverage over time
#
# **Question.** How much did the outlets in the corpus publish about the conflict, when, which outlets and wire
# agencies supplied the copy, which words dominated, and how did the tone of the coverage move over time?
#
# **Data window.** Articles published between the `start` and `end` parameters (empty: the whole corpus) from the
# `outlets` listed (empty: all), with or without duplicates (`include_duplicates`). The exact window and counts are
# stated below and in the provenance section at the end.
#
# **What you will see.** Article volume per period with key events of the campaign marked; volume by outlet, raw and
# as shares; when each outlet published; wire agencies and duplicated copy; the most frequent terms and the terms
# most typical of each outlet; sentiment over time; provenance.

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
title: str = "Coverage of the conflict over time"  # report title

# %%
from analysis import notebook, timeseries, frequency
from analysis.plots import coverage as coverage_plots

report = notebook.open_report(title=title, output_dir=output_dir,
                             parameters=dict(title=title, start=start, end=end, freq=freq, outlets=outlets, include_duplicates=include_duplicates, top=top, events=events))
corpus_all, docs, result, key_events = notebook.load_inputs(corpus, analysis_dir, start=start, end=end, outlets=outlets,
                                                            include_duplicates=include_duplicates, events=events, text=False)
report.note(notebook.render_selection_note(corpus_all, docs))

# %% [markdown]
# ## Volume over time
#
# Articles per period; dashed lines and numbers mark the key events listed under the figure (edit `analysis/resources/events.yaml` or pass your own file as `events`). Peaks show when the outlets paid attention, which need not be when most happened on the ground.

# %%
volume = timeseries.count_articles(docs, freq=freq, start=start, end=end)
report.figure(coverage_plots.plot_volume(volume, events=key_events), "volume")
report.note(timeseries.render_volume_note(volume))

# %% [markdown]
# ## Volume by outlet
#
# The same articles stacked by outlet (the largest outlets by name, the rest as "other"). Outlets can differ greatly in size; the next figures normalise.

# %%
by_outlet = timeseries.count_articles(docs, freq=freq, by="outlet", top=top, start=start, end=end)
report.figure(coverage_plots.plot_volume_by_group(by_outlet, by="outlet"), "volume-by-outlet")

# %% [markdown]
# ## Share of each outlet per period
#
# Each bar sums to 100%: a growing band means the outlet supplied a larger part of that period's coverage in this corpus, whatever the total volume.

# %%
report.figure(coverage_plots.plot_volume_by_group(by_outlet, by="outlet", normalize=True), "share-by-outlet")

# %% [markdown]
# ## When each outlet published
#
# Each row is one outlet's own output spread over time (its articles per period divided by all its articles), so small and large outlets can be compared.

# %%
report.figure(coverage_plots.plot_volume_heatmap(by_outlet, by="outlet"), "outlet-timing")

# %% [markdown]
# ## Outlets
#
# Articles per outlet, the period each one covers, and how much of its copy credits a wire agency or duplicates another article.

# %%
outlet_table = timeseries.count_by_group(docs, by="outlet")
report.table(outlet_table, "outlets", max_rows=20, percent=["share", "wire_share", "duplicate_share"])
report.note(timeseries.render_groups_note(outlet_table, by="outlet"))

# %% [markdown]
# ## Wire agencies
#
# Articles by the agency credited in the text (AFP, Reuters, AP, ...); "(none)" means no agency is credited, which includes outlets' own reporting.

# %%
report.table(timeseries.count_by_group(docs, by="agency"), "agencies", max_rows=12,
             percent=["share", "duplicate_share"], columns=["agency", "n_articles", "share", "first_published", "last_published", "duplicate_share"])

# %% [markdown]
# ## Wire copy and duplicates over time
#
# Top: articles crediting a wire agency versus the rest. Bottom: the share of wire-credited articles and of duplicates (re-published copies) per period.

# %%
wire = timeseries.count_wire_share(docs, freq=freq, start=start, end=end)
report.figure(coverage_plots.plot_wire_share(wire, events=key_events), "wire-share")

# %% [markdown]
# ## Most frequent terms
#
# Words per 1,000 word tokens in the selected articles (English stopwords removed). Frequent terms show the vocabulary of the coverage, usually dominated by its recurring actors and places.

# %%
documents = notebook.analysis_documents(result, docs, columns=["outlet", "agency", "published", "duplicate_of", "n_tokens", "vader_sent_mean"])
# one pass over the terms table for this table and the two keyness tables below (per outlet x year)
terms = frequency.sum_terms(result, documents, by="outlet", freq="Y", top=top, stopwords=True)
top_terms = frequency.count_terms(terms, documents, stopwords=True)
report.figure(coverage_plots.plot_ranking(top_terms, value="rate_per_1000", label="term", top=25, xlabel="occurrences per 1,000 words", title="Most frequent terms"), "top-terms")

# %% [markdown]
# ## Terms typical of each outlet
#
# For each of the largest outlets, the terms that occur significantly more often in its articles than in the other outlets' (log-likelihood G2 keyness, p < 0.001, most key first). Keyness points to an outlet's topics, sources and house style (for example datelines and agency names), not to its stance.

# %%
report.table(notebook.score_key_terms(terms, documents, by="outlet", top=top), "keyness-by-outlet", max_rows=20)

# %% [markdown]
# ## Terms typical of each year
#
# The same comparison between years: each year's articles against all other years'. Changing key terms trace how the story moved.

# %%
report.table(notebook.score_key_terms(terms, documents, freq="Y"), "keyness-by-year", max_rows=20)

# %% [markdown]
# ## Sentiment over time
#
# Mean sentence-level VADER compound score of the articles per period (−1 negative, +1 positive; band: ±1 standard error; periods with fewer than 3 articles left out). Dictionary sentiment is a weak measure of tone in news (Boukes et al. 2020): read changes over time and differences between outlets, not the level.

# %%
tone = timeseries.score_by_period(documents, docs, value="vader_sent_mean", freq=freq, min_count=3)
report.figure(coverage_plots.plot_score_over_time(tone, label="mean sentence sentiment (VADER)", events=key_events), "sentiment")
report.note(timeseries.render_scores_note(tone, label="mean sentence sentiment"))

# %% [markdown]
# ## Provenance
#
# The parameters, data and software this report was made with.

# %%
report.provenance(corpus=corpus_all, corpus_path=corpus, analysis=result)
