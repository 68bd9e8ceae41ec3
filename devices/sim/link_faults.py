"""Radio-level faults of a simulated cuff's BLE link: lost notifications, late or missing results.

These act between the simulated device and the central, never inside the device: the cuff goes on
regulating and timing while its notifications vanish or its results come late. Link drops and
hung disconnects need the connection itself and live on the host (`SimulatedCuffHost`); this
module keeps the state of the rest and answers the host's questions about each notification.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from devices.protocol import uuids
from devices.protocol.frames import Opcode

logger = logging.getLogger(__name__)

NOTIFY_CHARACTERISTICS: frozenset[str] = frozenset(
    {uuids.PRESSURE_STREAM, uuids.COMMAND_RESULT, uuids.STATUS}
)


@dataclass(frozen=True, slots=True)
class NotificationLoss:
    """Lose a fraction of the notifications of some characteristics until a time (loop clock)."""

    fraction: float
    characteristics: frozenset[str]
    until: float  # math.inf: until cleared


@dataclass(frozen=True, slots=True)
class ResultRule:
    """Delay (delay_s) or drop (delay_s None) the next `remaining` results of some opcodes."""

    delay_s: float | None
    remaining: float  # math.inf: until cleared
    opcodes: frozenset[Opcode] | None  # None: every opcode

    def matches(self, opcode: Opcode) -> bool:
        """True when this rule applies to a result of this opcode."""
        return self.remaining > 0 and (self.opcodes is None or opcode in self.opcodes)


def _count(count: int | None) -> float:
    if count is None:
        return math.inf
    if not isinstance(count, int) or count < 1:
        raise ValueError("count must be a positive integer or None")
    return float(count)


def _opcodes(opcodes: Iterable[Opcode] | None) -> frozenset[Opcode] | None:
    return None if opcodes is None else frozenset(Opcode(o) for o in opcodes)


class LinkFaults:
    """Trainer and test controls for notification loss and late or missing command results.

    Call on the device thread (the loop the host runs on). Windows are measured on `clock`, the
    loop's clock, so they follow virtual time in tests.
    """

    def __init__(self, clock: Callable[[], float], seed: int = 0) -> None:
        self._clock = clock
        self._rng = random.Random(seed)
        self._loss: NotificationLoss | None = None
        self._drop: ResultRule | None = None
        self._delay: ResultRule | None = None
        self._hang_s = 0.0

    # -- controls ---------------------------------------------------------------------------------

    def lose_notifications(
        self,
        fraction: float = 1.0,
        *,
        duration_s: float | None = None,
        characteristics: Iterable[str] | None = None,
    ) -> None:
        """Lose this fraction (0..1) of notifications, for duration_s seconds or until cleared.

        `characteristics` are UUID strings (default: Pressure Stream, Command Result and Status).
        A lost Pressure Stream frame still uses up its sequence number, as on a real link.
        """
        if not (math.isfinite(fraction) and 0.0 <= fraction <= 1.0):
            raise ValueError("fraction must be within 0..1")
        if duration_s is not None and not (math.isfinite(duration_s) and duration_s >= 0.0):
            raise ValueError("duration must be a non-negative number of seconds")
        chars = (
            NOTIFY_CHARACTERISTICS
            if characteristics is None
            else frozenset(c.lower() for c in characteristics)
        )
        unknown = chars - NOTIFY_CHARACTERISTICS
        if unknown:
            raise ValueError(f"not a notifying characteristic: {sorted(unknown)}")
        until = math.inf if duration_s is None else self._clock() + duration_s
        self._loss = NotificationLoss(fraction, chars, until)
        logger.info("sim link: losing %.0f%% of notifications", fraction * 100)

    def stop_losing_notifications(self) -> None:
        """Deliver every notification again."""
        self._loss = None

    def delay_results(
        self, delay_s: float, *, count: int | None = None, opcodes: Iterable[Opcode] | None = None
    ) -> None:
        """Deliver the next `count` command results (all when None) `delay_s` seconds late."""
        if not (math.isfinite(delay_s) and delay_s >= 0.0):
            raise ValueError("delay must be a non-negative number of seconds")
        self._delay = ResultRule(delay_s, _count(count), _opcodes(opcodes))
        logger.info("sim link: command results %.3f s late", delay_s)

    def drop_results(
        self, *, count: int | None = None, opcodes: Iterable[Opcode] | None = None
    ) -> None:
        """Never deliver the next `count` command results (all when None); commands still apply."""
        self._drop = ResultRule(None, _count(count), _opcodes(opcodes))
        logger.info("sim link: dropping command results")

    def clear_results(self) -> None:
        """Deliver every command result on time again."""
        self._drop = None
        self._delay = None

    def hang_disconnect(self, duration_s: float = math.inf) -> None:
        """Make the central's disconnect hang this long (forever by default; 0 clears)."""
        if math.isnan(duration_s) or duration_s < 0.0:
            raise ValueError("duration must be a non-negative number of seconds")
        self._hang_s = duration_s

    def clear(self) -> None:
        """Remove every link fault of this module."""
        self.stop_losing_notifications()
        self.clear_results()
        self._hang_s = 0.0

    # -- questions the host asks ------------------------------------------------------------------

    @property
    def disconnect_hang_s(self) -> float:
        """How long a disconnect request hangs before it is carried out."""
        return self._hang_s

    def loses(self, characteristic: str) -> bool:
        """Decide whether the notification about to be sent on this characteristic is lost."""
        loss = self._loss
        if loss is None:
            return False
        if self._clock() >= loss.until:
            self._loss = None
            return False
        if characteristic not in loss.characteristics:
            return False
        return loss.fraction >= 1.0 or self._rng.random() < loss.fraction

    def result_plan(self, opcode: Opcode) -> float | None:
        """Extra delay for the result of this opcode, or None when the result is lost."""
        drop = self._drop
        if drop is not None and drop.matches(opcode):
            self._drop = _consume(drop)
            return None
        delay = self._delay
        if delay is not None and delay.matches(opcode):
            self._delay = _consume(delay)
            return delay.delay_s
        return 0.0


def _consume(rule: ResultRule) -> ResultRule | None:
    remaining = rule.remaining - 1
    if remaining <= 0:
        return None
    return ResultRule(rule.delay_s, remaining, rule.opcodes)
