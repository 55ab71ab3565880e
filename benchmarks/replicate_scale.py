"""A table-scale stand-in for a bigger run: a corpus and its analysis copied K times with new doc ids.

    .venv/bin/python benchmarks/bench_scale.py --articles 100000 --keep /tmp/s100k --steps ingest,analyze
    .venv/bin/python benchmarks/replicate_scale.py /tmp/s100k /tmp/s1m 10
    .venv/bin/python benchmarks/bench_scale.py --articles 1000000 --keep /tmp/s1m --steps reports

Every table with a ``doc_id`` (and the corpus's ``duplicate_of``) is written K times, row group by row group, the ids
suffixed ``-00`` ... ``-K-1``; the manifest's counts are multiplied, and its corpus fingerprint and file sha256 are
computed for the new corpus, so the reports find it "computed on this corpus". Not an ``analyze`` run: the vocabulary
and the actors are those of the source run, so it measures the report path's cost in rows, not in distinct values.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def copy_table(source: Path, dest: Path, copies: int) -> int:
    """``source`` written ``copies`` times to ``dest`` with suffixed ids; the rows written."""
    pf = pq.ParquetFile(source)
    size = max(pf.metadata.row_group(0).num_rows, 1) if pf.num_row_groups else 1
    with pq.ParquetWriter(dest, pf.schema_arrow, compression="zstd") as writer:
        for k in range(copies):
            for i in range(pf.num_row_groups):
                table = pf.read_row_group(i)
                for name in ("doc_id", "duplicate_of"):
                    if name in table.column_names:
                        col = table.column(name)
                        suffix, empty = pa.scalar(f"-{k:02d}", col.type), pa.scalar("", col.type)
                        new = pc.binary_join_element_wise(col, suffix, empty).cast(col.type)
                        table = table.set_column(table.column_names.index(name), name, new)
                writer.write_table(table, row_group_size=size)
    return pf.metadata.num_rows * copies


def main(argv: list[str] | None = None) -> None:
    from analysis.provenance import FINGERPRINT_VERSION, file_sha256
    from analysis.streaming import fingerprint_corpus_file

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or not args[2].isdigit() or int(args[2]) < 1:
        sys.exit(
            "usage: replicate_scale.py SOURCE_DIR DEST_DIR COPIES (SOURCE_DIR holds articles.parquet and analysis/)"
        )
    source, dest, copies = Path(args[0]), Path(args[1]), int(args[2])
    (dest / "analysis").mkdir(parents=True, exist_ok=True)
    corpus = dest / "articles.parquet"
    print(f"articles.parquet: {copy_table(source / 'articles.parquet', corpus, copies):,} rows", flush=True)
    for path in sorted((source / "analysis").glob("*.parquet")):
        print(f"{path.name}: {copy_table(path, dest / 'analysis' / path.name, copies):,} rows", flush=True)
    manifest = json.loads((source / "analysis" / "manifest.json").read_text(encoding="utf-8"))
    record = manifest["corpus"]
    record.update(
        path=str(corpus),
        n_articles=record["n_articles"] * copies,
        n_selected=record["n_selected"] * copies,
        sha256=file_sha256(corpus),
        fingerprint=fingerprint_corpus_file(corpus),
        fingerprint_version=FINGERPRINT_VERSION,
    )
    for table in manifest["tables"].values():
        table["rows"] *= copies
    (dest / "analysis" / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (dest / "raw").mkdir(exist_ok=True)  # bench_scale builds a corpus when raw/ is empty: point it at the source's
    for csv in sorted((source / "raw").glob("*.csv")):
        link = dest / "raw" / csv.name
        if not link.exists():
            link.symlink_to(csv.resolve())


if __name__ == "__main__":
    main()
