"""One content refresh as small library steps: fetch, extract, template, merge, drafts, QA, publish.

The Prefect flow (flows/refresh.py) orchestrates these steps as tasks; ``run_refresh`` runs them
in process without Prefect. Both hold the refresh lock for the whole run, publish through an
atomic release switch, and skip all work when a cheap fingerprint of the inputs (source bytes,
catalogs, review logs, settings, code) equals the one stored in the live release.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from pipeline.config import PROJECT_ROOT, Settings
from pipeline.errors import PortalError, RefreshError
from pipeline.extraction.fetching import Fetched, fetch_source, read_offline
from pipeline.extraction.model import Corpus, Document, content_hash
from pipeline.extraction.sources import Source, load_manifest, select
from pipeline.fs import file_lock, write_json_atomic
from pipeline.localization.pseudo import PSEUDO_LOCALES
from pipeline.localization.workspace import Workspace
from pipeline.publishing.changes import ChangeSet, diff_corpora, read_corpus, write_corpus
from pipeline.publishing.releases import current_release, read_manifest, stage_release

ENGLISH = "en"
FINGERPRINT_KEY = "refresh_fingerprint"
CODE_DIRS = ("pipeline", "index", "flows")
PAUSE_ENV = "PORTAL_REFRESH_PAUSE"  # "<step>:<seconds>": lets crash tests kill a run at a known step


# --- results ----------------------------------------------------------------------------------


@dataclass
class SourceOutcome:
    """What happened to one source in a run."""

    id: str
    status: str  # offline | fetched | unchanged | failed | kept (not selected this run)
    documents: int = 0
    error: str = ""
    snapshot: str = ""
    sha256: str = ""
    attempts: int = 0


@dataclass
class LocaleOutcome:
    """What a run did to one locale: merge, drafts, checks, coverage and safety fallbacks."""

    locale: str
    merge: dict[str, Any] = field(default_factory=dict)
    written: bool = False
    mt: dict[str, Any] | None = None
    qa: dict[str, Any] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)
    fallback_safety: list[str] = field(default_factory=list)


@dataclass
class RefreshResult:
    """The outcome of one refresh run."""

    status: str = "ok"  # ok | failed
    changed: bool = False
    started: str = ""
    sources: dict[str, SourceOutcome] = field(default_factory=dict)
    changes: ChangeSet = field(default_factory=ChangeSet)
    template_messages: int = 0
    locales: dict[str, LocaleOutcome] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    release: str | None = None
    report: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def mt_calls(self) -> int:
        return sum((o.mt or {}).get("calls", 0) for o in self.locales.values())

    def summary(self) -> dict[str, Any]:
        """The JSON summary of `portal refresh --format json` and the webhook."""
        return {
            "status": self.status,
            "changed": self.changed,
            "release": self.release,
            "sources": {
                sid: {
                    "status": o.status,
                    "documents": o.documents,
                    "error": o.error or None,
                    "snapshot": o.snapshot or None,
                }
                for sid, o in self.sources.items()
            },
            "documents": self.changes.counts(),
            "messages": {
                "template": self.template_messages,
                "locales": {
                    loc: {
                        "kept": o.merge.get("exact", 0),
                        "drafts": o.merge.get("fuzzy", 0),
                        "new": o.merge.get("new", 0),
                        "obsolete": o.merge.get("obsolete", 0),
                        "draft_ids": o.merge.get("fuzzy_ids", []),
                        "machine_drafts": len((o.mt or {}).get("translated", [])),
                    }
                    for loc, o in self.locales.items()
                    if loc != ENGLISH
                },
            },
            "locales": {
                loc: {
                    "approved_percent": o.coverage.get("percent_approved"),
                    "qa_errors": o.qa.get("errors", 0),
                    "qa_warnings": o.qa.get("warnings", 0),
                    "fallback_safety": o.fallback_safety,
                }
                for loc, o in self.locales.items()
            },
            "mt_calls": self.mt_calls,
            "failures": self.failures,
            "seconds": round(self.timings.get("total", 0.0), 3),
            "report": self.report,
        }


# --- locking and hooks -----------------------------------------------------------------------


def refresh_lock(data_dir: Path, *, wait: bool = False) -> AbstractContextManager[Path]:
    """Hold ``data_dir/locks/refresh.lock``: LockBusyError when taken, or block with ``wait``."""
    return file_lock(Path(data_dir) / "locks" / "refresh.lock", "refresh", wait=wait)


def pause_point(step: str) -> None:
    """Sleep at ``step`` when PORTAL_REFRESH_PAUSE names it (crash and lock tests)."""
    wanted, _, seconds = os.environ.get(PAUSE_ENV, "").partition(":")
    if wanted == step:
        time.sleep(float(seconds or 30))


# --- planning and fingerprints ----------------------------------------------------------------


@dataclass
class Plan:
    """What one run works on."""

    settings: Settings
    manifest: list[Source]
    selected: list[Source]
    locales: list[str]
    online: bool
    mt: str
    live: Path | None
    previous: Corpus | None
    manifest_path: Path = PROJECT_ROOT / "source_docs" / "sources.toml"


def make_plan(
    settings: Settings,
    *,
    sources: Iterable[str] | None = None,
    manifest: Path | None = None,
    online: bool = False,
    locales: Iterable[str] | None = None,
    mt: str | None = None,
) -> Plan:
    manifest_path = Path(manifest) if manifest else settings.sources_path
    entries = load_manifest(manifest_path)
    chosen = list(locales) if locales else list(settings.locales)
    chosen = [loc for loc in dict.fromkeys(chosen) if loc != ENGLISH]
    live = current_release(settings.data_path)
    return Plan(
        settings,
        entries,
        select(entries, list(sources or [])),
        chosen,
        online,
        mt if mt is not None else settings.mt_provider,
        live,
        read_corpus(live),
        manifest_path,
    )


_CODE_HASH: str | None = None


def code_hash() -> str:
    """A hash of the code that shapes the output, so an upgrade invalidates the fingerprint."""
    global _CODE_HASH
    if _CODE_HASH is None:
        digest = hashlib.sha256()
        for folder in CODE_DIRS:
            for path in sorted((PROJECT_ROOT / folder).rglob("*")):
                if path.suffix in {".py", ".toml"} and path.is_file():
                    digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                    digest.update(path.read_bytes())
        _CODE_HASH = digest.hexdigest()
    return _CODE_HASH


def locales_state(settings: Settings, locales: Iterable[str]) -> str:
    """A hash of the template, the catalogs and the review logs of the locales."""
    root = settings.locales_path
    digest = hashlib.sha256()
    files = [root / "portal.pot"]
    for locale in locales:
        files += [root / locale / "LC_MESSAGES" / "portal.po", root / locale / "review-log.jsonl"]
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes() if path.is_file() else b"\0missing")
    return digest.hexdigest()


def fingerprint(plan: Plan, fetched: dict[str, Fetched]) -> str:
    """Everything a run's output depends on; equal fingerprints mean nothing to do."""
    settings = {
        k: v
        for k, v in asdict(plan.settings).items()
        if k not in {"portal_host", "portal_port", "webhook_url"}
    }
    return content_hash(
        [
            (s.id, s.url, s.profile, s.kind, fetched[s.id].sha256 if s.id in fetched else None)
            for s in plan.manifest
        ],
        [s.id for s in plan.selected],
        plan.locales,
        plan.mt,
        settings,
        locales_state(plan.settings, plan.locales),
        code_hash(),
    )


def live_fingerprint(plan: Plan) -> str | None:
    return read_manifest(plan.live).get(FINGERPRINT_KEY) if plan.live is not None else None


# --- steps ------------------------------------------------------------------------------------


def fetch(source: Source, settings: Settings, *, online: bool = False) -> Fetched:
    """The bytes of one source: its snapshot file offline, the live page online."""
    pause_point(f"fetch:{source.id}")
    if not online:
        return read_offline(source)
    return fetch_source(
        source, settings.data_path, timeout=settings.fetch_timeout, retries=settings.fetch_retries
    )


def extract(source: Source, fetched: Fetched) -> tuple[list[Document], dict[str, str]]:
    """Extract one source's documents (raises ExtractionError when the page broke its contract)."""
    from pipeline.extraction.extractor import extract_page

    return extract_page(source, fetched.data)


def last_good(source_id: str, previous: Corpus | None) -> list[Document]:
    """The documents of a source in the live release: what stays published when it fails."""
    return [doc for doc in (previous.documents if previous else []) if doc.source == source_id]


def assemble(plan: Plan, extracted: dict[str, tuple[list[Document], dict[str, str]]]) -> Corpus:
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


def _location(source: Source, manifest: Path) -> str:
    """The snapshot as the template names it: relative to the directory above the manifest's."""
    try:
        return str(source.snapshot.relative_to(manifest.resolve().parent.parent))
    except ValueError:
        return source.snapshot.name


def make_template(plan: Plan, corpus: Corpus) -> tuple[Catalog, bool]:
    """The template of the corpus, and whether it differs from locales/portal.pot.

    When only the creation date would differ the existing template is returned, so an unchanged
    refresh rewrites no file and the catalogs keep their headers.
    """
    from pipeline.localization.pofile import read_catalog, render_catalog, template_path
    from pipeline.localization.template import build_template

    template = build_template(
        corpus,
        dnt_terms=plan.settings.do_not_translate,
        files={s.id: _location(s, plan.manifest_path) for s in plan.manifest},
    )
    path = template_path(plan.settings.locales_path)
    if path.exists():
        existing = read_catalog(path)
        template.creation_date = existing.creation_date
        if render_catalog(template, template=True) == render_catalog(existing, template=True):
            return existing, False
    return template, True


def write_template(settings: Settings, template: Catalog) -> None:
    from pipeline.localization.pofile import template_path, write_catalog

    write_catalog(template, template_path(settings.locales_path), template=True)


def update_locale(settings: Settings, template: Catalog, locale: str) -> dict[str, Any]:
    """Merge the template into one catalog, writing it only when it changes (caller holds the lock)."""
    from pipeline.localization.pofile import catalog_path, render_catalog, write_catalog

    pause_point(f"merge:{locale}")
    path = catalog_path(settings.locales_path, locale)
    old_text = path.read_text(encoding="utf-8") if path.exists() else None
    merged, stats = Workspace.from_settings(settings).merged(template, locale)
    written = render_catalog(merged) != old_text
    if written:
        write_catalog(merged, path)
    return {**(asdict(stats) if stats else {}), "written": written}


def machine_drafts(settings: Settings, locale: str, provider: str) -> dict[str, Any] | None:
    """Machine drafts for the untranslated messages of one catalog (None for pseudo-locales)."""
    if provider == "none" or locale in PSEUDO_LOCALES:
        return None
    from pipeline.localization.machine import api_key_from_env, translate_catalog
    from pipeline.localization.pofile import catalog_path, write_catalog

    workspace = Workspace.from_settings(settings)
    memory = workspace.memory(locale)
    catalog = workspace.catalog(locale)
    try:
        report = translate_catalog(
            catalog,
            locale=locale,
            provider=provider,
            url=settings.mt_url or None,
            api_key=api_key_from_env(settings.mt_api_key_env) if settings.mt_api_key_env else None,
            memory=memory,
            dnt_terms=tuple(settings.do_not_translate),
        )
    finally:
        write_catalog(catalog, catalog_path(workspace.root, locale))  # keep every draft obtained
    return report.to_dict()


def check_locale(settings: Settings, locale: str, corpus: Corpus) -> LocaleOutcome:
    """QA findings, coverage and the safety sections that fall back to English in one locale."""
    from pipeline.localization.qa import check_catalog, errors
    from pipeline.localization.stats import catalog_stats
    from pipeline.publishing.policy import Translations, publish_locale

    workspace = Workspace.from_settings(settings)
    catalog, decisions = workspace.catalog(locale), workspace.decisions(locale)
    findings = check_catalog(catalog, workspace.check_context(locale, catalog, decisions), include_fuzzy=True)
    blocking = errors(findings)
    translations = Translations(
        locale, catalog, decisions, settings.publish_policy, pseudo=locale in PSEUDO_LOCALES
    )
    published = publish_locale(corpus, locale, translations)
    return LocaleOutcome(
        locale=locale,
        qa={
            "errors": len(blocking),
            "warnings": len(findings) - len(blocking),
            "findings": [f.to_dict() for f in findings[:200]],
        },
        coverage=catalog_stats(catalog, decisions),
        fallback_safety=[d.id for d in published.documents if d.kind == "safety" and d.fallback],
    )


def publish(
    plan: Plan, corpus: Corpus, *, fingerprint_value: str | None, note: str = "refresh"
) -> tuple[str, dict[str, Any]]:
    """Stage a release with the corpus, every locale's documents, .mo files and indexes; switch to it."""
    from index.build import build_indexes
    from pipeline.publishing.mofile import write_mofile
    from pipeline.publishing.policy import Translations, publish_locale
    from pipeline.publishing.published import write_published

    settings = plan.settings
    workspace = Workspace.from_settings(settings)
    locales = [ENGLISH, *plan.locales]
    with stage_release(settings.data_path, note=note, keep=settings.keep_releases) as staging:
        write_corpus(staging, corpus)
        for locale in locales:
            translations = None
            if locale != ENGLISH:
                translations = Translations(
                    locale,
                    workspace.catalog(locale),
                    workspace.decisions(locale),
                    settings.publish_policy,
                    pseudo=locale in PSEUDO_LOCALES,
                )
                write_mofile(translations, staging / "messages" / locale / "LC_MESSAGES" / "portal.mo")
            write_published(staging, publish_locale(corpus, locale, translations))
        pause_point("publish")
        build = build_indexes(staging, locales)
        manifest_path = staging / "manifest.json"
        manifest = read_manifest(staging)
        manifest[FINGERPRINT_KEY] = fingerprint_value
        manifest["locales"] = locales
        write_json_atomic(manifest_path, manifest)
    live = current_release(settings.data_path)
    return (live.name if live else ""), build.to_dict()


def final_fingerprint(plan: Plan, fetched: dict[str, Fetched], failed: bool) -> str | None:
    """The fingerprint stored with a release: None after a failure so the next run retries."""
    return None if failed else fingerprint(plan, fetched)


# --- the whole run, in process ----------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unchanged_result(plan: Plan, fetched: dict[str, Fetched], started: str) -> RefreshResult:
    """The result of a run that found its fingerprint in the live release: nothing to do."""
    result = RefreshResult(started=started, changed=False, release=plan.live.name if plan.live else None)
    for source in plan.manifest:
        got = fetched.get(source.id)
        result.sources[source.id] = SourceOutcome(
            source.id,
            got.status if got else "kept",
            documents=len(last_good(source.id, plan.previous)),
            snapshot=got.snapshot if got else "",
            sha256=got.sha256 if got else "",
            attempts=got.attempts if got else 0,
        )
    result.changes = diff_corpora(plan.previous, plan.previous) if plan.previous else ChangeSet()
    result.notes.append("nothing changed since the live release: no step was run")
    return result


def probe(plan: Plan) -> tuple[dict[str, Fetched], dict[str, str], bool]:
    """Fetch every selected source; return the bytes, the failures and whether nothing changed."""
    fetched: dict[str, Fetched] = {}
    failures: dict[str, str] = {}
    for source in plan.selected:
        try:
            fetched[source.id] = fetch(source, plan.settings, online=plan.online)
        except PortalError as error:
            failures[source.id] = str(error)
    same = not failures and plan.live is not None and live_fingerprint(plan) == fingerprint(plan, fetched)
    return fetched, failures, same


def record_source(
    result: RefreshResult, source: Source, fetched: Fetched | None, docs: int, error: str = ""
) -> None:
    status = "failed" if error else (fetched.status if fetched else "kept")
    result.sources[source.id] = SourceOutcome(
        source.id,
        status,
        documents=docs,
        error=error,
        snapshot=fetched.snapshot if fetched else "",
        sha256=fetched.sha256 if fetched else "",
        attempts=fetched.attempts if fetched else 0,
    )
    if error:
        result.failures[f"source {source.id}"] = error


def run_refresh(
    settings: Settings,
    *,
    sources: Iterable[str] | None = None,
    manifest: Path | None = None,
    online: bool = False,
    locales: Iterable[str] | None = None,
    mt: str | None = None,
    wait: bool = False,
    notify: bool = True,
) -> RefreshResult:
    """One refresh without Prefect: the same steps as the flow, one after the other."""
    clock = time.perf_counter()
    started = _now()
    with refresh_lock(settings.data_path, wait=wait):
        plan = make_plan(settings, sources=sources, manifest=manifest, online=online, locales=locales, mt=mt)
        fetched, fetch_failures, same = probe(plan)
        if same:
            result = unchanged_result(plan, fetched, started)
        else:
            result = RefreshResult(started=started)
            extracted: dict[str, tuple[list[Document], dict[str, str]]] = {}
            for source in plan.selected:
                error = fetch_failures.get(source.id, "")
                if not error:
                    try:
                        extracted[source.id] = extract(source, fetched[source.id])
                    except PortalError as exc:
                        error = str(exc)
                docs = (
                    len(extracted[source.id][0])
                    if source.id in extracted
                    else len(last_good(source.id, plan.previous))
                )
                record_source(result, source, fetched.get(source.id), docs, error)
            for source in plan.manifest:
                if source.id not in result.sources:
                    record_source(result, source, None, len(last_good(source.id, plan.previous)))
            corpus = assemble(plan, extracted)
            result.timings["extract"] = time.perf_counter() - clock
            finish_run(plan, corpus, fetched, result)
        result.timings["total"] = time.perf_counter() - clock
        write_report(settings, result, notify=notify)
    return result


def finish_run(
    plan: Plan, corpus: Corpus, fetched: dict[str, Fetched], result: RefreshResult, *, map_locales=None
) -> None:
    """Template, catalogs, drafts, checks and publishing for an assembled corpus (sequential)."""
    settings = plan.settings
    result.changes = diff_corpora(plan.previous, corpus)
    with Workspace.from_settings(settings).lock("refresh"):
        template, template_changed = make_template(plan, corpus)
        result.template_messages = len([m for m in template if m.id])
        if template_changed:
            write_template(settings, template)
        for locale in plan.locales:
            outcome = result.locales.setdefault(locale, LocaleOutcome(locale))
            try:
                merge = update_locale(settings, template, locale)
                outcome.merge, outcome.written = merge, merge.pop("written")
                outcome.mt = machine_drafts(settings, locale, plan.mt)
            except PortalError as exc:
                result.failures[f"locale {locale}"] = str(exc)
    for locale in plan.locales:
        if f"locale {locale}" in result.failures:
            continue
        checked = check_locale(settings, locale, corpus)
        outcome = result.locales[locale]
        outcome.qa, outcome.coverage, outcome.fallback_safety = (
            checked.qa,
            checked.coverage,
            checked.fallback_safety,
        )
    publish_step(plan, corpus, fetched, result)


def publish_step(plan: Plan, corpus: Corpus, fetched: dict[str, Fetched], result: RefreshResult) -> None:
    failed = bool(result.failures)
    if not corpus.documents:
        result.failures["publish"] = (
            "no documents to publish (every source failed and nothing was published before)"
        )
    else:
        result.release, build = publish(
            plan, corpus, fingerprint_value=final_fingerprint(plan, fetched, failed)
        )
        result.timings["index_changed"] = sum(
            b["added"] + b["updated"] + b["deleted"] for b in build["locales"]
        )
    result.changed = result.changes.any or any(o.written for o in result.locales.values())
    result.status = "failed" if result.failures else "ok"


def write_report(settings: Settings, result: RefreshResult, *, notify: bool = True) -> str:
    """Write the Markdown report under data_dir/reports and post the webhook; returns the Markdown."""
    from pipeline.publishing.report import post_webhook, render_report, save_report

    markdown = render_report(result)
    result.report = str(save_report(settings.data_path / "reports", markdown))
    if notify and settings.webhook_url:
        problem = post_webhook(settings.webhook_url, result.summary(), timeout=settings.fetch_timeout)
        if problem:
            result.notes.append(problem)
    return markdown


def raise_for_status(result: RefreshResult) -> None:
    if result.status != "ok":
        raise RefreshError(
            f"{len(result.failures)} step(s) failed: "
            + "; ".join(f"{k}: {v}" for k, v in result.failures.items()),
            failed=result.failures,
        )
