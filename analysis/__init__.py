"""Analysis of news coverage of armed conflict: ingest, text statistics, actors, framing and reports.

Interactive use::

    import analysis
    corpus = analysis.corpus.load_corpus("data/interim/articles.parquet")

Submodules are imported lazily so that ``import analysis`` stays cheap.
"""

from __future__ import annotations

import importlib
import pkgutil

__version__ = "0.1.0"

# Every module of the package, imported on first use (`analysis.periods`, `analysis.storage`, ...): found on disk,
# so a new module is reachable without being listed here. `__main__` is the command line, never imported this way.
_SUBMODULES = {m.name for m in pkgutil.iter_modules(__path__)} - {"__main__"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
