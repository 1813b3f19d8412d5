"""`portal user ...`: the accounts of translators, reviewers and admins (kept in the data directory)."""

from __future__ import annotations

import json
from enum import StrEnum

import typer

from pipeline.cli import options as cli

group = cli.command_group(
    "Accounts of translators, reviewers and admins, stored in the data directory (never in git).\n\n"
    "Example: portal user add ana --role reviewer"
)


class Role(StrEnum):
    translator = "translator"
    reviewer = "reviewer"
    admin = "admin"


@group.command("add")
@cli.clean_errors
def add(
    name: str = typer.Argument(..., metavar="NAME", help="Account name: a-z, 0-9, '.', '_' or '-'."),
    role: Role = typer.Option(
        ..., "--role", help="translator edits, reviewer approves, admin manages users."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create an account; the password is asked for (twice) or read from stdin.

    Example: printf '%s\\n' "$PASSWORD" | portal user add ana --role reviewer --password-stdin
    """
    password = cli.read_password(name, password_stdin, confirm=True)
    account = cli.accounts().add(name, role.value, password)
    typer.echo(f"account {account.name} added ({account.role})")


@group.command("list")
@cli.clean_errors
def list_(fmt: cli.Format = cli.format_option()) -> None:
    """List accounts with role and status.

    Example: portal user list --format json
    """
    accounts = cli.accounts().list()
    if fmt is cli.Format.json:
        typer.echo(json.dumps([a.to_dict() for a in accounts], indent=1))
        return
    for account in accounts:
        typer.echo(f"{account.name:<24} {account.role:<10} {'disabled' if account.disabled else 'active'}")
    typer.echo(f"{len(accounts)} account(s)")


@group.command("disable")
@cli.clean_errors
def disable(name: str = typer.Argument(..., metavar="NAME", help="Account to disable.")) -> None:
    """Disable an account: it can no longer sign in or approve (its past approvals stay valid).

    Example: portal user disable ana
    """
    cli.accounts().disable(name)
    typer.echo(f"account {name} disabled")


@group.command("passwd")
@cli.clean_errors
def passwd(
    name: str = typer.Argument(..., metavar="NAME", help="Account whose password changes."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from stdin."),
) -> None:
    """Set a new password (and clear a lock after failed attempts).

    Example: portal user passwd ana
    """
    password = cli.read_password(name, password_stdin, confirm=True)
    cli.accounts().set_password(name, password)
    typer.echo(f"password of {name} changed")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="user")
