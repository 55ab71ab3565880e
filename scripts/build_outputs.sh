#!/usr/bin/env bash
# Rebuild every FA-KES output into OUT (ingest -> analyze -> report all), for scripts/compare_outputs.py:
#   bash scripts/build_outputs.sh OUT [RAW_DIR]
# RAW_DIR (default data/raw) is given to ingest as a relative path from its parent's parent, as `make ingest` does,
# so that source_path in the corpus matches a baseline built with `make`.
set -euo pipefail
out=$(realpath -m "${1:?usage: build_outputs.sh OUT [RAW_DIR]}")
raw=${2:-data/raw}
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python}
mkdir -p "$out"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
(cd "$(realpath "$raw")/../.." && nice "$py" -m analysis ingest "data/raw" --out "$out/articles.parquet")
nice "$py" -m analysis analyze "$out/articles.parquet" --out "$out/analysis" --no-progress
nice "$py" -m analysis report all --corpus "$out/articles.parquet" --analysis "$out/analysis" --out "$out/reports" \
  --no-progress
