"""Term and n-gram frequencies, keyness, collocations and keyword-in-context (concordance) tables."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from analysis.text import TOKEN_PATTERN

# Bumped whenever analysis.text.TOKEN_PATTERN changes the tokens it yields (recorded in manifest.json).
TOKENIZER_VERSION = "treebank-compatible-regex-1"
RESOURCE_VERSIONS = {"tokenizer": TOKENIZER_VERSION}


def _doc_term_counts(doc_ids, texts) -> tuple[pd.DataFrame, np.ndarray]:
    """Long doc-term counts (doc_id, term, count) sorted by doc_id then term, and the token total per document.

    One C-level regex scan and one Counter per document; Python objects exist only for the current chunk.
    """
    ids, terms, counts, totals = [], [], [], []
    for doc_id, text in zip(doc_ids, texts):
        counter = Counter(TOKEN_PATTERN.findall(text.lower())) if isinstance(text, str) else Counter()
        keys = sorted(counter)
        ids.append(np.full(len(keys), doc_id, dtype=object))
        terms.extend(keys)
        counts.extend(counter[k] for k in keys)
        totals.append(sum(counter.values()))
    table = pd.DataFrame({
        "doc_id": np.concatenate(ids) if ids else np.array([], dtype=object),
        "term": np.array(terms, dtype=object),
        "count": np.array(counts, dtype="int64"),
    })
    return table, np.array(totals, dtype="int64")


def analyze_chunk(docs: pd.DataFrame, sentences: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Pipeline stage: ``terms`` (doc_id, term, count; all word tokens, no stopword removal) and n_tokens per doc."""
    order = docs.sort_values("doc_id", kind="stable")
    terms, totals = _doc_term_counts(order["doc_id"].to_numpy(), order["text"].to_numpy())
    documents = pd.DataFrame({"doc_id": order["doc_id"].to_numpy(), "n_tokens": totals})
    return {"terms": terms, "documents_frequency": documents}
