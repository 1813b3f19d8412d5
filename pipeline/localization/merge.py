"""The merge of a template into a translated catalog, with the semantics of ``msgmerge --previous``.

Unchanged source keeps its translation; changed source keeps it as a draft (``fuzzy``) with the
previous msgid; removed source becomes obsolete (``#~``); new source is untranslated. As in
msgmerge, the header comes from the catalog (only ``POT-Creation-Date`` and
``Report-Msgid-Bugs-To`` from the template), exact matches come first, obsolete entries
included (and come back translated), and a fuzzy match is made by similarity of the msgids
alone (rapidfuzz's ``ratio`` above msgmerge's 0.6), never because two messages share a context.

The product's own catalogs use a msgctxt as a segment id, so ``segment_contexts=True`` adds
their rule: a changed message under the same id is that segment edited (a draft), the same text
under a new id is that segment renamed, and fuzzy matching pairs the remaining ones one to one,
preferring the same document. Babel's ``Catalog.update`` is never used: it compares every new
message with every old one.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from babel.messages.catalog import Catalog, Message
from rapidfuzz import fuzz, process

from pipeline.errors import CatalogError
from pipeline.localization.entries import (
    Entry,
    Header,
    MessageString,
    PoCatalog,
    flags_of,
    previous_context_of,
)
from pipeline.localization.pofile import (
    WIDTH,
    catalog_key,
    catalog_lock,
    catalog_path,
    header_of,
    list_locales,
    read_catalog,
    template_path,
    write_catalog,
)
from pipeline.localization.text import singular

_Key = TypeVar("_Key", bytes, int)

MSGMERGE_THRESHOLD = 60.0
"""msgmerge's FUZZY_THRESHOLD (0.6) on rapidfuzz's 0-100 scale; a match must score above it."""
FUZZY_THRESHOLD = 80.0
"""The least score for a draft between segments of the product's own catalogs."""
SAME_DOCUMENT_BONUS = 5.0
"""Added to the score of a candidate from the same document (the msgctxt before '#'), which also
lowers the threshold for it by as much (segment contexts only)."""
CANDIDATES = 5
# msgmerge orders the header fields it knows this way; the others follow in their own order.
KNOWN_FIELDS = (
    "Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
    "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
    "Content-Transfer-Encoding",
)  # fmt: skip


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


def _label(message: Message) -> str:
    return message.context if message.context is not None else singular(message.id)


def _document(context: str | None) -> str | None:
    return context.partition("#")[0] if context else None


def _translated(message: Message) -> bool:
    string = message.string
    return any(string) if isinstance(string, (list, tuple)) else bool(string)


def _plural(message: Message) -> bool:
    return isinstance(message.id, (list, tuple))


def _fits(old: Message, new: Message) -> bool:
    """Whether old's translation can be carried over without losing plural forms."""
    return _plural(new) or not isinstance(old.string, (list, tuple)) or not any(old.string[1:])


def _carry(old_string: object, new: Message, nplurals: int) -> MessageString:
    if _plural(new):
        if not isinstance(old_string, (list, tuple)):
            return (str(old_string or ""),) * nplurals  # as msgmerge: the singular in every form
        forms = [str(s) for s in old_string]
        return tuple(forms + [""] * (max(nplurals, len(forms)) - len(forms)))
    return str(old_string[0]) if isinstance(old_string, (list, tuple)) else str(old_string or "")


def _empty(new: Message, nplurals: int) -> MessageString:
    return ("",) * nplurals if _plural(new) else ""


def _previous_of(source: Message) -> tuple[list[str], str | None]:
    """The previous fields a draft made from ``source`` shows: the last text a reviewer saw."""
    if "fuzzy" in flags_of(source) and source.previous_id:
        return list(source.previous_id), previous_context_of(source)
    previous = [singular(source.id)] + ([str(source.id[1])] if _plural(source) else [])
    return previous, source.context


def _entry(
    template: Message,
    string: MessageString,
    flags: Iterable[str],
    source: Message | None,
    previous: tuple[list[str], str | None] = ([], None),
    *,
    reuse: bool = False,
) -> Entry:
    """A message of the result: the template's text, comments and references, the catalog's
    translation and translator comments. The template's lists are shared, not copied; with
    ``reuse`` the template's entry itself becomes the message of the result."""
    if reuse and isinstance(template, Entry):
        template.string = string
        template.set_flags(flags)
        if source is not None:
            template.user_comments = source.user_comments
        elif template.user_comments:
            template.user_comments = []
        template.previous_id, template.previous_context = previous
        return template
    return Entry(
        template.id,
        string,
        context=template.context,
        locations=template.locations,  # type: ignore[arg-type]
        flags=set(flags),
        auto_comments=template.auto_comments,
        user_comments=source.user_comments if source is not None else [],
        previous_id=previous[0],
        previous_context=previous[1],
        lineno=template.lineno,
    )


def merge_catalog(
    old: Catalog,
    template: Catalog,
    *,
    segment_contexts: bool = False,
    fuzzy_threshold: float | None = None,
    same_document_bonus: float = SAME_DOCUMENT_BONUS,
    fuzzy_matching: bool = True,
    consume_template: bool = False,
) -> tuple[PoCatalog, MergeStats]:
    """Merge ``template`` into ``old`` and return a new catalog (the inputs are not changed).

    With ``consume_template`` the template's own entries become those of the result (the
    template is left empty): for a template read for this merge only, as ``merge_files`` does,
    which saves a copy of every message."""
    threshold = (
        fuzzy_threshold
        if fuzzy_threshold is not None
        else (FUZZY_THRESHOLD if segment_contexts else MSGMERGE_THRESHOLD)
    )
    result = PoCatalog(locale=old.locale_identifier, domain=old.domain)
    result.use_header(merge_header(header_of(old), header_of(template)))
    if isinstance(old, PoCatalog) and old.header is None:
        result.creation_date = template.creation_date
    nplurals = old.num_plurals
    stats = MergeStats()

    actives = list(old._messages.values())
    obsoletes = list(old.obsolete.values())
    obsolete_ids = {id(m) for m in obsoletes}
    used: set[int] = set()  # id() of old messages whose translation has found a new home

    def same_key(new: Message) -> Message | None:
        """The old message with the same context and msgid; a live entry wins over an obsolete
        one. Looked up in the catalog's own dictionaries (Babel keys them by context and msgid)."""
        key = catalog_key(new)
        found = old._messages.get(key)
        return found if found is not None else old.obsolete.get(key)

    new_messages = list(template._messages.values())
    if consume_template:  # the same keys in the same order: the result takes the template's dict
        result._messages, template._messages = template._messages, {}
    reuse = consume_template
    placed: list[Entry | None] = [None] * len(new_messages)
    pending: list[int] = []

    def draft(index: int, new: Message, source: Message) -> None:
        used.add(id(source))
        flags = (flags_of(new) - {"fuzzy"}) | {"fuzzy"}
        string = _carry(source.string, new, nplurals)
        placed[index] = _entry(new, string, flags, source, _previous_of(source), reuse=reuse)
        stats.fuzzy += 1
        stats.fuzzy_ids.append(_label(new))
        if id(source) in obsolete_ids:
            stats.revived_ids.append(_label(new))

    # 1. Same context and msgid (live or obsolete): the translation stays as it is.
    for index, new in enumerate(new_messages):
        source = same_key(new)
        if source is None:
            pending.append(index)
        elif not _fits(source, new) or _plural(source) != _plural(new):
            if _translated(source):
                draft(index, new, source)  # msgmerge too: a change of plurality needs a look
            else:
                pending.append(index)
        else:
            used.add(id(source))
            if id(source) in obsolete_ids and _translated(source):
                stats.revived_ids.append(_label(new))
            fuzzy = "fuzzy" in flags_of(source)
            flags = (flags_of(new) - {"fuzzy"}) | ({"fuzzy"} if fuzzy else set())
            previous = (list(source.previous_id), previous_context_of(source)) if fuzzy else ([], None)
            string = _carry(source.string, new, nplurals)
            placed[index] = _entry(new, string, flags, source, previous, reuse=reuse)
            if not _translated(source):
                stats.new += 1
                stats.new_ids.append(_label(new))
            elif fuzzy:
                # Already a draft before this merge: not news for the report, but still to review.
                stats.exact += 1
                stats.kept_draft_ids.append(_label(new))
            else:
                stats.exact += 1

    if segment_contexts:
        pending = _segment_matches(pending, new_messages, actives, obsoletes, used, draft)
        if fuzzy_matching and pending:
            candidates = [m for m in (*actives, *obsoletes) if id(m) not in used and _translated(m)]
            news = [new_messages[i] for i in pending]
            for index, source in _fuzzy_pairs(news, pending, candidates, threshold, same_document_bonus):
                draft(index, new_messages[index], source)
    elif fuzzy_matching and pending:
        # 2. As msgmerge: the most similar translated message, live or obsolete, even one already
        # used by an exact match (one translation may seed several drafts).
        candidates = [m for m in (*actives, *obsoletes) if _translated(m) and singular(m.id)]
        finder = _SimilarFinder(candidates, threshold, [new_messages[i] for i in pending])
        for index in pending:
            new = new_messages[index]
            source = finder.best(new)
            if source is not None:
                draft(index, new, source)

    for index, new in enumerate(new_messages):
        message = placed[index]
        if message is None:
            message = _entry(new, _empty(new, nplurals), flags_of(new) - {"fuzzy"}, None, reuse=reuse)
            stats.new += 1
            stats.new_ids.append(_label(new))
        result._messages[catalog_key(message)] = message

    _retire(result, actives, obsoletes, used, stats, keep_extracted=segment_contexts)
    return result, stats


def _retire(
    result: PoCatalog,
    actives: Sequence[Message],
    obsoletes: Sequence[Message],
    used: set[int],
    stats: MergeStats,
    *,
    keep_extracted: bool,
) -> None:
    """Keep every translation not placed in the result as obsolete, never delete one.

    As msgmerge, an obsolete entry points nowhere and keeps its translator comments; the
    product's own catalogs also keep the extracted comments (the segment's notes)."""
    for source in actives:
        if id(source) in used or not _translated(source):
            continue
        retired = _obsolete_copy(source, keep_extracted)
        result.obsolete[catalog_key(retired)] = retired
        stats.obsolete += 1
        stats.obsolete_ids.append(_label(source))
    for source in obsoletes:
        if id(source) in used:
            continue
        key = catalog_key(source)
        newer = result.obsolete.get(key)
        if newer is None:
            result.obsolete[key] = _obsolete_copy(source, keep_extracted)
        elif _translated(source) and source.string != newer.string:
            # A file may hold the same key live and obsolete; when the live one retires too, the
            # older translation survives as a comment rather than disappearing.
            strings = source.string if isinstance(source.string, (list, tuple)) else [source.string]
            newer.user_comments += [f"older translation: {s}" for s in strings if s]


def _obsolete_copy(source: Message, keep_extracted: bool) -> Entry:
    flags = {f for f in flags_of(source) if not f.startswith("range:")}
    return Entry(
        source.id,
        source.string,
        context=source.context,
        flags=flags,
        auto_comments=list(source.auto_comments) if keep_extracted else [],
        user_comments=list(source.user_comments),
        previous_id=list(source.previous_id),
        previous_context=previous_context_of(source),
        lineno=source.lineno,
    )


def _segment_matches(
    pending: list[int],
    new_messages: list[Message],
    actives: list[Message],
    obsoletes: list[Message],
    used: set[int],
    draft: Callable[[int, Message, Message], None],
) -> list[int]:
    """The product's rule: 2. the same segment id, changed text; 3. the same text, renamed id.

    Every message goes through 2 before any goes through 3, so a renamed duplicate cannot take
    the translation of a segment that is still there."""
    obsolete_ids = {id(m) for m in obsoletes}
    by_context: dict[str, list[Message]] = {}
    by_msgid: dict[str, list[Message]] = {}
    for message in (*actives, *obsoletes):
        if _translated(message):
            if message.context is not None:
                by_context.setdefault(message.context, []).append(message)
            by_msgid.setdefault(singular(message.id), []).append(message)

    def take(candidates: list[Message] | None, new: Message) -> Message | None:
        free = [m for m in candidates or () if id(m) not in used and _fits(m, new)]
        document = _document(new.context)
        # Live entries before obsolete ones, then the same document before others.
        free.sort(key=lambda m: (id(m) in obsolete_ids, _document(m.context) != document))
        return free[0] if free else None

    def same_context(new: Message) -> list[Message] | None:
        return by_context.get(new.context) if new.context is not None else None

    def same_text(new: Message) -> list[Message] | None:
        return by_msgid.get(singular(new.id))

    for lookup in (same_context, same_text):
        remaining: list[int] = []
        for index in pending:
            new = new_messages[index]
            source = take(lookup(new), new)
            if source is None:
                remaining.append(index)
            else:
                draft(index, new, source)
        pending = remaining
    return pending


class _SimilarFinder:
    """msgmerge's fuzzy search: the old message whose msgid is most similar to a new one.

    rapidfuzz's ``ratio`` on the UTF-8 bytes is gettext's ``fstrcmp`` (both count the
    insertions and deletions that turn one string into the other). As in msgmerge's index, a
    candidate must share a 4-character sequence with a msgid of 4 characters or more, and a
    shorter msgid is compared with short candidates only; a candidate with the same context or
    none gets msgmerge's tiny bonus, and ties go to the one sharing more 4-grams. The scan runs in
    C over the candidates of a compatible length only: a first guess from an index of word
    starts raises the score to beat, which narrows the length window (a ratio of s allows
    lengths to differ by at most (1 - s/100) of their sum).
    """

    LIMIT = 8
    CLOSE = 90.0
    """A first guess this similar is taken as found: no further search for a better one."""
    BUDGET = 1_000_000
    """Above this many query-candidate pairs, a msgid without a close first guess is compared with
    the candidates sharing the most word starts only (msgmerge's own ``heuristic`` search)."""

    def __init__(self, candidates: list[Message], threshold: float, queries: list[Message]) -> None:
        """``queries`` are the messages that ``best`` will be asked about: the indexes below hold
        only what those can look up (the postings of their own words and contexts, complete)."""
        self.threshold = threshold
        self.heuristic = len(queries) * len(candidates) > self.BUDGET
        texts = [_comparable(singular(m.id)) for m in candidates]
        lengths = [len(t) for t in texts]
        order = sorted(range(len(candidates)), key=lengths.__getitem__)
        self.candidates = [candidates[n] for n in order]
        self.texts: list[str | bytes] = [texts[n] for n in order]
        self.lengths = [lengths[n] for n in order]
        self.queries = [singular(m.id) for m in queries]
        self.common = max(50, len(candidates) // 100)
        self.firstfew = max(10, int(len(candidates) ** 0.5))  # as many as msgmerge's heuristic tries
        self.index: dict[bytes, array[int]] = {}
        if self.heuristic:
            wanted = set(_WORD_START.findall(b" ".join(q.encode() for q in self.queries)))
            self.index = _postings((set(_WORD_START.findall(_utf8(t))) for t in self.texts), wanted)
        # Runs of three words: a small edit keeps most of them, and few messages share many.
        self.runs: dict[int, array[int]] | None = None  # built when first needed
        contexts = {m.context for m in queries if m.context}
        self.by_context: dict[str, list[int]] = {}
        for number, message in enumerate(self.candidates):
            if message.context in contexts:
                self.by_context.setdefault(message.context, []).append(number)

    def best(self, new: Message) -> Message | None:
        text = singular(new.id)
        query = text.encode()
        if not query:
            return None
        found = dict(self.score(query, self.by_context.get(new.context, []) if new.context else []))
        if self.heuristic:  # too many pairs to compare all: msgmerge's own heuristic search
            found.update(self.score(query, self.shortlist(query)))
            if max(found.values(), default=0.0) < self.CLOSE:
                found.update(self.score(query, self.phrases(text)))
            return self.choose(found, new, text)
        floor = max([self.threshold, *found.values()])
        low, high = self.window(len(query), floor)
        top = process.extractOne(query, self.texts[low:high], scorer=fuzz.ratio, score_cutoff=floor - 0.01)
        if top is not None:
            found[low + top[2]] = top[1]
            floor = max(floor, top[1])
        if found:  # every candidate as good as the best (ties, and msgmerge's context bonus)
            low, high = self.window(len(query), floor - 0.01)
            for _, score, number in process.extract(
                query, self.texts[low:high], scorer=fuzz.ratio, score_cutoff=floor - 0.01, limit=self.LIMIT
            ):
                found[low + number] = score
        return self.choose(found, new, text)

    def window(self, length: int, score: float) -> tuple[int, int]:
        """The candidates whose length allows a ratio of ``score``: their lengths may differ by at
        most (1 - score/100) of the sum."""
        share = 1 - score / 100
        low = bisect.bisect_left(self.lengths, length * (1 - share) / (1 + share) - 1)
        return low, bisect.bisect_right(self.lengths, length * (1 + share) / (1 - share) + 1)

    def choose(self, found: dict[int, float], new: Message, text: str) -> Message | None:
        """The best candidate: highest score (with the context bonus), then most shared 4-grams.

        The 4-grams are counted only for the candidates tied at the top: counting them for
        every candidate found was most of the time of a large merge."""
        ranked: dict[float, list[int]] = {}
        for number, score in found.items():
            candidate = self.candidates[number]
            bonus = 0.001 if candidate.context is None or candidate.context == new.context else 0.0
            if score + bonus > self.threshold:
                ranked.setdefault(score + bonus, []).append(number)
        grams = _grams(text) if len(text) >= 4 else None
        length = len(text.encode())
        for score in sorted(ranked, reverse=True):
            tied = [
                (-_shared(grams, singular(self.candidates[n].id), length, self.lengths[n]), n)
                for n in ranked[score]
            ]
            eligible = [rank for rank in tied if rank[0] <= 0]  # msgmerge compares these only
            if eligible:
                return self.candidates[min(eligible)[1]]
        return None

    def shortlist(self, query: bytes) -> list[int]:
        """The candidates sharing the most word starts with the query, rarest words first."""
        postings = sorted(
            (self.index[t] for t in set(_WORD_START.findall(query)) if t in self.index), key=len
        )
        rare = [p for p in postings if len(p) <= self.common][:8] or postings[:1]
        counts = Counter(itertools.chain.from_iterable(rare))
        return _most_common(counts, self.firstfew)

    def phrases(self, text: str) -> list[int]:
        """The candidates sharing the most runs of three words with the query: where an edited
        message finds its previous text when its word starts are all common ones."""
        if self.runs is None:
            wanted = set().union(*map(_runs, self.queries))
            self.runs = _postings((_runs(singular(m.id)) for m in self.candidates), wanted)
        postings = sorted((self.runs[run] for run in _runs(text) if run in self.runs), key=len)
        counts: Counter[int] = Counter()
        for posting in [p for p in postings if len(p) <= self.common] or postings[:2]:
            counts.update(posting)  # the rare runs tell messages apart; counting the rest costs
        return _most_common(counts, self.firstfew)

    def score(self, query: bytes, numbers: list[int]) -> list[tuple[int, float]]:
        texts = [self.texts[n] for n in numbers]  # one call into rapidfuzz, not one per candidate
        scored = process.extract(query, texts, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=None)
        return [(numbers[position], score) for _, score, position in scored]


_WORD_START = re.compile(rb"(?<![A-Za-z0-9_])[A-Za-z0-9_]{4}")


def _comparable(text: str) -> str | bytes:
    """A msgid as rapidfuzz compares it: its UTF-8 bytes, as gettext does. An ASCII msgid is
    kept as it is (the same sequence of values, so the same scores), not copied: the copies were
    a twentieth of the memory of a large merge."""
    return text if text.isascii() else text.encode()


def _utf8(text: str | bytes) -> bytes:
    return text.encode() if isinstance(text, str) else text


def _postings(keys: Iterable[set[_Key]], wanted: set[_Key]) -> dict[_Key, array[int]]:
    """For each wanted key, the numbers of the candidates that have it, in order."""
    postings: dict[_Key, array[int]] = {}
    for number, own in enumerate(keys):
        for key in own & wanted:
            postings.setdefault(key, array("i")).append(number)  # 4 bytes a number, not 36
    return postings


def _most_common(counts: Counter[int], limit: int) -> list[int]:
    """``Counter.most_common`` (the same order, ties included) by a sort in C: its heap runs in
    Python and was the slowest part of a large merge."""
    ranked = sorted(counts.items(), key=operator.itemgetter(1), reverse=True)
    return [number for number, _ in ranked[:limit]]


_WORD = re.compile(r"\w+")


def _runs(text: str) -> set[int]:
    """The runs of three consecutive words of a text (its words when it has fewer), hashed."""
    words = _WORD.findall(text)
    if len(words) < 3:
        return {hash(word) for word in words}
    # Hashes, not strings: the index of a large catalog holds millions of them; a collision only
    # adds a candidate to the shortlist.
    return set(map(hash, zip(words, words[1:], words[2:], strict=False)))


def _shared(grams: list[str] | None, other: str, length: int, other_length: int) -> int:
    """How many 4-grams of the query the candidate has (-1: msgmerge never compares them)."""
    if grams is None:  # a query under 4 characters: candidates of a comparable byte length
        low, high = -(-length * 3 // 7), length * 7 // 3
        return 0 if low <= other_length <= high else -1
    theirs = set(_grams(other))
    shared = sum(1 for gram in grams if gram in theirs)
    return shared if shared else -1


def _grams(text: str) -> list[str]:
    return [text[i : i + 4] for i in range(len(text) - 3)]


def _fuzzy_pairs(
    news: list[Message], indexes: list[int], candidates: list[Message], cutoff: float, bonus: float
) -> list[tuple[int, Message]]:
    """Assign old translations to new messages by best similarity, each old one at most once."""
    if not candidates:
        return []
    texts = [singular(m.id) for m in candidates]
    by_document: dict[str | None, dict[int, str]] = {}
    for number, message in enumerate(candidates):
        by_document.setdefault(_document(message.context), {})[number] = texts[number]
    scored: list[tuple[float, int, int]] = []
    for position, new in enumerate(news):
        query = singular(new.id)
        document = _document(new.context)
        found: dict[int, float] = {}
        for _, score, number in process.extract(
            query, texts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=CANDIDATES
        ):
            found[number] = score
        same = by_document.get(document) if document is not None else None
        if same:  # the same document needs a little less similarity: its bonus
            for _, score, key in process.extract(
                query, same, scorer=fuzz.ratio, score_cutoff=cutoff - bonus, limit=2
            ):
                found[int(key)] = score
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


# -- the header ------------------------------------------------------------------------------------


def merge_header(old: Header | None, template: Header | None) -> Header | None:
    """The header msgmerge writes: the catalog's, with the template's POT-Creation-Date and
    Report-Msgid-Bugs-To, a Language field, the known fields in gettext's order, and UTF-8
    when the two files declare different charsets. A catalog without a header gets none."""
    if old is None:
        return None
    header = old
    for name in ("Report-Msgid-Bugs-To", "POT-Creation-Date"):
        value = template.get(name) if template is not None else None
        if value is not None:
            header = header.with_field(name, value)
    if header.get("Language") is None and header.get("Language-Team") is not None:
        team = re.search(r"<([A-Za-z_@]+)@li\.org>", header.get("Language-Team") or "")
        header = header.with_field("Language", team.group(1) if team else "")
    ours, theirs = header.charset, template.charset if template is not None else None
    if ours and theirs and theirs.upper() != "CHARSET" and _canonical(ours) != _canonical(theirs):
        content_type = header.get("Content-Type") or ""
        header = header.with_field("Content-Type", re.sub(r"charset=[^\s;]+", "charset=UTF-8", content_type))
    return replace(header, text=_ordered(header), auto_comments=(), locations=())


def _canonical(charset: str) -> str:
    import codecs

    try:
        return codecs.lookup(charset).name
    except LookupError:
        return charset.lower()


def _ordered(header: Header) -> str:
    known = {name.lower(): rank for rank, name in enumerate(KNOWN_FIELDS)}
    lines = [line for line in header.text.split("\n") if line]
    first = sorted(
        (line for line in lines if line.partition(":")[0].strip().lower() in known),
        key=lambda line: known[line.partition(":")[0].strip().lower()],
    )
    rest = [line for line in lines if line.partition(":")[0].strip().lower() not in known]
    return "".join(line + "\n" for line in (*first, *rest))


# -- files -----------------------------------------------------------------------------------------


def merge_files(
    def_po: str | Path,
    ref_pot: str | Path,
    out_po: str | Path,
    *,
    width: int = WIDTH,
    wrap: bool = True,
    segment_contexts: bool = False,
    fuzzy_threshold: float | None = None,
    fuzzy_matching: bool = True,
) -> MergeStats:
    """Merge the template REF into the catalog DEF and write OUT atomically, like msgmerge.

    Both inputs are read completely before anything is written, so a syntax error in either one
    leaves OUT untouched.
    """
    old = read_catalog(def_po)
    template = read_catalog(ref_pot)
    merged, stats = merge_catalog(
        old,
        template,
        segment_contexts=segment_contexts,
        fuzzy_threshold=fuzzy_threshold,
        fuzzy_matching=fuzzy_matching,
        consume_template=True,
    )
    del old, template
    write_catalog(merged, out_po, width=width, wrap=wrap)
    return stats


def update_catalogs(
    locales_dir: str | Path, locales: Iterable[str] | None = None, *, fuzzy_threshold: float | None = None
) -> dict[str, MergeStats]:
    """Merge the template into the catalog of every locale of the product (segment contexts).

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
        merged: dict[str, tuple[PoCatalog, MergeStats]] = {}
        for locale in chosen:
            path = catalog_path(locales_dir, locale)
            old = (
                read_catalog(path, locale=locale)
                if path.exists()
                else Catalog(locale=locale, domain=template.domain, fuzzy=False)
            )
            merged[locale] = merge_catalog(
                old, template, segment_contexts=True, fuzzy_threshold=fuzzy_threshold
            )
        for locale, (catalog, _) in merged.items():
            write_catalog(catalog, catalog_path(locales_dir, locale))
    return {locale: stats for locale, (_, stats) in merged.items()}
