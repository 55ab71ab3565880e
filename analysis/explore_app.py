"""The explorer's widgets (ipywidgets): filters, volume over time and tabs that drill down to the articles.

Every table and figure it shows comes from the library functions the reports use (``timeseries.count_articles``,
``plots.coverage.plot_volume``, ``explore.find_articles``, ``concordance.find_kwic``, ``explore.find_evidence``,
``actors.count_mentions``/``score_actor_tone``, ``frequency.score_keyness``) and the one table renderer
(``htmltable.render_table``). The results of the last update are kept as DataFrames on the explorer
(``articles``, ``sentences``, ``evidence``, ``mention_counts``, ``tone``, ``key_terms``) so that they can be
used further in the notebook, and so that tests can run the callbacks without a browser.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.explore import find_articles, find_evidence, find_match_spans, render_article

TABS = ("Articles", "Sentences", "Evidence", "Actors and places", "Key terms", "Read")
PRESETS_FILE = "explore_presets.yaml"
PRESET_KEYS = {"id", "label", "keyword", "actors", "outlets", "frame", "year", "roll_up", "tab", "enabled"}
ROLL_UP_OPTIONS = [("places as found", None), ("districts → city", "city"), ("places → province", "province")]
NO_ROWS = '<p class="note">{}</p>'
CONTEXT = 70  # characters of context shown on each side of a keyword or cue


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _date(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def load_presets(source=None, *, corpus: pd.DataFrame, dictionary, frames=()) -> list[dict]:
    """The explorer's ready-made questions (``analysis/resources/explore_presets.yaml``, or your own file by the
    override rule of :mod:`analysis.resources`) that this corpus can answer: outlets it lacks are dropped, and a
    preset whose actors, frame or outlets are not there is left out (the explorer offers no empty question)."""
    from analysis.errors import ResourceError
    from analysis.resources import check_keys, load_resource

    path, data = load_resource(source, PRESETS_FILE, lists={"presets": "id"}, what="explorer presets")
    present_outlets = set(corpus["outlet"].dropna())
    out = []
    for i, preset in enumerate(data.get("presets") or []):
        where = f"{path}: preset #{i + 1}"
        check_keys(preset, PRESET_KEYS, {"id", "label"}, where)
        if preset.get("tab", "Articles") not in TABS:
            raise ResourceError(f"{where}: tab {preset['tab']!r} must be one of {', '.join(TABS)}")
        if preset.get("roll_up") not in (None, "city", "province"):
            raise ResourceError(f"{where}: roll_up must be city or province")
        preset = dict(preset)
        if preset.get("outlets"):
            preset["outlets"] = [o for o in preset["outlets"] if o in present_outlets]
            if not preset["outlets"]:
                continue
        if any(a not in dictionary for a in preset.get("actors") or []):
            continue
        if preset.get("frame") and preset["frame"] not in frames:
            continue
        out.append(preset)
    return out


class Explorer:
    """Filters (dates, outlets, actors and places, frame, keyword, period) and tabs that show the articles behind
    them. Build it with ``analysis.explore(corpus, tables)``; it displays itself as the cell's value."""

    def __init__(
        self,
        corpus: pd.DataFrame,
        tables,
        *,
        freq: str = "M",
        actors=None,
        presets=None,
        max_rows: int = 10,
        min_sentences: int = 5,
    ):
        import ipywidgets as w

        from analysis import actors as actor_lib
        from analysis.frames import find_frame_labels
        from analysis.htmltable import render_table_scripts

        self.corpus, self.tables, self.freq, self.max_rows = corpus, tables, freq, max_rows
        self.min_sentences = min_sentences
        # the dictionary that found the mentions: your file, else the one the analysis was made with
        self.dictionary = actor_lib.load_dictionary(actors) if actors else tables.dictionary
        sentences = tables.table("sentences", columns=["doc_id", "sent_id", "start", "end", "vader_compound"])
        self._sentences = sentences
        # your own actors file: its mentions are found here, with the same matcher the pipeline uses
        self.mentions = (
            actor_lib.find_mentions(corpus, dictionary=self.dictionary, sentences=sentences)
            if actors
            else tables.table("mentions")
        )
        self.labels = {eid: e.label for eid, e in self.dictionary.entries.items()}
        self._rolled: dict = {}
        frames = find_frame_labels()
        self.presets = {
            p["id"]: p for p in load_presets(presets, corpus=corpus, dictionary=self.dictionary, frames=frames)
        }
        outlets = corpus["outlet"].value_counts()
        year_of = pd.to_datetime(corpus["published"]).dt.year  # NaN when undated
        years = sorted(year_of.dropna().astype(int).unique().tolist())

        layout = w.Layout(width="auto")
        # empty dates: no window, so undated articles stay in (a window drops them)
        self.start = w.DatePicker(description="From", value=None)
        self.end = w.DatePicker(description="To", value=None)
        self.outlets = w.SelectMultiple(
            options=[(f"{o} ({n:,})", o) for o, n in outlets.items()], description="Outlets", rows=6, layout=layout
        )
        self.actors = w.SelectMultiple(options=[], description="Actors", rows=6, layout=layout)
        self.roll_up = w.Dropdown(options=ROLL_UP_OPTIONS, description="Places")
        self.frame = w.Dropdown(options=[("(any)", None)] + [(v, k) for k, v in frames.items()])
        self.frame.description = "Frame"
        self.keyword = w.Text(description="Keyword", placeholder="word, phrase or glob: liberat*")
        self.keyword.continuous_update = False
        # one click: a whole year (From/To set to it), a period of the volume chart, a ready-made question
        self.year = w.ToggleButtons(options=[("all years", None)] + [(str(y), int(y)) for y in years])
        self.year.style.button_width = "auto"
        self.period = w.Select(options=[("(all periods)", None)], description="Period", rows=7)
        # one click: one outlet in one year (task 6), from the corpus's own outlet x year counts
        per_year = corpus.groupby([year_of, corpus["outlet"]], sort=True).size()  # groupby drops the undated
        self.outlet_year = w.Select(
            options=[("(any outlet and year)", None)]
            + [(f"{int(y)} · {o} · {n:,}", (o, int(y))) for (y, o), n in per_year.items()],
            description="Year·outlet",
            rows=6,
            layout=layout,
        )
        self.preset_buttons = {
            pid: w.Button(description=p["label"], tooltip=p["label"], layout=w.Layout(width="auto"))
            for pid, p in self.presets.items()
        }
        for pid, button in self.preset_buttons.items():
            button.on_click(lambda _button, pid=pid: self.apply_preset(pid))
        self.status = w.HTML()
        self.volume = w.Image(format="png", layout=w.Layout(width="100%", max_width="760px"))
        self.read_doc = w.Dropdown(options=[], description="Article", layout=w.Layout(width="95%"))
        self.outputs = [w.Output() for _ in TABS]
        self.tabs = w.Tab(children=self.outputs)
        for i, name in enumerate(TABS):
            self.tabs.set_title(i, name)
        scripts = w.Output()
        scripts.append_display_data(_html(render_table_scripts()))  # the interactive tables' JavaScript, offline

        self.articles = self.sentences = self.evidence = None
        self.mention_counts = self.tone = self.key_terms = None
        self._updating = False
        self._set_actor_options()
        for control in (self.start, self.end, self.outlets, self.actors, self.frame, self.keyword):
            control.observe(self._on_filter, names="value")
        self.roll_up.observe(self._on_roll_up, names="value")
        self.year.observe(self._on_year, names="value")
        self.period.observe(self._on_period, names="value")
        self.outlet_year.observe(self._on_outlet_year, names="value")
        self.tabs.observe(
            lambda change: None if self._updating else self.show_tab(change["new"]), names="selected_index"
        )
        self.read_doc.observe(lambda change: self.show_tab(TABS.index("Read")), names="value")
        questions = w.Box(
            [w.HTML("<b>Questions</b>&nbsp;"), *self.preset_buttons.values()],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        filters = w.HBox(
            [
                w.VBox([self.start, self.end, self.frame, self.keyword, self.roll_up]),
                w.VBox([self.outlets, self.period]),
                w.VBox([self.actors, self.outlet_year]),
            ]
        )
        self.widget = w.VBox([scripts, questions, self.year, filters, self.status, self.volume, self.tabs])
        self.update()

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _show(self, index: int, html: str) -> None:
        out = self.outputs[index]
        out.clear_output()
        out.append_display_data(_html(html))

    def _table(self, df: pd.DataFrame, name: str, columns: list[str], **options) -> str:
        from analysis.htmltable import render_table

        shown = df[[c for c in columns if c in df.columns]]
        return render_table(shown, name=f"explore-{name}", max_rows=self.max_rows, interactive=True, **options)

    # ------------------------------------------------------------------ callbacks
    def selection(self, *, with_period: bool = True) -> dict:
        """The current filters as keyword arguments of :func:`analysis.explore.find_articles`."""
        return dict(
            start=_date(self.start.value),
            end=_date(self.end.value),
            outlet=list(self.outlets.value) or None,
            actor=list(self.actors.value) or None,
            frame=self.frame.value,
            keyword=self.keyword.value.strip() or None,
            period=self.period.value if with_period else None,
            freq=self.freq,
        )

    def _on_filter(self, change) -> None:
        if not self._updating:
            self.update()

    def _mentions(self) -> pd.DataFrame:
        """The mentions, with places rolled up as the Places control says (computed once per level)."""
        from analysis.actors import roll_up_places

        level = self.roll_up.value
        if level not in self._rolled:
            self._rolled[level] = roll_up_places(self.mentions, level=level, dictionary=self.dictionary)
        return self._rolled[level]

    def _set_actor_options(self) -> None:
        """The Actors list: the 80 most mentioned (with the presets' actors), counted at the current roll-up."""
        counts = self._mentions()["actor_id"].value_counts()
        wanted = [a for p in self.presets.values() for a in p.get("actors") or []]  # in the dictionary
        ids = list(dict.fromkeys([*counts.head(80).index, *wanted]))
        keep = [a for a in self.actors.value if a in counts.index or a in wanted]
        self.actors.options = [(f"{self.labels.get(a, a)} ({counts.get(a, 0):,})", a) for a in ids]
        self.actors.value = tuple(a for a in keep if a in ids)

    def _on_roll_up(self, change) -> None:
        if self._updating:
            return
        self._updating = True
        try:
            self._set_actor_options()
        finally:
            self._updating = False
        self.update()

    def _on_year(self, change) -> None:
        if self._updating:
            return
        self._set_year(change["new"])
        self.update()

    def _set_year(self, year) -> None:
        self._updating = True
        try:
            self.year.value = year
            self.start.value = None if year is None else pd.Timestamp(f"{year}-01-01").date()
            self.end.value = None if year is None else pd.Timestamp(f"{year}-12-31").date()
        finally:
            self._updating = False

    def apply_preset(self, preset_id: str) -> None:
        """One click on a question: set every filter as the preset says (the others cleared) and open its tab."""
        preset = self.presets[preset_id]
        self._set_year(preset.get("year"))
        self._updating = True
        try:
            self.roll_up.value = preset.get("roll_up")
            self._set_actor_options()
            self.outlets.value = tuple(preset.get("outlets") or ())
            self.actors.value = tuple(preset.get("actors") or ())
            self.frame.value = preset.get("frame")
            self.keyword.value = preset.get("keyword") or ""
            self.period.value = None
            self.tabs.selected_index = TABS.index(preset.get("tab", "Articles"))
        finally:
            self._updating = False
        self.update()

    def _on_outlet_year(self, change) -> None:
        """One click on "2017 · sputnik": that year (From/To) and that outlet alone."""
        if self._updating or change["new"] is None:
            return
        outlet, year = change["new"]
        self._set_year(year)
        self._updating = True
        try:
            self.outlets.value = (outlet,)
            self.period.value = None
        finally:
            self._updating = False
        self.update()

    def _on_period(self, change) -> None:
        if not self._updating:
            self._select_articles()
            self.show_tab(self.tabs.selected_index or 0)

    def update(self) -> None:
        """Recompute everything from the filters: volume over time, the period list, the visible tab."""
        from analysis.plots.coverage import plot_volume
        from analysis.timeseries import count_articles

        try:
            before = find_articles(
                self.corpus,
                self.tables,
                mentions=self._mentions(),
                dictionary=self.dictionary,
                **self.selection(with_period=False),
            )
        except AnalysisError as exc:
            self.status.value = f'<p class="note">{_escape(exc)}</p>'
            return
        dated = self.corpus[self.corpus["doc_id"].isin(before["doc_id"]) & self.corpus["published"].notna()]
        if dated.empty:
            self.volume_table = pd.DataFrame(columns=["period", "n_articles"])
            self.volume.value = b""
        else:
            self.volume_table = count_articles(dated, freq=self.freq)
            self.volume.value = _png(plot_volume(self.volume_table))
        self._updating = True
        try:
            current = self.period.value
            options = [("(all periods)", None)] + [
                (f"{p:%Y-%m-%d} · {n:,} article{'s' if n != 1 else ''}", f"{p:%Y-%m-%d}")
                for p, n in zip(self.volume_table["period"], self.volume_table["n_articles"])
                if n > 0
            ]
            self.period.options = options
            self.period.value = current if current in {v for _, v in options} else None
        finally:
            self._updating = False
        self._select_articles()
        self.show_tab(self.tabs.selected_index or 0)

    def _select_articles(self) -> None:
        try:
            self.articles = find_articles(
                self.corpus, self.tables, mentions=self._mentions(), dictionary=self.dictionary, **self.selection()
            )
        except AnalysisError as exc:
            self.status.value = f'<p class="note">{_escape(exc)}</p>'
            return
        sel = self.selection()
        from analysis.frames import find_frame_labels

        names = {"actor": self.labels, "frame": find_frame_labels()}  # labels, not ids
        shown = {
            k: " + ".join(str(names.get(k, {}).get(x, x)) for x in (v if isinstance(v, list) else [v]))
            for k, v in sel.items()
            if v and k != "freq"
        }
        if self.roll_up.value:
            shown["places"] = dict((v, k) for k, v in ROLL_UP_OPTIONS)[self.roll_up.value]
        what = " · ".join(f"{k}: {v}" for k, v in shown.items()) or "everything"
        self.status.value = f"<b>{len(self.articles):,} articles</b> · {_escape(what)}"
        self._stale = set(range(len(TABS)))
        self._updating = True
        try:
            self.read_doc.options = [
                (f"{_date(p) or 'undated'} · {o} · {t}"[:140], d)
                for d, p, o, t in self.articles[["doc_id", "published", "outlet", "title"]]
                .head(500)
                .itertuples(index=False)
            ]
        finally:
            self._updating = False

    def show_tab(self, index: int) -> None:
        """Compute and show one tab for the current selection (tabs are computed when they are opened)."""
        if self.articles is None:
            return
        name = TABS[index]
        docs = self.corpus[self.corpus["doc_id"].isin(self.articles["doc_id"])]
        try:
            html = getattr(self, "_tab_" + name.split()[0].lower())(docs)
        except AnalysisError as exc:
            html = NO_ROWS.format(_escape(exc))
        self._show(index, html)

    def _tab_articles(self, docs) -> str:
        return self._table(
            self.articles,
            "articles",
            ["published", "outlet", "title", "agency", "n_words", "tone", "n_mentions", "frame_score", "n_matches"],
            caption="The articles behind the selection, by date.",
        )

    def _tab_sentences(self, docs) -> str:
        from analysis.concordance import find_kwic

        keyword = self.keyword.value.strip()
        if not keyword:
            return NO_ROWS.format("Type a keyword (a word, a phrase or a glob such as liberat*) to list its sentences.")
        if docs.empty:
            return NO_ROWS.format("No articles in this selection.")
        self.sentences = find_kwic(docs, keyword, unit="sentence")
        # shown as a concordance: the context nearest the keyword (the table keeps whole sentences)
        shown = self.sentences.assign(
            left=self.sentences["left"].map(lambda t: t if len(t) <= CONTEXT else "…" + t[-CONTEXT:]),
            right=self.sentences["right"].map(lambda t: t if len(t) <= CONTEXT else t[:CONTEXT] + "…"),
        )
        return self._table(
            shown,
            "sentences",
            ["published", "outlet", "left", "match", "right", "title", "doc_id", "sent_id"],
            caption=f"Every sentence with {keyword!r}.",
        )

    def _tab_evidence(self, docs) -> str:
        if not self.frame.value and not self.actors.value:
            return NO_ROWS.format("Choose a frame or actors to see the evidence behind them.")
        sel = self.selection()
        self.evidence = find_evidence(
            self.corpus, self.tables, mentions=self._mentions(), dictionary=self.dictionary, **sel
        )
        return self._table(
            self.evidence.assign(evidence_of=self.evidence["evidence_of"].map(lambda v: self.labels.get(v, v))),
            "evidence",
            ["evidence_of", "indicator", "published", "outlet", "left", "match", "right", "title", "doc_id"],
            caption="The cues and mentions behind the frame and actors, in context.",
        )

    def _tab_actors(self, docs) -> str:
        import base64

        from analysis.actors import count_mentions, score_actor_tone
        from analysis.plots.actors import plot_actor_tone, plot_mentions_over_time

        if docs.empty:
            return NO_ROWS.format("No articles in this selection.")
        chosen = list(self.actors.value) or None
        mentions = self._mentions()
        self.mention_counts = count_mentions(mentions, docs, freq=self.freq, actors=chosen, dictionary=self.dictionary)
        over_time = plot_mentions_over_time(self.mention_counts, actors=chosen, measure="n_mentions")
        # the target-dependent tone of the analysis; mentions found here with your own file have none: the tone
        # of their sentences (VADER) instead, and the table says which
        method = "target" if "tone" in mentions.columns else "sentence"
        self.tone = score_actor_tone(
            mentions,
            self._sentences,
            docs,
            by="outlet",
            kind=None,
            actors=chosen,
            method=method,
            dictionary=self.dictionary,
        )
        tone_fig = plot_actor_tone(self.tone, by="outlet", actors=chosen, min_sentences=self.min_sentences)
        small = self.tone["n_sentences"] < self.min_sentences
        hidden = (
            f" {int(small.sum()):,} actor × outlet cells with fewer than {self.min_sentences} sentences hidden "
            f"(ex.tone has them)."
            if small.any()
            else ""
        )
        images = "".join(
            f'<img alt="{alt}" style="max-width:100%" src="data:image/png;base64,{base64.b64encode(_png(f)).decode()}">'
            for alt, f in (("mentions per period", over_time), ("tone by outlet", tone_fig))
        )
        tone = self._table(
            self.tone[~small].sort_values(["label", "outlet"], kind="stable"),
            "tone",
            ["label", "outlet", "method", "n_sentences", "mean_tone", "se_tone", "share_negative", "share_positive"],
            caption=f"Tone towards each actor ({method}), by outlet.{hidden}",
            percent=("share_negative", "share_positive"),
        )
        return images + tone

    def _tab_key(self, docs) -> str:
        from analysis.frequency import score_keyness

        documents = self.tables.table("documents")
        inside = documents["doc_id"].isin(self.articles["doc_id"]).to_numpy()
        if not inside.any() or inside.all():
            return NO_ROWS.format("Narrow the selection (e.g. pick outlets) to compare its terms with the rest.")
        marked = documents.assign(selection=np.where(inside, "selection", "rest"))
        self.key_terms = score_keyness(
            self.tables.table("terms"),
            documents=marked,
            by="selection",
            target="selection",
            stopwords=True,
            min_count=5,
        )
        return self._table(
            self.key_terms.head(200),
            "key-terms",
            ["term", "target_count", "reference_count", "target_rate", "reference_rate", "g2", "log_ratio"],
            caption="Terms most typical of the selection against the rest of the corpus (G2).",
        )

    def _tab_read(self, docs) -> str:
        doc_id = self.read_doc.value
        if not doc_id:
            return NO_ROWS.format("No article selected.")
        text = self.corpus.loc[self.corpus["doc_id"] == doc_id, "text"].iloc[0]
        spans = find_match_spans(text, self.keyword.value) if self.keyword.value.strip() else []
        if self.evidence is not None:
            ev = self.evidence[self.evidence["doc_id"] == doc_id]
            spans += _evidence_spans(text, ev)
        return render_article(self.corpus, doc_id, highlight=spans)


def _evidence_spans(text: str, evidence: pd.DataFrame) -> list[tuple[int, int]]:
    return [(int(s), int(e)) for s, e in zip(evidence["start"], evidence["end"])]


def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def _escape(value) -> str:
    import html

    return html.escape(str(value))
