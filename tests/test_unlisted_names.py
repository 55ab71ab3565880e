"""The report's table of unlisted names: counted from the `unlisted` mentions, on a table and texts written here."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.actors import count_unlisted_names
from analysis.errors import ParameterError

TEXTS = {
    "a": "The Free Idlib Council met on Monday. Abu Salim spoke for the Free Idlib Council.",
    "b": "ABU SALIM denied it. The free idlib council said nothing; Abu Salim left for Turkey.",
    "c": "Syrian jets struck again, said Abu Salim.",
}


def _span(doc: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    text, start = TEXTS[doc], -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def _mention(doc: str, phrase: str, *, nth: int = 0, kind: str = "unlisted", typ: str | None = "unknown") -> dict:
    s, e = _span(doc, phrase, nth)
    return {"doc_id": doc, "sent_id": 0, "actor_id": None, "kind": kind, "start": s, "end": e,
            "matched": TEXTS[doc][s:e], "type": typ, "rule": "name"}  # fmt: skip


@pytest.fixture()
def unlisted() -> pd.DataFrame:
    rows = [
        _mention("a", "Free Idlib Council", typ="organisation"),
        _mention("a", "Abu Salim", typ="person"),
        _mention("a", "Free Idlib Council", nth=1, typ="organisation"),
        _mention("b", "ABU SALIM", typ="unknown"),
        _mention("b", "free idlib council", typ="organisation"),
        _mention("b", "Abu Salim", typ="person"),
        _mention("c", "Abu Salim", typ="person"),
        _mention("c", "Syrian", kind="nationality", typ="nationality"),  # another kind: not a name to list
    ]
    return pd.DataFrame(rows)


def test_names_are_ranked_by_articles_with_case_variants_merged(unlisted):
    docs = pd.DataFrame({"doc_id": list(TEXTS), "text": list(TEXTS.values())})
    got = count_unlisted_names(unlisted, docs)
    assert list(got["name"]) == ["Abu Salim", "Free Idlib Council"]  # 3 articles before 2; Syrian is not listed
    salim = got.iloc[0]
    assert (salim["n_mentions"], salim["n_articles"], salim["type"]) == (4, 3, "person")  # 3 person, 1 unknown
    council = got.iloc[1]
    assert (council["n_mentions"], council["n_articles"], council["first_doc_id"]) == (3, 2, "a")
    # the first mention's context: 40 characters either side, whitespace collapsed
    assert salim["context"] == TEXTS["a"]  # the window reaches both ends of the short text
    assert council["context"] == TEXTS["a"][: 4 + len("Free Idlib Council") + 40].strip()


def test_selection_min_count_top_and_bad_parameters(unlisted):
    only_c = count_unlisted_names(unlisted, pd.DataFrame({"doc_id": ["c"]}), min_count=1)
    assert list(only_c["name"]) == ["Abu Salim"] and only_c.loc[0, "n_mentions"] == 1
    assert only_c.loc[0, "context"] is None  # no text given: no context
    assert count_unlisted_names(unlisted, pd.DataFrame({"doc_id": ["c"]})).empty  # one mention < min_count 2
    assert list(count_unlisted_names(unlisted, top=1)["name"]) == ["Abu Salim"]
    with pytest.raises(ParameterError, match="top must be a positive whole number"):
        count_unlisted_names(unlisted, top=0)
    with pytest.raises(ParameterError, match="min_count must be"):
        count_unlisted_names(unlisted, min_count=0)


def test_a_table_file_and_its_dataframe_give_the_same_table(unlisted, tmp_path):
    from analysis.aggregate import TableFile

    path = tmp_path / "unlisted_mentions.parquet"
    unlisted.to_parquet(path)
    corpus = tmp_path / "articles.parquet"
    pd.DataFrame({"doc_id": list(TEXTS), "text": list(TEXTS.values())}).to_parquet(corpus)
    from_file = count_unlisted_names(TableFile(path), corpus_file=corpus)
    docs = pd.DataFrame({"doc_id": list(TEXTS), "text": list(TEXTS.values())})
    pd.testing.assert_frame_equal(from_file, count_unlisted_names(unlisted, docs))
