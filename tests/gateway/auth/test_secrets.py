"""Passwords are argon2id hashes, tokens SHA-256 digests: neither is stored in the clear."""

from __future__ import annotations

import hashlib

import pytest

from gateway.auth.roles import ROLE_PERMISSIONS, Permission, allows
from gateway.auth.secrets import Passwords, digest, new_token
from hrcore.enums import Role


def test_password_hash_is_argon2id_and_verifies() -> None:
    passwords = Passwords()
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse batterY")
    assert not passwords.verify(None, "anything at all")
    assert not passwords.verify("not a hash", "correct horse battery")
    # salted: the same password hashes differently twice
    assert passwords.hash("correct horse battery") != stored


def test_short_password_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        Passwords().hash("short")


def test_token_is_random_and_only_its_digest_is_kept() -> None:
    a, b = new_token(), new_token()
    assert a.secret != b.secret and a.secret.startswith("sg_") and len(a.secret) > 40
    assert a.digest == hashlib.sha256(a.secret.encode()).hexdigest() == digest(a.secret)
    assert a.secret not in a.digest
    assert a.prefix == a.secret[:9]


def test_role_matrix_shape() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert ROLE_PERMISSIONS[Role.GATEWAY] == {Permission.PUNCH_INGEST, Permission.METRICS}
    assert ROLE_PERMISSIONS[Role.VIEWER] == {Permission.READ, Permission.METRICS}
    assert not allows(Role.HR, Permission.USER_ADMIN)
    assert allows(Role.PAYROLL, Permission.PAYROLL_WRITE)
    assert not allows(Role.HR, Permission.PAYROLL_WRITE)
