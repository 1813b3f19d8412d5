"""`portal schedule`: the refresh flow served as a Prefect deployment with a cron schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment


def check_schedule(cron: str, timezone: str) -> None:
    """Refuse a bad cron expression or time zone with one line, before anything starts."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron, timezone="UTC")
    except ValueError:  # pydantic's ValidationError is a ValueError
        raise ConfigError(f"not a valid cron expression: {cron!r}", setting="cron") from None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {timezone!r} (use an IANA name such as Europe/Madrid)", setting="timezone"
        ) from None


def make_deployment(
    *, cron: str, timezone: str = "UTC", name: str = "scheduled", parameters: dict[str, Any] | None = None
) -> RunnerDeployment:
    """The RunnerDeployment of the refresh flow with its cron schedule (not yet served)."""
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Cron

    from flows.refresh import refresh_flow

    check_schedule(cron, timezone)
    deployment = refresh_flow.to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters=parameters or {},
        tags=["portal", "refresh"],
    )
    assert isinstance(deployment, RunnerDeployment)  # called outside an event loop: not a coroutine
    return deployment


def serve_refresh(
    *, cron: str, timezone: str = "UTC", name: str = "scheduled", parameters: dict[str, Any] | None = None
) -> None:
    """Serve the deployment until interrupted: each scheduled run executes in this process's runner."""
    from prefect import serve

    deployment = make_deployment(cron=cron, timezone=timezone, name=name, parameters=parameters)
    serve(deployment)
