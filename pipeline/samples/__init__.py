"""Package data for `portal init`: the settings template and the sample workspace (pages, catalogs)."""

__all__: list[str] = []
