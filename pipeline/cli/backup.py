"""`portal backup DIR` and `portal restore ARCHIVE`: the workspace state that is not in git, as one archive.

The archive holds the data directory: every finished release with the ``current`` and
``previous`` links, the accounts database (copied through SQLite's backup API, so a concurrent
login never leaves a torn copy), status, reports and snapshots; the signing keys only when asked
for, because an archive with them can sign approvals. Locks, logs and staging leftovers are not
state. The refresh lock is held while archiving, so no release switches meanwhile.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import typer

from pipeline.cli import options as cli
from pipeline.errors import ConfigError, StorageError

__all__ = ["backup", "register", "restore", "restore_archive", "write_archive"]

MARKER = "portal-backup.json"
SKIPPED = ("locks", "logs")
KEYS = "keys"
ACCOUNTS = "accounts.sqlite3"


def _wanted(relative: Path, include_keys: bool) -> bool:
    top = relative.parts[0]
    if (
        top in SKIPPED
        or top.startswith(".")
        or (top == KEYS and not include_keys)
        or top.startswith(ACCOUNTS)
    ):
        return False
    return not (len(relative.parts) > 1 and relative.parts[0] == "releases" and relative.parts[1][0] == ".")


def _add_accounts(archive: tarfile.TarFile, data_dir: Path) -> bool:
    """The accounts database through SQLite's online backup: a consistent copy even while in use."""
    source = data_dir / ACCOUNTS
    if not source.is_file():
        return False
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / ACCOUNTS
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(copy)) as target:
            live.backup(target)
        archive.add(copy, arcname=ACCOUNTS)
    return True


def write_archive(data_dir: Path, folder: Path, *, include_keys: bool = False) -> tuple[Path, dict[str, Any]]:
    """Write ``folder/portal-backup-<time>.tar.gz`` of ``data_dir``; returns its path and its marker."""
    from pipeline.publishing.releases import current_release
    from pipeline.refresh import refresh_lock

    if not data_dir.is_dir():
        raise ConfigError("nothing to back up: the data directory does not exist", file=data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"portal-backup-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.tar.gz"
    partial = target.with_name(f".{target.name}.tmp")
    with refresh_lock(data_dir), tarfile.open(partial, "w:gz") as archive:
        live = current_release(data_dir)
        for path in sorted(data_dir.rglob("*")):
            relative = path.relative_to(data_dir)
            if _wanted(relative, include_keys) and (path.is_symlink() or path.is_file()):
                archive.add(path, arcname=str(relative), recursive=False)
        created = time.time()
        marker: dict[str, Any] = {
            "created": created,
            "release": live.name if live else None,
            "accounts": _add_accounts(archive, data_dir),
            "keys": include_keys and (data_dir / KEYS).is_dir(),
        }
        payload = json.dumps(marker, indent=1).encode()
        info = tarfile.TarInfo(MARKER)
        info.size, info.mtime = len(payload), int(created)
        archive.addfile(info, io.BytesIO(payload))
    partial.rename(target)
    return target, marker


def _read_marker(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        member = archive.extractfile(MARKER)
    except KeyError:
        member = None
    if member is None:
        raise ConfigError("not a portal backup (no portal-backup.json inside)", file=path)
    loaded: dict[str, Any] = json.loads(member.read())
    return loaded


def restore_archive(path: Path, data_dir: Path, *, force: bool = False) -> dict[str, Any]:
    """Unpack a backup as ``data_dir``: into a sibling folder first, then swapped in by renames."""
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise ConfigError("the data directory is not empty; pass --force to replace it", file=data_dir)
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by the `with` below)
    except (OSError, tarfile.TarError) as exc:
        raise ConfigError(f"cannot read the archive: {exc}", file=path) from None
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restore-", dir=data_dir.parent))
    try:
        with archive:
            marker = _read_marker(archive, path)
            archive.extractall(unpacked, filter="data")  # no absolute paths, no links leaving the folder
        (unpacked / MARKER).unlink()
        _swap_in(unpacked, data_dir)
    except (OSError, tarfile.TarError) as exc:
        raise StorageError(f"cannot restore: {exc}", file=data_dir) from None
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    return marker


def _swap_in(unpacked: Path, data_dir: Path) -> None:
    old = data_dir.with_name(f".{data_dir.name}.before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if data_dir.exists():
        data_dir.rename(old)
    unpacked.rename(data_dir)
    shutil.rmtree(old, ignore_errors=True)


def backup(
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder that receives the archive."),
    include_keys: bool = typer.Option(
        False, "--include-keys", help="Also archive the private signing keys (keep the archive secret)."
    ),
) -> None:
    """Archive the data directory: releases with the live and previous links, accounts, status.

    Example: portal backup /srv/backups --include-keys
    """
    data_dir = cli.settings().data_path
    target, marker = write_archive(data_dir, folder.resolve(), include_keys=include_keys)
    keys = "with signing keys" if marker["keys"] else "without signing keys"
    typer.echo(f"backup written: {target} (release {marker['release'] or '-'}, {keys})")


def restore(
    archive: Path = typer.Argument(..., metavar="ARCHIVE", help="An archive written by `portal backup`."),
    force: bool = typer.Option(False, "--force", help="Replace a data directory that is not empty."),
) -> None:
    """Bring a backup back as the data directory (refused when it holds anything, unless --force).

    Example: portal --data-dir /srv/portal restore /srv/backups/portal-backup-20250101T060000Z.tar.gz
    """
    if not archive.is_file():
        raise ConfigError("archive not found", file=archive)
    data_dir = cli.settings().data_path
    marker = restore_archive(archive.resolve(), data_dir, force=force)
    typer.echo(f"restored {data_dir} (release {marker['release'] or '-'})")


def register(app: typer.Typer) -> None:
    app.command("backup")(cli.clean_errors(backup))
    app.command("restore")(cli.clean_errors(restore))
