"""The portal app through Starlette's TestClient: pages, API, escaping, fallback notices, headers."""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from portal_release import MOST_IMPORTANT, WHO_SHOULD_NOT, build_release
from starlette.testclient import TestClient

from pipeline.errors import SearchIndexError
from portal.app import clean_query, create_app, result_path, static_url
from portal.i18n import STRINGS

NOTICE = {locale: STRINGS[locale]["fallback_notice"] for locale in STRINGS}


@dataclass
class StubResponse:
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data


@dataclass
class Suggestion:
    id: str
    title: str
    url: str


@dataclass
class StubEngine:
    """Answers searches from a table; records what the portal asked."""

    results: list[dict[str, Any]] = field(default_factory=list)
    corrected: str | None = None
    calls: list[tuple[str, str, int]] = field(default_factory=list)
    closed: bool = False

    def search(self, query: str, locale: str = "en", limit: int = 10) -> StubResponse:
        self.calls.append((query, locale, limit))
        if locale not in {"en", "es", "ar", "zh_Hans", "en_XA"}:
            raise SearchIndexError("no index", locale=locale)
        hits = self.results[:limit]
        return StubResponse(
            {
                "query": query,
                "locale": locale,
                "corrected": self.corrected,
                "total": len(self.results),
                "results": hits,
            }
        )

    def suggest(self, prefix: str, locale: str = "en", limit: int = 8) -> list[Suggestion]:
        self.calls.append((prefix, locale, limit))
        return [Suggestion("glossary/thrombocytopenia", "Thrombocytopenia <b>", "https://example.test/g#t")][
            :limit
        ]

    def close(self) -> None:
        self.closed = True


def hit(
    doc_id: str,
    title: str,
    kind: str = "glossary",
    *,
    fallback: bool = False,
    locale: str = "es",
    snippet: str = "número de <mark>plaquetas</mark>",
) -> dict[str, Any]:
    return {
        "id": doc_id,
        "title": title,
        "kind": kind,
        "snippet": snippet,
        "score": 1.0,
        "locale": locale,
        "fallback": fallback,
        "url": "https://example.test/",
    }


@pytest.fixture
def stub() -> StubEngine:
    return StubEngine()


@pytest.fixture
def client(published_data_dir: Path, stub: StubEngine) -> TestClient:
    with TestClient(create_app(published_data_dir, engine=stub)) as test_client:
        yield test_client


# -- search page ----------------------------------------------------------------------------------


def test_search_page_has_labelled_controls_and_language_attributes(client: TestClient) -> None:
    page = client.get("/", params={"locale": "es"})
    assert page.status_code == 200
    assert '<html lang="es" dir="ltr">' in page.text
    assert '<label for="q">' in page.text and 'id="q"' in page.text
    assert '<label for="locale">' in page.text and '<select id="locale" name="locale">' in page.text
    assert 'href="#main"' in page.text and 'id="main"' in page.text
    assert "Buscar" in page.text


@pytest.mark.parametrize(
    ("locale", "tag", "direction"),
    [
        ("en", "en", "ltr"),
        ("es", "es", "ltr"),
        ("zh_Hans", "zh-Hans", "ltr"),
        ("ar", "ar", "rtl"),
        ("en_XA", "en-XA", "ltr"),
    ],
)
def test_every_locale_sets_bcp47_lang_and_direction(
    client: TestClient, locale: str, tag: str, direction: str
) -> None:
    for path in ("/?locale=" + locale, f"/{locale}/glossary", f"/{locale}/safety"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{tag}" dir="{direction}">' in page.text, path


def test_results_show_kind_labels_highlights_and_fallback_notice(
    client: TestClient, stub: StubEngine
) -> None:
    stub.results = [
        hit("glossary/thrombocytopenia", "Trombocitopenia"),
        hit(
            MOST_IMPORTANT,
            "What is the most important information I should know about POMALYST?",
            "safety",
            fallback=True,
            snippet="low <mark>platelets</mark>",
        ),
    ]
    page = client.get("/", params={"q": "plaquetas bajas", "locale": "es"})
    assert page.status_code == 200
    assert stub.calls[-1] == ("plaquetas bajas", "es", 10)
    assert "<mark>plaquetas</mark>" in page.text
    assert "Término del glosario" in page.text and "Información de seguridad" in page.text
    assert page.text.count(NOTICE["es"]) == 1  # only on the fallback hit
    assert 'href="/es/glossary/thrombocytopenia"' in page.text
    assert f'href="/es/safety#{MOST_IMPORTANT.split("/", 1)[1]}"' in page.text
    assert '<div class="result-body" lang="en" dir="ltr">' in page.text
    assert "2 resultados para «plaquetas bajas»" in page.text


def test_arabic_result_count_uses_arabic_plural_forms(client: TestClient, stub: StubEngine) -> None:
    stub.results = [
        hit("glossary/anemia", "فقر الدم", locale="ar"),
        hit("glossary/platelets", "Platelets", locale="ar", fallback=True),
    ]
    page = client.get("/", params={"q": "دم", "locale": "ar"})
    assert "نتيجتان لـ «دم»" in page.text
    assert NOTICE["ar"] in page.text


def test_no_results_page_offers_did_you_mean(client: TestClient, stub: StubEngine) -> None:
    stub.corrected = "thrombocytopenia"
    page = client.get("/", params={"q": "thrombocytopnia", "locale": "en"})
    assert "No results for “thrombocytopnia”." in page.text
    assert "Did you mean" in page.text
    assert 'href="/?q=thrombocytopenia&amp;locale=en">thrombocytopenia</a>' in page.text


def test_no_results_without_correction_has_no_did_you_mean(client: TestClient, stub: StubEngine) -> None:
    page = client.get("/", params={"q": "zzzz", "locale": "en"})
    assert "No results for" in page.text and "Did you mean" not in page.text


def test_script_in_query_is_escaped_everywhere(client: TestClient, stub: StubEngine) -> None:
    stub.corrected = "<script>window.__y=1</script>"
    query = '<script>window.__x=1</script>"><img src=x onerror=alert(1)>'
    page = client.get("/", params={"q": query, "locale": "en"})
    assert page.status_code == 200
    assert "<script>window" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in page.text
    # the only scripts on the page are the static file
    assert re.findall(r"<script[^>]*>", page.text) == [f'<script src="{static_url("portal.js")}" defer>']


def test_empty_query_shows_no_results_section(client: TestClient, stub: StubEngine) -> None:
    page = client.get("/", params={"q": "   ", "locale": "en"})
    assert page.status_code == 200
    assert "results-heading" not in page.text
    assert stub.calls == []


def test_unknown_locale_is_a_404_page(client: TestClient) -> None:
    for path in ("/xx/glossary", "/xx/safety", "/ES/glossary", "/es/nowhere"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "Page not found" in page.text or "Página no encontrada" in page.text


def test_unknown_locale_parameter_is_a_400_like_the_api(client: TestClient) -> None:
    assert client.get("/?locale=xx").status_code == 400
    assert client.get("/?locale=xx&q=anemia").status_code == 400
    assert client.get("/api/search?locale=xx&q=anemia").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "a" * 10_000,
        "😀💊 plaquetas",
        '"unbalanced',
        "title:anemia OR body:*",
        "x\x00y",
        "\u202eevil",
        "AND OR NOT",
        "%00",
        "((((",
        "*",
        "?",
    ],
)
def test_odd_queries_never_fail(client: TestClient, query: str) -> None:
    assert client.get("/", params={"q": query, "locale": "es"}).status_code == 200
    assert client.get("/api/search", params={"q": query, "locale": "es"}).status_code == 200


def test_queries_are_cleaned_before_the_engine() -> None:
    assert clean_query("  a\x00b \t c  ") == "a b c"
    assert len(clean_query("x" * 5000)) == 200
    assert clean_query(None) == ""


def test_missing_index_is_a_503_page_not_a_crash(client: TestClient, stub: StubEngine) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise SearchIndexError("index missing", locale="es")

    stub.search = broken  # type: ignore[method-assign]
    page = client.get("/", params={"q": "anemia", "locale": "es"})
    assert page.status_code == 503
    assert "no está disponible" in page.text
    api = client.get("/api/search", params={"q": "anemia", "locale": "es"})
    assert api.status_code == 503 and "index missing" in api.json()["error"]


# -- glossary, term and safety pages --------------------------------------------------------------


def test_glossary_lists_terms_a_to_z_with_anchors(client: TestClient) -> None:
    page = client.get("/en/glossary")
    assert page.status_code == 200
    for slug in ("anemia", "deep-vein-thrombosis", "platelets", "thrombocytopenia", "overall-response-rate"):
        assert f'id="{slug}"' in page.text
        assert f'href="/en/glossary/{slug}"' in page.text
    titles = re.findall(r'<h3 class="term-name"><a [^>]*>([^<]+)</a>', page.text)
    assert titles == sorted(titles, key=str.casefold)
    assert NOTICE["en"] not in page.text  # English is never a fallback


def test_spanish_glossary_marks_only_fallback_terms(client: TestClient) -> None:
    page = client.get("/es/glossary")
    assert "Trombocitopenia" in page.text
    # five terms, two translated
    assert page.text.count(NOTICE["es"]) == 3
    entry = page.text.split('id="platelets"', 1)[1].split("</li>", 1)[0]
    assert NOTICE["es"] in entry and '<div lang="en" dir="ltr">' in entry
    translated = page.text.split('id="thrombocytopenia"', 1)[1].split("</li>", 1)[0]
    assert NOTICE["es"] not in translated


def test_term_page_shows_pronunciation_definition_and_related_safety(client: TestClient) -> None:
    page = client.get("/es/glossary/thrombocytopenia")
    assert page.status_code == 200
    assert "<h1" in page.text and "Trombocitopenia</h1>" in page.text
    assert "trom-bo-si-to-PE-nia" in page.text
    assert "plaquetas bajas" in page.text
    assert "Pronunciación" in page.text and "Definición" in page.text
    assert "Información de seguridad relacionada" in page.text
    assert f'href="/es/safety#{MOST_IMPORTANT.split("/", 1)[1]}" lang="en" dir="ltr"' in page.text
    assert NOTICE["es"] not in page.text


def test_fallback_term_page_has_notice_and_english_lang(client: TestClient) -> None:
    page = client.get("/ar/glossary/deep-vein-thrombosis")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert NOTICE["ar"] in page.text
    assert '<h1 id="term-title" lang="en" dir="ltr">Deep vein thrombosis</h1>' in page.text


def test_abbreviation_is_shown(client: TestClient) -> None:
    page = client.get("/en/glossary/overall-response-rate")
    assert "<abbr>ORR</abbr>" in page.text


def test_unknown_term_is_404(client: TestClient) -> None:
    assert client.get("/en/glossary/not-a-term").status_code == 404
    assert client.get("/en/glossary/..%2F..%2Fetc").status_code == 404


def test_safety_page_boxes_the_warning_and_keeps_nested_lists(client: TestClient) -> None:
    page = client.get("/en/safety")
    assert page.status_code == 200
    box, rest = page.text.split('<div class="boxed-warning"', 1)[1].split("</div>\n", 1)[0], page.text
    ordered = list(re.findall(r'<section class="isi-section[^"]*" id="([^"]+)"', rest))
    assert ordered == [
        "pomalyst-indication",
        "warnings",
        MOST_IMPORTANT.split("/", 1)[1],
        WHO_SHOULD_NOT.split("/", 1)[1],
    ]
    assert "pomalyst-indication" not in box
    # the warning's body repeats its title: shown once
    assert rest.count("WARNINGS: Risk to unborn babies, and blood clots.</") == 1
    boxed_part = rest.split('<div class="boxed-warning"', 1)[1].split('id="who-should-not-take-pomalyst"', 1)[
        0
    ]
    assert "WARNINGS: Risk to unborn babies" in boxed_part
    assert "Females must not get pregnant" in boxed_part
    assert re.search(r"<ul><li>Possible birth defects.*?<ul><li>Females must not get pregnant:<ul><li>", rest)
    assert "<strong>1-888-423-5436</strong>" in rest
    # a link written against the source page's section ids still lands on the section
    assert '<a href="#most-important-information">' in rest
    assert re.search(
        r'id="what-is-the-most-important[^"]*"[^>]*>\s*'
        r'<span class="anchor-alias" id="most-important-information">',
        rest,
    )
    assert "1-800-FDA-1088" in rest
    assert box


def test_safety_page_drops_script_elements_and_unsafe_links(client: TestClient) -> None:
    page = client.get("/en/safety")
    assert "window.__isi" not in page.text
    assert "javascript:" not in page.text
    assert "a bad link" in page.text


def test_spanish_safety_page_is_english_with_notice_per_section(client: TestClient) -> None:
    page = client.get("/es/safety")
    assert page.text.count(NOTICE["es"]) == 4
    assert '<h2 class="isi-title" id="warnings-title" lang="en" dir="ltr">' in page.text
    assert "Información importante de seguridad" in page.text


def test_page_documents_render_script_text_as_text(client: TestClient) -> None:
    page = client.get("/en/pages/relapse/notes")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text


def test_language_links_keep_the_current_page(client: TestClient) -> None:
    page = client.get("/es/glossary/thrombocytopenia")
    assert 'href="/ar/glossary/thrombocytopenia" lang="ar" hreflang="ar" dir="rtl"' in page.text
    assert 'href="/zh_Hans/glossary/thrombocytopenia" lang="zh-Hans"' in page.text
    search = client.get("/", params={"q": "a&b", "locale": "es"})
    assert 'href="/?q=a%26b&amp;locale=ar"' in search.text


# -- API and health -------------------------------------------------------------------------------


def test_api_search_returns_the_engine_schema(client: TestClient, stub: StubEngine) -> None:
    stub.results = [hit("glossary/thrombocytopenia", "Trombocitopenia")]
    response = client.get("/api/search", params={"q": "plaquetas", "locale": "es", "limit": "3"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert set(data) == {"query", "locale", "corrected", "total", "results"}
    assert data["results"][0]["id"] == "glossary/thrombocytopenia"
    assert stub.calls[-1] == ("plaquetas", "es", 3)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x", "locale": "xx"}, "unknown locale"),
        ({"q": "x", "limit": "ten"}, "limit"),
        ({"q": "x", "limit": "0"}, "limit"),
        ({"q": "x", "limit": "100000"}, "limit"),
    ],
)
def test_api_search_rejects_bad_parameters(client: TestClient, params: dict[str, str], message: str) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_api_suggest_gives_portal_links(client: TestClient) -> None:
    response = client.get("/api/suggest", params={"q": "thr", "locale": "es"})
    assert response.status_code == 200
    (suggestion,) = response.json()["suggestions"]
    assert suggestion["href"] == "/es/glossary/thrombocytopenia"
    assert suggestion["title"] == "Thrombocytopenia <b>"  # JSON carries text; the page's JS sets textContent


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.json() == {"error": "not found"}


def test_healthz_names_the_live_release(client: TestClient, published_data_dir: Path) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "release": os.path.basename(os.readlink(published_data_dir / "current")),
    }


def test_healthz_reads_no_release_files(published_data_dir: Path, monkeypatch) -> None:
    """Polled under load: it answers from the ``current`` link alone, never the content or index."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("healthz must not read the release")

    with TestClient(create_app(published_data_dir, engine=StubEngine())) as portal:
        monkeypatch.setattr(portal.app.state.portal.content, "release", refuse)
        monkeypatch.setattr(portal.app.state.portal, "engine", refuse)
        assert portal.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_live_link_is_broken(tmp_path: Path) -> None:
    (tmp_path / "current").symlink_to("releases/gone")
    with TestClient(create_app(tmp_path, engine=StubEngine())) as portal:
        response = portal.get("/healthz")
        assert response.status_code == 503 and response.json()["release"] is None


def test_healthz_is_503_before_anything_is_published(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, engine=StubEngine())) as empty:
        response = empty.get("/healthz")
        assert response.status_code == 503 and response.json()["status"] == "unavailable"
        assert empty.get("/en/glossary").status_code == 503


def test_pages_follow_a_new_release(tmp_path: Path) -> None:
    build_release(tmp_path, index=False)
    with TestClient(create_app(tmp_path, engine=StubEngine())) as portal:
        first = portal.get("/healthz").json()["release"]
        assert "Trombocitopenia" in portal.get("/es/glossary").text
        build_release(tmp_path, index=False)
        assert portal.get("/healthz").json()["release"] != first
        assert "Trombocitopenia" in portal.get("/es/glossary").text


def test_engine_is_closed_on_shutdown(published_data_dir: Path) -> None:
    engine = StubEngine()
    with TestClient(create_app(published_data_dir, engine=engine)):
        pass
    assert engine.closed


# -- headers and assets ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/en/glossary", "/static/portal.css", "/api/search?q=x", "/nowhere"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_assets_are_local_and_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    page = client.get("/en/safety").text
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page)
    assert " style=" not in page and "<style" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page.replace('href="https://', 'href="X'))
    for asset in ("/static/portal.css", "/static/portal.js"):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 500
        assert "http://" not in response.text and "https://" not in response.text


def test_result_paths() -> None:
    assert result_path("glossary/anemia", "glossary", "ar") == "/ar/glossary/anemia"
    assert result_path("isi/warnings", "safety", "es") == "/es/safety#warnings"
    assert result_path("relapse/notes", "page", "en") == "/en/pages/relapse/notes"


def test_page_title_escapes_query(client: TestClient) -> None:
    page = client.get("/", params={"q": "</title><b>x", "locale": "en"})
    title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
    assert html.unescape(title).startswith("</title><b>x")


# -- with the real search index -------------------------------------------------------------------


@pytest.fixture(scope="module")
def indexed(indexed_data_dir: Path) -> TestClient:
    with TestClient(create_app(indexed_data_dir)) as test_client:
        yield test_client


def test_real_index_finds_plaquetas_bajas_first(indexed: TestClient) -> None:
    data = indexed.get("/api/search", params={"q": "plaquetas bajas", "locale": "es"}).json()
    assert data["results"][0]["id"] == "glossary/thrombocytopenia"
    assert data["results"][0]["title"] == "Trombocitopenia"
    page = indexed.get("/", params={"q": "plaquetas bajas", "locale": "es"})
    assert '<a href="/es/glossary/thrombocytopenia">Trombocitopenia</a>' in page.text


def test_script_in_a_document_body_comes_out_escaped_in_the_snippet(indexed: TestClient) -> None:
    data = indexed.get("/api/search", params={"q": "relapse", "locale": "en"}).json()
    snippet = data["results"][0]["snippet"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet and "<script" not in snippet
    page = indexed.get("/", params={"q": "relapse", "locale": "en"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_real_index_typo_offers_did_you_mean(indexed: TestClient) -> None:
    page = indexed.get("/", params={"q": "thrombocytopnia", "locale": "en"}).text
    assert 'Did you mean <a href="/?q=thrombocytopenia&amp;locale=en">thrombocytopenia</a>?' in page


def test_real_index_suggestions_link_to_portal_pages(indexed: TestClient) -> None:
    data = indexed.get("/api/suggest", params={"q": "trom", "locale": "es"}).json()
    assert data["suggestions"][0] == {
        "id": "glossary/thrombocytopenia",
        "title": "Trombocitopenia",
        "url": "https://www.revlimid.com/mm-patient/glossary/#thrombocytopenia",
        "href": "/es/glossary/thrombocytopenia",
    }


@pytest.mark.parametrize("query", ["x" * 5000, "💊", '"', "title:anemia", "a\x00b", "*?", "OR", "%FF"])
@pytest.mark.parametrize("locale", ["en", "es", "ar", "zh_Hans", "en_XA"])
def test_real_index_odd_queries_never_fail(indexed: TestClient, query: str, locale: str) -> None:
    assert indexed.get("/", params={"q": query, "locale": locale}).status_code == 200
    assert indexed.get("/api/search", params={"q": query, "locale": locale}).status_code == 200
    assert indexed.get("/api/suggest", params={"q": query, "locale": locale}).status_code == 200


# -- web basics: caching, redirects, the access log, the pseudo-locale ----------------------------


def test_cache_control_on_every_response(client: TestClient) -> None:
    for path in ("/", "/?q=anemia", "/api/search?q=anemia", "/api/suggest?q=an", "/healthz", "/nowhere"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    css = client.get(static_url("portal.css"))
    assert css.status_code == 200
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in client.get("/static/portal.css").headers["cache-control"]


def test_trailing_slash_redirect_is_relative(client: TestClient) -> None:
    for path, target in (
        ("/es/glossary/", "/es/glossary"),
        ("/es/glossary/?x=1", "/es/glossary?x=1"),
        ("/es/glossary//", "/es/glossary"),
    ):
        page = client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
        assert page.status_code == 307, path
        assert page.headers["location"] == target, path


def test_access_log_never_records_the_query() -> None:
    import logging

    from portal.app import QuerylessAccessLog

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/api/search?q=my+hiv+test&locale=en", "1.1", 200),
        None,
    )
    assert QuerylessAccessLog().filter(record)
    assert "hiv" not in record.getMessage()
    assert "/api/search" in record.getMessage()


def test_served_access_log_has_no_query(indexed_data_dir: Path) -> None:
    import logging

    from portal.app import quiet_access_log

    quiet_access_log()
    logger = logging.getLogger("uvicorn.access")
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Keep()
    logger.addHandler(handler)
    try:
        record = logger.makeRecord(
            logger.name,
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("c", "GET", "/?q=pregnant", "1.1", 200),
            None,
        )
        logger.handle(record)
    finally:
        logger.removeHandler(handler)
    assert seen and "pregnant" not in seen[0]


def test_pseudo_locale_is_offered_only_when_set(published_data_dir: Path, stub: StubEngine) -> None:
    with TestClient(create_app(published_data_dir, engine=stub)) as hidden:
        assert "locale=en_XA" not in hidden.get("/").text
    with TestClient(create_app(published_data_dir, engine=stub, show_pseudo_locale=True)) as shown:
        assert "locale=en_XA" in shown.get("/").text


def test_partial_answers_are_said_on_the_page_and_in_the_api(indexed: TestClient) -> None:
    data = indexed.get("/api/search", params={"q": "swollen legs and sore feet"}).json()
    if data["results"]:
        assert data["partial"] is True
    full = indexed.get("/api/search", params={"q": "anemia"}).json()
    assert full["partial"] is False
    page = indexed.get("/", params={"q": "anemia", "locale": "en"})
    assert "part of your search" not in page.text
