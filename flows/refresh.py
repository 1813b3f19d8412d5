"""The `refresh` Prefect flow: orchestrates the steps of pipeline.refresh.run as tasks, and nothing more.

Sources are fetched and extracted concurrently, then catalogs are merged, drafted and checked one
task chain per locale, then everything is published in one atomic release switch. Extraction is
cached on the content hash of the page and the code, and a fingerprint of every input short-
circuits a run in which nothing changed, so such a run costs a handful of file reads.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.config import load_settings
from pipeline.errors import PortalError, RefreshError
from pipeline.extraction.model import Document
from pipeline.refresh import run as steps

ARTIFACT_KEY = "portal-refresh-report"


def _extract_key(context: Any, parameters: dict[str, Any]) -> str:
    # Same page bytes and same code give the same documents: the page is not parsed again.
    return f"extract-{parameters['source'].id}-{parameters['fetched'].sha256}-{steps.code_hash()[:16]}"


@task(name="fetch", task_run_name="fetch-{source.id}")
def fetch_task(source, settings, online: bool):
    return steps.fetch(source, settings, online=online)


@task(
    name="extract",
    task_run_name="extract-{source.id}",
    cache_key_fn=_extract_key,
    cache_expiration=timedelta(days=30),
    persist_result=True,
)
def extract_task(source, fetched) -> tuple[list[Document], dict[str, str]]:
    return steps.extract(source, fetched)


@task(name="template")
def template_task(plan, corpus):
    template, changed = steps.make_template(plan, corpus)
    if changed:
        steps.write_template(plan.settings, template)
    return template


@task(name="merge", task_run_name="merge-{locale}")
def merge_task(settings, template, locale: str) -> dict[str, Any]:
    return steps.update_locale(settings, template, locale)


@task(name="machine-drafts", task_run_name="machine-drafts-{locale}")
def machine_task(settings, locale: str, provider: str):
    return steps.machine_drafts(settings, locale, provider)


@task(name="qa", task_run_name="qa-{locale}")
def qa_task(settings, locale: str, corpus):
    return steps.check_locale(settings, locale, corpus)


@task(name="publish")
def publish_task(plan, corpus, fetched, result):
    steps.publish_step(plan, corpus, fetched, result)
    return result


def _orchestrate(plan, result, clock: float) -> None:
    settings = plan.settings
    futures = {s.id: fetch_task.submit(s, settings, plan.online) for s in plan.selected}
    fetched, failures = {}, {}
    for sid, future in futures.items():
        try:
            fetched[sid] = future.result()
        except PortalError as error:
            failures[sid] = str(error)
    result.timings["fetch"] = time.perf_counter() - clock
    if (
        not failures
        and plan.live is not None
        and steps.live_fingerprint(plan) == steps.fingerprint(plan, fetched)
    ):
        same = steps.unchanged_result(plan, fetched, result.started)
        result.__dict__.update({k: v for k, v in same.__dict__.items() if k not in {"timings"}})
        return

    extractions = {s.id: extract_task.submit(s, fetched[s.id]) for s in plan.selected if s.id in fetched}
    extracted = {}
    for source in plan.selected:
        error = failures.get(source.id, "")
        if not error:
            try:
                extracted[source.id] = extractions[source.id].result()
            except PortalError as exc:
                error = str(exc)
        docs = (
            len(extracted[source.id][0])
            if source.id in extracted
            else len(steps.last_good(source.id, plan.previous))
        )
        steps.record_source(result, source, fetched.get(source.id), docs, error)
    for source in plan.manifest:
        if source.id not in result.sources:
            steps.record_source(result, source, None, len(steps.last_good(source.id, plan.previous)))
    corpus = steps.assemble(plan, extracted)
    result.changes = steps.diff_corpora(plan.previous, corpus)
    result.timings["extract"] = time.perf_counter() - clock

    with steps.Workspace.from_settings(settings).lock("refresh"):
        template = template_task.submit(plan, corpus).result()
        result.template_messages = len([m for m in template if m.id])
        chains = {}
        for locale in plan.locales:
            merged = merge_task.submit(settings, template, locale)
            drafted = machine_task.submit(settings, locale, plan.mt, wait_for=[merged])
            chains[locale] = (merged, drafted)
        for locale, (merged, drafted) in chains.items():
            outcome = result.locales.setdefault(locale, steps.LocaleOutcome(locale))
            try:
                merge = dict(merged.result())
                outcome.merge, outcome.written = merge, merge.pop("written")
                outcome.mt = drafted.result()
            except PortalError as exc:
                result.failures[f"locale {locale}"] = str(exc)
    result.timings["catalogs"] = time.perf_counter() - clock
    checks = {
        loc: qa_task.submit(settings, loc, corpus)
        for loc in plan.locales
        if f"locale {loc}" not in result.failures
    }
    for locale, future in checks.items():
        checked = future.result()
        outcome = result.locales[locale]
        outcome.qa, outcome.coverage, outcome.fallback_safety = (
            checked.qa,
            checked.coverage,
            checked.fallback_safety,
        )
    result.timings["qa"] = time.perf_counter() - clock
    publish_task.submit(plan, corpus, fetched, result).result()
    result.timings["publish"] = time.perf_counter() - clock


@flow(name="portal-refresh", task_runner=ThreadPoolTaskRunner(max_workers=4), validate_parameters=False)
def refresh_flow(
    sources: list[str] | None = None,
    manifest: str | None = None,
    online: bool = False,
    locales: list[str] | None = None,
    mt: str | None = None,
    wait: bool = False,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fetch, extract, detect changes, merge catalogs, draft, check, publish atomically, report.

    ``settings`` holds overrides of portal.toml (e.g. ``{"data_dir": "/srv/portal"}``).
    Ends Failed (RefreshError carrying the summary) when a source or step failed; the sources
    that did not fail are still published, the failed ones keep their last good content.
    """
    config = load_settings(**(settings or {}))
    clock = time.perf_counter()
    result = steps.RefreshResult(started=steps._now())
    with steps.refresh_lock(config.data_path, wait=wait):
        plan = steps.make_plan(
            config, sources=sources, manifest=manifest, online=online, locales=locales, mt=mt
        )
        _orchestrate(plan, result, clock)
        result.timings["total"] = time.perf_counter() - clock
        markdown = steps.write_report(config, result)
    create_markdown_artifact(
        markdown=markdown,
        key=ARTIFACT_KEY,
        description=f"portal refresh: {result.status}, changed={result.changed}",
    )
    summary = result.summary()
    if result.status != "ok":
        error = RefreshError(
            f"{len(result.failures)} failure(s): " + "; ".join(result.failures), failed=result.failures
        )
        error.summary = summary  # type: ignore[attr-defined]
        raise error
    return summary


def run_flow(*, runner: str = "threads", quiet_heartbeat: bool = True, **parameters: Any) -> dict[str, Any]:
    """Run the flow in this process and return its summary; RefreshError (with .summary) on failure.

    Heartbeats exist to spot crashed runs of deployments; an in-process run is watched by its
    caller, and joining the heartbeat thread costs about a second per run, so they are off here.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    chosen = refresh_flow
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        # PORTAL_DASK_ADDRESS points at a running cluster; without it a local cluster is started.
        chosen = refresh_flow.with_options(
            task_runner=DaskTaskRunner(address=os.environ.get("PORTAL_DASK_ADDRESS"))
        )
    updates = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None} if quiet_heartbeat else {}
    with temporary_settings(updates=updates):
        state = chosen(**parameters, return_state=True)
    if state.is_completed():
        return state.result()
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, PortalError):
        raise outcome
    if isinstance(outcome, BaseException):
        raise RefreshError(f"the flow crashed: {outcome.__class__.__name__}: {outcome}") from outcome
    raise RefreshError(f"the flow ended {state.name}: {state.message}")
