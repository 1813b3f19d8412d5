"""Extraction profiles: where each kind of page keeps its content, read with XPath."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.extraction.dom import describe, element_text, inner_nodes, to_body, xpath_class
from pipeline.extraction.model import Document, element, slugify
from pipeline.extraction.sources import Source

FOOTNOTE_SYMBOLS = "*†‡§¶ "
ABBREVIATION = re.compile(r"^[A-Z][A-Za-z]{1,6}$")
ALSO_KNOWN_AS = re.compile(r"also known as ([^.;]+)", re.IGNORECASE)


class ContractBreach(Exception):
    """A profile could not find what its contract requires; the message says what is missing."""


@dataclass
class Extracted:
    """What a profile found on one page, before the contract is checked."""

    documents: list[Document] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


def _one(root: Any, xpath: str, what: str) -> Any:
    found = root.xpath(xpath)
    if not found:
        raise ContractBreach(f"missing {what} ({xpath})")
    return found[0]


def _split_term(title: str) -> tuple[str, str | None]:
    """'Overall response rate (ORR)' -> ('Overall response rate', 'ORR')."""
    match = re.match(r"^(.*?)\s*\(([^()]+)\)\s*$", title)
    if match and ABBREVIATION.match(match.group(2)):
        return match.group(1), match.group(2)
    return title, None


def glossary(root: Any, source: Source) -> Extracted:
    """Glossary pages: dl.glossary with div.glossary-entry blocks of dt term, dd pronunciation, dd
    definition."""
    out = Extracted()
    container = _one(root, f"//dl[{xpath_class('glossary')}]", "the glossary list dl.glossary")
    entries = container.xpath(f".//*[{xpath_class('glossary-entry')}]")
    out.facts["entries"] = len(entries)
    for order, entry in enumerate(entries):
        term_el = entry.xpath(f".//*[{xpath_class('glossary-term')}]")
        def_el = entry.xpath(f".//*[{xpath_class('glossary-definition')}]")
        pron_el = entry.xpath(f".//*[{xpath_class('glossary-pronunciation')}]")
        where = describe(entry)
        title = element_text(term_el[0]) if term_el else ""
        if not title:
            raise ContractBreach(f"glossary entry {order + 1} ({where}) has no term (dt.glossary-term)")
        definition = element_text(def_el[0]) if def_el else ""
        if not definition:
            raise ContractBreach(f"glossary entry {title!r} has an empty definition (dd.glossary-definition)")
        term, abbreviation = _split_term(title)
        pronunciation = element_text(pron_el[0]).strip("()").strip() if pron_el else None
        slug = slugify(title)
        also = [m.group(1).strip() for m in ALSO_KNOWN_AS.finditer(definition)]
        body = [element("p", inner_nodes(def_el[0]))]
        spoken = f"({pronunciation}) " if pronunciation else ""
        out.documents.append(
            Document(
                id=f"glossary/{slug}",
                source=source.id,
                kind="glossary",
                title=title,
                body=body,
                text=f"{title}\n{spoken}{definition}",
                url=f"{source.url}#{entry.get('id') or slug}",
                fields={
                    "term": term,
                    "abbreviation": abbreviation,
                    "pronunciation": pronunciation or None,
                    "definition": definition,
                    "also_known_as": also,
                    "order": order,
                    "line": entry.sourceline,
                },
            )
        )
        if abbreviation:
            out.abbreviations[abbreviation] = term.lower()
    intro = root.xpath(f"//main//p[{xpath_class('page-intro')}]")
    if intro:
        heading = root.xpath("//main//h1")
        out.documents.append(
            Document(
                id="page/glossary",
                source=source.id,
                kind="page",
                title=element_text(heading[0]) if heading else source.title or "Glossary",
                body=to_body(intro),
                url=source.url,
                fields={"order": len(entries), "line": intro[0].sourceline},
            )
        )
    return out


def _section_doc(
    section: Any,
    source: Source,
    prefix: str,
    kind: str,
    order: int,
    *,
    title: str | None = None,
    heading_xpath: str = "./h2|./h3|./summary",
    skip: Callable[[Any], bool] = lambda el: False,
    **fields: Any,
) -> Document:
    heads = section.xpath(heading_xpath)
    head = heads[0] if heads else None
    if title is None:
        if head is None:
            raise ContractBreach(f"section {describe(section)} has no heading")
        title = element_text(head).lstrip(FOOTNOTE_SYMBOLS).strip()
    children = [child for child in section if child is not head and not skip(child)]
    anchor = section.get("id") or slugify(title)
    images = [alt.strip() for alt in section.xpath(".//img/@alt") if alt.strip()]
    if images:
        fields = {**fields, "images": images}  # alt texts: kept with the section, not in its text
    return Document(
        id=f"{prefix}/{slugify(title)}",
        source=source.id,
        kind=kind,
        title=title,
        body=to_body(children),
        url=f"{source.url}#{anchor}",
        fields={"order": order, "line": section.sourceline, **fields},
    )


def _is_hidden_heading(el: Any) -> bool:
    return el.tag in {"h2", "h3"} and "visually-hidden" in (el.get("class") or "")


def relapse(root: Any, source: Source) -> Extracted:
    """Product pages with an indication banner, content sections, the ISI, FAQs and dosing footnote."""
    out = Extracted()
    docs = out.documents
    order = 0

    def add(doc: Document) -> None:
        nonlocal order
        docs.append(doc)
        order += 1

    banner = _one(
        root,
        f"//aside[{xpath_class('indication-banner')}]",
        "the REVLIMID indication banner aside.indication-banner",
    )
    add(
        _section_doc(
            banner, source, "relapse", "safety", order, title="REVLIMID indication", skip=_is_hidden_heading
        )
    )
    main = _one(root, "//main", "the main content <main>")
    page_title = main.xpath(".//h1")
    sections = main.xpath(f"./section[{xpath_class('content-section')} or {xpath_class('callout')}]")
    for number, section in enumerate(sections):
        # The page's h1 heads its first section; keep it there rather than as a document of its own.
        extra = {"page_title": element_text(page_title[0])} if page_title and number == 0 else {}
        add(_section_doc(section, source, "relapse", "page", order, **extra))
    indication = _one(
        main, f".//section[{xpath_class('indication')}]", "the POMALYST indication section.indication"
    )
    add(_section_doc(indication, source, "relapse", "safety", order, title="POMALYST indication"))

    isi = _one(main, f".//section[{xpath_class('isi')}]", "the Important Safety Information section.isi")
    box = _one(isi, f".//*[{xpath_class('boxed-warning')}]", "the boxed warning .boxed-warning")
    box_title = _one(
        box, f".//*[{xpath_class('boxed-warning-title')}]", "the boxed warning title .boxed-warning-title"
    )
    questions = isi.xpath(f".//section[{xpath_class('isi-question')}]")
    out.facts["isi_questions"] = len(questions)
    boxed = [bool(q.xpath(f"ancestor::*[{xpath_class('boxed-warning')}]")) for q in questions]
    titles = [element_text(q.xpath("./h3")[0]) if q.xpath("./h3") else "" for q in questions]
    add(
        Document(
            id="isi/warnings",
            source=source.id,
            kind="safety",
            title=element_text(box_title),
            body=[element("p", [element("strong", inner_nodes(box_title))])],
            url=f"{source.url}#{box.get('id') or 'boxed-warning'}",
            fields={
                "order": order,
                "boxed": True,
                "line": box.sourceline,
                "sections": [
                    f"isi/{slugify(t)}" for t, inside in zip(titles, boxed, strict=True) if inside and t
                ],
            },
        )
    )
    for question, inside in zip(questions, boxed, strict=True):
        add(_section_doc(question, source, "isi", "safety", order, heading_xpath="./h3", boxed=inside))
    out.facts["isi_text"] = element_text(isi)

    faqs = main.xpath(f".//*[{xpath_class('faq-item')}]")
    out.facts["faqs"] = len(faqs)
    faq_section = main.xpath(f".//section[{xpath_class('faq')}]")
    faq_group = (
        element_text(faq_section[0].xpath("./h2")[0]) if faq_section and faq_section[0].xpath("./h2") else ""
    )
    if faq_group:
        add(
            Document(
                id=f"relapse/{slugify(faq_group)}",
                source=source.id,
                kind="page",
                title=faq_group,
                body=[],
                url=f"{source.url}#{faq_section[0].get('id') or slugify(faq_group)}",
                fields={
                    "order": order,
                    "line": faq_section[0].sourceline,
                    "faqs": [
                        f"relapse/{slugify(element_text(q))}"
                        for q in main.xpath(f".//*[{xpath_class('faq-question')}]")
                    ],
                },
            )
        )
    for item in faqs:
        question = _one(item, f".//*[{xpath_class('faq-question')}]", "an FAQ question .faq-question")
        answer = _one(item, f".//*[{xpath_class('faq-answer')}]", "an FAQ answer .faq-answer")
        title = element_text(question)
        add(
            Document(
                id=f"relapse/{slugify(title)}",
                source=source.id,
                kind="page",
                title=title,
                body=to_body(list(answer)),
                url=f"{source.url}#{item.get('id') or slugify(title)}",
                fields={
                    "order": order,
                    "line": item.sourceline,
                    "faq": True,
                    "group": f"relapse/{slugify(faq_group)}" if faq_group else None,
                },
            )
        )
    abbreviations = main.xpath(f".//p[{xpath_class('abbreviations')}]")
    if abbreviations:
        line = element_text(abbreviations[0])
        out.abbreviations.update(parse_abbreviation_line(line))
        add(
            Document(
                id="relapse/abbreviations",
                source=source.id,
                kind="page",
                title="Abbreviations",
                body=to_body(abbreviations),
                url=source.url,
                fields={"order": order, "line": abbreviations[0].sourceline},
            )
        )
    references = main.xpath(f".//*[{xpath_class('references')}]")
    if references:
        add(
            _section_doc(
                references[0], source, "relapse", "page", order, title="Reference", skip=_is_hidden_heading
            )
        )
    dosing = _one(
        main, f".//section[{xpath_class('dosing-info')}]", "the dosing information section.dosing-info"
    )
    add(_section_doc(dosing, source, "relapse", "page", order))
    return out


def parse_abbreviation_line(line: str) -> dict[str, str]:
    """'IMiD, immunomodulatory drug; MM, multiple myeloma.' -> {'IMiD': 'immunomodulatory drug', ...}."""
    found: dict[str, str] = {}
    for part in line.rstrip(".").split(";"):
        short, sep, long = part.strip().partition(",")
        if sep and short.strip() and long.strip():
            found[short.strip()] = long.strip()
    return found


PROFILE_FUNCTIONS: dict[str, Callable[[Any, Source], Extracted]] = {"glossary": glossary, "relapse": relapse}
