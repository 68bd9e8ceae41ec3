"""A bleak scanner backend that hears the simulated cuffs advertise: `BleakScanner(backend=...)`.

While scanning, every registered cuff that is reachable (link up, not rebooting, no central
connected, as a single-connection peripheral does) advertises each advertising interval with its
complete local name, the 128-bit Cuff Service UUID and an RSSI, like a real cuff. The service
filter of `BleakScanner(service_uuids=[...])` applies as in bleak's own backends. Pass
`registry=` to `BleakScanner` (or `BleakScanner.discover`) to scan another registry than the
process-wide one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner

from devices.protocol import uuids
from devices.sim.host import SimulatedCuffHost
from devices.sim.registry import REGISTRY, CuffRegistry

logger = logging.getLogger(__name__)

DEFAULT_ADVERTISING_INTERVAL_S = 0.1


def advertisement(host: SimulatedCuffHost) -> AdvertisementData:
    """What a scanner receives from this cuff."""
    return AdvertisementData(
        local_name=host.name,
        manufacturer_data={},
        service_data={},
        service_uuids=[uuids.CUFF_SERVICE],
        tx_power=host.tx_power,
        rssi=host.rssi,
        platform_data=(host.address,),
    )


class SimulatedCuffScanner(BaseBleakScanner):
    """bleak scanner backend over the registry of simulated cuffs."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        *,
        registry: CuffRegistry | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._registry = registry or REGISTRY
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start hearing advertisements."""
        if self._task is not None and not self._task.done():
            return
        self.seen_devices = {}
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="sim-cuff-scanner")

    async def stop(self) -> None:
        """Stop hearing advertisements."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def hear_once(self) -> int:
        """Take in one advertisement from every reachable cuff; returns how many passed."""
        heard = 0
        for host in self._registry.hosts():
            host.attach()
            if not host.available:
                continue
            adv = advertisement(host)
            if not self.is_allowed_uuid(adv.service_uuids):
                continue
            device = self.create_or_update_device(host.address, host.address, host.name, host, adv)
            self.call_detection_callbacks(device, adv)
            heard += 1
        return heard

    async def _listen(self) -> None:
        while True:
            try:
                self.hear_once()
            except Exception:
                logger.exception("simulated scan round failed")
            hosts = self._registry.hosts()
            interval = min(
                (h.timing.advertising_interval_s for h in hosts),
                default=DEFAULT_ADVERTISING_INTERVAL_S,
            )
            await asyncio.sleep(interval)
