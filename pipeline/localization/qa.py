"""Quality checks of translations: what a translation must keep, and what looks wrong in it."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from babel.messages.catalog import Catalog

from pipeline.extraction.model import strip_parenthetical
from pipeline.localization.text import singular
from pipeline.localization.tokens import NUMERIC_KINDS, Token, find_tokens, placeholders

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found in one message."""

    segment: str
    check: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class CheckContext:
    """What the checks need to know besides the message itself.

    ``glossary`` maps an English glossary term (lower case, without a trailing parenthetical)
    to its approved translation in ``locale``. The length ratio is measured in weighted
    characters (see :func:`text_length`), so the same bounds suit es, ar and zh.
    """

    locale: str
    dnt_terms: tuple[str, ...] = ()
    glossary: Mapping[str, str] = field(default_factory=dict)
    min_ratio: float = 0.5
    max_ratio: float = 2.5


Check = Callable[[str, str, CheckContext], Iterable[Finding]]


def _finding(check: str, severity: str, message: str) -> Finding:
    # Checks do not know the segment; check_message stamps it on.
    return Finding("", check, severity, message)


def _quote(texts: Iterable[str]) -> str:
    return ", ".join(f'"{t}"' for t in texts)


_KIND_NAMES = {
    "number": "number",
    "percent": "percentage",
    "range": "range",
    "dose": "dose",
    "duration": "duration",
    "phone": "phone number",
    "url": "web address",
    "version": "version",
    "term": "do-not-translate term",
}


# --- preservation checks (errors) -----------------------------------------------------------


def _with_next_word(text: str, token: Token) -> str:
    # "3" alone says little; "3 semanas" shows the translator where it is.
    if token.kind != "number":
        return token.text
    following = re.match(r"[ \u00a0]?[^\W\d_]+", text[token.end :])
    return token.text + (following.group(0) if following else "")


def check_numbers(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
    """Every number of the source (in numbers, doses, durations, ranges, percentages) is kept."""
    source = [t for t in find_tokens(msgid, ctx.dnt_terms) if t.kind in NUMERIC_KINDS]
    target = [t for t in find_tokens(msgstr, ctx.dnt_terms) if t.kind in NUMERIC_KINDS]
    wanted = Counter(v for t in source for v in t.values)
    found = Counter(v for t in target for v in t.values)
    missing, extra = wanted - found, found - wanted
    extra_tokens = [_with_next_word(msgstr, t) for t in target if any(v in extra for v in t.values)]
    reported: set[str] = set()
    for token in source:
        lost = [v for v in token.values if v in missing]
        if not lost or token.text in reported:
            continue
        reported.add(token.text)
        what = _KIND_NAMES[token.kind]
        detail = f" (number {', '.join(lost)})" if token.kind != "number" else ""
        message = f'{what} "{token.text}"{detail} is missing from the translation'
        if extra_tokens:
            message += f"; the translation has {_quote(extra_tokens)} instead"
        yield _finding("numbers", ERROR, message)
    if extra and not missing:
        yield _finding(
            "numbers", WARNING, f"the translation has {_quote(extra_tokens)}, which the source does not have"
        )


def _check_kept(kind: str, check: str) -> Check:
    def check_kept(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
        source = [t for t in find_tokens(msgid, ctx.dnt_terms) if t.kind == kind]
        target = [t for t in find_tokens(msgstr, ctx.dnt_terms) if t.kind == kind]
        # Terms may be repeated or pronominalized; presence is what matters. Phones and
        # addresses must come back as often as they were given.
        wanted = Counter(t.key for t in source)
        found = Counter(t.key for t in target)
        if kind == "term":
            wanted, found = Counter(set(wanted)), Counter(set(found))
        missing = wanted - found
        extra = [t.text for t in target if t.key in (found - wanted)]
        reported: set[str] = set()
        for token in source:
            if token.key not in missing or token.key in reported:
                continue
            reported.add(token.key)
            message = f'{_KIND_NAMES[kind]} "{token.text}" is missing from the translation'
            if kind == "term":
                message += " (keep it exactly as written, in the same capitals)"
            elif extra:
                message += f"; the translation has {_quote(extra)} instead"
            yield _finding(check, ERROR, message)
        if kind != "term" and extra and not missing:
            yield _finding(
                check, ERROR, f"the translation has {_quote(extra)}, which the source does not have"
            )

    check_kept.__name__ = f"check_{check}"
    check_kept.__doc__ = f"Every {_KIND_NAMES[kind]} of the source is kept exactly."
    return check_kept


check_phones = _check_kept("phone", "phones")
check_urls = _check_kept("url", "urls")
check_versions = _check_kept("version", "versions")
check_terms = _check_kept("term", "terms")


def _balance_problems(text: str) -> list[str]:
    problems = []
    stack: list[str] = []
    for form, number in placeholders(text):
        if form == "open":
            stack.append(number)
        elif form == "close":
            if number not in stack:
                problems.append(f"</{number}> closes a placeholder that was not opened")
            else:
                while stack and stack[-1] != number:
                    problems.append(f"<{stack.pop()}> is not closed before </{number}>")
                stack.pop()
    problems.extend(f"<{number}> is opened but never closed" for number in stack)
    return problems


def _shape(form: str, number: str) -> str:
    return {"open": f"<{number}>…</{number}>", "close": f"<{number}>…</{number}>", "void": f"<{number}/>"}[
        form
    ]


def check_placeholders(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
    """Inline placeholders are balanced, and the same ones as in the source (order may change)."""
    for problem in _balance_problems(msgstr):
        yield _finding("placeholders", ERROR, f"placeholder {problem}")
    wanted = Counter(p for p in placeholders(msgid) if p[0] != "close")
    found = Counter(p for p in placeholders(msgstr) if p[0] != "close")
    missing = sorted((wanted - found).elements(), key=lambda p: int(p[1]))
    extra = sorted((found - wanted).elements(), key=lambda p: int(p[1]))
    # A lost placeholder and an unknown one of the same form read better as one renumbering.
    for lost in list(missing):
        swap = next((p for p in extra if p[0] == lost[0]), None)
        if swap is not None:
            missing.remove(lost)
            extra.remove(swap)
            yield _finding(
                "placeholders",
                ERROR,
                f"placeholder {_shape(*lost)} was renumbered to {_shape(*swap)}; keep the source numbers",
            )
    for lost in missing:
        yield _finding("placeholders", ERROR, f"placeholder {_shape(*lost)} is missing from the translation")
    for added in extra:
        yield _finding("placeholders", ERROR, f"placeholder {_shape(*added)} is not in the source")


def check_empty(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
    """A translation is not blank when the source has text."""
    if msgstr and not msgstr.strip() and msgid.strip():
        yield _finding("empty", ERROR, "the translation is blank (only spaces)")


PRESERVATION_CHECKS: tuple[Check, ...] = (
    check_empty,
    check_placeholders,
    check_numbers,
    check_phones,
    check_urls,
    check_versions,
    check_terms,
)


# --- style checks (warnings) ----------------------------------------------------------------


def _without_tokens(text: str, ctx: CheckContext) -> str:
    pieces, position = [], 0
    for token in find_tokens(text, ctx.dnt_terms):
        pieces.append(text[position : token.start])
        position = token.end
    pieces.append(text[position:])
    return "".join(pieces)


def check_unchanged(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
    """The translation is not just the English source again."""
    if ctx.locale.split("_")[0] == "en" or " ".join(msgid.split()) != " ".join(msgstr.split()):
        return
    words = re.findall(r"[^\W\d_]{2,}", _without_tokens(msgid, ctx))
    # Only brand terms, numbers or placeholders: there is nothing to translate.
    if not words:
        return
    yield _finding(
        "unchanged",
        WARNING,
        "the translation is identical to the English source; if that is right (a name or a Latin "
        "term), approve it with a note",
    )


@lru_cache(maxsize=8192)
def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


# No character below U+0370 is wide (W or F): Latin letters, accented or not, are not looked up.
_MAYBE_WIDE = re.compile("[\u0370-\U0010ffff]")


def text_length(text: str) -> float:
    """A length comparable across scripts: a CJK character carries about three Latin letters."""
    visible = "".join(text.split())
    wide = sum(1 for ch in _MAYBE_WIDE.findall(visible) if _is_wide(ch))
    return float(len(visible) + 2 * wide)


def check_length(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
    """The translation is neither far shorter nor far longer than the source."""
    source = text_length(re.sub(r"</?\d+/?>", "", msgid))
    target = text_length(re.sub(r"</?\d+/?>", "", msgstr))
    # Short texts ("Anemia", "Day 1") vary too much in length to judge.
    if source < 20 or not target:
        return
    ratio = target / source
    if ratio < ctx.min_ratio:
        yield _finding(
            "length",
            WARNING,
            f"the translation is much shorter than the source ({ratio:.0%} of its length); is "
            "something left out?",
        )
    elif ratio > ctx.max_ratio:
        yield _finding(
            "length",
            WARNING,
            f"the translation is much longer than the source ({ratio:.0%} of its length); is "
            "something added?",
        )


def _term_in_source(term: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?:s|es)?(?!\w)", text, re.IGNORECASE) is not None


def _translation_in_target(translation: str, text: str) -> bool:
    if any(_is_wide(ch) for ch in translation):
        return translation in text
    # A few letters of inflection are allowed on each word ("glóbulo rojo" -> "glóbulos rojos").
    words = [re.escape(word) + r"\w{0,3}" for word in translation.split()]
    pattern = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def check_glossary(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
    """A glossary term of the source is translated with its approved translation."""
    for term, translation in sorted(ctx.glossary.items()):
        if not translation or not _term_in_source(term, msgid):
            continue
        if not _translation_in_target(translation, msgstr):
            yield _finding(
                "glossary",
                WARNING,
                f'the glossary term "{term}" is translated as "{translation}" elsewhere; use that here too',
            )


_END_MARKS = {
    ".": ".",
    "。": ".",
    "．": ".",
    "۔": ".",
    "?": "?",
    "？": "?",
    "؟": "?",
    "!": "!",
    "！": "!",
    ":": ":",
    "：": ":",
    ";": ";",
    "；": ";",
    "؛": ";",
    "…": "…",
}
_TRAILING = re.compile(r"(?:\s|</\d+>|<\d+/>|[\"'”’»)\]）」』*†‡§¶®™])+$")


def _end_mark(text: str) -> str:
    text = _TRAILING.sub("", text)
    if text.endswith("..."):
        return "…"
    return _END_MARKS.get(text[-1:], "")


def check_punctuation(msgid: str, msgstr: str, ctx: CheckContext) -> Iterator[Finding]:
    """The translation ends like the source (".", "?", "!" in the target script's forms)."""
    source, target = _end_mark(msgid), _end_mark(msgstr)
    names = {
        ".": "a period",
        "?": "a question mark",
        "!": "an exclamation mark",
        ":": "a colon",
        ";": "a semicolon",
        "…": "an ellipsis",
        "": "no punctuation",
    }
    if source != target:
        yield _finding(
            "punctuation",
            WARNING,
            f"the source ends with {names[source]} but the translation ends with {names[target]}",
        )
    if ctx.locale.split("_")[0] == "es" and target in ("?", "!"):
        opening = "¿" if target == "?" else "¡"
        if opening not in msgstr:
            yield _finding(
                "punctuation",
                WARNING,
                f"a Spanish {'question' if target == '?' else 'exclamation'} starts with {opening}",
            )


STYLE_CHECKS: tuple[Check, ...] = (check_unchanged, check_length, check_glossary, check_punctuation)
CHECKS: tuple[Check, ...] = PRESERVATION_CHECKS + STYLE_CHECKS


# --- running checks -------------------------------------------------------------------------


def check_message(
    msgid: str, msgstr: str, ctx: CheckContext, segment: str = "", *, checks: Iterable[Check] = CHECKS
) -> list[Finding]:
    """Every finding of every check on one message; never stops at the first problem."""
    if not msgstr:
        return []
    findings = []
    for check in checks:
        for finding in check(msgid, msgstr, ctx):
            findings.append(Finding(segment, finding.check, finding.severity, finding.message))
    return findings


def check_catalog(catalog: Catalog, ctx: CheckContext, *, include_fuzzy: bool = False) -> list[Finding]:
    """Findings for every translated message of a catalog (drafts only with ``include_fuzzy``)."""
    findings = []
    for message in catalog:
        if not message.id or message.pluralizable or not message.string:
            continue
        if message.fuzzy and not include_fuzzy:
            continue
        source, translation = singular(message.id), singular(message.string)
        findings.extend(check_message(source, translation, ctx, message.context or source))
    return findings


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """Only the findings that block approval and publication."""
    return [f for f in findings if f.severity == ERROR]


def glossary_from_catalog(catalog: Catalog) -> dict[str, str]:
    """The approved translation of each glossary term of a catalog, keyed as CheckContext wants."""
    glossary = {}
    for message in catalog:
        if not message.id or message.pluralizable or not message.string or message.fuzzy:
            continue
        context = message.context or ""
        if not context.startswith("glossary/") or not context.endswith("#term"):
            continue
        term = strip_parenthetical(singular(message.id)).lower()
        translation = strip_parenthetical(singular(message.string))
        if term and translation:
            glossary[term] = translation
    return glossary
