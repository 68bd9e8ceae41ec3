"""The start-up integrity check and daily backup of the clinic database, told to the UI thread.

The app starts it once the main window is painted (issue 8): the work runs on a thread of its own
(storage.upkeep) and its outcomes arrive here as signals on the UI thread. A failed check has
already refused every write before ``damaged`` is emitted.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from kaatsu_desktop.storage import Database
from kaatsu_desktop.storage.upkeep import BackupOutcome, IntegrityOutcome, Upkeep

log = logging.getLogger(__name__)


class DatabaseUpkeep(QObject):
    """Runs the full check (unless the open ran it) and today's backup, once, off the UI thread.

    ``checked`` carries the IntegrityOutcome, ``damaged`` what the clinic must do when the check
    failed, ``backed_up`` the BackupOutcome. The last of each stays readable for a window that
    comes later (after a sign-out and a new sign-in).
    """

    checked = Signal(object)  # IntegrityOutcome
    damaged = Signal(str)  # the DatabaseDamaged message: what happened, what to do
    backed_up = Signal(object)  # BackupOutcome
    _from_worker = Signal(object)  # IntegrityOutcome | BackupOutcome, emitted on the worker

    def __init__(self, db: Database, *, backup: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._backup = backup
        self._worker: Upkeep | None = None
        self.integrity: IntegrityOutcome | None = None
        self.backup: BackupOutcome | None = None
        # Queued: the worker's outcomes are handled on the thread this object lives on (the UI).
        self._from_worker.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.start)

    @property
    def started(self) -> bool:
        """True once start() has run."""
        return self._worker is not None

    @property
    def damage(self) -> str | None:
        """What the clinic must do about a damaged file, or None while it is sound."""
        return None if self._db.damage is None else str(self._db.damage)

    def start(self) -> None:
        """Start the work (a second call does nothing)."""
        self._later.stop()
        if self._worker is not None:
            return
        if self._db.fully_checked:  # the open checked the whole file already
            self._deliver(IntegrityOutcome(True, "ok", 0.0))
        self._worker = Upkeep(
            self._db,
            check=not self._db.fully_checked,
            backup=self._backup,
            on_checked=self._from_worker.emit,
            on_backup=self._from_worker.emit,
        )
        self._worker.start()

    def start_later(self, ms: int) -> None:
        """Start in ``ms`` milliseconds unless started before."""
        self._later.start(ms)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker (tests); True when it has finished or never started."""
        return self._worker is None or self._worker.wait(timeout)

    def close(self, timeout: float = 10.0) -> bool:
        """Stop what is left (the program is closing) and wait for it; True when stopped."""
        if self._worker is None:
            return True
        stopped = self._worker.close(timeout)
        if not stopped:
            log.warning("the database check or backup did not stop within %.0f s", timeout)
        return stopped

    def _deliver(self, outcome: IntegrityOutcome | BackupOutcome) -> None:
        if isinstance(outcome, IntegrityOutcome):
            self.integrity = outcome
            self.checked.emit(outcome)
            if self.damage is not None:
                self.damaged.emit(self.damage)
        else:
            self.backup = outcome
            self.backed_up.emit(outcome)
