"""A smoke run of bench/portal_load.py: starts the real server, a second of load, stops it."""

from __future__ import annotations

import asyncio
import importlib.util
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from portal_release import build_release

BENCH = Path(__file__).resolve().parents[2] / "bench" / "portal_load.py"


def test_load_benchmark_smoke(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    build_release(data_dir, index=True)
    spec = importlib.util.spec_from_file_location("portal_load", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    mix = bench.zipf_mix([("anemia", "en"), ("plaquetas", "es"), ("贫血", "zh_Hans")], 40)
    assert len(mix) == 40
    bench.judged_queries = lambda: [("anemia", "en"), ("low platelets", "en")]
    # its own thread: a browser test may have left an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        rows = pool.submit(asyncio.run, bench.bench(data_dir, [2], 30, 1.5)).result(timeout=120)
    assert rows[0]["requests"] > 0 and rows[0]["errors"] == 0
