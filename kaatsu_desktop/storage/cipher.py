"""SQLCipher connections: raw keys with the file's salt, and the standard sqlite3 exceptions.

An encrypted database is keyed with a raw 256-bit key plus the 16-byte salt SQLCipher keeps in
the first bytes of the file (`PRAGMA key = "x'<key><salt>'"`), so the file and each of its backups
carry their own salt and nothing beside them is needed to open them. The key is derived from the
clinic's secret by the accounts package; this module never logs it and no error names it.
"""

from __future__ import annotations

import hmac
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from kaatsu_desktop.i18n import translate

from .errors import DatabaseCorrupt, StorageError

log = logging.getLogger(__name__)

KEY_BYTES = 32
SALT_BYTES = 16
# Every unencrypted SQLite file starts with these 16 bytes; an SQLCipher file starts with its salt.
SQLITE_MAGIC = b"SQLite format 3\x00"
_NOTADB = 26


class DatabaseKey:
    """A raw SQLCipher key and the salt it belongs with; never shown in a repr, str or log."""

    __slots__ = ("_raw", "_salt")

    def __init__(self, raw: bytes, salt: bytes) -> None:
        if len(raw) != KEY_BYTES or len(salt) != SALT_BYTES:
            raise ValueError(f"a database key is {KEY_BYTES} bytes with a {SALT_BYTES}-byte salt")
        object.__setattr__(self, "_raw", bytes(raw))
        object.__setattr__(self, "_salt", bytes(salt))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("DatabaseKey is immutable")

    @property
    def salt(self) -> bytes:
        """The salt stored in the file's first 16 bytes (not secret)."""
        return self._salt

    def raw(self) -> bytes:
        """The key bytes (for a keyring); keep them out of logs and messages."""
        return self._raw

    def pragma_literal(self) -> str:
        """The blob literal for `PRAGMA key`: raw key and explicit salt, no SQLCipher KDF."""
        return f"\"x'{(self._raw + self._salt).hex()}'\""

    def __repr__(self) -> str:
        return "DatabaseKey(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DatabaseKey):
            return NotImplemented
        return hmac.compare_digest(self._raw + self._salt, other._raw + other._salt)

    def __hash__(self) -> int:
        return hash(self._salt)

    def __reduce__(self) -> Any:
        raise TypeError("a DatabaseKey is not pickled")


class EncryptionUnavailable(StorageError):
    """The SQLCipher module (sqlcipher3) is not installed, so no encrypted file can be opened."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            translate(
                "Storage",
                "Encrypted databases need SQLCipher, which is not available here ({detail})."
                " Install the program's full set of components; nothing was changed.",
            ).format(detail=detail)
        )


class WrongKey(StorageError):
    """The key does not open the encrypted file; the file was left as it was."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            translate(
                "Storage",
                "The database secret does not open {path}. Check the clinic's database secret"
                " and try again; the file has not been changed.",
            ).format(path=path)
        )


class DatabaseNotEncrypted(StorageError):
    """A key was given for a file that is a plain SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            translate(
                "Storage",
                "The database {path} is not encrypted, so no secret opens it. Open it without"
                " a secret; the file has not been changed.",
            ).format(path=path)
        )


def cipher_module() -> ModuleType:
    """The sqlcipher3 module, or EncryptionUnavailable."""
    try:
        import sqlcipher3  # type: ignore[import-untyped]
    except ImportError as exc:
        raise EncryptionUnavailable(str(exc)) from None
    return sqlcipher3  # type: ignore[no-any-return]


def cipher_available() -> bool:
    """True when SQLCipher can be used on this machine."""
    try:
        cipher_module()
    except EncryptionUnavailable:
        return False
    return True


def new_salt() -> bytes:
    """A fresh random salt for a new encrypted database."""
    return os.urandom(SALT_BYTES)


def file_header(path: Path) -> bytes | None:
    """The first 16 bytes of a file, None when it is missing or empty."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SALT_BYTES)
    except FileNotFoundError:
        return None
    return head or None


def is_plain_sqlite(path: Path) -> bool:
    """True for an existing unencrypted SQLite file."""
    return file_header(path) == SQLITE_MAGIC


def looks_encrypted(path: Path) -> bool:
    """True for an existing non-empty file that is not plain SQLite (encrypted, or damaged)."""
    head = file_header(path)
    return head is not None and head != SQLITE_MAGIC


def stored_salt(path: Path) -> bytes | None:
    """The SQLCipher salt of an encrypted file (its first 16 bytes); None if not encrypted."""
    head = file_header(path)
    if head is None or head == SQLITE_MAGIC or len(head) < SALT_BYTES:
        return None
    return head


def _translate(exc: Exception) -> sqlite3.Error:
    """The standard library's exception of the same kind, with SQLite's error code kept."""
    cls = getattr(sqlite3, type(exc).__name__, None)
    if not (isinstance(cls, type) and issubclass(cls, sqlite3.Error)):
        cls = sqlite3.DatabaseError
    out = cls(*exc.args)
    for attr in ("sqlite_errorcode", "sqlite_errorname"):
        if hasattr(exc, attr):
            setattr(out, attr, getattr(exc, attr))
    return out


class CipherCursor:
    """A SQLCipher cursor raising sqlite3's exceptions (callers catch `sqlite3.Error`)."""

    __slots__ = ("_cur", "_errors")

    def __init__(self, cur: Any, errors: type[Exception]) -> None:
        self._cur = cur
        self._errors = errors

    def execute(self, sql: str, parameters: Any = (), /) -> CipherCursor:
        try:
            self._cur.execute(sql, parameters)
        except self._errors as exc:
            raise _translate(exc) from exc
        return self

    def executemany(self, sql: str, seq: Any, /) -> CipherCursor:
        try:
            self._cur.executemany(sql, seq)
        except self._errors as exc:
            raise _translate(exc) from exc
        return self

    def executescript(self, script: str, /) -> CipherCursor:
        try:
            self._cur.executescript(script)
        except self._errors as exc:
            raise _translate(exc) from exc
        return self

    def fetchone(self) -> Any:
        try:
            return self._cur.fetchone()
        except self._errors as exc:
            raise _translate(exc) from exc

    def fetchmany(self, size: int | None = None) -> list[Any]:
        try:
            return self._cur.fetchmany(size if size is not None else self._cur.arraysize)
        except self._errors as exc:
            raise _translate(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return self._cur.fetchall()  # type: ignore[no-any-return]
        except self._errors as exc:
            raise _translate(exc) from exc

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._cur)
        except self._errors as exc:
            raise _translate(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)


class CipherConnection:
    """A SQLCipher connection that looks like sqlite3's, down to the exceptions it raises.

    The storage layer, sqlite-utils and the session recorder catch `sqlite3.Error` and its
    subclasses; sqlcipher3 has its own exception classes, so every call is translated here.
    """

    __slots__ = ("_conn", "_errors")

    def __init__(self, conn: Any, errors: type[Exception]) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_errors", errors)

    def execute(self, sql: str, parameters: Any = (), /) -> CipherCursor:
        try:
            return CipherCursor(self._conn.execute(sql, parameters), self._errors)
        except self._errors as exc:
            raise _translate(exc) from exc

    def executemany(self, sql: str, seq: Any, /) -> CipherCursor:
        try:
            return CipherCursor(self._conn.executemany(sql, seq), self._errors)
        except self._errors as exc:
            raise _translate(exc) from exc

    def executescript(self, script: str, /) -> CipherCursor:
        try:
            return CipherCursor(self._conn.executescript(script), self._errors)
        except self._errors as exc:
            raise _translate(exc) from exc

    def cursor(self) -> CipherCursor:
        return CipherCursor(self._conn.cursor(), self._errors)

    def commit(self) -> None:
        try:
            self._conn.commit()
        except self._errors as exc:
            raise _translate(exc) from exc

    def rollback(self) -> None:
        try:
            self._conn.rollback()
        except self._errors as exc:
            raise _translate(exc) from exc

    def backup(self, target: Any, **kwargs: Any) -> None:
        """Copy into `target` (another CipherConnection) with SQLite's backup API."""
        inner = target._conn if isinstance(target, CipherConnection) else target
        try:
            self._conn.backup(inner, **kwargs)
        except self._errors as exc:
            raise _translate(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __setattr__(self, name: str, value: object) -> None:
        setattr(self._conn, name, value)

    def __repr__(self) -> str:
        return "<CipherConnection>"


def connect_encrypted(path: Path, key: DatabaseKey, *, read_only: bool = False) -> Any:
    """A keyed SQLCipher connection (driver autocommit mode); the key is checked by `probe`."""
    module = cipher_module()
    if read_only:
        raw = module.connect(
            f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    else:
        raw = module.connect(str(path), isolation_level=None, check_same_thread=False)
    conn = CipherConnection(raw, module.Error)
    try:
        # SQLCipher writes its own warnings to stderr; failures reach the caller as exceptions.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {key.pragma_literal()}")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def probe(conn: Any, path: Path) -> None:
    """Read the schema once: WrongKey when no page decrypts, DatabaseCorrupt when some do not.

    With a wrong key every page fails its HMAC; a damaged file with the right key fails only on
    the damaged pages. `cipher_integrity_check` tells the two apart without writing anything.
    """
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF != _NOTADB:
            raise
        failure = exc
    size = path.stat().st_size if path.exists() else 0
    pages = max(size // 4096, 1)
    try:
        failed = len(conn.execute("PRAGMA cipher_integrity_check").fetchall())
    except sqlite3.Error:
        failed = 0
    if failed >= pages:
        log.warning("the key given does not open %s", path)
        raise WrongKey(path) from None
    raise DatabaseCorrupt(path, f"{failure} ({failed} of {pages} pages fail their check)")
