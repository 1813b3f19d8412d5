"""The Prefect adapter of the refresh: ``pipeline.refresh.run_refresh`` with its pieces as tasks.

Nothing here decides what a refresh does. ``PrefectExecutor`` runs the independent pieces of a
run (fetch and extract per source, catalog and QA per locale) as Prefect tasks on a thread pool
or a Dask cluster, wraps the part of a run that changes something in a flow run, and keeps the
report as a Markdown artifact. ``refresh_flow`` is the deployable flow; ``run_flow`` runs it in
this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from prefect import Task, flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from flows.executor import PrefectExecutor, failure_of
from pipeline.config import load_settings
from pipeline.extraction.model import content_hash
from pipeline.refresh import RefreshRequest, RefreshResult, raise_for_status, run_refresh, steps
from pipeline.refresh.plan import code_hash

__all__ = ["ARTIFACT_KEY", "TASKS", "changes_flow", "refresh_flow", "run_flow", "task_runner"]

ARTIFACT_KEY = "portal-refresh-report"
FLOW_NAME = "portal-refresh"
T = TypeVar("T")


def _extract_key(context: Any, parameters: dict[str, Any]) -> str:
    # Same page bytes, same source entry (its URL and title end up in the documents) and same code
    # give the same documents: the page is not parsed again.
    source = parameters["source"]
    entry = content_hash(
        source.id, source.url, source.title, source.kind, source.profile, source.profile_digest
    )
    return f"extract-{source.id}-{parameters['fetched'].sha256}-{entry[:16]}-{code_hash()[:16]}"


TASKS: dict[str, Task[Any, Any]] = {
    "fetch": task(name="fetch", task_run_name="fetch-{source.id}")(steps.fetch),
    "extract": task(
        name="extract",
        task_run_name="extract-{source.id}",
        cache_key_fn=_extract_key,
        cache_expiration=timedelta(days=30),
        persist_result=True,
    )(steps.extract),
    "catalog": task(name="catalog", task_run_name="catalog-{locale}")(steps.update_catalog),
    "qa": task(name="qa", task_run_name="qa-{locale}")(steps.check_locale),
}


def task_runner(runner: str) -> Any:  # a TaskRunner; Prefect's generics do not line up
    if runner == "dask":
        from prefect_dask.task_runners import DaskTaskRunner

        # PORTAL_DASK_ADDRESS points at a running cluster; without it a local cluster is started.
        return DaskTaskRunner(address=os.environ.get("PORTAL_DASK_ADDRESS"))
    return ThreadPoolTaskRunner(max_workers=4)


def _conclude(result: RefreshResult) -> dict[str, Any]:
    """The run's summary; a failed run raises, so its flow run ends Failed where ops look."""
    raise_for_status(result)
    return result.summary()


@flow(name=FLOW_NAME, validate_parameters=False)
def changes_flow(work: Callable[[], RefreshResult]) -> dict[str, Any]:
    return _conclude(work())


@flow(name=FLOW_NAME, task_runner=task_runner("threads"), validate_parameters=False)
def refresh_flow(
    sources: list[str] | None = None,
    manifest: str | None = None,
    online: bool = False,
    locales: list[str] | None = None,
    mt: str | None = None,
    wait: bool = False,
    settings: dict[str, Any] | None = None,
    workspace: str | None = None,
) -> dict[str, Any]:
    """Fetch, extract, detect changes, merge catalogs, draft, check, publish atomically, report.

    ``settings`` holds overrides of portal.toml (e.g. ``{"data_dir": "/srv/portal"}``) and
    ``workspace`` the folder of that portal.toml (default: found from the working directory).
    Ends Failed (RefreshError carrying the summary) when a source or step failed; the sources
    that did not fail are still published, the failed ones keep their last good content.
    """
    config_file = Path(workspace) / "portal.toml" if workspace else None
    config = load_settings(config_file, **(settings or {}))
    request = RefreshRequest(
        sources=sources or (),
        manifest=Path(manifest) if manifest else None,
        online=online,
        locales=locales or (),
        mt=mt,
        wait=wait,
    )
    return _conclude(run_refresh(config, request, executor=PrefectExecutor()))


def run_flow(*, runner: str = "threads", quiet_heartbeat: bool = True, **parameters: Any) -> dict[str, Any]:
    """Run the flow in this process and return its summary; RefreshError (with .summary) on failure.

    Heartbeats exist to spot crashed runs of deployments; an in-process run is watched by its
    caller, and joining the heartbeat thread costs about a second per run, so they are off here.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    chosen = refresh_flow.with_options(task_runner=task_runner(runner))
    updates = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None} if quiet_heartbeat else {}
    with temporary_settings(updates=updates):
        state = chosen(**parameters, return_state=True)
    if state.is_completed():
        summary: dict[str, Any] = state.result()
        return summary
    raise failure_of(state)
