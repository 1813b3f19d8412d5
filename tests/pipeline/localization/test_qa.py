from __future__ import annotations

import unicodedata

from babel.messages.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.localization.qa import (
    CheckContext,
    Finding,
    check_catalog,
    check_message,
    errors,
    glossary_from_catalog,
    text_length,
)

TERMS = ("POMALYST", "REVLIMID", "REMS", "NCCN", "FDA", "MedWatch")
ES = CheckContext("es", TERMS)


def found(msgid: str, msgstr: str, ctx: CheckContext = ES) -> list[tuple[str, str]]:
    return [(f.check, f.severity) for f in check_message(msgid, msgstr, ctx, "seg")]


def test_changed_duration_is_an_error_that_says_what_is_missing():
    findings = check_message("Take it for 4 weeks.", "Tómelo durante 3 semanas.", ES, "isi/x#item-1")
    assert [(f.check, f.severity) for f in findings] == [("numbers", "error")]
    assert findings[0].segment == "isi/x#item-1"
    assert '"4 weeks"' in findings[0].message and '"3 semanas"' in findings[0].message


def test_kept_numbers_doses_and_ranges_pass():
    assert (
        found(
            "Take 4 mg on Days 1-21 of each 28-day cycle; about 72,000 people had a 50% decrease.",
            "Tome 4 mg los días 1 a 21 de cada ciclo de 28 días; unas 72.000 personas tuvieron una "
            "disminución del 50 %.",
        )
        == []
    )


def test_changed_phone_number_is_an_error():
    assert found("Call 1-800-FDA-1088.", "Llame al 1-800-FDA-1089.") == [("phones", "error")]
    assert found("Call 1-888-423-5436.", "Llame al 1-888-423-5436.") == []


def test_lost_url_and_version_are_errors_and_an_added_number_a_warning():
    assert found("See NCCN.org for V.3.2023.", "Consulte la web para la versión 3.") == [
        ("numbers", "warning"),
        ("urls", "error"),
        ("versions", "error"),
    ]


def test_translated_brand_name_is_an_error():
    findings = check_message("Take POMALYST daily.", "Tome pomalidomida a diario.", ES)
    assert [(f.check, f.severity) for f in findings] == [("terms", "error")]
    assert "POMALYST" in findings[0].message
    assert found("Take POMALYST® daily.", "Tome POMALYST a diario.") == []


def test_placeholder_problems():
    assert found("Take <1>POMALYST</1> daily.", "Tome POMALYST a diario.") == [("placeholders", "error")]
    assert found("Take <1>POMALYST</1> daily.", "Tome <2>POMALYST</2> a diario.") == [
        ("placeholders", "error")
    ]
    assert found("Take <1>POMALYST</1> daily.", "Tome <1>POMALYST a diario.") == [("placeholders", "error")]
    assert found("Daily<2/>.", "Diario<2/><3/>.") == [("placeholders", "error")]
    assert found("Take <1>POMALYST</1> <2>daily</2>.", "Tome <2>a diario</2> <1>POMALYST</1>.") == []


def test_every_problem_of_a_message_is_reported():
    findings = check_message(
        "Take <1>POMALYST</1> 4 mg and call 1-888-423-5436.",
        "Tome pomalidomida 3 mg y llame al 1-888-000-0000",
        ES,
    )
    checks = {f.check for f in findings}
    assert {"placeholders", "numbers", "phones", "terms", "punctuation"} <= checks
    assert len(errors(findings)) >= 4


def test_blank_translation_is_an_error_and_empty_is_not_checked():
    assert found("Anemia", "   ") == [("empty", "error")]
    assert found("Anemia", "") == []


def test_unchanged_translation_is_a_warning_unless_nothing_to_translate():
    assert found("Take it daily.", "Take it daily.") == [("unchanged", "warning")]
    assert found("POMALYST<1/>", "POMALYST<1/>") == []


def test_spanish_question_marks():
    assert found("How should I take POMALYST?", "¿Cómo debo tomar POMALYST?") == []
    assert found("How should I take POMALYST?", "Cómo debo tomar POMALYST?") == [("punctuation", "warning")]
    assert found("How should I take POMALYST?", "¿Cómo debo tomar POMALYST.") == [("punctuation", "warning")]


def test_arabic_and_chinese_punctuation_and_digits():
    ar = CheckContext("ar", TERMS)
    assert found("Take 4 capsules for 21 days?", "هل تتناول ٤ كبسولات لمدة ٢١ يومًا؟", ar) == []
    assert found("Take 4 capsules for 21 days?", "هل تتناول ٥ كبسولات لمدة ٢١ يومًا؟", ar) == [
        ("numbers", "error")
    ]
    zh = CheckContext("zh_Hans", TERMS)
    assert (
        found(
            "Take 4 capsules every day for 21 days of a 28-day cycle.",
            "在28天周期中的21天内，每天服用4粒胶囊。",
            zh,
        )
        == []
    )


def test_length_ratio_is_measured_per_script():
    source = "Tell your healthcare provider about all the medicines you take."
    assert found(source, "Dígaselo.") == [("length", "warning")]
    assert (
        found(source, "Informe a su proveedor de atención médica sobre todos los medicamentos que toma.")
        == []
    )
    assert found(source, "告诉您的医疗保健提供者您服用的所有药物。", CheckContext("zh_Hans", TERMS)) == []


def test_glossary_terms_use_their_approved_translation():
    ctx = CheckContext("es", TERMS, {"red blood cell": "glóbulo rojo", "anemia": "anemia"})
    source = "Anemia means too few red blood cells."
    assert found(source, "Anemia significa muy pocos glóbulos rojos.", ctx) == []
    assert found(source, "Anemia significa muy pocos eritrocitos.", ctx) == [("glossary", "warning")]


def test_check_catalog_skips_drafts_unless_asked_and_untranslated_messages():
    catalog = Catalog(locale="es")
    catalog.add("Take it for 4 weeks.", "Tómelo durante 3 semanas.", context="isi/a#item-1")
    catalog.add("Call 1-888-423-5436.", "Llame al 1-888-423-0000.", context="isi/a#item-2", flags=["fuzzy"])
    catalog.add("Untranslated.", "", context="isi/a#item-3")
    assert [f.segment for f in check_catalog(catalog, ES)] == ["isi/a#item-1"]
    assert [f.segment for f in check_catalog(catalog, ES, include_fuzzy=True)] == [
        "isi/a#item-1",
        "isi/a#item-2",
    ]


def test_glossary_from_catalog_uses_approved_terms_only():
    catalog = Catalog(locale="es")
    catalog.add(
        "Absolute neutrophil count (ANC)",
        "Recuento absoluto de neutrófilos (RAN)",
        context="glossary/anc#term",
    )
    catalog.add("Anemia", "Anemia", context="glossary/anemia#term", flags=["fuzzy"])
    catalog.add("A low count.", "Un recuento bajo.", context="glossary/anc#definition")
    assert glossary_from_catalog(catalog) == {"absolute neutrophil count": "Recuento absoluto de neutrófilos"}


def test_finding_to_dict():
    assert Finding("s", "numbers", "error", "m").to_dict() == {
        "segment": "s",
        "check": "numbers",
        "severity": "error",
        "message": "m",
    }


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_text_length_counts_visible_characters_and_wide_ones_three_times(text: str) -> None:
    # The definition, character by character (what the fast version must give on any text).
    expected = sum(
        3.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0 for ch in text if not ch.isspace()
    )
    assert text_length(text) == expected
