"""Figures of framing: frame prevalence over time and by outlet, label voice, territorial verbs, who is quoted."""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from analysis.errors import ParameterError
from analysis.frames.attribution_rules import SOURCE_TYPE_LABELS
from analysis.plots.style import NEUTRAL, PALETTE, ReportFigure, full_period_range

#: Width (inches) of a figure shown at the full text width of an A4 report page; fonts are sized for it.
A4_WIDTH = 7.2

SOURCE_LABELS = SOURCE_TYPE_LABELS  # one set of source-type labels (analysis.frames.attribution)
PERSPECTIVE_ORDER = ["victor", "neutral", "loser", "siege", "advance", "withdrawal"]
PERSPECTIVE_LABELS = {
    "victor": "victor (liberate, free)",
    "neutral": "neutral (retake, capture, seize)",
    "loser": "loser (fall to, overrun)",
    "siege": "siege (cut off, besiege)",
    "advance": "advance",
    "withdrawal": "withdrawal",
}


def _frame_label(frame: str) -> str:
    try:
        from analysis.frames import find_frame_labels

        return find_frame_labels().get(frame, frame)
    except Exception:  # noqa: BLE001 - a custom codebook id without a label is still drawable
        return frame


def _table_labels(counts: pd.DataFrame) -> dict[str, str]:
    """Frame id -> the label the table carries (``count_frames(..., codebook=)``: your codebook's labels)."""
    if "label" not in counts.columns:
        return {}
    return {f: str(lab) for f, lab in zip(counts["frame"], counts["label"]) if isinstance(lab, str)}


def _codebook_order(frame_ids) -> list[str]:
    """Frame ids in codebook order (generic frames, then domain frames); unknown ids last, alphabetically."""
    try:
        from analysis.frames import find_frame_labels

        order = list(find_frame_labels())
    except Exception:  # noqa: BLE001 - a custom codebook is still drawable
        order = []
    ids = list(frame_ids)
    return [f for f in order if f in ids] + sorted(f for f in ids if f not in order)


def _no_data(fig: Figure, message: str) -> Figure:
    ax = fig.subplots()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=11, color="#555555")
    ax.set_axis_off()
    return fig


def _check(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(
            f"{what} needs column(s) {missing}; got {list(df.columns)} "
            f"(use the matching analysis.frames.count_* function)"
        )


def plot_frame_prevalence(
    counts: pd.DataFrame,
    *,
    value: str = "share_present",
    by: str | None = None,
    frames: list[str] | None = None,
    ncols: int = 3,
    min_docs: int = 1,
) -> Figure:
    """Frame prevalence over time as small multiples: one panel per frame, one line per group (or overall).

    ``counts`` is :func:`analysis.frames.count_frames` output with ``freq`` set (a ``period`` column), optionally
    ``by`` a group column such as "outlet" (the 8 groups with most articles are drawn, one colour each). ``value``:
    "share_present" (share of articles with the frame) or "mean_score". Periods with fewer than ``min_docs``
    articles are not drawn. The figure is A4-page wide; its height grows with the number of panel rows.
    """
    _check(counts, ["period", "frame", value, "n_docs"], "plot_frame_prevalence")
    data = counts[counts["n_docs"] >= min_docs]
    frame_ids = list(dict.fromkeys(frames or _codebook_order(data["frame"].unique())))
    names = _table_labels(counts)
    ncol = max(1, min(ncols, len(frame_ids)))
    nrows = max(1, int(np.ceil(len(frame_ids) / ncol)))
    fig = ReportFigure(figsize=(A4_WIDTH if ncol > 1 else 4.8, 1.95 * nrows + 1.0), layout="constrained")
    if data.empty or not frame_ids:
        return _no_data(fig, "no periods with articles to plot")
    axes = np.atleast_1d(fig.subplots(nrows, ncol, sharex=True, sharey=True)).ravel()
    groups, dropped = [None], 0
    if by:
        size = data.groupby(by)["n_docs"].sum().sort_values(ascending=False, kind="stable")
        dropped = max(0, len(size) - len(PALETTE))  # more lines than colours cannot be told apart
        groups = sorted(size.index[: len(PALETTE)])
    colors = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    full = full_period_range(pd.DatetimeIndex(sorted(pd.to_datetime(data["period"]).unique())))
    for ax, frame in zip(axes, frame_ids):
        sub = data[data["frame"] == frame]
        for g in groups:
            line = sub if g is None else sub[sub[by] == g]
            # periods without (enough) articles stay gaps: the line is not drawn across them
            series = line.groupby(pd.to_datetime(line["period"]))[value].mean().reindex(full)
            ax.plot(
                series.index,
                series.to_numpy(),
                marker="o",
                markersize=2.5,
                lw=1.3,
                color=colors[g],
                label=str(g) if g is not None else "all articles",
            )
        ax.set_title(
            textwrap.fill(names.get(frame) or _frame_label(frame), 26, break_long_words=False), fontsize=9.5, loc="left"
        )
        ax.grid(alpha=0.3)
        if value == "share_present":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylim(0, 1.02)
            ax.set_yticks([0, 0.5, 1])
        locator = mdates.AutoDateLocator(minticks=2, maxticks=4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.tick_params(labelsize=8.5)
    for ax in axes[len(frame_ids) :]:
        ax.set_axis_off()  # an empty slot of the grid (it may hold the legend)
    for k in range(max(0, len(frame_ids) - ncol), len(frame_ids)):  # the lowest panel of each column shows dates
        axes[k].xaxis.set_tick_params(labelbottom=True)
    ylabel = "share of articles with the frame" if value == "share_present" else "mean frame score (0-1)"
    fig.supylabel(ylabel, fontsize=10)
    fig.supxlabel("publication period", fontsize=10)
    fig.suptitle("Frame prevalence over time", fontsize=11.5, fontweight="bold")
    if by and len(groups) > 1:
        handles, labels = axes[0].get_legend_handles_labels()
        note = f"\n(the {len(groups)} with most articles;\n{dropped} more not drawn)" if dropped else ""
        options = {"fontsize": 8.5, "title": by + note, "title_fontsize": 8.5, "frameon": False}
        if len(axes) > len(frame_ids):  # an empty grid slot is the legend's place
            axes[len(frame_ids)].legend(handles, labels, loc="center", ncols=2 if len(groups) > 4 else 1, **options)
        else:
            fig.legend(handles, labels, loc="outside right upper", **options)
    return fig


def plot_frame_heatmap(
    counts: pd.DataFrame, *, by: str = "outlet", value: str = "share_present", frames: list[str] | None = None
) -> Figure:
    """Frames (rows) by group (columns) as an annotated heatmap of ``value`` (share of articles or mean score).

    ``counts`` is :func:`analysis.frames.count_frames` output with ``by`` set (and no ``freq``).
    """
    _check(counts, [by, "frame", value, "n_docs"], "plot_frame_heatmap")
    if "period" in counts.columns:
        raise ParameterError("plot_frame_heatmap wants counts without periods: call count_frames without freq")
    table = counts.pivot_table(index="frame", columns=by, values=value, aggfunc="first")
    names = _table_labels(counts)
    table = table.reindex([f for f in (frames or _codebook_order(table.index)) if f in table.index])
    n_docs = counts.groupby(by)["n_docs"].max()
    nrow, ncol = table.shape
    # sized from the table: about 0.33 in per column (at most A4 width) and 0.4 in per row, so cells, their
    # annotations and the wrapped frame names stay readable when the figure is shown at page width
    width = min(A4_WIDTH, max(5.2, 2.9 + 0.34 * ncol))
    fig = ReportFigure(figsize=(width, 0.4 * max(nrow, 2) + 1.9), layout="constrained")
    if table.empty:
        return _no_data(fig, "no frames to plot")
    ax = fig.subplots()
    vmax = 1.0 if value == "share_present" else max(float(np.nanmax(table.to_numpy())), 1e-9)
    im = ax.imshow(table.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=vmax, aspect="auto")
    ax.set_yticks(
        range(nrow),
        [textwrap.fill(names.get(f) or _frame_label(f), 24, break_long_words=False) for f in table.index],
        fontsize=9,
    )
    rotate = ncol > 5
    ax.set_xticks(
        range(ncol),
        [f"{c}\n(n={n_docs.get(c, 0)})" for c in table.columns],
        fontsize=8.5,
        rotation=90 if rotate else 0,
        ha="center",
        va="top",
    )
    ax.tick_params(axis="both", length=0)
    ax.grid(False)
    ax.spines[:].set_visible(False)
    cell_in = (width - 2.9) / max(ncol, 1)  # the width of one cell, in inches
    size = 8.5 if cell_in > 0.45 else 7.5
    for i in range(nrow):
        for j in range(ncol):
            v = table.iat[i, j]
            if pd.notna(v):
                # shares as whole percentages without the % sign (the colour bar says %): fits narrow cells
                ax.text(
                    j,
                    i,
                    f"{v * 100:.0f}" if value == "share_present" else f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=size,
                    color="white" if v > 0.6 * vmax else "black",
                )
    if "family" in counts.columns:  # a rule between generic and domain frames
        family = counts.drop_duplicates("frame").set_index("frame")["family"].reindex(table.index)
        for i in range(1, len(family)):
            if family.iloc[i] != family.iloc[i - 1]:
                ax.axhline(i - 0.5, color="black", lw=1.5)
    cbar = fig.colorbar(im, ax=ax, shrink=0.8, aspect=30, pad=0.02)
    cbar.set_label(
        "share of articles with the frame (cells: %)" if value == "share_present" else "mean frame score", fontsize=9
    )
    cbar.ax.tick_params(labelsize=8.5)
    if value == "share_present":
        cbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(f"{by} (n = articles)", fontsize=9.5)
    ax.set_title(
        textwrap.fill(f"Frame prevalence by {by}", int(width * 9), break_long_words=False), fontsize=11.5, loc="left"
    )
    return fig


def plot_label_voice(
    label_counts: pd.DataFrame, *, by: str = "outlet", labels: list[str] | None = None, normalize: bool = False
) -> Figure:
    """Label uses in the writer's own voice vs attributed, as stacked horizontal bars per group (one panel per label).

    ``label_counts`` is :func:`analysis.frames.count_labels` output with ``by`` (e.g. "outlet" or "target_actor").
    ``normalize=True`` draws shares instead of counts.
    """
    _check(label_counts, [by, "label", "voice", "n"], "plot_label_voice")
    data = label_counts
    label_ids = labels or list(data.groupby("label")["n"].sum().sort_values(ascending=False).index[:4])
    n_groups = max(data[by].nunique(), 3)
    fig = ReportFigure(figsize=(A4_WIDTH if len(label_ids) > 1 else 4.8, 0.26 * n_groups + 1.9), layout="constrained")
    if data.empty or not label_ids:
        return _no_data(fig, "no label uses to plot")
    axes = np.atleast_1d(fig.subplots(1, len(label_ids), sharey=True))
    if normalize:
        fig.get_layout_engine().set(wspace=0.06)  # room for the n written right of each panel
    order = list(data.groupby(by)["n"].sum().sort_values().index)
    colors = {"own": PALETTE[3], "attributed": PALETTE[0]}
    for ax, lab in zip(axes, label_ids):
        sub = data[data["label"] == lab].pivot_table(index=by, columns="voice", values="n", aggfunc="sum")
        sub = sub.reindex(index=order, columns=["own", "attributed"]).fillna(0)
        totals = sub.sum(axis=1)
        if normalize:
            sub = sub.div(totals.replace(0, np.nan), axis=0).fillna(0)
            for y, n in enumerate(totals):  # shares hide how many uses there are: write n at the bar's end
                if n:
                    ax.text(
                        1.02,
                        y,
                        f"{int(n)}",
                        va="center",
                        fontsize=7.5,
                        color="#333333",
                        transform=ax.get_yaxis_transform(),
                    )
        left = np.zeros(len(sub))
        for voice in ("own", "attributed"):
            ax.barh(
                [str(i) for i in sub.index],
                sub[voice],
                left=left,
                color=colors[voice],
                height=0.75,
                label="own voice" if voice == "own" else "attributed (quote / reported speech)",
            )
            left += sub[voice].to_numpy()
        ax.set_title(f"“{lab}”", fontsize=10, loc="left")
        if normalize:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_xticks([0, 0.5, 1])
            ax.set_xlim(0, 1)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))
        ax.tick_params(labelsize=8.5)
        ax.grid(axis="x", alpha=0.3)
        ax.grid(axis="y", visible=False)
    axes[0].set_ylabel(by)
    for ax in axes:
        ax.set_xlabel("share of uses" if normalize else "uses", fontsize=9)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        names,
        loc="outside lower center",
        ncols=2,
        fontsize=8.5,
        frameon=False,
        title_fontsize=8.5,
        title=f"number right of each bar: the label's uses in the {by}" if normalize else None,
    )
    fig.suptitle("Conflict labels: the writer's own voice vs attributed", fontsize=11.5, fontweight="bold")
    return fig


def plot_territorial_verbs(verb_counts: pd.DataFrame, *, value: str = "share", freq_label: str | None = None) -> Figure:
    """Territorial-change verbs by perspective per period: stacked bars of shares (or counts with value="n").

    ``verb_counts`` is :func:`analysis.frames.count_territorial_verbs` output with ``freq`` (a ``period`` column).
    With shares, the number of verbs in each period is written above its bar, so thin periods are visible.
    """
    _check(verb_counts, ["period", "perspective", "n"], "plot_territorial_verbs")
    if value not in ("share", "n"):
        raise ParameterError(f"value={value!r}: use 'share' or 'n'")
    fig = ReportFigure(figsize=(A4_WIDTH, 4.6), layout="constrained")
    if verb_counts.empty:
        return _no_data(fig, "no territorial verbs to plot")
    table = verb_counts.pivot_table(index="period", columns="perspective", values="n", aggfunc="sum").fillna(0)
    cols = [p for p in PERSPECTIVE_ORDER if p in table.columns] + [
        p for p in table.columns if p not in PERSPECTIVE_ORDER
    ]
    table = table[cols].sort_index()
    table = table.reindex(full_period_range(pd.to_datetime(table.index)), fill_value=0)  # empty periods stay visible
    totals = table.sum(axis=1)
    if value == "share":
        table = table.div(totals.replace(0, np.nan), axis=0).fillna(0)
    periods = pd.to_datetime(table.index)
    labels = _period_labels(periods)
    x = np.arange(len(table))
    many = value == "share" and len(x) > 16  # too many bars to write n above each: a panel of n instead
    if many:
        top, ax = fig.subplots(2, 1, sharex=True, height_ratios=[1, 4])
        top.bar(x, totals.to_numpy(), width=0.8, color="#9A9A9A")
        top.set_ylabel("verbs", fontsize=8.5)
        top.yaxis.set_major_locator(MaxNLocator(3, integer=True))
        top.tick_params(labelsize=8, labelbottom=False)
        top.set_title("Verbs of territorial change by perspective", fontsize=11.5, loc="left")
    else:
        ax = fig.subplots()
        ax.set_title("Verbs of territorial change by perspective", fontsize=11.5, loc="left")
    bottom = np.zeros(len(table))
    for i, c in enumerate(cols):
        ax.bar(
            x,
            table[c].to_numpy(),
            bottom=bottom,
            width=0.8,
            color=PALETTE[i % len(PALETTE)],
            label=PERSPECTIVE_LABELS.get(c, c),
        )
        bottom += table[c].to_numpy()
    if value == "share":
        if not many:
            for xi, n in zip(x, totals):
                ax.text(xi, 1.01, f"{int(n)}", ha="center", va="bottom", fontsize=7.5, color="#333333")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(0, 1 if many else 1.08)
        ax.set_ylabel("share of territorial verbs" + ("" if many else "\n(n above bars)"))
    else:
        ax.set_ylabel("territorial verbs")
    step = max(1, int(np.ceil(len(x) / 14)))
    ax.set_xticks(
        x[::step],
        labels[::step],
        rotation=45 if len(x) > 8 else 0,
        ha="right" if len(x) > 8 else "center",
        fontsize=8.5,
        rotation_mode="anchor",
    )
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_xlabel(freq_label or "publication period")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=8.5, frameon=False)
    return fig


def _period_labels(periods: pd.DatetimeIndex) -> list[str]:
    """Short labels for period start dates: 2017, 2017-Q1, 2017-03 or 2017-03-06, whichever the spacing shows."""
    if len(periods) < 2:
        return [p.strftime("%Y-%m-%d") for p in periods]
    gap = pd.Series(periods).diff().dt.days.min()
    if gap >= 360:
        return [p.strftime("%Y") for p in periods]
    if gap >= 89:
        return [f"{p.year}-Q{(p.month - 1) // 3 + 1}" for p in periods]
    if gap >= 28:
        return [p.strftime("%Y-%m") for p in periods]
    return [p.strftime("%Y-%m-%d") for p in periods]


def plot_sources(attribution_counts: pd.DataFrame, *, by: str = "outlet", min_n: int = 1) -> Figure:
    """Who is quoted: source types as shares of each group's attributions (stacked horizontal bars, n on the right).

    ``attribution_counts`` is :func:`analysis.frames.count_attributions` output with ``by`` (e.g. "outlet").
    Groups with fewer than ``min_n`` attributions are left out.
    """
    _check(attribution_counts, [by, "source_type", "n"], "plot_sources")
    table = attribution_counts.pivot_table(index=by, columns="source_type", values="n", aggfunc="sum").fillna(0)
    table = table[table.sum(axis=1) >= min_n]
    fig = ReportFigure(figsize=(A4_WIDTH, 0.3 * max(len(table), 3) + 2.1), layout="constrained")
    if table.empty:
        return _no_data(fig, "no attributions to plot")
    order = [t for t in SOURCE_LABELS if t in table.columns] + [t for t in table.columns if t not in SOURCE_LABELS]
    totals = table.sum(axis=1)
    shares = table[order].div(totals, axis=0)
    official = [c for c in ("government_military",) if c in shares.columns]
    shares = shares.sort_values(official or order[:1], ascending=True)
    ax = fig.subplots()
    left = np.zeros(len(shares))
    names = [str(i) for i in shares.index]
    for i, t in enumerate(order):
        color = NEUTRAL if t in ("other", "unresolved") else PALETTE[i % len(PALETTE)]
        if t == "unresolved":
            color = "#CCCCCC"
        ax.barh(names, shares[t], left=left, color=color, label=SOURCE_LABELS.get(t, t), height=0.75)
        left += shares[t].to_numpy()
    for y, name in enumerate(shares.index):
        ax.text(1.01, y, f"n={int(totals[name])}", va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.tick_params(labelsize=8.5)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of attributions")
    ax.set_ylabel(by)
    ax.set_title("Who is quoted: source types by " + by, fontsize=11.5, loc="left")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=8.5, frameon=False)
    return fig


__all__ = ["plot_frame_prevalence", "plot_frame_heatmap", "plot_label_voice", "plot_territorial_verbs", "plot_sources"]
