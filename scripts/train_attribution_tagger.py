"""Train the attribution tagger (a linear-chain CRF) on PolNeAR train and store it in attribution_tagger.json.

    python scripts/train_attribution_tagger.py [--c1 1.0] [--c2 0.01] [--iterations 100] [--folds 5] [--out PATH]

Reads only the train part of ../shared/corpora/polnear (840 articles; dev is for measuring, test is never read).
Each sentence that the trigger matches (a word that was part of a gold Cue on train at least ``--min-trigger``
times at a rate of at least ``--min-trigger-rate``) is one sequence; its words are
labelled B-S/I-S inside a gold Source, B-C/I-C inside a gold Cue, O elsewhere. Features: those of
``analysis.frames.attribution_tagger.token_features``, with the spans that the rules (run with the tagger off)
found in the sentence. python-crfsuite trains the CRF (L-BFGS, elastic net); it is used for training only. The
stored weights (pruned below ``--prune`` in absolute value) are decoded by the package's own Viterbi.

Cross-validation: ``--folds`` folds grouped by article. Each fold's model is trained on the other folds (trigger
words included), stored in the same JSON form, and run inside ``find_attributions`` on the held-out articles; the
pooled source+cue scores (lenient and overlap) of the rules alone and of rules + tagger are stored in the file.
The tagger is trained on every triggered sentence (with the rules' spans as features), but ``find_attributions``
asks it only about sentences where the rules found nothing: on train its extra pairs were 0.76 precise there and
0.52 in sentences the rules had already covered (fold 0). At run time a sentence is tagged only when it holds a
*run-time trigger* (the first word of a gold Cue, rate ``--run-trigger-rate``; stored as ``trigger_words``) and
passes the pre-filter ``cue_margin`` (calibrated on train, ``--margin-quantile``); the stored ``threshold`` (least
marginal probability of a pair's first source and cue words) is the one with the best pooled CV F1 among those with
pooled CV precision >= ``--min-precision``. Takes about 40 minutes on a loaded 2-core machine.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import importlib.metadata
import json
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pycrfsuite  # noqa: E402
import yaml  # noqa: E402

from analysis import config, frames  # noqa: E402
from analysis.frames import attribution_tagger as at  # noqa: E402
from analysis.frames.attribution_rules import ATTRIBUTION_FILE  # noqa: E402
from analysis.frames.document import _iter_docs  # noqa: E402
from analysis.gold import polnear  # noqa: E402
from analysis.tables import save_json  # noqa: E402

VERSION = "2026.12.2"
THRESHOLDS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8)  # least confidence of a tagger pair (marginal of its B-S and B-C)


def _rules_without_tagger():
    """The built-in attribution rules with the tagger switched off (the tagger file may not exist yet), keeping
    the tagger's cue exclusions for when a fold's tagger is put in."""
    data = yaml.safe_load(config.resource(ATTRIBUTION_FILE).read_text(encoding="utf-8"))
    spec = data.pop("tagger", None) or {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ATTRIBUTION_FILE
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        rules = frames.load_attribution_rules(path)
    return dataclasses.replace(rules, cue_exclude=frozenset(str(w).lower() for w in spec.get("exclude") or []))


def _trigger_words(docs, gold, min_count: int, min_rate: float, *, first: bool = False) -> list[str]:
    """Lower-case words that were part of (``first``: the first word of) a gold Cue at least ``min_count`` times
    and in at least ``min_rate`` of their uses."""
    cue = collections.Counter(
        w.lower()
        for t in gold["cue_text"]
        for n, (_, _, w) in enumerate(at.find_tokens(t, 0, len(t)))
        if n == 0 or not first
    )
    seen = collections.Counter(w.lower() for t in docs["text"] for _, _, w in at.find_tokens(t, 0, len(t)))
    return sorted(w for w, n in cue.items() if n >= min_count and n / max(seen[w], n) >= min_rate and w[:1].isalnum())


def _sequences(docs, gold, rules, rule_table, trigger, max_words: int) -> list[tuple]:
    """(doc_id, features, labels, tokens) of every triggered sentence of ``docs``."""
    gold_by_doc = {d: g for d, g in gold.groupby("doc_id")}
    rules_by_doc = {d: t for d, t in rule_table.groupby("doc_id")}
    out = []
    for doc in _iter_docs(docs, None):
        g = gold_by_doc.get(doc.doc_id)
        spans = []
        if g is not None:
            spans = [(s, e, "S") for s, e in zip(g["source_start"], g["source_end"]) if s >= 0]
            spans += [(s, e, "C") for s, e in zip(g["cue_start"], g["cue_end"]) if s >= 0]
        r = rules_by_doc.get(doc.doc_id)
        rule_spans = []
        if r is not None:
            rule_spans = [(s, e, "S") for s, e in zip(r["speaker_start"], r["speaker_end"])]
            rule_spans += [(s, e, "C") for s, e in zip(r["cue_start"], r["cue_end"])]
        for s0, e0 in zip(doc.starts, doc.ends):
            if not trigger.search(doc.text[s0:e0]):
                continue
            tokens = at.find_tokens(doc.text, s0, e0)
            if not tokens or len(tokens) > max_words:
                continue
            in_sent = [x for x in rule_spans if s0 <= x[0] < e0]
            feats = at.token_features(tokens, quotes=doc.quotes, lexicon=rules.verb_forms or {}, rule_spans=in_sent)
            labels = ["O"] * len(tokens)
            for kind in ("S", "C"):  # a cue wins over a source where they overlap
                for s, e, k in spans:
                    if k != kind or not (s0 <= s < e0 or s0 < e <= e0):
                        continue
                    inside = [i for i, (ts, te, _) in enumerate(tokens) if ts < e and s < te]
                    for n, i in enumerate(inside):
                        labels[i] = ("B-" if n == 0 else "I-") + kind
            out.append((doc.doc_id, feats, labels, tokens))
    return out


def _train(seqs, params: dict, prune: float, trigger_words: list[str], max_words: int) -> tuple[dict, object]:
    """Train crfsuite on ``seqs``; return the JSON content of the weights and the crfsuite tagger."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for _, feats, labels, _ in seqs:
        trainer.append(feats, labels)
    trainer.set_params(params)
    with tempfile.TemporaryDirectory() as tmp:
        model = str(Path(tmp) / "model.crfsuite")
        trainer.train(model)
        tagger = pycrfsuite.Tagger()
        tagger.open(model)
    info = tagger.info()
    state: dict[str, dict[str, float]] = {}
    for (attr, label), w in sorted(info.state_features.items()):
        if abs(w) >= prune:
            state.setdefault(attr, {})[label] = round(w, 3)
    trans: dict[str, dict[str, float]] = {}
    for (a, b), w in sorted(info.transitions.items()):
        trans.setdefault(a, {})[b] = round(w, 4)
    weights = {
        "labels": list(at.LABELS),
        "max_words": max_words,
        "trigger_words": trigger_words,
        "transitions": trans,
        "state_features": state,
    }
    return weights, tagger


def _cue_margin(tagger: at.AttributionTagger, seqs, quantile: float) -> tuple[float, int]:
    """The pre-filter's margin: sentences without rule spans (the only ones tagged at run time) whose decoding
    gives a pair have a word whose cue score minus its O score reaches ``-margin`` in all but ``quantile`` of them.
    Returns (margin, number of such sentences)."""
    gaps = []
    for _, feats, _, tokens in seqs:
        if any(f.startswith("r=") for word in feats for f in word):
            continue
        scores = np.array(tagger.score_tokens(feats))
        if at.find_pairs(tokens, [tagger.labels[i] for i in at.viterbi(scores, tagger.transitions)]):
            gaps.append(float((scores[:, 3:].max(axis=1) - scores[:, 0]).max()))
    return round(-float(np.quantile(gaps, quantile)), 4), len(gaps)


def _as_tagger(weights: dict) -> at.AttributionTagger:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tagger.json"
        path.write_text(json.dumps({"version": "cv", **weights}), encoding="utf-8")
        return at._parse_tagger(path)


def _pooled(scores: list[dict]) -> dict:
    n_found, n_gold, n_correct = (sum(s[k] for s in scores) for k in ("n_found", "n_gold", "n_correct"))
    p = n_correct / n_found if n_found else 0.0
    r = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"n_found": n_found, "n_gold": n_gold, "n_correct": n_correct, **_rounded(p, r, f1)}


def _rounded(p, r, f1) -> dict:
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def _fit(docs, gold, rules, rule_table, params: dict, args) -> tuple:
    """One training run on (docs, gold): the sequence trigger, the sequences, the pruned weights, the crfsuite tagger
    and the cue margin (its value and count); the same steps for every CV fold and for the final model."""
    words = _trigger_words(docs, gold, args.min_trigger, args.min_trigger_rate)
    trigger = _as_tagger(
        {"labels": list(at.LABELS), "max_words": 1, "trigger_words": words, "transitions": {}, "state_features": {}}
    ).trigger_regex
    seqs = _sequences(docs, gold, rules, rule_table, trigger, args.max_words)
    run_words = _trigger_words(docs, gold, args.min_trigger, args.run_trigger_rate, first=True)
    weights, crf = _train(seqs, params, args.prune, run_words, args.max_words)
    return trigger, seqs, weights, crf, _cue_margin(_as_tagger(weights), seqs, args.margin_quantile)


def build(args) -> dict:
    """Cross-validate and fit the tagger on PolNeAR train; return the JSON content."""
    docs, gold = polnear.load_polnear("train")
    gold = gold[gold["source_start"] >= 0]
    rules = _rules_without_tagger()
    rule_table = frames.find_attributions(docs, rules=rules)
    lemmas = polnear.load_cue_lemmas()
    params = {
        "c1": args.c1,
        "c2": args.c2,
        "max_iterations": args.iterations,
        "feature.possible_transitions": True,
    }
    ids = sorted(docs["doc_id"])
    fold_of = {d: n % args.folds for n, d in enumerate(ids)}
    cv: dict = {"rules": {"lenient": [], "overlap": []}, "rules_tagger": {}}
    agree = [0, 0]
    for fold in range(args.folds):
        tr_docs = docs[docs["doc_id"].map(fold_of) != fold]
        te_docs = docs[docs["doc_id"].map(fold_of) == fold]
        tr_gold, te_gold = gold[gold["doc_id"].isin(tr_docs["doc_id"])], gold[gold["doc_id"].isin(te_docs["doc_id"])]
        trigger, seqs, weights, crf, (margin, _) = _fit(tr_docs, tr_gold, rules, rule_table, params, args)
        tagger = dataclasses.replace(_as_tagger(weights), cue_margin=margin)
        for _, feats, _, _ in _sequences(te_docs, te_gold, rules, rule_table, trigger, args.max_words)[:500]:
            agree[0] += crf.tag(feats) == tagger.find_spans(feats)
            agree[1] += 1
        base = rule_table[rule_table["doc_id"].isin(te_docs["doc_id"])]
        for rule in ("lenient", "overlap"):
            cv["rules"][rule].append(polnear.score_attributions(base, te_gold, rule=rule, lemmas=lemmas))
        for t in THRESHOLDS:
            with_tagger = dataclasses.replace(rules, tagger=dataclasses.replace(tagger, threshold=t))
            combined = frames.find_attributions(te_docs, rules=with_tagger)
            for rule in ("lenient", "overlap"):
                scores = polnear.score_attributions(combined, te_gold, rule=rule, lemmas=lemmas)
                cv["rules_tagger"].setdefault(t, {"lenient": [], "overlap": []})[rule].append(scores)
        print(
            f"fold {fold}: {len(seqs)} sequences, {len(weights['state_features'])} features, lenient F1 rules "
            f"{cv['rules']['lenient'][-1]['f1']:.3f}, rules+tagger "
            + " ".join(f"{t}: {cv['rules_tagger'][t]['lenient'][-1]['f1']:.3f}" for t in THRESHOLDS),
            flush=True,
        )
    _, seqs, weights, _, (margin, n_margin) = _fit(docs, gold, rules, rule_table, params, args)
    ok = [
        (s["lenient"]["f1"], t)
        for t, s in ((t, {r: _pooled(v) for r, v in b.items()}) for t, b in cv["rules_tagger"].items())
        if s["lenient"]["precision"] >= args.min_precision
    ]
    threshold = max(ok)[1] if ok else max(THRESHOLDS)
    n_files, digest = polnear.digest_part("train")
    n_tokens = sum(len(s[2]) for s in seqs)
    return {
        "version": VERSION,
        "description": "Linear-chain CRF over the words of a triggered sentence (analysis.frames.attribution_tagger):"
        " labels O, B-S/I-S (source), B-C/I-C (cue); state_features: feature name -> label -> weight, transitions:"
        " from -> to -> weight. Generated by scripts/train_attribution_tagger.py: do not edit by hand.",
        "threshold": threshold,
        "cue_margin": margin,
        **weights,
        "cv": {
            "folds": f"{args.folds}, grouped by article (article n of the sorted ids in fold n mod {args.folds})",
            "rules": {rule: _pooled(v) for rule, v in cv["rules"].items()},
            "rules_tagger_by_threshold": [
                {"threshold": t, **{rule: _pooled(v) for rule, v in by_rule.items()}}
                for t, by_rule in cv["rules_tagger"].items()
            ],
            "threshold_rule": f"highest pooled lenient F1 with pooled precision >= {args.min_precision}",
            "decoder_agreement": f"{agree[0]} of {agree[1]} held-out sentences decoded alike by crfsuite and the "
            "package's Viterbi over the pruned JSON weights",
        },
        "training": {
            "data": "PolNeAR (Newell, Margolin, Ruths 2018), part train, one coder per article",
            "upstream_commit": (polnear.default_root() / "COMMIT").read_text().strip(),
            "files_sha256": f"sha256 of the list of {n_files} (path, sha256) lines: {digest}",
            "n_articles": int(len(docs)),
            "n_sequences": len(seqs),
            "n_words": n_tokens,
            "labels": "words overlapping a gold Source: S, a gold Cue: C (cue wins), B- on the first word of a span",
            "trigger_words": "run time: the first words of gold Cues (at least min_trigger times, rate at least "
            "run_trigger_rate); training sequences: sentences with any word of a gold Cue (rate min_trigger_rate)",
            "hyper_parameters": {
                **params,
                "algorithm": "lbfgs",
                "prune_below": args.prune,
                "min_trigger": args.min_trigger,
                "min_trigger_rate": args.min_trigger_rate,
                "run_trigger_rate": args.run_trigger_rate,
            },
            "rules": f"attribution.yaml {rules.version} (tagger off) for the r=S / r=C features",
            "cue_margin": f"a sentence is decoded only when a word's cue score minus its O score reaches -cue_margin;"
            f" set so that {args.margin_quantile:.1%} of the {n_margin} train sentences without a rule attribution"
            " whose decoding gives a pair fall below it (the CV runs each fold's own margin)",
            "date": dt.date.today().isoformat(),
            "script": "scripts/train_attribution_tagger.py",
            "python": platform.python_version(),
            "python-crfsuite": importlib.metadata.version("python-crfsuite"),
        },
    }


def save_tagger(data: dict, path: Path) -> None:
    """Write the tagger JSON: indented, with one line per state feature (a file of reviewable size)."""
    head = {k: v for k, v in data.items() if k != "state_features"}
    save_json(head, path)
    text = path.read_text(encoding="utf-8").rstrip()
    lines = ",\n".join(
        f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, sort_keys=True)}"
        for k, v in sorted(data["state_features"].items())
    )
    path.write_text(text[:-1].rstrip() + ',\n  "state_features": {\n' + lines + "\n  }\n}\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--c1", type=float, default=1.0, help="L1 regularisation (sparsity of the stored weights)")
    ap.add_argument("--c2", type=float, default=0.01, help="L2 regularisation")
    ap.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--prune", type=float, default=0.1, help="drop state weights below this in absolute value")
    ap.add_argument("--min-trigger", type=int, default=3, help="least gold cue count of a trigger word")
    ap.add_argument("--min-trigger-rate", type=float, default=0.1, help="least cue rate of a trigger word")
    ap.add_argument(
        "--run-trigger-rate", type=float, default=0.3, help="least rate of a run-time trigger (first word of a cue)"
    )
    ap.add_argument("--max-words", type=int, default=80, help="longer sentences are not tagged")
    ap.add_argument("--margin-quantile", type=float, default=0.005, help="share of pairs the pre-filter may lose")
    ap.add_argument("--min-precision", type=float, default=0.85, help="least pooled CV precision at the threshold")
    ap.add_argument("--out", type=Path, default=config.resource(at.TAGGER_FILE))
    args = ap.parse_args(argv)
    data = build(args)
    save_tagger(data, args.out)
    print(
        f"{args.out}: {len(data['state_features'])} features, {len(data['trigger_words'])} trigger words, "
        f"threshold {data['threshold']}"
    )
    print(json.dumps(data["cv"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
