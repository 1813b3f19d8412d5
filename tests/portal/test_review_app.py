"""The reviewer workspace through Starlette's TestClient: sign-in, CSRF, roles, lockout, conflicts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from portal_release import build_release
from starlette.testclient import TestClient

from pipeline.config import Settings, load_settings
from pipeline.localization.accounts import AccountStore, accounts_path
from pipeline.localization.pofile import catalog_path, write_catalog
from pipeline.localization.workspace import Workspace
from portal.app import create_app
from portal.review.diff import Piece, fingerprint, pieces, word_diff
from portal.review.views import find_message

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
SAFETY = "relapse/pomalyst-indication#title"


def make_workspace(tmp_path: Path, *, publish: bool = False) -> Settings:
    """A temp copy of locales/ and source_docs/, a temp data dir, and three accounts."""
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copytree(ROOT / "source_docs", tmp_path / "source_docs")
    (tmp_path / "portal.toml").write_text('data_dir = "var"\n', encoding="utf-8")
    settings = load_settings(tmp_path / "portal.toml", env={})
    if publish:
        build_release(settings.data_path, index=False)
    reset_translation(settings, "es", SAFETY, "Indicación sobre POMALYST")
    store = AccountStore(accounts_path(settings.data_path))
    for name, role in (("tina", "translator"), ("rita", "reviewer"), ("ross", "reviewer"), ("adam", "admin")):
        store.add(name, role, PASSWORD)
    return settings


def reset_translation(settings: Settings, locale: str, segment: str, text: str) -> None:
    """A new translation of a message: its earlier approvals no longer count (awaiting review)."""
    workspace = Workspace.from_settings(settings)
    with workspace.lock():
        catalog = workspace.catalog(locale)
        message = find_message(catalog, segment)
        assert message is not None
        message.string = text
        message.flags.discard("fuzzy")
        write_catalog(catalog, catalog_path(workspace.root, locale))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, name: str) -> str:
    token = csrf_of(client.get("/review/login").text)
    response = client.post(
        "/review/login", data={"csrf": token, "username": name, "password": PASSWORD, "next": "/review"}
    )
    assert response.status_code == 200 and "Signed in as" in response.text
    return csrf_of(response.text)


def message_form(client: TestClient, locale: str, segment: str) -> tuple[str, str]:
    from urllib.parse import quote

    page = client.get(f"/review/{locale}/{quote(segment, safe='/')}")
    assert page.status_code == 200
    match = re.search(r'name="fingerprint" value="([^"]+)"', page.text)
    assert match
    return csrf_of(page.text), match.group(1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_workspace(tmp_path)


@pytest.fixture
def client(settings: Settings):
    with TestClient(create_app(settings.data_path, review=settings)) as test_client:
        yield test_client


def url(segment: str) -> str:
    from urllib.parse import quote

    return "/review/es/" + quote(segment, safe="/")


def test_pages_need_a_session(client: TestClient) -> None:
    response = client.get("/review/es", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/review/login")


def test_cookie_flags(client: TestClient) -> None:
    sign_in(client, "rita")
    page = client.get("/review")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/review" in cookie


def test_post_without_csrf_is_403(client: TestClient) -> None:
    sign_in(client, "rita")
    _, seen = message_form(client, "es", SAFETY)
    response = client.post(url(SAFETY), data={"action": "approve", "fingerprint": seen})
    assert response.status_code == 403
    assert client.post("/review/login", data={"username": "rita", "password": PASSWORD}).status_code == 403


def test_five_wrong_passwords_lock_the_account(client: TestClient, caplog) -> None:
    token = csrf_of(client.get("/review/login").text)
    for _ in range(5):
        wrong = client.post(
            "/review/login", data={"csrf": token, "username": "rita", "password": "nope-nope-nope"}
        )
        assert wrong.status_code in (401, 429)
    locked = client.post("/review/login", data={"csrf": token, "username": "rita", "password": PASSWORD})
    assert locked.status_code == 429 and "locked" in locked.text
    assert "nope-nope-nope" not in caplog.text and PASSWORD not in caplog.text


def test_translator_cannot_approve(client: TestClient) -> None:
    sign_in(client, "tina")
    token, seen = message_form(client, "es", SAFETY)
    assert ">Approve<" not in client.get(url(SAFETY)).text
    response = client.post(url(SAFETY), data={"csrf": token, "action": "approve", "fingerprint": seen})
    assert response.status_code == 403


def test_four_eyes_and_history(client: TestClient, settings: Settings) -> None:
    token = sign_in(client, "rita")
    _, seen = message_form(client, "es", SAFETY)
    done = client.post(url(SAFETY), data={"csrf": token, "action": "approve", "fingerprint": seen})
    assert done.status_code == 200 and "1 of 2 approvals (by rita)" in done.text
    again = client.post(url(SAFETY), data={"csrf": token, "action": "approve", "fingerprint": seen})
    assert again.status_code == 409 and "different reviewer" in again.text
    sign_in(client, "ross")
    token, seen = message_form(client, "es", SAFETY)
    second = client.post(url(SAFETY), data={"csrf": token, "action": "approve", "fingerprint": seen})
    assert second.status_code == 200 and "2 of 2 approvals (by rita, ross)" in second.text
    assert "state-approved" in second.text
    workspace = Workspace.from_settings(settings)
    assert [e.reviewer for e in workspace.decisions("es").history(SAFETY)][-2:] == ["rita", "ross"]


def test_conflicting_edit_is_refused(client: TestClient, settings: Settings) -> None:
    token = sign_in(client, "tina")
    _, seen = message_form(client, "es", SAFETY)
    first = client.post(url(SAFETY), data={"csrf": token, "action": "save", "fingerprint": seen,
                                           "translation": "Indicación de POMALYST (1)"})  # fmt: skip
    assert first.status_code == 200 and "Translation saved" in first.text
    late = client.post(url(SAFETY), data={"csrf": token, "action": "save", "fingerprint": seen,
                                          "translation": "Indicación de POMALYST (2)"})  # fmt: skip
    assert late.status_code == 409 and "changed since you opened" in late.text
    message = find_message(Workspace.from_settings(settings).catalog("es"), SAFETY)
    assert message is not None and message.string == "Indicación de POMALYST (1)"
    header = catalog_path(settings.locales_path, "es").read_text(encoding="utf-8").split("\n\n")[0]
    assert '"Last-Translator: tina\\n"' in header and '"PO-Revision-Date: 20' in header


def test_bad_input_is_a_clear_4xx(client: TestClient) -> None:
    token = sign_in(client, "rita")
    assert client.get("/review/xx").status_code == 404
    assert client.get("/review/es/no/such#segment").status_code == 404
    assert client.get("/review/es?state=bogus").status_code == 400
    bad = client.post(url(SAFETY), data={"csrf": token, "action": "explode"})
    assert bad.status_code == 400
    short = client.post(url(SAFETY), data={"csrf": token, "action": "override", "reason": "short"})
    assert short.status_code == 400


def test_no_review_is_404_and_patient_pages_need_no_session(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path, publish=True)
    with TestClient(create_app(settings.data_path)) as public:
        assert public.get("/review").status_code == 404
        assert public.get("/review/login").status_code == 404
        assert public.get("/es/safety").status_code == 200
    with TestClient(create_app(settings.data_path, review=settings)) as both:
        assert both.get("/es/safety").status_code == 200
        assert both.get("/es/glossary").status_code == 200


def test_dashboard_counts_and_fallbacks(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path, publish=True)
    with TestClient(create_app(settings.data_path, review=settings)) as client:
        sign_in(client, "rita")
        page = client.get("/review")
        assert page.status_code == 200
        assert "needs second approval" in page.text and "/review/es?kind=safety" in page.text.replace(
            "&amp;", "&"
        )


def test_queue_filters_and_paginates(client: TestClient) -> None:
    sign_in(client, "rita")
    page = client.get("/review/es?kind=safety&q=POMALYST")
    assert page.status_code == 200 and "relapse/pomalyst-indication" in page.text
    assert "glossary/anemia" not in page.text


def test_word_diff() -> None:
    diff = word_diff("A low number of red blood cells.", "A very low count of red blood cells.")
    assert Piece("insert", "very ") in diff or any(p.kind == "insert" and "very" in p.text for p in diff)
    assert any(p.kind == "delete" and "number" in p.text for p in diff)
    assert "".join(p.text for p in diff if p.kind != "delete") == "A very low count of red blood cells."
    assert "".join(p.text for p in diff if p.kind != "insert") == "A low number of red blood cells."


def test_placeholders_are_chips() -> None:
    parts = pieces("<1>WATCH NOW</1> and <2/>")
    assert [p.kind for p in parts] == ["chip", "text", "chip", "text", "chip"]


def test_fingerprint_changes_with_text_and_flags(settings: Settings) -> None:
    message = find_message(Workspace.from_settings(settings).catalog("es"), SAFETY)
    assert message is not None
    before = fingerprint(message)
    message.flags.add("fuzzy")
    assert fingerprint(message) != before
    message.flags.discard("fuzzy")
    assert fingerprint(message) == before
    message.string = "otra cosa"
    assert fingerprint(message) != before


def test_message_page_shows_the_word_diff_of_a_changed_source(client: TestClient, settings: Settings) -> None:
    """A refresh that changes an English definition leaves a fuzzy draft with its previous msgid."""
    segment = "glossary/anemia#definition"
    workspace = Workspace.from_settings(settings)
    with workspace.lock():
        catalog = workspace.catalog("es")
        message = find_message(catalog, segment)
        assert message is not None
        old = str(message.id)
        catalog.delete(message.id, context=segment)
        message.previous_id = [old]
        message.id = old.replace("red blood cells", "healthy red blood cells", 1)
        message.flags.add("fuzzy")
        catalog[message.id] = message
        write_catalog(catalog, catalog_path(workspace.root, "es"))
    sign_in(client, "rita")
    page = client.get(url(segment))
    assert page.status_code == 200 and "Source changes since the last approved version" in page.text
    assert "<ins>healthy </ins>" in page.text
