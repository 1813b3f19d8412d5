"""Browser sessions of the reviewer workspace: an HMAC-signed cookie, a CSRF token, an idle timeout.

The cookie is stateless (signed with a secret kept in the data directory, mode 0600) so that every
uvicorn worker can check it; the account behind it is looked up again on every request, so a
disabled account loses its session at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

__all__ = ["COOKIE", "IDLE_SECONDS", "Session", "SessionSigner"]

COOKIE = "portal_review"
IDLE_SECONDS = 30 * 60  # a session unused for 30 minutes is over
SECRET_NAME = "review-session.key"


@dataclass(frozen=True)
class Session:
    """Who is signed in (None before sign-in), the CSRF token of their forms, and when last seen."""

    user: str | None
    csrf: str
    seen: float

    @classmethod
    def anonymous(cls, now: float | None = None) -> Session:
        return cls(None, secrets.token_urlsafe(24), time.time() if now is None else now)

    def signed_in(self, user: str, now: float | None = None) -> Session:
        # A fresh CSRF token at sign-in: a token seen before sign-in is never trusted after it.
        return Session(user, secrets.token_urlsafe(24), time.time() if now is None else now)

    def touched(self, now: float | None = None) -> Session:
        return replace(self, seen=time.time() if now is None else now)

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), str(token).encode())


class SessionSigner:
    """Signs and checks session cookies with a secret file created on first use."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "keys" / SECRET_NAME
        self._secret: bytes | None = None

    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = _load_or_create(self.path)
        return self._secret

    def dumps(self, session: Session) -> str:
        body = base64.urlsafe_b64encode(json.dumps(asdict(session), sort_keys=True).encode()).decode()
        return f"{body}.{self._mac(body)}"

    def loads(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session of a cookie; None when missing, forged, malformed or idle too long."""
        if not cookie or "." not in cookie:
            return None
        body, mac = cookie.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body.encode()))
            session = Session(data["user"], str(data["csrf"]), float(data["seen"]))
        except (ValueError, KeyError, TypeError):
            return None
        now = time.time() if now is None else now
        if now - session.seen > IDLE_SECONDS or session.seen > now + 60:
            return None
        return session

    def _mac(self, body: str) -> str:
        return hmac.new(self.secret(), body.encode(), hashlib.sha256).hexdigest()


def _load_or_create(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first: use theirs
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    return secret
