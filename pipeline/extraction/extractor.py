"""Extraction: source page bytes -> documents, checked against each profile's contract."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.extraction.contract import Point, check_contract
from pipeline.extraction.dom import NotHtml, parse_page
from pipeline.extraction.heuristics import read_generic
from pipeline.extraction.model import Corpus, Document
from pipeline.extraction.profile import AUTO, ContractSpec, load_profile, resolve_profile
from pipeline.extraction.reader import ContractBreach, Extracted, read_page
from pipeline.extraction.sources import Source, read_snapshot

__all__ = [
    "Inspection",
    "extract_page",
    "extract_sources",
    "find_abbreviations",
    "find_brands",
    "find_phones",
    "inspect_page",
    "summary",
]

PHONE = re.compile(r"\b1-\d{3}-[0-9A-Z]{3}-\d{4}\b")
REGISTERED = re.compile(r"\b([A-Z][A-Z]{1,}(?: [A-Z]{2,})*)®")
PARENTHETICAL = re.compile(r"((?:[A-Za-z][\w-]*®? ){1,6})\(([A-Z][A-Za-z]{0,5})®?\)")
KNOWN_BRANDS = ("POMALYST", "REVLIMID", "THALOMID", "REMS", "NCCN", "FDA", "MedWatch")


def find_phones(text: str) -> list[str]:
    return sorted(set(PHONE.findall(text)))


def find_brands(text: str) -> list[str]:
    found = {m.group(1) for m in REGISTERED.finditer(text)}
    found.update(b for b in KNOWN_BRANDS if re.search(rf"\b{re.escape(b)}\b", text))
    return sorted(found)


def _subsequence(letters: list[str], text: str) -> bool:
    rest = iter(text)
    return all(letter in rest for letter in letters)


def find_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations defined in running text: 'multiple myeloma (MM)' -> {'MM': 'multiple myeloma'}."""
    found: dict[str, str] = {}
    for match in PARENTHETICAL.finditer(text):
        words = match.group(1).replace("®", "").split()
        short = match.group(2)
        letters = [c for c in short.rstrip("s") if c.isupper()] if not short.islower() else []
        if not letters:
            continue
        for size in range(len(letters) and 1, min(len(words), len(letters)) + 1):
            candidate = words[-size:]
            joined = "".join(candidate).upper()
            if candidate[0][0].upper() == letters[0] and _subsequence(letters, joined):
                found[short] = " ".join(candidate).lower()
                break
    return found


@dataclass
class Inspection:
    """What a profile makes of one page: documents, contract points, and why it stopped, if it did."""

    documents: list[Document] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    points: list[Point] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    breach: str = ""

    @property
    def problems(self) -> list[str]:
        return [self.breach] if self.breach else [p.problem for p in self.points if not p.passed]


def _read(source: Source, root: Any) -> tuple[Extracted, ContractSpec]:
    path = source.profile_file
    if path is None and source.profile != AUTO:  # a Source built by hand names its profile only
        path = resolve_profile(source.profile, source.snapshot.parent, source=source.id)
    if path is None:
        return read_generic(root, source), ContractSpec()
    profile = load_profile(path)
    return read_page(root, source, profile), profile.contract


def _parse(source: Source, data: bytes) -> Any:
    try:
        return parse_page(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NotHtml(f"not valid UTF-8: byte 0x{data[exc.start]:02x} at line {line}") from None


def _finish(found: Extracted) -> tuple[list[Document], dict[str, str]]:
    abbreviations = dict(found.abbreviations)
    for doc in found.documents:
        doc.fields["phones"] = find_phones(doc.text)
        doc.fields["brands"] = find_brands(doc.text)
        for short, long in find_abbreviations(doc.text).items():
            abbreviations.setdefault(short, long)
    # The hash covers the metadata too, so recompute it once the fields are final.
    documents = [Document.from_dict({**d.to_dict(), "hash": ""}) for d in found.documents]
    return documents, abbreviations


def inspect_page(source: Source, data: bytes) -> Inspection:
    """Run a source's profile over page bytes and check every contract point; never raises on a
    broken page (a profile that cannot be read still raises ProfileError)."""
    try:
        found, spec = _read(source, _parse(source, data))
    except (NotHtml, ContractBreach) as exc:
        return Inspection(breach=str(exc))
    documents, abbreviations = _finish(found)
    points = check_contract(spec, documents, source.id)
    return Inspection(documents, abbreviations, points, found.notes)


def extract_page(source: Source, data: bytes) -> tuple[list[Document], dict[str, str]]:
    """Extract one page's documents and abbreviations, or raise ExtractionError."""
    inspection = inspect_page(source, data)
    if inspection.problems:
        raise ExtractionError(
            source=source.id,
            profile=source.profile,
            problem="; ".join(inspection.problems),
            file=source.snapshot,
        )
    return inspection.documents, inspection.abbreviations


def extract_sources(sources: list[Source], read: Callable[[Source], bytes] = read_snapshot) -> Corpus:
    """Extract every source in order; the first broken page stops everything downstream of it."""
    documents: list[Document] = []
    abbreviations: dict[str, str] = {}
    for source in sources:
        docs, abbrevs = extract_page(source, read(source))
        documents.extend(docs)
        for short, long in abbrevs.items():
            abbreviations.setdefault(short, long)
    return Corpus(documents=documents, abbreviations=abbreviations)


def summary(corpus: Corpus) -> dict[str, Any]:
    by_source: dict[str, dict[str, int]] = {}
    for doc in corpus.documents:
        counts = by_source.setdefault(doc.source, {})
        counts[doc.kind] = counts.get(doc.kind, 0) + 1
    return {
        "documents": len(corpus.documents),
        "by_source": by_source,
        "abbreviations": len(corpus.abbreviations),
    }
