"""Actor and place recall and precision on re3d: P/R/F1 per entity type, dictionary only vs with the mention rules.

    .venv/bin/python benchmarks/bench_entities.py [--part tune|check|all] [--folders "BBC Online" ...] [--errors N]
        [--shapes]

Finds mentions in the re3d documents of ../shared/corpora/re3d (the development folders present; the two held-out
folders are not in ../shared, so 11 of the 50 documents are kept aside here: ``--part check``, see
``analysis.gold.re3d.CHECK_SHARE``; tune rules on ``--part tune`` only) with ``analysis.actors.find_mentions`` (the dictionary: actors.yaml, places.yaml,
persons.yaml, places_geonames.yaml) and ``analysis.actors.mention_rules.find_rule_mentions`` (nationalities, generic
organisation/place names, unlisted capitalised names), and scores them with ``analysis.gold.re3d`` over
Organisation, Person, Location and Nationality spans: the issue's lenient rule (a shared word, start within 40
characters), untyped; and the stricter span-overlap rule with the type required. Also per source folder, with the
common-noun and pronoun mentions (``nominal=True``), with the nested mentions (``nested=True``: spans inside and
around the mentions, as re3d nests them) and with the opt-in name tagger (``tagger=True``, trained on the tune part:
its CV figures are in analysis/resources/name_tagger.json). ``--shapes`` (tune only) counts the gold
spans by type, shape and outcome, and the one-to-one ceiling of non-overlapping mentions.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import actors  # noqa: E402
from analysis.actors import mention_rules  # noqa: E402
from analysis.gold import re3d  # noqa: E402

NOT_NAME_WORDS = frozenset(
    "I We He She They It You The A An This That These Those Some Many Most Several Other Another His Her Their Our My "
    "Its One Two Three All Each Both No".split()
)
RULE_TYPES = {"organisation": "Organisation", "person": "Person", "place": "Location", "nationality": "Nationality"}


def is_named(value: str) -> bool:
    """Whether a gold span names something: a capitalised word that is not a pronoun or determiner ("the Kurdish
    YPG", "Hibhib"), as opposed to "we", "the camp", "The army" or coordinates."""
    return any(w[:1].isupper() and w not in NOT_NAME_WORDS for w in value.replace("-", " ").split())


def dictionary_type(entry: actors.Entry) -> str:
    """re3d type of a dictionary entry: places are Locations, persons Persons, every other actor an Organisation."""
    if entry.kind == "place":
        return "Location"
    return "Person" if entry.type == "person" else "Organisation"


def found_mentions(
    docs: pd.DataFrame, *, with_rules: bool, nominal: bool = False, tagger=False, nested: bool = False
) -> pd.DataFrame:
    """Mentions in re3d's scorer columns (doc_id, start, end, type, kind); ``tagger``: the name tagger (True: the
    built-in one, or a NameTagger)."""
    dictionary = actors.default_dictionary()
    corpus = docs[["doc_id", "text"]]
    if not with_rules:
        m = actors.find_mentions(corpus)
        m = m.assign(type=[dictionary_type(dictionary.entries[i]) for i in m["actor_id"]])
        return m[["doc_id", "start", "end", "type", "kind"]]
    m, r = mention_rules.find_all_mentions(corpus, nominal=nominal, tagger=tagger, nested=nested)
    nationalities = mention_rules.load_mention_rules().nationalities
    m = m.assign(
        type=[
            "Nationality" if w in nationalities else dictionary_type(dictionary.entries[i])
            for i, w in zip(m["actor_id"], m["matched"])
        ]
    )
    r = r.assign(type=r["type"].map(RULE_TYPES))
    cols = ["doc_id", "start", "end", "type", "kind"]
    return pd.concat([m[cols], r[cols]], ignore_index=True).sort_values(["doc_id", "start"], kind="stable")


def print_scores(docs, gold, found, *, named_only: bool = True) -> None:
    """The issue's lenient rule, span overlap with the type, and recall over the named gold spans."""
    for rule, typed in (("lenient", False), ("overlap", True)):
        table = re3d.score_mentions(found, gold, docs, rule=rule, typed=typed)
        print(f"-- rule {rule}{', type must agree' if typed else ''}")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if named_only:
        named = gold[gold["value"].map(is_named)]
        table = re3d.score_mentions(found, named, docs)
        print(
            f"-- recall over the {len(named)} named gold spans ({len(named) / len(gold):.0%}; pronouns, common-noun "
            "phrases and coordinates left out), lenient"
        )
        print(table[["type", "n_gold", "recall"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))


KIND_STEPS = (
    ("resolved (dictionary entries, nationality = state)", ("actor", "place")),
    ("+ nationality mentions", ("actor", "place", "nationality")),
    ("+ common-noun mentions (no unlisted names)", ("actor", "place", "nationality", "nominal")),
    ("+ unlisted names", ("actor", "place", "nationality", "nominal", "unlisted")),
    ("+ pronouns", ("actor", "place", "nationality", "nominal", "unlisted", "pronoun")),
    ("+ nested mentions (all)", ("actor", "place", "nationality", "nominal", "unlisted", "pronoun", "nested")),
)


def print_by_kind(docs, gold, found) -> None:
    """The issue's lenient rule, counting each kind of mention in turn: the unlisted names (capitalised names no
    entry resolves, most of them untyped) are kept apart "so that recall can be counted"; this shows what they add."""
    print("-- lenient, by the kinds of mention counted (P / R per type; unlisted names of unknown type count")
    print("   for the type of the gold span they match)")
    rows = []
    for label, kinds in KIND_STEPS:
        t = re3d.score_mentions(found[found["kind"].isin(kinds)], gold, docs).set_index("type")
        row = {"mentions counted": label, "n": int(t.at["all", "n_found"])}
        for typ in t.index:
            row[typ] = f"{t.at[typ, 'precision']:.3f} / {t.at[typ, 'recall']:.3f}"
        rows.append(row)
    print(pd.DataFrame(rows).to_string(index=False))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folders", nargs="*", default=None, help="re3d source folders (default: all present)")
    ap.add_argument(
        "--part",
        choices=re3d.PARTS,
        default="all",
        help="tune (39 documents), check (our 11 held-out documents, analysis.gold.re3d.CHECK_SHARE) or all",
    )
    ap.add_argument("--errors", type=int, default=0, help="print this many misses and wrong mentions")
    ap.add_argument("--shapes", action="store_true", help="count the gold spans by shape and whether recalled")
    args = ap.parse_args(argv)
    if (args.errors or args.shapes) and args.part != "tune":
        ap.error("--errors and --shapes read misses: only on --part tune (the check part is never looked at)")
    docs, gold = re3d.load_re3d(args.folders, part=args.part)
    print(
        f"re3d part {args.part}: {len(docs)} documents in {docs['folder'].nunique()} folders, {len(gold)} gold spans "
        f"({', '.join(f'{t} {n}' for t, n in gold['type'].value_counts().sort_index().items())})"
    )
    actors.default_dictionary()
    for with_rules, nominal, nested in (
        (False, False, False),
        (True, False, False),
        (True, True, False),
        (True, True, True),
    ):
        t0 = time.perf_counter()
        found = found_mentions(docs, with_rules=with_rules, nominal=nominal, nested=nested)
        elapsed = time.perf_counter() - t0
        label = "dictionary only" if not with_rules else "dictionary + mention rules"
        label += " + common-noun and pronoun mentions (nominal=True)" if nominal else ""
        label += " + nested mentions (nested=True)" if nested else ""
        print(f"\n== {label}: {len(found)} mentions ({elapsed:.2f}s)")
        print_scores(docs, gold, found)
        if nominal and not nested:
            flat = found
    print_by_kind(docs, gold, found)
    t0 = time.perf_counter()
    tagged = found_mentions(docs, with_rules=True, nominal=True, tagger=True, nested=True)
    elapsed = time.perf_counter() - t0
    print(
        f"\n== + the name tagger (tagger=True: unlisted names of unknown type typed or dropped): {len(tagged)} "
        f"mentions ({elapsed:.2f}s){'; trained on these documents, see its CV figures' if args.part != 'check' else ''}"
    )
    print_scores(docs, gold, tagged, named_only=False)
    _, best = re3d.load_re3d(args.folders, part=args.part, one_type_per_span=True)
    for label, mentions in (("without nested mentions", flat), ("with nested mentions", found)):
        table = re3d.score_mentions(mentions, best, docs, nested="merge")
        print(
            f"\n-- one type per span (re3d's most confident) and nested spans of a type as one ({len(best)} spans, "
            f"{table.iloc[0]['n_gold']} groups), lenient: a mention is right when it matches any span; {label}"
        )
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    rows = []
    for folder, fdocs in docs.groupby("folder"):
        ids = set(fdocs["doc_id"])
        t = re3d.score_mentions(found[found.doc_id.isin(ids)], gold[gold.doc_id.isin(ids)], fdocs)
        rows.append({"folder": folder, **t.iloc[0].drop("type").to_dict()})
    print("-- per folder, lenient (the issue's rule)")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.shapes:
        for label, mentions in (("without nested mentions", flat), ("with nested mentions", found)):
            print(f"\n== shapes, {label}")
            print_shapes(docs, gold, mentions)
    if args.errors:
        print_errors(docs, gold, found, args.errors)
    return 0


PRONOUNS = frozenset(
    "i me my mine we us our ours you your he him his she her hers it its they them their theirs this that these "
    "those here there".split()
)


def span_shape(value: str) -> str:
    """What a gold span looks like: a pronoun ("he", "We"), a name (a capitalised word, see :func:`is_named`), a
    lower-case phrase ("supply routes", "the city"), or numbers and coordinates."""
    if value.strip().lower() in PRONOUNS:
        return "pronoun"
    if is_named(value):
        return "name"
    if not any(c.isalpha() for c in value) or (any(c.isdigit() for c in value) and "°" in value):
        return "number or coordinate"
    return "lower-case phrase"


def count_non_overlapping(gold: pd.DataFrame) -> int:
    """The most gold spans that non-overlapping mentions (as ours are: a character is in one mention at most) can
    recall one-to-one, about: the largest set of pairwise non-overlapping gold spans of each document (earliest end
    first). re3d nests spans ("Iraqi Prime Minister Nouri al-Maliki" holds "Iraqi" and "Nouri al-Maliki") and types
    one span twice ("Syria": Location and Organisation), so this is below the number of spans."""
    n = 0
    for _, gd in gold.groupby("doc_id"):
        last = -1
        for s, e in sorted(zip(gd["start"], gd["end"]), key=lambda se: se[1]):
            if s >= last:
                n, last = n + 1, e
    return n


def print_shapes(docs, gold, found) -> None:
    """Gold spans by type and shape: recalled (issue's rule), missed though a mention overlaps them (it was matched
    to a nested or same-span gold span instead), or missed with no mention over them."""
    recalled = re3d.find_recalled(found, gold, docs)
    covered = pd.Series(False, index=gold.index)
    for doc_id, gd in gold.groupby("doc_id"):
        fd = found[found["doc_id"] == doc_id]
        fs, fe = fd["start"].to_numpy(), fd["end"].to_numpy()
        for k, s, e in zip(gd.index, gd["start"], gd["end"]):
            covered[k] = bool(((fs < e) & (fe > s)).any())
    status = pd.Series("missed, no mention over it", index=gold.index)
    status[covered] = "missed, a mention overlaps"
    status[recalled] = "recalled"
    table = pd.crosstab(
        [gold["type"], gold["value"].map(span_shape).rename("shape")], status.rename("outcome"), margins=True
    )
    print("\n-- gold spans by shape and outcome (issue's rule, one-to-one)")
    print(table.to_string())
    n = count_non_overlapping(gold)
    print(
        f"-- at most about {n} of the {len(gold)} gold spans ({n / len(gold):.3f}) can be recalled one-to-one by "
        "non-overlapping mentions (the largest set of non-overlapping gold spans per document; nested mentions "
        "go beyond it)"
    )
    print_causes(docs, gold, found, status)


DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def miss_cause(g, h) -> str:
    """Why gold span ``g``, overlapped by a mention, was missed: how it relates to the gold span ``h`` that
    mention was matched to instead (None: the mention overlaps ``g`` but shares no word or starts too far)."""
    if h is None:
        return "the mention overlaps it but matches no span (no shared word, or starts > 40 characters away)"
    if (h.start, h.end) == (g.start, g.end):
        return "the same span under another type (a state as Location and Organisation)"
    if h.start <= g.start and g.end <= h.end:
        return "inside the span the mention took"
    if g.start <= h.start and h.end <= g.end:
        if DETERMINER.sub("", g.value) == h.value:
            return "the span the mention took, with a determiner ('the SDF' and 'SDF')"
        return "holds the span the mention took ('ISIL tactical units' and 'ISIL')"
    return "crosses the span the mention took"


def print_causes(docs, gold, found, status: pd.Series) -> None:
    """The misses a mention overlaps, by cause (see :func:`miss_cause`) and gold type."""
    gold = gold.reset_index(drop=True)
    found = found.reset_index(drop=True)
    status = status.reset_index(drop=True)
    assigned = re3d.find_assignments(found, gold, docs)
    rows = []
    for doc_id, gd in gold[status == "missed, a mention overlaps"].groupby("doc_id"):
        fd = found[found["doc_id"] == doc_id]
        for g in gd.itertuples():
            over = fd[(fd["start"] < g.end) & (fd["end"] > g.start)]
            takers = [gold.loc[assigned[i]] for i in over.index if i in assigned]
            causes = [miss_cause(g, h) for h in takers] or [miss_cause(g, None)]
            # the same span twice typed explains a miss before any nesting does
            same = [c for c in causes if c.startswith("the same span")]
            rows.append({"cause": (same or causes)[0], "type": g.type})
    if rows:
        table = pd.crosstab(pd.DataFrame(rows)["cause"], pd.DataFrame(rows)["type"], margins=True)
        print("-- the misses a mention overlaps, by cause (the gold span that mention was matched to instead)")
        print(table.to_string())


def print_errors(docs, gold, found, n: int) -> None:
    """Gold spans no mention overlaps, and mentions that overlap no gold span."""
    from analysis.gold._score import spans_overlap

    text = dict(zip(docs["doc_id"], docs["text"]))
    miss, wrong = [], []
    for doc_id, gd in gold.groupby("doc_id"):
        fd = found[found.doc_id == doc_id]
        for g in gd.itertuples():
            if not any(spans_overlap(f.start, f.end, g.start, g.end) for f in fd.itertuples()):
                miss.append(
                    f"{g.type}: {g.value!r}  :: {' '.join(text[doc_id][max(0, g.start - 40) : g.end + 30].split())}"
                )
        for f in fd.itertuples():
            if not any(spans_overlap(f.start, f.end, g.start, g.end) for g in gd.itertuples()):
                wrong.append(f"{f.kind}/{f.type}: {text[doc_id][f.start : f.end]!r}")
    print(f"\n--- missed ({len(miss)})")
    print("\n".join(miss[:n]))
    print(f"\n--- not in the gold ({len(wrong)})")
    print("\n".join(wrong[:n]))


if __name__ == "__main__":
    raise SystemExit(main())
