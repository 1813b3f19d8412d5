"""Coverage statistics: messages and words by review state and content kind, per locale."""

from __future__ import annotations

from typing import Any

from babel.messages.catalog import Catalog

from pipeline.localization.review import STATES, Decisions, kind_of, state_of
from pipeline.localization.text import singular

KINDS = ("glossary", "safety", "page")


def _empty() -> dict[str, Any]:
    return {
        "total": 0,
        **dict.fromkeys(STATES, 0),
        "needs_more_approvals": 0,
        "percent_approved": 0.0,
        "words": 0,
        "words_by_state": dict.fromkeys(STATES, 0),
    }


def _finish(counts: dict[str, Any]) -> dict[str, Any]:
    counts["percent_approved"] = (
        round(100.0 * counts["approved"] / counts["total"], 1) if counts["total"] else 0.0
    )
    return counts


def catalog_stats(catalog: Catalog, decisions: Decisions) -> dict[str, Any]:
    """Counts for one catalog, with the same keys again under by_kind.

    ``needs_more_approvals`` counts translated messages that some but not enough reviewers approved
    (a safety text with one of its two approvals).
    """
    overall = _empty()
    by_kind = {kind: _empty() for kind in KINDS}
    for message in catalog:
        if not message.id:
            continue
        state = state_of(message, decisions)
        words = len(singular(message.id).split())
        for counts in (overall, by_kind.setdefault(kind_of(message), _empty())):
            counts["total"] += 1
            counts[state] += 1
            counts["words"] += words
            counts["words_by_state"][state] += words
            if state == "translated" and decisions.approvals(message):
                counts["needs_more_approvals"] += 1
    result = _finish(overall)
    result["by_kind"] = {kind: _finish(counts) for kind, counts in by_kind.items()}
    return result
