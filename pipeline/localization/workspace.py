"""The localization workspace: locales/ with the template, one catalog per locale and review logs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from pipeline.errors import ReviewError
from pipeline.localization.merge import MergeStats, merge_catalog
from pipeline.localization.pofile import (
    catalog_lock,
    catalog_path,
    list_locales,
    read_catalog,
    template_path,
    write_catalog,
)
from pipeline.localization.pseudo import PSEUDO_LOCALES
from pipeline.localization.qa import CheckContext, check_message, errors, glossary_from_catalog
from pipeline.localization.review import (
    LogEntry,
    append_log,
    approved_messages,
    decide,
    latest_decisions,
    log_path,
    read_log,
    state_of,
)
from pipeline.localization.template import with_catalog_header


@dataclass
class Workspace:
    """Everything under one locales directory."""

    root: Path
    dnt_terms: tuple[str, ...] = ()
    fuzzy_threshold: float = 80.0
    min_ratio: float = 0.4
    max_ratio: float = 2.5

    @classmethod
    def from_settings(cls, settings) -> Workspace:
        return cls(
            settings.locales_path,
            tuple(settings.do_not_translate),
            settings.fuzzy_threshold,
            settings.qa_min_ratio,
            settings.qa_max_ratio,
        )

    def locales(self) -> list[str]:
        return list_locales(self.root)

    def template(self) -> Catalog:
        return read_catalog(template_path(self.root))

    def catalog(self, locale: str) -> Catalog:
        path = catalog_path(self.root, locale)
        if not path.exists():
            raise ReviewError(
                f"no catalog at {path}; run `portal catalog update --locale {locale}`", locale=locale
            )
        return read_catalog(path, locale=locale)

    def decisions(self, locale: str) -> dict[str, LogEntry]:
        return latest_decisions(read_log(log_path(self.root, locale)))

    def lock(self, what: str = "catalog update"):
        return catalog_lock(self.root, what)

    # --- template and merge ---------------------------------------------------------------

    def update(self, template: Catalog, locales: Iterable[str]) -> dict[str, MergeStats]:
        """Write the template and merge it into each locale's catalog (created when missing).

        Every catalog is read and merged before anything is written, so one broken PO file
        means nothing at all is written. Pseudo-locales are regenerated, not merged.
        """
        results: dict[str, MergeStats] = {}
        merged: dict[str, Catalog] = {}
        with self.lock():
            for locale in locales:
                merged[locale], stats = self.merged(template, locale)
                if stats is not None:
                    results[locale] = stats
            write_catalog(template, template_path(self.root), template=True)
            for locale, catalog in merged.items():
                write_catalog(catalog, catalog_path(self.root, locale))
        return results

    def merged(self, template: Catalog, locale: str) -> tuple[Catalog, MergeStats | None]:
        """A locale's catalog brought up to the template, in memory (stats None for pseudo-locales)."""
        if locale in PSEUDO_LOCALES:
            from pipeline.localization.pseudo import pseudo_catalog

            return with_catalog_header(
                pseudo_catalog(template, locale, self.dnt_terms), template, locale
            ), None
        path = catalog_path(self.root, locale)
        old = (
            read_catalog(path, locale=locale)
            if path.exists()
            else Catalog(locale=locale, project=template.project)
        )
        # A msgctxt is a segment id here; the header is the product's (real fields, stable bytes).
        merged, stats = merge_catalog(
            old, template, segment_contexts=True, fuzzy_threshold=self.fuzzy_threshold
        )
        return with_catalog_header(merged, template, locale), stats

    def write_pseudo(self, template: Catalog, locale: str = "en_XA") -> Path:
        """Regenerate a pseudo-locale from the template (the caller holds the lock)."""
        path = catalog_path(self.root, locale)
        write_catalog(self.merged(template, locale)[0], path)
        return path

    # --- quality and review -----------------------------------------------------------------

    def check_context(
        self, locale: str, catalog: Catalog | None = None, decisions: dict[str, LogEntry] | None = None
    ) -> CheckContext:
        catalog = catalog if catalog is not None else self.catalog(locale)
        decisions = decisions if decisions is not None else self.decisions(locale)
        glossary = glossary_from_catalog(_as_catalog(approved_messages(catalog, decisions).values(), locale))
        return CheckContext(
            locale=locale,
            dnt_terms=self.dnt_terms,
            glossary=glossary,
            min_ratio=self.min_ratio,
            max_ratio=self.max_ratio,
        )

    def approve(
        self,
        locale: str,
        reviewer: str,
        segments: Iterable[str] = (),
        *,
        all_translated: bool = False,
        override: str = "",
    ) -> list[LogEntry]:
        """Approve named segments (drafts included: approving accepts them) or every translated one.

        A message with a QA error is refused unless ``override`` gives the reason, which is logged.
        """
        wanted = list(segments)
        if not wanted and not all_translated:
            raise ReviewError("name segment ids or use --all-translated", locale=locale)
        with self.lock("review"):
            catalog = self.catalog(locale)
            decisions = self.decisions(locale)
            by_segment = {m.context: m for m in catalog if m.id and m.context}
            unknown = [s for s in wanted if s not in by_segment]
            if unknown:
                raise ReviewError(f"unknown segment(s): {', '.join(unknown)}", locale=locale)
            if all_translated:
                chosen = [m for m in by_segment.values() if state_of(m, decisions) == "translated"]
            else:
                chosen = [by_segment[s] for s in wanted]
            ctx = self.check_context(locale, catalog, decisions)
            entries, changed = [], False
            for message in chosen:
                if not message.string:
                    raise ReviewError(
                        "cannot approve an untranslated message", locale=locale, segment=message.context
                    )
                blocking = errors(check_message(message.id, message.string, ctx, message.context or ""))
                if blocking and not override:
                    first = blocking[0]
                    raise ReviewError(
                        f"QA error ({first.check}): {first.message}; fix it or pass --override REASON",
                        locale=locale,
                        segment=message.context,
                    )
                if message.fuzzy:
                    message.flags.discard("fuzzy")
                    message.previous_id = []
                    changed = True
                if state_of(message, decisions) == "approved":
                    continue
                entries.append(
                    decide(
                        message,
                        locale=locale,
                        reviewer=reviewer,
                        action="approve",
                        override=override if blocking else "",
                    )
                )
            if changed:
                write_catalog(catalog, catalog_path(self.root, locale))
            append_log(log_path(self.root, locale), entries)
        return entries

    def reject(self, locale: str, reviewer: str, segment: str, reason: str) -> LogEntry:
        """Send a translation back to draft with the reviewer's reason as a translator comment."""
        if not reason.strip():
            raise ReviewError("a reason is required to reject", locale=locale, segment=segment)
        with self.lock("review"):
            catalog = self.catalog(locale)
            message = next((m for m in catalog if m.context == segment and m.id), None)
            if message is None:
                raise ReviewError("unknown segment", locale=locale, segment=segment)
            if not message.string:
                raise ReviewError("cannot reject an untranslated message", locale=locale, segment=segment)
            entry = decide(message, locale=locale, reviewer=reviewer, action="reject", reason=reason)
            message.flags.add("fuzzy")
            message.user_comments = [c for c in message.user_comments if not c.startswith("rejected by ")]
            message.user_comments.append(f"rejected by {entry.reviewer}: {reason.strip()}")
            write_catalog(catalog, catalog_path(self.root, locale))
            append_log(log_path(self.root, locale), [entry])
        return entry

    # --- memory -----------------------------------------------------------------------------

    def memory(self, locale: str) -> dict[str, str]:
        """Every approved translation of a locale, keyed by its English source (the translation memory)."""
        return {
            m.id: m.string for m in approved_messages(self.catalog(locale), self.decisions(locale)).values()
        }


def _as_catalog(messages: Iterable[Message], locale: str) -> Catalog:
    catalog = Catalog(locale=locale)
    for message in messages:
        catalog[message.id] = message  # Babel keys it by (msgid, msgctxt) from the message
    return catalog
