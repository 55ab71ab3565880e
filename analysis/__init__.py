"""Analysis of news coverage of armed conflict: ingest, text statistics, actors, framing and reports.

Interactive use::

    import analysis
    corpus = analysis.corpus.load_corpus("data/interim/articles.parquet")

Submodules are imported lazily so that ``import analysis`` stays cheap.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Every documented module, imported on first use (`analysis.periods`, `analysis.plots.text`, ...).
_SUBMODULES = {
    "config",
    "errors",
    "tables",
    "periods",
    "provenance",
    "resources",
    "corpus",
    "selection",
    "datasets",
    "readers",
    "clean",
    "dedup",
    "ingest",
    "text",
    "frequency",
    "concordance",
    "sentiment",
    "target_sentiment",
    "gold",
    "actors",
    "frames",
    "codesheets",
    "validation",
    "timeseries",
    "stages",
    "streaming",
    "results",
    "pipeline",
    "plots",
    "catalogue",
    "notebook",
    "htmltable",
    "explore",
    "browser",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
