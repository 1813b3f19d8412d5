"""`portal status`: on one screen, whether patients see current, reviewed content (what /metrics says)."""

from __future__ import annotations

import json
import time
from typing import Any

import typer

from pipeline.cli import options as cli

__all__ = ["facts", "register", "status"]

Format = cli.Format


def facts() -> dict[str, Any]:
    """The live and previous release, the last refresh, documents and per-locale review facts."""
    from pipeline.publishing.releases import current_release, previous_release
    from pipeline.refresh.status import read_status

    data_dir = cli.settings().data_path
    recorded = read_status(data_dir)
    live, before = current_release(data_dir), previous_release(data_dir)
    return {
        "data_dir": str(data_dir),
        "release": live.name if live else None,
        "previous": before.name if before else None,
        "last_refresh": recorded.get("last_refresh"),
        "last_success": recorded.get("last_success"),
        "documents": recorded.get("documents", {}),
        "locales": recorded.get("locales", {}),
    }


def _ago(stamp: float | None) -> str:
    if not stamp:
        return "never"
    minutes = (time.time() - stamp) / 60
    when = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(stamp))
    return f"{when} ({minutes:.0f} min ago)" if minutes < 120 else f"{when} ({minutes / 60:.1f} h ago)"


def _show(data: dict[str, Any]) -> None:
    last = data["last_refresh"] or {}
    typer.echo(f"live release: {data['release'] or '-'} (previous: {data['previous'] or '-'})")
    if last:
        typer.echo(
            f"last refresh: {last['status']} ({last['severity']}), {_ago(last['finished'])}, "
            f"{last['seconds']}s, {'changes published' if last['changed'] else 'nothing changed'}"
        )
        for what, why in last.get("failures", {}).items():
            typer.echo(f"  failed {what}: {why}")
    else:
        typer.echo("last refresh: none recorded (run `portal refresh`)")
    typer.echo(f"last successful refresh: {_ago(data['last_success'])}")
    documents = data["documents"]
    typer.echo(f"documents: {sum(documents.values())} from {len(documents)} sources")
    for locale, info in data["locales"].items():
        safety = info["messages"].get("safety", {})
        fallback = info["fallback_safety"]
        typer.echo(
            f"  {locale}: safety messages {safety.get('approved', 0)} approved, "
            f"{safety.get('translated', 0)} awaiting review, {safety.get('draft', 0)} drafts, "
            f"{safety.get('untranslated', 0)} untranslated; "
            f"{len(fallback)} safety sections shown in English"
        )


def status(fmt: Format = cli.format_option()) -> None:
    """Show the live release, the last refresh and, per locale, reviewed and fallback safety text.

    Reads what the last refresh recorded (data_dir/status.json), the same facts as GET /metrics.

    Example: portal status --format json
    """
    data = facts()
    if fmt is Format.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    _show(data)


def register(app: typer.Typer) -> None:
    app.command("status")(cli.clean_errors(status))
