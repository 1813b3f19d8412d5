"""Extraction: source page bytes -> documents, checked against each profile's contract."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.extraction.dom import NotHtml, parse_page
from pipeline.extraction.model import Corpus, Document, slugify
from pipeline.extraction.profiles import PROFILE_FUNCTIONS, ContractBreach, Extracted
from pipeline.extraction.sources import Source, read_snapshot

PHONE = re.compile(r"\b1-\d{3}-[0-9A-Z]{3}-\d{4}\b")
REGISTERED = re.compile(r"\b([A-Z][A-Z]{1,}(?: [A-Z]{2,})*)®")
PARENTHETICAL = re.compile(r"((?:[A-Za-z][\w-]*®? ){1,6})\(([A-Z][A-Za-z]{0,5})®?\)")
KNOWN_BRANDS = ("POMALYST", "REVLIMID", "THALOMID", "REMS", "NCCN", "FDA", "MedWatch")


@dataclass(frozen=True)
class Contract:
    """What a profile must find on its page; each check returns a problem or None."""

    profile: str
    checks: tuple[Callable[[Extracted], str | None], ...]

    def problems(self, found: Extracted) -> list[str]:
        return [p for p in (check(found) for check in self.checks) if p]


def _min_glossary(count: int) -> Callable[[Extracted], str | None]:
    def check(found: Extracted) -> str | None:
        n = sum(1 for d in found.documents if d.kind == "glossary")
        return None if n >= count else f"found {n} glossary entries, the contract needs at least {count}"

    return check


def _unique_ids(found: Extracted) -> str | None:
    seen: set[str] = set()
    for doc in found.documents:
        if doc.id in seen:
            return f"duplicate document id {doc.id!r} (two entries with the same title)"
        seen.add(doc.id)
    return None


def _has_docs(*ids: str) -> Callable[[Extracted], str | None]:
    def check(found: Extracted) -> str | None:
        present = {d.id for d in found.documents}
        missing = [i for i in ids if i not in present]
        return f"missing section(s): {', '.join(missing)}" if missing else None

    return check


def _isi_mentions(*needles: str) -> Callable[[Extracted], str | None]:
    def check(found: Extracted) -> str | None:
        text = found.facts.get("isi_text", "")
        missing = [n for n in needles if n not in text]
        return f"the Important Safety Information lacks {', '.join(missing)}" if missing else None

    return check


ISI_QUESTIONS = (
    "What is the most important information I should know about POMALYST?",
    "Who should not take POMALYST?",
    "What should I tell my healthcare provider (HCP) before taking POMALYST?",
    "How should I take POMALYST?",
    "What are the possible side effects of POMALYST?",
)

CONTRACTS: dict[str, Contract] = {
    "glossary": Contract("glossary", (_min_glossary(30), _unique_ids)),
    "relapse": Contract(
        "relapse",
        (
            _unique_ids,
            _has_docs(
                "isi/warnings",
                *(f"isi/{slugify(q)}" for q in ISI_QUESTIONS),
                "relapse/important-dosing-information-for-pomalyst",
                "relapse/pomalyst-indication",
            ),
            _isi_mentions("1-888-423-5436", "1-800-FDA-1088"),
        ),
    ),
}


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


def extract_page(source: Source, data: bytes) -> tuple[list[Document], dict[str, str]]:
    """Extract one page's documents and abbreviations, or raise ExtractionError."""

    def broken(problem: str) -> ExtractionError:
        return ExtractionError(
            source=source.id, profile=source.profile, problem=problem, file=source.snapshot
        )

    try:
        root = parse_page(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise broken(f"not valid UTF-8: byte 0x{data[exc.start]:02x} at line {line}") from None
    except NotHtml as exc:
        raise broken(str(exc)) from None
    try:
        found = PROFILE_FUNCTIONS[source.profile](root, source)
    except ContractBreach as exc:
        raise broken(str(exc)) from None
    problems = CONTRACTS[source.profile].problems(found)
    if problems:
        raise broken("; ".join(problems))
    abbreviations = dict(found.abbreviations)
    for doc in found.documents:
        doc.fields["phones"] = find_phones(doc.text)
        doc.fields["brands"] = find_brands(doc.text)
        for short, long in find_abbreviations(doc.text).items():
            abbreviations.setdefault(short, long)
    # The hash covers the metadata too, so recompute it once the fields are final.
    documents = [Document.from_dict({**d.to_dict(), "hash": ""}) for d in found.documents]
    return documents, abbreviations


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
