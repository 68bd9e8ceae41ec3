"""Stopping long SQLite work from another thread: a flag that also interrupts statements."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# SQLite VM instructions between two looks at the flag (the checks run few, each long).
_PROGRESS_EVERY = 16


class Cancellation:
    """Set once (from any thread): the statements running under ``watching`` are interrupted.

    A progress handler alone does not do: `PRAGMA quick_check` and `integrity_check` walk the
    whole file inside one VM step, where only `sqlite3_interrupt` reaches them.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._watched: set[sqlite3.Connection] = set()

    def is_set(self) -> bool:
        """True once cancelled."""
        return self._event.is_set()

    def set(self) -> None:
        """Cancel: interrupt every watched connection now and any watched later."""
        with self._lock:
            self._event.set()
            for conn in self._watched:
                conn.interrupt()

    @contextmanager
    def watching(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Interrupt ``conn``'s statements if cancelled while inside (or before they start)."""
        # The progress handler stops a statement that starts after the cancel (an interrupt
        # with no statement running is lost); the interrupt stops one inside a long VM step.
        conn.set_progress_handler(self.is_set, _PROGRESS_EVERY)
        with self._lock:
            self._watched.add(conn)
        try:
            yield
        finally:
            with self._lock:
                self._watched.discard(conn)
            conn.set_progress_handler(None, 0)
