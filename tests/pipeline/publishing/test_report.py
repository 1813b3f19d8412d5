"""The Markdown run report and the webhook summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from werkzeug import Response

from pipeline.extraction.model import Corpus, Document, element
from pipeline.publishing.changes import diff_corpora
from pipeline.publishing.report import post_webhook, render_report, save_report
from pipeline.refresh.run import LocaleOutcome, RefreshResult, SourceOutcome


def _result() -> RefreshResult:
    old = Corpus(
        [Document("glossary/anemia", "glossary", "glossary", "Anemia", [element("p", ["Few red cells."])])]
    )
    new = Corpus(
        [
            Document(
                "glossary/anemia", "glossary", "glossary", "Anemia", [element("p", ["Very few red cells."])]
            )
        ]
    )
    result = RefreshResult(started="2024-01-01T00:00:00Z", changed=True, release="r1")
    result.sources["glossary"] = SourceOutcome("glossary", "fetched", documents=1)
    result.sources["relapse"] = SourceOutcome("relapse", "failed", documents=25, error="HTTP 500")
    result.failures["source relapse"] = "HTTP 500"
    result.status = "failed"
    result.changes = diff_corpora(old, new)
    result.locales["es"] = LocaleOutcome(
        "es",
        merge={"exact": 0, "fuzzy": 1, "new": 0, "obsolete": 0, "fuzzy_ids": ["glossary/anemia#definition"]},
        qa={
            "errors": 1,
            "warnings": 0,
            "findings": [
                {"segment": "isi/x#p1", "check": "numbers", "severity": "error", "message": "lost 4"}
            ],
        },
        coverage={"percent_approved": 50.0, "by_kind": {"safety": {"percent_approved": 100.0}}},
        fallback_safety=["isi/warnings"],
    )
    result.timings["total"] = 1.5
    return result


def test_report_lists_changes_drafts_coverage_findings_and_fallbacks():
    text = render_report(_result())
    assert "FAILED" in text and "**source relapse**: HTTP 500" in text
    assert "`glossary/anemia`" in text and "+Very few red cells." in text
    assert "**es**: 1 draft(s) to review: `glossary/anemia#definition`" in text
    assert "| es | 50.0 | - | 100.0 | - | 1 | 0 |" in text
    assert "lost 4" in text and "**es** (1): `isi/warnings`" in text
    assert "total: 1.50s" in text


def test_summary_has_the_documented_keys():
    summary = _result().summary()
    assert {"status", "sources", "documents", "messages", "locales", "report"} <= set(summary)
    assert summary["documents"] == {"added": 0, "changed": 1, "removed": 0, "unchanged": 0}
    assert summary["messages"]["locales"]["es"]["drafts"] == 1
    assert summary["locales"]["es"]["fallback_safety"] == ["isi/warnings"]


def test_reports_never_overwrite_each_other(tmp_path):
    when = datetime(2024, 1, 1, tzinfo=UTC)
    first, second = save_report(tmp_path, "one", when), save_report(tmp_path, "two", when)
    assert first.name == "20240101T000000Z.md" and second != first
    assert first.read_text() == "one" and second.read_text() == "two"


def test_webhook_gets_the_json_summary(httpserver):
    received = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda r: (received.append(json.loads(r.data)), Response("ok"))[1]
    )
    assert post_webhook(httpserver.url_for("/hook"), {"status": "ok"}) == ""
    assert received == [{"status": "ok"}]


def test_a_failing_webhook_is_reported_not_raised(httpserver):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    assert "HTTP 500" in post_webhook(httpserver.url_for("/hook"), {})
    assert "failed" in post_webhook("http://127.0.0.1:9/hook", {}, timeout=0.5)
