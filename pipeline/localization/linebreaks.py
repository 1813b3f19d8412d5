"""Line breaks of PO strings, chosen as GNU gettext's ``wrap()`` chooses them.

msgmerge asks libunistring where a line may break (the Unicode line breaking algorithm: after
spaces, after hyphens, between CJK characters...), forbids breaks inside an escape sequence and
just before a final ``\\n``, and fills each line greedily up to the page width. ``Breaker`` does
the same with the same library when it is installed (otherwise breaks are taken after spaces
only).

One ctypes call per string was most of the time of writing a large catalog, so ``prepare`` asks
libunistring once for the break opportunities of a whole batch of strings, and the greedy fill
runs in Python over those opportunities for strings whose every character is one column wide
(``NARROW``). Any other string (CJK, combining marks, control characters) is filled by
libunistring itself, one call each, exactly as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable

__all__ = ["NARROW", "Breaker"]

NARROW = re.compile(
    "[ -~\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1eff"
    "\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]*"
)
"""Strings of characters that libunistring's ``uc_width`` counts as one column each (a test
checks every one): Latin, Greek and Cyrillic letters without combining marks, ASCII and common
punctuation. Their display width is their length."""

_ESCAPED = re.compile(r"\\.")
_ESCAPED_BYTES = re.compile(rb"\\.")
_BREAK_PROHIBITED = 1
_POSSIBLE = b"\x02"  # UC_BREAK_POSSIBLE
_SEPARATOR = "\n"
"""Between the strings of a batch: a mandatory break, after which libunistring starts afresh as
at the start of a text, so each string gets the opportunities it gets on its own."""
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"


class Breaker:
    """Cuts escaped strings into lines; ``prepare`` makes the strings given to it fast to cut."""

    def __init__(self) -> None:
        # Per prepared string, per character: _POSSIBLE where a line may break before it.
        self.marks: dict[str, bytes] = {}

    def prepare(self, texts: Iterable[str]) -> None:
        """Find the break opportunities of ``texts`` (escaped strings) in one call, for ``pieces``.

        Forgets those of the previous batch: a writer prepares one batch of messages at a time."""
        if _possible is None:
            return
        batch = list(dict.fromkeys(t for t in texts if NARROW.fullmatch(t)))
        self.marks = dict(zip(batch, _batch_marks(batch), strict=True))

    def pieces(self, escaped: str, width: int, startcol: int) -> list[str]:
        """The escaped string cut into lines by gettext's greedy rule (one piece when it fits)."""
        if startcol + len(escaped) <= width and (escaped.isascii() or NARROW.fullmatch(escaped)):
            return [escaped]
        marks = self.marks.get(escaped)
        if marks is None:
            return _pieces(escaped, width, startcol)
        cuts = _fill(marks, width, startcol)
        return [escaped[i:j] for i, j in zip([0, *cuts], [*cuts, len(escaped)], strict=True)]

    def one_line(self, escaped: str, width: int, startcol: int) -> bool:
        """Whether ``pieces`` gives one piece, often without cutting anything: a prepared string
        that does not fit is cut as soon as it has a break opportunity."""
        if startcol + len(escaped) <= width and (escaped.isascii() or NARROW.fullmatch(escaped)):
            return True
        marks = self.marks.get(escaped)
        if marks is None:
            return len(_pieces(escaped, width, startcol)) == 1
        return _POSSIBLE not in marks


def _fill(marks: bytes, width: int, startcol: int) -> list[int]:
    """Where ``u8_width_linebreaks`` breaks a string whose characters are one column wide each.

    Its greedy rule, a line at a time: a line always takes the first opportunity after its
    start, then every one up to where the line would pass ``width``, and breaks at the last one
    taken; the end of the string counts as one more piece. The opportunities are searched for
    in C (``find``, ``rfind``) instead of walked over: most strings have a dozen and break once
    or twice."""
    cuts: list[int] = []
    start, column = 0, startcol
    first = marks.find(_POSSIBLE, 1)  # the first opportunity after the start of the line
    while first >= 0:
        limit = start + width - column  # the last position this line can reach
        last = max(first, marks.rfind(_POSSIBLE, first, max(first, limit + 1)))
        following = marks.find(_POSSIBLE, last + 1)
        if following < 0:
            if len(marks) > limit:
                cuts.append(last)
            break
        cuts.append(last)
        start, column, first = last, 0, following
    return cuts


def _batch_marks(texts: list[str]) -> list[bytes]:
    """Per text, its break marks (libunistring's, with gettext's overrides applied)."""
    assert _possible is not None
    joined = _SEPARATOR.join(texts)
    buffer = ctypes.create_string_buffer(len(joined) + 1)
    _possible(joined.encode(_UTF32), len(joined), b"UTF-8", buffer)
    raw = buffer.raw
    found = []
    start = 0
    for text in texts:
        end = start + len(text)
        marks = raw[start:end]
        if "\\" in text:
            editable = bytearray(marks)
            for position in _banned(text):
                editable[position] = _BREAK_PROHIBITED
            marks = bytes(editable)
        found.append(marks)
        start = end + 1
    return found


def _banned(text: str) -> set[int]:
    """Where gettext forbids a break: inside an escape sequence, and before a final ``\\n``."""
    banned = {m.start() + 1 for m in _ESCAPED.finditer(text)}
    if text.endswith("\\n") and (len(text) - 1 - len(text[:-1].rstrip("\\"))) % 2 == 1:
        banned.add(len(text) - 2)
    return banned


# -- one string at a time: what any string gets, and every string without libunistring ------------


def _pieces(escaped: str, width: int, startcol: int) -> list[str]:
    data = escaped.encode()
    if startcol + len(data) <= width:  # the display width never exceeds the UTF-8 length
        return [escaped]
    cuts = _unistring_breaks(data, width, startcol) if _width is not None else _greedy(data, width, startcol)
    if not cuts:
        return [escaped]
    return [data[i:j].decode() for i, j in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def _overrides(data: bytes) -> bytearray:
    """Per byte: 1 where a break before it is forbidden (inside an escape, before a final \\n)."""
    banned = bytearray(len(data))
    for match in _ESCAPED_BYTES.finditer(data):
        banned[match.start() + 1] = _BREAK_PROHIBITED
    if data.endswith(b"\\n") and (len(data) - 1 - len(data[:-1].rstrip(b"\\"))) % 2 == 1:
        banned[len(data) - 2] = _BREAK_PROHIBITED  # a portion ends with its newline: keep them together
    return banned


def _greedy(data: bytes, width: int, startcol: int) -> list[int]:
    """Without libunistring: breaks after spaces only, chosen as ``u8_width_linebreaks`` does."""
    banned = _overrides(data)
    text = data.decode()
    cuts: list[int] = []
    last: int | None = None
    column, piece, offset = startcol, 0, 0
    for i, char in enumerate(text):
        if i and text[i - 1] == " " and char != " " and not banned[offset]:
            if last is not None and column + piece > width:
                cuts.append(last)
                column = 0
            last, column, piece = offset, column + piece, 0
        piece += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        offset += len(char.encode())
    if last is not None and column + piece > width:
        cuts.append(last)
    return cuts


def _load(names: tuple[str, ...], argtypes: list[type]) -> Callable[..., int] | None:
    name = ctypes.util.find_library("unistring")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return None
    for symbol in names:
        function = getattr(library, symbol, None)
        if function is not None:
            function.restype = ctypes.c_int
            function.argtypes = argtypes
            return function  # type: ignore[no-any-return]
    return None


_C = ctypes.c_char_p
_width = _load(
    ("u8_width_linebreaks_v2", "u8_width_linebreaks"),
    [_C, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, _C, _C, _C],
)
# The same generation of the algorithm as _width (v2 only changes CR before LF, never in a batch).
_possible = _load(
    ("u32_possible_linebreaks_v2", "u32_possible_linebreaks") if _width is not None else (),
    [_C, ctypes.c_size_t, _C, _C],
)
# One buffer per thread, reused (allocating is slow): catalogs of several locales are written by
# concurrent tasks, and a shared buffer would mix their break marks.
_buffers = threading.local()


def _unistring_breaks(data: bytes, width: int, startcol: int) -> list[int]:
    """The breaks libunistring chooses, as msgmerge calls it: the same library, the same result."""
    assert _width is not None
    marks = getattr(_buffers, "marks", None)
    if marks is None or len(marks) < len(data):
        marks = _buffers.marks = ctypes.create_string_buffer(max(4096, 2 * len(data)))
    _width(data, len(data), width, startcol, 0, bytes(_overrides(data)), b"UTF-8", marks)
    found, cuts = ctypes.string_at(marks, len(data)), []
    at = found.find(b"\x02")
    while at >= 0:
        cuts.append(at)
        at = found.find(b"\x02", at + 1)
    return cuts
