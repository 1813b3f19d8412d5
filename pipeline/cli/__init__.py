"""The `portal` command line: thin commands over the library, each error a clean one-line exit.

Nothing in the library imports this package. Every command module registers its commands on the
one Typer app; an import error in any of them is a bug and surfaces at once.
"""

from __future__ import annotations

import sys

import typer

from pipeline.cli import (
    backup,
    catalog,
    demo,
    extract,
    init,
    profile,
    publish,
    qa,
    refresh,
    review,
    search,
    serve,
    settings,
    source,
    status,
    translate,
    user,
)
from pipeline.cli.options import app
from pipeline.errors import PortalError

__all__ = ["app", "main"]

for _module in (
    init,
    extract,
    profile,
    source,
    catalog,
    review,
    translate,
    qa,
    search,
    serve,
    refresh,
    publish,
    settings,
    demo,
    user,
    status,
    backup,
):
    _module.register(app)


def main() -> None:
    """Run the command line; every refusal is one line on stderr and a non-zero exit."""
    try:
        code = app(standalone_mode=False)
    except PortalError as error:  # raised outside a command, e.g. while reading settings
        typer.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except typer.TyperException as error:  # click's errors, as vendored by typer
        _refuse(error)
    except typer.Abort:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


def _refuse(error: typer.TyperException) -> None:
    """A bad argument: the message and where to look, one line, instead of the usage text."""
    if type(error).__name__ == "NoArgsIsHelpError":  # `portal` alone: the help is the answer
        typer.echo(str(error))
        sys.exit(0)
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "portal"
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    typer.echo(f"error: {message} (see `{command} --help`)", err=True)
    sys.exit(getattr(error, "exit_code", 2))
