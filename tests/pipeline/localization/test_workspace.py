"""The localization workspace: update, review states, approvals, publishing rule, stats, pseudo, mo."""

from __future__ import annotations

import subprocess

import pytest

from pipeline.errors import ReviewError
from pipeline.extraction.model import Corpus, Document, element
from pipeline.localization.accounts import Account
from pipeline.localization.pofile import catalog_path, write_catalog
from pipeline.localization.pseudo import pseudo_translate
from pipeline.localization.review import log_path, read_log
from pipeline.localization.stats import catalog_stats
from pipeline.localization.template import build_template
from pipeline.localization.workspace import Workspace
from pipeline.publishing.mofile import publishable_catalog
from pipeline.publishing.policy import Translations, publish_locale

POLICY = {"glossary": "approved", "safety": "approved", "page": "approved"}
MAINTAINER = Account("maintainers", "reviewer", False, 0.0)
ANA = Account("ana", "reviewer", False, 0.0)
SAFETY = ["isi/how-should-i-take-pomalyst#title", "isi/how-should-i-take-pomalyst#item-1"]


def approve_everything(ws, locale="es"):
    """Glossary in bulk, safety one by one by two different reviewers (four eyes)."""
    entries = ws.approve(locale, MAINTAINER, all_translated=True)
    entries += ws.approve(locale, MAINTAINER, SAFETY)
    return entries + ws.approve(locale, ANA, SAFETY)


def corpus(
    definition="A condition in which the number of red blood cells is below normal.",
    step="Take POMALYST for 4 weeks.",
) -> Corpus:
    return Corpus(
        documents=[
            Document(
                id="glossary/anemia",
                source="glossary",
                kind="glossary",
                title="Anemia",
                body=[element("p", [definition])],
                fields={"term": "Anemia", "definition": definition},
            ),
            Document(
                id="isi/how-should-i-take-pomalyst",
                source="relapse",
                kind="safety",
                title="How should I take POMALYST?",
                body=[element("ul", [element("li", [step])])],
            ),
        ],
        abbreviations={"MM": "multiple myeloma"},
    )


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace(
        tmp_path / "locales", dnt_terms=("POMALYST",), key_file=tmp_path / "var" / "keys" / "signing.pem"
    )
    workspace.update(build_template(corpus(), dnt_terms=("POMALYST",)), ["es"])
    return workspace


def translate(ws, locale, texts: dict[str, str]) -> None:
    catalog = ws.catalog(locale)
    for message in catalog:
        if message.context in texts:
            message.string = texts[message.context]
            message.flags.discard("fuzzy")
    write_catalog(catalog, catalog_path(ws.root, locale))


ES = {
    "glossary/anemia#term": "Anemia",
    "glossary/anemia#definition": "Afección en la que el número de glóbulos rojos es inferior a lo normal.",
    "isi/how-should-i-take-pomalyst#title": "¿Cómo debo tomar POMALYST?",
    "isi/how-should-i-take-pomalyst#item-1": "Tome POMALYST durante 4 semanas.",
}


def states(ws, locale="es"):
    from pipeline.localization.review import review_rows

    return {r.segment: r.state for r in review_rows(ws.catalog(locale), ws.decisions(locale))}


def test_update_creates_untranslated_catalog(ws):
    assert set(states(ws).values()) == {"untranslated"}
    assert (ws.root / "portal.pot").exists()
    message = next(m for m in ws.template() if m.context == "isi/how-should-i-take-pomalyst#item-1")
    assert "kind: safety" in message.auto_comments
    assert any("do not translate: POMALYST" in c for c in message.auto_comments)


def test_translate_approve_and_publish(ws):
    translate(ws, "es", ES)
    assert set(states(ws).values()) == {"translated"}
    entries = approve_everything(ws)
    assert len(entries) == 6 and set(states(ws).values()) == {"approved"}
    logged = read_log(log_path(ws.root, "es"))
    assert {e.reviewer for e in logged} == {"maintainers", "ana"}
    assert all(e.action == "approve" for e in logged)
    published = publish_locale(
        corpus(), "es", Translations("es", ws.catalog("es"), ws.decisions("es"), POLICY)
    )
    docs = published.by_id()
    assert docs["isi/how-should-i-take-pomalyst"].fallback is False
    assert docs["isi/how-should-i-take-pomalyst"].title == "¿Cómo debo tomar POMALYST?"
    assert "4 semanas" in docs["isi/how-should-i-take-pomalyst"].text
    assert docs["isi/how-should-i-take-pomalyst"].en_title == "How should I take POMALYST?"


def test_unapproved_safety_falls_back_to_english(ws):
    translate(ws, "es", ES)
    ws.approve(
        "es",
        MAINTAINER,
        ["glossary/anemia#term", "glossary/anemia#definition", "isi/how-should-i-take-pomalyst#title"],
    )
    docs = publish_locale(
        corpus(), "es", Translations("es", ws.catalog("es"), ws.decisions("es"), POLICY)
    ).by_id()
    assert docs["glossary/anemia"].fallback is False
    safety = docs["isi/how-should-i-take-pomalyst"]
    assert safety.fallback is True and safety.title == "How should I take POMALYST?"  # never half-translated
    lenient = publish_locale(
        corpus(),
        "es",
        Translations("es", ws.catalog("es"), ws.decisions("es"), {**POLICY, "safety": "translated"}),
    ).by_id()
    assert lenient["isi/how-should-i-take-pomalyst"].fallback is False


def test_changed_source_makes_a_draft_and_voids_approval(ws):
    translate(ws, "es", ES)
    approve_everything(ws)
    ws.update(build_template(corpus(step="Take POMALYST for 6 weeks."), dnt_terms=("POMALYST",)), ["es"])
    after = states(ws)
    assert after["isi/how-should-i-take-pomalyst#item-1"] == "draft"
    assert [s for seg, s in after.items() if seg != "isi/how-should-i-take-pomalyst#item-1"] == [
        "approved"
    ] * 3
    message = next(m for m in ws.catalog("es") if m.context == "isi/how-should-i-take-pomalyst#item-1")
    assert message.string == "Tome POMALYST durante 4 semanas." and message.previous_id == [
        "Take POMALYST for 4 weeks."
    ]
    docs = publish_locale(
        corpus(step="Take POMALYST for 6 weeks."),
        "es",
        Translations("es", ws.catalog("es"), ws.decisions("es"), POLICY),
    ).by_id()
    assert docs["isi/how-should-i-take-pomalyst"].fallback is True
    assert "6 weeks" in docs["isi/how-should-i-take-pomalyst"].text


def test_removed_source_becomes_obsolete(ws):
    translate(ws, "es", ES)
    smaller = Corpus(documents=corpus().documents[:1])
    ws.update(build_template(smaller), ["es"])
    catalog = ws.catalog("es")
    assert "Tome POMALYST durante 4 semanas." in {m.string for m in catalog.obsolete.values()}
    text = catalog_path(ws.root, "es").read_text(encoding="utf-8")
    assert '#~ msgstr "Tome POMALYST durante 4 semanas."' in text


def test_edit_in_another_editor_keeps_other_approvals(ws):
    translate(ws, "es", ES)
    approve_everything(ws)
    path = catalog_path(ws.root, "es")
    text = path.read_text(encoding="utf-8").replace("Afección en la que", "Trastorno en el que")
    path.write_text(text, encoding="utf-8")
    after = states(ws)
    assert after["glossary/anemia#definition"] == "translated"
    assert after["glossary/anemia#term"] == "approved"


def test_qa_error_blocks_approval_unless_overridden(ws):
    translate(ws, "es", {**ES, "isi/how-should-i-take-pomalyst#item-1": "Tome POMALYST durante 3 semanas."})
    with pytest.raises(ReviewError, match="QA error"):
        ws.approve("es", ANA, ["isi/how-should-i-take-pomalyst#item-1"])
    with pytest.raises(ReviewError, match="at least 10 characters"):
        ws.approve("es", ANA, ["isi/how-should-i-take-pomalyst#item-1"], override=" ")
    ws.approve("es", ANA, ["isi/how-should-i-take-pomalyst#item-1"], override="dose confirmed by pharmacist")
    entry = read_log(log_path(ws.root, "es"))[-1]
    assert entry.override == "dose confirmed by pharmacist" and entry.reviewer == "ana"


def test_reject_sends_back_to_draft_with_reason(ws):
    translate(ws, "es", ES)
    approve_everything(ws)
    ws.reject("es", ANA, "glossary/anemia#term", "use the lay term")
    message = next(m for m in ws.catalog("es") if m.context == "glossary/anemia#term")
    assert message.fuzzy and "rejected by ana: use the lay term" in message.user_comments
    assert states(ws)["glossary/anemia#term"] == "draft"
    with pytest.raises(ReviewError, match="unknown segment"):
        ws.reject("es", ANA, "glossary/nope#term", "x")
    with pytest.raises(ReviewError, match="reason"):
        ws.reject("es", ANA, "glossary/anemia#term", " ")


def test_stats_by_kind(ws):
    translate(ws, "es", ES)
    ws.approve("es", MAINTAINER, ["glossary/anemia#term", "glossary/anemia#definition"])
    stats = catalog_stats(ws.catalog("es"), ws.decisions("es"))
    assert stats["total"] == 4 and stats["approved"] == 2 and stats["translated"] == 2
    assert stats["percent_approved"] == 50.0
    assert stats["by_kind"]["glossary"]["percent_approved"] == 100.0
    assert stats["by_kind"]["safety"]["approved"] == 0


def test_pseudo_locale_keeps_placeholders_and_terms(ws):
    out = pseudo_translate("Take POMALYST<1/> for <2>4 weeks</2>.", ["POMALYST"])
    assert out.startswith("[") and out.endswith("]")
    assert "POMALYST<1/>" in out and "<2>" in out and "</2>" in out and "4" in out
    assert len(out) >= 1.3 * len("Take POMALYST<1/> for <2>4 weeks</2>.")
    path = ws.write_pseudo(ws.template())
    assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)]).returncode == 0


def test_mo_holds_only_publishable(ws):
    translate(ws, "es", ES)
    ws.approve("es", MAINTAINER, ["glossary/anemia#term"])
    compiled = publishable_catalog(Translations("es", ws.catalog("es"), ws.decisions("es"), POLICY))
    assert [m.context for m in compiled if m.id] == ["glossary/anemia#term"]


def test_review_log_corruption_is_a_clean_error(ws):
    log_path(ws.root, "es").parent.mkdir(parents=True, exist_ok=True)
    log_path(ws.root, "es").write_text('{"not": "an entry"}\n', encoding="utf-8")
    with pytest.raises(ReviewError, match="review-log.jsonl:1"):
        ws.decisions("es")


def test_broken_catalog_means_nothing_is_written(tmp_path):
    from pipeline.errors import CatalogSyntaxError

    workspace = Workspace(tmp_path / "locales")
    workspace.update(build_template(corpus()), ["es", "ar"])
    translate(workspace, "es", ES)
    ar = catalog_path(workspace.root, "ar")
    ar.write_text(ar.read_text(encoding="utf-8") + 'msgid "broken\n', encoding="utf-8")
    before = {p: p.read_bytes() for p in workspace.root.rglob("*.po*") if "lock" not in p.name}
    with pytest.raises(CatalogSyntaxError, match=r"portal\.po:\d+"):
        workspace.update(build_template(corpus(step="Take POMALYST for 6 weeks.")), ["es", "ar"])
    assert {p: p.read_bytes() for p in workspace.root.rglob("*.po*") if "lock" not in p.name} == before


def test_safety_needs_two_different_reviewers(ws):
    translate(ws, "es", ES)
    assert ws.approve("es", MAINTAINER, all_translated=True)  # glossary only: never safety in bulk
    assert states(ws)["isi/how-should-i-take-pomalyst#item-1"] == "translated"
    ws.approve("es", MAINTAINER, SAFETY)
    row = next(r for r in review_rows_of(ws) if r.segment == SAFETY[1])
    assert row.state == "translated" and row.approvals == ["maintainers"] and row.needed == 2
    with pytest.raises(ReviewError, match="different reviewer"):
        ws.approve("es", MAINTAINER, SAFETY)
    docs = publish_locale(corpus(), "es", Translations("es", ws.catalog("es"), ws.decisions("es"), POLICY))
    assert docs.by_id()["isi/how-should-i-take-pomalyst"].fallback is True
    ws.approve("es", ANA, SAFETY)
    docs = publish_locale(corpus(), "es", Translations("es", ws.catalog("es"), ws.decisions("es"), POLICY))
    assert docs.by_id()["isi/how-should-i-take-pomalyst"].fallback is False
    assert catalog_stats(ws.catalog("es"), ws.decisions("es"))["by_kind"]["safety"]["approved"] == 2


def test_a_rejection_voids_earlier_approvals_of_the_same_text(ws):
    translate(ws, "es", ES)
    approve_everything(ws)
    ws.reject("es", ANA, SAFETY[1], "the dose wording is unclear")
    translate(ws, "es", {SAFETY[1]: ES[SAFETY[1]]})  # the translator puts the same text back
    assert states(ws)[SAFETY[1]] == "translated"


def test_only_reviewers_approve_and_disabled_accounts_cannot(ws):
    translate(ws, "es", ES)
    with pytest.raises(ReviewError, match="reviewer role"):
        ws.approve("es", Account("tom", "translator", False, 0.0), ["glossary/anemia#term"])
    with pytest.raises(ReviewError, match="disabled"):
        ws.approve("es", Account("old", "reviewer", True, 0.0), ["glossary/anemia#term"])
    assert not log_path(ws.root, "es").exists()


def test_a_forged_or_edited_log_line_fails_verification(ws):
    import json

    from pipeline.errors import ReviewLogError

    translate(ws, "es", ES)
    approve_everything(ws)
    path = log_path(ws.root, "es")
    lines = path.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[-1]) | {"reviewer": "mallory"}
    path.write_text("\n".join([*lines, json.dumps(forged)]) + "\n", encoding="utf-8")
    with pytest.raises(ReviewLogError, match=rf"review-log.jsonl:{len(lines) + 1}: the chain is broken"):
        ws.decisions("es")
    edited = json.loads(lines[0]) | {"reviewer": "mallory"}
    path.write_text("\n".join([json.dumps(edited), *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(ReviewLogError, match="review-log.jsonl:1: the signature does not verify"):
        ws.decisions("es")
    path.write_bytes(b"\xff\xfe not utf-8\n")
    with pytest.raises(ReviewLogError, match="review-log.jsonl:1: not valid UTF-8"):
        ws.decisions("es")
    path.write_text('{"time": 1, "reviewer": "x"}\n', encoding="utf-8")
    with pytest.raises(ReviewLogError, match="review-log.jsonl:1: unreadable entry"):
        ws.decisions("es")


def review_rows_of(ws, locale="es"):
    from pipeline.localization.review import review_rows

    return review_rows(ws.catalog(locale), ws.decisions(locale))


def test_a_check_under_the_lock_stops_a_stale_approval_or_rejection(ws):
    """The browser passes a check that the page it was made from is still current."""

    class Stale(Exception):
        pass

    def refuse(catalog):
        raise Stale

    translate(ws, "es", ES)
    with pytest.raises(Stale):
        ws.approve("es", MAINTAINER, ["glossary/anemia#term"], expect=refuse)
    with pytest.raises(Stale):
        ws.reject("es", ANA, "glossary/anemia#term", "stale page", expect=refuse)
    assert not log_path(ws.root, "es").exists()
