"""A small published release (en, es, ar, zh_Hans, en_XA) for the portal tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.extraction.model import body_text, element
from pipeline.publishing.published import PublishedDocument, PublishedSet, write_published
from pipeline.publishing.releases import stage_release

GLOSSARY_URL = "https://www.revlimid.com/mm-patient/glossary/"
RELAPSE_URL = "https://www.revlimid.com/mm-patient/relapse/whats-after-relapse/"
MOST_IMPORTANT = "isi/what-is-the-most-important-information-i-should-know-about-pomalyst"
WHO_SHOULD_NOT = "isi/who-should-not-take-pomalyst"
XSS = "<script>alert(1)</script>"


def term(
    slug: str,
    title: str,
    definition: str,
    *,
    pronunciation: str | None = None,
    related: tuple[str, ...] = (),
    abbreviation: str | None = None,
    order: int = 0,
) -> PublishedDocument:
    return PublishedDocument(
        id=f"glossary/{slug}",
        source="glossary",
        kind="glossary",
        locale="en",
        title=title,
        text=f"{title}\n{definition}",
        body=[element("p", [definition])],
        url=f"{GLOSSARY_URL}#{slug}",
        fallback=False,
        en_title=title,
        term=title,
        abbreviation=abbreviation,
        pronunciation=pronunciation,
        definition=definition,
        related=list(related),
        order=order,
    )


def safety(
    doc_id: str,
    title: str,
    body: list,
    order: int,
    related: tuple[str, ...] = (),
    fragment: str = "important-safety-information",
) -> PublishedDocument:
    return PublishedDocument(
        id=doc_id,
        source="relapse",
        kind="safety",
        locale="en",
        title=title,
        text="\n".join(p for p in (title, body_text(body)) if p),
        body=body,
        url=f"{RELAPSE_URL}#{fragment}",
        fallback=False,
        en_title=title,
        related=list(related),
        order=order,
    )


def english_documents() -> list[PublishedDocument]:
    most_important_body = [
        element("p", ["POMALYST can cause serious side effects, including:"]),
        element(
            "ul",
            [
                element(
                    "li",
                    [
                        "Possible birth defects (deformed babies) or death of an unborn baby.",
                        element(
                            "ul",
                            [
                                element(
                                    "li",
                                    [
                                        "Females must not get pregnant:",
                                        element(
                                            "ul",
                                            [
                                                element(
                                                    "li", ["For at least 4 weeks before starting POMALYST"]
                                                ),
                                                element("li", ["While taking POMALYST"]),
                                            ],
                                        ),
                                    ],
                                ),
                                element(
                                    "li",
                                    [
                                        "Call ",
                                        element("strong", ["1-888-423-5436"]),
                                        " or FDA MedWatch at 1-800-FDA-1088.",
                                    ],
                                ),
                            ],
                        ),
                    ],
                ),
                element(
                    "li",
                    ["Blood clots in your arteries, veins, and lungs, heart attack, and stroke can happen."],
                ),
            ],
        ),
    ]
    return [
        term(
            "anemia",
            "Anemia",
            "A condition in which the number of red blood cells is below normal.",
            pronunciation="A-NEE-mee-a",
            order=0,
        ),
        term(
            "deep-vein-thrombosis",
            "Deep vein thrombosis",
            "A blood clot inside a blood vessel.",
            pronunciation="Throm-BOH-sis",
            related=("isi/warnings", MOST_IMPORTANT),
            order=1,
        ),
        term("platelets", "Platelets", "Small cell fragments in the blood that help it clot.", order=2),
        term(
            "thrombocytopenia",
            "Thrombocytopenia",
            "A condition in which there is a lower-than-normal number of platelets in the blood.",
            pronunciation="THROM-boh-SY-toh-PEE-nee-uh",
            related=(MOST_IMPORTANT,),
            order=3,
        ),
        term(
            "overall-response-rate",
            "Overall response rate (ORR)",
            "The percentage of patients who respond to a specific therapy in a clinical trial.",
            abbreviation="ORR",
            order=4,
        ),
        safety(
            "relapse/pomalyst-indication",
            "POMALYST indication",
            [
                element(
                    "p", ["POMALYST is a prescription medicine, taken along with the medicine dexamethasone."]
                ),
            ],
            0,
        ),
        # As extracted: the boxed warning's body repeats its title in bold.
        safety(
            "isi/warnings",
            "WARNINGS: Risk to unborn babies, and blood clots.",
            [
                element("p", [element("strong", ["WARNINGS: Risk to unborn babies, and blood clots."])]),
            ],
            1,
            related=(MOST_IMPORTANT,),
        ),
        safety(
            MOST_IMPORTANT,
            "What is the most important information I should know about POMALYST?",
            most_important_body,
            2,
            fragment="most-important-information",
        ),
        safety(
            WHO_SHOULD_NOT,
            "Who should not take POMALYST?",
            [
                element("p", ["Do not take POMALYST if you:"]),
                element(
                    "ul",
                    [
                        element(
                            "li",
                            [
                                "Are pregnant. See ",
                                element(
                                    "a",
                                    ["the most important information"],
                                    href="#most-important-information",
                                ),
                                ".",
                            ],
                        )
                    ],
                ),
                # A source page that smuggles script: as text it must stay text, as an element it must go.
                element("script", ["window.__isi = 1"]),
                element("p", [element("a", ["a bad link"], href="javascript:alert(1)")]),
            ],
            3,
        ),
        PublishedDocument(
            id="relapse/notes",
            source="relapse",
            kind="page",
            locale="en",
            title="Relapse notes",
            text=f"Relapse notes\nA relapse note that quotes {XSS} as plain text.",
            body=[element("p", [f"A relapse note that quotes {XSS} as plain text."])],
            url=RELAPSE_URL,
            fallback=False,
            en_title="Relapse notes",
            order=0,
        ),
    ]


TRANSLATIONS = {
    "es": {
        "glossary/thrombocytopenia": {
            "title": "Trombocitopenia",
            "term": "Trombocitopenia",
            "pronunciation": "trom-bo-si-to-PE-nia",
            "definition": (
                "Afección en la que hay un número de plaquetas en la sangre más bajo de lo "
                "normal (plaquetas bajas)."
            ),
        },
        "glossary/anemia": {
            "title": "Anemia",
            "term": "Anemia",
            "definition": "Afección en la que el número de glóbulos rojos es inferior al normal.",
        },
    },
    "ar": {
        "glossary/anemia": {
            "title": "فقر الدم",
            "term": "فقر الدم",
            "definition": "حالة يكون فيها عدد خلايا الدم الحمراء أقل من المعدل الطبيعي.",
        },
    },
    "zh_Hans": {
        "glossary/thrombocytopenia": {
            "title": "血小板减少症",
            "term": "血小板减少症",
            "definition": "血液中血小板数量低于正常水平的一种病症。",
        },
    },
    "en_XA": {},
}


def localized(doc: PublishedDocument, locale: str) -> PublishedDocument:
    """The document as published in a locale: translated when a translation is given, else English
    fallback."""
    change = TRANSLATIONS[locale].get(doc.id)
    if change is None:
        return replace(doc, locale=locale, fallback=True, hash="")
    definition = change["definition"]
    return replace(
        doc,
        locale=locale,
        fallback=False,
        title=change["title"],
        term=change["term"],
        pronunciation=change.get("pronunciation", doc.pronunciation),
        definition=definition,
        body=[element("p", [definition])],
        text=f"{change['title']}\n{definition}",
        hash="",
    )


def published_sets() -> list[PublishedSet]:
    english = english_documents()
    sets = [PublishedSet(locale="en", documents=english, abbreviations={"ORR": "Overall response rate"})]
    for locale in TRANSLATIONS:
        sets.append(
            PublishedSet(
                locale=locale,
                documents=[localized(doc, locale) for doc in english],
                abbreviations={"ORR": "Overall response rate"},
            )
        )
    return sets


def build_release(data_dir: Path, *, index: bool = True) -> Path:
    """Publish the sets into data_dir as its live release, with search indexes when asked."""
    with stage_release(data_dir, note="portal tests") as staging:
        for published in published_sets():
            write_published(staging, published)
        if index:
            from index.build import build_indexes

            build_indexes(staging)
    from pipeline.publishing.releases import current_release

    return current_release(data_dir)
