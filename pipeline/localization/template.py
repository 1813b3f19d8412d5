"""The message template: every translatable unit of the corpus as a gettext message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog

from pipeline.extraction.model import Corpus, Document, node_text
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
    source_root: Path | None = None,
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


def template_from_sources(sources: list, *, dnt_terms: Iterable[str] = (), project_root: Path | None = None):
    """Extract the sources and build their template; returns (corpus, template)."""
    from pipeline.extraction.extractor import extract_sources

    corpus = extract_sources(sources)
    files = {}
    for source in sources:
        try:
            files[source.id] = (
                str(source.snapshot.relative_to(project_root)) if project_root else source.snapshot.name
            )
        except ValueError:
            files[source.id] = str(source.snapshot)
    return corpus, build_template(corpus, dnt_terms=dnt_terms, files=files)
