"""Integrity checks: the cheap one at open, the whole file's, and whether the open writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import DatabaseCorrupt

# SQLite primary result codes that mean "this file is damaged" (sqlite3.h).
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
# Checked at every open: the schema and the small tables that sign-in and the settings read.
OPEN_CHECK_TABLES = ("sqlite_schema", "users", "user_credentials", "settings")
# `PRAGMA quick_check(TABLE)` came with SQLite 3.33; older libraries check the whole file.
_TABLE_CHECKS = sqlite3.sqlite_version_info >= (3, 33, 0)


def is_corruption(exc: sqlite3.Error) -> bool:
    """True for SQLite errors that mean a damaged or foreign file rather than a busy one."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def check_integrity(
    conn: sqlite3.Connection, path: Path, *, full: bool = False, table: str | None = None
) -> None:
    """Run quick_check (or integrity_check) and raise DatabaseCorrupt unless SQLite says ok.

    With `table`, only that table and its indexes are checked.
    """
    pragma = "integrity_check" if full else "quick_check"
    argument = f"'{table}'" if table else "20"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}({argument})").fetchall()]
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not is_corruption(exc):
            raise
        raise DatabaseCorrupt(path, str(exc)) from exc
    if rows != ["ok"]:
        raise DatabaseCorrupt(path, "; ".join(str(r) for r in rows[:5]))


def check_structure(conn: sqlite3.Connection, path: Path) -> None:
    """The check at open: header, schema and OPEN_CHECK_TABLES; DatabaseCorrupt when damaged."""
    if not _TABLE_CHECKS:
        check_integrity(conn, path)
        return
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not is_corruption(exc):
            raise
        raise DatabaseCorrupt(path, str(exc)) from exc
    for table in OPEN_CHECK_TABLES:
        if table == "sqlite_schema" or table in tables:
            check_integrity(conn, path, table=table)


def written_at_open(conn: sqlite3.Connection, path: Path, stale: bool, migrations: int) -> bool:
    """True when opening will write to the file: unclean shutdown, migration, orphaned sessions."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if stale or 0 < version < migrations:
        return True
    if version == 0:
        return False  # a new, empty file: nothing in it to damage
    try:
        row = conn.execute("SELECT 1 FROM sessions WHERE status = 'running' LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not is_corruption(exc):
            raise
        raise DatabaseCorrupt(path, str(exc)) from exc
    return row is not None
