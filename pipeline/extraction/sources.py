"""Sources: the manifest of pages the pipeline starts from, and reading their snapshots."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SourceError

PROFILES = ("glossary", "relapse")
MAX_PAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One page: where it lives online, its snapshot on disk, and how to extract it."""

    id: str
    url: str
    snapshot: Path
    kind: str
    profile: str
    title: str = ""


def load_manifest(path: Path) -> list[Source]:
    """Read a sources.toml; snapshot paths are resolved against the manifest's directory."""
    path = Path(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError("manifest not found", file=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"manifest is not valid TOML: {exc}", file=path) from None
    entries = table.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourceError("manifest has no [[source]] tables", file=path)
    sources: list[Source] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        missing = [key for key in ("id", "url", "snapshot", "profile") if not entry.get(key)]
        if missing:
            raise SourceError(f"[[source]] #{number} lacks {', '.join(missing)}", file=path)
        if entry["id"] in seen:
            raise SourceError(f"duplicate source id {entry['id']!r}", file=path)
        if entry["profile"] not in PROFILES:
            raise SourceError(
                f"unknown profile {entry['profile']!r} (known: {', '.join(PROFILES)})",
                source=entry["id"],
                file=path,
            )
        seen.add(entry["id"])
        sources.append(
            Source(
                id=entry["id"],
                url=entry["url"],
                snapshot=(path.parent / entry["snapshot"]).resolve(),
                kind=entry.get("kind", "page"),
                profile=entry["profile"],
                title=entry.get("title", ""),
            )
        )
    return sources


def select(sources: list[Source], ids: list[str] | None) -> list[Source]:
    """The sources named by ids (all when none), in manifest order; unknown ids are an error."""
    if not ids:
        return list(sources)
    known = {source.id for source in sources}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise SourceError(f"unknown source id(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return [source for source in sources if source.id in ids]


def read_snapshot(source: Source) -> bytes:
    """The bytes of a source's snapshot file."""
    try:
        size = source.snapshot.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise SourceError(
                f"snapshot is {size} bytes, more than the {MAX_PAGE_BYTES} allowed",
                source=source.id,
                file=source.snapshot,
            )
        return source.snapshot.read_bytes()
    except FileNotFoundError:
        raise SourceError("snapshot file not found", source=source.id, file=source.snapshot) from None
    except IsADirectoryError:
        raise SourceError("snapshot path is a directory", source=source.id, file=source.snapshot) from None
