"""The session recorder: samples and events go from the device thread to SQLite in batches.

The device thread only appends to in-memory lists under a lock held for microseconds; it never
waits for the database. A dedicated writer thread takes everything pending at least every
``flush_interval_s`` (0.5 s by default, so a crash loses at most about the last second) and commits
samples and events in one transaction, through the storage layer's own functions, on its own
SQLite connection. When the pending samples outgrow ``max_pending_samples`` (the writer is stuck)
new ones are dropped, counted and logged rather than ever blocking the device thread.

The first write that fails (a damaged file refusing every write, a full disk, ...) is kept as
``failure``, once, for the controller to poll: the session itself must go on, so nothing is
raised into the device thread, but the clinician has to learn that it is no longer recorded.
"""

from __future__ import annotations

import concurrent.futures
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kaatsu_desktop.session.outputs import EventKind
from kaatsu_desktop.session.outputs import SessionEvent as EngineEvent
from kaatsu_desktop.storage import (
    Database,
    DatabaseDamaged,
    NewSession,
    SessionRecord,
    SessionStatus,
    StorageError,
    ValidationError,
    add_samples,
    add_session_events,
    create_session,
    finish_session,
    make_samples,
    update_session,
)
from kaatsu_desktop.storage import SessionEvent as StoredEvent
from kaatsu_desktop.storage.clinical_records import RULE_ID

log = logging.getLogger(__name__)

MAX_T_MS = 2**31 - 1
# One frame: its time and (channel, pressure, target, phase) per channel, in the device unit.
Frame = tuple[int, Sequence[tuple[int, float, float, int]]]


@dataclass(frozen=True, slots=True)
class RecorderStats:
    """What the recorder has done; a drop or an error is a reason to tell the clinician."""

    samples_pending: int = 0
    samples_written: int = 0
    samples_dropped: int = 0  # the writer fell behind by more than max_pending_samples
    events_written: int = 0
    events_dropped: int = 0  # events the database refused (logged one by one)
    commits: int = 0
    errors: int = 0
    last_error: str | None = None
    finished: bool = False


@dataclass(frozen=True, slots=True)
class RecordingFailure:
    """The first write the recorder could not make; later ones are only counted."""

    error: str  # the exception's type name, e.g. "DatabaseDamaged", "OperationalError"
    detail: str  # its message
    damaged: bool  # the file failed its integrity check: no write will succeed any more
    at: float  # the recorder's clock when it failed


def stored_event(event: EngineEvent, t0: float) -> StoredEvent:
    """An engine event as the storage layer keeps it: milliseconds since ``t0``, JSON data."""
    t_ms = min(MAX_T_MS, max(0, round((event.time - t0) * 1000.0)))
    data: dict[str, Any] = dict(event.data)
    rule_id = event.rule_id
    if rule_id is not None and not RULE_ID.fullmatch(rule_id):
        data["rule"] = rule_id  # kept, but not where only catalogue ids belong
        rule_id = None
    priority = data.get("priority") if event.kind is EventKind.ALARM_RAISED else None
    if priority not in ("high", "medium", "low"):
        priority = None
    return StoredEvent(
        t_ms=t_ms,
        kind=event.kind.value,
        message=event.message,
        rule_id=rule_id,
        priority=priority,
        data=data or None,
    )


def open_writer_database(db: Database) -> Database:
    """A second connection to ``db``'s file for the writer thread (storage's ``open_writer``)."""
    return db.open_writer()


class Recorder:
    """Writes one session's samples, events and session row from a writer thread."""

    def __init__(
        self,
        db: Database,
        session_id: int,
        *,
        by: int | None = None,
        flush_interval_s: float = 0.5,
        max_pending_samples: int = 100_000,
        own_connection: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0.0 < flush_interval_s <= 1.0:
            raise ValueError("samples are committed at least once a second")
        self.session_id = session_id
        self._by = by
        self._interval = flush_interval_s
        self._max_pending = max_pending_samples
        self._clock = clock
        self._db = open_writer_database(db) if own_connection else db
        self._own = own_connection
        self._cond = threading.Condition(threading.Lock())
        self._frames: list[Frame] = []
        self._pending = 0  # samples in self._frames
        self._events: list[StoredEvent] = []
        self._controls: list[tuple[str, Any]] = []
        self._stopping = False
        self._finished = False
        self._stats = RecorderStats()
        self._dropping = False
        self._failure: RecordingFailure | None = None
        self._finish_future: concurrent.futures.Future[SessionRecord] | None = None
        self._thread = threading.Thread(target=self._run, name="session-recorder", daemon=True)
        self._thread.start()

    @classmethod
    def create(cls, db: Database, new: NewSession, *, by: int | None, **kwargs: Any) -> Recorder:
        """Create the session row (status running) and return a recorder writing to it."""
        record = create_session(db, new, by=by)
        return cls(db, record.id, by=by, **kwargs)

    # -- device thread: never blocks -------------------------------------------------------------

    @property
    def stats(self) -> RecorderStats:
        """Counters so far (thread-safe copy)."""
        with self._cond:
            return _with(self._stats, samples_pending=self._pending)

    @property
    def failure(self) -> RecordingFailure | None:
        """The first failed write, None while every write succeeded (cheap: poll it freely)."""
        return self._failure

    @property
    def finish_future(self) -> concurrent.futures.Future[SessionRecord] | None:
        """The pending or done result of ``finish`` (None before it is called)."""
        return self._finish_future

    @property
    def finished(self) -> bool:
        """True once the session row was finished (or a finish was asked for)."""
        return self._finished

    def add_frame(self, t_ms: int, samples: Sequence[tuple[int, float, float, int]]) -> None:
        """Queue one frame: (channel, pressure, target, phase) per channel, at ``t_ms``."""
        with self._cond:
            if self._finished:
                return
            if self._pending + len(samples) > self._max_pending:
                dropped = self._stats.samples_dropped + len(samples)
                self._stats = _with(self._stats, samples_dropped=dropped)
                if not self._dropping:
                    self._dropping = True
                    log.error("recorder queue full (%d samples): dropping", self._pending)
                return
            self._dropping = False
            self._frames.append((t_ms, samples))
            self._pending += len(samples)

    def add_events(self, events: Sequence[StoredEvent]) -> None:
        """Queue events (written with the next batch)."""
        if not events:
            return
        with self._cond:
            if not self._finished:
                self._events.extend(events)

    def update_summary(self, summary: Mapping[str, Any]) -> None:
        """Write the session row's summary now (a phase change), after what is queued."""
        self._control("summary", dict(summary))

    def flush(self) -> concurrent.futures.Future[None]:
        """Commit what is queued now; the future resolves once it is committed."""
        fut: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._control("flush", fut)
        return fut

    def finish(
        self,
        status: SessionStatus | str,
        *,
        summary: Mapping[str, Any] | None = None,
        end_reason: str | None = None,
    ) -> concurrent.futures.Future[SessionRecord]:
        """Commit what is queued, then end the session row as completed or aborted."""
        fut: concurrent.futures.Future[SessionRecord] = concurrent.futures.Future()
        payload = (SessionStatus(status), None if summary is None else dict(summary), end_reason)
        with self._cond:
            if self._finish_future is not None:
                return self._finish_future
            self._finish_future = fut
            self._finished = True
        self._control("finish", (payload, fut))
        return fut

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, stop the writer thread and close its own connection."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("recorder writer did not stop within %.1f s", timeout)
            return
        if self._own:
            self._db.close()

    def _control(self, kind: str, payload: Any) -> None:
        with self._cond:
            if not self._stopping:
                self._controls.append((kind, payload))
                self._cond.notify()
                return
        # Closed: nothing will be written any more; say so rather than leave a future pending.
        fut = payload[1] if kind == "finish" else payload
        if isinstance(fut, concurrent.futures.Future):
            fut.set_exception(RuntimeError("the recorder is closed"))

    # -- writer thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        due = self._clock() + self._interval
        while True:
            with self._cond:
                while not self._controls and not self._stopping:
                    left = due - self._clock()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                frames, self._frames, self._pending = self._frames, [], 0
                events, self._events = self._events, []
                controls, self._controls = self._controls, []
                stopping = self._stopping
            due = self._clock() + self._interval
            try:
                self._write(frames, events)
            except Exception as exc:  # the writer must outlive any one bad batch
                self._error(exc)
            for kind, payload in controls:
                # Each on its own: a refused summary must not leave a later flush or finish pending.
                try:
                    self._apply_control(kind, payload)
                except Exception as exc:
                    self._error(exc)
            if stopping:
                return

    def _write(self, frames: list[Frame], events: list[StoredEvent]) -> None:
        if not frames and not events:
            return
        db, sid = self._db, self.session_id
        batch = _sample_array(frames) if frames else None
        n = 0 if batch is None else len(batch)
        try:
            with db.transaction():
                if batch is not None:
                    add_samples(db, sid, batch)
                if events:
                    add_session_events(db, sid, events)
            self._count(n, len(events))
            return
        except sqlite3.OperationalError as exc:
            # Busy or locked beyond the busy timeout: keep the batch for the next attempt.
            self._error(exc)
            with self._cond:
                self._frames[:0] = frames
                self._pending += n
                self._events[:0] = events
            return
        except DatabaseDamaged as exc:
            # Every write is refused from now on: storing the batch part by part cannot help.
            self._error(exc)
            self._bump(samples_dropped=n, events_dropped=len(events))
            return
        except (ValidationError, StorageError, sqlite3.Error) as exc:
            self._error(exc)
        # One part of the batch was refused: store what can be stored, events one by one.
        if batch is not None:
            try:
                add_samples(db, sid, batch)
                self._count(n, 0)
            except (ValidationError, StorageError, sqlite3.Error) as exc:
                self._error(exc)
                self._bump(samples_dropped=n)
        for event in events:
            try:
                add_session_events(db, sid, [event])
                self._count(0, 1)
            except (ValidationError, StorageError, sqlite3.Error) as exc:
                log.error("event %s not stored: %s", event.kind, exc)
                self._bump(events_dropped=1)

    def _apply_control(self, kind: str, payload: Any) -> None:
        db, sid = self._db, self.session_id
        if kind == "flush":
            payload.set_result(None)
        elif kind == "summary":
            if not self._stats.finished:
                update_session(db, sid, by=self._by, summary=payload)
        elif kind == "finish":
            (status, summary, reason), fut = payload
            try:
                record = finish_session(
                    db, sid, status, by=self._by, summary=summary, end_reason=reason
                )
            except Exception as exc:
                fut.set_exception(exc)
                raise
            with self._cond:
                self._stats = _with(self._stats, finished=True)
            fut.set_result(record)

    def _count(self, samples: int, events: int) -> None:
        with self._cond:
            s = self._stats
            self._stats = _with(
                s,
                samples_written=s.samples_written + samples,
                events_written=s.events_written + events,
                commits=s.commits + 1,
            )

    def _bump(self, **added: int) -> None:
        with self._cond:
            s = self._stats
            self._stats = _with(s, **{k: getattr(s, k) + v for k, v in added.items()})

    def _error(self, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}"
        with self._cond:
            s = self._stats
            repeated = text == s.last_error
            self._stats = _with(s, errors=s.errors + 1, last_error=text)
            if self._failure is None:
                # Set once and never replaced: a plain attribute the device thread may read.
                self._failure = RecordingFailure(
                    type(exc).__name__, str(exc), isinstance(exc, DatabaseDamaged), self._clock()
                )
        # The same refusal every batch would flood the log: once, then at debug level.
        log.log(logging.DEBUG if repeated else logging.ERROR, "recorder write failed: %s", text)


def _with(stats: RecorderStats, **changes: Any) -> RecorderStats:
    values = {f: getattr(stats, f) for f in RecorderStats.__slots__}  # type: ignore[attr-defined]
    values.update(changes)
    return RecorderStats(**values)


def _sample_array(frames: list[Frame]) -> np.ndarray:
    counts = [len(f[1]) for f in frames]
    t_ms = np.repeat(np.fromiter((f[0] for f in frames), np.int64, len(frames)), counts)
    values = np.array([x for f in frames for x in f[1]], dtype=np.float64).reshape(-1, 4)
    keep = np.isfinite(values[:, 1])  # never stored as a number (sensor faults are None)
    if not keep.all():
        t_ms, values = t_ms[keep], values[keep]
    channel, pressure, target, phase = values.T
    return make_samples(t_ms, channel.astype(np.int64), pressure, target, phase.astype(np.int64))


__all__ = [
    "Recorder",
    "RecorderStats",
    "RecordingFailure",
    "open_writer_database",
    "stored_event",
]
