"""A property of the whole refresh: no approved, unchanged message ever loses its approval.

Random sequences of partial refreshes (another manifest listing one page), full refreshes, edits
of the English text, removals and restorations of entries, translations and approvals run through
the real orchestration; after every refresh each message that was approved before and whose
English text did not change is still approved, with its translation intact.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import load_settings
from pipeline.localization.accounts import Account
from pipeline.localization.pofile import catalog_path, write_catalog
from pipeline.localization.review import state_of
from pipeline.localization.workspace import Workspace
from pipeline.refresh import RefreshRequest, run_refresh

TERMS = {"a": ["Anemia", "Edema", "Fever"], "b": ["Nausea", "Rash", "Sepsis"]}
VARIANTS = ["A condition of the blood, in words of one kind.", "A condition of the blood, said another way."]
REVIEWER = Account("reviewer", "reviewer", False, 0.0)

WHICH = st.sampled_from(["all", "a", "b"])  # a full refresh, or another manifest listing one page
operations = st.one_of(
    st.tuples(st.just("refresh"), WHICH),
    st.tuples(st.just("edit"), WHICH, st.sampled_from(["a", "b"]), st.integers(0, 2), st.integers(0, 1)),
    st.tuples(st.just("remove"), WHICH, st.sampled_from(["a", "b"]), st.integers(1, 2)),  # a page keeps one
    st.tuples(st.just("restore"), WHICH, st.sampled_from(["a", "b"])),
    st.tuples(st.just("approve"), WHICH),
)


class Site:
    """Two glossary pages in a workspace, with the entries' texts the test changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.texts = {s: [f"{term}: {VARIANTS[0]}" for term in terms] for s, terms in TERMS.items()}
        self.hidden: dict[str, set[int]] = {"a": set(), "b": set()}
        docs = root / "source_docs"
        docs.mkdir(parents=True)
        entry = '[[source]]\nid = "{0}"\nurl = "https://example.org/{0}"\nsnapshot = "{0}.html"\n'
        entry += 'kind = "glossary"\nprofile = "auto"\n'
        (docs / "sources.toml").write_text(entry.format("a") + "\n" + entry.format("b"), encoding="utf-8")
        for source in TERMS:
            (docs / f"only-{source}.toml").write_text(entry.format(source), encoding="utf-8")
            self.write(source)
        (root / "portal.toml").write_text('locales = ["es"]\nkeep_releases = 2\n', encoding="utf-8")
        self.settings = load_settings(root / "portal.toml", env={})
        self.workspace = Workspace.from_settings(self.settings)

    def write(self, source: str) -> None:
        items = "".join(
            f"<dt>{term}</dt><dd>{self.texts[source][i]}</dd>"
            for i, term in enumerate(TERMS[source])
            if i not in self.hidden[source]
        )
        page = f"<html><body><main><h1>{source}</h1><dl>{items}</dl></main></body></html>"
        (self.root / "source_docs" / f"{source}.html").write_text(page, encoding="utf-8")

    def refresh(self, which: str) -> None:
        manifest = None if which == "all" else self.root / "source_docs" / f"only-{which}.toml"
        result = run_refresh(self.settings, RefreshRequest(manifest=manifest), notify=False)
        assert result.status == "ok", result.failures

    def approve_everything(self) -> None:
        path = catalog_path(self.settings.locales_path, "es")
        if not path.exists():
            return
        catalog = self.workspace.catalog("es")
        for message in catalog:
            if message.id and (not message.string or message.fuzzy):
                message.string = f"ES {message.id}"
                message.flags.discard("fuzzy")
        write_catalog(catalog, path)
        self.workspace.approve("es", REVIEWER, all_translated=True)

    def approved(self) -> dict[tuple[str, str], str]:
        path = catalog_path(self.settings.locales_path, "es")
        if not path.exists():
            return {}
        catalog, decisions = self.workspace.catalog("es"), self.workspace.decisions("es")
        return {
            (m.context or "", str(m.id)): str(m.string)
            for m in catalog
            if m.id and state_of(m, decisions) == "approved"
        }

    def current_sources(self) -> set[tuple[str, str]]:
        catalog = self.workspace.catalog("es")
        return {(m.context or "", str(m.id)) for m in catalog if m.id}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operations, min_size=3, max_size=7))
def test_no_approved_unchanged_message_loses_its_approval(tmp_path_factory, steps) -> None:
    site = Site(tmp_path_factory.mktemp("site"))
    site.refresh("all")
    site.approve_everything()
    ever = site.approved()  # every (segment, English text) approved so far, with its translation
    for step in steps:
        kind, which, *args = step
        if kind == "edit":
            source, index, variant = args
            site.texts[source][index] = f"{TERMS[source][index]}: {VARIANTS[variant]}"
        elif kind == "remove":
            site.hidden[args[0]].add(args[1])
        elif kind == "restore":
            site.hidden[args[0]].clear()
        elif kind == "approve":
            site.approve_everything()
            # The latest approved version of each segment: one translated for another English text
            # replaces it (the translator rewrote the translation for that text).
            ever = {key: text for key, text in ever.items() if key[0] not in {k[0] for k in site.approved()}}
            ever |= site.approved()
        for source in TERMS:
            site.write(source)
        site.refresh(which)
        still_there, after = site.current_sources(), site.approved()
        lost = {key: text for key, text in ever.items() if key in still_there and after.get(key) != text}
        assert not lost, f"approvals lost after {step} in {steps}: {sorted(lost)}"


def test_a_source_changed_and_changed_back_gets_its_approval_back(tmp_path) -> None:
    site = Site(tmp_path / "site")
    site.refresh("all")
    site.approve_everything()
    approved = site.approved()
    site.texts["a"][0] = f"Anemia: {VARIANTS[1]}"
    site.write("a")
    site.refresh("all")
    assert ("glossary/anemia#definition", f"Anemia: {VARIANTS[0]}") not in site.approved()
    site.texts["a"][0] = f"Anemia: {VARIANTS[0]}"
    site.write("a")
    site.refresh("a")
    assert site.approved() == approved


def test_an_entry_removed_and_restored_comes_back_approved(tmp_path) -> None:
    site = Site(tmp_path / "site")
    site.refresh("all")
    site.approve_everything()
    approved = site.approved()
    site.hidden["b"].add(1)
    site.write("b")
    site.refresh("b")
    assert ("glossary/rash#term", "Rash") not in site.current_sources()
    site.hidden["b"].clear()
    site.write("b")
    site.refresh("all")
    assert site.approved() == approved
