"""The portal in headless Chromium: search, right-to-left Arabic, fallback notices, escaping, keyboard use."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve_in_thread(app: Any, what: str = "portal") -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; stopped on exit."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"the {what} server did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def portal_url(indexed_data_dir: Path) -> Iterator[str]:
    """One uvicorn server for every browser test, on a free loopback port, with the real search index."""
    from portal.app import create_app

    with serve_in_thread(create_app(indexed_data_dir)) as url:
        yield url


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="en-US")
    context.set_default_timeout(5000)  # a missing element fails fast instead of after 30 s
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    context.close()
    assert dialogs == [], f"a script ran and opened a dialog: {dialogs}"


def test_spanish_search_opens_the_first_result(page, portal_url: str, shots: Path) -> None:
    page.goto(portal_url + "/")
    page.get_by_label("Language", exact=True).select_option("es")
    page.get_by_label("Search terms").fill("plaquetas bajas")
    page.get_by_label("Search terms").press("Enter")
    page.wait_for_url(re.compile(r"locale=es"))
    assert page.locator("html").get_attribute("lang") == "es"
    first = page.locator(".result-title a").first
    assert first.inner_text() == "Trombocitopenia"
    assert page.locator(".result mark").first.is_visible()
    assert page.locator(".result .kind").first.inner_text() == "Término del glosario"
    page.screenshot(path=shots / "results.png", full_page=True)
    first.click()
    page.wait_for_url(re.compile(r"/es/glossary/thrombocytopenia$"))
    assert page.locator("h1").inner_text() == "Trombocitopenia"
    assert "plaquetas" in page.locator(".definition").inner_text()
    assert page.get_by_role(
        "link", name="What is the most important information I should know about POMALYST?"
    ).is_visible()
    page.screenshot(path=shots / "term.png", full_page=True)


def test_arabic_is_right_to_left(page, portal_url: str, shots: Path) -> None:
    page.goto(portal_url + "/?locale=es")
    page.get_by_role("navigation", name="Elija un idioma").get_by_role("link", name="العربية").click()
    page.wait_for_url(re.compile(r"locale=ar"))
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Right-to-left layout: the heading's text hugs the right edge of the page.
    box = page.evaluate(
        """() => { const r = document.createRange();
                  r.selectNodeContents(document.querySelector('h1'));
                  const b = r.getBoundingClientRect(); return [b.left, b.right, innerWidth]; }"""
    )
    left, right, width = box
    assert width - right < left, box
    page.get_by_label("كلمات البحث").fill("فقر")
    page.get_by_role("button", name="بحث").click()
    page.wait_for_url(re.compile(r"q="))
    assert page.locator(".result-title a").first.inner_text() == "فقر الدم"
    page.screenshot(path=shots / "search-ar.png", full_page=True)
    page.goto(portal_url + "/ar/glossary")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=shots / "glossary-ar.png", full_page=True)


def test_fallback_notice_is_visible(page, portal_url: str, shots: Path) -> None:
    page.goto(portal_url + "/ar/glossary/deep-vein-thrombosis")
    notice = page.locator(".notice").first
    assert notice.is_visible()
    assert (
        notice.inner_text()
        .strip()
        .endswith("لم تتم مراجعة هذا المحتوى بلغتك بعد؛ لذا يُعرض باللغة الإنجليزية.")
    )
    assert page.locator("h1").get_attribute("lang") == "en"
    assert page.locator("h1").evaluate("el => getComputedStyle(el).direction") == "ltr"
    page.screenshot(path=shots / "term-fallback-ar.png", full_page=True)

    page.goto(portal_url + "/es/safety")
    notices = page.locator(".notice")
    assert notices.count() == 4
    assert all(notices.nth(i).is_visible() for i in range(4))
    box = page.locator(".boxed-warning")
    assert box.is_visible()
    assert box.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"
    assert "Females must not get pregnant" in box.inner_text()
    assert page.locator(".isi-body ul ul ul li").first.is_visible()  # three levels of nesting survive
    page.screenshot(path=shots / "safety-es.png", full_page=True)

    page.goto(portal_url + "/?q=blood&locale=es")
    assert page.locator(".result .notice").first.is_visible()
    page.screenshot(path=shots / "results-fallback-es.png", full_page=True)


def test_script_query_is_shown_as_text(page, portal_url: str, shots: Path) -> None:
    query = "<script>window.__x=1</script>"
    page.goto(portal_url + "/")
    page.get_by_label("Search terms").fill(query)
    page.get_by_label("Search terms").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert page.evaluate("typeof window.__x") == "undefined"
    assert query in page.locator(".no-results, .result-count").first.inner_text()
    assert page.get_by_label("Search terms").input_value() == query
    page.screenshot(path=shots / "script-query.png", full_page=True)

    page.goto(portal_url + "/?q=" + quote("<img src=x onerror=window.__y=1>") + "&locale=en")
    assert page.evaluate("typeof window.__y") == "undefined"

    # A source page that quotes a script shows it as text, in results and on its page.
    page.goto(portal_url + "/?q=relapse&locale=en")
    assert "<script>alert(1)</script>" in page.locator(".snippet").first.inner_text()
    page.locator(".result-title a").first.click()
    page.wait_for_url(re.compile(r"/en/pages/relapse/notes$"))
    assert "<script>alert(1)</script>" in page.locator(".document-body").inner_text()
    page.screenshot(path=shots / "script-document.png", full_page=True)


def test_keyboard_reaches_search_and_autocomplete(page, portal_url: str, shots: Path) -> None:
    page.goto(portal_url + "/?locale=es")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    reached: list[str] = []
    for _ in range(25):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id"))
        if reached[-1] == "locale":
            break
    assert "q" in reached and reached[-1] == "locale", reached
    # Focus is visible: an outline drawn around the focused control.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("trom", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.wait_for(state="visible")
    assert page.locator("#q").get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    selected = page.locator('[role="option"][aria-selected="true"]')
    assert selected.inner_text() == "Trombocitopenia"
    assert page.locator("#q").get_attribute("aria-activedescendant") == selected.get_attribute("id")
    page.screenshot(path=shots / "autocomplete.png")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/es/glossary/thrombocytopenia$"))
    assert page.locator("h1").inner_text() == "Trombocitopenia"


def test_glossary_anchors_and_narrow_screens(page, portal_url: str, shots: Path) -> None:
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto(portal_url + "/en/glossary#thrombocytopenia")
    assert page.locator("#thrombocytopenia").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # no sideways scrolling
    page.screenshot(path=shots / "glossary-en-narrow.png", full_page=True)
    page.goto(portal_url + "/zh_Hans/glossary")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("link", name="血小板减少症").is_visible()
    page.screenshot(path=shots / "glossary-zh.png", full_page=True)
