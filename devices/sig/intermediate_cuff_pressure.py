"""Blood Pressure Service (0x1810): the Intermediate Cuff Pressure characteristic (0x2A36).

A standard blood-pressure monitor notifies its current cuff pressure during a measurement, so it
can serve as a read-only pressure source. The current cuff pressure travels in the systolic field;
the diastolic and mean arterial pressure fields are unused (NaN) and ignored here.
A frame without a usable pressure raises SigDecodeError: a special SFLOAT is never a reading.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from devices.sig.errors import SigDecodeError, SigReason
from devices.sig.ieee11073 import SFloat, SFloatSpecial, parse_sfloat, sfloat_value

__all__ = [
    "BLOOD_PRESSURE_SERVICE",
    "INTERMEDIATE_CUFF_PRESSURE",
    "CuffPressureReading",
    "MeasurementStatus",
    "PressureUnit",
    "PulseRateRange",
    "SFloat",
    "SFloatSpecial",
    "parse_intermediate_cuff_pressure",
    "parse_sfloat",
]

BLOOD_PRESSURE_SERVICE: Final = "00001810-0000-1000-8000-00805f9b34fb"
INTERMEDIATE_CUFF_PRESSURE: Final = "00002a36-0000-1000-8000-00805f9b34fb"

_FLAG_KPA: Final = 0x01
_FLAG_TIME_STAMP: Final = 0x02
_FLAG_PULSE_RATE: Final = 0x04
_FLAG_USER_ID: Final = 0x08
_FLAG_STATUS: Final = 0x10
_FLAGS_KNOWN: Final = 0x1F

_HEAD: Final = struct.Struct("<BHHH")  # flags, cuff pressure, diastolic (unused), MAP (unused)
_DATE_TIME: Final = struct.Struct("<HBBBBB")
_SFLOAT: Final = struct.Struct("<H")
_STATUS: Final = struct.Struct("<H")
_USER_UNKNOWN: Final = 0xFF


class PressureUnit(enum.Enum):
    """Unit of a SIG blood-pressure value; reported as sent, never converted."""

    MMHG = "mmHg"
    KPA = "kPa"


# Plausible cuff pressure, the same physical span in both units (-50..500 mmHg).
_PRESSURE_RANGE: Final = {PressureUnit.MMHG: (-50.0, 500.0), PressureUnit.KPA: (-6.7, 66.7)}


class PulseRateRange(enum.IntEnum):
    """Pulse rate range detection (measurement status bits 3-4)."""

    WITHIN = 0
    ABOVE_UPPER_LIMIT = 1
    BELOW_LOWER_LIMIT = 2


@dataclass(frozen=True, slots=True)
class MeasurementStatus:
    """Blood Pressure Measurement Status bits (bits 6-15 are reserved and ignored)."""

    body_movement: bool
    cuff_too_loose: bool
    irregular_pulse: bool
    pulse_rate_range: PulseRateRange
    improper_position: bool


@dataclass(frozen=True, slots=True)
class CuffPressureReading:
    """One Intermediate Cuff Pressure notification that carries a real pressure."""

    pressure: float  # current cuff pressure, in `unit`
    unit: PressureUnit
    timestamp: datetime | None  # the monitor's local time; None when absent or unknown
    pulse_rate: float | None  # beats per minute; None when absent or a special value
    user_id: int | None  # None when absent or 255 ("unknown user")
    status: MeasurementStatus | None


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise SigDecodeError(SigReason.NOT_A_FRAME, f"expected bytes, got {type(data).__name__}")


def _parse_timestamp(data: bytes, offset: int) -> datetime | None:
    year, month, day, hours, minutes, seconds = _DATE_TIME.unpack_from(data, offset)
    if not (year == 0 or 1582 <= year <= 9999) or month > 12 or day > 31:
        raise SigDecodeError(SigReason.BAD_TIMESTAMP, f"date {year}-{month}-{day}")
    if hours > 23 or minutes > 59 or seconds > 59:
        raise SigDecodeError(SigReason.BAD_TIMESTAMP, f"time {hours}:{minutes}:{seconds}")
    if year == 0 or month == 0 or day == 0:
        return None  # the SIG encoding of "not known"
    try:
        return datetime(year, month, day, hours, minutes, seconds)
    except ValueError:
        raise SigDecodeError(SigReason.BAD_TIMESTAMP, f"date {year}-{month}-{day}") from None


def _parse_status(raw: int) -> MeasurementStatus:
    range_bits = (raw >> 3) & 0x03
    if range_bits == 3:
        raise SigDecodeError(SigReason.OUT_OF_RANGE, "pulse rate range 3 is reserved")
    return MeasurementStatus(
        body_movement=bool(raw & 0x01),
        cuff_too_loose=bool(raw & 0x02),
        irregular_pulse=bool(raw & 0x04),
        pulse_rate_range=PulseRateRange(range_bits),
        improper_position=bool(raw & 0x20),
    )


def parse_intermediate_cuff_pressure(data: bytes | bytearray | memoryview) -> CuffPressureReading:
    """Decode a 0x2A36 notification; SigDecodeError for anything that is not a reading."""
    data = _as_bytes(data)
    if len(data) < _HEAD.size:
        raise SigDecodeError(SigReason.TOO_SHORT, f"{len(data)} bytes, at least {_HEAD.size}")
    flags, pressure_raw, _diastolic, _mean = _HEAD.unpack_from(data)
    if flags & ~_FLAGS_KNOWN:
        # A reserved flag may announce a field we cannot place: refuse rather than misread.
        raise SigDecodeError(SigReason.RESERVED_FLAGS, f"flags 0x{flags:02x}")
    expected = (
        _HEAD.size
        + (_DATE_TIME.size if flags & _FLAG_TIME_STAMP else 0)
        + (_SFLOAT.size if flags & _FLAG_PULSE_RATE else 0)
        + (1 if flags & _FLAG_USER_ID else 0)
        + (_STATUS.size if flags & _FLAG_STATUS else 0)
    )
    if len(data) != expected:
        reason = SigReason.TOO_SHORT if len(data) < expected else SigReason.TOO_LONG
        raise SigDecodeError(reason, f"{len(data)} bytes, flags 0x{flags:02x} need {expected}")

    unit = PressureUnit.KPA if flags & _FLAG_KPA else PressureUnit.MMHG
    pressure = sfloat_value(pressure_raw, "cuff pressure")
    low, high = _PRESSURE_RANGE[unit]
    if not low <= pressure <= high:
        raise SigDecodeError(SigReason.OUT_OF_RANGE, f"cuff pressure {pressure} {unit.value}")

    offset = _HEAD.size
    timestamp = None
    if flags & _FLAG_TIME_STAMP:
        timestamp = _parse_timestamp(data, offset)
        offset += _DATE_TIME.size
    pulse_rate = None
    if flags & _FLAG_PULSE_RATE:
        parsed = parse_sfloat(_SFLOAT.unpack_from(data, offset)[0])
        pulse_rate = None if isinstance(parsed, SFloatSpecial) else parsed.value
        offset += _SFLOAT.size
    user_id = None
    if flags & _FLAG_USER_ID:
        user_id = None if data[offset] == _USER_UNKNOWN else data[offset]
        offset += 1
    status = None
    if flags & _FLAG_STATUS:
        status = _parse_status(_STATUS.unpack_from(data, offset)[0])
    return CuffPressureReading(pressure, unit, timestamp, pulse_rate, user_id, status)
