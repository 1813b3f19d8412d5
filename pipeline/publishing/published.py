"""Published documents: what a patient sees in one locale, and the file that carries them downstream.

A ``PublishedDocument`` is a document rendered in a locale: the approved translation, or the
approved English text marked ``fallback``. The set of one locale is stored in a release as
``published/<locale>.json`` and is the only input of the search index and the portal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline.errors import PublishError
from pipeline.extraction.model import Node, content_hash
from pipeline.fs import write_json_atomic


@dataclass
class PublishedDocument:
    """A document as published in one locale."""

    id: str
    source: str
    kind: str
    locale: str
    title: str
    text: str
    body: list[Node]
    url: str
    fallback: bool
    en_title: str
    term: str | None = None
    abbreviation: str | None = None
    also_known_as: list[str] = field(default_factory=list)
    pronunciation: str | None = None
    definition: str | None = None
    related: list[str] = field(default_factory=list)
    order: int = 0
    hash: str = ""

    def __post_init__(self) -> None:
        if not self.hash:
            self.hash = content_hash(
                self.id,
                self.locale,
                self.title,
                self.text,
                self.body,
                self.fallback,
                self.term,
                self.abbreviation,
                self.also_known_as,
                self.pronunciation,
                self.related,
            )

    def to_dict(self) -> dict[str, Any]:
        # A shallow copy: the values are JSON data already, and asdict's deep copy of every body
        # was most of the time of writing a large release.
        return {name: getattr(self, name) for name in _FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PublishedDocument:
        return cls(**data)


_FIELDS = tuple(f.name for f in fields(PublishedDocument))


@dataclass
class PublishedSet:
    """Every published document of one locale, plus the abbreviation map kept for search."""

    locale: str
    documents: list[PublishedDocument]
    abbreviations: dict[str, str] = field(default_factory=dict)

    def by_id(self) -> dict[str, PublishedDocument]:
        return {doc.id: doc for doc in self.documents}

    def to_dict(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "abbreviations": self.abbreviations,
            "documents": [doc.to_dict() for doc in self.documents],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PublishedSet:
        return cls(
            locale=data["locale"],
            documents=[PublishedDocument.from_dict(d) for d in data["documents"]],
            abbreviations=dict(data.get("abbreviations", {})),
        )


def published_path(release: Path, locale: str) -> Path:
    return Path(release) / "published" / f"{locale}.json"


def write_published(release: Path, published: PublishedSet) -> Path:
    path = published_path(release, published.locale)
    write_json_atomic(path, published.to_dict(), compact=True)
    return path


def read_published(release: Path, locale: str) -> PublishedSet:
    path = published_path(release, locale)
    try:
        return PublishedSet.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise PublishError(f"nothing is published for locale {locale!r}", path=path) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise PublishError(f"published documents are unreadable: {exc}", path=path) from None


def published_locales(release: Path) -> list[str]:
    folder = Path(release) / "published"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
