# Conflict-news analysis. `make` alone lists the targets.
PY      := .venv/bin/python
RAW     := data/raw
CORPUS  := data/interim/articles.parquet
ANALYSIS:= data/processed/analysis
REPORTS := reports

.DEFAULT_GOAL := help
.PHONY: help all setup setup-dev lock data ingest analyze reports test bench clean

help: ## show this list of targets
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

all: setup data ingest analyze reports ## set up, fetch the default corpus, ingest, analyse and render all reports

setup: ## create .venv with the pinned dependencies (requirements.lock)
	@bash scripts/setup.sh

setup-dev: ## like setup, plus the test dependencies (requirements-dev.lock)
	@bash scripts/setup.sh --dev

lock: ## re-resolve requirements*.lock from requirements*.in (needs uv)
	uv pip compile requirements.in -o requirements.lock --python-version 3.11 -q
	uv pip compile requirements-dev.in -o requirements-dev.lock --python-version 3.11 -q

data: setup ## fetch FA-KES into data/raw (checksum-verified; local copy when offline)
	$(PY) -m analysis fetch-data

ingest: setup ## parse data/raw into the canonical corpus data/interim/articles.parquet
	$(PY) -m analysis ingest $(RAW) --out $(CORPUS)

analyze: setup ## per-article tables (sentiment, terms, actors, frames) into data/processed/analysis
	$(PY) -m analysis analyze $(CORPUS) --out $(ANALYSIS)

reports: setup ## render every report notebook to HTML and PDF under reports/
	$(PY) -m analysis report all --corpus $(CORPUS) --analysis $(ANALYSIS) --out $(REPORTS)

test: setup-dev ## set up, lint (ruff) and run the test suite
	.venv/bin/ruff check analysis tests benchmarks scripts
	.venv/bin/ruff format --check analysis tests benchmarks scripts
	$(PY) -m pytest -q

bench: setup-dev ## run the benchmarks (prints numbers; needs ../shared/corpora)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove generated data and reports (keeps data/raw)
	rm -rf data/interim/* data/processed/* $(REPORTS)/*/ $(REPORTS)/index.html
