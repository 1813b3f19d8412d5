"""The reviewer workspace in headless Chromium: edit, four-eyes approvals, rejection, keyboard review, RTL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from test_browser import serve_in_thread
from test_review_app import PASSWORD, SAFETY, make_workspace, reset_translation

from pipeline.config import Settings
from pipeline.localization.qa import check_message, errors
from pipeline.localization.review import kind_of
from pipeline.localization.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def workspace_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_workspace(tmp_path_factory.mktemp("review-browser"), publish=True)
    _three_page_messages_to_review(settings)
    return settings


def _three_page_messages_to_review(settings: Settings) -> None:
    """Three Spanish page messages get a slightly different translation that passes QA."""
    workspace = Workspace.from_settings(settings)
    catalog = workspace.catalog("es")
    ctx = workspace.check_context("es", catalog)
    changed = 0
    for message in catalog:
        if changed == 3 or not message.id or kind_of(message) != "page" or " " not in str(message.string):
            continue
        text = str(message.string).replace(" ", "  ", 1)
        if not errors(check_message(str(message.id), text, ctx)):
            reset_translation(settings, "es", str(message.context), text)
            changed += 1
    assert changed == 3


@pytest.fixture(scope="module")
def review_url(workspace_settings: Settings) -> Iterator[str]:
    from portal.app import create_app

    app = create_app(workspace_settings.data_path, review=workspace_settings)
    with serve_in_thread(app, "review") as url:
        yield url


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    context.set_default_timeout(8000)
    yield context.new_page()
    context.close()


def sign_in(tab, base: str, name: str) -> None:
    tab.context.clear_cookies()
    tab.goto(base + "/review/login")
    tab.get_by_label("Username").fill(name)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(base + "/review")
    assert f"Signed in as {name}" in tab.locator(".who").inner_text()


def seg(base: str, locale: str, segment: str) -> str:
    return f"{base}/review/{locale}/{quote(segment, safe='/')}"


def test_translator_edits_then_two_reviewers_approve(
    tab, review_url: str, shots: Path, workspace_settings
) -> None:
    sign_in(tab, review_url, "tina")
    tab.goto(seg(review_url, "es", SAFETY))
    assert tab.get_by_role("button", name="Approve").count() == 0
    tab.get_by_label("Edit translation").fill("Indicación de uso de POMALYST")
    tab.get_by_role("button", name="Save translation").click()
    assert "Translation saved" in tab.get_by_role("status").inner_text()
    assert "0 of 2 approvals" in tab.locator(".meta").inner_text()
    tab.screenshot(path=shots / "translator-saved.png", full_page=True)

    sign_in(tab, review_url, "rita")
    tab.goto(seg(review_url, "es", SAFETY))
    tab.locator("#approve").click()
    assert "1 of 2 approvals (by rita)" in tab.locator(".meta").inner_text()
    tab.locator("#approve").click()
    assert "different reviewer" in tab.get_by_role("alert").inner_text()
    tab.screenshot(path=shots / "one-of-two.png", full_page=True)

    sign_in(tab, review_url, "ross")
    tab.goto(seg(review_url, "es", SAFETY))
    tab.locator("#approve").click()
    assert "2 of 2 approvals (by rita, ross)" in tab.locator(".meta").inner_text()
    assert tab.locator(".meta .state").inner_text() == "approved"
    tab.screenshot(path=shots / "approved.png", full_page=True)
    history = Workspace.from_settings(workspace_settings).decisions("es").history(SAFETY)
    assert [e.reviewer for e in history][-2:] == ["rita", "ross"]


def test_reject_with_a_reason(tab, review_url: str, shots: Path) -> None:
    sign_in(tab, review_url, "rita")
    tab.goto(seg(review_url, "es", "relapse/pomalyst-indication#p-1"))
    tab.get_by_label("Reason for rejecting").fill("Use the approved term for mieloma múltiple")
    tab.get_by_role("button", name="Reject", exact=True).click()
    assert "rejected" in tab.get_by_role("status").inner_text()
    assert tab.locator(".meta .state").inner_text() == "draft"
    assert "rejected by rita" in tab.locator(".note").inner_text()
    tab.screenshot(path=shots / "rejected.png", full_page=True)


def test_keyboard_only_review_of_three_messages(tab, review_url: str, shots: Path) -> None:
    sign_in(tab, review_url, "ross")
    tab.goto(review_url + "/review/es?state=translated&kind=page")
    assert "3 message(s)" in tab.locator("main").inner_text()
    for left in (2, 1, 0):
        tab.keyboard.press("j")
        tab.keyboard.press("k")  # stays on the first message
        with tab.expect_navigation():
            tab.keyboard.press("a")
        assert f"{left} message(s)" in tab.locator("main").inner_text()
    tab.screenshot(path=shots / "queue-done.png", full_page=True)
    tab.goto(review_url + "/review/es?state=approved&kind=page&q=++")
    assert tab.locator(".row").count() >= 1


def test_arabic_translation_is_right_to_left(tab, review_url: str, shots: Path) -> None:
    sign_in(tab, review_url, "rita")
    tab.goto(seg(review_url, "ar", "glossary/anemia#term"))
    translation = tab.locator(".translation")
    assert translation.get_attribute("dir") == "rtl" and translation.get_attribute("lang") == "ar"
    assert tab.get_by_label("Edit translation").get_attribute("dir") == "rtl"
    assert tab.locator(".side-by-side [lang=en]").first.get_attribute("dir") == "ltr"
    tab.screenshot(path=shots / "arabic.png", full_page=True)
