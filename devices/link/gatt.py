"""Connection set-up over the public bleak API: connect with retries, MTU, configuration, DIS."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bleak import BleakClient
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakCharacteristicNotFoundError
from bleak_retry_connector import BLEAK_RETRY_EXCEPTIONS, establish_connection

from devices.link.errors import LinkSetupError
from devices.link.events import DeviceInfo
from devices.protocol import DeviceConfig, ProtocolError, decode_device_config, uuids

log = logging.getLogger(__name__)

_DIS = (uuids.MANUFACTURER_NAME, uuids.MODEL_NUMBER, uuids.SERIAL_NUMBER, uuids.FIRMWARE_REVISION)


async def establish(
    device: BLEDevice,
    *,
    backend: type[BaseBleakClient] | None,
    on_disconnect: Callable[[BleakClient], None],
    attempts: int,
    timeout_s: float,
) -> BleakClient:
    """Connect with bleak-retry-connector's retries on the known transient errors.

    establish_connection builds client_class(device, ..., **kwargs), so backend= reaches
    BleakClient; its BlueZ-only steps are skipped for a device without a BlueZ path, and all its
    waits are asyncio sleeps, so it also runs over a custom backend in virtual time.
    """
    extra = {} if backend is None else {"backend": backend}
    async with asyncio.timeout(timeout_s):
        return await establish_connection(
            BleakClient,
            device,
            device.name or device.address,
            disconnected_callback=on_disconnect,
            max_attempts=attempts,
            **extra,
        )


async def check_mtu(client: BleakClient, minimum: int) -> int:
    """The negotiated ATT MTU; LinkSetupError when a full frame would not fit."""
    if client.backend_id == "bluez_dbus":
        # BlueZ reports 23 until asked; bleak's own mtu_size example asks this way.
        acquire = getattr(client._backend, "_acquire_mtu", None)
        if acquire is not None:
            try:
                await acquire()
            except Exception as exc:
                log.warning("could not acquire the MTU: %s", exc)
    mtu = client.mtu_size
    if mtu < minimum:
        raise LinkSetupError(f"ATT MTU {mtu} < {minimum}: frames would be cut")
    return mtu


async def read(client: BleakClient, uuid: str, attempts: int) -> bytes:
    """Read a characteristic, retrying the known transient errors."""
    for attempt in range(1, attempts + 1):
        try:
            return bytes(await client.read_gatt_char(uuid))
        except BleakCharacteristicNotFoundError:
            raise
        except BLEAK_RETRY_EXCEPTIONS as exc:
            if attempt == attempts:
                raise
            log.warning("read of %s failed (attempt %d): %s", uuid, attempt, exc)
            await asyncio.sleep(0.25 * attempt)
    raise ValueError("attempts must be at least 1")


async def read_config(client: BleakClient, attempts: int) -> DeviceConfig:
    """The Device Configuration; LinkSetupError for a major version we do not speak."""
    try:
        return decode_device_config(await read(client, uuids.DEVICE_CONFIGURATION, attempts))
    except BleakCharacteristicNotFoundError as exc:
        raise LinkSetupError("no Device Configuration characteristic: not a cuff") from exc
    except ProtocolError as exc:
        raise LinkSetupError(f"device configuration refused: {exc}") from exc


async def read_info(client: BleakClient, device: BLEDevice, attempts: int) -> DeviceInfo:
    """Device Information Service strings; a missing one is None."""
    values: list[str | None] = []
    for uuid in _DIS:
        try:
            raw = await read(client, uuid, attempts)
        except BleakCharacteristicNotFoundError:
            values.append(None)
            continue
        values.append(raw.decode("utf-8", errors="replace").rstrip("\x00"))
    return DeviceInfo(device.address, device.name, *values)
