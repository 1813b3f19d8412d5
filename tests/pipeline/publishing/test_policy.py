"""The publishing rule's related safety sections: the first few, in corpus order, found once."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extraction.model import Corpus, Document, element
from pipeline.publishing.policy import RELATED_LIMIT, SafetyMentions, publish_locale, related_safety


def term(term: str, abbreviation: str | None = None) -> Document:
    fields = {"term": term, **({"abbreviation": abbreviation} if abbreviation else {})}
    return Document(
        id=f"glossary/{term.lower()}", source="glossary", kind="glossary", title=term,
        body=[element("p", [f"About {term}."])], fields=fields,
    )  # fmt: skip


def section(number: int, text: str) -> Document:
    return Document(
        id=f"isi/s{number:03d}", source="isi", kind="safety", title=f"Section {number}",
        body=[element("p", [text])],
    )  # fmt: skip


def brute_force(doc: Document, corpus: Corpus) -> list[str]:
    """Every safety section mentioning the term or its abbreviation as a whole word, in order."""
    needles = [doc.fields["term"], *([doc.fields["abbreviation"]] if "abbreviation" in doc.fields else [])]
    patterns = [re.compile(rf"(?<![\w-]){re.escape(n)}(?![\w-])", re.IGNORECASE) for n in needles]
    return [d.id for d in corpus.documents if d.kind == "safety" and any(p.search(d.text) for p in patterns)]


def test_related_sections_are_the_first_mentions_in_corpus_order_up_to_the_limit() -> None:
    texts = ["Low red blood cells (anemia) can occur.", "Tell your doctor about DVT.", "No mention."]
    sections = [section(n, texts[n % 3]) for n in range(40)]
    anemia, dvt = term("Anemia"), term("Deep vein thrombosis", "DVT")
    corpus = Corpus(documents=[anemia, dvt, *sections])
    for doc in (anemia, dvt):
        expected = brute_force(doc, corpus)
        assert len(expected) > RELATED_LIMIT  # the cap is what is tested
        assert related_safety(doc, corpus) == expected[:RELATED_LIMIT]


def test_a_term_and_its_abbreviation_share_the_limit_in_corpus_order() -> None:
    sections = [section(n, "DVT may happen." if n % 2 else "A deep vein thrombosis.") for n in range(20)]
    dvt = term("Deep vein thrombosis", "DVT")
    corpus = Corpus(documents=[dvt, *sections])
    assert related_safety(dvt, corpus) == [f"isi/s{n:03d}" for n in range(RELATED_LIMIT)]


def test_few_mentions_are_all_kept_and_hyphenated_words_do_not_count() -> None:
    sections = [section(1, "Risk of anemia."), section(2, "Non-anemia-related text."), section(3, "None.")]
    anemia = term("Anemia")
    assert related_safety(anemia, Corpus(documents=[anemia, *sections])) == ["isi/s001"]


def test_one_index_serves_every_locale_with_the_same_related_sections() -> None:
    sections = [section(n, "Anemia is common.") for n in range(3)]
    anemia = term("Anemia")
    corpus = Corpus(documents=[anemia, *sections])
    mentions = SafetyMentions(corpus)
    first = publish_locale(corpus, "en", None, mentions)
    again = publish_locale(corpus, "en", None, mentions)
    assert first.documents[0].related == again.documents[0].related == [d.id for d in sections]
    first.documents[0].related.append("changed by a caller")
    assert mentions.related(anemia) == [d.id for d in sections]  # the kept list is not shared out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["deep", "vein", "thrombosis", "DVT", "anemia", "non-anemia", "low"]), max_size=6
        ),
        max_size=30,
    )
)
def test_related_sections_match_a_scan_of_every_section_on_repeated_texts(texts: list[list[str]]) -> None:
    # Repeated texts (the same warning on many pages) and first words without the whole term.
    sections = [section(n, " ".join(words)) for n, words in enumerate(texts)]
    terms = [term("Deep vein thrombosis", "DVT"), term("Anemia"), term("Low")]
    corpus = Corpus(documents=[*terms, *sections])
    mentions = SafetyMentions(corpus)
    for doc in terms:
        assert related_safety(doc, corpus, mentions) == brute_force(doc, corpus)[:RELATED_LIMIT]
        assert related_safety(doc, corpus) == brute_force(doc, corpus)[:RELATED_LIMIT]
