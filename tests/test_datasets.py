"""Tests of `analysis.datasets` (fetch-data): download via a file:// URL, local fallback, checksums, idempotence."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from analysis import cli, datasets
from analysis.errors import DataUnavailableError

PAYLOAD = b"unit_id,article_title,article_content,source,date\n1,T,Some text,x,4/5/2017\n"


@pytest.fixture()
def fake_dataset(tmp_path, monkeypatch):
    """A dataset entry whose 'archive' is a local file served through urllib's file:// handler."""
    archive = tmp_path / "archive" / "data.csv"
    archive.parent.mkdir()
    archive.write_bytes(PAYLOAD)
    local = tmp_path / "local" / "data.csv"
    local.parent.mkdir()
    local.write_bytes(PAYLOAD + b"2,U,Other text,y,4/6/2017\n")
    ds = dataclasses.replace(
        datasets.DATASETS["fakes"],
        name="test",
        filename="data.csv",
        url=archive.as_uri(),
        md5=(hashlib.md5(PAYLOAD).hexdigest(),),
        sha256=(hashlib.sha256(local.read_bytes()).hexdigest(),),
        local_env="TEST_DATA_LOCAL",
        local_paths=(),
        versions={},
    )
    monkeypatch.setitem(datasets.DATASETS, "test", ds)
    monkeypatch.delenv("TEST_DATA_LOCAL", raising=False)
    return ds, archive, local


def test_download_verified_and_recorded(fake_dataset, tmp_path):
    ds, _, _ = fake_dataset
    prov = datasets.fetch_dataset("test", dest_dir=tmp_path / "raw")
    assert prov["source"] == "download" and prov["md5"] == ds.md5[0]
    assert (tmp_path / "raw" / "data.csv").read_bytes() == PAYLOAD
    saved = json.loads((tmp_path / "raw" / "data.csv.provenance.json").read_text())
    assert saved["sha256"] == hashlib.sha256(PAYLOAD).hexdigest() and saved["doi"] == ds.doi


def test_second_run_does_nothing(fake_dataset, tmp_path):
    datasets.fetch_dataset("test", dest_dir=tmp_path / "raw")
    target = tmp_path / "raw" / "data.csv"
    mtime = target.stat().st_mtime_ns
    prov = datasets.fetch_dataset("test", dest_dir=tmp_path / "raw")
    assert "nothing to do" in prov["status"] and target.stat().st_mtime_ns == mtime


def test_no_network_falls_back_to_verified_local_copy(fake_dataset, tmp_path, monkeypatch):
    ds, archive, local = fake_dataset
    archive.unlink()  # the "network" fails: URLError from urlopen
    monkeypatch.setenv("TEST_DATA_LOCAL", str(local))
    prov = datasets.fetch_dataset("test", dest_dir=tmp_path / "raw", timeout=1)
    assert prov["source"] == "local copy" and prov["origin"] == str(local)
    assert (tmp_path / "raw" / "data.csv").read_bytes() == local.read_bytes()


def test_corrupt_download_and_unknown_local_copy_are_refused(fake_dataset, tmp_path):
    ds, archive, local = fake_dataset
    archive.write_bytes(b"tampered")
    local.write_bytes(b"also tampered")
    with pytest.raises(DataUnavailableError, match="checksum mismatch.*unknown checksum.*TEST_DATA_LOCAL"):
        datasets.fetch_dataset("test", dest_dir=tmp_path / "raw", local=local)
    assert not (tmp_path / "raw" / "data.csv").exists()
    assert not [p for p in (tmp_path / "raw").iterdir() if p.name.startswith(".")]


def test_present_but_wrong_file_is_replaced(fake_dataset, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "data.csv").write_bytes(b"stale")
    prov = datasets.fetch_dataset("test", dest_dir=raw)
    assert prov["source"] == "download" and (raw / "data.csv").read_bytes() == PAYLOAD


def test_cli_offline_without_copy_is_one_line_exit_2(fake_dataset, tmp_path, capsys):
    assert cli.main(["fetch-data", "test", "--dest", str(tmp_path / "raw"), "--offline"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "TEST_DATA_LOCAL" in err


def test_real_fakes_local_copy_is_accepted(fakes_csv, tmp_path, capsys):
    assert cli.main(["fetch-data", "--dest", str(tmp_path), "--offline", "--local", str(fakes_csv)]) == 0
    prov = json.loads((tmp_path / "FA-KES-Dataset.csv.provenance.json").read_text())
    assert prov["sha256"] == datasets.DATASETS["fakes"].sha256[0] and prov["source"] == "local copy"
    assert "sha256" in capsys.readouterr().out
