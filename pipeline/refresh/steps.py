"""The steps of one content refresh, each a plain function over files and settings.

``pipeline.refresh.run`` calls them in order (directly, or as Prefect tasks through the flow
adapter in ``flows/``). Each step reads what the previous ones wrote or returned and nothing
upstream of it; only ``publish`` makes anything visible, through one atomic release switch.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from typing import Any

from babel.messages.catalog import Catalog

from index.build import IndexBuilds
from pipeline.config import Settings
from pipeline.extraction.extractor import extract_page
from pipeline.extraction.fetching import Fetched, fetch_source, read_offline
from pipeline.extraction.model import Corpus, Document
from pipeline.extraction.sources import Source
from pipeline.fs import write_json_atomic
from pipeline.localization.machine import api_key_from_env
from pipeline.localization.pofile import catalog_path, render_catalog, template_path, write_catalog
from pipeline.localization.pseudo import PSEUDO_LOCALES
from pipeline.localization.qa import check_catalog, errors
from pipeline.localization.stats import catalog_stats
from pipeline.localization.template import template_for
from pipeline.localization.workspace import Workspace
from pipeline.publishing.changes import diff_published, write_corpus
from pipeline.publishing.mofile import write_mofile
from pipeline.publishing.policy import (
    SafetyMentions,
    Translations,
    publish_locale,
    published_text,
    translations_for,
)
from pipeline.publishing.published import PublishedSet, published_path, read_published, write_published
from pipeline.publishing.releases import current_release, read_manifest, stage_release
from pipeline.refresh.plan import FINGERPRINT_KEY, RefreshPlan
from pipeline.refresh.result import ENGLISH, LocaleOutcome

PAUSE_ENV = "PORTAL_REFRESH_PAUSE"  # "<step>:<seconds>": lets crash tests kill a run at a known step


def pause_point(step: str) -> None:
    """Sleep at ``step`` when PORTAL_REFRESH_PAUSE names it (crash and lock tests)."""
    wanted, _, seconds = os.environ.get(PAUSE_ENV, "").partition(":")
    if wanted == step:
        time.sleep(float(seconds or 30))


def fetch(source: Source, settings: Settings, online: bool = False) -> Fetched:
    """The bytes of one source: its snapshot file offline, the live page online."""
    pause_point(f"fetch:{source.id}")
    if not online:
        return read_offline(source)
    return fetch_source(
        source, settings.data_path, timeout=settings.fetch_timeout, retries=settings.fetch_retries
    )


def extract(source: Source, fetched: Fetched) -> tuple[list[Document], dict[str, str]]:
    """Extract one source's documents (raises ExtractionError when the page broke its contract)."""
    return extract_page(source, fetched.data)


def last_good(source_id: str, previous: Corpus | None) -> list[Document]:
    """The documents of a source in the live release: what stays published when it fails."""
    return [doc for doc in (previous.documents if previous else []) if doc.source == source_id]


def assemble(plan: RefreshPlan, extracted: dict[str, tuple[list[Document], dict[str, str]]]) -> Corpus:
    """The new corpus in manifest order: fresh documents where extracted, the last good ones elsewhere."""
    documents: list[Document] = []
    abbreviations: dict[str, str] = {}
    for source in plan.manifest:
        if source.id in extracted:
            docs, abbrevs = extracted[source.id]
        else:
            docs = last_good(source.id, plan.previous)
            abbrevs = dict(plan.previous.abbreviations) if (plan.previous and docs) else {}
        documents.extend(docs)
        for short, long in abbrevs.items():
            abbreviations.setdefault(short, long)
    return Corpus(documents=documents, abbreviations=abbreviations)


def make_template(plan: RefreshPlan, corpus: Corpus) -> tuple[Catalog, bool]:
    """The template of the corpus, and whether it differs from the workspace's portal.pot."""
    return template_for(corpus, plan.manifest, plan.settings)


def write_template(settings: Settings, template: Catalog) -> None:
    write_catalog(template, template_path(settings.locales_path), template=True)


def update_locale(settings: Settings, template: Catalog, locale: str) -> dict[str, Any]:
    """Merge the template into one catalog, writing it only when it changes (caller holds the lock)."""
    pause_point(f"merge:{locale}")
    path = catalog_path(settings.locales_path, locale)
    old_text = path.read_text(encoding="utf-8") if path.exists() else None
    merged, stats = Workspace.from_settings(settings).merged(template, locale)
    text = render_catalog(merged)
    written = text != old_text
    if written:
        write_catalog(merged, path, text=text)
    return {**(asdict(stats) if stats else {}), "written": written}


def machine_drafts(settings: Settings, locale: str, provider: str) -> dict[str, Any] | None:
    """Machine drafts for the untranslated messages of one catalog (None for pseudo-locales)."""
    if provider == "none" or locale in PSEUDO_LOCALES:
        return None
    workspace = Workspace.from_settings(settings)
    key_env = settings.mt_api_key_env
    report = workspace.draft(
        locale, provider, url=settings.mt_url or None, api_key=api_key_from_env(key_env) if key_env else None
    )
    return report.to_dict()


def update_catalog(settings: Settings, template: Catalog, locale: str, provider: str) -> LocaleOutcome:
    """One locale's catalog work: merge the template, then machine drafts for what is untranslated."""
    merge = update_locale(settings, template, locale)
    written = bool(merge.pop("written"))
    return LocaleOutcome(locale, merge=merge, written=written, mt=machine_drafts(settings, locale, provider))


def check_locale(settings: Settings, locale: str, corpus: Corpus) -> LocaleOutcome:
    """QA findings, coverage and the safety sections that fall back to English in one locale."""
    workspace = Workspace.from_settings(settings)
    catalog, decisions = workspace.catalog(locale), workspace.decisions(locale)
    findings = check_catalog(catalog, workspace.check_context(locale, catalog, decisions), include_fuzzy=True)
    blocking = errors(findings)
    translations = Translations(
        locale, catalog, decisions, settings.publish_policy, pseudo=locale in PSEUDO_LOCALES
    )
    # Only whether each safety section is shown translated matters here, not the whole document.
    safety = [doc for doc in corpus.documents if doc.kind == "safety"]
    return LocaleOutcome(
        locale=locale,
        qa={
            "errors": len(blocking),
            "warnings": len(findings) - len(blocking),
            "findings": [f.to_dict() for f in findings[:200]],
        },
        coverage=catalog_stats(catalog, decisions),
        fallback_safety=[doc.id for doc in safety if published_text(doc, translations)[2]],
        overrides=[
            {"segment": e.segment, "reviewer": e.reviewer, "reason": e.override, "time": e.time}
            for m in catalog
            if m.id and m.context
            for e in decisions.approvals(m)
            if e.override
        ],
    )


def publish(
    plan: RefreshPlan, corpus: Corpus, *, fingerprint_value: str | None, note: str = "refresh"
) -> tuple[str, dict[str, Any], dict[str, dict[str, list[str]]]]:
    """Stage a release with the corpus, every locale's documents, .mo files and indexes; switch to it.

    Returns the release id, the index build report, and per locale what patients now see
    differently from the release that was live before.
    """
    settings = plan.settings
    workspace = Workspace.from_settings(settings)
    locales = [ENGLISH, *plan.locales]
    visible: dict[str, dict[str, list[str]]] = {}
    mentions = SafetyMentions(corpus)
    with stage_release(settings.data_path, note=note, keep=settings.keep_releases) as staging:
        write_corpus(staging, corpus)
        # Each locale's index is built (in a child process, for a large release) while the next
        # locale is published.
        with IndexBuilds(staging) as builds:
            for locale in locales:
                translations = None
                if locale != ENGLISH:
                    translations = translations_for(workspace, locale, settings.publish_policy)
                    write_mofile(translations, staging / "messages" / locale / "LC_MESSAGES" / "portal.mo")
                published = publish_locale(corpus, locale, translations, mentions)
                visible[locale] = diff_published(_live_published(plan, locale), published)
                write_published(staging, published)
                builds.submit(locale)
            pause_point("publish")
        build = builds.report()
        manifest_path = staging / "manifest.json"
        manifest = read_manifest(staging)
        manifest[FINGERPRINT_KEY] = fingerprint_value
        manifest["locales"] = locales
        write_json_atomic(manifest_path, manifest)
    live = current_release(settings.data_path)
    return (live.name if live else ""), build.to_dict(), visible


def _live_published(plan: RefreshPlan, locale: str) -> PublishedSet | None:
    if plan.live is None or not published_path(plan.live, locale).exists():
        return None
    return read_published(plan.live, locale)
