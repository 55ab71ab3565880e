"""analysis.aggregate: DuckDB sums over a terms parquet equal the counts written by hand."""

import pandas as pd

from analysis.aggregate import sum_terms_by_group
from analysis.tables import save_table


def test_sums_per_group_leave_out_other_documents_and_excluded_terms(tmp_path):
    # three short articles counted by hand: "the army took the town" / "the town fell" / "rebels took the hill"
    terms = pd.DataFrame(
        {
            "doc_id": ["a"] * 4 + ["b"] * 3 + ["c"] * 4,
            "term": ["the", "army", "took", "town", "the", "town", "fell", "rebels", "took", "the", "hill"],
            "count": [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        }
    )
    path = save_table(terms, tmp_path / "terms.parquet")
    groups = pd.DataFrame({"doc_id": ["a", "b"], "group": [0, 1]})  # c is not selected
    out = sum_terms_by_group(path, groups, exclude={"the"}).sort_values(["group", "term"]).reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "group": [0, 0, 0, 1, 1],
            "term": ["army", "took", "town", "fell", "town"],
            "count": [1, 1, 1, 1, 1],
            "doc_freq": [1, 1, 1, 1, 1],
        }
    )
    pd.testing.assert_frame_equal(out, expected)
    both = sum_terms_by_group(path, pd.DataFrame({"doc_id": ["a", "b", "c"], "group": [0, 0, 0]}))
    town = both[both["term"] == "town"].iloc[0]
    the = both[both["term"] == "the"].iloc[0]
    assert (town["count"], town["doc_freq"]) == (2, 2)
    assert (the["count"], the["doc_freq"]) == (4, 3)
    assert [str(both[c].dtype) for c in ("group", "count", "doc_freq")] == ["int64"] * 3


def _events(tmp_path):
    # five events in three articles, one with a missing voice, counted by hand below
    events = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b", "c"],
            "sent_id": [0, 0, 0, 1, 0],
            "actor_id": ["army", "rebels", "army", "army", "east-aleppo"],
            "kind": ["actor", "actor", "actor", "actor", "place"],
            "voice": ["own", None, "own", "quoted", "own"],
        }
    )
    return save_table(events, tmp_path / "events.parquet")


def test_rows_counted_per_group_with_missing_values_recoding_and_kept_values(tmp_path):
    from analysis.aggregate import count_rows_by_group

    path = _events(tmp_path)
    groups = pd.DataFrame({"doc_id": ["a", "b", "c"], "g": [0, 0, 1]})
    out = count_rows_by_group(path, groups, columns=["voice"], missing="(none)")
    out = out.sort_values(["g", "voice"]).reset_index(drop=True)
    assert out.to_dict("list") == {
        "g": [0, 0, 0, 1],
        "voice": ["(none)", "own", "quoted", "own"],
        "n": [1, 2, 1, 1],
        "n_docs": [1, 2, 1, 1],
    }
    rolled = count_rows_by_group(
        path,
        groups.iloc[1:],  # a is not selected
        columns=["actor_id"],
        recode={"actor_id": {"east-aleppo": "aleppo"}},
        keep={"actor_id": ["aleppo", "army"]},
        first=["kind"],
    ).sort_values("actor_id")
    assert rolled.to_dict("list") == {
        "g": [1, 0],
        "actor_id": ["aleppo", "army"],
        "kind": ["place", "actor"],
        "n": [1, 2],
        "n_docs": [1, 1],
    }


def test_unit_pairs_counted_once_per_unit(tmp_path):
    from analysis.aggregate import count_unit_pairs

    path = _events(tmp_path)
    pairs, per_item, n_units, null_unit = count_unit_pairs(
        path, None, unit=["doc_id", "sent_id"], item="actor_id", keep={"kind": ["actor"]}
    )
    # units (a,0): army+rebels, (b,0): army, (b,1): army
    assert pairs.to_dict("list") == {"a": ["army"], "b": ["rebels"], "n_both": [1]}
    assert dict(zip(per_item["item"], per_item["n"])) == {"army": 3, "rebels": 1}
    assert (n_units, null_unit) == (3, False)
    pairs, per_item, n_units, _ = count_unit_pairs(path, ["b", "c"], unit=["doc_id"], item="actor_id")
    assert pairs.empty and n_units == 2 and dict(zip(per_item["item"], per_item["n"])) == {"army": 1, "east-aleppo": 1}
    # the selected articles (an id given twice is one article) with the sentence as unit: (a,0) and (b,0), (b,1)
    pairs, per_item, n_units, _ = count_unit_pairs(
        path, ["b", "a", "b"], unit=["doc_id", "sent_id"], item="actor_id", keep={"kind": ["actor"]}
    )
    assert pairs.to_dict("list") == {"a": ["army"], "b": ["rebels"], "n_both": [1]}
    assert n_units == 3 and dict(zip(per_item["item"], per_item["n"])) == {"army": 3, "rebels": 1}


def test_table_columns_loaded_for_some_articles_in_file_order(tmp_path):
    from analysis.aggregate import load_table_columns

    path = _events(tmp_path)
    got = load_table_columns(path, ["doc_id", "actor_id"], doc_ids=["c", "b"], equal={"kind": "actor"})
    assert got.to_dict("list") == {"doc_id": ["b", "b"], "actor_id": ["army", "army"]}
    whole = pd.read_parquet(path, columns=["sent_id", "voice"])
    pd.testing.assert_frame_equal(load_table_columns(path, ["sent_id", "voice"]), whole)
    assert load_table_columns(path, ["doc_id"], doc_ids=["zzz"]).empty


def test_group_means_are_correctly_rounded_and_do_not_depend_on_the_layout():
    import math

    import numpy as np
    import pytest

    from analysis.aggregate import find_group_means

    values = [0.1, 0.2, 0.3, 1e16, -1e16, 0.7, 0.05, 2.5]
    df = pd.DataFrame({"g": ["b", "a", "b", "b", "b", "a", None, "c"], "v": values})
    grouped = df.groupby("g")
    got = find_group_means(df, grouped, ["v"], sd="v")
    b = [0.1, 0.3, 1e16, -1e16]
    assert got["v"][1] == math.fsum(b) / 4  # naive summation loses the 0.1 and 0.3 entirely
    assert list(got["v"][[0, 2]]) == [(0.2 + 0.7) / 2, 2.5] and np.isnan(got["v:sd"][2])  # one row: no sd
    assert got["v:sd"][0] == pytest.approx(np.std([0.2, 0.7], ddof=1))
    # the same rows among other groups, in another order of groups: the same bits
    other = pd.concat([pd.DataFrame({"g": ["z", "y", "z"], "v": [3.3, 1.1, 9.9]}), df], ignore_index=True)
    again = find_group_means(other, other.groupby("g"), ["v"], sd="v")
    assert again["v"][1] == got["v"][1] and again["v:sd"][1] == got["v:sd"][1]  # group "b" is second in both


def test_rows_summarised_by_group_in_duckdb_have_correctly_rounded_means(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analysis.aggregate import summarise_rows_by_group

    rows = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "d", "c", "c", "d", "e", "e"],
            "frame": ["x", "y", "x", "x", "x", None, "x", "x", "y"],
            "score": [0.1, 0.5, 1e16, 0.1, 0.3, 0.25, -1e16, 0.2, None],
            "hit": [True, False, True, True, True, False, True, False, True],
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), path, row_group_size=3)  # three row groups
    doc_groups = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "g": [0, 1, 0, 1]})  # "e" is not selected
    got = summarise_rows_by_group(
        path,
        doc_groups,
        rows={"frame": "t.frame", "hit": "t.hit", "score": "t.score"},
        columns=["frame"],
        counts={"n": "COUNT(*)", "n_docs": "COUNT(DISTINCT doc_id)", "n_hit": "SUM(CAST(hit AS BIGINT))"},
        means=["score"],
    )
    got = got.sort_values(["g", "frame"], na_position="last").reset_index(drop=True)
    got["frame"] = got["frame"].fillna("(null)")  # a null key is a group of its own, as in a pandas group-by
    assert got[["g", "frame", "n", "n_docs", "n_hit"]].to_dict("list") == {
        "g": [0, 0, 0, 1],
        "frame": ["x", "y", "(null)", "x"],
        "n": [2, 1, 1, 3],
        "n_docs": [2, 1, 1, 2],
        "n_hit": [2, 0, 0, 3],
    }
    assert got["n"].dtype == "int64"
    # 1e16 + 0.1 - 1e16 is 0 in floating point; the correctly rounded sum keeps the 0.1, whatever the row order
    assert got["score"].tolist() == [(0.1 + 0.3) / 2, 0.5, 0.25, 0.1 / 3]


def test_duckdb_memory_cap_can_be_lowered_for_reports_run_at_once(tmp_path, monkeypatch):
    """`report all --jobs 2` lowers each kernel's DuckDB cap through the environment; the default is 1 GB."""
    from analysis import aggregate

    def cap() -> str:
        con = aggregate.connect(tmp_path)
        try:
            return con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
        finally:
            con.close()

    monkeypatch.delenv(aggregate.MEMORY_LIMIT_ENV, raising=False)
    default = cap()
    monkeypatch.setenv(aggregate.MEMORY_LIMIT_ENV, "400MB")
    lowered = cap()
    assert default != lowered
    assert lowered.split()[0].startswith(("381", "400")) and default.split()[0].startswith(("953", "1000", "1.0"))


def test_duckdb_draws_no_progress_bar_into_a_report(tmp_path):
    """A query of more than 2 s drew a Jupyter progress widget into the report page, a different set on every run:
    the connections of the report path have DuckDB's progress bar off."""
    from analysis import aggregate

    con = aggregate.connect(tmp_path)
    try:
        assert con.sql("SELECT current_setting('enable_progress_bar')").fetchall()[0][0] is False
    finally:
        con.close()
    with aggregate.connection() as con:
        assert con.sql("SELECT current_setting('enable_progress_bar')").fetchall()[0][0] is False


def test_unit_pairs_sorted_in_numpy_match_the_self_join(tmp_path, monkeypatch):
    # the numpy path (sorted integer keys) against the SQL self-join, on a seeded table with repeated mentions,
    # null sentences, null actors, negative sentence numbers and unselected articles
    import numpy as np

    import analysis.aggregate as aggregate

    sorted_pairs = aggregate._count_unit_pairs_sorted
    rng = np.random.default_rng(13)
    n = 4000
    actors = np.array(["army", "rebels", "isis", "un", "russia", "turkey", "kurds", "police"], dtype=object)
    sent = pd.array(rng.integers(-2, 6, n), dtype="Int64")
    sent[rng.random(n) < 0.02] = pd.NA
    actor = actors[rng.integers(0, len(actors), n)]
    actor[rng.random(n) < 0.02] = None
    table = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in rng.integers(0, 300, n)],
            "sent_id": sent,
            "actor_id": actor,
            "kind": np.where(rng.random(n) < 0.8, "actor", "place"),
        }
    )
    path = save_table(table, tmp_path / "mentions.parquet")
    selected = [f"d{i}" for i in range(0, 300, 2)] + ["d4", "nowhere"]  # an id twice, one absent
    runs = {}
    for how in ("numpy", "join"):
        if how == "join":
            monkeypatch.setattr(aggregate, "_count_unit_pairs_sorted", lambda *a, **k: None)
        for unit in (["doc_id", "sent_id"], ["doc_id"]):
            for min_count in (1, 3):
                pairs, per_item, n_units, null_unit = aggregate.count_unit_pairs(
                    path, selected, unit=unit, item="actor_id", keep={"kind": ["actor"]}, min_count=min_count
                )
                runs[how, tuple(unit), min_count] = (
                    pairs.sort_values(["a", "b"]).reset_index(drop=True),
                    per_item.sort_values("item", na_position="first").reset_index(drop=True),
                    n_units,
                    null_unit,
                )
    for (how, unit, min_count), (pairs, per_item, n_units, null_unit) in runs.items():
        if how == "join":
            continue
        want = runs["join", unit, min_count]
        pd.testing.assert_frame_equal(pairs, want[0], check_exact=True)
        pd.testing.assert_frame_equal(per_item, want[1], check_exact=True)
        assert (n_units, null_unit) == want[2:]
        assert len(pairs) > 10 and null_unit == (unit == ("doc_id", "sent_id"))
        assert per_item["item"].isna().any()  # the null actor is counted per item, never paired
    # by hand: two articles, the sentence (x, 0) names army twice and rebels once, (y, 1) army alone
    small = pd.DataFrame(
        {"doc_id": ["x", "x", "x", "y"], "sent_id": [0, 0, 0, 1], "actor_id": ["rebels", "army", "army", "army"]}
    )
    pairs, per_item, n_units, null_unit = sorted_pairs(
        save_table(small, tmp_path / "small.parquet"), ["x", "y"], sub=["sent_id"], item="actor_id", keep={},
        min_count=1,
    )  # fmt: skip
    assert pairs.to_dict("list") == {"a": ["army"], "b": ["rebels"], "n_both": [1]}
    assert dict(zip(per_item["item"], per_item["n"])) == {"army": 2, "rebels": 1}
    assert (n_units, null_unit) == (2, False)
