"""Imported first by the forkserver of `analyze --jobs`: the cyclic garbage collector paused while it preloads.

The preload (imports, then the resources of every stage: dictionaries, automata, codebook, models) allocates a few
hundred thousand objects that live as long as the process, and collecting while they pile up only walks them again
and again: with the collector paused the forkserver's preload took 1.3 instead of 1.6 s of CPU (before any worker
can start). :mod:`analysis.preload`, imported last, moves them to the collector's permanent generation
(``gc.freeze``), so the workers forked from the server never walk them either, and each worker turns the collector
back on as it starts (``analysis.streaming._init_worker``): Python's recipe for a server that forks.
"""

from __future__ import annotations

import gc

gc.disable()
