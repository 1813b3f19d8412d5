"""The localization workspace: locales/ with the template, one catalog per locale and review logs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog, Message

from pipeline.errors import CatalogError, ReviewError
from pipeline.localization.entries import Entry
from pipeline.localization.machine import TranslationReport, translate_catalog
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
    DEFAULT_REQUIRED,
    Decisions,
    LogEntry,
    append_log,
    approved_messages,
    decide,
    kind_of,
    log_path,
    read_log,
    state_of,
)
from pipeline.localization.signing import Signer
from pipeline.localization.template import with_catalog_header
from pipeline.localization.text import singular

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.localization.accounts import Account

MIN_OVERRIDE_REASON = 10  # non-blank characters: an override must say why, not just " "


@dataclass
class Workspace:
    """Everything under one locales directory."""

    root: Path
    dnt_terms: tuple[str, ...] = ()
    fuzzy_threshold: float = 80.0
    min_ratio: float = 0.4
    max_ratio: float = 2.5
    required: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_REQUIRED))
    key_file: Path | None = None  # the private signing key (None: PORTAL_SIGNING_KEY only)

    @classmethod
    def from_settings(cls, settings: Settings) -> Workspace:
        return cls(
            settings.locales_path,
            tuple(settings.do_not_translate),
            settings.fuzzy_threshold,
            settings.qa_min_ratio,
            settings.qa_max_ratio,
            dict(settings.approvals_required),
            settings.data_path / "keys" / "review-signing.pem",
        )

    def locales(self) -> list[str]:
        return list_locales(self.root)

    def template(self) -> Catalog:
        return read_catalog(template_path(self.root))

    def catalog(self, locale: str) -> Catalog:
        path = catalog_path(self.root, locale)
        if not path.exists():
            raise CatalogError(
                f"no catalog for locale {locale}; run `portal catalog update --locale {locale}`", file=path
            )
        return read_catalog(path, locale=locale)

    def decisions(self, locale: str) -> Decisions:
        """The verified review history of a locale (ReviewLogError names a bad line)."""
        return Decisions.from_entries(read_log(log_path(self.root, locale)), self.required)

    def signer(self) -> Signer:
        """The workspace's signing key, created (and its public half published) on first use."""
        signer = Signer.load(self.key_file)
        if signer is None:
            if self.key_file is None:
                raise ReviewError("no signing key: set PORTAL_SIGNING_KEY or configure a data directory")
            signer = Signer.create(self.key_file)
        return signer

    def lock(self, what: str = "catalog update") -> AbstractContextManager[Path]:
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
        self._restore_reverted(merged, stats, locale)
        return with_catalog_header(merged, template, locale), stats

    def _restore_reverted(self, catalog: Catalog, stats: MergeStats, locale: str) -> None:
        """A source that changed and then changed back gets its approved translation back.

        Such a draft shows a previous msgid equal to its msgid; when the review log holds a valid
        approval of exactly this source and translation, nothing is left to review.
        """
        decisions: Decisions | None = None
        for message in catalog:
            if not (message.id and message.fuzzy and list(message.previous_id or []) == [message.id]):
                continue
            decisions = decisions or self.decisions(locale)
            if decisions.approvals(message):  # hashes of this exact source and translation
                message.flags.discard("fuzzy")
                message.previous_id = []
                if isinstance(message, Entry):
                    message.previous_context = None
                label = message.context or str(message.id)
                stats.fuzzy_ids = [i for i in stats.fuzzy_ids if i != label]
                stats.fuzzy -= 1
                stats.exact += 1

    def write_pseudo(self, template: Catalog, locale: str = "en_XA") -> Path:
        """Regenerate a pseudo-locale from the template (the caller holds the lock)."""
        path = catalog_path(self.root, locale)
        write_catalog(self.merged(template, locale)[0], path)
        return path

    # --- quality and review -----------------------------------------------------------------

    def check_context(
        self, locale: str, catalog: Catalog | None = None, decisions: Decisions | None = None
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
        account: Account,
        segments: Iterable[str] = (),
        *,
        all_translated: bool = False,
        override: str = "",
        expect: Callable[[Catalog], None] | None = None,
    ) -> list[LogEntry]:
        """Record ``account``'s approval of named segments (drafts included: approving accepts them).

        ``all_translated`` approves every translated message except safety text, which is always
        approved one by one. A message with a QA error is refused unless ``override`` says why in at
        least 10 characters; the reason is logged and reported. An account approves a text once.
        ``expect`` checks the catalog under the lock first (a browser form refuses a stale page).
        """
        _require(account, "review", locale)
        wanted = list(segments)
        if not wanted and not all_translated:
            raise ReviewError("name segment ids or use --all-translated", locale=locale)
        if override and len("".join(override.split())) < MIN_OVERRIDE_REASON:
            raise ReviewError(
                f"an override needs a reason of at least {MIN_OVERRIDE_REASON} characters", locale=locale
            )
        with self.lock("review"):
            catalog, decisions = self.catalog(locale), self.decisions(locale)
            if expect is not None:
                expect(catalog)
            chosen = self._chosen(catalog, decisions, locale, wanted, all_translated)
            ctx = self.check_context(locale, catalog, decisions)
            entries, accepted = [], False
            for message in chosen:
                blocking = self._refusal(message, decisions, ctx, account, locale, override)
                if blocking is None:
                    continue
                if message.fuzzy:
                    message.flags.discard("fuzzy")
                    message.previous_id = []
                    accepted = True
                entries.append(decide(message, locale=locale, reviewer=account.name, action="approve",
                                      override=override.strip() if blocking else ""))  # fmt: skip
            signed = append_log(log_path(self.root, locale), entries, self.signer())
            if accepted:
                write_catalog(catalog, catalog_path(self.root, locale))
        return signed

    @staticmethod
    def _chosen(
        catalog: Catalog, decisions: Decisions, locale: str, wanted: list[str], all_translated: bool
    ) -> list[Message]:
        by_segment = {m.context: m for m in catalog if m.id and m.context}
        unknown = [s for s in wanted if s not in by_segment]
        if unknown:
            raise ReviewError(f"unknown segment(s): {', '.join(unknown)}", locale=locale)
        if not all_translated:
            return [by_segment[s] for s in wanted]
        return [
            m
            for m in by_segment.values()
            if state_of(m, decisions) == "translated" and kind_of(m) != "safety"
        ]

    @staticmethod
    def _refusal(
        message: Message,
        decisions: Decisions,
        ctx: CheckContext,
        account: Account,
        locale: str,
        override: str,
    ) -> bool | None:
        """None to skip a message already approved by this account; else whether QA blocked it."""
        if not message.string:
            raise ReviewError(
                "cannot approve an untranslated message", locale=locale, segment=message.context
            )
        if not message.fuzzy and any(e.reviewer == account.name for e in decisions.approvals(message)):
            if len(decisions.approvals(message)) < decisions.needed(message):
                raise ReviewError(
                    f"{account.name} already approved this text; "
                    "a different reviewer must give the next approval",
                    locale=locale,
                    segment=message.context,
                )
            return None
        source, translation = singular(message.id), singular(message.string)
        blocking = errors(check_message(source, translation, ctx, message.context or ""))
        if blocking and not override:
            first = blocking[0]
            raise ReviewError(
                f"QA error ({first.check}): {first.message}; fix it or pass --override REASON",
                locale=locale,
                segment=message.context,
            )
        return bool(blocking)

    def reject(
        self,
        locale: str,
        account: Account,
        segment: str,
        reason: str,
        expect: Callable[[Catalog], None] | None = None,
    ) -> LogEntry:
        """Send a translation back to draft with the reviewer's reason as a translator comment."""
        _require(account, "review", locale)
        if not reason.strip():
            raise ReviewError("a reason is required to reject", locale=locale, segment=segment)
        with self.lock("review"):
            catalog = self.catalog(locale)
            self.decisions(locale)  # a tampered log is refused before anything is added to it
            if expect is not None:
                expect(catalog)
            message = next((m for m in catalog if m.context == segment and m.id), None)
            if message is None:
                raise ReviewError("unknown segment", locale=locale, segment=segment)
            if not message.string:
                raise ReviewError("cannot reject an untranslated message", locale=locale, segment=segment)
            entry = decide(
                message, locale=locale, reviewer=account.name, action="reject", reason=reason.strip()
            )
            (signed,) = append_log(log_path(self.root, locale), [entry], self.signer())
            message.flags.add("fuzzy")
            message.user_comments = [c for c in message.user_comments if not c.startswith("rejected by ")]
            message.user_comments.append(f"rejected by {account.name}: {reason.strip()}")
            write_catalog(catalog, catalog_path(self.root, locale))
        return signed

    # --- machine drafts and memory ------------------------------------------------------------

    def draft(
        self, locale: str, provider: str, *, url: str | None, api_key: str | None, dry_run: bool = False
    ) -> TranslationReport:
        """Machine drafts for the untranslated messages: translation memory first, then the provider.

        Every draft obtained is written, even when the provider fails half-way (the caller holds
        the catalog lock).
        """
        memory = self.memory(locale)
        catalog = self.catalog(locale)
        try:
            return translate_catalog(
                catalog,
                locale=locale,
                provider=provider,
                url=url,
                api_key=api_key,
                memory=memory,
                dnt_terms=self.dnt_terms,
                dry_run=dry_run,
            )
        finally:
            if not dry_run:
                write_catalog(catalog, catalog_path(self.root, locale))

    def memory(self, locale: str) -> dict[str, str]:
        """Every approved translation of a locale, keyed by its English source (the translation memory)."""
        return {
            singular(m.id): singular(m.string)
            for m in approved_messages(self.catalog(locale), self.decisions(locale)).values()
        }


def _as_catalog(messages: Iterable[Message], locale: str) -> Catalog:
    catalog = Catalog(locale=locale)
    for message in messages:
        catalog[message.id] = message  # Babel keys it by (msgid, msgctxt) from the message
    return catalog


def _require(account: Account, action: str, locale: str) -> None:
    if account.disabled:
        raise ReviewError(f"account {account.name!r} is disabled", locale=locale)
    if not account.can("review"):
        raise ReviewError(
            f"account {account.name!r} ({account.role}) may not {action}: the reviewer role is needed",
            locale=locale,
        )
