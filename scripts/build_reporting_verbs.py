"""Build analysis/resources/reporting_verbs.yaml: the reporting-verb and cue-phrase lexicon, from PolNeAR train.

    .venv/bin/python scripts/build_reporting_verbs.py [--min-cues 3] [--min-rate 0.05] [--out PATH]

Reads only the train part (840 articles) of ../shared/corpora/polnear. For every word of every gold Cue span
(auxiliaries and function words left out) it counts how often the word form is part of a Cue (``n_cue``) and how
often it occurs in the train texts at all (``n_seen``); the ratio is the form's cue rate. Forms are grouped into
lemmas (Porter stem plus a table of irregular verbs). A lemma is kept when its forms together were a cue at least
``--min-cues`` times with a cue rate of at least ``--min-rate``; a form is kept when it was a cue at least once.
``source_after`` is the share of the lemma's cues whose Source follows the cue ("…," said Clinton): lemmas with a
share of at least 0.05 are marked ``inverted``. Each form keeps its own count and cue rate (the rules choose forms by them). Multi-word cues that do not start with a kept verb ("according to",
"in an interview with") are kept as phrases with the same thresholds. Provenance (data commit, sha256 of every
file read, thresholds, library versions, date) is written into the file.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nltk.stem.porter import PorterStemmer  # noqa: E402

from analysis import config, provenance  # noqa: E402
from analysis.gold import polnear  # noqa: E402

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# auxiliaries, negation and function words inside cue spans ("has also said", "did not say"): not the cue's head
NOT_HEADS = frozenset(
    "a an the to of in on at for with by from as and or but that this it its is are was were be been being has have "
    "had do does did will would could should can may might must shall not n't never also just still even again "
    "already then now later earlier further previously repeatedly publicly privately recently often once first "
    "he she they we i you him her them his their our my your who which what when where how there here so".split()
)
IRREGULAR = {
    "said": "say",
    "says": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "thought": "think",
    "knew": "know",
    "known": "know",
    "saw": "see",
    "seen": "see",
    "found": "find",
    "felt": "feel",
    "spoke": "speak",
    "spoken": "speak",
    "heard": "hear",
    "made": "make",
    "gave": "give",
    "given": "give",
    "held": "hold",
    "took": "take",
    "taken": "take",
    "got": "get",
    "came": "come",
    "went": "go",
    "meant": "mean",
    "understood": "understand",
    "forgot": "forget",
    "forgotten": "forget",
    "swore": "swear",
    "sworn": "swear",
    "taught": "teach",
    "brought": "bring",
    "put": "put",
    "led": "lead",
    "left": "leave",
    "lost": "lose",
    "read": "read",
    "won": "win",
    "became": "become",
    "began": "begin",
    "begun": "begin",
    "shown": "show",
    "chose": "choose",
    "chosen": "choose",
    "bet": "bet",
    "foresaw": "foresee",
    "foreseen": "foresee",
}
PHRASE_MAX_WORDS = 5


def lemma_of(form: str, stemmer: PorterStemmer) -> str:
    """A lemma key for a word form (irregular table, else the Porter stem)."""
    return IRREGULAR.get(form) or stemmer.stem(form)


def _sha256_files(paths: list[Path]) -> dict[str, str]:
    return {str(p.relative_to(polnear.default_root())): provenance.file_sha256(p) for p in paths}


def build(min_cues: int, min_rate: float) -> dict:
    """Count cue forms on PolNeAR train and return the lexicon as a dict (the YAML's content)."""
    root = polnear.default_root()
    docs, gold = polnear.load_polnear("train", coder="first")
    text = dict(zip(docs["doc_id"], docs["text"]))
    stemmer = PorterStemmer()
    seen: Counter = Counter()
    for t in docs["text"]:
        seen.update(WORD.findall(t.lower()))
    n_cue: Counter = Counter()
    after: Counter = Counter()
    lemma_cues: Counter = Counter()
    phrases: Counter = Counter()
    for r in gold.itertuples(index=False):
        if r.cue_start < 0:
            continue
        cue = text[r.doc_id][r.cue_start : r.cue_end].lower()
        words = WORD.findall(cue)
        heads = [w for w in words if w not in NOT_HEADS]
        if not heads:
            if 1 < len(words) <= PHRASE_MAX_WORDS:
                phrases[" ".join(words)] += 1
            continue
        for w in set(heads):
            n_cue[w] += 1
        head = heads[0]
        lemma_cues[lemma_of(head, stemmer)] += 1
        if r.source_start >= 0 and r.source_start >= r.cue_end:
            after[lemma_of(head, stemmer)] += 1
        if words[0] != head and 1 < len(words) <= PHRASE_MAX_WORDS and words[0] in ("according", "in", "as"):
            phrases[" ".join(words)] += 1
        elif words[0] == "according":
            phrases[" ".join(words[:2])] += 1
    by_lemma: dict[str, list[str]] = defaultdict(list)
    for form in n_cue:
        by_lemma[lemma_of(form, stemmer)].append(form)
    verbs = []
    for lemma, forms in by_lemma.items():
        cues = sum(n_cue[f] for f in forms)
        seen_n = sum(seen[f] for f in forms)
        rate = cues / seen_n if seen_n else 0.0
        if cues < min_cues or rate < min_rate:
            continue
        forms = sorted((f for f in forms if n_cue[f] >= 2), key=lambda f: (-n_cue[f], f))
        verbs.append(
            {
                "lemma": lemma,
                "forms": {f: {"n_cue": n_cue[f], "n_seen": seen[f]} for f in forms},
                "n_cue": cues,
                "n_seen": seen_n,
                "cue_rate": round(rate, 3),
                "source_after": round(after[lemma] / lemma_cues[lemma], 3) if lemma_cues[lemma] else 0.0,
                "inverted": bool(lemma_cues[lemma] and after[lemma] / lemma_cues[lemma] >= 0.05),
            }
        )
    verbs.sort(key=lambda v: (-v["n_cue"], v["lemma"]))
    phrase_rows = []
    for phrase, n in sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0])):
        n_seen = sum(t.lower().count(phrase) for t in docs["text"])
        rate = n / n_seen if n_seen else 0.0
        if n >= min_cues and rate >= min_rate:
            phrase_rows.append({"phrase": phrase, "n_cue": n, "n_seen": n_seen, "cue_rate": round(rate, 3)})
    files = sorted((root / "data" / "train" / "text").glob("*.txt")) + sorted(
        (root / "data" / "train" / "attributions").glob("*.ann")
    )
    digest = hashlib.sha256()
    for path, sha in _sha256_files(files).items():
        digest.update(f"{path} {sha}\n".encode())
    commit = (root / "COMMIT").read_text().strip() if (root / "COMMIT").exists() else None
    return {
        "version": date.today().strftime("%Y.%m.%d"),
        "description": "Reporting verbs and cue phrases of news attribution, counted on PolNeAR train. "
        "Generated by scripts/build_reporting_verbs.py: edit the script or its thresholds, not this file.",
        "provenance": {
            "data": "PolNeAR (Newell, Margolin, Ruths 2018), part train, one coder per article",
            "upstream_commit": commit,
            "n_articles": int(len(docs)),
            "n_cues": int((gold["cue_start"] >= 0).sum()),
            "files_sha256": f"sha256 of the list of {len(files)} (path, sha256) lines: {digest.hexdigest()}",
            "min_cues": min_cues,
            "min_rate": min_rate,
            "built": date.today().isoformat(),
            "script": "scripts/build_reporting_verbs.py",
            "packages": {k: v for k, v in provenance.package_versions().items() if k in ("nltk", "pyyaml", "python")},
        },
        "verbs": verbs,
        "phrases": phrase_rows,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-cues", type=int, default=3, help="least number of gold cues per lemma")
    ap.add_argument("--min-rate", type=float, default=0.05, help="least share of a lemma's occurrences that are cues")
    ap.add_argument("--out", type=Path, default=config.resource("reporting_verbs.yaml"))
    args = ap.parse_args(argv)
    data = build(args.min_cues, args.min_rate)
    header = "# Generated by scripts/build_reporting_verbs.py from PolNeAR train; do not edit by hand.\n"
    args.out.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    print(f"{args.out}: {len(data['verbs'])} verbs, {len(data['phrases'])} phrases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
