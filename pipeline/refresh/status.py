"""The facts an on-call person needs, written by every refresh to ``<data_dir>/status.json``.

`GET /metrics` and `portal status` read this one small file instead of opening catalogs or
releases per request. A run that published refreshes the per-locale facts; a run that found
nothing changed, or failed before switching, keeps them (they still describe the live release)
and only records itself as the last refresh.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pipeline.fs import write_json_atomic
from pipeline.localization.review import STATES
from pipeline.refresh.result import RefreshResult

__all__ = ["STATUS_FILE", "read_status", "status_path", "write_status"]

STATUS_FILE = "status.json"


def status_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATUS_FILE


def read_status(data_dir: Path) -> dict[str, Any]:
    """The last written status, or an empty dict when no refresh ran (or the file is unreadable)."""
    try:
        loaded = json.loads(status_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _messages(coverage: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Messages by content kind and review state, from a locale's coverage counts."""
    return {
        kind: {state: int(counts.get(state, 0)) for state in STATES}
        for kind, counts in coverage.get("by_kind", {}).items()
    }


def write_status(data_dir: Path, result: RefreshResult, *, finished: float | None = None) -> dict[str, Any]:
    """Record ``result`` as the last refresh, and what is live when it published; returns the status."""
    status = read_status(data_dir)
    now = time.time() if finished is None else finished
    status["last_refresh"] = {
        "finished": now,
        "started": result.started,
        "status": result.status,
        "changed": result.changed,
        "seconds": round(result.timings.get("total", 0.0), 3),
        "failures": result.failures,
        "severity": result.severity,
        "report": result.report,
    }
    if result.status != "failed":
        status["last_success"] = now
    if result.status != "failed":  # a failed run switched nothing: the counts of the live release stand
        status["documents"] = {sid: o.documents for sid, o in result.sources.items()}
    if result.published:
        status["release"] = result.release
        status["locales"] = {
            loc: {"messages": _messages(o.coverage), "fallback_safety": sorted(o.fallback_safety)}
            for loc, o in result.locales.items()
            if o.coverage
        }
    write_json_atomic(status_path(data_dir), status)
    return status
