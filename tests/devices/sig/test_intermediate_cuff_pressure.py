"""Intermediate Cuff Pressure (0x2A36) and IEEE-11073 SFLOAT decoding."""

from __future__ import annotations

import math
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.sig import (
    CuffPressureReading,
    MeasurementStatus,
    PressureUnit,
    PulseRateRange,
    SFloat,
    SFloatSpecial,
    SigDecodeError,
    SigReason,
    parse_intermediate_cuff_pressure,
    parse_sfloat,
)

MINIMAL_MMHG = bytes([
    0x00,        # flags: mmHg, no optional field
    0x8E, 0x00,  # cuff pressure 142 (mantissa 142, exponent 0)
    0xFF, 0x07,  # diastolic: unused, NaN
    0xFF, 0x07,  # mean arterial pressure: unused, NaN
])  # fmt: skip

FULL_KPA = bytes([
    0x1F,                    # flags: kPa, time stamp, pulse rate, user id, status
    0x7B, 0xF0,              # cuff pressure 12.3 (mantissa 123, exponent -1)
    0xFF, 0x07,              # diastolic: unused, NaN
    0xFF, 0x07,              # mean arterial pressure: unused, NaN
    0xE9, 0x07,              # year 2025
    0x03,                    # month 3
    0x0E,                    # day 14
    0x09,                    # hours 9
    0x1E,                    # minutes 30
    0x05,                    # seconds 5
    0x48, 0x00,              # pulse rate 72
    0x02,                    # user id 2
    0x0D, 0x00,              # status: body movement, irregular pulse, pulse above range
])  # fmt: skip


def _with(base: bytes, offset: int, *values: int) -> bytes:
    data = bytearray(base)
    data[offset : offset + len(values)] = bytes(values)
    return bytes(data)


def test_minimal_frame_in_mmhg() -> None:
    assert parse_intermediate_cuff_pressure(MINIMAL_MMHG) == CuffPressureReading(
        pressure=142.0,
        unit=PressureUnit.MMHG,
        timestamp=None,
        pulse_rate=None,
        user_id=None,
        status=None,
    )


def test_full_frame_in_kpa_is_reported_in_kpa() -> None:
    reading = parse_intermediate_cuff_pressure(bytearray(FULL_KPA))
    assert reading == CuffPressureReading(
        pressure=12.3,
        unit=PressureUnit.KPA,  # never converted to mmHg
        timestamp=datetime(2025, 3, 14, 9, 30, 5),
        pulse_rate=72.0,
        user_id=2,
        status=MeasurementStatus(
            body_movement=True,
            cuff_too_loose=False,
            irregular_pulse=True,
            pulse_rate_range=PulseRateRange.ABOVE_UPPER_LIMIT,
            improper_position=False,
        ),
    )


def test_unknown_date_user_and_special_pulse_are_none() -> None:
    data = _with(FULL_KPA, 7, 0x00, 0x00)  # year 0: unknown
    data = _with(data, 14, 0xFF, 0x07)  # pulse rate NaN
    data = _with(data, 16, 0xFF)  # user 255: unknown
    reading = parse_intermediate_cuff_pressure(data)
    assert (reading.timestamp, reading.pulse_rate, reading.user_id) == (None, None, None)
    assert reading.pressure == 12.3


def test_status_reserved_bits_are_ignored() -> None:
    status = parse_intermediate_cuff_pressure(_with(FULL_KPA, 17, 0x22, 0xFF)).status
    assert status == MeasurementStatus(False, True, False, PulseRateRange.WITHIN, True)


@pytest.mark.parametrize(
    ("raw", "special"),
    [
        ((0xFF, 0x07), SFloatSpecial.NAN),
        ((0x00, 0x08), SFloatSpecial.NRES),
        ((0xFE, 0x07), SFloatSpecial.POSITIVE_INFINITY),
        ((0x02, 0x08), SFloatSpecial.NEGATIVE_INFINITY),
        ((0x01, 0x08), SFloatSpecial.RESERVED),
    ],
)
def test_special_cuff_pressure_is_never_a_reading(
    raw: tuple[int, int], special: SFloatSpecial
) -> None:
    with pytest.raises(SigDecodeError) as caught:
        parse_intermediate_cuff_pressure(_with(MINIMAL_MMHG, 1, *raw))
    assert caught.value.reason is SigReason.SPECIAL_VALUE
    assert caught.value.special is special


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", SigReason.TOO_SHORT),
        (MINIMAL_MMHG[:6], SigReason.TOO_SHORT),
        (MINIMAL_MMHG + b"\x00", SigReason.TOO_LONG),
        (FULL_KPA[:-1], SigReason.TOO_SHORT),
        (_with(MINIMAL_MMHG, 0, 0x20), SigReason.RESERVED_FLAGS),
        (_with(MINIMAL_MMHG, 0, 0x80), SigReason.RESERVED_FLAGS),
        (_with(MINIMAL_MMHG, 1, 0xF5, 0x01), SigReason.OUT_OF_RANGE),  # 501 mmHg
        (_with(MINIMAL_MMHG, 1, 0xCD, 0x0F), SigReason.OUT_OF_RANGE),  # -51 mmHg
        (_with(FULL_KPA, 1, 0x9C, 0xF2), SigReason.OUT_OF_RANGE),  # 66.8 kPa
        (_with(FULL_KPA, 7, 0x0A, 0x00), SigReason.BAD_TIMESTAMP),  # year 10
        (_with(FULL_KPA, 9, 0x0D), SigReason.BAD_TIMESTAMP),  # month 13
        (_with(FULL_KPA, 9, 0x02, 0x1E), SigReason.BAD_TIMESTAMP),  # 30 February
        (_with(FULL_KPA, 10, 0x20), SigReason.BAD_TIMESTAMP),  # day 32
        (_with(FULL_KPA, 11, 0x18), SigReason.BAD_TIMESTAMP),  # hour 24
        (_with(FULL_KPA, 12, 0x3C), SigReason.BAD_TIMESTAMP),  # minute 60
        (_with(FULL_KPA, 13, 0x3C), SigReason.BAD_TIMESTAMP),  # second 60
        (_with(FULL_KPA, 17, 0x18), SigReason.OUT_OF_RANGE),  # pulse rate range 3 (reserved)
    ],
)
def test_malformed_values(data: bytes, reason: SigReason) -> None:
    with pytest.raises(SigDecodeError) as caught:
        parse_intermediate_cuff_pressure(data)
    assert caught.value.reason is reason
    assert isinstance(caught.value, ValueError)


def test_non_bytes_is_not_a_frame() -> None:
    with pytest.raises(SigDecodeError) as caught:
        parse_intermediate_cuff_pressure([0, 142, 0])  # type: ignore[arg-type]
    assert caught.value.reason is SigReason.NOT_A_FRAME


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0x0000, SFloat(0, 0)),
        (0x008E, SFloat(142, 0)),  # 142
        (0xF07B, SFloat(123, -1)),  # 12.3
        (0x0FFF, SFloat(-1, 0)),  # mantissa two's complement
        (0xF800, SFloat(-2048, -1)),  # most negative mantissa
        (0x27FF, SFloat(2047, 2)),  # mantissa 0x7FF with a non-zero exponent is a number
        (0x8001, SFloat(1, -8)),  # most negative exponent
        (0x7001, SFloat(1, 7)),  # most positive exponent
        (0x07FF, SFloatSpecial.NAN),
        (0x0800, SFloatSpecial.NRES),
        (0x07FE, SFloatSpecial.POSITIVE_INFINITY),
        (0x0802, SFloatSpecial.NEGATIVE_INFINITY),
        (0x0801, SFloatSpecial.RESERVED),
    ],
)
def test_parse_sfloat(raw: int, expected: SFloat | SFloatSpecial) -> None:
    assert parse_sfloat(raw) == expected


def test_sfloat_values() -> None:
    assert SFloat(123, -1).value == 12.3
    assert SFloat(1205, -1).value == 120.5
    assert SFloat(2047, 2).value == 204700.0
    assert SFloat(-2048, -1).value == -204.8


@pytest.mark.parametrize("raw", [-1, 0x10000, 1.5])
def test_parse_sfloat_rejects_non_16_bit(raw: object) -> None:
    with pytest.raises(SigDecodeError):
        parse_sfloat(raw)  # type: ignore[arg-type]


@settings(max_examples=200)
@given(st.integers(0, 0xFFFF))
def test_every_sfloat_is_a_number_or_a_special(raw: int) -> None:
    parsed = parse_sfloat(raw)
    if isinstance(parsed, SFloatSpecial):
        assert raw in (0x07FE, 0x07FF, 0x0800, 0x0801, 0x0802)
    else:
        assert -2048 <= parsed.mantissa <= 2047 and -8 <= parsed.exponent <= 7
        assert ((parsed.exponent & 0xF) << 12 | (parsed.mantissa & 0xFFF)) == raw


@settings(max_examples=200)
@given(st.binary(max_size=24))
def test_random_bytes_raise_only_sig_decode_error(data: bytes) -> None:
    try:
        reading = parse_intermediate_cuff_pressure(data)
    except SigDecodeError:
        return
    assert math.isfinite(reading.pressure)  # a reading is never NaN or infinite
    assert reading.pulse_rate is None or math.isfinite(reading.pulse_rate)


@settings(max_examples=200)
@given(st.data())
def test_mutated_frames_raise_only_sig_decode_error(data: st.DataObject) -> None:
    raw = bytearray(FULL_KPA)
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        reading = parse_intermediate_cuff_pressure(bytes(raw))
    except SigDecodeError:
        return
    assert isinstance(reading.unit, PressureUnit)
