"""The one orchestration of a content refresh, used by `portal refresh`, the Prefect flow and
`portal schedule` alike.

``run_refresh`` holds the refresh lock for the whole run, fetches the selected sources, and stops
there when the fingerprint says nothing changed. Otherwise it extracts, writes the template,
merges and drafts every catalog, checks every locale, publishes one release through an atomic
switch, and writes the report. Where the independent pieces run (one after the other, or as
Prefect tasks on threads or Dask) is the executor's business, not the orchestration's.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pipeline.config import Settings
from pipeline.errors import PortalError, RefreshError
from pipeline.extraction.fetching import Fetched
from pipeline.extraction.model import Corpus, Document
from pipeline.extraction.sources import Source
from pipeline.fs import file_lock
from pipeline.localization.workspace import Workspace
from pipeline.publishing.changes import ChangeSet, diff_corpora
from pipeline.publishing.report import post_webhook, render_report, save_report
from pipeline.refresh import steps
from pipeline.refresh.plan import RefreshPlan, RefreshRequest, fingerprint, is_unchanged, make_plan
from pipeline.refresh.result import LocaleOutcome, RefreshResult, SourceOutcome
from pipeline.refresh.status import write_status

__all__ = ["Executor", "InlineExecutor", "raise_for_status", "refresh_lock", "run_refresh"]

T = TypeVar("T")
Extracted = tuple[list[Document], dict[str, str]]


class Executor(Protocol):
    """Where the independent pieces of a run execute."""

    def map(self, step: str, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> list[T | PortalError]:
        """Run ``fn(*args)`` for every call; a PortalError is returned in its place, not raised."""
        ...

    def session(self, work: Callable[[], RefreshResult]) -> None:
        """Run the part of a run that changes something (a Prefect flow run, for the flow adapter)."""
        ...

    def report(self, markdown: str, result: RefreshResult) -> None:
        """Publish the run's report where the executor's users look for it."""
        ...


class InlineExecutor:
    """Everything in this thread, one call after the other: tests, benchmarks, embedding."""

    def map(self, step: str, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> list[T | PortalError]:
        results: list[T | PortalError] = []
        for args in calls:
            try:
                results.append(fn(*args))
            except PortalError as error:
                results.append(error)
        return results

    def session(self, work: Callable[[], RefreshResult]) -> None:
        work()

    def report(self, markdown: str, result: RefreshResult) -> None:
        return None


def refresh_lock(data_dir: Path, *, wait: bool = False) -> AbstractContextManager[Path]:
    """Hold ``data_dir/locks/refresh.lock``: LockBusyError when taken, or block with ``wait``."""
    return file_lock(Path(data_dir) / "locks" / "refresh.lock", "refresh", wait=wait)


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_refresh(
    settings: Settings,
    request: RefreshRequest | None = None,
    *,
    executor: Executor | None = None,
    notify: bool = True,
) -> RefreshResult:
    """Refresh the published content; returns what happened (never raises for a failed source)."""
    request = request or RefreshRequest()
    runner: Executor = executor or InlineExecutor()
    clock = time.perf_counter()
    result = RefreshResult(started=now_utc())
    with refresh_lock(settings.data_path, wait=request.wait):
        plan = make_plan(settings, request)
        fetched, failures = _fetch(plan, runner)
        result.timings["fetch"] = time.perf_counter() - clock
        if is_unchanged(plan, fetched, failures):
            _record_unchanged(plan, fetched, result)
            _finish(settings, result, clock, runner, notify)
        else:

            def work() -> RefreshResult:
                _build_and_publish(_Run(plan, fetched, failures, result, runner, clock))
                _finish(settings, result, clock, runner, notify)
                return result

            runner.session(work)
    return result


def _fetch(plan: RefreshPlan, runner: Executor) -> tuple[dict[str, Fetched], dict[str, str]]:
    calls = [(source, plan.settings, plan.online) for source in plan.selected]
    outcomes = runner.map("fetch", steps.fetch, calls)
    return _partition([source.id for source in plan.selected], outcomes)


def _partition(
    keys: Sequence[str], outcomes: Sequence[T | PortalError]
) -> tuple[dict[str, T], dict[str, str]]:
    """The results of a map by key, and the one-line problems of those that failed."""
    done: dict[str, T] = {}
    failed: dict[str, str] = {}
    for key, outcome in zip(keys, outcomes, strict=True):
        if isinstance(outcome, PortalError):
            failed[key] = str(outcome)
        else:
            done[key] = outcome
    return done, failed


def _record_unchanged(plan: RefreshPlan, fetched: dict[str, Fetched], result: RefreshResult) -> None:
    result.release = plan.live.name if plan.live else None
    # Counted in one pass: a scan of the corpus per source made this step quadratic in sources.
    published = Counter(doc.source for doc in plan.previous.documents) if plan.previous else Counter()
    for source in plan.manifest:
        _record_source(result, source, fetched.get(source.id), published[source.id])
    result.changes = diff_corpora(plan.previous, plan.previous) if plan.previous else ChangeSet()
    result.notes.append("nothing changed since the live release: no step was run")


def _record_source(
    result: RefreshResult, source: Source, fetched: Fetched | None, docs: int, error: str = ""
) -> None:
    status = "failed" if error else (fetched.status if fetched else "kept")
    result.sources[source.id] = SourceOutcome(
        source.id,
        status,
        documents=docs,
        error=error,
        snapshot=fetched.snapshot if fetched else "",
        sha256=fetched.sha256 if fetched else "",
        attempts=fetched.attempts if fetched else 0,
    )
    if error:
        result.failures[f"source {source.id}"] = error


@dataclass
class _Run:
    """One run past the no-change check: what it works on, what it fetched, where it reports."""

    plan: RefreshPlan
    fetched: dict[str, Fetched]
    failures: dict[str, str]
    result: RefreshResult
    runner: Executor
    clock: float


def _extract(run: _Run) -> dict[str, Extracted]:
    plan, fetched, result = run.plan, run.fetched, run.result
    pages = dict(fetched) | _unpublished_snapshots(plan)
    readable = [source for source in plan.manifest if source.id in pages]
    outcomes = run.runner.map("extract", steps.extract, [(source, pages[source.id]) for source in readable])
    extracted, errors = _partition([source.id for source in readable], outcomes)
    errors = {sid: problem for sid, problem in errors.items() if sid in fetched} | run.failures
    for source in plan.manifest:
        docs = (
            extracted[source.id][0] if source.id in extracted else steps.last_good(source.id, plan.previous)
        )
        _record_source(result, source, fetched.get(source.id), len(docs), errors.get(source.id, ""))
    return extracted


def _unpublished_snapshots(plan: RefreshPlan) -> dict[str, Fetched]:
    """Snapshots of the unselected sources that have nothing published yet.

    A refresh of some sources keeps the others as published; when nothing of them is published
    yet, their snapshots stand in, so their messages (and approvals) are not retired.
    """
    selected = {source.id for source in plan.selected}
    pages: dict[str, Fetched] = {}
    for source in plan.manifest:
        if source.id not in selected and not steps.last_good(source.id, plan.previous):
            try:
                pages[source.id] = steps.fetch(source, plan.settings, False)
            except PortalError:
                continue  # no snapshot either: the source simply has no documents yet
    return pages


def _build_and_publish(run: _Run) -> None:
    plan, result, runner, clock = run.plan, run.result, run.runner, run.clock
    settings = plan.settings
    corpus = steps.assemble(plan, _extract(run))
    result.changes = diff_corpora(plan.previous, corpus)
    result.timings["extract"] = time.perf_counter() - clock
    with Workspace.from_settings(settings).lock("refresh"):
        template, template_changed = steps.make_template(plan, corpus)
        result.template_messages = len([m for m in template if m.id])
        if template_changed:
            steps.write_template(settings, template)
        calls = [(settings, template, locale, plan.mt) for locale in plan.locales]
        catalogs, failed = _partition(plan.locales, runner.map("catalog", steps.update_catalog, calls))
        result.locales.update(catalogs)
        result.failures.update({f"locale {locale}": problem for locale, problem in failed.items()})
    result.timings["catalogs"] = time.perf_counter() - clock
    checked = [locale for locale in plan.locales if f"locale {locale}" not in result.failures]
    outcomes = runner.map("qa", steps.check_locale, [(settings, locale, corpus) for locale in checked])
    checks, failed = _partition(checked, outcomes)
    result.failures.update({f"locale {locale}": problem for locale, problem in failed.items()})
    for locale, outcome in checks.items():
        _merge_checks(result.locales.setdefault(locale, LocaleOutcome(locale)), outcome)
    result.timings["qa"] = time.perf_counter() - clock
    _publish(plan, corpus, run.fetched, result)
    result.timings["publish"] = time.perf_counter() - clock


def _merge_checks(outcome: LocaleOutcome, checked: LocaleOutcome) -> None:
    outcome.qa, outcome.coverage = checked.qa, checked.coverage
    outcome.fallback_safety, outcome.overrides = checked.fallback_safety, checked.overrides


def _publish(plan: RefreshPlan, corpus: Corpus, fetched: dict[str, Fetched], result: RefreshResult) -> None:
    """Switch to a new release unless a step other than a source failed; set the run's status.

    A failed source keeps its last good documents and the rest is published (status partial);
    any other failure switches nothing (status failed), so patients keep the last good release.
    """
    if any(not what.startswith("source ") for what in result.failures):
        result.status = "failed"
        result.notes.append("nothing was published: the live release is unchanged")
        return
    if not corpus.documents:
        result.failures["publish"] = (
            "no documents to publish (every source failed and nothing was published before)"
        )
        result.status = "failed"
        return
    # After a failed source no fingerprint is stored, so the next run retries instead of short-cutting.
    stamp = None if result.failures else fingerprint(plan, fetched)
    result.release, build, visible = steps.publish(plan, corpus, fingerprint_value=stamp)
    result.published = True
    result.timings["index_changed"] = sum(b["added"] + b["updated"] + b["deleted"] for b in build["locales"])
    for locale, seen in visible.items():
        result.locales.setdefault(locale, LocaleOutcome(locale)).visible = seen
    result.changed = result.changes.any or any(
        o.written or o.visibly_changed for o in result.locales.values()
    )
    result.status = "partial" if result.failures else "ok"


def _finish(settings: Settings, result: RefreshResult, clock: float, runner: Executor, notify: bool) -> None:
    """Write the Markdown report under data_dir/reports, hand it to the executor, post the webhook."""
    result.timings["total"] = time.perf_counter() - clock
    markdown = render_report(result)
    result.report = str(save_report(settings.data_path / "reports", markdown))
    write_status(settings.data_path, result)
    runner.report(markdown, result)
    if notify and settings.webhook_url:
        problem = post_webhook(settings.webhook_url, result.summary(), timeout=settings.fetch_timeout)
        if problem:
            result.notes.append(problem)


def raise_for_status(result: RefreshResult) -> None:
    """RefreshError, carrying the run's summary, when the run did not end ok."""
    if result.status != "ok":
        failures = "; ".join(f"{k}: {v}" for k, v in result.failures.items())
        raise RefreshError(
            f"{len(result.failures)} step(s) failed: {failures}",
            failed=result.failures,
            summary=result.summary(),
        )
