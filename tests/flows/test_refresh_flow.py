"""The refresh flow end to end against pages served over loopback HTTP."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from werkzeug import Response

from index.engine import SearchEngine
from pipeline.errors import RefreshError
from pipeline.localization.pofile import catalog_path, read_catalog
from pipeline.publishing.releases import current_release

pytestmark = pytest.mark.flow

OLD = "A condition in which the number of red blood cells is below normal."
NEW = "A condition in which the number of red blood cells or hemoglobin is lower than normal."

ROOT = Path(__file__).resolve().parents[2]


class Site:
    """Two source pages with ETags; the relapse page can fail once, or hang."""

    def __init__(self) -> None:
        self.pages = {
            name: (ROOT / "source_docs" / f"{name}.html").read_bytes() for name in ("glossary", "relapse")
        }
        self.relapse_mode = "fail-once"
        self.requests: list[tuple[str, int]] = []

    def handler(self, request):
        name = request.path.strip("/")
        if name == "relapse" and self.relapse_mode == "fail-once":
            self.relapse_mode = "ok"
            return self._log(name, Response("try later", status=500))
        if name == "relapse" and self.relapse_mode == "hang":
            time.sleep(1.5)
        etag = f'"{hash(self.pages[name])}"'
        if request.headers.get("If-None-Match") == etag:
            return self._log(name, Response(status=304))
        return self._log(name, Response(self.pages[name], headers={"ETag": etag}, content_type="text/html"))

    def _log(self, name, response):
        self.requests.append((name, response.status_code))
        return response


def test_online_refresh_end_to_end(httpserver, tmp_path):
    from flows.refresh import run_flow

    site = Site()
    httpserver.expect_request("/glossary").respond_with_handler(site.handler)
    httpserver.expect_request("/relapse").respond_with_handler(site.handler)
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copytree(ROOT / "source_docs", tmp_path / "source_docs")
    manifest = tmp_path / "source_docs" / "sources.toml"
    text = manifest.read_text()
    text = text.replace("https://www.revlimid.com/mm-patient/glossary/", httpserver.url_for("/glossary"))
    text = text.replace(
        "https://www.revlimid.com/mm-patient/relapse/whats-after-relapse/", httpserver.url_for("/relapse")
    )
    manifest.write_text(text)
    data_dir = tmp_path / "var"
    overrides = {
        "data_dir": str(data_dir),
        "locales_dir": str(tmp_path / "locales"),
        "sources": str(manifest),
        "locales": ["es"],
        "fetch_timeout": 1.0,
        "fetch_retries": 1,
    }

    # 1. first run: relapse answers 500 once, then the page
    first = run_flow(online=True, settings=overrides)
    assert first["status"] == "ok" and first["documents"]["added"] > 50
    assert ("relapse", 500) in site.requests and first["sources"]["relapse"]["status"] == "fetched"
    assert Path(first["sources"]["glossary"]["snapshot"]).parent == data_dir / "snapshots" / "glossary"
    with SearchEngine(data_dir) as engine:
        anemia = next(h for h in engine.search("anemia", "es").results if h.id == "glossary/anemia")
    es_path = catalog_path(tmp_path / "locales", "es")
    es_message = next(m for m in read_catalog(es_path) if m.context == "glossary/anemia#definition")
    if anemia.fallback or not es_message.string:
        pytest.skip("the Spanish catalog has no approved anemia definition to check the draft against")
    before = json.loads((current_release(data_dir) / "published" / "es.json").read_text())

    # 2. the served glossary changes one definition; relapse answers 304
    site.pages["glossary"] = site.pages["glossary"].replace(OLD.encode(), NEW.encode())
    second = run_flow(online=True, settings=overrides)
    assert second["status"] == "ok" and second["documents"]["changed"] == 1
    assert second["sources"]["relapse"]["status"] == "unchanged" and ("relapse", 304) in site.requests[-2:]
    assert second["messages"]["locales"]["es"]["draft_ids"] == ["glossary/anemia#definition"]
    message = next(m for m in read_catalog(es_path) if m.context == "glossary/anemia#definition")
    assert message.fuzzy and list(message.previous_id) == [OLD] and message.string == es_message.string
    with SearchEngine(data_dir) as engine:
        hit = next(h for h in engine.search("anemia", "es").results if h.id == "glossary/anemia")
        assert hit.fallback
    report = Path(second["report"]).read_text()
    assert "`glossary/anemia`" in report and "red blood cells or hemoglobin is lower than normal." in report
    after = json.loads((current_release(data_dir) / "published" / "es.json").read_text())
    assert [a["id"] for a, b in zip(after["documents"], before["documents"]) if a != b] == ["glossary/anemia"]

    # 3. nothing changed: the flow short-circuits on its fingerprint
    third = run_flow(online=True, settings=overrides)
    assert third["status"] == "ok" and third["changed"] is False and third["documents"]["changed"] == 0
    assert third["release"] == second["release"]

    # 4. relapse hangs past the timeout: the run fails, its last good content stays published
    site.relapse_mode = "hang"  # (the loopback server answers one request at a time: fetch relapse alone)
    with pytest.raises(RefreshError) as caught:
        run_flow(online=True, sources=["relapse"], settings=overrides)
    summary = caught.value.summary
    assert summary["status"] == "partial" and summary["sources"]["relapse"]["status"] == "failed"
    assert "timed out" in summary["sources"]["relapse"]["error"]
    assert summary["sources"]["glossary"]["status"] == "kept"
    assert summary["documents"]["changed"] == summary["documents"]["removed"] == 0
    corpus = json.loads((current_release(data_dir) / "corpus.json").read_text())
    assert sum(1 for d in corpus["documents"] if d["source"] == "relapse") == 25


def test_schedule_builds_a_cron_deployment_and_refuses_bad_input():
    from flows.deploy import make_deployment
    from pipeline.errors import ConfigError

    deployment = make_deployment(cron="0 6 * * 1-5", timezone="Europe/Madrid", parameters={"online": True})
    schedule = deployment.schedules[0].schedule
    assert schedule.cron == "0 6 * * 1-5" and schedule.timezone == "Europe/Madrid"
    assert deployment.parameters == {"online": True}
    with pytest.raises(ConfigError, match="time zone"):
        make_deployment(cron="0 6 * * *", timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="cron"):
        make_deployment(cron="every morning")
