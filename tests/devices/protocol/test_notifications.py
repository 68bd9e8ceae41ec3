"""Status, Command Result, Device Configuration and Heartbeat frames."""

from __future__ import annotations

import dataclasses

import pytest

from devices.protocol import (
    CommandResult,
    DeviceConfig,
    Fault,
    Heartbeat,
    Opcode,
    ProtocolError,
    Reason,
    ResultCode,
    Site,
    StatusFrame,
    Unit,
    WatchdogState,
    decode_command_result,
    decode_device_config,
    decode_heartbeat,
    decode_status,
    encode,
    encode_command_result,
    encode_device_config,
    encode_heartbeat,
    encode_status,
)

STATUS = bytes([
    0x32,                    # battery 50 %
    0x40,                    # device faults: PUMP_FAULT
    0x01,                    # watchdog armed
    0x2C, 0x01, 0x00, 0x00,  # uptime 300 s
    0x09, 0x00,              # heartbeat counter 9
    0x02,                    # 2 channels
    0x22,                    # ch0 OVER_PRESSURE | TTL_RELEASE
    0x04,                    # ch1 SENSOR_FAULT
])  # fmt: skip
STATUS_FRAME = StatusFrame(
    battery_percent=50,
    device_faults=Fault.PUMP_FAULT,
    watchdog=WatchdogState.ARMED,
    uptime_s=300,
    heartbeat_counter=9,
    channel_faults=(Fault.OVER_PRESSURE | Fault.TTL_RELEASE, Fault.SENSOR_FAULT),
)

RESULT = bytes([
    0xFF, 0xFF,  # sequence 65535
    0x00,        # opcode unknown (NONE)
    0x01,        # result BAD_COMMAND
    0x00,        # no channels
])  # fmt: skip
RESULT_FRAME = CommandResult(0xFFFF, Opcode.NONE, ResultCode.BAD_COMMAND, ())

CONFIG = bytes([
    0x01,        # protocol major 1
    0x03,        # protocol minor 3 (any minor of major 1 is accepted)
    0x02,        # 2 channels
    0x01,        # unit SKU
    0xA0, 0x0F,  # max pressure 400.0
    0x84, 0x03,  # max time-to-live 900 s
    0x78, 0x00,  # max inflation 120 s
    0x1E, 0x00,  # max deflation 30 s
    0x05,        # max cycles 5
    0xDC, 0x05,  # heartbeat timeout 1500 ms
    0x00,        # ch0 unassigned
    0x03,        # ch1 left leg
])  # fmt: skip
CONFIG_FRAME = DeviceConfig(
    1, 3, Unit.SKU, 400.0, 900, 120, 30, 5, 1500, (Site.UNASSIGNED, Site.LEFT_LEG)
)


def _with(base: bytes, offset: int, *values: int) -> bytes:
    data = bytearray(base)
    data[offset : offset + len(values)] = bytes(values)
    return bytes(data)


def test_status_round_trip() -> None:
    assert decode_status(STATUS) == STATUS_FRAME
    assert encode_status(STATUS_FRAME) == STATUS


def test_status_unknown_battery_is_none() -> None:
    assert decode_status(_with(STATUS, 0, 0xFF)).battery_percent is None
    assert encode_status(dataclasses.replace(STATUS_FRAME, battery_percent=None))[0] == 0xFF


def test_command_result_round_trip() -> None:
    assert decode_command_result(RESULT) == RESULT_FRAME
    assert encode_command_result(RESULT_FRAME) == RESULT


def test_device_config_round_trip() -> None:
    assert decode_device_config(CONFIG) == CONFIG_FRAME
    assert encode_device_config(CONFIG_FRAME) == CONFIG
    assert CONFIG_FRAME.channel_count == 2


def test_heartbeat_round_trip() -> None:
    data = bytes([0x34, 0x12])  # counter 0x1234
    assert decode_heartbeat(data) == Heartbeat(0x1234)
    assert encode_heartbeat(Heartbeat(0x1234)) == data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (STATUS[:9], Reason.TOO_SHORT),
        (STATUS[:-1], Reason.TOO_SHORT),
        (STATUS + b"\x00", Reason.TOO_LONG),
        (_with(STATUS, 9, 0x03), Reason.CHANNEL_COUNT),
        (_with(STATUS, 0, 0x65), Reason.OUT_OF_RANGE),  # battery 101 %
        (_with(STATUS, 1, 0x80), Reason.RESERVED_BITS),  # device fault bit 7
        (_with(STATUS, 11, 0x80), Reason.RESERVED_BITS),  # channel fault bit 7
        (_with(STATUS, 2, 0x03), Reason.UNKNOWN_VALUE),  # watchdog state 3
    ],
)
def test_status_errors(data: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_status(data)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (RESULT[:4], Reason.TOO_SHORT),
        (RESULT + b"\x00", Reason.TOO_LONG),
        (_with(RESULT, 2, 0x07), Reason.UNKNOWN_OPCODE),
        (_with(RESULT, 3, 0x08), Reason.UNKNOWN_VALUE),  # result code 8
        (_with(RESULT, 4, 0x10), Reason.RESERVED_BITS),  # channel 4 does not exist
    ],
)
def test_command_result_errors(data: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_command_result(data)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", Reason.TOO_SHORT),
        (_with(CONFIG, 0, 0x02), Reason.UNSUPPORTED_VERSION),
        (b"\x02", Reason.UNSUPPORTED_VERSION),  # the version check needs only the first byte
        (CONFIG[:14], Reason.TOO_SHORT),
        (CONFIG[:-1], Reason.TOO_SHORT),
        (CONFIG + b"\x00", Reason.TOO_LONG),
        (_with(CONFIG, 2, 0x01), Reason.CHANNEL_COUNT),
        (_with(CONFIG, 3, 0x02), Reason.UNKNOWN_VALUE),  # unit 2
        (_with(CONFIG, 4, 0x00, 0x00), Reason.OUT_OF_RANGE),  # max pressure 0
        (_with(CONFIG, 4, 0x89, 0x13), Reason.OUT_OF_RANGE),  # max pressure 500.1
        (_with(CONFIG, 6, 0x11, 0x0E), Reason.OUT_OF_RANGE),  # max ttl 3601 s
        (_with(CONFIG, 8, 0x00, 0x00), Reason.OUT_OF_RANGE),  # max inflation 0 s
        (_with(CONFIG, 10, 0x00, 0x00), Reason.OUT_OF_RANGE),  # max deflation 0 s
        (_with(CONFIG, 12, 0x21), Reason.OUT_OF_RANGE),  # max cycles 33
        (_with(CONFIG, 13, 0xD1, 0x07), Reason.OUT_OF_RANGE),  # heartbeat timeout 2001 ms
        (_with(CONFIG, 16, 0x05), Reason.UNKNOWN_VALUE),  # site 5
    ],
)
def test_device_config_errors(data: bytes, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_device_config(data)
    assert caught.value.reason is reason


@pytest.mark.parametrize("data", [b"\x01", b"\x01\x02\x03"])
def test_heartbeat_length_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_heartbeat(data)


_r = dataclasses.replace
_STATUS, _RESULT, _CONFIG = STATUS_FRAME, RESULT_FRAME, CONFIG_FRAME


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (_r(_STATUS, battery_percent=101), Reason.OUT_OF_RANGE),
        (_r(_STATUS, channel_faults=()), Reason.CHANNEL_COUNT),
        (_r(_STATUS, device_faults=0x80), Reason.RESERVED_BITS),
        (_r(_STATUS, watchdog=5), Reason.UNKNOWN_VALUE),
        (_r(_STATUS, uptime_s=2**32), Reason.OUT_OF_RANGE),
        (_r(_RESULT, channels=(4,)), Reason.OUT_OF_RANGE),
        (_r(_RESULT, channels=(1, 1)), Reason.CHANNEL_MISMATCH),
        (_r(_RESULT, channels=None), Reason.OUT_OF_RANGE),
        (_r(_RESULT, result=99), Reason.UNKNOWN_VALUE),
        (_r(_CONFIG, protocol_major=2), Reason.OUT_OF_RANGE),
        (_r(_CONFIG, sites=(Site.LEFT_ARM,) * 3), Reason.CHANNEL_COUNT),
        (_r(_CONFIG, max_pressure=0.0), Reason.OUT_OF_RANGE),
        (_r(_CONFIG, heartbeat_timeout_ms=2500), Reason.OUT_OF_RANGE),
        (Heartbeat(-1), Reason.OUT_OF_RANGE),
    ],
)
def test_encoding_validates(frame: object, reason: Reason) -> None:
    with pytest.raises(ProtocolError) as caught:
        encode(frame)  # type: ignore[arg-type]
    assert caught.value.reason is reason
