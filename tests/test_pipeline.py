"""The `analyze` pipeline: tables and columns, determinism, selection options, manifest, bad input, FA-KES end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import cli, pipeline, provenance, sentiment
from analysis.errors import InputError, ParameterError
from analysis.tables import save_table
from analysis.text import split_sentences, tokenize


@pytest.fixture()
def corpus_file(mini_corpus, tmp_path):
    return save_table(mini_corpus, tmp_path / "articles.parquet")


@pytest.fixture()
def analysis(corpus_file, tmp_path):
    return pipeline.analyze_corpus(corpus_file, tmp_path / "out", progress=False)


def test_tables_and_columns(analysis, mini_corpus):
    docs = analysis.documents
    assert docs["doc_id"].tolist() == sorted(mini_corpus["doc_id"])
    for col in [
        "outlet",
        "agency",
        "published",
        "title",
        "n_words",
        "duplicate_of",
        "n_sentences",
        "n_tokens",
        "vader_compound",
        "vader_sent_mean",
        "vader_share_neg",
        "vader_share_pos",
    ]:
        assert col in docs.columns
    sent = analysis.sentences
    assert list(sent.columns[:4]) == ["doc_id", "sent_id", "start", "end"]
    assert {"vader_neg", "vader_neu", "vader_pos", "vader_compound"} <= set(sent.columns)
    assert "text" not in sent.columns
    assert list(analysis.terms.columns) == ["doc_id", "term", "count"]
    assert {"documents", "sentences", "terms"} <= set(analysis.tables)


def test_sentences_terms_and_scores_match_the_text(analysis, mini_corpus):
    texts = mini_corpus.set_index("doc_id")["text"]
    sent = analysis.sentences
    for doc_id, group in sent.groupby("doc_id"):
        spans = split_sentences(texts[doc_id])
        assert list(zip(group["start"], group["end"])) == spans
        assert group["sent_id"].tolist() == list(range(len(spans)))
        for row in group.itertuples():
            assert row.vader_compound == sentiment.score_text(texts[doc_id][row.start : row.end])["compound"]
    docs = analysis.documents.set_index("doc_id")
    terms = analysis.terms
    for doc_id, text in texts.items():
        counts = terms[terms.doc_id == doc_id].set_index("term")["count"].to_dict()
        assert counts == pd.Series(tokenize(text)).value_counts().to_dict()
        assert docs.loc[doc_id, "n_tokens"] == len(tokenize(text))
        assert docs.loc[doc_id, "n_sentences"] == len(split_sentences(text))
        assert docs.loc[doc_id, "vader_compound"] == sentiment.score_text(text)["compound"]
        mean = sent.loc[sent.doc_id == doc_id, "vader_compound"].mean()
        assert docs.loc[doc_id, "vader_sent_mean"] == pytest.approx(mean)


def test_manifest(analysis, mini_corpus, corpus_file):
    m = analysis.manifest
    assert m["corpus"]["fingerprint"] == provenance.fingerprint_corpus(mini_corpus)
    assert m["corpus"]["sha256"] == provenance.file_sha256(corpus_file)
    assert m["corpus"]["n_selected"] == len(mini_corpus)
    assert m["tables"]["documents"]["rows"] == len(mini_corpus)
    assert m["tables"]["sentences"]["rows"] == len(analysis.sentences)
    assert (
        m["resource_versions"]["analysis.sentiment"]["vader"]["lexicon_sha256"]
        == sentiment.lexicon_info()["lexicon_sha256"]
    )
    assert "analysis.frequency" in m["resource_versions"]
    assert m["stages"]["analysis.sentiment:analyze_chunk"] == "ok"
    assert m["package_versions"]["nltk"] != "not installed"
    assert "analysis.sentiment" in repr(m["stages"]) and "documents" in repr(analysis)


def test_rerun_and_chunk_size_give_identical_tables(corpus_file, tmp_path, analysis):
    again = pipeline.analyze_corpus(corpus_file, tmp_path / "again", chunk_size=2, progress=False)
    for name in analysis.tables:
        pd.testing.assert_frame_equal(analysis.table(name), again.table(name))
    again2 = pipeline.analyze_corpus(corpus_file, tmp_path / "again", chunk_size=2, progress=False)
    for name in again.tables:
        assert again.path(name).read_bytes() == again2.path(name).read_bytes()


def test_fingerprint_of_an_unsorted_corpus(mini_corpus, tmp_path):
    shuffled = mini_corpus.iloc[[3, 0, 5, 1, 4, 2]]
    path = save_table(shuffled, tmp_path / "shuffled.parquet")
    result = pipeline.analyze_corpus(path, tmp_path / "out", chunk_size=2, progress=False)
    assert result.manifest["corpus"]["fingerprint"] == provenance.fingerprint_corpus(mini_corpus)
    assert sorted(result.documents["doc_id"]) == sorted(mini_corpus["doc_id"])


def test_selection_options(corpus_file, tmp_path):
    out = tmp_path / "sel"
    r = pipeline.analyze_corpus(corpus_file, out, include_duplicates=False, progress=False)
    assert "m02" not in set(r.documents["doc_id"]) and "m02" not in set(r.terms["doc_id"])
    r = pipeline.analyze_corpus(corpus_file, out, start="2017-01-01", end="2017-07-31", progress=False)
    assert r.documents["doc_id"].tolist() == ["m03", "m04"]
    assert r.manifest["parameters"]["start"] == "2017-01-01"
    r = pipeline.analyze_corpus(corpus_file, out, outlets=["gulf-monitor"], progress=False)
    assert set(r.documents["outlet"]) == {"gulf-monitor"}


def test_missing_stage_is_skipped(corpus_file, tmp_path):
    r = pipeline.analyze_corpus(
        corpus_file,
        tmp_path / "o",
        progress=False,
        stages=["analysis.sentiment:analyze_chunk", "analysis.not_written_yet:analyze_chunk"],
    )
    assert r.manifest["stages"]["analysis.not_written_yet:analyze_chunk"].startswith("skipped")
    assert "terms" not in r.tables


def test_load_analysis_errors(tmp_path, analysis):
    with pytest.raises(InputError, match="run `python -m analysis analyze"):
        pipeline.load_analysis(tmp_path / "nothing-here")
    with pytest.raises(AttributeError, match="has no table 'no_such_table'"):
        analysis.no_such_table  # noqa: B018
    with pytest.raises(ParameterError):
        analysis.table("no_such_table")


def test_cli_runs(corpus_file, tmp_path, capsys):
    out = tmp_path / "cli"
    assert cli.main(["analyze", str(corpus_file), "--out", str(out), "--exclude-duplicates", "--no-progress"]) == 0
    assert "wrote" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["include_duplicates"] is False


def _cli_error(args, capsys):
    code = cli.main(args)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in err
    return err


def test_bad_input_gives_one_clear_error(tmp_path, mini_corpus, capsys, corpus_file):
    out = str(tmp_path / "out")
    assert "does not exist" in _cli_error(["analyze", str(tmp_path / "nope.parquet"), "--out", out], capsys)
    csv = tmp_path / "articles.csv"
    csv.write_text("title,body\na,b\n")
    assert "not a parquet file" in _cli_error(["analyze", str(csv), "--out", out], capsys)
    other = save_table(pd.DataFrame({"id": ["a"], "body": ["text"]}), tmp_path / "other.parquet")
    assert "canonical schema" in _cli_error(["analyze", str(other), "--out", out], capsys)
    empty = save_table(mini_corpus.iloc[:0], tmp_path / "empty.parquet")
    assert "no articles" in _cli_error(["analyze", str(empty), "--out", out], capsys)
    assert "not a date" in _cli_error(["analyze", str(corpus_file), "--out", out, "--start", "last year"], capsys)
    assert "unknown outlet" in _cli_error(["analyze", str(corpus_file), "--out", out, "--outlet", "nyt"], capsys)
    assert not (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.shared
@pytest.mark.slow
def test_fakes_end_to_end_twice_identical(fakes_csv, tmp_path):
    from analysis import ingest

    corpus_path = tmp_path / "fakes.parquet"
    ingest.ingest([fakes_csv], corpus_path, options=ingest.IngestOptions(progress=False))
    corpus = ingest.load_corpus(corpus_path)
    first = pipeline.analyze_corpus(corpus_path, tmp_path / "a", progress=False)
    second = pipeline.analyze_corpus(corpus_path, tmp_path / "b", chunk_size=173, progress=False)
    assert first.manifest["corpus"]["fingerprint"] == provenance.fingerprint_corpus(corpus)
    assert len(first.documents) == len(corpus)
    assert first.documents["vader_compound"].between(-1, 1).all()
    assert first.documents["n_tokens"].sum() == first.terms["count"].sum()
    assert first.sentences.groupby("doc_id").size().sum() == first.documents["n_sentences"].sum()
    for name in first.tables:
        a, b = first.table(name), second.table(name)
        if not corpus["doc_id"].is_monotonic_increasing:  # rows follow the corpus order chunk by chunk
            keys = [c for c in ("doc_id", "sent_id", "term", "start") if c in a.columns]
            a = a.sort_values(keys, kind="stable").reset_index(drop=True)
            b = b.sort_values(keys, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)


def test_add_sentence_text(analysis, mini_corpus):
    sent = pipeline.add_sentence_text(analysis.sentences, mini_corpus)
    first = sent[sent.doc_id == "m01"].iloc[0]
    assert first["text"].startswith("BAGHDAD, Iraq (AFP) - Iraqi forces launched") and first["text"].endswith(".")
    with pytest.raises(ParameterError, match="not in the corpus"):
        pipeline.add_sentence_text(analysis.sentences, mini_corpus[mini_corpus.doc_id != "m01"])


def test_row_groups_do_not_change_tables(mini_corpus, tmp_path, analysis):
    path = tmp_path / "groups.parquet"
    mini_corpus.to_parquet(path, index=False, row_group_size=2)  # three row groups, read one at a time
    result = pipeline.analyze_corpus(path, tmp_path / "groups", chunk_size=3, progress=False)
    assert result.manifest["corpus"]["fingerprint"] == analysis.manifest["corpus"]["fingerprint"]
    for name in ("documents", "sentences", "terms"):
        pd.testing.assert_frame_equal(result.table(name), analysis.table(name))


FAKE_STAGE = """
import pandas as pd

def analyze_chunk(docs, sentences):
    first = "m01" in set(docs["doc_id"])
    ids = list(docs["doc_id"])
    return {
        "late_strings": pd.DataFrame({"doc_id": ids, "value": [None] * len(ids) if first else ["x"] * len(ids)}),
        "widening": pd.DataFrame({"doc_id": ids, "n": [1] * len(ids) if first else [1.5] * len(ids)}),
    }
"""


def test_stage_tables_whose_types_change_between_chunks(corpus_file, tmp_path, monkeypatch):
    (tmp_path / "fake_stage_b.py").write_text(FAKE_STAGE)
    monkeypatch.syspath_prepend(str(tmp_path))
    r = pipeline.analyze_corpus(
        corpus_file, tmp_path / "o", chunk_size=2, progress=False, stages=["fake_stage_b:analyze_chunk"]
    )
    late = r.late_strings
    assert late["doc_id"].tolist() == ["m01", "m02", "m03", "m04", "m05", "m06"]
    assert late["value"].isna().sum() == 2 and (late["value"].dropna() == "x").all()
    assert r.widening["n"].tolist() == [1, 1, 1.5, 1.5, 1.5, 1.5]
    assert r.manifest["tables"]["widening"]["rows"] == 6


def test_worker_processes_give_identical_tables(corpus_file, tmp_path, analysis):
    par = pipeline.analyze_corpus(corpus_file, tmp_path / "par", chunk_size=2, jobs=2, progress=False)
    seq = pipeline.analyze_corpus(corpus_file, tmp_path / "seq", chunk_size=2, progress=False)
    assert par.tables == seq.tables
    for name in seq.tables:
        pd.testing.assert_frame_equal(par.table(name), seq.table(name))
    with pytest.raises(ParameterError, match="jobs"):
        pipeline.analyze_corpus(corpus_file, tmp_path / "x", jobs=0)


def test_empty_and_missing_texts(mini_corpus, tmp_path):
    corpus = mini_corpus.copy()
    corpus.loc[corpus.doc_id == "m03", "text"] = ""
    corpus.loc[corpus.doc_id == "m04", "text"] = None
    path = save_table(corpus, tmp_path / "holes.parquet")
    r = pipeline.analyze_corpus(
        path,
        tmp_path / "o",
        progress=False,
        stages=["analysis.sentiment:analyze_chunk", "analysis.frequency:analyze_chunk"],
    )
    docs = r.documents.set_index("doc_id")
    assert docs.loc[["m03", "m04"], "n_sentences"].tolist() == [0, 0]
    assert docs.loc[["m03", "m04"], "n_tokens"].tolist() == [0, 0]
    assert docs.loc[["m03", "m04"], "vader_sent_mean"].isna().all()
    assert not {"m03", "m04"} & set(r.terms["doc_id"]) and not {"m03", "m04"} & set(r.sentences["doc_id"])


def test_nominal_mentions_option_adds_common_noun_and_pronoun_mentions_only(corpus_file, tmp_path, analysis, capsys):
    code = cli.main(
        ["analyze", str(corpus_file), "--out", str(tmp_path / "nom"), "--nominal-mentions", "--no-progress"]
    )
    assert code == 0
    nominal = pipeline.load_analysis(tmp_path / "nom")
    assert nominal.manifest["parameters"]["nominal_mentions"] is True
    assert "nominal_mentions" not in analysis.manifest["parameters"]  # the default run records nothing new
    extra = nominal.table("unlisted_mentions")
    assert {"nominal", "pronoun"} <= set(extra["kind"])
    assert not {"nominal", "pronoun"} & set(analysis.table("unlisted_mentions")["kind"])
    heads = extra.loc[extra["kind"] == "nominal", "matched"].str.lower()
    assert heads.str.contains(r"\b(?:forces|fighters|militants|troops|army|city|civilians)\b").any()
    # the other kinds and every other table are those of the default run
    rest = extra[~extra["kind"].isin(["nominal", "pronoun"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(rest, analysis.table("unlisted_mentions"))
    for name in analysis.tables:
        if name != "unlisted_mentions":
            pd.testing.assert_frame_equal(nominal.table(name), analysis.table(name))


def test_nested_mentions_option_adds_nested_spans_only(corpus_file, tmp_path, analysis):
    code = cli.main(
        ["analyze", str(corpus_file), "--out", str(tmp_path / "nest"), "--nested-mentions", "--no-progress"]
    )
    assert code == 0
    nested = pipeline.load_analysis(tmp_path / "nest")
    assert nested.manifest["parameters"]["nested_mentions"] is True
    assert "nested_mentions" not in analysis.manifest["parameters"]
    extra = nested.table("unlisted_mentions")
    spans = extra[extra["kind"] == "nested"]
    assert len(spans) and "nested" not in set(analysis.table("unlisted_mentions")["kind"])
    # a nested span lies inside or around a mention or name of the same article
    found = pd.concat([analysis.table("mentions"), analysis.table("unlisted_mentions")])[["doc_id", "start", "end"]]
    pairs = spans[["doc_id", "start", "end"]].merge(found, on="doc_id", suffixes=("", "_m"))
    touching = pairs[(pairs["start"] < pairs["end_m"]) & (pairs["start_m"] < pairs["end"])]
    assert set(touching.set_index(["doc_id", "start", "end"]).index) == set(
        spans.set_index(["doc_id", "start", "end"]).index
    )
    # the other rows are the default run's (actor_id, all-null there, is typed as text once nested spans carry one)
    rest = extra[extra["kind"] != "nested"].reset_index(drop=True)
    default = analysis.table("unlisted_mentions")
    assert rest["actor_id"].isna().all() and default["actor_id"].isna().all()
    pd.testing.assert_frame_equal(rest.drop(columns="actor_id"), default.drop(columns="actor_id"))
    for name in analysis.tables:
        if name != "unlisted_mentions":
            pd.testing.assert_frame_equal(nested.table(name), analysis.table(name))


def test_attribution_tagger_option_reaches_the_frames_stage(mini_corpus, tmp_path):
    from analysis import frames

    # an attribution without the comma the rules look for ("... fighters a local official said"): only the tagger
    extra = mini_corpus.iloc[[0]].assign(
        doc_id="m99",
        text="Most of the dead in the air raids on the city of Raqa were IS fighters a local official said.",
    )
    corpus = save_table(pd.concat([mini_corpus, extra], ignore_index=True), tmp_path / "articles.parquet")
    plain = pipeline.analyze_corpus(corpus, tmp_path / "plain", progress=False)
    tagged = pipeline.analyze_corpus(corpus, tmp_path / "tag", attribution_tagger=True, jobs=2, progress=False)
    assert tagged.manifest["parameters"]["attribution_tagger"] is True
    assert "attribution_tagger" not in plain.manifest["parameters"]
    got = tagged.table("attributions")
    found = got.loc[got["doc_id"] == "m99", ["speaker", "pattern"]].values.tolist()
    assert found == [["a local official", "tagger"]] and "m99" not in set(plain.table("attributions")["doc_id"])
    assert frames.load_attribution_rules(tagger=True).tagger is not None
    # the label in that sentence ("IS fighters") is now in an attributed voice; the other articles are unchanged
    labels = tagged.table("labels")
    assert set(labels.loc[labels["doc_id"] == "m99", "voice"]) == {"attributed"}
    plain_labels = plain.table("labels")
    assert set(plain_labels.loc[plain_labels["doc_id"] == "m99", "voice"]) != {"attributed"}
    for name in plain.tables:
        if name != "attributions":
            a, b = tagged.table(name), plain.table(name)
            a, b = (t[t["doc_id"] != "m99"].reset_index(drop=True) for t in (a, b))
            pd.testing.assert_frame_equal(a, b)


def _row_groups_of(df: pd.DataFrame, path, size: int):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=size)
    return path


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"start": "2016-10-17", "end": "2016-10-20"},
        {"outlets": ["Wire A"]},
        {"include_duplicates": False, "end": "2017-01-01"},
    ],
)
def test_the_streamed_scan_selects_what_select_documents_selects(mini_corpus, tmp_path, options):
    from analysis.corpus import open_corpus
    from analysis.selection import Selection, select_documents
    from analysis.streaming import scan_metadata

    corpus = pd.concat([mini_corpus.assign(doc_id=mini_corpus["doc_id"] + f"-{k}") for k in range(3)])
    corpus = corpus.reset_index(drop=True)
    if "outlets" in options:
        options = {"outlets": [corpus["outlet"].dropna().iloc[0]]}
    path = _row_groups_of(corpus, tmp_path / "c.parquet", size=4)  # 18 rows in 5 row groups
    scan = scan_metadata(open_corpus(path), path, Selection.parse(**options))
    expected = select_documents(corpus, **options).index.to_numpy()
    assert scan.keep.nonzero()[0].tolist() == expected.tolist() and scan.n_articles == len(corpus)
    pd.testing.assert_series_equal(scan.held["published"], corpus["published"], check_names=False)
    assert scan.held["n_words"].tolist() == corpus["n_words"].tolist()
    assert scan.kept_languages["lang"].tolist() == corpus.loc[expected, "lang"].tolist()


def test_analyze_rejects_a_corpus_with_a_repeated_or_missing_doc_id(mini_corpus, tmp_path, capsys):
    repeated = pd.concat([mini_corpus, mini_corpus.iloc[[3]]], ignore_index=True)  # m04 again, in the last group
    path = _row_groups_of(repeated, tmp_path / "rep.parquet", size=3)
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "a"), "--no-progress"]) != 0
    err = capsys.readouterr().err
    assert "duplicate doc_id values (e.g. 'm04')" in err and "internal error" not in err
    missing = mini_corpus.assign(doc_id=mini_corpus["doc_id"].where(mini_corpus.index != 4, None))
    path = _row_groups_of(missing, tmp_path / "miss.parquet", size=3)
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "b"), "--no-progress"]) != 0
    assert "rows without doc_id" in capsys.readouterr().err
    with pytest.raises(ParameterError, match="no articles left"):
        path = _row_groups_of(mini_corpus, tmp_path / "ok.parquet", size=3)
        pipeline.analyze_corpus(path, tmp_path / "c", start="2030-01-01", progress=False)
