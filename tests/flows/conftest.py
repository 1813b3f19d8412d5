"""One Prefect test harness for the whole session, with PREFECT_HOME in a temporary directory."""

from __future__ import annotations

import os
import shutil
import tempfile

# Set before prefect is imported anywhere, so no cached result or database leaks between sessions.
_HOME = tempfile.mkdtemp(prefix="prefect-home-")
os.environ["PREFECT_HOME"] = _HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield
    shutil.rmtree(_HOME, ignore_errors=True)
