"""The codec's one entry point: encode any frame, decode by characteristic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from devices.protocol import uuids
from devices.protocol._wire import fail
from devices.protocol.control import decode_command, encode_command
from devices.protocol.errors import Reason
from devices.protocol.frames import (
    CommandResult,
    DeviceConfig,
    Frame,
    Heartbeat,
    Hold,
    PressureFrame,
    ReadState,
    Release,
    ReleaseAll,
    RunCycle,
    SetSites,
    StatusFrame,
)
from devices.protocol.notify import (
    decode_command_result,
    decode_device_config,
    decode_heartbeat,
    decode_pressure_frame,
    decode_status,
    encode_command_result,
    encode_device_config,
    encode_heartbeat,
    encode_pressure_frame,
    encode_status,
)

_ENCODERS: Final[dict[type, Callable[..., bytes]]] = {
    PressureFrame: encode_pressure_frame,
    StatusFrame: encode_status,
    CommandResult: encode_command_result,
    DeviceConfig: encode_device_config,
    Heartbeat: encode_heartbeat,
    RunCycle: encode_command,
    Hold: encode_command,
    Release: encode_command,
    ReleaseAll: encode_command,
    ReadState: encode_command,
    SetSites: encode_command,
}

# Decoder of each profile characteristic, keyed by its UUID string (lower case).
DECODERS: Final[dict[str, Callable[[bytes | bytearray | memoryview], Frame]]] = {
    uuids.PRESSURE_STREAM: decode_pressure_frame,
    uuids.CONTROL_POINT: decode_command,
    uuids.COMMAND_RESULT: decode_command_result,
    uuids.STATUS: decode_status,
    uuids.HEARTBEAT: decode_heartbeat,
    uuids.DEVICE_CONFIGURATION: decode_device_config,
}


def encode(frame: Frame) -> bytes:
    """Wire bytes of any profile frame; ProtocolError when a field is out of range."""
    encoder = _ENCODERS.get(type(frame))
    if encoder is None:
        raise fail(Reason.NOT_A_FRAME, f"cannot encode {type(frame).__name__}")
    return encoder(frame)


def decode(characteristic_uuid: str, data: bytes | bytearray | memoryview) -> Frame:
    """Decode bytes received on (or written to) a profile characteristic."""
    decoder = DECODERS.get(characteristic_uuid.lower())
    if decoder is None:
        raise fail(Reason.NOT_A_FRAME, f"no frame is defined for {characteristic_uuid}")
    return decoder(data)
