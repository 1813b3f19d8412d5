"""Extraction: source pages -> documents, read with declarative profiles and checked by contracts.

Sources and their manifest, fetching (HTTP with validators and retries, snapshots), the DOM
helpers, profiles and the generic reader, and the content model (documents, corpus).
"""

__all__ = [
    "contract",
    "dom",
    "extractor",
    "fetching",
    "heuristics",
    "model",
    "profile",
    "reader",
    "selectors",
    "sources",
]
