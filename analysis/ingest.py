"""Ingest orchestration: raw article files -> readers (txt, html, csv, tsv, jsonl, docx, rtf, pdf, database
exports; optionally gzipped) -> cleaning and dedup -> the canonical corpus, manifest and rejects.

It streams: files are read and cleaned one partition at a time (here, in ``jobs`` worker processes, or on a Dask
cluster), the cleaned rows wait in a spool on disk with compact dedup keys in memory, and once the run's date order
and duplicates are known the corpus is written row group by row group. Memory does not grow with the corpus
beyond the compact per-article arrays (about 150 bytes per article; the MinHash signatures wait in a file); table
files stream from disk, so neither with the largest input file (except a gzipped table, held decompressed)."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from analysis import config, dates, langid, outputs, readers, sources, storage
from analysis import dedup as dedup_mod
from analysis.articles import (  # noqa: F401 - IngestOptions, make_doc_id: analysis.ingest.*
    INTEGER_SOURCE_COLUMNS,
    Cleaned,
    IngestOptions,
    Partition,
    clean_partition,
    is_table_file,
    load_resources,
    make_doc_id,
    read_file_batches,
    read_file_safely,
)
from analysis.cluster import add_scheduler_option
from analysis.corpus import (  # noqa: F401 - load_corpus: analysis.ingest.load_corpus
    EXTRA_COLUMNS,
    FINGERPRINT_COLUMNS,
    OUTPUT_SET,
    SCHEMA,
    load_corpus,
    require_complete_corpus,
)
from analysis.errors import InputError, ParameterError
from analysis.ingest_write import REMOVED_COLUMNS, RunKeys, write_outputs  # noqa: F401 - REMOVED_COLUMNS
from analysis.spool import RowSpool
from analysis.tables import save_json, save_table

log = logging.getLogger(__name__)

REJECT_COLUMNS = ["path", "row", "reason", "detail"]
MANIFEST_NAME = "ingest_manifest.json"
PARTITION_ROWS = 500  # records of a table file per partition
PARTITION_FILES = 50  # one-article files per partition


class IngestResult:
    """What an ingest run produced: the corpus, the rejects, the removed spans and the manifest.

    ``corpus`` and ``removed`` may be read from the written files on first use (``ingest(..., load=False)``)."""

    def __init__(self, corpus, rejects: pd.DataFrame, removed, manifest: dict):
        self._corpus, self._removed = corpus, removed
        self.rejects, self.manifest = rejects, manifest

    @property
    def corpus(self) -> pd.DataFrame:
        if not isinstance(self._corpus, pd.DataFrame):
            self._corpus = pd.read_parquet(self._corpus, engine="pyarrow")
        return self._corpus

    @property
    def removed(self) -> pd.DataFrame:
        if not isinstance(self._removed, pd.DataFrame):
            self._removed = pd.read_parquet(self._removed, engine="pyarrow")
        return self._removed

    def summary(self) -> str:
        """The human-readable summary printed by the CLI."""
        c = self.manifest["counts"]
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(c["rejected_by_reason"].items())) or "none"
        used = Counter(str(i.get("reader")) for i in self.manifest["inputs"] if i.get("reader"))
        readers_used = ", ".join(f"{k} {v}" for k, v in sorted(used.items())) or "none"
        return "\n".join(
            [
                f"files: {c['files']} read ({c['files_skipped']} skipped, listed in the manifest with reasons); "
                f"read as: {readers_used}",
                f"rows: {c['rows']} (articles {c['articles']} + rejected {c['rejected_rows']})",
                f"rejected: {c['rejected']} ({reasons})",
                f"duplicates: {c['duplicates_exact']} exact, {c['duplicates_near']} near "
                f"(threshold {self.manifest['options']['near_threshold']})",
                f"dates missing: {c['dates_missing']} of {c['articles']} articles (kept as null; "
                f"{c['dates_unreadable']} unreadable, raw value in published_raw); day/month order "
                f"{self.manifest['dates']['order']} ({self.manifest['dates']['source']})",
                f"bytes repaired: {c['bytes_repaired']}",
                f"boilerplate spans removed: {c['removed_spans']}",
            ]
        )


# ---------------------------------------------------------------------------------------------------------------
# Finding and reading files
# ---------------------------------------------------------------------------------------------------------------


def find_input_files(
    inputs: Sequence[str | os.PathLike], *, exclude: Sequence[str | os.PathLike] = ()
) -> tuple[list[str], list[dict]]:
    """The files to read under ``inputs`` and the skipped ones with their reasons (see
    :func:`analysis.sources.find_input_files`)."""
    return sources.find_input_files(inputs, exclude=exclude)


def _progress(parts: Iterator[Cleaned], enabled: bool | None) -> Iterator[Cleaned]:
    """``parts`` as they come, with a bar counting articles (on an interactive terminal when ``enabled`` is None)."""
    if enabled is False:
        yield from parts
        return
    from tqdm.auto import tqdm

    with tqdm(
        desc="ingest", unit="article", file=sys.stderr, disable=None if enabled is None else not enabled, leave=False
    ) as bar:
        for part in parts:
            bar.update(part.n_records)
            yield part


def ingest_files(
    inputs: Sequence[str | os.PathLike],
    *,
    options: IngestOptions | None = None,
    exclude: Sequence[str | os.PathLike] = (),
    jobs: int = 1,
    scheduler: str | None = None,
) -> IngestResult:
    """Read, clean and deduplicate the articles under ``inputs`` into memory; nothing is kept on disk (see
    :func:`ingest`, which streams the corpus to a file instead).

    ``exclude``: files never to read (the run's own outputs, when ``--out`` is inside an input folder)."""
    with tempfile.TemporaryDirectory(prefix="analysis-ingest-") as tmp:
        targets = {k: Path(tmp) / f"{k}.parquet" for k in ("articles", "rejects", "removed_spans")}
        rejects, manifest = _ingest_to(
            inputs, targets, options or IngestOptions(), exclude=exclude, jobs=jobs, scheduler=scheduler
        )
        corpus = pd.read_parquet(targets["articles"], engine="pyarrow")
        removed = pd.read_parquet(targets["removed_spans"], engine="pyarrow")
    return IngestResult(corpus, rejects, removed, manifest)


def _map_partitions(parts: Iterator[Partition], opts: IngestOptions, *, jobs: int, scheduler) -> Iterator[Cleaned]:
    """``clean_partition`` of every partition, in order: here, in ``jobs`` forked processes, or on Dask."""
    items = ((part, opts) for part in parts)
    if scheduler is not None:
        from analysis import cluster

        with cluster.Cluster(scheduler) as dask:
            dask.announce()
            yield from dask.map(clean_partition, items)
    elif jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from analysis.cluster import map_ordered

        # fork: the workers start with the modules and compiled rules the parent has already loaded. They are
        # forked now, before the first file is read (the pool starts every worker at its first task), so they do
        # not inherit the pages of a big table the client is about to hold.
        # The language model too (py3langid's, about 0.9 s of CPU to decompress and load): loaded once here, every
        # worker shares it, instead of each loading it at its first partition.
        langid._identifier()
        gc.freeze()  # the objects loaded so far stay out of the workers' garbage collections: no copy-on-write
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            pool.submit(load_resources, opts).result()
            yield from map_ordered(lambda item: pool.submit(clean_partition, item), items, limit=2 * jobs)
    else:
        for item in items:
            yield clean_partition(item)


def _ingest_to(
    inputs: Sequence[str | os.PathLike],
    targets: dict[str, Path],
    opts: IngestOptions,
    *,
    exclude: Sequence[str | os.PathLike],
    jobs: int,
    scheduler,
) -> tuple[pd.DataFrame, dict]:
    """Ingest ``inputs`` into the ``targets`` files (articles, rejects, removed_spans); (rejects, manifest)."""
    order_option = dates.check_order(opts.date_order)
    rules, finder = load_resources(opts)  # a bad rule file fails here, before any work
    if opts.format is not None and opts.format not in readers.FORMATS:
        raise InputError(f"format {opts.format!r} is not known: use one of {', '.join(sorted(readers.FORMATS))}")
    files, skipped = find_input_files(inputs, exclude=exclude)
    if not files:
        where = ", ".join(sources.display_path(i) for i in inputs)
        only = ", ".join(f"{Path(s['path']).name} ({s['reason']})" for s in skipped[:10])
        raise InputError(
            f"no article files in {where}{' (only ' + only + ')' if skipped else ''}: "
            "run `make data` to fetch the default corpus (FA-KES) or put .txt/.html/.csv/.tsv/.jsonl "
            "files there"
        )
    wopts = dataclasses.replace(opts, date_order=order_option, progress=None)
    file_info: list[dict | None] = [None] * len(files)
    client = Cleaned()  # the rejects of the table files read here

    def partitions() -> Iterator[Partition]:
        group: list[tuple[int, str]] = []
        for index, path in enumerate(files):
            if not is_table_file(path, wopts):
                group.append((index, path))
                if len(group) >= PARTITION_FILES:
                    yield Partition(files=group)
                    group = []
                continue
            if group:
                yield Partition(files=group)
                group = []
            # the file streams: its rows are read a partition at a time, and partitions hold PARTITION_ROWS
            # records each (rows rejected while reading do not count), as when the whole file was read first
            file_info[index], batches = read_file_batches(path, wopts, client, PARTITION_ROWS)
            pending: list = []
            for recs in batches:
                pending += recs
                while len(pending) >= PARTITION_ROWS:
                    yield Partition(records=pending[:PARTITION_ROWS])
                    pending = pending[PARTITION_ROWS:]
            if pending:
                yield Partition(records=pending)
        if group:
            yield Partition(files=group)

    evidence = dict.fromkeys(dates.EVIDENCE_KEYS, 0)
    problems: dict[str, list] = {o: [] for o in wopts.orders()}
    rejects: list[tuple] = []
    n_records = 0
    work = Path(targets["articles"]).parent
    rows_spool, removed_spool = RowSpool(work), RowSpool(work)
    keys = RunKeys(wopts.orders(), work)
    try:
        results = _map_partitions(partitions(), wopts, jobs=jobs, scheduler=scheduler)
        for part in _progress(results, opts.progress):
            for index, info in part.files:
                file_info[index] = info
            rejects += part.rejects
            n_records += part.n_records + part.row_rejects
            for k in evidence:
                evidence[k] += part.evidence[k]
            for o, found in part.problems.items():
                problems[o] += found
            if part.rows:
                keys.add(part)
                rows_spool.append(part.rows)
                removed_spool.append(part.removed)
        rejects += client.rejects
        n_records += client.row_rejects
        order_info = dates.choose_date_order(evidence, order=order_option)
        date_problems = problems[order_info["order"]]
        stats = write_outputs(targets, keys, rows_spool, removed_spool, order_info["order"], opts)
    finally:
        keys.close()
        rows_spool.close()
        removed_spool.close()
    rejects_df = pd.DataFrame(
        [(sources.display_path(p), r, reason, detail) for p, r, reason, detail in rejects], columns=REJECT_COLUMNS
    )
    rejects_df["row"] = rejects_df["row"].astype("Int64")
    rejects_df = rejects_df.sort_values(["path", "row", "reason"], na_position="first", kind="stable")
    rejects_df = rejects_df.reset_index(drop=True)
    save_table(rejects_df, targets["rejects"])
    manifest = _manifest(stats, rejects_df, file_info, skipped, opts, rules, finder, n_records)
    manifest["dates"] = _date_report(order_info, date_problems)
    manifest["counts"]["dates_unreadable"] = len(date_problems)
    _warn_dates(stats["meta"], order_info, date_problems)
    return rejects_df, manifest


def _date_report(order_info: dict, problems: list) -> dict:
    """The manifest's record of how dates were read: the day/month order and why, and every unreadable value."""
    return {
        **order_info,
        "range": [str(dates.DATE_MIN.date()), str(dates.DATE_MAX.date())],
        "unreadable": [
            {"path": p, "row": r, "raw": raw[:200], "problem": problem}
            for p, r, raw, problem in sorted(problems, key=str)
        ],
    }


def _warn_dates(meta: pd.DataFrame, order_info: dict | None = None, problems: Sequence = ()) -> None:
    """Warn about unreadable and missing dates; ``meta``: per article ``source_path``, ``row_na`` (one article per
    file) and ``missing`` (no date)."""
    by_file: dict[str, list] = {}
    for path, _row, raw, problem in problems:
        by_file.setdefault(path, []).append((raw, problem))
    for path, items in sorted(by_file.items()):
        raw, problem = items[0]
        log.warning(
            "%s: %d date value(s) could not be read (e.g. %r: %s); kept as null, the raw value is in published_raw",
            path,
            len(items),
            raw[:60],
            problem.replace("_", " "),
        )
    if order_info and order_info["source"] != "option":
        if order_info["day_first_only"] and order_info["month_first_only"]:
            log.warning(
                "numeric dates disagree on day/month order (%d only day-first, %d only month-first): ambiguous "
                "ones are read %s; set --date-order if that is wrong",
                order_info["day_first_only"],
                order_info["month_first_only"],
                order_info["order"],
            )
        elif order_info["ambiguous"] and order_info["source"].startswith("default"):
            log.warning(
                "%d numeric date(s) such as 4/5/2017 could be day- or month-first and none shows which: read %s "
                "(set --date-order dmy or mdy to decide)",
                order_info["ambiguous"],
                order_info["order"],
            )
    missing = meta[meta["missing"] & ~meta["source_path"].isin(list(by_file))]
    for path, group in missing.groupby(missing["source_path"].astype(str), sort=True):
        if group["row_na"].all():
            log.warning("%s: no publication date found (kept as null)", path)
        else:
            total = int((meta["source_path"] == path).sum())
            log.warning("%s: %d of %d rows have no parsable date (kept as null)", path, len(group), total)


def _manifest(stats, rejects, file_info, skipped, opts, rules, finder, n_rows) -> dict:
    from analysis import provenance

    by_reason = Counter(rejects["reason"])
    per_file_articles = stats["per_file"]
    per_file_rejects = Counter(rejects["path"])
    inputs = [
        {**f, "articles": per_file_articles.get(f["path"], 0), "rejected": per_file_rejects.get(f["path"], 0)}
        for f in file_info
    ]
    kinds = stats["kinds"]
    skipped_by_reason = Counter(s["reason"] for s in skipped)
    return {
        "command": "ingest",
        "options": {
            "near_threshold": opts.near_threshold,
            "dedup": opts.dedup,
            "outlet": opts.outlet,
            "columns": opts.columns(),
            "boilerplate": opts.boilerplate,
            "agencies": opts.agencies,
            "format": opts.format,
            "max_file_mb": opts.max_file_mb,
            "date_order": opts.date_order,
        },
        "rules_version": rules.version,
        "agencies_version": finder.version,
        "resource_versions": langid.RESOURCE_VERSIONS(),
        "inputs": inputs,
        "skipped": skipped,
        "counts": {
            "files": len(file_info),
            "files_skipped": len(skipped),
            "skipped_by_reason": dict(sorted(skipped_by_reason.items())),
            "rows": n_rows,
            "articles": stats["articles"],
            "rejected": len(rejects),
            "rejected_rows": n_rows - stats["articles"],
            "rejected_by_reason": dict(sorted(by_reason.items())),
            "duplicates_exact": int(kinds.get("exact", 0)),
            "duplicates_near": int(kinds.get("near", 0)),
            "dates_missing": stats["dates_missing"],
            "bytes_repaired": stats["bytes_repaired"],
            "removed_spans": stats["removed_spans"],
        },
        "corpus_fingerprint": stats["fingerprint"],
        "package_versions": provenance.package_versions(
            (
                "analysis",
                "pandas",
                "pyarrow",
                "trafilatura",
                "datasketch",
                "dateparser",
                "py3langid",
                "python-docx",
                "striprtf",
                "pypdf",
            )
        ),
    }


def output_paths(out: str | os.PathLike) -> dict[str, Path]:
    """Where ingest writes, beside ``out``: articles, rejects, removed spans and the manifest."""
    out = Path(out)
    return {
        "articles": out,
        "rejects": out.parent / config.REJECTS_FILE.name,
        "removed_spans": out.parent / config.REMOVED_FILE.name,
        "manifest": out.parent / MANIFEST_NAME,
    }


def ingest(
    inputs: Sequence[str | os.PathLike],
    out: str | os.PathLike = config.CORPUS_FILE,
    *,
    options: IngestOptions | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    load: bool = True,
) -> IngestResult:
    """Ingest ``inputs`` and write the corpus to ``out`` plus rejects, removed spans and a manifest beside it.

    ``out`` is checked before any work. The four files are written as one set (:class:`analysis.outputs.OutputSet`):
    an interrupted run leaves the previous set as it was, or, if killed while switching, a set that readers refuse.
    The same inputs give byte-identical tables, with any ``jobs`` (worker processes here) or ``scheduler`` (a Dask
    cluster: ``local[:N]``, ``tcp://host:port``, ``slurm:FILE.yaml``). ``load=False`` leaves the corpus and removed
    spans on disk until the result's ``corpus`` / ``removed`` is read (what the command line does: flat memory).
    """
    if storage.is_remote(out) or any(storage.is_remote(p) for p in inputs):
        return _ingest_remote(inputs, str(out), options=options, jobs=jobs, scheduler=scheduler, load=load)
    out = Path(out)
    if out.suffix != ".parquet":
        raise InputError(f"--out {out} must end in .parquet (e.g. data/interim/articles.parquet)")
    if int(jobs) < 1:
        raise ParameterError(f"jobs {jobs} must be 1 or more (e.g. --jobs 2)")
    if scheduler is not None and int(jobs) > 1:
        raise ParameterError("--jobs and --scheduler exclude each other: the Dask workers are the parallelism")
    if scheduler is not None:
        from analysis.cluster import parse_scheduler

        scheduler = parse_scheduler(scheduler)  # a bad address fails before any work
    paths = output_paths(out)
    names = {k: outputs.check_name(p.name) for k, p in paths.items()}
    with outputs.OutputSet(out.parent, OUTPUT_SET) as staged:
        own = [*paths.values(), outputs.marker_path(out.parent, OUTPUT_SET), staged.ledger_path]
        targets = {k: staged.path(names[k]) for k in ("articles", "rejects", "removed_spans")}
        rejects, manifest = _ingest_to(
            inputs, targets, options or IngestOptions(), exclude=own, jobs=int(jobs), scheduler=scheduler
        )
        if scheduler is not None:
            manifest["scheduler"] = scheduler.describe()
        manifest["outputs"] = dict(names)
        save_json(manifest, staged.path(names["manifest"]))
        staged.commit(last=names["manifest"], remove_obsolete=False)
    result = IngestResult(paths["articles"], rejects, paths["removed_spans"], manifest)
    if load:
        result.corpus, result.removed  # noqa: B018 - read now: a later run may replace the files
    return result


def _file_name(out: str | os.PathLike) -> str:
    """The last part of a path or URL (``s3://b/interim/articles.parquet`` -> ``articles.parquet``)."""
    return str(out).rstrip("/").rsplit("/", 1)[-1]


def _ingest_remote(inputs, out: str, *, options, jobs, scheduler, load: bool) -> IngestResult:
    """:func:`ingest` with fsspec URLs (``s3://``, ``gs://``, ``memory://``) among the inputs or as ``out``.

    Remote inputs are copied into one local folder, each under its own name, and ingested from there with paths
    relative to it, so a source path reads ``raw/a.txt`` wherever the copy was made (the same corpus bytes on
    every machine). The four outputs are built locally and uploaded when the run succeeds, the manifest last: a
    reader of the remote folder never sees a manifest beside missing tables. The Dask workers of ``scheduler``
    read the local copy, so use a cluster on this machine (``local:N``) or a shared filesystem path instead.
    """
    name = _file_name(out)
    if not name.endswith(".parquet"):
        raise InputError(f"--out {out} must end in .parquet (e.g. s3://bucket/interim/articles.parquet)")
    parent = out.rstrip("/")[: -len(name)].rstrip("/") or "."
    remote_inputs = any(storage.is_remote(p) for p in inputs)
    with contextlib.ExitStack() as stack:
        built = stack.enter_context(storage.staged_output(parent, last=MANIFEST_NAME)).resolve()
        copies = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="analysis-inputs-")))
        names = []
        for p in inputs:
            if storage.is_remote(p):
                with storage.staged_input(p) as staged:  # copied into `copies` under its own name
                    target = copies / staged.name
                    if target.exists():
                        raise InputError(f"two remote inputs are both called {staged.name!r}: rename one")
                    os.replace(staged, target)
                names.append(staged.name)
            else:  # with remote inputs the run reads from the copies' folder: local inputs need absolute paths
                names.append(str(Path(p).resolve()) if remote_inputs else p)
        if remote_inputs:
            stack.enter_context(contextlib.chdir(copies))
        result = ingest(names, built / name, options=options, jobs=jobs, scheduler=scheduler, load=load)
    paths = {k: storage.join(parent, p.name) for k, p in output_paths(Path(name)).items()}
    if not load:
        result = IngestResult(paths["articles"], result.rejects, paths["removed_spans"], result.manifest)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------


def register_cli(subparsers) -> None:
    """Add the ``ingest`` command."""
    p = subparsers.add_parser(
        "ingest",
        help="raw article files -> canonical corpus (parquet)",
        description="Read .txt/.html/.csv/.tsv/.jsonl files (optionally .gz; folders are walked recursively), "
        "clean boilerplate, detect agencies, dates and duplicates, and write the corpus table plus "
        "rejects.parquet, removed_spans.parquet and ingest_manifest.json beside it.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (e.g. data/raw)")
    p.add_argument("--out", default=str(config.CORPUS_FILE), help="corpus file (default: %(default)s)")
    g = p.add_argument_group("columns of CSV/TSV/JSONL files (detected by name when not given)")
    g.add_argument("--text-column", help="article text (default: text/content/body/article_content ...)")
    g.add_argument("--title-column", help="title (default: title/headline/article_title)")
    g.add_argument("--date-column", help="publication date (default: date/published/pubdate ...)")
    g.add_argument("--outlet-column", help="outlet (default: outlet/source/publisher/site)")
    g.add_argument("--id-column", help="the source's article id (default: id/unit_id/article_id)")
    g.add_argument("--url-column", help="url (default: url/link)")
    p.add_argument(
        "--format",
        choices=sorted(readers.FORMATS),
        help="read every input as this format (default: detected per file from its content, then its suffix; "
        "the reader used is recorded per file in the manifest)",
    )
    p.add_argument("--outlet", help="outlet for articles whose metadata names none")
    p.add_argument("--boilerplate", metavar="RULES.yaml", help="extra boilerplate rules added to the built-ins")
    p.add_argument("--agencies", metavar="AGENCIES.yaml", help="extra wire agencies / credit forms")
    p.add_argument(
        "--near-threshold",
        type=float,
        default=dedup_mod.DEFAULT_NEAR_THRESHOLD,
        help="estimated Jaccard similarity (word 3-shingles) above which an article is a "
        "near-duplicate (default: %(default)s)",
    )
    p.add_argument("--no-dedup", action="store_true", help="do not look for duplicates")
    p.add_argument(
        "--date-order",
        choices=dates.DATE_ORDERS,
        help="how to read numeric dates such as 4/5/2017: dmy (day first) or mdy (month first); default: decided "
        "once for the whole run from the dates only one order can read, else mdy (recorded in the manifest)",
    )
    p.add_argument(
        "--max-file-mb",
        type=float,
        default=sources.DEFAULT_MAX_FILE_MB,
        help="larger files (or .gz files expanding beyond it) are rejected, not read (default: %(default)s)",
    )

    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes that read and clean files (default 1); the outputs are identical",
    )
    add_scheduler_option(p, what="the outputs")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cli)


def _cli(args) -> int:
    opts = IngestOptions(
        text_column=args.text_column,
        title_column=args.title_column,
        date_column=args.date_column,
        outlet_column=args.outlet_column,
        id_column=args.id_column,
        url_column=args.url_column,
        outlet=args.outlet,
        boilerplate=args.boilerplate,
        agencies=args.agencies,
        dedup=not args.no_dedup,
        near_threshold=args.near_threshold,
        progress=False if args.no_progress else None,
        format=args.format,
        max_file_mb=args.max_file_mb,
        date_order=args.date_order,
    )
    if not args.max_file_mb > 0:
        raise InputError(f"--max-file-mb {args.max_file_mb} must be positive (e.g. 512)")
    if not 0 < args.near_threshold <= 1:
        raise InputError(f"--near-threshold {args.near_threshold} must be between 0 and 1 (e.g. 0.7)")
    result = ingest(args.inputs, args.out, options=opts, jobs=args.jobs, scheduler=args.scheduler, load=False)
    print(result.summary())
    paths = output_paths(Path(_file_name(args.out)))  # names only: a URL is no Path
    print(
        f"wrote {args.out} ({result.manifest['counts']['articles']} articles), {paths['rejects'].name}, "
        f"{paths['removed_spans'].name}, {paths['manifest'].name}"
    )
    return 0
