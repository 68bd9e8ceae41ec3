"""Scanning through the real BleakScanner: simulated cuffs advertise like real ones."""

from __future__ import annotations

import asyncio

from bleak import BleakClient, BleakScanner

from devices.protocol import uuids
from devices.protocol.types import Site, Unit
from devices.sim.backend import SimulatedCuffClient
from devices.sim.registry import CuffRegistry, demo_cuffs
from devices.sim.scanner import SimulatedCuffScanner

from ._support import run_virtual

HEART_RATE_SERVICE = uuids.sig_uuid(0x180D)


async def _discover(registry: CuffRegistry, service: str = uuids.CUFF_SERVICE, timeout=1.0):
    return await BleakScanner.discover(
        timeout,
        return_adv=True,
        backend=SimulatedCuffScanner,
        service_uuids=[service],
        registry=registry,
    )


def test_scan_by_service_uuid_finds_every_demo_cuff_with_its_advertisement():
    async def scenario(registry: CuffRegistry):
        hosts = demo_cuffs(registry)
        found = await _discover(registry)
        assert set(found) == {h.address for h in hosts}
        for host in hosts:
            device, adv = found[host.address]
            assert device.name == host.name
            assert adv.local_name == host.name
            assert adv.service_uuids == [uuids.CUFF_SERVICE]
            assert adv.rssi == host.rssi
        assert len({adv.rssi for _, adv in found.values()}) == 3  # distances differ
        # Another service filter hears none of them.
        assert await _discover(registry, HEART_RATE_SERVICE) == {}

    run_virtual(scenario)


def test_scanner_context_and_detection_callback_see_repeated_advertisements():
    async def scenario(registry: CuffRegistry):
        (host, *_) = demo_cuffs(registry)
        heard = []
        async with BleakScanner(
            lambda d, a: heard.append(d.address),
            [uuids.CUFF_SERVICE],
            backend=SimulatedCuffScanner,
            registry=registry,
        ) as scanner:
            await asyncio.sleep(1.0)
        assert heard.count(host.address) >= 9  # every 100 ms for 1 s
        assert host.address in scanner.discovered_devices_and_advertisement_data

    run_virtual(scenario)


def test_find_device_by_address_known_and_unknown():
    async def scenario(registry: CuffRegistry):
        hosts = demo_cuffs(registry)
        device = await BleakScanner.find_device_by_address(
            hosts[1].address.lower(), 2.0, backend=SimulatedCuffScanner, registry=registry
        )
        assert device is not None and device.address == hosts[1].address
        missing = await BleakScanner.find_device_by_address(
            "C6:C6:5A:FF:FF:FF", 2.0, backend=SimulatedCuffScanner, registry=registry
        )
        assert missing is None

    run_virtual(scenario)


def test_connected_or_out_of_range_cuffs_do_not_advertise():
    async def scenario(registry: CuffRegistry):
        first, second, third = demo_cuffs(registry)
        client = BleakClient(
            (await _discover(registry))[first.address][0],
            backend=SimulatedCuffClient,
            registry=registry,
        )
        await client.connect()
        second.drop_link()
        assert set(await _discover(registry)) == {third.address}
        second.restore_link()
        await client.disconnect()
        assert set(await _discover(registry)) == {first.address, second.address, third.address}

    run_virtual(scenario)


def test_demo_cuffs_are_idempotent_and_cover_the_demo_configurations():
    async def scenario(registry: CuffRegistry):
        hosts = demo_cuffs(registry)
        assert demo_cuffs(registry) == hosts
        configs = [h.device_config() for h in hosts]
        assert configs[0].sites == (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG)
        assert configs[0].unit is Unit.MMHG
        assert configs[1].sites == (Site.LEFT_ARM, Site.RIGHT_ARM)
        assert configs[1].unit is Unit.MMHG
        assert configs[2].channel_count == 2 and configs[2].unit is Unit.SKU
        assert len({h.info.serial for h in hosts}) == 3

    run_virtual(scenario)
