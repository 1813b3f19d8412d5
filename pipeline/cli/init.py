"""`portal init`: create a workspace (portal.toml, source manifest, profiles/, locales/), optionally
with the two sample pages and their catalogs, from the package data so it works from a wheel."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import typer

from pipeline.cli import options as cli
from pipeline.errors import ConfigError

EMPTY_MANIFEST = """\
# Source pages of this workspace. One [[source]] table per page:
#   id       - stable identifier (a slug: lower-case letters, digits, - and _)
#   url      - canonical http(s) address of the page
#   snapshot - HTML snapshot of the page, relative to this directory
#   kind     - "glossary", "safety" or "page"
#   profile  - extraction profile: a name (profiles/<name>.toml, or built-in: auto, glossary,
#              relapse) or a path to a .toml file relative to this directory
#   title    - page title as shown on the page
#
# `portal source add URL --id ID --profile NAME` fetches a page and adds its table here.
"""

PROFILES_README = """\
# Extraction profiles

One `<name>.toml` per page layout; a source names it with `profile = "<name>"` in
`source_docs/sources.toml`. Try one with `portal profile preview SOURCE_OR_FILE --profile <name>`.
The format is described in docs/profiles.md of the portal-pipeline project; the built-in
profiles `glossary` and `relapse` are worked examples.
"""

GITIGNORE = """\
# generated data (data_dir), compiled catalogs and locks
var/
*.mo
.portal-*.lock
__pycache__/
"""


def _copy_tree(source: Any, target: Path, created: list[Path]) -> None:
    """Copy a package-data folder (a Traversable, possibly inside a wheel) file by file."""
    for entry in source.iterdir():
        if entry.name == "__pycache__" or entry.name.endswith(".md"):
            continue
        if entry.is_dir():
            _copy_tree(entry, target / entry.name, created)
        elif entry.name.endswith((".html", ".toml", ".po", ".pot", ".jsonl")):
            path = target / entry.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entry.read_bytes())
            created.append(path)


def _write(path: Path, text: str, created: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    created.append(path)


def create_workspace(folder: Path, sample: bool) -> list[Path]:
    """Write a new workspace into ``folder``; refuses a folder that already holds one."""
    if (folder / "portal.toml").exists():
        raise ConfigError(f"{folder} is already a workspace (it has a portal.toml)")
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} exists and is not a folder")
    samples = resources.files("pipeline.samples")
    created: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / "portal.toml", (samples / "portal.toml").read_text(encoding="utf-8"), created)
        _write(folder / ".gitignore", GITIGNORE, created)
        _write(folder / "profiles" / "README.md", PROFILES_README, created)
        if sample:
            _copy_tree(samples / "workspace", folder, created)
        else:
            _write(folder / "source_docs" / "sources.toml", EMPTY_MANIFEST, created)
            (folder / "locales").mkdir(exist_ok=True)
            _write(folder / "locales" / ".gitkeep", "", created)
    except OSError as exc:
        raise ConfigError(f"cannot create the workspace in {folder}: {exc.strerror or exc}") from None
    return created


def init(
    folder: Path = typer.Argument(
        ..., metavar="DIR", help="Folder of the new workspace (created if needed)."
    ),
    sample: bool = typer.Option(False, "--sample", help="Add the two sample pages with their catalogs."),
) -> None:
    """Create a workspace: portal.toml, source_docs/sources.toml, profiles/, locales/, .gitignore.

    Every `portal` command run inside DIR (or with --workspace DIR) then works on it.

    Example: portal init /tmp/ws --sample && cd /tmp/ws && portal refresh
    """
    folder = folder.expanduser().resolve()
    created = create_workspace(folder, sample)
    typer.echo(f"created workspace {folder} ({len(created)} files)")
    if sample:
        typer.echo("next: cd into it and run `portal refresh`, then `portal serve`")
    else:
        typer.echo("next: `portal source add URL --id ID --profile auto`, then `portal refresh`")


def register(app: typer.Typer) -> None:
    app.command("init")(cli.clean_errors(init))
