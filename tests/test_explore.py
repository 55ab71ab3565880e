"""Drill-down functions and the explorer's callbacks (run headlessly: no browser, no kernel) on the mini corpus."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import concordance, explore
from analysis.errors import ParameterError
from analysis.frames import find_evidence_context
from analysis.pipeline import analyze_corpus, load_analysis


@pytest.fixture()
def analysed(mini_corpus, tmp_path):
    """The mini corpus and its analysis written by the real pipeline."""
    corpus = mini_corpus
    base = tmp_path
    path = base / "articles.parquet"
    corpus.to_parquet(path, index=False)
    analyze_corpus(path, base / "analysis", progress=False)
    return corpus, load_analysis(base / "analysis")


def test_find_articles_by_period_outlet_actor_frame_and_keyword(analysed):
    corpus, tables = analysed
    october = explore.find_articles(corpus, tables, period="2016-10")
    assert set(october["doc_id"]) == {"m01", "m02"}
    year = explore.find_articles(corpus, tables, period="2017", freq="Y", outlet="gulf-monitor")
    assert set(year["doc_id"]) == {"m03", "m04"}
    assert year["published"].is_monotonic_increasing  # by date, not file order
    raqqa = explore.find_articles(corpus, tables, actor="Raqqa")  # a label resolves to the place id
    mentioned = set(tables.mentions.loc[tables.mentions["actor_id"] == "raqqa", "doc_id"])
    assert set(raqqa["doc_id"]) == mentioned and len(mentioned) >= 2
    assert (raqqa["n_mentions"] > 0).all()
    frames = tables.frames
    present = set(frames.loc[(frames["frame"] == "humanitarian") & (frames["score"] > 0), "doc_id"])
    assert set(explore.find_articles(corpus, tables, frame="humanitarian")["doc_id"]) == present
    liberated = explore.find_articles(corpus, tables, keyword="liberat*")
    assert set(liberated["doc_id"]) == set(concordance.find_kwic(corpus, "liberat*")["doc_id"])
    assert "tone" in october.columns and october["tone"].notna().all()
    empty = explore.find_articles(corpus, tables, start="2030-01-01")
    assert empty.empty and list(empty.columns)[:3] == ["doc_id", "published", "outlet"]
    with pytest.raises(ParameterError, match="unknown outlet"):
        explore.find_articles(corpus, tables, outlet="no-such-paper")
    with pytest.raises(ParameterError, match="no actor or place"):
        explore.find_articles(corpus, tables, actor="Atlantis Liberation Front")
    with pytest.raises(ParameterError, match="no frame"):
        explore.find_articles(corpus, tables, frame="astrology")


def test_find_evidence_rows_carry_outlet_title_date_and_the_matched_text(analysed):
    corpus, tables = analysed
    ev = explore.find_evidence(corpus, tables, frame="casualties", actor="SDF")
    assert set(ev["evidence_of"]) == {"casualties", "sdf"}
    texts = corpus.set_index("doc_id")
    for row in ev.itertuples():
        assert texts.loc[row.doc_id, "text"][row.start : row.end] == row.match
        assert (row.outlet, row.title) == (texts.loc[row.doc_id, "outlet"], texts.loc[row.doc_id, "title"])
    context = find_evidence_context(tables.frame_evidence, corpus)
    assert {"outlet", "published", "title"} <= set(context.columns)
    with pytest.raises(ParameterError, match="frame= or actor="):
        explore.find_evidence(corpus, tables)


def test_render_article_escapes_the_text_and_marks_matches(analysed):
    corpus, _ = analysed
    hostile = corpus.head(1).assign(doc_id="h1", title="<script>alert(1)</script>", text="A <b>bold</b> claim.\nMore.")
    page = explore.render_article(hostile, "h1", highlight=[(2, 13)])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<mark>&lt;b&gt;bold&lt;/b&gt;</mark>" in page and page.count("<p>") == 2
    with pytest.raises(ParameterError, match="no article"):
        explore.render_article(corpus, "nope")


def test_explorer_callbacks_show_what_the_library_functions_return(analysed):
    corpus, tables = analysed
    ex = analysis.explore(corpus, tables)  # the module is callable
    assert len(ex.articles) == len(corpus)
    assert bytes(ex.volume.value).startswith(b"\x89PNG")
    ex.outlets.value = ("gulf-monitor",)
    assert set(ex.articles["doc_id"]) == {"m03", "m04"}
    html = ex.outputs[0].outputs[0]["data"]["text/html"]
    assert "Abadi declares victory in Mosul" in html
    ex.outlets.value = ()
    ex.keyword.value = "liberat*"
    ex.tabs.selected_index = 1
    expected = concordance.find_kwic(corpus[corpus["doc_id"].isin(ex.articles["doc_id"])], "liberat*", unit="sentence")
    pd.testing.assert_frame_equal(ex.sentences, expected)
    ex.keyword.value = ""
    ex.frame.value = "humanitarian"
    ex.tabs.selected_index = 2
    pd.testing.assert_frame_equal(ex.evidence, explore.find_evidence(corpus, tables, frame="humanitarian"))
    ex.frame.value = None
    periods = [v for _, v in ex.period.options if v]
    ex.period.value = periods[0]
    assert set(ex.articles["doc_id"]) == set(explore.find_articles(corpus, tables, period=periods[0])["doc_id"])
    ex.period.value = None
    ex.actors.value = ("raqqa", "mosul")
    ex.tabs.selected_index = 3
    assert set(ex.mention_counts["actor_id"]) == {"raqqa", "mosul"}
    assert set(ex.tone["actor_id"]) <= {"raqqa", "mosul"}
    ex.actors.value = ()
    ex.outlets.value = ("northern-herald",)
    ex.tabs.selected_index = 4
    assert ex.key_terms.attrs["target"] == "selection" and len(ex.key_terms) > 0
    ex.read_doc.value = ex.read_doc.options[-1][1]
    ex.tabs.selected_index = 5
    assert corpus.set_index("doc_id").loc[ex.read_doc.value, "title"] in ex.outputs[5].outputs[0]["data"]["text/html"]
    ex.start.value = pd.Timestamp("2030-01-01").date()
    assert ex.articles.empty  # an empty selection is shown as such, not an error


def test_explorer_with_your_own_actor_file(analysed, tmp_path):
    corpus, tables = analysed
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        'version: "test-1"\nactors:\n  - id: aid_agencies\n    label: Aid agencies (unnamed)\n    type: ngo\n'
        "    aliases: [aid agencies]\n",
        encoding="utf-8",
    )
    ex = analysis.explore(corpus, tables, actors=mine)
    labels = dict((v, k) for k, v in ex.actors.options)
    assert labels["aid_agencies"].startswith("Aid agencies (unnamed)")  # labelled by the dictionary that found it
    ex.actors.value = ("aid_agencies",)
    with_aid = {d for d, t in zip(corpus["doc_id"], corpus["text"]) if "aid agencies" in t.lower()}
    assert set(ex.articles["doc_id"]) == with_aid == {"m01", "m02"}


def test_each_task_is_one_click_in_the_explorer(analysed, tmp_path):
    """The seven tasks of the issue: a question button, a year button or a period click each give exactly what
    the library call gives (tasks 1-5 by the built-in or your own questions, 6 by the year x outlet list, 7 by one call)."""
    from analysis.actors import count_mentions, roll_up_places, score_actor_tone

    corpus, tables = analysed
    mine = tmp_path / "questions.yaml"
    mine.write_text(
        'version: "q-1"\nextends: builtin\npresets:\n'
        "  - id: gulf_terms\n    label: Key terms of Gulf Monitor\n    outlets: [gulf-monitor, no-such-outlet]\n"
        "    tab: Key terms\n"
        "  - id: raqqa_2017\n    label: Raqqa in 2017\n    actors: [raqqa]\n    year: 2017\n    tab: Articles\n"
        "  - id: not_here\n    label: An outlet this corpus lacks\n    outlets: [tass]\n",
        encoding="utf-8",
    )
    ex = analysis.explore(corpus, tables, presets=mine)
    assert "not_here" not in ex.preset_buttons and "russian_outlets" not in ex.preset_buttons  # no empty question
    assert {"liberation", "sdf_vs_army", "raqqa_vs_aleppo", "humanitarian_evidence", "gulf_terms"} <= set(
        ex.preset_buttons
    )
    # 1. one click: every liberat* sentence with outlet and date
    ex.preset_buttons["liberation"].click()
    assert ex.tabs.selected_index == 1
    pd.testing.assert_frame_equal(ex.sentences, concordance.find_kwic(corpus, "liberat*", unit="sentence"))
    assert {"outlet", "published", "sent_id"} <= set(ex.sentences.columns)
    # 2. one click: SDF vs Syrian army tone by outlet (the other filters are cleared)
    ex.preset_buttons["sdf_vs_army"].click()
    assert ex.tabs.selected_index == 3 and ex.keyword.value == ""
    expected = score_actor_tone(
        tables.mentions, tables.sentences, corpus, by="outlet", kind=None, actors=["sdf", "syrian_army"]
    )
    pd.testing.assert_frame_equal(ex.tone.reset_index(drop=True), expected.reset_index(drop=True))
    # 3. one click: key terms of a group of outlets vs the rest (outlets the corpus lacks are dropped)
    ex.preset_buttons["gulf_terms"].click()
    assert ex.outlets.value == ("gulf-monitor",) and ex.tabs.selected_index == 4
    assert ex.key_terms.attrs["target"] == "selection" and len(ex.key_terms) > 0
    # 4. one click: Raqqa vs Aleppo monthly, districts counted as their city
    ex.preset_buttons["raqqa_vs_aleppo"].click()
    assert ex.roll_up.value == "city" and ex.tabs.selected_index == 3
    rolled = roll_up_places(tables.mentions, level="city")
    expected = count_mentions(rolled, corpus, freq="M", actors=["raqqa", "aleppo"])
    got = ex.mention_counts
    assert (
        got.groupby("actor_id")["n_mentions"].sum().to_dict()
        == expected.groupby("actor_id")["n_mentions"].sum().to_dict()
    )
    # 5. one click: the evidence behind the humanitarian frame
    ex.preset_buttons["humanitarian_evidence"].click()
    assert ex.tabs.selected_index == 2
    pd.testing.assert_frame_equal(ex.evidence, explore.find_evidence(corpus, tables, frame="humanitarian"))
    # 6. one click on a year, one on an outlet (or one question that holds both)
    ex.preset_buttons["raqqa_2017"].click()
    assert str(ex.start.value) == "2017-01-01" and str(ex.end.value) == "2017-12-31"
    assert set(ex.articles["doc_id"]) == set(
        explore.find_articles(corpus, tables, period="2017", freq="Y", actor="raqqa")["doc_id"]
    )
    ex.actors.value = ()
    ex.year.value = None
    assert ex.start.value is None and len(ex.articles) == len(corpus)
    ex.year.value = 2017
    ex.outlets.value = ("gulf-monitor",)
    assert (
        set(ex.articles["doc_id"])
        == set(explore.find_articles(corpus, tables, period="2017", freq="Y", outlet="gulf-monitor")["doc_id"])
        == {"m03", "m04"}
    )
    # or one click in the year x outlet list
    ex.outlets.value = ()
    ex.year.value = None
    ex.outlet_year.value = ("gulf-monitor", 2017)
    assert str(ex.start.value) == "2017-01-01" and ex.outlets.value == ("gulf-monitor",)
    assert set(ex.articles["doc_id"]) == {"m03", "m04"}
    # a period of the volume chart: one click in the period list
    ex.outlets.value = ()
    ex.year.value = None
    ex.period.value = "2016-10-01"
    assert set(ex.articles["doc_id"]) == {"m01", "m02"}


def test_explorer_hides_tone_cells_of_too_few_sentences_and_says_so(analysed):
    corpus, tables = analysed
    ex = analysis.explore(corpus, tables, min_sentences=2)
    ex.actors.value = ("sdf", "islamic_state")
    ex.tabs.selected_index = 3
    small = ex.tone["n_sentences"] < 2
    assert small.any()  # the mini corpus has outlets naming an actor once
    html = ex.outputs[3].outputs[0]["data"]["text/html"]
    assert f"{int(small.sum())} actor × outlet cells with fewer than 2 sentences hidden" in html
    assert html.count("<img") == 2  # mentions over time and the tone figure
