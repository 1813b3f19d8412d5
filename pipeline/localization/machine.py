"""Machine-translation drafts: translation-memory reuse, then a deep-translator provider, never approved."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message

from pipeline.errors import ConfigError, TranslationError
from pipeline.localization.pseudo import PSEUDO_LOCALES
from pipeline.localization.qa import PRESERVATION_CHECKS, CheckContext, check_message, errors
from pipeline.localization.text import singular
from pipeline.localization.tokens import leftover_placeholders, shield, unshield

MEMORY_COMMENT = "draft from translation memory"


class Client(Protocol):
    def translate(self, text: str, **kwargs: Any) -> str: ...


ClientFactory = Callable[..., Client]


@dataclass(frozen=True)
class Provider:
    """How to build one deep-translator client and which language codes it speaks."""

    name: str
    class_name: str
    codes: str | None  # name of the deep_translator.constants table, None = not checkable offline
    key: str = "none"  # "none", "optional", "required", "pair" (ID:SECRET)
    custom_url: bool = False


# Pons and Linguee are word dictionaries, not sentence translators, and deep-translator's
# ChatGPT client needs an OpenAI library it no longer matches, so those are left out.
PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("libre", "LibreTranslator", "LIBRE_LANGUAGES_TO_CODES", key="optional", custom_url=True),
        Provider("google", "GoogleTranslator", "GOOGLE_LANGUAGES_TO_CODES"),
        Provider("mymemory", "MyMemoryTranslator", "MY_MEMORY_LANGUAGES_TO_CODES"),
        Provider("deepl", "DeeplTranslator", "DEEPL_LANGUAGE_TO_CODE", key="required"),
        Provider("microsoft", "MicrosoftTranslator", None, key="required"),
        Provider("yandex", "YandexTranslator", "GOOGLE_LANGUAGES_TO_CODES", key="required"),
        Provider("qcri", "QcriTranslator", "QCRI_LANGUAGE_TO_CODE", key="required"),
        Provider("baidu", "BaiduTranslator", "BAIDU_LANGUAGE_TO_CODE", key="pair"),
        Provider("papago", "PapagoTranslator", "PAPAGO_LANGUAGE_TO_CODE", key="pair"),
    )
}


@dataclass
class TranslationReport:
    """What a translate run did, message by message (segment ids)."""

    provider: str
    locale: str = ""
    dry_run: bool = False
    memory: list[str] = field(default_factory=list)
    translated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    calls: int = 0
    characters: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        parts = [f"{len(self.memory)} {verb} reused from translation memory"]
        if self.provider != "none":
            if self.dry_run:
                parts.append(
                    f"{len(self.pending)} would be sent to {self.provider} ({self.characters} characters)"
                )
            else:
                parts.append(f"{len(self.translated)} machine-translated by {self.provider}")
                parts.append(f"{len(self.failed)} failed")
                parts.append(f"{len(self.skipped)} skipped")
                parts.append(f"{self.calls} provider call(s)")
        else:
            parts.append(f"{len(self.pending)} left untranslated")
        return ", ".join(parts)


def translation_memory(catalogs: Iterable[Catalog]) -> dict[str, str]:
    """English msgid -> approved translation, over every approved message of the catalogs."""
    memory: dict[str, str] = {}
    for catalog in catalogs:
        for message in catalog:
            if message.id and not message.pluralizable and message.string and not message.fuzzy:
                memory.setdefault(singular(message.id), singular(message.string))
    return memory


def _language_candidates(locale: str) -> list[str]:
    """Codes and names a provider may know a locale by, most specific first."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError) as exc:
        raise TranslationError(f"unknown locale {locale!r}") from exc
    language = parsed.language
    name = (Locale("en").languages.get(language) or language).lower()
    if language == "zh":
        traditional = parsed.script == "Hant" or (
            not parsed.script and parsed.territory in ("TW", "HK", "MO")
        )
        if traditional:
            return ["zh-TW", "zh-Hant", "cht", "chinese (traditional)", "chinese traditional"]
        return ["zh-CN", "zh-Hans", "zh", "chinese (simplified)", "chinese simplified", "Chinese"]
    candidates = [f"{language}-{parsed.territory}"] if parsed.territory else []
    candidates += [
        language,
        f"{language}-{language.upper()}",
        f"{language}-US",
        f"{language}-GB",
        f"{language}-SA",
    ]
    return candidates + [name, name.capitalize()]


def provider_language(provider: str, locale: str) -> str:
    """The provider's code for one of our locales (zh_Hans -> "zh" for libre, "zh-CN" for google)."""
    spec = _provider(provider)
    candidates = _language_candidates(locale)
    if spec.codes is None:
        # Microsoft lists its languages only online; its codes are BCP 47 in lower case.
        code = (
            "zh-Hans"
            if candidates[0] == "zh-CN"
            else "zh-Hant"
            if candidates[0] == "zh-TW"
            else Locale.parse(locale).language
        )
        return code.lower()
    from deep_translator import constants

    table = getattr(constants, spec.codes)
    known = {str(code) for code in table.values()} | {str(name) for name in table}
    for candidate in candidates:
        if candidate in known:
            return candidate
    raise TranslationError(f"locale {locale} is not offered by this provider", provider=provider)


def _provider(name: str) -> Provider:
    if name not in PROVIDERS:
        raise TranslationError(
            f"unknown provider {name!r}; choose one of: none, {', '.join(sorted(PROVIDERS))}"
        )
    return PROVIDERS[name]


def check_provider(provider: str, url: str | None) -> None:
    """Refuse, before any work, a provider that is unknown or would send text somewhere unasked."""
    if provider == "none":
        return
    if provider not in PROVIDERS:
        raise ConfigError(
            f"unknown machine-translation provider {provider!r}; "
            f"choose one of: none, {', '.join(sorted(PROVIDERS))}",
            setting="mt_provider",
        )
    if PROVIDERS[provider].custom_url and not url:
        # deep-translator would otherwise post the catalog's text to a public server.
        raise ConfigError(
            f"the {provider} provider needs the URL of your own server (--url or mt_url)", setting="mt_url"
        )


def check_settings(provider: str, *, url: str | None = None, api_key: str | None = None) -> None:
    """Raise TranslationError when the provider is unknown or its URL or key is unusable."""
    spec = _provider(provider)
    if spec.custom_url and not url:
        raise TranslationError("the URL of your own server is required (--url); no public server is used",
                               provider=provider)  # fmt: skip
    if url is not None:
        if not spec.custom_url:
            raise TranslationError("--url is only used by the libre provider", provider=provider)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TranslationError(f"bad URL {url!r}: expected http(s)://host[:port]/", provider=provider)
    if spec.key == "required" and not api_key:
        raise TranslationError(
            "an API key is required; name its environment variable with --api-key-env", provider=provider
        )
    if spec.key == "pair" and (not api_key or ":" not in api_key):
        raise TranslationError(
            "an API key of the form ID:SECRET is required (--api-key-env)", provider=provider
        )


def make_client(
    provider: str, *, source: str, target: str, url: str | None = None, api_key: str | None = None
) -> Client:
    """A deep-translator client, with configuration problems turned into TranslationError."""
    spec = _provider(provider)
    check_settings(provider, url=url, api_key=api_key)
    kwargs: dict[str, Any] = {"source": source, "target": target}
    if url is not None:
        # deep-translator appends "translate" to the base URL as it is.
        kwargs["custom_url"] = url if url.endswith("/") else url + "/"
    if spec.key == "pair":
        first, second = (api_key or "").split(":", 1)
        kwargs.update(
            {"appid": first, "appkey": second}
            if provider == "baidu"
            else {"client_id": first, "secret_key": second}
        )
    elif spec.key == "optional":
        # A self-hosted LibreTranslate needs no key, but deep-translator refuses an empty one;
        # servers without keys ignore the parameter.
        kwargs["api_key"] = api_key or "none"
    elif spec.key == "required":
        kwargs["api_key"] = api_key
    import deep_translator

    try:
        client: Client = getattr(deep_translator, spec.class_name)(**kwargs)
        return client
    except Exception as exc:  # deep-translator raises bare Exceptions for bad configuration
        raise TranslationError(_describe(exc), provider=provider) from exc


def api_key_from_env(variable: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The API key held in the named environment variable (``--api-key-env``)."""
    import os

    if not variable:
        return None
    value = (environ if environ is not None else os.environ).get(variable, "")
    if not value.strip():
        raise TranslationError(f"environment variable {variable} is not set or empty")
    return value.strip()


# --- calling a provider ---------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _retryable(exc: BaseException) -> bool:
    """Rate limits, server errors and connection problems are worth another try."""
    import requests
    from deep_translator import exceptions as dt

    if isinstance(
        exc,
        (
            dt.TooManyRequests,
            dt.RequestError,
            requests.ConnectionError,
            requests.Timeout,
            ConnectionError,
            TimeoutError,
        ),
    ):
        return True
    if isinstance(exc, dt.ServerException):
        # deep-translator keeps only the message; map it back to its status code.
        codes = {message: code for code, message in dt.ServerException.errors.items()}
        code = codes.get(str(exc.args[0]) if exc.args else "")
        return code is None or code == 429 or code >= 500
    return False


class _Caller:
    """One provider with retries, backoff and a circuit breaker over consecutive failures."""

    def __init__(
        self,
        client: Client,
        report: TranslationReport,
        *,
        retries: int,
        backoff: float,
        sleep: Callable[[float], None],
        max_failures: int,
    ) -> None:
        self.client = client
        self.report = report
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.max_failures = max_failures
        self.failures_in_row = 0
        self.random = random.Random()

    @property
    def open(self) -> bool:
        return self.failures_in_row >= self.max_failures

    def translate(self, text: str) -> str:
        """The provider's reply; raises the last error after the retries are spent."""
        attempt = 0
        while True:
            self.report.calls += 1
            try:
                reply = self.client.translate(text)
            except Exception as exc:  # any provider failure must leave the run able to continue
                if attempt < self.retries and _retryable(exc):
                    # Exponential backoff with jitter so parallel runs do not retry in step.
                    self.sleep(self.backoff * (2**attempt) * self.random.uniform(0.5, 1.5))
                    attempt += 1
                    continue
                self.failures_in_row += 1
                raise
            self.failures_in_row = 0
            if not isinstance(reply, str) or not reply.strip():
                raise ValueError("the provider returned an empty translation")
            return reply


def _store(message: Message, translation: str, comment: str) -> None:
    message.string = translation
    message.flags.add("fuzzy")
    if comment not in message.user_comments:
        message.user_comments.append(comment)


def _segment(message: Message) -> str:
    return message.context or singular(message.id)


def translate_catalog(
    catalog: Catalog,
    *,
    locale: str,
    provider: str = "none",
    url: str | None = None,
    api_key: str | None = None,
    memory: Mapping[str, str] = {},
    dnt_terms: Iterable[str] = (),
    dry_run: bool = False,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    client_factory: ClientFactory | None = None,
    max_failures: int = 3,
    today: date | None = None,
) -> TranslationReport:
    """Fill the untranslated messages of a catalog with drafts (fuzzy), in place.

    Exact translation-memory matches come first and cost no call; the rest go to ``provider``
    with protected tokens shielded. A reply that loses a number, term, phone, address or
    placeholder is not stored. Messages that already have a translation are never touched.
    """
    if locale in PSEUDO_LOCALES or locale.split("_")[0] == "en":
        raise TranslationError(f"locale {locale} is generated from English, never machine translated")
    terms = tuple(dnt_terms)
    report = TranslationReport(provider=provider, locale=locale, dry_run=dry_run)
    if provider != "none":
        check_settings(provider, url=url, api_key=api_key)
        source_code, target_code = provider_language(provider, "en"), provider_language(provider, locale)
    todo = [m for m in catalog if m.id and not m.pluralizable and not m.string]

    remaining = []
    for message in todo:
        reuse = memory.get(singular(message.id))
        if reuse:
            report.memory.append(_segment(message))
            if not dry_run:
                _store(message, reuse, MEMORY_COMMENT)
        else:
            remaining.append(message)

    if provider == "none" or dry_run:
        report.pending = [_segment(m) for m in remaining]
        report.characters = (
            sum(len(shield(singular(m.id), terms)[0]) for m in remaining) if provider != "none" else 0
        )
        return report

    factory = client_factory or make_client
    client = factory(provider, source=source_code, target=target_code, url=url, api_key=api_key)
    caller = _Caller(client, report, retries=retries, backoff=backoff, sleep=sleep, max_failures=max_failures)
    comment = f"machine translation by {provider} ({(today or date.today()).isoformat()})"
    _draft_remaining(remaining, caller, report, CheckContext(locale=locale, dnt_terms=terms), comment)
    return report


def _draft_remaining(
    remaining: list[Message], caller: _Caller, report: TranslationReport, ctx: CheckContext, comment: str
) -> None:
    """Ask the provider for each message; the same English text twice in a run costs one call."""
    results: dict[str, str] = {}
    problems: dict[str, str] = {}
    for message in remaining:
        segment, source = _segment(message), singular(message.id)
        if source in results:
            _store(message, results[source], comment)
            report.translated.append(segment)
        elif source in problems:
            report.failed[segment] = problems[source]
        elif caller.open:
            report.skipped.append(segment)
        else:
            translation, problem = _ask(caller, source, ctx, report)
            if problem:
                problems[source] = report.failed[segment] = problem
            else:
                results[source] = translation
                _store(message, translation, comment)
                report.translated.append(segment)


def _ask(caller: _Caller, source: str, ctx: CheckContext, report: TranslationReport) -> tuple[str, str]:
    """(translation, "") when the reply keeps every protected token, else ("", why not)."""
    masked, restore = shield(source, ctx.dnt_terms)
    report.characters += len(masked)
    try:
        reply = caller.translate(masked)
    except Exception as exc:  # deep-translator raises bare Exceptions; the run goes on
        return "", f"provider error: {_describe(exc)}"
    translation = unshield(reply, restore)
    reason = _rejection(source, translation, ctx)
    return ("", reason) if reason else (translation, "")


def _rejection(msgid: str, translation: str, ctx: CheckContext) -> str:
    """Why a machine translation cannot be kept even as a draft ("" when it can)."""
    leftovers = leftover_placeholders(translation, original=msgid)
    if leftovers:
        return f"reply has unknown placeholders {', '.join(leftovers)}"
    problems = errors(check_message(msgid, translation, ctx, checks=PRESERVATION_CHECKS))
    if problems:
        return "reply rejected: " + "; ".join(f.message for f in problems)
    return ""
