"""Imported by the forkserver of `analyze --jobs`: one short written article through every stage, once.

The stages load their resources (dictionaries and their automata, the frame codebook and cue matchers, the VADER and
target-sentiment models, the stemmer's lexicon) on first use. Doing that here, in the forkserver, means every worker
forked from it starts with them loaded, instead of each worker loading them again on its first chunk (about 1.5 s of
CPU per worker). Only the built-in resources are loaded; a run with the user's own dictionaries loads those in each
worker as before. The warm-up article's tables are thrown away, and nothing of it reaches any output.
"""

from __future__ import annotations

import gc
import logging

import pandas as pd

from analysis.stages import STAGES, load_stages, process_chunk

_TEXT = (
    "DAMASCUS (Reuters) - The Syrian army said on Monday it had retaken the town of Palmyra from Islamic State "
    'fighters, after weeks of air strikes by Russian jets. "We will not stop until every village is free," a '
    "commander told state television. At least 12 civilians were killed, according to the Syrian Observatory for "
    "Human Rights, which said rebels had withdrawn to the east."
)


def _warm_stages() -> None:
    logging.disable(logging.WARNING)  # a skipped stage is reported by the run itself
    try:
        loaded, _ = load_stages(STAGES)
        docs = pd.DataFrame(
            {
                "doc_id": ["preload"],
                "outlet": ["preload"],
                "published": [pd.Timestamp("2017-03-02")],
                "lang": ["en"],
                "text": [_TEXT],
            }
        )
        process_chunk(docs, loaded, arrow=True)  # the workers' call (analysis.streaming._work)
    except Exception:  # noqa: BLE001 - a stage that fails here fails again in the first real chunk, with its error
        pass
    finally:
        logging.disable(logging.NOTSET)


_warm_stages()
# what the preload made lives as long as the server and its workers: out of the garbage collector's sight (the
# workers then spend half as much CPU in collections: 0.07 instead of 0.15 s on FA-KES twice); see preload_gc
gc.freeze()
