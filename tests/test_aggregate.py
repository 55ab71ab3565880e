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
