"""Tests of analysis.timeseries: volume by period and group, wire share, scores by period, the events file."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import timeseries as ts
from analysis.errors import ParameterError, ResourceError


def _corpus(rows):
    df = pd.DataFrame(rows, columns=["doc_id", "outlet", "agency", "published", "duplicate_of"])
    df["published"] = pd.to_datetime(df["published"])
    return df


@pytest.fixture()
def small():
    return _corpus(
        [
            ("a", "x", "AFP", "2017-01-03", None),
            ("b", "x", None, "2017-01-20", None),
            ("c", "y", "Reuters", "2017-01-21", None),
            ("d", "y", "Reuters", "2017-03-02", "c"),
            ("e", "z", None, "2017-03-30", None),
            ("f", "z", None, None, None),
        ]
    )


def test_count_articles_fills_gaps_and_normalises(small):
    t = ts.count_articles(small, freq="M")
    assert list(t["period"].dt.strftime("%Y-%m")) == ["2017-01", "2017-02", "2017-03"]
    assert list(t["n_articles"]) == [3, 0, 2]  # February has no article but is shown
    assert t.attrs["n_undated"] == 1
    assert t["share_of_group"].sum() == pytest.approx(1.0)


def test_count_articles_by_group_shares(small):
    t = ts.count_articles(small, freq="M", by="outlet")
    assert set(t["outlet"]) == {"x", "y", "z"}
    jan = t[t["period"] == "2017-01-01"].set_index("outlet")
    assert jan.loc["x", "n_articles"] == 2 and jan.loc["x", "share_of_period"] == pytest.approx(2 / 3)
    # each outlet's own output sums to 1 over the window; each non-empty period's shares sum to 1
    assert t.groupby("outlet")["share_of_group"].sum().tolist() == pytest.approx([1, 1, 1])
    per_period = t[t["period_total"] > 0].groupby("period")["share_of_period"].sum()
    assert per_period.tolist() == pytest.approx([1.0] * len(per_period))
    assert (t.loc[t["period_total"] == 0, "share_of_period"] == 0).all()


def test_count_articles_top_folds_other(small):
    t = ts.count_articles(small, freq="Q", by="outlet", top=1)
    assert set(t["outlet"]) == {"x", "other"}  # x, y and z tie on size except x/y; ties broken by name
    assert t["n_articles"].sum() == 5


def test_count_articles_window_and_errors(small):
    t = ts.count_articles(small, freq="M", start="2016-12-01", end="2017-04-30")
    assert t["period"].min() == pd.Timestamp("2016-12-01") and t["period"].max() == pd.Timestamp("2017-04-01")
    assert t["n_articles"].sum() == 5
    with pytest.raises(ParameterError, match="frequency"):
        ts.count_articles(small, freq="fortnight")
    with pytest.raises(ParameterError, match="unknown outlet"):
        ts.count_articles(small, outlets=["nope"])
    with pytest.raises(ParameterError, match="no articles left"):
        ts.count_articles(small, start="2019-01-01")


def test_count_articles_excludes_duplicates(small):
    assert ts.count_articles(small, include_duplicates=False)["n_articles"].sum() == 4


def test_count_wire_share(small):
    t = ts.count_wire_share(small, freq="M").set_index(t_key := "period")
    jan, feb, mar = t.loc["2017-01-01"], t.loc["2017-02-01"], t.loc["2017-03-01"]
    assert (jan.n_articles, jan.n_wire, jan.n_duplicates) == (3, 2, 0)
    assert mar.duplicate_share == pytest.approx(0.5) and mar.wire_share == pytest.approx(0.5)
    assert pd.isna(feb.wire_share)  # no articles: no share, not 0
    assert t_key == "period"


def test_count_by_group_wire_share_of_uncredited_is_zero(small):
    t = ts.count_by_group(small, by="agency").set_index("agency")
    assert t.loc["(none)", "wire_share"] == 0.0
    assert t.loc["Reuters", "wire_share"] == 1.0
    assert t.index[-1] == "(none)"  # the catch-all group comes last
    assert t["share"].sum() == pytest.approx(1.0)
    assert t.loc["(none)", "n_undated"] == 1


def test_score_by_period_mean_and_min_count(small):
    values = pd.DataFrame({"doc_id": list("abcde"), "s": [1.0, 0.0, -1.0, 0.5, 0.25]})
    t = ts.score_by_period(values, small, value="s", freq="M")
    jan = t.set_index("period").loc["2017-01-01"]
    assert jan["n_articles"] == 3 and jan["mean"] == pytest.approx(0.0)
    t2 = ts.score_by_period(values, small, value="s", freq="M", min_count=3)
    assert list(t2["period"]) == [pd.Timestamp("2017-01-01")]
    by = ts.score_by_period(values, small, value="s", freq="Q", by="outlet")
    assert by.set_index("outlet").loc["z", "mean"] == pytest.approx(0.25)


def test_render_volume_note_is_computed(small):
    t = ts.count_articles(small, freq="M")
    text = ts.render_volume_note(t)
    assert "Jan 2017 with 3 articles" in text and "1 of 3 months have no article" in text
    assert "1 undated" in text


def test_builtin_events_file():
    events = ts.load_events()
    assert list(events.columns) == ts.EVENT_COLUMNS
    assert events["id"].is_unique
    assert events["date"].is_monotonic_increasing
    assert events.attrs["version"]
    west = events.set_index("id").loc["west_mosul_offensive"]
    assert west["date"] == pd.Timestamp("2017-02-19")
    assert events["date"].min() >= pd.Timestamp("2014-01-01")
    assert events["date"].max() <= pd.Timestamp("2018-12-31")
    assert set(events["level"]) <= {1, 2}
    spans = events[events["end"].notna()]
    assert (spans["end"] >= spans["date"]).all()


def test_events_window_keeps_overlapping_spans():
    events = ts.load_events(start="2015-01-01", end="2015-03-31")
    assert "kobane_siege" in set(events["id"])  # started in 2014, ended in January 2015
    assert "fall_of_mosul" not in set(events["id"])


def test_user_events_file_and_errors(tmp_path):
    good = tmp_path / "ev.yaml"
    good.write_text(
        'version: "1"\nevents:\n  - {id: b, date: 2016-05-02, label: Second}\n'
        "  - {id: a, date: 2016-05-01, end: 2016-05-09, label: First, level: 2}\n"
    )
    events = ts.load_events(good)
    assert list(events["id"]) == ["a", "b"] and events.loc[0, "end"] == pd.Timestamp("2016-05-09")
    cases = {
        'version: "1"\nevents:\n  - {id: a, date: 2016-13-45, label: X}\n': "not a date",
        'version: "1"\nevents:\n  - {id: a, date: 2016-01-01, label: X}\n  - {id: a, date: 2016-01-02, label: Y}\n': "appears twice",
        "events: []\n": "version",
        'version: "1"\nevents:\n  - {id: a, date: 2016-02-01, end: 2016-01-01, label: X}\n': "before it starts",
        'version: "1"\nevents:\n  - {id: a, label: X}\n': "needs at least",
    }
    for text, message in cases.items():
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(ResourceError, match=message):
            ts.load_events(bad)
    with pytest.raises(ResourceError, match="does not exist"):
        ts.load_events(tmp_path / "missing.yaml")


def test_volume_on_real_fakes_matches_the_csv(fakes_csv):
    raw = pd.read_csv(fakes_csv, encoding="latin-1")
    corpus = pd.DataFrame(
        {
            "doc_id": [f"r{i}" for i in range(len(raw))],
            "outlet": raw["source"],
            "agency": None,
            "published": pd.to_datetime(raw["date"], format="%m/%d/%Y", errors="coerce"),
            "duplicate_of": None,
        }
    )
    t = ts.count_articles(corpus, freq="Y", by="outlet")
    by_year = t.groupby("period")["n_articles"].sum()
    expected = corpus["published"].dt.year.value_counts()
    for period, n in by_year.items():
        assert n == expected.get(period.year, 0)
    assert t["n_articles"].sum() == corpus["published"].notna().sum()
    volume = ts.count_articles(corpus, freq="M")
    assert str(volume.groupby("period")["n_articles"].sum().idxmax().year) in ts.render_volume_note(volume)


def test_render_groups_note_and_scores(small):
    groups = ts.count_by_group(small, by="agency")
    text = ts.render_groups_note(groups, by="agency")
    assert text.startswith("2 agencies supplied the 6 articles")
    assert "Reuters, 33% of them" in text and "3 articles (50%) have no agency" in text
    values = pd.DataFrame({"doc_id": list("abcde"), "s": [1.0, 0.0, -1.0, 0.5, 0.25]})
    scores = ts.score_by_period(values, small, value="s", freq="M")
    sentence = ts.render_scores_note(scores, label="tone")
    assert "lowest in Jan 2017 (+0.00, 3 articles)" in sentence and "highest in Mar 2017 (+0.38" in sentence
    assert "No period" in ts.render_scores_note(scores.iloc[:0], label="tone")
