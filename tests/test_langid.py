"""Language identification (py3langid) on short self-written news sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import langid

TEXTS = {
    "en": "The convoy reached the besieged district at dawn, and aid workers began handing out flour and blankets.",
    "ar": "وصلت القافلة إلى الحي المحاصر عند الفجر وبدأ عمال الإغاثة بتوزيع الطحين والبطانيات.",
    "fr": "Le convoi a atteint le quartier assiégé à l'aube et les humanitaires ont commencé à distribuer de la farine.",
    "de": "Der Konvoi erreichte das belagerte Viertel im Morgengrauen, und die Helfer verteilten Mehl und Decken.",
    "es": "El convoy llegó al barrio sitiado al amanecer y los cooperantes empezaron a repartir harina y mantas.",
    "ru": "Колонна достигла осаждённого района на рассвете, и гуманитарные работники начали раздавать муку.",
    "fa": "کاروان هنگام سپیده‌دم به محله محاصره‌شده رسید و امدادگران توزیع آرد و پتو را آغاز کردند.",
    "uk": "Колона дісталася обложеного району на світанку, і гуманітарні працівники почали роздавати борошно.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_language_of_a_sentence(lang):
    assert langid.find_language(TEXTS[lang]) == lang


def test_too_little_text_is_undetermined():
    assert langid.find_language("Gaza, 12") == "und"
    assert langid.find_language("") == "und" and langid.score_language("   ") == ("und", 0.0)


def test_opening_decides():
    # only the first SAMPLE_CHARS characters are read: a long French article with an English appendix stays French
    text = (TEXTS["fr"] + " ") * 40 + TEXTS["en"] * 10
    assert langid.find_language(text) == "fr"


def test_count_languages():
    docs = pd.DataFrame({"lang": ["en", "ar", "en", None]})
    out = langid.count_languages(docs)
    assert out.to_dict("records") == [
        {"lang": "en", "n_articles": 2},
        {"lang": "ar", "n_articles": 1},
        {"lang": "und", "n_articles": 1},
    ]


def _variants() -> list[str]:
    """Every sentence above cut at many points, in upper case, twice over and mixed: texts of every length."""
    out = []
    for text in TEXTS.values():
        words = text.split()
        out += [" ".join(words[:k]) for k in range(1, len(words) + 1)]
        out += [text.upper(), (text + " ") * 12, text + " " + TEXTS["en"], "12 34 " + text[:30]]
    return out + ["", "Gaza, 12", "!!!"]


def test_batch_scores_are_exactly_those_of_classify():
    texts = _variants()
    assert len(texts) > langid.BATCH_MIN
    ident = langid._identifier()
    encoded = [ident._encode(t[: langid.SAMPLE_CHARS]) for t in texts if t]
    langs, probs = langid._classify_many(ident, encoded, langid._visit_counts(ident, encoded))
    assert list(zip(langs, probs)) == [ident.classify(e) for e in encoded]
    assert langid.find_languages(texts) == [langid.find_language(t) for t in texts]
    assert set(langid.find_languages(texts)) >= set(TEXTS) | {"und"}
    assert langid.find_languages(texts[:3]) == [langid.find_language(t) for t in texts[:3]]  # below BATCH_MIN


def test_batch_languages_of_real_articles(fakes_csv, reuters_csv):
    texts = pd.read_csv(fakes_csv, encoding="latin-1")["article_content"].fillna("").astype(str).tolist()
    texts += pd.read_csv(reuters_csv).iloc[:, 1].fillna("").astype(str).tolist()
    assert langid.find_languages(texts) == [langid.find_language(t) for t in texts]


def test_unpacked_model_cache_gives_the_packed_model(tmp_path, monkeypatch):
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = langid._unpacked_model(MODEL_DIR / MODEL_FILE)  # unpacks into tmp_path
    again = langid._unpacked_model(MODEL_DIR / MODEL_FILE)  # reads the unpacked files
    assert [p.name for p in (tmp_path / "conflict-news").iterdir()][0].startswith("py3langid-")
    ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
    for arrays in (first, again):
        assert np.array_equal(arrays["ptc"], ptc) and arrays["ptc"].dtype == ptc.dtype
        assert np.array_equal(arrays["pc"], pc) and arrays["classes"].tolist() == classes
        assert arrays["nextmove"].tobytes() == nextmove.tobytes() and arrays["nextmove_row"].tobytes() == row.tobytes()
        assert arrays["out_feat"].tolist() == output
    ident = langid._identifier()  # from the cache or the packed file: the same decisions
    assert ident.classify("Le gouvernement a annoncé mardi de nouvelles mesures.")[0] == "fr"


def test_unpacked_model_cache_not_writable_falls_back(tmp_path, monkeypatch):
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # the cache root cannot be created under a file
    assert langid._unpacked_model(MODEL_DIR / MODEL_FILE) is None


def test_enough_letters_stops_at_the_twentieth_letter_with_the_same_answer():
    import random

    rng = random.Random(1)
    alphabet = [*"ab1_ .,\u00e9\u00df\u0663\u0643", "\n"]  # letters, digits, underscore, Arabic digit and letter
    cases = ["Gaza, 12", "a" * 19, "a" * 20, "1 2 3 " + "b " * 20, "_" * 40 + "c" * 20]
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    for text in cases:
        letters = sum(ch.isalpha() for ch in text)  # str.isalpha is [^\W\d_] for these characters
        assert bool(langid._ENOUGH_LETTERS.match(text)) == (letters >= langid.MIN_LETTERS), text
