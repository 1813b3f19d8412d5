"""The message template: every translatable unit of the corpus as a gettext message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural

from pipeline.config import Settings
from pipeline.extraction.model import Corpus, Document, node_text
from pipeline.extraction.sources import Source
from pipeline.localization.entries import Header, PoCatalog
from pipeline.localization.pofile import header_of, read_catalog, render_catalog, template_path
from pipeline.localization.segments import Unit, units

PROJECT = "portal"
VERSION = "1.0"
BUGS_ADDRESS = "maintainers"
LICENCE = "This file is distributed under the same license as the portal project."
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
) -> PoCatalog:
    """The template (the POT): one message per unit, msgctxt = the unit id, and a real header."""
    dnt = tuple(dnt_terms)
    catalog = PoCatalog(domain=PROJECT)
    catalog.use_header(template_header(datetime.now(UTC).strftime("%Y-%m-%d %H:%M%z")))
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


# -- headers ---------------------------------------------------------------------------------------


def template_header(creation_date: str) -> Header:
    """The template's header: what xgettext writes, less the placeholders."""
    fields = (
        ("Project-Id-Version", f"{PROJECT} {VERSION}"),
        ("Report-Msgid-Bugs-To", BUGS_ADDRESS),
        ("POT-Creation-Date", creation_date),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    )
    return Header(_text(fields), user_comments=(f"Translations template for {PROJECT}.", LICENCE))


def catalog_header(template: Catalog, locale: str, existing: Header | None) -> Header:
    """The header of one of the product's catalogs, from the existing one, the template and
    Babel's locale data: no placeholders, and the same bytes every time nothing changed."""
    old = {name.lower(): value for name, value in (existing.fields() if existing else [])}
    pot = header_of(template)
    language, team, plural_forms = _locale_data(locale)
    kept = {
        name: old[name.lower()]
        for name in ("PO-Revision-Date", "Last-Translator")
        if old.get(name.lower()) and not _placeholder(old[name.lower()])
    }
    fields = [
        ("Project-Id-Version", _project_version(pot, old)),
        ("Report-Msgid-Bugs-To", (pot.get("Report-Msgid-Bugs-To") if pot else None) or BUGS_ADDRESS),
        (
            "POT-Creation-Date",
            (pot.get("POT-Creation-Date") if pot else None) or old.get("pot-creation-date", ""),
        ),
        *kept.items(),
        ("Language-Team", team),
        ("Language", locale),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", plural_forms),
    ]
    return Header(_text(fields), user_comments=(f"{language} translations for {PROJECT}.", LICENCE))


def with_catalog_header(catalog: Catalog, template: Catalog, locale: str) -> PoCatalog:
    """``catalog`` (a merge result or a pseudo-locale) with its product header."""
    result = catalog if isinstance(catalog, PoCatalog) else _as_po_catalog(catalog)
    existing = result.header if isinstance(catalog, PoCatalog) else None
    result.use_header(catalog_header(template, locale, existing))
    return result


def stamp_translator(catalog: Catalog, name: str, when: datetime | None = None) -> None:
    """Record in the header who last changed a translation, and when (a human edit only).

    Refreshes keep these two fields as they are, so an unchanged catalog stays byte-stable.
    """
    if not isinstance(catalog, PoCatalog) or catalog.header is None:
        return
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M+0000")
    fields = [(k, v) for k, v in catalog.header.fields() if k not in ("PO-Revision-Date", "Last-Translator")]
    names = [k for k, _ in fields]
    at = names.index("POT-Creation-Date") + 1 if "POT-Creation-Date" in names else len(fields)
    fields[at:at] = [("PO-Revision-Date", stamp), ("Last-Translator", name)]
    header = catalog.header
    catalog.use_header(
        Header(_text(fields), header.user_comments, header.auto_comments, header.locations, header.flags)
    )


def _as_po_catalog(catalog: Catalog) -> PoCatalog:
    result = PoCatalog(locale=catalog.locale_identifier, domain=catalog.domain)
    result._messages = catalog._messages
    result.obsolete = catalog.obsolete
    return result


def _locale_data(locale: str) -> tuple[str, str, str]:
    """English name, language team and Plural-Forms of a locale (pseudo-locales are English)."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse("en")
        name = f"Pseudo-locale {locale}"
    else:
        name = parsed.english_name or locale
    plural = get_plural(str(parsed))
    return name, name, f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"


def _project_version(pot: Header | None, old: dict[str, str]) -> str:
    """The workspace's project and version: the template's, else the catalog's, never a placeholder."""
    for value in ((pot.get("Project-Id-Version") if pot else None), old.get("project-id-version")):
        if value and not _placeholder(value):
            return value
    return f"{PROJECT} {VERSION}"


def _placeholder(value: str) -> bool:
    marks = ("YEAR-MO-DA", "FULL NAME", "EMAIL@ADDRESS", "LANGUAGE <", "PACKAGE VERSION")
    return any(mark in value for mark in marks) or value.endswith(" VERSION")


def _text(fields: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in fields)


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
        created = existing.header.get("POT-Creation-Date") if existing.header else None
        if created is not None and template.header is not None:
            template.use_header(template.header.with_field("POT-Creation-Date", created))
        if render_catalog(template, template=True) == render_catalog(existing, template=True):
            return existing, False
    return template, True
