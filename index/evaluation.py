"""Relevance evaluation: judged queries per locale, scored by MRR, success@k and nDCG@10 per category.

A judgment file (``tests/relevance/<locale>.toml``) holds ``[[query]]`` tables::

    [[query]]
    q = "low platelets"
    category = "lay"
    relevant = ["glossary/thrombocytopenia"]        # the answers (grade 2)
    partial = ["isi/what-are-the-possible-side-effects-of-pomalyst"]   # also useful (grade 1)

MRR and success@k count the rank of the first ``relevant`` document. A query of category
``none`` ("should return nothing") has no answers and scores 1 on every metric when the engine
returns no results at all, 0 otherwise: a patient asking about dog food must see "no results",
not a safety section that happens to contain "food".
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pipeline.errors import SearchIndexError

CATEGORIES = (
    "exact",
    "lay",
    "symptom",
    "question",
    "abbreviation",
    "misspelling",
    "no-accents",
    "variant",
    "safety",
    "none",
)
NONE_CATEGORY = "none"


class Searches(Protocol):
    def search(self, query: str, locale: str = "en", limit: int = 10): ...


@dataclass
class Judgment:
    q: str
    category: str
    relevant: list[str]
    partial: list[str] = field(default_factory=list)


@dataclass
class QueryScore:
    judgment: Judgment
    ranked: list[str]
    rr: float
    ndcg: float

    def success(self, k: int) -> float:
        if self.judgment.category == NONE_CATEGORY:
            return self.rr
        return 1.0 if self.rr > 0 and 1 / self.rr <= k else 0.0


@dataclass
class Metrics:
    count: int
    mrr: float
    success_at_1: float
    success_at_3: float
    ndcg_at_10: float

    @classmethod
    def of(cls, scores: list[QueryScore]) -> Metrics:
        n = len(scores) or 1
        return cls(
            len(scores),
            sum(s.rr for s in scores) / n,
            sum(s.success(1) for s in scores) / n,
            sum(s.success(3) for s in scores) / n,
            sum(s.ndcg for s in scores) / n,
        )


@dataclass
class EvalReport:
    locale: str
    scores: list[QueryScore]

    @property
    def overall(self) -> Metrics:
        return Metrics.of(self.scores)

    def by_category(self) -> dict[str, Metrics]:
        cats = sorted(
            {s.judgment.category for s in self.scores},
            key=lambda c: (CATEGORIES.index(c) if c in CATEGORIES else 99, c),
        )
        return {c: Metrics.of([s for s in self.scores if s.judgment.category == c]) for c in cats}

    def failures(self) -> list[QueryScore]:
        return [s for s in self.scores if s.success(1) < 1.0]

    def table(self) -> str:
        rows = [f"{'category':<14}{'n':>4}{'MRR':>8}{'S@1':>8}{'S@3':>8}{'nDCG@10':>9}"]
        for name, m in [*self.by_category().items(), ("ALL", self.overall)]:
            rows.append(
                f"{name:<14}{m.count:>4}{m.mrr:>8.3f}{m.success_at_1:>8.3f}{m.success_at_3:>8.3f}{m.ndcg_at_10:>9.3f}"
            )
        return "\n".join(rows)

    def to_dict(self) -> dict:
        def m(x: Metrics) -> dict:
            return vars(x)

        return {
            "locale": self.locale,
            "overall": m(self.overall),
            "categories": {k: m(v) for k, v in self.by_category().items()},
            "failures": [
                {
                    "q": s.judgment.q,
                    "category": s.judgment.category,
                    "expected": s.judgment.relevant,
                    "got": s.ranked[:3],
                }
                for s in self.failures()
            ],
        }


def load_judgments(path: Path) -> list[Judgment]:
    """Read a judgment file; a malformed one is a one-line SearchIndexError."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SearchIndexError("no judged queries", path=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SearchIndexError(f"judged queries are not valid TOML: {exc}", path=path) from None
    out = []
    for i, row in enumerate(data.get("query", []), 1):
        try:
            out.append(
                Judgment(
                    q=str(row["q"]),
                    category=str(row["category"]),
                    relevant=list(row.get("relevant", [])),
                    partial=list(row.get("partial", [])),
                )
            )
        except (KeyError, TypeError) as exc:
            raise SearchIndexError(f"judged query #{i} is missing {exc}", path=path) from None
        if out[-1].category != NONE_CATEGORY and not out[-1].relevant:
            raise SearchIndexError(f"judged query {out[-1].q!r} has no relevant documents", path=path)
    return out


def score(judgment: Judgment, ranked: list[str]) -> QueryScore:
    """Reciprocal rank and nDCG@10 of one ranking."""
    if judgment.category == NONE_CATEGORY:
        empty = 1.0 if not ranked else 0.0
        return QueryScore(judgment, ranked, empty, empty)
    relevant = set(judgment.relevant)
    rr = next((1.0 / rank for rank, doc in enumerate(ranked, 1) if doc in relevant), 0.0)
    grades = {**dict.fromkeys(judgment.partial, 1), **dict.fromkeys(judgment.relevant, 2)}
    dcg = sum((2 ** grades.get(doc, 0) - 1) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:10], 1))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return QueryScore(judgment, ranked, rr, dcg / idcg if idcg else 0.0)


def evaluate(engine: Searches, locale: str, judgments: list[Judgment], *, limit: int = 10) -> EvalReport:
    """Run every judged query through the engine and score it."""
    scores = []
    for judgment in judgments:
        response = engine.search(judgment.q, locale=locale, limit=limit)
        scores.append(score(judgment, [hit.id for hit in response.results]))
    return EvalReport(locale, scores)
