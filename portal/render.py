"""Body trees to HTML: every text node escaped, only allow-listed tags and safe links kept."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {"p", "ul", "ol", "li", "em", "strong", "a", "sup", "sub", "br", "h3", "h4", "div", "span"}
)
# Tags of the content model that have a safe allowed equivalent; the page keeps its structure.
EQUIVALENTS = {"b": "strong", "i": "em", "h2": "h3", "h5": "h4", "blockquote": "div"}
# Elements whose children are code or embedded content, not prose: dropped with everything inside.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math"}
)
VOID_TAGS = frozenset({"br"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def safe_href(href: Any) -> str | None:
    """The href if it is http(s), a fragment or a relative path; None for anything else."""
    if not isinstance(href, str):
        return None
    # Browsers ignore control characters and spaces inside schemes ("java\tscript:"): so do we.
    compact = _CONTROL.sub("", href)
    if not compact or compact.startswith(("//", "\\\\", "/\\")):
        return None
    scheme = _SCHEME.match(compact)
    if scheme and scheme.group(1).lower() not in {"http", "https"}:
        return None
    return href.strip()


def _render(node: Any, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(str(escape(node)))
        return
    if not isinstance(node, dict):
        return
    tag = str(node.get("tag", "")).lower()
    tag = EQUIVALENTS.get(tag, tag)
    children = node.get("children") or []
    if tag in DROPPED_WITH_CONTENT:
        return
    if tag not in ALLOWED_TAGS:
        # Unknown wrapper: keep its (escaped) text, lose the element.
        for child in children:
            _render(child, out)
        return
    if tag in VOID_TAGS:
        out.append(f"<{tag}>")
        return
    attrs = ""
    if tag == "a":
        href = safe_href((node.get("attrs") or {}).get("href"))
        if href is None:
            for child in children:
                _render(child, out)
            return
        attrs = f' href="{escape(href)}"'
        if href.lower().startswith(("http:", "https:")):
            attrs += ' rel="noopener noreferrer"'
    out.append(f"<{tag}{attrs}>")
    for child in children:
        _render(child, out)
    out.append(f"</{tag}>")


def _plain(node: Any) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return "".join(_plain(child) for child in node.get("children") or [])
    return ""


def render_body(body: Iterable[Any], title: str | None = None) -> Markup:
    """The HTML of a body tree (see pipeline.extraction.model), safe to insert into a page as is.

    With `title`, a first block that only repeats the title is left out: the page shows the title
    as its heading already (the boxed warning's body opens with its own title in bold).
    """
    nodes = list(body or ())
    if title and nodes and " ".join(_plain(nodes[0]).split()) == " ".join(title.split()):
        nodes = nodes[1:]
    out: list[str] = []
    for node in nodes:
        _render(node, out)
    return Markup("".join(out))
