"""Load benchmark: the real portal under uvicorn, driven by asyncio clients on loopback.

Starts ``uvicorn`` as a subprocess (``--workers`` processes, default one per core, as
``portal serve`` does) over a data directory holding the real corpus (English,
Spanish, Chinese and Arabic, published and indexed here), then for each concurrency runs a
bounded number of requests over plain keep-alive HTTP/1.1 connections (one per client): a
Zipf-distributed mix of the judged queries of ``tests/relevance``
against ``/api/search`` while one extra client polls ``/healthz``. Prints requests/s, p50/p95
latency of both, and errors. Stops by itself.

    python bench/portal_load.py [--concurrency 1,16,64] [--requests 3000] [--format table|json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOCALES = ("en", "es", "zh_Hans", "ar")


def build_data_dir(target: Path) -> None:
    """Publish the real corpus from the catalogs and review logs, make it live, and index it."""
    from index.build import publish_indexes
    from pipeline.config import load_settings
    from pipeline.extraction.extractor import extract_sources
    from pipeline.extraction.sources import load_manifest
    from pipeline.localization.pofile import catalog_path, read_catalog
    from pipeline.localization.review import Decisions, log_path, read_log
    from pipeline.publishing.policy import DEFAULT_POLICY, Translations, publish_locale
    from pipeline.publishing.published import write_published

    settings = load_settings(ROOT / "portal.toml")
    corpus = extract_sources(load_manifest(settings.sources_path))
    release = target / "releases" / "bench"
    for locale in LOCALES:
        translations = None
        if locale != "en":
            log = log_path(settings.locales_path, locale)
            decisions = Decisions.from_entries(read_log(log) if log.exists() else [])
            catalog = read_catalog(catalog_path(settings.locales_path, locale), locale=locale)
            translations = Translations(locale, catalog, decisions, DEFAULT_POLICY)
        write_published(release, publish_locale(corpus, locale, translations))
    os.symlink("releases/bench", target / "current")
    publish_indexes(target)


def judged_queries() -> list[tuple[str, str]]:
    from index.evaluation import load_judgments

    out = []
    for locale in LOCALES:
        for judgment in load_judgments(ROOT / "tests" / "relevance" / f"{locale}.toml"):
            out.append((judgment.q, locale))
    return out


def zipf_mix(queries: list[tuple[str, str]], count: int, seed: int = 14) -> list[tuple[str, str]]:
    """``count`` queries drawn with probability proportional to 1/rank (a few are very common)."""
    rng = random.Random(seed)
    order = queries[:]
    rng.shuffle(order)
    weights = [1 / rank for rank in range(1, len(order) + 1)]
    return rng.choices(order, weights=weights, k=count)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, port: int, workers: int = 1) -> subprocess.Popen:
    """uvicorn as ``portal serve --workers N`` runs it: the app factory, one process per worker."""
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir)}
    code = (
        "from portal.app import run_workers; "
        f"run_workers('127.0.0.1', {port}, {workers}, log_level='warning', access_log=False)"
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)


async def wait_ready(base: str, deadline: float = 60.0) -> None:
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() - started < deadline:
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the portal did not start")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Connection:
    """One keep-alive HTTP/1.1 connection with just enough of the protocol for these GETs.

    The clients share the 2 cores with the server: httpx's connection pool cost more CPU per
    request than a cached search, so the bench measured its own client. Every response of the
    portal's JSON endpoints carries a Content-Length.
    """

    def __init__(self, base: str) -> None:
        self.host, _, port = base.removeprefix("http://").partition(":")
        self.port = int(port)
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str, params: dict[str, str] | None = None) -> int:
        """The status of ``GET path?params``; the connection is dropped after any failure."""
        target = path + ("?" + urlencode(params) if params else "")
        try:
            if self.streams is None:
                self.streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self.streams
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            return int(head.split(b" ", 2)[1])
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            self.close()
            return 0

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def run_level(base: str, mix: list[tuple[str, str]], concurrency: int, budget: float) -> dict:
    """Search with ``concurrency`` clients until the mix is done or ``budget`` seconds pass."""
    queue = list(reversed(mix))
    search_ms: list[float] = []
    health_ms: list[float] = []
    errors = 0
    done = asyncio.Event()
    stop_at = time.monotonic() + budget

    async def searcher() -> None:
        nonlocal errors
        connection = Connection(base)
        while queue and time.monotonic() < stop_at:
            q, locale = queue.pop()
            started = time.perf_counter()
            ok = await connection.get("/api/search", {"q": q, "locale": locale}) == 200
            search_ms.append((time.perf_counter() - started) * 1000)
            errors += not ok
        connection.close()

    async def health() -> None:
        nonlocal errors
        connection = Connection(base)
        while not done.is_set():
            started = time.perf_counter()
            ok = await connection.get("/healthz") == 200
            health_ms.append((time.perf_counter() - started) * 1000)
            errors += not ok
            await asyncio.sleep(0.02)
        connection.close()

    poller = asyncio.create_task(health())
    started = time.perf_counter()
    await asyncio.gather(*(searcher() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    done.set()
    await poller
    return {
        "concurrency": concurrency,
        "requests": len(search_ms),
        "rps": len(search_ms) / elapsed if elapsed else 0.0,
        "search_p50": statistics.median(search_ms) if search_ms else 0.0,
        "search_p95": percentile(search_ms, 0.95),
        "healthz_p50": statistics.median(health_ms) if health_ms else 0.0,
        "healthz_p95": percentile(health_ms, 0.95),
        "errors": errors,
    }


async def bench(
    data_dir: Path, levels: list[int], requests: int, budget: float, workers: int = 1
) -> list[dict]:
    port = free_port()
    server = start_server(data_dir, port, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base)
        queries = judged_queries()
        rows = []
        for level in levels:
            rows.append(await run_level(base, zipf_mix(queries, requests, seed=level), level, budget))
        return rows
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--requests", type=int, default=3000, help="searches per concurrency level")
    parser.add_argument("--budget", type=float, default=60.0, help="most seconds per level")
    parser.add_argument("--data-dir", type=Path, help="an indexed data directory (default: built here)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: cores)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    work = None
    data_dir = args.data_dir
    if data_dir is None:
        work = Path(tempfile.mkdtemp(prefix="bench-portal-"))
        data_dir = work / "data"
        build_data_dir(data_dir)
    try:
        levels = [int(c) for c in args.concurrency.split(",")]
        rows = asyncio.run(bench(data_dir, levels, args.requests, args.budget, args.workers))
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    header = ("clients", "requests", "req/s", "search p50", "p95 ms", "healthz p50", "p95 ms", "errors")
    print("".join(f"{h:>12}" for h in header))
    for r in rows:
        cells = [r["concurrency"], r["requests"], f"{r['rps']:.0f}", f"{r['search_p50']:.1f}"]
        cells += [f"{r['search_p95']:.1f}", f"{r['healthz_p50']:.1f}", f"{r['healthz_p95']:.1f}", r["errors"]]
        print("".join(f"{c:>12}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
