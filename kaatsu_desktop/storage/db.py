"""Opening the database: lock file, integrity check, PRAGMAs, migrations, recovery, daily backup.

The whole-file `quick_check` reads every page (1.7 s on a 716 MB registry). With
`full_check=False` the open checks only the header, the schema and the small tables sign-in reads
(about a millisecond), and the caller runs the full check in the background (storage.upkeep);
a file that fails it refuses every write from then on (DatabaseDamaged). The full check still
runs at open whenever the file is about to be written at open: after an unclean shutdown (when
damage is likeliest), before a migration, and when sessions were left running.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import platformdirs
import sqlite_utils

from kaatsu_desktop.i18n import translate

from . import backup as _backup
from .cancel import Cancellation
from .cipher import DatabaseKey, DatabaseNotEncrypted, connect_encrypted, is_plain_sqlite, probe
from .errors import (
    DatabaseDamaged,
    ForeignDatabase,
    MigrationFailed,
    SchemaTooNew,
    StorageError,
)
from .integrity import check_integrity, check_structure, written_at_open
from .lockfile import InstanceLock, LockInfo
from .schema import APPLICATION_ID, MIGRATIONS, Migration

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
APP_NAME = "KAATSU Desktop"
DATABASE_FILENAME = "kaatsu.sqlite3"
BUSY_TIMEOUT_MS = 5000
DAILY_BACKUPS_KEPT = 7


def system_clock() -> datetime:
    """Wall-clock time with the local time zone; the default clock at the app's edge."""
    return datetime.now().astimezone()


def default_database_path() -> Path:
    """The database in the user's data folder (platform-specific)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DATABASE_FILENAME


def lock_path_for(path: Path) -> Path:
    """The lock file beside a database file."""
    return path.with_name(path.name + ".lock")


def connect(
    path: Path, *, read_only: bool = False, key: DatabaseKey | None = None
) -> sqlite3.Connection:
    """A raw connection in driver autocommit mode (transactions are always explicit).

    With `key`, an SQLCipher connection keyed for an encrypted file (see storage/cipher.py); it
    raises the standard sqlite3 exceptions like a plain one. The key is checked at first read.
    """
    try:
        if key is not None:
            conn = connect_encrypted(path, key, read_only=read_only)
        elif read_only:
            conn = sqlite3.connect(
                f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StorageError(
            translate("Storage", "Cannot open the database file {path}: {detail}").format(
                path=path, detail=exc
            )
        ) from exc
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def insert_row(sdb: sqlite_utils.Database, table: str, row: dict[str, object]) -> int:
    """Insert one row (table and column names are the code's own constants); return its id."""
    # Plain SQL: sqlite-utils' insert() introspects the schema on every call, which costs more
    # than the insert itself on bulk paths (importing 10,000 patients with their audit rows).
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cur = sdb.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))
    return int(cur.lastrowid or 0)


def apply_migrations(conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration]) -> int:
    """Run every pending migration, each in its own transaction; return the version found."""
    from .audit import register_sql_functions

    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    # Migrations may call the app's own SQL functions (the audit hash chain fills old rows).
    register_sql_functions(conn)
    for migration in migrations[found:]:
        log.info("Migrating %s to schema v%d: %s", path, migration.version, migration.description)
        try:
            # executescript runs the whole step; BEGIN/COMMIT make it one transaction, and
            # user_version (stored in the file header) commits or rolls back with it.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{migration.sql}\n"
                f"PRAGMA user_version = {migration.version};\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise MigrationFailed(path, migration.version, str(exc)) from exc
    return found


class _Health:
    """Whether the file failed its full check; one per file, shared with its writers."""

    def __init__(self) -> None:
        self.damage: DatabaseDamaged | None = None


class _SharedLock:
    """Stands in for the instance lock on a writer's second connection (see open_writer)."""

    stale = None

    def release(self, *, remove: bool = True) -> None:
        """Nothing to release: the lock file belongs to the Database that opened the writer."""
        del remove


class Database:
    """An open KAATSU Desktop database; thread-safe through one lock around one connection."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        lock: InstanceLock,
        clock: Clock,
        backup_dir: Path,
        keep_daily_backups: int,
        *,
        key: DatabaseKey | None = None,
        health: _Health | None = None,
    ) -> None:
        self.path = path
        self._health = health or _Health()
        self._key = key
        self._conn = conn
        self._lock_file = lock
        self._clock = clock
        self._mutex = threading.RLock()
        self.sqlite = sqlite_utils.Database(conn, execute_plugins=False)
        self.backup_dir = backup_dir
        self.keep_daily_backups = keep_daily_backups
        self.previous_owner: LockInfo | None = lock.stale
        self.interrupted_sessions: tuple[int, ...] = ()
        self.auto_backup_path: Path | None = None
        self.auto_backup_error: str | None = None
        self.premigration_backup_path: Path | None = None
        self.fully_checked = False  # True once quick_check of the whole file passed at open
        self._closed = False

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        clock: Clock | None = None,
        backup_dir: Path | str | None = None,
        auto_backup: bool = True,
        keep_daily_backups: int = DAILY_BACKUPS_KEPT,
        migrations: Sequence[Migration] = MIGRATIONS,
        key: DatabaseKey | None = None,
        full_check: bool = True,
    ) -> Database:
        """Take the lock file, quick_check, PRAGMAs, migrate, recover running sessions, back up.

        `key` opens (or creates) an SQLCipher-encrypted file: WrongKey when it does not fit,
        DatabaseNotEncrypted for a plain file, EncryptionUnavailable without SQLCipher.
        `full_check=False` checks only the structure unless the open writes (module docstring);
        `fully_checked` tells whether the whole file was checked.
        """
        from .sessions import interrupt_orphaned_sessions

        path = Path(path).expanduser().absolute() if path else default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        backups = (
            Path(backup_dir).expanduser().absolute() if backup_dir else path.parent / "backups"
        )
        # A second instance is refused (DatabaseInUse), never opened read-only: two windows on
        # one patient file invite double sessions and conflicting edits.
        lock = InstanceLock.acquire(lock_path_for(path))
        conn: sqlite3.Connection | None = None
        try:
            if key is not None and is_plain_sqlite(path):
                raise DatabaseNotEncrypted(path)
            conn = connect(path, key=key)
            if key is not None:
                probe(conn, path)
            # Nothing writes to the file before these checks pass, so a damaged, foreign or
            # too-new file is left byte-for-byte as it was.
            check_structure(conn, path)
            _check_identity(conn, path, len(migrations))
            full = full_check or written_at_open(
                conn, path, lock.stale is not None, len(migrations)
            )
            if full:
                check_integrity(conn, path)
            _apply_pragmas(conn)
            db = cls(path, conn, lock, clock or system_clock, backups, keep_daily_backups, key=key)
            db.fully_checked = full
            db._migrate(migrations)
            reason = (
                f"unclean shutdown: lock file left by {lock.stale.describe()}"
                if lock.stale
                else "left running by an instance that is no longer open"
            )
            # We hold the exclusive lock, so no live instance owns a running session any more.
            db.interrupted_sessions = interrupt_orphaned_sessions(db, reason)
            lock.write_owner(db.now())
        except BaseException:
            if conn is not None:
                conn.close()
            lock.release(remove=lock.stale is None)
            raise
        if auto_backup:
            try:
                db.auto_backup_path = db.daily_backup()
            except (StorageError, OSError, sqlite3.Error) as exc:
                # A failed backup must not keep a clinic from working, but the app must say so.
                log.error("Automatic daily backup failed: %s", exc)
                db.auto_backup_error = str(exc)
        return db

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        version = self.schema_version
        if 0 < version < len(migrations):
            self.premigration_backup_path = _backup.backup_database(
                self,
                self.backup_dir
                / f"{self.path.stem}-before-v{len(migrations)}-{self.today()}.sqlite3",
            )
        apply_migrations(self._conn, self.path, migrations)

    # -- state ---------------------------------------------------------------------------------

    @property
    def opened_after_unclean_shutdown(self) -> bool:
        """True when the lock file of a previous instance was found at open."""
        return self.previous_owner is not None

    @property
    def schema_version(self) -> int:
        """The `user_version` of the file."""
        with self._mutex:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @property
    def damage(self) -> DatabaseDamaged | None:
        """Why writes are refused: the failed full check, or None while the file is sound."""
        return self._health.damage

    def mark_damaged(self, detail: str) -> DatabaseDamaged:
        """Record a failed full check (any thread): from now on every write is refused."""
        damage = DatabaseDamaged(self.path, detail)
        if self._health.damage is None:
            self._health.damage = damage
            log.critical("Database %s failed its integrity check: %s", self.path, detail)
        return self._health.damage

    @property
    def encrypted(self) -> bool:
        """True when the file is encrypted with SQLCipher."""
        return self._key is not None

    @property
    def closed(self) -> bool:
        """True once `close` has run."""
        return self._closed

    def now(self) -> datetime:
        """The injected clock's time, in UTC (how every timestamp is stored)."""
        return self.local_time().astimezone(UTC)

    def local_time(self) -> datetime:
        """The injected clock's time in its own time zone (for names people read)."""
        value = self._clock()
        if value.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return value

    def today(self) -> date:
        """The clinic's date: the injected clock's date in its own time zone."""
        return self.local_time().date()

    # -- access --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One transaction (nested: a savepoint); commits on success, rolls back on error.

        Refused with DatabaseDamaged once the file failed its integrity check.
        """
        with self._mutex:
            self._ensure_open()
            if self._health.damage is not None:
                raise self._health.damage
            with self.sqlite.atomic():
                yield self.sqlite

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite_utils.Database]:
        """Exclusive use of the connection for reads."""
        with self._mutex:
            self._ensure_open()
            yield self.sqlite

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (callers must hold `reading()` or `transaction()`)."""
        return self._conn

    def connect_again(self, *, read_only: bool = False) -> sqlite3.Connection:
        """Another raw connection to this file, keyed like this one (for a writer thread)."""
        return connect(self.path, read_only=read_only, key=self._key)

    def open_writer(self) -> Database:
        """A second Database on this file for a writer thread; this one keeps the lock file.

        WAL lets it write beside the app's reads. It shares the clock, key, PRAGMAs and the
        integrity state (a damaged file refuses it); closing it closes only its own connection
        and never touches the lock file.
        """
        self._ensure_open()
        if self._health.damage is not None:
            raise self._health.damage
        conn = self.connect_again()
        try:
            _apply_pragmas(conn)
        except BaseException:
            conn.close()
            raise
        return Database(
            self.path,
            conn,
            _SharedLock(),  # type: ignore[arg-type]
            self._clock,
            self.backup_dir,
            self.keep_daily_backups,
            key=self._key,
            health=self._health,
        )

    def _ensure_open(self) -> None:
        if self._closed:
            raise StorageError("the database is closed")

    # -- backups and closing -------------------------------------------------------------------

    def backup_to(self, dest: Path | str) -> Path:
        """Back up to a file (or into a folder) with SQLite's backup API; verified, returns path."""
        return _backup.backup_database(self, Path(dest))

    def daily_backup(self, *, cancel: Cancellation | None = None) -> Path | None:
        """Today's rotating backup, unless one exists already; returns its path when made.

        Safe from a worker thread: the copy reads through its own connection. `cancel` stops it
        (BackupCancelled); today's backup is then made at the next start.
        """
        return _backup.daily_backup(
            self, self.backup_dir, self.today(), self.keep_daily_backups, cancel=cancel
        )

    def close(self) -> None:
        """Close the connection and remove the lock file (a clean shutdown)."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            try:
                if self._health.damage is None:  # optimize may write statistics
                    self._conn.execute("PRAGMA optimize")
            except sqlite3.Error as exc:  # pragma: no cover - advisory only
                log.warning("PRAGMA optimize failed: %s", exc)
            self._conn.close()
            self._lock_file.release(remove=True)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_identity(conn: sqlite3.Connection, path: Path, supported: int) -> None:
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if app_id != APPLICATION_ID and (app_id != 0 or has_tables or version != 0):
        raise ForeignDatabase(path)
    if version > supported:
        raise SchemaTooNew(path, version, supported)


def _apply_pragmas(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StorageError(f"cannot switch {mode!r} journal to WAL")
    # FULL: a committed batch of samples survives a power cut, not only a crash (issue 4).
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def open_database(
    path: Path | str | None = None,
    *,
    clock: Clock | None = None,
    backup_dir: Path | str | None = None,
    auto_backup: bool = True,
    keep_daily_backups: int = DAILY_BACKUPS_KEPT,
    key: DatabaseKey | None = None,
    full_check: bool = True,
) -> Database:
    """Open the database (default: the user data folder); see `Database.open`."""
    return Database.open(
        path,
        clock=clock,
        backup_dir=backup_dir,
        auto_backup=auto_backup,
        keep_daily_backups=keep_daily_backups,
        key=key,
        full_check=full_check,
    )
