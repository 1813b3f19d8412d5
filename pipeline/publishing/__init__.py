"""Publishing: catalogs -> what patients see, switched in atomically.

The publishing policy, published documents, MO files, releases (stage, switch, roll back, prune),
change detection between corpora and between published sets, and the refresh report.
"""

__all__ = [
    "changes",
    "mofile",
    "policy",
    "published",
    "releases",
    "report",
]
