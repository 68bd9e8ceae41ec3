"""SessionBridge: hands a session's snapshots and events to the UI thread as Qt signals.

The bridge lives in the UI thread. The controller calls its listener on the device thread; the
listener only stores what arrived under a short lock and, if no delivery is pending yet, emits one
queued wake-up. The UI thread then drains everything at once and emits the typed signals. So a UI
thread that is blocked for seconds never slows the device thread, and it catches up with one
delivery: the latest snapshot (older ones are superseded) and every event in order.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot

from devices.link import LinkEvent
from kaatsu_desktop.session.controller import IntentRefusal, SessionController, SessionListener
from kaatsu_desktop.session.outputs import SessionEvent
from kaatsu_desktop.session.recorder import RecorderStats
from kaatsu_desktop.session.snapshot import SessionSnapshot

log = logging.getLogger(__name__)

MAX_PENDING_EVENTS = 10_000  # events kept for a UI thread that does not drain

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


def _emit_drops_a_reference() -> bool:
    """True when ``SignalInstance.emit`` returns ``True`` without owning a reference to it.

    PySide6 6.12.0 does (measured: every emit from Python takes one reference off ``True``,
    and after a few hundred emits the interpreter aborts in ``bool_dealloc``). Probed once, so
    a fixed PySide6 (or an immortal ``True``) needs no repair.
    """

    class _Probe(QObject):
        ping = Signal()

    probe, n = _Probe(), 64
    before = sys.getrefcount(True)
    for _ in range(n):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost >= n // 2:
        for _ in range(n):
            _incref(True)
        return True
    return False


_EMIT_DROPS_REF = _emit_drops_a_reference()


def emit(signal: SignalInstance, *args: Any) -> None:
    """Emit ``signal``, making up for the reference PySide6 6.12.0 drops on the result."""
    result = signal.emit(*args)
    if _EMIT_DROPS_REF and isinstance(result, bool):
        _incref(result)


class _Inbox(SessionListener):
    """The device-thread side: stores under a lock, wakes the UI thread at most once at a time."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self.lock = threading.Lock()
        self.snapshot: SessionSnapshot | None = None
        self.events: list[SessionEvent] = []
        self.refusals: list[IntentRefusal] = []
        self.link_events: list[LinkEvent] = []
        self.recorder: RecorderStats | None = None
        self.pending = False
        self.events_dropped = 0
        self.wakes = 0

    def _store(self, put: Callable[[], None]) -> None:
        with self.lock:
            put()
            if self.pending:
                return
            self.pending = True
            self.wakes += 1
        self._wake()

    def on_snapshot(self, snapshot: SessionSnapshot) -> None:
        self._store(lambda: setattr(self, "snapshot", snapshot))

    def on_events(self, events: tuple[SessionEvent, ...]) -> None:
        def put() -> None:
            room = MAX_PENDING_EVENTS - len(self.events)
            self.events.extend(events[: max(0, room)])
            self.events_dropped += max(0, len(events) - max(0, room))

        self._store(put)

    def on_refusal(self, refusal: IntentRefusal) -> None:
        self._store(lambda: self.refusals.append(refusal))

    def on_link_event(self, event: LinkEvent) -> None:
        def put() -> None:
            if len(self.link_events) < MAX_PENDING_EVENTS:
                self.link_events.append(event)

        self._store(put)

    def on_recorder(self, stats: RecorderStats) -> None:
        self._store(lambda: setattr(self, "recorder", stats))


class SessionBridge(QObject):
    """Qt face of a SessionController; create and use it in the UI thread."""

    snapshot_changed = Signal(SessionSnapshot)  # the latest snapshot (about 10 Hz)
    event_arrived = Signal(SessionEvent)  # every session event, in order
    intent_refused = Signal(IntentRefusal)  # an intent the engine refused, with its rule
    link_event = Signal(object)  # a devices.link LinkEvent (frozen dataclass)
    recorder_changed = Signal(RecorderStats)  # recorder counters (drops, errors, finished)
    _wake = Signal()

    def __init__(self, controller: SessionController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.latest: SessionSnapshot | None = None
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._inbox = _Inbox(lambda: emit(self._wake))
        self._unsubscribe: Callable[[], None] | None = controller.subscribe(self._inbox)

    @property
    def deliveries_requested(self) -> int:
        """Queued wake-ups posted so far (one per batch, not one per event)."""
        return self._inbox.wakes

    def detach(self) -> None:
        """Stop listening to the controller."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @Slot()
    def _drain(self) -> None:
        inbox = self._inbox
        with inbox.lock:
            snapshot, inbox.snapshot = inbox.snapshot, None
            events, inbox.events = inbox.events, []
            refusals, inbox.refusals = inbox.refusals, []
            link_events, inbox.link_events = inbox.link_events, []
            stats, inbox.recorder = inbox.recorder, None
            dropped, inbox.events_dropped = inbox.events_dropped, 0
            inbox.pending = False
        if dropped:
            log.error("%d session events were not shown: the UI thread did not drain", dropped)
        for link_event in link_events:
            emit(self.link_event, link_event)
        for event in events:
            emit(self.event_arrived, event)
        for refusal in refusals:
            emit(self.intent_refused, refusal)
        if snapshot is not None:
            self.latest = snapshot
            emit(self.snapshot_changed, snapshot)
        if stats is not None:
            emit(self.recorder_changed, stats)
