"""Build the per-locale indexes of a release incrementally, and publish them by an atomic switch."""

from __future__ import annotations

import base64
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import LockError

from index.schema import SCHEMA_VERSION, index_fields, schema_for
from pipeline.errors import LockBusyError, PortalError, SearchIndexError
from pipeline.fs import file_lock, write_json_atomic
from pipeline.publishing.published import PublishedSet, published_locales, published_path, read_published
from pipeline.publishing.releases import KEEP_RELEASES, current_release, stage_release

INDEX_NAME = "MAIN"
META_FILE = "search.json"
NOTHING_PUBLISHED = "nothing is published yet; run `portal refresh`"


@dataclass
class LocaleBuild:
    """What building one locale's index changed."""

    locale: str
    documents: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    full: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        mode = "full rebuild" if self.full else "incremental"
        return (
            f"{self.locale}: {self.documents} documents ({mode}): {self.added} added, "
            f"{self.updated} updated, {self.deleted} deleted, {self.unchanged} unchanged "
            f"in {self.seconds:.2f}s"
        )


@dataclass
class BuildReport:
    """The result of a build: one entry per locale, and the release it went into."""

    locales: list[LocaleBuild] = field(default_factory=list)
    release: Path | None = None

    @property
    def changed(self) -> int:
        return sum(b.added + b.updated + b.deleted for b in self.locales)

    def to_dict(self) -> dict:
        return {
            "release": str(self.release) if self.release else None,
            "locales": [vars(b) for b in self.locales],
        }


def index_dir(release: Path, locale: str) -> Path:
    return Path(release) / "index" / locale


def _read_meta(folder: Path) -> dict:
    try:
        return json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _unshare(folder: Path) -> None:
    """Give a staged index directory its own files before writing to it.

    A staged release hard-links the live one; Whoosh only adds and deletes files, but its lock
    file is opened for writing, so a private copy costs little and rules out touching live files.
    """
    if not folder.is_dir() or all(p.stat().st_nlink == 1 for p in folder.iterdir() if p.is_file()):
        return
    copy = folder.with_name(f".{folder.name}.copy-{os.getpid()}")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("*LOCK*"))
    shutil.rmtree(folder)
    os.rename(copy, folder)


def _full_build(folder: Path, published: PublishedSet, report: LocaleBuild) -> None:
    """Write a complete index next to the old one, then put it in its place."""
    fresh = folder.with_name(f".{folder.name}.new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    ix = whoosh_index.create_in(str(fresh), schema_for(published.locale), indexname=INDEX_NAME)
    writer = ix.writer(limitmb=128)
    try:
        for doc in published.documents:
            writer.add_document(**index_fields(doc))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    write_json_atomic(fresh / META_FILE, {"schema": SCHEMA_VERSION, "locale": published.locale})
    if folder.exists():
        shutil.rmtree(folder)
    os.rename(fresh, folder)
    report.full = True
    report.added = len(published.documents)


def _incremental_build(folder: Path, published: PublishedSet, report: LocaleBuild) -> None:
    """Add, update and delete only the documents whose content hash changed."""
    ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        indexed = {f["id"]: f.get("hash") for f in searcher.all_stored_fields()}
    wanted = {doc.id: doc for doc in published.documents}
    changed = [doc for doc in published.documents if indexed.get(doc.id) != doc.hash]
    gone = [doc_id for doc_id in indexed if doc_id not in wanted]
    report.unchanged = len(wanted) - len(changed)
    if not changed and not gone:
        return
    writer = ix.writer(limitmb=128)
    try:
        for doc_id in gone:
            writer.delete_by_term("id", doc_id)
        for doc in changed:
            writer.update_document(**index_fields(doc))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    report.added = sum(1 for doc in changed if doc.id not in indexed)
    report.updated = len(changed) - report.added
    report.deleted = len(gone)


def build_locale(release: Path, locale: str, *, full: bool = False) -> LocaleBuild:
    """Bring ``release/index/<locale>`` up to date with ``release/published/<locale>.json``."""
    started = time.perf_counter()
    published = read_published(release, locale)
    folder = index_dir(release, locale)
    report = LocaleBuild(locale=locale, documents=len(published.documents))
    meta = _read_meta(folder)
    usable = (
        meta.get("schema") == SCHEMA_VERSION
        and meta.get("locale") == locale
        and whoosh_index.exists_in(str(folder), indexname=INDEX_NAME)
    )
    try:
        if full or not usable:
            _full_build(folder, published, report)
        else:
            _unshare(folder)
            try:
                _incremental_build(folder, published, report)
            except LockError:
                raise
            except Exception:  # an unreadable old index is rebuilt, never patched
                report = LocaleBuild(locale=locale, documents=len(published.documents))
                _full_build(folder, published, report)
    except LockError:
        raise LockBusyError("index build", lock=folder / f"{INDEX_NAME}_WRITELOCK") from None
    except OSError as exc:
        raise SearchIndexError(
            f"cannot write the index: {exc.strerror or exc}", locale=locale, path=folder
        ) from None
    report.seconds = time.perf_counter() - started
    return report


def build_indexes(release: Path, locales: Sequence[str] | None = None, *, full: bool = False) -> BuildReport:
    """Build or update the index of each published locale of a (staging) release."""
    release = Path(release)
    available = published_locales(release)
    if not available:
        raise SearchIndexError(NOTHING_PUBLISHED, path=release)
    wanted = list(dict.fromkeys(locales)) if locales else available
    for locale in wanted:
        if locale not in available:
            raise SearchIndexError(
                f"nothing is published for this locale (published: {', '.join(available)})", locale=locale
            )
    with IndexBuilds(release, full=full) as builds:
        for locale in wanted:
            builds.submit(locale)
    return builds.report()


# Below this much published JSON a locale's build takes a fraction of a second: a process costs more.
PARALLEL_MIN_BYTES = 400_000


class IndexBuilds:
    """The index builds of one release's locales, each started as soon as its documents are written.

    Indexing is pure-Python work under the GIL: a locale with at least ``PARALLEL_MIN_BYTES`` of
    published documents is built in a child process (one per core at a time; the threads here
    only wait for them), so it overlaps with the caller writing the next locale. Smaller ones are
    built at once in this process. ``report`` waits for all of them and raises the first error.
    """

    def __init__(self, release: Path, *, full: bool = False) -> None:
        self.release = Path(release)
        self.full = full
        self.pool = ThreadPoolExecutor(max_workers=len(os.sched_getaffinity(0)))
        self.builds: list[Future[LocaleBuild]] = []

    def submit(self, locale: str) -> None:
        if published_path(self.release, locale).stat().st_size >= PARALLEL_MIN_BYTES:
            self.builds.append(self.pool.submit(_build_in_child, self.release, locale, self.full))
            return
        done: Future[LocaleBuild] = Future()
        try:
            done.set_result(build_locale(self.release, locale, full=self.full))
        except Exception as error:  # raised by report(), in locale order like the others
            done.set_exception(error)
        self.builds.append(done)

    def report(self) -> BuildReport:
        return BuildReport(locales=[build.result() for build in self.builds], release=self.release)

    def __enter__(self) -> IndexBuilds:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # On an error in the caller the children already started still finish (into a staging
        # release that is then discarded); none that has not started is started.
        self.pool.shutdown(wait=True, cancel_futures=exc_info[0] is not None)


def _build_in_child(release: Path, locale: str, full: bool) -> LocaleBuild:
    """``build_locale`` in a new interpreter (``python -m index.worker``); its error raised here.

    A plain child process rather than multiprocessing: nothing of the caller's main module is
    imported again, and a Dask worker (a daemonic process) may start one too.
    """
    command = [sys.executable, "-m", "index.worker", str(release), locale, *(["--full"] if full else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    answer = done.stdout.strip().splitlines()[-1:] if done.returncode == 0 else []
    if not answer:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise SearchIndexError(f"the index build process failed: {last}", locale=locale, path=release)
    data = json.loads(answer[0])
    if "error" in data:
        raise pickle.loads(base64.b64decode(data["error"]))
    return LocaleBuild(**data["build"])


def build_child(argv: Sequence[str]) -> int:
    """The child's side: build one locale, print its LocaleBuild (or its PortalError) as one JSON line."""
    release, locale, *flags = argv
    result: dict[str, Any]
    try:
        result = {"build": vars(build_locale(Path(release), locale, full="--full" in flags))}
    except PortalError as error:  # the parent raises it again, class and context intact
        result = {"error": base64.b64encode(pickle.dumps(error)).decode("ascii")}
    print(json.dumps(result))
    return 0


def index_lock(data_dir: Path) -> AbstractContextManager[Path]:
    """Hold ``data_dir/locks/index.lock`` (one index publisher at a time) or raise LockBusyError."""
    return file_lock(Path(data_dir) / "locks" / "index.lock", "index build")


def publish_indexes(
    data_dir: Path, locales: Sequence[str] | None = None, *, full: bool = False, keep: int = KEEP_RELEASES
) -> BuildReport:
    """Build the indexes into a new release staged from the live one and switch to it atomically."""
    data_dir = Path(data_dir)
    with index_lock(data_dir):
        live = current_release(data_dir)
        if live is None or not published_locales(live):
            raise SearchIndexError(NOTHING_PUBLISHED, path=data_dir)
        with stage_release(data_dir, note="index build", keep=keep) as staging:
            report = build_indexes(staging, locales, full=full)
        report.release = current_release(data_dir)
    return report
