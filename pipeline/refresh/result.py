"""What one refresh run did: per source, per locale, failures, timings, and its JSON summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.publishing.changes import ChangeSet

__all__ = ["ENGLISH", "LocaleOutcome", "RefreshResult", "SourceOutcome"]

ENGLISH = "en"


@dataclass
class SourceOutcome:
    """What happened to one source in a run."""

    id: str
    status: str  # offline | fetched | unchanged | failed | kept (not selected this run)
    documents: int = 0
    error: str = ""
    snapshot: str = ""
    sha256: str = ""
    attempts: int = 0


@dataclass
class LocaleOutcome:
    """What a run did to one locale: merge, drafts, checks, coverage and safety fallbacks."""

    locale: str
    merge: dict[str, Any] = field(default_factory=dict)
    written: bool = False
    mt: dict[str, Any] | None = None
    qa: dict[str, Any] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)
    fallback_safety: list[str] = field(default_factory=list)
    overrides: list[dict[str, str]] = field(default_factory=list)  # approvals given despite QA errors
    visible: dict[str, list[str]] = field(default_factory=dict)  # what patients now see differently

    @property
    def visibly_changed(self) -> bool:
        return any(self.visible.values())


@dataclass
class RefreshResult:
    """The outcome of one refresh run."""

    status: str = "ok"  # ok | partial (a source kept its last good content) | failed (nothing switched)
    changed: bool = False
    started: str = ""
    sources: dict[str, SourceOutcome] = field(default_factory=dict)
    changes: ChangeSet = field(default_factory=ChangeSet)
    template_messages: int = 0
    locales: dict[str, LocaleOutcome] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    release: str | None = None
    published: bool = False  # this run switched the live release
    report: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def mt_calls(self) -> int:
        return sum((o.mt or {}).get("calls", 0) for o in self.locales.values())

    def newly_fallback_safety(self) -> dict[str, list[str]]:
        """Per locale, the safety sections published translated before and shown in English now."""
        found = {
            loc: [doc for doc in o.visible.get("now_fallback", []) if doc in set(o.fallback_safety)]
            for loc, o in self.locales.items()
        }
        return {loc: ids for loc, ids in found.items() if ids}

    @property
    def severity(self) -> str:
        """error: nothing was published; warning: a source failed, or patients lost a translated
        safety section; info otherwise. Alerting routes on this, so it must stay this coarse."""
        if self.status == "failed":
            return "error"
        if self.status == "partial" or self.newly_fallback_safety():
            return "warning"
        return "info"

    def summary(self) -> dict[str, Any]:
        """The JSON summary of `portal refresh --format json` and the webhook."""
        return {
            "status": self.status,
            "severity": self.severity,
            "safety_now_fallback": self.newly_fallback_safety(),
            "changed": self.changed,
            "release": self.release,
            "sources": {
                sid: {
                    "status": o.status,
                    "documents": o.documents,
                    "error": o.error or None,
                    "snapshot": o.snapshot or None,
                }
                for sid, o in self.sources.items()
            },
            "documents": self.changes.counts(),
            "messages": {
                "template": self.template_messages,
                "locales": {
                    loc: {
                        "kept": o.merge.get("exact", 0),
                        "drafts": o.merge.get("fuzzy", 0),
                        "new": o.merge.get("new", 0),
                        "obsolete": o.merge.get("obsolete", 0),
                        "draft_ids": o.merge.get("fuzzy_ids", []),
                        "machine_drafts": len((o.mt or {}).get("translated", [])),
                    }
                    for loc, o in self.locales.items()
                    if loc != ENGLISH
                },
            },
            "locales": {
                loc: {
                    "approved_percent": o.coverage.get("percent_approved"),
                    "qa_errors": o.qa.get("errors", 0),
                    "qa_warnings": o.qa.get("warnings", 0),
                    "fallback_safety": o.fallback_safety,
                    "overrides": o.overrides,
                    "visible_changes": o.visible,
                }
                for loc, o in self.locales.items()
            },
            "mt_calls": self.mt_calls,
            "failures": self.failures,
            "seconds": round(self.timings.get("total", 0.0), 3),
            "report": self.report,
        }
