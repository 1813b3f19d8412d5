"""`portal catalog ...`: template and catalogs (update, merge, compile, stats, pseudo)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from pipeline.cli import options as cli
from pipeline.config import Settings

group = cli.command_group(
    "Template and catalogs: update, merge, compile, stats, pseudo.\n\nExample: portal catalog update"
)


def _locales(settings: Settings, chosen: list[str] | None) -> list[str]:
    return settings.select_locales(chosen)


@group.command("update")
@cli.clean_errors
def update(
    locale: list[str] | None = cli.locales_option(),
    fmt: cli.Format = cli.format_option(),
) -> None:
    """Extract the sources, write locales/portal.pot and merge it into every catalog.

    Unchanged source keeps its translation; a changed one becomes a draft with the previous
    msgid; a removed one becomes obsolete; new ones are untranslated. Nothing human is lost.

    Example: portal catalog update --locale es
    """
    from pipeline.extraction.extractor import extract_sources
    from pipeline.extraction.sources import load_manifest
    from pipeline.localization.template import template_for

    settings, workspace = cli.workspace()
    sources = load_manifest(settings.sources_path)
    template, _ = template_for(extract_sources(sources), sources, settings)
    results = workspace.update(template, _locales(settings, locale))
    data: dict[str, Any] = {
        "template": {"messages": len([m for m in template if m.id])},
        "locales": {loc: asdict(stats) for loc, stats in results.items()},
    }
    if fmt is cli.Format.json:
        typer.echo(json.dumps(data, indent=1))
        return
    typer.echo(f"template: {data['template']['messages']} messages")
    for loc, stats in results.items():
        typer.echo(
            f"{loc}: {stats.exact} kept, {stats.fuzzy} now drafts, {stats.new} new, {stats.obsolete} obsolete"
        )


@group.command("merge")
@cli.clean_errors
def merge(
    definitions: Path = typer.Argument(..., metavar="DEF.po", help="Catalog with the existing translations."),
    reference: Path = typer.Argument(..., metavar="REF.pot", help="Template with the current sources."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the merged catalog."),
    width: int = typer.Option(79, "--width", "-w", min=1, help="Page width for wrapping strings."),
    no_wrap: bool = typer.Option(False, "--no-wrap", help="Do not wrap long strings (as msgmerge)."),
    segment_contexts: bool = typer.Option(
        False,
        "--segment-contexts",
        help="A msgctxt is a unique segment id (the portal's catalogs): a changed message under "
        "the same id becomes a draft of that segment.",
    ),
) -> None:
    """Merge a template into a catalog, like `msgmerge --previous`, on any pair of files.

    Example: portal catalog merge fr.po messages.pot -o fr.new.po
    """
    from pipeline.localization.merge import merge_files

    stats = merge_files(
        definitions, reference, output, width=width, wrap=not no_wrap, segment_contexts=segment_contexts
    )
    typer.echo(
        f"{output}: {stats.exact} exact, {stats.fuzzy} fuzzy, {stats.new} new, {stats.obsolete} obsolete"
    )


@group.command("compile")
@cli.clean_errors
def compile_(
    locale: list[str] | None = cli.locales_option("compile"),
) -> None:
    """Write .mo files holding only the translations the publishing rule allows.

    They go to <data-dir>/messages/<locale>/LC_MESSAGES/portal.mo.

    Example: portal catalog compile --locale es
    """
    from pipeline.publishing.mofile import write_mofile
    from pipeline.publishing.policy import translations_for

    settings, workspace = cli.workspace()
    for loc in _locales(settings, locale):
        translations = translations_for(workspace, loc, settings.publish_policy)
        path = settings.data_path / "messages" / loc / "LC_MESSAGES" / "portal.mo"
        count = write_mofile(translations, path)
        typer.echo(f"{loc}: {count} publishable translations -> {path}")


@group.command("stats")
@cli.clean_errors
def stats(
    locale: list[str] | None = cli.locales_option("report"),
    fmt: cli.Format = cli.format_option(),
) -> None:
    """Messages and words by review state and content kind, per locale.

    Example: portal catalog stats --format json
    """
    from pipeline.localization.stats import catalog_stats

    settings, workspace = cli.workspace()
    data = {
        "locales": {
            loc: catalog_stats(workspace.catalog(loc), workspace.decisions(loc))
            for loc in _locales(settings, locale)
        }
    }
    if fmt is cli.Format.json:
        typer.echo(json.dumps(data, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Translation coverage")
    for column in (
        "locale",
        "kind",
        "total",
        "untranslated",
        "draft",
        "translated",
        "approved",
        "% approved",
        "words",
    ):
        table.add_column(column, justify="right" if column not in ("locale", "kind") else "left")
    for loc, counts in data["locales"].items():
        rows = [("all", counts)] + list(counts["by_kind"].items())
        for kind, c in rows:
            table.add_row(
                loc,
                kind,
                *(str(c[k]) for k in ("total", "untranslated", "draft", "translated", "approved")),
                f"{c['percent_approved']:.1f}",
                str(c["words"]),
            )
    Console().print(table)


@group.command("pseudo")
@cli.clean_errors
def pseudo(
    locale: str = typer.Option("en_XA", "--locale", "-l", help="Pseudo-locale to generate."),
) -> None:
    """Generate the pseudo-locale from the template: accented, ~40% longer, bracketed.

    Placeholders, numbers and do-not-translate terms stay untouched.

    Example: portal catalog pseudo --locale en_XA
    """
    _, workspace = cli.workspace()
    with workspace.lock():
        path = workspace.write_pseudo(workspace.template(), locale)
    typer.echo(f"{locale}: written {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="catalog")
