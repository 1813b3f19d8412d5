"""The content model: documents extracted from source pages, with a structured body tree.

A body is a list of nodes. A node is either a string (text) or a dict
``{"tag": str, "attrs": {str: str}, "children": [node, ...]}``. Block tags are ``p``, ``ul``,
``ol``, ``li``, ``h3``, ``h4`` and ``div``; inline tags are ``em``, ``strong``, ``a`` (attr
``href``), ``sup``, ``sub``, ``span`` and ``br``. The tree is plain JSON so it serializes as is.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

Node: TypeAlias = str | dict[str, Any]

KINDS = ("glossary", "safety", "page")
BLOCK_TAGS = frozenset({"p", "ul", "ol", "li", "h2", "h3", "h4", "h5", "div", "blockquote"})
INLINE_TAGS = frozenset({"em", "strong", "a", "sup", "sub", "span", "br", "b", "i"})


TRAILING_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")


def strip_parenthetical(text: str) -> str:
    """'Overall response rate (ORR)' -> 'Overall response rate'."""
    return TRAILING_PARENTHETICAL.sub("", text.strip()).strip()


def slugify(title: str) -> str:
    """The id slug of a title: no trailing parenthetical, ASCII, lower case, runs of others -> '-'."""
    text = strip_parenthetical(title)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def element(tag: str, children: Iterable[Node] = (), **attrs: str) -> dict[str, Any]:
    """Build a body node."""
    return {"tag": tag, "attrs": dict(attrs), "children": list(children)}


def node_text(node: Node) -> str:
    """The text of a node with inline content run together and blocks separated by newlines."""
    if isinstance(node, str):
        return node
    if node["tag"] == "br":
        return "\n"
    inner = "".join(node_text(child) for child in node["children"])
    if node["tag"] in BLOCK_TAGS:
        return "\n" + inner.strip("\n") + "\n"
    return inner


def body_text(body: Iterable[Node]) -> str:
    """Plain text of a body: one line per block, whitespace normalized inside lines."""
    raw = "".join(node_text(node) for node in body)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def walk(body: Iterable[Node]) -> Iterator[dict[str, Any]]:
    """Every element node of a body, depth first."""
    for node in body:
        if isinstance(node, dict):
            yield node
            yield from walk(node["children"])


def content_hash(*parts: Any) -> str:
    """A stable SHA-256 over JSON-serializable parts."""
    payload = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class Document:
    """One unit of content: a glossary entry, a safety section or a page section."""

    id: str
    source: str
    kind: str
    title: str
    body: list[Node]
    url: str = ""
    locale: str = "en"
    fields: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    hash: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown document kind {self.kind!r}")
        if not self.text:
            self.text = "\n".join(part for part in (self.title, body_text(self.body)) if part)
        if not self.hash:
            # The source line moves when unrelated parts of the page change: not part of the content.
            content_fields = {k: v for k, v in self.fields.items() if k != "line"}
            self.hash = content_hash(self.id, self.kind, self.title, self.body, content_fields)

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: common keys first, then the kind-specific fields."""
        data: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "kind": self.kind,
            "locale": self.locale,
            "title": self.title,
            "url": self.url,
            "text": self.text,
            "hash": self.hash,
            "body": self.body,
        }
        data.update(self.fields)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        common = {"id", "source", "kind", "locale", "title", "url", "text", "hash", "body"}
        return cls(
            id=data["id"],
            source=data["source"],
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            url=data.get("url", ""),
            locale=data.get("locale", "en"),
            fields={k: v for k, v in data.items() if k not in common},
            text=data.get("text", ""),
            hash=data.get("hash", ""),
        )


@dataclass
class Corpus:
    """Everything extracted from the sources: documents in stable order plus shared metadata."""

    documents: list[Document]
    abbreviations: dict[str, str] = field(default_factory=dict)

    def by_id(self) -> dict[str, Document]:
        return {doc.id: doc for doc in self.documents}

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": [doc.to_dict() for doc in self.documents],
            "abbreviations": dict(sorted(self.abbreviations.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Corpus:
        return cls(
            documents=[Document.from_dict(d) for d in data["documents"]],
            abbreviations=dict(data.get("abbreviations", {})),
        )
