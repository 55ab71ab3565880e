"""The `report` command: one-line errors and exit codes (the full render is in test_notebooks.py)."""

from __future__ import annotations

import subprocess
import sys

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
