"""Benchmark: full and no-change refresh of N generated sources in 4 locales, per runner.

Each page is one of the two sample snapshots (source_docs/), read by a copy of its profile whose
document ids carry the source id, so N pages give N times the documents and messages of the
real vocabulary. Every (N, runner) pair runs in a fresh process (its peak memory is that
process's maximum resident set; Dask workers are separate processes and not counted) with its
own temporary workspace and PREFECT_HOME, removed afterwards. Runners: `inline` (run_refresh,
one call after the other), `threads` and `dask` (run_refresh with the Prefect executor, as
`portal refresh` does; dask on a two-worker LocalCluster).

    python bench/refresh_scale.py [--sizes 50,200,1000] [--runners inline,threads,dask] [--format json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROFILES = ROOT / "pipeline" / "extraction" / "builtin_profiles"
LAYOUTS = (("glossary", "glossary"), ("relapse", "page"))  # (sample snapshot and profile, kind)
LOCALES = ["es", "zh_Hans", "ar", "en_XA"]
TIMEOUT = 3600


def scoped_profile(name: str) -> str:
    """A built-in profile whose ids are prefixed with the source id (ids are unique per page)."""
    text = (PROFILES / f"{name}.toml").read_text(encoding="utf-8")
    text = text.replace('"glossary/{slug}"', '"{source}/{slug}"')
    return re.sub(r'"isi/([^"]*)"', r'"{source}/isi-\1"', text)


def make_workspace(folder: Path, size: int) -> Path:
    """A workspace with ``size`` generated sources, the shipped catalogs and its own data dir."""
    shutil.copytree(ROOT / "locales", folder / "locales")
    (folder / "profiles").mkdir(parents=True)
    docs = folder / "source_docs"
    docs.mkdir()
    for name, _ in LAYOUTS:
        (folder / "profiles" / f"scaled-{name}.toml").write_text(scoped_profile(name), encoding="utf-8")
    entries = []
    for number in range(size):
        name, kind = LAYOUTS[number % len(LAYOUTS)]
        page = (ROOT / "source_docs" / f"{name}.html").read_text(encoding="utf-8")
        snapshot = f"p{number:05d}.html"
        (docs / snapshot).write_text(page, encoding="utf-8")
        entries.append(
            f'[[source]]\nid = "p{number:05d}"\nurl = "https://example.org/{name}/{number}/"\n'
            f'snapshot = "{snapshot}"\nkind = "{kind}"\nprofile = "scaled-{name}"\ntitle = "Page {number}"\n'
        )
    (docs / "sources.toml").write_text("\n".join(entries), encoding="utf-8")
    (folder / "portal.toml").write_text(
        f'locales = {json.dumps(LOCALES)}\nrelevance_dir = "relevance"\n', encoding="utf-8"
    )
    return folder


def executor(runner: str):  # an Executor; flows is imported only when a Prefect runner is asked for
    if runner == "inline":
        from pipeline.refresh import InlineExecutor

        return InlineExecutor()
    from flows.executor import PrefectExecutor

    return PrefectExecutor(runner)


def one(size: int, runner: str, work: Path) -> dict[str, float | int | str]:
    """Full then no-change refresh of ``size`` sources with ``runner`` (runs in a child process)."""
    from pipeline.config import load_settings
    from pipeline.refresh import run_refresh

    cluster = None
    if runner == "dask":
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        os.environ["PORTAL_DASK_ADDRESS"] = cluster.scheduler_address
    try:
        if runner != "inline":  # start Prefect's local server once, as a long-lived worker has it
            warm = load_settings(make_workspace(work / "warm", 1) / "portal.toml", env={})
            run_refresh(warm, executor=executor(runner), notify=False)
        settings = load_settings(make_workspace(work / "ws", size) / "portal.toml", env={})
        started = time.perf_counter()
        full = run_refresh(settings, executor=executor(runner), notify=False)
        full_s = time.perf_counter() - started
        started = time.perf_counter()
        again = run_refresh(settings, executor=executor(runner), notify=False)
        nochange_s = time.perf_counter() - started
    finally:
        if cluster is not None:
            cluster.close()
    assert full.status == "ok" and again.changed is False, (full.failures, again.status)
    return {
        "sources": size,
        "runner": runner,
        "documents": sum(full.changes.counts().values()),
        "full_s": round(full_s, 2),
        "nochange_s": round(nochange_s, 3),
        "ratio": round(nochange_s / full_s, 4),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def measure(size: int, runner: str) -> dict[str, float | int | str]:
    """Run one configuration in a fresh process with its own temporary folder and PREFECT_HOME."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-scale-{size}-{runner}-"))
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "ERROR",
    }
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size), runner, str(work)],
            env=env, capture_output=True, text=True, timeout=TIMEOUT, start_new_session=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"{size} sources, {runner}: failed\n{done.stderr[-3000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def growth(rows: list[dict[str, float | int | str]]) -> None:
    """Per runner, how full-refresh time per source changes from the smallest to each larger N."""
    for row in rows:
        base = next(r for r in rows if r["runner"] == row["runner"])
        per_source = float(row["full_s"]) / int(row["sources"])
        row["per_source_ms"] = round(1000 * per_source, 1)
        row["growth"] = round(per_source / (float(base["full_s"]) / int(base["sources"])), 2)


def show(rows: list[dict[str, float | int | str]]) -> None:
    print(
        "| sources | runner | documents | full s | no-change s | ratio | ms/source (full) "
        "| vs smallest N | peak MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['sources']:,} | {r['runner']} | {r['documents']:,} | {r['full_s']} | {r['nochange_s']} | "
            f"{r['ratio']} | {r['per_source_ms']} | {r['growth']}x | {r['peak_mib']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000")
    parser.add_argument("--runners", default="inline,threads,dask")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--one", nargs=3, metavar=("N", "RUNNER", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(int(args.one[0]), args.one[1], Path(args.one[2]))))
        return
    rows = []
    for runner in args.runners.split(","):
        for size in sorted(int(s) for s in args.sizes.split(",")):
            rows.append(measure(size, runner))
            print(f"  {size} sources, {runner}: {rows[-1]['full_s']}s full", file=sys.stderr)
    growth(rows)
    if args.format == "json":
        print(json.dumps(rows))
    else:
        show(rows)


if __name__ == "__main__":
    main()
