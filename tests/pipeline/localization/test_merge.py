"""Tests for pipeline.localization.merge: msgmerge semantics, never losing a translation, files and
locking."""

from __future__ import annotations

import copy
import datetime
import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import CatalogSyntaxError, LockBusyError
from pipeline.localization.merge import merge_catalog, merge_files, update_catalogs
from pipeline.localization.pofile import (
    catalog_lock,
    catalog_path,
    read_catalog,
    render_catalog,
    template_path,
    write_catalog,
)

# The product's catalogs: a msgctxt is a segment id (what `catalog update` and refresh use).
merge_segments = functools.partial(merge_catalog, segment_contexts=True)
DATA = Path(__file__).resolve().parents[2] / "data" / "po"
WHEN = datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.UTC)


def po(*entries, obsolete=(), locale="fr") -> Catalog:
    """A translated catalog from (context, msgid, msgstr[, flags, previous]) tuples."""
    catalog = Catalog(locale=locale, last_translator="Ana <ana@example.org>", revision_date=WHEN, fuzzy=False)
    for context, msgid, string, *rest in entries:
        flags, previous = (rest + [(), ()])[:2]
        catalog.add(
            msgid,
            string,
            context=context,
            flags=flags,
            previous_id=previous,
            user_comments=[f"note on {context}"],
        )
    for context, msgid, string in obsolete:
        catalog.obsolete[(msgid, context)] = catalog.__class__().add(msgid, string, context=context)
    return catalog


def pot(*entries) -> Catalog:
    catalog = Catalog(creation_date=WHEN + datetime.timedelta(days=1))
    for context, msgid in entries:
        catalog.add(
            msgid, context=context, auto_comments=[context], locations=[("source_docs/isi.html", None)]
        )
    return catalog


def get(catalog: Catalog, context: str):
    (message,) = [m for m in catalog._messages.values() if m.context == context]
    return message


def obsolete(catalog: Catalog) -> dict:
    return {m.context: m.string for m in catalog.obsolete.values()}


DOSE_OLD = "Take POMALYST 3 mg once a day for 21 days."
DOSE_NEW = "Take POMALYST 4 mg once a day for 21 days."


def test_unchanged_source_keeps_translation_and_translator_comment():
    old = po(("glossary/anemia#definition", "Anemia is a low red cell count.", "L'anémie est un taux bas."))
    merged, stats = merge_segments(
        old, pot(("glossary/anemia#definition", "Anemia is a low red cell count."))
    )
    message = get(merged, "glossary/anemia#definition")
    assert message.string == "L'anémie est un taux bas." and not message.fuzzy
    assert message.user_comments == ["note on glossary/anemia#definition"]
    assert message.auto_comments == ["glossary/anemia#definition"]  # from the template
    assert message.locations == [("source_docs/isi.html", None)]
    assert (stats.exact, stats.fuzzy, stats.new, stats.obsolete) == (1, 0, 0, 0)


def test_changed_source_becomes_a_draft_with_the_previous_msgid():
    old = po(("isi/dosing#item-1", DOSE_OLD, "Prenez POMALYST 3 mg."))
    merged, stats = merge_segments(old, pot(("isi/dosing#item-1", DOSE_NEW)))
    message = get(merged, "isi/dosing#item-1")
    assert message.string == "Prenez POMALYST 3 mg."
    assert message.fuzzy and message.previous_id == [DOSE_OLD]
    assert stats.fuzzy_ids == ["isi/dosing#item-1"] and stats.exact == 0


def test_removed_source_becomes_obsolete_and_untranslated_ones_go():
    old = po(
        ("isi/a#1", "Kept.", "Gardé."),
        ("isi/a#2", "Removed.", "Supprimé."),
        ("isi/a#3", "Never translated.", ""),
    )
    merged, stats = merge_segments(old, pot(("isi/a#1", "Kept.")))
    assert obsolete(merged) == {"isi/a#2": "Supprimé."}
    assert stats.obsolete == 1 and stats.obsolete_ids == ["isi/a#2"]
    assert next(iter(merged.obsolete.values())).locations == []


def test_new_source_is_untranslated():
    merged, stats = merge_segments(po(), pot(("faq/refills#answer", "Ask your pharmacist about refills.")))
    message = get(merged, "faq/refills#answer")
    assert message.string == "" and not message.fuzzy
    assert stats.new_ids == ["faq/refills#answer"]


def test_renamed_segment_takes_its_translation_as_a_draft():
    old = po(("isi/warnings#item-3", "Tell your doctor about all medicines.", "Informez votre médecin."))
    merged, stats = merge_segments(old, pot(("isi/warnings#item-4", "Tell your doctor about all medicines.")))
    message = get(merged, "isi/warnings#item-4")
    assert message.string == "Informez votre médecin." and message.fuzzy
    assert message.previous_id == ["Tell your doctor about all medicines."]
    assert message.previous_context == "isi/warnings#item-3"
    assert not merged.obsolete


def test_a_renamed_duplicate_cannot_take_the_translation_of_a_changed_segment():
    # Template order puts the new segment with the old text first; the changed segment still
    # gets its own translation.
    old = po(("isi/a#1", DOSE_OLD, "Prenez 3 mg."))
    merged, _ = merge_segments(old, pot(("faq/b#1", DOSE_OLD), ("isi/a#1", DOSE_NEW)))
    assert get(merged, "isi/a#1").string == "Prenez 3 mg."
    assert get(merged, "isi/a#1").previous_id == [DOSE_OLD]
    assert get(merged, "faq/b#1").string == ""


def test_obsolete_entry_whose_text_returns_is_restored_translated():
    # As msgmerge: the same text under the same context is an exact match, obsolete or not.
    old = po(obsolete=[("glossary/fatigue#definition", "Feeling very tired.", "Sensation de fatigue.")])
    merged, stats = merge_segments(old, pot(("glossary/fatigue#definition", "Feeling very tired.")))
    message = get(merged, "glossary/fatigue#definition")
    assert message.string == "Sensation de fatigue." and not message.fuzzy and not message.previous_id
    assert stats.revived_ids == ["glossary/fatigue#definition"] and not merged.obsolete


def test_obsolete_entries_not_brought_back_are_kept():
    old = po(("isi/a#1", "Kept.", "Gardé."), obsolete=[("isi/a#0", "Long gone.", "Parti.")])
    merged, _ = merge_segments(old, pot(("isi/a#1", "Kept.")))
    assert obsolete(merged) == {"isi/a#0": "Parti."}


def test_an_existing_draft_keeps_the_last_approved_previous_msgid():
    old = po(("isi/dosing#item-1", DOSE_NEW, "Prenez 3 mg.", ["fuzzy"], [DOSE_OLD]))
    newest = "Take POMALYST 5 mg once a day for 21 days."
    merged, _ = merge_segments(old, pot(("isi/dosing#item-1", newest)))
    assert get(merged, "isi/dosing#item-1").previous_id == [DOSE_OLD]
    merged, stats = merge_segments(old, pot(("isi/dosing#item-1", DOSE_NEW)))  # unchanged: still a draft
    message = get(merged, "isi/dosing#item-1")
    assert (
        message.fuzzy
        and message.previous_id == [DOSE_OLD]
        and stats.fuzzy == 0
        and stats.kept_draft_ids == ["isi/dosing#item-1"]
    )


def test_fuzzy_matching_prefers_the_same_document():
    text = "POMALYST can cause blood clots in your arteries and veins."
    old = po(("faq/clots#answer", text, "Réponse FAQ."), ("isi/clots#item-1", text, "Texte ISI."))
    merged, _ = merge_segments(
        old, pot(("isi/clots#item-2", text.replace("blood clots", "serious blood clots")))
    )
    message = get(merged, "isi/clots#item-2")
    assert message.string == "Texte ISI." and message.fuzzy
    assert message.previous_context == "isi/clots#item-1"
    assert obsolete(merged) == {"faq/clots#answer": "Réponse FAQ."}


def test_dissimilar_text_is_not_matched():
    old = po(("isi/a#1", "Call your doctor right away if you have chest pain.", "Appelez votre médecin."))
    merged, stats = merge_segments(old, pot(("isi/b#1", "Store POMALYST at room temperature.")))
    assert get(merged, "isi/b#1").string == ""
    assert obsolete(merged) == {"isi/a#1": "Appelez votre médecin."}
    assert (stats.fuzzy, stats.new, stats.obsolete) == (0, 1, 1)


def test_header_comes_from_the_catalog_and_creation_date_from_the_template():
    old = po(("isi/a#1", "Kept.", "Gardé."))
    template = pot(("isi/a#1", "Kept."))
    merged, _ = merge_segments(old, template)
    assert merged.last_translator == "Ana <ana@example.org>"
    assert merged.revision_date == WHEN and str(merged.locale) == "fr"
    assert merged.creation_date == template.creation_date


def test_inputs_are_not_changed():
    old = po(("isi/a#1", DOSE_OLD, "Prenez 3 mg."), ("isi/a#2", "Gone.", "Parti."))
    template = pot(("isi/a#1", DOSE_NEW), ("isi/a#3", "New."))
    before = copy.deepcopy((old, template))
    merge_segments(old, template)
    for catalog, saved in zip((old, template), before):
        assert [(m.context, m.id, m.string, m.flags, m.previous_id) for m in catalog._messages.values()] == [
            (m.context, m.id, m.string, m.flags, m.previous_id) for m in saved._messages.values()
        ]
        assert list(catalog.obsolete) == list(saved.obsolete)


def test_merge_keeps_template_order():
    old = po(("isi/a#2", "Two.", "Deux."), ("isi/a#1", "One.", "Un."))
    merged, _ = merge_segments(old, pot(("isi/a#1", "One."), ("isi/a#3", "Three."), ("isi/a#2", "Two.")))
    assert [m.context for m in merged._messages.values()] == ["isi/a#1", "isi/a#3", "isi/a#2"]


words = st.sampled_from(
    ["take", "POMALYST", "4 mg", "daily", "call", "<1>doctor</1>", "blood", "clots", "<2/>", "21"]
)
sentences = st.lists(words, min_size=1, max_size=8).map(" ".join)
contexts = st.sampled_from([f"{doc}#item-{n}" for doc in ("isi/a", "faq/b") for n in range(4)])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(contexts, sentences, st.sampled_from(["", "traduction", "autre"]), st.booleans()),
        max_size=8,
        unique_by=lambda e: e[0],
    ),
    st.lists(st.tuples(contexts, sentences), max_size=8, unique_by=lambda e: e[0]),
    st.lists(
        st.tuples(
            st.sampled_from(["old#1", "old#2", "isi/a#item-1"]), sentences, st.sampled_from(["", "vieux"])
        ),
        max_size=3,
        unique_by=lambda e: e[0],
    ),
)
def test_a_non_empty_translation_is_never_dropped(old_entries, new_entries, obsolete_entries):
    old = po(*[(c, m, s, ["fuzzy"] if f else []) for c, m, s, f in old_entries])
    for context, msgid, string in obsolete_entries:
        if (msgid, context) not in old._messages:
            old.obsolete[(msgid, context)] = Catalog().add(msgid, string, context=context)
    merged, stats = merge_segments(old, pot(*new_entries))
    before = [(m.id, m.string) for m in (*old._messages.values(), *old.obsolete.values()) if m.string]
    after = {
        (m.previous_id[0] if m.previous_id and m.fuzzy else m.id, m.string)
        for m in (*merged._messages.values(), *merged.obsolete.values())
    }
    after |= {(m.id, m.string) for m in (*merged._messages.values(), *merged.obsolete.values())}
    for msgid, string in before:
        assert string in {s for _, s in after}
    for context, msgid, string, fuzzy in old_entries:  # same segment, same text: untouched
        if string and (context, msgid) in new_entries and not fuzzy:
            assert get(merged, context).string == string and not get(merged, context).fuzzy
    assert stats.exact + stats.fuzzy + stats.new == len(new_entries)


# -- files ---------------------------------------------------------------------------------------


def test_merge_files_writes_a_valid_catalog(tmp_path):
    write_catalog(
        pot(
            (
                "isi/how-should-i-take-pomalyst#item-3",
                "Take POMALYST 4 mg once a day for 21 days of each 28-day cycle.",
            ),
            ("faq/new#answer", "A new answer."),
        ),
        tmp_path / "REF.pot",
        template=True,
    )
    stats = merge_files(DATA / "sample.po", tmp_path / "REF.pot", tmp_path / "OUT.po")
    merged = read_catalog(tmp_path / "OUT.po")
    assert stats.new == 1 and stats.obsolete == 2  # anemia and the boxed warning; refills was untranslated
    assert {m.context for m in merged.obsolete.values()} == {
        "glossary/anemia#definition",
        "isi/boxed-warning#item-1",
        "glossary/fatigue#definition",
    }
    if shutil.which("msgfmt"):
        result = subprocess.run(
            ["msgfmt", "--check", "-o", os.devnull, str(tmp_path / "OUT.po")], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("broken", ["def", "ref"])
def test_a_syntax_error_in_either_input_writes_nothing(tmp_path, broken):
    out = tmp_path / "OUT.po"
    out.write_text("untouched", encoding="utf-8")
    write_catalog(pot(("isi/a#1", "Kept.")), tmp_path / "REF.pot", template=True)
    def_po = DATA / "unterminated_string.po" if broken == "def" else DATA / "sample.po"
    ref_pot = DATA / "unterminated_string.po" if broken == "ref" else tmp_path / "REF.pot"
    with pytest.raises(CatalogSyntaxError, match="unterminated_string.po:6"):
        merge_files(def_po, ref_pot, out)
    assert out.read_text(encoding="utf-8") == "untouched"


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext not installed")
def test_agrees_with_msgmerge_on_a_small_catalog(tmp_path):
    old = po(
        ("isi/a#1", "Kept as it is.", "Gardé tel quel."),
        ("isi/a#2", DOSE_OLD, "Prenez 3 mg."),
        ("isi/a#3", "A sentence that goes away entirely.", "Une phrase qui disparaît."),
    )
    write_catalog(old, tmp_path / "DEF.po")
    write_catalog(
        pot(("isi/a#1", "Kept as it is."), ("isi/a#2", DOSE_NEW), ("isi/a#4", "Brand new text here.")),
        tmp_path / "REF.pot",
        template=True,
    )
    merge_files(tmp_path / "DEF.po", tmp_path / "REF.pot", tmp_path / "ours.po")
    subprocess.run(
        [
            "msgmerge",
            "--previous",
            "-q",
            "-o",
            str(tmp_path / "theirs.po"),
            str(tmp_path / "DEF.po"),
            str(tmp_path / "REF.pot"),
        ],
        check=True,
    )

    def shape(path):
        catalog = read_catalog(path)
        return (
            [(m.context, m.string, m.fuzzy, m.previous_id) for m in catalog._messages.values()],
            sorted((m.context, m.string) for m in catalog.obsolete.values()),
        )

    assert shape(tmp_path / "ours.po") == shape(tmp_path / "theirs.po")


def test_update_catalogs_merges_every_locale_under_the_lock(tmp_path):
    write_catalog(pot(("isi/a#1", DOSE_NEW)), template_path(tmp_path), template=True)
    for locale, string in (("fr", "Prenez 3 mg."), ("es", "Tome 3 mg.")):
        write_catalog(po(("isi/a#1", DOSE_OLD, string), locale=locale), catalog_path(tmp_path, locale))
    results = update_catalogs(tmp_path)
    assert sorted(results) == ["es", "fr"] and all(s.fuzzy_ids == ["isi/a#1"] for s in results.values())
    assert get(read_catalog(catalog_path(tmp_path, "es")), "isi/a#1").previous_id == [DOSE_OLD]


def test_update_catalogs_refuses_to_run_twice_at_once(tmp_path):
    write_catalog(pot(("isi/a#1", DOSE_NEW)), template_path(tmp_path), template=True)
    write_catalog(po(("isi/a#1", DOSE_OLD, "Prenez 3 mg.")), catalog_path(tmp_path, "fr"))
    before = catalog_path(tmp_path, "fr").read_bytes()
    with catalog_lock(tmp_path), pytest.raises(LockBusyError, match="another catalog update is running"):
        update_catalogs(tmp_path)
    assert catalog_path(tmp_path, "fr").read_bytes() == before


def test_update_catalogs_writes_nothing_when_one_catalog_is_broken(tmp_path):
    write_catalog(pot(("isi/a#1", DOSE_NEW)), template_path(tmp_path), template=True)
    write_catalog(po(("isi/a#1", DOSE_OLD, "Prenez 3 mg.")), catalog_path(tmp_path, "fr"))
    broken = catalog_path(tmp_path, "es")
    broken.parent.mkdir(parents=True)
    shutil.copy(DATA / "duplicate_entry.po", broken)
    before = catalog_path(tmp_path, "fr").read_bytes()
    with pytest.raises(CatalogSyntaxError, match="es/LC_MESSAGES/portal.po:14"):
        update_catalogs(tmp_path)
    assert catalog_path(tmp_path, "fr").read_bytes() == before


def test_a_large_merge_finds_an_edited_message_made_of_common_words(monkeypatch):
    """Above the pair budget, a renumbered, edited message whose word starts are all common ones
    still finds its previous text (the word-start shortlist alone left it obsolete)."""
    import random

    from pipeline.localization import merge

    monkeypatch.setattr(merge._SimilarFinder, "BUDGET", 0)  # the large-catalog search
    rng = random.Random(7)
    words = [
        "doctor",
        "blood",
        "clots",
        "anemia",
        "treatment",
        "dose",
        "weeks",
        "cycle",
        "tablet",
        "nurse",
        "liver",
        "heart",
    ]
    texts = list(dict.fromkeys(" ".join(rng.sample(words, 8)) for _ in range(500)))[:400]
    old = po(*[(f"page#seg-{i}", text, text.upper()) for i, text in enumerate(texts)])
    edited = {i: texts[i].replace(texts[i].split()[3], "caregiver") for i in (37, 211, 389)}
    new = pot(
        *[
            (f"page#moved-{i}" if i in edited else f"page#seg-{i}", edited.get(i, t))
            for i, t in enumerate(texts)
        ]
    )
    merged, stats = merge_catalog(old, new)
    for i, text in edited.items():
        draft = merged.get(text, context=f"page#moved-{i}")
        assert "fuzzy" in draft.flags and draft.previous_id == [texts[i]]
        assert draft.string == texts[i].upper()
    assert stats.fuzzy == 3 and stats.new == 0


def test_a_consumed_template_gives_the_same_merge(tmp_path):
    # merge_files lets the result take the template's own entries instead of copies of them.
    def_po, ref_pot = DATA / "sphinx" / "ja-7.2.6.po", DATA / "sphinx" / "sphinx-8.1.3.pot"
    expected, expected_stats = merge_catalog(read_catalog(def_po), read_catalog(ref_pot))
    template = read_catalog(ref_pot)
    merged, stats = merge_catalog(read_catalog(def_po), template, consume_template=True)
    assert render_catalog(merged) == render_catalog(expected) and stats == expected_stats
    assert len(template) == 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_an_ascii_msgid_kept_as_text_scores_as_its_bytes(first, second):
    # The fuzzy search keeps ASCII msgids as str (no copy) and compares the others as UTF-8.
    from rapidfuzz import fuzz

    from pipeline.localization.merge import _comparable

    for a, b in ((first, second), (first.encode("ascii", "ignore").decode(), second)):
        assert fuzz.ratio(_comparable(a), _comparable(b)) == fuzz.ratio(a.encode(), b.encode())
