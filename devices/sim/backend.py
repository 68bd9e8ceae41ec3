"""A bleak client backend that talks to a simulated cuff: `BleakClient(dev, backend=...)`.

`BleakClient(BLEDevice(address, name, details), backend=SimulatedCuffClient)` runs the public bleak
API unchanged over a `SimulatedCuffHost` found by address in the registry (the process-wide
`REGISTRY`, or the one passed as `registry=` to `BleakClient`). The behaviour follows bleak's
BlueZ backend, the one the app meets on Linux:

- the disconnected callback fires once per connection on *every* disconnect, requested or not
  (the link tells them apart with its expected-disconnect flag);
- `disconnect()` leaves the client disconnected even when it raises or is cancelled;
- connecting to a cuff that does not advertise (link down, rebooting, or another central
  connected) waits for it up to the client's timeout, then raises TimeoutError;
- writes check the characteristic's properties: Control Point takes only write-with-response,
  Heartbeat only write-without-response.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import (
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
    BleakGATTProtocolErrorCode,
)
from bleak.uuids import normalize_uuid_str

from devices.protocol import uuids
from devices.sim.host import SimulatedCuffHost
from devices.sim.registry import REGISTRY, CuffRegistry

logger = logging.getLogger(__name__)

CCCD_UUID: Final = uuids.sig_uuid(0x2902)  # Client Characteristic Configuration descriptor
MAX_ATTRIBUTE_LENGTH: Final = 512  # longest value a (long) write may carry


@dataclass(frozen=True, slots=True)
class CharacteristicDef:
    """One characteristic of the simulated GATT server (bleak property names)."""

    uuid: str
    properties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceDef:
    """One primary service of the simulated GATT server."""

    uuid: str
    characteristics: tuple[CharacteristicDef, ...]


# The attribute table of docs/device-protocol.md section 2, in handle order.
GATT_PROFILE: Final = (
    ServiceDef(
        uuids.CUFF_SERVICE,
        (
            CharacteristicDef(uuids.PRESSURE_STREAM, ("notify",)),
            CharacteristicDef(uuids.CONTROL_POINT, ("write",)),
            CharacteristicDef(uuids.COMMAND_RESULT, ("notify",)),
            CharacteristicDef(uuids.STATUS, ("read", "notify")),
            CharacteristicDef(uuids.HEARTBEAT, ("write-without-response",)),
            CharacteristicDef(uuids.DEVICE_CONFIGURATION, ("read",)),
        ),
    ),
    ServiceDef(
        uuids.DEVICE_INFORMATION_SERVICE,
        (
            CharacteristicDef(uuids.MANUFACTURER_NAME, ("read",)),
            CharacteristicDef(uuids.MODEL_NUMBER, ("read",)),
            CharacteristicDef(uuids.SERIAL_NUMBER, ("read",)),
            CharacteristicDef(uuids.FIRMWARE_REVISION, ("read",)),
        ),
    ),
)


def build_services(
    host: SimulatedCuffHost, wanted: set[str] | None = None
) -> BleakGATTServiceCollection:
    """The host's attribute table as bleak objects, optionally only the wanted services."""
    collection = BleakGATTServiceCollection()
    handle = 0
    mtu = host.mtu
    for service_def in GATT_PROFILE:
        handle += 1
        if wanted is not None and service_def.uuid not in wanted:
            handle += 3 * len(service_def.characteristics)
            continue
        service = BleakGATTService(service_def, handle, service_def.uuid)
        collection.add_service(service)
        for char_def in service_def.characteristics:
            handle += 2  # declaration, then value handle
            char = BleakGATTCharacteristic(
                char_def, handle, char_def.uuid, list(char_def.properties), lambda: mtu - 3, service
            )
            collection.add_characteristic(char)
            handle += 1
            if "notify" in char_def.properties:
                collection.add_descriptor(BleakGATTDescriptor(None, handle, CCCD_UUID, char))
    return collection


class SimulatedCuffClient(BaseBleakClient):
    """bleak client backend over a simulated cuff; see the module docstring."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 30.0,
        services: set[str] | None = None,
        registry: CuffRegistry | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self._registry = registry or REGISTRY
        self._wanted = None if services is None else {normalize_uuid_str(u) for u in services}
        device_name = getattr(address_or_ble_device, "name", None)
        self._device_name: str | None = device_name
        self._host: SimulatedCuffHost | None = None
        self._connected = False
        self._subscribed: set[str] = set()

    # -- bleak interface ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The cuff's local name."""
        if self._host is not None:
            return self._host.name
        return self._device_name or self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        """The negotiated ATT MTU."""
        return self._host.mtu if self._host is not None else 23

    @property
    def is_connected(self) -> bool:
        """True while the simulated link is up."""
        return self._connected

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect to the cuff and resolve its services."""
        if self._connected:
            return
        if pair:
            logger.debug("simulated cuffs need no pairing; connecting without")
        host = self._registry.get(self.address)
        if host is None:
            raise BleakDeviceNotFoundError(
                self.address, f"Device with address {self.address} was not found."
            )
        timeout = float(kwargs.get("timeout", self._timeout))
        await host.connect(self, timeout)
        self._host = host
        self._subscribed = set()
        self.services = build_services(host, self._wanted)
        self._connected = True

    async def disconnect(self) -> None:
        """Disconnect; the client is disconnected afterwards even if this raises or is cancelled."""
        host = self._host
        if not self._connected or host is None:
            return
        try:
            await host.disconnect(self)
        finally:
            if self._connected:
                self._on_disconnected()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Simulated cuffs need no pairing: nothing to do."""
        logger.debug("pair() on a simulated cuff: not needed")

    async def unpair(self) -> None:
        """Forget the pairing, which also disconnects (as on BlueZ)."""
        await self.disconnect()

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Read a characteristic value."""
        host = self._require_host()
        if "read" not in characteristic.properties:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.READ_NOT_PERMITTED)
        await asyncio.sleep(host.timing.write_latency_s)
        self._require_host()
        return bytearray(host.read_value(characteristic.uuid))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Read a descriptor: the only ones are the notify characteristics' CCCDs."""
        host = self._require_host()
        await asyncio.sleep(host.timing.write_latency_s)
        self._require_host()
        if descriptor.uuid != CCCD_UUID:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.ATTRIBUTE_NOT_FOUND)
        enabled = descriptor.characteristic_uuid in self._subscribed
        return bytearray(b"\x01\x00" if enabled else b"\x00\x00")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        """Write a characteristic; the write type must be one the characteristic supports."""
        host = self._require_host()
        payload = bytes(data)
        props = characteristic.properties
        if response:
            if "write" not in props:
                raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED)
            if len(payload) > MAX_ATTRIBUTE_LENGTH:
                raise BleakGATTProtocolError(
                    BleakGATTProtocolErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH
                )
            host.write(self, characteristic.uuid, payload)
            await asyncio.sleep(host.timing.write_latency_s)  # the write response comes back
            self._require_host()
            return
        if "write-without-response" not in props:
            raise BleakError(f"{characteristic.uuid} does not support write without response")
        if len(payload) > characteristic.max_write_without_response_size:
            raise BleakError(f"write without response longer than {host.mtu - 3} bytes")
        host.write(self, characteristic.uuid, payload)

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        """CCCDs are set with start_notify/stop_notify, as on BlueZ."""
        self._require_host()
        raise BleakError("write the CCCD through start_notify() or stop_notify()")

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Enable notifications; the callback gets the value as a bytearray."""
        host = self._require_host()
        if "notify" not in characteristic.properties:
            raise BleakError(f"{characteristic.uuid} does not notify")
        await asyncio.sleep(host.timing.write_latency_s)  # the CCCD write
        self._require_host()
        host.subscribe(self, characteristic.uuid, callback)
        self._subscribed.add(characteristic.uuid)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Disable notifications."""
        host = self._require_host()
        host.unsubscribe(self, characteristic.uuid)
        self._subscribed.discard(characteristic.uuid)
        await asyncio.sleep(host.timing.write_latency_s)

    # -- called by the host ------------------------------------------------------------------------

    def link_lost(self) -> None:
        """The radio link went down: tear down and tell bleak's user."""
        if self._connected:
            logger.info("simulated link to %s lost", self.address)
            self._on_disconnected()

    # -- internals ---------------------------------------------------------------------------------

    def _require_host(self) -> SimulatedCuffHost:
        host = self._host
        if not self._connected or host is None or not host.is_current(self):
            if self._connected:
                self._on_disconnected()
            raise BleakError("Not connected")
        return host

    def _on_disconnected(self) -> None:
        self._connected = False
        self._subscribed = set()
        self.services = None
        callback = self._disconnected_callback
        if callback is not None:
            try:
                callback()
            except Exception:
                logger.exception("disconnected callback failed")
