"""analysis.lean_nltk: NLTK imported without SciPy and scikit-learn, complete for what the stages use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_nltk_comes_without_scipy_and_sklearn_and_they_import_afterwards():
    got = _run(
        "import json, sys\n"
        "import analysis.lean_nltk\n"
        "from analysis.text import split_sentences\n"
        "from nltk.stem.porter import PorterStemmer\n"
        "before = {m: m in sys.modules for m in ('nltk', 'scipy', 'sklearn')}\n"
        "text = 'Lt. Gen. Smith arrived at 3 p.m. on Monday. The talks failed.'\n"
        "spans = [text[s:e] for s, e in split_sentences(text)]\n"
        "import scipy.stats\n"
        "print(json.dumps({'before': before, 'spans': spans, 'stem': PorterStemmer().stem('shelling'),\n"
        "                  'scipy': scipy.stats.chi2.sf(0.0, 1)}))\n"
    )
    assert got["before"] == {"nltk": True, "scipy": False, "sklearn": False}
    assert got["spans"] == ["Lt. Gen. Smith arrived at 3 p.m. on Monday.", "The talks failed."]
    assert got["stem"] == "shell"
    assert got["scipy"] == 1.0  # importable again once NLTK is in


def test_an_nltk_already_imported_is_left_as_it_is():
    got = _run(
        "import json, sys\n"
        "import nltk\n"
        "import analysis.lean_nltk\n"
        "print(json.dumps({m: m in sys.modules for m in ('scipy', 'sklearn')}))\n"
    )
    assert got == {"scipy": True, "sklearn": True}
