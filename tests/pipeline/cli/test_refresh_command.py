"""`portal refresh` as a process: refusals before work, exit codes, and no stray process after a kill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of this repository's workspace data (never the real one)."""
    for folder in ("locales", "source_docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "portal.toml", tmp_path / "portal.toml")
    return tmp_path


def portal(workspace: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAL_WORKSPACE": str(workspace), "PREFECT_HOME": str(workspace / "prefect")}
    env.pop("PORTAL_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=workspace, env=env, capture_output=True, text=True,
        timeout=240, **kwargs,
    )  # fmt: skip


def live(workspace: Path) -> str | None:
    link = workspace / "var" / "current"
    return os.readlink(link) if link.is_symlink() else None


def session_processes(sid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (
                    os.getsid(int(entry.name)) == sid
                    and Path(f"/proc/{entry.name}/stat").read_text().split()[2] != "Z"
                ):
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["refresh", "--mt", "bogus"], "unknown machine-translation provider 'bogus'"),
        (["refresh", "--locale", "xx"], "unknown locale 'xx'"),
        (["refresh", "--mt", "libre"], "needs the URL of your own server"),
        (["catalog", "update", "--locale", "es-ES"], "unknown locale 'es-ES'"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(workspace: Path, args: list[str], needle: str) -> None:
    result = portal(workspace, *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr
    assert not (workspace / "locales" / "xx").exists() and live(workspace) is None


def test_a_failed_run_switches_nothing(workspace: Path) -> None:
    assert portal(workspace, "refresh").returncode == 0
    before = live(workspace)
    log = workspace / "locales" / "es" / "review-log.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[-1]) | {"reviewer": "someone-else"}
    log.write_text("\n".join([*lines, json.dumps(forged)]) + "\n", encoding="utf-8")
    verify = portal(workspace, "review", "verify", "--locale", "es")
    assert verify.returncode == 1 and f"review-log.jsonl:{len(lines) + 1}" in verify.stdout
    result = portal(workspace, "refresh")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2 and "review-log.jsonl" in result.stderr
    assert live(workspace) == before


def test_sigkill_leaves_no_process_of_its_session(workspace: Path) -> None:
    env = {
        **os.environ,
        "PORTAL_WORKSPACE": str(workspace),
        "PREFECT_HOME": str(workspace / "prefect"),
        "PORTAL_REFRESH_PAUSE": "publish:60",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "refresh"], cwd=workspace, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len(session_processes(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)  # wait until the ephemeral Prefect server runs beside the command
        assert len(session_processes(process.pid)) >= 2, "the refresh never started its Prefect server"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while session_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert session_processes(process.pid) == []
    finally:
        for pid in session_processes(process.pid):
            os.kill(pid, signal.SIGKILL)
