"""The refresh deployed to a real Prefect server (SQLite, loopback) and run by a process worker.

Everything here runs in subprocesses with their own PREFECT_HOME and PREFECT_API_URL; nothing of
it reaches the session's Prefect test harness. Every process started is stopped with its
descendants (flow runs included), also when an assertion fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from ops_processes import Processes, free_port

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POOL = "portal-test"
ARTIFACT_KEY = "portal-refresh-report"


@pytest.fixture
def processes():
    started = Processes()
    yield started
    started.stop_all()
    assert started.tree() == {}, "a process of the server test survived"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    for name in ("locales", "source_docs"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "portal.toml", folder / "portal.toml")
    return folder


def prefect_env(home: Path, api: str, workspace: Path) -> dict[str, str]:
    """The environment of every subprocess: the session's PREFECT_* settings replaced by our own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PORTAL_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_LOGGING_LEVEL="WARNING",
        PORTAL_WORKSPACE=str(workspace),
    )
    return env


def wait_for(check, what: str, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(api: httpx.Client) -> bool:
    try:
        return api.get("/health").status_code == 200
    except httpx.HTTPError:
        return False


def finished_run(api: httpx.Client, run_id: str) -> dict | None:
    run = api.get(f"/flow_runs/{run_id}").json()
    return run if run["state_type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None


def report_artifact(api: httpx.Client, run_id: str) -> dict:
    found = api.post(
        "/artifacts/filter",
        json={"artifacts": {"key": {"any_": [ARTIFACT_KEY]}, "flow_run_id": {"any_": [run_id]}}},
    ).json()
    assert len(found) == 1, found
    return found[0]


def live(workspace: Path) -> str | None:
    link = workspace / "var" / "current"
    return os.readlink(link) if link.is_symlink() else None


def test_deployed_refresh_runs_on_a_worker(tmp_path: Path, workspace: Path, processes: Processes) -> None:
    port = free_port()
    env = prefect_env(tmp_path / "prefect", f"http://127.0.0.1:{port}/api", workspace)
    server = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    processes.start(server, env=env, cwd=tmp_path, log=tmp_path / "server.log")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api", timeout=10) as api:
        wait_for(lambda: healthy(api), "the Prefect server", 60)

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(args, env=env, cwd=workspace, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stdout + done.stderr
            return done

        run(str(BIN / "prefect"), "work-pool", "create", POOL, "--type", "process")
        deployed = run(
            str(BIN / "portal"), "schedule", "--deploy", "--pool", POOL, "--offline", "--name", "ops"
        )
        assert f"to work pool {POOL}" in deployed.stdout
        worker = [str(BIN / "prefect"), "worker", "start", "--pool", POOL]
        processes.start(worker, env=env, cwd=tmp_path, log=tmp_path / "worker.log")
        deployment = api.get("/deployments/name/portal-refresh/ops").json()
        assert deployment["work_pool_name"] == POOL and deployment["global_concurrency_limit"]["limit"] == 1

        def trigger() -> dict:
            flow_run = api.post(f"/deployments/{deployment['id']}/create_flow_run", json={}).json()
            return wait_for(lambda: finished_run(api, flow_run["id"]), "the flow run", 90)

        # 1. a full refresh on the worker: completed, its report on the server, the release switched
        assert live(workspace) is None
        first = trigger()
        assert first["state_type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
        assert "portal refresh: ok" in report_artifact(api, first["id"])["description"]
        released = live(workspace)
        assert released is not None

        # 2. a source breaks its contract: the run ends Failed, partial, the source keeps its content
        (workspace / "source_docs" / "relapse.html").write_text("<html><body><p>gone</p></body></html>")
        second = trigger()
        assert second["state_type"] == "FAILED"
        assert "portal refresh: partial" in report_artifact(api, second["id"])["description"]
        corpus = json.loads((workspace / "var" / "current" / "corpus.json").read_text())
        assert sum(1 for d in corpus["documents"] if d["source"] == "relapse") == 25
