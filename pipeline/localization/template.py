"""The message template: every translatable unit of the corpus as a gettext message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog

from pipeline.config import Settings
from pipeline.extraction.model import Corpus, Document, node_text
from pipeline.extraction.sources import Source
from pipeline.localization.pofile import read_catalog, render_catalog, template_path
from pipeline.localization.segments import Unit, units

PROJECT = "portal"
KIND_NOTES = {
    "glossary": "glossary term shown to patients; keep it plain and consistent",
    "safety": "SAFETY TEXT: published only after a reviewer approves this exact translation",
    "page": "page content",
}


def _placeholder_note(unit: Unit) -> str | None:
    if not unit.placeholders:
        return None
    notes = []
    for number, spec in sorted(unit.placeholders.items()):
        if "node" in spec:
            node = spec["node"]
            inner = "".join(c for c in node_text(node) if not c.isspace()) or node["tag"]
            notes.append(f"<{number}/> = {inner}")
        elif spec["tag"] == "a":
            notes.append(f"<{number}>…</{number}> = link to {spec['attrs'].get('href', '')}")
        else:
            notes.append(f"<{number}>…</{number}> = {spec['tag']}")
    return "placeholders: keep them, move them with the words they wrap: " + "; ".join(notes)


def protected_in(text: str, terms: Iterable[str]) -> list[str]:
    return [t for t in terms if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", text)]


def comments_for(unit: Unit, doc: Document, dnt_terms: Iterable[str]) -> list[str]:
    """Extracted comments that tell the translator what the text is and what must stay."""
    comments = [f"kind: {unit.kind}", KIND_NOTES[unit.kind]]
    if unit.role == "term" and doc.fields.get("pronunciation"):
        comments.append(f"pronunciation (English): {doc.fields['pronunciation']}")
    if unit.role == "term" and doc.fields.get("abbreviation"):
        comments.append(f"keep the abbreviation ({doc.fields['abbreviation']}) as it is")
    keep = protected_in(unit.text, dnt_terms)
    if keep:
        comments.append("do not translate: " + ", ".join(keep))
    note = _placeholder_note(unit)
    if note:
        comments.append(note)
    return comments


def build_template(
    corpus: Corpus,
    *,
    dnt_terms: Iterable[str] = (),
    files: dict[str, str] | None = None,
) -> Catalog:
    """A Babel catalog (the POT) with one message per unit, msgctxt = the unit id."""
    dnt = tuple(dnt_terms)
    catalog = Catalog(
        project=PROJECT,
        version="1.0",
        copyright_holder="portal maintainers",
        msgid_bugs_address="maintainers",
        creation_date=datetime.now(UTC),
        charset="utf-8",
        fuzzy=False,
    )
    files = files or {}
    for doc in corpus.documents:
        location = files.get(doc.source, f"source_docs/{doc.source}.html")
        line = doc.fields.get("line") or 0
        for unit in units(doc):
            message = catalog.add(
                unit.text,
                context=unit.id,
                locations=[(location, line)],
                auto_comments=comments_for(unit, doc, dnt),
            )
            # Babel guesses python-format from text like "50% decrease"; content is never a format string.
            message.flags.discard("python-format")
    return catalog


def source_locations(sources: Iterable[Source], root: Path) -> dict[str, str]:
    """Each source's snapshot as the template's ``#:`` lines name it: relative to the workspace."""
    locations = {}
    for source in sources:
        try:
            locations[source.id] = str(source.snapshot.relative_to(root.resolve()))
        except ValueError:
            locations[source.id] = source.snapshot.name
    return locations


def template_for(corpus: Corpus, sources: Iterable[Source], settings: Settings) -> tuple[Catalog, bool]:
    """The template of a corpus, and whether it differs from the workspace's portal.pot.

    When only the creation date would differ the existing template is returned, so an unchanged
    refresh or catalog update rewrites no file and the catalogs keep their headers.
    """
    template = build_template(
        corpus, dnt_terms=settings.do_not_translate, files=source_locations(sources, settings.root)
    )
    path = template_path(settings.locales_path)
    if path.exists():
        existing = read_catalog(path)
        template.creation_date = existing.creation_date
        if render_catalog(template, template=True) == render_catalog(existing, template=True):
            return existing, False
    return template, True
