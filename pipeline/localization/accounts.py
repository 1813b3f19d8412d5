"""Accounts of the people who translate, review and administer: who may do what, proven by password.

Accounts live in a SQLite database in the data directory (never in git), versioned with
``PRAGMA user_version`` so later releases can migrate it. Passwords are hashed with Argon2id
(argon2-cffi), a memory-hard KDF. Repeated wrong passwords lock an account for a while, with a
backoff that doubles per further failure, so guessing is slow from the CLI and the browser alike.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipeline.errors import AccountError

__all__ = [
    "ROLES",
    "Account",
    "AccountStore",
    "Role",
    "accounts_path",
]

Role = Literal["translator", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("translator", "reviewer", "admin")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 10
LOCK_AFTER = 5  # failed attempts before an account locks
LOCK_SECONDS = 60.0  # the first lock; doubled for every further failure, capped below
MAX_LOCK_SECONDS = 3600.0
DB_NAME = "accounts.sqlite3"

MIGRATIONS = (
    """CREATE TABLE account (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('translator', 'reviewer', 'admin')),
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until REAL NOT NULL DEFAULT 0
    )""",
)

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Account:
    """One person's account (the password hash never leaves the store)."""

    name: str
    role: Role
    disabled: bool
    created: float

    def can(self, action: Literal["edit", "review", "administer"]) -> bool:
        needed = {"edit": ("translator", "reviewer"), "review": ("reviewer",), "administer": ("admin",)}
        return not self.disabled and self.role in needed[action]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def accounts_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


class AccountStore:
    """The accounts database of one data directory."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise AccountError(f"cannot open the accounts database {self.path}: {exc}") from None
        with closing(connection) as db:
            db.execute("PRAGMA journal_mode=WAL")
            self._migrate(db)
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise AccountError(f"the accounts database is from a newer version (schema {version})")
        for number, statement in enumerate(MIGRATIONS[version:], version + 1):
            db.execute("BEGIN IMMEDIATE")
            db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")

    def add(self, name: str, role: str, password: str) -> Account:
        if not NAME_RE.match(name):
            raise AccountError(
                f"invalid account name {name!r}: 2-40 of a-z 0-9 . _ -, starting with a letter or digit"
            )
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
        _check_password(password)
        with self._db() as db:
            if db.execute("SELECT 1 FROM account WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"account {name!r} already exists")
            db.execute(
                "INSERT INTO account (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                (name, role, _HASHER.hash(password), time.time()),
            )
        return self.get(name)

    def get(self, name: str) -> Account:
        with self._db() as db:
            row = db.execute(
                "SELECT name, role, disabled, created FROM account WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            raise AccountError(f"no account named {name!r} (create it with `portal user add`)")
        return Account(row[0], row[1], bool(row[2]), row[3])

    def list(self) -> list[Account]:
        with self._db() as db:
            rows = db.execute("SELECT name, role, disabled, created FROM account ORDER BY name").fetchall()
        return [Account(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    def disable(self, name: str) -> Account:
        self.get(name)
        with self._db() as db:
            db.execute("UPDATE account SET disabled = 1 WHERE name = ?", (name,))
        return self.get(name)

    def set_password(self, name: str, password: str) -> None:
        self.get(name)
        _check_password(password)
        with self._db() as db:
            db.execute(
                "UPDATE account SET password_hash = ?, failures = 0, locked_until = 0 WHERE name = ?",
                (_HASHER.hash(password), name),
            )

    def authenticate(self, name: str, password: str, *, now: float | None = None) -> Account:
        """The account, when the password is right and the account usable; AccountError otherwise."""
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute(
                "SELECT password_hash, disabled, failures, locked_until FROM account WHERE name = ?", (name,)
            ).fetchone()
            problem = self._check(db, name, password, row, now)
        if problem is not None:
            raise problem  # raised after the commit, so a failure is counted even though we refuse
        return self.get(name)

    @staticmethod
    def _check(
        db: sqlite3.Connection, name: str, password: str, row: tuple[Any, ...] | None, now: float
    ) -> AccountError | None:
        if row is None:
            _HASHER.hash(password)  # same cost as a real check: no account enumeration by timing
            return AccountError("wrong account name or password")
        stored, disabled, failures, locked_until = row
        if locked_until > now:
            return AccountError(
                f"account {name!r} is locked after repeated failures; try again later", locked=True
            )
        if not _matches(stored, password):
            failures += 1
            lock = _lock_seconds(failures)
            db.execute(
                "UPDATE account SET failures = ?, locked_until = ? WHERE name = ?",
                (failures, now + lock if lock else 0, name),
            )
            return AccountError("wrong account name or password", failures=failures, locked=lock > 0)
        if disabled:
            return AccountError(f"account {name!r} is disabled")
        db.execute("UPDATE account SET failures = 0, locked_until = 0 WHERE name = ?", (name,))
        return None


def _matches(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _lock_seconds(failures: int) -> float:
    if failures < LOCK_AFTER:
        return 0.0
    return float(min(MAX_LOCK_SECONDS, LOCK_SECONDS * 2 ** (failures - LOCK_AFTER)))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or not password.strip():
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
