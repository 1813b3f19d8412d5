"""On-call signals: /metrics, `portal status`, the webhook's severity; retention; backup and restore."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from pipeline.cli import app as cli_app
from pipeline.config import load_settings
from pipeline.localization.accounts import AccountStore, accounts_path
from pipeline.localization.pofile import catalog_path, read_catalog, write_catalog
from pipeline.localization.review import kind_of
from pipeline.publishing.releases import current_release, previous_release, releases_dir, stage_release
from pipeline.refresh import run_refresh
from portal.app import create_app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "ws"
    for name in ("locales", "source_docs"):
        shutil.copytree(ROOT / name, folder / name)
    text = (
        (ROOT / "portal.toml")
        .read_text()
        .replace('locales = ["es", "zh_Hans", "ar", "en_XA"]', 'locales = ["es"]')
    )
    (folder / "portal.toml").write_text(text)
    monkeypatch.setenv("PORTAL_WORKSPACE", str(folder))
    for name in ("PORTAL_CONFIG", "PORTAL_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return folder


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # the exposition sorts labels
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, text, re.M)
    assert found, f"{name} {labels} not in /metrics"
    return float(found.group(1))


def revoke_one_safety_approval(workspace: Path) -> str:
    """Change the Spanish text of one approved safety message: its approvals no longer count."""
    path = catalog_path(workspace / "locales", "es")
    catalog = read_catalog(path)
    message = next(m for m in catalog if m.id and kind_of(m) == "safety" and m.string and not m.fuzzy)
    message.string = f"{message.string} (revisado)"
    write_catalog(catalog, path)
    return str(message.context)


def test_metrics_status_and_webhook_follow_a_revoked_safety_approval(workspace: Path, httpserver) -> None:
    hooks: list[dict] = []
    httpserver.expect_request("/hook").respond_with_handler(
        lambda request: hooks.append(request.json) or __import__("werkzeug").Response("ok")
    )
    settings = load_settings(workspace / "portal.toml", env={}, webhook_url=httpserver.url_for("/hook"))
    first = run_refresh(settings)
    assert first.status == "ok" and hooks[-1]["severity"] == "info"
    client = TestClient(create_app(settings.data_path))
    assert client.get("/api/search", params={"q": "anemia", "locale": "es"}).status_code == 200
    before = client.get("/metrics").text
    assert metric(before, "portal_refresh_last_status", status="ok") == 1
    assert metric(before, "portal_release_info", release=first.release or "") == 1
    assert metric(before, "portal_documents", source="relapse") == 25
    assert metric(before, "portal_messages", locale="es", kind="safety", state="approved") > 0
    assert metric(before, "portal_search_requests_total", endpoint="/api/search", outcome="ok") >= 1
    assert metric(before, "portal_search_latency_seconds_count", endpoint="/api/search") >= 1
    fallback_before = metric(before, "portal_safety_fallback_sections", locale="es")

    revoke_one_safety_approval(workspace)
    second = run_refresh(settings)
    assert second.status == "ok" and second.published
    assert hooks[-1]["severity"] == "warning" and hooks[-1]["safety_now_fallback"]["es"]
    after = client.get("/metrics").text
    assert metric(after, "portal_safety_fallback_sections", locale="es") == fallback_before + 1
    assert metric(after, "portal_release_info", release=second.release or "") == 1

    shown = runner.invoke(cli_app, ["status", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    facts = json.loads(shown.output)
    assert facts["release"] == second.release and facts["last_refresh"]["severity"] == "warning"
    assert len(facts["locales"]["es"]["fallback_safety"]) == fallback_before + 1
    text = runner.invoke(cli_app, ["status"]).output
    assert f"live release: {second.release}" in text and "safety sections shown in English" in text


def test_keep_releases_prunes_the_oldest_but_never_the_live_ones(tmp_path: Path) -> None:
    made = []
    for number in range(5):
        with stage_release(tmp_path, note=f"r{number}", keep=3) as staging:
            (staging / "n.txt").write_text(str(number))
        made.append(current_release(tmp_path))
    kept = sorted(p.name for p in releases_dir(tmp_path).iterdir())
    assert kept == sorted(p.name for p in made[-3:] if p is not None)
    assert previous_release(tmp_path) == made[-2] and current_release(tmp_path) == made[-1]


def test_backup_and_restore_into_an_empty_data_dir(workspace: Path, tmp_path: Path) -> None:
    settings = load_settings(workspace / "portal.toml", env={})
    run_refresh(settings)
    AccountStore(accounts_path(settings.data_path)).add("rosa", "reviewer", "a long enough password")
    (settings.data_path / "keys").mkdir(exist_ok=True)
    (settings.data_path / "keys" / "review-signing.pem").write_text("secret")
    made = runner.invoke(cli_app, ["backup", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    archive = next((tmp_path / "backups").glob("portal-backup-*.tar.gz"))

    restored = tmp_path / "restored"
    done = runner.invoke(cli_app, ["--data-dir", str(restored), "restore", str(archive)])
    assert done.exit_code == 0, done.output
    assert (restored / "current").resolve().name == current_release(settings.data_path).name
    assert not (restored / "keys").exists() and not (restored / "locks").exists()
    assert [a.name for a in AccountStore(accounts_path(restored)).list()] == ["rosa"]
    with TestClient(create_app(restored)) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        page = client.get("/es/glossary")
        assert page.status_code == 200 and "glossary" in page.text.lower()

    again = runner.invoke(cli_app, ["--data-dir", str(restored), "restore", str(archive)])
    assert again.exit_code == 2 and "--force" in again.output
    with_keys = runner.invoke(cli_app, ["backup", str(tmp_path / "k"), "--include-keys"])
    assert with_keys.exit_code == 0 and "with signing keys" in with_keys.output
    forced = runner.invoke(
        cli_app,
        ["--data-dir", str(restored), "restore", str(next((tmp_path / "k").glob("*.tar.gz"))), "--force"],
    )
    assert forced.exit_code == 0, forced.output
    assert (restored / "keys" / "review-signing.pem").read_text() == "secret"
