"""Change detection between the published corpus and a new one."""

from __future__ import annotations

from pipeline.extraction.model import Corpus, Document, element
from pipeline.publishing.changes import diff_corpora, read_corpus, write_corpus


def doc(slug: str, text: str, source: str = "glossary") -> Document:
    return Document(
        id=f"glossary/{slug}", source=source, kind="glossary", title=slug.title(), body=[element("p", [text])]
    )


def test_added_changed_removed_unchanged_with_a_text_diff():
    old = Corpus(
        [doc("anemia", "Too few red cells."), doc("platelets", "Help clotting."), doc("gone", "Old.")]
    )
    new = Corpus(
        [doc("anemia", "Too few red blood cells."), doc("platelets", "Help clotting."), doc("fresh", "New.")]
    )
    changes = diff_corpora(old, new)
    assert changes.added == ["glossary/fresh"]
    assert changes.changed == ["glossary/anemia"]
    assert changes.removed == ["glossary/gone"]
    assert changes.unchanged == ["glossary/platelets"]
    assert changes.counts() == {"added": 1, "changed": 1, "removed": 1, "unchanged": 1}
    diff = changes.diffs["glossary/anemia"]
    assert "-Too few red cells." in diff and "+Too few red blood cells." in diff
    assert changes.sources["glossary"]["changed"] == ["glossary/anemia"]
    assert changes.any


def test_first_publication_adds_everything_and_same_corpus_changes_nothing():
    corpus = Corpus([doc("anemia", "Too few red cells.")])
    assert diff_corpora(None, corpus).added == ["glossary/anemia"]
    same = diff_corpora(corpus, Corpus([doc("anemia", "Too few red cells.")]))
    assert not same.any and same.unchanged == ["glossary/anemia"] and same.diffs == {}


def test_corpus_round_trips_through_a_release(tmp_path):
    corpus = Corpus([doc("anemia", "Too few red cells.")], abbreviations={"MM": "multiple myeloma"})
    assert read_corpus(tmp_path) is None and read_corpus(None) is None
    write_corpus(tmp_path, corpus)
    again = read_corpus(tmp_path)
    assert again.to_dict() == corpus.to_dict()
