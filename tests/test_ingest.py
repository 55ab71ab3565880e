"""Tests of `analysis.ingest`: readers, accounting, metadata, schema, determinism, CLI, and the real corpora."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import clean, cli, ingest, sources
from analysis.errors import InputError, SchemaError

FIXTURES = Path(__file__).resolve().parent / "data" / "ingest"
BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(inputs, out_dir: Path, **options) -> ingest.IngestResult:
    return ingest.ingest(
        [str(i) for i in inputs], out_dir / "articles.parquet", options=ingest.IngestOptions(progress=False, **options)
    )


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory) -> ingest.IngestResult:
    return _run([FIXTURES], tmp_path_factory.mktemp("fixtures"))


def _one(corpus: pd.DataFrame, name: str, row=None) -> pd.Series:
    sel = corpus[corpus["source_path"].str.endswith(name)]
    if row is not None:
        sel = sel[sel["source_row"] == row]
    assert len(sel) == 1, f"{name} row {row}: {len(sel)} articles"
    return sel.iloc[0]


# --- schema and accounting -------------------------------------------------------------------------------------


def test_corpus_has_canonical_schema_and_dtypes(fixture_run, tmp_path):
    out = _run([FIXTURES / "good"], tmp_path)
    corpus = ingest.load_corpus(tmp_path / "articles.parquet")
    assert list(corpus.columns[: len(ingest.SCHEMA)]) == ingest.SCHEMA
    assert pd.api.types.is_datetime64_any_dtype(corpus["published"])
    assert corpus["n_words"].dtype == "int64"
    assert str(corpus["source_row"].dtype) == "Int64"
    assert corpus["doc_id"].is_unique
    assert (corpus["n_words"] == corpus["text"].str.split().str.len()).all()
    assert len(corpus) == len(out.corpus)
    assert (tmp_path / "rejects.parquet").exists() and (tmp_path / "removed_spans.parquet").exists()
    manifest = json.loads((tmp_path / ingest.MANIFEST_NAME).read_text())
    assert manifest["rules_version"] == clean.default_rules().version and manifest["counts"]["articles"] == len(corpus)
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])


def test_every_file_and_row_is_accounted_for(fixture_run):
    corpus, rejects, manifest = fixture_run.corpus, fixture_run.rejects, fixture_run.manifest
    files, skipped = ingest.find_input_files([FIXTURES])
    seen = set(corpus["source_path"]) | set(rejects["path"])
    assert set(files) <= seen
    assert {Path(s["path"]).name for s in skipped} == {"README.md", "aleppo.meta.json"}
    counts = manifest["counts"]
    assert counts["rows"] == counts["articles"] + counts["rejected_rows"]
    assert counts["rejected"] == len(rejects)
    assert sum(counts["rejected_by_reason"].values()) == len(rejects)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.txt", "empty_file"),
        ("binary.txt", "binary"),
        ("no_text_column.csv", "missing_text_column"),
        ("notes.docx", "parse_error"),
        ("scan.tiff", "unsupported_type"),
        ("boilerplate_only.txt", "empty_text"),
    ],
)
def test_bad_files_are_rejected_with_their_reason(fixture_run, name, reason):
    rej = fixture_run.rejects[fixture_run.rejects["path"].str.endswith(name)]
    assert list(rej["reason"]) == [reason]
    assert not fixture_run.corpus["source_path"].str.endswith(name).any()


def test_missing_text_column_names_columns_and_option(fixture_run):
    detail = fixture_run.rejects.loc[fixture_run.rejects["path"].str.endswith("no_text_column.csv"), "detail"].iloc[0]
    assert "id, headline, when" in detail and "--text-column" in detail


def test_malformed_json_line_rejected_alone(fixture_run):
    rej = fixture_run.rejects[fixture_run.rejects["path"].str.endswith("feed.jsonl")]
    assert list(rej["row"]) == [2] and list(rej["reason"]) == ["malformed_json"]
    rows = fixture_run.corpus.loc[fixture_run.corpus["source_path"].str.endswith("feed.jsonl"), "source_row"]
    assert sorted(rows) == [1, 3]


def test_ragged_csv_row_rejected_alone(fixture_run):
    rej = fixture_run.rejects[fixture_run.rejects["path"].str.endswith("ragged.csv")]
    assert list(zip(rej["row"], rej["reason"])) == [(2, "malformed_row")] and "5 fields" in rej["detail"].iloc[0]
    rows = fixture_run.corpus.loc[fixture_run.corpus["source_path"].str.endswith("ragged.csv"), "source_row"]
    assert sorted(rows) == [1, 3]


def test_wrong_encoding_is_repaired_and_counted(fixture_run):
    art = _one(fixture_run.corpus, "wrong_encoding.txt")
    assert "Le café du quartier" in art["text"] and "l'école" in art["text"]
    assert art["bytes_repaired"] == 9
    assert art["lang"] == "fr"


def test_empty_csv_row_is_rejected_and_others_kept(fixture_run):
    rej = fixture_run.rejects[fixture_run.rejects["path"].str.endswith("good/wire.csv")]
    assert list(zip(rej["row"], rej["reason"])) == [(4, "empty_text")]
    assert sorted(
        fixture_run.corpus.loc[fixture_run.corpus["source_path"].str.endswith("good/wire.csv"), "source_row"]
    ) == [1, 2, 3, 5]


# --- metadata --------------------------------------------------------------------------------------------------


def test_sidecar_metadata(fixture_run):
    art = _one(fixture_run.corpus, "aleppo.txt")
    assert art["title"] == "Government forces take most of eastern Aleppo"
    assert art["outlet"] == "The Daily Example" and art["url"] == "https://example.org/news/aleppo"
    assert art["published"] == pd.Timestamp("2016-12-13") and art["date_source"] == "metadata"


def test_front_matter_metadata_and_agency(fixture_run):
    art = _one(fixture_run.corpus, "raqqa_front.txt")
    assert art["title"] == "Alliance enters Raqa from the east" and art["outlet"] == "Example Wire Review"
    assert art["published"] == pd.Timestamp("2017-06-06")
    assert art["agency"] == "Reuters" and art["dateline"] == "RAQA, Syria"
    assert "---" not in art["text"] and "Log in" not in art["text"] and "Disclaimer" not in art["text"]
    assert art["text"].count("\n") == 1  # two story paragraphs kept


def test_file_name_metadata(fixture_run):
    art = _one(fixture_run.corpus, "desknews_2017-03-13_mosul.txt")
    assert art["published"] == pd.Timestamp("2017-03-13") and art["date_source"] == "filename"
    assert art["outlet"] == "desknews"
    assert art["agency"] == "AFP" and art["dateline"] == "MOSUL, Iraq"


def test_html_extraction_with_metadata(fixture_run):
    art = _one(fixture_run.corpus, "page.html")
    assert art["title"] == "Ceasefire declared in the south" and art["outlet"] == "The Example Herald"
    assert art["published"] == pd.Timestamp("2017-07-09")
    assert art["text"].startswith("A ceasefire brokered") and art["text"].count("\n") == 3
    for junk in ("Most read", "Privacy", "Another story", "Sport"):
        assert junk not in art["text"]


def test_table_columns_detected_and_extras_kept(fixture_run):
    art = _one(fixture_run.corpus, "good/wire.csv", row=1)
    assert art["title"] == "Strikes kill nine in villages west of city" and art["outlet"] == "Example Wire"
    assert art["source_id"] == "w1" and art["url"] == "https://wire.example/1"
    assert art["published"] == pd.Timestamp("2017-03-02") and art["region"] == "west"
    tsv = _one(fixture_run.corpus, "reports.tsv", row=1)
    assert tsv["published"] == pd.Timestamp("2017-01-11") and tsv["outlet"] == "Example Relief News"
    gz = _one(fixture_run.corpus, "wire.csv.gz")
    assert gz["published"] == pd.Timestamp("2017-08-12") and gz["text"].startswith("Engineers reopened")
    js = _one(fixture_run.corpus, "feed.jsonl", row=1)
    assert js["published"] == pd.Timestamp("2018-01-07") and js["agency"] == "AFP"


def test_unparsable_date_is_null_counted_and_warned(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="analysis.ingest"):
        res = _run([FIXTURES / "good" / "wire.csv"], tmp_path)
    art = _one(res.corpus, "wire.csv", row=5)
    assert pd.isna(art["published"]) and art["agency"] == "Reuters"
    assert res.manifest["counts"]["dates_missing"] == 1
    assert any("wire.csv" in r.getMessage() and "could not be read" in r.getMessage() for r in caplog.records)
    assert art["published_raw"] == "not a date" and res.manifest["counts"]["dates_unreadable"] == 1


# --- cleaning, duplicates ---------------------------------------------------------------------------------------


def test_boilerplate_removed_and_audited(fixture_run):
    art = _one(fixture_run.corpus, "desknews_2017-03-13_mosul.txt")
    for junk in ("Read more", "Share this", "Copyright"):
        assert junk not in art["text"]
    spans = fixture_run.removed[fixture_run.removed["doc_id"] == art["doc_id"]]
    assert list(spans["rule"]) == ["read-more", "share", "copyright"]
    assert spans["text"].iloc[0].startswith("Read more:")


def test_exact_and_near_duplicates_marked(fixture_run):
    c = fixture_run.corpus
    first, near, exact = (_one(c, "good/wire.csv", row=r) for r in (1, 2, 3))
    assert pd.isna(first["duplicate_of"])
    assert exact["duplicate_of"] == first["doc_id"] and exact["dup_kind"] == "exact"
    assert exact["dup_similarity"] == 1.0
    assert near["duplicate_of"] == first["doc_id"] and near["dup_kind"] == "near"
    assert 0.7 <= near["dup_similarity"] < 1.0
    assert fixture_run.manifest["counts"]["duplicates_exact"] == 1
    assert fixture_run.manifest["counts"]["duplicates_near"] == 1


def test_no_dedup_option(tmp_path):
    res = _run([FIXTURES / "good" / "wire.csv"], tmp_path, dedup=False)
    assert res.corpus["duplicate_of"].isna().all()


def test_user_boilerplate_rules_are_added(tmp_path):
    rules = tmp_path / "mine.yaml"
    rules.write_text("version: 7\nline:\n  - name: my-credit\n    pattern: 'Local officials appealed.*'\n")
    src = tmp_path / "in.txt"
    src.write_text(
        "A first paragraph about the fighting near the river.\nLocal officials appealed for help.\nShare this article\n"
    )
    res = _run([src], tmp_path, boilerplate=str(rules))
    assert res.corpus["text"].iloc[0] == "A first paragraph about the fighting near the river."
    assert list(res.removed["rule"]) == ["my-credit", "share"]
    assert "mine.yaml@7" in res.manifest["rules_version"]


# --- identity, determinism ---------------------------------------------------------------------------------------


def test_rerun_is_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _run([FIXTURES / "good"], a)
    _run([FIXTURES / "good"], b)
    for name in ("articles.parquet", "rejects.parquet", "removed_spans.parquet", ingest.MANIFEST_NAME):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_doc_id_does_not_depend_on_folder(tmp_path, fixture_run):
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    shutil.copy(FIXTURES / "good" / "aleppo.txt", copy / "aleppo.txt")
    res = _run([copy / "aleppo.txt"], tmp_path)
    assert res.corpus["doc_id"].iloc[0] == _one(fixture_run.corpus, "aleppo.txt")["doc_id"]


def test_same_file_in_two_folders_gets_distinct_ids(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        shutil.copy(FIXTURES / "good" / "desknews_2017-03-13_mosul.txt", tmp_path / "in" / sub)
    res = _run([tmp_path / "in"], tmp_path)
    ids = list(res.corpus["doc_id"])
    assert len(set(ids)) == 2 and ids[1] == ids[0] + "-2"
    assert set(res.removed["doc_id"]) == set(ids)
    assert res.corpus["duplicate_of"].tolist()[1] == ids[0]


# --- errors and CLI ---------------------------------------------------------------------------------------------


def test_load_corpus_errors(tmp_path):
    with pytest.raises(InputError, match="run `make ingest`"):
        ingest.load_corpus(tmp_path / "none.parquet")
    pd.DataFrame({"doc_id": ["a"], "text": ["x"]}).to_parquet(tmp_path / "old.parquet")
    with pytest.raises(SchemaError, match=r"lacks column\(s\) outlet.*re-run"):
        ingest.load_corpus(tmp_path / "old.parquet")


def test_cli_empty_raw_dir_gives_one_helpful_line(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "README.md").write_text("put files here\n")
    assert cli.main(["ingest", str(raw), "--out", str(tmp_path / "a.parquet")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "make data" in err
    assert not (tmp_path / "a.parquet").exists()


def test_cli_nonexistent_input(tmp_path, capsys):
    assert cli.main(["ingest", str(tmp_path / "missing"), "--out", str(tmp_path / "a.parquet")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "does not exist" in err


def test_cli_unreadable_file_rejected_rest_ingested(tmp_path, capsys, monkeypatch):
    src = tmp_path / "in"
    shutil.copytree(FIXTURES / "good", src)
    real = os.open

    def fake_open(path, flags, *args):  # chmod 000 does not stop root: fail the open itself
        if os.fspath(path).endswith("aleppo.txt"):
            raise PermissionError(13, "Permission denied")
        return real(path, flags, *args)

    monkeypatch.setattr(sources.os, "open", fake_open)
    assert cli.main(["ingest", str(src), "--out", str(tmp_path / "o" / "a.parquet"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    for word in ("files:", "rows:", "rejected:", "duplicates:", "dates missing:", "bytes repaired:"):
        assert word in out
    rejects = pd.read_parquet(tmp_path / "o" / "rejects.parquet")
    assert list(rejects.loc[rejects["path"].str.endswith("aleppo.txt"), "reason"]) == ["unreadable"]
    assert len(pd.read_parquet(tmp_path / "o" / "a.parquet")) >= 10


def test_cli_text_column_option(tmp_path):
    src = FIXTURES / "bad" / "no_text_column.csv"
    assert (
        cli.main(
            [
                "ingest",
                str(src),
                "--out",
                str(tmp_path / "a.parquet"),
                "--text-column",
                "headline",
                "--date-column",
                "when",
                "--no-progress",
            ]
        )
        == 0
    )
    corpus = ingest.load_corpus(tmp_path / "a.parquet")
    assert list(corpus["text"]) == ["Something happened"] and corpus["published"].iloc[0] == pd.Timestamp("2017-01-01")
    res = _run([src], tmp_path / "b", text_column="body")
    assert list(res.rejects["reason"]) == ["missing_column"] and "--text-column" in res.rejects["detail"].iloc[0]


def test_help_works(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["ingest", "--help"])
    assert exc.value.code == 0 and "--text-column" in capsys.readouterr().out


# --- real data (skipped without ../shared) ---------------------------------------------------------------------


def test_seed_article(seed_path, tmp_path):
    src = tmp_path / "raw"
    src.mkdir()
    shutil.copy(seed_path, src / seed_path.name)
    res = _run([src], tmp_path)
    assert len(res.corpus) == 1 and res.rejects.empty
    art = res.corpus.iloc[0]
    lines = [ln for ln in clean.normalize_text(seed_path.read_text(encoding="utf-8")).split("\n")]
    assert art["text"].split("\n") == lines[:12]  # the 12 story paragraphs, nothing else
    for junk in ("Subscribe", "₹", "Log in", "Disclaimer", "Smart Quarterly", "Month", "Epaper"):
        assert junk not in art["text"]
    assert art["agency"] == "AFP"
    assert pd.isna(art["published"]) and res.manifest["counts"]["dates_missing"] == 1
    assert list(res.removed["text"]) == lines[12:]  # every removed line is in the audit table
    assert {"disclaimer", "paywall", "price", "plan"} <= set(res.removed["rule"])


@pytest.fixture(scope="module")
def fakes_run(fakes_csv, tmp_path_factory):
    return _run([fakes_csv], tmp_path_factory.mktemp("fakes"))


def _fakes_rows(path):
    with open(path, encoding="latin-1", newline="") as fh:
        return list(csv.DictReader(fh))


def test_fakes_all_rows_accounted_and_dates_equal(fakes_csv, fakes_run):
    raw = _fakes_rows(fakes_csv)
    corpus, rejects = fakes_run.corpus, fakes_run.rejects
    assert len(raw) == 804 and len(corpus) + len(rejects) == 804
    by_row = corpus.set_index("source_row")
    for i, row in enumerate(raw, start=1):
        if i in by_row.index:
            expected = dt.datetime.strptime(row["date"], "%m/%d/%Y")
            assert by_row.at[i, "published"] == pd.Timestamp(expected), f"row {i}"
            assert by_row.at[i, "source_id"] == row["unit_id"] and by_row.at[i, "outlet"] == row["source"]
            assert by_row.at[i, "location"] == row["location"] and by_row.at[i, "labels"] == row["labels"]
    assert fakes_run.manifest["counts"]["bytes_repaired"] == 123
    assert fakes_run.manifest["counts"]["dates_missing"] == 0
    assert not corpus["text"].str.contains("\ufffd").any()


def test_fakes_leading_header_removed(fakes_csv, fakes_run):
    raw = _fakes_rows(fakes_csv)
    header = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]* \d{1,2} [A-Z][a-z]{2,8} \d{4} ")
    by_row = fakes_run.corpus.set_index("source_row")
    n = 0
    for i, row in enumerate(raw, start=1):
        if header.match(row["article_content"]):
            n += 1
            text = by_row.at[i, "text"]
            assert not header.match(text), f"row {i}: {text[:80]}"
            assert not text.lower().startswith(row["article_title"].lower()[:30]), f"row {i}"
    assert n > 10
    assert (fakes_run.removed["rule"] == "header").sum() >= n


# Inline site furniture of the flattened FA-KES scrapes (boilerplate rules v2): phrases that must be gone, and the
# story sentences next to them (first words after the furniture) that must remain.
_FAKES_FURNITURE = [
    "Follow us on Instagram",
    "Dont miss out on the Latest News",
    " - YouTube",
    "FOLLOW TRTWORLD",
    "Cookie Policy",
    "pic.twitter.com",
    "httpst.co",
    "Source TRTWorld and agencies",
    "(TRT World and Agencies)",
    "Reporting by",
    "Editing by",
    "Read Also",
    "MoreImage",
    "Launched in London in 1978",
    "(Source: Syrian Coalition",
    "SSH 11",
    "English Bulletin",
]


def test_fakes_inline_furniture_removed_story_kept(fakes_csv, fakes_run):
    raw = _fakes_rows(fakes_csv)
    corpus, removed = fakes_run.corpus, fakes_run.removed
    assert len(corpus) == 804 and corpus["published"].notna().all()
    text = corpus.set_index("source_row")["text"]
    for phrase in _FAKES_FURNITURE:
        n_raw = sum(phrase in r["article_content"] for r in raw)
        assert n_raw > 0, phrase  # the phrase really occurs in the raw scrape
        left = text[text.str.contains(phrase, regex=False)]
        assert left.empty, f"{phrase!r} left in rows {list(left.index[:5])}"
    tags = re.compile(r"\bTags (?:[A-Z][\w-]* ){1,3}")
    assert sum(bool(tags.search(r["article_content"])) for r in raw) > 50
    assert text.str.contains(r"\bTags ").sum() <= 2  # at most a list whose end could not be found
    # the prose right after each removed span is still in the article
    by_doc = corpus.set_index("doc_id")["text"]
    checked = 0
    for doc_id, rule, span in removed[
        removed["rule"].isin(["tag-list", "youtube-title", "tweet-embed", "photo-credit"])
    ].itertuples(index=False):
        row = int(corpus.loc[corpus["doc_id"] == doc_id, "source_row"].iloc[0])
        src = clean.normalize_text(raw[row - 1]["article_content"])
        rest = src[src.find(span) + len(span) :]
        for other in removed.loc[removed["doc_id"] == doc_id, "text"]:  # furniture that follows is gone too
            rest = rest.replace(other, " ")
        after = " ".join(rest.split()[:4])
        if len(after.split()) == 4:
            assert after in " ".join(by_doc[doc_id].split()), f"{rule}: prose after {span[-40:]!r} lost"
            checked += 1
    assert checked > 100
    counts = removed["rule"].value_counts()
    for rule in (
        "trt-site-footer",
        "tag-list",
        "youtube-title",
        "tweet-embed",
        "credit-line",
        "sputnik-related",
        "staff-signature",
    ):
        assert counts.get(rule, 0) >= 10, rule


def test_fakes_exact_duplicate_rows_marked(fakes_csv, fakes_run):
    raw = _fakes_rows(fakes_csv)
    first_of: dict[tuple, int] = {}
    pairs = []
    for i, row in enumerate(raw, start=1):
        key = tuple(row.values())
        if key in first_of:
            pairs.append((first_of[key], i))
        first_of.setdefault(key, i)
    assert pairs
    by_row = fakes_run.corpus.set_index("source_row")
    for a, b in pairs:
        assert by_row.at[b, "duplicate_of"] in {by_row.at[a, "doc_id"], by_row.at[a, "duplicate_of"]}
        assert by_row.at[b, "dup_kind"] == "exact"


def test_reuters_isot_reads_without_options(reuters_csv, tmp_path):
    res = _run([reuters_csv], tmp_path)
    raw = pd.read_csv(reuters_csv, dtype=str, keep_default_na=False)
    c = res.corpus.sort_values("source_row")
    assert len(c) == len(raw) == 371 and res.rejects.empty
    expected = pd.to_datetime(raw["date"].str.strip(), format="mixed")
    assert (c["published"].to_numpy() == expected.to_numpy()).all()
    assert (c["agency"] == "Reuters").mean() > 0.95
    wash = c[c["text"].str.startswith("WASHINGTON (Reuters) - ")]
    assert len(wash) and (wash["agency"] == "Reuters").all() and (wash["dateline"] == "WASHINGTON").all()
    assert c["outlet"].isna().all() and "subject" in c.columns
    # Reuters staff credit lines and SAP sponsor notes are cut and audited; the agency stays Reuters
    assert not c["text"].str.contains("Editing by|SAP is the sponsor|funded in part by SAP").any()
    assert {"credit-line", "sponsor-note"} <= set(res.removed["rule"])


@pytest.mark.slow
def test_html_extraction_quality_gate(extraction_benchmark_dir):
    """Quality gate: the text ingest keeps from 181 real news pages scores F1 >= 0.95 on the Zyte benchmark."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_extraction", BENCHMARKS / "bench_extraction.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    truth = json.loads((extraction_benchmark_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        p.name.split(".")[0]: bench.gzip.open(p, "rt", encoding="utf-8").read()
        for p in sorted((extraction_benchmark_dir / "html").glob("*.html.gz"))
    }
    assert len(pages) == len(truth) == 181
    metrics = bench.run({}, pages, truth, with_cleaning=True)
    assert metrics["f1"] >= 0.95, metrics
    assert metrics["precision"] >= 0.93 and metrics["recall"] >= 0.93, metrics
