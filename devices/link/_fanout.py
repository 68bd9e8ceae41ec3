"""Subscriber lists whose failing callbacks are logged and never reach the link, and a quiet log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
Unsubscribe = Callable[[], None]


class RateLimitedLog:
    """Logs a message per key at most once per interval, counting what it held back."""

    def __init__(self, logger: logging.Logger, clock: Callable[[], float], interval_s: float):
        self._log = logger
        self._clock = clock
        self._interval = interval_s
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def __call__(
        self, level: int, key: str, msg: str, *args: object, exc_info: bool = False
    ) -> None:
        """Log msg unless this key was logged less than the interval ago."""
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._held[key] = self._held.get(key, 0) + 1
            return
        held = self._held.pop(key, 0)
        self._last[key] = now
        if held:
            msg += " (%d similar messages suppressed)"
            args = (*args, held)
        self._log.log(level, msg, *args, exc_info=exc_info)


class Subscribers(Generic[T]):
    """Callbacks of one kind; the list is replaced, never mutated, so iteration is safe."""

    def __init__(self, kind: str, log: RateLimitedLog) -> None:
        self._kind = kind
        self._log = log
        self._entries: tuple[tuple[object, Callable[[T], None]], ...] = ()

    def add(self, callback: Callable[[T], None]) -> Unsubscribe:
        """Add a callback; the returned function removes this subscription (idempotent)."""
        token = object()  # the same callback may be subscribed twice; each is removed alone
        self._entries = (*self._entries, (token, callback))

        def unsubscribe() -> None:
            self._entries = tuple(e for e in self._entries if e[0] is not token)

        return unsubscribe

    def __len__(self) -> int:
        return len(self._entries)

    def emit(self, value: T) -> None:
        """Call every callback; one that raises is logged and the others still run."""
        for _, callback in self._entries:
            try:
                callback(value)
            except Exception:
                # A subscriber's bug must never stop readings, heartbeat or release.
                self._log(
                    logging.ERROR,
                    f"{self._kind}:{id(callback)}",
                    "%s subscriber %r raised",
                    self._kind,
                    callback,
                    exc_info=True,
                )
