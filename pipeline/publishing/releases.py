"""Published releases: immutable generations under the data directory, switched atomically.

Layout::

    <data_dir>/releases/<release-id>/   one generation: published/<locale>.json, index/<locale>/,
                                        messages/<locale>/LC_MESSAGES/portal.mo, manifest.json
    <data_dir>/current                  symlink -> releases/<release-id> (the live state)
    <data_dir>/previous                 symlink -> the release that was live before it

A new release is staged by hard-linking the live one into a temporary directory, changed there,
and made live by replacing the ``current`` symlink with ``os.replace`` (atomic on POSIX). A crash
at any point leaves ``current`` pointing at a complete release; leftover staging directories are
removed by the next staging.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import PublishError
from pipeline.fs import write_json_atomic

KEEP_RELEASES = 5
STAGING_PREFIX = ".staging-"


def releases_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "releases"


def current_release(data_dir: Path) -> Path | None:
    """The directory of the live release, or None when nothing has been published yet."""
    link = Path(data_dir) / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    if not target.is_dir():
        raise PublishError(
            f"the live release link points at a missing release ({target.name}); "
            "restore it from a backup or run `portal publish rollback`",
            path=link,
        )
    return target


def previous_release(data_dir: Path) -> Path | None:
    link = Path(data_dir) / "previous"
    target = link.resolve() if link.is_symlink() else None
    return target if target is not None and target.is_dir() else None


def read_manifest(release: Path) -> dict[str, Any]:
    path = Path(release) / "manifest.json"
    if not path.exists():
        return {}
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def _link_tree(src: Path, dst: Path) -> None:
    """Copy a tree with hard links: cheap, and safe because release files are never rewritten in place."""
    shutil.copytree(src, dst, copy_function=os.link, symlinks=True)


def _switch(data_dir: Path, name: str, target: Path) -> None:
    link = Path(data_dir) / name
    tmp = Path(data_dir) / f".{name}.{uuid.uuid4().hex}.tmp"
    os.symlink(os.path.relpath(target, data_dir), tmp)
    os.replace(tmp, link)


def _clean_staging(data_dir: Path) -> None:
    root = releases_dir(data_dir)
    if root.is_dir():
        for leftover in root.glob(STAGING_PREFIX + "*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _prune(data_dir: Path, keep: int) -> None:
    live = {current_release(data_dir), previous_release(data_dir)}
    finished = sorted(
        (p for p in releases_dir(data_dir).iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in finished[:-keep] if len(finished) > keep else []:
        if old.resolve() not in live:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def stage_release(data_dir: Path, *, note: str = "", keep: int = KEEP_RELEASES) -> Iterator[Path]:
    """Yield a staging copy of the live release; publish it atomically if the block succeeds.

    The caller must hold the refresh or index lock: two stagings at once would race on `current`.
    """
    data_dir = Path(data_dir)
    root = releases_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    _clean_staging(data_dir)
    now = time.time()
    # Sortable by name: second-resolution time plus microseconds, then a random tail.
    release_id = (
        time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 1e6):06d}-{uuid.uuid4().hex[:4]}"
    )
    staging = root / f"{STAGING_PREFIX}{release_id}"
    live = current_release(data_dir)
    try:
        if live is not None:
            _link_tree(live, staging)
        else:
            staging.mkdir()
        yield staging
        manifest = read_manifest(staging)
        manifest.update(
            {
                "release": release_id,
                "created": time.time(),
                "note": note,
                "parent": live.name if live else None,
            }
        )
        write_json_atomic(staging / "manifest.json", manifest)
        final = root / release_id
        os.rename(staging, final)
        if live is not None:
            _switch(data_dir, "previous", live)
        _switch(data_dir, "current", final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(data_dir, keep)


def rollback(data_dir: Path) -> Path:
    """Make the previous release live again and return it."""
    data_dir = Path(data_dir)
    live = current_release(data_dir)
    before = previous_release(data_dir)
    if before is None or live is None:
        raise PublishError("there is no previous release to roll back to", path=data_dir)
    _switch(data_dir, "current", before)
    _switch(data_dir, "previous", live)
    return before
