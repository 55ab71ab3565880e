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
