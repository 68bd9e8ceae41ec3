"""Control Point commands: sequence numbers, results matched through futures, release first.

Ordinary commands go out one at a time under the operation lock, each waiting up to the result
deadline (500 ms) for the Command Result that echoes its sequence number. A release takes no lock:
it is written at once, even while another command waits for its result, and is retried on a
missing or negative result until the device confirms it or the attempts run out, which is then
reported as "release unconfirmed" (architecture.md, "Safety lives below the UI").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bleak.exc import BleakError

from devices.link.errors import (
    CommandRejected,
    CommandSuperseded,
    CommandTimeout,
    LinkError,
    LinkLost,
    NotConnected,
    ReleaseUnconfirmedError,
)
from devices.link.events import LinkEvent, ReleaseUnconfirmed
from devices.protocol import (
    Command,
    CommandResult,
    Release,
    ReleaseAll,
    ResultCode,
    channels_to_mask,
    encode,
    next_sequence,
)
from devices.protocol.frames import MAX_CHANNELS

log = logging.getLogger(__name__)

WriteFn = Callable[[bytes], Awaitable[None]]
ResultHook = Callable[[CommandResult], None]

# Errors of a single Control Point write that leave the link to the supervisor.
WRITE_ERRORS = (BleakError, LinkError, OSError, EOFError, TimeoutError)


class _ReleaseWait:
    """Shared state of the attempts of one release."""

    def __init__(self, loop: asyncio.AbstractEventLoop, channels: tuple[int, ...] | None):
        self.channels = channels
        self.confirmed: asyncio.Future[CommandResult] = loop.create_future()
        self.wake: asyncio.Future[None] | None = None
        self.last: ResultCode | None = None

    def covered_by(self, channels: tuple[int, ...] | None) -> bool:
        """True when a release of `channels` (None: all) includes this one's channels."""
        return channels is None or (
            self.channels is not None and set(self.channels) <= set(channels)
        )

    def confirm(self, result: CommandResult) -> None:
        """The device confirmed a release covering this one."""
        if not self.confirmed.done():
            self.confirmed.set_result(result)
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)

    def refused(self, result: CommandResult, wake: asyncio.Future[None]) -> None:
        """An attempt was answered with a result other than OK."""
        self.last = result.result
        if not wake.done():
            wake.set_result(None)


class CommandDispatcher:
    """Allocates sequence numbers, sends commands and matches their results."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        emit_event: Callable[[LinkEvent], None],
        result_timeout_s: float,
        release_attempts: int,
    ) -> None:
        if release_attempts < 4:
            raise ValueError("a release is retried at least 3 times (4 attempts)")
        self._clock = clock
        self._emit = emit_event
        self._timeout = result_timeout_s
        self._release_attempts = release_attempts
        self._sequence = 0
        self._pending: dict[int, ResultHook] = {}
        self._waiting: set[asyncio.Future[CommandResult]] = set()
        self._operation_lock = asyncio.Lock()
        self._release_marks = [0] * MAX_CHANNELS
        self._releases: set[_ReleaseWait] = set()
        self._write: WriteFn | None = None
        # Channels whose release was asked for and not yet confirmed (None: all); re-sent first
        # after a reconnection.
        self.release_debt: frozenset[int] | None = frozenset()
        self.commands_sent = 0
        self.results_unmatched = 0
        self.releases_unconfirmed = 0

    # -- connection ----------------------------------------------------------------------------

    def attach(self, write: WriteFn) -> None:
        """A link is up: commands are written with this function."""
        self._write = write

    def detach(self, reason: str) -> None:
        """The link went down: ordinary commands waiting for a result fail now, not at deadline."""
        self._write = None
        for fut in list(self._waiting):
            if not fut.done():
                fut.set_exception(LinkLost(reason))

    def next_sequence(self) -> int:
        """The next command sequence number; 0 is skipped (results of unreadable writes use it)."""
        self._sequence = next_sequence(self._sequence) or 1
        return self._sequence

    def on_result(self, result: CommandResult) -> None:
        """Match a Command Result to the command with its sequence number."""
        handler = self._pending.get(result.sequence)
        if handler is None:
            self.results_unmatched += 1
            log.debug("result with no waiting command: %r", result)
            return
        handler(result)

    # -- ordinary commands ---------------------------------------------------------------------

    async def send(
        self,
        build: Callable[[int], Command],
        *,
        channels: tuple[int, ...] = (),
        attempts: int = 1,
        on_ok: ResultHook | None = None,
    ) -> CommandResult:
        """Send a command built for a fresh sequence number and wait for its OK result.

        attempts > 1 only for idempotent commands (READ_STATE): a repeated RUN_CYCLE would
        restart the program. on_ok runs in the result handler itself, before any later frame.
        """
        marks = tuple(self._release_marks[c] for c in channels)
        async with self._operation_lock:
            # A pressure command queued before a release of its channels must not follow it.
            if any(self._release_marks[c] != m for c, m in zip(channels, marks, strict=True)):
                raise CommandSuperseded(channels)
            command: Command | None = None
            for attempt in range(1, attempts + 1):
                if self._write is None:
                    raise NotConnected("no streaming link")
                write = self._write
                sequence = self.next_sequence()
                command = build(sequence)
                data = encode(command)
                fut: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
                self._pending[sequence] = self._ordinary_handler(fut, on_ok)
                self._waiting.add(fut)
                try:
                    async with asyncio.timeout(self._timeout):
                        await write(data)
                        self.commands_sent += 1
                        result = await fut
                except TimeoutError:
                    log.warning(
                        "no result for %s %d (attempt %d of %d)",
                        type(command).__name__,
                        sequence,
                        attempt,
                        attempts,
                    )
                    continue
                except (BleakError, OSError, EOFError) as exc:
                    if attempt < attempts:
                        log.warning("write of %s failed, retrying: %s", command, exc)
                        continue
                    raise LinkLost(f"write failed: {exc}") from exc
                finally:
                    self._pending.pop(sequence, None)
                    self._waiting.discard(fut)
                if result.result is not ResultCode.OK:
                    raise CommandRejected(command, result)
                return result
            assert command is not None
            raise CommandTimeout(command, attempts)

    @staticmethod
    def _ordinary_handler(
        fut: asyncio.Future[CommandResult], on_ok: ResultHook | None
    ) -> ResultHook:
        def on_result(result: CommandResult) -> None:
            if fut.done():
                return
            fut.set_result(result)
            if on_ok is not None and result.result is ResultCode.OK:
                on_ok(result)

        return on_result

    # -- release ---------------------------------------------------------------------------------

    async def release(
        self, channels: tuple[int, ...] | None, *, attempts: int | None = None
    ) -> CommandResult:
        """Release channels (None: RELEASE_ALL) now, ahead of any queued or waiting command.

        Confirmed by an OK to any of its attempts, or to any other release that covers its
        channels (one re-sent after a reconnection, for instance).
        """
        attempts = self._release_attempts if attempts is None else attempts
        if channels is not None and not channels_to_mask(channels):
            # A malformed channel list is the caller's bug: raise before anything is marked.
            raise ValueError("a release names at least one channel")
        for c in range(MAX_CHANNELS) if channels is None else channels:
            self._release_marks[c] += 1
        self._add_debt(channels)
        loop = asyncio.get_running_loop()
        wait = _ReleaseWait(loop, channels)
        self._releases.add(wait)
        sequences: list[int] = []
        try:
            for attempt in range(1, attempts + 1):
                slot_end = loop.time() + self._timeout
                sequence = self.next_sequence()
                sequences.append(sequence)
                wake: asyncio.Future[None] = loop.create_future()
                wait.wake = wake
                self._pending[sequence] = self._release_handler(wait, wake)
                command = ReleaseAll(sequence) if channels is None else Release(sequence, channels)
                try:
                    if self._write is None:
                        raise NotConnected("no streaming link")
                    async with asyncio.timeout_at(slot_end):
                        await self._write(encode(command))
                    self.commands_sent += 1
                except WRITE_ERRORS as exc:
                    log.warning("release write %d of %d failed: %s", attempt, attempts, exc)
                if not wait.confirmed.done():
                    # Until the slot ends: a confirmation, or a refusal of this attempt.
                    try:
                        async with asyncio.timeout_at(slot_end):
                            await asyncio.shield(wake)
                    except TimeoutError:
                        log.warning("release %d of %d: no result", attempt, attempts)
                if wait.confirmed.done():
                    if attempt > 1:
                        log.info("release confirmed at attempt %d", attempt)
                    return wait.confirmed.result()
        finally:
            self._releases.discard(wait)
            for sequence in sequences:
                self._pending.pop(sequence, None)
        self.releases_unconfirmed += 1
        log.error("release of %s unconfirmed after %d attempts", channels or "all", attempts)
        self._emit(ReleaseUnconfirmed(self._clock(), channels, attempts, wait.last))
        raise ReleaseUnconfirmedError(channels, attempts, wait.last)

    def _release_handler(self, wait: _ReleaseWait, wake: asyncio.Future[None]) -> ResultHook:
        def on_result(result: CommandResult) -> None:
            if result.result is not ResultCode.OK:
                wait.refused(result, wake)
                return
            self._settle_debt(wait.channels)
            for other in list(self._releases):
                if other is wait or other.covered_by(wait.channels):
                    other.confirm(result)

        return on_result

    def forget_release_debt(self) -> None:
        """Drop the record of unconfirmed releases (the link now drives another cuff)."""
        self.release_debt = frozenset()

    def _add_debt(self, channels: tuple[int, ...] | None) -> None:
        if channels is None or self.release_debt is None:
            self.release_debt = None
        else:
            self.release_debt = self.release_debt | frozenset(channels)

    def _settle_debt(self, channels: tuple[int, ...] | None) -> None:
        if channels is None:
            self.release_debt = frozenset()
        elif self.release_debt is not None:
            self.release_debt = self.release_debt - frozenset(channels)
