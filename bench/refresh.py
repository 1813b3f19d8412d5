"""Benchmark: a no-change refresh against a full first refresh, in process and as `portal refresh`.

Runs in a temporary copy of locales/ and source_docs/ with its own data and PREFECT_HOME, and a
loopback LibreTranslate stub that counts machine-translation calls.

    python bench/refresh.py [--format json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
os.environ["PREFECT_HOME"] = str(WORK / "prefect")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


class Stub(BaseHTTPRequestHandler):
    """LibreTranslate's /translate, echoing the text: every number and term survives."""

    calls = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        params = {**parse_qs(self.path.partition("?")[2]), **parse_qs(body)}
        Stub.calls += 1
        payload = json.dumps({"translatedText": (params.get("q") or [""])[0]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


def project(name: str, mt_url: str) -> dict[str, str]:
    base = WORK / name
    shutil.copytree(ROOT / "locales", base / "locales")
    shutil.copytree(ROOT / "source_docs", base / "source_docs")
    return {
        "data_dir": str(base / "var"),
        "locales_dir": str(base / "locales"),
        "sources": str(base / "source_docs" / "sources.toml"),
        "mt_provider": "libre",
        "mt_url": mt_url,
    }


def in_process(mt_url: str) -> dict[str, float]:
    from flows.refresh import run_flow

    run_flow(settings=project("warmup", mt_url))  # starts the local server once, as a long-lived worker would
    settings = project("inproc", mt_url)
    started = time.perf_counter()
    run_flow(settings=settings)
    full = time.perf_counter() - started
    calls_before = Stub.calls
    started = time.perf_counter()
    summary = run_flow(settings=settings)
    nochange = time.perf_counter() - started
    assert summary["changed"] is False, summary
    return {"full_s": full, "nochange_s": nochange, "mt_calls_nochange": Stub.calls - calls_before}


def as_process(mt_url: str) -> dict[str, float]:
    settings = project("process", mt_url)
    env = {**os.environ, **{f"PORTAL_{k.upper()}": v for k, v in settings.items()}}
    times = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline", "refresh", "--format", "json"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return {"process_full_s": times[0], "process_nochange_s": times[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mt_url = f"http://127.0.0.1:{server.server_port}/"
    try:
        result = in_process(mt_url)
        result["ratio"] = result["nochange_s"] / result["full_s"]
        result.update(as_process(mt_url))
    finally:
        server.shutdown()
        shutil.rmtree(WORK, ignore_errors=True)
    result = {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}
    ordered = {
        k: result[k]
        for k in (
            "full_s",
            "nochange_s",
            "ratio",
            "mt_calls_nochange",
            "process_full_s",
            "process_nochange_s",
        )
    }
    if args.format == "json":
        print(json.dumps(ordered))
        return
    print(f"full refresh (in process, warm):   {ordered['full_s']:.2f}s")
    print(f"no-change refresh (in process):    {ordered['nochange_s']:.2f}s")
    print(f"ratio no-change/full:              {ordered['ratio']:.3f} (target <= 0.1)")
    print(f"MT calls in the no-change run:     {ordered['mt_calls_nochange']} (target 0)")
    print(
        f"`portal refresh`, full / no-change: {ordered['process_full_s']:.2f}s / "
        f"{ordered['process_nochange_s']:.2f}s"
    )


if __name__ == "__main__":
    main()
