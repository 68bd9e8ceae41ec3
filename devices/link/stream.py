"""Notification intake: decode, count bad frames and lost ones, fan out, and watch for staleness.

Bad bytes never become readings: a frame that fails to decode is counted per characteristic, logged
at a limited rate and dropped. Staleness is judged from the loop clock alone: a timer fires one
stale threshold after the last Pressure Stream frame, whatever bleak says about the connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from devices.link._fanout import RateLimitedLog, Subscribers
from devices.link.events import (
    DecodeErrors,
    FramesLost,
    LinkEvent,
    LinkFresh,
    LinkStale,
    PressureReading,
    StatusReading,
)
from devices.protocol import (
    CommandResult,
    PressureFrame,
    PressureStreamDecoder,
    ProtocolError,
    StatusFrame,
    decode_command_result,
    decode_status,
    sequence_delta,
)
from devices.protocol.errors import Reason

log = logging.getLogger(__name__)

PRESSURE = "pressure"
RESULT = "result"
STATUS = "status"
CHARACTERISTICS = (PRESSURE, RESULT, STATUS)

_EPSILON_S = 1e-6  # float slack of the loop's timer arithmetic


@dataclass(slots=True, eq=False)
class StateCapture:
    """Futures for the first Pressure Stream and Status frames after a READ_STATE result."""

    pressure: asyncio.Future[PressureFrame]
    status: asyncio.Future[StatusFrame]


class NotificationRouter:
    """Turns notification bytes into typed readings, events and counters; never raises."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        events: Subscribers[LinkEvent],
        pressure: Subscribers[PressureReading],
        status: Subscribers[StatusReading],
        on_result: Callable[[CommandResult], None],
        on_stale: Callable[[], None],
        log_limiter: RateLimitedLog,
        stale_after_s: float,
        report_every_s: float,
    ) -> None:
        self._clock = clock
        self._events = events
        self._pressure_subs = pressure
        self._status_subs = status
        self._on_result = on_result
        self._on_stale = on_stale
        self._log = log_limiter
        self._stale_after = stale_after_s
        self._report_every = report_every_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stale_timer: asyncio.TimerHandle | None = None
        self._report_timer: asyncio.TimerHandle | None = None
        self._watch_from = 0.0
        self._watching = False
        self.last_frame_at: float | None = None
        self.last_status: StatusFrame | None = None
        self.stale = False
        self._stale_since = 0.0
        self._last_sequence: int | None = None
        self.frames_received = 0
        self.frames_lost = 0
        self._lost_reported = 0
        self.decode_errors = dict.fromkeys(CHARACTERISTICS, 0)
        self._errors_reported = dict.fromkeys(CHARACTERISTICS, 0)
        self._last_reason: dict[str, Reason | None] = dict.fromkeys(CHARACTERISTICS)
        self._captures: list[StateCapture] = []
        self._decode_pressure = PressureStreamDecoder()

    # -- life cycle ---------------------------------------------------------------------------

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """A connection streams: expect frames from now on (a running stale timer keeps going)."""
        self._loop = loop
        self._watching = True
        self._last_sequence = None  # a new connection may restart the device's counter
        # After a quick reconnect the running timer still counts from the last frame, so a
        # reconnection never extends the stale deadline.
        if self._stale_timer is None and not self.stale:
            now = self._clock()
            self._watch_from = now
            self._arm_stale(now + self._stale_after)
        if self._report_timer is None:
            self._report_timer = loop.call_later(self._report_every, self._report_tick)

    def unwatch(self) -> None:
        """A requested disconnect: no frames are expected, so no staleness is reported."""
        for timer in (self._stale_timer, self._report_timer):
            if timer is not None:
                timer.cancel()
        self._stale_timer = self._report_timer = None
        self._watching = False
        self.stale = False
        self.last_frame_at = None
        self._last_sequence = None
        self.report()
        for capture in self._captures:
            for fut in (capture.pressure, capture.status):
                if not fut.done():
                    fut.cancel()
        self._captures.clear()

    def capture_next_state(self) -> StateCapture:
        """Arm futures for the next Pressure Stream and Status frames (on the READ_STATE OK)."""
        assert self._loop is not None
        capture = StateCapture(self._loop.create_future(), self._loop.create_future())
        self._captures.append(capture)
        return capture

    def discard_capture(self, capture: StateCapture) -> None:
        """Stop filling a capture (its READ_STATE finished or gave up)."""
        if capture in self._captures:
            self._captures.remove(capture)

    # -- staleness ------------------------------------------------------------------------------

    def _arm_stale(self, when: float) -> None:
        assert self._loop is not None
        self._stale_timer = self._loop.call_at(when, self._stale_check)

    def _stale_check(self) -> None:
        # Lazy deadline: frames only record their time, and this timer re-arms itself, so a
        # 50 Hz stream costs no timer churn.
        self._stale_timer = None
        now = self._clock()
        last = self.last_frame_at if self.last_frame_at is not None else self._watch_from
        due = max(last, self._watch_from) + self._stale_after
        if now + _EPSILON_S < due:
            self._arm_stale(due)
            return
        self.stale = True
        self._stale_since = now
        log.warning("link stale: no pressure frame for %.2f s", now - last)
        self._events.emit(LinkStale(now, self.last_frame_at))
        try:
            self._on_stale()
        except Exception:
            log.exception("stale handler failed")

    # -- counters -------------------------------------------------------------------------------

    def _report_tick(self) -> None:
        assert self._loop is not None
        self._report_timer = self._loop.call_later(self._report_every, self._report_tick)
        self.report()

    def report(self) -> None:
        """Emit DecodeErrors and FramesLost events for counts not reported yet."""
        now = self._clock()
        for name in CHARACTERISTICS:
            total = self.decode_errors[name]
            new = total - self._errors_reported[name]
            if new:
                self._errors_reported[name] = total
                self._events.emit(DecodeErrors(now, name, new, total, self._last_reason[name]))
        new_lost = self.frames_lost - self._lost_reported
        if new_lost:
            self._lost_reported = self.frames_lost
            self._events.emit(FramesLost(now, new_lost, self.frames_lost))

    def _bad_frame(self, name: str, data: bytes | bytearray, exc: Exception) -> None:
        self.decode_errors[name] += 1
        if isinstance(exc, ProtocolError):
            self._last_reason[name] = exc.reason
            self._log(
                logging.WARNING,
                f"decode:{name}",
                "dropped a malformed %s notification (%d bytes): %s",
                name,
                len(data),
                exc,
            )
        else:  # a codec bug: still never a reading, but worth a traceback
            self._last_reason[name] = None
            self._log(
                logging.ERROR,
                f"decode-bug:{name}",
                "decoder failed on a %s notification (%d bytes)",
                name,
                len(data),
                exc_info=True,
            )

    # -- notification handlers (bleak calls these on the loop thread) ----------------------------

    def pressure(self, data: bytes | bytearray) -> None:
        """Pressure Stream notification."""
        try:
            frame = self._decode_pressure(data)
        except Exception as exc:
            self._bad_frame(PRESSURE, data, exc)
            return
        now = self._clock()
        lost = 0
        if self._last_sequence is not None:
            delta = sequence_delta(self._last_sequence, frame.sequence)
            if delta > 1:
                lost = delta - 1
                self.frames_lost += lost
        self._last_sequence = frame.sequence
        self.frames_received += 1
        self.last_frame_at = now
        if self.stale:
            self.stale = False
            log.info("link fresh after %.2f s", now - self._stale_since)
            self._events.emit(LinkFresh(now, now - self._stale_since))
        if self._stale_timer is None and self._watching:
            self._arm_stale(now + self._stale_after)
        if self._captures:
            for capture in self._captures:
                if not capture.pressure.done():
                    capture.pressure.set_result(frame)
            self._captures = [c for c in self._captures if not c.status.done()]
        self._pressure_subs.emit(PressureReading(frame, now, lost))

    def status(self, data: bytes | bytearray) -> None:
        """Status notification."""
        try:
            status = decode_status(data)
        except Exception as exc:
            self._bad_frame(STATUS, data, exc)
            return
        self.last_status = status
        if self._captures:
            # The Status that answers READ_STATE follows its Pressure Stream frame.
            for capture in self._captures:
                if capture.pressure.done() and not capture.status.done():
                    capture.status.set_result(status)
            self._captures = [c for c in self._captures if not c.status.done()]
        self._status_subs.emit(StatusReading(status, self._clock()))

    def result(self, data: bytes | bytearray) -> None:
        """Command Result notification."""
        try:
            result = decode_command_result(data)
        except Exception as exc:
            self._bad_frame(RESULT, data, exc)
            return
        try:
            self._on_result(result)
        except Exception:
            log.exception("result handler failed for %r", result)
