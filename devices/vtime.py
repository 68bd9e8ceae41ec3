"""Asyncio event loops whose clock is virtual, so a 20-minute session can run in milliseconds.

`VirtualTimeEventLoop` keeps a virtual ``time()``. Whenever the loop would sleep (no ready callback,
no I/O) it jumps straight to the next timer instead of waiting. A *horizon* bounds how far it may
jump: past it the loop blocks for real until another thread moves the horizon with
:meth:`VirtualTimeEventLoop.advance`. So a test (or a trainer's fast-forward) can step the device
thread by exactly N virtual seconds and know every timer due by then has run.

Every timeout in asyncio, bleak and the project's own code reads ``loop.time()``, so they all follow
the virtual clock; I/O and thread-safe calls still wake the loop at once.
"""

from __future__ import annotations

import asyncio
import math
import selectors
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol


class _DelegatingSelector(selectors.BaseSelector):
    """A selector that hands everything but ``select`` to a real one."""

    def __init__(self, real: selectors.BaseSelector) -> None:
        self._real = real

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        """Register with the real selector."""
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        """Unregister from the real selector."""
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        """Modify a registration of the real selector."""
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        """Return the real selector's map."""
        return self._real.get_map()

    def close(self) -> None:
        """Close the real selector."""
        self._real.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        """Wait for I/O as the real selector does."""
        return self._real.select(timeout)


class _VirtualSelector(_DelegatingSelector):
    """Selector that turns the loop's sleeps into jumps of virtual time.

    The loop's own wake-up pipe is always registered; thread-safe calls put their callback on the
    loop's ready queue before they write to it. So while nothing else is registered, there is no
    real I/O to poll: the ready queue alone says whether another thread handed work in, and the
    pipe is drained whenever the loop does poll or block.
    """

    def __init__(self, loop: VirtualTimeEventLoop, real: selectors.BaseSelector) -> None:
        super().__init__(real)
        self._loop = loop
        self._watched = 0  # registered file objects, the wake-up pipe included

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        """Register with the real selector."""
        key = self._real.register(fileobj, events, data)
        self._watched += 1
        return key

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        """Unregister from the real selector."""
        key = self._real.unregister(fileobj)
        self._watched -= 1
        return key

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        """Poll I/O without waiting; instead of sleeping, move virtual time forward."""
        loop = self._loop
        io = self._watched > 1  # something besides the wake-up pipe
        if timeout is not None:
            if timeout <= 0:
                return self._real.select(0) if io else []
            target = loop._vnow + timeout
            if target <= loop._horizon and not io and not loop._ready:
                loop._vnow = target  # the common case: a jump to the next timer, no I/O
                return []
        # Real I/O, a thread-safe call that came in since the loop looked, or parking at the
        # horizon: poll first (which also drains the wake-up pipe, so a parked loop is not
        # woken by bytes of calls it has already run).
        events = self._real.select(0)
        if events or loop._ready:
            return events
        if timeout is not None:
            target = loop._vnow + timeout
            if target <= loop._horizon:
                loop._vnow = target
                return []
            loop._vnow = max(loop._vnow, loop._horizon)
        # Nothing to do before the horizon: tell waiters, then block until woken from outside
        # (a thread-safe call moves the horizon or submits work).
        loop._notify_idle()
        return self._real.select(None)


class VirtualTimeEventLoop(asyncio.SelectorEventLoop):
    """A selector event loop with a virtual clock that jumps over idle time up to a horizon."""

    def __init__(self, start: float = 0.0, horizon: float = math.inf) -> None:
        self._vnow = float(start)
        self._horizon = float(horizon)
        self._idle_waiters: list[tuple[float, threading.Event]] = []
        self._waiters_lock = threading.Lock()
        super().__init__(selector=_VirtualSelector(self, selectors.DefaultSelector()))

    def time(self) -> float:
        """Virtual monotonic time in seconds."""
        return self._vnow

    @property
    def horizon(self) -> float:
        """How far virtual time may run before the loop waits for :meth:`advance`."""
        return self._horizon

    def _notify_idle(self) -> None:
        with self._waiters_lock:
            due = [(t, ev) for t, ev in self._idle_waiters if t <= self._vnow]
            self._idle_waiters = [(t, ev) for t, ev in self._idle_waiters if t > self._vnow]
        for _, ev in due:
            ev.set()

    def advance(self, seconds: float, *, timeout: float | None = 60.0) -> float:
        """From another thread: let virtual time run ``seconds`` further; return when it has.

        Returns the virtual time reached. Raises TimeoutError if the loop did not get there
        within ``timeout`` real seconds (a callback stuck in a busy loop, for instance).
        """
        if seconds < 0:
            raise ValueError("cannot advance by a negative time")
        done = threading.Event()

        def _move() -> None:
            self._horizon = max(self._horizon, self._vnow) + seconds
            with self._waiters_lock:
                self._idle_waiters.append((self._horizon, done))

        self.call_soon_threadsafe(_move)
        if not done.wait(timeout):
            raise TimeoutError(f"virtual clock did not reach +{seconds} s in {timeout} s")
        return self._vnow

    def set_free_running(self) -> None:
        """From any thread: remove the horizon, so virtual time runs as fast as work allows."""
        self.call_soon_threadsafe(setattr, self, "_horizon", math.inf)


class _ScaledSelector(_DelegatingSelector):
    """Selector that waits a scaled-time timeout in real time."""

    def __init__(self, factor: float, real: selectors.BaseSelector) -> None:
        super().__init__(real)
        self._factor = factor

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        """Wait ``timeout / factor`` real seconds."""
        return self._real.select(None if timeout is None else timeout / self._factor)


class ScaledTimeEventLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose clock runs ``factor`` times faster than real time (demo)."""

    def __init__(self, factor: float) -> None:
        if factor <= 0:
            raise ValueError("factor must be positive")
        self._factor = factor
        self._real_start = time.monotonic()
        super().__init__(selector=_ScaledSelector(factor, selectors.DefaultSelector()))

    def time(self) -> float:
        """Scaled monotonic time in seconds."""
        return (time.monotonic() - self._real_start) * self._factor


class _Steppable(Protocol):
    """What a pacer drives: a runtime on a virtual-time loop (devices.runtime.DeviceRuntime)."""

    def clock(self) -> float: ...

    def advance(self, seconds: float, *, timeout: float | None = ...) -> float: ...


class RealTimePacer(threading.Thread):
    """Drives a virtual-time runtime at real-time pace from its own thread (tests, benchmarks).

    From ``start`` on, loop time follows ``v0 + (real - r0)``. The loop clock only moves when the
    loop is free, so a stall of the device thread shows as real lateness (``real_at`` converts).
    """

    def __init__(self, runtime: _Steppable, step_s: float = 0.001, timeout_s: float = 10.0) -> None:
        super().__init__(name="real-time-pacer", daemon=True)
        self._rt = runtime
        self._step = step_s
        self._timeout = timeout_s
        self._stop_event = threading.Event()
        self.v0 = self.r0 = 0.0
        self.ready = threading.Event()
        self.error: BaseException | None = None  # what stopped the pacing, for the caller

    def real_at(self, loop_time: float) -> float:
        """The real monotonic time at which the loop clock was due to reach ``loop_time``."""
        return self.r0 + (loop_time - self.v0)

    def run(self) -> None:
        self.v0, self.r0 = float(self._rt.clock()), time.monotonic()
        self.ready.set()
        try:
            while not self._stop_event.is_set():
                lag = self.v0 + (time.monotonic() - self.r0) - float(self._rt.clock())
                if lag > 0:
                    self._rt.advance(lag, timeout=self._timeout)
                else:
                    time.sleep(self._step)
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc

    def stop(self) -> None:
        """Stop pacing and wait for the thread."""
        self._stop_event.set()
        self.join(self._timeout)

    def __enter__(self) -> RealTimePacer:
        self.start()
        self.ready.wait(5)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
