"""Extraction: source pages -> documents, read with declarative profiles and checked by contracts."""

__all__: list[str] = []
