"""From lxml elements to body trees: parsing pages safely and keeping only meaningful markup."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import lxml.html
from lxml import etree

from pipeline.extraction.model import BLOCK_TAGS, INLINE_TAGS, Node

KEEP_ATTRS = {"a": ("href",), "sup": ("class",)}
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "img", "figure", "button", "svg", "input", "form"}
)
RENAME = {
    "b": "strong",
    "i": "em",
    "section": "div",
    "details": "div",
    "summary": "p",
    "dl": "div",
    "dt": "p",
    "dd": "p",
}
_SPACE = re.compile(r"\s+")

__all__ = [
    "NotHtml",
    "clean_text",
    "describe",
    "element_text",
    "inner_nodes",
    "parse_page",
    "serialize",
    "to_body",
    "xpath_class",
]


class NotHtml(ValueError):
    """The bytes are not an HTML page."""


def parse_page(data: bytes) -> Any:
    """Parse page bytes as UTF-8 HTML; raise NotHtml or UnicodeDecodeError with a precise reason."""
    if b"\x00" in data[:4096]:
        raise NotHtml("the file is binary (NUL bytes), not an HTML page")
    text = data.decode("utf-8")  # strict: a stray byte in medical text must fail, not turn into U+FFFD
    head = text[:2048].lower()
    if "<html" not in head and "<!doctype html" not in head and "<body" not in head:
        raise NotHtml("no <html> or <body> element at the start of the file: not an HTML page")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    root = lxml.html.document_fromstring(text, parser=parser)
    if root is None or root.find("body") is None:
        raise NotHtml("the page has no <body>")
    return root


def clean_text(text: str | None) -> str:
    return _SPACE.sub(" ", text) if text else ""


def element_text(el: Any) -> str:
    """Visible text of an element, whitespace collapsed and trimmed."""
    return clean_text(el.text_content()).strip()


def _convert(el: Any, skip: Callable[[Any], bool], inline: frozenset[str] = INLINE_TAGS) -> list[Node]:
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag or tag in SKIP_TAGS or skip(el):
        return [clean_text(el.tail)] if el.tail else []
    tag = RENAME.get(tag, tag)
    children: list[Node] = [clean_text(el.text)] if el.text else []
    for child in el:
        children.extend(_convert(child, skip, inline))
    out: list[Node] = []
    if tag in BLOCK_TAGS or tag in inline:  # inline markup a profile does not keep is unwrapped
        attrs = {name: el.get(name) for name in KEEP_ATTRS.get(tag, ()) if el.get(name)}
        out.append({"tag": tag, "attrs": attrs, "children": _tidy(children, tag in BLOCK_TAGS)})
    else:
        out.extend(children)
    if el.tail:
        out.append(clean_text(el.tail))
    return out


def _is_block(node: Node) -> bool:
    return isinstance(node, dict) and node["tag"] in BLOCK_TAGS


def _tidy(children: list[Node], block: bool) -> list[Node]:
    """Merge adjacent strings, drop whitespace between blocks, trim block edges."""
    merged: list[Node] = []
    for child in children:
        if isinstance(child, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + child
        else:
            merged.append(child)
    merged = [re.sub(" {2,}", " ", c) if isinstance(c, str) else c for c in merged]
    result: list[Node] = []
    for index, child in enumerate(merged):
        if isinstance(child, str):
            prev_block = index > 0 and _is_block(merged[index - 1])
            next_block = index + 1 < len(merged) and _is_block(merged[index + 1])
            if block and (index == 0 or prev_block):
                child = child.lstrip()
            if block and (index == len(merged) - 1 or next_block):
                child = child.rstrip()
            if child.strip() == "" and (prev_block or next_block or index in (0, len(merged) - 1)):
                continue
            if not child:
                continue
        result.append(child)
    return result


def to_body(
    elements: list[Any], skip: Callable[[Any], bool] = lambda el: False, inline: frozenset[str] = INLINE_TAGS
) -> list[Node]:
    """Convert elements (and their tails) into a body: a list of block nodes."""
    nodes: list[Node] = []
    for el in elements:
        converted = _convert(el, skip, inline)
        if converted and isinstance(converted[-1], str):
            converted[-1] = converted[-1].rstrip()  # the tail after the last block is layout
        nodes.extend(converted)
    return [n for n in _tidy(nodes, True) if not (isinstance(n, str) and not n.strip())]


def xpath_class(name: str) -> str:
    """An XPath predicate matching one class among several."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def describe(el: Any) -> str:
    """A short locator for error messages, like section#side-effects."""
    if el is None:
        return "(none)"
    ident = f"#{el.get('id')}" if el.get("id") else ""
    classes = "".join(f".{c}" for c in (el.get("class") or "").split())
    return f"{el.tag}{ident}{classes}"


def inner_nodes(el: Any, inline: frozenset[str] = INLINE_TAGS) -> list[Node]:
    """The inline content of an element as nodes (its own tag dropped)."""
    children: list[Node] = [clean_text(el.text)] if el.text else []
    for child in el:
        children.extend(_convert(child, lambda e: False, inline))
    return _tidy(children, True)


def serialize(el: Any) -> str:
    return str(etree.tostring(el, encoding="unicode"))
