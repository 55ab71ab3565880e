"""The face of the package: `import analysis` and `python -m analysis --help` are cheap and show every module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from analysis import cli, config

HEAVY = ("pandas", "numpy", "pyarrow", "matplotlib", "nltk", "datasketch")


def _fresh(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=config.ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_import_analysis_and_help_load_nothing_heavy():
    loaded = _fresh(
        "import sys, analysis\n"
        "from analysis import cli\n"
        "cli.build_parser(['--help'])\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert loaded == ""


def test_every_documented_module_is_an_attribute_in_a_fresh_kernel():
    package = Path(__file__).resolve().parents[1] / "analysis"
    names = sorted(
        {p.stem for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
        | {p.parent.name for p in package.glob("*/__init__.py")}
    )
    assert {"periods", "corpus", "selection", "storage", "concordance", "frames", "actors", "plots"} <= set(names)
    code = "import analysis\n" + "".join(f"analysis.{n}\n" for n in names)
    code += "import analysis.plots\nanalysis.plots.text, analysis.plots.style, analysis.plots.coverage\nprint('ok')"
    assert _fresh(code) == "ok"
    assert set(names) <= set(dir(__import__("analysis")))


def test_running_a_command_imports_only_its_module():
    loaded = _fresh(
        "import sys\nfrom analysis import cli\ncli.build_parser(['fetch-data', '--help'])\n"
        "print(' '.join(sorted(m for m in cli.COMMAND_MODULES if m in sys.modules)))"
    )
    assert loaded == "analysis.datasets"


def test_every_command_is_listed_and_parses():
    parser = cli.build_parser()
    for name, _, _ in cli.COMMANDS:
        assert name in parser.format_help()
    assert cli.main([]) == 2  # no command: the help, exit 2


def test_analyze_jobs_that_start_the_forkserver_early_are_read_from_the_command_words():
    from analysis.forkserver import early_jobs

    assert early_jobs(["corpus.parquet", "--jobs", "2"]) == 2
    assert early_jobs(["corpus.parquet", "--jobs=3", "--out", "x"]) == 3
    assert early_jobs(["corpus.parquet", "--jobs", "2", "--jobs", "1"]) == 1  # the last one counts, as in argparse
    assert early_jobs(["corpus.parquet"]) == 1
    assert early_jobs(["corpus.parquet", "--jobs", "two"]) == 1
    assert early_jobs(["corpus.parquet", "--jobs"]) == 1
    assert early_jobs(["corpus.parquet", "--jobs", "2", "--scheduler", "local:2"]) == 1
    assert early_jobs(["corpus.parquet", "--out", "--jobs"]) == 1  # a folder named --jobs: no number follows
