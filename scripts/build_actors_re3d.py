"""Build analysis/resources/actors_re3d.yaml: persons, organisations and places named in re3d's tune documents.

    .venv/bin/python scripts/build_actors_re3d.py [--out PATH]

Reads the Person, Organisation and Location spans of re3d's **tune** part only (``analysis.gold.re3d``,
``part="tune"``: the 11 held-out check documents are never read) and keeps a span's text as an alias when it is a
name the built-in files (actors.yaml, places.yaml, persons.yaml, places_geonames.yaml) do not already resolve:
- leading "the", titles ("Lt. Gen.", "Mr", "Foreign Minister") and nationality words are dropped ("Turkish Foreign
  Minister Mevlut Cavusoglu" -> "Mevlut Cavusoglu"; the mention rules read the title and the nationality);
- every word is capitalised or a name particle ("al", "of", "bin", ...), at most six words, no digits only, no
  brackets or coordinates; an acronym has at least three letters and is not a weapon ("VBIED");
- a single word is not an ordinary English word (written in lower case at least twice in the reference texts:
  PolNeAR train, ISOT/Reuters, FA-KES, as in ``build_gazetteer.py``), not a day or month, not a nationality or
  people word of ``mention_rules.yaml``, and not a first name (mostly followed by another capitalised word in the
  reference texts: "Karim", "Hassan"); a single-word person is kept only as the surname of a full name seen in the
  same part ("Qanbar" of "Abboud Qanbar"), and becomes an alias of that person;
- an alias the built-in files claim, or that two types claim (re3d marks "Al Huwayjah" both Person and Location),
  is left out; otherwise the type is the one re3d gives the text most often.
Entries: Person -> actor of type ``person``; Organisation -> actor of type ``other``; Location -> place of type
``other`` (no coordinates). Each entry's ``note`` says where it was seen (folder, spans, documents).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_gazetteer import reference_vocabulary, save_generated  # noqa: E402

from analysis import actors, config, provenance  # noqa: E402
from analysis.actors import mention_rules  # noqa: E402
from analysis.gold import re3d  # noqa: E402

PARTICLES = frozenset("al el ad ar as az ash bin ibn abu bani of for the de du and von van ez es".split())
# re3d marks these as Organisation in CENTCOM strike reports; they are weapons or unit kinds, not names
NOT_NAMES = frozenset("VBIED VBIEDs SVBIED IED IEDs UAV UAS ISIL ISIS CJTF Coalition".split())
CALENDAR = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December".split()
)
PRONOUNS = frozenset("I We He She They It You Me Him Her Them Us His Its Our Their My Your".split())
# a name's word: "Qanbar", "Ja'afari", "Al-Masri", "al-Mazidi", "Ninety-Four", an initial "J." or acronym "U.S.",
# "NAVCENT", a number after a name ("CTF 50"); not "U.S.-led", "Syria.The", "Kurdish-speaking"
WORD_RE = re.compile(
    r"^(?:(?:al|el|ad|ar|as|az|ash|abu|bin|ibn)-)?(?:[A-Z][A-Za-z']*(?:-[A-Z][A-Za-z']*)*|(?:[A-Z]\.)+|[0-9]+)$"
)
# words that make kinds of organisation with the organisation_heads of mention_rules.yaml ("Joint Task Force")
GENERIC_WORDS = frozenset("Joint Combined Task Air Naval Land Human Rights War Warfare Operator Operations".split())
# titles re3d's person spans carry that mention_rules.yaml does not list (they are not names either)
EXTRA_TITLES = frozenset("HE High Representative Commodore Petty Officer Press Pentagon Staff".split())
TYPES = {"Person": ("actor", "person"), "Organisation": ("actor", "other"), "Location": ("place", "other")}


def ascii_fold(text: str) -> str:
    """ "Mevlüt Çavuşoğlu" -> "Mevlut Cavusoglu" (the alias is also kept as written)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def clean_name(value: str, rules) -> str | None:
    """The name in a gold span, or None when the span is not a name (see the module docstring)."""
    value = "".join(c for c in value if unicodedata.category(c) != "Cf").replace("’", "'")
    words = " ".join(value.split()).rstrip(".,;:").removesuffix("'s").split()
    titles = rules.person_titles | rules.title_joiners | EXTRA_TITLES
    while words and (
        words[0] in ("the", "The")
        or words[0] in titles
        # "Turkish Foreign Minister ...": a nationality before a title (not "Syrian Computer Society")
        or (words[0] in rules.nationalities or words[0] in rules.peoples)
        and len(words) > 1
        and words[1] in titles
    ):
        words = words[1:]
    if not words or len(words) > 6 or words[0] in PRONOUNS or words[0] in rules.not_name_first_words:
        return None
    if words[0].lower() in PARTICLES and "-" not in words[0] or words[0][0].isdigit() or words[-1] in titles:
        return None  # "of the Victorious Sect", "292 Iraqis", "Inherent Resolve Commander": parts of a phrase
    if words[0] in ("Some", "Members", "Ministers", "Men", "Northern", "Southern", "Eastern", "Western"):
        return None
    folded = [ascii_fold(w) for w in words]
    if not all(WORD_RE.match(w) or w in PARTICLES for w in folded):
        return None
    name = " ".join(words)
    if sum(c.isalpha() for c in name) < 3 or any(w in NOT_NAMES for w in words):
        return None
    return name


def _known_person(name: str, builtin) -> bool:
    """Whether the last word of a person's name ("Maliki", "al-Abadi") is a built-in person's alias."""
    last = name.split(" ")[-1]
    for form in (last, last.removeprefix("al-").removeprefix("Al-")):
        owner = builtin._alias_owner.get(form.lower())
        if owner is not None and builtin.entries[owner].type == "person":
            return True
    return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=config.resource("actors_re3d.yaml"))
    args = ap.parse_args(argv)
    rules = mention_rules.load_mention_rules()
    builtin = actors.load_dictionary([config.resource(n) for n in actors.BUILTIN_FILES[:4]], extend=False)
    claimed = set(builtin._alias_owner)
    vocab, first_names, used = reference_vocabulary()
    docs, gold = re3d.load_re3d(part="tune", types=tuple(TYPES))
    folder_of = dict(zip(docs["doc_id"], docs["folder"]))

    def ordinary(word: str) -> bool:
        return (
            vocab.get(word.lower(), 0) >= 2
            or word in CALENDAR
            or word in rules.nationalities
            or word in rules.peoples
            or word.rstrip("s") in rules.nationalities
            or word.rstrip("s") in rules.peoples
            or word in rules.not_names
            or first_names[word] >= 2
            and first_names[word] >= vocab[word] / 2
        )

    generic = rules.organisation_heads | rules.place_heads | rules.title_joiners | GENERIC_WORDS
    seen: dict[str, Counter] = defaultdict(Counter)  # name -> Counter(type)
    where: dict[str, set] = defaultdict(set)  # name -> {(folder, doc_id)}
    for doc_id, typ, value in zip(gold["doc_id"], gold["type"], gold["value"]):
        name = clean_name(value, rules)
        if name is not None:
            seen[name][typ] += 1
            where[name].add((folder_of[doc_id], doc_id))
    full_persons = {n for n, c in seen.items() if " " in n and c.most_common(1)[0][0] == "Person"}
    entries: dict[str, dict] = {}
    surnames: dict[str, str] = {}
    for name in sorted(seen):
        counts = seen[name]
        (typ, n), *rest = counts.most_common()
        if rest and rest[0][1] == n:
            continue  # two types as often: re3d itself does not say what it is
        forms = list(dict.fromkeys([name, ascii_fold(name)]))
        if any(f.lower() in claimed for f in forms) or builtin.mentions(name):
            # an alias of the built-in files, or a name with one inside: "U.S. Marines", "ISIL's War Committee"
            # stay mentions of the United States and of IS (a new entry would take their counts)
            continue
        words = name.split(" ")
        if words[0] in rules.nationalities or words[0] in rules.peoples:
            continue  # "Australian Government", "Sunni Arabs": the mention rules read these
        if all(w in generic for w in words):
            continue  # "Task Force", "Air Force", "Human Rights": kinds of organisation, not names
        single = " " not in name and "-" not in name
        if single and not name.isupper() and (ordinary(name) or typ == "Organisation"):
            continue  # "Navy", "Treasury", "Marines": a kind of organisation more than a name
        if single and typ == "Person" and not name.isupper():
            owners = sorted(p for p in full_persons if p.split(" ")[-1] == name)
            if len(owners) == 1:
                surnames[name] = owners[0]
            continue
        if typ == "Person" and _known_person(name, builtin):
            continue  # "Nouri Maliki", "Joseph L. Votel": a built-in person written another way
        kind, etype = TYPES[typ]
        folders = Counter(f for f, _ in where[name])
        note = (
            f"source: re3d tune ({', '.join(f'{f}' for f in sorted(folders))}): {sum(counts.values())} span(s) in "
            f"{len({d for _, d in where[name]})} document(s), typed {typ}"
        )
        slug = re.sub(r"[^a-z0-9]+", "_", ascii_fold(name).lower()).strip("_")
        entries[name] = {
            "id": f"re3d_{slug}",
            "kind": kind,
            "label": name,
            "type": etype,
            "aliases": forms,
            "note": note,
        }
    for surname, full in surnames.items():
        if full in entries and surname.lower() not in claimed:
            entries[full]["aliases"].append(surname)
            entries[full]["note"] += f"; surname {surname!r} also a person span there"
    ids = Counter(e["id"] for e in entries.values())
    lows: Counter = Counter(a.lower() for e in entries.values() for a in e["aliases"])
    out = {"actors": [], "places": []}
    for e in entries.values():
        if ids[e["id"]] > 1 or any(lows[a.lower()] > 1 for a in e["aliases"]):
            continue
        section = "actors" if e.pop("kind") == "actor" else "places"
        out[section].append(e)
    paths = [config.SHARED_CORPORA / "re3d" / f / "entities.json" for f in sorted(set(docs["folder"]))]
    data = {
        "version": date.today().strftime("%Y.%m.%d"),
        "description": "Persons, organisations and places that re3d's annotators marked in its tune documents "
        "and the other built-in files lack. Generated by scripts/build_actors_re3d.py; edit the script, not "
        "this file.",
        "provenance": {
            "source": "re3d (dstl), tune part only: analysis.gold.re3d.load_re3d(part='tune'); the check part "
            "(CHECK_SHARE of each folder by sha256 of the document id) is not read",
            "files": {f"{p.parent.name}/{p.name}": provenance.file_sha256(p)[:16] for p in paths if p.exists()},
            "ordinary_words_from": used,
            "built": date.today().isoformat(),
            "script": "scripts/build_actors_re3d.py",
        },
        **out,
    }
    save_generated(args.out, data, "from re3d's tune documents")
    print(f"{args.out}: {len(out['actors'])} actors, {len(out['places'])} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
