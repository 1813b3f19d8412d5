"""Extraction of the real snapshots, and contracts that fail loudly on mutated pages."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.errors import ExtractionError
from pipeline.extraction.extractor import extract_page, extract_sources, find_abbreviations, find_phones
from pipeline.extraction.sources import load_manifest

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
SOURCES = {s.id: s for s in load_manifest(ROOT / "source_docs" / "sources.toml")}
# Page chrome and image alt texts captured with the pages: not content the pipeline publishes.
CHROME = {
    "REVLIMID® (lenalidomide) logo",
    "This site is intended for US audiences only.",
    "Back to Top",
    "The REMS Companion App",
    "Easily access the",
    "Lenalidomide REMS program.",
    "Download now",
    "What’s after relapse?",
    "get the guide",
    "GO TO POMALYST FAQS",
    "WATCH NOW",
}


@pytest.fixture(scope="module")
def corpus():
    return extract_sources(list(SOURCES.values()))


def snapshot(source_id: str) -> str:
    return SOURCES[source_id].snapshot.read_text(encoding="utf-8")


def extract_text(source_id: str, html: str | bytes):
    data = html.encode("utf-8") if isinstance(html, str) else html
    return extract_page(SOURCES[source_id], data)


def test_glossary_has_33_entries_with_slug_ids(corpus):
    glossary = [d for d in corpus.documents if d.id.startswith("glossary/")]
    assert len(glossary) == 33
    ids = {d.id for d in glossary}
    assert {
        "glossary/thrombocytopenia",
        "glossary/immunomodulatory-drug",
        "glossary/overall-response-rate",
        "glossary/very-good-partial-response",
        "glossary/red-blood-cells",
    } <= ids
    assert all(d.kind == "glossary" and d.fields["definition"] for d in glossary)


def test_glossary_fields(corpus):
    docs = corpus.by_id()
    vgpr = docs["glossary/very-good-partial-response"]
    assert vgpr.fields["abbreviation"] == "VGPR"
    assert vgpr.fields["also_known_as"] == ["very good partial remission"]
    assert vgpr.fields["term"] == "Very good partial response"
    assert docs["glossary/anemia"].fields["pronunciation"] == "A-NEE-mee-a"
    assert docs["glossary/complete-response"].fields["pronunciation"] is None
    abbreviations = {d.fields["abbreviation"] for d in docs.values() if d.fields.get("abbreviation")}
    assert abbreviations == {"ORR", "OS", "PFS", "RBCs", "TTP", "VGPR", "WBCs", "IMiD"}


def test_safety_documents_and_phones(corpus):
    docs = corpus.by_id()
    isi = [d for d in corpus.documents if d.id.startswith("isi/")]
    assert [d.id for d in isi][:2] == [
        "isi/warnings",
        "isi/what-is-the-most-important-information-i-should-know-about-pomalyst",
    ]
    assert "isi/how-should-i-take-pomalyst" in docs and "isi/who-should-not-take-pomalyst" in docs
    assert "isi/what-should-i-tell-my-healthcare-provider-hcp-before-taking-pomalyst" in docs
    assert all(d.kind == "safety" for d in isi)
    text = "\n".join(d.text for d in isi)
    assert "1-888-423-5436" in text and "1-800-FDA-1088" in text
    important = docs["isi/what-is-the-most-important-information-i-should-know-about-pomalyst"]
    assert important.fields["phones"] == ["1-800-FDA-1088", "1-888-423-5436"]
    assert important.fields["boxed"] is True
    assert docs["isi/warnings"].fields["sections"] == [important.id]
    assert docs["relapse/pomalyst-indication"].kind == "safety"
    assert docs["relapse/important-dosing-information-for-pomalyst"].kind == "page"


def test_nested_lists_are_kept_as_a_tree(corpus):
    important = corpus.by_id()["isi/what-is-the-most-important-information-i-should-know-about-pomalyst"]
    depth = 0

    def deepest(nodes, level=0):
        nonlocal depth
        for node in nodes:
            if isinstance(node, dict):
                here = level + (node["tag"] == "ul")
                depth = max(depth, here)
                deepest(node["children"], here)

    deepest(important.body)
    assert depth == 3


def test_inline_markup_is_kept(corpus):
    doc = corpus.by_id()["relapse/learn-about-pomalyst-pomalidomide-at-relapse"]
    tags = {n["tag"] for n in _walk(doc.body)}
    assert {"sup", "a", "ul", "li", "p"} <= tags
    assert "REVLIMID®" in doc.text


def _walk(nodes):
    for node in nodes:
        if isinstance(node, dict):
            yield node
            yield from _walk(node["children"])


def test_every_seed_sentence_is_extracted(corpus):
    text = re.sub(r"\s+", " ", "\n".join(d.title + "\n" + d.text for d in corpus.documents))
    missing = []
    for seed in ("glossary.txt", "relapse.txt"):
        for line in (DATA / "seeds" / seed).read_text(encoding="utf-8").splitlines():
            # Footnote markers stay in the text, also before a heading ("§Important dosing ...").
            line = re.sub(r"\s+", " ", line.replace("•", "")).strip()
            if not line or line in CHROME or line.startswith(("Hypothetical doctor", "Marc, a current")):
                continue
            if line not in text:
                missing.append(line)
    assert missing == []


def test_footnote_marker_before_a_heading_is_kept(corpus):
    dosing = corpus.by_id()["relapse/important-dosing-information-for-pomalyst"]
    assert dosing.title == "§Important dosing information for POMALYST"
    assert dosing.text.startswith("§Important dosing information for POMALYST\n")


def test_abbreviation_map(corpus):
    abbreviations = corpus.abbreviations
    assert abbreviations["MM"] == "multiple myeloma"
    assert abbreviations["M protein"] == "monoclonal protein"
    assert abbreviations["IMiD"] == "immunomodulatory drug"
    assert abbreviations["HCP"] == "healthcare provider"
    assert abbreviations["VGPR"] == "very good partial response"


def test_ids_and_hashes_are_stable(corpus):
    again = extract_sources(list(SOURCES.values()))
    assert [(d.id, d.hash) for d in again.documents] == [(d.id, d.hash) for d in corpus.documents]
    assert len({d.id for d in corpus.documents}) == len(corpus.documents)


def test_find_helpers():
    assert find_phones("call 1-888-423-5436 or 1-800-FDA-1088.") == ["1-800-FDA-1088", "1-888-423-5436"]
    assert find_abbreviations("Tumor Lysis Syndrome (TLS) and a proteasome inhibitor (PI)") == {
        "TLS": "tumor lysis syndrome",
        "PI": "proteasome inhibitor",
    }


# --- contracts: mutated copies of the real pages must fail loudly, naming source and problem ---


def _contract_error(source_id: str, html: str | bytes) -> ExtractionError:
    with pytest.raises(ExtractionError) as caught:
        extract_text(source_id, html)
    error = caught.value
    assert error.source == source_id and error.exit_code == 2
    assert "\n" not in str(error) and source_id in str(error)
    return error


def test_safety_section_removed():
    html = snapshot("relapse")
    start = html.index('<section class="isi"')
    end = html.index('<section class="faq"')
    error = _contract_error("relapse", html[:start] + html[end:])
    assert "Important Safety Information" in str(error)


def test_question_section_removed():
    html = snapshot("relapse")
    start = html.index('<section class="isi-question" id="how-to-take">')
    end = html.index('<section class="isi-question" id="side-effects">')
    error = _contract_error("relapse", html[:start] + html[end:])
    assert "isi/how-should-i-take-pomalyst" in str(error)


def test_phone_number_missing():
    error = _contract_error("relapse", snapshot("relapse").replace("1-888-423-5436", "the number on the box"))
    assert "1-888-423-5436" in str(error)


def test_class_renamed():
    error = _contract_error(
        "glossary", snapshot("glossary").replace('class="glossary-entry"', 'class="term-card"')
    )
    assert "found 0 glossary entries" in str(error)


def test_empty_definition():
    html = re.sub(
        r'(<dd class="glossary-definition">)'
        r"A condition in which the number of red blood cells is below normal\.",
        r"\1",
        snapshot("glossary"),
    )
    error = _contract_error("glossary", html)
    assert "Anemia" in str(error) and "empty definition" in str(error)


def test_duplicate_term():
    html = snapshot("glossary").replace(">Edema</dt>", ">Dehydration</dt>")
    assert "duplicate document id 'glossary/dehydration'" in str(_contract_error("glossary", html))


def test_html_entities_are_decoded():
    html = (
        snapshot("glossary")
        .replace("body’s tissues", "body&rsquo;s tissues")
        .replace("Anemia</dt>", "Anemia&#x20;</dt>")
    )
    docs, _ = extract_text("glossary", html)
    by_id = {d.id: d for d in docs}
    assert by_id["glossary/edema"].fields["definition"] == "Swelling caused by fluids in your body’s tissues."
    assert by_id["glossary/anemia"].title == "Anemia"


def test_non_utf8_byte():
    error = _contract_error("glossary", (DATA / "html" / "latin1-byte.html").read_bytes())
    assert "not valid UTF-8" in str(error) and "0xe9" in str(error)


def test_not_html_at_all():
    assert "not an HTML page" in str(
        _contract_error("glossary", (DATA / "html" / "not-a-page.pdf").read_bytes())
    )
    assert "not an HTML page" in str(_contract_error("glossary", b'{"terms": []}'))


def test_truncated_page_breaks_contract():
    assert "glossary entries" in str(
        _contract_error("glossary", (DATA / "html" / "truncated.html").read_bytes())
    )


def test_five_megabyte_page():
    html = snapshot("glossary")
    filler = "<p hidden>" + "padding text " * 100 + "</p>\n"
    big = html.replace("</footer>", filler * (5_000_000 // len(filler)) + "</footer>")
    assert len(big.encode()) > 5_000_000
    docs, _ = extract_text("glossary", big)
    assert sum(d.kind == "glossary" for d in docs) == 33


def test_unknown_profile_in_manifest(tmp_path):
    from pipeline.errors import SourceError

    manifest = tmp_path / "sources.toml"
    manifest.write_text(
        '[[source]]\nid = "x"\nurl = "https://example.org/"\nsnapshot = "x.html"\nprofile = "nope"\n'
    )
    with pytest.raises(SourceError, match="unknown profile 'nope'"):
        load_manifest(manifest)


def test_missing_snapshot_is_a_source_error(tmp_path):
    from pipeline.errors import SourceError

    source = replace(SOURCES["glossary"], snapshot=tmp_path / "gone.html")
    with pytest.raises(SourceError, match="snapshot file not found"):
        extract_sources([source])
