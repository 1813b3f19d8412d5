"""Fetching sources: the snapshot on disk (offline), or the live page over HTTP with validators and retries.

Online, each fetch sends ``If-None-Match``/``If-Modified-Since`` from the last successful fetch
(kept in ``<data_dir>/fetch/<source>.json``), treats 304 as "unchanged", retries network errors,
429 and 5xx with exponential backoff and jitter (honouring ``Retry-After``), and keeps every new
page as a dated snapshot ``<data_dir>/snapshots/<source>/<timestamp>.html`` so each published state
can be traced to its input.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from pipeline.errors import FetchError, SourceError
from pipeline.extraction.sources import MAX_PAGE_BYTES, Source, read_snapshot
from pipeline.fs import atomic_write, write_json_atomic

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
BACKOFF = 0.5
MAX_DELAY = 30.0
USER_AGENT = "portal-pipeline refresh"


@dataclass
class Fetched:
    """The bytes of one source and where they came from."""

    source: str
    data: bytes
    status: str  # offline | fetched | unchanged
    url: str = ""
    snapshot: str = ""
    sha256: str = ""
    attempts: int = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.data).hexdigest()

    def describe(self) -> dict[str, Any]:
        """Everything but the bytes, for reports."""
        data = asdict(self)
        del data["data"]
        return data


def state_path(data_dir: Path, source_id: str) -> Path:
    return Path(data_dir) / "fetch" / f"{source_id}.json"


def read_state(data_dir: Path, source_id: str) -> dict[str, Any]:
    """The validators and snapshot of the last successful fetch ({} when none or unreadable)."""
    try:
        state: dict[str, Any] = json.loads(state_path(data_dir, source_id).read_text(encoding="utf-8"))
        return state
    except (OSError, ValueError):
        return {}


def read_offline(source: Source) -> Fetched:
    """The manifest's snapshot file, as `make demo` and every offline refresh use it."""
    started = time.perf_counter()
    data = read_snapshot(source)
    return Fetched(
        source.id,
        data,
        "offline",
        url=source.url,
        snapshot=str(source.snapshot),
        seconds=time.perf_counter() - started,
    )


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, float(when.timestamp() - (time.time() if now is None else now)))


def backoff_delay(
    attempt: int, *, base: float = BACKOFF, cap: float = MAX_DELAY, rng: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    return rng() * min(cap, base * (2.0**attempt))


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def keep_snapshot(data_dir: Path, source_id: str, data: bytes) -> Path:
    """Write a dated snapshot (atomically) and return its path."""
    folder = Path(data_dir) / "snapshots" / source_id
    path = folder / f"{_timestamp()}.html"
    atomic_write(path, data)
    return path


def _validators(state: dict[str, Any]) -> dict[str, str]:
    if not state.get("snapshot") or not Path(state["snapshot"]).is_file():
        return {}  # without the old bytes a 304 would leave us with nothing to extract
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    return headers


def fetch_source(
    source: Source,
    data_dir: Path,
    *,
    timeout: float = 20.0,
    retries: int = 3,
    url: str | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    backoff: float = BACKOFF,
    max_delay: float = MAX_DELAY,
    rng: Callable[[], float] = random.random,
) -> Fetched:
    """GET a source's page with conditional headers; 304 returns the last snapshot's bytes.

    Raises FetchError after ``retries`` retries of network errors, 429 and 5xx, or at once on any
    other unexpected status.
    """
    url = url or source.url
    started = time.perf_counter()
    state = read_state(data_dir, source.id)
    if state.get("url") not in (None, url):
        state = {}  # validators of another address mean nothing here
    headers = {"User-Agent": USER_AGENT, **_validators(state)}
    own = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=True)
    attempts = 0
    problem = ""
    try:
        while True:
            attempts += 1
            wait: float | None = None
            try:
                response = client.get(url, headers=headers, timeout=timeout)
            except httpx.TimeoutException:
                problem = f"timed out after {timeout:g}s"
            except httpx.TransportError as exc:
                problem = f"network error: {exc.__class__.__name__}: {exc}"
            else:
                if response.status_code == 304 and (
                    "If-None-Match" in headers or "If-Modified-Since" in headers
                ):
                    data = Path(state["snapshot"]).read_bytes()
                    return Fetched(
                        source.id,
                        data,
                        "unchanged",
                        url=url,
                        snapshot=state["snapshot"],
                        attempts=attempts,
                        seconds=time.perf_counter() - started,
                    )
                if response.status_code == 200:
                    return _keep(source, data_dir, url, response, state, attempts, started)
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUS:
                    raise FetchError(problem, source=source.id, url=url, attempts=attempts)
                wait = retry_after(response)
            if attempts > retries:
                raise FetchError(problem, source=source.id, url=url, attempts=attempts)
            delay = backoff_delay(attempts - 1, base=backoff, cap=max_delay, rng=rng)
            sleep(min(max_delay, max(delay, wait or 0.0)))
    finally:
        if own:
            client.close()


def _keep(
    source: Source,
    data_dir: Path,
    url: str,
    response: httpx.Response,
    state: dict[str, Any],
    attempts: int,
    started: float,
) -> Fetched:
    data = response.content
    if len(data) > MAX_PAGE_BYTES:
        raise SourceError(
            f"page is {len(data)} bytes, more than the {MAX_PAGE_BYTES} allowed", source=source.id
        )
    digest = hashlib.sha256(data).hexdigest()
    if state.get("sha256") == digest and state.get("snapshot") and Path(state["snapshot"]).is_file():
        snapshot = Path(state["snapshot"])  # same bytes as last time: one snapshot is enough
    else:
        snapshot = keep_snapshot(data_dir, source.id, data)
    write_json_atomic(
        state_path(data_dir, source.id),
        {
            "url": url,
            "etag": response.headers.get("ETag", ""),
            "last_modified": response.headers.get("Last-Modified", ""),
            "snapshot": str(snapshot),
            "sha256": digest,
            "fetched": _timestamp(),
        },
    )
    return Fetched(
        source.id,
        data,
        "fetched",
        url=url,
        snapshot=str(snapshot),
        sha256=digest,
        attempts=attempts,
        seconds=time.perf_counter() - started,
    )
