"""Compiled catalogs: .mo files that hold only the translations the publishing rule allows."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from pipeline.fs import atomic_write
from pipeline.localization.review import kind_of
from pipeline.localization.segments import Unit
from pipeline.localization.text import singular
from pipeline.publishing.policy import Translations


def publishable_catalog(translations: Translations) -> Catalog:
    """A copy of the catalog with only the messages that may be shown to patients."""
    source = translations.catalog
    compiled = Catalog(locale=source.locale if source is not None else None, fuzzy=False)
    if source is None:
        return compiled
    for message in source:
        if not message.id or not message.context:
            continue
        unit = Unit(message.context, message.context.split("#")[0], kind_of(message), singular(message.id))
        text = translations.publishable(unit)
        if text is not None:
            compiled.add(message.id, text, context=message.context)
    return compiled


def write_mofile(translations: Translations, path: Path) -> int:
    """Write the .mo atomically; returns how many translations it holds."""
    catalog = publishable_catalog(translations)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    atomic_write(path, buffer.getvalue())
    return len([m for m in catalog if m.id])
