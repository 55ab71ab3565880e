"""Train the name tagger (a logistic classifier typing unlisted names) on re3d's tune part; store name_tagger.json.

    python scripts/train_name_tagger.py [--C 1.0] [--folds 5] [--out PATH]

Reads only the tune part of ../shared/corpora/re3d (39 documents; the 11 check documents of
``analysis.gold.re3d.CHECK_SHARE`` are never read). The examples are the unlisted names that the mention rules
find (``find_all_mentions`` with the tagger off), typed by the rules or not; each is labelled with the re3d type
(re3d's most confident type per span) of the gold span that overlaps it most, or ``none`` when no gold span of the
four types overlaps it. Features: ``analysis.actors.name_tagger.name_features``. scikit-learn's multinomial
logistic regression (L2, ``--C``, lbfgs) is fitted; its weights are rounded to 4 decimals and stored as JSON.

Cross-validation: ``--folds`` folds grouped by document (document n of the sorted ids in fold n mod folds). Each
fold's model, in the same JSON form, runs inside ``find_all_mentions`` on its held-out documents; the pooled
re3d scores of rules alone and rules + tagger (issue's lenient rule untyped, and span overlap with the type) are
stored for each drop threshold in THRESHOLDS, and the stored ``drop_threshold`` is the one with the best pooled
typed-overlap F1 whose lenient precision is not below the rules' own. The same command rebuilds the file byte for
byte (no dates; the data are named by sha256).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_entities  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from analysis import actors, config  # noqa: E402
from analysis.actors import mention_rules  # noqa: E402
from analysis.actors import name_tagger as nt  # noqa: E402
from analysis.gold import re3d  # noqa: E402
from analysis.tables import save_json  # noqa: E402

VERSION = "2026.12.1"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # least probability of "none" to drop a name (1.01: never drop)
TO_CLASS = {"Organisation": "organisation", "Person": "person", "Location": "place", "Nationality": "nationality"}


def find_examples(docs: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """The unlisted names of ``docs`` (rules, tagger off) with their features and gold class."""
    rules = mention_rules.load_mention_rules()
    gazetteer = nt.build_gazetteer(actors.default_dictionary())
    _, unlisted = mention_rules.find_all_mentions(docs[["doc_id", "text"]])
    unlisted = unlisted[unlisted["kind"] == "unlisted"]
    text = dict(zip(docs["doc_id"], docs["text"]))
    rows = []
    for r in unlisted.itertuples(index=False):
        g = gold[(gold["doc_id"] == r.doc_id) & (gold["start"] < r.end) & (gold["end"] > r.start)]
        label = "none"
        if len(g):
            overlap = np.minimum(g["end"], r.end) - np.maximum(g["start"], r.start)
            label = TO_CLASS[g["type"].to_numpy()[int(np.argmax(overlap.to_numpy()))]]
        features = nt.name_features(text[r.doc_id], int(r.start), int(r.end), rules, gazetteer)
        rows.append({"doc_id": r.doc_id, "start": r.start, "end": r.end, "features": features, "label": label})
    return pd.DataFrame(rows)


def fit(examples: pd.DataFrame, *, C: float, drop_threshold: float) -> dict:
    """The JSON form of a tagger fitted on ``examples``."""
    names = sorted({f for fs in examples["features"] for f in fs})
    index = {f: k for k, f in enumerate(names)}
    x = np.zeros((len(examples), len(names)))
    for i, fs in enumerate(examples["features"]):
        x[i, [index[f] for f in fs]] = 1.0
    y = np.array([nt.CLASSES.index(c) for c in examples["label"]])
    model = LogisticRegression(C=C, max_iter=2000, tol=1e-8).fit(x, y)
    coef = np.zeros((len(nt.CLASSES), len(names)))
    bias = np.zeros(len(nt.CLASSES))
    coef[model.classes_] = model.coef_  # a class absent from the examples keeps zero weights (and a low bias)
    bias[:] = -10.0
    bias[model.classes_] = model.intercept_
    weights = {f: [round(float(w), 4) for w in coef[:, k]] for f, k in index.items()}
    weights = {f: w for f, w in weights.items() if any(w)}
    return {
        "classes": list(nt.CLASSES),
        "bias": [round(float(b), 4) for b in bias],
        "weights": weights,
        "drop_threshold": drop_threshold,
    }


def score(docs, gold, found) -> dict:
    out = {}
    for rule, typed in (("lenient", False), ("overlap", True)):
        t = re3d.score_mentions(found, gold, docs, rule=rule, typed=typed).set_index("type")
        out[f"{rule}{'_typed' if typed else ''}"] = {
            typ: {k: round(float(t.at[typ, k]), 4) for k in ("precision", "recall", "f1")} for typ in t.index
        }
    return out


def cross_validate(docs, gold, examples, *, C: float, folds: int) -> list[dict]:
    """Pooled held-out scores of rules alone (threshold None) and rules + each fold's tagger per threshold."""
    ids = sorted(docs["doc_id"])
    fold_of = {d: k % folds for k, d in enumerate(ids)}
    results = []
    rules_alone = bench_entities.found_mentions(docs, with_rules=True, nominal=True)
    results.append({"threshold": None, **score(docs, gold, rules_alone)})
    for threshold in THRESHOLDS:
        parts = []
        for k in range(folds):
            train = examples[examples["doc_id"].map(fold_of) != k]
            model = nt.parse_tagger(fit(train, C=C, drop_threshold=threshold))
            held = docs[docs["doc_id"].map(fold_of) == k]
            parts.append(bench_entities.found_mentions(held, with_rules=True, nominal=True, tagger=model))
        results.append({"threshold": threshold, **score(docs, gold, pd.concat(parts, ignore_index=True))})
    return results


def data_sha(folders) -> str:
    h = hashlib.sha256()
    for folder in folders:
        for name in ("documents.json", "entities.json"):
            h.update((re3d.default_root() / folder / name).read_bytes())
    return h.hexdigest()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=1.0, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=config.resource(nt.TAGGER_FILE))
    args = ap.parse_args(argv)
    docs, gold = re3d.load_re3d(part="tune", one_type_per_span=True)
    _, gold_all = re3d.load_re3d(part="tune")  # the scoring keeps every type of a span
    examples = find_examples(docs, gold)
    cv = cross_validate(docs, gold_all, examples, C=args.C, folds=args.folds)
    base = cv[0]["lenient"]["all"]["precision"]
    ok = [r for r in cv[1:] if r["lenient"]["all"]["precision"] >= base]
    best = max(ok or cv[1:], key=lambda r: (r["overlap_typed"]["all"]["f1"], -r["threshold"]))
    data = fit(examples, C=args.C, drop_threshold=best["threshold"])
    folders = sorted(docs["folder"].unique())
    data.update(
        {
            "version": VERSION,
            "provenance": {
                "script": "scripts/train_name_tagger.py",
                "data": f"re3d part tune ({len(docs)} documents of {', '.join(folders)}; analysis.gold.re3d)",
                "data_sha256": data_sha(folders),
                "examples": int(len(examples)),
                "labels": {c: int((examples["label"] == c).sum()) for c in nt.CLASSES},
                "parameters": {"C": args.C, "folds": args.folds, "penalty": "l2", "solver": "lbfgs"},
                "scikit_learn": importlib.metadata.version("scikit-learn"),
                "mention_rules_version": mention_rules.load_mention_rules().version,
            },
            "cv": {
                "folds": f"{args.folds}, grouped by document (document n of the sorted ids in fold n mod {args.folds})",
                "scoring": "re3d tune, every gold span (bench_entities, nominal=True); lenient = the issue's rule "
                "untyped, overlap_typed = span overlap with the type required; threshold null = rules alone",
                "by_threshold": cv,
            },
        }
    )
    save_json(data, args.out)
    print(f"{args.out}: {len(data['weights'])} features, drop_threshold {data['drop_threshold']}")
    for r in cv:
        a, t = r["lenient"]["all"], r["overlap_typed"]["all"]
        print(
            f"threshold {r['threshold']}: lenient P {a['precision']:.3f} R {a['recall']:.3f} F1 {a['f1']:.3f}; "
            f"typed overlap P {t['precision']:.3f} R {t['recall']:.3f} F1 {t['f1']:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
