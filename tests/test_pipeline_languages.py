"""English-only stages (sentiment, actors, frames) leave other languages out, counted; language-free ones do not."""

from __future__ import annotations

import pandas as pd

from analysis import langid, notebook, pipeline
from analysis.tables import save_table

OTHER = {
    "x-ar": "قصفت الطائرات الحي الشرقي ليلة الثلاثاء وقتل عشرة مدنيين على الأقل، بحسب مسعفين في المدينة.",
    "x-fr": "Les avions ont bombardé le quartier est dans la nuit de mardi, tuant au moins dix civils selon les secours.",
}


def _mixed_corpus(mini_corpus: pd.DataFrame) -> pd.DataFrame:
    extra = mini_corpus.iloc[:2].copy()
    extra["doc_id"] = list(OTHER)
    extra["text"] = list(OTHER.values())
    extra["title"] = None
    extra["duplicate_of"] = None
    extra["lang"] = [langid.find_language(t) for t in OTHER.values()]
    out = pd.concat([mini_corpus, extra], ignore_index=True)
    return out


def test_english_only_stages_skip_and_count_other_languages(mini_corpus, tmp_path):
    corpus = _mixed_corpus(mini_corpus)
    assert sorted(corpus.loc[corpus["doc_id"].isin(list(OTHER)), "lang"]) == ["ar", "fr"]
    path = save_table(corpus, tmp_path / "articles.parquet")
    result = pipeline.analyze_corpus(path, tmp_path / "out", progress=False)
    docs = result.documents.set_index("doc_id")
    english = [d for d in docs.index if d not in OTHER]
    assert docs.loc[list(OTHER), "vader_compound"].isna().all()  # not scored: null, not 0
    assert docs.loc[english, "vader_compound"].notna().all()
    assert docs.loc[list(OTHER), "n_tokens"].gt(0).all()  # frequency counts every language
    terms = result.table("terms")
    assert set(OTHER) <= set(terms["doc_id"])
    left = result.manifest["left_out"]
    for stage in ("analysis.sentiment", "analysis.actors", "analysis.frames"):
        assert left[stage]["n_articles"] == 2 and left[stage]["by_language"] == {"ar": 1, "fr": 1}
    assert "analysis.frequency" not in left
    sent = result.table("sentences")
    assert sent.loc[sent["doc_id"].isin(list(OTHER)), "vader_compound"].isna().all()


def test_reports_say_how_many_were_left_out(mini_corpus):
    corpus = _mixed_corpus(mini_corpus)
    text = notebook.render_selection_note(corpus, corpus)
    assert "2 selected articles are not in English (ar 1, fr 1)" in text and "left out" in text
    assert "not in English" not in notebook.render_selection_note(mini_corpus, mini_corpus)
