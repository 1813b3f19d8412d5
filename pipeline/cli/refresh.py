"""`portal refresh` and `portal schedule`: run the refresh flow now, or serve it on a cron schedule."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from pipeline.cli import options as cli
from pipeline.cli import reaper

Format = cli.Format


class Runner(StrEnum):
    threads = "threads"
    dask = "dask"


def _quiet_prefect() -> None:
    # The ephemeral server is an implementation detail of a one-off run: no telemetry, few logs.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # A busy machine can take longer than Prefect's default to start its local API.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _show(summary: dict[str, Any], fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=1))
        return
    docs = summary["documents"]
    typer.echo(
        f"refresh {summary['status']}: {'changes published' if summary['changed'] else 'nothing changed'}"
        f" (release {summary['release'] or '-'})"
    )
    for sid, source in summary["sources"].items():
        extra = f": {source['error']}" if source["error"] else ""
        typer.echo(f"  source {sid}: {source['status']}, {source['documents']} documents{extra}")
    typer.echo(
        f"  documents: {docs['added']} added, {docs['changed']} changed, {docs['removed']} removed, "
        f"{docs['unchanged']} unchanged"
    )
    for loc, counts in summary["messages"]["locales"].items():
        typer.echo(f"  {loc}: {counts['drafts']} drafts, {counts['new']} new, {counts['obsolete']} obsolete")
    typer.echo(f"  report: {summary['report']}")


def refresh(
    source: list[str] | None = typer.Option(None, "--source", help="Refresh only this source (repeatable)."),
    sources_file: Path | None = typer.Option(
        None,
        "--sources",
        metavar="MANIFEST.toml",
        help="Another manifest in the format of source_docs/sources.toml.",
    ),
    online: bool = typer.Option(
        False, "--online", help="Fetch the live pages over HTTP instead of reading the snapshots."
    ),
    locale: list[str] | None = cli.locales_option(),
    mt: str | None = typer.Option(
        None, "--mt", metavar="PROVIDER", help="Machine-draft untranslated messages with this provider."
    ),
    wait: bool = typer.Option(
        False, "--wait", help="Wait for a running refresh to finish instead of exiting."
    ),
    runner: Runner = typer.Option(
        Runner.threads, "--runner", help="Task runner: threads, or dask for scale-out."
    ),
    fmt: Format = cli.format_option(),
) -> None:
    """Fetch, extract, detect changes, merge catalogs, check and publish atomically; write a report.

    Runs the Prefect flow in this process (ephemeral mode, no server to run). When nothing changed
    since the live release it answers at once without starting Prefect. Exits 1 when a source or
    step failed (the rest is published; failed sources keep their last good content).

    Example: portal refresh --online --locale es --format json
    """
    from flows.executor import PrefectExecutor
    from pipeline.refresh import RefreshRequest, raise_for_status, run_refresh

    settings = cli.settings()
    request = RefreshRequest(
        sources=source or (),
        manifest=sources_file.resolve() if sources_file else None,
        online=online,
        locales=locale or (),
        mt=mt,
        wait=wait,
    )
    _quiet_prefect()
    reaper.guard()  # a SIGKILL of this command must not leave Prefect's server or Dask workers behind
    executor = PrefectExecutor(runner.value, log_file=settings.data_path / "logs" / "refresh.log")
    result = run_refresh(settings, request, executor=executor)
    _show(result.summary(), fmt)
    raise_for_status(result)


def schedule(
    cron: str | None = typer.Option(
        None, "--cron", help='Cron expression, e.g. "0 6 * * 1-5" (required unless --deploy).'
    ),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA time zone of the cron expression."),
    name: str = typer.Option("scheduled", "--name", help="Name of the deployment."),
    online: bool = typer.Option(
        True, "--online/--offline", help="Fetch the live pages (default) or read snapshots."
    ),
    locale: list[str] | None = cli.locales_option(),
    mt: str | None = typer.Option(
        None, "--mt", metavar="PROVIDER", help="Machine-draft untranslated messages."
    ),
    deploy: bool = typer.Option(
        False, "--deploy", help="Register the deployment on the Prefect server and exit (needs --pool)."
    ),
    pool: str | None = typer.Option(
        None, "--pool", metavar="NAME", help="Process work pool whose workers run the deployment."
    ),
) -> None:
    """Serve the refresh flow on a cron schedule (runs until stopped), or deploy it to a work pool.

    Served, runs execute in this process; point PREFECT_API_URL at a Prefect server to see and
    trigger them there. With --deploy --pool NAME the server owns the deployment (at most one run
    at a time) and the pool's workers (`prefect worker start --pool NAME`) run it.

    Example: portal schedule --cron "0 6 * * 1-5" --timezone Europe/Madrid --deploy --pool portal
    """
    from flows.deploy import deploy_refresh, serve_refresh
    from pipeline.errors import ConfigError

    if deploy != bool(pool):
        raise ConfigError("--deploy and --pool NAME go together", setting="pool")
    if cron is None and not deploy:
        raise ConfigError("--cron is required to serve a schedule", setting="cron")
    settings = cli.settings()
    parameters = {
        "online": online,
        "locales": locale or None,
        "mt": mt,
        "wait": True,
        "settings": {"data_dir": str(settings.data_path)},
        "workspace": str(settings.root),
    }
    if pool:
        deployment_id = deploy_refresh(
            pool=pool,
            cron=cron,
            timezone=timezone,
            name=name,
            parameters=parameters,
            working_dir=str(settings.root),
        )
        typer.echo(f"deployed portal-refresh/{name} ({deployment_id}) to work pool {pool}")
        return
    assert cron is not None
    serve_refresh(cron=cron, timezone=timezone, name=name, parameters=parameters)


def register(app: typer.Typer) -> None:
    app.command("refresh")(cli.clean_errors(refresh))
    app.command("schedule")(cli.clean_errors(schedule))
