"""Shared fixtures: paths to real corpora in ../shared (skipped when absent) and a small self-written corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.corpus import SCHEMA

TESTS_DIR = Path(__file__).resolve().parent
TEST_DATA = TESTS_DIR / "data"


@pytest.fixture(autouse=True)
def _matplotlib_settings_per_test():
    """Each test gets matplotlib's settings back as it found them.

    ``notebook.open_report`` applies the report style to the process's matplotlib, as a report kernel wants; in one
    pytest process it would reach every later test (titles move to the left, the colour cycle changes), so a test's
    outcome would depend on which tests ran before it."""
    import matplotlib

    with matplotlib.rc_context():
        yield


def _shared(relpath: str) -> Path:
    path = config.SHARED_DIR / relpath
    if not path.exists():
        pytest.skip(f"needs ../shared/{relpath} (absent on this checkout)")
    return path


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The AFP/Business Standard seed article with its paywall text."""
    return _shared("seeds/000_966097eadba50043.txt")


@pytest.fixture(scope="session")
def fakes_csv() -> Path:
    """FA-KES: 804 rows, not valid UTF-8."""
    return _shared("corpora/fakes/FA-KES-Dataset.csv")


@pytest.fixture(scope="session")
def reuters_csv() -> Path:
    """371 ISOT/Reuters Middle-East articles."""
    return _shared("corpora/reuters-isot/reuters_middle_east.csv")


@pytest.fixture(scope="session")
def extraction_benchmark_dir() -> Path:
    """181 raw news pages with ground-truth bodies."""
    return _shared("corpora/article-extraction-benchmark")


@pytest.fixture(scope="session")
def vader_groundtruth_dir() -> Path:
    return _shared("corpora/vader-groundtruth")


@pytest.fixture()
def mini_corpus() -> pd.DataFrame:
    """Six short self-written articles in the canonical corpus schema (m01/m02 are near-duplicates).

    Built directly from tests/data/mini_corpus.jsonl so that analysis tests do not depend on ingest.
    """
    rows = [json.loads(line) for line in (TEST_DATA / "mini_corpus.jsonl").read_text().splitlines() if line]
    df = pd.DataFrame(rows).rename(columns={"id": "doc_id"})
    df["published"] = pd.to_datetime(df["published"].replace("", None), format="%Y-%m-%d")
    df["agency"] = df["text"].str.extract(r"\((AFP|Reuters|AP)\)", expand=False)
    df["n_words"] = df["text"].str.split().str.len().astype("int64")
    df["lang"] = "en"
    df["source_path"] = "tests/data/mini_corpus.jsonl"
    df["source_row"] = pd.array(range(1, len(df) + 1), dtype="Int64")
    df["source_id"] = df["doc_id"]
    df["source_sha256"] = None
    df["duplicate_of"] = None
    df.loc[df["doc_id"] == "m02", "duplicate_of"] = "m01"
    return df[SCHEMA]


@pytest.fixture()
def built(tmp_path, mini_corpus):
    """The mini corpus as parquet plus its analysis tables (the pipeline on six articles)."""
    from analysis.pipeline import analyze_corpus

    corpus = tmp_path / "articles.parquet"
    mini_corpus.sort_values("doc_id").to_parquet(corpus, index=False)
    analysis = tmp_path / "analysis"
    analyze_corpus(corpus, analysis, progress=False)
    return corpus, analysis
