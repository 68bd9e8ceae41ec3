"""The bleak client surface over a simulated cuff: services, reads, writes, notifications."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError

from devices.protocol import (
    PressureFrame,
    decode,
    decode_device_config,
    sequence_delta,
    uuids,
)
from devices.protocol.types import Unit
from devices.sim.backend import CCCD_UUID, SimulatedCuffClient
from devices.sim.host import HostTiming
from devices.sim.registry import SIM_FIRMWARE, SIM_MANUFACTURER, CuffRegistry

from ._support import TWO, Cuff, add_cuff, run_virtual


def test_connect_resolves_services_reads_configuration_and_device_information():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry)
        cuff = await Cuff(registry, host).connect(subscribe=False)
        client = cuff.client
        assert client.is_connected and client.name == "KC test"
        assert client.mtu_size == 65
        service = client.services.get_service(uuids.CUFF_SERVICE)
        props = {c.uuid: c.properties for c in service.characteristics}
        assert props[uuids.CONTROL_POINT] == ["write"]
        assert props[uuids.HEARTBEAT] == ["write-without-response"]
        assert props[uuids.STATUS] == ["read", "notify"]
        stream = client.services.get_characteristic(uuids.PRESSURE_STREAM)
        assert stream.max_write_without_response_size == 62
        assert [d.uuid for d in stream.descriptors] == [CCCD_UUID]

        config = decode_device_config(await client.read_gatt_char(uuids.DEVICE_CONFIGURATION))
        params = host.cuff.params
        assert config.sites == host.cuff.snapshot().sites and config.unit is Unit.MMHG
        assert config.max_pressure == params.max_pressure
        assert config.max_ttl_s == params.max_ttl_s and config.max_cycles == params.max_cycles
        assert config.heartbeat_timeout_ms == 2000
        dis = {
            u: (await client.read_gatt_char(u)).decode()
            for u in (
                uuids.MANUFACTURER_NAME,
                uuids.MODEL_NUMBER,
                uuids.SERIAL_NUMBER,
                uuids.FIRMWARE_REVISION,
            )
        }
        assert dis == {
            uuids.MANUFACTURER_NAME: SIM_MANUFACTURER,
            uuids.MODEL_NUMBER: "KC-4-SIM",
            uuids.SERIAL_NUMBER: "T-1",
            uuids.FIRMWARE_REVISION: SIM_FIRMWARE,
        }
        status = decode(uuids.STATUS, await client.read_gatt_char(uuids.STATUS))
        assert status.channel_faults == (0, 0, 0, 0) and status.battery_percent == 100
        await cuff.close()

    run_virtual(scenario)


@pytest.mark.parametrize("hz", [50.0, 100.0])
def test_streams_four_channels_at_the_configured_rate_without_gaps(hz):
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry, timing=HostTiming(stream_hz=hz))
        cuff = await Cuff(registry, host).connect()
        start = asyncio.get_running_loop().time()
        await asyncio.sleep(10.0)
        frames = [f for t, f in cuff.rec.frames if t > start]
        await cuff.close()
        return frames

    frames: list[PressureFrame] = run_virtual(scenario)
    assert len(frames) >= 10 * hz - 1
    assert all(len(f.channels) == 4 and f.unit is Unit.MMHG for f in frames)
    assert all(sequence_delta(a.sequence, b.sequence) == 1 for a, b in itertools.pairwise(frames))
    period_ms = 1000 / hz
    steps = {b.device_time_ms - a.device_time_ms for a, b in itertools.pairwise(frames)}
    assert steps <= {round(period_ms), round(period_ms) + 1, round(period_ms) - 1}


def test_write_types_reads_and_notify_follow_the_characteristic_properties():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect(subscribe=False)
        client = cuff.client
        with pytest.raises(BleakError):
            await client.write_gatt_char(uuids.CONTROL_POINT, b"\x05\x01\x00\x00", response=False)
        with pytest.raises(BleakGATTProtocolError):
            await client.write_gatt_char(uuids.HEARTBEAT, b"\x01\x00", response=True)
        with pytest.raises(BleakGATTProtocolError):
            await client.read_gatt_char(uuids.CONTROL_POINT)
        with pytest.raises(BleakError):
            await client.start_notify(uuids.DEVICE_CONFIGURATION, lambda c, d: None)
        with pytest.raises(BleakError):
            await client.write_gatt_char(uuids.HEARTBEAT, bytes(63), response=False)  # > MTU-3
        assert cuff.host.counters.results_sent == 0  # refused writes never reach the device
        await cuff.close()

    run_virtual(scenario)


def test_cccd_reflects_subscriptions_and_stop_notify_stops_the_stream():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry)).connect()
        client = cuff.client
        cccd = client.services.get_characteristic(uuids.PRESSURE_STREAM).descriptors[0]
        assert await client.read_gatt_descriptor(cccd.handle) == b"\x01\x00"
        await client.stop_notify(uuids.PRESSURE_STREAM)
        assert await client.read_gatt_descriptor(cccd.handle) == b"\x00\x00"
        count = len(cuff.rec.frames)
        await asyncio.sleep(1.0)
        assert len(cuff.rec.frames) == count
        await cuff.close()

    run_virtual(scenario)


def test_requested_disconnect_calls_back_once_and_the_client_can_reconnect():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        await cuff.client.disconnect()
        assert not cuff.client.is_connected
        assert len(cuff.disconnects) == 1  # bleak's BlueZ backend calls back on every disconnect
        with pytest.raises(BleakError):
            _ = cuff.client.services
        with pytest.raises(BleakError):
            await cuff.client.write_gatt_char(uuids.HEARTBEAT, b"\x01\x00", response=False)
        await cuff.client.disconnect()  # a second disconnect is a no-op
        assert len(cuff.disconnects) == 1
        await cuff.connect()
        await asyncio.sleep(0.5)
        assert cuff.client.is_connected and cuff.rec.frames
        assert cuff.host.counters.connections == 2
        await cuff.close()

    run_virtual(scenario)


def test_unknown_address_and_service_filter():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry)
        stranger = BleakClient(
            BLEDevice("C6:C6:5A:EE:EE:EE", None, None),
            backend=SimulatedCuffClient,
            registry=registry,
        )
        with pytest.raises(BleakDeviceNotFoundError):
            await stranger.connect()
        only_cuff = BleakClient(
            BLEDevice(host.address, host.name, None),
            services=[uuids.CUFF_SERVICE],
            backend=SimulatedCuffClient,
            registry=registry,
        )
        await only_cuff.connect()
        assert only_cuff.services.get_service(uuids.CUFF_SERVICE) is not None
        assert only_cuff.services.get_service(uuids.DEVICE_INFORMATION_SERVICE) is None
        await only_cuff.disconnect()

    run_virtual(scenario)


def test_a_failing_notification_callback_is_counted_and_the_stream_goes_on():
    async def scenario(registry: CuffRegistry):
        host = add_cuff(registry)
        cuff = await Cuff(registry, host).connect(subscribe=False)
        calls = []

        def broken(_char, data):
            calls.append(len(data))
            raise RuntimeError("consumer bug")

        await cuff.client.start_notify(uuids.PRESSURE_STREAM, broken)
        await asyncio.sleep(1.0)
        assert len(calls) >= 49
        assert host.counters.callback_errors == len(calls)
        assert host.counters.internal_errors == 0
        await cuff.close()

    run_virtual(scenario)


def test_status_is_notified_on_change_and_at_least_once_a_second():
    async def scenario(registry: CuffRegistry):
        cuff = await Cuff(registry, add_cuff(registry, TWO)).connect()
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0.1)
        quiet_from = loop.time()
        await asyncio.sleep(4.0)
        quiet = [t for t, _ in cuff.rec.statuses if t >= quiet_from]
        beats = []
        for _ in range(4):
            await cuff.heartbeat()  # the heartbeat counter is a Status field: a change
            beats.append(loop.time())
            await asyncio.sleep(0.3)
        statuses = list(cuff.rec.statuses)
        await cuff.close()
        return quiet, beats, statuses

    quiet, beats, statuses = run_virtual(scenario)
    gaps = [b - a for a, b in itertools.pairwise(quiet)]
    assert len(quiet) >= 4 and all(g == pytest.approx(1.0, abs=0.021) for g in gaps)
    for n, beat in enumerate(beats, start=1):
        after = next(s for t, s in statuses if t >= beat)
        arrived = next(t for t, s in statuses if t >= beat)
        assert after.heartbeat_counter == n and arrived - beat <= 0.02 + 1e-9


def test_several_cuffs_stream_side_by_side_each_with_its_own_shape():
    async def scenario(registry: CuffRegistry):
        four = add_cuff(registry)
        two = add_cuff(registry, TWO, address="C6:C6:5A:10:00:02", unit=Unit.SKU)
        a = await Cuff(registry, four).connect()
        b = await Cuff(registry, two).connect()
        await asyncio.sleep(1.0)
        await a.close()
        await b.close()
        return a.rec.frames, b.rec.frames

    frames_a, frames_b = run_virtual(scenario)
    assert len(frames_a) >= 49 and len(frames_b) >= 49
    assert {(len(f.channels), f.unit) for _, f in frames_a} == {(4, Unit.MMHG)}
    assert {(len(f.channels), f.unit) for _, f in frames_b} == {(2, Unit.SKU)}
