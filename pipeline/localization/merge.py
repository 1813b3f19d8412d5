"""The merge of a template into a translated catalog, with the semantics of ``msgmerge --previous``.

Unchanged source keeps its translation; changed source keeps it as a draft (``fuzzy``) with the
previous msgid; removed source becomes obsolete (``#~``); new source is untranslated. Matching is
linear: by (msgctxt, msgid), then by msgctxt alone (the segment id is stable, its text changed),
then by msgid alone (the segment was renamed), then fuzzily with rapidfuzz but only among the few
entries still unmatched on both sides, preferring candidates from the same document. Babel's
``Catalog.update`` is never used: it compares every new message with every old one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from rapidfuzz import fuzz, process

from pipeline.errors import CatalogError
from pipeline.localization.pofile import (
    catalog_key,
    catalog_lock,
    catalog_path,
    key_for,
    list_locales,
    read_catalog,
    template_path,
    write_catalog,
)

FUZZY_THRESHOLD = 80.0
"""The least rapidfuzz ``ratio`` (0-100) for an old translation to become a draft of a new source."""
SAME_DOCUMENT_BONUS = 5.0
"""Added to the score of a candidate from the same document (the msgctxt before '#'), which also
lowers the threshold for it by as much."""
CANDIDATES = 5


@dataclass
class MergeStats:
    """What a merge did: counts, and the segment ids a reviewer has to look at."""

    exact: int = 0
    fuzzy: int = 0
    new: int = 0
    obsolete: int = 0
    fuzzy_ids: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    obsolete_ids: list[str] = field(default_factory=list)
    revived_ids: list[str] = field(default_factory=list)
    kept_draft_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.exact} kept, {self.fuzzy} drafts (fuzzy), {self.new} new, {self.obsolete} obsolete"


def _text(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid[0] if isinstance(msgid, (list, tuple)) else msgid


def _label(message: Message) -> str:
    return message.context if message.context is not None else _text(message.id)


def _document(context: str | None) -> str | None:
    return context.partition("#")[0] if context else None


def _translated(message: Message) -> bool:
    string = message.string
    return any(string) if isinstance(string, (list, tuple)) else bool(string)


def _fits(old: Message, new: Message) -> bool:
    """Whether old's translation can be carried over without losing plural forms."""
    return (
        isinstance(new.id, (list, tuple))
        or not isinstance(old.string, (list, tuple))
        or not any(old.string[1:])
    )


def _carry(old_string, new: Message, nplurals: int):
    if isinstance(new.id, (list, tuple)):
        forms = list(old_string) if isinstance(old_string, (list, tuple)) else [old_string or ""]
        return tuple(forms + [""] * (max(nplurals, len(forms)) - len(forms)))
    return old_string[0] if isinstance(old_string, (list, tuple)) else old_string


def _empty(new: Message, nplurals: int):
    return ("",) * nplurals if isinstance(new.id, (list, tuple)) else ""


def _build(
    template: Message, string, flags: Iterable[str], user_comments, previous_id, previous_context
) -> Message:
    message = Message(
        template.id,
        string,
        template.locations,
        (),
        template.auto_comments,
        user_comments,
        previous_id,
        lineno=template.lineno,
        context=template.context,
    )
    message.flags = set(flags)  # not Babel's python-format guess: flags come from the template
    if previous_context is not None:
        message.previous_context = previous_context
    return message


def merge_catalog(
    old: Catalog,
    template: Catalog,
    *,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
    same_document_bonus: float = SAME_DOCUMENT_BONUS,
    fuzzy_matching: bool = True,
) -> tuple[Catalog, MergeStats]:
    """Merge ``template`` into ``old`` and return a new catalog (the inputs are not changed)."""
    result = copy.copy(old)  # the header of the translation, the creation date of the template
    result._messages = {}
    result.obsolete = {}
    result.creation_date = template.creation_date
    nplurals = old.num_plurals
    stats = MergeStats()

    actives = list(old._messages.values())
    obsoletes = list(old.obsolete.values())
    used: set[int] = set()  # id() of old messages whose translation has found a new home
    obsolete_ids = {id(m) for m in obsoletes}
    by_key = {key_for(m): m for m in actives}
    by_context: dict[str, list[Message]] = {}
    by_msgid: dict[str, list[Message]] = {}
    for message in (*actives, *obsoletes):
        if not _translated(message):
            continue
        if message.context is not None:
            by_context.setdefault(message.context, []).append(message)
        by_msgid.setdefault(_text(message.id), []).append(message)

    new_messages = list(template._messages.values())
    placed: list[Message | None] = [None] * len(new_messages)
    pending: list[int] = []

    def draft(index: int, new: Message, source: Message) -> None:
        used.add(id(source))
        if "fuzzy" in source.flags and source.previous_id:
            previous = list(source.previous_id)  # the last text a reviewer approved
            previous_context = getattr(source, "previous_context", None)
        else:
            previous = [_text(source.id)] + ([source.id[1]] if isinstance(source.id, (list, tuple)) else [])
            previous_context = source.context if source.context != new.context else None
        flags = (new.flags - {"fuzzy"}) | {"fuzzy"}
        string = _carry(source.string, new, nplurals)
        placed[index] = _build(new, string, flags, source.user_comments, previous, previous_context)
        stats.fuzzy += 1
        stats.fuzzy_ids.append(_label(new))
        if id(source) in obsolete_ids:
            stats.revived_ids.append(_label(new))

    # 1. Same context and msgid: the translation stays as it is.
    for index, new in enumerate(new_messages):
        key = key_for(new)
        source = by_key.get(key)
        if source is not None and _fits(source, new):
            used.add(id(source))
            fuzzy = "fuzzy" in source.flags
            flags = (new.flags - {"fuzzy"}) | ({"fuzzy"} if fuzzy else set())
            previous = source.previous_id if fuzzy else ()
            string = _carry(source.string, new, nplurals)
            placed[index] = _build(
                new, string, flags, source.user_comments, previous, getattr(source, "previous_context", None)
            )
            if not _translated(source):
                stats.new += 1
                stats.new_ids.append(_label(new))
            elif fuzzy:
                # Already a draft before this merge: not news for the report, but still to review.
                stats.exact += 1
                stats.kept_draft_ids.append(_label(new))
            else:
                stats.exact += 1
        else:
            pending.append(index)

    def take(candidates: list[Message] | None, new: Message) -> Message | None:
        if not candidates:
            return None
        free = [m for m in candidates if id(m) not in used and _fits(m, new)]
        if not free:
            return None
        document = _document(new.context)
        # Live entries before obsolete ones, then the same document before others.
        free.sort(key=lambda m: (id(m) in obsolete_ids, _document(m.context) != document))
        return free[0]

    # 2. Same segment id, changed text (or an obsolete entry brought back), for every message
    # before 3. the same text under a renamed segment, so a renamed duplicate cannot take the
    # translation of a segment that is still there.
    for lookup in (lambda new: by_context.get(new.context), lambda new: by_msgid.get(_text(new.id))):
        remaining: list[int] = []
        for index in pending:
            new = new_messages[index]
            source = take(lookup(new), new)
            if source is None:
                remaining.append(index)
            else:
                draft(index, new, source)
        pending = remaining

    # 5. Fuzzy matching, only among what is left on both sides.
    if fuzzy_matching and remaining:
        candidates = [m for m in (*actives, *obsoletes) if id(m) not in used and _translated(m)]
        for index, source in _fuzzy_pairs(
            [new_messages[i] for i in remaining], remaining, candidates, fuzzy_threshold, same_document_bonus
        ):
            draft(index, new_messages[index], source)

    for index, new in enumerate(new_messages):
        message = placed[index]
        if message is None:
            message = _build(new, _empty(new, nplurals), new.flags - {"fuzzy"}, (), (), None)
            stats.new += 1
            stats.new_ids.append(_label(new))
        result[message.id] = message

    # Every translation not placed above is kept as obsolete, never deleted.
    for source in actives:
        if id(source) in used or not _translated(source):
            continue
        retired = _copy(source)
        retired.locations = []  # as msgmerge: an obsolete entry points nowhere
        result.obsolete[catalog_key(retired)] = retired
        stats.obsolete += 1
        stats.obsolete_ids.append(_label(source))
    for source in obsoletes:
        if id(source) in used:
            continue
        key = catalog_key(source)
        newer = result.obsolete.get(key)
        if newer is None:
            result.obsolete[key] = _copy(source)
        elif _translated(source) and source.string != newer.string:
            # A file may hold the same key live and obsolete; when the live one retires too, the
            # older translation survives as a comment rather than disappearing.
            strings = source.string if isinstance(source.string, (list, tuple)) else [source.string]
            newer.user_comments += [f"older translation: {s}" for s in strings if s]
    return result, stats


def _copy(source: Message) -> Message:
    copied = source.clone()
    copied.flags = set(source.flags)
    if hasattr(source, "previous_context"):
        copied.previous_context = source.previous_context
    return copied


def _fuzzy_pairs(
    news: list[Message], indexes: list[int], candidates: list[Message], cutoff: float, bonus: float
) -> list[tuple[int, Message]]:
    """Assign old translations to new messages by best similarity, each old one at most once."""
    if not candidates:
        return []
    texts = [_text(m.id) for m in candidates]
    by_document: dict[str | None, dict[int, str]] = {}
    for number, message in enumerate(candidates):
        by_document.setdefault(_document(message.context), {})[number] = texts[number]
    scored: list[tuple[float, int, int]] = []
    for position, new in enumerate(news):
        query = _text(new.id)
        document = _document(new.context)
        found = {}
        for _, score, number in process.extract(
            query, texts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=CANDIDATES
        ):
            found[number] = score
        same = by_document.get(document) if document is not None else None
        if same:  # the same document needs a little less similarity: its bonus
            for _, score, number in process.extract(
                query, same, scorer=fuzz.ratio, score_cutoff=cutoff - bonus, limit=2
            ):
                found[number] = score
        for number, score in found.items():
            if document is not None and _document(candidates[number].context) == document:
                score += bonus
            scored.append((-score, position, number))
    scored.sort()
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    pairs = []
    for _, position, number in scored:
        if position in taken_new or number in taken_old:
            continue
        taken_new.add(position)
        taken_old.add(number)
        pairs.append((indexes[position], candidates[number]))
    return pairs


def merge_files(def_po: str | Path, ref_pot: str | Path, out_po: str | Path, **options) -> MergeStats:
    """Merge the template REF into the catalog DEF and write OUT atomically, like msgmerge.

    Both inputs are read completely before anything is written, so a syntax error in either one
    leaves OUT untouched.
    """
    old = read_catalog(def_po)
    template = read_catalog(ref_pot)
    merged, stats = merge_catalog(old, template, **options)
    write_catalog(merged, out_po)
    return stats


def update_catalogs(
    locales_dir: str | Path, locales: Iterable[str] | None = None, **options
) -> dict[str, MergeStats]:
    """Merge the template into the catalog of every locale (``portal catalog update``).

    Holds the locales directory lock for the whole run, so two updates cannot interleave. Every
    catalog is read and merged before the first one is written, so a broken catalog stops the
    run with nothing changed.
    """
    locales_dir = Path(locales_dir)
    pot = template_path(locales_dir)
    with catalog_lock(locales_dir, "catalog update"):
        template = read_catalog(pot)
        chosen = list(locales) if locales is not None else list_locales(locales_dir)
        if not chosen:
            raise CatalogError(
                "no catalogs to update (run 'portal catalog init LOCALE' first)", file=locales_dir
            )
        merged = {}
        for locale in chosen:
            path = catalog_path(locales_dir, locale)
            if path.exists():
                old = read_catalog(path, locale=locale)
            else:
                old = Catalog(locale=locale, domain=template.domain, fuzzy=False)
            merged[locale] = merge_catalog(old, template, **options)
        for locale, (catalog, _) in merged.items():
            write_catalog(catalog, catalog_path(locales_dir, locale))
    return {locale: stats for locale, (_, stats) in merged.items()}
