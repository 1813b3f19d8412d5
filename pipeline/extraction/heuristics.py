"""The ``auto`` profile: common patient-page structures read without any selectors.

It finds definition lists, two-column term tables, ``<details>`` FAQs, boxed warnings (by role,
class, or a heading that begins with WARNING) and heading-delimited sections. It is a start, not a
contract: what it had to guess is listed in ``Extracted.notes`` for `portal profile preview`.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.extraction.dom import element_text, inner_nodes, to_body
from pipeline.extraction.model import Document, element, slugify
from pipeline.extraction.reader import HEADINGS, Extracted, section_parts
from pipeline.extraction.sources import Source

__all__ = ["read_generic"]

CHROME = ("header", "nav", "footer", "script", "style", "noscript", "form", "button")
BOX = "[role=note], [role=alert], .boxed-warning, .black-box, .warning-box"
SAFETY_WORDS = re.compile(
    r"safety|warning|side effects|who should not|most important information|before taking|allerg", re.I
)
PRONUNCIATION = re.compile(r"^\s*\(([^()]+)\)\s*")


def _content(root: Any) -> Any:
    for path in ("//main", "//*[@role='main']", "//body"):
        found = root.xpath(path)
        if found:
            return found[0]
    return root


def _is_box(el: Any) -> bool:
    classes = f" {el.get('class') or ''} "
    if el.get("role") in {"note", "alert"} or any(
        f" {c} " in classes for c in ("boxed-warning", "black-box")
    ):
        return True
    head = next((c for c in el if c.tag in HEADINGS), None)
    return head is not None and element_text(head).upper().startswith("WARNING")


def _doc(
    source: Source, kind: str, title: str, body: list[Any], el: Any, out: Extracted, **fields: Any
) -> None:
    prefix = "glossary" if kind == "glossary" else source.id
    out.documents.append(
        Document(
            id=f"{prefix}/{slugify(title) or len(out.documents)}",
            source=source.id,
            kind=kind,
            title=title,
            body=body,
            url=f"{source.url}#{el.get('id') or slugify(title)}",
            fields={"order": len(out.documents), "line": el.sourceline, **fields},
        )
    )


def _entry(source: Source, term_el: Any, def_el: Any, out: Extracted) -> None:
    term = element_text(term_el)
    definition = element_text(def_el)
    # A pronunciation inside the term: an element marked as one, or a span holding "(...)" only.
    spoken = term_el.xpath(".//*[contains(@class, 'pron')]") or [
        span for span in term_el.iter("span") if re.fullmatch(r"\s*\([^()]+\)\s*", span.text_content())
    ]
    pronunciation = element_text(spoken[0]).strip("()") if spoken else None
    if spoken:
        term = term.replace(element_text(spoken[0]), "").strip()
    elif PRONUNCIATION.match(definition):
        pronunciation = PRONUNCIATION.match(definition).group(1)  # type: ignore[union-attr]
    if term and definition:
        body = [element("p", inner_nodes(def_el))]
        _doc(
            source,
            "glossary",
            term,
            body,
            term_el,
            out,
            term=term,
            pronunciation=pronunciation,
            definition=definition,
        )


def _glossaries(source: Source, main: Any, out: Extracted, used: set[Any]) -> None:
    for dl in main.iter("dl"):
        used.add(dl)
        for dt in dl.iter("dt"):
            dd = dt.getnext()
            while dd is not None and dd.tag != "dd":
                dd = dd.getnext()
            if dd is not None:
                _entry(source, dt, dd, out)
    for table in main.iter("table"):
        rows = [row for row in table.iter("tr") if len(row.xpath("./th|./td")) == 2 and row.xpath("./td")]
        if rows and all(len(row.xpath("./th|./td")) == 2 for row in table.iter("tr")):
            used.add(table)
            for row in rows:
                term_el, def_el = row.xpath("./th|./td")
                _entry(source, term_el, def_el, out)


def _boxes(source: Source, main: Any, out: Extracted, used: set[Any]) -> None:
    for box in [el for el in main.iter() if isinstance(el.tag, str) and _is_box(el)]:
        if any(box in el.iterdescendants() for el in used):
            continue
        used.add(box)
        head = next((c for c in box if c.tag in HEADINGS), None)
        title = element_text(head) if head is not None else "WARNING"
        _doc(source, "safety", title, to_body([c for c in box if c is not head]), box, out, boxed=True)


def _faqs(source: Source, main: Any, out: Extracted, used: set[Any]) -> None:
    for item in main.iter("details"):
        summary = item.find("summary")
        if summary is None or any(item in el.iterdescendants() for el in used):
            continue
        used.add(item)
        title = element_text(summary)
        _doc(source, "page", title, to_body([c for c in item if c is not summary]), item, out, faq=True)


def _sections(source: Source, main: Any, out: Extracted, used: set[Any]) -> None:
    for head in main.xpath(".//h2|.//h3"):
        if any(head is el or head in el.iterdescendants() for el in used):
            continue
        _, parts = section_parts(head, None, True)
        parts = [p for p in parts if p not in used and not any(p in u.iterancestors() for u in used)]
        body = to_body(parts)
        title = element_text(head)
        if body and title:
            kind = "safety" if SAFETY_WORDS.search(title) else "page"
            _doc(source, kind, title, body, head, out)


def read_generic(root: Any, source: Source) -> Extracted:
    """Documents from common structures, with notes on what a real profile would settle."""
    out = Extracted()
    main = _content(root)
    for el in main.xpath(" | ".join(f".//{tag}" for tag in CHROME)):
        el.drop_tree()
    used: set[Any] = set()
    for reader in (_boxes, _glossaries, _faqs, _sections):
        reader(source, main, out, used)
    out.documents.sort(key=lambda d: d.fields["line"] or 0)
    for order, doc in enumerate(out.documents):
        doc.fields["order"] = order
    out.notes += _notes(out, main)
    return out


def _notes(out: Extracted, main: Any) -> list[str]:
    kinds = {d.kind for d in out.documents}
    notes = ["no contract: a profile's [contract] makes a changed layout fail loudly instead of passing"]
    if "glossary" not in kinds:
        notes.append(
            "no glossary found (no <dl> or two-column table): a glossary block names entries and terms"
        )
    if not any(d.fields.get("boxed") for d in out.documents):
        notes.append(
            "no boxed warning found (role=note/alert, .boxed-warning, a WARNING heading): "
            "a safety block names it"
        )
    if any(d.kind == "safety" for d in out.documents):
        notes.append(
            "safety sections were told apart by words in their headings: a profile says which they are"
        )
    if main.tag == "body":
        notes.append("no <main>: page chrome may be read as content; a profile selects the content precisely")
    return notes
