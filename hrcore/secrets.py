"""Device secrets (comm keys, passwords) encrypted at rest with Fernet.

The key comes from the caller (the gateway passes ``Settings.secret_key``, env
``SHIFTGATE_SECRET_KEY``); hrcore never reads the environment. Generate one with
``python -c "from hrcore.secrets import generate_key; print(generate_key())"``.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from hrcore.errors import StoreError

KEY_HINT = (
    "set SHIFTGATE_SECRET_KEY to a Fernet key (make one with "
    '`python -c "from hrcore.secrets import generate_key; print(generate_key())"`)'
)


class SecretKeyError(StoreError):
    """The key to encrypt or decrypt device secrets is missing, malformed or wrong."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _fernet(key: str | None, purpose: str) -> Fernet:
    if not key:
        raise SecretKeyError(f"cannot {purpose} without a secret key; {KEY_HINT}")
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SecretKeyError(
            f"the secret key is not a valid Fernet key (32 url-safe base64 bytes); {KEY_HINT}"
        ) from exc


def encrypt_secret(plaintext: str, key: str | None) -> bytes:
    """Ciphertext of ``plaintext``; refuses to work without a key."""
    return _fernet(key, "store a device secret").encrypt(plaintext.encode("utf-8"))


def decrypt_secret(ciphertext: bytes, key: str | None) -> str:
    """Plaintext of a stored secret; a wrong key is a clear error, not garbage."""
    try:
        return _fernet(key, "read a device secret").decrypt(ciphertext).decode("utf-8")
    except InvalidToken as exc:
        raise SecretKeyError(
            "stored device secret cannot be decrypted with this key (was SHIFTGATE_SECRET_KEY "
            "changed?); set the key the secret was stored with, or store the secret again"
        ) from exc
