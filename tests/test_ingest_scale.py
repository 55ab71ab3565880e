"""Streaming and parallel ingest: the parquet stream writer, partitions, --jobs and a Dask LocalCluster all give the
bytes of a plain one-process run, bad data ends in rejects alike, and a plain run never imports Dask."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import cli, ingest
from analysis.spool import ParquetStream, RowSpool
from analysis.tables import save_table

DATA = Path(__file__).parent / "data"
INGEST_DATA = DATA / "ingest"  # good/ and bad/ files: every reader, and files that end in rejects


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet"))}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "ingest_manifest.json").read_text())


def _run(tmp_path: Path, name: str, **kwargs) -> Path:
    out = tmp_path / name / "articles.parquet"
    ingest.ingest(
        [INGEST_DATA, DATA / "mini_corpus.jsonl"], out, options=ingest.IngestOptions(progress=False), **kwargs
    )
    return out.parent


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    """One process, default partitions: the reference every other way of running must reproduce byte for byte."""
    return _run(tmp_path_factory.mktemp("plain"), "plain")


def test_stream_writer_gives_save_table_bytes(tmp_path):
    """Row groups written frame by frame (frames of any size) are the file save_table writes for the whole table."""
    rng = np.random.default_rng(5)
    n = 12_345
    whole = pd.DataFrame(
        {
            "doc_id": pd.array([f"d{i}" for i in range(n)], dtype="string"),
            "text": pd.array([None if i % 11 == 0 else "word " * (i % 7) for i in range(n)], dtype="string"),
            "published": pd.Series(pd.to_datetime("2017-01-01") + pd.to_timedelta(rng.integers(0, 400, n), "D")),
            "source_row": pd.array([None if i % 13 == 0 else i for i in range(n)], dtype="Int64"),
            "score": rng.random(n),
        }
    )
    save_table(whole, tmp_path / "whole.parquet")
    stream = ParquetStream(tmp_path / "stream.parquet")
    lo = 0
    for size in [1, 4_999, 3, 2_500, 4_000, 842]:
        stream.write(whole.iloc[lo : lo + size].reset_index(drop=True))
        lo += size
    assert lo == n
    stream.close(whole.iloc[:0])
    assert (tmp_path / "stream.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_row_spool_reads_batches_back_in_any_order(tmp_path):
    spool = RowSpool(tmp_path, cache=1)
    batches = [[{"text": f"story {i}", "n": i, "when": pd.Timestamp("2017-03-01")}] * (i + 1) for i in range(5)]
    for batch in batches:
        spool.append(batch)
    assert [spool.get(i) for i in (4, 0, 2, 2, 1, 3)] == [batches[i] for i in (4, 0, 2, 2, 1, 3)]
    spool.close()
    assert not list(tmp_path.iterdir())


def test_small_partitions_and_jobs_give_identical_outputs(plain, tmp_path, monkeypatch):
    """Partitions of 2 rows and 3 files, cleaned in 2 worker processes: the same four outputs, byte for byte."""
    monkeypatch.setattr(ingest, "PARTITION_ROWS", 2)
    monkeypatch.setattr(ingest, "PARTITION_FILES", 3)
    folder = _run(tmp_path, "jobs", jobs=2)
    assert _outputs(folder) == _outputs(plain)
    assert (folder / "ingest_manifest.json").read_bytes() == (plain / "ingest_manifest.json").read_bytes()
    rejects = pd.read_parquet(folder / "rejects.parquet")
    assert len(rejects) >= 8 and {"empty_text", "malformed_row"} <= set(rejects["reason"])  # bad/ files rejected


def test_ingest_on_a_local_cluster_is_byte_identical(plain, tmp_path, monkeypatch):
    """Two Dask workers, partitions of 2 rows / 3 files (bad-data partitions included): every output table byte for
    byte as the plain run, the rejects the same, and the manifest equal bar its scheduler field."""
    pytest.importorskip("distributed")
    monkeypatch.setattr(ingest, "PARTITION_ROWS", 2)
    monkeypatch.setattr(ingest, "PARTITION_FILES", 3)
    folder = _run(tmp_path, "cluster", scheduler="local:2")
    assert _outputs(folder) == _outputs(plain)
    manifest = _manifest(folder)
    assert manifest.pop("scheduler") == {"kind": "local", "spec": "local:2", "n_workers": 2}
    assert manifest == _manifest(plain)
    assert manifest["counts"]["rejected"] >= 8


def test_scheduler_and_jobs_refused_together(tmp_path, capsys):
    out = tmp_path / "x" / "articles.parquet"
    args = ["ingest", str(DATA / "mini_corpus.jsonl"), "--out", str(out), "--no-progress"]
    assert cli.main([*args, "--jobs", "2", "--scheduler", "local:2"]) == 2
    assert "--jobs and --scheduler exclude each other" in capsys.readouterr().err
    assert cli.main([*args, "--scheduler", "host:8786"]) == 2
    assert "is not understood" in capsys.readouterr().err
    assert not out.exists()


def test_plain_ingest_never_imports_dask(tmp_path):
    code = (
        "import sys; from analysis import cli; "
        f"rc = cli.main(['ingest', {str(INGEST_DATA)!r}, '--out', {str(tmp_path / 'a.parquet')!r}, '--no-progress', "
        "'--jobs', '2']); "
        "print(rc, sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'datasketch', 'scipy')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 []"


def test_lost_scheduler_is_one_error_and_keeps_the_previous_corpus(plain, tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    from distributed.comm.core import CommClosedError

    from analysis import cluster

    class _Lost:
        def result(self):
            raise CommClosedError("in <TCP (closed)>: Stream is closed")

        def cancel(self):
            pass

    out = tmp_path / "out" / "articles.parquet"
    out.parent.mkdir()
    for name, data in _outputs(plain).items():
        (out.parent / name).write_bytes(data)
    monkeypatch.setattr(cluster.Cluster, "submit", lambda self, *a, **k: _Lost())
    code = cli.main(["ingest", str(INGEST_DATA), "--out", str(out), "--scheduler", "local:1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "lost the Dask scheduler 'local:1'" in err and "no output was written" in err
    assert _outputs(out.parent) == _outputs(plain)  # the earlier files are untouched
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".spool")]


def test_ingest_reads_and_writes_fsspec_urls_with_the_bytes_of_a_local_run(tmp_path, monkeypatch):
    """memory:// stands for s3:// or gs://: the remote folder is read through fsspec, the outputs land there with
    the manifest, and the corpus is byte-identical to ingesting the same folder locally (paths relative to it)."""
    import fsspec

    fs = fsspec.filesystem("memory")
    local = tmp_path / "raw"
    local.mkdir()
    for src in sorted((INGEST_DATA / "good").iterdir()):
        (local / src.name).write_bytes(src.read_bytes())
        fs.pipe_file(f"/fsspec-test/raw/{src.name}", src.read_bytes())
    monkeypatch.chdir(tmp_path)
    ingest.ingest(["raw"], tmp_path / "out" / "articles.parquet")
    remote = ingest.ingest(["memory://fsspec-test/raw"], "memory://fsspec-test/out/articles.parquet", load=False)
    uploaded = sorted(p.rsplit("/", 1)[-1] for p in fs.find("/fsspec-test/out"))
    assert "ingest_manifest.json" in uploaded and "articles.parquet" in uploaded
    for name in ("articles.parquet", "rejects.parquet", "removed_spans.parquet"):
        assert fs.cat_file(f"/fsspec-test/out/{name}") == (tmp_path / "out" / name).read_bytes(), name
    assert len(remote.corpus) == remote.manifest["counts"]["articles"] > 0
    assert set(remote.corpus["source_path"].str.split("/").str[0]) == {"raw"}  # not a temporary folder
    fs.rm("/fsspec-test", recursive=True)
