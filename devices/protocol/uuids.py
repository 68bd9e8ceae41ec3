"""GATT identifiers of the open KAATSU cuff profile (see docs/device-protocol.md)."""

from __future__ import annotations

from typing import Final

# Every profile UUID is this base with its 16-bit part in the xxxx position.
BASE_UUID: Final = "c6c6{:04x}-5887-4025-a627-9880b5592344"


def profile_uuid(short: int) -> str:
    """Full 128-bit UUID string (lower case) for a 16-bit part of the profile base."""
    if not 0 <= short <= 0xFFFF:
        raise ValueError(f"16-bit part out of range: {short!r}")
    return BASE_UUID.format(short)


def sig_uuid(short: int) -> str:
    """Full 128-bit UUID string of a Bluetooth SIG assigned 16-bit number."""
    if not 0 <= short <= 0xFFFF:
        raise ValueError(f"16-bit part out of range: {short!r}")
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


CUFF_SERVICE: Final = profile_uuid(0x0001)
PRESSURE_STREAM: Final = profile_uuid(0x0002)  # notify
CONTROL_POINT: Final = profile_uuid(0x0003)  # write with response
COMMAND_RESULT: Final = profile_uuid(0x0004)  # notify
STATUS: Final = profile_uuid(0x0005)  # notify, read
HEARTBEAT: Final = profile_uuid(0x0006)  # write without response
DEVICE_CONFIGURATION: Final = profile_uuid(0x0007)  # read

DEVICE_INFORMATION_SERVICE: Final = sig_uuid(0x180A)
MANUFACTURER_NAME: Final = sig_uuid(0x2A29)
MODEL_NUMBER: Final = sig_uuid(0x2A24)
SERIAL_NUMBER: Final = sig_uuid(0x2A25)
FIRMWARE_REVISION: Final = sig_uuid(0x2A26)
