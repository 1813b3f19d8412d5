"""Contracts: what a page must yield under its profile, checked point by point.

Each point has a label and passes or fails with a reason, so `portal profile preview` can show
them all and extraction can fail loudly on the first page that breaks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.extraction.model import Document
from pipeline.extraction.profile import ContractSpec

__all__ = ["Point", "check_contract"]


@dataclass(frozen=True)
class Point:
    """One contract point: what it asks, and the problem when it fails (empty when it passes)."""

    label: str
    problem: str = ""

    @property
    def passed(self) -> bool:
        return not self.problem


def _unique(documents: list[Document]) -> Point:
    seen: set[str] = set()
    for doc in documents:
        if doc.id in seen:
            return Point("unique ids", f"duplicate document id {doc.id!r} (two entries with the same title)")
        seen.add(doc.id)
    return Point("unique ids")


def _counts(spec: ContractSpec, documents: list[Document]) -> list[Point]:
    points = []
    if spec.min_entries:
        n = sum(1 for d in documents if d.kind == "glossary")
        problem = f"found {n} glossary entries, the contract needs at least {spec.min_entries}"
        points.append(
            Point(f"at least {spec.min_entries} glossary entries", "" if n >= spec.min_entries else problem)
        )
    if spec.min_documents:
        n = len(documents)
        problem = f"found {n} documents, the contract needs at least {spec.min_documents}"
        points.append(
            Point(f"at least {spec.min_documents} documents", "" if n >= spec.min_documents else problem)
        )
    return points


def _phrases(label: str, needles: list[str], text: str) -> list[Point]:
    return [Point(f"{label} mentions {n!r}", "" if n in text else f"the {label} lacks {n}") for n in needles]


def check_contract(spec: ContractSpec, documents: list[Document], source_id: str) -> list[Point]:
    """Every point of the contract, in a stable order."""
    points = [_unique(documents), *_counts(spec, documents)]
    present = {d.id for d in documents}
    for wanted in (r.format(source=source_id) for r in spec.required):
        points.append(
            Point(f"section {wanted}", "" if wanted in present else f"missing section(s): {wanted}")
        )
    points += _phrases("page text", spec.phrases, "\n".join(d.text for d in documents))
    safety = "\n".join(d.text for d in documents if d.kind == "safety")
    points += _phrases("safety content", spec.safety_phrases, safety)
    return points
