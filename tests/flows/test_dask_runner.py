"""`--runner dask`: the same release, byte for byte, as the thread pool, on a two-worker LocalCluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.flow

ROOT = Path(__file__).resolve().parents[2]


def workspace(folder: Path) -> dict[str, object]:
    for name in ("locales", "source_docs"):
        shutil.copytree(ROOT / name, folder / name)
    return {
        "data_dir": str(folder / "var"),
        "locales_dir": str(folder / "locales"),
        "sources": str(folder / "source_docs" / "sources.toml"),
        "locales": ["es", "zh_Hans"],
    }


def release_files(data_dir: Path) -> dict[str, bytes]:
    live = (data_dir / "current").resolve()
    files = [live / "corpus.json", *sorted((live / "published").glob("*.json"))]
    return {str(path.relative_to(live)): path.read_bytes() for path in files}


def test_dask_cluster_publishes_what_the_thread_pool_does(tmp_path, monkeypatch):
    from distributed import LocalCluster

    from flows.refresh import run_flow

    threads = workspace(tmp_path / "threads")
    assert run_flow(runner="threads", settings=threads)["status"] == "ok"
    # Process workers (the installed package is importable there): the tasks are pickled to them.
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        monkeypatch.setenv("PORTAL_DASK_ADDRESS", cluster.scheduler_address)
        dask = workspace(tmp_path / "dask")
        summary = run_flow(runner="dask", settings=dask)
        assert summary["status"] == "ok" and summary["documents"]["added"] > 50
        assert len(cluster.workers) == 2
    produced = release_files(tmp_path / "dask" / "var")
    expected = release_files(tmp_path / "threads" / "var")
    assert produced.keys() == expected.keys() and len(produced) == 4
    for name, content in expected.items():
        assert produced[name] == content, f"{name} differs between the dask and thread-pool runs"
