"""Backups through SQLite's online backup API, verified with integrity_check, and their rotation."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kaatsu_desktop.i18n import translate

from .cancel import Cancellation
from .cipher import WrongKey, probe
from .errors import BackupCancelled, BackupFailed, DatabaseCorrupt, StorageError
from .lockfile import InstanceLock

if TYPE_CHECKING:
    from .cipher import DatabaseKey
    from .db import Database

log = logging.getLogger(__name__)

# Pages copied per backup step (16 MB of 4 KB pages): a cancel is seen between steps.
STEP_PAGES = 4096

_DAILY = re.compile(r"^(?P<stem>.+)-daily-(?P<day>\d{4}-\d{2}-\d{2})\.sqlite3$")


def _tr(text: str) -> str:
    return translate("Storage", text)


def _unique_in(folder: Path, stem: str, label: str) -> Path:
    candidate = folder / f"{stem}-{label}.sqlite3"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{label}-{n}.sqlite3"
        n += 1
    return candidate


def resolve_destination(dest: Path, source: Path, label: str) -> Path:
    """A folder (existing, or written with a trailing separator) gets a new file named `label`."""
    if dest.is_dir() or str(dest).endswith((os.sep, "/")):
        dest.mkdir(parents=True, exist_ok=True)
        return _unique_in(dest, source.stem, label)
    if dest.exists():
        raise BackupFailed(dest, _tr("the file exists already; choose a new name or a folder"))
    return dest


def copy_database(
    source: Path,
    dest: Path,
    *,
    key: DatabaseKey | None = None,
    cancel: Cancellation | None = None,
) -> Path:
    """Copy `source` to the new file `dest` with the backup API; the copy is checked and atomic.

    With `key` (an encrypted source), the copy is encrypted with the same key and salt, so the
    clinic's secret opens it; its pages are copied as SQLCipher decrypts and re-encrypts them.
    Setting `cancel` (from another thread) stops the copy or its check: BackupCancelled, and
    no file is left behind.
    """
    from .db import connect
    from .integrity import check_integrity

    dest = dest.absolute()
    if dest.exists() and source.exists() and os.path.samefile(source, dest):
        raise BackupFailed(dest, _tr("the backup cannot replace the database itself"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    # A separate read connection: in WAL mode the copy sees one consistent snapshot while the
    # app keeps writing samples, and the app's connection lock is never held for the copy.
    src = connect(source, read_only=True, key=key)

    def step(_status: int, _remaining: int, _total: int) -> None:
        if cancel is not None and cancel.is_set():
            raise BackupCancelled(dest)

    try:
        if key is not None:
            probe(src, source)
            dst = connect(partial, key=key)
        else:
            dst = sqlite3.connect(str(partial), isolation_level=None)
        try:
            # The read transaction holds one snapshot across the steps, so a write by the app
            # between two steps neither restarts the copy nor mixes two states of the file.
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            src.backup(dst, pages=STEP_PAGES, progress=step)
            src.execute("COMMIT")
            # A backup is one self-contained file: no -wal beside it.
            dst.execute("PRAGMA journal_mode = DELETE")
            if cancel is None:
                check_integrity(dst, dest, full=True)
            else:
                with cancel.watching(dst):
                    check_integrity(dst, dest, full=True)
        finally:
            dst.close()
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, dest)
    except (BackupCancelled, WrongKey):
        partial.unlink(missing_ok=True)
        raise
    except DatabaseCorrupt as exc:
        partial.unlink(missing_ok=True)
        raise BackupFailed(dest, exc.detail) from exc
    except (sqlite3.Error, OSError, StorageError) as exc:
        partial.unlink(missing_ok=True)
        if cancel is not None and cancel.is_set():  # the check of the copy was interrupted
            raise BackupCancelled(dest) from exc
        raise BackupFailed(dest, str(exc)) from exc
    finally:
        src.close()
    log.info("Backed up %s to %s (%d bytes)", source, dest, dest.stat().st_size)
    return dest


def verify_backup(path: Path, *, key: DatabaseKey | None = None) -> int:
    """Run integrity_check on a backup file; return its schema version or raise BackupFailed.

    An encrypted backup needs its `key`; a key that does not fit raises WrongKey.
    """
    from .db import connect
    from .integrity import check_integrity

    if not path.is_file():
        raise BackupFailed(path, _tr("no such file"))
    conn = connect(path, read_only=True, key=key)
    try:
        if key is not None:
            probe(conn, path)
        check_integrity(conn, path, full=True)
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except DatabaseCorrupt as exc:
        raise BackupFailed(path, exc.detail) from exc
    finally:
        conn.close()


def backup_database(db: Database, dest: Path) -> Path:
    """Back up an open database to a file or into a folder; returns the verified backup's path."""
    label = db.local_time().strftime("%Y%m%d-%H%M%S")
    return copy_database(db.path, resolve_destination(dest, db.path, label), key=db._key)


def daily_backups(folder: Path, stem: str) -> list[tuple[date, Path]]:
    """The rotating daily backups of database `stem` in `folder`, oldest first."""
    found = []
    if folder.is_dir():
        for entry in folder.iterdir():
            m = _DAILY.match(entry.name)
            if m and m["stem"] == stem and entry.is_file():
                with contextlib.suppress(ValueError):
                    found.append((date.fromisoformat(m["day"]), entry))
    return sorted(found)


def daily_backup(
    db: Database,
    folder: Path,
    today: date,
    keep: int,
    *,
    cancel: Cancellation | None = None,
) -> Path | None:
    """Make today's backup unless it exists, then keep only the `keep` newest daily backups."""
    target = folder / f"{db.path.stem}-daily-{today.isoformat()}.sqlite3"
    if target.exists():
        return None
    copy_database(db.path, target, key=db._key, cancel=cancel)
    for _, old in daily_backups(folder, db.path.stem)[: -max(keep, 1)]:
        log.info("Removing old daily backup %s", old)
        old.unlink(missing_ok=True)
    return target


def restore_from(
    backup: Path, dest: Path, *, overwrite: bool = False, key: DatabaseKey | None = None
) -> Path:
    """Restore a verified backup to `dest` (closed); an existing file is kept aside, never lost.

    An encrypted backup is restored with its `key` and stays encrypted.
    """
    from .db import lock_path_for

    backup, dest = backup.absolute(), dest.absolute()
    verify_backup(backup, key=key)
    dest.parent.mkdir(parents=True, exist_ok=True)
    lock = InstanceLock.acquire(lock_path_for(dest))  # refuses while the app has `dest` open
    try:
        if dest.exists():
            if not overwrite:
                raise BackupFailed(
                    dest, _tr("the file exists already; pass overwrite to replace it")
                )
            aside = _unique_in(dest.parent, dest.name, "replaced")
            # Move the main file with its -wal: the WAL may hold committed pages of that file.
            for suffix in ("-wal", "-shm"):
                sidecar = dest.with_name(dest.name + suffix)
                if sidecar.exists():
                    os.replace(sidecar, aside.with_name(aside.name + suffix))
            os.replace(dest, aside)
            log.warning("Restore: previous database kept as %s", aside)
        for suffix in ("-wal", "-shm"):
            # A stale WAL would be replayed over the restored file at the next open.
            dest.with_name(dest.name + suffix).unlink(missing_ok=True)
        return copy_database(backup, dest, key=key)
    finally:
        lock.release(remove=lock.stale is None)
