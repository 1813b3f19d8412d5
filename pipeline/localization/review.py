"""Review states and the append-only review log that records who approved which exact text.

States, as in Weblate: ``untranslated`` (empty), ``draft`` (fuzzy: machine output or changed
source), ``translated`` (awaiting review) and ``approved``. Approval is not stored in the PO
file: it is the latest approve/reject entry of ``<locale>/review-log.jsonl`` for the segment,
valid only while the hashes of the source and translation it names still match the catalog. So
a PO file edited in any editor keeps its approvals exactly where the text did not change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from pipeline.errors import ReviewError
from pipeline.fs import file_lock

STATES = ("untranslated", "draft", "translated", "approved")
LOG_NAME = "review-log.jsonl"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LogEntry:
    """One line of the review log."""

    time: str
    reviewer: str
    locale: str
    segment: str
    action: str  # approve | reject
    source_hash: str
    translation_hash: str
    reason: str = ""
    override: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def log_path(locales_dir: Path, locale: str) -> Path:
    return Path(locales_dir) / locale / LOG_NAME


def read_log(path: Path) -> list[LogEntry]:
    """Every entry of a review log; a corrupt line is an error naming file and line."""
    if not Path(path).exists():
        return []
    entries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entries.append(LogEntry(**json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise ReviewError(f"{path}:{number}: unreadable review log line ({exc})") from None
    return entries


def append_log(path: Path, entries: Iterable[LogEntry]) -> None:
    """Append entries under an exclusive lock and fsync: the log is never rewritten."""
    lines = "".join(entry.to_json() + "\n" for entry in entries)
    if not lines:
        return
    path = Path(path)
    lock = path.with_name(f".{path.name}.lock")
    with file_lock(lock, "review log append", wait=True), open(path, "a", encoding="utf-8") as handle:
        handle.write(lines)
        handle.flush()
        os.fsync(handle.fileno())


def latest_decisions(entries: Iterable[LogEntry]) -> dict[str, LogEntry]:
    """The last approve or reject of each segment."""
    latest: dict[str, LogEntry] = {}
    for entry in entries:
        if entry.action in {"approve", "reject"}:
            latest[entry.segment] = entry
    return latest


def is_approved(message: Message, decisions: dict[str, LogEntry]) -> bool:
    entry = decisions.get(message.context or "")
    return bool(
        entry is not None
        and entry.action == "approve"
        and message.string
        and not message.fuzzy
        and entry.source_hash == text_hash(message.id)
        and entry.translation_hash == text_hash(message.string)
    )


def state_of(message: Message, decisions: dict[str, LogEntry]) -> str:
    if not message.string:
        return "untranslated"
    if message.fuzzy:
        return "draft"
    return "approved" if is_approved(message, decisions) else "translated"


def kind_of(message: Message) -> str:
    """The content kind written in the message's extracted comments by the template."""
    for comment in message.auto_comments:
        if comment.startswith("kind: "):
            return comment[6:].strip()
    return "page"


@dataclass(frozen=True)
class ReviewRow:
    segment: str
    kind: str
    state: str
    source: str
    translation: str
    note: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def review_rows(
    catalog: Catalog, decisions: dict[str, LogEntry], *, states: Iterable[str] = (), kinds: Iterable[str] = ()
) -> list[ReviewRow]:
    """Messages of a catalog with their state, filtered by state and kind."""
    wanted_states, wanted_kinds = set(states), set(kinds)
    rows = []
    for message in catalog:
        if not message.id:
            continue
        state, kind = state_of(message, decisions), kind_of(message)
        if (wanted_states and state not in wanted_states) or (wanted_kinds and kind not in wanted_kinds):
            continue
        rows.append(
            ReviewRow(
                message.context or "",
                kind,
                state,
                message.id,
                message.string or "",
                " / ".join(message.user_comments),
            )
        )
    return rows


def approved_messages(catalog: Catalog, decisions: dict[str, LogEntry]) -> dict[str, Message]:
    """Segment id -> message, for the messages whose approval is valid."""
    return {m.context: m for m in catalog if m.id and m.context and is_approved(m, decisions)}


def decide(
    message: Message, *, locale: str, reviewer: str, action: str, reason: str = "", override: str = ""
) -> LogEntry:
    """A log entry for a decision about the message's current texts."""
    if not reviewer.strip():
        raise ReviewError("a reviewer name is required", locale=locale, segment=message.context)
    return LogEntry(
        time=datetime.now(UTC).isoformat(timespec="seconds"),
        reviewer=reviewer.strip(),
        locale=locale,
        segment=message.context or "",
        action=action,
        source_hash=text_hash(message.id),
        translation_hash=text_hash(message.string or ""),
        reason=reason,
        override=override,
    )
