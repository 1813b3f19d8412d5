"""`portal config`: every setting with its current value, default and help."""

from __future__ import annotations

import json

import typer

from pipeline.cli import options as cli


def config(fmt: cli.Format = cli.format_option()) -> None:
    """Show every setting: current value (portal.toml, then PORTAL_* env), default and help.

    Example: PORTAL_LOCALES=es,ar portal config
    """
    from pipeline.config import setting_help

    current = cli.settings().values()
    rows = {
        name: {"value": current[name], "default": default, "help": help}
        for name, (default, help) in setting_help().items()
    }
    if fmt is cli.Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for name, row in rows.items():
        typer.echo(f"{name} = {json.dumps(row['value'], ensure_ascii=False)}")
        typer.echo(
            f"    {row['help']} (default {json.dumps(row['default'], ensure_ascii=False)}; env "
            f"PORTAL_{name.upper()})"
        )


def register(app: typer.Typer) -> None:
    app.command("config")(cli.clean_errors(config))
