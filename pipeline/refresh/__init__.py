"""The refresh: the steps of one content refresh and the one orchestration that runs them."""

from pipeline.refresh.plan import RefreshPlan, RefreshRequest
from pipeline.refresh.result import LocaleOutcome, RefreshResult, SourceOutcome
from pipeline.refresh.run import Executor, InlineExecutor, raise_for_status, refresh_lock, run_refresh

__all__ = [
    "Executor",
    "InlineExecutor",
    "LocaleOutcome",
    "RefreshPlan",
    "RefreshRequest",
    "RefreshResult",
    "SourceOutcome",
    "raise_for_status",
    "refresh_lock",
    "run_refresh",
]
