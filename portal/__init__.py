"""The patient-facing web app (search, glossary, safety information, API) and its metrics."""

__all__ = [
    "app",
    "content",
    "i18n",
    "metrics",
    "render",
]
