"""Session fixtures of the portal tests: a live release, with and without search indexes."""

from __future__ import annotations

from pathlib import Path

import pytest
from portal_release import build_release


@pytest.fixture(scope="session")
def published_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with a live release and no search index (for the stub engine)."""
    data_dir = tmp_path_factory.mktemp("portal-published")
    build_release(data_dir, index=False)
    return data_dir


@pytest.fixture(scope="session")
def indexed_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with a live release and its search indexes, built by index.build."""
    data_dir = tmp_path_factory.mktemp("portal-indexed")
    build_release(data_dir, index=True)
    return data_dir
