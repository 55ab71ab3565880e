"""The process context that `analyze --jobs` forks its workers from; light (imports neither pandas nor the stages).

Where the platform has it, a forkserver that imports the stage modules and loads their resources once
(:mod:`analysis.preload`): each worker is then forked from it ready, instead of importing NLTK, pandas and the
stages anew (about 1.5 s of CPU per spawned worker). Elsewhere, spawn. Neither copies the parent process (its
threads, open files), unlike a plain fork.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable

# analysis.preload_gc, first: the garbage collector paused while the server preloads; analysis.lean_nltk: NLTK
# without SciPy and scikit-learn, which the stages do not use (1.4 s of CPU before any worker starts);
# analysis.preload, last: it runs a written article through the default stages, so their modules are imported and
# their resources loaded there once, and shared by every forked worker
_FIRST, _LAST = ("analysis.preload_gc", "analysis.lean_nltk", "analysis.streaming"), "analysis.preload"


def worker_context(specs: Iterable[str] = ()) -> multiprocessing.context.BaseContext:
    """The context of the worker processes for the stages ``specs`` ("module:function"): forkserver or spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    modules = [*_FIRST, *(spec.partition(":")[0] for spec in specs), _LAST]
    ctx.set_forkserver_preload(list(dict.fromkeys(modules)))
    return ctx


def early_jobs(argv: list[str]) -> int:
    """The worker count that the words after ``analyze`` ask for, when a forkserver is worth starting early for
    them; 1 otherwise (no ``--jobs``, a value that is not a number, or a Dask ``--scheduler``)."""
    jobs = 1
    for i, word in enumerate(argv):  # the last --jobs wins, as in argparse
        if word == "--jobs" or word.startswith("--jobs="):
            value = argv[i + 1] if word == "--jobs" and i + 1 < len(argv) else word.removeprefix("--jobs=")
            try:
                jobs = int(value)
            except ValueError:
                return 1
    if any(w == "--scheduler" or w.startswith("--scheduler=") for w in argv):
        return 1
    return jobs


def start_early(argv: list[str]) -> None:
    """Start the forkserver of ``analyze --jobs N`` (N > 1; ``argv``: the words after ``analyze``) now, before this
    process imports pandas and the command modules (about 0.5 s).

    Its preload (imports and warm-up, about 2.3 s of CPU) then runs on the other core beside those imports instead
    of after them, and the run's worker pool forks from this server (the forkserver is one per process). For any
    other command line nothing is started: the run starts the server when it makes its pool, and reports any bad
    option itself.
    """
    if early_jobs(argv) < 2 or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    worker_context()
    forkserver.ensure_running()
