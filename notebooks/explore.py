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
# # Exploring the corpus with the `analysis` library
#
# **Question.** What is in the corpus, and how do you use the library interactively? This notebook is a tour for
# JupyterLab: each cell calls one library function; change the parameters below and re-run.
#
# **Data window.** The `start`/`end`/`outlets` parameters below (empty: everything).
#
# **What you will see.** The selected articles, volume over time, outlets, the most frequent terms, a
# keyword-in-context view, and where the report notebooks are. Every function has a docstring: `help(timeseries.count_articles)`
# or `timeseries.count_articles?` shows it.

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
title: str = "Exploring the corpus"  # title
keyword: str = "Raqqa"  # word to show in context

# %%
from analysis import notebook, timeseries, frequency, concordance, explore
from analysis.plots import coverage as coverage_plots

report = notebook.open_report(title=title, output_dir=output_dir,
                             parameters=dict(title=title, start=start, end=end, freq=freq, outlets=outlets, include_duplicates=include_duplicates, top=top, events=events, keyword=keyword))
corpus_all, docs, result, key_events = notebook.load_inputs(corpus, analysis_dir, start=start, end=end, outlets=outlets,
                                                            include_duplicates=include_duplicates, events=events)
report.note(notebook.render_selection_note(corpus_all, docs))

# %% [markdown]
# ## The articles
#
# The selected articles by publication date (one row per article; `tone` is the mean sentence VADER compound; the corpus' `text` column holds the cleaned body; `analysis.explore(corpus, tables)` opens the interactive explorer).

# %%
report.table(explore.find_articles(docs, result), "articles", max_rows=8, columns=["published", "outlet", "agency", "title", "n_words", "doc_id"])

# %% [markdown]
# ## Articles per period
#
# `timeseries.count_articles` returns a tidy table; plot it with `plots.coverage.plot_volume`.

# %%
volume = timeseries.count_articles(docs, freq=freq, start=start, end=end)
report.figure(coverage_plots.plot_volume(volume, events=key_events), "volume")

# %% [markdown]
# ## Most frequent terms
#
# `frequency.count_terms` counts words (stopwords removed) overall or by group and period.

# %%
report.table(frequency.count_terms(docs, stopwords=True), "top-terms", max_rows=12)

# %% [markdown]
# ## A word in context
#
# `concordance.find_kwic` shows every occurrence of a word with its neighbours (keyword in context).

# %%
report.table(concordance.find_kwic(docs, keyword, window=6), "kwic", max_rows=10,
             columns=["outlet", "published", "left", "match", "right"])

# %% [markdown]
# ## The analysis tables
#
# `pipeline.load_analysis` opens the tables written by `python -m analysis analyze`; each is a tidy DataFrame keyed by `doc_id`.

# %%
report.table(notebook.count_analysis_tables(result), "analysis-tables")

# %% [markdown]
# ## Reports
#
# `notebook.report_catalogue()` lists the report notebooks that `python -m analysis report all` renders to HTML and PDF.

# %%
report.table(notebook.report_catalogue(), "reports")
