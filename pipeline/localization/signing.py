"""Ed25519 signatures for the review log: a private key outside git signs, committed public keys verify.

The workspace's private key lives in the data directory (``keys/review-signing.pem``, mode 0600)
or in the ``PORTAL_SIGNING_KEY`` environment variable (the PEM text), never in git. Its public
half is committed as ``<locales>/keys/<key-id>.pub``, so any clone can verify every approval and
nobody without the private key can add one. Rotating writes a new key and keeps the old public
key (old entries still verify); revoking moves a public key to ``keys/revoked/`` so the entries it
signed stop counting (what a team does when a private key leaked).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pipeline.errors import ReviewError
from pipeline.fs import atomic_write

__all__ = ["KEY_ENV", "KeyRing", "Signer", "key_id_of"]

KEY_ENV = "PORTAL_SIGNING_KEY"
KEY_FILE = "review-signing.pem"


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class KeyRing:
    """The committed public keys of a workspace (``<locales>/keys``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """The public key with this id, or None when unknown or revoked."""
        if not key_id.isalnum():
            return None
        path = self.folder / f"{key_id}.pub"
        if not path.is_file():
            return None
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError:
            raise ReviewError(f"{path}: not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey) or key_id_of(key) != key_id:
            raise ReviewError(f"{path}: not the Ed25519 public key its name says")
        return key

    def add(self, public: Ed25519PublicKey) -> str:
        key_id = key_id_of(public)
        path = self.folder / f"{key_id}.pub"
        if not path.exists():
            atomic_write(path, _public_pem(public))
        return key_id

    def revoke(self, key_id: str) -> Path:
        path = self.folder / f"{key_id}.pub"
        if not path.is_file():
            raise ReviewError(f"no public key {key_id!r} in {self.folder}")
        target = self.folder / "revoked" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return target

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.pub"))


class Signer:
    """The workspace's private key: signs review-log entries."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        self.key_id = key_id_of(private.public_key())

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self.private.sign(payload)).decode("ascii")

    @classmethod
    def load(cls, key_file: Path | None, *, env: dict[str, str] | None = None) -> Signer | None:
        """The key from PORTAL_SIGNING_KEY, else from ``key_file``; None when there is none yet."""
        env = dict(os.environ if env is None else env)
        if env.get(KEY_ENV):
            return cls(_private_from(env[KEY_ENV].encode("utf-8"), KEY_ENV))
        if key_file is None or not Path(key_file).is_file():
            return None
        mode = Path(key_file).stat().st_mode & 0o077
        if mode:
            raise ReviewError(f"{key_file}: the signing key is readable by others; run chmod 600 on it")
        return cls(_private_from(Path(key_file).read_bytes(), str(key_file)))

    @classmethod
    def create(cls, key_file: Path) -> Signer:
        """A new key written to ``key_file`` with mode 0600 (the old one, if any, is kept aside)."""
        key_file = Path(key_file)
        key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if key_file.exists():
            os.replace(key_file, key_file.with_name(f"{key_file.name}.{os.getpid()}.retired"))
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return cls(private)


def _private_from(pem: bytes, origin: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ReviewError(f"{origin}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ReviewError(f"{origin}: the signing key must be Ed25519")
    return key


def verify(public: Ed25519PublicKey, payload: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), payload)
    except (InvalidSignature, ValueError):
        return False
    return True
