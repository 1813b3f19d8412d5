"""Localization: documents -> messages -> catalogs, and the people who translate and review them.

Segments and protected tokens, the template, the GNU-faithful PO reader/writer and msgmerge-style
merge, the workspace of catalogs, machine drafts, quality checks, the pseudo-locale, coverage
statistics, accounts, and the signed review log.
"""

__all__ = [
    "accounts",
    "entries",
    "linebreaks",
    "machine",
    "merge",
    "pofile",
    "pseudo",
    "qa",
    "review",
    "segments",
    "signing",
    "stats",
    "template",
    "text",
    "tokens",
    "workspace",
]
