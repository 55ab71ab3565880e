"""Tests of `analysis.dedup`: exact and near-duplicate detection with MinHash and LSH banding."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from analysis import clean, dedup
from analysis.errors import ParameterError

STORY = (
    "Air strikes hit several villages in the countryside west of the city on Thursday, killing at least nine "
    "civilians including two children, a monitoring group and local medics said. The strikes came a day after "
    "insurgents attacked army positions on the edge of the city, and residents said many families had left "
    "their homes for the olive groves to the north."
)
OTHER = (
    "Delegations from the government and the opposition met again in the capital on Monday for a new round of "
    "talks, a spokesman for the mediators said, adding that the agenda would focus on prisoner exchanges and "
    "on the reopening of roads between the northern provinces and the coast before the winter."
)


def _corpus(rows):
    df = pd.DataFrame(rows, columns=["doc_id", "published", "text"])
    df["published"] = pd.to_datetime(df["published"])
    return df


def _jaccard(a: str, b: str, k: int = 3) -> float:
    def sh(t):
        w = clean.normalize_for_hash(t).split()
        return {tuple(w[i : i + k]) for i in range(len(w) - k + 1)}

    return len(sh(a) & sh(b)) / len(sh(a) | sh(b))


def test_exact_duplicates_ignore_case_and_punctuation_and_point_to_earliest():
    corpus = _corpus(
        [
            ("b", "2017-03-02", STORY),
            ("a", "2017-03-05", STORY.upper().replace(",", "")),
            ("c", None, STORY),
            ("d", "2017-03-01", OTHER),
        ]
    )
    dups = dedup.find_duplicates(corpus).set_index("doc_id")
    assert set(dups.index) == {"a", "c"}
    assert (dups["duplicate_of"] == "b").all() and (dups["dup_kind"] == "exact").all()
    assert (dups["dup_similarity"] == 1.0).all()


def test_same_date_ties_broken_by_doc_id():
    dups = dedup.find_duplicates(_corpus([("z", "2017-01-01", STORY), ("y", "2017-01-01", STORY)]))
    assert dups.to_dict("records")[0]["duplicate_of"] == "y"


def test_near_duplicate_found_with_similarity_and_unrelated_kept():
    edited = STORY.replace("on Thursday", "on Thursday morning").replace("many families", "dozens of families")
    corpus = _corpus([("orig", "2017-03-02", STORY), ("edit", "2017-03-03", edited), ("other", "2017-03-01", OTHER)])
    dups = dedup.find_duplicates(corpus)
    assert list(dups["doc_id"]) == ["edit"] and list(dups["duplicate_of"]) == ["orig"]
    assert list(dups["dup_kind"]) == ["near"]
    assert abs(dups["dup_similarity"].iloc[0] - _jaccard(STORY, edited)) < 0.1
    strict = dedup.find_duplicates(corpus, near_threshold=0.99)
    assert strict.empty


def test_short_texts_only_exact():
    corpus = _corpus([("a", "2017-01-01", "Nine killed in strikes."), ("b", "2017-01-02", "Nine killed in strike.")])
    assert dedup.find_duplicates(corpus).empty


def test_threshold_validated():
    with pytest.raises(ParameterError, match="near_threshold"):
        dedup.find_duplicates(_corpus([("a", None, STORY)]), near_threshold=1.5)


def test_mark_duplicates_returns_new_frame():
    corpus = _corpus([("a", "2017-01-01", STORY), ("b", "2017-01-02", STORY)])
    before = corpus.copy()
    marked = dedup.mark_duplicates(corpus)
    pd.testing.assert_frame_equal(corpus, before)
    assert marked["duplicate_of"].tolist() == [None, "a"]
    assert marked["dup_kind"].tolist() == [None, "exact"]


def test_planted_near_duplicates_found_among_many_documents():
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(3000)]
    rows, planted = [], {}
    for i in range(1500):
        rows.append((f"d{i:05d}", "2017-01-01", " ".join(rng.choice(vocab) for _ in range(120))))
    for j in range(0, 1500, 50):  # 30 copies with ~3% of words replaced
        words = rows[j][2].split()
        for k in rng.sample(range(len(words)), 4):
            words[k] = rng.choice(vocab)
        doc = f"n{j:05d}"
        rows.append((doc, "2017-01-02", " ".join(words)))
        planted[doc] = rows[j][0]
    dups = dedup.find_duplicates(_corpus(rows)).set_index("doc_id")
    assert dict(dups["duplicate_of"]) == planted


def test_deterministic():
    corpus = _corpus(
        [("a", "2017-01-01", STORY), ("b", "2017-01-02", STORY.replace("nine", "ten")), ("c", "2017-01-03", OTHER)]
    )
    pd.testing.assert_frame_equal(dedup.find_duplicates(corpus), dedup.find_duplicates(corpus))


def test_signature_estimates_jaccard():
    signer = dedup._Signer(256, 3)
    a = clean.normalize_for_hash(STORY).split()
    b = clean.normalize_for_hash(STORY.replace("nine", "ten").replace("olive", "orange")).split()
    est = float((signer.sign(a) == signer.sign(b)).mean())
    assert abs(est - _jaccard(STORY, STORY.replace("nine", "ten").replace("olive", "orange"))) < 0.08
    assert np.array_equal(signer.sign(a), dedup._Signer(256, 3).sign(a))


def test_signature_does_not_depend_on_batching_or_chunking():
    docs = [clean.normalize_for_hash(t).split() for t in (STORY, OTHER, STORY + " " + OTHER, "too short")]
    whole = dedup._Signer(64, 3, batch=16, chunk=10**9).sign_many(docs)
    assert np.array_equal(whole, dedup._Signer(64, 3, batch=1, chunk=7).sign_many(docs))


def test_permutations_and_band_choice_are_datasketch_s():
    """dedup generates datasketch's MinHash permutations and LSH (bands, rows) itself (importing datasketch costs
    1.5 s of scipy): both must equal datasketch's own."""
    datasketch = pytest.importorskip("datasketch")
    from datasketch.lsh import _optimal_param

    for num_perm, seed in ((128, 1), (64, 7)):
        a, b = dedup.minhash_permutations(num_perm, seed)
        ref = datasketch.MinHash(num_perm=num_perm, seed=seed).permutations
        assert np.array_equal(a, ref[0].astype(np.uint64)) and np.array_equal(b, ref[1].astype(np.uint64))
    for threshold in np.round(np.arange(0.05, 1.0001, 0.05), 2):
        for num_perm in (32, 128, 256):
            assert dedup._lsh_params(float(threshold), num_perm) == _optimal_param(float(threshold), num_perm, 0.1, 0.9)


def test_marks_from_keys_batch_by_batch_equal_whole_corpus():
    """Keys computed batch by batch (as ingest's workers do) give the marks of the whole corpus at once."""
    rng = random.Random(3)
    words = STORY.split() + OTHER.split()
    rows = []
    for i in range(60):
        base = STORY if i % 3 else OTHER
        text = base if i % 7 else " ".join(rng.sample(words, len(words)))
        if i % 5 == 0:
            text = text.replace("city", "town", 1)
        rows.append((f"d{i:03d}", f"2017-01-{1 + i % 28:02d}" if i % 4 else None, text))
    corpus = _corpus(rows)
    whole = dedup.find_duplicates(corpus)
    parts = [dedup.key_texts(corpus["text"].iloc[lo : lo + 7].tolist()) for lo in range(0, 60, 7)]
    keys = dedup.TextKeys(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("digests", "n_words", "signatures"))
    )
    marks = dedup.find_duplicate_marks(corpus["doc_id"].to_numpy(dtype=str), corpus["published"].to_numpy(), keys)
    dup = np.flatnonzero(marks.kind > 0)
    got = (
        pd.DataFrame(
            {
                "doc_id": corpus["doc_id"].to_numpy()[dup],
                "duplicate_of": corpus["doc_id"].to_numpy()[marks.first[dup]],
                "dup_similarity": marks.similarity[dup],
                "dup_kind": [dedup.KINDS[k] for k in marks.kind[dup]],
            }
        )
        .sort_values("doc_id", kind="stable")
        .reset_index(drop=True)
    )
    assert set(whole["dup_kind"]) == {"exact", "near"}
    pd.testing.assert_frame_equal(got, whole)


def _edited_copies(*, seed: int, n: int, drop: float, note: str, month: int, undated_every: int) -> pd.DataFrame:
    """``n`` copies of the two stories: odd ones with each word dropped at rate ``drop``, even ones with a numbered
    ``note`` appended; dated in 2017's ``month`` except every ``undated_every``-th."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        base = STORY if i % 3 else OTHER
        text = " ".join(w for w in base.split() if rng.random() > drop) if i % 2 else base + f" {note} {i}"
        rows.append((f"d{i:03d}", f"2017-{month:02d}-{1 + i % 27:02d}" if i % undated_every else None, text))
    return _corpus(rows)


def test_marks_the_same_when_candidate_pairs_spill_to_disk(monkeypatch, tmp_path):
    """LSH candidate pairs grouped in small blocks and spilled to a file give the marks of the in-memory run."""
    corpus = _edited_copies(seed=11, n=80, drop=0.04, note="note", month=2, undated_every=5)
    whole = dedup.find_duplicates(corpus)
    assert (whole["dup_kind"] == "near").sum() > 20
    monkeypatch.setattr(dedup, "PAIR_BLOCK", 7)
    monkeypatch.setattr(dedup, "_PAIRS_IN_MEMORY", 5)
    monkeypatch.setattr(dedup.tempfile, "gettempdir", lambda: str(tmp_path))
    pd.testing.assert_frame_equal(dedup.find_duplicates(corpus), whole)


def test_marks_the_same_with_signatures_in_a_file(monkeypatch, tmp_path):
    """Signatures appended batch by batch to a SignatureFile (read back in small chunks) give the marks of the
    held signatures, and the file's rows and band keys are the held ones."""
    corpus = _edited_copies(seed=5, n=90, drop=0.05, note="update", month=3, undated_every=6)
    texts = corpus["text"].tolist()
    held = dedup.key_texts(texts)
    store = dedup.SignatureFile(dedup.DEFAULT_NUM_PERM, tmp_path)
    for lo in range(0, len(texts), 11):
        store.append(dedup.key_texts(texts[lo : lo + 11]).signatures)
    try:
        assert store.shape == held.signatures.shape
        pick = np.array([5, 0, 89, 5, 40])
        assert np.array_equal(store.take(pick), held.signatures[pick])
        monkeypatch.setattr(dedup.SignatureFile, "CHUNK_ROWS", 16)
        bands, r = dedup._lsh_params(dedup.DEFAULT_NEAR_THRESHOLD, dedup.DEFAULT_NUM_PERM)
        weights = np.arange(1, r + 1, dtype=np.uint64) * np.uint64(0x9E3779B1)
        for band in (0, bands - 1):
            want = dedup._band_keys(held.signatures[:, band * r : (band + 1) * r], band, weights)
            assert np.array_equal(store.band_keys(band, bands, r, weights), want)
        ids, published = corpus["doc_id"].to_numpy(dtype=str), corpus["published"].to_numpy()
        a = dedup.find_duplicate_marks(ids, published, held)
        b = dedup.find_duplicate_marks(ids, published, dedup.TextKeys(held.digests, held.n_words, store))
    finally:
        store.close()
    assert (a.kind == 2).sum() > 20
    for f in ("first", "similarity", "kind"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def test_hash_words_are_the_split_of_the_hash_key():
    """key_texts takes the words of the exact-duplicate key directly instead of splitting the key again."""
    from analysis.clean import hash_words, normalize_for_hash

    texts = [
        "Shelling hit the OLD market\u00a0before dawn,\x1cresidents said.",
        "Stra\u00dfe\u3000gesperrt \u2013 \u0627\u0644\u062d\u0635\u0627\u0631 ist vorbei_heute 12,5",
        "",
        " \n\t ",
    ]
    for text in texts:
        assert hash_words(text) == normalize_for_hash(text).split()
    assert hash_words(texts[0])[:4] == ["shelling", "hit", "the", "old"]
    assert hash_words(texts[1])[0] == "strasse"  # casefold, as the key
