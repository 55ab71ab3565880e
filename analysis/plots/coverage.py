"""Figures of coverage over time: article volume with key events, volume by outlet/agency, wire share, scores."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from analysis.periods import FREQUENCIES
from analysis.plots.style import EVENT_COLOR, NEUTRAL, PALETTE, draw_no_data, new_figure
from analysis.selection import MISSING_GROUP, OTHER_GROUP

_DAYS = {"D": 1, "W": 7, "M": 30.4, "Q": 91.3, "Y": 365.25}


def group_colors(groups) -> dict[str, str]:
    """A stable colour per group: palette colours in the given order, grey for ``other`` and ``(none)``."""
    colors, i = {}, 0
    for g in groups:
        if g in (OTHER_GROUP, MISSING_GROUP):
            colors[g] = NEUTRAL
        else:
            colors[g] = PALETTE[i % len(PALETTE)]
            i += 1
    return colors


def _date_axis(ax) -> None:
    """Concise date ticks: never overlapping, year written once."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _unit(table: pd.DataFrame) -> str:
    return FREQUENCIES.get(table.attrs.get("freq", "M"), "period")


def _bar_width(table: pd.DataFrame) -> float:
    return 0.85 * _DAYS.get(table.attrs.get("freq", "M"), 30.4)


def _complete_periods(part: pd.DataFrame, freq: str) -> pd.DataFrame:
    alias = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}.get(freq, "M")
    full = pd.period_range(part["period"].min(), part["period"].max(), freq=alias).start_time
    return part.set_index("period").reindex(full.astype("datetime64[ns]")).rename_axis("period").reset_index()


def _ordered_groups(table: pd.DataFrame, by: str) -> list[str]:
    totals = table.groupby(by)["n_articles"].sum()
    named = sorted((g for g in totals.index if g not in (OTHER_GROUP, MISSING_GROUP)), key=lambda g: (-totals[g], g))
    return named + [g for g in (OTHER_GROUP, MISSING_GROUP) if g in totals.index]


def _mark_events(ax, events, *, fig, key: bool, max_events: int) -> tuple[list[str], int]:
    if events is None or len(events) == 0:
        return [], 0
    ax.set_xlim(ax.get_xlim())  # freeze: event lines must not widen the axis
    lo, hi = (pd.Timestamp(mdates.num2date(v).replace(tzinfo=None)) for v in ax.get_xlim())
    inside = events[(events["date"] <= hi) & (events["end"].fillna(events["date"]) >= lo)]
    if len(inside) > max_events and "level" in inside:
        inside = inside[inside["level"] <= 1]  # a long window: major events only
    inside = inside.sort_values(["date", "id"]).head(max_events)
    if inside.empty:
        return [], 0
    trans = ax.get_xaxis_transform()
    span = (hi - lo).days or 1
    last_x: dict[int, float] = {}
    entries, levels = [], 1
    for n, ev in enumerate(inside.itertuples(index=False), 1):
        start = max(ev.date, lo)
        if pd.notna(ev.end):
            ax.axvspan(start, min(ev.end, hi), color=EVENT_COLOR, alpha=0.07, lw=0, zorder=0)
        if ev.date >= lo:
            ax.axvline(ev.date, color=EVENT_COLOR, lw=0.8, ls=(0, (4, 3)), zorder=1)
        x = (start - lo).days / span
        level = next((lv for lv in range(3) if x - last_x.get(lv, -1.0) > 0.028), 2)
        last_x[level] = x
        levels = max(levels, level + 1)
        ax.annotate(
            str(n),
            xy=(mdates.date2num(start), 1.0),
            xycoords=trans,
            xytext=(0, 5 + 13 * level),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
            color="white",
            fontweight="bold",
            annotation_clip=False,
            bbox=dict(boxstyle="circle,pad=0.2", fc=EVENT_COLOR, ec="none"),
        )
        when = f"{ev.date:%d %b %Y}" + (f" – {ev.end:%d %b %Y}" if pd.notna(ev.end) else "")
        entries.append(f"{n}  {ev.label} ({when})")
    if key and fig is not None:
        handles = [Line2D([], [], ls="none") for _ in entries]
        width = fig.get_figwidth()
        ncol = min(3 if width >= 8.5 else 2, len(entries))
        # grow the figure by the key's height so the plot keeps its size
        fig.set_figheight(fig.get_figheight() + 0.35 + 0.16 * -(-len(entries) // ncol))
        fig.legend(
            handles,
            entries,
            loc="outside lower center",
            ncol=ncol,
            fontsize=7.5,
            frameon=False,
            handlelength=0,
            handletextpad=0,
            columnspacing=1.5,
            title="Key events",
            title_fontsize=8,
        )
    return entries, levels


def plot_events(
    ax, events: pd.DataFrame | None, *, fig: Figure | None = None, key: bool = True, max_events: int = 18
) -> list[str]:
    """Draw key events on a time axis: a dashed line at each date, a shaded band for events with an end date,
    and a numbered marker above the plot. The numbers are explained in a key under the figure (``key=True``).

    Only events inside the axis' date range are drawn; when more than ``max_events`` fall inside, only the major
    ones (``level`` 1 in the events file) are drawn. Returns the key's entries ("1  Mosul falls to IS (10 Jun 2014)").
    """
    return _mark_events(ax, events, fig=fig, key=key, max_events=max_events)[0]


def _title_with_events(ax, fig, title: str, events, *, key: bool = True, max_events: int = 18) -> None:
    """Mark the events, then set the title high enough to clear the event markers."""
    _, levels = _mark_events(ax, events, fig=fig, key=key, max_events=max_events)
    ax.set_title(title, pad=6 + (16 + 13 * (levels - 1) if levels else 0))


def plot_volume(table: pd.DataFrame, *, events: pd.DataFrame | None = None, title: str | None = None) -> Figure:
    """Articles per period (a :func:`analysis.timeseries.count_articles` table without ``by``) as bars, with key
    events marked and explained under the plot."""
    if table.empty:
        raise ValueError("plot_volume needs a non-empty count_articles table")
    totals = table.groupby("period")["n_articles"].sum()
    fig, ax = new_figure()
    ax.bar(totals.index, totals.values, width=_bar_width(table), color=PALETTE[0], label="articles", zorder=2)
    _date_axis(ax)
    ax.set_ylabel(f"articles per {_unit(table)}")
    ax.set_xlabel("publication date")
    ax.set_ylim(0, max(1, totals.max()) * 1.08)
    _title_with_events(ax, fig, title or f"Article volume per {_unit(table)}", events)
    ax.legend(loc="upper left")
    return fig


def plot_volume_by_group(
    table: pd.DataFrame,
    *,
    by: str,
    normalize: bool = False,
    min_total: int = 5,
    events: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Stacked bars of articles per period and group (``count_articles(by=...)``); ``normalize=True`` shows each
    group's share of the period's articles instead of counts, leaving out periods with fewer than ``min_total``
    articles (a share of one or two articles is noise)."""
    if by not in table.columns:
        raise ValueError(f"the table has no column {by!r}: build it with count_articles(..., by={by!r})")
    groups = _ordered_groups(table, by)
    colors = group_colors(groups)
    value = "share_of_period" if normalize else "n_articles"
    wide = table.pivot(index="period", columns=by, values=value).reindex(columns=groups).fillna(0)
    if normalize:
        totals = table.groupby("period")["period_total"].first().reindex(wide.index)
        wide = wide[totals >= min_total]
    fig, ax = new_figure(height=4.0)
    bottom = np.zeros(len(wide))
    for g in groups:
        ax.bar(
            wide.index, wide[g].values, bottom=bottom, width=_bar_width(table), color=colors[g], label=g, zorder=2, lw=0
        )
        bottom += wide[g].values
    _date_axis(ax)
    ax.set_xlabel("publication date")
    if normalize:
        ax.set_ylabel(f"share of the {_unit(table)}'s articles")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(0, 1)
    else:
        ax.set_ylabel(f"articles per {_unit(table)}")
        ax.set_ylim(0, max(1, bottom.max()) * 1.08)
    label = by.replace("_", " ")
    default = f"{'Share of articles' if normalize else 'Articles'} per {_unit(table)} by {label}"
    if normalize:
        default += f" ({_unit(table)}s with at least {min_total} articles)"
    _title_with_events(ax, fig, title or default, events)
    ax.legend(title=label, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8)
    return fig


def plot_volume_heatmap(table: pd.DataFrame, *, by: str, title: str | None = None) -> Figure:
    """Each group's own output spread over time (``share_of_group`` of a ``count_articles(by=...)`` table) as a
    heat map: rows are groups (largest first), columns periods; compares outlets of very different size."""
    if by not in table.columns:
        raise ValueError(f"the table has no column {by!r}: build it with count_articles(..., by={by!r})")
    groups = _ordered_groups(table, by)
    wide = table.pivot(index=by, columns="period", values="share_of_group").reindex(groups).fillna(0)
    totals = table.groupby(by)["n_articles"].sum()
    fig, ax = new_figure(height=1.2 + 0.32 * len(groups))
    periods = mdates.date2num(pd.DatetimeIndex(wide.columns).to_pydatetime())
    step = np.median(np.diff(periods)) if len(periods) > 1 else 30
    edges = np.append(periods, periods[-1] + step)
    mesh = ax.pcolormesh(
        edges, np.arange(len(groups) + 1), wide.values, cmap="Blues", vmin=0, vmax=max(wide.values.max(), 1e-9)
    )
    ax.set_yticks(np.arange(len(groups)) + 0.5, [f"{g} ({totals[g]:,})" for g in groups], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis_date()
    _date_axis(ax)
    ax.set_xlabel("publication date")
    ax.set_ylabel(f"{by.replace('_', ' ')} (articles)")
    cbar = fig.colorbar(mesh, ax=ax, pad=0.01, fraction=0.04)
    cbar.set_label(f"share of the {by.replace('_', ' ')}'s articles")
    cbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_title(title or f"When each {by.replace('_', ' ')} published (share of its own articles per {_unit(table)})")
    return fig


def plot_wire_share(
    table: pd.DataFrame, *, min_total: int = 5, events: pd.DataFrame | None = None, title: str | None = None
) -> Figure:
    """Two panels from :func:`analysis.timeseries.count_wire_share`: articles per period split into wire-credited
    and other, and the wire and duplicate shares of the periods with at least ``min_total`` articles."""
    fig, (top, bottom) = new_figure(height=5.0, nrows=2, sharex=True, height_ratios=[1.2, 1])
    width = _bar_width(table)
    other = table["n_articles"] - table["n_wire"]
    top.bar(table["period"], table["n_wire"], width=width, color=PALETTE[0], label="credits a wire agency", zorder=2)
    top.bar(
        table["period"], other, bottom=table["n_wire"], width=width, color=NEUTRAL, label="no agency credited", zorder=2
    )
    top.set_ylabel(f"articles per {_unit(table)}")
    top.set_ylim(0, max(1, table["n_articles"].max()) * 1.08)
    top.legend(loc="upper left", fontsize=8)
    enough = table["n_articles"] >= min_total
    shown = table.assign(
        wire_share=table["wire_share"].where(enough), duplicate_share=table["duplicate_share"].where(enough)
    )  # NaN breaks the line
    bottom.plot(shown["period"], shown["wire_share"], marker="o", ms=3, color=PALETTE[0], label="wire share")
    bottom.plot(shown["period"], shown["duplicate_share"], marker="s", ms=3, color=PALETTE[3], label="duplicate share")
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_ylabel(f"share ({_unit(table)}s with\n{min_total}+ articles)")
    bottom.set_xlabel("publication date")
    bottom.legend(loc="upper left", fontsize=8, ncols=2)
    _date_axis(bottom)
    _title_with_events(top, fig, title or f"Wire copy and duplicates per {_unit(table)}", events)
    return fig


def plot_score_over_time(
    table: pd.DataFrame,
    *,
    label: str = "mean score",
    by: str | None = None,
    reference: float | None = 0.0,
    events: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Mean of a per-article score per period (``analysis.timeseries.score_by_period``), one line per group, with a
    band of ±1 standard error and a reference line (0 = neutral for sentiment)."""
    fig, ax = new_figure()
    if table.empty:
        draw_no_data(ax, f"No {_unit(table)} has enough scored articles in this selection.")
        ax.set_title(title or f"{label[0].upper() + label[1:]} per {_unit(table)}")
        return fig
    groups = _ordered_groups(table, by) if by else [None]
    colors = group_colors(groups) if by else {None: PALETTE[0]}
    for g in groups:
        part = table if g is None else table[table[by] == g]
        if part.empty:
            continue
        name = "all articles" if g is None else g
        part = _complete_periods(part, table.attrs.get("freq", "M"))  # gaps break the line instead of bridging
        ax.plot(part["period"], part["mean"], marker="o", ms=3, lw=1.4, color=colors[g], label=name, zorder=3)
        sem = part["sem"].fillna(0)
        ax.fill_between(
            part["period"], part["mean"] - sem, part["mean"] + sem, color=colors[g], alpha=0.15, lw=0, zorder=2
        )
    if reference is not None:
        ax.axhline(reference, color="black", lw=0.7, zorder=1)
    _date_axis(ax)
    ax.set_xlabel("publication date")
    ax.set_ylabel(label)
    _title_with_events(
        ax, fig, title or f"{label[0].upper() + label[1:]} per {_unit(table)} (band: ±1 standard error)", events
    )
    if by:
        ax.legend(title=by.replace("_", " "), loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8)
    else:
        ax.legend(loc="best", fontsize=8)
    return fig


# ------------------------------------------------------------------------------------------------ generic report figures
# Small, general figures the report notebooks use for rankings, categories over time and category-by-group tables
# (actors, frames, labels, sources). Topic modules may offer richer ones; these keep every report section to one call.


def _fmt_axis(ax, axis: str, percent: bool) -> None:
    if percent:
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(PercentFormatter(1.0, decimals=0))


def plot_ranking(
    table: pd.DataFrame,
    *,
    value: str,
    label: str,
    top: int = 15,
    error: str | None = None,
    select_by: str | None = None,
    percent: bool = False,
    xlabel: str | None = None,
    ylabel: str | None = None,
    reference: float | None = None,
    title: str | None = None,
) -> Figure:
    """Horizontal bars (or dots with ±1.96 standard errors when ``error`` names a column) of ``value`` per
    ``label``, largest first: the ``top`` rows by ``value``, or by ``select_by`` (e.g. the number of sentences
    behind a mean) when given. ``reference`` draws a vertical line (e.g. 0 for a tone score). ``ylabel`` names the
    categories (default: the ``label`` column's name)."""
    data = table.dropna(subset=[value])
    if select_by:
        data = data.sort_values([select_by, label], ascending=[False, True], kind="mergesort").head(top)
    data = data.sort_values([value, label], ascending=[False, True], kind="mergesort").head(top)
    fig, ax = new_figure(height=1.1 + 0.27 * max(len(data), 1))
    if data.empty:
        draw_no_data(ax, "Nothing to rank in this selection.")
        ax.set_title(title or value.replace("_", " "))
        return fig
    y = np.arange(len(data))
    names = [str(v) for v in data[label]]
    if error:
        err = 1.96 * data[error].fillna(0).to_numpy()
        ax.errorbar(
            data[value],
            y,
            xerr=err,
            fmt="o",
            color=PALETTE[0],
            ecolor="#888888",
            capsize=2,
            ms=5,
            label=f"{xlabel or value.replace('_', ' ')} (±1.96 SE)",
        )
    else:
        ax.barh(y, data[value], color=PALETTE[0], height=0.7, label=xlabel or value.replace("_", " "), zorder=2)
    if reference is not None:
        ax.axvline(reference, color="black", lw=0.7)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _fmt_axis(ax, "x", percent)
    ax.set_xlabel(xlabel or value.replace("_", " "))
    ylabel = ylabel or label.replace("_", " ")
    ax.set_ylabel(ylabel)
    if error:  # dots spread over the whole axis: the legend goes under the plot
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", fontsize=8)
    else:  # bars shrink downwards: the lower right corner is free
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or f"{(xlabel or value.replace('_', ' ')).capitalize()} by {ylabel}")
    return fig


def plot_categories_over_time(
    table: pd.DataFrame,
    *,
    category: str,
    value: str,
    top: int = 6,
    weight: str | None = None,
    percent: bool = False,
    ylabel: str | None = None,
    events: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """One line per category (actor, frame, source type, ...) of ``value`` over ``period``; the ``top``
    categories by total ``weight`` (default: ``value``) are drawn. Periods without data break the lines."""
    if "period" not in table.columns:
        raise ValueError("plot_categories_over_time needs a table with a period column (use freq=...)")
    fig, ax = new_figure(height=4.4)
    if table.empty:
        draw_no_data(ax, "No data in this selection.")
        ax.set_title(title or value.replace("_", " "))
        return fig
    totals = table.groupby(category)[weight or value].sum()
    chosen = sorted(totals.index, key=lambda c: (-totals[c], str(c)))[:top]
    colors = group_colors(chosen)
    freq = table.attrs.get("freq")
    if not freq:
        steps = pd.Series(sorted(table["period"].unique())).diff().dt.days.dropna()
        freq = {1: "D", 7: "W"}.get(
            int(steps.min()) if len(steps) else 30,
            "M" if not len(steps) or steps.min() < 80 else ("Q" if steps.min() < 300 else "Y"),
        )
    for c in chosen:
        part = table[table[category] == c][["period", value]].groupby("period", as_index=False)[value].sum()
        part = _complete_periods(part, freq)
        ax.plot(part["period"], part[value], marker="o", ms=3, lw=1.5, color=colors[c], label=str(c))
    _date_axis(ax)
    _fmt_axis(ax, "y", percent)
    ax.set_xlabel("publication date")
    ax.set_ylabel(ylabel or value.replace("_", " "))
    ax.set_ylim(bottom=0)
    ax.legend(
        title=category.replace("_", " "), loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8
    )
    unit = FREQUENCIES.get(freq, "period")
    _title_with_events(ax, fig, title or f"{(ylabel or value.replace('_', ' ')).capitalize()} per {unit}", events)
    return fig


def plot_category_heatmap(
    table: pd.DataFrame,
    *,
    rows: str,
    columns: str,
    value: str,
    top_rows: int = 15,
    top_columns: int = 10,
    weight: str | None = None,
    percent: bool = False,
    colorbar_label: str | None = None,
    title: str | None = None,
) -> Figure:
    """A heat map of ``value`` for ``rows`` x ``columns`` (e.g. actors x outlets), the largest rows and columns by
    total ``weight`` (default ``value``), with the value written in each cell."""
    w = weight or value
    fig, ax = new_figure(height=1.4 + 0.3 * min(top_rows, max(table[rows].nunique(), 1)))
    if table.empty:
        draw_no_data(ax, "No data in this selection.")
        ax.set_title(title or value.replace("_", " "))
        return fig
    rt, ct = table.groupby(rows)[w].sum(), table.groupby(columns)[w].sum()
    row_order = sorted(rt.index, key=lambda r: (-rt[r], str(r)))[:top_rows]
    col_order = sorted(ct.index, key=lambda c: (-ct[c], str(c)))[:top_columns]
    wide = table.pivot_table(index=rows, columns=columns, values=value, aggfunc="sum").reindex(
        index=row_order, columns=col_order
    )
    mesh = ax.imshow(
        wide.to_numpy(dtype=float),
        aspect="auto",
        cmap="Blues",
        vmin=0,
        vmax=np.nanmax(wide.to_numpy(dtype=float)) if wide.notna().any().any() else 1,
    )
    ax.set_xticks(range(len(col_order)), [str(c) for c in col_order], rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(row_order)), [str(r) for r in row_order], fontsize=8)
    ax.grid(False)
    vmax = np.nanmax(wide.to_numpy(dtype=float)) if wide.notna().any().any() else 1
    if wide.size <= 200:
        for (i, j), v in np.ndenumerate(wide.to_numpy(dtype=float)):
            if not np.isnan(v):
                text = f"{v:.0%}" if percent else (f"{v:.2g}" if abs(v) < 10 else f"{v:,.0f}")
                ax.text(
                    j, i, text, ha="center", va="center", fontsize=6.5, color="white" if v > 0.6 * vmax else "#222222"
                )
    cbar = fig.colorbar(mesh, ax=ax, pad=0.01, fraction=0.04)
    cbar.set_label(colorbar_label or value.replace("_", " "))
    if percent:
        cbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(columns.replace("_", " "))
    ax.set_ylabel(rows.replace("_", " "))
    ax.set_title(
        title
        or f"{(colorbar_label or value.replace('_', ' ')).capitalize()} by {rows.replace('_', ' ')} "
        f"and {columns.replace('_', ' ')}"
    )
    return fig


def plot_split_bars(
    table: pd.DataFrame,
    *,
    category: str,
    split: str,
    value: str = "n",
    top: int = 15,
    title: str | None = None,
    xlabel: str | None = None,
) -> Figure:
    """100% horizontal bars: for each ``category`` (e.g. a label) the share of ``value`` in each ``split`` (e.g. own
    voice vs attributed), the ``top`` categories by total first; the total is written after each bar."""
    fig, ax = new_figure(height=1.3 + 0.3 * min(top, max(table[category].nunique(), 1)))
    if table.empty:
        draw_no_data(ax, "No data in this selection.")
        ax.set_title(title or category)
        return fig
    wide = table.pivot_table(index=category, columns=split, values=value, aggfunc="sum", fill_value=0)
    totals = wide.sum(axis=1)
    order = sorted(totals.index, key=lambda c: (-totals[c], str(c)))[:top]
    wide = wide.reindex(order)
    shares = wide.div(wide.sum(axis=1), axis=0)
    parts = sorted(shares.columns, key=str)
    colors = group_colors(parts)
    left = np.zeros(len(shares))
    y = np.arange(len(shares))
    for p in parts:
        ax.barh(y, shares[p], left=left, color=colors[p], label=str(p), height=0.7, zorder=2)
        left += shares[p].to_numpy()
    for i, c in enumerate(order):
        ax.text(1.01, i, f"n={int(totals[c]):,}", va="center", fontsize=7.5, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, [str(c) for c in order])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(xlabel or f"share of {value.replace('_', ' ')}")
    ax.set_ylabel(category.replace("_", " "))
    fig.legend(
        *ax.get_legend_handles_labels(),
        title=split.replace("_", " "),
        loc="outside lower center",
        ncols=len(parts),
        fontsize=8,
    )
    ax.set_title(title or f"{category.replace('_', ' ').capitalize()} by {split.replace('_', ' ')}")
    return fig
