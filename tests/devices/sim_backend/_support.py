"""Helpers: run a scenario on a virtual-time loop and record a connected cuff's notifications."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError

from devices.protocol import (
    Command,
    CommandResult,
    Heartbeat,
    PressureFrame,
    StatusFrame,
    decode,
    encode,
    next_sequence,
    uuids,
)
from devices.protocol.types import Site
from devices.sim.backend import SimulatedCuffClient
from devices.sim.host import HostTiming, SimulatedCuffHost
from devices.sim.registry import CuffRegistry, simulated_cuff
from devices.vtime import VirtualTimeEventLoop

T = TypeVar("T")
FOUR = (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG)
TWO = (Site.LEFT_ARM, Site.RIGHT_ARM)
ADDRESS = "C6:C6:5A:10:00:01"


def run_virtual(scenario: Callable[[CuffRegistry], Awaitable[T]]) -> T:
    """Run a scenario on a free-running virtual-time loop with its own registry; no loop errors."""
    loop = VirtualTimeEventLoop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    registry = CuffRegistry()

    async def wrapped() -> T:
        try:
            return await scenario(registry)
        finally:
            await registry.close()

    try:
        result = loop.run_until_complete(wrapped())
    finally:
        loop.close()
    assert not errors, errors
    return result


def add_cuff(
    registry: CuffRegistry,
    sites=FOUR,
    *,
    address: str = ADDRESS,
    timing: HostTiming | None = None,
    **kwargs: Any,
) -> SimulatedCuffHost:
    """Register one simulated cuff."""
    return registry.add(
        simulated_cuff(address, sites, name="KC test", serial="T-1", timing=timing, **kwargs)
    )


@dataclass
class Recorder:
    """Every notification of a connection, decoded, with the loop time it arrived."""

    frames: list[tuple[float, PressureFrame]] = field(default_factory=list)
    results: list[tuple[float, CommandResult]] = field(default_factory=list)
    statuses: list[tuple[float, StatusFrame]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # characteristic UUIDs in arrival order

    def on_notify(self, char: BleakGATTCharacteristic, data: bytearray) -> None:
        """bleak notification callback."""
        now = asyncio.get_running_loop().time()
        frame = decode(char.uuid, data)
        self.order.append(char.uuid)
        if isinstance(frame, PressureFrame):
            self.frames.append((now, frame))
        elif isinstance(frame, CommandResult):
            self.results.append((now, frame))
        elif isinstance(frame, StatusFrame):
            self.statuses.append((now, frame))


class Cuff:
    """A BleakClient connected to a simulated cuff, with notifications recorded and heartbeats."""

    def __init__(self, registry: CuffRegistry, host: SimulatedCuffHost, **client_kwargs: Any):
        self.host = host
        self.rec = Recorder()
        self.disconnects: list[float] = []
        self.seq = 0
        self.hb_counter = 0
        self._hb_task: asyncio.Task[None] | None = None
        self.client = BleakClient(
            BLEDevice(host.address, host.name, None),
            self._on_disconnect,
            backend=SimulatedCuffClient,
            registry=registry,
            **client_kwargs,
        )

    def _on_disconnect(self, _client: BleakClient) -> None:
        self.disconnects.append(asyncio.get_running_loop().time())

    async def connect(self, *, subscribe: bool = True) -> Cuff:
        """Connect and subscribe to the three notifying characteristics."""
        await self.client.connect()
        if subscribe:
            for uuid in (uuids.COMMAND_RESULT, uuids.PRESSURE_STREAM, uuids.STATUS):
                await self.client.start_notify(uuid, self.rec.on_notify)
        return self

    async def heartbeat(self) -> None:
        """Write one heartbeat (without response)."""
        self.hb_counter = next_sequence(self.hb_counter)
        await self.client.write_gatt_char(
            uuids.HEARTBEAT, encode(Heartbeat(self.hb_counter)), response=False
        )

    def start_heartbeats(self) -> None:
        """Heartbeat every 500 ms until stopped or the link fails."""

        async def beat() -> None:
            with contextlib.suppress(BleakError):
                while True:
                    await self.heartbeat()
                    await asyncio.sleep(0.5)

        self._hb_task = asyncio.get_running_loop().create_task(beat())

    async def stop_heartbeats(self) -> None:
        """Stop the heartbeat task."""
        if self._hb_task is not None:
            self._hb_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._hb_task
            self._hb_task = None

    def next_seq(self) -> int:
        """The next command sequence number."""
        self.seq = next_sequence(self.seq)
        return self.seq

    async def write(self, data: bytes) -> float:
        """Write raw bytes to the Control Point (with response); returns the loop time."""
        now = asyncio.get_running_loop().time()
        await self.client.write_gatt_char(uuids.CONTROL_POINT, data, response=True)
        return now

    async def command(self, command: Command, timeout: float = 0.5) -> CommandResult:
        """Send a command and wait for its result (by sequence number)."""
        start = len(self.rec.results)
        await self.write(encode(command))
        return await self.result_for(command.sequence, timeout, start)

    async def result_for(
        self, sequence: int, timeout: float = 0.5, start: int = 0
    ) -> CommandResult:
        """Wait for a result with this sequence number (from index start); TimeoutError if none."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for _, result in self.rec.results[start:]:
                if result.sequence == sequence:
                    return result
            await asyncio.sleep(0.005)
        raise TimeoutError(f"no result for command {sequence}")

    async def close(self) -> None:
        """Stop heartbeats and disconnect."""
        await self.stop_heartbeats()
        await self.client.disconnect()

    def frames_after(self, t: float) -> list[tuple[float, PressureFrame]]:
        """Frames received at or after loop time t."""
        return [(rt, f) for rt, f in self.rec.frames if rt >= t]


async def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.01) -> float:
    """Sleep in small steps until predicate() holds; returns the loop time; TimeoutError after."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() >= deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(step)
    return loop.time()
