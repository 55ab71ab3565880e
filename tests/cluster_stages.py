"""A stage for the cluster tests: it kills its worker process the first time it runs (the marker file records it).

Imported by Dask workers by name, so it is a module of its own on the workers' PYTHONPATH (tests/), not a test.
"""

from __future__ import annotations

import os
from pathlib import Path

from analysis.sentiment import analyze_chunk as _sentiment_chunk


def analyze_chunk(docs, sentences):
    marker = Path(os.environ["CLUSTER_TEST_MARKER"])
    if not marker.exists():
        marker.write_text("killed once")
        os._exit(1)  # the worker dies mid-partition; Dask must run the partition again elsewhere
    return _sentiment_chunk(docs, sentences)
