"""Matching and scoring a built query from per-release caches of Whoosh's own leaf scores.

Whoosh evaluates a query tree by walking matchers document by document in Python; our trees are
wide (six fields per word, typo variants, synonym and abbreviation expansions, bonuses), so that
walk dominated every search. But a tree's score is simple arithmetic over its leaves: Whoosh sums
the scores of the matching children of an ``Or`` and of an ``And`` (which needs every child), and
multiplies by a query's boost. So each leaf (a term, a phrase, a prefix) is scored once by
Whoosh's matcher and weighting (BM25F) at boost 1, kept per release, and a query's documents and
scores are combined from those with dictionaries. The leaves repeat across queries: the fields of
a common word, a synonym's targets, an abbreviation's long form.
"""

from __future__ import annotations

import copy
import heapq
import threading
from typing import Any

from whoosh import query as Q
from whoosh.searching import Searcher

Scores = dict[int, float]
# leaves kept per release; past this the cache starts again (a release's expansions are few)
LEAF_CACHE_SIZE = 20000


def linear(q: Q.Query) -> bool:
    """Whether Whoosh scales a leaf's score by its boost, so one score at boost 1 serves all.

    A term is; a prefix is not (one expanded term ignores the boost, several are summed as
    constant scores times it), and phrases are kept per boost too, to be safe.
    """
    return type(q) is Q.Term


def leaf_key(q: Q.Query) -> tuple[Any, ...]:
    """What decides a leaf's documents and scores (its boost too, unless it is linear)."""
    if not isinstance(q, (Q.Term, Q.Prefix, Q.Phrase)):
        return ("query", repr(q))  # anything else: the whole query, boost included
    words = getattr(q, "words", None)
    return (
        type(q).__name__,
        getattr(q, "fieldname", None),
        getattr(q, "text", None),
        tuple(words) if words else None,
        getattr(q, "slop", None),
        None if linear(q) else q.boost,
    )


class LeafScores:
    """The per-release cache of leaf scores over one searcher, and the algebra over it."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._leaves: dict[tuple[Any, ...], Scores] = {}
        self._lock = threading.Lock()

    def leaf(self, q: Q.Query) -> Scores:
        """Each document a leaf matches, with Whoosh's score for it (at boost 1 if linear)."""
        key = leaf_key(q)
        found = self._leaves.get(key)
        if found is not None:
            return found
        if linear(q):
            q = copy.copy(q)
            q.boost = 1.0
        matcher = q.matcher(self.searcher, self.searcher.context())
        found = {}
        while matcher.is_active():
            found[matcher.id()] = matcher.score()
            matcher.next()
        with self._lock:
            if len(self._leaves) >= LEAF_CACHE_SIZE:
                self._leaves.clear()
            self._leaves[key] = found
        return found

    def docs(self, q: Q.Query) -> set[int]:
        """The documents a query matches: And is the intersection of its parts, Or the union."""
        if isinstance(q, Q.And):
            parts = sorted((self.docs(sub) for sub in q.subqueries), key=len)
            return parts[0].intersection(*parts[1:]) if parts else set()
        if isinstance(q, Q.Or):
            return set().union(*(self.docs(sub) for sub in q.subqueries))
        return set(self.leaf(q))

    def scores(self, q: Q.Query, within: set[int]) -> Scores:
        """The score of each document of ``within`` that the query matches, as Whoosh sums it."""
        compound = isinstance(q, (Q.And, Q.Or))
        if compound and len(q.subqueries) == 1:
            return self.scores(q.subqueries[0], within)  # Whoosh uses a lone child's matcher: no boost
        if isinstance(q, Q.And):
            parts = [self.scores(sub, within) for sub in q.subqueries]
            smallest: Scores = min(parts, key=len) if parts else {}
            common = set(smallest).intersection(*parts)
            out = {d: sum(p[d] for p in parts) for d in common}
        elif isinstance(q, Q.Or):
            out = {}
            for sub in q.subqueries:
                for d, s in self.scores(sub, within).items():
                    out[d] = out.get(d, 0.0) + s
        else:
            leaf = self.leaf(q)
            if len(leaf) > len(within):
                out = {d: leaf[d] for d in within if d in leaf}
            else:
                out = {d: s for d, s in leaf.items() if d in within}
        boost = float(q.boost)
        if boost != 1.0 and (compound or linear(q)):
            out = {d: s * boost for d, s in out.items()}
        return out

    def top(self, q: Q.Query, within: set[int], limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best documents of ``within``: highest score first, then index order."""
        scored = self.scores(q, within)
        return heapq.nsmallest(limit, ((d, s) for d, s in scored.items()), key=lambda ds: (-ds[1], ds[0]))
