"""Provenance stamps: corpus fingerprints, file checksums, package versions and the git commit."""

from __future__ import annotations

import hashlib
import os
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.corpus import FINGERPRINT_COLUMNS

# Packages whose versions change results or rendering; reported in every manifest and report.
TRACKED_PACKAGES = (
    "analysis",
    "pandas",
    "numpy",
    "pyarrow",
    "nltk",
    "vaderSentiment",
    "trafilatura",
    "datasketch",
    "pyahocorasick",
    "scipy",
    "matplotlib",
    "networkx",
    "krippendorff",
    "papermill",
    "nbconvert",
    "weasyprint",
)


def file_sha256(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


# The version of fingerprint_corpus's definition (which columns, in which form, in which order): `analyze` records it
# beside the fingerprint and the corpus file's sha256, and a recorded fingerprint is reused only under the same one.
FINGERPRINT_VERSION = 1


def find_recorded_fingerprint(corpus_path: str | os.PathLike, record: dict | None) -> str | None:
    """The corpus fingerprint that ``record`` (an analysis manifest's ``corpus`` entry) holds, when it was computed
    from this very file: the file's sha256 equals the recorded one and the fingerprint's definition is the same
    (``fingerprint_version``); else None.

    Why: the fingerprint hashes every row in doc_id order, about 20 CPU s at a million articles, once per report
    run; the file's sha256 takes 0.5 s for the same 0.9 GB, and equal bytes have an equal content hash.
    """
    if not isinstance(record, dict) or record.get("fingerprint_version") != FINGERPRINT_VERSION:
        return None
    recorded, fingerprint = record.get("sha256"), record.get("fingerprint")
    if not (isinstance(recorded, str) and isinstance(fingerprint, str) and fingerprint):
        return None
    try:
        return fingerprint if file_sha256(corpus_path) == recorded else None
    except OSError:
        return None


def fingerprint_corpus(corpus: pd.DataFrame) -> str:
    """A sha256 over the corpus content (doc ids, texts, dates, outlets, duplicate marks), order-independent.

    Two corpora with the same articles and metadata have the same fingerprint whatever parquet
    library wrote them.
    """
    cols = [c for c in FINGERPRINT_COLUMNS if c in corpus.columns]
    rows = corpus[cols].astype("string").fillna("\x00").sort_values("doc_id")
    digest = hashlib.sha256()
    for values in rows.itertuples(index=False, name=None):
        digest.update("\x1f".join(values).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def package_versions(packages: tuple[str, ...] = TRACKED_PACKAGES) -> dict[str, str]:
    """Installed versions of the tracked packages (``"not installed"`` when missing)."""
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(root: Path = config.ROOT) -> str:
    """The checkout's commit (with ``-dirty`` when the tree has changes), or ``"unknown"``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")
