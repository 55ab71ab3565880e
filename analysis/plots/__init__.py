"""Figures: ``plot_*`` functions returning matplotlib Figures (no files written); one module per topic.

``style`` holds the one palette and the report style; the topic modules are imported on first use
(``analysis.plots.text`` works after a bare ``import analysis``).
"""

from __future__ import annotations

import importlib

_SUBMODULES = {"style", "coverage", "actors", "frames", "text"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
