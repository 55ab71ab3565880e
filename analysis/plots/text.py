"""Figures of words: keyness bars (like quanteda's textplot_keyness) and a lexical dispersion ("x-ray") plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.errors import ParameterError
from analysis.plots.style import MATCH_COLORS, NEUTRAL, PALETTE, ReportFigure
from analysis.tables import require_columns

TARGET_COLOR = PALETTE[0]
REFERENCE_COLOR = NEUTRAL
_MEASURE_LABELS = {
    "g2": "G² (log-likelihood, Williams-corrected)",
    "chi2": "χ² (Yates-corrected)",
    "log_ratio": "log ratio (log₂ of relative frequencies)",
}


def plot_keyness(
    keyness: pd.DataFrame,
    *,
    n: int = 20,
    measure: str = "g2",
    show_reference: bool = True,
    max_p: float | None = 0.05,
    title: str | None = None,
) -> Figure:
    """The ``n`` most key terms of the target (bars to the right) and of the reference (left), like
    quanteda's ``textplot_keyness``. ``keyness`` is a :func:`analysis.frequency.score_keyness` table; terms with
    ``p_g2`` above ``max_p`` are left out (``None`` keeps all)."""
    require_columns(keyness, ["term", measure], what="keyness table")
    if measure not in _MEASURE_LABELS:
        raise ParameterError(f"measure must be one of {', '.join(_MEASURE_LABELS)}, got {measure!r}")
    table = keyness
    if max_p is not None and "p_g2" in table:
        table = table[table["p_g2"] <= max_p]
    top = table.sort_values([measure, "term"], ascending=[False, True]).head(n)
    top = top[top[measure] > 0]
    bottom = table.sort_values([measure, "term"], ascending=[True, True]).head(n) if show_reference else table.iloc[:0]
    bottom = bottom[bottom[measure] < 0]
    rows = pd.concat([top, bottom.iloc[::-1]])
    target = keyness.attrs.get("target", "target")
    reference = keyness.attrs.get("reference", "reference")
    fig = ReportFigure(figsize=(7.5, max(2.5, 0.24 * len(rows) + 1.3)), layout="constrained")
    ax = fig.subplots()
    if rows.empty:
        ax.text(
            0.5,
            0.5,
            "No term is key at this significance level.",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#555555",
        )
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        y = np.arange(len(rows))[::-1]
        values = rows[measure].to_numpy()
        colors = np.where(values > 0, TARGET_COLOR, REFERENCE_COLOR)
        ax.barh(y, values, color=colors, height=0.75)
        span = np.abs(values).max()
        for yi, v, term in zip(y, values, rows["term"]):
            ax.text(
                v + (0.01 * span if v > 0 else -0.01 * span),
                yi,
                str(term),
                va="center",
                ha="left" if v > 0 else "right",
                fontsize=8,
            )
        ax.set_yticks([])
        ax.set_xlim(-span * (1.35 if (values < 0).any() else 0.05), span * 1.35)
        ax.axvline(0, color="black", lw=0.7)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        from matplotlib.patches import Patch

        handles = [Patch(color=TARGET_COLOR, label=f"target: {target}")]
        if (values < 0).any():
            handles.append(Patch(color=REFERENCE_COLOR, label=f"reference: {reference}"))
        ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    ax.set_xlabel(_MEASURE_LABELS[measure])
    ax.set_title(title or f"Key terms of {target} vs {reference}")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return fig


def plot_dispersion(
    corpus: pd.DataFrame,
    patterns: str | list[str],
    *,
    max_docs: int = 25,
    label: str = "doc_id",
    case_sensitive: bool = False,
    include_duplicates: bool = True,
    start=None,
    end=None,
    title: str | None = None,
) -> Figure:
    """Lexical dispersion ("x-ray", like quanteda's ``textplot_xray``): where in each article the patterns occur.

    One panel per pattern (a word, phrase or glob as in :func:`analysis.concordance.find_kwic`), one row per article
    (the ``max_docs`` articles with most matches, in ``doc_id`` order), a tick at each match's relative position
    (0 = first word, 1 = last word). ``label``: the corpus column that names the rows (e.g. ``"title"``).
    """
    from analysis.concordance import find_kwic
    from analysis.text import split_words

    patterns = [patterns] if isinstance(patterns, str) else list(patterns)
    require_columns(corpus, ["doc_id", "text", label], what="corpus")
    kwic = find_kwic(
        corpus,
        patterns,
        window=0,
        case_sensitive=case_sensitive,
        include_duplicates=include_duplicates,
        start=start,
        end=end,
    )
    fig = ReportFigure(
        figsize=(7.5, 1.2 + 0.28 * min(max_docs, max(kwic["doc_id"].nunique(), 1))), layout="constrained"
    )
    axes = np.atleast_1d(fig.subplots(1, len(patterns), sharey=True, squeeze=False)[0])
    if kwic.empty:
        axes[0].text(
            0.5,
            0.5,
            "No match in this selection.",
            transform=axes[0].transAxes,
            ha="center",
            va="center",
            color="#555555",
        )
        for ax, p in zip(axes, patterns):
            ax.set_title(repr(p), fontsize=9)
            ax.set_yticks([])
        fig.suptitle(title or "Lexical dispersion")
        return fig
    counts = kwic.groupby("doc_id").size().sort_values(ascending=False, kind="stable")
    docs = sorted(counts.index[:max_docs])
    texts = corpus.set_index("doc_id").loc[docs]
    lengths = {d: max(len(split_words(t)), 1) for d, t in zip(docs, texts["text"])}
    names = [str(v)[:40] + ("…" if len(str(v)) > 40 else "") for v in texts[label]]
    row = {d: i for i, d in enumerate(docs)}
    for k, (ax, p) in enumerate(zip(axes, patterns)):
        part = kwic[(kwic["pattern"] == p) & kwic["doc_id"].isin(docs)]
        x = part["token_start"].to_numpy() / np.array([lengths[d] for d in part["doc_id"]], dtype=float)
        y = np.array([row[d] for d in part["doc_id"]])
        ax.scatter(x, y, marker="|", s=120, linewidths=1.6, color=MATCH_COLORS[k % len(MATCH_COLORS)])
        ax.set_xlim(0, 1)
        ax.set_ylim(len(docs) - 0.5, -0.5)
        ax.set_yticks(range(len(docs)))
        ax.set_yticklabels(names, fontsize=7)
        ax.set_title(f"'{p}' ({len(part)})", fontsize=9)
        ax.set_xticks([0.25, 0.5, 0.75], ["25%", "50%", "75%"], fontsize=8)
        ax.grid(axis="y", color="#E5E5E5", lw=0.6)
        ax.set_axisbelow(True)
    fig.supxlabel("position in the article (share of its words)", fontsize=9)
    shown = (
        f"{len(docs)} of {counts.size} articles with a match"
        if counts.size > len(docs)
        else f"{len(docs)} articles with a match"
    )
    fig.suptitle(title or f"Lexical dispersion ({shown})")
    return fig
