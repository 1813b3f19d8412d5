"""What the reviewer pages show, built from the workspace: dashboard counts, queue rows, one message."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message

from pipeline.errors import PortalError
from pipeline.localization.pseudo import PSEUDO_LOCALES
from pipeline.localization.qa import Finding, check_message
from pipeline.localization.review import Decisions, LogEntry, kind_of, state_of
from pipeline.localization.stats import catalog_stats
from pipeline.localization.workspace import Workspace
from portal import i18n
from portal.review.diff import Piece, fingerprint, highlight, pieces, word_diff

__all__ = [
    "PAGE_SIZE",
    "LocaleSummary",
    "MessageView",
    "QueuePage",
    "QueueRow",
    "dashboard",
    "find_message",
    "language",
    "message_view",
    "queue",
]

PAGE_SIZE = 50
STATE_FILTERS = ("untranslated", "draft", "translated", "approved", "needs_more_approvals")


def language(locale: str) -> tuple[str, str]:
    """The BCP 47 tag and writing direction of a catalog locale."""
    ui = i18n.LOCALES.get(locale)
    if ui is not None:
        return ui.tag, ui.dir
    return locale.replace("_", "-"), "rtl" if locale.split("_")[0] in {"ar", "he", "fa", "ur"} else "ltr"


@dataclass
class LocaleSummary:
    locale: str
    stats: dict[str, Any]
    fallbacks: list[tuple[str, str]] | None  # (kind, document id); None when nothing is published


def dashboard(workspace: Workspace, data_dir: Path) -> list[LocaleSummary]:
    """Counts by state and kind for every real locale, with what patients see in English now."""
    summaries = []
    for locale in workspace.locales():
        if locale in PSEUDO_LOCALES:
            continue
        stats = catalog_stats(workspace.catalog(locale), workspace.decisions(locale))
        summaries.append(LocaleSummary(locale, stats, _fallbacks(data_dir, locale)))
    return summaries


def _fallbacks(data_dir: Path, locale: str) -> list[tuple[str, str]] | None:
    from pipeline.publishing.published import read_published
    from pipeline.publishing.releases import current_release

    try:
        release = current_release(data_dir)
        if release is None:
            return None
        published = read_published(release, locale)
    except PortalError:
        return None  # a broken or missing release is reported by the portal itself
    return [(doc.kind, doc.id) for doc in published.documents if doc.fallback]


@dataclass
class QueueRow:
    segment: str
    kind: str
    state: str
    source: str
    translation: str
    approvers: list[str]
    needed: int
    fingerprint: str


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


def _matches(message: Message, state: str, wanted_state: str, kind: str, query: str) -> bool:
    if wanted_state == "needs_more_approvals":
        if state != "translated":
            return False
    elif wanted_state and state != wanted_state:
        return False
    if kind and kind_of(message) != kind:
        return False
    if query:
        haystack = f"{message.context}\n{message.id}\n{message.string}".casefold()
        return query.casefold() in haystack
    return True


def queue(
    catalog: Catalog, decisions: Decisions, *, state: str = "", kind: str = "", query: str = "", page: int = 1
) -> QueuePage:
    """One page of the messages matching the filters, in catalog order."""
    found: list[tuple[Message, str]] = []
    for message in catalog:
        if not message.id or not message.context:
            continue
        current = state_of(message, decisions)
        if not _matches(message, current, state, kind, query):
            continue
        if state == "needs_more_approvals" and not decisions.approvals(message):
            continue
        found.append((message, current))
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, page), pages)
    chosen = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [_row(message, current, decisions) for message, current in chosen]
    return QueuePage(rows, len(found), page, pages)


def _row(message: Message, state: str, decisions: Decisions) -> QueueRow:
    approvers = [e.reviewer for e in decisions.approvals(message)] if state != "draft" else []
    return QueueRow(
        message.context or "",
        kind_of(message),
        state,
        str(message.id),
        str(message.string or ""),
        approvers,
        decisions.needed(message),
        fingerprint(message),
    )


def find_message(catalog: Catalog, segment: str) -> Message | None:
    return next((m for m in catalog if m.id and m.context == segment), None)


@dataclass
class MessageView:
    locale: str
    segment: str
    kind: str
    state: str
    source: list[Piece]
    translation: str
    translation_pieces: list[Piece]
    fuzzy: bool
    diff: list[Piece] | None
    findings: list[Finding]
    suggestions: list[tuple[str, str, int]]
    terms: list[tuple[str, str]]
    history: list[LogEntry]
    approvers: list[str]
    needed: int
    fingerprint: str
    notes: list[str] = field(default_factory=list)


def message_view(workspace: Workspace, locale: str, catalog: Catalog, message: Message) -> MessageView:
    """Everything the message page shows about one message."""
    decisions = workspace.decisions(locale)
    ctx = workspace.check_context(locale, catalog, decisions)
    source, translation = str(message.id), str(message.string or "")
    findings = check_message(source, translation, ctx, message.context or "")
    spans = highlight(f.message for f in findings)
    previous = " ".join(message.previous_id or []) if message.fuzzy else ""
    state = state_of(message, decisions)
    return MessageView(
        locale=locale,
        segment=message.context or "",
        kind=kind_of(message),
        state=state,
        source=pieces(source, spans),
        translation=translation,
        translation_pieces=pieces(translation, spans),
        fuzzy=message.fuzzy,
        diff=word_diff(previous, source) if previous and previous != source else None,
        findings=findings,
        suggestions=_suggestions(workspace.memory(locale), source),
        terms=_terms(ctx.glossary, source),
        history=decisions.history(message.context or ""),
        approvers=[e.reviewer for e in decisions.approvals(message)] if state != "draft" else [],
        needed=decisions.needed(message),
        fingerprint=fingerprint(message),
        notes=list(message.user_comments),
    )


def _suggestions(memory: dict[str, str], source: str, limit: int = 3) -> list[tuple[str, str, int]]:
    """Approved translations of similar sources, best first, with their similarity in percent."""
    close = difflib.get_close_matches(source, list(memory), n=limit + 1, cutoff=0.6)
    scored = [(s, memory[s], round(100 * difflib.SequenceMatcher(a=source, b=s).ratio())) for s in close]
    return [item for item in scored if item[0] != source or item[1]][:limit]


def _terms(glossary: dict[str, str] | Any, source: str) -> list[tuple[str, str]]:
    found = []
    for term, translation in sorted(glossary.items()):
        if re.search(rf"(?<!\w){re.escape(term)}(?:s|es)?(?!\w)", source, re.IGNORECASE):
            found.append((term, translation))
    return found
