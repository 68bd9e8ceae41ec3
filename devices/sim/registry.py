"""The process-wide registry of simulated cuffs, by Bluetooth address, and the demo set.

The bleak backends (`SimulatedCuffClient`, `SimulatedCuffScanner`) find cuffs here, so a cuff
registered once is discovered and connected through the unchanged `BleakScanner`/`BleakClient`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Final

from devices.protocol.types import Site, Unit
from devices.sim.host import DeviceInfo, HostTiming, SimulatedCuffHost
from devices.sim.model import SimulatedCuff
from devices.sim.params import CuffParams

logger = logging.getLogger(__name__)

SIM_MANUFACTURER: Final = "KAATSU Desktop (simulated)"
SIM_FIRMWARE: Final = "1.0.0-sim"


class CuffRegistry:
    """Simulated cuffs by address; registration is thread-safe, hosts run on the device loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, SimulatedCuffHost] = {}

    def add(self, host: SimulatedCuffHost) -> SimulatedCuffHost:
        """Register a cuff; ValueError when its address is taken."""
        with self._lock:
            if host.address in self._hosts:
                raise ValueError(f"a simulated cuff already has address {host.address}")
            self._hosts[host.address] = host
        logger.info("simulated cuff %s (%s) registered", host.address, host.name)
        return host

    def remove(self, address: str) -> SimulatedCuffHost | None:
        """Unregister a cuff (it stops being discoverable); returns it, still running."""
        with self._lock:
            return self._hosts.pop(address.upper(), None)

    def get(self, address: str) -> SimulatedCuffHost | None:
        """The cuff with this address (any case), or None."""
        with self._lock:
            return self._hosts.get(address.upper())

    def hosts(self) -> tuple[SimulatedCuffHost, ...]:
        """Every registered cuff, in registration order."""
        with self._lock:
            return tuple(self._hosts.values())

    async def close(self) -> None:
        """Stop every cuff and empty the registry (on the loop the cuffs run on)."""
        with self._lock:
            hosts = tuple(self._hosts.values())
            self._hosts.clear()
        for host in hosts:
            await host.close()


REGISTRY: Final = CuffRegistry()


def simulated_cuff(
    address: str,
    sites: Sequence[Site],
    *,
    name: str,
    serial: str,
    unit: Unit = Unit.MMHG,
    model: str | None = None,
    params: CuffParams | None = None,
    timing: HostTiming | None = None,
    rssi: int = -60,
    seed: int = 0,
    battery_pct: float = 100.0,
) -> SimulatedCuffHost:
    """Build a host around a new simulated cuff (not registered yet)."""
    cuff = SimulatedCuff(sites, unit=unit, params=params, seed=seed, battery_pct=battery_pct)
    info = DeviceInfo(
        SIM_MANUFACTURER,
        model or f"KC-{len(sites)}{'S' if unit is Unit.SKU else ''}-SIM",
        serial,
        SIM_FIRMWARE,
    )
    return SimulatedCuffHost(
        address, cuff, name=name, info=info, timing=timing, rssi=rssi, seed=seed
    )


ARMS_AND_LEGS: Final = (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG)
ARMS: Final = (Site.LEFT_ARM, Site.RIGHT_ARM)

# (address, local name, serial, sites, unit, rssi) of the demo cuffs.
_DEMO: Final = (
    ("C6:C6:5A:00:00:01", "KC-4 Demo", "SIM4-000001", ARMS_AND_LEGS, Unit.MMHG, -52),
    ("C6:C6:5A:00:00:02", "KC-2 Demo", "SIM2-000002", ARMS, Unit.MMHG, -61),
    ("C6:C6:5A:00:00:03", "KC-2S Demo", "SIM2S-000003", ARMS, Unit.SKU, -70),
)


def demo_cuffs(
    registry: CuffRegistry = REGISTRY, *, timing: HostTiming | None = None, seed: int = 0
) -> tuple[SimulatedCuffHost, ...]:
    """Register the demo cuffs (idempotent): 4 channels arms+legs mmHg, 2 arms mmHg, 2 in SKU."""
    hosts = []
    for i, (address, name, serial, sites, unit, rssi) in enumerate(_DEMO):
        host = registry.get(address)
        if host is None:
            host = registry.add(
                simulated_cuff(
                    address,
                    sites,
                    name=name,
                    serial=serial,
                    unit=unit,
                    timing=timing,
                    rssi=rssi,
                    seed=seed + i,
                )
            )
        hosts.append(host)
    return tuple(hosts)
