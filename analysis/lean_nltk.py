"""NLTK imported without SciPy and scikit-learn, for the processes that only run the analysis stages.

``import nltk`` (which any ``nltk.*`` import runs first) imports ``scipy.stats`` and scikit-learn for a few
optional features (Fisher's exact test in ``nltk.metrics.association``, ``SklearnClassifier``, Gale-Church
alignment, the transition parser): about 1.4 s of CPU per process, more than a tenth of what the forkserver of
``analyze --jobs`` spends before any worker can start. NLTK guards each of those imports with ``except
ImportError``; the stages use none of those features (Punkt, the Treebank tokenizer, the Porter stemmer and VADER's
constants need neither package). :func:`import_nltk` makes the two packages unimportable only while NLTK itself is
imported, then importable again, so a later ``import scipy`` in the same process works as usual; only those NLTK
features stay off in that process.

Importing this module does it (the forkserver of analysis.streaming can only import modules): it is imported by the
processes that exist to run `analyze` (its command line and that forkserver), never by the library itself, so NLTK
in a notebook is complete.
"""

from __future__ import annotations

import sys

SKIPPED = ("scipy", "sklearn")


def import_nltk() -> None:
    """Import NLTK with SciPy and scikit-learn blocked (if neither NLTK nor they are imported yet)."""
    if "nltk" in sys.modules:
        return
    blocked = [name for name in SKIPPED if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # `import name` raises ImportError, which NLTK catches
    try:
        import nltk  # noqa: F401
    except ImportError:  # an NLTK release that needs them after all: import it as usual
        for name in [m for m in sys.modules if m == "nltk" or m.startswith("nltk.")]:
            del sys.modules[name]
        for name in blocked:
            del sys.modules[name]
        blocked = []
        import nltk  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


import_nltk()
