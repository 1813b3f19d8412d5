"""`portal translate`: machine-translation drafts for untranslated messages."""

from __future__ import annotations

import json

import typer

from pipeline.cli import options as cli


def translate(
    locale: str = typer.Option(..., "--locale", "-l", help="Locale to draft."),
    provider: str | None = typer.Option(
        None, "--provider", help="deep-translator provider (libre, google, deepl, ...) or 'none'."
    ),
    url: str | None = typer.Option(None, "--url", help="Base URL of a self-hosted provider."),
    api_key_env: str | None = typer.Option(
        None, "--api-key-env", help="Environment variable holding the API key."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be sent; change nothing."),
    fmt: cli.Format = cli.format_option(),
) -> None:
    """Fill untranslated messages with drafts: translation memory first, then the provider.

    Drafts are fuzzy and never approved; protected terms, numbers and phones are kept.

    Example: portal translate --locale es --provider libre --url http://127.0.0.1:5000 --dry-run
    """
    from pipeline.localization.machine import api_key_from_env

    settings, workspace = cli.workspace()
    key_env = api_key_env or settings.mt_api_key_env
    with workspace.lock("translation"):
        report = workspace.draft(
            locale,
            provider or settings.mt_provider,
            url=url or settings.mt_url or None,
            api_key=api_key_from_env(key_env) if key_env else None,
            dry_run=dry_run,
        )
    if fmt is cli.Format.json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        typer.echo(report.summary())
        for segment, reason in report.failed.items():
            typer.echo(f"failed {segment}: {reason}")
    if report.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("translate")(cli.clean_errors(translate))
