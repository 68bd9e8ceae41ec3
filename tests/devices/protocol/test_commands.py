"""Control Point commands: annotated bytes for each opcode, every decode and encode error."""

from __future__ import annotations

import pytest

from devices.protocol import (
    Hold,
    Opcode,
    ProtocolError,
    ReadState,
    Reason,
    Release,
    ReleaseAll,
    RunCycle,
    SetSites,
    Site,
    Unit,
    channels_to_mask,
    decode_command,
    encode_command,
    mask_to_channels,
    next_sequence,
    sequence_delta,
)

RUN_CYCLE = bytes([
    0x01,        # opcode RUN_CYCLE
    0x2A, 0x00,  # sequence 42
    0x05,        # channels 0 and 2
    0x01,        # unit SKU
    0x14, 0x00,  # inflation 20 s
    0x0A, 0x00,  # deflation 10 s
    0x2C, 0x01,  # time-to-live 300 s
    0x02,        # 2 cycles
    0xF4, 0x01,  # cycle 1 at 50.0
    0xBC, 0x02,  # cycle 2 at 70.0
])  # fmt: skip
HOLD = bytes([
    0x02,        # opcode HOLD
    0x00, 0x01,  # sequence 256
    0x08,        # channel 3
    0x00,        # unit mmHg
    0x65, 0x04,  # pressure 112.5
    0x10, 0x0E,  # time-to-live 3600 s
])  # fmt: skip
RELEASE = bytes([
    0x03,        # opcode RELEASE
    0x01, 0x00,  # sequence 1
    0x0F,        # channels 0-3
])  # fmt: skip
RELEASE_ALL = bytes([
    0x04,        # opcode RELEASE_ALL
    0x02, 0x00,  # sequence 2
    0x00,        # mask (ignored)
])  # fmt: skip
READ_STATE = bytes([
    0x05,        # opcode READ_STATE
    0x03, 0x00,  # sequence 3
    0x00,        # mask (ignored)
])  # fmt: skip
SET_SITES = bytes([
    0x06,        # opcode SET_SITES
    0x04, 0x00,  # sequence 4
    0x0A,        # channels 1 and 3
    0x01,        # ch1 left arm
    0x04,        # ch3 right leg
])  # fmt: skip

CASES = [
    (RUN_CYCLE, RunCycle(42, (0, 2), Unit.SKU, 20, 10, 300, (50.0, 70.0))),
    (HOLD, Hold(256, (3,), Unit.MMHG, 112.5, 3600)),
    (RELEASE, Release(1, (0, 1, 2, 3))),
    (RELEASE_ALL, ReleaseAll(2)),
    (READ_STATE, ReadState(3)),
    (SET_SITES, SetSites(4, (1, 3), (Site.LEFT_ARM, Site.RIGHT_LEG))),
]


def _with(base: bytes, offset: int, *values: int) -> bytes:
    data = bytearray(base)
    data[offset : offset + len(values)] = bytes(values)
    return bytes(data)


@pytest.mark.parametrize(("data", "command"), CASES)
def test_decode_and_encode_annotated_commands(data: bytes, command: object) -> None:
    assert decode_command(data) == command
    assert encode_command(command) == data  # type: ignore[arg-type]


def test_release_all_ignores_its_mask() -> None:
    # A release of everything is never refused over a reserved field.
    assert decode_command(_with(RELEASE_ALL, 3, 0xFF)) == ReleaseAll(2)
    assert decode_command(_with(READ_STATE, 3, 0x03)) == ReadState(3)


def test_set_sites_sorts_by_channel() -> None:
    unsorted = SetSites(4, (3, 1), (Site.RIGHT_LEG, Site.LEFT_ARM))
    assert encode_command(unsorted) == SET_SITES


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", Reason.TOO_SHORT),
        (b"\x09\x00\x00\x00", Reason.UNKNOWN_OPCODE),
        (b"\x00\x00\x00\x00", Reason.UNKNOWN_OPCODE),
        (b"\x03\x01", Reason.TOO_SHORT),
        (RUN_CYCLE[:11], Reason.TOO_SHORT),
        (RUN_CYCLE[:-1], Reason.TOO_SHORT),
        (RUN_CYCLE + b"\x00", Reason.TOO_LONG),
        (_with(RUN_CYCLE, 11, 0x00), Reason.OUT_OF_RANGE),  # 0 cycles
        (_with(RUN_CYCLE, 11, 0x21), Reason.OUT_OF_RANGE),  # 33 cycles
        (_with(RUN_CYCLE, 11, 0x03), Reason.TOO_SHORT),  # 3 cycles, 2 pressures
        (_with(RUN_CYCLE, 12, 0x00, 0x00), Reason.OUT_OF_RANGE),  # pressure 0.0
        (_with(RUN_CYCLE, 14, 0x89, 0x13), Reason.OUT_OF_RANGE),  # pressure 500.1
        (_with(RUN_CYCLE, 3, 0x00), Reason.OUT_OF_RANGE),  # no channel
        (_with(RUN_CYCLE, 3, 0x11), Reason.RESERVED_BITS),  # channel 4
        (_with(RUN_CYCLE, 4, 0x02), Reason.UNKNOWN_VALUE),  # unit 2
        (_with(RUN_CYCLE, 5, 0x00, 0x00), Reason.OUT_OF_RANGE),  # inflation 0 s
        (_with(RUN_CYCLE, 7, 0x11, 0x0E), Reason.OUT_OF_RANGE),  # deflation 3601 s
        (_with(RUN_CYCLE, 9, 0x00, 0x00), Reason.OUT_OF_RANGE),  # time-to-live 0 s
        (HOLD[:-1], Reason.TOO_SHORT),
        (HOLD + b"\x00", Reason.TOO_LONG),
        (_with(HOLD, 5, 0x00, 0x00), Reason.OUT_OF_RANGE),  # pressure 0.0
        (_with(HOLD, 7, 0x00, 0x00), Reason.OUT_OF_RANGE),  # time-to-live 0 s
        (_with(HOLD, 3, 0x00), Reason.OUT_OF_RANGE),  # no channel
        (_with(HOLD, 4, 0x05), Reason.UNKNOWN_VALUE),  # unit 5
        (_with(RELEASE, 3, 0x00), Reason.OUT_OF_RANGE),  # no channel
        (_with(RELEASE, 3, 0x80), Reason.RESERVED_BITS),  # channel 7
        (RELEASE + b"\x00", Reason.TOO_LONG),
        (RELEASE_ALL + b"\x00", Reason.TOO_LONG),
        (READ_STATE[:3], Reason.TOO_SHORT),
        (READ_STATE + b"\x00", Reason.TOO_LONG),
        (SET_SITES[:-1], Reason.TOO_SHORT),
        (SET_SITES + b"\x00", Reason.TOO_LONG),
        (_with(SET_SITES, 5, 0x05), Reason.UNKNOWN_VALUE),  # site 5
        (_with(SET_SITES, 3, 0x00), Reason.OUT_OF_RANGE),  # no channel
    ],
)
def test_malformed_commands(data: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_command(data)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (RunCycle(1, (0,), Unit.MMHG, 30, 5, 600, ()), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0,), Unit.MMHG, 30, 5, 600, (100.0,) * 33), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0,), Unit.MMHG, 0, 5, 600, (100.0,)), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0,), Unit.MMHG, 30, 3601, 600, (100.0,)), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0,), Unit.MMHG, 30, 5, 0, (100.0,)), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0,), Unit.MMHG, 30, 5, 600, (0.04,)), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0,), Unit.MMHG, 30, 5, 600, (float("inf"),)), Reason.OUT_OF_RANGE),
        (RunCycle(1, (), Unit.MMHG, 30, 5, 600, (100.0,)), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0, 0), Unit.MMHG, 30, 5, 600, (100.0,)), Reason.CHANNEL_MISMATCH),
        (RunCycle(1, (4,), Unit.MMHG, 30, 5, 600, (100.0,)), Reason.OUT_OF_RANGE),
        (RunCycle(1, (0,), "kPa", 30, 5, 600, (100.0,)), Reason.UNKNOWN_VALUE),
        (Hold(70000, (0,), Unit.MMHG, 100.0, 60), Reason.OUT_OF_RANGE),
        (Hold(1, (0,), Unit.MMHG, 500.1, 60), Reason.OUT_OF_RANGE),
        (Hold(1, 0, Unit.MMHG, 100.0, 60), Reason.OUT_OF_RANGE),
        (Release(1, ()), Reason.OUT_OF_RANGE),
        (ReleaseAll(-1), Reason.OUT_OF_RANGE),
        (SetSites(1, (0, 1), (Site.LEFT_ARM,)), Reason.CHANNEL_MISMATCH),
        (SetSites(1, (0,), (9,)), Reason.UNKNOWN_VALUE),
        ("RELEASE", Reason.UNKNOWN_OPCODE),
    ],
)
def test_encoding_validates(command: object, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        encode_command(command)  # type: ignore[arg-type]
    assert caught.value.reason is reason


def test_channel_masks() -> None:
    assert channels_to_mask((0, 3)) == 0b1001
    assert mask_to_channels(0b1001) == (0, 3)
    assert mask_to_channels(0) == ()


@pytest.mark.parametrize(
    ("previous", "current", "delta"),
    [
        (41, 42, 1),  # the next frame
        (65535, 0, 1),  # wrap
        (65534, 2, 4),  # three frames lost across the wrap
        (42, 42, 0),  # duplicate
        (42, 40, -2),  # went backwards: device restarted
        (0, 0x8000, 0x8000),
        (0, 0x8001, -0x7FFF),
    ],
)
def test_sequence_delta(previous: int, current: int, delta: int) -> None:
    assert sequence_delta(previous, current) == delta


def test_next_sequence_wraps() -> None:
    assert next_sequence(65535) == 0
    assert next_sequence(7) == 8


def test_opcodes_match_the_wire() -> None:
    assert [int(op) for op in Opcode] == [0, 1, 2, 3, 4, 5, 6]


def test_a_huge_finite_pressure_is_out_of_range_not_an_overflow() -> None:
    from devices.protocol import Hold, ProtocolError, encode
    from devices.protocol.errors import Reason
    from devices.protocol.types import Unit

    with pytest.raises(ProtocolError) as err:
        encode(Hold(sequence=1, channels=(0,), unit=Unit.MMHG, pressure=1.8e307, ttl_s=60))
    assert err.value.reason is Reason.OUT_OF_RANGE
