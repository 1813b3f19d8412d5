"""A smoke run of bench/refresh_scale.py on three sources (real sizes stay out of the suite)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_scale_bench_runs_on_three_sources(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("refresh_scale", ROOT / "bench" / "refresh_scale.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    row = bench.one(3, "inline", tmp_path)
    assert row["sources"] == 3 and row["documents"] > 80 and float(row["ratio"]) < 0.5
