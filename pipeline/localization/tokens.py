"""Protected tokens: the numbers, doses, phone numbers, URLs, brand terms and placeholders a translation
must keep."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# Kinds whose comparison value is the list of numbers they contain: a translation may reword
# "1-21" as "1 a 21" or "28-day" as "de 28 días", but the numbers themselves must all be there.
NUMERIC_KINDS = frozenset({"number", "percent", "range", "dose", "duration"})

# \d matches every Unicode decimal digit, so Arabic-Indic (٤) and fullwidth (４) digits in a
# translation are read as the same numbers as the English source.
_GROUP_SEP = r"[,.\u00a0\u202f\u2009\u066c' ]"
_DECIMAL_SEP = r"[.,\u066b]"
_NONZERO = r"(?![0\u0660\u06f0\uff10])\d"
# A grouped number never starts with 0, so "0.125" stays a decimal instead of becoming 125.
_NUMBER = (
    rf"(?:{_NONZERO}\d{{0,2}}(?:{_GROUP_SEP}\d{{3}})+(?!\d)(?:{_DECIMAL_SEP}\d+)?"
    rf"|\d+(?:{_DECIMAL_SEP}\d+)?)"
)
_RANGE_SEP = r"\s?(?:-|–|—|to)\s?"
_DURATION_UNITS = r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|cycles?)"
_DOSE_UNITS = r"(?:mg/m2|mg/m²|mg/kg|mg/day|mg/dL|g/dL|mmol/L|mcg|µg|μg|mg|mL|ml|kg|g|L|IU|units?)"
_PHONE = r"(?<![\w-])(?:\+?1[-.\s])?(?:\(\d{3}\)\s?|\d{3}[-.\s])[0-9A-Z]{3}[-.\s]\d{4}(?![\w-])"
_URL = (
    r"(?:https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w@.])(?:[A-Za-z0-9-]+\.)+(?:com|org|gov|net|edu|info|us|eu|int|io)\b"
    r"(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]])?/?)"
)
_VERSION = r"(?<!\w)[Vv]\.?\s?\d+(?:\.\d+)+"
PLACEHOLDER_RE = re.compile(r"<(/?)(\d+)(/?)>")
_INLINE = r"</\d+>|<\d+/>|<\d+>"

_KIND_PATTERNS = (
    ("placeholder", _INLINE),
    ("url", _URL),
    ("phone", _PHONE),
    ("version", _VERSION),
    ("term", None),  # filled in per list of terms
    ("duration", rf"(?<![\w.,]){_NUMBER}(?:{_RANGE_SEP}{_NUMBER})?(?:[\s\u00a0]?-?){_DURATION_UNITS}(?!\w)"),
    ("dose", rf"(?<![\w.,]){_NUMBER}(?:{_RANGE_SEP}{_NUMBER})?[\s\u00a0]?{_DOSE_UNITS}(?!\w)"),
    ("range", rf"(?<![\w.,]){_NUMBER}\s?[-–—]\s?{_NUMBER}(?![\d])"),
    ("percent", rf"{_NUMBER}\s?%"),
    ("ordinal", r"\d+(?:st|nd|rd|th)(?![^\W\d_])"),
    ("number", _NUMBER),
)
_NUMBER_RE = re.compile(_NUMBER)


@dataclass(frozen=True)
class Token:
    """One protected span of a text.

    ``key`` is what must match between source and translation (numbers normalized, phone
    separators dropped, URLs lower-cased); ``values`` are the numbers inside a numeric token.
    """

    kind: str
    text: str
    start: int
    end: int
    key: str
    values: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return bool(self.values)


def normalize_number(text: str) -> str:
    """The canonical value of a written number: ASCII digits, no grouping, '.' as decimal mark.

    "72,000", "72.000", "72 000" and "٧٢٬٠٠٠" all give "72000"; "0,5" and "0.5" give "0.5".
    """
    digits = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)
    grouped = re.fullmatch(rf"([1-9]\d{{0,2}}(?:{_GROUP_SEP}\d{{3}})+)(?:{_DECIMAL_SEP}(\d+))?", digits)
    if grouped:
        whole = re.sub(r"\D", "", grouped.group(1))
        fraction = grouped.group(2)
    else:
        whole, _, fraction = re.sub(_DECIMAL_SEP, ".", digits, count=1).partition(".")
        fraction = fraction or None
    whole = whole.lstrip("0") or "0"
    if fraction is not None:
        fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def _term_pattern(terms: tuple[str, ...]) -> str | None:
    # Longest first so "Lenalidomide REMS" wins over "REMS"; case-sensitive on purpose because
    # brand styling ("POMALYST", not "Pomalyst") is part of what must be preserved.
    cleaned = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternation = "|".join(re.escape(t) for t in cleaned)
    return rf"(?<!\w)(?:{alternation})(?!\w)[®™]?"


@lru_cache(maxsize=64)
def _master(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for kind, pattern in _KIND_PATTERNS:
        if kind == "term":
            pattern = _term_pattern(terms)
            if pattern is None:
                continue
        parts.append(f"(?P<{kind}>{pattern})")
    return re.compile("|".join(parts))


def _key(kind: str, text: str) -> tuple[str, tuple[str, ...]]:
    if kind == "placeholder":
        return re.sub(r"\s", "", text), ()
    if kind == "url":
        return text.lower().rstrip("/"), ()
    if kind == "phone":
        digits = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)
        return re.sub(r"[^0-9A-Z]", "", digits).removeprefix("+"), ()
    if kind == "version":
        return re.sub(r"\s", "", text).upper(), ()
    if kind == "term":
        return text.rstrip("®™"), ()
    if kind == "ordinal":
        leading = re.match(r"\d+", text)
        value = normalize_number(leading.group(0) if leading else text)
        return value, (value,)
    values = tuple(normalize_number(m.group(0)) for m in _NUMBER_RE.finditer(text))
    return " ".join(values), values


def find_tokens(text: str, terms: Iterable[str] = ()) -> list[Token]:
    """Every protected token of ``text``, left to right, without overlaps."""
    return list(_tokens(text, tuple(terms)))


# Each QA check of a message asks for the tokens of the same two texts (numbers, phones, web
# addresses, terms, ...): the scan, a large alternation tried at every position, is done once.
@lru_cache(maxsize=4096)
def _tokens(text: str, terms: tuple[str, ...]) -> tuple[Token, ...]:
    tokens = []
    for match in _master(terms).finditer(text):
        kind = match.lastgroup or "number"
        key, values = _key(kind, match.group(0))
        if kind == "ordinal":
            kind = "number"
        tokens.append(Token(kind, match.group(0), match.start(), match.end(), key, values))
    return tuple(tokens)


def placeholders(text: str) -> list[tuple[str, str]]:
    """The inline placeholders of a text as (form, number): form is "open", "close" or "void"."""
    found = []
    for match in PLACEHOLDER_RE.finditer(text):
        closing, number, void = match.groups()
        if closing and void:
            continue
        found.append(("close" if closing else "void" if void else "open", number))
    return found


# --- shielding for machine translation ------------------------------------------------------
#
# MT engines copy ICU-style "{0}" placeholders through untouched far more reliably than XML-ish
# tags in plain-text mode (they rarely translate digits or drop braces). Replies may add spaces
# inside the braces, use fullwidth braces (zh) or localized digits (ar), so unshield accepts those.
_SHIELD_RE = re.compile(r"[{｛]\s*(\d+)\s*[}｝]")


def _shield_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    # Text that already looks like a shield placeholder is masked too, so unshield can never
    # mistake it for one of ours: this is what makes shield/unshield round-trip any text.
    spans = [(m.start(), m.end()) for m in _SHIELD_RE.finditer(text)]
    for token in find_tokens(text, terms):
        if any(start < token.end and token.start < end for start, end in spans):
            continue
        if token.kind in ("dose", "duration"):
            # Only the numbers: the unit is translated ("4 weeks" -> "4 semanas"); a range
            # inside ("2-3 hours") is masked as one piece with its dash.
            numbers = list(_NUMBER_RE.finditer(token.text))
            spans.append((token.start + numbers[0].start(), token.start + numbers[-1].end()))
        else:
            spans.append((token.start, token.end))
    return sorted(spans)


def shield(text: str, terms: Iterable[str] = ()) -> tuple[str, dict[str, str]]:
    """Replace protected tokens with numbered placeholders ``{0}``, ``{1}``... for MT.

    Returns the masked text and the map from each placeholder to the text it replaced.
    """
    pieces: list[str] = []
    restore: dict[str, str] = {}
    position = 0
    for start, end in _shield_spans(text, tuple(terms)):
        placeholder = f"{{{len(restore)}}}"
        restore[placeholder] = text[start:end]
        pieces.append(text[position:start])
        pieces.append(placeholder)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), restore


def unshield(masked: str, restore_map: dict[str, str]) -> str:
    """Put the protected tokens back; a placeholder the map does not know is left as it is."""

    def put_back(match: re.Match[str]) -> str:
        key = f"{{{int(normalize_number(match.group(1)))}}}"
        return restore_map.get(key, match.group(0))

    return _SHIELD_RE.sub(put_back, masked)


def leftover_placeholders(text: str, original: str = "") -> list[str]:
    """Shield placeholders left in an unshielded reply (invented by the engine, not in ``original``)."""
    allowed = Counter(m.group(0) for m in _SHIELD_RE.finditer(original))
    found = Counter(m.group(0) for m in _SHIELD_RE.finditer(text))
    return sorted((found - allowed).elements())
