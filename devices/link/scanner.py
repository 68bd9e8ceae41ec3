"""Discovery of cuffs that advertise the Cuff Service, over a real radio or a scanner backend."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner

from devices.protocol import uuids

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DiscoveredCuff:
    """One cuff seen advertising the Cuff Service."""

    address: str
    name: str | None
    rssi: int | None
    device: BLEDevice


def advertises_cuff(adv: AdvertisementData) -> bool:
    """True when the advertisement (or scan response) lists the Cuff Service."""
    return uuids.CUFF_SERVICE in (u.lower() for u in adv.service_uuids)


def cuffs_from_advertisements(
    seen: Mapping[str, tuple[BLEDevice, AdvertisementData]],
) -> list[DiscoveredCuff]:
    """Cuffs among scanner results, strongest signal first.

    The service filter is applied again here: some platforms (and custom backends) pass other
    advertisements through despite the scanner's service_uuids filter.
    """
    found = [
        DiscoveredCuff(device.address, adv.local_name or device.name, adv.rssi, device)
        for device, adv in seen.values()
        if advertises_cuff(adv)
    ]
    found.sort(key=lambda c: (-(c.rssi if c.rssi is not None else -999), c.address))
    return found


async def discover_cuffs(
    timeout_s: float = 5.0, *, backend: type[BaseBleakScanner] | None = None
) -> list[DiscoveredCuff]:
    """Scan for timeout_s (loop clock) and return the cuffs seen, strongest first."""
    async with BleakScanner(service_uuids=[uuids.CUFF_SERVICE], backend=backend) as scanner:
        await asyncio.sleep(timeout_s)
    cuffs = cuffs_from_advertisements(scanner.discovered_devices_and_advertisement_data)
    log.info("scan found %d cuff(s)", len(cuffs))
    return cuffs


async def find_cuff(
    address: str, timeout_s: float = 10.0, *, backend: type[BaseBleakScanner] | None = None
) -> DiscoveredCuff | None:
    """Scan until the cuff with this address advertises, or the timeout; None if not seen."""
    wanted = address.upper()
    found: asyncio.Future[DiscoveredCuff] = asyncio.get_running_loop().create_future()

    def on_advertisement(device: BLEDevice, adv: AdvertisementData) -> None:
        if device.address.upper() == wanted and advertises_cuff(adv) and not found.done():
            found.set_result(
                DiscoveredCuff(device.address, adv.local_name or device.name, adv.rssi, device)
            )

    scanner = BleakScanner(on_advertisement, service_uuids=[uuids.CUFF_SERVICE], backend=backend)
    async with scanner:
        try:
            async with asyncio.timeout(timeout_s):
                return await found
        except TimeoutError:
            log.info("cuff %s not seen within %.1f s", address, timeout_s)
            return None
