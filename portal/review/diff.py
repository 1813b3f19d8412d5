"""Text helpers of the message page: word-level diffs, placeholder chips, highlights, fingerprints."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from babel.messages.catalog import Message

from pipeline.localization.text import singular

__all__ = ["Piece", "fingerprint", "highlight", "pieces", "word_diff"]

_WORDS = re.compile(r"\s+|[^\s]+")
_PLACEHOLDER = re.compile(r"</?\d+/?>")


@dataclass(frozen=True)
class Piece:
    """A run of text and what it is: ``equal``/``insert``/``delete`` in a diff, ``text``/``chip``/``mark``
    on a message page."""

    kind: str
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The words removed from and added to ``old`` to make ``new`` (whitespace kept as it is)."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    result: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            result.append(Piece("delete", "".join(before[a1:a2])))
        if op in ("insert", "replace"):
            result.append(Piece("insert", "".join(after[b1:b2])))
        if op == "equal":
            result.append(Piece("equal", "".join(after[b1:b2])))
    return _merged(result)


def _merged(parts: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for part in parts:
        if merged and merged[-1].kind == part.kind:
            merged[-1] = Piece(part.kind, merged[-1].text + part.text)
        elif part.text:
            merged.append(part)
    return merged


def fingerprint(message: Message) -> str:
    """What a form saw of a message: a changed source, translation or flag means a conflict."""
    parts = [
        message.context or "",
        singular(message.id),
        singular(message.string),
        ",".join(sorted(message.flags)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def pieces(text: str, marks: Iterable[str] = ()) -> list[Piece]:
    """A text cut into plain runs, placeholder chips (``<1>``, ``</1>``, ``<2/>``) and marked spans."""
    wanted = sorted({m for m in marks if m.strip()}, key=len, reverse=True)
    patterns = [_PLACEHOLDER.pattern] + [re.escape(m) for m in wanted]
    splitter = re.compile("|".join(f"({p})" for p in patterns))
    result: list[Piece] = []
    position = 0
    for match in splitter.finditer(text):
        if match.start() > position:
            result.append(Piece("text", text[position : match.start()]))
        kind = "chip" if _PLACEHOLDER.fullmatch(match.group(0)) else "mark"
        result.append(Piece(kind, match.group(0)))
        position = match.end()
    if position < len(text):
        result.append(Piece("text", text[position:]))
    return result


def highlight(findings_text: Iterable[str]) -> list[str]:
    """The quoted texts of QA findings (``"REMS"``): the spans to highlight in the message."""
    spans: list[str] = []
    for text in findings_text:
        spans.extend(q for q in re.findall(r'"([^"\n]{1,80})"', text) if q.strip())
    return spans
