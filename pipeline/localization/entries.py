"""PO catalogs as GNU gettext sees them: Babel's ``Catalog``/``Message`` plus what Babel drops.

Babel's model loses what a faithful round trip needs: ``Message`` deduplicates comments and
guesses ``python-format`` from the text, and ``Catalog`` rebuilds the header from a fixed list of
fields (dropping ``X-Generator``, adding ``Generated-By``, rewriting the comment). ``Entry`` keeps
every comment as written and the previous msgctxt; ``PoCatalog`` keeps the header entry verbatim
(``Header``). Both stay ordinary Babel objects for the rest of the code. File I/O is in
``pofile``; this module only holds data.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime

from babel.messages.catalog import Catalog, Message

MessageId = str | tuple[str, ...] | list[str]  # Babel's types: a plural id is (singular, plural)
MessageString = str | tuple[str, ...] | list[str]
Location = tuple[str, int | None]

# GNU gettext's format languages, in the order msgmerge writes their flags.
FORMAT_LANGUAGES = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript", "scheme",
    "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "object-pascal", "smalltalk", "qt",
    "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace", "php", "gcc-internal",
    "gfc-internal", "ycp",
)  # fmt: skip
_FORMAT_RANK = {f"{lang}-format": rank for rank, lang in enumerate(FORMAT_LANGUAGES)}


def flag_rank(flag: str) -> tuple[int, int]:
    """Where msgmerge writes a flag: fuzzy, the format flags in its order, range, then no-wrap."""
    if flag == "fuzzy":
        return (0, 0)
    name = flag[3:] if flag.startswith("no-") else flag
    if name in _FORMAT_RANK:
        return (1, _FORMAT_RANK[name])
    if flag.startswith("range:"):
        return (3, 0)
    if flag in ("wrap", "no-wrap"):
        return (4, 0)
    return (2, 0)  # a flag gettext does not know: kept, after the formats


class Entry(Message):
    """One PO entry: a Babel message whose comments are kept verbatim, with its previous msgctxt.

    ``Message.__init__`` is not called: it deduplicates comments and locations and guesses
    ``python-format`` from the text, which a PO file states itself.
    """

    previous_context: str | None
    _flags: set[str] | None

    def __init__(
        self,
        id: MessageId,
        string: MessageString | None = "",
        *,
        context: str | None = None,
        locations: list[Location] | None = None,
        flags: set[str] | None = None,
        auto_comments: list[str] | None = None,
        user_comments: list[str] | None = None,
        previous_id: list[str] | None = None,
        previous_context: str | None = None,
        lineno: int | None = None,
    ) -> None:
        self.id = id
        self.string = string
        self.locations = locations if locations is not None else []  # type: ignore[assignment]
        self._flags = flags or None  # most entries have no flag: their set is made when asked for
        self.auto_comments = auto_comments if auto_comments is not None else []
        self.user_comments = user_comments if user_comments is not None else []
        self.previous_id = previous_id if previous_id is not None else []
        self.lineno = lineno
        self.context = context
        self.previous_context = previous_context

    @property
    def flags(self) -> set[str]:
        """The flags, a set (Babel's type) made on first use: an empty set takes 216 bytes, which
        was an eighth of the memory of a large catalog."""
        if self._flags is None:
            self._flags = set()
        return self._flags

    @flags.setter
    def flags(self, value: set[str]) -> None:
        self._flags = value

    def set_flags(self, flags: Iterable[str]) -> None:
        """Replace the flags (without making a set when there are none)."""
        self._flags = set(flags) or None

    def clone(self) -> Entry:
        return Entry(
            self.id,
            self.string,
            context=self.context,
            locations=list(self.locations),
            flags=set(self.flags),
            auto_comments=list(self.auto_comments),
            user_comments=list(self.user_comments),
            previous_id=list(self.previous_id),
            previous_context=self.previous_context,
            lineno=self.lineno,
        )


_NO_FLAGS: frozenset[str] = frozenset()


def flags_of(message: Message) -> AbstractSet[str]:
    """The flags of any message, to read only: an entry without flags gets no set made for it."""
    if isinstance(message, Entry):
        return message._flags or _NO_FLAGS
    return message.flags


def previous_context_of(message: Message) -> str | None:
    """The previous msgctxt of any message (a plain Babel message has none)."""
    value = getattr(message, "previous_context", None)
    return value if isinstance(value, str) else None


_FIELD = re.compile(r"([^:\n]+):[ \t]*(.*)")


@dataclass(frozen=True)
class Header:
    """The header entry (``msgid ""``) exactly as written: its comments and its msgstr text."""

    text: str = ""
    user_comments: tuple[str, ...] = ()
    auto_comments: tuple[str, ...] = ()
    locations: tuple[Location, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def fields(self) -> list[tuple[str, str]]:
        """The ``Name: value`` lines of the header, in file order (other lines are skipped)."""
        found = []
        for line in self.text.split("\n"):
            match = _FIELD.fullmatch(line)
            if match:
                found.append((match.group(1), match.group(2)))
        return found

    def get(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.fields() if key.lower() == wanted), None)

    def with_field(self, name: str, value: str | None, *, after: str | None = None) -> Header:
        """A copy with the field set (in place, or after the field ``after``, or at the end)."""
        lines = self.text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        wanted = name.lower()
        index = next((i for i, line in enumerate(lines) if _name(line) == wanted), None)
        if value is None:
            if index is not None:
                del lines[index]
        elif index is not None:
            lines[index] = f"{name}: {value}"
        else:
            anchor = after.lower() if after else None
            at = next((i + 1 for i, line in enumerate(lines) if anchor and _name(line) == anchor), len(lines))
            lines.insert(at, f"{name}: {value}")
        return replace(self, text="".join(line + "\n" for line in lines))

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=([^\s;]+)", self.get("Content-Type") or "")
        return match.group(1) if match else None


def _name(line: str) -> str:
    return line.partition(":")[0].strip().lower() if ":" in line else ""


class PoCatalog(Catalog):
    """A Babel catalog that writes back the header it was read with (None: the file had none)."""

    def __init__(self, locale: str | None = None, domain: str | None = None) -> None:
        super().__init__(locale=locale, domain=domain, header_comment="", fuzzy=False)
        self.header: Header | None = None

    def use_header(self, header: Header | None) -> None:
        """Keep ``header`` verbatim and set Babel's own fields from it, as far as they parse.

        Templates written by xgettext carry placeholders (``nplurals=INTEGER``,
        ``YEAR-MO-DA``): those fields are kept as text and simply not interpreted.
        """
        self.header = header
        if header is None:
            return
        self.fuzzy = header.fuzzy
        for name, value in header.fields():
            with contextlib.suppress(Exception):  # Babel raises what its parsers raise
                self.mime_headers = [(name, value)]
        if self.creation_date is not None and not isinstance(self.creation_date, datetime):
            self.creation_date = datetime.now()
