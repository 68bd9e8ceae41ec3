"""Encryption at rest: the database key from the clinic's secret, and the OS keyring.

The key is Argon2id(secret, salt) with the salt SQLCipher keeps in the file's first 16 bytes,
so every encrypted file and each of its backups open with the same secret and nothing beside
them. The derived key may be kept in the operating system's keyring (under the salt, so it
follows the file when it moves); without a keyring backend the clinic types the secret at start.
Neither the secret nor the key appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import enum
import hmac
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import Database, ValidationError, open_database
from kaatsu_desktop.storage.cipher import (
    KEY_BYTES,
    DatabaseKey,
    cipher_available,
    file_header,
    new_salt,
    stored_salt,
)
from kaatsu_desktop.storage.cipher import SQLITE_MAGIC as _MAGIC

log = logging.getLogger(__name__)

_T = "Accounts"
KEYRING_SERVICE = "KAATSU Desktop database key"
MIN_SECRET_LENGTH = 12


@dataclass(frozen=True)
class KdfParameters:
    """Argon2id parameters of the key derivation (memory in KiB)."""

    time_cost: int
    memory_cost: int
    parallelism: int


# Fixed for every database made with it: a file keyed with other parameters would not open.
# RFC 9106's second recommendation (64 MiB, t=3, p=4): about 0.2 s at each start.
KDF_V1 = KdfParameters(time_cost=3, memory_cost=64 * 1024, parallelism=4)


class ClinicSecret:
    """The clinic's database secret as typed; never shown in a repr, str or log."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValidationError("secret", translate(_T, "must not be empty"))
        self._value = value

    def encoded(self) -> bytes:
        """The secret as UTF-8 bytes (for the key derivation only)."""
        return self._value.encode("utf-8")

    def __repr__(self) -> str:
        return "ClinicSecret(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClinicSecret):
            return NotImplemented
        return hmac.compare_digest(self.encoded(), other.encoded())

    def __hash__(self) -> int:
        return hash(ClinicSecret)

    def __reduce__(self) -> Any:
        raise TypeError("a ClinicSecret is not pickled")


def check_new_secret(secret: ClinicSecret) -> None:
    """Refuse a new database secret that is too short (ValidationError, secret not named)."""
    if len(secret.encoded().decode("utf-8")) < MIN_SECRET_LENGTH:
        raise ValidationError(
            "secret",
            translate(_T, "must have at least {n} characters").format(n=MIN_SECRET_LENGTH),
        )


def derive_key(secret: ClinicSecret, salt: bytes, *, kdf: KdfParameters = KDF_V1) -> DatabaseKey:
    """The database key for `secret` and the file's `salt` (Argon2id, 256 bits)."""
    raw = hash_secret_raw(
        secret.encoded(),
        salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost,
        parallelism=kdf.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
    return DatabaseKey(raw, salt)


class DatabaseState(enum.StrEnum):
    """What is at a database path, read from its first bytes (nothing is opened)."""

    MISSING = "missing"  # first run: no file, or an empty one
    PLAIN = "plain"  # an unencrypted SQLite file
    ENCRYPTED = "encrypted"  # not plain SQLite: encrypted (or damaged; opening tells)


def database_state(path: Path) -> DatabaseState:
    """MISSING, PLAIN or ENCRYPTED: whether to ask for the secret before opening."""
    head = file_header(path)
    if head is None:
        return DatabaseState.MISSING
    return DatabaseState.PLAIN if head == _MAGIC else DatabaseState.ENCRYPTED


def key_for(path: Path, secret: ClinicSecret, *, kdf: KdfParameters = KDF_V1) -> DatabaseKey:
    """The key of an existing encrypted file, or a new key (fresh salt) for a new one."""
    salt = stored_salt(path)
    if salt is None:
        if database_state(path) is DatabaseState.PLAIN:
            raise ValueError("the file is not encrypted")
        salt = new_salt()
    return derive_key(secret, salt, kdf=kdf)


# -- the operating system's keyring ----------------------------------------------------------


class KeyringStore:
    """Keeps database keys in the OS keyring, one per salt; unavailable is a state, not an error.

    `backend` is a keyring backend object (tests pass an in-memory one); None uses the system's.
    """

    def __init__(self, backend: Any = None) -> None:
        self._backend = backend
        self.unavailable_reason: str | None = None
        if backend is None:
            self._backend = self._system_backend()

    def _system_backend(self) -> Any:
        try:
            import keyring
            from keyring.backends import fail
        except ImportError:
            self.unavailable_reason = translate(_T, "the keyring package is not installed")
            return None
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
            self.unavailable_reason = translate(
                _T, "no keyring service runs on this computer; the secret is asked at each start"
            )
            return None
        return backend

    @property
    def available(self) -> bool:
        """True when keys can be kept in the keyring."""
        return self._backend is not None

    @staticmethod
    def _entry(salt: bytes) -> str:
        return "db-" + salt.hex()

    def load(self, path: Path) -> DatabaseKey | None:
        """The kept key for the encrypted file at `path`, None if none (or no keyring)."""
        salt = stored_salt(path)
        if salt is None or self._backend is None:
            return None
        try:
            stored = self._backend.get_password(KEYRING_SERVICE, self._entry(salt))
        except Exception as exc:  # any backend failure means: ask for the secret instead
            log.warning("keyring unavailable: %s", type(exc).__name__)
            return None
        if not stored:
            return None
        try:
            raw = bytes.fromhex(stored)
            return DatabaseKey(raw, salt)
        except ValueError:
            log.warning("keyring entry for a database key is unusable; ignored")
            return None

    def save(self, key: DatabaseKey) -> bool:
        """Keep the key; False (logged, key not named) when the keyring refused it."""
        if self._backend is None:
            return False
        try:
            self._backend.set_password(KEYRING_SERVICE, self._entry(key.salt), key.raw().hex())
        except Exception as exc:
            log.warning("keyring refused the database key: %s", type(exc).__name__)
            return False
        return True

    def forget(self, salt: bytes) -> None:
        """Remove a kept key (after a change of secret, or to stop keeping it)."""
        if self._backend is None:
            return
        try:
            self._backend.delete_password(KEYRING_SERVICE, self._entry(salt))
        except Exception as exc:
            log.warning("keyring could not forget the database key: %s", type(exc).__name__)


# -- opening ---------------------------------------------------------------------------------


def encryption_available() -> bool:
    """True when SQLCipher can encrypt databases on this machine (offer the choice at first run)."""
    return cipher_available()


def open_protected(
    path: Path,
    *,
    secret: ClinicSecret | None = None,
    key_store: KeyringStore | None = None,
    remember: bool = False,
    kdf: KdfParameters = KDF_V1,
    **open_kwargs: Any,
) -> Database:
    """Open a database, encrypted or not: the key from the keyring, else from `secret`.

    A missing file is created encrypted when a `secret` is given (the first run's choice) and
    plain otherwise. `remember` keeps the key in the keyring when it was derived here. Raises
    storage's WrongKey, DatabaseNotEncrypted or EncryptionUnavailable, or SecretRequired.
    """
    state = database_state(path)
    if state is DatabaseState.PLAIN or (state is DatabaseState.MISSING and secret is None):
        if secret is not None:
            from kaatsu_desktop.storage.cipher import DatabaseNotEncrypted

            raise DatabaseNotEncrypted(path)
        return open_database(path, **open_kwargs)
    key = key_store.load(path) if key_store is not None and secret is None else None
    derived = False
    if key is None:
        if secret is None:
            raise SecretRequired(path)
        if state is DatabaseState.MISSING:
            check_new_secret(secret)
        key = key_for(path, secret, kdf=kdf)
        derived = True
    db = open_database(path, key=key, **open_kwargs)
    if derived and remember and key_store is not None and not key_store.save(key):
        log.warning("the database key could not be kept in the keyring")
    return db


class SecretRequired(Exception):
    """The file is encrypted and no kept key opened it: ask for the clinic's secret."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            translate(
                _T, "The database {path} is encrypted: enter the clinic's database secret."
            ).format(path=path)
        )
