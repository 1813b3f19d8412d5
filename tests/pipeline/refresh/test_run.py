"""The refresh steps in process: change detection, failures, locking, atomic publishing, crashes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.engine import SearchEngine
from pipeline.config import load_settings
from pipeline.errors import LockBusyError, RefreshError, ReviewError
from pipeline.localization.accounts import Account
from pipeline.localization.pofile import catalog_path, read_catalog, write_catalog
from pipeline.localization.workspace import Workspace
from pipeline.publishing.releases import current_release
from pipeline.refresh.run import raise_for_status, refresh_lock, run_refresh

OLD_DEFINITION = "A condition in which the number of red blood cells is below normal."
NEW_DEFINITION = "A condition in which the number of red blood cells or hemoglobin is lower than normal."
ANEMIA_ES = {
    "glossary/anemia#term": "Anemia",
    "glossary/anemia#definition": "Afección en la que el número de glóbulos rojos es inferior al normal.",
}

ROOT = Path(__file__).resolve().parents[3]
TESTER = Account("tester", "reviewer", False, 0.0)


def make_project(tmp_path: Path, locales=("es",)):
    """A copy of locales/ and source_docs/ and settings pointing at it (never the real ones)."""
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copytree(ROOT / "source_docs", tmp_path / "source_docs")
    return load_settings(
        env={},
        data_dir=str(tmp_path / "var"),
        locales_dir=str(tmp_path / "locales"),
        sources=str(tmp_path / "source_docs" / "sources.toml"),
        locales=list(locales),
    )


def approve_spanish(settings, segments=ANEMIA_ES) -> None:
    """Give the segments an approved Spanish translation, whatever the shipped catalog holds."""
    path = catalog_path(settings.locales_path, "es")
    catalog = read_catalog(path, locale="es")
    for message in catalog:
        if message.context in segments and (not message.string or message.fuzzy):
            message.string = segments[message.context]
            message.flags.discard("fuzzy")
    write_catalog(catalog, path)
    Workspace.from_settings(settings).approve("es", TESTER, list(segments), override="test fixture only")


def change_definition(settings) -> None:
    page = settings.sources_path.parent / "glossary.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(OLD_DEFINITION, NEW_DEFINITION), encoding="utf-8"
    )


@pytest.fixture
def settings(tmp_path):
    return make_project(tmp_path)


def test_a_second_refresh_changes_nothing_and_rewrites_nothing(settings):
    first = run_refresh(settings)
    assert first.status == "ok" and first.changed
    assert first.summary()["documents"]["added"] > 50
    assert Path(first.report).is_file() and Path(first.report).parent == settings.data_path / "reports"
    live = current_release(settings.data_path)
    assert (live / "corpus.json").is_file() and (live / "published" / "es.json").is_file()
    assert (live / "messages" / "es" / "LC_MESSAGES" / "portal.mo").is_file() and (
        live / "index" / "es"
    ).is_dir()
    files = sorted(settings.locales_path.rglob("*"))
    stamps = {p: p.stat().st_mtime_ns for p in files if p.is_file()}
    second = run_refresh(settings)
    summary = second.summary()
    assert summary["status"] == "ok" and summary["changed"] is False
    assert (
        summary["documents"]["added"]
        == summary["documents"]["changed"]
        == summary["documents"]["removed"]
        == 0
    )
    assert current_release(settings.data_path) == live
    assert {p: p.stat().st_mtime_ns for p in files if p.is_file()} == stamps
    assert second.report != first.report


def test_a_no_change_refresh_counts_each_sources_documents_without_a_scan_per_source(settings, monkeypatch):
    first = run_refresh(settings)
    scans = []
    monkeypatch.setattr("pipeline.refresh.steps.last_good", lambda *args: scans.append(args) or [])
    second = run_refresh(settings)
    assert second.changed is False and scans == []  # one pass over the corpus, not one per source
    assert {s: o.documents for s, o in second.sources.items()} == {
        s: o.documents for s, o in first.sources.items()
    }
    assert all(o.documents > 0 for o in second.sources.values())


def test_changed_definition_becomes_a_spanish_draft_and_falls_back_to_english(settings):
    approve_spanish(settings)
    run_refresh(settings)
    with SearchEngine(settings.data_path) as engine:
        hit = next(h for h in engine.search("anemia", "es").results if h.id == "glossary/anemia")
        assert not hit.fallback
    before = json.loads((current_release(settings.data_path) / "published" / "es.json").read_text())
    human = next(
        m.string
        for m in read_catalog(catalog_path(settings.locales_path, "es"))
        if m.context == "glossary/anemia#definition"
    )
    change_definition(settings)
    result = run_refresh(settings)
    assert result.status == "ok" and result.changes.changed == ["glossary/anemia"]
    assert NEW_DEFINITION in result.changes.diffs["glossary/anemia"]
    assert result.locales["es"].merge["fuzzy_ids"] == ["glossary/anemia#definition"]
    message = next(
        m
        for m in read_catalog(catalog_path(settings.locales_path, "es"))
        if m.context == "glossary/anemia#definition"
    )
    assert message.fuzzy and message.id == NEW_DEFINITION and list(message.previous_id) == [OLD_DEFINITION]
    assert message.string == human  # the human translation is kept, as a draft
    with SearchEngine(settings.data_path) as engine:
        hit = next(h for h in engine.search("anemia", "es").results if h.id == "glossary/anemia")
        assert hit.fallback and hit.title == "Anemia"
    after = json.loads((current_release(settings.data_path) / "published" / "es.json").read_text())
    assert [d["id"] for d in after["documents"]] == [d["id"] for d in before["documents"]]
    differing = [a["id"] for a, b in zip(after["documents"], before["documents"]) if a != b]
    assert differing == ["glossary/anemia"]
    assert "glossary/anemia" in Path(result.report).read_text()


def test_a_broken_source_keeps_its_last_good_content_and_fails_the_run(settings):
    run_refresh(settings)
    (settings.sources_path.parent / "relapse.html").write_text(
        "<html><body><p>nothing here</p></body></html>"
    )
    change_definition(settings)
    result = run_refresh(settings)
    assert result.status == "partial" and result.sources["relapse"].status == "failed"
    assert "extraction failed" in result.sources["relapse"].error
    assert result.sources["relapse"].documents == 25  # the last good ones
    assert result.changes.changed == ["glossary/anemia"] and not result.changes.removed
    corpus = json.loads((current_release(settings.data_path) / "corpus.json").read_text())
    assert sum(1 for d in corpus["documents"] if d["source"] == "relapse") == 25
    with pytest.raises(RefreshError, match="relapse"):
        raise_for_status(result)
    # the failed run stores no fingerprint, so the next run retries instead of skipping
    shutil.copy(ROOT / "source_docs" / "relapse.html", settings.sources_path.parent / "relapse.html")
    again = run_refresh(settings)
    assert again.status == "ok" and again.sources["relapse"].status == "offline"


def test_a_second_refresh_is_refused_while_one_runs(settings):
    with refresh_lock(settings.data_path), pytest.raises(LockBusyError, match="another refresh is running"):
        run_refresh(settings)


def _env(settings, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATA_DIR=str(settings.data_path),
        PORTAL_LOCALES_DIR=str(settings.locales_path),
        PORTAL_SOURCES=str(settings.sources_path),
        PORTAL_LOCALES="es",
        **extra,
    )
    return env


def test_sigkill_mid_publish_leaves_the_live_release_and_the_next_run_recovers(settings):
    run_refresh(settings)
    live = current_release(settings.data_path)
    published = (live / "published" / "en.json").read_bytes()
    change_definition(settings)
    script = (
        "from pipeline.config import load_settings; from pipeline.refresh.run import run_refresh; "
        "run_refresh(load_settings())"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_env(settings, PORTAL_REFRESH_PAUSE="publish:60"),
    )
    try:
        staging = settings.data_path / "releases"
        deadline = time.monotonic() + 60
        while not any((p / "published" / "es.json").exists() for p in staging.glob(".staging-*")):
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        busy = subprocess.run(
            [sys.executable, "-m", "pipeline", "refresh"],
            cwd=ROOT,
            env=_env(settings),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert busy.returncode == 1 and "another refresh is running" in busy.stderr
        assert "Traceback" not in busy.stderr
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert current_release(settings.data_path) == live
    assert (live / "published" / "en.json").read_bytes() == published
    with SearchEngine(settings.data_path) as engine:
        assert engine.search("anemia", "en").results
    result = run_refresh(settings)
    assert result.status == "ok" and result.changes.changed == ["glossary/anemia"]
    assert not list((settings.data_path / "releases").glob(".staging-*"))


def test_a_manifest_listing_only_the_glossary_keeps_every_spanish_approval(tmp_path):
    from pipeline.localization.stats import catalog_stats
    from pipeline.refresh import RefreshRequest

    settings = make_project(tmp_path)
    manifest = settings.sources_path
    glossary_only = manifest.with_name("glossary-only.toml")
    text = manifest.read_text(encoding="utf-8")
    glossary_only.write_text(text[: text.index('[[source]]\nid = "relapse"')], encoding="utf-8")
    workspace = Workspace.from_settings(settings)
    before = catalog_stats(workspace.catalog("es"), workspace.decisions("es"))
    assert before["percent_approved"] == 100.0
    partial = run_refresh(settings, RefreshRequest(manifest=glossary_only))
    assert partial.status == "ok" and partial.sources["relapse"].status == "kept"
    assert partial.summary()["messages"]["locales"]["es"]["obsolete"] == 0
    run_refresh(settings)
    after = catalog_stats(workspace.catalog("es"), workspace.decisions("es"))
    assert after["percent_approved"] == 100.0 and after["total"] == before["total"]
    published = json.loads((current_release(settings.data_path) / "published" / "es.json").read_text())
    assert not any(d["fallback"] for d in published["documents"] if d["kind"] == "safety")


def test_an_override_is_reported_and_a_visible_change_is_listed(settings):
    segment = "isi/what-is-the-most-important-information-i-should-know-about-pomalyst#item-13"
    run_refresh(settings)
    path = catalog_path(settings.locales_path, "es")
    catalog = read_catalog(path, locale="es")
    message = next(m for m in catalog if m.context == segment)
    message.string = "FDA MedWatch al <1>1-800-FDA-1089</1>"  # a changed phone number: a QA error
    write_catalog(catalog, path)
    workspace = Workspace.from_settings(settings)
    with pytest.raises(ReviewError, match="QA error"):
        workspace.approve("es", TESTER, [segment])
    workspace.approve("es", TESTER, [segment], override="number checked with the medical writer")
    result = run_refresh(settings)
    es = result.summary()["locales"]["es"]
    assert [o["segment"] for o in es["overrides"]] == [segment]
    assert (
        "isi/what-is-the-most-important-information-i-should-know-about-pomalyst"
        in es["visible_changes"]["now_fallback"]
    )
    report = Path(result.report).read_text(encoding="utf-8")
    assert "number checked with the medical writer" in report and "now shown in English" in report
