"""What every `portal` command shares: the Typer app, global options, formats, clean error exits."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from pipeline import __version__
from pipeline.errors import AccountError, ConfigError, PortalError

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.localization.accounts import Account, AccountStore
    from pipeline.localization.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="portal",
    help=(
        "Multilingual content pipeline and search index for a patient portal.\n\n"
        "Example: portal extract --format json"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(StrEnum):
    """Output format of commands that print data."""

    text = "text"
    json = "json"


class Invocation:
    """Options given before the command, shared by every command."""

    data_dir: Path | None = None
    config: Path | None = None
    workspace: Path | None = None


def command_group(help: str) -> typer.Typer:
    """A group of subcommands (`portal review ...`); bare, it shows its help."""
    return typer.Typer(help=help, no_args_is_help=True)


def locales_option(what: str = "update") -> Any:
    """The repeatable ``--locale/-l`` option of the commands that work on several locales."""
    return typer.Option(None, "--locale", "-l", help=f"Locales to {what} (default: all configured).")


def format_option() -> Any:
    """The ``--format text|json`` option of every command that prints data."""
    return typer.Option(Format.text, "--format", help="Output format.")


def settings() -> Settings:
    """The settings for this invocation: the workspace's portal.toml, env, then --data-dir."""
    from pipeline.config import load_settings

    env = dict(os.environ)
    if Invocation.workspace is not None:
        env["PORTAL_WORKSPACE"] = str(Invocation.workspace)
    current = load_settings(
        Invocation.config,
        env=env,
        data_dir=str(Invocation.data_dir.resolve()) if Invocation.data_dir else None,
    )
    data = current.data_path
    if data.exists() and not data.is_dir():
        raise ConfigError("the data directory is a file, not a directory", file=data, setting="data_dir")
    if data.is_dir() and not os.access(data, os.W_OK | os.X_OK):
        raise ConfigError("the data directory is not writable", file=data, setting="data_dir")
    return current


def workspace() -> tuple[Settings, Workspace]:
    """The settings and the catalogs' workspace of this invocation."""
    from pipeline.localization.workspace import Workspace

    current = settings()
    return current, Workspace.from_settings(current)


def read_password(name: str, from_stdin: bool, *, confirm: bool = False) -> str:
    """A password from standard input (one line) or, when interactive, a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise AccountError("no terminal to ask for the password: pass --password-stdin and pipe it in")
    return str(typer.prompt(f"password for {name}", hide_input=True, confirmation_prompt=confirm))


def accounts() -> AccountStore:
    """The accounts database of this invocation's data directory."""
    from pipeline.localization.accounts import AccountStore, accounts_path

    return AccountStore(accounts_path(settings().data_path))


def account(name: str, password_stdin: bool) -> Account:
    """The account ``name``, authenticated by its password (AccountError when refused)."""
    return accounts().authenticate(name, read_password(name, password_stdin))


def fail(error: PortalError) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(error.exit_code)


def clean_errors(func: F) -> F:
    """Turn every PortalError into its one-line message and exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PortalError as error:
            fail(error)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"portal {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", envvar="PORTAL_DATA_DIR", help="Directory for generated data (default: var/)."
    ),
    config: Path | None = typer.Option(
        None, "--config", envvar="PORTAL_CONFIG", help="Settings file (default: portal.toml)."
    ),
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        envvar="PORTAL_WORKSPACE",
        help="Workspace folder holding portal.toml (default: found from the current folder upward).",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Multilingual content pipeline and search index for a patient portal.

    Example: portal --data-dir /tmp/portal extract --format json
    """
    Invocation.data_dir = data_dir
    Invocation.config = config
    Invocation.workspace = workspace.expanduser().resolve() if workspace else None
