"""Dask scale-out: scheduler parsing, ordered map on a 2-worker LocalCluster, errors, fsspec staging."""

from __future__ import annotations

import json
import operator
import os
from pathlib import Path

import pytest

from analysis import cli, cluster, pipeline, storage
from analysis.errors import ParameterError


def test_parse_scheduler_forms(tmp_path):
    assert cluster.parse_scheduler("local:3").n_workers == 3
    assert cluster.parse_scheduler("local[2]").n_workers == 2
    assert cluster.parse_scheduler("local").n_workers >= 1
    s = cluster.parse_scheduler("tcp://10.0.0.5:8786")
    assert (s.kind, s.address) == ("address", "tcp://10.0.0.5:8786")
    settings = tmp_path / "slurm.yaml"
    settings.write_text("jobs: 4\ncluster:\n  queue: normal\n  cores: 8\n  memory: 16GB\n  walltime: '02:00:00'\n")
    s = cluster.parse_scheduler(f"slurm:{settings}")
    assert s.slurm == {"jobs": 4, "cluster": {"queue": "normal", "cores": 8, "memory": "16GB", "walltime": "02:00:00"}}
    assert s.describe() == {"kind": "slurm", "spec": f"slurm:{settings}"}


@pytest.mark.parametrize("bad", ["local:0", "local:x", "host:8786", "", "slurm:/nonexistent.yaml"])
def test_parse_scheduler_rejects(bad):
    with pytest.raises(ParameterError):
        cluster.parse_scheduler(bad)


def test_slurm_settings_checked(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("jobs: 0\n")
    with pytest.raises(ParameterError, match="jobs"):
        cluster.load_slurm_settings(bad)
    bad.write_text("jobs: 1\nqueues: x\n")
    with pytest.raises(ParameterError, match="unknown key"):
        cluster.load_slurm_settings(bad)


def test_slurm_job_script_carries_settings(tmp_path):
    """The settings reach dask-jobqueue's job script (rendered locally; no SLURM needed, nothing submitted)."""
    dask_jobqueue = pytest.importorskip("dask_jobqueue")
    settings = cluster.load_slurm_settings(_write(tmp_path, "jobs: 2\ncluster: {queue: short, cores: 4, memory: 8GB}"))
    with dask_jobqueue.SLURMCluster(**settings["cluster"], scheduler_options={"dashboard_address": ":0"}) as slurm:
        script = slurm.job_script()
    assert "#SBATCH -p short" in script
    assert "#SBATCH --cpus-per-task=4" in script and "#SBATCH --mem=8G" in script


def _write(tmp_path, text):
    path = tmp_path / "slurm.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def local_cluster():
    with cluster.Cluster("local:2") as c:
        yield c


def test_map_keeps_order_and_bounds(local_cluster):
    assert local_cluster.n_workers == 2
    assert local_cluster.dashboard_link.startswith("http")
    items = [(i, 3) for i in range(25)]
    assert list(local_cluster.map(_pow, items, max_in_flight=3)) == [i**3 for i in range(25)]


def test_map_reraises_worker_errors_unchanged(local_cluster):
    with pytest.raises(ZeroDivisionError):
        list(local_cluster.map(_div, [(1, 1), (1, 0), (2, 1)]))


def _pow(args):
    return operator.pow(*args)


def _div(args):
    return operator.truediv(*args)


def test_unreachable_scheduler_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(cluster.ClusterError, match="cannot reach the Dask scheduler"):
        with cluster.Cluster("tcp://127.0.0.1:9"):
            pass


def test_staged_output_uploads_manifest_last(monkeypatch):
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    order = []
    real_put = fs.put_file
    monkeypatch.setattr(type(fs), "put_file", lambda self, a, b, **kw: (order.append(b), real_put(a, b))[1])
    with storage.staged_output("memory://bucket/out", last="manifest.json") as local:
        (local / "manifest.json").write_text("{}")
        (local / "terms.parquet").write_bytes(b"x")
        (local / "a.parquet").write_bytes(b"y")
    assert [p.rsplit("/", 1)[1] for p in order] == ["a.parquet", "terms.parquet", "manifest.json"]
    assert fs.cat("/bucket/out/terms.parquet") == b"x"


def test_staged_output_uploads_nothing_on_error():
    fsspec = pytest.importorskip("fsspec")
    with pytest.raises(RuntimeError):
        with storage.staged_output("memory://bucket/failed") as local:
            (local / "manifest.json").write_text("{}")
            raise RuntimeError("stage failed")
    assert not fsspec.filesystem("memory").exists("/bucket/failed/manifest.json")


def test_staged_input_copies_remote_folder():
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    fs.pipe("/raw/in/a.txt", b"hello")
    fs.pipe("/raw/in/sub/b.txt", b"world")
    with storage.staged_input("memory://raw/in") as local:
        assert sorted(p.relative_to(local).as_posix() for p in local.rglob("*.txt")) == ["a.txt", "sub/b.txt"]
        assert (local / "a.txt").read_text() == "hello"
    assert not local.exists()
    assert storage.staged_input("data/x.parquet").__enter__().as_posix() == "data/x.parquet"
    assert not storage.is_remote("file:///tmp/x") and storage.is_remote("s3://b/x")


# ------------------------------------------------------------------------------------------- analyze on a cluster
@pytest.fixture()
def corpus_file(mini_corpus, tmp_path):
    from analysis.tables import save_table

    return save_table(mini_corpus, tmp_path / "articles.parquet")


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _manifest_without_scheduler(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    scheduler = manifest.pop("scheduler", None)
    return manifest, scheduler


def test_analyze_on_a_local_cluster_is_byte_identical(corpus_file, tmp_path):
    """Two worker processes, three partitions (chunk_size 2): every table byte for byte as a one-process run."""
    local = pipeline.analyze_corpus(corpus_file, tmp_path / "local", chunk_size=2, progress=False)
    on_cluster = pipeline.analyze_corpus(
        corpus_file, tmp_path / "cluster", chunk_size=2, scheduler="local:2", progress=False
    )
    a, b = _files(tmp_path / "local"), _files(tmp_path / "cluster")
    assert sorted(a) == sorted(b) and len(a) >= 8
    for name in a:
        if name != "manifest.json":
            assert a[name] == b[name], name
    m_local, s_local = _manifest_without_scheduler(tmp_path / "local")
    m_cluster, s_cluster = _manifest_without_scheduler(tmp_path / "cluster")
    assert m_local == m_cluster
    assert s_local is None and s_cluster == {"kind": "local", "spec": "local:2", "n_workers": 2}
    assert on_cluster.terms.equals(local.terms)


def test_a_worker_lost_mid_partition_is_retried(corpus_file, tmp_path, monkeypatch):
    tests_dir = str(Path(__file__).resolve().parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [tests_dir, os.environ.get("PYTHONPATH")])))
    monkeypatch.syspath_prepend(tests_dir)
    marker = tmp_path / "killed"
    monkeypatch.setenv("CLUSTER_TEST_MARKER", str(marker))
    stages = ["cluster_stages:analyze_chunk"]
    result = pipeline.analyze_corpus(
        corpus_file, tmp_path / "cluster", chunk_size=2, stages=stages, scheduler="local:2", progress=False
    )
    assert marker.read_text() == "killed once"  # a worker really died
    expected = pipeline.analyze_corpus(
        corpus_file, tmp_path / "local", chunk_size=2, stages=["analysis.sentiment:analyze_chunk"], progress=False
    )
    assert result.documents.equals(expected.documents)
    assert result.sentences.equals(expected.sentences)


def test_lost_scheduler_is_one_error_and_writes_nothing(corpus_file, tmp_path, monkeypatch, capsys):
    from distributed.comm.core import CommClosedError

    class _Lost:
        def result(self):
            raise CommClosedError("in <TCP (closed)>: Stream is closed")

        def cancel(self):
            pass

    monkeypatch.setattr(cluster.Cluster, "submit", lambda self, *a, **k: _Lost())
    out = tmp_path / "out"
    code = cli.main(["analyze", str(corpus_file), "--out", str(out), "--scheduler", "local:1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "lost the Dask scheduler 'local:1'" in err and "no output was written" in err
    assert not (out / "manifest.json").exists() and not list(out.glob("*.parquet"))


def test_cli_prints_the_dashboard_and_checks_the_address_first(corpus_file, tmp_path, capsys):
    code = cli.main(["analyze", str(corpus_file), "--out", str(tmp_path / "o"), "--scheduler", "nowhere"])
    assert code == 2 and "is not understood" in capsys.readouterr().err
    code = cli.main(["analyze", str(corpus_file), "--out", str(tmp_path / "o"), "--jobs", "2", "--scheduler", "local"])
    assert code == 2 and "not both" in capsys.readouterr().err
    code = cli.main(["analyze", str(corpus_file), "--out", str(tmp_path / "o"), "--scheduler", "local:1"])
    err = capsys.readouterr().err
    assert code == 0 and "dask: 1 worker(s) on local:1; dashboard: http" in err


def test_analyze_reads_and_writes_fsspec_urls(corpus_file, tmp_path):
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    fs.pipe("/corpora/articles.parquet", corpus_file.read_bytes())
    remote = pipeline.analyze_corpus("memory://corpora/articles.parquet", "memory://results/a1", progress=False)
    local = pipeline.analyze_corpus(corpus_file, tmp_path / "local", progress=False)
    assert remote.tables == local.tables
    for name in local.tables:
        assert fs.cat(f"/results/a1/{name}.parquet") == (tmp_path / "local" / f"{name}.parquet").read_bytes()
    assert remote.manifest["corpus"]["path"] == "memory://corpora/articles.parquet"
    assert remote.manifest["corpus"]["fingerprint"] == local.manifest["corpus"]["fingerprint"]
    assert remote.documents.equals(local.documents)
