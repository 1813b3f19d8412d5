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
    try:
        app()
    except PortalError as error:  # raised outside a command, e.g. while reading settings
        typer.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
