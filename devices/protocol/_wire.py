"""Shared wire helpers of the codec: checks, conversions, channel masks, sequence numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Final

from devices.protocol.errors import ProtocolError, Reason
from devices.protocol.frames import MAX_CHANNELS
from devices.protocol.types import Fault

FAULT_BITS: Final = sum(int(f) for f in Fault)


def fail(reason: Reason, detail: str) -> ProtocolError:
    """Build the codec's one error."""
    return ProtocolError(reason, detail)


def as_bytes(data: Any) -> bytes:
    """Accept bytes, bytearray or memoryview; anything else is not a frame."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise fail(Reason.NOT_A_FRAME, f"expected bytes, got {type(data).__name__}")


def check_length(data: bytes, expected: int, what: str) -> None:
    """Raise TOO_SHORT or TOO_LONG unless data has exactly the expected length."""
    if len(data) < expected:
        raise fail(Reason.TOO_SHORT, f"{what}: {len(data)} bytes, expected {expected}")
    if len(data) > expected:
        raise fail(Reason.TOO_LONG, f"{what}: {len(data)} bytes, expected {expected}")


def decode_enum(kind: type, raw: int, what: str) -> Any:
    """Raw byte -> enum member, UNKNOWN_VALUE otherwise."""
    try:
        return kind(raw)
    except ValueError:
        raise fail(Reason.UNKNOWN_VALUE, f"{what} 0x{raw:02x}") from None


def decode_fault(raw: int, what: str) -> Fault:
    """Raw byte -> Fault flags; undefined bits are reserved."""
    if raw & ~FAULT_BITS:
        raise fail(Reason.RESERVED_BITS, f"{what} 0x{raw:02x}")
    return Fault(raw)


def encode_uint(value: Any, low: int, high: int, what: str) -> int:
    """Check an integer field's range before packing."""
    if not isinstance(value, int) or not low <= value <= high:
        raise fail(Reason.OUT_OF_RANGE, f"{what} {value!r} not in {low}..{high}")
    return int(value)


def encode_tenths(value: Any, low: int, high: int, what: str) -> int:
    """Pressure in the device unit -> 0.1-unit integer (nearest tenth), range-checked."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(Reason.OUT_OF_RANGE, f"{what} {value!r} is not a finite number")
    scaled = value * 10
    # A huge finite value overflows to inf when scaled; it is out of range, not an OverflowError.
    raw = round(scaled) if math.isfinite(scaled) else high + 1
    if not low <= raw <= high:
        raise fail(Reason.OUT_OF_RANGE, f"{what} {value!r} not in {low / 10}..{high / 10}")
    return raw


def encode_enum(kind: type, value: Any, what: str) -> int:
    """Enum member (or its value) -> raw byte, UNKNOWN_VALUE otherwise."""
    try:
        return int(kind(value))
    except (ValueError, TypeError):
        raise fail(Reason.UNKNOWN_VALUE, f"{what} {value!r}") from None


def encode_fault(value: Any, what: str) -> int:
    """Fault flags -> raw byte."""
    if not isinstance(value, int) or value & ~FAULT_BITS or value < 0:
        raise fail(Reason.RESERVED_BITS, f"{what} {value!r}")
    return int(value)


def mask_to_channels(mask: int) -> tuple[int, ...]:
    """Channel indices (ascending, 0-based) named by a channel mask."""
    return tuple(i for i in range(MAX_CHANNELS) if mask >> i & 1)


def channels_to_mask(channels: Iterable[int]) -> int:
    """Channel mask of 0-based channel indices; ProtocolError for bad or repeated indices."""
    mask = 0
    for ch in channels:
        if not isinstance(ch, int) or not 0 <= ch < MAX_CHANNELS:
            raise fail(Reason.OUT_OF_RANGE, f"channel index {ch!r}")
        if mask >> ch & 1:
            raise fail(Reason.CHANNEL_MISMATCH, f"channel {ch} named twice")
        mask |= 1 << ch
    return mask


def encode_channels(channels: Any, what: str, *, allow_empty: bool = False) -> int:
    """Tuple of channel indices (non-empty unless allowed) -> channel mask."""
    if not isinstance(channels, tuple | list):
        raise fail(Reason.OUT_OF_RANGE, f"{what}: channels must be a tuple of indices")
    mask = channels_to_mask(channels)
    if not mask and not allow_empty:
        raise fail(Reason.OUT_OF_RANGE, f"{what}: no channel")
    return mask


def decode_channels(mask: int, what: str) -> tuple[int, ...]:
    """Channel mask -> channel indices; channels 4-7 do not exist in this profile."""
    if mask & ~((1 << MAX_CHANNELS) - 1):
        raise fail(Reason.RESERVED_BITS, f"{what} channel mask 0x{mask:02x}")
    return mask_to_channels(mask)


def next_sequence(sequence: int) -> int:
    """The uint16 sequence number after this one."""
    return (sequence + 1) & 0xFFFF


def sequence_delta(previous: int, current: int) -> int:
    """Signed distance between two uint16 sequence numbers: 1 is the next frame, >1 a gap."""
    delta = (current - previous) & 0xFFFF
    return delta - 0x10000 if delta > 0x8000 else delta
