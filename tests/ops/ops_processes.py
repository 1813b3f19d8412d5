"""Background processes for the ops tests: each in its own session, and stopped with everything it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from pipeline.cli.reaper import _descendants, _signal_all, _start_time


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Processes:
    """The processes a test started; ``stop_all`` ends them and their descendants, newest first."""

    def __init__(self) -> None:
        self.started: list[tuple[subprocess.Popen[bytes], object]] = []

    def start(self, args: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
        handle = open(log, "wb")  # noqa: SIM115 (closed in stop_all)
        process = subprocess.Popen(
            args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.started.append((process, handle))
        return process

    def tree(self) -> dict[int, str]:
        """Every started process still alive and every descendant (a flow run's own session too)."""
        found: dict[int, str] = {}
        for process, _ in self.started:
            started = _start_time(process.pid)
            if process.poll() is None and started is not None:
                found[process.pid] = started
            found.update(_descendants(process.pid))
        return found

    def stop_all(self, grace: float = 8.0) -> None:
        for process, handle in reversed(self.started):
            doomed = {process.pid: _start_time(process.pid) or ""} | _descendants(process.pid)
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGTERM)
            alive = _signal_all({p: s for p, s in doomed.items() if s}, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while alive and time.monotonic() < deadline:
                process.poll()
                time.sleep(0.1)
                alive = {p: s for p, s in alive.items() if _start_time(p) == s and not _zombie(p)}
            _signal_all(alive, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            handle.close()  # type: ignore[attr-defined]


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
