"""Where the pieces of a refresh run when Prefect orchestrates it.

Kept apart from the flow module so that `portal refresh` does not import Prefect (a second or
more) for a run that finds nothing changed: before a flow run starts, every piece runs inline.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pipeline.errors import PortalError, RefreshError
from pipeline.refresh import RefreshResult

__all__ = ["PrefectExecutor", "failure_of"]

T = TypeVar("T")


@contextmanager
def logs_to_file(path: Path | None) -> Iterator[None]:
    """Send Prefect's console logging (tracebacks of failed tasks included) to ``path`` meanwhile.

    The command itself prints one line per problem; the detail is in the log file for whoever
    investigates, not on the terminal of whoever ran it.
    """
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    swapped: list[tuple[logging.Logger, list[logging.Handler]]] = []
    for name in ("", "prefect", "uvicorn", "uvicorn.error", "distributed"):
        logger = logging.getLogger(name)
        swapped.append((logger, list(logger.handlers)))
        logger.handlers = [h for h in logger.handlers if not isinstance(h, logging.StreamHandler)] + [to_file]
    try:
        yield
    finally:
        for logger, handlers in swapped:
            logger.handlers = handlers
        to_file.close()


def _in_flow_run() -> bool:
    if "prefect.context" not in sys.modules:  # no flow can be running before Prefect is imported
        return False
    from prefect.context import FlowRunContext

    return FlowRunContext.get() is not None


class PrefectExecutor:
    """Runs a refresh's pieces as Prefect tasks inside a flow run."""

    def __init__(self, runner: str = "threads", log_file: Path | None = None) -> None:
        self.runner = runner
        self.log_file = log_file

    def map(self, step: str, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> list[T | PortalError]:
        if not _in_flow_run():  # before a flow started: the cheap no-change probe
            return [_call(fn, args) for args in calls]
        from flows.refresh import TASKS

        futures = [TASKS[step].submit(*args) for args in calls]
        results: list[T | PortalError] = []
        for future in futures:
            try:
                results.append(future.result())
            except PortalError as error:
                results.append(error)
        return results

    def session(self, work: Callable[[], RefreshResult]) -> None:
        if _in_flow_run():
            work()
            return
        from flows.refresh import changes_flow, task_runner

        chosen = changes_flow.with_options(task_runner=task_runner(self.runner))
        with logs_to_file(self.log_file):
            try:
                state = chosen(work, return_state=True)
            except PortalError:
                raise
            except Exception as exc:  # Prefect itself failed (e.g. its API did not start): one line
                raise RefreshError(
                    f"Prefect could not run the refresh: {exc.__class__.__name__}: {exc}"
                ) from exc
        if state.is_completed():
            return
        error = failure_of(state)
        if isinstance(error, RefreshError) and error.summary is not None:
            return  # the run recorded its failures in the result; the flow run says Failed
        raise error

    def report(self, markdown: str, result: RefreshResult) -> None:
        if _in_flow_run():
            from prefect.artifacts import create_markdown_artifact

            from flows.refresh import ARTIFACT_KEY

            create_markdown_artifact(
                markdown=markdown,
                key=ARTIFACT_KEY,
                description=f"portal refresh: {result.status}, changed={result.changed}",
            )


def failure_of(state: Any) -> PortalError:
    """The error to raise for a flow run that did not complete."""
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, PortalError):
        return outcome
    if isinstance(outcome, BaseException):
        error = RefreshError(f"the flow crashed: {outcome.__class__.__name__}: {outcome}")
        error.__cause__ = outcome
        return error
    return RefreshError(f"the flow ended {state.name}: {state.message}")


def _call(fn: Callable[..., T], args: tuple[Any, ...]) -> T | PortalError:
    try:
        return fn(*args)
    except PortalError as error:
        return error
