"""Shared scoring helpers for the gold-set modules: one-to-one matching and precision/recall/F1."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+")
# words that carry no identity: two spans sharing only these do not match
FUNCTION_WORDS = frozenset(
    "the a an of for and or to in on at by with from as its his her their our this that these those 's s".split()
)


def content_words(text: str) -> frozenset[str]:
    """Lower-cased word tokens of ``text`` without function words (pronouns are kept: "he" matches "he")."""
    return frozenset(w for w in _WORD.findall(str(text).lower()) if w not in FUNCTION_WORDS)


def spans_overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    """Whether character spans [a0, a1) and [b0, b1) share at least one character."""
    return a0 < b1 and b0 < a1


def match_one_to_one(pairs: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: ``pairs`` are (cost, found index, gold index); cheapest first, each used once."""
    used_f, used_g, out = set(), set(), []
    for _, f, g in sorted(pairs):
        if f in used_f or g in used_g:
            continue
        used_f.add(f)
        used_g.add(g)
        out.append((f, g))
    return out


def prf(n_found: int, n_gold: int, n_correct_found: int, n_correct_gold: int | None = None) -> dict:
    """precision, recall, F1 (recall from ``n_correct_gold`` when matching is not one-to-one)."""
    n_correct_gold = n_correct_found if n_correct_gold is None else n_correct_gold
    p = n_correct_found / n_found if n_found else 0.0
    r = n_correct_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"n_found": n_found, "n_gold": n_gold, "n_correct": n_correct_found, "precision": p, "recall": r, "f1": f}
