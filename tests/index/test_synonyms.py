"""Lay synonyms: file format, greedy longest matching, shipped files."""

from __future__ import annotations

import pytest

from index.analyzers import exact_key
from index.synonyms import SYNONYMS_DIR, load_synonyms, parse_synonyms
from pipeline.errors import SearchIndexError


def test_longest_phrase_wins():
    syn = parse_synonyms(
        '[synonyms]\n"blood clot" = ["deep vein thrombosis"]\n"clot" = ["x"]\n'
        '"blood clot in my leg" = ["dvt"]',
        "en",
    )
    # matching runs over the content words of a query: keys lose their stop words too
    found = syn.matches(["blood", "clot", "leg", "clot"])
    assert [(m.start, m.end, m.targets) for m in found] == [(0, 3, ("dvt",)), (3, 4, ("x",))]


def test_keys_are_folded():
    syn = parse_synonyms('[synonyms]\n"Picazón" = ["prurito"]', "es")
    assert syn.matches(["picazon"])[0].targets == ("prurito",)


@pytest.mark.parametrize("text", ["[synonyms\n", '[synonyms]\n"x" = 3\n', '[synonyms]\n"x" = [1]\n'])
def test_bad_files_are_one_line_errors(text):
    with pytest.raises(SearchIndexError, match="synonym"):
        parse_synonyms(text, "en", origin="bad.toml")


def test_shipped_files_load_and_cover_the_required_phrases():
    assert {p.stem for p in SYNONYMS_DIR.glob("*.toml")} >= {"en", "es", "zh_Hans", "ar"}
    en, es = load_synonyms("en"), load_synonyms("es")
    assert en.table[("low", "platelets")] == ("thrombocytopenia",)
    assert en.table[("itching",)] == ("pruritus",)
    assert set(en.table[("blood", "clot")]) == {"deep vein thrombosis", "pulmonary embolism"}
    assert "thrombocytopenia" in es.table[tuple(exact_key("plaquetas bajas", "es").split())]
    assert "pruritus" in es.table[("picazon",)]
    for locale in ("zh_Hans", "ar"):
        assert load_synonyms(locale).table


def test_english_lay_phrases_work_in_other_locales():
    assert load_synonyms("es").table[("low", "platelets")] == ("thrombocytopenia",)
    assert load_synonyms("es").table[("picazon",)] != load_synonyms("en").table.get(("picazon",))
