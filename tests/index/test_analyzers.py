"""Per-locale analysis: folding, stop words, stemming, Arabic normalization, CJK bigrams."""

from __future__ import annotations

from index.analyzers import exact_key, fold, plain_analyzer, stopwords, text_analyzer


def terms(analyzer, text):
    return [t.text for t in analyzer(text)]


def test_fold_removes_accents_and_case():
    assert fold("Deshidratación PICAZÓN") == "deshidratacion picazon"


def test_single_letters_survive_stop_words():
    assert terms(text_analyzer("en"), "M protein and B lymphocytes") == ["m", "protein", "b", "lymphocyt"]
    assert not {"b", "m"} & stopwords("en")


def test_english_stop_words_and_stemming():
    assert terms(text_analyzer("en"), "The clots of the platelets") == ["clot", "platelet"]


def test_spanish_stems_the_same_with_or_without_accents():
    analyzer = text_analyzer("es")
    assert terms(analyzer, "deshidratación") == terms(analyzer, "deshidratacion")
    assert terms(analyzer, "plaquetas bajas") == terms(analyzer, "plaqueta baja")


def test_arabic_normalization():
    analyzer = plain_analyzer("ar")
    assert terms(analyzer, "قِلَّة") == terms(analyzer, "قلة")
    assert terms(analyzer, "أنيميا") == terms(analyzer, "انيميا")
    assert terms(analyzer, "الدموية") == terms(analyzer, "الدمويه")


def test_chinese_bigrams_with_positions():
    tokens = [(t.text, t.pos) for t in text_analyzer("zh_Hans")("血小板减少", positions=True)]
    assert tokens == [("血小", 0), ("小板", 1), ("板减", 2), ("减少", 3)]


def test_chinese_keeps_latin_words():
    assert terms(text_analyzer("zh_Hans"), "深静脉 (DVT)") == ["深静", "静脉", "dvt"]


def test_highlight_offsets_point_into_original_text():
    text = "Très «bien» M-protein"
    for token in plain_analyzer("en")(text, chars=True):
        assert fold(text[token.startchar : token.endchar]) == token.text


def test_exact_key():
    assert exact_key("Very good partial response (VGPR)") == "very good partial response vgpr"
