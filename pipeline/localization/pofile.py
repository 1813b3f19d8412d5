"""Catalog files: reading and writing gettext PO/POT files as GNU gettext does, their paths and lock.

The reader accepts the whole PO format of the GNU gettext manual (plurals, msgctxt, every comment
kind, previous ``#|`` fields, obsolete ``#~`` entries, octal and hex escapes, any charset the
header declares, a BOM, CRLF lines) and reports the first problem with its file and line. It
returns ``entries.PoCatalog`` objects: Babel catalogs that keep comments verbatim and the header
entry as written.

The writer writes what ``msgmerge`` writes: comments in gettext's order, flags in gettext's
order, and strings wrapped by gettext's own rule: 79 columns, breaking where the Unicode line
breaking algorithm allows (after spaces, after hyphens, between CJK characters...), never inside
an escape sequence, never just before a final ``\\n``, and after each ``\\n``. The break
opportunities come from libunistring, the library msgmerge itself uses, when it is installed;
otherwise breaks are taken after spaces only. Reading a file msgmerge wrote and writing it back
gives the same bytes.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from pipeline.errors import CatalogError, CatalogSyntaxError, StorageError
from pipeline.fs import atomic_write, file_lock
from pipeline.localization.entries import (
    Entry,
    Header,
    Location,
    MessageString,
    PoCatalog,
    flag_rank,
    flags_of,
    previous_context_of,
)
from pipeline.localization.linebreaks import Breaker

DOMAIN = "portal"
WIDTH = 79
"""msgmerge's default page width."""
LOCK_NAME = ".portal-catalog.lock"


def template_path(locales_dir: str | Path) -> Path:
    """Where the template of the portal domain lives."""
    return Path(locales_dir) / f"{DOMAIN}.pot"


def catalog_path(locales_dir: str | Path, locale: str) -> Path:
    """Where the catalog of one locale lives (the gettext layout)."""
    return Path(locales_dir) / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def list_locales(locales_dir: str | Path) -> list[str]:
    """The locales that have a catalog, sorted."""
    root = Path(locales_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if catalog_path(root, p.name).is_file())


def key_for(message: Message) -> tuple[str | None, str]:
    """The identity of a message in a catalog: its context and singular msgid."""
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return message.context, msgid


def catalog_key(message: Message) -> str | tuple[str, str]:
    """The key Babel's Catalog uses for a message: the msgid, or (msgid, msgctxt)."""
    context, msgid = key_for(message)
    return msgid if context is None else (msgid, context)


# -- reading -------------------------------------------------------------------------------------

_STRINGS = re.compile(r'(?:[ \t]*"(?:[^"\\]|\\.)*")+[ \t]*')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_SIMPLE_ESCAPES.update({'"': '"', "\\": "\\"})
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]+)|(.))")
_KEYWORDS = frozenset(("msgctxt", "msgid", "msgid_plural", "msgstr"))
_PLURAL_KEYWORD = re.compile(r"msgstr\[(\d+)\]")
_CHARSET = re.compile(rb"charset=([^\s\\\";]+)")
_REST = r"([^\n]*)\n((?:\"[^\n]*\n)*)"  # the rest of a keyword line, its continuation lines
_SIMPLE_ENTRY = re.compile(
    r"((?:#(?![~|])[^\n]*\n)*)"  # comments
    r"((?:#\|[^\n]*\n)*)"  # previous fields
    rf"(?:msgctxt {_REST})?msgid {_REST}msgstr {_REST}"
    # Blank lines up to a line that ends the entry for the line-by-line reading too.
    r"\n*(?=#(?!~)|#~[ \t]*(?:msgid[ \"]|msgctxt|\|)|msgctxt|msgid[ \"]|\Z)"
)
"""The usual shape of an active entry without plural forms, read at once (``_Parser.parse``)."""


def read_catalog(path: str | Path, *, locale: str | None = None) -> PoCatalog:
    """Read a PO or POT file, keeping everything msgmerge keeps.

    Raises CatalogSyntaxError (with file and line) for anything msgfmt would reject that matters
    here, and CatalogError when the file cannot be read at all.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("no such catalog file", file=path) from None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror or exc}", file=path) from None
    charset = declared_charset(data)
    text = _decode(data, charset, path)
    del data  # a large file is parsed without its bytes still in memory
    return _parse_text(text, path, charset, locale)


def parse_catalog(data: bytes, path: str | Path = "<string>", *, locale: str | None = None) -> PoCatalog:
    """The catalog in the bytes of a PO file (``path`` names it in error messages)."""
    path = Path(path)
    charset = declared_charset(data)
    return _parse_text(_decode(data, charset, path), path, charset, locale)


def _parse_text(text: str, path: Path, charset: str, locale: str | None) -> PoCatalog:
    catalog = PoCatalog(locale=locale, domain=DOMAIN)
    _Parser(catalog, path, charset).parse(text)
    return catalog


def declared_charset(data: bytes) -> str:
    """The charset the header declares, as Python names it (UTF-8 when absent or a placeholder)."""
    match = _CHARSET.search(data, 0, 8192)
    name = match.group(1).decode("ascii", "replace") if match else "UTF-8"
    if name.upper() in ("CHARSET", "ASCII", "US-ASCII", "ANSI_X3.4-1968"):
        return "utf-8"  # a superset of ASCII: templates with the placeholder often hold UTF-8 text
    return name


def _decode(data: bytes, charset: str, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(charset)
    except LookupError:
        raise CatalogSyntaxError(f"unknown charset {charset!r} in the header", file=path, line=None) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogSyntaxError(
            f"invalid {charset} byte {data[exc.start : exc.start + 1]!r}", file=path, line=line
        ) from None


class _Entry:
    """The fields of one PO entry while it is being parsed."""

    __slots__ = ("auto", "fields", "flags", "last", "line", "locations", "obsolete", "previous", "user")

    def __init__(self) -> None:
        self.user: list[str] = []
        self.auto: list[str] = []
        self.locations: list[Location] = []
        self.flags: list[str] = []
        self.previous: dict[str, list[str]] = {}
        self.fields: dict[str, list[str]] = {}
        self.obsolete = False
        self.line = 0
        self.last: list[str] | None = None  # the string a continuation line extends

    def started(self) -> bool:
        return bool(self.fields or self.user or self.auto or self.locations or self.flags or self.previous)


def _one_space_off(text: str) -> str:
    """GNU gettext drops the one space after ``#`` or ``#.``; further indentation is the text's."""
    return text[1:] if text[:1] == " " else text


def _entry_of(entry: _Entry, msgid: MessageString, string: MessageString, context: str | None) -> Entry:
    """The catalog entry of a parsed one: its strings, comments, flags and previous fields."""
    previous_id, previous_context = _previous(entry)
    return Entry(
        msgid,
        string,
        context=context,
        locations=entry.locations,
        flags=set(entry.flags) if entry.flags else None,
        auto_comments=entry.auto,
        user_comments=entry.user,
        previous_id=previous_id,
        previous_context=previous_context,
        lineno=entry.line,
    )


def _previous(entry: _Entry) -> tuple[list[str], str | None]:
    """The previous msgid (and plural) and msgctxt of an entry's ``#|`` lines."""
    previous = entry.previous
    if not previous:
        return [], None
    previous_id = ["".join(previous["msgid"])] if "msgid" in previous else []
    if previous_id and "msgid_plural" in previous:
        previous_id.append("".join(previous["msgid_plural"]))
    return previous_id, "".join(previous["msgctxt"]) if "msgctxt" in previous else None


def _comment(entry: _Entry, line: str, files: dict[str, Location]) -> None:
    """A ``#`` line of an entry: references, flags, extracted or translator comment."""
    kind = line[1:2]
    if kind == ":":
        entry.locations += _locations(line[2:], files)
    elif kind == ",":
        for flag in line[2:].split(","):
            flag = flag.strip()
            if flag.startswith("possible-") and flag.endswith("-format"):
                flag = flag[9:]  # msgmerge writes a possible format as the format itself
            if flag and flag not in entry.flags:
                entry.flags.append(flag)
    elif kind == ".":
        entry.auto.append(_one_space_off(line[2:]))
    else:
        entry.user.append(_one_space_off(line[1:]))


class _Parser:
    """A line-by-line state machine over the PO grammar, filling a PoCatalog."""

    def __init__(self, catalog: PoCatalog, path: Path, charset: str) -> None:
        self.catalog = catalog
        self.path = path
        self.charset = charset
        self.entry = _Entry()
        self.files: dict[str, Location] = {}  # see _locations
        self.headers: dict[bool, int] = {}  # the line of the (active, obsolete) header entry
        self.lineno = 0
        self.header_seen = False

    def error(self, problem: str, line: int | None = None) -> CatalogSyntaxError:
        return CatalogSyntaxError(problem, file=self.path, line=line or self.lineno)

    def parse(self, text: str) -> None:
        """Parse the whole text: entries of the usual shape at once (``_SIMPLE_ENTRY``), any other
        line by line. Both give the same result; the first is several times faster."""
        fast = "\r" not in text  # a CRLF file is read line by line (CR is stripped there)
        position, size = 0, len(text)
        while position < size:
            if fast and (not self.entry.started() or "msgid" in self.entry.fields):
                match = _SIMPLE_ENTRY.match(text, position)
                if match is not None and self.simple_entry(match):
                    position = match.end()
                    continue
            end = text.find("\n", position)
            end = size if end < 0 else end
            self.lineno += 1
            self.line(text[position:end])
            position = end + 1
        self.lineno = text.count("\n") + 1
        self.finish()

    def line(self, raw: str) -> None:
        line = raw.strip()
        if not line:
            return
        if line[0] != "#":
            self.keyword_line(line, obsolete=False)
        elif line.startswith("#~"):
            rest = line[2:].lstrip()
            if rest.startswith("|"):
                self.previous_line(rest[1:].strip())
            elif rest:
                self.keyword_line(rest, obsolete=True)
        elif line.startswith("#|"):
            self.previous_line(line[2:].strip())
        else:
            self.comment_line(raw.rstrip("\r\n"))

    def simple_entry(self, match: re.Match[str]) -> bool:
        """Read an entry matched by ``_SIMPLE_ENTRY`` as the line-by-line reading would.

        False, with nothing read, when it holds a syntax error: its lines then report it."""
        comments, previous, context, context_more, msgid, msgid_more, msgstr, msgstr_more = match.groups()
        if "msgid" in self.entry.fields:
            self.finish()  # what the first line of this entry does
        start = self.lineno
        entry = self.entry  # holds the comments and previous fields
        try:
            if comments:
                for line in comments.split("\n")[:-1]:
                    if line[1:2] == ".":  # the commonest kind, without a call
                        entry.auto.append(line[3:] if line[2:3] == " " else line[2:])
                    else:
                        _comment(entry, line, self.files)
            if previous:
                for line in previous.split("\n")[:-1]:
                    self.lineno += 1
                    self.previous_line(line[2:].strip())
            entry.line = start + comments.count("\n") + previous.count("\n") + 1
            if context is not None:
                context = self.text(context, context_more)
                entry.line += 1 + context_more.count("\n")
            message = _entry_of(entry, self.text(msgid, msgid_more), self.text(msgstr, msgstr_more), context)
            self.store(message, entry)
        except CatalogSyntaxError:
            self.entry, self.lineno = _Entry(), start
            return False
        self.entry = _Entry()
        self.lineno = start + match.group().count("\n")
        return True

    def text(self, first: str, more: str) -> str:
        """The string of the rest of a keyword line and of its continuation lines."""
        if not more and first[:1] == '"' == first[-1:] and first.count('"') == 2 and "\\" not in first:
            return first[1:-1]  # the common case in one step
        found = self.strings(first.rstrip())
        if more:
            for line in more.split("\n")[:-1]:
                found.extend(self.strings(line.rstrip()))
        return "".join(found)

    def comment_line(self, line: str) -> None:
        if self.entry.fields:
            self.finish()
        _comment(self.entry, line, self.files)

    def previous_line(self, rest: str) -> None:
        if self.entry.fields:
            self.finish()
        entry = self.entry
        if rest.startswith('"'):
            if entry.last is None or not entry.previous:
                raise self.error("continuation line of a previous msgid without '#| msgid'")
            entry.last.extend(self.strings(rest))
            return
        keyword, _, value = rest.partition(" ")
        if keyword not in ("msgctxt", "msgid", "msgid_plural"):
            raise self.error(f"unknown keyword {keyword!r} in a previous-msgid comment")
        entry.last = entry.previous.setdefault(keyword, [])
        entry.last.extend(self.strings(value))

    def keyword_line(self, line: str, *, obsolete: bool) -> None:
        entry = self.entry
        if line[0] == '"':
            if entry.last is None or not entry.fields:
                raise self.error("string continuation line outside of msgctxt, msgid or msgstr")
            if entry.obsolete != obsolete:
                raise self.error("obsolete (#~) and active lines mixed in one entry")
            entry.last.extend(self.strings(line))
            return
        keyword, _, value = line.partition(" ")
        if '"' in keyword:  # msgid"text" without a space
            keyword, value = line[: line.index('"')], line[line.index('"') :]
        base = keyword.partition("[")[0]
        if base not in _KEYWORDS:
            raise self.error(f"unknown keyword {keyword!r}")
        fields = entry.fields
        if base in ("msgctxt", "msgid") and (
            "msgid" in fields or ("msgctxt" in fields and base == "msgctxt")
        ):
            if "msgid" not in fields:
                raise self.error("msgctxt without msgid")
            self.finish()
            entry = self.entry
            fields = entry.fields
        if not fields:
            entry.obsolete = obsolete
            entry.line = self.lineno
        elif entry.obsolete != obsolete:
            raise self.error("obsolete (#~) and active lines mixed in one entry")
        self.check_keyword(keyword, base, fields)
        if base == "msgid":
            entry.line = self.lineno  # a message's lineno is its msgid line, as in Babel
        entry.last = fields[keyword] = self.strings(value)

    def check_keyword(self, keyword: str, base: str, fields: dict[str, list[str]]) -> None:
        if base == "msgid_plural" and "msgid" not in fields:
            raise self.error("msgid_plural without msgid")
        if base == "msgid_plural" and any(k.startswith("msgstr") for k in fields):
            raise self.error("msgid_plural after msgstr")  # msgfmt: a syntax error
        if base == "msgstr":
            if "msgid" not in fields:
                raise self.error("msgstr without msgid")
            if keyword != "msgstr":
                if not _PLURAL_KEYWORD.fullmatch(keyword):
                    raise self.error(f"malformed keyword {keyword!r}")
                if "msgid_plural" not in fields:
                    raise self.error(f"{keyword} without msgid_plural")
            elif "msgid_plural" in fields:
                raise self.error("msgstr without an index after msgid_plural")
        if keyword in fields:
            raise self.error(f"duplicate {keyword} in one entry")

    def strings(self, token: str) -> list[str]:
        """The unescaped strings of a line: one, or several side by side as GNU gettext allows."""
        if token[:1] == '"' and token[-1:] == '"' and token.count('"') == 2 and "\\" not in token:
            return [token[1:-1]]  # the common case, without regular expressions
        if not _STRINGS.fullmatch(token):
            token = token.strip()
            if not token:
                raise self.error("missing string after keyword")
            raise self.error(
                "unterminated or malformed string" if token.startswith('"') else "expected a quoted string"
            )
        return [self.unescape(body) for body in _STRING.findall(token)]

    def unescape(self, body: str) -> str:
        if "\\" not in body:
            return body
        raw = False

        def one(match: re.Match[str]) -> str:
            nonlocal raw
            octal, hexa, char = match.groups()
            if char is not None:
                if char not in _SIMPLE_ESCAPES:
                    raise self.error(f"invalid escape sequence \\{char}")
                return _SIMPLE_ESCAPES[char]
            value = (int(octal, 8) if octal else int(hexa, 16)) % 256
            if value < 0x80:
                return chr(value)
            raw = True  # a byte of the file's charset: decoded with the text around it below
            return chr(0xDC00 + value)

        text = _ESCAPE.sub(one, body)
        if not raw:
            return text
        try:
            return text.encode(self.charset, "surrogateescape").decode(self.charset)
        except UnicodeError:
            raise self.error(f"escaped bytes that are not valid {self.charset}") from None

    def finish(self) -> None:
        """Turn the entry parsed so far into a message of the catalog."""
        entry, self.entry = self.entry, _Entry()
        fields = entry.fields
        if not fields:
            return  # comments after the last entry belong to no message; msgfmt ignores them too
        if "msgid" not in fields:
            raise self.error("msgctxt without msgid", entry.line)
        if not any(k.startswith("msgstr") for k in fields):
            raise self.error("msgid without msgstr", entry.line)
        self.store(self.message(entry), entry)

    def store(self, message: Entry, entry: _Entry) -> None:
        """Check a complete message and put it in the catalog; nothing changes when a check fails
        (so that a failed entry can be read again, line by line)."""
        context, msgid = key_for(message)
        first = self.defined(entry.obsolete, context, msgid)
        if first is not None:
            raise self.error(f"duplicate message definition (first defined on line {first})", entry.line)
        if msgid == "" and (context is not None or isinstance(message.id, tuple)):
            raise self.error("empty msgid outside the header", entry.line)
        if msgid == "" and context is None:
            if not entry.obsolete:
                self.header(message, entry)
            self.headers[entry.obsolete] = entry.line
        elif entry.obsolete:
            self.catalog.obsolete[msgid if context is None else (msgid, context)] = message
        else:
            self.catalog._messages[msgid if context is None else (msgid, context)] = message

    def defined(self, obsolete: bool, context: str | None, msgid: str) -> int | None:
        """The line of an earlier entry with the same key (the catalog itself remembers them)."""
        if msgid == "" and context is None:
            return self.headers.get(obsolete)
        messages = self.catalog.obsolete if obsolete else self.catalog._messages
        earlier = messages.get(msgid if context is None else (msgid, context))
        return earlier.lineno if earlier is not None else None

    def message(self, entry: _Entry) -> Entry:
        fields = entry.fields
        msgid: MessageString = "".join(fields["msgid"])
        string: MessageString
        if "msgid_plural" in fields:
            msgid = ("".join(fields["msgid"]), "".join(fields["msgid_plural"]))
            forms = {int(k[7:-1]): "".join(v) for k, v in fields.items() if k.startswith("msgstr[")}
            string = tuple(forms.get(i, "") for i in range(max(forms) + 1))
        else:
            string = "".join(fields["msgstr"])
        return _entry_of(entry, msgid, string, "".join(fields["msgctxt"]) if "msgctxt" in fields else None)

    def header(self, message: Entry, entry: _Entry) -> None:
        if self.header_seen or len(self.catalog) or self.catalog.obsolete:
            raise self.error('the header (msgid "") must be the first entry', entry.line)
        self.header_seen = True
        string = message.string if isinstance(message.string, str) else "".join(message.string or ())
        self.catalog.use_header(
            Header(
                string,
                tuple(entry.user),
                tuple(entry.auto),
                tuple(entry.locations),
                tuple(sorted(entry.flags, key=flag_rank)),
            )
        )


_REFERENCE = re.compile(r"\u2068([^\u2069]*)\u2069(\S*)|(\S+)")


def _locations(text: str, files: dict[str, Location]) -> list[Location]:
    """The references of a ``#:`` line; names with spaces come between U+2068 and U+2069.

    ``files`` holds one ``(name, None)`` per file name seen: the entries referring to one file
    share its name (and that reference) instead of a copy each."""
    if "\u2068" not in text:
        return [_location(plain, files) for plain in text.split()]
    return list(_isolated_locations(text))


def _location(plain: str, files: dict[str, Location]) -> Location:
    filename, colon, number = plain.rpartition(":")
    if colon and number.isdigit():
        known = files.get(filename)
        if known is None:
            known = files[filename] = (filename, None)
        return (known[0], int(number))
    known = files.get(plain)
    if known is None:
        known = files[plain] = (plain, None)
    return known


def _isolated_locations(text: str) -> Iterator[Location]:
    for isolated, suffix, plain in _REFERENCE.findall(text):
        if isolated:
            number = suffix[1:]
            yield (isolated, int(number) if suffix.startswith(":") and number.isdigit() else None)
            continue
        yield _location(plain, {})


# -- writing -------------------------------------------------------------------------------------


def header_of(catalog: Catalog) -> Header | None:
    """The header entry a catalog is written with: its own, or one made from Babel's fields."""
    if isinstance(catalog, PoCatalog):
        return catalog.header
    fields = [(n, v) for n, v in catalog.mime_headers if n != "Generated-By"]
    comment = catalog.header_comment or ""
    return Header(
        "".join(f"{name}: {value}\n" for name, value in fields),
        user_comments=tuple(
            _one_space_off(line[1:]) for line in comment.splitlines() if line.startswith("#")
        ),
        flags=("fuzzy",) if catalog.fuzzy else (),
    )


def output_charset(catalog: Catalog) -> str:
    header = header_of(catalog)
    charset = header.charset if header is not None else None
    return "utf-8" if charset is None or charset.upper() == "CHARSET" else charset


CHUNK = 2000
"""Messages rendered per piece of output: a large catalog is written piece by piece, and the line
breaks of a piece's strings are found in one call into libunistring."""


def render_catalog(catalog: Catalog, *, template: bool = False, width: int = WIDTH, wrap: bool = True) -> str:
    """The PO text of a catalog, as msgmerge writes it (a template drops translations and obsolete).

    ``width`` and ``wrap`` are msgmerge's ``--width`` and ``--no-wrap``.
    """
    return "".join(render_pieces(catalog, template=template, width=width, wrap=wrap))


def render_pieces(
    catalog: Catalog, *, template: bool = False, width: int = WIDTH, wrap: bool = True
) -> Iterator[str]:
    """``render_catalog``'s text in consecutive pieces of ``CHUNK`` messages each."""
    writer = _Writer(width, wrap, template)
    header = header_of(catalog)
    if header is not None:
        writer.header(header)
    # Never the header among the messages, even if a caller stored one there.
    entries: Iterator[tuple[Message, bool]] = itertools.chain(
        ((m, False) for k, m in catalog._messages.items() if k),
        () if template else ((m, True) for m in catalog.obsolete.values()),
    )
    while batch := list(itertools.islice(entries, CHUNK)):
        writer.prepare(batch)
        for message, obsolete in batch:
            writer.message(message, obsolete=obsolete)
        yield writer.take()
    yield writer.take()


class _Writer:
    def __init__(self, width: int, wrap: bool, template: bool) -> None:
        self.width = width
        self.wrap = wrap
        self.template = template
        self.out: list[str] = []
        self.started = False
        self.breaker = Breaker()

    def take(self) -> str:
        """The text written since the last call."""
        text, self.out = "".join(self.out), []
        return text

    def separate(self) -> None:
        if self.started:
            self.out.append("\n")
        self.started = True

    def prepare(self, batch: Sequence[tuple[Message, bool]]) -> None:
        """Find the line breaks of the batch's long strings in one go (see ``linebreaks``)."""
        if not self.wrap:
            return
        # No string this short can reach the page width: the longest lead is '#~| msgid_plural "'.
        short = (self.width - 20) // 2  # an escaped character takes at most two columns
        texts: list[str] = []
        for message, _ in batch:
            for value in _texts(message):
                if len(value) > short:
                    texts += (_escape(portion) for portion in _portions(value))
        self.breaker.prepare(t for t in texts if len(t) > short)

    def header(self, header: Header) -> None:
        self.separate()
        put = self.out.append
        _comments(put, header.user_comments, header.auto_comments)
        if header.locations:
            put(_references(header.locations, self.width))
        flags = [f for f in header.flags if f != "fuzzy" or header.text]
        if flags:
            put("#, " + ", ".join(flags) + "\n")
        put(self.field("", "msgid", "", False))
        put(self.field("", "msgstr", header.text, self.wrap))

    def message(self, message: Message, *, obsolete: bool = False) -> None:
        string: MessageString = message.string or ""
        first = string if isinstance(string, str) else (string[0] if string else "")
        if obsolete and not first:
            return  # msgmerge drops untranslated obsolete entries
        if self.template:
            string = ("", "") if isinstance(message.id, (list, tuple)) else ""
            first = ""
        self.separate()
        put = self.out.append
        prefix = "#~ " if obsolete else ""
        own_flags = flags_of(message)
        wrap = self.wrap and "no-wrap" not in own_flags
        _comments(put, message.user_comments, message.auto_comments)
        if message.locations:
            put(_references(message.locations, self.width))
        if own_flags:
            flags = sorted((f for f in own_flags if f != "wrap"), key=flag_rank)
            if not first or self.template:
                flags = [f for f in flags if f != "fuzzy"]
            if flags:
                put("#, " + ", ".join(flags) + "\n")
        if not self.template:
            self.previous(message, "#~| " if obsolete else "#| ", wrap)
        field = self.field
        if message.context is not None:
            put(field(prefix, "msgctxt", message.context, wrap))
        if isinstance(message.id, (list, tuple)):
            put(field(prefix, "msgid", message.id[0], wrap))
            put(field(prefix, "msgid_plural", message.id[1], wrap))
            forms = (string,) if isinstance(string, str) else string
            for index, form in enumerate(forms):
                put(field(prefix, f"msgstr[{index}]", form or "", wrap))
        else:
            put(field(prefix, "msgid", message.id, wrap))
            put(field(prefix, "msgstr", string if isinstance(string, str) else "".join(string), wrap))

    def previous(self, message: Message, prefix: str, wrap: bool) -> None:
        put = self.out.append
        context = previous_context_of(message)
        if context is not None:
            put(self.field(prefix, "msgctxt", context, wrap))
        if message.previous_id:
            put(self.field(prefix, "msgid", message.previous_id[0], wrap))
            if len(message.previous_id) > 1:
                put(self.field(prefix, "msgid_plural", message.previous_id[1], wrap))

    def field(self, prefix: str, name: str, value: str, wrap: bool) -> str:
        """One keyword and its string, wrapped like gettext's ``wrap()`` in write-po.c."""
        if "\n" not in value:
            return self.line_field(prefix, name, _escape(value), wrap)
        portions = _PORTION.findall(value)
        after_break = len(prefix) + 1  # the column after the opening quote of a continuation line
        width = (self.width if wrap else _NO_LIMIT) - 1 - after_break
        pieces_of = self.breaker.pieces
        out: list[str] = []
        first = True
        for number, portion in enumerate(portions):
            escaped = _escape(portion)
            more = number < len(portions) - 1
            startcol = (len(prefix) + len(name) + 1 if first else len(prefix)) + 1 - after_break
            pieces = pieces_of(escaped, width, startcol)
            if first and escaped and (more or startcol > width or len(pieces) > 1):
                out.append(f'{prefix}{name} ""\n')
                first = False
                startcol = len(prefix) + 1 - after_break
                pieces = pieces_of(escaped, width, startcol)
            lead = f"{prefix}{name} " if first else prefix
            first = False
            out.append(lead + '"' + f'"\n{prefix}"'.join(pieces) + '"\n')
        return "".join(out)

    def line_field(self, prefix: str, name: str, escaped: str, wrap: bool) -> str:
        """``field`` for a string without newlines (most strings), in fewer steps."""
        width = (self.width if wrap else _NO_LIMIT) - 2 - len(prefix)
        if self.breaker.one_line(escaped, width, len(name) + 1) and (len(name) + 1 <= width or not escaped):
            return f'{prefix}{name} "{escaped}"\n'
        pieces = self.breaker.pieces(escaped, width, 0)
        return f'{prefix}{name} ""\n{prefix}"' + f'"\n{prefix}"'.join(pieces) + '"\n'


def _texts(message: Message) -> Iterator[str]:
    """Every string of a message that the writer may wrap."""
    for value in (message.id, message.string, message.previous_id):
        if isinstance(value, str):
            yield value
        elif value:
            yield from (v for v in value if isinstance(v, str))
    if message.context is not None:
        yield message.context
    context = previous_context_of(message)
    if context is not None:
        yield context


def _comments(put: Callable[[str], object], user: Sequence[str], auto: Sequence[str]) -> None:
    for comment in user:
        for line in comment.split("\n"):
            put(f"# {line}\n" if line else "#\n")
    for comment in auto:
        put(f"#. {comment}\n" if comment else "#.\n")


def _references(locations: Sequence[tuple[str, int | None]], width: int) -> str:
    """The ``#:`` lines, filled up to the page width as msgmerge does (also with --no-wrap)."""
    parts = ["#:"]
    column = 2
    for filename, lineno in locations:
        while filename.startswith("./"):
            filename = filename[2:]
        location = f"{filename}:{lineno}" if lineno is not None and lineno >= 0 else filename
        size = len(location) + 1
        if " " in filename:
            location = f"\u2068{filename}\u2069" + (f":{lineno}" if lineno is not None else "")
        if column > 2 and column + size > width:
            parts.append("\n#:")
            column = 2
        parts.append(" " + location)
        column += size
    parts.append("\n")
    return "".join(parts)


_WRITE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
_WRITE_ESCAPES.update({"\\": "\\\\", '"': '\\"'})
_NEEDS_ESCAPE = re.compile(r'[\a\b\f\n\r\t\v\\"]')
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")
_NO_LIMIT = 1 << 30


def _portions(value: str) -> list[str]:
    """A string cut after each newline: gettext writes each portion on lines of its own."""
    if "\n" not in value:
        return [value]  # the common case, without regular expressions
    return _PORTION.findall(value)


def _escape(text: str) -> str:
    return (
        _NEEDS_ESCAPE.sub(lambda m: _WRITE_ESCAPES[m.group()], text) if _NEEDS_ESCAPE.search(text) else text
    )


# -- files ---------------------------------------------------------------------------------------


def write_catalog(
    catalog: Catalog,
    path: str | Path,
    *,
    template: bool = False,
    width: int = WIDTH,
    wrap: bool = True,
    text: str | None = None,
) -> None:
    """Write a catalog atomically (temporary file, fsync, rename), in its header's charset.

    The text goes to the temporary file piece by piece: a large catalog is never whole in memory,
    neither as text nor as bytes. ``text``: the catalog already rendered by ``render_catalog``
    with the same options (a caller that compared it with the file need not render it twice)."""
    path = Path(path)
    pieces: Iterable[str] = (
        [text] if text is not None else render_pieces(catalog, template=template, width=width, wrap=wrap)
    )
    try:
        atomic_write(path, _encoded(pieces, output_charset(catalog)))
    except StorageError as exc:
        raise CatalogError(exc.problem, file=path) from None


def _encoded(pieces: Iterable[str], charset: str) -> Iterator[bytes]:
    """The pieces in ``charset``, encoded as one text (a stateful charset starts only once)."""
    encoder = codecs.getincrementalencoder(charset)("backslashreplace")
    for piece in pieces:
        yield encoder.encode(piece)
    yield encoder.encode("", True)


@contextlib.contextmanager
def catalog_lock(path_or_dir: str | Path, what: str = "catalog update") -> Iterator[Path]:
    """Hold the lock of a catalog (file) or of a whole locales directory; LockBusyError when taken."""
    target = Path(path_or_dir)
    lock = target / LOCK_NAME if target.is_dir() else target.with_name(f".{target.name}.lock")
    with file_lock(lock, what) as held:
        yield held
