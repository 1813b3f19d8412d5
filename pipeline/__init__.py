"""The portal pipeline: sources, extraction, content model, catalogs, review, translation, checks."""

__version__ = "0.1.0"
