"""What notebooks call: figures display when returned bare, and re-running a cell works."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.formatters import PNGFormatter

from analysis import notebook, timeseries
from analysis.errors import ParameterError
from analysis.plots import coverage as coverage_plots
from analysis.plots import style
from analysis.plots import text as text_plots


def test_a_bare_figure_displays_as_png(mini_corpus):
    table = timeseries.count_articles(mini_corpus, freq="M")
    png = PNGFormatter()(coverage_plots.plot_volume(table))  # what Jupyter calls on a cell's value
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")  # an image, not "<Figure size ...>"
    assert png == PNGFormatter()(coverage_plots.plot_volume(table))  # deterministic


def test_every_plot_module_builds_report_figures():
    keyness = pd.DataFrame({"term": ["shelling", "talks"], "g2": [12.0, -8.0], "p_g2": [0.001, 0.01]})
    fig = text_plots.plot_keyness(keyness)
    assert isinstance(fig, style.ReportFigure) and PNGFormatter()(fig).startswith(b"\x89PNG")


def test_rerunning_a_cell_in_jupyterlab_does_not_raise(mini_corpus):
    report = notebook.open_report(title="t")  # interactive: no output_dir
    table = timeseries.count_articles(mini_corpus, freq="M")
    for _ in range(2):  # the same cell run twice
        report.table(table, "volume")
        report.figure(coverage_plots.plot_volume(table), "volume")
    assert report.outputs == []  # nothing saved, nothing recorded


def test_a_rendered_report_still_refuses_a_name_used_twice(tmp_path, mini_corpus):
    report = notebook.open_report(title="t", output_dir=tmp_path)
    table = timeseries.count_articles(mini_corpus, freq="M")
    report.table(table, "volume")
    with pytest.raises(ParameterError, match="used twice"):
        report.table(table, "volume")
