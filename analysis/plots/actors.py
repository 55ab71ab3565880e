"""Figures of actors and places: mentions over time, co-occurrence network, actor tone, and a place map."""

from __future__ import annotations

import math
import re
import textwrap

import matplotlib.dates as mdates
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.actors import ActorDictionary, default_dictionary
from analysis.actors.places import find_place_parents
from analysis.errors import ParameterError
from analysis.plots.style import NO_SIDE, PALETTE, ReportFigure, draw_no_data, full_period_range, new_figure
from analysis.tables import require_columns

#: One colour per side of the conflict in the network figure (others grey).
SIDE_COLORS = {
    "IS": "#222222",
    "Iraqi state": "#0072B2",
    "Kurdish": "#E69F00",
    "Syrian government": "#D55E00",
    "Syrian opposition": "#009E73",
    "jihadist (non-IS)": "#8C564B",
    "anti-IS coalition": "#56B4E9",
    "Russia": "#CC79A7",
    "Turkey": "#332288",
    "Iran": "#882255",
    "neutral": "#9A9A9A",
}
MEASURES = {
    "n_mentions": "mentions",
    "mentions_per_1000_words": "mentions per 1,000 words",
    "share_of_articles": "share of articles mentioning",
    "n_articles_mentioning": "articles mentioning",
}
RIVER_COLOR = "#7FB3D5"


def _short(label: str) -> str:
    """'Hashed al-Shaabi (Popular Mobilisation Forces)' -> 'Hashed al-Shaabi' for compact figure labels."""
    return label.split(" (")[0].split(" / ")[0]


def _labels(table: pd.DataFrame, dictionary: ActorDictionary | None) -> dict[str, str]:
    if "label" in table.columns:
        return {a: _short(str(lab)) for a, lab in zip(table["actor_id"], table["label"])}
    d = dictionary or default_dictionary()
    return {a: _short(d.entries[a].label) if a in d.entries else a for a in table["actor_id"].unique()}


# ---------------------------------------------------------------------------------------------- mentions over time
def plot_mentions_over_time(
    counts: pd.DataFrame,
    *,
    actors=None,
    measure: str = "mentions_per_1000_words",
    top: int = 6,
    title: str | None = None,
) -> Figure:
    """Lines of one measure per period for selected actors/places, from ``count_mentions(..., freq=...)``.

    ``actors``: ids to show (default: the ``top`` most mentioned). ``measure``: n_mentions,
    mentions_per_1000_words, share_of_articles or n_articles_mentioning. Groups in other ``by`` columns are summed.
    Every period from the first to the last is on the line: one the table lacks counts as zero mentions (or, for
    a rate, leaves a gap), so a line never bridges a period without data.
    """
    if measure not in MEASURES:
        raise ParameterError(f"measure {measure!r} must be one of {', '.join(MEASURES)}")
    require_columns(
        counts,
        ["period", "actor_id", "n_mentions", "n_words", "n_articles", "n_articles_mentioning"],
        what="count table (use count_mentions(..., freq='M'))",
    )
    labels = _labels(counts, None)
    agg = (
        counts.groupby(["period", "actor_id"])[["n_mentions", "n_words", "n_articles", "n_articles_mentioning"]]
        .sum()
        .reset_index()
    )
    agg["mentions_per_1000_words"] = agg["n_mentions"] * 1000 / agg["n_words"].where(agg["n_words"] > 0)
    agg["share_of_articles"] = agg["n_articles_mentioning"] / agg["n_articles"].where(agg["n_articles"] > 0)
    if actors is None:
        actors = agg.groupby("actor_id")["n_mentions"].sum().sort_values(ascending=False, kind="stable")
        actors = list(actors[actors > 0].index[:top])
    else:
        actors = [actors] if isinstance(actors, str) else list(actors)
    fig, ax = new_figure(7.2, 4.2)
    if agg.empty or not actors:
        draw_no_data(ax, "no mentions in this selection")
        return fig
    full = full_period_range(pd.DatetimeIndex(sorted(pd.to_datetime(agg["period"]).unique())))
    # a period missing from the table is zero mentions (count measures) or a gap (rates): never a bridged line
    fill = 0 if measure in ("n_mentions", "n_articles_mentioning") else np.nan
    for i, actor in enumerate(actors):
        sub = agg[agg["actor_id"] == actor].set_index(pd.to_datetime(agg.loc[agg["actor_id"] == actor, "period"]))
        series = sub[measure].reindex(full, fill_value=fill)
        ax.plot(
            series.index,
            series.to_numpy(),
            marker="o",
            markersize=3,
            linewidth=1.6,
            color=PALETTE[i % len(PALETTE)],
            label=textwrap.fill(labels.get(actor, actor), 20, break_long_words=False),
        )
    ax.set_ylabel(MEASURES[measure])
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if measure == "share_of_articles":
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
    ax.set_title(title or f"{MEASURES[measure].capitalize()} by period", fontsize=11, loc="left")
    return fig


# ------------------------------------------------------------------------------------------------ co-occurrence
_SMALL_WORDS = {"of", "for", "the", "and", "in", "on", "de", "al", "to"}


def _compact(entry_id: str, dictionary: ActorDictionary, max_len: int = 16) -> str:
    """A short node label: the label without its parenthesis; a long one becomes its acronym when an alias spells
    the label's initials ('Syrian Observatory for Human Rights' -> 'SOHR'), else it is wrapped on two lines."""
    if entry_id not in dictionary.entries:
        return entry_id
    entry = dictionary.entries[entry_id]
    label = _short(entry.label)
    if len(label) <= max_len:
        return label
    initials = "".join(w[0] for w in re.split(r"[\s-]+", label) if w and w.lower() not in _SMALL_WORDS).upper()
    for alias in entry.aliases:
        if alias.isupper() and 2 <= len(alias) <= 6 and alias == initials:
            return alias
    return textwrap.fill(label, max(max_len, math.ceil(len(label) / 2) + 1), break_long_words=False)


def plot_cooccurrence_network(
    cooccurrence: pd.DataFrame,
    *,
    top: int = 20,
    min_count: int = 2,
    dictionary: ActorDictionary | None = None,
    seed: int = 7,
    title: str | None = None,
    label_length: int = 16,
) -> Figure:
    """Network of actors mentioned together, from ``count_cooccurrence`` (long table).

    Nodes: the ``top`` actors with the most co-mentions, sized by the units mentioning them and coloured by side;
    edges: pairs co-mentioned at least ``min_count`` times, width by n_both. Labels longer than ``label_length``
    characters become the actor's acronym (an alias spelling its initials) or wrap on two lines. The layout is
    seeded (``seed``), so the same table always gives the same figure; fewer nodes (``top``) or a higher
    ``min_count`` make a dense network readable.
    """
    require_columns(cooccurrence, ["actor_a", "actor_b", "n_both", "n_a", "n_b"], what="co-occurrence table")
    d = dictionary or default_dictionary()
    edges = cooccurrence[cooccurrence["n_both"] >= min_count]
    strength = pd.concat(
        [
            edges[["actor_a", "n_both"]].rename(columns={"actor_a": "id"}),
            edges[["actor_b", "n_both"]].rename(columns={"actor_b": "id"}),
        ]
    )
    strength = strength.groupby("id")["n_both"].sum()
    strength = strength.reset_index().sort_values(["n_both", "id"], ascending=[False, True], kind="stable")
    nodes = list(strength["id"].iloc[:top])
    edges = edges[edges["actor_a"].isin(nodes) & edges["actor_b"].isin(nodes)]
    fig, ax = new_figure(7.2, 6.4)
    ax.set_axis_off()
    if edges.empty:
        draw_no_data(ax, f"no pair co-occurs {min_count} or more times")
        ax.set_title(title or "Actors mentioned together", loc="left")
        return fig
    graph = nx.Graph()
    size = {}
    for a, b, n, na, nb in edges.sort_values(["actor_a", "actor_b"])[
        ["actor_a", "actor_b", "n_both", "n_a", "n_b"]
    ].itertuples(index=False):
        graph.add_edge(a, b, weight=float(n), damped=math.log1p(float(n)))
        size[a], size[b] = na, nb
    nodes = sorted(graph.nodes)
    # Kamada-Kawai spreads a dense graph evenly (the spring layout piles the hubs in the centre, under their
    # labels); a short seeded spring pass on log-damped weights then pulls strongly tied actors together, with a
    # node distance k well above networkx's default 1/sqrt(n) so that the hubs' labels fit between them.
    start = nx.kamada_kawai_layout(graph, weight=None) if len(nodes) > 2 else None
    pos = nx.spring_layout(
        graph, pos=start, weight="damped", seed=seed, k=5.5 / math.sqrt(len(nodes)), iterations=30 if start else 50
    )
    max_w = edges["n_both"].max()
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: e[2]["weight"]):  # heavy edges on top
        (x1, y1), (x2, y2) = pos[a], pos[b]
        ax.plot(
            [x1, x2],
            [y1, y2],
            color="#888888",
            alpha=0.25 + 0.5 * data["weight"] / max_w,
            linewidth=0.4 + 4.5 * data["weight"] / max_w,
            zorder=1,
            solid_capstyle="round",
        )
    max_s = max(size.values())
    ax.margins(0.1)
    sides = {n: d.entries[n].attrs.get("side") if n in d.entries else None for n in nodes}
    xs, ys = zip(*(pos[n] for n in nodes))
    areas = [60 + 700 * size[n] / max_s for n in nodes]
    ax.scatter(
        xs,
        ys,
        s=areas,
        zorder=2,
        edgecolor="white",
        linewidth=1,
        color=[SIDE_COLORS.get(sides[n], NO_SIDE) for n in nodes],
    )
    texts = [
        ax.text(
            pos[n][0],
            pos[n][1],
            _compact(n, d, label_length),
            fontsize=9,
            zorder=3,
            linespacing=1.0,
            bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        )
        for n in nodes
    ]
    fig.canvas.draw()  # final axis limits before measuring
    _place_labels(
        fig,
        ax,
        texts,
        [pos[n] for n in nodes],
        offsets=[(0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, 1), (1, 1), (-1, -1)],
        radii=[math.sqrt(a) / 2 for a in areas],
        rings=(1, 8, 16, 24),
        leader_color="#777777",
    )
    used = [s for s in SIDE_COLORS if s in set(sides.values())]
    handles = [Line2D([], [], marker="o", linestyle="", markersize=7, color=SIDE_COLORS[s], label=s) for s in used]
    if any(s not in SIDE_COLORS for s in sides.values()):
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=7, color=NO_SIDE, label="other / none"))
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(4, len(handles)),
        frameon=False,
        fontsize=8.5,
        handletextpad=0.2,
        columnspacing=1.0,
    )
    level = cooccurrence["level"].iloc[0] if "level" in cooccurrence.columns and len(cooccurrence) else "unit"
    ax.set_title(
        title
        or f"Actors mentioned in the same {level}\n"
        f"(the {len(nodes)} most connected; lines: pairs with {min_count}+ co-mentions)",
        fontsize=11,
        loc="left",
    )
    return fig


def _place_labels(
    fig,
    ax,
    texts,
    anchors,
    offsets,
    radii=None,
    *,
    rings=(1,),
    drop: bool = False,
    leader_color: str | None = None,
    extra=(),
) -> list[bool]:
    """Greedy label placement: try offsets around each anchor, keep the first that overlaps no label or point.

    ``offsets`` are (dx, dy) in points, scaled by each anchor's marker radius (points) plus a gap when ``radii``
    is given; each of ``rings`` (in points) pushes the label further out when no nearer position is free, with a
    thin leader line (``leader_color``) to its point; ``extra`` are more boxes (display pixels) to avoid. A label
    with no free position is removed with ``drop``, else kept at its first position (a readable overlap beats a
    hidden name). Returns which labels were kept.
    Written here because matplotlib has no label de-overlapping and adjustText is not a dependency.
    """
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()
    to_px = fig.dpi / 72
    radii = radii or [0.0] * len(texts)
    centres = [ax.transData.transform(a) for a in anchors]
    obstacles = [
        Bbox.from_extents(x - r * to_px, y - r * to_px, x + r * to_px, y + r * to_px)
        for (x, y), r in zip(centres, radii)
    ]
    placed, kept = [], []
    frame = ax.get_window_extent(renderer)
    inverse = ax.transData.inverted()
    for i, (text, (px, py), r) in enumerate(zip(texts, centres, radii)):
        first, found = None, None
        others = placed + obstacles[:i] + obstacles[i + 1 :] + list(extra)
        for ring in rings:
            for dx, dy in offsets:
                norm = math.hypot(dx, dy) or 1.0
                gap_x = (r + 2 + ring - 1) * dx / norm if (r or ring > 1) else 0
                gap_y = (r + 2 + ring - 1) * dy / norm if (r or ring > 1) else 0
                text.set_ha("right" if dx < 0 else "left" if dx > 0 else "center")
                text.set_va("top" if dy < 0 else "bottom" if dy > 0 else "center")
                text.set_position(inverse.transform((px + (dx + gap_x) * to_px, py + (dy + gap_y) * to_px)))
                box = text.get_window_extent(renderer)
                first = first or (text.get_position(), text.get_ha(), text.get_va())
                inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                padded = box.padded(2 * to_px)  # a little air between neighbouring labels
                if inside and not any(padded.overlaps(b) for b in others):
                    found = ring
                    break
            if found is not None:
                break
        if found is None:
            if drop:
                text.remove()
                kept.append(False)
                continue
            pos, ha, va = first
            text.set_position(pos)
            text.set_ha(ha)
            text.set_va(va)
            box = text.get_window_extent(renderer)
        elif found > rings[0] and leader_color:
            near = (min(max(px, box.x0), box.x1), min(max(py, box.y0), box.y1))  # nearest point of the label
            ax.plot(*zip(anchors[i], inverse.transform(near)), color=leader_color, linewidth=0.6, zorder=2.5)
        placed.append(box)
        kept.append(True)
    return kept


# ---------------------------------------------------------------------------------------------------------- tone
TONE_AXIS_LABELS = {
    "target": "mean tone towards the actor\n(target-dependent: P(positive) - P(negative), -1 to 1; bars: 95% intervals)",
    "sentence": "mean tone of the sentences naming the actor\n(VADER compound, -1 to 1; bars: 95% intervals)",
}


def plot_actor_tone(
    tone: pd.DataFrame,
    *,
    by: str | None = None,
    actors=None,
    top: int = 12,
    min_sentences: int = 5,
    max_groups: int = len(PALETTE),
    ncols: int = 4,
    title: str | None = None,
) -> Figure:
    """Mean tone towards each actor, with 95% intervals, from ``score_actor_tone`` (either method).

    ``by``: a grouping column of the table (e.g. 'outlet' or 'period'). Up to ``max_groups`` groups are coloured
    dots on each actor's row; with more groups the figure swaps axes and facets: one small panel per actor, the
    groups on its vertical axis. ``actors`` (default: the ``top`` actors with the most sentences). Cells (actor, or
    actor and group) with fewer than ``min_sentences`` sentences are hidden, since one sentence is no estimate; the
    title says how many were hidden.
    """
    require_columns(tone, ["actor_id", "n_sentences", "mean_tone", "se_tone"], what="tone table")
    method = tone["method"].iloc[0] if "method" in tone.columns and len(tone) else "target"
    if by is not None:
        require_columns(tone, [by], what="tone table")
    small = tone["n_sentences"] < min_sentences
    t = tone[~small].copy()
    chosen = small if actors is None else small & tone["actor_id"].isin([actors] if isinstance(actors, str) else actors)
    if actors is None:
        totals = t.groupby("actor_id")["n_sentences"].sum().sort_values(ascending=False, kind="stable")
        actors = list(totals.index[:top])
    else:
        actors = [actors] if isinstance(actors, str) else list(actors)
    t = t[t["actor_id"].isin(actors)]
    labels = _labels(tone, None)
    unit = "actor" if by is None else f"actor × {by} cell"
    n_hidden = int(chosen.sum())
    hidden = f"{n_hidden} {unit}{'s' if n_hidden != 1 else ''} with fewer than {min_sentences} sentences hidden"
    default = "Tone towards each actor" if method == "target" else "Tone of the sentences that mention each actor"
    heading = (title or default) + (f"\n({hidden})" if n_hidden else "")
    groups = [None] if by is None else sorted(t[by].dropna().unique().tolist())
    if len(groups) > max_groups:
        return _plot_tone_facets(t, by=by, groups=groups, labels=labels, method=method, ncols=ncols, title=heading)
    fig, ax = new_figure(7.2, 1.3 + 0.34 * max(len(actors), 3))
    if t.empty:
        draw_no_data(ax, f"no actor with {min_sentences}+ sentences in this selection")
        ax.set_title(heading, fontsize=11, loc="left")
        return fig
    overall = t.assign(w=t["mean_tone"] * t["n_sentences"]).groupby("actor_id")[["w", "n_sentences"]].sum()
    order = list((overall["w"] / overall["n_sentences"]).sort_values().index)
    ypos = {a: i for i, a in enumerate(order)}
    step = 0.0 if len(groups) == 1 else min(0.6 / (len(groups) - 1), 0.2)
    for gi, g in enumerate(groups):
        sub = t if g is None else t[t[by] == g]
        y = np.array([ypos[a] for a in sub["actor_id"]]) + (gi - (len(groups) - 1) / 2) * step
        err = 1.96 * sub["se_tone"].fillna(0).to_numpy()
        ax.errorbar(
            sub["mean_tone"],
            y,
            xerr=err,
            fmt="o",
            markersize=5,
            capsize=2,
            linewidth=1,
            color=PALETTE[gi % len(PALETTE)],
            label=None if g is None else _group_label(g, by, groups),
        )
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(
        range(len(order)), [textwrap.fill(labels.get(a, a), 24, break_long_words=False) for a in order], fontsize=9
    )
    ax.set_xlim(-1, 1)
    ax.set_xlabel(TONE_AXIS_LABELS.get(method, TONE_AXIS_LABELS["target"]), fontsize=9.5)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    if by is not None:
        fig.legend(
            *ax.get_legend_handles_labels(),
            loc="outside lower center",
            ncols=min(len(groups), 4),
            frameon=False,
            fontsize=8.5,
            title=by,
            title_fontsize=8.5,
        )
    ax.set_title(heading, fontsize=11, loc="left")
    return fig


def _group_label(group, by: str | None, groups) -> str:
    """A group's name in a tone figure: a period as its year (yearly periods) or date, anything else as text."""
    if by != "period":
        return str(group)
    yearly = all(pd.Timestamp(g).month == 1 and pd.Timestamp(g).day == 1 for g in groups)
    return pd.Timestamp(group).strftime("%Y" if yearly else "%Y-%m-%d")


def _plot_tone_facets(t: pd.DataFrame, *, by: str, groups, labels, method: str, ncols: int, title: str) -> Figure:
    """Many groups: one panel per actor (most sentences first), the groups on the shared vertical axis."""
    order = list(t.groupby("actor_id")["n_sentences"].sum().sort_values(ascending=False, kind="stable").index)
    ncol = max(1, min(ncols, len(order)))
    nrows = max(1, math.ceil(len(order) / ncol))
    fig = ReportFigure(figsize=(7.2, 0.6 + nrows * (0.8 + 0.17 * len(groups))), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncol, sharex=True, sharey=True)).ravel()
    ypos = {g: i for i, g in enumerate(reversed(groups))}  # first group on top
    for ax, actor in zip(axes, order):
        sub = t[t["actor_id"] == actor]
        ax.errorbar(
            sub["mean_tone"],
            [ypos[g] for g in sub[by]],
            xerr=1.96 * sub["se_tone"].fillna(0).to_numpy(),
            fmt="o",
            markersize=3.5,
            capsize=1.5,
            linewidth=0.9,
            color=PALETTE[0],
        )
        ax.axvline(0, color="#555555", linewidth=0.7)
        ax.set_title(textwrap.fill(labels.get(actor, actor), 22, break_long_words=False), fontsize=8.5, loc="left")
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=7.5)
    for ax in axes[len(order) :]:
        ax.set_axis_off()
    for k in range(max(0, len(order) - ncol), len(order)):  # the lowest panel of each column shows the scale
        axes[k].xaxis.set_tick_params(labelbottom=True)
    axes[0].set_xlim(-1, 1)
    axes[0].set_yticks(range(len(groups)), [_group_label(g, by, groups) for g in reversed(groups)])
    axes[0].set_ylim(-0.6, len(groups) - 0.4)
    fig.supxlabel(TONE_AXIS_LABELS.get(method, TONE_AXIS_LABELS["target"]), fontsize=9)
    fig.suptitle(
        f"{title.splitlines()[0]}, by {by}" + "".join("\n" + line for line in title.splitlines()[1:]),
        fontsize=11,
        x=0.01,
        ha="left",
    )
    return fig


# ------------------------------------------------------------------------------------------------------------ map
def _place_counts(table: pd.DataFrame) -> pd.Series:
    if "n_mentions" in table.columns:
        return table.groupby("actor_id")["n_mentions"].sum()
    require_columns(table, ["actor_id"], what="mentions or count table")
    return table.groupby("actor_id").size()


def plot_place_map(
    table: pd.DataFrame,
    *,
    dictionary: ActorDictionary | None = None,
    top_labels: int = 15,
    merge_districts: bool = True,
    extent: tuple[float, float, float, float] = (34.8, 48.2, 29.5, 38.0),
    rivers: bool = True,
    exclude_types=("country", "river", "region"),
    title: str | None = None,
) -> Figure:
    """Places at their (approximate) coordinates, sized by mentions, with rivers and the largest places labelled.

    ``table``: mentions (one row per mention) or ``count_mentions`` output (n_mentions is summed over groups).
    Places of ``exclude_types`` are not drawn (a region is no point); with ``merge_districts`` districts,
    neighbourhoods and landmarks
    count towards the city they belong to (their ``parent``). ``extent`` = (lon_min, lon_max, lat_min, lat_max);
    places outside it are left out. No country outlines: no offline boundary data ships with the dependencies;
    the coordinates are approximate (see places.yaml).
    """
    d = dictionary or default_dictionary()
    places = d.places.set_index("id")
    counts = _place_counts(table)
    counts = counts[counts.index.isin(places.index)]
    counts = counts[~places.loc[counts.index, "type"].isin(list(exclude_types))]
    if merge_districts:
        parents = find_place_parents(d, level="city")
        counts = counts.groupby(counts.index.map(lambda pid: parents.get(pid, pid))).sum()
    pts = places.loc[counts.index, ["label", "lat", "lon", "type"]].assign(n=counts.to_numpy())
    lon0, lon1, lat0, lat1 = extent
    pts = pts.dropna(subset=["lat", "lon"])
    pts = pts[pts["lon"].between(lon0, lon1) & pts["lat"].between(lat0, lat1)].sort_values("n", ascending=False)
    fig, ax = new_figure(7.2, 5.6)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1 / math.cos(math.radians((lat0 + lat1) / 2)))
    ax.set_facecolor("#FAFAF7")
    ax.grid(color="#E6E6E6", linewidth=0.5)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    if rivers:
        for pid, row in d.places.set_index("id").iterrows():
            path = d.entries[pid].attrs.get("path")
            if row["type"] == "river" and path:
                xs, ys = zip(*path)
                ax.plot(xs, ys, color=RIVER_COLOR, linewidth=1.6, zorder=1, solid_capstyle="round")
                mid = path[len(path) // 2]
                ax.text(
                    mid[0] + 0.12, mid[1] + 0.12, row["label"], color="#4A86B0", fontsize=8, style="italic", zorder=1
                )
    for cid in ("syria", "iraq"):
        if cid in places.index and lon0 <= places.loc[cid, "lon"] <= lon1:
            ax.text(
                places.loc[cid, "lon"],
                places.loc[cid, "lat"] - 0.6,
                places.loc[cid, "label"].upper(),
                fontsize=16,
                color="#D8D8D8",
                ha="center",
                va="center",
                zorder=0,
                fontweight="bold",
            )
    if pts.empty:
        draw_no_data(ax, "no mapped place mentioned in this selection")
        return fig
    max_n = pts["n"].max()
    sizes = (15 + 900 * np.sqrt(pts["n"] / max_n)).to_numpy()
    ax.scatter(
        pts["lon"], pts["lat"], s=sizes, color=PALETTE[3], alpha=0.55, edgecolor="#7A2E00", linewidth=0.6, zorder=2
    )
    ref = [n for n in (max_n, max_n / 10, max_n / 100) if n >= 1]
    handles = [
        ax.scatter(
            [],
            [],
            s=15 + 900 * math.sqrt(n / max_n),
            color=PALETTE[3],
            alpha=0.55,
            edgecolor="#7A2E00",
            label=f"{n:,.0f}",
        )
        for n in ref
    ]
    legend = ax.legend(
        handles=handles,
        title="mentions",
        loc="lower left",
        frameon=True,
        fontsize=8,
        title_fontsize=8,
        labelspacing=2.0,
        borderpad=1.0,
        handletextpad=1.8,
        framealpha=0.9,
    )
    # the top_labels places by mentions, largest first; a label that would overlap a label already placed, a
    # labelled point or the legend is left out (its point stays), so a dense cluster shows its largest places
    labelled = pts.head(top_labels)
    texts = [
        ax.text(
            lon,
            lat,
            f"{_short(label)} ({n:,})",
            fontsize=8.5,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75},
        )
        for label, lon, lat, n in labelled[["label", "lon", "lat", "n"]].itertuples(index=False)
    ]
    fig.canvas.draw()
    _place_labels(
        fig,
        ax,
        texts,
        list(zip(labelled["lon"], labelled["lat"])),
        offsets=[(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)],
        radii=[math.sqrt(a) / 2 for a in sizes[:top_labels]],
        rings=(1, 10, 20),
        drop=True,
        leader_color="#7A2E00",
        extra=[legend.get_window_extent(fig.canvas.get_renderer())],
    )
    ax.set_title(title or "Places mentioned (approximate coordinates; point area ~ mentions)", fontsize=11, loc="left")
    return fig
