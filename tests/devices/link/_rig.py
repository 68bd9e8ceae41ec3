"""Test rig: a simulated cuff in a private registry, bleak backends bound to it, a CuffLink.

Everything runs through `BleakClient`/`BleakScanner` over the simulated-cuff backends on a
VirtualTimeEventLoop. The client backend subclass only binds the private registry, records the
notification callbacks bleak hands to the backend (so tests can inject bytes exactly where the
radio would) and can report a smaller MTU, like an adapter that negotiated less.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bleak.backends.device import BLEDevice

from devices.link import (
    CuffLink,
    LinkConfig,
    LinkEvent,
    LinkStateChanged,
    PressureReading,
    Reconciled,
    StatusReading,
)
from devices.protocol import Phase, Site
from devices.sim.backend import SimulatedCuffClient
from devices.sim.host import SimulatedCuffHost
from devices.sim.registry import ARMS_AND_LEGS, CuffRegistry, simulated_cuff
from devices.sim.scanner import SimulatedCuffScanner
from devices.vtime import VirtualTimeEventLoop

T = TypeVar("T")

ADDRESS = "C6:C6:7E:57:00:01"
SEED = 7  # of the link's jitter source; tests recompute expected delays from it


def client_backend(
    registry: CuffRegistry, callbacks: dict[str, Callable[[bytearray], None]], mtu: int | None
) -> type[SimulatedCuffClient]:
    """A SimulatedCuffClient bound to a registry that records the notify callbacks it gets."""

    class RigCuffClient(SimulatedCuffClient):
        def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
            super().__init__(address_or_ble_device, registry=registry, **kwargs)

        @property
        def mtu_size(self) -> int:
            return super().mtu_size if mtu is None else mtu

        async def start_notify(self, characteristic: Any, callback: Any, **kwargs: Any) -> None:
            await super().start_notify(characteristic, callback, **kwargs)
            callbacks[characteristic.uuid] = callback

    return RigCuffClient


def scanner_backend(registry: CuffRegistry) -> type[SimulatedCuffScanner]:
    """A SimulatedCuffScanner bound to a registry."""

    class RigCuffScanner(SimulatedCuffScanner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, registry=registry, **kwargs)

    return RigCuffScanner


@dataclass
class Rig:
    """One simulated cuff and one link on a virtual-time loop, with everything they report."""

    loop: VirtualTimeEventLoop
    registry: CuffRegistry
    host: SimulatedCuffHost
    link: CuffLink
    notify: dict[str, Callable[[bytearray], None]]
    events: list[LinkEvent] = field(default_factory=list)
    readings: list[PressureReading] = field(default_factory=list)
    statuses: list[StatusReading] = field(default_factory=list)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the rig's loop (virtual time jumps over every idle wait)."""
        return self.loop.run_until_complete(coro)

    def now(self) -> float:
        """The loop clock."""
        return self.loop.time()

    @property
    def device(self) -> BLEDevice:
        """The cuff as bleak knows it (what a scan returns)."""
        return BLEDevice(self.host.address, self.host.name, self.host)

    async def connect(self) -> Reconciled:
        """Connect the link to the cuff."""
        return await self.link.connect(self.device)

    def states(self) -> list[LinkStateChanged]:
        """The state changes so far."""
        return [e for e in self.events if isinstance(e, LinkStateChanged)]

    def of(self, kind: type[T]) -> list[T]:
        """The events of one type so far."""
        return [e for e in self.events if isinstance(e, kind)]

    def after(self, t: float) -> list[PressureReading]:
        """Readings received at or after t."""
        return [r for r in self.readings if r.received_at >= t]


def make_rig(
    *,
    sites: Sequence[Site] = ARMS_AND_LEGS,
    config: LinkConfig | None = None,
    mtu: int | None = None,
) -> Rig:
    """Build the rig; call `close_rig` at the end."""
    loop = VirtualTimeEventLoop()
    registry = CuffRegistry()
    host = registry.add(simulated_cuff(ADDRESS, sites, name="KC-4 Test", serial="T-0001", seed=1))
    callbacks: dict[str, Callable[[bytearray], None]] = {}
    link = CuffLink(
        backend=client_backend(registry, callbacks, mtu),
        scanner_backend=scanner_backend(registry),
        config=config,
        random=random.Random(SEED).random,
    )
    rig = Rig(loop, registry, host, link, callbacks)
    link.subscribe_events(rig.events.append)
    link.subscribe_pressure(rig.readings.append)
    link.subscribe_status(rig.statuses.append)

    async def attach() -> None:
        host.attach()

    loop.run_until_complete(attach())
    return rig


def close_rig(rig: Rig) -> None:
    """Close the link and the cuff, then the loop."""
    try:
        rig.run(rig.link.close())
        rig.run(rig.registry.close())
    finally:
        rig.loop.close()


async def until(predicate: Callable[[], bool], timeout_s: float, *, step_s: float = 0.005) -> float:
    """Wait (virtual time) until predicate() holds; return the loop time; AssertionError if not."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while not predicate():
        if loop.time() >= end:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(step_s)
    return loop.time()


async def hold_all(rig: Rig, pressure: float = 200.0, ttl_s: int = 600) -> None:
    """HOLD every channel of the rig's cuff."""
    assert rig.link.config is not None
    channels = tuple(range(rig.link.config.channel_count))
    await rig.link.hold(channels, unit=rig.link.config.unit, pressure=pressure, ttl_s=ttl_s)


def phases(reading: PressureReading) -> set[Phase]:
    """The phases of every channel in a reading."""
    return {c.phase for c in reading.frame.channels}


async def sleep(seconds: float) -> None:
    """Let virtual time pass."""
    await asyncio.sleep(seconds)


Waiter = Callable[[], Awaitable[None]]
