"""Connection supervisor: visible states, expected-disconnect flag, reconnect with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from devices.link.events import LinkEvent, LinkState, LinkStateChanged

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff between reconnect attempts, capped, with downward jitter."""

    base_s: float = 0.25
    factor: float = 2.0
    cap_s: float = 5.0
    jitter: float = 0.25  # a delay is shortened by up to this fraction
    max_attempts: int = 10  # then FAILED

    def delay(self, attempt: int, rand: float) -> float:
        """Delay before reconnect attempt `attempt` (1-based); rand in [0, 1)."""
        raw = min(self.cap_s, self.base_s * self.factor ** (attempt - 1))
        return raw * (1.0 - self.jitter * rand)


class ConnectionSupervisor:
    """Holds the link state and runs the reconnect loop after an unexpected drop.

    The link tells it about drops (bleak's disconnect callback, or the stale timer) and gives it two
    coroutines: `reopen` (establish and set up; raises on failure) and `drop` (tear the old client
    down, capped). A drop the app asked for sets `expected_disconnect` first, so it is told apart.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        emit: Callable[[LinkEvent], None],
        backoff: Backoff,
        random: Callable[[], float],
        reopen: Callable[[], Awaitable[None]],
        drop: Callable[[str], Awaitable[None]],
    ) -> None:
        self._clock = clock
        self._emit = emit
        self._backoff = backoff
        self._random = random
        self._reopen = reopen
        self._drop = drop
        self.state = LinkState.IDLE
        self.expected_disconnect = False
        self.reconnects = 0
        self._recovery: asyncio.Task[None] | None = None

    def set_state(
        self, state: LinkState, *, attempt: int = 0, delay_s: float = 0.0, reason: str = ""
    ) -> None:
        """Move to a state and tell the subscribers (repeated RECONNECTING attempts included)."""
        previous = self.state
        if state is previous and state is not LinkState.RECONNECTING:
            return
        self.state = state
        log.info("link %s -> %s %s", previous.value, state.value, reason)
        self._emit(LinkStateChanged(state, previous, self._clock(), attempt, delay_s, reason))

    @property
    def recovering(self) -> bool:
        """True while the reconnect loop runs."""
        return self._recovery is not None and not self._recovery.done()

    def link_lost(self, reason: str) -> None:
        """An unexpected drop was seen; start recovering unless the drop was asked for."""
        if self.expected_disconnect:
            log.debug("disconnect was expected: %s", reason)
            return
        if self.state is not LinkState.STREAMING or self.recovering:
            return
        log.warning("link lost: %s", reason)
        self._recovery = asyncio.get_running_loop().create_task(
            self._recover(reason), name="cuff-link-recovery"
        )

    async def _recover(self, reason: str) -> None:
        first_delay = self._backoff.delay(1, self._random())
        self.set_state(LinkState.RECONNECTING, attempt=1, delay_s=first_delay, reason=reason)
        await self._drop(reason)
        for attempt in range(1, self._backoff.max_attempts + 1):
            delay = first_delay if attempt == 1 else self._backoff.delay(attempt, self._random())
            if attempt > 1:
                self.set_state(
                    LinkState.RECONNECTING, attempt=attempt, delay_s=delay, reason=reason
                )
            await asyncio.sleep(delay)
            try:
                await self._reopen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                log.warning("reconnect attempt %d failed: %s", attempt, reason)
                continue
            self.reconnects += 1
            self._recovery = None
            return
        self._recovery = None
        self.set_state(LinkState.FAILED, reason=f"gave up after {attempt} attempts: {reason}")

    async def cancel_recovery(self) -> None:
        """Stop the reconnect loop (a requested disconnect or close)."""
        task = self._recovery
        self._recovery = None
        if task is None or task.done() or task is asyncio.current_task():
            return
        task.cancel()
        await asyncio.wait({task})
