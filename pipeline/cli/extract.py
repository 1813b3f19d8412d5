"""`portal extract`: run the extraction profiles over the source snapshots and print the documents."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from pipeline.cli import options as cli


def extract(
    source_ids: list[str] | None = typer.Argument(
        None, metavar="[SOURCE_ID]...", help="Sources to extract (default: all)."
    ),
    fmt: cli.Format = cli.format_option(),
    sources_file: str | None = typer.Option(
        None, "--sources", help="Another manifest in the format of source_docs/sources.toml."
    ),
) -> None:
    """Extract documents from the source snapshots, checking each page's contract.

    Exits 2 with a one-line message naming the source and what is missing when a page broke.

    Example: portal extract glossary --format json
    """
    from pipeline.extraction.extractor import extract_sources, summary
    from pipeline.extraction.sources import load_manifest, select

    settings = cli.settings()
    manifest = load_manifest(Path(sources_file) if sources_file else settings.sources_path)
    corpus = extract_sources(select(manifest, source_ids))
    if fmt is cli.Format.json:
        typer.echo(json.dumps(corpus.to_dict(), ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(corpus.documents)} documents extracted")
    for column in ("id", "kind", "title"):
        table.add_column(column)
    for doc in corpus.documents:
        table.add_row(doc.id, doc.kind, doc.title)
    console = Console()
    console.print(table)
    stats = summary(corpus)
    for source, counts in stats["by_source"].items():
        console.print(f"{source}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))
    console.print(f"abbreviations: {stats['abbreviations']}")


def register(app: typer.Typer) -> None:
    app.command("extract")(cli.clean_errors(extract))
