"""`portal qa`: quality checks over a locale's translations; exit 1 when an error is found."""

from __future__ import annotations

import json

import typer

from pipeline.cli import options as cli


def qa(
    locale: str = typer.Option(..., "--locale", "-l", help="Locale to check."),
    include_drafts: bool = typer.Option(
        False, "--include-drafts", help="Also check drafts (fuzzy messages)."
    ),
    fmt: cli.Format = cli.format_option(),
) -> None:
    """Check numbers, doses, phones, URLs, protected terms, placeholders, length, glossary use, punctuation.

    Every finding of every message is listed; the exit code is 1 when any is an error.

    Example: portal qa --locale es --format json
    """
    from pipeline.localization.qa import check_catalog, errors
    from pipeline.localization.workspace import Workspace

    workspace = Workspace.from_settings(cli.settings())
    catalog = workspace.catalog(locale)
    findings = check_catalog(catalog, workspace.check_context(locale, catalog), include_fuzzy=include_drafts)
    blocking = errors(findings)
    if fmt is cli.Format.json:
        typer.echo(
            json.dumps(
                {
                    "locale": locale,
                    "errors": len(blocking),
                    "warnings": len(findings) - len(blocking),
                    "findings": [f.to_dict() for f in findings],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for finding in findings:
            typer.echo(f"{finding.severity:<7} {finding.check:<12} {finding.segment}: {finding.message}")
        typer.echo(f"{locale}: {len(blocking)} error(s), {len(findings) - len(blocking)} warning(s)")
    if blocking:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("qa")(cli.clean_errors(qa))
