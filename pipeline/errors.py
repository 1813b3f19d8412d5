"""The exceptions of the portal pipeline, each able to say what went wrong in one line.

Exception tree::

    PortalError                      base: every error the CLI turns into a clean exit
    ├── ConfigError                  portal.toml or an environment override is invalid
    ├── SourceError                  a source manifest or snapshot cannot be used
    │   └── FetchError               fetching a source over HTTP failed after retries
    ├── ExtractionError              a page broke its extraction contract (exit code 2)
    ├── StorageError                 a file cannot be written atomically or locked
    │   └── LockBusyError            another process holds a lock (catalog, index, refresh)
    ├── CatalogError                 a template or catalog cannot be read or written
    │   └── CatalogSyntaxError       a PO file has a syntax error (file and line)
    ├── ReviewError                  a review action is not allowed (unknown segment, QA error)
    │   └── ReviewLogError           a review log fails verification (file and line)
    ├── AccountError                 an account is unknown, disabled, locked or lacks the role
    ├── TranslationError             a machine-translation provider cannot be used
    ├── SearchIndexError             an index is missing, corrupt or cannot be built
    ├── PublishError                 a published state cannot be switched or rolled back
    └── RefreshError                 a refresh run failed (some sources or steps failed)

Every error builds its own user-facing message from the context it carries, so callers raise
``ExtractionError(source="glossary", profile="glossary", problem="...")`` and the CLI prints
``str(error)`` as its single line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class PortalError(Exception):
    """Base of every error the pipeline raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (Dask workers, the parallel index build). Exception's
        # own pickling calls ``cls(*args)``, which the keyword-only constructors below refuse:
        # rebuild from the finished message and restore the attributes instead.
        return (_restore, (type(self), self.message), dict(vars(self)))


def _restore(cls: type[PortalError], message: str) -> PortalError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.message = message
    return error


class ConfigError(PortalError):
    """A setting or an argument is missing, of the wrong type, or out of range: refused before any work."""

    exit_code = 2

    def __init__(self, problem: str, *, file: str | Path | None = None, setting: str | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.setting = setting
        where = f"{self.file}: " if self.file else ""
        what = f"setting {setting!r}: " if setting else ""
        super().__init__(f"configuration error: {where}{what}{problem}")


class SourceError(PortalError):
    """A source cannot be read: unknown id, missing snapshot, unreadable manifest."""

    def __init__(self, problem: str, *, source: str | None = None, file: str | Path | None = None) -> None:
        self.source = source
        self.file = str(file) if file is not None else None
        parts = []
        if source:
            parts.append(f"source {source!r}")
        if self.file:
            parts.append(self.file)
        prefix = ", ".join(parts)
        super().__init__(f"source error: {prefix + ': ' if prefix else ''}{problem}")


class FetchError(SourceError):
    """An HTTP fetch failed after its retries."""

    def __init__(self, problem: str, *, source: str, url: str, attempts: int = 1) -> None:
        self.url = url
        self.attempts = attempts
        super().__init__(f"fetching {url} failed after {attempts} attempt(s): {problem}", source=source)


class ExtractionError(PortalError):
    """A page does not satisfy the contract of its extraction profile."""

    exit_code = 2

    def __init__(self, *, source: str, profile: str, problem: str, file: str | Path | None = None) -> None:
        self.source = source
        self.profile = profile
        self.problem = problem
        self.file = str(file) if file is not None else None
        where = f" ({self.file})" if self.file else ""
        super().__init__(f"extraction failed: source {source!r}{where}, profile {profile!r}: {problem}")


class CatalogError(PortalError):
    """A template or catalog cannot be read, merged or written."""

    def __init__(self, problem: str, *, file: str | Path | None = None, line: int | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        where = self.file or ""
        if where and line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where + ': ' if where else ''}{problem}")


class CatalogSyntaxError(CatalogError):
    """A PO file is not valid gettext syntax."""

    def __init__(self, problem: str, *, file: str | Path, line: int | None = None) -> None:
        super().__init__(f"PO syntax error: {problem}", file=file, line=line)


class StorageError(PortalError):
    """A file cannot be written atomically, or a lock cannot be taken, for a reason of the OS."""

    def __init__(self, problem: str, *, file: str | Path) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__(f"{self.file}: {problem}")


class LockBusyError(StorageError):
    """Another process holds the lock that guards a catalog, an index or a refresh."""

    def __init__(self, what: str, *, lock: str | Path, holder: str | None = None) -> None:
        self.what = what
        self.lock = str(lock)
        self.holder = holder
        by = f" (held by {holder})" if holder else ""
        PortalError.__init__(
            self, f"another {what} is running{by}; lock {self.lock}. Try again when it has finished."
        )
        self.file = self.lock
        self.problem = self.message


class ReviewError(PortalError):
    """A review action cannot be carried out."""

    def __init__(self, problem: str, *, locale: str | None = None, segment: str | None = None) -> None:
        self.locale = locale
        self.segment = segment
        where = ", ".join(
            p for p in (f"locale {locale}" if locale else "", f"segment {segment}" if segment else "") if p
        )
        super().__init__(f"review error: {where + ': ' if where else ''}{problem}")


class ReviewLogError(ReviewError):
    """A review log line is unreadable, out of chain, or carries a signature that does not verify."""

    def __init__(self, problem: str, *, file: str | Path, line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        PortalError.__init__(self, f"review log {self.file}{f':{line}' if line else ''}: {problem}")
        self.locale = None
        self.segment = None


class AccountError(PortalError):
    """An account is unknown, disabled, locked, lacks the role, or the password is wrong."""

    def __init__(self, problem: str, *, failures: int = 0, locked: bool = False) -> None:
        self.failures = failures
        self.locked = locked
        super().__init__(f"account error: {problem}")


class TranslationError(PortalError):
    """A machine-translation provider is unknown, misconfigured or unreachable."""

    def __init__(self, problem: str, *, provider: str | None = None) -> None:
        self.provider = provider
        super().__init__(f"machine translation error{f' ({provider})' if provider else ''}: {problem}")


class SearchIndexError(PortalError):
    """A search index is missing, unreadable or cannot be built."""

    def __init__(self, problem: str, *, locale: str | None = None, path: str | Path | None = None) -> None:
        self.locale = locale
        self.path = str(path) if path is not None else None
        where = ", ".join(p for p in (f"locale {locale}" if locale else "", self.path or "") if p)
        super().__init__(f"search index error: {where + ': ' if where else ''}{problem}")


class PublishError(PortalError):
    """A published state cannot be switched to or rolled back."""

    def __init__(self, problem: str, *, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__(f"publish error: {problem}{f' ({self.path})' if self.path else ''}")


class RefreshError(PortalError):
    """A refresh run ended with failed sources or steps."""

    def __init__(
        self, problem: str, *, failed: dict[str, str] | None = None, summary: dict[str, Any] | None = None
    ) -> None:
        self.failed = dict(failed or {})
        self.summary = summary  # the run's JSON summary, when the run got far enough to have one
        super().__init__(f"refresh failed: {problem}")
