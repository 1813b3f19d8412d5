"""Session fixtures of the portal tests: a live release, with and without search indexes."""

from __future__ import annotations

import re
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    """One headless Chromium per session: Debian's, never a downloaded one."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (make test does: apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """The test's output folder for screenshots: test-results/<test name>/."""
    folder = RESULTS_DIR / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder
