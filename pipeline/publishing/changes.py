"""Change detection: the new corpus against the last published one, by content hash, with text diffs."""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import PublishError
from pipeline.extraction.model import Corpus, Document
from pipeline.fs import write_json_atomic
from pipeline.publishing.published import PublishedSet

CORPUS_FILE = "corpus.json"


@dataclass
class ChangeSet:
    """Which documents were added, changed, removed or left as they were, and how the changed ones differ."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)
    sources: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def text_diff(old: Document, new: Document, context: int = 2) -> str:
    """A unified diff of the plain text of two versions of a document."""
    lines = difflib.unified_diff(
        old.text.splitlines(),
        new.text.splitlines(),
        fromfile=f"{old.id} (published)",
        tofile=f"{new.id} (new)",
        n=context,
        lineterm="",
    )
    return "\n".join(lines)


def diff_corpora(old: Corpus | None, new: Corpus) -> ChangeSet:
    """Compare documents by id and content hash; with no old corpus every document is added."""
    before = old.by_id() if old is not None else {}
    after = new.by_id()
    changes = ChangeSet()

    def note(doc: Document, what: str) -> None:
        getattr(changes, what).append(doc.id)
        per_source = changes.sources.setdefault(
            doc.source, {"added": [], "changed": [], "removed": [], "unchanged": []}
        )
        per_source[what].append(doc.id)

    for doc in new.documents:
        previous = before.get(doc.id)
        if previous is None:
            note(doc, "added")
        elif previous.hash != doc.hash:
            note(doc, "changed")
            changes.diffs[doc.id] = text_diff(previous, doc)
        else:
            note(doc, "unchanged")
    for doc in old.documents if old is not None else []:
        if doc.id not in after:
            note(doc, "removed")
    return changes


def corpus_path(release: Path) -> Path:
    return Path(release) / CORPUS_FILE


def read_corpus(release: Path | None) -> Corpus | None:
    """The corpus a release was published from (None when there is no release or it has none)."""
    if release is None:
        return None
    path = corpus_path(release)
    if not path.exists():
        return None
    try:
        return Corpus.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise PublishError(f"the published corpus is unreadable: {exc}", path=path) from None


def write_corpus(release: Path, corpus: Corpus) -> Path:
    path = corpus_path(release)
    write_json_atomic(path, corpus.to_dict(), compact=True)
    return path


def diff_published(old: PublishedSet | None, new: PublishedSet) -> dict[str, list[str]]:
    """What patients of one locale see differently: documents added, removed, changed in text,
    newly falling back to English, and newly shown translated. Empty lists: nothing visible changed."""
    before = {doc.id: doc for doc in old.documents} if old is not None else {}
    after = {doc.id: doc for doc in new.documents}
    changed = [i for i in after if i in before and after[i].hash != before[i].hash]
    return {
        "added": [i for i in after if i not in before],
        "removed": [i for i in before if i not in after],
        "changed": changed,
        "now_fallback": [i for i in changed if after[i].fallback and not before[i].fallback],
        "now_translated": [i for i in changed if before[i].fallback and not after[i].fallback],
    }
