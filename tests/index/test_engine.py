"""The search engine on the inline corpus: acceptance queries, locales, snippets, robustness."""

from __future__ import annotations

import json

import pytest
from conftest import make_live_release, published_set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.build import publish_indexes
from index.engine import SearchEngine
from pipeline.errors import SearchIndexError


def ids(response):
    return [hit.id for hit in response.results]


def test_low_platelets_ranks_thrombocytopenia_first(engine):
    assert ids(engine.search("low platelets"))[0] == "glossary/thrombocytopenia"


def test_misspelling_finds_neutropenia_and_suggests_spelling(engine):
    response = engine.search("nutropenia")
    assert ids(response)[0] == "glossary/neutropenia"
    assert response.corrected == "neutropenia"


def test_short_words_get_no_typo_tolerance(engine):
    # "clod" is one edit from "clot" but too short for an edit
    response = engine.search("clod")
    assert response.total == 0 and response.corrected == "clot"


def test_abbreviation_finds_its_term(engine):
    assert ids(engine.search("VGPR"))[0] == "glossary/very-good-partial-response"
    assert ids(engine.search("vgpr"))[0] == "glossary/very-good-partial-response"
    assert ids(engine.search("IMiD"))[0] == "glossary/immunomodulatory-drug"


def test_single_letter_of_a_term_is_not_a_stop_word(engine):
    assert ids(engine.search("M protein"))[0] == "glossary/m-protein"
    assert ids(engine.search("B lymphocytes"))[0] == "glossary/b-lymphocytes"


def test_spanish_without_accents_finds_translation(engine):
    response = engine.search("deshidratacion", locale="es")
    assert ids(response)[0] == "glossary/dehydration"
    assert response.results[0].title == "Deshidratación"
    assert response.results[0].fallback is False


def test_spanish_lay_synonym_and_stemming(engine):
    assert ids(engine.search("plaquetas bajas", locale="es"))[0] == "glossary/thrombocytopenia"
    assert ids(engine.search("picazon", locale="es"))[0] == "glossary/pruritus"


def test_english_term_typed_in_spanish_finds_translated_document(engine):
    assert ids(engine.search("thrombocytopenia", locale="es"))[0] == "glossary/thrombocytopenia"


def test_fallback_documents_are_flagged(engine):
    hit = engine.search("pulmonary embolism", locale="es").results[0]
    assert hit.id == "glossary/pulmonary-embolism" and hit.fallback is True and hit.locale == "es"


def test_arabic_normalization_ignores_diacritics(engine):
    assert ids(engine.search("قلة الصفيحات", locale="ar"))[0] == "glossary/thrombocytopenia"


def test_chinese_bigrams_find_a_word_inside_a_sentence(engine):
    assert ids(engine.search("血小板", locale="zh_Hans"))[0] == "glossary/thrombocytopenia"
    assert ids(engine.search("静脉血栓", locale="zh_Hans"))[0] == "glossary/deep-vein-thrombosis"


def test_unrelated_queries_return_nothing(engine):
    assert engine.search("dog food").total == 0
    assert engine.search("knee replacement").results == []


def test_safety_question(engine):
    assert ids(engine.search("missed a dose"))[0] == "isi/how-should-i-take-pomalyst"
    assert "isi/warnings" in ids(engine.search("blood thinner"))


def test_snippet_is_escaped_and_marked(engine):
    hit = next(h for h in engine.search("itchy rash").results if h.id.endswith("side-effects-of-pomalyst"))
    assert "<mark>itchy</mark>" in hit.snippet
    hit = engine.search("FDA alert").results[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_response_json_has_the_documented_shape(engine):
    data = json.loads(json.dumps(engine.search("platelets").to_dict()))
    assert list(data) == ["query", "locale", "corrected", "total", "partial", "results"]
    assert list(data["results"][0]) == [
        "id",
        "title",
        "kind",
        "snippet",
        "score",
        "locale",
        "fallback",
        "url",
    ]
    assert data["results"][0]["url"].endswith("#platelets")


def test_limit_and_total(engine):
    response = engine.search("blood", limit=2)
    assert len(response.results) == 2 and response.total > 2
    assert engine.search("blood", limit=0).results == []


def test_suggest_completes_prefixes(engine):
    assert [s.id for s in engine.suggest("thromb")][0] == "glossary/thrombocytopenia"
    assert "glossary/pulmonary-embolism" in [s.id for s in engine.suggest("pulmonary emb")]
    assert [s.id for s in engine.suggest("plaq", locale="es")] == ["glossary/platelets"]
    assert engine.suggest("") == []


def test_document_lookup(engine):
    assert engine.document("glossary/dehydration", "es").title == "Deshidratación"
    assert engine.document("glossary/nope") is None


def test_unknown_locale_is_a_search_index_error(engine):
    with pytest.raises(SearchIndexError, match="no index for this locale"):
        engine.search("x", locale="fr")


def test_nothing_published_is_a_clear_error(tmp_path):
    with pytest.raises(SearchIndexError, match="nothing is published yet"):
        SearchEngine(tmp_path).search("x")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        '"unbalanced',
        "AND OR NOT",
        "*",
        "?",
        "field:value",
        "title:(x",
        "😀🩸",
        "x" * 10_000,
        "low " * 2_500,
        "\x00\x1f",
        "((((",
        "-",
        "NOT",
        "a",
        "é",
        "'",
        "\\",
        "[x TO y]",
        "<b>",
        "%",
        "~2",
        "^3",
    ],
)
def test_any_string_gives_a_response(engine, text):
    for locale in ("en", "es", "ar", "zh_Hans"):
        response = engine.search(text, locale=locale)
        assert response.total >= len(response.results) >= 0
        engine.suggest(text, locale=locale)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_random_strings_never_raise(engine, text):
    engine.search(text)
    engine.suggest(text)


def test_engine_reuses_searchers_and_reopens_on_new_release(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    publish_indexes(tmp_path)
    with SearchEngine(tmp_path) as eng:
        eng.search("platelets")
        first = eng._open["en"].searcher
        eng.search("neutropenia")
        assert eng._open["en"].searcher is first
        publish_indexes(tmp_path, full=True)
        eng.search("platelets")
        assert eng._open["en"].searcher is not first


def test_cache_key_ignores_case_spacing_and_punctuation_but_not_capitals() -> None:
    from index.engine import cache_key

    assert cache_key("What is  anemia?") == cache_key("what is anemia") == "what is anemia"
    assert cache_key("¿Qué es la anemia?") == cache_key("qué es la anemia")
    # an abbreviation in capitals is not the same query as the lower-case word
    assert cache_key("IT") != cache_key("it")
    # a trailing space turns off the prefix match of the last word
    assert cache_key("anemi ") != cache_key("anemi")
    assert cache_key("") == cache_key("   ") == ""


def test_equivalent_queries_share_a_cached_response(engine) -> None:
    first = engine.search("Low platelets?")
    again = engine.cached("low   platelets", locale="en", limit=10)
    assert again is not None and again.query == "low   platelets"
    assert [h.id for h in again.results] == [h.id for h in first.results]


def test_snippet_window_is_around_the_first_match() -> None:
    from index.engine import SNIPPET_WINDOW, snippet_window

    body = "word " * 400 + "platelets are low " + "word " * 400
    window = snippet_window(body, {"platelet"})
    assert "platelets are low" in window and len(window) <= SNIPPET_WINDOW
    assert not window.startswith("ord")  # cut at a word boundary
    assert snippet_window("short body", {"platelet"}) == "short body"
    # no plain-text guess: the whole body, highlighted as before
    assert snippet_window(body, {"plaqueta"}) is body


def test_long_body_snippet_marks_a_match_deep_in_the_text(engine) -> None:
    ix = engine._index("en")
    plan = ix.builder.plan("platelets")
    body = "Nothing here. " * 200 + "Low platelets can cause bleeding."
    snippet = engine._snippet(ix, body, plan)
    assert "<mark>platelets</mark>" in snippet.lower()
