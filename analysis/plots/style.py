"""The look of every figure: one palette, the report rcParams, and figures that display when returned bare in Jupyter."""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.figure import Figure

#: Colour-blind-safe qualitative palette (Okabe & Ito 2008, without yellow, which is unreadable on white);
#: the report style uses it as the default colour cycle, so every figure of a report shares it.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C564B", "#332288"]
NEUTRAL = "#9A9A9A"  # the "other" and "(none)" groups, and the reference corpus of a keyness plot
NO_SIDE = "#D0D0D0"  # actors without a side in the actor figures (lighter than NEUTRAL: many of them)
EVENT_COLOR = "#555555"  # key-event lines and labels
#: Colours matched words are drawn in (dispersion plot): the palette in an order that keeps neighbours apart.
MATCH_COLORS = [PALETTE[0], PALETTE[3], PALETTE[2], PALETTE[4], PALETTE[1], PALETTE[5]]

#: matplotlib settings of every report figure: readable sizes, light grid, fixed SVG ids and no dates in files, so
#: the same data gives byte-identical PNG and SVG files.
REPORT_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": True,  # a white box, so event lines and grid do not run through legend text
    "legend.framealpha": 0.9,
    "legend.edgecolor": "none",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.hashsalt": "analysis-report",
    "svg.fonttype": "path",
    "path.simplify": True,
}


def full_period_range(periods: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Every period start between the first and last of ``periods`` (their spacing tells the frequency): what a
    time plot reindexes its lines to, so that a period without data is a gap or a zero, never a bridged line."""
    if len(periods) < 2:
        return periods
    gap = pd.Series(periods).diff().dt.days.min()
    alias = "YS" if gap >= 360 else "QS" if gap >= 89 else "MS" if gap >= 28 else "W-MON" if gap >= 7 else "D"
    full = pd.date_range(periods.min(), periods.max(), freq=alias)
    return full.union(periods)


def use_report_style() -> None:
    """Apply :data:`REPORT_RC` and the palette to matplotlib (called by :func:`open_report`)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(REPORT_RC)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE)


class ReportFigure(Figure):
    """A matplotlib Figure that displays itself as PNG when a notebook cell returns it bare.

    The plot functions build figures without pyplot (no global state, no backend), so no IPython formatter is
    registered for them; ``_repr_png_`` is IPython's own protocol for an object to show itself. It renders exactly
    the bytes :meth:`analysis.notebook.Report.figure` saves.
    """

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()


def new_figure(width: float = 7.5, height: float = 3.8, *, nrows: int = 1, **subplot_kw) -> tuple[ReportFigure, object]:
    """A report figure of ``width`` x ``height`` inches with ``nrows`` stacked axes (one axes when ``nrows`` is 1).

    The Agg canvas is attached at once, so a plot function can measure text extents (label widths) while drawing.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ReportFigure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, 1, squeeze=True, **subplot_kw)


def draw_no_data(ax, message: str) -> None:
    """Say so on an empty plot instead of drawing nothing (or failing) when a selection leaves no data."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=10, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])
