"""The `analyze` command: one streaming pass over the corpus in chunks that writes the tidy per-article tables.

The parts: :mod:`analysis.stages` (the stage list; one chunk through the stages), :mod:`analysis.streaming`
(reading the corpus in row groups, workers, ordered writing) and :mod:`analysis.results` (loading what was
written). This module is the command and the public face: ``analyze_corpus`` and ``load_analysis``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from analysis import __version__, config, outputs, storage
from analysis.cluster import add_scheduler_option
from analysis.corpus import open_corpus
from analysis.errors import ParameterError, SchemaError
from analysis.provenance import FINGERPRINT_VERSION, file_sha256, git_commit, package_versions
from analysis.results import MANIFEST, OUTPUT_SET, TABLE_NAME, Analysis, add_sentence_text, load_analysis
from analysis.selection import Selection
from analysis.stages import (
    CODEBOOK_STAGES,
    DICTIONARY_STAGES,
    STAGES,
    SWITCH_STAGES,
    build_sentences,
    count_left_out,
    find_resource_versions,
    load_stages,
)
from analysis.streaming import Fingerprint, TableWriter, WorkerPool, run_chunks, scan_metadata

__all__ = ["STAGES", "Analysis", "add_sentence_text", "analyze_corpus", "build_sentences", "load_analysis"]

DEFAULT_CHUNK_SIZE = 500


# ------------------------------------------------------------------------------------------------------ the command
def analyze_corpus(
    corpus_path: str | os.PathLike = config.CORPUS_FILE,
    out_dir: str | os.PathLike = config.ANALYSIS_DIR,
    *,
    include_duplicates: bool = True,
    start=None,
    end=None,
    outlets: Iterable[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    stages: Iterable[str] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    actors: str | os.PathLike | None = None,
    places: str | os.PathLike | None = None,
    frames: str | os.PathLike | None = None,
    labels: str | os.PathLike | None = None,
    nominal_mentions: bool = False,
    nested_mentions: bool = False,
    attribution_tagger: bool = False,
    progress: bool = True,
) -> Analysis:
    """Analyse every selected article once and write the tidy tables to ``out_dir``; returns :func:`load_analysis`.

    Reads the corpus in chunks of ``chunk_size`` articles (memory stays flat as the corpus grows), splits sentences,
    runs every stage in :data:`STAGES` and writes ``documents.parquet``, ``sentences.parquet``, ``terms.parquet``
    and each stage's tables, plus ``manifest.json``. Re-running on the same corpus gives identical tables.
    ``jobs > 1`` analyses chunks in that many worker processes; ``scheduler`` (``local:N``, ``tcp://host:8786``,
    ``slurm:FILE.yaml``; see :mod:`analysis.cluster`) analyses them on a Dask cluster. Either way the tables are
    the same as a one-process run; only the manifest's ``scheduler`` field tells them apart. ``corpus_path`` and
    ``out_dir`` may be fsspec URLs (``s3://...``). ``actors`` / ``places``: your own dictionary files (format of
    :func:`analysis.actors.load_dictionary`, by its override rule); the actors and frames stages use them, and their
    path, version and sha256 go into the manifest's ``resource_versions["user_dictionary"]``. ``frames`` /
    ``labels``: your own frame codebook (:func:`analysis.frames.load_codebook`) and conflict-language file (labels
    and territorial verbs, :func:`analysis.frames.load_conflict_language`); the frames stage uses them, recorded in
    ``resource_versions["user_codebook"]``. Every file is checked before any work is done. ``nominal_mentions``:
    the actors stage also writes common-noun and pronoun mentions ("the army", "he"; kinds ``nominal`` and
    ``pronoun``, typed, never resolved to an actor) to ``unlisted_mentions`` (the setting of the re3d recall
    figures, docs/actors.md); ``nested_mentions``: it also writes the spans inside and around its mentions that
    re3d annotates (kind ``nested``: "ISIL" in "ISIL tactical units"; with ``nominal_mentions``, the setting of the
    re3d recall figures with nested spans); ``attribution_tagger``: the frames stage adds the CRF attribution tagger to the
    attribution rules (higher recall on PolNeAR, more CPU; docs/framing.md). Each is recorded in the manifest's
    parameters.
    """
    if int(chunk_size) < 1:
        raise ParameterError(f"chunk_size must be 1 or more, got {chunk_size}")
    if int(jobs) < 1:
        raise ParameterError(f"jobs must be 1 or more (worker processes), got {jobs}")
    if not storage.is_remote(out_dir):
        outputs.prepare_folder(storage.local_path(out_dir))  # a bad --out fails now, not after the whole run
    if scheduler is not None and int(jobs) > 1:
        raise ParameterError("use either jobs (processes on this machine) or scheduler (a Dask cluster), not both")
    options = {
        "include_duplicates": include_duplicates,
        "start": start,
        "end": end,
        "outlets": outlets,
        "chunk_size": int(chunk_size),
        "stages": stages,
        "jobs": int(jobs),
        "progress": progress,
        "dictionary": _dictionary_files(actors=actors, places=places),
        "codebook": _codebook_files(frames=frames, labels=labels),
        "switches": [
            name
            for name, on in (
                ("nominal_mentions", nominal_mentions),
                ("nested_mentions", nested_mentions),
                ("attribution_tagger", attribution_tagger),
            )
            if on
        ],
    }
    if scheduler is None:
        with storage.staged_input(corpus_path) as local, storage.staged_output(out_dir, last=MANIFEST) as out:
            _analyze(local, out, label=str(corpus_path), **options)
        return load_analysis(out_dir)
    from analysis import cluster as cluster_mod

    sched = cluster_mod.parse_scheduler(scheduler)  # a bad address fails before any work
    with storage.staged_input(corpus_path) as local, storage.staged_output(out_dir, last=MANIFEST) as out:
        with cluster_mod.Cluster(sched) as cluster:
            cluster.announce()
            _analyze(local, out, label=str(corpus_path), cluster=cluster, **options)
    return load_analysis(out_dir)


def _dictionary_files(*, actors, places) -> dict[str, str]:
    """The user dictionary files by role (actors, places), checked now: a bad file fails before any work."""
    files = {role: str(path) for role, path in (("actors", actors), ("places", places)) if path is not None}
    if files:
        from analysis.actors import load_dictionary

        load_dictionary(list(files.values()))
    return files


def _codebook_files(*, frames, labels) -> dict[str, str]:
    """The user codebook and conflict-language files by role (frames, labels), checked now."""
    files = {role: str(path) for role, path in (("frames", frames), ("labels", labels)) if path is not None}
    if "frames" in files:
        from analysis.frames import load_codebook

        load_codebook(files["frames"])
    if "labels" in files:
        from analysis.frames import load_conflict_language

        load_conflict_language(files["labels"])
    return files


def _analyze(
    corpus_path: Path,
    out_dir: Path,
    *,
    label: str,
    include_duplicates: bool,
    start,
    end,
    outlets,
    chunk_size: int,
    stages,
    jobs: int,
    progress: bool,
    dictionary: dict[str, str],
    codebook: dict[str, str],
    switches: Iterable[str] = (),
    cluster=None,
) -> None:
    """The body of :func:`analyze_corpus` on a local corpus file and output folder (``label`` names the corpus)."""
    pf = open_corpus(corpus_path)
    selection = Selection.parse(start=start, end=end, outlets=outlets, include_duplicates=include_duplicates)
    scan = scan_metadata(pf, corpus_path, selection)
    keep, meta = scan.keep, scan.held  # by row position in the file; the text columns come with each chunk
    published_str = pf.read(columns=["published"]).to_pandas()["published"].astype("string").fillna("\x00")
    pa.default_memory_pool().release_unused()  # what the conversion's transient copies used
    n_selected = int(keep.sum())
    specs = list(STAGES if stages is None else stages)
    # absolute paths: worker processes and Dask workers on this machine read the same files
    files = tuple(str(Path(p).resolve()) for p in dictionary.values())
    options = {spec: {"dictionary": files} for spec in specs if files and spec in DICTIONARY_STAGES}
    own = {"codebook": codebook.get("frames"), "lexicon": codebook.get("labels")}
    own = {key: str(Path(path).resolve()) for key, path in own.items() if path is not None}
    for spec in specs:
        if own and spec in CODEBOOK_STAGES:
            options.setdefault(spec, {}).update(own)
    for name in switches:
        spec, option = SWITCH_STAGES[name]
        if spec in specs:
            options.setdefault(spec, {})[option] = True
    pool = None
    if jobs > 1 and cluster is None:  # the workers import the stages (and NLTK); this process only reads and writes
        pool = WorkerPool(specs, options, jobs)
        loaded = None
    else:
        loaded, stage_status = load_stages(specs)

    with outputs.OutputSet(out_dir, OUTPUT_SET) as staged:
        build_dir = staged.stage
        writer = TableWriter(build_dir)
        fingerprint = Fingerprint(build_dir / ".fingerprint.bin", published_str)
        from tqdm.auto import tqdm

        bar = tqdm(total=n_selected, unit="article", desc="analyze", disable=not progress or None)
        run_chunks(
            pf,
            meta,
            keep,
            loaded,
            writer,
            fingerprint,
            chunk_size=chunk_size,
            bar=bar,
            pool=pool,
            cluster=cluster,
            options=options,
        )
        if pool is not None:
            stage_status, loaded, resource_versions = pool.describe()
        else:
            resource_versions = find_resource_versions(loaded)
        tables = writer.finish(out_dir)
        bad = [name for name in tables if not TABLE_NAME.match(name)]
        if bad:
            raise SchemaError(f"stage table name(s) {', '.join(map(repr, bad))}: use lower-case letters, digits, _")
        manifest = {
            "command": "analyze",
            "analysis_version": __version__,
            "parameters": {
                "corpus": label,
                "include_duplicates": include_duplicates,
                "start": None if start is None else str(start),
                "end": None if end is None else str(end),
                "outlets": sorted(outlets) if outlets and not isinstance(outlets, str) else outlets,
                "chunk_size": int(chunk_size),
                **dictionary,
                **codebook,
                **dict.fromkeys(switches, True),
            },
            "corpus": {
                "path": label,
                "sha256": file_sha256(corpus_path),
                "fingerprint": fingerprint.hexdigest(),
                "fingerprint_version": FINGERPRINT_VERSION,
                "n_articles": int(scan.n_articles),
                "n_selected": n_selected,
            },
            "stages": stage_status,
            "left_out": count_left_out(scan.kept_languages, loaded),
            "tables": tables,
            "resource_versions": resource_versions,
            "package_versions": package_versions(),
            "git_commit": git_commit(),
        }
        if dictionary:
            from analysis.actors import find_file_versions

            manifest["resource_versions"]["user_dictionary"] = {
                role: find_file_versions([path])[path] for role, path in dictionary.items()
            }
        if codebook:
            from analysis.resources import file_version

            manifest["resource_versions"]["user_codebook"] = {
                role: {"path": path, **file_version(path)} for role, path in codebook.items()
            }
        if cluster is not None:  # the one field in which a cluster run differs from a local one
            manifest["scheduler"] = cluster.scheduler.describe()
        (build_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
        # only tables this code wrote into out_dir before (its ledger), never names read from an old manifest
        staged.commit(last=MANIFEST)


# --------------------------------------------------------------------------------------------------------- CLI
def register_cli(sub) -> None:
    """Add the `analyze` sub-command."""
    p = sub.add_parser(
        "analyze",
        help="run the per-article analysis once and write tidy tables",
        description="Split sentences, count terms, score sentiment (and actors, frames) for every "
        "selected article of CORPUS; write parquet tables and manifest.json to --out.",
    )
    p.add_argument(
        "corpus",
        nargs="?",
        default=str(config.CORPUS_FILE),
        help=f"canonical corpus parquet written by `ingest` (default: {config.CORPUS_FILE})",
    )
    p.add_argument("--out", default=str(config.ANALYSIS_DIR), help=f"output folder (default: {config.ANALYSIS_DIR})")
    p.add_argument("--exclude-duplicates", action="store_true", help="skip articles marked as duplicates")
    p.add_argument("--start", help="first publication date, inclusive (YYYY-MM-DD)")
    p.add_argument("--end", help="last publication date, inclusive (YYYY-MM-DD)")
    p.add_argument(
        "--outlet",
        action="append",
        dest="outlets",
        metavar="OUTLET",
        help="analyse only this outlet (repeat for several)",
    )
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="articles per chunk (memory vs speed)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1); the tables are identical")
    add_scheduler_option(p, what="the tables")
    p.add_argument(
        "--actors",
        metavar="FILE",
        help="your actor dictionary (YAML, as analysis.actors.load_dictionary reads it): its entries are added to the "
        "built-in ones (an entry with a built-in id replaces it, one saying `extends: builtin` adds to it); "
        "`extends: none` at its top uses only your files",
    )
    p.add_argument("--places", metavar="FILE", help="your place gazetteer (YAML), by the same rule as --actors")
    p.add_argument(
        "--frames",
        metavar="FILE",
        help="your frame codebook (YAML, format of analysis/resources/frames.yaml): it replaces the built-in one, "
        "or adds to it when its top says `extends: builtin` (docs/actors.md: the override rule)",
    )
    p.add_argument(
        "--labels",
        metavar="FILE",
        help="your conflict language (labels and territorial verbs, format of analysis/resources/"
        "conflict_language.yaml), by the same rule as --frames",
    )
    p.add_argument(
        "--nominal-mentions",
        action="store_true",
        help="also write common-noun and pronoun mentions of actors and places ('the army', 'he'; typed, never "
        "resolved to an actor) to unlisted_mentions: the setting of the re3d recall figures (docs/actors.md)",
    )
    p.add_argument(
        "--nested-mentions",
        action="store_true",
        help="also write the spans inside and around the mentions that re3d annotates ('ISIL' in 'ISIL tactical "
        "units', the phrase around a name; kind nested) to unlisted_mentions: with --nominal-mentions, the setting "
        "of the re3d nested figures (docs/actors.md); about 1.7x the mention rules' CPU",
    )
    p.add_argument(
        "--attribution-tagger",
        action="store_true",
        help="add the CRF attribution tagger to the attribution rules: higher recall on PolNeAR (docs/framing.md), "
        "about a quarter more CPU in the frames stage",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    if args.jobs == 1 and args.scheduler is None:  # this process runs the stages: NLTK without SciPy, scikit-learn
        import analysis.lean_nltk  # noqa: F401
    result = analyze_corpus(
        args.corpus,
        args.out,
        include_duplicates=not args.exclude_duplicates,
        start=args.start,
        end=args.end,
        outlets=args.outlets,
        chunk_size=args.chunk_size,
        jobs=args.jobs,
        scheduler=args.scheduler,
        actors=args.actors,
        places=args.places,
        frames=args.frames,
        labels=args.labels,
        nominal_mentions=args.nominal_mentions,
        nested_mentions=args.nested_mentions,
        attribution_tagger=args.attribution_tagger,
        progress=not args.no_progress,
    )
    print(
        f"wrote {len(result.manifest['tables'])} tables for {result.manifest['corpus']['n_selected']:,} "
        f"articles to {args.out}: {', '.join(sorted(result.manifest['tables']))}"
    )
    return 0
