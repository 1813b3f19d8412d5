"""`portal demo`: the main job on the embedded default, then the portal (what `make demo` runs)."""

from __future__ import annotations

import typer

from pipeline.cli import options as cli


def demo(
    host: str | None = typer.Option(None, "--host", help="Address the portal listens on."),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port the portal listens on."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Only refresh; do not start the portal."),
) -> None:
    """Run a full offline refresh from source_docs/ into the data directory, then serve the portal.

    Example: portal demo --port 8000
    """
    from pipeline.cli.refresh import Runner, refresh
    from pipeline.cli.serve import serve

    typer.echo("refreshing from source_docs/ (offline) ...")
    refresh(
        source=None,
        sources_file=None,
        online=False,
        locale=None,
        mt=None,
        wait=True,
        runner=Runner.threads,
        fmt=cli.Format.text,
    )
    if not no_serve:
        serve(host=host, port=port, no_review=False, workers=None)


def register(app: typer.Typer) -> None:
    app.command("demo")(cli.clean_errors(demo))
