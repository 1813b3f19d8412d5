"""The text of a message field: Babel types msgid and msgstr as a string or a tuple of plural forms."""

from __future__ import annotations

from typing import Any

__all__ = ["singular"]


def singular(value: Any) -> str:
    """The singular text of a message field (the product's own catalogs hold no plural forms)."""
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value or "")
