"""Fetching: offline snapshots, conditional GETs, retries with backoff, dated snapshots."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from werkzeug import Response

from pipeline.errors import FetchError
from pipeline.extraction.fetching import backoff_delay, fetch_source, read_offline, read_state, retry_after
from pipeline.extraction.sources import Source

PAGE = b"<html><body><h1>Glossary</h1></body></html>"


def _source(tmp_path: Path, url: str = "http://127.0.0.1/none") -> Source:
    snapshot = tmp_path / "page.html"
    snapshot.write_bytes(PAGE)
    return Source(id="glossary", url=url, snapshot=snapshot, kind="glossary", profile="glossary")


def test_offline_reads_the_manifest_snapshot(tmp_path):
    fetched = read_offline(_source(tmp_path))
    assert fetched.status == "offline" and fetched.data == PAGE and len(fetched.sha256) == 64


def test_etag_then_304_returns_the_kept_snapshot(httpserver, tmp_path):
    seen = []

    def handler(request):
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(PAGE, headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

    httpserver.expect_request("/glossary/").respond_with_handler(handler)
    source = _source(tmp_path, httpserver.url_for("/glossary/"))
    data_dir = tmp_path / "var"
    first = fetch_source(source, data_dir)
    assert first.status == "fetched" and first.data == PAGE
    assert Path(first.snapshot).parent == data_dir / "snapshots" / "glossary"
    assert Path(first.snapshot).read_bytes() == PAGE
    assert read_state(data_dir, "glossary")["etag"] == '"v1"'
    second = fetch_source(source, data_dir)
    assert second.status == "unchanged" and second.data == PAGE and second.snapshot == first.snapshot
    assert seen[1]["If-None-Match"] == '"v1"'
    assert seen[1]["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert "If-None-Match" not in seen[0]


def test_a_changed_page_gets_a_new_dated_snapshot(httpserver, tmp_path):
    pages = iter([PAGE, PAGE + b"<!-- v2 -->"])
    httpserver.expect_request("/p").respond_with_handler(
        lambda r: Response(next(pages), headers={"ETag": f'"{time.time()}"'})
    )
    source = _source(tmp_path, httpserver.url_for("/p"))
    one, two = fetch_source(source, tmp_path / "var"), fetch_source(source, tmp_path / "var")
    assert one.snapshot != two.snapshot and Path(two.snapshot).read_bytes().endswith(b"v2 -->")
    assert len(list((tmp_path / "var" / "snapshots" / "glossary").iterdir())) == 2


def test_500_then_success_is_retried_with_backoff(httpserver, tmp_path):
    answers = iter([Response("busy", status=500), Response("busy", status=503), Response(PAGE)])
    httpserver.expect_request("/p").respond_with_handler(lambda r: next(answers))
    slept = []
    fetched = fetch_source(
        _source(tmp_path, httpserver.url_for("/p")),
        tmp_path / "var",
        retries=3,
        sleep=slept.append,
        rng=lambda: 1.0,
    )
    assert fetched.status == "fetched" and fetched.attempts == 3
    assert slept == [0.5, 1.0]  # exponential: base * 2**attempt, jitter at its top


def test_429_honours_retry_after(httpserver, tmp_path):
    answers = iter([Response("slow down", status=429, headers={"Retry-After": "7"}), Response(PAGE)])
    httpserver.expect_request("/p").respond_with_handler(lambda r: next(answers))
    slept = []
    fetch_source(
        _source(tmp_path, httpserver.url_for("/p")), tmp_path / "var", sleep=slept.append, rng=lambda: 0.0
    )
    assert slept == [7.0]


def test_gives_up_after_the_retries(httpserver, tmp_path):
    httpserver.expect_request("/p").respond_with_data("down", status=502)
    with pytest.raises(FetchError) as caught:
        fetch_source(
            _source(tmp_path, httpserver.url_for("/p")), tmp_path / "var", retries=2, sleep=lambda s: None
        )
    assert caught.value.attempts == 3 and "HTTP 502" in str(caught.value)
    assert not (tmp_path / "var" / "snapshots").exists()


def test_404_is_not_retried(httpserver, tmp_path):
    httpserver.expect_request("/p").respond_with_data("gone", status=404)
    with pytest.raises(FetchError) as caught:
        fetch_source(
            _source(tmp_path, httpserver.url_for("/p")),
            tmp_path / "var",
            sleep=lambda s: pytest.fail("slept"),
        )
    assert caught.value.attempts == 1


def test_timeout_is_a_fetch_error(httpserver, tmp_path):
    def slow(request):
        time.sleep(0.6)
        return Response(PAGE)

    httpserver.expect_request("/p").respond_with_handler(slow)
    with pytest.raises(FetchError, match="timed out"):
        fetch_source(
            _source(tmp_path, httpserver.url_for("/p")),
            tmp_path / "var",
            timeout=0.2,
            retries=1,
            sleep=lambda s: None,
        )


def test_network_error_is_retried_then_reported(tmp_path):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    slept = []
    with pytest.raises(FetchError, match="network error") as caught:
        fetch_source(
            _source(tmp_path, "http://127.0.0.1:9/p"),
            tmp_path / "var",
            retries=2,
            client=client,
            sleep=slept.append,
        )
    assert caught.value.attempts == 3 and len(slept) == 2


def test_retry_after_and_backoff_helpers():
    assert retry_after(httpx.Response(429, headers={"Retry-After": "3"})) == 3.0
    assert (
        retry_after(
            httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), now=1445412470.0
        )
        == 10.0
    )
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    assert retry_after(httpx.Response(429)) is None
    assert backoff_delay(10, base=0.5, cap=30, rng=lambda: 1.0) == 30
    assert backoff_delay(0, rng=lambda: 0.5) == 0.25
