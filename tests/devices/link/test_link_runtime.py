"""The whole link on a DeviceRuntime thread with a virtual loop, stepped from the test thread."""

from __future__ import annotations

import random
import threading

from bleak.backends.device import BLEDevice

from devices.link import (
    CuffLink,
    LinkEvent,
    LinkStale,
    LinkState,
    PressureReading,
    Reconciled,
)
from devices.protocol import Phase, ResultCode, Unit
from devices.runtime import DeviceRuntime
from devices.sim.registry import ARMS_AND_LEGS, CuffRegistry, simulated_cuff
from devices.vtime import VirtualTimeEventLoop
from tests.devices.link._rig import ADDRESS, SEED, client_backend, scanner_backend


def test_link_on_the_device_runtime_stepped_with_advance() -> None:
    rt = DeviceRuntime(lambda: VirtualTimeEventLoop(horizon=0.0)).start()
    registry = CuffRegistry()
    host = registry.add(simulated_cuff(ADDRESS, ARMS_AND_LEGS, name="KC-4 RT", serial="RT-1"))
    link = CuffLink(
        backend=client_backend(registry, {}, None),
        scanner_backend=scanner_backend(registry),
        random=random.Random(SEED).random,
    )
    readings: list[PressureReading] = []
    events: list[LinkEvent] = []
    threads: set[threading.Thread] = set()

    def on_pressure(reading: PressureReading) -> None:
        threads.add(threading.current_thread())
        readings.append(reading)

    link.subscribe_pressure(on_pressure)
    link.subscribe_events(events.append)
    rt.add_shutdown_hook(registry.close)  # hooks run newest first: the link closes before
    rt.add_shutdown_hook(link.close)
    stopped = False
    try:
        rt.call(host.attach).result(2)
        connecting = rt.submit(link.connect(BLEDevice(host.address, host.name, host)))
        rt.advance(0.5)
        reconciled = connecting.result(2)
        assert not reconciled.reconnect
        t0 = rt.clock()
        rt.advance(2.0)
        window = [r.received_at for r in readings if r.received_at > t0]
        assert len(window) >= 99  # 2 s at 50 Hz, in virtual time, give or take the edge
        assert (len(window) - 1) / (window[-1] - window[0]) >= 50.0 - 1e-6
        assert threads == {rt.thread}  # callbacks run on the runtime's loop thread

        holding = rt.submit(link.hold((0, 1, 2, 3), unit=Unit.MMHG, pressure=160.0, ttl_s=600))
        rt.advance(0.1)
        assert holding.result(2).result is ResultCode.OK
        rt.advance(12.0)
        assert {c.phase for c in readings[-1].frame.channels} == {Phase.HOLDING}

        # A drop seen from outside: the test thread only steps time.
        rt.call(host.drop_link, 1.2).result(2)
        rt.advance(1.0)
        assert any(isinstance(e, LinkStale) for e in events)
        rt.advance(1.5)
        assert link.state is LinkState.STREAMING
        after = [e for e in events if isinstance(e, Reconciled)][-1]
        assert after.reconnect
        assert {c.phase for c in after.state.pressure.channels} <= {
            Phase.INFLATING,
            Phase.HOLDING,
        }

        rt.stop()  # the shutdown hook releases every cuff and disconnects
        stopped = True
        assert not rt.running
        assert link.state is LinkState.DISCONNECTED
        assert not host.connected
        assert {c.phase for c in host.cuff.snapshot().channels} == {Phase.RELEASED}
    finally:
        if not stopped:
            rt.stop()
