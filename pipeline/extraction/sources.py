"""Sources: the manifest of pages the pipeline starts from, and reading their snapshots.

The manifest is validated before anything is read: a source id becomes a file name under the data
directory (snapshots, fetch state), so it must be a slug; a URL must be http(s), never ``file://``;
an unknown key is a typo, not a comment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from pipeline.errors import SourceError
from pipeline.extraction.profile import resolve_profile
from pipeline.fs import read_toml

__all__ = [
    "MAX_PAGE_BYTES",
    "SLUG",
    "Source",
    "SourceEntry",
    "check_http_url",
    "check_slug",
    "load_manifest",
    "read_snapshot",
    "select",
]

MAX_PAGE_BYTES = 20 * 1024 * 1024
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def check_slug(value: str) -> str:
    """A source id: lower-case letters, digits and single - or _ between them (it names files)."""
    if len(value) > 64 or not SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug (lower-case letters, digits, - and _; at most 64)")
    return value


def check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


@dataclass(frozen=True)
class Source:
    """One page: where it lives online, its snapshot on disk, and how to extract it.

    ``profile`` is what the manifest says (a name or a path); ``profile_file`` is the TOML file it
    resolved to (None for the built-in ``auto`` profile).
    """

    id: str
    url: str
    snapshot: Path
    kind: str
    profile: str
    title: str = ""
    profile_file: Path | None = None

    @property
    def profile_digest(self) -> str | None:
        """A hash of the profile file: editing a workspace profile must make a refresh do work."""
        try:
            return hashlib.sha256(self.profile_file.read_bytes()).hexdigest() if self.profile_file else None
        except OSError:
            return None


class SourceEntry(BaseModel):
    """One [[source]] table as written in the manifest."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    snapshot: str
    profile: str
    kind: Literal["glossary", "safety", "page"] = "page"
    title: str = ""

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_http_url(value)

    @field_validator("snapshot", "profile")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


def _problem(error: ValidationError, entry: dict[str, Any], number: int) -> str:
    problem = error.errors()[0]
    key = ".".join(str(part) for part in problem["loc"])
    name = f"[[source]] #{number}" + (f" ({entry['id']!r})" if isinstance(entry.get("id"), str) else "")
    if problem["type"] == "extra_forbidden":
        return f"{name}: unknown key {key!r} (known: {', '.join(SourceEntry.model_fields)})"
    if problem["type"] == "missing":
        return f"{name} lacks {key}"
    return f"{name}: {key}: {problem['msg'].removeprefix('Value error, ')}"


def _read_table(path: Path) -> dict[str, Any]:
    return read_toml(path, lambda problem: SourceError(problem, file=path), "manifest")


def load_manifest(path: Path) -> list[Source]:
    """Read and validate a sources.toml; snapshot and profile paths resolve against its directory."""
    path = Path(path)
    table = _read_table(path)
    unknown = sorted(set(table) - {"source"})
    if unknown:
        raise SourceError(
            f"unknown top-level key(s) {', '.join(unknown)} (only [[source]] tables)", file=path
        )
    entries = table.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourceError("manifest has no [[source]] tables (add one with `portal source add`)", file=path)
    sources: list[Source] = []
    seen: set[str] = set()
    for number, raw in enumerate(entries, 1):
        if not isinstance(raw, dict):
            raise SourceError(f"[[source]] #{number} is not a table", file=path)
        try:
            entry = SourceEntry(**raw)
        except ValidationError as error:
            raise SourceError(_problem(error, raw, number), file=path) from None
        if entry.id in seen:
            raise SourceError(f"duplicate source id {entry.id!r}", file=path)
        seen.add(entry.id)
        sources.append(
            Source(
                id=entry.id,
                url=entry.url,
                snapshot=(path.parent / entry.snapshot).resolve(),
                kind=entry.kind,
                profile=entry.profile,
                title=entry.title,
                profile_file=resolve_profile(entry.profile, path.parent, source=entry.id),
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
