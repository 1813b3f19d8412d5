"""Reading a page with a declarative profile: each block of the profile, in order, yields documents.

A required element that is missing raises ContractBreach naming what the profile calls it; the
profile's contract is checked afterwards (see contract.py).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.extraction.dom import describe, element_text, inner_nodes, to_body
from pipeline.extraction.model import Document, Node, element, slugify
from pipeline.extraction.profile import (
    AbbreviationsBlock,
    Block,
    FaqBlock,
    GlossaryBlock,
    Profile,
    SafetyBlock,
    SectionBlock,
)
from pipeline.extraction.selectors import select_all, select_first
from pipeline.extraction.sources import Source

__all__ = ["ContractBreach", "Extracted", "parse_abbreviation_line", "read_page", "section_parts"]

ABBREVIATION = re.compile(r"^[A-Z][A-Za-z]{1,6}$")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class ContractBreach(Exception):
    """A profile could not find what its contract requires; the message says what is missing."""


@dataclass
class Extracted:
    """What a profile found on one page, before the contract is checked."""

    documents: list[Document] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a heuristic reading could not be sure of


@dataclass
class Page:
    """One page being read: its tree, its source, the profile, and the documents so far."""

    root: Any
    source: Source
    profile: Profile
    out: Extracted = field(default_factory=Extracted)

    @property
    def inline(self) -> frozenset[str]:
        return frozenset(self.profile.keep_inline)

    @property
    def order(self) -> int:
        return len(self.out.documents)

    def ident(self, template: str, title: str, el: Any = None) -> str:
        element_id = (el.get("id") if el is not None else None) or slugify(title)
        return template.format(source=self.source.id, slug=slugify(title), element_id=element_id)

    def url(self, anchor: str | None) -> str:
        return f"{self.source.url}#{anchor}" if anchor else self.source.url

    def add(self, doc: Document) -> None:
        self.out.documents.append(doc)


def _matches(page: Page, block: Block, context: Any = None) -> list[Any]:
    found = select_all(page.root if context is None else context, block.select, relative=context is not None)
    if block.required and not found:
        raise ContractBreach(f"missing {block.what()} ({block.select})")
    return found


def _split_term(title: str, enabled: bool) -> tuple[str, str | None]:
    """'Overall response rate (ORR)' -> ('Overall response rate', 'ORR')."""
    match = re.match(r"^(.*?)\s*\(([^()]+)\)\s*$", title) if enabled else None
    if match and ABBREVIATION.match(match.group(2)):
        return match.group(1), match.group(2)
    return title, None


def _text_without(el: Any, inner: Any) -> str:
    """The text of ``el`` leaving out ``inner`` when it sits inside (a pronunciation in a term)."""
    if inner is None or el not in inner.iterancestors():
        return element_text(el)
    path: list[int] = []
    node = inner
    while node is not el:
        parent = node.getparent()
        path.append(parent.index(node))
        node = parent
    clone = copy.deepcopy(el)
    target = clone
    for index in reversed(path):
        target = target[index]
    target.drop_tree()  # keeps the text that follows it
    return element_text(clone)


def _glossary(page: Page, block: GlossaryBlock) -> None:
    for container in _matches(page, block)[:1]:
        entries = select_all(container, block.entries)
        for number, entry in enumerate(entries, 1):
            _glossary_entry(page, block, entry, number)


def _glossary_entry(page: Page, block: GlossaryBlock, entry: Any, number: int) -> None:
    term_el = select_first(entry, block.term)
    def_el = select_first(entry, block.definition)
    pron_el = select_first(entry, block.pronunciation) if block.pronunciation else None
    title = _text_without(term_el, pron_el) if term_el is not None else ""
    if not title:
        raise ContractBreach(f"glossary entry {number} ({describe(entry)}) has no term ({block.term})")
    definition = element_text(def_el) if def_el is not None else ""
    if not definition:
        raise ContractBreach(f"glossary entry {title!r} has an empty definition ({block.definition})")
    term, abbreviation = _split_term(title, block.abbreviation_in_term)
    pronunciation = element_text(pron_el).strip("()").strip() if pron_el is not None else None
    slug = slugify(title)
    spoken = f"({pronunciation}) " if pronunciation else ""
    page.add(
        Document(
            id=page.ident(block.id, title, entry),
            source=page.source.id,
            kind="glossary",
            title=title,
            body=[element("p", inner_nodes(def_el, page.inline))],
            text=f"{title}\n{spoken}{definition}",
            url=page.url(entry.get("id") or slug),
            fields={
                "term": term,
                "abbreviation": abbreviation,
                "pronunciation": pronunciation or None,
                "definition": definition,
                "also_known_as": [
                    m.group(1).strip() for m in re.finditer(block.also_known_as, definition, re.I)
                ],
                "order": page.order,
                "line": entry.sourceline,
            },
        )
    )
    if abbreviation:
        page.out.abbreviations[abbreviation] = term.lower()


def section_parts(el: Any, heading: str | None, split: bool) -> tuple[Any, list[Any]]:
    """The heading of a section and its other parts.

    With ``split`` the element is itself a heading and the section runs over its following siblings
    up to the next heading of the same or a higher level.
    """
    if split:
        return el, list(_until_next_heading(el))
    head = select_first(el, heading) if heading else None
    return head, [child for child in el if child is not head]


def _until_next_heading(head: Any) -> Iterator[Any]:
    level = HEADINGS.index(head.tag) if head.tag in HEADINGS else len(HEADINGS)
    for sibling in head.itersiblings():
        if sibling.tag in HEADINGS and HEADINGS.index(sibling.tag) <= level:
            return
        yield sibling


def _section_doc(page: Page, el: Any, block: SectionBlock, title: str | None, **fields: Any) -> Document:
    head, parts = section_parts(el, block.heading, block.split)
    if title is None:
        if head is None:
            raise ContractBreach(f"section {describe(el)} ({block.what()}) has no heading ({block.heading})")
        title = element_text(head)
    skipped = set(select_all(el, block.skip)) if block.skip else set()
    parts = [part for part in parts if part not in skipped]
    images = [alt.strip() for part in [el, *parts] for alt in part.xpath(".//img/@alt") if alt.strip()]
    if block.images and images:
        fields = {**fields, "images": list(dict.fromkeys(images))}  # alt texts: kept aside, not as text
    return Document(
        id=page.ident(block.id, title, el),
        source=page.source.id,
        kind=block.kind,
        title=title,
        body=to_body(parts, inline=page.inline),
        url=page.url((el.get("id") or slugify(title)) if block.anchor == "element" else None),
        fields={"order": page.order, "line": el.sourceline, **fields},
    )


def _fixed_title(page: Page, block: SectionBlock) -> str | None:
    if block.title_from:
        found = select_first(page.root, block.title_from, relative=False)
        if found is not None and element_text(found):
            return element_text(found)
    return block.title


def _section(page: Page, block: SectionBlock) -> None:
    found = _matches(page, block)
    if block.match == "combined":
        if found:
            _combined(page, block, found)
        return
    if block.filter:
        found = [el for el in found if re.search(block.filter, element_text(el))]
    page_title = select_first(page.root, block.page_title, relative=False) if block.page_title else None
    boxes = set(select_all(page.root, block.boxed_within, relative=False)) if block.boxed_within else set()
    for number, el in enumerate(found[:1] if block.match == "first" else found):
        fields: dict[str, Any] = {}
        if page_title is not None and number == 0:  # the page's h1 heads its first section
            fields["page_title"] = element_text(page_title)
        if block.boxed_within:
            fields["boxed"] = any(ancestor in boxes for ancestor in el.iterancestors())
        page.add(_section_doc(page, el, block, _fixed_title(page, block), **fields))


def _combined(page: Page, block: SectionBlock, found: list[Any]) -> None:
    title = _fixed_title(page, block) or page.source.title or page.source.id
    page.add(
        Document(
            id=page.ident(block.id, title),
            source=page.source.id,
            kind=block.kind,
            title=title,
            body=to_body(found, inline=page.inline),
            url=page.url(slugify(title) if block.anchor == "element" else None),
            fields={"order": page.order, "line": found[0].sourceline},
        )
    )


def _inside(el: Any, box: Any) -> bool:
    return box is not None and (el is box or box in el.iterancestors())


def _safety(page: Page, block: SafetyBlock) -> None:
    for container in _matches(page, block)[:1]:
        box = select_first(container, block.box) if block.box else None
        if block.box and box is None:
            raise ContractBreach(f"missing the boxed warning {block.box} in {block.what()}")
        questions = select_all(container, block.questions)
        if block.filter:
            questions = [q for q in questions if re.search(block.filter, element_text(q))]
        rule = SectionBlock(
            type="section", select=block.questions, kind="safety", split=block.split,
            heading=block.question_heading, id=block.question_id,
        )  # fmt: skip
        heads = [section_parts(q, rule.heading, rule.split)[0] for q in questions]
        titles = [element_text(h) if h is not None else "" for h in heads]
        if box is not None:
            _boxed_warning(
                page,
                block,
                box,
                [
                    page.ident(rule.id, t)
                    for q, t in zip(questions, titles, strict=True)
                    if t and _inside(q, box)
                ],
            )
        for question in questions:
            page.add(_section_doc(page, question, rule, None, boxed=_inside(question, box)))


def _boxed_warning(page: Page, block: SafetyBlock, box: Any, sections: list[str]) -> None:
    title_el = select_first(box, block.box_title) if block.box_title else None
    if block.box_title and title_el is None:
        raise ContractBreach(f"missing the boxed warning title {block.box_title}")
    title = element_text(title_el) if title_el is not None else "Warning"
    body: list[Node]
    if block.box_body == "title" and title_el is not None:
        body = [element("p", [element("strong", inner_nodes(title_el, page.inline))])]
    else:
        skip = set(select_all(box, block.questions))
        parts = [
            c for c in box if c is not title_el and c not in skip and not any(_inside(q, c) for q in skip)
        ]
        body = to_body(parts, inline=page.inline)
    page.add(
        Document(
            id=page.ident(block.box_id, title, box),
            source=page.source.id,
            kind="safety",
            title=title,
            body=body,
            url=page.url(box.get("id") or slugify(title)),
            fields={"order": page.order, "boxed": True, "line": box.sourceline, "sections": sections},
        )
    )


def _faq(page: Page, block: FaqBlock) -> None:
    groups = _matches(page, block)
    group = groups[0] if groups else None
    head = select_first(group, block.heading) if group is not None and block.heading else None
    group_title = element_text(head) if head is not None else ""
    items = select_all(group if group is not None else page.root, block.items, relative=group is not None)
    questions = [_faq_question(block, item) for item in items]
    group_id = page.ident(block.id, group_title) if group_title else None
    if group is not None and group_id:
        ids = [page.ident(block.id, element_text(q)) for q in questions]
        page.add(
            Document(
                id=group_id, source=page.source.id, kind="page", title=group_title, body=[],
                url=page.url(group.get("id") or slugify(group_title)),
                fields={"order": page.order, "line": group.sourceline, "faqs": ids},
            )
        )  # fmt: skip
    for item, question in zip(items, questions, strict=True):
        _faq_item(page, block, item, question, group_id)


def _faq_question(block: FaqBlock, item: Any) -> Any:
    question = select_first(item, block.question)
    if question is None or not element_text(question):
        raise ContractBreach(f"an FAQ item ({describe(item)}) has no question ({block.question})")
    return question


def _faq_item(page: Page, block: FaqBlock, item: Any, question: Any, group_id: str | None) -> None:
    title = element_text(question)
    if block.answer:
        answer = select_first(item, block.answer)
        if answer is None:
            raise ContractBreach(f"the FAQ {title!r} has no answer ({block.answer})")
        parts = list(answer)
    else:
        parts = [child for child in item if child is not question]
    body = to_body(parts, inline=page.inline)
    if not body:
        raise ContractBreach(f"the FAQ {title!r} has an empty answer")
    page.add(
        Document(
            id=page.ident(block.id, title, item),
            source=page.source.id,
            kind="page",
            title=title,
            body=body,
            url=page.url(item.get("id") or slugify(title)),
            fields={"order": page.order, "line": item.sourceline, "faq": True, "group": group_id},
        )
    )


def parse_abbreviation_line(line: str) -> dict[str, str]:
    """'IMiD, immunomodulatory drug; MM, multiple myeloma.' -> {'IMiD': 'immunomodulatory drug', ...}."""
    found: dict[str, str] = {}
    for part in line.rstrip(".").split(";"):
        short, sep, long = part.strip().partition(",")
        if sep and short.strip() and long.strip():
            found[short.strip()] = long.strip()
    return found


def _abbreviations(page: Page, block: AbbreviationsBlock) -> None:
    for el in _matches(page, block)[:1]:
        page.out.abbreviations.update(parse_abbreviation_line(element_text(el)))
        page.add(
            Document(
                id=page.ident(block.id, block.title, el),
                source=page.source.id,
                kind="page",
                title=block.title,
                body=to_body([el], inline=page.inline),
                url=page.url(None),
                fields={"order": page.order, "line": el.sourceline},
            )
        )


READERS: dict[str, Any] = {
    "glossary": _glossary,
    "section": _section,
    "safety": _safety,
    "faq": _faq,
    "abbreviations": _abbreviations,
}


def read_page(root: Any, source: Source, profile: Profile) -> Extracted:
    """Every block of the profile, in order, over the parsed page."""
    page = Page(root, source, profile)
    for block in profile.block:
        READERS[block.type](page, block)
    return page.out
