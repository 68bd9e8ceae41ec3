"""`kaatsu-desktop backup DEST`: a verified copy of the database, safe while the app is running."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kaatsu_desktop.i18n import translate

from .backup import copy_database, resolve_destination
from .db import default_database_path, system_clock
from .errors import StorageError


def run_backup(args: argparse.Namespace) -> int:
    """Back up `args.db` (default: the user data folder) to the file or folder `args.dest`.

    Exit codes: 0 done (the backup's path is printed), 1 the backup failed, 2 bad arguments.
    The running app needs no closing: the copy is read through SQLite's backup API from a
    consistent WAL snapshot, and the instance lock file is not taken.
    """
    source = Path(args.db).expanduser().absolute() if args.db else default_database_path()
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
        written = copy_database(source, target)
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(written)
    return 0
