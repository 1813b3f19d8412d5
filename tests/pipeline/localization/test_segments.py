"""Segmentation into units with placeholders, and rendering translations back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extraction.model import Document, element
from pipeline.localization.segments import PlaceholderError, decode_inline, encode_inline, render, units


def doc(body, kind="safety", title="How should I take POMALYST?"):
    return Document(id="isi/how-should-i-take-pomalyst", source="relapse", kind=kind, title=title, body=body)


BODY = [
    element(
        "p", ["Take POMALYST", element("sup", ["®"]), " as ", element("a", ["prescribed"], href="#rx"), "."]
    ),
    element(
        "ul",
        [
            element(
                "li",
                [
                    "Swallow capsules whole.",
                    element("ul", [element("li", ["Do not ", element("em", ["chew"]), "."])]),
                ],
            ),
            element("li", ["Call ", element("a", ["1-888-423-5436"], href="tel:18884235436")]),
        ],
    ),
]


def test_units_and_ids():
    found = units(doc(BODY))
    assert [u.id.split("#")[1] for u in found] == ["title", "p-1", "item-1", "item-2", "item-3"]
    assert found[1].text == "Take POMALYST<1/> as <2>prescribed</2>."
    assert found[3].text == "Do not <1>chew</1>."
    assert found[4].text == "Call <1>1-888-423-5436</1>"


def test_glossary_units_are_term_and_definition():
    gloss = Document(
        id="glossary/anemia",
        source="glossary",
        kind="glossary",
        title="Anemia",
        body=[element("p", ["A condition."])],
    )
    assert [u.id for u in units(gloss)] == ["glossary/anemia#term", "glossary/anemia#definition"]


def test_render_translation_into_same_structure():
    translations = {"p-1": "Tome POMALYST<1/> según lo <2>recetado</2>.", "item-2": "No <1>mastique</1>."}
    title, body = render(doc(BODY), lambda u: translations.get(u.role))
    assert title == "How should I take POMALYST?"
    assert body[0]["children"] == [
        "Tome POMALYST",
        {"tag": "sup", "attrs": {}, "children": ["®"]},
        " según lo ",
        {"tag": "a", "attrs": {"href": "#rx"}, "children": ["recetado"]},
        ".",
    ]
    nested = body[1]["children"][0]["children"][1]["children"][0]["children"]
    assert nested == ["No ", {"tag": "em", "attrs": {}, "children": ["mastique"]}, "."]


def test_identity_render_roundtrips():
    d = doc(BODY)
    assert render(d, lambda u: u.text)[1] == d.body


@pytest.mark.parametrize(
    "bad, problem",
    [
        ("Tome POMALYST as <2>recetado.", "never closed"),
        ("Tome POMALYST<1/> as recetado.", "missing placeholder"),
        ("Tome <3/> POMALYST<1/> <2>x</2>", "unknown placeholder"),
        ("Tome POMALYST<1> <2>x</2></1>", "must not be a pair"),
        ("Tome POMALYST<1/> <2/>", "must be a pair"),
        ("</2>Tome POMALYST<1/> <2>x</2>", "closes nothing"),
    ],
)
def test_broken_placeholders_are_refused(bad, problem):
    text, placeholders = encode_inline(BODY[0]["children"])
    with pytest.raises(PlaceholderError, match=problem):
        decode_inline(bad, placeholders)


def test_literal_angle_numbers_in_text_are_not_placeholders():
    text, placeholders = encode_inline(["values <1> and <2/> are literal"])
    assert placeholders == {}
    assert "<1>" not in text


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(blacklist_characters="<>"), min_size=1),
            st.builds(lambda t: element("em", [t]), st.text(alphabet="abc xyz", min_size=1)),
            st.just(element("sup", ["®"])),
        ),
        max_size=6,
    )
)
def test_encode_decode_roundtrip(children):
    text, placeholders = encode_inline(children)
    decoded = decode_inline(text, placeholders)
    flat = lambda nodes: "".join(n if isinstance(n, str) else flat(n["children"]) for n in nodes)
    assert " ".join(flat(decoded).split()) == " ".join(flat(children).split())
