"""Pages with layouts unlike the sample workspace's, each read by a profile file, and their contracts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.errors import ExtractionError
from pipeline.extraction.extractor import extract_page, extract_sources, inspect_page
from pipeline.extraction.sources import load_manifest

LAYOUTS = Path(__file__).resolve().parents[2] / "data" / "html" / "layouts"
SOURCES = {s.id: s for s in load_manifest(LAYOUTS / "sources.toml")}


@pytest.fixture(scope="module")
def docs():
    return extract_sources(list(SOURCES.values())).by_id()


def page(source_id: str) -> str:
    return SOURCES[source_id].snapshot.read_text(encoding="utf-8")


def broken(source_id: str, html: str) -> str:
    with pytest.raises(ExtractionError) as caught:
        extract_page(SOURCES[source_id], html.encode())
    message = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in message and repr(source_id) in message
    return message


def test_dl_glossary_with_pronunciation_in_a_span(docs):
    alt = docs["glossary/alanine-aminotransferase"]
    assert alt.title == "Alanine aminotransferase (ALT)"
    assert alt.fields["term"] == "Alanine aminotransferase" and alt.fields["abbreviation"] == "ALT"
    assert alt.fields["pronunciation"] == "AL-uh-neen uh-mee-noh-TRANS-fur-ace"
    assert alt.url.endswith("#alt")
    assert {"tag": "em", "attrs": {}, "children": ["liver damage"]} in alt.body[0]["children"]
    assert docs["glossary/hepatotoxicity"].fields["pronunciation"] is None
    assert docs["glossary/hepatotoxicity"].fields["also_known_as"] == ["drug-induced liver injury"]
    assert [d.fields["order"] for d in docs.values() if d.source == "dl-glossary"] == [0, 1, 2, 3]


def test_table_glossary(docs):
    anc = docs["glossary/absolute-neutrophil-count"]
    assert anc.fields["abbreviation"] == "ANC" and anc.url.endswith("#anc")
    assert "Platelets help the blood clot." in docs["glossary/platelet-count"].fields["definition"]
    intro = docs["page/table-glossary"]
    assert intro.title == "Understanding your blood tests" and "what your results mean" in intro.text


def test_medication_guide(docs):
    box = docs["medguide/boxed-warning"]
    assert box.kind == "safety" and box.fields["boxed"] is True
    assert box.title == "WARNING: RISK OF SERIOUS LIVER PROBLEMS"
    assert "Stop taking ZENTRAXA" in box.text and "lead to death.*" in box.text
    questions = [d for d in docs.values() if d.source == "medguide" and d.title[:1].isdigit()]
    assert [d.title[:2] for d in questions] == ["1.", "2.", "3.", "4."]
    assert all(d.kind == "safety" and d.fields["boxed"] is False for d in questions)
    side = docs["medguide/4-what-are-the-possible-side-effects-of-zentraxa"]
    assert side.fields["phones"] == ["1-800-FDA-1088"] and "General information" not in side.text
    assert docs["medguide/what-are-the-ingredients-in-zentraxa"].kind == "page"


def test_details_faq(docs):
    group = docs["faq/frequently-asked-questions"]
    assert group.fields["faqs"] == [
        "faq/what-if-i-miss-a-dose",
        "faq/can-i-drink-alcohol-while-taking-zentraxa",
        "faq/how-should-i-store-zentraxa",
    ]
    miss = docs["faq/what-if-i-miss-a-dose"]
    assert miss.fields["faq"] is True and miss.fields["group"] == group.id
    assert (
        miss.text == "What if I miss a dose?\nTake it as soon as you remember on the same day. "
        "Do not take 2 doses at the same time."
    )
    assert docs["faq/important-safety-information"].fields["phones"] == ["1-800-555-0199"]


def test_every_contract_point_passes():
    for source in SOURCES.values():
        inspection = inspect_page(source, source.snapshot.read_bytes())
        assert inspection.points and all(p.passed for p in inspection.points), source.id


def test_renamed_class_breaks_the_table_glossary():
    message = broken("table-glossary", page("table-glossary").replace("glossary-table", "terms"))
    assert "missing the glossary table table.glossary-table" in message


def test_empty_definition_in_the_dl_glossary():
    html = page("dl-glossary").replace(
        "<dd>Yellowing of the skin or the whites of the eyes.</dd>", "<dd> </dd>"
    )
    assert "glossary entry 'Jaundice' has an empty definition" in broken("dl-glossary", html)


def test_too_few_entries():
    html = (
        page("dl-glossary")
        .replace('<dt id="bilirubin">', '<p id="bilirubin">')
        .replace("(bil-ih-ROO-bin)</span></dt>", "</span></p>")
    )
    assert "found 3 glossary entries, the contract needs at least 4" in broken("dl-glossary", html)


def test_missing_boxed_warning_section():
    html = page("medguide").replace('role="note"', 'role="region"')
    assert "missing the boxed warning div[role=note]" in broken("medguide", html)


def test_missing_safety_question():
    html = page("medguide").replace(
        "4. What are the possible side effects", "What are the possible side effects"
    )
    message = broken("medguide", html)
    assert "missing section(s): medguide/4-what-are-the-possible-side-effects-of-zentraxa" in message
    assert "safety content lacks 1-800-FDA-1088" in message


def test_missing_faq_section_and_phone():
    assert "missing the FAQ accordion section.accordion" in broken(
        "faq", page("faq").replace("accordion", "panel")
    )
    assert "lacks 1-800-555-0199" in broken("faq", page("faq").replace("1-800-555-0199", "the number below"))


def test_empty_faq_answer():
    html = page("faq").replace("<p>Store at room temperature, between 68°F and 77°F (20°C and 25°C).</p>", "")
    assert "the FAQ 'How should I store ZENTRAXA?' has an empty answer" in broken("faq", html)


def test_auto_profile_reads_common_structures_without_selectors():
    found = {}
    for source in SOURCES.values():
        inspection = inspect_page(
            replace(source, profile="auto", profile_file=None), source.snapshot.read_bytes()
        )
        assert not inspection.problems, source.id
        found[source.id] = inspection
    dl = {d.id: d for d in found["dl-glossary"].documents}
    assert dl["glossary/jaundice"].fields["pronunciation"] == "JAWN-dis"
    assert dl["glossary/alanine-aminotransferase"].title == "Alanine aminotransferase (ALT)"
    assert sum(d.kind == "glossary" for d in found["table-glossary"].documents) == 3
    med = found["medguide"].documents
    assert med[0].fields["boxed"] is True and med[0].title.startswith("WARNING")
    assert any(d.kind == "safety" and d.title.startswith("4.") for d in med)
    faq = [d for d in found["faq"].documents if d.fields.get("faq")]
    assert len(faq) == 3
    assert any("no contract" in note for note in found["faq"].notes)
    assert any("no glossary found" in note for note in found["medguide"].notes)
