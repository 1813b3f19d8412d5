"""The search engine: long-lived searchers over the live release, reopened only when it changes."""

from __future__ import annotations

import html
import os
import threading
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from whoosh import highlight as wh
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.searching import Searcher

from index.analyzers import normalizer, text_analyzer, words
from index.build import INDEX_NAME, NOTHING_PUBLISHED, index_dir
from index.matching import LeafScores
from index.query import MAX_QUERY_CHARS, Lexicon, Plan, QueryBuilder
from index.synonyms import load_synonyms
from pipeline.errors import PortalError, SearchIndexError
from pipeline.publishing.published import PublishedDocument, PublishedSet, read_published
from pipeline.publishing.releases import current_release

FEW_RESULTS = 3
SNIPPET_CHARS = 220
# characters of a long body analyzed for its snippet (two fragments of SNIPPET_CHARS and context)
SNIPPET_WINDOW = 800
# responses kept per release: patients ask the same few questions (a Zipf-shaped mix)
CACHE_SIZE = 4096


@dataclass
class SearchHit:
    id: str
    title: str
    kind: str
    snippet: str
    score: float
    locale: str
    fallback: bool
    url: str


@dataclass
class SearchResponse:
    query: str
    locale: str
    corrected: str | None
    total: int
    results: list[SearchHit] = field(default_factory=list)
    # no document matches every word: these results answer part of the query
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "locale": self.locale,
            "corrected": self.corrected,
            "total": self.total,
            "partial": self.partial,
            "results": [asdict(hit) for hit in self.results],
        }


@dataclass
class Suggestion:
    id: str
    title: str
    url: str


class MarkFormatter(wh.HtmlFormatter):
    """Matches in a bare ``<mark>``; everything else HTML-escaped by the base formatter."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")


def cache_key(query: str) -> str:
    """The normalized query a cached response is kept under: what the query builder sees.

    Case, spacing and punctuation do not change a plan ("What is anemia?" = "what is anemia"),
    so they share an entry. Two things do and stay in the key: a word in capitals (an
    abbreviation such as "IT" is not the stop word "it") and a trailing space (it turns off the
    prefix match of the last word).
    """
    kept = " ".join(w if w.isupper() else w.lower() for w in words(query[:MAX_QUERY_CHARS]))
    return kept + " " if query.endswith((" ", "\t")) and kept else kept


def snippet_window(body: str, highlight: set[str]) -> str:
    """The part of a long body around the first place a matched word seems to be.

    Highlighting analyzes (stems) every word of the text it gets, and a page's body is long while
    a snippet is short. A stem is looked for as lower-case text: a cheap guess that misses folded
    or changed forms (then the caller highlights the whole body, as before).
    """
    if len(body) <= SNIPPET_WINDOW:
        return body
    lowered = body.lower()
    found = [at for term in highlight if len(term) >= 3 and (at := lowered.find(term)) >= 0]
    if not found:
        return body
    start = max(0, min(found) - SNIPPET_WINDOW // 3)
    if start:
        start = body.find(" ", start) + 1 or start
    return body[start : start + SNIPPET_WINDOW]


def _term_text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


class _LocaleIndex:
    """One locale of one release: index, searcher, published set, lexicon and query builder."""

    def __init__(self, release: Path, locale: str) -> None:
        folder = index_dir(release, locale)
        if not whoosh_index.exists_in(str(folder), indexname=INDEX_NAME):
            raise SearchIndexError(
                "no index for this locale; run `portal index build`", locale=locale, path=folder
            )
        try:
            self.ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
            self.searcher: Searcher = self.ix.searcher()
        except Exception as exc:  # Whoosh raises many kinds for a damaged index
            raise SearchIndexError(
                f"the index cannot be opened ({type(exc).__name__}); run `portal index build --full`",
                locale=locale,
                path=folder,
            ) from None
        self.release = release
        self.locale = locale
        self._published: PublishedSet | None = None
        # leaf scores from Whoosh, combined per query (index.matching): opened once per release
        self.leaves = LeafScores(self.searcher)
        reader = self.searcher.reader()
        freq = {}
        for term, info in reader.iter_field("plain"):
            freq[_term_text(term)] = info.doc_frequency()
        self.lexicon = Lexicon(sorted(freq), freq)
        titles = frozenset(_term_text(term) for term, _ in reader.iter_field("exact"))
        self.builder = QueryBuilder(
            locale, self.lexicon, self.published.abbreviations, load_synonyms(locale), titles
        )
        self.analyzer = text_analyzer(locale)

    @property
    def published(self) -> PublishedSet:
        if self._published is None:
            try:
                self._published = read_published(self.release, self.locale)
            except PortalError:
                self._published = PublishedSet(self.locale, [], {})
        return self._published

    def close(self) -> None:
        self.searcher.close()


class SearchEngine:
    """Search, suggest and look up documents in the live release of a data directory.

    Keep one engine for the life of a process: searchers stay open between queries and are
    reopened only when ``data_dir/current`` points to another release. Thread-safe.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.RLock()
        self._open: dict[str, _LocaleIndex] = {}
        self._release: Path | None = None
        self._cache: OrderedDict[tuple[str, str, int], SearchResponse] = OrderedDict()
        # held only for dictionary operations: a cache lookup never waits behind a running search
        self._cache_lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------

    def _live(self) -> Path:
        link = self.data_dir / "current"
        target: Path | None
        try:
            target = (self.data_dir / os.readlink(link)).resolve()
        except OSError:
            target = current_release(self.data_dir)
        if target is None or not target.is_dir():
            raise SearchIndexError(NOTHING_PUBLISHED, path=self.data_dir)
        return target

    def _index(self, locale: str) -> _LocaleIndex:
        release = self._live()
        if release != self._release:
            self.close()
            self._release = release
        opened = self._open.get(locale)
        if opened is None:
            opened = self._open[locale] = _LocaleIndex(release, locale)
        return opened

    def close(self) -> None:
        with self._lock:
            for opened in self._open.values():
                opened.close()
            self._open.clear()
            with self._cache_lock:
                self._cache.clear()
            self._release = None

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- search -----------------------------------------------------------------------------

    def _matching(self, ix: _LocaleIndex, plan: Plan) -> tuple[set[int], bool]:
        """The documents to return, and whether they answer only part of the query.

        Documents must match enough concepts (``plan.required``). When none does, the query is
        answered in part -- the documents that match the most concepts, ranked by score (the
        matched words' weight) -- unless most of its concepts occur nowhere in the corpus: "dog
        food" must not become "food". A lay phrase counts as the words it covers. Counting here
        also gives the total: Whoosh's own count either runs the whole scored query a second time
        or, with block-quality optimizations off, undercounts.
        """
        counts: Counter[int] = Counter()
        known = 0
        for concept in plan.concepts:
            found = ix.leaves.docs(concept.query)
            counts.update(found)
            known += concept.weight if found else 0
        best = max(counts.values(), default=0)
        wanted = len(plan.concepts)
        if best >= max(plan.required, 1):
            return {d for d, c in counts.items() if c >= plan.required}, best < wanted
        if best == 0 or 2 * known <= sum(c.weight for c in plan.concepts):
            return set(), False
        floor = max(1, (best + 1) // 2)
        return {d for d, c in counts.items() if c >= floor}, True

    def _run(self, ix: _LocaleIndex, plan: Plan, limit: int) -> tuple[int, bool, list[SearchHit]]:
        if plan.scoring is None:
            return 0, False, []
        allowed, partial = self._matching(ix, plan)
        if not allowed or limit <= 0:
            return len(allowed), partial, []
        best = ix.leaves.top(plan.scoring, allowed, limit)
        hits = [self._hit(ix, ix.searcher.stored_fields(d), score, plan) for d, score in best]
        return len(allowed), partial, hits

    def _hit(self, ix: _LocaleIndex, stored: dict[str, Any], score: float, plan: Plan) -> SearchHit:
        return SearchHit(
            id=stored["id"],
            title=stored["title"],
            kind=stored["kind"],
            snippet=self._snippet(ix, stored.get("body", ""), plan),
            score=round(float(score), 4),
            locale=stored["locale"],
            fallback=bool(stored.get("fallback")),
            url=stored.get("url", ""),
        )

    def _snippet(self, ix: _LocaleIndex, body: str, plan: Plan) -> str:
        if plan.highlight and body:
            # the window first; the whole body only when the window's guess was wrong
            window = snippet_window(body, plan.highlight)
            text = self._highlight(ix, window, plan)
            if not text and window is not body:
                text = self._highlight(ix, body, plan)
            if text:
                return text
        short = body[:SNIPPET_CHARS]
        if len(body) > SNIPPET_CHARS:
            short = short.rsplit(" ", 1)[0] + " …"
        return html.escape(short, quote=False)

    @staticmethod
    def _highlight(ix: _LocaleIndex, text: str, plan: Plan) -> str:
        fragmenter = wh.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
        try:
            return str(wh.highlight(text, plan.highlight, ix.analyzer, fragmenter, MarkFormatter(), top=2))
        except Exception:  # a snippet must never cost the result
            return ""

    def cached(self, query: str, locale: str = "en", limit: int = 10) -> SearchResponse | None:
        """The response of a search already run against the live release, or None (never blocks long)."""
        key = (cache_key(query), locale, limit)
        release = self._release
        try:
            if release is None or self._live() != release:
                return None
        except SearchIndexError:
            return None
        hit = self._remember(key)
        return None if hit is None else replace(hit, query=query)

    def _remember(
        self, key: tuple[str, str, int], response: SearchResponse | None = None
    ) -> SearchResponse | None:
        """Look a response up (and mark it recent), or store one, evicting the least recent."""
        with self._cache_lock:
            if response is None:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                return hit
            self._cache[key] = response
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return response

    def search(self, query: str, locale: str = "en", limit: int = 10) -> SearchResponse:
        """Search one locale; any string gives a response (possibly empty), never a query error."""
        query = query if isinstance(query, str) else str(query)
        limit = max(0, int(limit))
        key = (cache_key(query), locale, limit)
        with self._lock:
            ix = self._index(locale)  # a new release empties the cache
            hit = self._remember(key)
            if hit is not None:
                return replace(hit, query=query)
            plan = ix.builder.plan(query)
            total, partial, hits = self._run(ix, plan, limit)
            corrected = None
            if total < FEW_RESULTS and plan.words:
                # only offered, never applied: a 4-letter word gets no silent edit
                corrected = ix.builder.correction(plan)
            response = SearchResponse(
                query=query, locale=locale, corrected=corrected, total=total, results=hits, partial=partial
            )
            self._remember(key, response)
            return response

    def suggest(self, prefix: str, locale: str = "en", limit: int = 8) -> list[Suggestion]:
        """Titles that complete what the patient has typed so far."""
        with self._lock:
            ix = self._index(locale)
            typed = words((prefix or "")[:200])[:8]
            if not typed or limit <= 0:
                return []
            norm = normalizer(locale)
            parts: list[Q.Query] = []
            for position, word in enumerate(typed):
                surface = norm(word)
                grams = [t.text for t in ix.builder.plain_analyzer(surface)]
                if position == len(typed) - 1 and len(grams) <= 1:
                    parts.append(Q.Prefix("label", surface))
                else:
                    parts.extend(Q.Term("label", g) for g in grams)
            query = Q.And(parts) if len(parts) > 1 else parts[0]
            results = ix.searcher.search(query, limit=limit * 3, terms=False)
            rows = sorted(
                ((hit.fields(), hit.score) for hit in results),
                key=lambda row: (row[0]["kind"] != "glossary", -row[1], row[0]["title"].lower()),
            )
            return [Suggestion(f["id"], f["title"], f.get("url", "")) for f, _ in rows[:limit]]

    def document(self, doc_id: str, locale: str = "en") -> PublishedDocument | None:
        """The published document with this id in a locale, or None."""
        with self._lock:
            ix = self._index(locale)
            for doc in ix.published.documents:
                if doc.id == doc_id:
                    return doc
            return None
