"""`kaatsu-desktop backup DEST`: a verified copy of the database, safe while the app is running."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kaatsu_desktop.i18n import translate

from .backup import copy_database, resolve_destination
from .db import system_clock
from .errors import StorageError

if TYPE_CHECKING:
    from kaatsu_desktop.accounts.keysource import KeySource


def run_backup(args: argparse.Namespace, *, keys: KeySource | None = None) -> int:
    """Back up `args.db` (default: the user data folder) to the file or folder `args.dest`.

    Exit codes: 0 done (the backup's path is printed), 1 the backup failed: the source is
    damaged, or encrypted and its key is wrong or unknown (none kept in the keyring and no
    terminal to ask the secret on), 2 bad arguments. The backup of an encrypted database is
    encrypted with the same key. The running app needs no closing: the copy is read through
    SQLite's backup API from a consistent WAL snapshot, and the instance lock file is not taken.
    `keys` says where the key comes from (tests give a keyring and a secret).
    """
    # The key comes from the accounts package (keyring, secret): imported here, at the edge.
    from kaatsu_desktop.accounts.keysource import KeySource, cli_database_path

    source = cli_database_path(args)
    dest = Path(args.dest).expanduser()
    if not source.is_file():
        print(translate("Storage", "No database at {path}.").format(path=source), file=sys.stderr)
        return 2
    # Time of day in the file name only: this is the command line, the edge of the program.
    label = system_clock().strftime("%Y%m%d-%H%M%S")
    try:
        target = resolve_destination(dest, source, label)
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        key = (keys or KeySource()).key(source)
        written = copy_database(source, target, key=key)
    except StorageError as exc:  # WrongKey says so without naming the key or the secret
        print(str(exc), file=sys.stderr)
        return 1
    print(written)
    return 0
