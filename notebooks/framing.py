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
# # Framing, labels and sources
#
# **Question.** Which frames structure the coverage and how do they change over time and between outlets; which
# labels do outlets use in their own voice and which only in attributed speech; which verbs describe territorial
# change; who is quoted; and how far can these automatic measures be trusted?
#
# **Data window.** The `start`, `end`, `outlets` and `include_duplicates` parameters; the exact window is stated
# below and in the provenance section.
#
# **What you will see.** Frame prevalence overall, over time and by outlet; labels in own voice vs attributed;
# territorial-change verbs by perspective; the types of sources quoted; and the validation status of the measures.

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
frame_presence: str = "model"  # when a frame counts as present: model or dictionary (docs/framing.md)
dictionary: list[str] = []  # your dictionary files, as given to `analyze --actors/--places` (checked); empty: as analysed
title: str = "Framing, labels and sources"  # report title

# %%
from analysis import notebook, timeseries, frames, validation
from analysis.plots import coverage as coverage_plots, frames as frame_plots

report = notebook.open_report(title=title, output_dir=output_dir,
                             parameters=dict(title=title, start=start, end=end, freq=freq, outlets=outlets, include_duplicates=include_duplicates, top=top, events=events, frame_presence=frame_presence, dictionary=dictionary))
corpus_all, docs, result, key_events = notebook.load_inputs(corpus, analysis_dir, start=start, end=end, outlets=outlets,
                                                            include_duplicates=include_duplicates, events=events, text=False, dictionary=dictionary)
report.note(notebook.render_selection_note(corpus_all, docs))

# %% [markdown]
# ## Frame prevalence
#
# Share of articles in which each frame is present (codebook `analysis/resources/frames.yaml`: the five generic frames of Semetko & Valkenburg 2000 plus conflict-specific ones). The `frame_presence` parameter chooses the rule for the generic frames: `model` (the default: a logistic model over the indicators' cue matches, calibrated against human coders) or `dictionary` (the frame's cue matches, or matches per 1,000 characters, reach a threshold calibrated on the same coders); the conflict-specific frames have no calibration and count when any indicator fired (column `rule`). The validation section says how far either agrees with human coders.

# %%
frame_sums = frames.sum_frames(result, docs, by="outlet", freq=freq, presence=frame_presence)  # one pass for this and the next two tables
frame_shares = frames.count_frames(frame_sums, docs, codebook=result.codebook, presence=frame_presence)
report.figure(coverage_plots.plot_ranking(frame_shares, value="share_present", label="label", ylabel="frame", percent=True, xlabel="share of articles with the frame"), "frame-prevalence")
report.table(frame_shares, "frame-prevalence", percent=["share_present"], columns=["label", "family", "rule", "n_present", "share_present", "mean_score"])

# %% [markdown]
# ## Frames over time
#
# Share of each period's articles with each frame, one panel per frame (periods with fewer than 5 articles are not drawn; those with few articles still swing widely).

# %%
frames_over_time = frames.count_frames(frame_sums, docs, codebook=result.codebook, freq=freq, min_docs=5, presence=frame_presence)
report.figure(frame_plots.plot_frame_prevalence(frames_over_time, min_docs=5), "frames-over-time")

# %% [markdown]
# ## Frames by outlet
#
# Share of each outlet's articles with each frame (outlets with at least 5 articles).

# %%
frames_by_outlet = frames.count_frames(frame_sums, docs, codebook=result.codebook, by="outlet", min_docs=5, presence=frame_presence)
report.figure(coverage_plots.plot_category_heatmap(frames_by_outlet, rows="label", columns="outlet", value="share_present", weight="n_present", percent=True, colorbar_label="share of the outlet's articles"), "frames-by-outlet")

# %% [markdown]
# ## Labels: own voice or attributed
#
# For each conflict label (lexicon `analysis/resources/conflict_language.yaml`), the share of its uses in the outlet's own voice versus inside quotations or reported speech. Editorial guidelines ask that loaded words such as "terrorist" or "liberate" be attributed rather than used in the outlet's own voice.

# %%
label_voice = frames.count_labels(result, docs)
report.figure(coverage_plots.plot_split_bars(label_voice, category="label", split="voice", value="n", xlabel="share of the label's uses"), "labels-voice")

# %% [markdown]
# ## Verbs of territorial change
#
# Verbs describing control of territory by the perspective they carry: victor's (liberate, free), neutral (retake, capture, seize), loser's (fall to, overrun), and sieges, advances and withdrawals.

# %%
verbs = frames.count_territorial_verbs(result, docs)
report.figure(coverage_plots.plot_ranking(verbs, value="share", label="perspective", percent=True, xlabel="share of territorial verbs"), "territorial-verbs")
report.figure(frame_plots.plot_territorial_verbs(frames.count_territorial_verbs(result, docs, freq="Q")), "territorial-verbs-over-time")
report.table(frames.count_territorial_verbs(result, docs, include_lemma=True), "territorial-verbs", max_rows=15, sort_by="n", percent=["share"])

# %% [markdown]
# ## Who is quoted
#
# Attributed statements ("X said", "according to X", ...) by the type of source. Reliance on official and military sources is a standard finding of conflict-news research.

# %%
sources = frames.count_attributions(result, docs)
report.figure(coverage_plots.plot_ranking(sources, value="share", label="source_label", ylabel="source type", percent=True, xlabel="share of attributed statements"), "sources")

# %% [markdown]
# ## Sources by outlet
#
# Share of each outlet's attributed statements by source type (outlets with at least 20 attributions).

# %%
sources_by_outlet = frames.count_attributions(result, docs, by="outlet")
report.figure(frame_plots.plot_sources(sources_by_outlet, min_n=20), "sources-by-outlet")

# %% [markdown]
# ## Validation
#
# How far the automatic frame, label and attribution measures agree with human coders: of this corpus when coding sheets exist (`python -m analysis codesheet` and `validate`), else the external figures of the generic frames against the coders of a public gold set.

# %%
report.validation(validation.load_validation_summary(analysis_dir, presence=frame_presence))

# %% [markdown]
# ## Provenance
#
# The parameters, data and software this report was made with.

# %%
report.provenance(corpus=corpus_all, corpus_path=corpus, analysis=result)
