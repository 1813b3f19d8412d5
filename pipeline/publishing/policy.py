"""The publishing rule: what a patient sees of a document in a locale, and whether it is a fallback.

A document is shown translated only when every one of its units passes the policy of its kind
(by default ``approved``: a reviewer approved that exact source and translation). Otherwise the
whole document is shown in approved English, marked ``fallback`` so the portal says so. Mixing
languages inside one safety section is never done.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from pipeline.extraction.model import Corpus, Document, Node, body_text, strip_parenthetical
from pipeline.localization.pseudo import PSEUDO_LOCALES
from pipeline.localization.review import Decisions, state_of
from pipeline.localization.segments import PlaceholderError, Unit, render
from pipeline.localization.text import singular
from pipeline.localization.workspace import Workspace
from pipeline.publishing.published import PublishedDocument, PublishedSet

DEFAULT_POLICY = {"glossary": "approved", "safety": "approved", "page": "approved"}


@dataclass
class Translations:
    """One locale's catalog and review decisions, and how strict publishing is."""

    locale: str
    catalog: Catalog | None
    decisions: Decisions
    policy: Mapping[str, str]
    pseudo: bool = False

    def __post_init__(self) -> None:
        self._by_segment: dict[str, Message] = (
            {m.context: m for m in self.catalog if m.id and m.context} if self.catalog is not None else {}
        )

    def publishable(self, unit: Unit) -> str | None:
        """The translation of a unit if it may be shown, else None."""
        message = self._by_segment.get(unit.id)
        if message is None or singular(message.id) != unit.text or not message.string:
            return None  # no translation, or one made for another version of the source
        state = state_of(message, self.decisions)
        if self.pseudo:
            return singular(message.string) if state in {"translated", "approved"} else None
        needed = self.policy.get(unit.kind, "approved")
        if state == "approved" or (needed == "translated" and state == "translated"):
            return singular(message.string)
        return None


def translations_for(workspace: Workspace, locale: str, policy: Mapping[str, str]) -> Translations:
    """A locale's publishable translations, read from the workspace (the review log verified)."""
    return Translations(
        locale,
        workspace.catalog(locale),
        workspace.decisions(locale),
        policy,
        pseudo=locale in PSEUDO_LOCALES,
    )


def published_text(doc: Document, translations: Translations | None) -> tuple[str, list[Node], bool]:
    """(title, body, fallback) of a document in the locale of ``translations`` (None: English)."""
    if translations is None:
        return doc.title, doc.body, False
    missing: list[Unit] = []

    def publishable(unit: Unit) -> str | None:
        text = translations.publishable(unit)
        if text is None:
            missing.append(unit)
        return text

    # One walk of the document: render what may be shown, and fall back when any unit may not.
    try:
        title, body = render(doc, publishable)
    except (PlaceholderError, KeyError):
        return doc.title, doc.body, True
    if missing:
        return doc.title, doc.body, True
    return title, body, False


_WORD_RUN = re.compile(r"[\w-]+")

# A term page links the first safety sections (in corpus order) that mention the term: a handful
# a patient can read, not every section of every product that says "anemia".
RELATED_LIMIT = 8


class SafetyMentions:
    r"""The safety sections of a corpus indexed by the word runs they contain, built once per corpus.

    Finding the sections that mention a term used to scan every safety section per glossary term:
    quadratic in the number of sources. A match of ``(?<![\w-])needle(?![\w-])`` holds the needle's
    first run of word characters as a whole run of the text, so only the texts holding that run
    are searched, with the same expression as before. Each distinct text is searched once (the
    same warning often stands in many products' pages) and each distinct needle once (the same
    term in many glossaries). The related sections of a document do not depend on the locale, so
    they are kept per document id: one instance serves every locale of a release.
    """

    def __init__(self, corpus: Corpus) -> None:
        self.safety = [doc for doc in corpus.documents if doc.kind == "safety"]
        self.texts: list[str] = []  # distinct texts of the safety sections
        self.where: list[list[int]] = []  # the positions of each distinct text's sections
        self.by_run: dict[str, list[int]] = {}  # word run -> distinct texts holding it, ascending
        self._found: dict[str, tuple[int, ...]] = {}
        self._related: dict[str, list[str]] = {}
        numbers: dict[str, int] = {}
        for position, doc in enumerate(self.safety):
            number = numbers.get(doc.text)
            if number is None:
                number = numbers[doc.text] = len(self.texts)
                self.texts.append(doc.text)
                self.where.append([])
                for run in {match.lower() for match in _WORD_RUN.findall(doc.text)}:
                    self.by_run.setdefault(run, []).append(number)
            self.where[number].append(position)

    def mentioning(self, needle: str) -> tuple[int, ...]:
        """Positions (ascending) of the safety sections mentioning ``needle`` as a whole word."""
        if needle not in self._found:
            pattern = re.compile(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", re.IGNORECASE)
            first = _WORD_RUN.search(needle)
            texts = self.by_run.get(first.group().lower(), []) if first else range(len(self.texts))
            matching = (self.where[n] for n in texts if pattern.search(self.texts[n]))
            self._found[needle] = tuple(sorted(position for positions in matching for position in positions))
        return self._found[needle]

    def related(self, doc: Document) -> list[str]:
        """The ids of the first ``RELATED_LIMIT`` safety sections mentioning a glossary term."""
        if doc.id not in self._related:
            needles = [doc.fields.get("term") or doc.title]
            if doc.fields.get("abbreviation"):
                needles.append(doc.fields["abbreviation"])
            found = sorted(set().union(*(self.mentioning(n) for n in needles if n)))
            self._related[doc.id] = [self.safety[number].id for number in found[:RELATED_LIMIT]]
        return list(self._related[doc.id])


def related_safety(doc: Document, corpus: Corpus, mentions: SafetyMentions | None = None) -> list[str]:
    """Safety sections that mention a glossary term (or its abbreviation), in corpus order."""
    if doc.kind != "glossary":
        return []
    return (mentions or SafetyMentions(corpus)).related(doc)


def publish_document(
    doc: Document,
    corpus: Corpus,
    locale: str,
    translations: Translations | None,
    order: int,
    mentions: SafetyMentions | None = None,
) -> PublishedDocument:
    title, body, fallback = published_text(doc, translations)
    text = "\n".join(part for part in (title, body_text(body)) if part)
    fields = doc.fields
    term = None
    if doc.kind == "glossary":
        term = fields.get("term") if fallback or translations is None else strip_parenthetical(title)
    return PublishedDocument(
        id=doc.id,
        source=doc.source,
        kind=doc.kind,
        locale=locale,
        title=title,
        text=text,
        body=body,
        url=doc.url,
        fallback=fallback,
        en_title=doc.title,
        term=term,
        abbreviation=fields.get("abbreviation"),
        also_known_as=list(fields.get("also_known_as") or []),
        pronunciation=fields.get("pronunciation"),
        definition=body_text(body) if doc.kind == "glossary" else None,
        related=related_safety(doc, corpus, mentions) + list(fields.get("sections") or []),
        order=order,
    )


def publish_locale(
    corpus: Corpus, locale: str, translations: Translations | None, mentions: SafetyMentions | None = None
) -> PublishedSet:
    """Every document of the corpus as published in one locale (English when translations is None).

    ``mentions``, built once for the corpus, saves finding the related safety sections again in
    every locale.
    """
    mentions = mentions or SafetyMentions(corpus)
    docs = [
        publish_document(doc, corpus, locale, translations, order, mentions)
        for order, doc in enumerate(corpus.documents)
    ]
    return PublishedSet(locale=locale, documents=docs, abbreviations=dict(corpus.abbreviations))
