"""`GET /metrics` in Prometheus text format: is what patients see current, reviewed content?

Refresh facts come from ``<data_dir>/status.json`` (written by every refresh) and the release id
from the ``current`` link, read per scrape: a scrape costs one small file read, never a catalog.
Search requests are counted by this process as they are served (``observe_search``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from pipeline.refresh.status import read_status

__all__ = ["SEARCH_PATHS", "install", "metrics_route", "observe_search"]

REFRESH_STATES = ("ok", "partial", "failed")
SEARCH_PATHS = frozenset({"/", "/api/search", "/api/suggest"})

# Search metrics live for the process; one registry per process, shared by every app it serves.
_SEARCHES = CollectorRegistry(auto_describe=True)
SEARCH_REQUESTS = Counter(
    "portal_search_requests", "Search requests served, by endpoint and outcome.", ["endpoint", "outcome"],
    registry=_SEARCHES,
)  # fmt: skip
SEARCH_LATENCY = Histogram(
    "portal_search_latency_seconds",
    "Time to answer a search request.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=_SEARCHES,
)


def observe_search(seconds: float, *, endpoint: str = "/api/search", ok: bool = True) -> None:
    """The hook search code calls once per request it answered."""
    SEARCH_REQUESTS.labels(endpoint, "ok" if ok else "error").inc()
    SEARCH_LATENCY.labels(endpoint).observe(seconds)


class StatusCollector(Collector):
    """Gauges of the last refresh and the live release, read from the data directory per scrape."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def collect(self) -> Iterator[Metric]:
        status = read_status(self.data_dir)
        yield from _refresh_metrics(status)
        yield from _content_metrics(status)
        yield _release_info(self.data_dir)


def _refresh_metrics(status: dict[str, Any]) -> Iterator[Metric]:
    last = status.get("last_refresh") or {}
    finished = GaugeMetricFamily(
        "portal_refresh_last_finished_timestamp_seconds", "When the last refresh finished (Unix time)."
    )
    duration = GaugeMetricFamily("portal_refresh_last_duration_seconds", "How long the last refresh took.")
    success = GaugeMetricFamily(
        "portal_refresh_last_success_timestamp_seconds",
        "When the last refresh that was not failed finished (Unix time).",
    )
    state = GaugeMetricFamily(
        "portal_refresh_last_status", "Status of the last refresh (1 for the one it had).", labels=["status"]
    )
    if last:
        finished.add_metric([], float(last.get("finished", 0)))
        duration.add_metric([], float(last.get("seconds", 0)))
        for name in REFRESH_STATES:
            state.add_metric([name], 1.0 if last.get("status") == name else 0.0)
    if "last_success" in status:
        success.add_metric([], float(status["last_success"]))
    yield from (finished, duration, success, state)


def _content_metrics(status: dict[str, Any]) -> Iterator[Metric]:
    documents = GaugeMetricFamily(
        "portal_documents", "Documents published per source in the live release.", labels=["source"]
    )
    for source, count in sorted((status.get("documents") or {}).items()):
        documents.add_metric([source], float(count))
    messages = GaugeMetricFamily(
        "portal_messages", "Catalog messages by locale, content kind and review state.",
        labels=["locale", "kind", "state"],
    )  # fmt: skip
    fallback = GaugeMetricFamily(
        "portal_safety_fallback_sections",
        "Safety sections shown in English (no approved translation) in the live release, per locale.",
        labels=["locale"],
    )
    for locale, facts in sorted((status.get("locales") or {}).items()):
        for kind, states in sorted(facts.get("messages", {}).items()):
            for state, count in states.items():
                messages.add_metric([locale, kind, state], float(count))
        fallback.add_metric([locale], float(len(facts.get("fallback_safety", []))))
    yield from (documents, messages, fallback)


def _release_info(data_dir: Path) -> Metric:
    info = InfoMetricFamily("portal_release", "The live release (the target of the current link).")
    link = data_dir / "current"
    if link.is_symlink():
        info.add_metric([], {"release": Path(os.readlink(link)).name})
    return info


def metrics_route(data_dir: Path, path: str = "/metrics") -> Route:
    """The Starlette route serving the metrics of ``data_dir`` and of this process's searches."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StatusCollector(data_dir))

    async def metrics(request: Request) -> Response:
        body = generate_latest(registry) + generate_latest(_SEARCHES)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Route(path, metrics, methods=["GET"])


class SearchTiming:
    """ASGI middleware: times the requests of the search endpoints and calls ``observe_search``."""

    def __init__(self, app: ASGIApp, observe: Callable[..., None] = observe_search) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        searching = scope["type"] == "http" and path in SEARCH_PATHS
        if path == "/" and b"q=" not in scope.get("query_string", b""):
            searching = False  # the empty search page is not a search
        if not searching:
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def note_status(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, note_status)
        finally:
            self.observe(time.perf_counter() - started, endpoint=path, ok=status < 500)


def install(app: Starlette, data_dir: Path) -> None:
    """Mount `GET /metrics` on the app and time its search requests (the one line the app needs)."""
    app.router.routes.insert(0, metrics_route(data_dir))
    app.add_middleware(SearchTiming)
