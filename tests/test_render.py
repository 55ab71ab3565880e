"""The `report` command: one-line errors and exit codes (the full render is in test_notebooks.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import config


def test_cli_bad_parameter_is_one_line_exit_2(built, tmp_path):
    corpus, analysis = built
    out = tmp_path / "reports"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "report",
            "coverage",
            "--corpus",
            str(corpus),
            "--analysis",
            str(analysis),
            "--out",
            str(out),
            "-p",
            "outlets",
            "nowhere-times",
        ],
        capture_output=True,
        text=True,
        cwd=config.ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: unknown outlet"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (out / "coverage").exists()


def test_cli_unknown_report_and_reserved_parameter(built, tmp_path):
    corpus, analysis = built
    base = [
        sys.executable,
        "-m",
        "analysis",
        "report",
        "--corpus",
        str(corpus),
        "--analysis",
        str(analysis),
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.run(base + ["weather"], capture_output=True, text=True, cwd=config.ROOT, timeout=120)
    assert proc.returncode == 2 and "unknown report 'weather'" in proc.stderr
    proc = subprocess.run(
        base + ["coverage", "-p", "corpus", "x.parquet"], capture_output=True, text=True, cwd=config.ROOT, timeout=120
    )
    assert proc.returncode == 2 and "--corpus" in proc.stderr


def test_reports_at_once_keep_their_order_and_stop_after_a_failure():
    """render_reports' threads: results in the order of the names; after a failure no further report starts, the
    running one finishes and the failure is raised."""
    import threading
    import time

    from analysis.render import ReportError, _render_at_once

    started, running, overlap = [], [], []
    lock = threading.Lock()

    def fake(i, name):
        with lock:
            started.append(name)
            running.append(name)
            overlap.append(len(running))
        time.sleep(0.3 if name == "slow" else 0.05)
        with lock:
            running.remove(name)
        if name == "broken":
            raise ReportError(f"{name} failed in cell 3")
        return f"{i}:{name}"

    assert _render_at_once(fake, ["slow", "a", "b"], 2) == ["1:slow", "2:a", "3:b"]
    assert max(overlap) == 2  # two at a time, never three
    started.clear()
    with pytest.raises(ReportError, match="broken failed"):
        _render_at_once(fake, ["slow", "broken", "never", "not-either"], 2)
    assert "slow" in started and "never" not in started and "not-either" not in started


def test_a_known_fingerprint_is_used_only_for_the_file_it_was_taken_of(built, tmp_path, monkeypatch):
    """`report all` hashes the corpus once for its kernels: the file it writes gives the streamed fingerprint while
    the corpus is unchanged; a changed (rewritten) corpus, another file or no record are hashed again."""
    import os
    import shutil

    from analysis.streaming import (
        KNOWN_FINGERPRINT_ENV,
        find_known_fingerprint,
        fingerprint_corpus_file,
        save_corpus_fingerprint,
    )

    corpus, _ = built
    record = tmp_path / "fingerprint.json"
    monkeypatch.setenv(KNOWN_FINGERPRINT_ENV, str(record))
    assert find_known_fingerprint(corpus) is None  # nothing saved yet
    digest = save_corpus_fingerprint(corpus, record)
    assert digest == fingerprint_corpus_file(corpus) and find_known_fingerprint(corpus) == digest
    other = tmp_path / "copy.parquet"
    shutil.copyfile(corpus, other)
    assert find_known_fingerprint(other) is None  # same bytes, another file: not taken on trust
    st = os.stat(corpus)
    os.utime(corpus, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # rewritten in place
    assert find_known_fingerprint(corpus) is None
    monkeypatch.delenv(KNOWN_FINGERPRINT_ENV)
    assert find_known_fingerprint(other) is None


def test_the_fingerprint_analyze_recorded_is_reused_only_for_the_same_bytes(built, tmp_path, monkeypatch):
    """A report takes the corpus fingerprint from the analysis manifest when the corpus file has the sha256
    `analyze` recorded (and the same fingerprint definition): it equals the fingerprint computed from the rows;
    a corpus with other bytes, another definition version or no record is hashed again."""
    import json

    import pandas as pd

    from analysis import notebook, provenance, streaming

    corpus, analysis = built
    record = json.loads((analysis / "manifest.json").read_text())["corpus"]
    assert record["fingerprint_version"] == provenance.FINGERPRINT_VERSION
    computed = streaming.fingerprint_corpus_file(corpus)
    assert provenance.find_recorded_fingerprint(corpus, record) == computed == record["fingerprint"]
    assert provenance.find_recorded_fingerprint(corpus, {**record, "fingerprint_version": 0}) is None
    assert provenance.find_recorded_fingerprint(corpus, {k: v for k, v in record.items() if k != "sha256"}) is None
    assert provenance.find_recorded_fingerprint(corpus, None) is None
    other = tmp_path / "other.parquet"  # the same articles written again with another row order: other bytes
    pd.read_parquet(corpus).iloc[::-1].to_parquet(other, index=False)
    assert provenance.find_recorded_fingerprint(other, record) is None
    assert provenance.find_recorded_fingerprint(tmp_path / "missing.parquet", record) is None

    # the provenance of a report then hashes no rows: with the recorded fingerprint it never streams the corpus
    def refuse(path):
        raise AssertionError("the corpus was hashed again")

    monkeypatch.setattr(streaming, "fingerprint_corpus_file", refuse)
    docs = pd.read_parquet(corpus).drop(columns="text")
    html = notebook.render_provenance(parameters={}, corpus=docs, corpus_path=corpus, analysis={"corpus": record})
    assert computed in html and "computed on this corpus" in html
    with pytest.raises(AssertionError, match="hashed again"):
        notebook.render_provenance(parameters={}, corpus=docs, corpus_path=other, analysis={"corpus": record})

    # `report all` leaves the recorded fingerprint for its kernels (find_known_fingerprint: a stat, no hashing),
    # only for the file it was recorded for
    known = tmp_path / "known.json"
    assert streaming.save_recorded_fingerprint(corpus, known, record) == computed
    monkeypatch.setenv(streaming.KNOWN_FINGERPRINT_ENV, str(known))
    assert streaming.find_known_fingerprint(corpus) == computed and streaming.find_known_fingerprint(other) is None
    assert streaming.save_recorded_fingerprint(other, tmp_path / "not.json", record) is None
    assert not (tmp_path / "not.json").exists()


def test_report_kernels_use_the_system_allocator_for_arrow_unless_the_user_chose(tmp_path, monkeypatch):
    """The kernel's environment asks Arrow for the system allocator (freed buffers go back to the system), and
    pyarrow started with that environment uses it; a pool the user set is kept."""
    import asyncio

    from analysis import render

    def kernel_env() -> dict:
        manager = render._kernel_manager_class(tmp_path)(kernel_name="python3")
        return asyncio.run(manager._async_pre_start_kernel())[1]["env"]

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    env = kernel_env()
    assert env["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    probe = "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    used = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert used.stdout.strip() == "system"
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    assert kernel_env()["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"


GIVE_BACK_SCRIPT = """
import ctypes, sys
import numpy as np
import pyarrow as pa
from analysis.render import give_back_memory

def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 >> 20

# Arrow's pool: 300 string arrays (about 100 MB), dropped
arrays = [pa.array(np.arange(i, i + 30_000)).cast(pa.string()) for i in range(300)]
del arrays
arrow_before = rss()
give_back_memory()
arrow_after = rss()
# the C heap: 60,000 blocks of 4 kB (about 240 MB), all freed but the last, which keeps the heap's top in use
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
blocks = [libc.malloc(4000) for _ in range(60_000)]
for block in blocks[:-1]:
    libc.free(ctypes.c_void_p(block))
heap_before = rss()
give_back_memory()
print(arrow_before - arrow_after, heap_before - rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RSS from /proc, malloc_trim from glibc")
def test_give_back_memory_returns_freed_pages(tmp_path):
    # in a fresh interpreter: what this test process allocated before would blur the figures
    import ctypes

    try:
        if not hasattr(ctypes.CDLL("libc.so.6"), "malloc_trim"):
            pytest.skip("not glibc")
    except OSError:
        pytest.skip("not glibc")
    proc = subprocess.run(
        [sys.executable, "-c", GIVE_BACK_SCRIPT], capture_output=True, text=True, cwd=config.ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    arrow_mb, heap_mb = map(int, proc.stdout.split())
    # freed but resident until given back: most of the 100 MB of Arrow buffers and of the 240 MB of C heap
    assert arrow_mb >= 50 and heap_mb >= 120, (arrow_mb, heap_mb)
