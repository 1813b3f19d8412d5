"""Review states and the signed, append-only review log that records who approved which exact text.

States, as in Weblate: ``untranslated`` (empty), ``draft`` (fuzzy: machine output or changed
source), ``translated`` (awaiting review, or approved by fewer reviewers than its kind needs) and
``approved``. Approval is not stored in the PO file: it is in ``<locale>/review-log.jsonl``, one
JSON object per line, each carrying the hash of the line before it and an Ed25519 signature
(``pipeline.localization.signing``). An approval counts only while the hashes of the source and
translation it names match the catalog and no rejection came after it; a kind can require
approvals from several different accounts (four eyes on safety text). A PO file edited in any
editor keeps its approvals exactly where the text did not change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message

from pipeline.errors import ReviewLogError
from pipeline.fs import file_lock
from pipeline.localization.signing import KeyRing, Signer, verify
from pipeline.localization.text import singular

__all__ = [
    "DEFAULT_REQUIRED",
    "STATES",
    "Decisions",
    "LogEntry",
    "ReviewRow",
    "append_log",
    "approved_messages",
    "decide",
    "keyring_for",
    "kind_of",
    "log_path",
    "read_log",
    "review_rows",
    "state_of",
    "text_hash",
]

STATES = ("untranslated", "draft", "translated", "approved")
LOG_NAME = "review-log.jsonl"
GENESIS = "0" * 64  # the "previous line" of the first line
DEFAULT_REQUIRED: Mapping[str, int] = {"glossary": 1, "safety": 2, "page": 1}
_FIELDS = ("time", "reviewer", "locale", "segment", "action", "source_hash", "translation_hash",
           "reason", "override", "prev", "key", "sig")  # fmt: skip


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


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
    prev: str = ""
    key: str = ""
    sig: str = ""

    def payload(self) -> bytes:
        """What the signature covers: every field but the signature, canonically encoded."""
        fields = {k: v for k, v in asdict(self).items() if k != "sig"}
        return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def parse(cls, line: str) -> LogEntry:
        data = json.loads(line)
        if not isinstance(data, dict) or set(data) - set(_FIELDS):
            raise ValueError("not a review log entry (unknown or missing fields)")
        if any(not isinstance(v, str) for v in data.values()):
            raise ValueError("every field must be a string")
        entry = cls(**data)
        if entry.action not in {"approve", "reject"}:
            raise ValueError(f"unknown action {entry.action!r}")
        return entry


def log_path(locales_dir: Path, locale: str) -> Path:
    return Path(locales_dir) / locale / LOG_NAME


def keyring_for(locales_dir: Path) -> KeyRing:
    return KeyRing(Path(locales_dir) / "keys")


def read_log(path: Path, keys: KeyRing | None = None) -> list[LogEntry]:
    """Every entry of a review log, verified: chain and signatures. ReviewLogError names the bad line."""
    path = Path(path)
    keys = keys or keyring_for(path.parent.parent)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ReviewLogError(f"cannot read: {exc.strerror or exc}", file=path) from None
    entries: list[LogEntry] = []
    previous = GENESIS
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        entry = _verified(raw, number, previous, keys, path)
        entries.append(entry)
        previous = line_hash(raw.decode("utf-8"))
    return entries


def _verified(raw: bytes, number: int, previous: str, keys: KeyRing, path: Path) -> LogEntry:
    try:
        line = raw.decode("utf-8")
        entry = LogEntry.parse(line)
    except UnicodeDecodeError:
        raise ReviewLogError("not valid UTF-8", file=path, line=number) from None
    except (ValueError, TypeError) as exc:
        raise ReviewLogError(f"unreadable entry ({exc})", file=path, line=number) from None
    if entry.prev != previous:
        raise ReviewLogError("the chain is broken: a line before it was edited, removed or reordered",
                             file=path, line=number)  # fmt: skip
    public = keys.public_key(entry.key)
    if public is None:
        raise ReviewLogError(f"signed with an unknown or revoked key {entry.key!r}", file=path, line=number)
    if not verify(public, entry.payload(), entry.sig):
        raise ReviewLogError(
            "the signature does not verify: the line was edited or forged", file=path, line=number
        )
    return entry


def append_log(path: Path, entries: Iterable[LogEntry], signer: Signer) -> list[LogEntry]:
    """Chain, sign and append entries under an exclusive lock, fsynced: the log is never rewritten.

    The log is verified first, so nothing is ever chained onto a tampered line.
    """
    pending = list(entries)
    if not pending:
        return []
    path = Path(path)
    keys = keyring_for(path.parent.parent)
    keys.add(signer.private.public_key())
    lock = path.with_name(f".{path.name}.lock")
    written: list[LogEntry] = []
    with file_lock(lock, "review log append", wait=True):
        read_log(path, keys)
        previous = _last_line_hash(path)
        lines = []
        for entry in pending:
            unsigned = replace(entry, prev=previous, key=signer.key_id, sig="")
            signed = replace(unsigned, sig=signer.sign(unsigned.payload()))
            line = signed.to_json()
            lines.append(line + "\n")
            written.append(signed)
            previous = line_hash(line)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("".join(lines))
            handle.flush()
            os.fsync(handle.fileno())
    return written


def _last_line_hash(path: Path) -> str:
    if not path.exists():
        return GENESIS
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return line_hash(lines[-1]) if lines else GENESIS


@dataclass
class Decisions:
    """The verified review history of one locale, by segment, and how many approvals each kind needs."""

    by_segment: dict[str, list[LogEntry]] = field(default_factory=dict)
    required: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_REQUIRED))

    @classmethod
    def from_entries(
        cls, entries: Iterable[LogEntry], required: Mapping[str, int] | None = None
    ) -> Decisions:
        by_segment: dict[str, list[LogEntry]] = {}
        for entry in entries:
            by_segment.setdefault(entry.segment, []).append(entry)
        return cls(by_segment, dict(required or DEFAULT_REQUIRED))

    def history(self, segment: str) -> list[LogEntry]:
        return list(self.by_segment.get(segment, []))

    def approvals(self, message: Message) -> list[LogEntry]:
        """Valid approvals of the message's current texts: after the last rejection, one per account."""
        source, translation = text_hash(singular(message.id)), text_hash(singular(message.string))
        valid: dict[str, LogEntry] = {}
        for entry in self.by_segment.get(message.context or "", []):
            if entry.action == "reject":
                valid = {}
            elif entry.source_hash == source and entry.translation_hash == translation:
                valid.setdefault(entry.reviewer, entry)
        return list(valid.values())

    def needed(self, message: Message) -> int:
        return max(1, int(self.required.get(kind_of(message), 1)))

    def is_approved(self, message: Message) -> bool:
        return (
            bool(message.string)
            and not message.fuzzy
            and len(self.approvals(message)) >= self.needed(message)
        )


def state_of(message: Message, decisions: Decisions) -> str:
    if not message.string:
        return "untranslated"
    if message.fuzzy:
        return "draft"
    return "approved" if decisions.is_approved(message) else "translated"


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
    approvals: list[str]
    needed: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def review_rows(
    catalog: Catalog, decisions: Decisions, *, states: Iterable[str] = (), kinds: Iterable[str] = ()
) -> list[ReviewRow]:
    """Messages of a catalog with their state and approvers, filtered by state and kind."""
    wanted_states, wanted_kinds = set(states), set(kinds)
    rows = []
    for message in catalog:
        if not message.id:
            continue
        state, kind = state_of(message, decisions), kind_of(message)
        if (wanted_states and state not in wanted_states) or (wanted_kinds and kind not in wanted_kinds):
            continue
        approvers = [e.reviewer for e in decisions.approvals(message)] if state != "draft" else []
        rows.append(
            ReviewRow(
                message.context or "",
                kind,
                state,
                singular(message.id),
                singular(message.string),
                " / ".join(message.user_comments),
                approvers,
                decisions.needed(message),
            )
        )
    return rows


def approved_messages(catalog: Catalog, decisions: Decisions) -> dict[str, Message]:
    """Segment id -> message, for the messages whose approval is valid."""
    return {m.context: m for m in catalog if m.id and m.context and decisions.is_approved(m)}


def decide(
    message: Message, *, locale: str, reviewer: str, action: str, reason: str = "", override: str = ""
) -> LogEntry:
    """An unsigned log entry for a decision about the message's current texts."""
    return LogEntry(
        time=datetime.now(UTC).isoformat(timespec="seconds"),
        reviewer=reviewer,
        locale=locale,
        segment=message.context or "",
        action=action,
        source_hash=text_hash(singular(message.id)),
        translation_hash=text_hash(singular(message.string)),
        reason=reason,
        override=override,
    )
