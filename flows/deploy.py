"""`portal schedule`: the refresh flow served in this process, or deployed to a Prefect server's work pool.

Served (``serve_refresh``), the deployment's runs execute in the serving process. Deployed
(``deploy_refresh``), the server owns the deployment and any worker of the work pool runs it: the
entrypoint is the module path ``flows.refresh.refresh_flow``, so a worker needs only this package
installed (no image, no code storage) and starts each run in the workspace folder.
"""

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
    *,
    cron: str | None,
    timezone: str = "UTC",
    name: str = "scheduled",
    parameters: dict[str, Any] | None = None,
    pool: str | None = None,
    working_dir: str | None = None,
) -> RunnerDeployment:
    """The RunnerDeployment of the refresh flow, with its cron schedule when given (not yet served).

    With ``pool`` it belongs to that work pool: a module-path entrypoint (workers import the
    installed package) and ``working_dir`` as the folder each run starts in.
    """
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.refresh import refresh_flow

    if cron is not None:
        check_schedule(cron, timezone)
    deployment = refresh_flow.to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone) if cron is not None else None,
        parameters=parameters or {},
        tags=["portal", "refresh"],
        work_pool_name=pool,
        # Two refreshes of a workspace must never overlap, whichever workers pick them up.
        concurrency_limit=1 if pool else None,
        job_variables={"working_dir": working_dir} if pool and working_dir else None,
        entrypoint_type=EntrypointType.MODULE_PATH if pool else EntrypointType.FILE_PATH,
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


def deploy_refresh(
    *,
    pool: str,
    cron: str | None = None,
    timezone: str = "UTC",
    name: str = "scheduled",
    parameters: dict[str, Any] | None = None,
    working_dir: str | None = None,
) -> str:
    """Register the deployment with the Prefect server of PREFECT_API_URL; returns its id.

    The work pool must exist (``prefect work-pool create NAME --type process``): a missing pool is
    a one-line ConfigError, as is a server that does not answer.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    deployment = make_deployment(
        cron=cron, timezone=timezone, name=name, parameters=parameters, pool=pool, working_dir=working_dir
    )
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            raise ConfigError(
                f"no work pool {pool!r} on the Prefect server; create it with "
                f"`prefect work-pool create {pool} --type process`",
                setting="pool",
            ) from None
        except Exception as exc:  # httpx and Prefect raise many kinds; one line is what the user needs
            raise ConfigError(
                f"the Prefect server does not answer: {exc.__class__.__name__}: {exc}"
            ) from None
    return str(deployment.apply())
