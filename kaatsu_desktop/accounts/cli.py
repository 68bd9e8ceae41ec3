"""`kaatsu-desktop audit verify|export`: check the audit trail's hash chain, or export it."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import StorageError
from kaatsu_desktop.storage.cipher import WrongKey, probe
from kaatsu_desktop.storage.db import check_integrity, connect
from kaatsu_desktop.storage.schema import MIGRATIONS

from .chain import audit_csv_text, verify_audit_chain, write_new_file
from .encryption import DatabaseState, database_state
from .keysource import KeySource, cli_database_path

_T = "Accounts"
# The schema version from which every audit row carries its hash (the chain's migration).
CHAIN_VERSION = next(m.version for m in MIGRATIONS if "hash chain" in m.description)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def run_audit(args: argparse.Namespace, *, keys: KeySource | None = None) -> int:
    """Verify the chain (exit 0 whole, 1 broken) or export it as CSV (0 done).

    Exit 2: no database, a damaged or foreign file, a missing or wrong secret, a database that
    was never opened by a version with the hash chain, or an export file that exists already.
    The file is read through a read-only connection: safe while the app is running, and the
    instance lock is not taken. An encrypted database's key comes from the keyring, or the
    secret is asked on the terminal (`keys`).
    """
    path = cli_database_path(args)
    if database_state(path) is DatabaseState.MISSING:
        _err(translate(_T, "No database at {path}.").format(path=path))
        return 2
    try:
        key = (keys or KeySource()).key(path)
    except StorageError as exc:
        _err(str(exc))
        return 2
    try:
        conn = connect(path, read_only=True, key=key)
    except StorageError as exc:
        _err(str(exc))
        return 2
    try:
        if key is not None:
            probe(conn, path)
        check_integrity(conn, path)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version < CHAIN_VERSION:
            _err(
                translate(
                    _T,
                    "The database {path} is at schema version {version}: its audit rows carry no"
                    " hash yet. Open it once with this version of the program, then verify.",
                ).format(path=path, version=version)
            )
            return 2
        if args.action == "verify":
            return _verify(conn, path)
        return _export(conn, args.output)
    except (WrongKey, StorageError) as exc:
        _err(str(exc))
        return 2
    except sqlite3.Error as exc:
        _err(translate(_T, "Cannot read {path}: {detail}").format(path=path, detail=exc))
        return 2
    finally:
        conn.close()


def _verify(conn: sqlite3.Connection, path: Path) -> int:
    result = verify_audit_chain(conn)
    if result.ok:
        print(
            translate(
                _T, "Audit trail of {path}: {n} rows checked, the hash chain is whole."
            ).format(path=path, n=result.rows_checked)
        )
        if result.last_id is not None:
            print(
                translate(_T, "Last row {id}, hash {hash}").format(
                    id=result.last_id, hash=result.last_hash
                )
            )
        return 0
    print(
        translate(
            _T, "Audit trail of {path}: BROKEN at row {id} ({n} rows checked): {reason}."
        ).format(path=path, id=result.first_broken_id, n=result.rows_checked, reason=result.reason)
    )
    return 1


def _export(conn: sqlite3.Connection, output: Path | None) -> int:
    text, n = audit_csv_text(conn)
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        written = write_new_file(Path(output), text)
    except (FileExistsError, OSError) as exc:
        _err(str(exc))
        return 2
    print(translate(_T, "{n} audit rows written to {path}").format(n=n, path=written))
    return 0
