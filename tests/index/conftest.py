"""A small published corpus in four locales, written into a data directory with a live release."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.publishing.published import PublishedDocument, PublishedSet, write_published

GLOSSARY = "https://example.test/glossary/#"
RELAPSE = "https://example.test/relapse/#"

# id, title, abbreviation, text (English)
EN = [
    (
        "glossary/thrombocytopenia",
        "Thrombocytopenia",
        None,
        "A condition in which there are too few platelets in the blood. It may lead to easy bruising "
        "and bleeding.",
    ),
    ("glossary/platelets", "Platelets", None, "Blood cells that are essential for blood clotting."),
    (
        "glossary/neutropenia",
        "Neutropenia",
        None,
        "A condition in which the number of neutrophils (the most numerous type of white blood "
        "cells, which help fight infection) is below normal in the blood.",
    ),
    (
        "glossary/neutrophils",
        "Neutrophils",
        None,
        "A type of white blood cell that is one of the first types of cells to travel to the site of "
        "an infection.",
    ),
    (
        "glossary/dehydration",
        "Dehydration",
        None,
        "A condition that occurs when the body loses too much water.",
    ),
    ("glossary/pruritus", "Pruritus", None, "A clinical term for itching."),
    ("glossary/deep-vein-thrombosis", "Deep vein thrombosis", None, "A blood clot inside a blood vessel."),
    (
        "glossary/pulmonary-embolism",
        "Pulmonary embolism",
        None,
        "A pulmonary embolism happens when one or more blood clots travel to the lungs.",
    ),
    (
        "glossary/m-protein",
        "M protein",
        None,
        "A type of antibody found in the body or urine of people with multiple myeloma.",
    ),
    (
        "glossary/b-lymphocytes",
        "B lymphocytes",
        None,
        "A type of white blood cell that is made in the bone marrow and grows into a plasma cell.",
    ),
    (
        "glossary/very-good-partial-response",
        "Very good partial response (VGPR)",
        "VGPR",
        "Treatment outcome where there is a greater than 90% decrease in M protein; also known as "
        "very good partial remission.",
    ),
    (
        "glossary/immunomodulatory-drug",
        "Immunomodulatory drug (IMiD)",
        "IMiD",
        "Any drug that has an effect on the immune system's ability to fight cancer cell growth.",
    ),
    (
        "isi/how-should-i-take-pomalyst",
        "How should I take POMALYST?",
        None,
        "Take POMALYST exactly as prescribed. Swallow POMALYST capsules whole with water 1 time a "
        "day. If you miss a dose of POMALYST and it has been less than 12 hours since your regular "
        "time, take POMALYST as soon as you remember.",
    ),
    (
        "isi/what-are-the-possible-side-effects-of-pomalyst",
        "What are the possible side effects of POMALYST?",
        None,
        "Low white blood cells (neutropenia), low platelets (thrombocytopenia), and low red blood "
        "cells (anemia) are common with POMALYST. A red, itchy, skin rash. Call 1-800-FDA-1088 "
        "<script>alert(1)</script> & more.",
    ),
    (
        "isi/warnings",
        "WARNINGS: Risk to unborn babies, and blood clots.",
        None,
        "Females who are pregnant or plan to become pregnant must not take POMALYST. Most people who "
        "take POMALYST will also take a blood thinner medicine to help prevent blood clots.",
    ),
]
ABBREVIATIONS = {
    "VGPR": "very good partial response",
    "IMiD": "immunomodulatory drug",
    "MM": "multiple myeloma",
    "PI": "proteasome inhibitor",
    "HCP": "healthcare provider",
}
# translations: id -> (title, text) per locale; the others are published as English fallbacks
ES = {
    "glossary/thrombocytopenia": (
        "Trombocitopenia",
        "Afección en la que hay muy pocas plaquetas en la sangre. Puede provocar moretones y "
        "sangrado con facilidad.",
    ),
    "glossary/platelets": ("Plaquetas", "Células sanguíneas esenciales para la coagulación de la sangre."),
    "glossary/dehydration": ("Deshidratación", "Afección que ocurre cuando el cuerpo pierde demasiada agua."),
    "glossary/neutropenia": (
        "Neutropenia",
        "Afección en la que el número de neutrófilos está por debajo de lo normal en la sangre.",
    ),
    "glossary/very-good-partial-response": (
        "Muy buena respuesta parcial (VGPR)",
        "Resultado del tratamiento en el que hay una disminución de más del 90 % de la proteína M.",
    ),
    "glossary/pruritus": ("Prurito", "Término clínico para la picazón."),
    "isi/how-should-i-take-pomalyst": (
        "¿Cómo debo tomar POMALYST?",
        "Tome POMALYST exactamente como se lo recetaron. Si olvida una dosis de POMALYST y han "
        "pasado menos de 12 horas, tómela en cuanto se acuerde.",
    ),
}
AR = {
    "glossary/thrombocytopenia": ("قِلَّة الصفيحات", "حالة يكون فيها عدد الصفيحات الدموية في الدم قليلًا جدًا."),
    "glossary/dehydration": ("الجفاف", "حالة تحدث عندما يفقد الجسم كمية كبيرة من الماء."),
}
ZH = {
    "glossary/thrombocytopenia": ("血小板减少症", "血液中血小板过少的一种病症。可能导致容易瘀伤和出血。"),
    "glossary/deep-vein-thrombosis": ("深静脉血栓形成", "血管内的血凝块。"),
}
TRANSLATIONS = {"es": ES, "ar": AR, "zh_Hans": ZH}


def _doc(
    locale: str,
    order: int,
    doc_id: str,
    title: str,
    abbr: str | None,
    text: str,
    translated: tuple[str, str] | None,
) -> PublishedDocument:
    kind = "glossary" if doc_id.startswith("glossary/") else "safety"
    url = (GLOSSARY if kind == "glossary" else RELAPSE) + doc_id.split("/", 1)[1]
    shown_title, shown_text = translated or (title, text)
    fallback = locale != "en" and translated is None
    return PublishedDocument(
        id=doc_id,
        source=kind,
        kind=kind,
        locale=locale,
        title=shown_title,
        text=f"{shown_title}\n{shown_text}",
        body=[{"tag": "p", "attrs": {}, "children": [shown_text]}],
        url=url,
        fallback=fallback,
        en_title=title,
        term=shown_title if kind == "glossary" else None,
        abbreviation=abbr,
        also_known_as=["very good partial remission"] if abbr == "VGPR" and locale == "en" else [],
        definition=shown_text if kind == "glossary" else None,
        order=order,
    )


def published_set(locale: str, rows=EN) -> PublishedSet:
    table = TRANSLATIONS.get(locale, {})
    docs = [
        _doc(locale, i, doc_id, title, abbr, text, table.get(doc_id))
        for i, (doc_id, title, abbr, text) in enumerate(rows)
    ]
    return PublishedSet(locale, docs, dict(ABBREVIATIONS))


def make_live_release(data_dir: Path, sets: list[PublishedSet], name: str = "r0") -> Path:
    """A live release holding only published documents, as `portal refresh` leaves it before indexing."""
    release = data_dir / "releases" / name
    for pset in sets:
        write_published(release, pset)
    link = data_dir / "current"
    tmp = data_dir / ".current.tmp"
    os.symlink(os.path.relpath(release, data_dir), tmp)
    os.replace(tmp, link)
    return release


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory) -> Path:
    """A data directory whose live release has published documents and indexes in four locales."""
    from index.build import publish_indexes

    data_dir = tmp_path_factory.mktemp("portal-data")
    make_live_release(data_dir, [published_set(loc) for loc in ("en", "es", "ar", "zh_Hans")])
    publish_indexes(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def engine(built_data_dir):
    from index.engine import SearchEngine

    with SearchEngine(built_data_dir) as eng:
        yield eng
