"""`portal publish status` and `portal publish rollback`: the live release and the way back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from pipeline.cli import options as cli

group = cli.command_group(
    "Published releases: what is live, and rolling back.\n\nExample: portal publish status"
)


Format = cli.Format


def _describe(release: Path | None) -> dict[str, Any] | None:
    from pipeline.publishing.releases import read_manifest

    if release is None:
        return None
    manifest = read_manifest(release)
    return {
        "release": release.name,
        "path": str(release),
        "note": manifest.get("note", ""),
        "created": manifest.get("created"),
        "locales": manifest.get("locales", []),
    }


@group.command("status")
@cli.clean_errors
def status(fmt: Format = cli.format_option()) -> None:
    """Show the live release, the one a rollback would return to, and every release kept.

    Example: portal publish status --format json
    """
    from pipeline.publishing.releases import current_release, previous_release, releases_dir

    data_dir = cli.settings().data_path
    root = releases_dir(data_dir)
    kept = (
        sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if root.is_dir()
        else []
    )
    details = {
        "current": _describe(current_release(data_dir)),
        "previous": _describe(previous_release(data_dir)),
    }
    if fmt is Format.json:
        data = {label: entry["release"] if entry else None for label, entry in details.items()}
        data |= {"data_dir": str(data_dir), "releases": kept, "details": details}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    for label, entry in details.items():
        typer.echo(
            f"{label}: {entry['release']} ({entry['note'] or 'no note'})" if entry else f"{label}: none"
        )
    typer.echo(f"releases kept: {len(kept)}")


@group.command("rollback")
@cli.clean_errors
def rollback() -> None:
    """Make the previous release live again (atomically); run it again to go forward.

    Example: portal publish rollback
    """
    from pipeline.publishing.releases import rollback as switch_back
    from pipeline.refresh.run import refresh_lock

    data_dir = cli.settings().data_path
    with refresh_lock(data_dir):  # never switch under a refresh that is about to switch too
        live = switch_back(data_dir)
    typer.echo(f"live release is now {live.name}")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="publish")
