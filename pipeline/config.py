"""Settings: declared once with type, range, default and help; read from the workspace's portal.toml,
overridden by PORTAL_* environment variables, validated before any work starts.

A workspace is a folder holding ``portal.toml``. It is found from the current directory upward
(like git), or named by ``PORTAL_WORKSPACE`` / ``--workspace``, or its file by ``PORTAL_CONFIG`` /
``--config``. Every relative path in the settings resolves against that folder, never against the
package's own location, so an installed tool works in any content repository.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError
from pipeline.fs import read_toml

__all__ = [
    "CONFIG_FILE",
    "CONTENT_KINDS",
    "ENV_PREFIX",
    "Settings",
    "find_workspace",
    "load_settings",
    "setting_help",
]

CONFIG_FILE = "portal.toml"
ENV_PREFIX = "PORTAL_"
CONTENT_KINDS = ("glossary", "safety", "page")
LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:_[A-Z][a-z]{3})?(?:_(?:[A-Z]{2}|[0-9]{3}))?$")

Policy = Literal["approved", "translated"]


def _setting(default: Any, help: str, **limits: Any) -> Any:
    if isinstance(default, list | dict):
        return Field(default_factory=lambda: type(default)(default), description=help, **limits)
    return Field(default=default, description=help, **limits)


class Settings(BaseModel):
    """Every setting of the product. Each has a default and a help text; see `portal config`."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    data_dir: str = _setting("var", "Directory for generated data: releases, snapshots, reports, locks.")
    sources: str = _setting("source_docs/sources.toml", "Source manifest: ids, URLs, snapshots, profiles.")
    locales_dir: str = _setting("locales", "Directory holding portal.pot and <locale>/LC_MESSAGES/portal.po.")
    locales: list[str] = _setting(
        ["es", "zh_Hans", "ar", "en_XA"], "Target locales published besides English."
    )
    publish_policy: dict[str, Policy] = _setting(
        {"glossary": "approved", "safety": "approved", "page": "approved"},
        "Per content kind, what a translation needs to be shown: 'approved' or 'translated'.",
    )
    approvals_required: dict[str, int] = _setting(
        {"glossary": 1, "safety": 2, "page": 1},
        "Per content kind, how many different reviewers must approve a translation before it is shown.",
    )
    do_not_translate: list[str] = _setting(
        ["POMALYST", "REVLIMID", "THALOMID", "REMS", "NCCN", "FDA", "MedWatch", "Celgene",
         "Bristol-Myers Squibb", "IMiD", "HCP", "MM", "PI", "TLS", "AML", "CLL", "ORR", "OS", "PFS",
         "TTP", "VGPR", "RBCs", "WBCs"],
        "Terms that must appear unchanged in every translation (brands, programs, abbreviations).",
    )  # fmt: skip
    mt_provider: str = _setting(
        "none", "Machine-translation provider for drafts (deep-translator name, or 'none')."
    )
    mt_url: str = _setting("", "Base URL of a self-hosted provider (e.g. a LibreTranslate server).")
    mt_api_key_env: str = _setting("", "Name of the environment variable holding the provider's API key.")
    fuzzy_threshold: float = _setting(
        80.0,
        "Minimum similarity (0-100) for a changed source to keep its translation as a draft.",
        ge=0,
        le=100,
    )
    qa_min_ratio: float = _setting(0.4, "Smallest translation/source length ratio before QA warns.", gt=0)
    qa_max_ratio: float = _setting(2.5, "Largest translation/source length ratio before QA warns.", gt=0)
    fetch_timeout: float = _setting(20.0, "Seconds before an HTTP fetch of a source times out.", gt=0, le=600)
    fetch_retries: int = _setting(3, "Retries of a source fetch on network errors, 429 and 5xx.", ge=0, le=10)
    webhook_url: str = _setting("", "URL that receives a JSON summary after each refresh (empty: none).")
    keep_releases: int = _setting(5, "How many published releases to keep for rollback.", ge=2, le=1000)
    portal_host: str = _setting("127.0.0.1", "Address `portal serve` listens on.")
    portal_port: int = _setting(8000, "Port `portal serve` listens on.", ge=1, le=65535)
    relevance_dir: str = _setting("relevance", "Directory of judged search queries for `portal eval`.")
    show_pseudo_locale: bool = _setting(
        False,
        "Offer the pseudo-locale en_XA in the portal's language menu (for testing, never for patients).",
    )

    # The folder of portal.toml: every relative path above resolves against it.
    root: Path = Field(default_factory=Path.cwd, exclude=True, repr=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bools_for_numbers(cls, value: Any, info: Any) -> Any:
        # pydantic's lax mode reads `true` as 1; a boolean where a number belongs is a typo.
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, bool) and annotation in (int, float):
            raise ValueError("expected a number, not a boolean")
        return value

    @field_validator("publish_policy", "approvals_required")
    @classmethod
    def _known_kinds(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(CONTENT_KINDS))
        if unknown:
            raise ValueError(f"unknown content kind {unknown[0]!r} (known: {', '.join(CONTENT_KINDS)})")
        for kind, count in value.items():
            if isinstance(count, bool) or (isinstance(count, int) and not 1 <= count <= 5):
                raise ValueError(f"{kind}: needs between 1 and 5 approvals (got {count!r})")
        return value

    @field_validator("locales")
    @classmethod
    def _locale_codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not LOCALE_RE.match(code):
                raise ValueError(f"{code!r} is not a locale code like es, zh_Hans or pt_BR")
        return list(dict.fromkeys(value))

    @field_validator("data_dir", "sources", "locales_dir", "relevance_dir")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("mt_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and (urlsplit(value).scheme not in {"http", "https"} or not urlsplit(value).netloc):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _ratios(self) -> Settings:
        if self.qa_min_ratio >= self.qa_max_ratio:
            raise ValueError("qa_min_ratio must be smaller than qa_max_ratio")
        return self

    def path(self, name: str) -> Path:
        """A path setting resolved against the workspace root when relative."""
        value = Path(getattr(self, name)).expanduser()
        return value if value.is_absolute() else self.root / value

    @property
    def data_path(self) -> Path:
        return self.path("data_dir")

    @property
    def locales_path(self) -> Path:
        return self.path("locales_dir")

    @property
    def sources_path(self) -> Path:
        return self.path("sources")

    def select_locales(self, requested: Sequence[str] | None) -> list[str]:
        """The configured locales, or the requested ones, each of which must be configured."""
        unknown = [loc for loc in requested or () if loc not in self.locales and loc != "en"]
        if unknown:
            raise ConfigError(
                f"unknown locale {unknown[0]!r} (configured: {', '.join(self.locales)}); "
                "add it to `locales` in portal.toml first",
                setting="locales",
            )
        return list(dict.fromkeys(requested or self.locales))

    def values(self) -> dict[str, Any]:
        """Every setting by name (the workspace root aside)."""
        return self.model_dump()


def setting_help() -> dict[str, tuple[Any, str]]:
    """Each setting's default and help, for documentation and `portal config`."""
    return {
        name: (info.get_default(call_default_factory=True), info.description or "")
        for name, info in Settings.model_fields.items()
        if name != "root"
    }


def find_workspace(start: Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (default: the current directory) upward holding portal.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def _config_path(config_file: Path | None, env: dict[str, str]) -> Path:
    if config_file is not None or env.get("PORTAL_CONFIG"):
        path = Path(config_file or env["PORTAL_CONFIG"]).expanduser().resolve()
        if not path.is_file():
            raise ConfigError("settings file not found", file=path)
        return path
    if env.get("PORTAL_WORKSPACE"):
        folder = Path(env["PORTAL_WORKSPACE"]).expanduser().resolve()
        if not (folder / CONFIG_FILE).is_file():
            raise ConfigError(f"not a workspace: no {CONFIG_FILE} in {folder}")
        return folder / CONFIG_FILE
    found = find_workspace()
    if found is None:
        raise ConfigError(
            f"not inside a workspace (no {CONFIG_FILE} here or in any parent folder); "
            "run `portal init DIR` or pass --workspace DIR"
        )
    return found / CONFIG_FILE


def _from_env(name: str, raw: str) -> Any:
    annotation = Settings.model_fields[name].annotation
    if annotation == list[str]:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if str(annotation).startswith("dict"):
        try:
            return tomllib.loads(f"value = {raw}")["value"]
        except tomllib.TOMLDecodeError:
            raise ConfigError(
                'expected an inline table such as {safety = "approved"}', setting=name
            ) from None
    return raw


def _first_problem(error: ValidationError, origin: dict[str, str]) -> ConfigError:
    problem = error.errors()[0]
    location = [str(part) for part in problem["loc"]]
    name = location[0] if location else None
    detail = problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        detail = "unknown setting (see `portal config` for the known ones)"
    elif len(location) > 1:
        detail = f"{'.'.join(location[1:])}: {detail}"
    got = problem.get("input")
    if problem["type"] not in {"extra_forbidden", "missing"} and not isinstance(got, dict | Settings):
        detail += f" (got {got!r})"
    return ConfigError(detail, file=origin.get(name or ""), setting=name)


def load_settings(
    config_file: Path | None = None, env: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    """Defaults, then portal.toml, then PORTAL_<NAME> environment variables, then explicit overrides."""
    env = dict(os.environ if env is None else env)
    path = _config_path(config_file, env)
    table = read_toml(path, lambda problem: ConfigError(problem, file=path), "settings file")
    if "root" in table:
        raise ConfigError(
            "unknown setting (see `portal config` for the known ones)", file=path, setting="root"
        )
    values: dict[str, Any] = dict(table)
    origin = {name: str(path) for name in table}
    for name in Settings.model_fields:
        env_name = ENV_PREFIX + name.upper()
        if name != "root" and env_name in env:
            values[name] = _from_env(name, env[env_name])
            origin[name] = env_name
    values.update({name: raw for name, raw in overrides.items() if raw is not None})
    defaults = Settings()
    for table_name in ("publish_policy", "approvals_required"):  # a partial table overrides some kinds
        if isinstance(values.get(table_name), dict):
            values[table_name] = {**getattr(defaults, table_name), **values[table_name]}
    try:
        return Settings(**values, root=path.parent)
    except ValidationError as error:
        raise _first_problem(error, origin) from None
