"""Hashing of what users present: passwords with argon2id, tokens with SHA-256.

Passwords are low-entropy, so they get a slow, salted, memory-hard hash (argon2-cffi's
defaults, RFC 9106's low-memory profile). API tokens and session cookies are 256 random bits:
a fast SHA-256 is enough to keep them useless if the database leaks, and lets the store find
them by an indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: prefix of API tokens, so a leaked one is recognisable (secret scanners, logs)
TOKEN_PREFIX = "sg_"  # noqa: S105 - a public marker, not a secret
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    """A freshly made secret: ``secret`` goes to the user once, ``digest`` to the store."""

    secret: str
    digest: str

    @property
    def prefix(self) -> str:
        return self.secret[: len(TOKEN_PREFIX) + 6]


class Passwords:
    """argon2id hashing of passwords (one hasher, built once)."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    def hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        if stored_hash is None:
            # still spend the time, so a missing password cannot be told from a wrong one
            self._hasher.hash(password or "x")
            return False
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> IssuedSecret:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return IssuedSecret(secret=secret, digest=digest(secret))


def new_session_secret() -> IssuedSecret:
    secret = secrets.token_urlsafe(32)
    return IssuedSecret(secret=secret, digest=digest(secret))


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
