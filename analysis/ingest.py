"""Ingest orchestration: raw article files -> readers (txt, html, csv, tsv, jsonl, docx, rtf, pdf, database
exports; optionally gzipped) -> cleaning and dedup -> the canonical corpus, manifest and rejects."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import clean, config, dates, langid, outputs, readers, sources
from analysis import dedup as dedup_mod
from analysis.corpus import (  # noqa: F401 - load_corpus: analysis.ingest.load_corpus
    EXTRA_COLUMNS,
    OUTPUT_SET,
    SCHEMA,
    load_corpus,
    require_complete_corpus,
)
from analysis.errors import InputError
from analysis.readers import Record
from analysis.tables import save_json, save_table

log = logging.getLogger(__name__)

REJECT_COLUMNS = ["path", "row", "reason", "detail"]
# Source columns that readers fill with whole numbers (the database's word count); every other one is a string.
INTEGER_SOURCE_COLUMNS = {"length_words"}
REMOVED_COLUMNS = ["doc_id", "rule", "text"]
MANIFEST_NAME = "ingest_manifest.json"


@dataclass
class IngestOptions:
    """Options of one ingest run (the CLI flags)."""

    text_column: str | None = None
    title_column: str | None = None
    date_column: str | None = None
    outlet_column: str | None = None
    id_column: str | None = None
    url_column: str | None = None
    outlet: str | None = None
    boilerplate: str | None = None
    agencies: str | None = None
    dedup: bool = True
    near_threshold: float = dedup_mod.DEFAULT_NEAR_THRESHOLD
    progress: bool | None = None  # None: a bar on an interactive terminal only
    format: str | None = None  # a key of readers.FORMATS: every file is read with it (None: detected per file)
    max_file_mb: float = sources.DEFAULT_MAX_FILE_MB  # per file, and what a .gz expands to
    date_order: str | None = None  # "dmy"/"mdy" for numeric dates; None: decided from the run's values

    def columns(self) -> dict[str, str]:
        return {
            k: v
            for k, v in {
                "text": self.text_column,
                "title": self.title_column,
                "published": self.date_column,
                "outlet": self.outlet_column,
                "source_id": self.id_column,
                "url": self.url_column,
            }.items()
            if v
        }


@dataclass
class IngestResult:
    """What an ingest run produced: the corpus, the rejects, the removed spans and the manifest."""

    corpus: pd.DataFrame
    rejects: pd.DataFrame
    removed: pd.DataFrame
    manifest: dict

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


# ---------------------------------------------------------------------------------------------------------------
# Records -> corpus rows
# ---------------------------------------------------------------------------------------------------------------


def make_doc_id(path: str, row: int | None, text: str) -> str:
    """Stable id: sha256 of the file's base name, the row and the raw text (same input -> same id anywhere)."""
    key = f"{sources.display_path(Path(path).name)}\x1f{'' if row is None else row}\x1f{text}"
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


def _column_name(name: str, taken) -> str:
    """A source column's name in the corpus: as is, unless it clashes with a corpus column or starts with ``_``
    (then ``src_NAME``); nothing is dropped."""
    name = str(name)
    cand = name if name.strip() and not name.startswith("_") else f"src_{name.strip() or 'column'}"
    while cand in taken:
        cand = f"src_{cand}"
    return cand


def _article(
    rec: Record,
    rules: clean.Rules,
    finder: clean.AgencyFinder,
    opts: IngestOptions,
    *,
    order: str = dates.DEFAULT_DATE_ORDER,
    date_problems: list | None = None,
):
    result = clean.clean_text(rec.text, title=rec.title, rules=rules)
    if not result.text.strip():
        detail = "all text was removed as boilerplate" if result.removed else "the text is empty"
        return None, result.removed, ("empty_text", detail)
    published, date_source = None, None
    # a database reader hands on the date part it found and the whole date line as published_raw
    published_raw = rec.extras.pop("published_raw", None)
    if rec.published is not None:
        published_raw = str(rec.published) if published_raw is None else published_raw
        published, problem = dates.parse_date(rec.published, order=order)
        date_source = rec.date_source if published is not None else None
        if problem and date_problems is not None:
            date_problems.append((sources.display_path(rec.path), rec.row, published_raw, problem))
    if published is None and result.header_date:
        published = dates.parse_date(result.header_date, order=order)[0]
        date_source = "text" if published is not None else None
    if published is None and rec.row is None:
        published = dates.date_from_filename(rec.path)
        date_source = "filename" if published is not None else None
    agency, dateline = clean.find_agency(result.text, finder)
    if agency is None and result.header_credit:  # "... AFP Monday 3 Oct 2016" in a removed header
        agency = finder.alias_of.get(result.header_credit) or finder.alias_of.get(result.header_credit.upper())
    text = result.text
    row = {
        "doc_id": make_doc_id(rec.path, rec.row, rec.text),
        "outlet": rec.outlet or result.outlet or opts.outlet,
        "agency": rec.agency or agency,
        "url": rec.url,
        "published": published,
        "title": result.title,
        "text": text,
        "n_words": len(text.split()),
        "lang": langid.find_language(text),
        "source_path": sources.display_path(rec.path),
        "source_row": rec.row,
        "source_id": rec.source_id,
        "source_sha256": rec.sha256,
        "duplicate_of": None,
        "dup_similarity": None,
        "dup_kind": None,
        "date_source": date_source,
        "dateline": dateline,
        "bytes_repaired": rec.bytes_repaired,
        "published_raw": published_raw,
    }
    for k, v in rec.extras.items():
        row[_column_name(k, row)] = v
    return row, result.removed, None


def _progress(iterable, total: int, desc: str, enabled: bool | None):
    if enabled is False or total < 200:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit="article" if desc != "reading" else "file",
        file=sys.stderr,
        disable=None if enabled is None else not enabled,
        leave=False,
    )


def _read_file(path: str, opts: IngestOptions, rules: clean.Rules, rejects: list, info: dict) -> list[Record]:
    """The records of one file: its bytes read safely (regular files, size caps), its format detected, its reader."""
    kind, gz = readers.file_kind(path)
    raw, data = sources.read_source_bytes(path, gz=gz, max_mb=opts.max_file_mb)
    info["sha256"] = sha = hashlib.sha256(raw).hexdigest()
    sources.check_archive(data, max_mb=opts.max_file_mb)  # before format detection unpacks a .docx
    info["reader"] = fmt = opts.format or readers.find_format(path, data)
    if fmt is None:
        raise readers.FileRejected(
            "unsupported_type",
            f"type {('.' + kind) if kind else '(no extension)'} is not supported and the content is no "
            "known export: use .txt, .html/.htm, .csv, .tsv, .jsonl, .docx, .rtf, .pdf (optionally .gz), "
            "or name the format with --format",
        )
    ctx = readers.ReadContext(sha, rules, opts.columns(), rejects, fmt=fmt, kind=kind, max_file_mb=opts.max_file_mb)
    return readers.READERS[fmt](path, data, ctx)


def ingest_files(
    inputs: Sequence[str | os.PathLike],
    *,
    options: IngestOptions | None = None,
    exclude: Sequence[str | os.PathLike] = (),
) -> IngestResult:
    """Read, clean and deduplicate the articles under ``inputs``; nothing is written (see :func:`ingest`).

    ``exclude``: files never to read (the run's own outputs, when ``--out`` is inside an input folder)."""
    opts = options or IngestOptions()
    order_option = dates.check_order(opts.date_order)
    rules = clean.load_rules(opts.boilerplate) if opts.boilerplate else clean.default_rules()
    finder = clean.load_agencies(opts.agencies) if opts.agencies else clean.default_agencies()
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
    rejects: list[tuple] = []
    records: list[Record] = []
    file_info = []
    row_rejects = 0  # rows of a file rejected while reading (malformed rows, JSON lines, text types)
    for path in _progress(files, len(files), "reading", opts.progress):
        kind, gz = readers.file_kind(path)
        info = {
            "path": sources.display_path(path),
            "type": kind + (".gz" if gz else ""),
            "sha256": None,
            "rows": 0,
            "reader": None,
        }
        file_info.append(info)
        before = len(rejects)
        try:
            recs = _read_file(path, opts, rules, rejects, info)
        except readers.FileRejected as rej:
            del rejects[before:]  # a file rejected as a whole: its row rejects (if any) are not counted twice
            rejects.append((path, None, rej.reason, rej.detail))
            continue
        row_rejects += len(rejects) - before
        info["rows"] = len(recs) + (len(rejects) - before)
        records.extend(recs)

    order_info = dates.find_date_order((r.published for r in records if r.published is not None), order=order_option)
    rows, removed, date_problems = [], [], []
    seen_ids: dict[str, int] = {}
    for rec in _progress(records, len(records), "cleaning", opts.progress):
        row, spans, rej = _article(rec, rules, finder, opts, order=order_info["order"], date_problems=date_problems)
        rec.text = ""  # free the raw text early: large corpora
        if rej:
            rejects.append((rec.path, rec.row, rej[0], rej[1]))
            continue
        # two copies of one file (same name, same text) in different folders would share an id: files are read
        # in sorted order, so suffixing the later copies is deterministic
        n = seen_ids[row["doc_id"]] = seen_ids.get(row["doc_id"], 0) + 1
        if n > 1:
            row["doc_id"] = f"{row['doc_id']}-{n}"
        rows.append(row)
        removed.extend((row["doc_id"], rule, text) for rule, text in spans)
    corpus = _corpus_frame(rows)
    if opts.dedup and len(corpus):
        corpus = dedup_mod.mark_duplicates(corpus, near_threshold=opts.near_threshold)
    corpus = _order_columns(corpus)
    rejects = [(sources.display_path(p), r, reason, detail) for p, r, reason, detail in rejects]
    rejects_df = pd.DataFrame(rejects, columns=REJECT_COLUMNS)
    rejects_df["row"] = rejects_df["row"].astype("Int64")
    rejects_df = rejects_df.sort_values(["path", "row", "reason"], na_position="first", kind="stable")
    rejects_df = rejects_df.reset_index(drop=True)
    removed_df = pd.DataFrame(removed, columns=REMOVED_COLUMNS)
    manifest = _manifest(
        corpus, rejects_df, removed_df, file_info, skipped, opts, rules, finder, len(records) + row_rejects
    )
    manifest["dates"] = _date_report(order_info, date_problems)
    manifest["counts"]["dates_unreadable"] = len(date_problems)
    _warn_dates(corpus, order_info, date_problems)
    return IngestResult(corpus, rejects_df, removed_df, manifest)


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


def _corpus_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=None if rows else SCHEMA + EXTRA_COLUMNS)
    if df.empty:
        df = pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEMA + EXTRA_COLUMNS})
    df["published"] = pd.to_datetime(df["published"]).astype("datetime64[ns]")
    df["n_words"] = df["n_words"].astype("int64")
    df["source_row"] = df["source_row"].astype("Int64")
    df["bytes_repaired"] = df["bytes_repaired"].astype("int64")
    df["dup_similarity"] = df["dup_similarity"].astype("float64")
    return df.sort_values(["source_path", "source_row"], na_position="first", kind="stable").reset_index(drop=True)


def _order_columns(df: pd.DataFrame) -> pd.DataFrame:
    rest = sorted(c for c in df.columns if c not in SCHEMA and c not in EXTRA_COLUMNS)
    out = df[SCHEMA + EXTRA_COLUMNS + rest].copy()
    for c in [
        "doc_id",
        "outlet",
        "agency",
        "url",
        "title",
        "text",
        "lang",
        "source_path",
        "source_id",
        "source_sha256",
        "duplicate_of",
        "dup_kind",
        "date_source",
        "dateline",
    ] + rest:
        if c in INTEGER_SOURCE_COLUMNS:
            out[c] = pd.array([None if pd.isna(v) else int(v) for v in out[c]], dtype="Int64")
        else:
            out[c] = out[c].astype("string")  # a string column in parquet even when every value is null
    return out


def _warn_dates(corpus: pd.DataFrame, order_info: dict | None = None, problems: Sequence = ()) -> None:
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
    missing = corpus[corpus["published"].isna() & ~corpus["source_path"].isin(list(by_file))]
    for path, group in missing.groupby("source_path", sort=True):
        if group["source_row"].isna().all():
            log.warning("%s: no publication date found (kept as null)", path)
        else:
            total = int((corpus["source_path"] == path).sum())
            log.warning("%s: %d of %d rows have no parsable date (kept as null)", path, len(group), total)


def _manifest(corpus, rejects, removed, file_info, skipped, opts, rules, finder, n_rows) -> dict:
    from analysis import provenance

    by_reason = Counter(rejects["reason"])
    per_file_articles = Counter(corpus["source_path"])
    per_file_rejects = Counter(rejects["path"])
    inputs = [
        {**f, "articles": per_file_articles.get(f["path"], 0), "rejected": per_file_rejects.get(f["path"], 0)}
        for f in file_info
    ]
    kinds = Counter(corpus["dup_kind"].dropna()) if "dup_kind" in corpus else Counter()
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
            "articles": len(corpus),
            "rejected": len(rejects),
            "rejected_rows": n_rows - len(corpus),
            "rejected_by_reason": dict(sorted(by_reason.items())),
            "duplicates_exact": int(kinds.get("exact", 0)),
            "duplicates_near": int(kinds.get("near", 0)),
            "dates_missing": int(corpus["published"].isna().sum()),
            "bytes_repaired": int(corpus["bytes_repaired"].sum()) if len(corpus) else 0,
            "removed_spans": len(removed),
        },
        "corpus_fingerprint": provenance.fingerprint_corpus(corpus),
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
) -> IngestResult:
    """Ingest ``inputs`` and write the corpus to ``out`` plus rejects, removed spans and a manifest beside it.

    ``out`` is checked before any work. The four files are written as one set (:class:`analysis.outputs.OutputSet`):
    an interrupted run leaves the previous set as it was, or, if killed while switching, a set that readers refuse.
    The same inputs give byte-identical tables.
    """
    out = Path(out)
    if out.suffix != ".parquet":
        raise InputError(f"--out {out} must end in .parquet (e.g. data/interim/articles.parquet)")
    paths = output_paths(out)
    names = {k: outputs.check_name(p.name) for k, p in paths.items()}
    with outputs.OutputSet(out.parent, OUTPUT_SET) as staged:
        own = [*paths.values(), outputs.marker_path(out.parent, OUTPUT_SET), staged.ledger_path]
        result = ingest_files(inputs, options=options, exclude=own)
        save_table(result.corpus, staged.path(names["articles"]))
        save_table(result.rejects, staged.path(names["rejects"]))
        save_table(result.removed, staged.path(names["removed_spans"]))
        result.manifest["outputs"] = dict(names)
        save_json(result.manifest, staged.path(names["manifest"]))
        staged.commit(last=names["manifest"], remove_obsolete=False)
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
    result = ingest(args.inputs, args.out, options=opts)
    print(result.summary())
    paths = output_paths(args.out)
    print(
        f"wrote {paths['articles']} ({len(result.corpus)} articles), {paths['rejects'].name}, "
        f"{paths['removed_spans'].name}, {paths['manifest'].name}"
    )
    return 0
