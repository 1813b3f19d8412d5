"""Scores combined from cached leaves must be Whoosh's own: same documents, same order, same scores."""

from __future__ import annotations

import pytest
from whoosh import query as Q

from index.matching import LeafScores

QUERIES = [
    ("low platelets", "en"),
    ("nutropenia", "en"),
    ("VGPR", "en"),
    ("how do I know if my cancer came back", "en"),
    ("blood clots in my legs", "en"),
    ("thromb", "en"),
    ("plaquetas bajas", "es"),
    ("deshidratacion", "es"),
    ("贫血", "zh_Hans"),
]


def whoosh_top(ix, q: Q.Query, allowed: set[int], limit: int = 10) -> list[tuple[int, float]]:
    if not allowed:  # Whoosh reads an empty filter as no filter at all
        return []
    results = ix.searcher.search(q, limit=limit, terms=False, filter=allowed)
    return [(hit.docnum, round(hit.score, 6)) for hit in results]


def ours_top(ix, q: Q.Query, allowed: set[int], limit: int = 10) -> list[tuple[int, float]]:
    return [(d, round(s, 6)) for d, s in LeafScores(ix.searcher).top(q, allowed, limit)]


@pytest.mark.parametrize(("text", "locale"), QUERIES)
def test_combined_scores_equal_whoosh_scores(engine, text: str, locale: str) -> None:
    engine.search(text, locale=locale)
    ix = engine._index(locale)
    plan = ix.builder.plan(text)
    assert plan.scoring is not None
    allowed, _ = engine._matching(ix, plan)
    assert ours_top(ix, plan.scoring, allowed) == whoosh_top(ix, plan.scoring, allowed)
    # the documents of each concept are Whoosh's too
    for concept in plan.concepts:
        assert ix.leaves.docs(concept.query) == set(concept.query.docs(ix.searcher))


def test_boosts_follow_whoosh_where_it_ignores_them(engine) -> None:
    """A compound of one child, and a prefix with one expansion, score without their boost."""
    ix = engine._index("en")
    everything = set(range(ix.searcher.doc_count_all()))
    for q in (
        Q.And([Q.Term("body", "platelet")], boost=8.4),
        Q.Or([Q.Term("title", "anemia")], boost=3.0),
        Q.Prefix("plain", "thrombocytopeni", boost=0.3),
        Q.Prefix("plain", "neutro", boost=0.3),
        Q.Phrase("body", ["blood", "clot"], boost=3.0),
    ):
        assert ours_top(ix, q, everything) == whoosh_top(ix, q, everything), q
