"""`portal profile preview`: what a profile makes of a page, and which contract points hold."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer

from pipeline.cli import options as cli
from pipeline.errors import PortalError, SourceError

profile_app = cli.command_group("Extraction profiles.")
FIRST_WORDS = 8


def _workspace_root() -> Path:
    try:
        return Path(cli.settings().root)
    except PortalError:
        return Path.cwd()  # a file can be previewed outside any workspace


def _resolve(value: str, root: Path) -> Path | None:
    from pipeline.extraction.profile import resolve_profile

    looks_like_path = value.endswith(".toml") or "/" in value
    return resolve_profile(value, Path.cwd() if looks_like_path else root)


def _page(target: str, root: Path) -> tuple[Any, bytes]:
    """The Source and bytes a preview runs on: a URL, a source id of the manifest, or a file."""
    import httpx

    from pipeline.extraction.sources import Source, load_manifest, read_snapshot

    if re.match(r"^https?://", target):
        try:
            response = httpx.get(target, follow_redirects=True, timeout=cli.settings().fetch_timeout)
            response.raise_for_status()
        except (httpx.HTTPError, PortalError) as exc:
            raise SourceError(f"cannot fetch {target}: {exc}") from None
        return Source("preview", target, Path("preview.html"), "page", "auto"), response.content
    path = Path(target).expanduser()
    if path.is_file():
        return Source("preview", path.resolve().as_uri(), path.resolve(), "page", "auto"), path.read_bytes()
    if re.match(r"^[a-z0-9_-]+$", target) and (root / "portal.toml").is_file():
        manifest = {s.id: s for s in load_manifest(cli.settings().sources_path)}
        if target in manifest:
            return manifest[target], read_snapshot(manifest[target])
    raise SourceError(f"{target!r} is neither a URL, a file, nor a source id of the workspace's manifest")


def _report(inspection: Any, source: Any) -> dict[str, Any]:
    return {
        "source": source.id,
        "profile": source.profile,
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "first_words": " ".join(d.text.split()[len(d.title.split()) :][:FIRST_WORDS]),
            }
            for d in inspection.documents
        ],
        "contract": [{"point": p.label, "passed": p.passed, "problem": p.problem} for p in inspection.points],
        "stopped": inspection.breach,
        "notes": inspection.notes,
    }


def _print_text(report: dict[str, Any]) -> None:
    typer.echo(f"profile {report['profile']!r} on {report['source']}: {len(report['documents'])} documents")
    for doc in report["documents"]:
        typer.echo(f"  {doc['id']}  [{doc['kind']}]  {doc['title']}  — {doc['first_words']}…")
    if report["stopped"]:
        typer.echo(f"stopped: {report['stopped']}")
    for point in report["contract"]:
        mark = "pass" if point["passed"] else "FAIL"
        typer.echo(f"  {mark}  {point['point']}" + (f": {point['problem']}" if point["problem"] else ""))
    for note in report["notes"]:
        typer.echo(f"  note: {note}")


def preview(
    target: str = typer.Argument(..., metavar="SOURCE_OR_FILE", help="A source id, an HTML file or a URL."),
    profile: str | None = typer.Option(
        None, "--profile", help="Profile name or path (default: the source's own, or auto)."
    ),
    fmt: cli.Format = cli.format_option(),
) -> None:
    """Run a profile on a page and show what it extracts and which contract points pass; writes nothing.

    Exits 2 when the page breaks the contract, 0 when every point passes.

    Example: portal profile preview page.html --profile profiles/mysite.toml
    """
    from dataclasses import replace

    from pipeline.extraction.extractor import inspect_page

    root = _workspace_root()
    source, data = _page(target, root)
    if profile:
        source = replace(source, profile=profile, profile_file=_resolve(profile, root))
    inspection = inspect_page(source, data)
    report = _report(inspection, source)
    if fmt is cli.Format.json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        _print_text(report)
    if inspection.problems:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    profile_app.command("preview")(cli.clean_errors(preview))
    app.add_typer(profile_app, name="profile")
