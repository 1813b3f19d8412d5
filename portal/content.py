"""The published documents of the live release, cached per release and reloaded when `current` moves."""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.publishing.published import PublishedDocument, PublishedSet, published_locales, read_published
from pipeline.publishing.releases import current_release

BOXED_WARNING_ID = "isi/warnings"


@dataclass
class SafetySection:
    """One section of the Important Safety Information page."""

    document: PublishedDocument
    anchor: str
    # The section's id on the source page: in-body links such as "#most-important-information" keep working.
    alias: str | None = None


@dataclass
class SafetyPage:
    """Safety documents in page order: those before the boxed warning, inside it, and after it."""

    before: list[SafetySection] = field(default_factory=list)
    boxed: list[SafetySection] = field(default_factory=list)
    sections: list[SafetySection] = field(default_factory=list)


def anchor(doc_id: str) -> str:
    """The fragment id of a document on its page: the part after the source prefix."""
    return doc_id.split("/", 1)[-1]


def portal_path(doc: PublishedDocument, locale: str) -> str:
    """Where the portal shows a document."""
    if doc.kind == "glossary":
        return f"/{locale}/glossary/{anchor(doc.id)}"
    if doc.kind == "safety":
        return f"/{locale}/safety#{anchor(doc.id)}"
    return f"/{locale}/pages/{doc.id}"


def initial(title: str) -> str:
    """The A-Z heading a title is listed under: its first letter without accents, upper case."""
    for char in title:
        if char.isalnum():
            base = unicodedata.normalize("NFKD", char)[0]
            return base.upper()
    return "#"


class ContentStore:
    """Reads published sets of the live release once and serves them until the release changes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._release: Path | None = None
        self._sets: dict[str, PublishedSet] = {}

    def release(self) -> Path | None:
        """The live release directory, or None when nothing has been published."""
        live = current_release(self.data_dir)
        with self._lock:
            if live != self._release:
                self._release = live
                self._sets = {}
        return live

    def locales(self) -> list[str]:
        live = self.release()
        return published_locales(live) if live is not None else []

    def published(self, locale: str) -> PublishedSet | None:
        """The published set of a locale in the live release; None when it has none."""
        live = self.release()
        if live is None or locale not in published_locales(live):
            return None
        with self._lock:
            cached = self._sets.get(locale)
            if cached is not None and self._release == live:
                return cached
        loaded = read_published(live, locale)
        with self._lock:
            if self._release == live:
                self._sets[locale] = loaded
        return loaded

    def document(self, locale: str, doc_id: str) -> PublishedDocument | None:
        published = self.published(locale)
        if published is None:
            return None
        return next((doc for doc in published.documents if doc.id == doc_id), None)

    def glossary(self, locale: str) -> list[PublishedDocument] | None:
        """Glossary terms sorted by their title as shown in the locale."""
        published = self.published(locale)
        if published is None:
            return None
        terms = [doc for doc in published.documents if doc.kind == "glossary"]
        return sorted(terms, key=lambda doc: (initial(doc.title), doc.title.casefold(), doc.id))

    def safety(self, locale: str) -> SafetyPage | None:
        """The safety page: every safety document in order; the boxed warning and the sections it names
        boxed."""
        published = self.published(locale)
        if published is None:
            return None
        docs = sorted((d for d in published.documents if d.kind == "safety"), key=lambda d: (d.order, d.id))
        warning = next((d for d in docs if d.id == BOXED_WARNING_ID), None)
        inside = {BOXED_WARNING_ID, *(warning.related if warning else ())}
        page = SafetyPage()
        anchors = {anchor(doc.id) for doc in docs}
        for doc in docs:
            fragment = urlsplit(doc.url).fragment
            alias = fragment if fragment and fragment not in anchors else None
            section = SafetySection(doc, anchor(doc.id), alias)
            if doc.id in inside:
                page.boxed.append(section)
            elif page.boxed or warning is None or doc.order > warning.order:
                page.sections.append(section)
            else:
                # Indications come before the Important Safety Information on the source page.
                page.before.append(section)
        return page
