"""Figures of coverage over time (analysis.plots.coverage)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from analysis import timeseries
from analysis.plots import coverage as cplots


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text")) if t.get_text()]


def test_plots_have_titles_labels_and_legends(mini_corpus):
    events = timeseries.load_events()
    by = timeseries.count_articles(mini_corpus, freq="Q", by="outlet")
    values = pd.DataFrame({"doc_id": mini_corpus["doc_id"], "s": [0.1, 0.2, -0.3, 0.4, 0.0, -0.1]})
    figs = {
        "volume": cplots.plot_volume(timeseries.count_articles(mini_corpus, freq="M"), events=events),
        "by": cplots.plot_volume_by_group(by, by="outlet"),
        "share": cplots.plot_volume_by_group(by, by="outlet", normalize=True, min_total=1),
        "heat": cplots.plot_volume_heatmap(by, by="outlet"),
        "wire": cplots.plot_wire_share(timeseries.count_wire_share(mini_corpus, freq="Q"), events=events, min_total=1),
        "score": cplots.plot_score_over_time(
            timeseries.score_by_period(values, mini_corpus, value="s", freq="Q"), label="mean score", events=events
        ),
    }
    for name, fig in figs.items():
        assert isinstance(fig, Figure), name
        ax = fig.axes[0]
        titled = [a for a in fig.axes if any(a.get_title(loc) for loc in ("left", "center", "right"))]
        assert titled, name
        assert any(a.get_xlabel() for a in fig.axes) and any(a.get_ylabel() for a in fig.axes), name
        if name != "heat":
            assert ax.get_legend() is not None or fig.legends, name
    key = " ".join(_texts(figs["volume"]))
    assert "Mosul offensive" in key and "Fall of Mosul" not in key  # only events inside the plotted window
    assert "riverside-daily" in " ".join(_texts(figs["by"]))


def test_mark_events_selects_major_events_on_long_windows():
    fig = Figure()
    ax = fig.subplots()
    ax.plot(pd.to_datetime(["2014-01-01", "2018-12-31"]), [0, 1])
    events = timeseries.load_events()
    entries = cplots.plot_events(ax, events, fig=fig, max_events=10)
    major = events[events["level"] == 1]
    assert len(entries) == min(10, len(major))
    assert all(any(label in e for label in major["label"]) for e in entries)


def test_empty_score_table_says_so():
    empty = pd.DataFrame(columns=["period", "n_articles", "mean", "sem"])
    fig = cplots.plot_score_over_time(empty, label="mean score")
    assert any("enough scored articles" in t for t in _texts(fig))
