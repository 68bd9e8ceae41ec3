"""Builders for demo mode and tests: a runtime, a simulated cuff behind bleak, a link, a session.

The simulated cuff is reached through the unchanged ``BleakClient``/``BleakScanner`` with the
simulator's backends, so everything above the radio is the code that drives real hardware. The
client backend used here also keeps a log of every write the cuff receives, stamped with the loop
clock, so a test (or a trainer's panel) can see when a command's bytes reached the device.
"""

from __future__ import annotations

import concurrent.futures
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bleak.backends.device import BLEDevice

from devices.link import CuffLink, LinkConfig
from devices.protocol import Command, ProtocolError, decode_command, uuids
from devices.protocol.types import Site, Unit
from devices.runtime import DeviceRuntime
from devices.sim.backend import SimulatedCuffClient
from devices.sim.host import HostTiming, SimulatedCuffHost
from devices.sim.params import CuffParams
from devices.sim.registry import ARMS_AND_LEGS, REGISTRY, CuffRegistry, demo_cuffs, simulated_cuff
from devices.sim.scanner import SimulatedCuffScanner
from devices.vtime import VirtualTimeEventLoop
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.session.controller import SessionController, SessionSetup
from kaatsu_desktop.session.protocols import PatientContext, Protocol, load_presets
from kaatsu_desktop.session.recorder import Recorder

T = TypeVar("T")

TEST_ADDRESS = "C6:C6:5E:55:00:01"


@dataclass(frozen=True, slots=True)
class WriteRecord:
    """One write the simulated cuff received."""

    at: float  # loop clock, when the backend handed the bytes to the device
    real: float  # the real monotonic clock at the same moment
    uuid: str
    data: bytes

    def command(self) -> Command | None:
        """The Control Point command these bytes carry (None for other writes or bad bytes)."""
        if self.uuid != uuids.CONTROL_POINT:
            return None
        try:
            return decode_command(self.data)
        except ProtocolError:
            return None


class WriteLog:
    """Thread-safe list of the writes a simulated cuff received."""

    def __init__(self, clock: Callable[[], float], real: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._real = real
        self._lock = threading.Lock()
        self._records: list[WriteRecord] = []

    def add(self, uuid: str, data: bytes) -> None:
        """Record one write (called by the client backend on the device thread)."""
        record = WriteRecord(self._clock(), self._real(), uuid, bytes(data))
        with self._lock:
            self._records.append(record)

    def records(self) -> tuple[WriteRecord, ...]:
        """Every write so far, oldest first."""
        with self._lock:
            return tuple(self._records)

    def commands(self, kind: type[T] | None = None) -> list[tuple[WriteRecord, Any]]:
        """Control Point writes with their decoded command, optionally of one command type."""
        out = []
        for r in self.records():
            command = r.command()
            if command is not None and (kind is None or isinstance(command, kind)):
                out.append((r, command))
        return out


def simulated_backends(
    registry: CuffRegistry, writes: WriteLog | None = None
) -> tuple[type[SimulatedCuffClient], type[SimulatedCuffScanner]]:
    """bleak client and scanner backends bound to ``registry``; the client logs every write."""

    class LoggingCuffClient(SimulatedCuffClient):
        def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
            super().__init__(address_or_ble_device, registry=registry, **kwargs)

        async def write_gatt_char(self, characteristic: Any, data: Any, response: bool) -> None:
            if writes is not None:
                writes.add(characteristic.uuid, bytes(data))
            await super().write_gatt_char(characteristic, data, response)

    class BoundCuffScanner(SimulatedCuffScanner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, registry=registry, **kwargs)

    return LoggingCuffClient, BoundCuffScanner


@dataclass(frozen=True)
class SimulatedCuffRig:
    """A runtime, a simulated cuff in a registry and a link connected to it."""

    runtime: DeviceRuntime
    registry: CuffRegistry
    host: SimulatedCuffHost
    link: CuffLink
    writes: WriteLog

    @property
    def virtual(self) -> bool:
        """True when the runtime's loop runs on virtual time (tests step it)."""
        return isinstance(self.runtime.loop, VirtualTimeEventLoop)

    def wait(self, fut: concurrent.futures.Future[T], timeout_s: float = 10.0) -> T:
        """The future's result; under virtual time the clock is stepped meanwhile."""
        return wait_for(self.runtime, fut, timeout_s)


def virtual_runtime(name: str = "device-runtime") -> DeviceRuntime:
    """A started runtime on a virtual clock that stands still until ``advance``."""
    return DeviceRuntime(lambda: VirtualTimeEventLoop(horizon=0.0), name=name).start()


def wait_for(
    runtime: DeviceRuntime,
    fut: concurrent.futures.Future[T],
    timeout_s: float = 10.0,
    step_s: float = 0.05,
) -> T:
    """A future's result; on a virtual clock, advance it in steps (timeout in loop seconds)."""
    if isinstance(runtime.loop, VirtualTimeEventLoop):
        runtime.advance(0.0)  # returns once the loop idles: whatever was ready has run
        waited = 0.0
        while not fut.done():
            if waited >= timeout_s:
                raise TimeoutError(f"not done within {timeout_s} s of loop time")
            runtime.advance(step_s)
            waited += step_s
        return fut.result(0)
    return fut.result(timeout_s)


def connect_simulated_cuff(
    runtime: DeviceRuntime,
    *,
    registry: CuffRegistry | None = None,
    host: SimulatedCuffHost | None = None,
    sites: Sequence[Site] = ARMS_AND_LEGS,
    unit: Unit = Unit.MMHG,
    timing: HostTiming | None = None,
    params: CuffParams | None = None,
    link_config: LinkConfig | None = None,
    seed: int = 0,
    timeout_s: float = 10.0,
) -> SimulatedCuffRig:
    """Register (or take) a simulated cuff and connect a link to it through bleak.

    The link's ``close`` and the registry's are registered as shutdown hooks, so
    ``runtime.stop()`` releases the cuff, disconnects and stops the simulated device.
    """
    registry = CuffRegistry() if registry is None else registry
    if host is None:
        host = registry.add(
            simulated_cuff(
                TEST_ADDRESS,
                sites,
                name="KC-4 Session",
                serial="SES-0001",
                unit=unit,
                params=params,
                timing=timing,
                seed=seed,
            )
        )
    writes = WriteLog(runtime.clock)
    client, scanner = simulated_backends(registry, writes)
    link = CuffLink(
        backend=client,
        scanner_backend=scanner,
        config=link_config,
        random=random.Random(seed).random,
    )
    runtime.add_shutdown_hook(registry.close)  # hooks run newest first: the link closes first
    runtime.add_shutdown_hook(link.close)
    runtime.call(host.attach).result(timeout_s)
    connecting = runtime.submit(link.connect(BLEDevice(host.address, host.name, host)))
    wait_for(runtime, connecting, timeout_s)
    return SimulatedCuffRig(runtime, registry, host, link, writes)


def connect_demo_cuff(
    runtime: DeviceRuntime, registry: CuffRegistry = REGISTRY
) -> SimulatedCuffRig:
    """Demo mode: register the demo cuffs and connect to the four-channel one (arms and legs)."""
    host = demo_cuffs(registry)[0]
    return connect_simulated_cuff(runtime, registry=registry, host=host)


def preset(protocol_id: str = "cycle-mmhg") -> Protocol:
    """A shipped protocol preset by id."""
    for protocol in load_presets():
        if protocol.id == protocol_id:
            return protocol
    raise KeyError(protocol_id)


def demo_setup(
    protocol: Protocol | None = None,
    *,
    patient: PatientContext | None = None,
    settings: ClinicSettings | None = None,
) -> SessionSetup:
    """A session setup for demo mode: a new user, fully clear, Cycle at low pressure in mmHg."""
    return SessionSetup(
        settings=settings or ClinicSettings(),
        protocol=protocol or preset(),
        patient=patient or PatientContext(0, "clear"),
    )


def start_session(
    rig: SimulatedCuffRig,
    setup: SessionSetup,
    *,
    recorder: Recorder | None = None,
    timeout_s: float = 10.0,
    **controller_kwargs: Any,
) -> SessionController:
    """Build a SessionController on the rig's link and start it."""
    controller = SessionController(
        rig.runtime, rig.link, setup, recorder=recorder, **controller_kwargs
    )
    rig.wait(controller.start(), timeout_s)
    return controller
