from __future__ import annotations

import json
import re
from datetime import date

import pytest
from babel.messages.catalog import Catalog
from werkzeug import Request, Response

from pipeline.errors import TranslationError
from pipeline.localization.machine import (
    MEMORY_COMMENT,
    TranslationReport,
    api_key_from_env,
    provider_language,
    translate_catalog,
    translation_memory,
)

TERMS = ("POMALYST", "REVLIMID", "REMS", "NCCN", "FDA", "MedWatch")
TODAY = date(2024, 5, 1)

# A tiny "Spanish" engine: placeholders and everything else it does not know are copied through.
WORDS = {
    "Take": "Tome",
    "for": "durante",
    "weeks": "semanas",
    "Call": "Llame al",
    "daily": "a diario",
    "Anemia": "Anemia",
}


def fake_spanish(text: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: WORDS.get(m.group(0), m.group(0)), text)


class Libre:
    """A LibreTranslate-compatible handler that records what it was sent."""

    def __init__(self, translate=fake_spanish):
        self.received: list[str] = []
        self.translate = translate

    def __call__(self, request: Request) -> Response:
        # deep-translator sends its fields in the query string of the POST.
        fields = request.values
        self.received.append(fields["q"])
        assert fields["source"] == "en" and fields["target"] == "es"
        body = {"translatedText": self.translate(fields["q"])}
        return Response(json.dumps(body), content_type="application/json")


def catalog_of(*messages: tuple[str, str, str]) -> Catalog:
    catalog = Catalog(locale="es")
    for context, msgid, msgstr in messages:
        catalog.add(msgid, msgstr, context=context, auto_comments=["kind: safety"])
    return catalog


def run(catalog: Catalog, server, **kwargs) -> TranslationReport:
    options = {
        "locale": "es",
        "provider": "libre",
        "url": server.url_for("/"),
        "dnt_terms": TERMS,
        "sleep": lambda s: None,
        "today": TODAY,
    }
    options.update(kwargs)
    return translate_catalog(catalog, **options)


def test_memory_first_then_provider_and_a_second_run_makes_no_calls(httpserver):
    libre = Libre()
    httpserver.expect_request("/translate", method="POST").respond_with_handler(libre)
    catalog = catalog_of(
        ("glossary/anemia#term", "Anemia", ""),
        ("isi/x#item-1", "Take POMALYST for 4 weeks.", ""),
        ("isi/x#item-2", "Call 1-800-FDA-1088.", ""),
        ("isi/x#item-3", "Take it daily.", "Tómelo a diario."),
    )
    report = run(catalog, httpserver, memory={"Anemia": "Anemia (aprobada)"})

    assert report.memory == ["glossary/anemia#term"]
    assert report.translated == ["isi/x#item-1", "isi/x#item-2"]
    assert report.calls == 2 and report.failed == {} and report.skipped == []
    # The engine saw placeholders, not the protected text.
    assert libre.received == ["Take {0} for {1} weeks.", "Call {0}."]

    term = catalog.get("Anemia", context="glossary/anemia#term")
    assert term.string == "Anemia (aprobada)" and term.fuzzy and MEMORY_COMMENT in term.user_comments
    item = catalog.get("Take POMALYST for 4 weeks.", context="isi/x#item-1")
    assert item.string == "Tome POMALYST durante 4 semanas." and item.fuzzy
    assert item.user_comments == ["machine translation by libre (2024-05-01)"]
    assert catalog.get("Call 1-800-FDA-1088.", context="isi/x#item-2").string == "Llame al 1-800-FDA-1088."
    # An existing translation is never touched, and stays approved.
    kept = catalog.get("Take it daily.", context="isi/x#item-3")
    assert kept.string == "Tómelo a diario." and not kept.fuzzy

    again = run(catalog, httpserver)
    assert again.calls == 0 and again.translated == [] and len(libre.received) == 2


def test_memory_hits_make_no_calls(httpserver):
    libre = Libre()
    httpserver.expect_request("/translate", method="POST").respond_with_handler(libre)
    catalog = catalog_of(
        ("isi/x#item-1", "Take POMALYST daily.", ""), ("isi/y#item-1", "Take POMALYST daily.", "")
    )
    report = run(catalog, httpserver, memory={"Take POMALYST daily.": "Tome POMALYST a diario."})
    assert report.calls == 0 and libre.received == []
    assert report.memory == ["isi/x#item-1", "isi/y#item-1"]


def test_same_text_twice_is_sent_once(httpserver):
    libre = Libre()
    httpserver.expect_request("/translate", method="POST").respond_with_handler(libre)
    catalog = catalog_of(
        ("isi/x#item-1", "Take POMALYST daily.", ""), ("isi/y#item-1", "Take POMALYST daily.", "")
    )
    report = run(catalog, httpserver)
    assert report.calls == 1 and report.translated == ["isi/x#item-1", "isi/y#item-1"]


def test_rate_limit_then_success_is_retried_with_backoff(httpserver):
    libre = Libre()
    httpserver.expect_oneshot_request("/translate", method="POST").respond_with_data("slow down", status=429)
    httpserver.expect_request("/translate", method="POST").respond_with_handler(libre)
    delays: list[float] = []
    report = run(
        catalog_of(("isi/x#item-1", "Take POMALYST daily.", "")), httpserver, sleep=delays.append, backoff=0.5
    )
    assert report.translated == ["isi/x#item-1"] and report.failed == {}
    assert report.calls == 2 and len(delays) == 1 and 0.25 <= delays[0] <= 0.75


def test_server_error_forever_keeps_earlier_results_and_reports_failures(httpserver):
    libre = Libre()
    httpserver.expect_oneshot_request("/translate", method="POST").respond_with_handler(libre)
    httpserver.expect_request("/translate", method="POST").respond_with_data("boom", status=500)
    catalog = catalog_of(*[(f"isi/x#item-{n}", f"Take POMALYST for {n} weeks.", "") for n in range(1, 7)])
    delays: list[float] = []
    report = run(catalog, httpserver, retries=2, sleep=delays.append)

    assert report.translated == ["isi/x#item-1"]
    assert (
        catalog.get("Take POMALYST for 1 weeks.", context="isi/x#item-1").string
        == "Tome POMALYST durante 1 semanas."
    )
    # Three messages in a row failed after their retries: the provider is not called again.
    assert list(report.failed) == ["isi/x#item-2", "isi/x#item-3", "isi/x#item-4"]
    assert all("ERR_INTERNAL_SERVER_ERROR" in reason for reason in report.failed.values())
    assert report.skipped == ["isi/x#item-5", "isi/x#item-6"]
    assert report.calls == 1 + 3 * 3
    assert delays[:2] and delays[1] > delays[0] * 0.6  # grows (with jitter)
    for n in range(2, 7):
        assert catalog.get(f"Take POMALYST for {n} weeks.", context=f"isi/x#item-{n}").string == ""


def test_reply_that_drops_a_number_is_rejected(httpserver):
    libre = Libre(translate=lambda text: fake_spanish(text).replace("{1}", "3"))
    httpserver.expect_request("/translate", method="POST").respond_with_handler(libre)
    catalog = catalog_of(("isi/x#item-1", "Take POMALYST for 4 weeks.", ""))
    report = run(catalog, httpserver)
    assert report.translated == [] and "4 weeks" in report.failed["isi/x#item-1"]
    message = catalog.get("Take POMALYST for 4 weeks.", context="isi/x#item-1")
    assert message.string == "" and not message.fuzzy


def test_reply_with_an_invented_placeholder_is_rejected(httpserver):
    httpserver.expect_request("/translate", method="POST").respond_with_handler(
        Libre(translate=lambda t: t + " {9}")
    )
    report = run(catalog_of(("isi/x#item-1", "Take POMALYST daily.", "")), httpserver)
    assert "{9}" in report.failed["isi/x#item-1"]


def test_connection_refused_is_a_failure_not_a_crash():
    catalog = catalog_of(("isi/x#item-1", "Take POMALYST daily.", ""))
    report = translate_catalog(
        catalog, locale="es", provider="libre", url="http://127.0.0.1:9/", retries=1, sleep=lambda s: None
    )
    assert list(report.failed) == ["isi/x#item-1"] and report.calls == 2


def test_dry_run_counts_without_calls_or_changes(httpserver):
    libre = Libre()
    httpserver.expect_request("/translate", method="POST").respond_with_handler(libre)
    catalog = catalog_of(("glossary/anemia#term", "Anemia", ""), ("isi/x#item-1", "Take POMALYST daily.", ""))
    report = run(catalog, httpserver, dry_run=True, memory={"Anemia": "Anemia"})
    assert report.memory == ["glossary/anemia#term"] and report.pending == ["isi/x#item-1"]
    assert report.calls == 0 and libre.received == [] and report.characters == len("Take {0} daily.")
    assert all(not m.string for m in catalog if m.id)


def test_provider_none_uses_memory_only():
    catalog = catalog_of(("glossary/anemia#term", "Anemia", ""), ("isi/x#item-1", "Take POMALYST daily.", ""))
    report = translate_catalog(catalog, locale="es", memory={"Anemia": "Anemia"})
    assert report.to_dict()["memory"] == ["glossary/anemia#term"] and report.pending == ["isi/x#item-1"]
    assert report.calls == 0


def test_translation_memory_holds_approved_translations_only():
    catalog = catalog_of(("a#1", "One.", "Uno."), ("a#2", "Two.", ""))
    catalog.add("Three.", "Tres.", context="a#3", flags=["fuzzy"])
    assert translation_memory([catalog]) == {"One.": "Uno."}


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"provider": "babelfish"}, "unknown provider"),
        ({"provider": "deepl"}, "API key is required"),
        ({"provider": "libre", "url": "ftp://x"}, "bad URL"),
        ({"provider": "google", "url": "http://127.0.0.1/"}, "only used by the libre"),
        ({"provider": "libre", "locale": "en_XA"}, "never machine translated"),
    ],
)
def test_configuration_problems_are_one_line_errors(kwargs, problem):
    options = {"locale": "es", **kwargs}
    with pytest.raises(TranslationError) as raised:
        translate_catalog(catalog_of(("a#1", "One.", "")), **options)
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_locale_codes_per_provider():
    assert provider_language("libre", "zh_Hans") == "zh"
    assert provider_language("google", "zh_Hans") == "zh-CN"
    assert provider_language("libre", "ar") == "ar"
    assert provider_language("mymemory", "es") == "es-ES"


def test_api_key_from_env():
    assert api_key_from_env("KEY", {"KEY": " s3cret "}) == "s3cret"
    assert api_key_from_env(None, {}) is None
    with pytest.raises(TranslationError, match="KEY is not set"):
        api_key_from_env("KEY", {})
