"""Segmentation: documents -> translatable units with numbered placeholders, and back.

A unit is a title or the inline content of one block (a paragraph, a list item's own text, a
heading). Inline markup becomes numbered placeholders so translators never edit HTML: an element
with words inside becomes ``<1>words</1>``; one without (®, a footnote symbol, a line break)
becomes ``<2/>``. The same walk renders a translation back into the original structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.extraction.model import BLOCK_TAGS, Document, Node
from pipeline.localization.tokens import PLACEHOLDER_RE

UNIT_TAGS = {"p": "p", "li": "item", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading"}


class PlaceholderError(ValueError):
    """A translation's placeholders do not match its source (unbalanced, unknown or missing)."""


@dataclass
class Unit:
    """One translatable unit of a document."""

    id: str
    document: str
    kind: str
    text: str
    placeholders: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def role(self) -> str:
        return self.id.split("#", 1)[1]


def _has_words(node: Node) -> bool:
    if isinstance(node, str):
        return any(ch.isalnum() for ch in node) and not node.strip().isdigit()
    return any(_has_words(child) for child in node["children"])


def encode_inline(nodes: list[Node]) -> tuple[str, dict[int, dict[str, Any]]]:
    """Inline nodes -> text with placeholders, and what each number stands for."""
    placeholders: dict[int, dict[str, Any]] = {}
    parts: list[str] = []

    def visit(items: list[Node]) -> None:
        for node in items:
            if isinstance(node, str):
                parts.append(
                    node.replace("<", "\u2039").replace(">", "\u203a")
                    if PLACEHOLDER_RE.search(node)
                    else node
                )
                continue
            number = len(placeholders) + 1
            if _has_words(node):
                placeholders[number] = {"tag": node["tag"], "attrs": dict(node["attrs"])}
                parts.append(f"<{number}>")
                visit(node["children"])
                parts.append(f"</{number}>")
            else:
                placeholders[number] = {"node": node}
                parts.append(f"<{number}/>")

    visit(nodes)
    return re.sub(r"\s+", " ", "".join(parts)).strip(), placeholders


def decode_inline(text: str, placeholders: dict[int, dict[str, Any]]) -> list[Node]:
    """Text with placeholders -> inline nodes; raises PlaceholderError when they don't match."""
    root: list[Node] = []
    stack: list[tuple[int, list[Node]]] = [(0, root)]
    used: set[int] = set()
    position = 0
    for match in PLACEHOLDER_RE.finditer(text):
        if match.start() > position:
            stack[-1][1].append(text[position : match.start()])
        position = match.end()
        closing, number, void = match.group(1) == "/", int(match.group(2)), match.group(3) == "/"
        spec = placeholders.get(number)
        if spec is None:
            raise PlaceholderError(f"unknown placeholder <{number}>")
        if void:
            if "node" not in spec:
                raise PlaceholderError(f"<{number}> wraps words and must be a pair <{number}>…</{number}>")
            stack[-1][1].append(spec["node"])
            used.add(number)
        elif closing:
            if stack[-1][0] != number:
                raise PlaceholderError(f"</{number}> closes nothing open")
            stack.pop()
        else:
            if "node" in spec:
                raise PlaceholderError(
                    f"<{number}/> stands alone and must not be a pair <{number}>…</{number}>"
                )
            if number in used:
                raise PlaceholderError(f"<{number}> is repeated")
            node: dict[str, Any] = {"tag": spec["tag"], "attrs": dict(spec["attrs"]), "children": []}
            stack[-1][1].append(node)
            stack.append((number, node["children"]))
            used.add(number)
    if position < len(text):
        stack[-1][1].append(text[position:])
    if len(stack) > 1:
        raise PlaceholderError(f"<{stack[-1][0]}> is never closed")
    missing = sorted(set(placeholders) - used)
    if missing:
        raise PlaceholderError("missing placeholder(s) " + ", ".join(f"<{n}>" for n in missing))
    return root


Lookup = Callable[[Unit], "str | None"]


def _walk_blocks(
    nodes: list[Node],
    doc: Document,
    counters: dict[str, int],
    lookup: Lookup,
    units: list[Unit],
    container: str = "p",
) -> list[Node]:
    """Rebuild a list of nodes, turning each run of inline content into a unit."""
    out: list[Node] = []
    run: list[Node] = []

    def flush() -> None:
        if not run:
            return
        if not any(_has_words(n) for n in run) and not any(isinstance(n, dict) for n in run):
            out.extend(run)
        else:
            role = UNIT_TAGS.get(container, "p")
            if doc.kind == "glossary" and role == "p":
                role = "definition"
            counters[role] = counters.get(role, 0) + 1
            suffix = "" if role == "definition" and counters[role] == 1 else f"-{counters[role]}"
            text, placeholders = encode_inline(run)
            unit = Unit(f"{doc.id}#{role}{suffix}", doc.id, doc.kind, text, placeholders)
            units.append(unit)
            translated = lookup(unit)
            out.extend(decode_inline(translated, placeholders) if translated is not None else run)
        run.clear()

    for node in nodes:
        if isinstance(node, dict) and node["tag"] in BLOCK_TAGS:
            flush()
            tag = node["tag"]
            children = _walk_blocks(
                node["children"], doc, counters, lookup, units, tag if tag in UNIT_TAGS else "p"
            )
            out.append({"tag": tag, "attrs": dict(node["attrs"]), "children": children})
        else:
            run.append(node)
    flush()
    return out


def _title_unit(doc: Document) -> Unit:
    role = "term" if doc.kind == "glossary" else "title"
    return Unit(f"{doc.id}#{role}", doc.id, doc.kind, re.sub(r"\s+", " ", doc.title).strip())


def units(doc: Document) -> list[Unit]:
    """Every translatable unit of a document, in reading order."""
    found = [_title_unit(doc)]
    _walk_blocks(doc.body, doc, {}, lambda unit: None, found)
    return found


def render(doc: Document, lookup: Lookup) -> tuple[str, list[Node]]:
    """The document's title and body with each unit replaced by lookup(unit) when it gives text.

    Raises PlaceholderError when a translation's placeholders don't fit its source.
    """
    title_unit = _title_unit(doc)
    title = lookup(title_unit)
    body = _walk_blocks(doc.body, doc, {}, lookup, [])
    return (title if title is not None else doc.title), body


def iter_units(documents: list[Document]) -> Iterator[Unit]:
    for doc in documents:
        yield from units(doc)
