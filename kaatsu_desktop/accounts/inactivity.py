"""The screen lock after inactivity: a pure model the UI drives with a monotonic clock.

What the lock does (issue 7): it hides patient data until the signed-in user unlocks (or another
user signs in). It never interrupts a running session: the session panel's Release all button,
its alarms and the automatic releases stay live above or behind the lock screen, and the session
engine never learns about the lock. The UI step wires that; this model only says *when* to lock.
"""

from __future__ import annotations

from datetime import timedelta


class InactivityLock:
    """Locks when no activity was reported for `timeout`; `now` is any monotonic seconds value.

    The UI calls `activity(now)` on user input and `tick(now)` from a timer (about once a
    second); `tick` returns True while locked. Idle time of exactly `timeout` locks.
    """

    def __init__(self, timeout: timedelta | float, now: float) -> None:
        self._timeout = self._seconds(timeout)
        self._last = float(now)
        self._locked = False
        self._locked_at: float | None = None

    @staticmethod
    def _seconds(timeout: timedelta | float) -> float:
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
        if not seconds > 0:
            raise ValueError("the inactivity timeout must be positive")
        return seconds

    @property
    def timeout(self) -> float:
        """Idle seconds after which the screen locks."""
        return self._timeout

    @property
    def locked(self) -> bool:
        """True while the screen is locked."""
        return self._locked

    @property
    def locked_at(self) -> float | None:
        """When the current lock began (the clock's value), None while unlocked."""
        return self._locked_at

    def activity(self, now: float) -> None:
        """User input at `now`: restarts the idle time (input while locked does not unlock)."""
        if not self._locked:
            self._last = max(self._last, float(now))

    def tick(self, now: float) -> bool:
        """Lock if idle for `timeout` or longer; return whether the screen is locked."""
        if not self._locked and float(now) - self._last >= self._timeout:
            self._locked = True
            self._locked_at = self._last + self._timeout
        return self._locked

    def remaining(self, now: float) -> float:
        """Seconds left before the lock (0 when locked)."""
        if self._locked:
            return 0.0
        return max(0.0, self._timeout - (float(now) - self._last))

    def lock(self, now: float) -> None:
        """Lock at once (the user's own 'lock' command)."""
        if not self._locked:
            self._locked = True
            self._locked_at = float(now)

    def unlock(self, now: float) -> None:
        """Unlock after a successful password check; the idle time starts again at `now`."""
        self._locked = False
        self._locked_at = None
        self._last = float(now)

    def set_timeout(self, timeout: timedelta | float) -> None:
        """Apply a changed clinic setting; the idle time so far still counts."""
        self._timeout = self._seconds(timeout)
