from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.localization.tokens import (
    find_tokens,
    leftover_placeholders,
    normalize_number,
    shield,
    unshield,
)

TERMS = ("POMALYST", "REVLIMID", "REMS", "NCCN", "FDA", "MedWatch", "Lenalidomide REMS")


def kinds(text: str, terms=TERMS) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in find_tokens(text, terms)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("about 72,000 people", [("number", "72,000")]),
        ("a 50% decrease", [("percent", "50%")]),
        ("on Days 1-21 of each 28-day cycle", [("range", "1-21"), ("duration", "28-day")]),
        ("2-3 hours later", [("duration", "2-3 hours")]),
        ("for 4 weeks", [("duration", "4 weeks")]),
        ("every 12 hours", [("duration", "12 hours")]),
        ("take 4 mg", [("dose", "4 mg")]),
        ("take 0.5 mg", [("dose", "0.5 mg")]),
        ("NCCN Guidelines V.3.2023", [("term", "NCCN"), ("version", "V.3.2023")]),
        ("call 1-888-423-5436", [("phone", "1-888-423-5436")]),
        ("call 1-800-FDA-1088", [("phone", "1-800-FDA-1088")]),
        ("see NCCN.org.", [("url", "NCCN.org")]),
        ("go to www.fda.gov/medwatch.", [("url", "www.fda.gov/medwatch")]),
        ("the 1st dose", [("number", "1st")]),
        ("<1>bold</1> and<2/>", [("placeholder", "<1>"), ("placeholder", "</1>"), ("placeholder", "<2/>")]),
    ],
)
def test_token_kinds(text, expected):
    assert kinds(text) == expected


def test_terms_are_case_sensitive_whole_words_with_trademark_signs():
    found = kinds("POMALYST® and REVLIMID™, not Pomalyst or REMSX; the Lenalidomide REMS program")
    assert found == [("term", "POMALYST®"), ("term", "REVLIMID™"), ("term", "Lenalidomide REMS")]
    assert [t.key for t in find_tokens("POMALYST®", TERMS)] == ["POMALYST"]


def test_phone_keys_ignore_separators_but_keep_letters():
    keys = [t.key for t in find_tokens("1-800-FDA-1088 or 1 888 423 5436", TERMS)]
    assert keys == ["1800FDA1088", "18884235436"]


@pytest.mark.parametrize(
    "written, value",
    [
        ("72,000", "72000"),
        ("72.000", "72000"),
        ("72 000", "72000"),
        ("٧٢٬٠٠٠", "72000"),
        ("0.5", "0.5"),
        ("0,5", "0.5"),
        ("0.125", "0.125"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("٤", "4"),
        ("４", "4"),
    ],
)
def test_normalize_number(written, value):
    assert normalize_number(written) == value


def test_arabic_digits_give_the_same_values():
    source = [t.values for t in find_tokens("take 4 capsules on 21 days")]
    target = [t.values for t in find_tokens("تناول ٤ كبسولات لمدة ٢١ يومًا")]
    assert source == target == [("4",), ("21",)]


def test_shield_masks_numbers_but_leaves_units_to_translate():
    masked, restore = shield("Take POMALYST® 4 mg for 4 weeks; call 1-800-FDA-1088 or visit NCCN.org.", TERMS)
    assert masked == "Take {0} {1} mg for {2} weeks; call {3} or visit {4}."
    assert restore == {"{0}": "POMALYST®", "{1}": "4", "{2}": "4", "{3}": "1-800-FDA-1088", "{4}": "NCCN.org"}


def test_unshield_tolerates_spacing_fullwidth_braces_and_localized_digits():
    restore = {"{0}": "POMALYST", "{1}": "4"}
    assert unshield("Tome { 0 } durante {1 } semanas", restore) == "Tome POMALYST durante 4 semanas"
    assert unshield("服用｛0｝，持续{١}周", restore) == "服用POMALYST，持续4周"


def test_unshield_leaves_unknown_placeholders_and_reports_them():
    text = unshield("{0} y {7}", {"{0}": "REMS"})
    assert text == "REMS y {7}"
    assert leftover_placeholders(text) == ["{7}"]
    assert leftover_placeholders("a {2} b", original="a {2}") == []


def test_text_that_looks_like_a_placeholder_round_trips():
    masked, restore = shield("use {0} and { 1 } literally with 5 mg")
    assert unshield(masked, restore) == "use {0} and { 1 } literally with 5 mg"


PIECES = st.sampled_from(
    list("0123456789{}｛｝<>/-.,% ®٤٬")
    + ["POMALYST", "REMS", " mg", " weeks", "1-800-FDA-1088", "NCCN.org", "<1>", "</1>"]
)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.one_of(PIECES, st.text(max_size=3))).map("".join))
def test_shield_unshield_round_trips_any_text(text):
    masked, restore = shield(text, TERMS)
    assert unshield(masked, restore) == text
