"""Attribution recall and precision on PolNeAR: source+cue P/R/F1 (lenient and span-overlap rules), content overlap.

    .venv/bin/python benchmarks/bench_attribution.py [--part dev] [--errors N] [--categories] [--tagger]
        [--fakes-ab ROUNDS]

Runs ``analysis.frames.find_attributions`` on the PolNeAR articles of ``--part`` (train or dev; the test part is
held out and never read) and scores them with ``analysis.gold.polnear``: overall, per publisher, and the time taken.
``--errors N`` prints N missed and N wrong attributions (use it on train, where rules are developed);
``--categories`` counts the misses and the false attributions by kind (overlap rule; see ``print_categories``).
``--tagger`` switches the CRF tagger on (opt-in: ``frames.load_attribution_rules(tagger=True)``). ``--fakes-ab ROUNDS`` instead times
``find_attributions`` on FA-KES with and without the tagger, interleaved in this one process (CPU seconds, best and
median of ROUNDS each), and prints both tables' counts by source type and a sample of the tagger's rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import frames  # noqa: E402
from analysis.gold import polnear  # noqa: E402


def found_table(attributions: pd.DataFrame) -> pd.DataFrame:
    """The scorer's columns from a find_attributions table (cue and content offsets as the rules give them)."""
    out = attributions.copy()
    for col in ("cue_start", "cue_end", "content_start", "content_end"):
        if col not in out:
            out[col] = -1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="dev", choices=polnear.PARTS)
    ap.add_argument("--errors", type=int, default=0, help="print this many misses and false attributions")
    ap.add_argument("--categories", action="store_true", help="count misses and false attributions by kind")
    ap.add_argument("--limit", type=int, default=0, help="first N articles only (0: all)")
    ap.add_argument("--tagger", action="store_true", help="rules + the CRF tagger (opt-in)")
    ap.add_argument("--fakes-ab", type=int, default=0, metavar="ROUNDS", help="time FA-KES with/without the tagger")
    args = ap.parse_args(argv)
    if args.fakes_ab:
        return fakes_ab(args.fakes_ab)
    rules = frames.load_attribution_rules(tagger=args.tagger)
    docs, gold = polnear.load_polnear(args.part)
    if args.limit:
        docs = docs.head(args.limit)
        gold = gold[gold["doc_id"].isin(docs["doc_id"])]
    frames.find_attributions(docs.head(1), rules=rules)  # load rules and the actor dictionary before timing
    t0 = time.perf_counter()
    found = found_table(frames.find_attributions(docs, rules=rules))
    elapsed = time.perf_counter() - t0
    lemmas = polnear.load_cue_lemmas()
    n_words = int(docs["text"].str.split().str.len().sum())
    print(
        f"PolNeAR {args.part}: {len(docs)} articles, {n_words:,} words, {int((gold.source_start >= 0).sum())} "
        f"gold attributions with a source; found {len(found)} in {elapsed:.2f}s ({len(docs) / elapsed:.0f} articles/s)"
    )
    rows = []
    for rule in ("lenient", "overlap"):
        rows.append({"set": "all", **polnear.score_attributions(found, gold, rule=rule, lemmas=lemmas)})
    pubs = docs.set_index("doc_id")["publisher"]
    for pub in sorted(pubs.dropna().unique()):
        ids = set(pubs.index[pubs == pub])
        s = polnear.score_attributions(
            found[found.doc_id.isin(ids)], gold[gold.doc_id.isin(ids)], rule="lenient", lemmas=lemmas
        )
        rows.append({"set": pub, **s})
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    content = polnear.score_content_overlap(found, gold)
    print(
        "content spans:", " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in content.items())
    )
    if args.errors:
        print_errors(docs, gold, found, lemmas, args.errors)
    if args.categories:
        print_categories(docs, gold, found, rules)
    return 0


def fakes_ab(rounds: int) -> int:
    """CPU seconds of find_attributions on FA-KES without and with the tagger, interleaved; counts; a sample."""
    from bench_frames import load_fakes

    from analysis.frames.document import _build_sentences

    corpus = load_fakes()
    with_tagger = frames.load_attribution_rules(tagger=True)
    rules_only = frames.load_attribution_rules(tagger=False)
    sentences = _build_sentences(corpus)  # as analyze gives them, built once outside the timing
    frames.find_attributions(corpus.head(5), rules=with_tagger)
    cpu: dict[str, list[float]] = {"rules": [], "rules+tagger": []}
    tables = {}
    for _ in range(rounds):
        for name, rules in (("rules", rules_only), ("rules+tagger", with_tagger)):
            t0 = time.process_time()
            tables[name] = frames.find_attributions(corpus, sentences=sentences, rules=rules)
            cpu[name].append(time.process_time() - t0)
    for name, times in cpu.items():
        print(
            f"{name:13s} {len(tables[name]):5d} attributions; CPU s best {min(times):.2f}, median "
            f"{statistics.median(times):.2f} ({len(corpus) / min(times):.0f} articles/s)"
        )
    print(f"CPU ratio (best): {min(cpu['rules+tagger']) / min(cpu['rules']):.3f}")
    stage_ab(corpus, rules_only, with_tagger, rounds)
    counts = pd.DataFrame({k: t["source_type"].value_counts() for k, t in tables.items()}).fillna(0).astype(int)
    print(counts.to_string())
    new = tables["rules+tagger"][tables["rules+tagger"]["pattern"] == "tagger"]
    text = dict(zip(corpus["doc_id"], corpus["text"]))
    print(f"\n--- {min(20, len(new))} of the tagger's {len(new)} rows")
    for r in new.sample(min(20, len(new)), random_state=1).itertuples():
        t = text[r.doc_id]
        print(
            f"SPK[{r.speaker}] CUE[{r.verb}] {r.source_type} :: {' '.join(t[max(0, r.start - 40) : r.end + 60].split())}"
        )
    return 0


def stage_ab(corpus: pd.DataFrame, rules_only, with_tagger, rounds: int) -> None:
    """CPU seconds of the whole frames stage (bench_frames' _stage: sentences, mentions, analyze_chunk) with the
    rules alone and with the tagger, interleaved."""
    from bench_frames import _stage

    from analysis.frames import language  # find_language (the stage's call) loads the rules through it

    builtin = language.load_attribution_rules
    cpu: dict[str, list[float]] = {"rules": [], "rules+tagger": []}
    try:
        for _ in range(rounds):
            for name in cpu:
                chosen = with_tagger if name == "rules+tagger" else rules_only
                language.load_attribution_rules = lambda _r, chosen=chosen: chosen
                t0 = time.process_time()
                _stage(corpus)
                cpu[name].append(time.process_time() - t0)
    finally:
        language.load_attribution_rules = builtin
    for name, times in cpu.items():
        print(f"frames stage, {name:13s} CPU s best {min(times):.2f}, median {statistics.median(times):.2f}")
    print(f"frames stage CPU ratio (best): {min(cpu['rules+tagger']) / min(cpu['rules']):.3f}")


def _matches(gold: pd.DataFrame, found: pd.DataFrame) -> tuple[set, set, dict]:
    """Gold and found indices that match under the overlap rule, and for unmatched gold rows a partial match."""
    from analysis.gold._score import spans_overlap

    hit_g, hit_f, partial = set(), set(), {}
    found_by_doc = {d: t for d, t in found.groupby("doc_id")}
    for doc_id, gd in gold.groupby("doc_id"):
        fd = found_by_doc.get(doc_id)
        if fd is None:
            continue
        for j, gg in gd.iterrows():
            for i, f in fd.iterrows():
                so = spans_overlap(f.speaker_start, f.speaker_end, gg.source_start, gg.source_end)
                co = spans_overlap(f.cue_start, f.cue_end, gg.cue_start, gg.cue_end)
                if so and co:
                    hit_g.add(j)
                    hit_f.add(i)
                elif co or so:
                    partial.setdefault(j, "cue found, other source" if co else "source found, other cue")
    return hit_g, hit_f, partial


_PRONOUNS = {"he", "she", "they", "we", "i", "it", "you", "him", "her", "them", "us", "who"}
_NOUN_CUES = (
    r"(?<!\w)(?:statement|interview|report|remarks?|comments?|speech|letter|tweets?|post|email|memo|op-ed|column|"
    r"editorial|poll|survey|study|analysis|release|briefing|testimony|claims?|view|opinion|assessment|account|words)"
    r"(?!\w)"
)
_AUX_FIRST = {
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "did",
    "does",
    "do",
    "to",
    "may",
    "might",
    "should",
    "must",
    "'s",
    "’s",
}


def print_categories(docs, gold, found, rules) -> None:
    """Counts of the missed gold attributions (overlap rule) by cue kind, source position and where in the pipeline
    they are lost, and of the false attributions by what the gold marks there. One miss counts in one cue kind and
    one position, and in any of the other flags."""
    import collections
    import re

    from analysis.frames.attribution_tagger import find_tokens
    from analysis.frames.document import _iter_docs

    g = gold[gold["source_start"] >= 0]
    hit_g, hit_f, partial = _matches(g, found)
    forms = set(rules.verb_forms or {})
    gated = {f for f, r in (rules.verb_forms or {}).items() if rules.verb_rows[r]["gated"]}
    view = {d.doc_id: d for d in _iter_docs(docs, None)}
    found_sents = collections.defaultdict(set)
    for r in found.itertuples():
        found_sents[r.doc_id].add(view[r.doc_id].sentence_at(r.cue_start))

    def in_quote(doc, s, e) -> bool:
        return any(qs <= s and e <= qe for qs, qe in view[doc].quotes)

    tagger = rules.tagger or frames.load_attribution_rules(tagger=True).tagger  # its trigger words, when it is off
    miss = g[~g.index.isin(hit_g)]
    kinds, places, flags = collections.Counter(), collections.Counter(), collections.Counter()
    for j, gg in miss.iterrows():
        doc, words = view[gg.doc_id], [w.lower().strip(".,\"'“”") for w in gg.cue_text.split()]
        if not gg.cue_text.strip():
            kind = "no cue"
        elif not any(c.isalnum() for c in gg.cue_text):
            kind = "a colon or other punctuation (Q: ..., Trump: ...)"
        elif "according" in words:
            kind = "according to"
        elif any(w in forms and w not in gated for w in words):
            kind = "a lexicon verb"
        elif any(w in gated for w in words):
            kind = "a gated lexicon verb"
        elif re.search(_NOUN_CUES, gg.cue_text, re.I):
            kind = "a noun cue (statement, interview, ...)"
        elif words[0] in _AUX_FIRST:
            kind = "auxiliary or copula first (is angry at, has long backed, to say)"
        elif len(words) >= 3:
            kind = "other multi-word cue"
        else:
            kind = "other verb or word (stance, belief)"
        kinds[kind] += 1
        ks, kc = doc.sentence_at(gg.source_start), doc.sentence_at(max(gg.cue_start, 0))
        if ks != kc:
            places["source in another sentence"] += 1
        elif gg.source_start > gg.cue_start:
            places["source after the cue"] += 1
        elif len(doc.text[gg.source_end : gg.cue_start].split()) > 3:
            places["source before, more than 3 words away"] += 1
        else:
            places["source before, at most 3 words away"] += 1
        if gg.source_text.lower() in _PRONOUNS:
            flags["pronoun source (he, they, who, ...)"] += 1
        if len(gg.source_text.split()) > 6:
            flags["source of more than 6 words"] += 1
        if gg.cue_start >= 0 and in_quote(gg.doc_id, gg.cue_start, gg.cue_end):
            flags["cue inside a quotation (nested)"] += 1
        if gg.content_start >= 0 and doc.sentence_at(gg.content_start) != doc.sentence_at(max(gg.content_end - 1, 0)):
            flags["content over several sentences"] += 1
        if j in partial:
            flags[partial[j]] += 1
        s0, e0 = doc.starts[kc], doc.ends[kc]
        if kc in found_sents[gg.doc_id]:
            flags["lost where: the rules found another attribution in the sentence"] += 1
        elif not tagger.trigger_regex.search(doc.text[s0:e0]):
            flags["lost where: no attribution and no tagger trigger word in the sentence"] += 1
        elif len(find_tokens(doc.text, s0, e0)) > tagger.max_words:
            flags["lost where: sentence too long for the tagger"] += 1
        else:
            flags[f"lost where: the tagger {'was' if rules.tagger else 'would be'} asked"] += 1
    print(f"\n--- {len(miss)} of {len(g)} gold attributions missed (overlap rule), by cue kind")
    for name, counter in (("cue kind", kinds), ("source position", places), ("flags", flags)):
        print(f"{name}:")
        for k, v in counter.most_common():
            print(f"  {v:6d}  {v / len(miss):6.1%}  {k}")
    wrong = found[~found.index.isin(hit_f)]
    fp = collections.Counter()
    cues = {d: list(zip(t.cue_start, t.cue_end, t.source_start)) for d, t in gold.groupby("doc_id")}
    sources = {d: list(zip(t.source_start, t.source_end)) for d, t in g.groupby("doc_id")}
    for f in wrong.itertuples():
        gc = cues.get(f.doc_id, [])
        if any(a < f.cue_end and f.cue_start < b and s >= 0 for a, b, s in gc):
            k = "the cue is a gold cue, the speaker is not its source"
        elif any(a < f.cue_end and f.cue_start < b for a, b, s in gc):
            k = "the cue is a gold cue without a source"
        elif any(a < f.speaker_end and f.speaker_start < b for a, b in sources.get(f.doc_id, [])):
            k = "the speaker is a gold source, of another cue"
        else:
            k = "no gold attribution there"
        if in_quote(f.doc_id, f.cue_start, f.cue_end):
            k += " (cue inside a quotation)"
        fp[k] += 1
    print(f"\n--- {len(wrong)} of {len(found)} found attributions false (overlap rule)")
    for k, v in fp.most_common():
        print(f"  {v:6d}  {v / max(len(wrong), 1):6.1%}  {k}")
    by_pattern = collections.Counter("tagger" if p == "tagger" else "rules" for p in wrong["pattern"])
    print("  by source of the row: " + ", ".join(f"{k} {v}" for k, v in by_pattern.most_common()))


def print_errors(docs, gold, found, lemmas, n: int) -> None:
    """Misses and false attributions under the overlap rule, with their sentence."""
    from analysis.gold._score import spans_overlap

    text = dict(zip(docs["doc_id"], docs["text"]))
    g = gold[gold.source_start >= 0]
    hit_g, hit_f = set(), set()
    for doc_id, gd in g.groupby("doc_id"):
        fd = found[found.doc_id == doc_id]
        for j, gg in gd.iterrows():
            for i, f in fd.iterrows():
                if spans_overlap(f.speaker_start, f.speaker_end, gg.source_start, gg.source_end) and spans_overlap(
                    f.cue_start, f.cue_end, gg.cue_start, gg.cue_end
                ):
                    hit_g.add(j)
                    hit_f.add(i)
    print(f"\n--- {n} missed (of {len(g) - len(hit_g)})")
    for _, gg in g[~g.index.isin(hit_g)].sample(min(n, len(g) - len(hit_g)), random_state=1).iterrows():
        t = text[gg.doc_id]
        lo, hi = min(gg.source_start, gg.cue_start), max(gg.source_end, gg.cue_end)
        print(f"SRC[{gg.source_text}] CUE[{gg.cue_text}] :: {' '.join(t[max(0, lo - 80) : hi + 60].split())}")
    wrong = found[~found.index.isin(hit_f)]
    print(f"\n--- {n} false (of {len(wrong)})")
    for _, f in wrong.sample(min(n, len(wrong)), random_state=1).iterrows():
        t = text[f.doc_id]
        print(f"SPK[{f.speaker}] VERB[{f.verb}] :: {' '.join(t[max(0, f.start - 60) : f.end + 60].split())}")


if __name__ == "__main__":
    raise SystemExit(main())
