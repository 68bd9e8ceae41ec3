"""The database key for a command-line command: the OS keyring first, then the terminal.

Every sub-command that reads the clinic database (audit, backup, report, export, import) gets an
encrypted file's key here, the way the app does at start: the key kept in the keyring under the
file's salt, else the clinic's secret typed on the terminal (never echoed). Neither the secret nor
the key reaches a log line or a message; a key that does not fit is storage's WrongKey.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import Database, StorageError, default_database_path, open_database
from kaatsu_desktop.storage.cipher import DatabaseKey

from .encryption import (
    KDF_V1,
    ClinicSecret,
    DatabaseState,
    KdfParameters,
    KeyringStore,
    database_state,
    key_for,
)

log = logging.getLogger(__name__)
_T = "Accounts"

SecretSource = Callable[[Path], ClinicSecret | None]


def ask_secret(path: Path) -> ClinicSecret | None:
    """Ask for the database secret on the terminal; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    typed = getpass.getpass(
        translate(_T, "Database secret for {path}: ").format(path=path), stream=sys.stderr
    )
    return ClinicSecret(typed) if typed else None


class KeyUnavailable(StorageError):
    """The file is encrypted, the keyring keeps no key for it and no secret could be asked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            translate(
                _T,
                "The database {path} is not a plain SQLite file: it is encrypted (or damaged)."
                " Run this command in a terminal to enter the clinic's database secret.",
            ).format(path=path)
        )


def cli_database_path(args: argparse.Namespace) -> Path:
    """The file a command works on: --db, else the clinic database in the user data folder."""
    return Path(args.db).expanduser().absolute() if args.db else default_database_path()


@dataclass(frozen=True)
class KeySource:
    """Where a command finds an encrypted file's key; tests give a keyring and a secret."""

    secrets: SecretSource = ask_secret
    key_store: KeyringStore | None = None  # None: the system keyring, looked up when needed
    kdf: KdfParameters = KDF_V1

    def key(self, path: Path) -> DatabaseKey | None:
        """None for a plain or missing file; else the kept key, or one from the secret asked.

        Raises KeyUnavailable when neither gives one. The key is not checked here: opening with
        it raises WrongKey when it does not fit.
        """
        if database_state(path) is not DatabaseState.ENCRYPTED:
            return None
        store = self.key_store if self.key_store is not None else KeyringStore()
        kept = store.load(path)
        if kept is not None:
            log.info("database key for %s taken from the keyring", path)
            return kept
        secret = self.secrets(path)
        if secret is None:
            raise KeyUnavailable(path)
        return key_for(path, secret, kdf=self.kdf)


def open_cli_database(
    args: argparse.Namespace, keys: KeySource | None = None, **open_kwargs: Any
) -> Database:
    """Open the command's database (encrypted or not); StorageError says why it cannot."""
    path = cli_database_path(args)
    return open_database(path, key=(keys or KeySource()).key(path), **open_kwargs)
