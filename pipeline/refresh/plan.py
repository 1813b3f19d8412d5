"""What a refresh works on, and the fingerprint that says whether there is anything to do.

The fingerprint hashes every input the published output depends on (source bytes, the manifest,
selected sources and locales, settings, catalogs, review logs and the code itself). A run whose
fingerprint equals the one stored in the live release has nothing to do; ``is_unchanged`` is the
one place that decides it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import flows
import index
import pipeline
from pipeline.config import Settings
from pipeline.extraction.fetching import Fetched
from pipeline.extraction.model import Corpus, content_hash
from pipeline.extraction.sources import Source, load_manifest, select
from pipeline.localization.machine import check_provider
from pipeline.publishing.changes import read_corpus
from pipeline.publishing.releases import current_release, read_manifest
from pipeline.refresh.result import ENGLISH

__all__ = ["FINGERPRINT_KEY", "RefreshPlan", "RefreshRequest", "fingerprint", "is_unchanged", "make_plan"]

FINGERPRINT_KEY = "refresh_fingerprint"
# Settings that do not change what is published.
UNPUBLISHED_SETTINGS = frozenset({"portal_host", "portal_port", "webhook_url", "relevance_dir"})


@dataclass(frozen=True)
class RefreshRequest:
    """What the caller asked for: which sources and locales, online or not, which MT provider."""

    sources: Sequence[str] = ()
    manifest: Path | None = None
    online: bool = False
    locales: Sequence[str] = ()
    mt: str | None = None
    wait: bool = False


@dataclass
class RefreshPlan:
    """What one run works on, resolved from the request, the settings and the live release."""

    settings: Settings
    manifest_path: Path
    manifest: list[Source]
    selected: list[Source]
    locales: list[str]
    online: bool
    mt: str
    live: Path | None
    previous: Corpus | None = field(repr=False)


def make_plan(settings: Settings, request: RefreshRequest) -> RefreshPlan:
    """What to refresh: the request checked against the settings, before any work starts."""
    manifest_path = Path(request.manifest) if request.manifest else settings.sources_path
    given = load_manifest(manifest_path)
    chosen = [loc for loc in settings.select_locales(request.locales) if loc != ENGLISH]
    check_provider(request.mt if request.mt is not None else settings.mt_provider, settings.mt_url)
    live = current_release(settings.data_path)
    return RefreshPlan(
        settings=settings,
        manifest_path=manifest_path,
        manifest=_all_sources(settings, manifest_path, given),
        selected=select(given, list(request.sources)),
        locales=chosen,
        online=request.online,
        mt=request.mt if request.mt is not None else settings.mt_provider,
        live=live,
        previous=read_corpus(live),
    )


def _all_sources(settings: Settings, manifest_path: Path, given: list[Source]) -> list[Source]:
    """The sources of the run's corpus: another manifest refreshes its pages and keeps the workspace's.

    Refreshing a manifest that lists only some pages must not retire the others' documents (and
    with them their approved translations); only the workspace's own manifest decides what exists.
    """
    own = settings.sources_path
    if manifest_path.resolve() == own.resolve() or not own.is_file():
        return given
    listed = {source.id for source in given}
    return given + [source for source in load_manifest(own) if source.id not in listed]


_CODE_HASH: str | None = None


def code_hash() -> str:
    """A hash of the installed code that shapes the output, so an upgrade invalidates the fingerprint."""
    global _CODE_HASH
    if _CODE_HASH is None:
        digest = hashlib.sha256()
        for package in (pipeline, index, flows):
            folder = Path(package.__file__ or "").parent  # package data: the installed modules themselves
            for path in sorted(folder.rglob("*")):
                if path.suffix in {".py", ".toml"} and path.is_file():
                    digest.update(f"{package.__name__}/{path.relative_to(folder)}".encode())
                    digest.update(path.read_bytes())
        _CODE_HASH = digest.hexdigest()
    return _CODE_HASH


def locales_state(settings: Settings, locales: Iterable[str]) -> str:
    """A hash of the template, the catalogs and the review logs of the locales."""
    root = settings.locales_path
    digest = hashlib.sha256()
    files = [root / "portal.pot"]
    for locale in locales:
        files += [root / locale / "LC_MESSAGES" / "portal.po", root / locale / "review-log.jsonl"]
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes() if path.is_file() else b"\0missing")
    return digest.hexdigest()


def fingerprint(plan: RefreshPlan, fetched: dict[str, Fetched]) -> str:
    """Everything a run's output depends on; equal fingerprints mean nothing to do."""
    settings = {k: v for k, v in plan.settings.values().items() if k not in UNPUBLISHED_SETTINGS}
    return content_hash(
        [
            (
                s.id,
                s.url,
                s.profile,
                s.kind,
                fetched[s.id].sha256 if s.id in fetched else None,
                s.profile_digest,
            )
            for s in plan.manifest
        ],
        [s.id for s in plan.selected],
        plan.locales,
        plan.mt,
        settings,
        locales_state(plan.settings, plan.locales),
        code_hash(),
    )


def is_unchanged(plan: RefreshPlan, fetched: dict[str, Fetched], failures: dict[str, str]) -> bool:
    """True when every selected source was read and the live release was made from the same inputs."""
    if failures or plan.live is None:
        return False
    return read_manifest(plan.live).get(FINGERPRINT_KEY) == fingerprint(plan, fetched)
