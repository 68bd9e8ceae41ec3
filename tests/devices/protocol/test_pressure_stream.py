"""Pressure Stream frames: annotated bytes, every decode and encode error branch."""

from __future__ import annotations

import dataclasses

import pytest

from devices.protocol import (
    ChannelSample,
    Phase,
    PressureFrame,
    ProtocolError,
    Reason,
    Unit,
    decode_pressure_frame,
    encode_pressure_frame,
)

TWO_CHANNELS = bytes([
    0x07, 0x00,              # sequence 7
    0xE8, 0x03, 0x00, 0x00,  # device time 1000 ms
    0x00,                    # unit mmHg
    0x02,                    # 2 channels
    0x9A, 0x02,              # ch0 pressure 66.6
    0xE8, 0x03,              # ch0 target 100.0
    0x01,                    # ch0 phase inflating
    0x01,                    # ch0 flags: pump on
    0x01,                    # ch0 cycle 1
    0x03,                    # ch0 of 3 cycles
    0x1C, 0x00,              # ch0 28 s left
    0x00, 0x00,              # ch1 pressure 0.0
    0x00, 0x00,              # ch1 no target
    0x04,                    # ch1 phase released
    0x02,                    # ch1 flags: valve open
    0x00,                    # ch1 no program
    0x00,                    # ch1 no program
    0x00, 0x00,              # ch1 0 s left
])  # fmt: skip

EXPECTED = PressureFrame(
    sequence=7,
    device_time_ms=1000,
    unit=Unit.MMHG,
    channels=(
        ChannelSample(66.6, 100.0, Phase.INFLATING, True, False, 1, 3, 28),
        ChannelSample(0.0, 0.0, Phase.RELEASED, False, True, 0, 0, 0),
    ),
)


def _with(offset: int, *values: int) -> bytes:
    """TWO_CHANNELS with bytes replaced from offset."""
    data = bytearray(TWO_CHANNELS)
    data[offset : offset + len(values)] = bytes(values)
    return bytes(data)


def test_decodes_annotated_frame() -> None:
    assert decode_pressure_frame(TWO_CHANNELS) == EXPECTED


def test_encodes_annotated_frame() -> None:
    assert encode_pressure_frame(EXPECTED) == TWO_CHANNELS


def test_accepts_bytearray_and_memoryview() -> None:
    assert decode_pressure_frame(bytearray(TWO_CHANNELS)) == EXPECTED
    assert decode_pressure_frame(memoryview(TWO_CHANNELS)) == EXPECTED


def test_sensor_fault_is_no_reading_not_a_number() -> None:
    frame = decode_pressure_frame(_with(8, 0xFF, 0x7F))  # ch0 pressure 0x7FFF
    assert frame.channels[0].pressure is None
    assert encode_pressure_frame(frame) == _with(8, 0xFF, 0x7F)


def test_negative_reading_after_release() -> None:
    frame = decode_pressure_frame(_with(18, 0xFB, 0xFF))  # ch1 pressure -0.5
    assert frame.channels[1].pressure == -0.5


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", Reason.TOO_SHORT),
        (TWO_CHANNELS[:7], Reason.TOO_SHORT),
        (TWO_CHANNELS[:-1], Reason.TOO_SHORT),
        (TWO_CHANNELS + b"\x00", Reason.TOO_LONG),
        (_with(7, 0x03), Reason.CHANNEL_COUNT),  # 3 channels do not exist in the profile
        (_with(7, 0x00), Reason.CHANNEL_COUNT),
        (_with(7, 0x04) + bytes(12), Reason.TOO_SHORT),  # declares 4 channels, 40 bytes
        (_with(7, 0x04) + bytes(30), Reason.TOO_LONG),  # declares 4 channels, 58 bytes
        (_with(7, 0x05) + bytes(12), Reason.CHANNEL_COUNT),  # declares 5 channels, 40 bytes
        (TWO_CHANNELS + bytes(20), Reason.CHANNEL_MISMATCH),  # 48 bytes declaring 2 channels
        (_with(6, 0x02), Reason.UNKNOWN_VALUE),  # unit 2
        (_with(8, 0x66, 0x19), Reason.OUT_OF_RANGE),  # pressure 650.2
        (_with(8, 0x0B, 0xFE), Reason.OUT_OF_RANGE),  # pressure -50.1
        (_with(10, 0x89, 0x13), Reason.OUT_OF_RANGE),  # target 500.1
        (_with(12, 0x05), Reason.UNKNOWN_VALUE),  # phase 5
        (_with(13, 0x04), Reason.RESERVED_BITS),  # flags bit 2
        (_with(14, 0x04), Reason.OUT_OF_RANGE),  # cycle 4 of 3
        (_with(14, 0x00), Reason.OUT_OF_RANGE),  # cycle 0 of 3
        (_with(24, 0x01), Reason.OUT_OF_RANGE),  # ch1 cycle 1 of 0
        (_with(14, 0x21, 0x21), Reason.OUT_OF_RANGE),  # cycle 33 of 33
    ],
)
def test_malformed_frames_raise_protocol_error(data: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_pressure_frame(data)
    assert caught.value.reason is reason
    assert isinstance(caught.value, ValueError)


def test_non_bytes_is_not_a_frame() -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_pressure_frame("not bytes")  # type: ignore[arg-type]
    assert caught.value.reason is Reason.NOT_A_FRAME


def _channel(**changes: object) -> PressureFrame:
    sample = dataclasses.replace(EXPECTED.channels[0], **changes)
    return dataclasses.replace(EXPECTED, channels=(sample, EXPECTED.channels[1]))


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (dataclasses.replace(EXPECTED, channels=EXPECTED.channels[:1]), Reason.CHANNEL_COUNT),
        (dataclasses.replace(EXPECTED, sequence=0x10000), Reason.OUT_OF_RANGE),
        (dataclasses.replace(EXPECTED, device_time_ms=-1), Reason.OUT_OF_RANGE),
        (dataclasses.replace(EXPECTED, unit=7), Reason.UNKNOWN_VALUE),
        (_channel(pressure=float("nan")), Reason.OUT_OF_RANGE),
        (_channel(pressure=650.1), Reason.OUT_OF_RANGE),
        (_channel(pressure="66.6"), Reason.OUT_OF_RANGE),
        (_channel(target=-1.0), Reason.OUT_OF_RANGE),
        (_channel(phase=9), Reason.UNKNOWN_VALUE),
        (_channel(cycle=4), Reason.OUT_OF_RANGE),
        (_channel(cycle_count=33, cycle=1), Reason.OUT_OF_RANGE),
        (_channel(seconds_left=70000), Reason.OUT_OF_RANGE),
    ],
)
def test_encoding_validates(frame: PressureFrame, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        encode_pressure_frame(frame)
    assert caught.value.reason is reason


def test_pressure_rounds_to_a_tenth() -> None:
    encoded = encode_pressure_frame(_channel(pressure=66.64))
    assert decode_pressure_frame(encoded).channels[0].pressure == 66.6


def test_decode_throughput_exceeds_50k_channel_samples_per_second() -> None:
    import time

    frame = PressureFrame(1, 2, Unit.SKU, EXPECTED.channels * 2)
    data = encode_pressure_frame(frame)
    frames = 4000
    start = time.perf_counter()
    for _ in range(frames):
        decode_pressure_frame(data)
    rate = 4 * frames / (time.perf_counter() - start)
    # About 550,000 samples/s measured on the development machine; the floor is the requirement.
    assert rate > 50_000, rate
