"""A watchdog that stops what a command started when the command itself is killed.

`portal refresh` starts processes it does not own the code of (Prefect's ephemeral API server, Dask
workers). A SIGKILL of the command would leave them running. ``guard()`` starts this file as a
separate process, in its own session, that follows the command's process tree every quarter
second; once the command is gone it terminates every descendant it saw (checking their start
times, so a reused pid is never touched), then exits. It imports nothing of the product, so it
starts in milliseconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

POLL = 0.25
GRACE = 3.0


def guard() -> subprocess.Popen[bytes] | None:
    """Start the watchdog for this process (Linux only; elsewhere nothing is started)."""
    if not Path("/proc/self/task").is_dir():
        return None
    return subprocess.Popen(
        [sys.executable, "-I", "-S", __file__, str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outside the command's session, so a kill of that session spares it
        close_fds=True,
    )


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22: start time in clock ticks since boot


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _descendants(root: int) -> dict[int, str]:
    seen: dict[int, str] = {}
    stack = _children(root)
    while stack:
        pid = stack.pop()
        started = _start_time(pid)
        if pid in seen or started is None or pid == os.getpid():
            continue
        seen[pid] = started
        stack += _children(pid)
    return seen


def _signal_all(processes: dict[int, str], sig: int) -> dict[int, str]:
    alive = {}
    for pid, started in processes.items():
        if _start_time(pid) == started:
            try:
                os.kill(pid, sig)
                alive[pid] = started
            except OSError:
                continue
    return alive


def _group(pgid: int) -> dict[int, str]:
    """Processes of a process group (a child started just before the command died is there too)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if os.getpgid(int(entry.name)) == pgid and (started := _start_time(int(entry.name))):
                    found[int(entry.name)] = started
            except OSError:
                continue
    return found


def watch(parent: int) -> None:
    parent_started = _start_time(parent)
    leads_group = os.getpgid(parent) == parent  # a shell job or a setsid'd command: the group is its own
    tree: dict[int, str] = {}
    while _start_time(parent) == parent_started and parent_started is not None:
        tree.update(_descendants(parent))
        tree = {pid: started for pid, started in tree.items() if _start_time(pid) == started}
        time.sleep(POLL)
    if leads_group:
        tree.update(_group(parent))
    for pid in list(tree):  # their own children appeared after the last look: include them too
        tree.update(_descendants(pid))
    alive = _signal_all(tree, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {pid: s for pid, s in alive.items() if _start_time(pid) == s}
    _signal_all(alive, signal.SIGKILL)


if __name__ == "__main__":
    watch(int(sys.argv[1]))
