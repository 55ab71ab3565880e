"""Readers of database exports and single-article documents, end to end through ingest (self-written stories)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace

import pandas as pd
import pytest
from exports import (
    MONTHS,
    STORIES,
    to_rtf,
    write_docx_article,
    write_factiva_html,
    write_factiva_text,
    write_lexisnexis,
    write_mediacloud_csv,
    write_nexisuni_docx,
    write_pdf,
)

from analysis import config, ingest, readers
from analysis.errors import InputError


def _ingest(tmp_path, name: str, data: bytes | str, **options):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return ingest.ingest_files([path], options=ingest.IngestOptions(dedup=False, progress=False, **options))


def _expect_stories(corpus: pd.DataFrame, stories=STORIES, *, date_rows=None):
    assert list(corpus["source_row"]) == list(range(1, len(stories) + 1))
    for (_, row), s in zip(corpus.iterrows(), stories):
        assert row["title"] == s.title
        assert row["outlet"] == s.outlet
        assert row["published"] == pd.Timestamp(*s.date)
        assert row["byline"] == s.byline
        assert row["date_source"] == "metadata"
        # the body, paragraph by paragraph (the title is not in it, a "LONDON:" paragraph is)
        assert row["text"].split("\n") == s.paragraphs
        assert row["length_words"] == sum(len(p.split()) for p in s.paragraphs)


def _accounted(result, positions):
    """Every position is an article or a reject row, or is named by a missing_documents reject."""
    rows = set(result.corpus["source_row"].dropna().astype(int)) | set(result.rejects["row"].dropna().astype(int))
    missing = " ".join(result.rejects.loc[result.rejects["reason"] == "missing_documents", "detail"])
    for p in positions:
        assert p in rows or str(p) in missing, p


# --- LexisNexis classic text ------------------------------------------------------------------------------------


def test_lexisnexis_text_export_one_row_per_document(tmp_path):
    result = _ingest(tmp_path, "export.txt", write_lexisnexis(STORIES))
    _expect_stories(result.corpus)
    assert result.rejects.empty
    row = result.corpus.iloc[0]
    assert row["published_raw"] == "October 5, 2016 Wednesday"
    assert row["section"] == "WORLD; Pg. 4" and row["language"] == "ENGLISH" and row["database"] == "LexisNexis"
    assert row["ln_publication_type"] == "Newspaper" and row["ln_load_date"] == "October 5, 2016"
    assert "Copyright 2016" in row["ln_copyright"]
    assert result.manifest["inputs"][0]["reader"] == "lexisnexis"


@pytest.mark.parametrize("name", ["export.TXT", "export", "export.dat", "export.txt.gz"])
def test_lexisnexis_recognised_by_content_whatever_the_name(tmp_path, name):
    import gzip

    data = write_lexisnexis(STORIES).encode("utf-8-sig")
    result = _ingest(tmp_path, name, gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    assert len(result.corpus) == len(STORIES)
    assert result.manifest["inputs"][0]["reader"] == "lexisnexis"


def test_lexisnexis_truncated_export_accounts_for_every_document(tmp_path):
    full = write_lexisnexis(STORIES)
    cut = full[: full.index("3 of 4 DOCUMENTS") + 200]  # document 3 stops inside its head, 4 is gone
    result = _ingest(tmp_path, "cut.txt", cut)
    assert list(result.corpus["source_row"]) == [1, 2]
    rej = result.rejects.set_index("reason")
    assert rej.loc["malformed_article", "row"] == 3
    assert (
        "missing: 4" in rej.loc["missing_documents", "detail"] and "truncated" in rej.loc["missing_documents", "detail"]
    )
    _accounted(result, range(1, 5))


def test_lexisnexis_garbled_document_rejected_alone(tmp_path):
    text = write_lexisnexis(STORIES)
    start = text.index("2 of 4 DOCUMENTS") + len("2 of 4 DOCUMENTS")
    end = text.index("3 of 4 DOCUMENTS")
    text = text[:start] + "\r\n\r\n%%%% scrambled bytes %%%%\r\n" + text[end - 40 :]
    result = _ingest(tmp_path, "garbled.txt", text)
    assert list(result.corpus["source_row"]) == [1, 3, 4]
    assert list(result.rejects["row"]) == [2] and list(result.rejects["reason"]) == ["malformed_article"]
    assert "2 of 4 DOCUMENTS" in result.rejects["detail"].iloc[0]


def test_lexisnexis_date_never_invented(tmp_path):
    text = write_lexisnexis(STORIES[:1]).replace("October 5, 2016 Wednesday", "Wednesday")
    result = _ingest(tmp_path, "nodate.txt", text)
    row = result.corpus.iloc[0]
    assert pd.isna(row["published"]) and pd.isna(row["published_raw"])
    assert row["title"] == STORIES[0].title  # the head is still read without its date line


# --- Nexis Uni Word ---------------------------------------------------------------------------------------------


def test_nexisuni_docx_export(tmp_path):
    result = _ingest(tmp_path, "nexis.docx", write_nexisuni_docx(STORIES))
    _expect_stories(result.corpus)
    row = result.corpus.iloc[2]
    assert row["published_raw"] == "October 9, 2016 Sunday 9:20 AM GMT" and row["section"] == "WORLD; Pg. 2"
    assert row["database"] == "Nexis Uni" and row["nexis_load_date"] == "October 9, 2016"
    assert result.manifest["inputs"][0]["reader"] == "nexisuni"


def test_nexisuni_truncated_export(tmp_path):
    result = _ingest(tmp_path, "cut.docx", write_nexisuni_docx(STORIES, announced=6, end_last=False))
    assert list(result.corpus["source_row"]) == [1, 2, 3, 4]
    assert result.corpus["nexis_truncated"].notna().tolist() == [False, False, False, True]
    detail = result.rejects.loc[result.rejects["reason"] == "missing_documents", "detail"].iloc[0]
    assert "announces 6" in detail and "holds 4" in detail


def test_damaged_docx_rejected(tmp_path):
    data = write_nexisuni_docx(STORIES)
    result = _ingest(tmp_path, "broken.docx", data[: len(data) // 2])
    assert list(result.rejects["reason"]) == ["parse_error"] and result.corpus.empty


# --- Factiva ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, make",
    [
        ("factiva.html", write_factiva_html),
        ("factiva.rtf", lambda s, **kw: to_rtf(write_factiva_text(s, **kw))),
        ("factiva.txt", write_factiva_text),
    ],
)
def test_factiva_exports(tmp_path, name, make):
    result = _ingest(tmp_path, name, make(STORIES))
    _expect_stories(result.corpus)
    row = result.corpus.iloc[0]
    assert row["source_id"] == "NLEDG00002020161005ec010000x"
    assert row["published_raw"] == "5 October 2016" and row["language"] == "English"
    assert row["section"] == "WORLD; Pg. 4" and row["factiva_ns"].startswith("gvio")
    assert result.manifest["inputs"][0]["reader"] == "factiva"
    # damaged: article 2 lost its text fields, the file stops inside article 4
    damaged = make(STORIES, damage={2: ("LP", "TD")})
    damaged = damaged[: damaged.rindex("<b>NS</b>" if name.endswith(".html") else "NS\t")]
    result = _ingest(tmp_path, "damaged-" + name, damaged)
    assert list(result.corpus["source_row"]) == [1, 3, 4]
    assert list(result.rejects["row"]) == [2] and list(result.rejects["reason"]) == ["malformed_article"]
    assert result.corpus["factiva_truncated"].notna().tolist() == [False, False, True]


def test_factiva_text_cut_inside_an_article_keeps_it_flagged(tmp_path):
    text = write_factiva_text(STORIES)
    result = _ingest(tmp_path, "cut.txt", text[: text.rindex("NS\t")])
    assert len(result.corpus) == 4
    assert result.corpus["factiva_truncated"].notna().tolist() == [False, False, False, True]


# --- Media Cloud ------------------------------------------------------------------------------------------------


def test_mediacloud_list_without_text_says_so_per_story(tmp_path):
    result = _ingest(tmp_path, "mc-stories.csv", write_mediacloud_csv(STORIES))
    assert result.corpus.empty
    assert list(result.rejects["row"]) == [1, 2, 3, 4] and set(result.rejects["reason"]) == {"no_text"}
    assert "no article text" in result.rejects["detail"].iloc[0] and STORIES[0].url in result.rejects["detail"].iloc[0]
    assert result.manifest["inputs"][0]["reader"] == "mediacloud"


def test_mediacloud_list_with_text(tmp_path):
    result = _ingest(tmp_path, "mc-stories.csv", write_mediacloud_csv(STORIES, with_text=True))
    c = result.corpus
    assert list(c["outlet"]) == [s.outlet for s in STORIES]
    assert list(c["published"]) == [pd.Timestamp(*s.date) for s in STORIES]
    assert list(c["source_id"]) == ["9001", "9002", "9003", "9004"] and list(c["url"]) == [s.url for s in STORIES]


# --- Single-article documents -----------------------------------------------------------------------------------

ARTICLE = [
    "Aid convoy reaches the eastern suburbs",
    "Forty trucks carrying flour, medicine and blankets crossed the front line shortly after dawn on Tuesday.",
    "Local officials counted more than twelve thousand families waiting at the distribution points.",
]


@pytest.mark.parametrize(
    "name, data",
    [
        ("convoy.docx", write_docx_article(ARTICLE)),
        ("convoy.rtf", to_rtf("\n".join(ARTICLE)).encode("ascii")),
        ("convoy.pdf", write_pdf(ARTICLE)),
    ],
)
def test_documents_read_like_the_same_text_file(tmp_path, name, data):
    (tmp_path / "txt").mkdir()
    as_text = _ingest(tmp_path / "txt", "convoy.txt", "\n".join(ARTICLE)).corpus.iloc[0]
    row = _ingest(tmp_path, name, data).corpus.iloc[0]
    for col in ("text", "title", "n_words", "lang", "published"):
        assert (pd.isna(row[col]) and pd.isna(as_text[col])) or row[col] == as_text[col], col
    assert pd.isna(row["source_row"])


def test_scanned_pdf_rejected_with_reason(tmp_path):
    result = _ingest(tmp_path, "scan.pdf", write_pdf(None))
    assert list(result.rejects["reason"]) == ["no_text_layer"] and "OCR" in result.rejects["detail"].iloc[0]


def test_document_date_from_its_name(tmp_path):
    result = _ingest(tmp_path, "ledger_2016-10-06_convoy.docx", write_docx_article(ARTICLE))
    row = result.corpus.iloc[0]
    assert row["published"] == pd.Timestamp(2016, 10, 6) and row["outlet"] == "ledger"


# --- Format choice ----------------------------------------------------------------------------------------------


def test_format_option_overrides_detection(tmp_path):
    result = _ingest(tmp_path, "factiva.txt", write_factiva_text(STORIES), format="txt")
    assert len(result.corpus) == 1 and result.manifest["inputs"][0]["reader"] == "txt"
    assert result.manifest["options"]["format"] == "txt"


def test_unknown_format_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not known"):
        _ingest(tmp_path, "x.txt", "some text", format="wordperfect")


def test_forced_export_format_on_other_text_rejects_the_file(tmp_path):
    result = _ingest(tmp_path, "plain.txt", "Just one article about the convoy.", format="lexisnexis")
    assert list(result.rejects["reason"]) == ["no_documents"]


@pytest.mark.parametrize("fmt", sorted(readers.FORMATS))
def test_every_format_is_handled_by_ingest(tmp_path, fmt):
    # any format named with --format reads something or rejects with a reason: never an unhandled error
    result = _ingest(tmp_path, "any.txt", write_lexisnexis(STORIES[:1]), format=fmt)
    assert len(result.corpus) + len(result.rejects) >= 1


# --- The shared samples (real exports with placeholder bodies) --------------------------------------------------


@pytest.mark.shared
def test_shared_export_samples(tmp_path):
    folder = config.SHARED_DIR / "corpora/export-formats/lexisnexis"
    if not folder.exists():
        pytest.skip("needs ../shared/corpora/export-formats")
    for name, reader in [("sample.TXT", "lexisnexis"), ("sample.DOCX", "nexisuni")]:
        shutil.copy(folder / name, tmp_path / name)
        result = ingest.ingest_files([tmp_path / name], options=ingest.IngestOptions(dedup=False, progress=False))
        c = result.corpus
        assert len(c) == 10 and result.rejects.empty, name
        assert c[["outlet", "published", "title", "published_raw", "length"]].notna().all().all(), name
        assert result.manifest["inputs"][0]["reader"] == reader
        assert (c["published"].dt.year == (2010 if reader == "lexisnexis" else 2019)).all()


def test_factiva_rtf_with_fields_as_table_cells(tmp_path):
    # an RTF that lays each field out as a two-cell table row (striprtf turns cells into "|"-separated text)
    s = STORIES[0]
    rows = [("HD", s.title), ("PD", "5 October 2016"), ("SN", s.outlet)]
    rows += [("LP", s.paragraphs[0]), ("TD", s.paragraphs[1]), ("AN", "Document NLEDG0001")]
    body = "".join(
        r"\trowd\cellx1000\cellx9000 \intbl " + c + r"\cell \intbl " + v + r"\cell\row" + "\n" for c, v in rows
    )
    result = _ingest(tmp_path, "table.rtf", r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}" + body + "}")
    row = result.corpus.iloc[0]
    assert (row["title"], row["outlet"], row["source_id"]) == (s.title, s.outlet, "NLEDG0001")
    assert row["text"].split("\n") == s.paragraphs[:2] and row["published"] == pd.Timestamp(2016, 10, 5)


def test_cli_format_option_and_summary(tmp_path, capsys):
    from analysis import cli

    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "export.txt").write_text(write_factiva_text(STORIES), encoding="utf-8")
    (tmp_path / "raw" / "nexis.docx").write_bytes(write_nexisuni_docx(STORIES))
    out = tmp_path / "out" / "articles.parquet"
    assert cli.main(["ingest", str(tmp_path / "raw"), "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "read as: factiva 1, nexisuni 1" in printed and "(8 articles)" in printed
    assert cli.main(["ingest", str(tmp_path / "raw" / "export.txt"), "--out", str(out), "--format", "txt"]) == 0
    assert "read as: txt 1" in capsys.readouterr().out


def test_lexisnexis_german_interface_keywords(tmp_path):
    # the German interface's keywords (as LexisNexisTools documents them): Dokument N von M, AUTOR:, RUBRIK:, LÄNGE:
    import re

    months = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
    text = write_lexisnexis(STORIES)
    text = re.sub(r"(\d+) of (\d+) DOCUMENTS", r"Dokument \1 von \2", text)
    text = (
        text.replace("BYLINE:", "AUTOR:")
        .replace("SECTION:", "RUBRIK:")
        .replace("LANGUAGE: ENGLISH", "SPRACHE: DEUTSCH")
    )
    text = re.sub(r"LENGTH: (\d+) words", r"LÄNGE: \1 Wörter", text)
    for s in STORIES:
        y, m, d = s.date
        text = re.sub(rf"{MONTHS[m - 1]} {d}, {y} \w+day", f"{d}. {months[m - 1]} {y}", text)
    result = _ingest(tmp_path, "deutsch.txt", text)
    assert result.manifest["inputs"][0]["reader"] == "lexisnexis"
    _expect_stories(result.corpus)
    assert result.corpus["published_raw"].iloc[0] == "5. Oktober 2016"
    assert list(result.corpus["section"]) == [s.section for s in STORIES]


def test_factiva_text_sentence_opening_with_a_code_stays_in_the_body(tmp_path):
    story = replace(STORIES[0], paragraphs=[*STORIES[0].paragraphs, "IN 2015 the same talks broke down twice."])
    text = write_factiva_text([story]).replace("\tIN 2015", "IN 2015")  # even unindented, at the line start
    row = _ingest(tmp_path, "codes.txt", text).corpus.iloc[0]
    assert row["text"].split("\n") == story.paragraphs and "factiva_in" not in row.index


# --- tables read as a stream ------------------------------------------------------------------------------------

_SENTENCES = [
    "Shelling hit the old market before dawn, residents said.",
    "The governor promised that the bridge would reopen within a week.",
    'A spokesman said "no decision" had been taken on the talks.',
]


def _hostile_csv() -> bytes:
    """Multi-line cells, a blank line, a row with too few fields and an unterminated quote that swallows rows."""
    lines = ["id,title,date,text,note"]
    for i in range(60):
        body = " ".join(_SENTENCES[(i + k) % 3] for k in range(1 + i % 4)).replace('"', '""')
        if i == 9:
            lines.append(f'{i},short row,2017-01-01,"{body}"')
        elif i == 31:
            lines.append(f'{i},open quote,2017-03-03,"Talks stalled,x')
        elif 31 < i < 35:  # plain rows the open quote runs over
            lines.append(f"{i},Plain {i},2017-03-04,Talks went on for hours without a result,n{i}")
        elif i == 20:
            lines.append("")
        elif i % 11 == 4:
            lines.append(f'{i},"two\nline title",2017-02-02,"{body}\n\nA second paragraph.",n{i}')
        else:
            lines.append(f'{i},Title {i},{1 + i % 12}/{1 + i % 28}/2016,"{body}",n{i}')
    return ("\n".join(lines) + "\n").encode("utf-8")


def _latin_csv() -> bytes:
    """Semicolons and bytes that are not UTF-8 (repaired per cell), CRLF line ends."""
    return b"id;title;text\r\n" + b"".join(
        f"{i};Caf\xe9 {i};".encode("latin-1") + b"\x95\x81Quote\x95\x81 " + " ".join(_SENTENCES).encode() + b"\r\n"
        for i in range(40)
    )


STREAM_CASES = {
    "hostile.csv": _hostile_csv(),
    "latin.csv": _latin_csv(),
    "utf16.tsv": ("id\ttext\n" + "".join(f"{i}\t{_SENTENCES[i % 3]} caf\u00e9\n" for i in range(30))).encode("utf-16"),
    "bom.csv": ("\ufeffid,text\n" + "\n".join(f'{i},"{_SENTENCES[i % 3]} \u00fc"' for i in range(30))).encode(),
}


@pytest.mark.parametrize("name", sorted(STREAM_CASES))
@pytest.mark.parametrize("batch", [1, 7, 500])
@pytest.mark.parametrize("from_disk", [False, True])
def test_table_stream_gives_the_records_of_the_whole_file_read(name, batch, from_disk, tmp_path):
    from analysis import clean, sources
    from analysis.readers import table

    data = STREAM_CASES[name]
    kind = name.rsplit(".", 1)[1]
    whole = readers.ReadContext("sha", clean.default_rules(), fmt=kind, kind=kind)
    streamed = replace(whole, rejects=[])
    expected = table.read_table_file(name, data, whole)
    source = data
    if from_disk:  # the file read from disk as a stream: its bytes are never held
        (tmp_path / name).write_bytes(data)
        source = sources.scan_source(str(tmp_path / name))
        assert source.sha256 == hashlib.sha256(data).hexdigest() and source.size == len(data)
    got = [r for recs in table.iter_table_file(name, source, streamed, batch) for r in recs]
    assert got == expected and len(got) > 20
    assert sorted(streamed.rejects) == sorted(whole.rejects)
    if name == "hostile.csv":  # the short row and the unterminated quote are rejected, the rows after it kept
        assert {r[2] for r in whole.rejects} == {"malformed_row"} and len(whole.rejects) == 2
        assert {32, 33, 34} <= {r.row for r in got} and 31 not in {r.row for r in got}
    if name == "latin.csv":
        assert all(r.bytes_repaired == 5 for r in got) and got[0].title == "Café 0"


def test_jsonl_stream_gives_the_records_of_the_whole_file_read(tmp_path):
    import json

    from analysis import clean, sources
    from analysis.readers import jsonl

    lines = []
    for i in range(40):
        obj = {"id": i, "body": _SENTENCES[i % 3]}
        if i >= 30:  # a key that appears late still names the text column of every row, as in the whole read
            obj["text"] = _SENTENCES[(i + 1) % 3]
        lines.append(json.dumps(obj))
        if i % 13 == 2:
            lines += ['{"id": broken', "[1, 2]"]
    lines.append(json.dumps({"id": 99, "text": 12}))
    data = "\n".join(lines).encode()
    whole = readers.ReadContext("sha", clean.default_rules(), fmt="jsonl", kind="jsonl")
    streamed = replace(whole, rejects=[])
    expected = jsonl.read_jsonl_file("f.jsonl", data, whole)
    got = [r for recs in jsonl.iter_jsonl_file("f.jsonl", data, streamed, 4) for r in recs]
    assert got == expected and len(got) == 40
    (tmp_path / "f.jsonl").write_bytes(data + b"\n")  # from disk, with a final line break
    from_disk = replace(whole, rejects=[])
    source = sources.scan_source(str(tmp_path / "f.jsonl"))
    assert [r for recs in jsonl.iter_jsonl_file("f.jsonl", source, from_disk, 4) for r in recs] == expected
    assert sorted(from_disk.rejects) == sorted(whole.rejects)
    assert got[0].text == "" and got[35].text == _SENTENCES[0]
    assert sorted(streamed.rejects) == sorted(whole.rejects)
    assert {r[2] for r in whole.rejects} == {"malformed_json", "bad_text_type"}


def test_stream_rejects_a_whole_file_before_its_first_record():
    from analysis import clean
    from analysis.readers import jsonl, table

    ctx = readers.ReadContext("sha", clean.default_rules(), fmt="csv", kind="csv")
    with pytest.raises(readers.FileRejected, match="no text column"):
        table.iter_table_file("a.csv", b"id,headline\n1,Talks resume\n", ctx)
    with pytest.raises(readers.FileRejected) as exc:
        table.iter_table_file("b.csv", bytes(range(128, 256)) * 40 + b"\n", ctx)
    assert exc.value.reason == "undecodable"
    with pytest.raises(readers.FileRejected, match="no text column"):
        jsonl.iter_jsonl_file("c.jsonl", b'{"id": 1}\n{}\n', ctx)


@pytest.mark.parametrize("step", [1, 5, 64, 1 << 20])
def test_undecodable_count_in_chunks_is_the_whole_file_count(step, tmp_path):
    from analysis import clean, sources
    from analysis.readers import table

    rules = clean.default_rules()
    # repairable sequences far from line breaks, next to them, and bytes no rule covers (cp1252 or U+FFFD)
    data = b"".join(
        b"x" * (i % 90) + b"Syria\x95_s and \x95\x81Time" + b"\n" + b"\x95_ near\n" + b"\x81\x90 \xe9t\xe9\n"
        for i in range(30)
    )
    text, repaired = clean.decode_bytes(data, rules)
    assert table.undecodable_count(data, rules, step) == text.count("\ufffd") + repaired > 100
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    assert table.undecodable_count(sources.scan_source(str(path)), rules, step) == text.count("\ufffd") + repaired
