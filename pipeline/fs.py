"""The one atomic write and the one lock every stage uses.

Readers must never see half a file: ``atomic_write`` writes next to the target, fsyncs, renames
over it and fsyncs the directory. Two writers must never interleave: ``file_lock`` holds an
advisory ``flock`` that the kernel drops when its process dies, so a killed run never leaves a
stale lock behind; the holder's pid is kept in the file for the "busy" message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import LockBusyError, StorageError

__all__ = ["atomic_write", "file_lock", "read_toml", "write_json_atomic"]


def atomic_write(path: str | Path, data: bytes | Iterable[bytes]) -> None:
    """Replace ``path`` with ``data`` so readers see either the old file or the whole new one.

    ``data`` may also come in pieces (any iterable of bytes), written as they come, so that a
    large file is never whole in memory; if producing a piece fails, nothing is replaced.
    A file replaced this way keeps its permission bits. Inside a release staged with hard links
    this never touches the linked original, because the rename swaps the directory entry.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise StorageError(f"cannot write: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StorageError(f"cannot write: {exc.strerror or exc}", file=path) from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows it
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_json_atomic(path: str | Path, data: Any, *, compact: bool = False) -> None:
    """Write ``data`` as UTF-8 JSON through ``atomic_write``: indented, or on one line with ``compact``.

    Large machine-read files (a release's corpus and published documents) are written compact:
    indenting makes Python's json fall back from its C encoder to the pure-Python one.
    """
    text = json.dumps(data, ensure_ascii=False, indent=None if compact else 1)
    atomic_write(path, text.encode("utf-8"))


@contextlib.contextmanager
def file_lock(path: str | Path, what: str, *, wait: bool = False) -> Iterator[Path]:
    """Hold an exclusive lock on ``path`` for ``what`` ("refresh", "catalog update", ...).

    Raises LockBusyError naming the holder's pid when another process has it, or blocks until it
    is free with ``wait``.
    """
    lock = Path(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StorageError(f"cannot create lock: {exc.strerror or exc}", file=lock) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StorageError(f"cannot lock: {exc.strerror or exc}", file=lock) from None
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            raise LockBusyError(
                what, lock=lock, holder=f"pid {holder}" if holder.isdigit() else None
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield lock
        finally:
            os.ftruncate(fd, 0)  # a stale pid would mislead the next busy message
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read_toml(path: str | Path, error: Callable[[str], Exception], what: str = "file") -> dict[str, Any]:
    """A TOML file's table; every way it can fail is one ``error(problem)`` naming what it is."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} not found") from None
    except IsADirectoryError:
        raise error(f"{what} path is a directory, not a file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror or exc}") from None
