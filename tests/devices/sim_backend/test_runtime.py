"""The simulated cuff on the device runtime's thread, stepped from outside in virtual time."""

from __future__ import annotations

import asyncio
import time

import pytest
from bleak import BleakClient, BleakScanner

from devices.protocol import Heartbeat, RunCycle, decode_pressure_frame, encode, uuids
from devices.protocol.types import Phase, ResultCode, Unit
from devices.runtime import DeviceRuntime
from devices.sim.backend import SimulatedCuffClient
from devices.sim.registry import CuffRegistry, demo_cuffs
from devices.sim.scanner import SimulatedCuffScanner
from devices.vtime import VirtualTimeEventLoop

from ._support import Cuff, run_virtual


def test_runtime_thread_scans_connects_and_streams_as_the_horizon_advances():
    registry = CuffRegistry()
    hosts = demo_cuffs(registry)
    runtime = DeviceRuntime(lambda: VirtualTimeEventLoop(horizon=0.0)).start()
    runtime.add_shutdown_hook(registry.close)
    frames: list[bytes] = []

    async def connect() -> BleakClient:
        device = await BleakScanner.find_device_by_address(
            hosts[0].address, 5.0, backend=SimulatedCuffScanner, registry=registry
        )
        client = BleakClient(device, backend=SimulatedCuffClient, registry=registry)
        await client.connect()
        await client.start_notify(uuids.PRESSURE_STREAM, lambda _c, d: frames.append(bytes(d)))
        return client

    try:
        future = runtime.submit(connect())
        runtime.advance(1.0)
        client = future.result(5)
        assert client.is_connected
        count = len(frames)
        time.sleep(0.05)  # parked at the horizon: no virtual time passes, no frames come
        assert len(frames) == count
        runtime.advance(2.0)
        assert len(frames) - count in (99, 100, 101)
        # Trainer controls run on the device thread too.
        runtime.call(hosts[0].drop_link, 1.0).result(5)
        runtime.advance(0.1)
        assert not client.is_connected
    finally:
        runtime.stop()
    assert not hosts[0].connected


@pytest.mark.slow
def test_a_twenty_minute_cycle_session_runs_in_a_few_seconds():
    async def scenario(registry: CuffRegistry):
        host = demo_cuffs(registry)[1]  # two channels, both arms
        cuff = Cuff(registry, host)
        await cuff.client.connect()
        last: list[bytes] = []
        count = [0]

        def on_frame(_char, data):
            count[0] += 1
            last[:] = [bytes(data)]

        await cuff.client.start_notify(uuids.PRESSURE_STREAM, on_frame)
        await cuff.client.start_notify(uuids.COMMAND_RESULT, cuff.rec.on_notify)
        await cuff.client.write_gatt_char(uuids.HEARTBEAT, encode(Heartbeat(1)), response=False)
        cuff.start_heartbeats()
        # 5 cycles of 3 min inflated and 1 min deflated on the arms: 20 minutes in all.
        program = RunCycle(cuff.next_seq(), (0, 1), Unit.MMHG, 180, 60, 1260, (150.0,) * 5)
        result = await cuff.command(program)
        await asyncio.sleep(17 * 60 + 30)  # inside the fifth inflation window (16-19 min)
        mid_last_window = decode_pressure_frame(last[0])
        await asyncio.sleep(3 * 60)
        end = decode_pressure_frame(last[0])
        await cuff.close()
        return result, count[0], mid_last_window, end

    started = time.perf_counter()
    result, count, mid, end = run_virtual(scenario)
    elapsed = time.perf_counter() - started
    assert result.result is ResultCode.OK
    assert count >= (20 * 60 + 30) * 50 - 5  # every frame of 20.5 min at 50 Hz
    assert mid.channels[0].cycle == 5 and mid.channels[0].phase is Phase.HOLDING
    assert all(c.phase is Phase.RELEASED for c in end.channels)
    # A hang guard, not a speed target (bench/ measures speed): a loaded CI machine may be slow.
    assert elapsed < 120.0, elapsed
