"""Every path and default file name of the project, in one place."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"

# The project root is the checkout that holds `analysis/`; override with CONFLICT_NEWS_ROOT.
ROOT = Path(os.environ.get("CONFLICT_NEWS_ROOT", PACKAGE_DIR.parent)).resolve()
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
INTERIM_DIR = DATA_DIR / "interim"
PROCESSED_DIR = DATA_DIR / "processed"
# Hand-made input that no command regenerates: filled-in coding sheets, user dictionaries and rule files.
# `make clean` never touches it.
EXTERNAL_DIR = DATA_DIR / "external"
CODESHEETS_DIR = EXTERNAL_DIR / "codesheets"
USER_RESOURCES_DIR = EXTERNAL_DIR / "dictionaries"
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"

# Read-only material that may sit beside the checkout (tests and benchmarks skip when it is absent).
SHARED_DIR = Path(os.environ.get("CONFLICT_NEWS_SHARED", ROOT.parent / "shared")).resolve()
SHARED_CORPORA = SHARED_DIR / "corpora"

CORPUS_FILE = INTERIM_DIR / "articles.parquet"
REJECTS_FILE = INTERIM_DIR / "rejects.parquet"
REMOVED_FILE = INTERIM_DIR / "removed_spans.parquet"
ANALYSIS_DIR = PROCESSED_DIR / "analysis"


def resource(name: str) -> Path:
    """Path of a built-in resource file in `analysis/resources/`."""
    return RESOURCES_DIR / name
