"""Discovery and checks: names the dictionary does not list yet, and agreement of places with FA-KES coding."""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd
import regex

from analysis import config
from analysis.actors.dictionary import ACTORS_FILE, ActorDictionary, _read_yaml, default_dictionary
from analysis.actors.matcher import normalise
from analysis.actors.mentions import _as_documents
from analysis.errors import ParameterError
from analysis.tables import require_columns

# -------------------------------------------------------------------------------------------------------- discovery
_NAME_RE = regex.compile(
    r"(?<![\p{L}\p{N}'])"
    r"(?:(?:[Aa]l|[Ee]l|[Aa]bu|[Bb]in|[Ii]bn|[Uu]m|[Aa]sh|[Aa]d|[Aa]r|[Aa]s|[Aa]z)[-\s])?"
    r"\p{Lu}[\p{Ll}'][\p{L}'\-]*"
    r"(?:[-\s](?:(?:al|el|ad|ar|as|az|ash|bin|ibn|abu|bani|of|for|the|de|ez|es)[-\s])?\p{Lu}[\p{Ll}'][\p{L}'\-]*)*"
    r"(?![\p{L}\p{N}])"
)
_ACRONYM_RE = regex.compile(r"(?<![\p{L}\p{N}'])\p{Lu}{2,6}s?(?![\p{L}\p{N}])")
MAX_NAME_WORDS = 6  # longer capitalised runs are page furniture ("Contact Us Legal Terms of Use ..."), not names
_LOWER_WORD_RE = regex.compile(r"(?<![\p{L}\p{N}])\p{Ll}[\p{Ll}'-]*")


@lru_cache(maxsize=1)
def _discovery_lists() -> tuple[frozenset, frozenset, frozenset]:
    """(stopwords, demonyms, titles) from the ``discovery`` section of the built-in actors.yaml."""
    data = _read_yaml(config.resource(ACTORS_FILE)).get("discovery") or {}
    return tuple(frozenset(str(w) for w in data.get(key, [])) for key in ("stopwords", "demonyms", "titles"))


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 12) : start].rstrip(" \t\"'(\u201c\u2018[-")
    return not before or before[-1] in ".!?:\n" or before.endswith("...")


def _strip_leading(name: str, drop: frozenset) -> str:
    """Drop leading words in ``drop`` and the lower-case joiners they leave ("Army of Conquest" -> "Conquest")."""
    words = name.split(" ")
    while len(words) > 1 and (words[0] in drop or words[0].islower()):
        words = words[1:]
    return " ".join(words)


def find_unlisted_names(
    corpus,
    *,
    dictionary: ActorDictionary | None = None,
    min_count: int = 2,
    top: int | None = 100,
    include_acronyms: bool = True,
    context: int = 40,
    corpus_file: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Frequent capitalised names and acronyms that the dictionary does not cover, ranked, to extend it.

    ``corpus``: a corpus DataFrame (doc_id, text), a Series or a list of texts. Text covered by a dictionary
    mention is masked first, so only uncovered names remain. Single words that appear only at sentence starts,
    that are stopwords or demonyms ("Kurdish", "Sunni"; lists in the ``discovery`` section of actors.yaml), that
    also occur in lower case in the corpus (common words), or that are a covered name plus "s" (possessives
    written without apostrophe) are dropped; leading stopwords and titles are stripped ("Prime Minister X" -> "X");
    runs of more than six capitalised words (page furniture) are dropped.
    Columns: name (most frequent spelling), kind ('name' | 'acronym'), n_mentions, n_articles,
    n_sentence_initial, first_doc_id, context (the first occurrence with ``context`` characters around it).
    Sorted by n_articles, n_mentions (desc), then name; names with fewer than ``min_count`` mentions are dropped.
    ``corpus_file``: the corpus file to read the texts of ``corpus``'s articles (doc_id) from, one row group at a
    time and in the file's order, instead of a text column (a report on a large corpus loads it without texts).
    """
    dictionary = dictionary or default_dictionary()
    if corpus_file is not None:
        from analysis.corpus import iter_corpus_texts

        require_columns(corpus, ["doc_id"], what="corpus")
        texts = iter_corpus_texts(corpus_file, corpus["doc_id"])
    else:
        docs, _ = _as_documents(corpus)
        texts = zip(docs["doc_id"].to_numpy(), docs["text"].to_numpy())
    stop, demonyms, titles = _discovery_lists()
    matcher = dictionary._matcher_obj()
    lower_vocab: Counter = Counter()
    found: dict[str, dict] = {}
    for doc_id, text in texts:
        if not isinstance(text, str) or not text:
            continue
        norm = normalise(text)
        chars = list(norm)
        for s, e, _ in matcher.find(norm):
            chars[s:e] = "\x00" * (e - s)
        masked = "".join(chars)
        lower_vocab.update(w for w in _LOWER_WORD_RE.findall(masked))
        cands = [(m.start(), m.group(), "name") for m in _NAME_RE.finditer(masked)]
        if include_acronyms:
            cands += [(m.start(), m.group(), "acronym") for m in _ACRONYM_RE.finditer(masked)]
        for start, name, ckind in cands:
            initial = _sentence_initial(masked, start)
            if ckind == "name":
                stripped = _strip_leading(_strip_leading(name, stop), titles)
                if stripped != name:
                    start += len(name) - len(stripped)
                    initial = False
                    name = stripped
                if name in stop or name in titles or name in demonyms:
                    continue
            key = name.lower()
            rec = found.get(key)
            if rec is None:
                lo, hi = max(0, start - context), min(len(text), start + len(name) + context)
                rec = found[key] = {
                    "forms": Counter(),
                    "kind": ckind,
                    "n": 0,
                    "docs": set(),
                    "initial": 0,
                    "first_doc_id": doc_id,
                    "context": " ".join(text[lo:hi].split()),
                }
            rec["forms"][name] += 1
            rec["n"] += 1
            rec["docs"].add(doc_id)
            rec["initial"] += initial
    rows = []
    for key, rec in found.items():
        name = rec["forms"].most_common(1)[0][0]
        if rec["n"] < min_count or name.count(" ") >= MAX_NAME_WORDS:
            continue
        if name[-1] == "s" and (dictionary.resolve(name[:-1]) or name[:-1] in stop | demonyms):
            continue  # a possessive written without its apostrophe ("Assads", "Syrias"): already covered
        single = " " not in name and "-" not in name
        if rec["kind"] == "name" and single:
            if rec["initial"] == rec["n"]:
                continue  # only ever seen at the start of a sentence: most likely an ordinary word
            if lower_vocab.get(key, 0) >= rec["n"] - rec["initial"]:
                continue  # as common in lower case as capitalised mid-sentence: an ordinary word
        rows.append(
            {
                "name": name,
                "kind": rec["kind"],
                "n_mentions": rec["n"],
                "n_articles": len(rec["docs"]),
                "n_sentence_initial": rec["initial"],
                "first_doc_id": rec["first_doc_id"],
                "context": rec["context"],
            }
        )
    out = pd.DataFrame(
        rows, columns=["name", "kind", "n_mentions", "n_articles", "n_sentence_initial", "first_doc_id", "context"]
    )
    out = out.sort_values(["n_articles", "n_mentions", "name"], ascending=[False, False, True], kind="stable")
    out = out.reset_index(drop=True)
    return out.head(top) if top else out


# ------------------------------------------------------------------------------------------------------- validation
def score_place_agreement(
    corpus: pd.DataFrame,
    *,
    label_column: str = "location",
    dictionary: ActorDictionary | None = None,
    text_columns: tuple[str, ...] = ("title", "text"),
    title_weight: float = 1.0,
) -> pd.DataFrame:
    """Per article: does the most-mentioned city-level place equal the article's location label?

    ``corpus`` has doc_id, the ``text_columns`` (missing ones are skipped) and ``label_column`` (e.g. FA-KES
    ``location``: "deir ezzor", "lattakia"...). Labels are resolved through the gazetteer to a city-level id.
    Mentions count towards the ``city_level`` of their place (Douma -> damascus); ties go to the place mentioned
    first. ``title_weight`` > 1 counts a mention in the ``title`` column that many times (1 = plain counts).
    Columns: doc_id, label, label_city, predicted_city, runner_up_city, n_place_mentions, n_city_mentions,
    correct. ``table.correct.mean()`` is the agreement; rows whose label does not resolve have label_city <NA>.
    """
    dictionary = dictionary or default_dictionary()
    require_columns(corpus, ["doc_id", label_column], what="corpus")
    cols = [c for c in text_columns if c in corpus.columns]
    if not cols:
        raise ParameterError(f"corpus has none of the text columns {list(text_columns)}")
    city = {eid: e.attrs.get("city_level") for eid, e in dictionary.entries.items() if e.kind == "place"}
    matcher = dictionary._matcher_obj()
    label_cache: dict[str, str | None] = {}
    rows = []
    columns = [corpus[c].fillna("").astype(str).to_numpy() for c in cols]
    weights = [title_weight if c == "title" else 1.0 for c in cols]
    for row, (doc_id, label) in enumerate(zip(corpus["doc_id"], corpus[label_column])):
        found, counts, first, offset = [], Counter(), {}, 0
        for values, weight in zip(columns, weights):
            text = values[row]
            for s, _, eid in matcher.find(normalise(text)):
                c = city.get(eid, False)
                if c is False:
                    continue
                found.append(eid)
                if c:
                    counts[c] += weight
                    first.setdefault(c, offset + s)
            offset += len(text) + 1
        ranked = sorted(counts, key=lambda c: (-counts[c], first[c]))
        if label not in label_cache:
            pid = dictionary.resolve(str(label), kind="place") if isinstance(label, str) else None
            label_cache[label] = city.get(pid) if pid else None
        label_city = label_cache[label]
        pred = ranked[0] if ranked else None
        rows.append(
            {
                "doc_id": doc_id,
                "label": label,
                "label_city": label_city,
                "predicted_city": pred,
                "runner_up_city": ranked[1] if len(ranked) > 1 else None,
                "n_place_mentions": len(found),
                "n_city_mentions": sum(1 for eid in found if city[eid]),
                "correct": bool(pred is not None and pred == label_city),
            }
        )
    return pd.DataFrame(rows)


def load_fakes(path: str | os.PathLike) -> pd.DataFrame:
    """FA-KES CSV (latin-1) as a small corpus: doc_id (row number), title, text, outlet, published, location, label.

    For validation of the gazetteer only; the full ingest path is ``python -m analysis ingest``.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, encoding="latin-1")
    except (OSError, pd.errors.ParserError) as exc:
        raise ParameterError(f"cannot read FA-KES CSV {path}: {exc}") from exc
    require_columns(raw, ["article_title", "article_content", "location"], what=str(path))
    return pd.DataFrame(
        {
            "doc_id": [f"fakes-{i:04d}" for i in range(1, len(raw) + 1)],
            "title": raw["article_title"],
            "text": raw["article_content"].fillna(""),
            "outlet": raw.get("source"),
            "published": pd.to_datetime(raw.get("date"), format="%m/%d/%Y", errors="coerce"),
            "location": raw["location"],
            "label": raw.get("labels"),
            "n_words": raw["article_content"].fillna("").str.split().str.len().astype("int64"),
        }
    )
