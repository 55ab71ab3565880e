"""The tables an `analyze` run wrote, as the API sees them: :class:`Analysis` and :func:`load_analysis`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd

from analysis import config, outputs, storage
from analysis.errors import InputError, ParameterError

MANIFEST = "manifest.json"
OUTPUT_SET = "analysis"  # analysis.outputs set name: every table and the manifest switch in together
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # stage table names (checked: they name files)


class Analysis:
    """The tables written by `analyze`, loaded lazily: ``a.documents``, ``a.sentences``, ``a.terms``, ...

    ``a.manifest`` is the run's manifest (parameters, corpus fingerprint, resource and package versions);
    ``a.tables`` lists the table names; ``a.path(name)`` gives a table's file.
    """

    def __init__(self, out_dir: Path | str, manifest: dict):
        self._dir = out_dir  # a folder, or an fsspec URL (s3://..., memory://...) of one
        self.manifest = manifest
        self._cache: dict[str, pd.DataFrame] = {}

    @property
    def tables(self) -> list[str]:
        """The tables of this run: those its manifest lists (plain names only), not whatever lies in the folder."""
        listed = self.manifest.get("tables", {})
        present = set(storage.list_stems(self._dir, ".parquet"))
        return sorted(n for n in listed if isinstance(n, str) and TABLE_NAME.match(n) and n in present)

    def path(self, name: str) -> Path | str:
        return storage.join(self._dir, f"{name}.parquet")

    @property
    def dictionary(self):
        """The actor dictionary that produced ``mentions``: the user files recorded in the manifest
        (``analyze --actors/--places``), checked against their recorded sha256, or the built-in one. Pass it to
        the counting and plotting functions (``dictionary=``) so that labels come from the same entries."""
        from analysis.actors import find_dictionary

        used = self._user_files("user_dictionary", "dictionary")
        return find_dictionary([info["path"] for info in used.values()])

    @property
    def codebook(self):
        """The frame codebook that produced ``frames`` (``analyze --frames``, checked by sha256, or the built-in
        one); pass it as ``codebook=`` (e.g. to ``frames.count_frames``) so frame labels come from it."""
        from analysis.frames import load_codebook

        return load_codebook(self._user_files("user_codebook", "codebook").get("frames", {}).get("path"))

    @property
    def lexicon(self):
        """The conflict language (labels, territorial verbs) that produced ``labels`` (``analyze --labels``)."""
        from analysis.frames import load_conflict_language

        path = self._user_files("user_codebook", "conflict-language").get("labels", {}).get("path")
        return load_conflict_language(path)

    def _user_files(self, key: str, what: str) -> dict[str, dict]:
        """The user files of ``resource_versions[key]`` (role -> path, version, sha256), each checked unchanged."""
        from analysis.errors import ResourceError
        from analysis.resources import file_version

        used = self.manifest.get("resource_versions", {}).get(key, {})
        for role, info in used.items():
            if file_version(info["path"])["sha256"] != info["sha256"]:
                raise ResourceError(
                    f"the {role} {what} {info['path']} that made this analysis is missing or has changed since "
                    f"(sha256 {info['sha256'][:12]}...): restore it or re-run `python -m analysis analyze`"
                )
        return used

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Load one table (cached when all columns are read)."""
        if name not in self.tables:
            raise ParameterError(f"analysis in {self._dir} has no table {name!r}; it has: {', '.join(self.tables)}")
        if columns is not None:
            return pd.read_parquet(self.path(name), columns=columns)
        if name not in self._cache:
            self._cache[name] = pd.read_parquet(self.path(name))
        return self._cache[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self.tables:
            return self.table(name)
        raise AttributeError(
            f"analysis in {self.__dict__['_dir']} has no table {name!r}; it has: {', '.join(self.tables)}"
        )

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        rows = {k: v.get("rows") for k, v in self.manifest.get("tables", {}).items()}
        listing = ", ".join(f"{k} ({v:,} rows)" if isinstance(v, int) else k for k, v in sorted(rows.items()))
        return f"<Analysis {self._dir}: {listing}>"


def add_sentence_text(sentences: pd.DataFrame, corpus: pd.DataFrame) -> pd.DataFrame:
    """``sentences`` (from ``load_analysis(...).sentences``) with a ``text`` column cut from the corpus by offsets.

    sentences.parquet stores offsets, not text: the corpus already holds every sentence, once.
    """
    from analysis.tables import require_columns

    require_columns(sentences, ["doc_id", "start", "end"], what="sentence table")
    require_columns(corpus, ["doc_id", "text"], what="corpus")
    texts = corpus.drop_duplicates("doc_id").set_index("doc_id")["text"]
    missing = set(sentences["doc_id"]) - set(texts.index)
    if missing:
        raise ParameterError(
            f"{len(missing)} sentence doc_id(s) are not in the corpus (e.g. {sorted(missing)[0]!r}): "
            "pass the corpus that was analysed"
        )
    out = sentences.copy()
    out["text"] = [texts[d][s:e] for d, s, e in zip(sentences["doc_id"], sentences["start"], sentences["end"])]
    return out


def load_analysis(out_dir: str | os.PathLike = config.ANALYSIS_DIR) -> Analysis:
    """The tables of an `analyze` run in ``out_dir`` as an :class:`Analysis` (tables load on first access).

    ``out_dir`` may be an fsspec URL (``s3://bucket/analysis``): tables are then read from there.
    """
    out_dir = out_dir if storage.is_remote(out_dir) else Path(out_dir)
    manifest_path = storage.join(out_dir, MANIFEST)
    if not storage.is_remote(out_dir):
        outputs.require_complete(out_dir, OUTPUT_SET, rerun=f"`python -m analysis analyze CORPUS --out {out_dir}`")
    if not storage.exists(manifest_path):
        raise InputError(
            f"no analysis in {out_dir} (no {MANIFEST}): run `python -m analysis analyze CORPUS --out {out_dir}` first"
        )
    try:
        manifest = json.loads(storage.read_text(manifest_path))
    except ValueError as exc:
        raise InputError(f"{manifest_path} is not valid JSON: re-run `python -m analysis analyze`") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables", {}), dict):
        raise InputError(f"{manifest_path} is not an analysis manifest: re-run `python -m analysis analyze`")
    return Analysis(out_dir, manifest)
