"""The fields of a locale's index and how a published document fills them."""

from __future__ import annotations

from typing import Any

from whoosh.fields import BOOLEAN, ID, NUMERIC, STORED, TEXT, Schema

from index.analyzers import exact_analyzer, exact_key, plain_analyzer, text_analyzer
from pipeline.publishing.published import PublishedDocument

# Bump when fields or analysis change: an index of another version is rebuilt in full.
SCHEMA_VERSION = 4


def schema_for(locale: str) -> Schema:
    """The schema of one locale: locale analysis for text, English analysis for English names."""
    analyzer = text_analyzer(locale)
    plain = plain_analyzer(locale)
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        locale=ID(stored=True),
        fallback=BOOLEAN(stored=True),
        url=STORED(),
        hash=STORED(),
        order=NUMERIC(stored=True),
        title=TEXT(analyzer=analyzer, stored=True),
        # term, abbreviation and also-known-as, as written (no stop words: "OS" is Spanish "os")
        names=TEXT(analyzer=plain),
        # the English title and abbreviation of every document, so an English term works anywhere
        en_names=TEXT(analyzer=text_analyzer("en")),
        body=TEXT(analyzer=analyzer, stored=True),
        pronunciation=TEXT(analyzer=plain, stored=True, phrase=False),
        # surface forms of everything: typo tolerance, prefixes and "did you mean" (no phrase is
        # ever asked of plain, label or pronunciation: no positions, a cheaper build, same scores)
        plain=TEXT(analyzer=plain, phrase=False),
        # what autocomplete completes: titles and names
        label=TEXT(analyzer=plain, phrase=False),
        # whole titles, terms and abbreviations, one key each
        exact=TEXT(analyzer=exact_analyzer(), phrase=False),
    )


def body_of(doc: PublishedDocument) -> str:
    """The document text without its leading title line (the title has its own field)."""
    text = doc.text or ""
    first, _, rest = text.partition("\n")
    return rest if first.strip() == doc.title.strip() and rest else text


def index_fields(doc: PublishedDocument) -> dict[str, Any]:
    """The field values of one published document."""
    locale = doc.locale
    names = [n for n in [doc.term, doc.abbreviation, *doc.also_known_as] if n]
    en_names = [n for n in [doc.en_title, doc.abbreviation] if n]
    if doc.fallback or locale.startswith("en"):
        en_names.extend(doc.also_known_as)
    body = body_of(doc)
    keys = {exact_key(v, locale) for v in [doc.title, *names]}
    keys |= {exact_key(v, "en") for v in en_names}
    # a title without its trailing parenthetical: "Immunomodulatory drug (IMiD)" -> "immunomodulatory drug"
    keys |= {exact_key(v.split("(")[0], locale) for v in [doc.title, doc.term or ""] if "(" in v}
    keys.discard("")
    return {
        "id": doc.id,
        "kind": doc.kind,
        "locale": locale,
        "fallback": bool(doc.fallback),
        "url": doc.url,
        "hash": doc.hash,
        "order": int(doc.order or 0),
        "title": doc.title,
        "names": "\n".join(names),
        "en_names": "\n".join(en_names),
        "body": body,
        "pronunciation": doc.pronunciation or "",
        "plain": "\n".join([doc.title, *names, *en_names, body]),
        "label": "\n".join([doc.title, *names, *en_names]),
        "exact": "\n".join(sorted(keys)),
    }
