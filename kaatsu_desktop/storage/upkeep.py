"""Start-up upkeep off the UI thread: the whole file's integrity check, then today's backup.

Opening with `full_check=False` leaves the full `quick_check` to this worker, which the app starts
once its window is painted. It reads through connections of its own (read-only for the check,
the backup API's snapshot for the copy), so the app's connection is never held. A failed check
marks the database damaged at once (every write refused, see Database.transaction) and skips the
backup: a damaged copy would not pass its own check, and the rotation must keep the good ones.

What a clinic gets (issue 8), and why:
- At open, before sign-in: the lock file, a check of the header, the schema and the tables that
  sign-in and the settings read (about a millisecond on any size), migrations, and sessions left
  running marked interrupted. Whenever the open itself writes (after an unclean shutdown, when
  damage is likeliest; before a migration; with sessions left running) the whole file is
  checked first, as before, so nothing is written to a file not known to be sound.
- Right after the window is painted: the whole-file check (1.7 s on a 716 MB registry), then
  today's backup (seconds more), on this worker; the window is usable meanwhile.
- A failed check: no more writes from that moment (DatabaseDamaged), a red banner and a dialog
  with what to do (close, keep the file for support, restore the latest backup), every page but
  the Session page disabled (a running session's Release all and alarms stay). A damaged page
  met while the window is built stops the start with the same message, as a check at open did.
- The price: in the seconds between the window and the end of the check, audit rows (the
  sign-in, a record viewed) can be written before damage is known; no screening or session can
  be completed in that time.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kaatsu_desktop.i18n import translate

from .cancel import Cancellation
from .errors import BackupCancelled, DatabaseCorrupt, StorageError
from .integrity import check_integrity

if TYPE_CHECKING:
    from .db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntegrityOutcome:
    """The whole file's quick_check: passed, or what SQLite found; cancelled when closing."""

    ok: bool
    detail: str
    seconds: float
    cancelled: bool = False


class BackupState(enum.Enum):
    """What became of today's backup."""

    WRITTEN = "written"
    EXISTS = "exists"  # made earlier today
    FAILED = "failed"
    SKIPPED = "skipped"  # the file failed its check: the earlier backups are kept as they are
    CANCELLED = "cancelled"  # the program closed first: made again at the next start


@dataclass(frozen=True)
class BackupOutcome:
    """Today's backup: its state, the file written (WRITTEN only) and the reason otherwise."""

    state: BackupState
    path: Path | None
    detail: str
    seconds: float


def check_whole_file(
    db: Database,
    *,
    cancel: Cancellation | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> IntegrityOutcome:
    """quick_check of every page on a read-only connection of its own; never raises for damage."""
    started = monotonic()
    try:
        conn = db.connect_again(read_only=True)
    except StorageError as exc:
        return IntegrityOutcome(False, str(exc), monotonic() - started)
    try:
        if cancel is None:
            check_integrity(conn, db.path)
        else:
            with cancel.watching(conn):
                check_integrity(conn, db.path)
    except DatabaseCorrupt as exc:
        return IntegrityOutcome(False, exc.detail, monotonic() - started)
    except sqlite3.Error as exc:
        if cancel is not None and cancel.is_set():
            return IntegrityOutcome(False, str(exc), monotonic() - started, cancelled=True)
        return IntegrityOutcome(False, str(exc), monotonic() - started)
    finally:
        conn.close()
    return IntegrityOutcome(True, "ok", monotonic() - started)


def backup_today(
    db: Database,
    *,
    cancel: Cancellation | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> BackupOutcome:
    """Today's rotating backup unless made already; every failure is an outcome, not raised."""
    started = monotonic()
    try:
        path = db.daily_backup(cancel=cancel)
    except BackupCancelled as exc:
        return BackupOutcome(BackupState.CANCELLED, None, exc.detail, monotonic() - started)
    except (StorageError, OSError, sqlite3.Error) as exc:
        # A failed backup must not keep a clinic from working, but the app must say so.
        log.error("Automatic daily backup failed: %s", exc)
        return BackupOutcome(BackupState.FAILED, None, str(exc), monotonic() - started)
    if path is None:
        return BackupOutcome(BackupState.EXISTS, None, "", monotonic() - started)
    log.info("Daily backup written to %s in %.1f s", path, monotonic() - started)
    return BackupOutcome(BackupState.WRITTEN, path, "", monotonic() - started)


class Upkeep:
    """One worker thread: the full check (when the open did not run it), then today's backup.

    `on_checked` and `on_backup` are called on the worker thread with the outcomes; `close`
    stops the work (the check is interrupted, the backup removed unfinished) and waits for it.
    """

    def __init__(
        self,
        db: Database,
        *,
        check: bool,
        backup: bool,
        on_checked: Callable[[IntegrityOutcome], None],
        on_backup: Callable[[BackupOutcome], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._check = check
        self._backup = backup
        self._on_checked = on_checked
        self._on_backup = on_backup
        self._monotonic = monotonic
        self._cancel = Cancellation()
        self._thread = threading.Thread(target=self._run, name="db-upkeep", daemon=True)

    def start(self) -> None:
        """Start the worker (once)."""
        self._thread.start()

    @property
    def running(self) -> bool:
        """True while the worker has work left."""
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker to finish; True when it has."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def close(self, timeout: float = 10.0) -> bool:
        """Cancel what is left and wait for the worker; True when it stopped in time."""
        self._cancel.set()
        return self.wait(timeout)

    def _run(self) -> None:
        if self._check:
            checked = check_whole_file(self._db, cancel=self._cancel, monotonic=self._monotonic)
            if not checked.ok and not checked.cancelled:
                self._db.mark_damaged(checked.detail)
            elif checked.ok:
                log.info("Database %s passed its integrity check in %.1f s", self._db.path,
                         checked.seconds)  # fmt: skip
            self._on_checked(checked)
            if not checked.ok:
                if self._backup:
                    state = BackupState.CANCELLED if checked.cancelled else BackupState.SKIPPED
                    self._on_backup(BackupOutcome(state, None, _skipped(state), 0.0))
                return
        if not self._backup:
            return
        if self._cancel.is_set():
            self._on_backup(BackupOutcome(BackupState.CANCELLED, None, _skipped(None), 0.0))
            return
        self._on_backup(backup_today(self._db, cancel=self._cancel, monotonic=self._monotonic))


def _skipped(state: BackupState | None) -> str:
    if state is BackupState.SKIPPED:
        return translate(
            "Storage",
            "not made: the database failed its integrity check; the earlier backups are kept",
        )
    return translate("Storage", "cancelled; it is made again at the next start")
