"""The one corpus owner: the schema is defined once and every reader of the corpus gives the same errors."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import cli, corpus, ingest, pipeline, provenance, streaming
from analysis.errors import InputError, SchemaError
from analysis.tables import save_table


def test_schema_and_fingerprint_columns_have_one_definition():
    assert ingest.SCHEMA is corpus.SCHEMA
    assert set(corpus.FINGERPRINT_COLUMNS) <= set(corpus.SCHEMA)
    assert set(corpus.DOCUMENT_COLUMNS) <= set(corpus.SCHEMA)
    assert not hasattr(pipeline, "REQUIRED_COLUMNS")
    assert streaming.FINGERPRINT_COLUMNS is corpus.FINGERPRINT_COLUMNS


def test_load_corpus_reads_columns_and_checks_the_schema(tmp_path, mini_corpus):
    path = save_table(mini_corpus, tmp_path / "articles.parquet")
    full = corpus.load_corpus(path)
    assert list(full.columns) == corpus.SCHEMA and len(full) == 6
    meta = corpus.load_corpus(path, columns=["doc_id", "outlet"])
    assert list(meta.columns) == ["doc_id", "outlet"] and meta["doc_id"].tolist() == full["doc_id"].tolist()
    assert provenance.fingerprint_corpus(full) == provenance.fingerprint_corpus(mini_corpus)


def _message(fn, path) -> str:
    with pytest.raises((InputError, SchemaError)) as info:
        fn(path)
    return str(info.value)


@pytest.mark.parametrize("case", ["missing", "not_parquet", "old_schema"])
def test_every_opener_gives_the_same_error(tmp_path, case, capsys):
    path = tmp_path / "articles.parquet"
    if case == "not_parquet":
        path.write_text("title,body\na,b\n")
    elif case == "old_schema":
        pd.DataFrame({"doc_id": ["a"], "text": ["x"]}).to_parquet(path)
    loaded = _message(corpus.load_corpus, path)
    streamed = _message(corpus.open_corpus, path)
    assert loaded == streamed
    assert str(path) in loaded
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {loaded}"
    expected = {"missing": "does not exist", "not_parquet": "cannot be read as parquet", "old_schema": "lacks column"}
    assert expected[case] in loaded


def test_empty_corpus_is_refused_before_streaming(tmp_path, mini_corpus):
    path = save_table(mini_corpus.iloc[:0], tmp_path / "empty.parquet")
    assert corpus.load_corpus(path).empty  # reading is fine ...
    with pytest.raises(SchemaError, match="holds no articles"):  # ... analysing nothing is not
        corpus.open_corpus(path)
