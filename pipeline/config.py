"""Settings: declared once with default and help, read from portal.toml, overridden by PORTAL_* env."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = "portal.toml"
ENV_PREFIX = "PORTAL_"


def _setting(default: Any, help: str) -> Any:
    factory = (lambda: type(default)(default)) if isinstance(default, (list, dict)) else None
    meta = {"help": help}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Settings:
    """Every setting of the product. Each has a default and a help text; see `portal config`."""

    data_dir: str = _setting("var", "Directory for generated data: releases, snapshots, reports, locks.")
    sources: str = _setting("source_docs/sources.toml", "Source manifest: ids, URLs, snapshots, profiles.")
    locales_dir: str = _setting("locales", "Directory holding portal.pot and <locale>/LC_MESSAGES/portal.po.")
    locales: list = _setting(["es", "zh_Hans", "ar", "en_XA"], "Target locales published besides English.")
    publish_policy: dict = _setting(
        {"glossary": "approved", "safety": "approved", "page": "approved"},
        "Per content kind, what a translation needs to be shown: 'approved' or 'translated'.",
    )
    do_not_translate: list = _setting(
        [
            "POMALYST",
            "REVLIMID",
            "THALOMID",
            "REMS",
            "NCCN",
            "FDA",
            "MedWatch",
            "Celgene",
            "Bristol-Myers Squibb",
            "IMiD",
            "HCP",
            "MM",
            "PI",
            "TLS",
            "AML",
            "CLL",
            "ORR",
            "OS",
            "PFS",
            "TTP",
            "VGPR",
            "RBCs",
            "WBCs",
        ],
        "Terms that must appear unchanged in every translation (brands, programs, abbreviations).",
    )
    mt_provider: str = _setting(
        "none", "Machine-translation provider for drafts (deep-translator name, or 'none')."
    )
    mt_url: str = _setting("", "Base URL of a self-hosted provider (e.g. a LibreTranslate server).")
    mt_api_key_env: str = _setting("", "Name of the environment variable holding the provider's API key.")
    fuzzy_threshold: float = _setting(
        80.0, "Minimum similarity (0-100) for a changed source to keep its translation as a draft."
    )
    qa_min_ratio: float = _setting(0.4, "Smallest translation/source length ratio before QA warns.")
    qa_max_ratio: float = _setting(2.5, "Largest translation/source length ratio before QA warns.")
    fetch_timeout: float = _setting(20.0, "Seconds before an HTTP fetch of a source times out.")
    fetch_retries: int = _setting(3, "Retries of a source fetch on network errors, 429 and 5xx.")
    webhook_url: str = _setting("", "URL that receives a JSON summary after each refresh (empty: none).")
    keep_releases: int = _setting(5, "How many published releases to keep for rollback.")
    portal_host: str = _setting("127.0.0.1", "Address `portal serve` listens on.")
    portal_port: int = _setting(8000, "Port `portal serve` listens on.")

    def path(self, name: str) -> Path:
        """A path setting resolved against the project root when relative."""
        value = Path(getattr(self, name))
        return value if value.is_absolute() else PROJECT_ROOT / value

    @property
    def data_path(self) -> Path:
        return self.path("data_dir")

    @property
    def locales_path(self) -> Path:
        return self.path("locales_dir")

    @property
    def sources_path(self) -> Path:
        return self.path("sources")


def setting_help() -> dict[str, tuple[Any, str]]:
    """Each setting's default and help, for documentation and `portal config`."""
    defaults = Settings()
    return {f.name: (getattr(defaults, f.name), f.metadata["help"]) for f in fields(Settings)}


def _coerce(name: str, raw: Any, default: Any, origin: str) -> Any:
    try:
        if isinstance(default, bool):
            if isinstance(raw, str):
                return raw.strip().lower() in {"1", "true", "yes", "on"}
            return bool(raw)
        if isinstance(default, list):
            if isinstance(raw, str):
                return [item.strip() for item in raw.split(",") if item.strip()]
            if not isinstance(raw, list):
                raise TypeError("expected a list")
            return list(raw)
        if isinstance(default, dict):
            if not isinstance(raw, dict):
                raise TypeError("expected a table")
            return {**default, **raw}
        return type(default)(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{exc} (got {raw!r})", file=origin, setting=name) from None


def load_settings(
    config_file: Path | None = None, env: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    """Defaults, then portal.toml, then PORTAL_<NAME> environment variables, then explicit overrides."""
    env = dict(os.environ if env is None else env)
    path = Path(config_file) if config_file else Path(env.get("PORTAL_CONFIG", PROJECT_ROOT / CONFIG_FILE))
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Settings)}
    defaults = Settings()
    if path.exists():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(str(exc), file=path) from None
        for key, raw in table.items():
            if key not in known:
                raise ConfigError("unknown setting", file=path, setting=key)
            values[key] = _coerce(key, raw, getattr(defaults, key), str(path))
    for name in known:
        env_name = ENV_PREFIX + name.upper()
        if env_name in env:
            values[name] = _coerce(name, env[env_name], getattr(defaults, name), env_name)
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = raw
    settings = Settings(**values)
    for kind, policy in settings.publish_policy.items():
        if policy not in {"approved", "translated"}:
            raise ConfigError(
                f"policy for {kind!r} must be 'approved' or 'translated'", file=path, setting="publish_policy"
            )
    return settings
