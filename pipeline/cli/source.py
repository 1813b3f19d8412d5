"""`portal source add`: fetch a page, keep its snapshot and add it to the workspace's manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from pipeline.cli import options as cli
from pipeline.errors import SourceError
from pipeline.fs import read_toml

source_app = cli.command_group("Source pages of the workspace.")


def _known_ids(manifest: Path) -> set[str]:
    if not manifest.is_file():
        return set()
    table = read_toml(manifest, lambda problem: SourceError(problem, file=manifest), "manifest")
    return {str(entry.get("id")) for entry in table.get("source", []) if isinstance(entry, dict)}


def _profile_value(profile: str, manifest: Path) -> str:
    """What the manifest says: a name as given, a path made relative to the manifest's folder."""
    from pipeline.extraction.profile import resolve_profile

    if profile.endswith(".toml") or "/" in profile:
        path = resolve_profile(profile, Path.cwd())
        return os.path.relpath(path, manifest.parent) if path else profile
    resolve_profile(profile, manifest.parent)  # an unknown name fails here, before any fetch
    return profile


def _page_title(data: bytes) -> str:
    from pipeline.extraction.dom import NotHtml, element_text, parse_page

    try:
        root = parse_page(data)
    except (NotHtml, UnicodeDecodeError):
        return ""
    for path in ("//h1", "//title"):
        found = root.xpath(path)
        if found and element_text(found[0]):
            return element_text(found[0])
    return ""


def _entry(values: dict[str, str]) -> str:
    lines = ["", "[[source]]"] + [
        f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()
    ]
    return "\n".join(lines) + "\n"


def add(
    url: str = typer.Argument(..., help="The page's http(s) address."),
    source_id: str = typer.Option(..., "--id", help="Source id: a slug (letters, digits, - and _)."),
    profile: str = typer.Option("auto", "--profile", help="Profile name or path to a .toml file."),
    kind: str = typer.Option("page", "--kind", help="Document kind: glossary, safety or page."),
    title: str | None = typer.Option(None, "--title", help="Page title (default: the page's h1 or title)."),
) -> None:
    """Fetch a page online, keep its snapshot next to the manifest and add its [[source]] table.

    Example: portal source add https://example.org/glossary/ --id brand-glossary --profile mysite
    """
    from pipeline.extraction.extractor import inspect_page
    from pipeline.extraction.fetching import fetch_source
    from pipeline.extraction.sources import Source, SourceEntry, check_http_url, check_slug
    from pipeline.fs import atomic_write

    try:
        check_slug(source_id)
        check_http_url(url)
        SourceEntry(id=source_id, url=url, snapshot="x.html", profile=profile, kind=kind)  # type: ignore[arg-type]
    except ValueError as exc:
        raise SourceError(str(exc).splitlines()[-1] if "validation error" in str(exc) else str(exc)) from None
    settings = cli.settings()
    manifest = settings.sources_path
    if source_id in _known_ids(manifest):
        raise SourceError(f"source id {source_id!r} is already in the manifest", file=manifest)
    snapshot = manifest.parent / f"{source_id}.html"
    if snapshot.exists():
        raise SourceError("a snapshot of that name already exists", file=snapshot)
    profile_value = _profile_value(profile, manifest)
    draft = Source(source_id, url, snapshot, kind, profile_value)
    fetched = fetch_source(
        draft, settings.data_path, timeout=settings.fetch_timeout, retries=settings.fetch_retries
    )
    atomic_write(snapshot, fetched.data)
    values = {"id": source_id, "url": url, "snapshot": snapshot.name, "kind": kind, "profile": profile_value}
    values["title"] = title or _page_title(fetched.data)
    old = manifest.read_text(encoding="utf-8") if manifest.is_file() else ""
    atomic_write(manifest, (old + _entry(values)).encode("utf-8"))
    from pipeline.extraction.sources import load_manifest

    added = next(s for s in load_manifest(manifest) if s.id == source_id)
    inspection = inspect_page(added, fetched.data)
    verdict = (
        "contract holds" if not inspection.problems else "contract FAILS: " + "; ".join(inspection.problems)
    )
    typer.echo(f"added source {source_id!r} ({len(inspection.documents)} documents; {verdict})")
    typer.echo(f"check it with `portal profile preview {source_id}`")


def register(app: typer.Typer) -> None:
    source_app.command("add")(cli.clean_errors(add))
    app.add_typer(source_app, name="source")
