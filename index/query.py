"""Query understanding: any string a patient types becomes a safe, boosted Whoosh query.

The user string is never parsed as query syntax: it is cut into words, and the query is built
from them. Each word (or lay phrase) is a *concept*; a document must match enough concepts to
be returned, and documents matching all of them, a phrase, a whole title, a lay synonym or an
abbreviation's expansion score higher. Typos are tolerated by edit distance scaled by word
length, like Meilisearch: none under 5 letters, 1 from 5, 2 from 9.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as Q

from index.analyzers import (
    CJK_RE,
    exact_key,
    language,
    normalizer,
    plain_analyzer,
    query_stopwords,
    stemmer,
    text_analyzer,
    words,
)
from index.synonyms import SynonymMatch, Synonyms

MAX_QUERY_CHARS = 512
MAX_WORDS = 12

# Field weights: a word in a title or a name counts far more than one in a body.
W_TITLE, W_NAMES, W_EN, W_BODY, W_PRON = 6.0, 5.0, 3.0, 1.0, 0.3
W_TYPO, W_PREFIX = 0.5, 0.3
W_EXACT, W_SYNONYM, W_ABBR = 25.0, 14.0, 8.0
W_PHRASE_TITLE, W_PHRASE_BODY, W_ALL = 6.0, 3.0, 2.0
# a question word ("when", "cuándo") need not match, but a title asking the same question ranks higher
W_QUESTION = 1.5
# a lay phrase that is not a title ("female partner") is looked for in bodies with this weight
W_BODY_TARGET = 0.6


def typo_budget(word: str) -> int:
    """Edits allowed for a word of this length: none under 5 letters, 1 from 5, 2 from 9."""
    if CJK_RE.search(word) or any(ch.isdigit() for ch in word):
        return 0
    n = len(word)
    return 0 if n < 5 else 1 if n < 9 else 2


@dataclass
class Lexicon:
    """The surface words of an index (field ``plain``) with their document frequencies."""

    terms: list[str]
    freq: dict[str, int]

    def __contains__(self, word: str) -> bool:
        return word in self.freq

    def near(self, word: str, max_edits: int, limit: int = 6) -> list[tuple[str, int]]:
        """Words within ``max_edits`` edits (adjacent swaps count one), closest then commonest."""
        if max_edits <= 0 or not self.terms:
            return []
        found = process.extract(
            word, self.terms, scorer=OSA.distance, score_cutoff=max_edits, limit=limit * 4
        )
        ranked = sorted(
            ((term, int(dist)) for term, dist, _ in found if term != word),
            key=lambda item: (item[1], -self.freq.get(item[0], 0)),
        )
        return ranked[:limit]


@dataclass
class Concept:
    """One word or lay phrase of a query and the Whoosh query that finds it."""

    text: str
    query: Q.Query
    highlight: set[str] = field(default_factory=set)
    # how many of the patient's content words this concept stands for (a lay phrase: several)
    weight: int = 1


@dataclass
class Plan:
    """A built query: what to score, what must match, and what to highlight."""

    scoring: Q.Query | None
    concepts: list[Concept]
    required: int
    highlight: set[str]
    words: list[str]


def required_matches(n: int) -> int:
    """How many of n concepts a document must match: all of 1-2, all but one of 3-4, 60% above."""
    if n <= 2:
        return n
    if n <= 4:
        return n - 1
    return math.ceil(0.6 * n)


class QueryBuilder:
    """Builds plans for one locale from its analyzers, lexicon, abbreviations and synonyms."""

    def __init__(
        self,
        locale: str,
        lexicon: Lexicon,
        abbreviations: dict[str, str],
        synonyms: Synonyms,
        titles: frozenset[str] = frozenset(),
    ) -> None:
        self.locale = locale
        self.titles = titles
        self.lexicon = lexicon
        self.abbreviations = {k.lower(): v for k, v in abbreviations.items()}
        self.synonyms = synonyms
        self.norm: Callable[[str], str] = normalizer(locale)
        self.stem = stemmer(locale)
        self.en_stem = stemmer("en")
        self.stops = query_stopwords(locale)
        self.body_analyzer = text_analyzer(locale)
        self.plain_analyzer = plain_analyzer(locale)
        self.en_analyzer = text_analyzer("en")
        self.segmented = language(locale) == "zh"
        # lay phrases written without spaces (Chinese) stay whole when a query is segmented
        self.cjk_phrases = frozenset(k[0] for k in synonyms.table if len(k) == 1 and CJK_RE.search(k[0]))

    # -- analysis helpers -------------------------------------------------------------------

    def _terms(self, analyzer, text: str) -> list[str]:
        return [t.text for t in analyzer(text)]

    def highlight_terms(self, texts: Iterable[str]) -> set[str]:
        """Body-analyzed forms of words, as the highlighter compares them."""
        out: set[str] = set()
        for text in texts:
            out.update(self._terms(self.body_analyzer, text))
        return out

    def _phrase(self, fieldname: str, analyzer, text: str, boost: float, slop: int = 1) -> Q.Query | None:
        terms = self._terms(analyzer, text)
        if not terms:
            return None
        if len(terms) == 1:
            return Q.Term(fieldname, terms[0], boost=boost)
        return Q.Phrase(fieldname, terms, slop=slop, boost=boost)

    def _target(self, text: str, boost: float) -> list[Q.Query]:
        """Queries that find the document whose title or name is ``text`` (any locale, or English)."""
        subs = [
            Q.Term("exact", exact_key(text, self.locale), boost=boost * 2),
            Q.Term("exact", exact_key(text, "en"), boost=boost * 2),
        ]
        for fieldname, analyzer, weight in (
            ("title", self.body_analyzer, 1.0),
            ("en_names", self.en_analyzer, 0.8),
            ("names", self.plain_analyzer, 0.8),
        ):
            q = self._phrase(fieldname, analyzer, text, boost * weight)
            if q is not None:
                subs.append(q)
        # in bodies all the words are enough: phrase checks over long texts are Whoosh's slowest part
        body = self._terms(self.body_analyzer, text)
        if body:
            keys = {exact_key(text, self.locale), exact_key(text, "en")}
            weight = 0.15 if keys & self.titles else W_BODY_TARGET
            subs.append(Q.And([Q.Term("body", t) for t in body], boost=boost * weight))
        return subs

    # -- words ------------------------------------------------------------------------------

    def _word_queries(self, surface: str, weight: float) -> list[Q.Query]:
        """The per-field queries of one folded word."""
        if CJK_RE.search(surface):
            grams = self._terms(self.plain_analyzer, surface)
            if len(grams) == 1 and len(surface) == 1:
                return [Q.Prefix("plain", surface, boost=weight * W_BODY)]
            out = []
            for fieldname, w in (("title", W_TITLE), ("body", W_BODY), ("label", W_NAMES)):
                out.append(Q.And([Q.Term(fieldname, g) for g in grams], boost=weight * w))
            return out
        stem = self.stem(surface)
        return [
            Q.Term("title", stem, boost=weight * W_TITLE),
            Q.Term("names", surface, boost=weight * W_NAMES),
            Q.Term("en_names", self.en_stem(surface), boost=weight * W_EN),
            Q.Term("body", stem, boost=weight * W_BODY),
            Q.Term("pronunciation", surface, boost=weight * W_PRON),
            Q.Term("plain", surface, boost=weight * W_PRON),
        ]

    def _expansion(self, surface: str) -> str | None:
        """The long form of an abbreviation, singular or plural ("RBC" and "RBCs")."""
        for key in (surface, surface + "s", surface[:-1] if surface.endswith("s") else None):
            if key and key in self.abbreviations:
                return self.abbreviations[key]
        return None

    def _word_concept(self, raw: str, surface: str, *, last: bool) -> Concept:
        subs = self._word_queries(surface, 1.0)
        shown = {raw}
        # a word the index knows is taken as typed: looking for its neighbours costs a scan of the
        # whole vocabulary and only adds near-misses ("anemia" -> "anemic")
        budget = 0 if surface in self.lexicon else typo_budget(surface)
        for variant, dist in self.lexicon.near(surface, budget):
            subs.extend(self._word_queries(variant, W_TYPO / dist))
            shown.add(variant)
        if last and len(surface) >= 3 and not CJK_RE.search(surface):
            subs.append(Q.Prefix("plain", surface, boost=W_PREFIX))
            subs.append(Q.Prefix("label", surface, boost=W_PREFIX * 4))
        expansion = self._expansion(surface)
        if expansion and (raw.isupper() or surface not in self.stops):
            subs.extend(self._target(expansion, W_ABBR))
            shown.add(expansion)
        return Concept(raw, Q.Or(subs), self.highlight_terms(shown))

    # -- the plan ---------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """The words of a query; Chinese is segmented into words (lay phrases kept whole)."""
        found = words((text or "")[:MAX_QUERY_CHARS])[: MAX_WORDS * 3]
        if not self.segmented:
            return found
        out: list[str] = []
        for word in found:
            if CJK_RE.search(word):
                from index.segmenter import segment

                out.extend(segment(word, self.cjk_phrases))
            else:
                out.append(word)
        return out[: MAX_WORDS * 3]

    def _lay_matches(self, raw_words: list[str], folded: list[str]) -> dict[int, SynonymMatch]:
        """Lay phrases over the content words of a query, by their start in ``raw_words``.

        Stop words are skipped on both sides: "my legs are swollen" holds the phrase "legs swollen".
        """
        kept = [i for i, f in enumerate(folded) if f not in self.stops or self._is_abbr(raw_words[i], f)]
        found = self.synonyms.matches([folded[i] for i in kept])
        return {kept[m.start]: SynonymMatch(kept[m.start], kept[m.end - 1] + 1, m.targets) for m in found}

    def _is_abbr(self, raw: str, surface: str) -> bool:
        return raw.isupper() and self._expansion(surface) is not None

    def plan(self, text: str, *, prefix_last: bool = True) -> Plan:
        raw_words = self.words(text)
        folded = [self.norm(w) for w in raw_words]
        matches = self._lay_matches(raw_words, folded)
        concepts: list[Concept] = []
        content: list[str] = []
        i = 0
        while i < len(raw_words) and len(concepts) < MAX_WORDS:
            match = matches.get(i)
            if match is not None:
                phrase = " ".join(raw_words[match.start : match.end])
                inner = [
                    self._word_concept(raw_words[j], folded[j], last=False)
                    for j in range(match.start, match.end)
                    if folded[j] not in self.stops
                ]
                # the lay phrase itself (all its words) or one of the terms it stands for
                subs: list[Q.Query] = [Q.And([c.query for c in inner])] if inner else []
                shown = set().union(*(c.highlight for c in inner)) if inner else set()
                for target in match.targets:
                    subs.extend(self._target(target, W_SYNONYM))
                    shown |= self.highlight_terms([target])
                concepts.append(Concept(phrase, Q.Or(subs), shown, weight=max(len(inner), 1)))
                content.extend(f for f in folded[match.start : match.end] if f not in self.stops)
                i = match.end
                continue
            raw, surface = raw_words[i], folded[i]
            if surface and (surface not in self.stops or self._is_abbr(raw, surface)):
                last = prefix_last and i == len(raw_words) - 1 and not text.endswith((" ", "\t"))
                concepts.append(self._word_concept(raw, surface, last=last))
                content.append(surface)
            i += 1
        if not concepts:
            return Plan(None, [], 0, set(), raw_words)
        bonuses: list[Q.Query] = []
        for key in {
            exact_key(text, self.locale),
            exact_key(" ".join(raw_words), self.locale),
            " ".join(content),
        }:
            if key:
                bonuses.append(Q.Term("exact", key, boost=W_EXACT))
        if len(content) > 1:
            joined = " ".join(content)
            for fieldname, analyzer, boost in (
                ("title", self.body_analyzer, W_PHRASE_TITLE),
                ("body", self.body_analyzer, W_PHRASE_BODY),
            ):
                q = self._phrase(fieldname, analyzer, joined, boost)
                if q is not None:
                    bonuses.append(q)
        if len(concepts) > 2:
            bonuses.append(Q.And([c.query for c in concepts], boost=W_ALL))
        asked = {f for f in folded if f in self.stops and len(f) > 2 and not CJK_RE.search(f)}
        bonuses.extend(Q.Term("label", f, boost=W_QUESTION) for f in sorted(asked))
        scoring = Q.Or([c.query for c in concepts] + bonuses)
        highlight = set().union(*(c.highlight for c in concepts))
        return Plan(scoring, concepts, required_matches(len(concepts)), highlight, raw_words)

    def correction(self, plan: Plan) -> str | None:
        """A respelled query when some word is unknown and a close known word exists."""
        changed = False
        out = []
        for raw in plan.words:
            surface = self.norm(raw)
            if surface in self.lexicon or surface in self.stops or CJK_RE.search(surface) or len(surface) < 4:
                out.append(raw)
                continue
            near = self.lexicon.near(
                surface, max(typo_budget(surface), 1) + (1 if len(surface) >= 7 else 0), limit=1
            )
            if near:
                out.append(near[0][0])
                changed = True
            else:
                out.append(raw)
        return " ".join(out) if changed else None
