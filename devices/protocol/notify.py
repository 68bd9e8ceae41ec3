"""Codec of the device-to-app frames: Pressure Stream, Status, Command Result, Device Config.

Also the Heartbeat write, the one app-to-device frame outside the control point.
Decoders raise nothing but ProtocolError, whatever the bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any, Final

from devices.protocol._wire import (
    as_bytes,
    check_length,
    decode_channels,
    decode_enum,
    decode_fault,
    encode_channels,
    encode_enum,
    encode_fault,
    encode_tenths,
    encode_uint,
    fail,
)
from devices.protocol.errors import ProtocolError, Reason
from devices.protocol.frames import (
    CHANNEL_COUNTS,
    CYCLES_MAX,
    PROTOCOL_MAJOR,
    READING_MAX,
    READING_MIN,
    SECONDS_MAX,
    SENSOR_FAULT_RAW,
    TARGET_MAX,
    ChannelSample,
    CommandResult,
    DeviceConfig,
    Heartbeat,
    Opcode,
    PressureFrame,
    StatusFrame,
    WatchdogState,
)
from devices.protocol.types import Phase, ResultCode, Site, Unit

# Precompiled little-endian layouts, no padding.
_STREAM_HEADER: Final = struct.Struct("<HIBB")  # sequence, device time, unit, channel count
_STREAM_CHANNEL: Final = "hHBBBBH"  # pressure, target, phase, flags, cycle, cycle count, left
STREAM_LAYOUTS: Final = {n: struct.Struct("<HIBB" + _STREAM_CHANNEL * n) for n in CHANNEL_COUNTS}
_STREAM_BY_LENGTH: Final = {s.size: (n, s) for n, s in STREAM_LAYOUTS.items()}
_STREAM_HEADER_SIZE: Final = _STREAM_HEADER.size
_STREAM_CHANNEL_SIZE: Final = struct.calcsize("<" + _STREAM_CHANNEL)
_STATUS_HEADER: Final = struct.Struct("<BBBIHB")  # battery, faults, watchdog, uptime, hb, count
_RESULT: Final = struct.Struct("<HBBB")  # sequence, opcode, result, channel mask
_CONFIG_HEADER: Final = struct.Struct("<BBBBHHHHBH")
_HEARTBEAT: Final = struct.Struct("<H")

_READING_RAW_MIN: Final = round(READING_MIN * 10)
_READING_RAW_MAX: Final = round(READING_MAX * 10)
_TARGET_RAW_MAX: Final = round(TARGET_MAX * 10)
_FLAG_PUMP: Final = 0x01
_FLAG_VALVE: Final = 0x02
_BATTERY_UNKNOWN: Final = 0xFF
HEARTBEAT_TIMEOUT_RANGE_MS: Final = (1000, 2000)

# Tuples indexed by the raw byte: the fastest enum look-up on the hot path.
_PHASES: Final = tuple(Phase(i) for i in range(len(Phase)))
_UNITS: Final = tuple(Unit(i) for i in range(len(Unit)))


# --- Pressure Stream ---------------------------------------------------------------------------


# One channel of a Pressure Stream frame as plain values, in ChannelSample's field order:
# (pressure, target, phase, pump_on, valve_open, cycle, cycle_count, seconds_left).
StreamRow = tuple[Any, Any, Any, Any, Any, Any, Any, Any]


def encode_pressure_frame(frame: PressureFrame) -> bytes:
    """Pressure Stream notification bytes."""
    return encode_pressure_rows(
        frame.sequence,
        frame.device_time_ms,
        frame.unit,
        [
            (
                ch.pressure,
                ch.target,
                ch.phase,
                ch.pump_on,
                ch.valve_open,
                ch.cycle,
                ch.cycle_count,
                ch.seconds_left,
            )
            for ch in frame.channels
        ],
    )


def encode_pressure_rows(
    sequence: Any, device_time: Any, unit: Any, rows: Sequence[StreamRow]
) -> bytes:
    """Pressure Stream bytes from the frame's fields and one `StreamRow` per channel.

    The same bytes, or the same error, as `encode_pressure_frame` of the frame these values
    make, without building the frame: a device encodes its stream 50-100 times a second.
    """
    # Each field takes an inline fast path for the plain, in-range value and otherwise the
    # checked helper, which gives the same bytes or raises the same error in the same field
    # order (`_encode_pressure_frame_checked`).
    count = len(rows)
    layout = STREAM_LAYOUTS.get(count)
    if layout is None:
        raise fail(Reason.CHANNEL_COUNT, f"{count} channels")
    values: list[int] = [
        sequence
        if type(sequence) is int and 0 <= sequence <= 0xFFFF
        else encode_uint(sequence, 0, 0xFFFF, "sequence"),
        device_time
        if type(device_time) is int and 0 <= device_time <= 0xFFFFFFFF
        else encode_uint(device_time, 0, 0xFFFFFFFF, "device time"),
        unit._value_ if type(unit) is Unit else encode_enum(Unit, unit, "unit"),
        count,
    ]
    for i, (p, t, phase, pump_on, valve_open, cycle, cycle_count, left) in enumerate(rows):
        if p is None:
            pressure = SENSOR_FAULT_RAW
        else:
            # The bounds exclude NaN and infinities, which take the checked path and fail there.
            pressure = round(p * 10) if type(p) is float and -1e6 < p < 1e6 else None
            if pressure is None or not _READING_RAW_MIN <= pressure <= _READING_RAW_MAX:
                pressure = encode_tenths(
                    p, _READING_RAW_MIN, _READING_RAW_MAX, f"channel {i} pressure"
                )
        if not (type(cycle_count) is int and 0 <= cycle_count <= CYCLES_MAX):
            cycle_count = encode_uint(cycle_count, 0, CYCLES_MAX, f"channel {i} cycle count")
        low = 1 if cycle_count else 0
        if not (type(cycle) is int and low <= cycle <= cycle_count):
            cycle = encode_uint(cycle, low, cycle_count, f"channel {i} cycle")
        target = round(t * 10) if type(t) is float and -1e6 < t < 1e6 else None
        if target is None or not 0 <= target <= _TARGET_RAW_MAX:
            target = encode_tenths(t, 0, _TARGET_RAW_MAX, f"channel {i} target")
        values += (
            pressure,
            target,
            phase._value_
            if type(phase) is Phase
            else encode_enum(Phase, phase, f"channel {i} phase"),
            (_FLAG_PUMP if pump_on else 0) | (_FLAG_VALVE if valve_open else 0),
            cycle,
            cycle_count,
            left
            if type(left) is int and 0 <= left <= 0xFFFF
            else encode_uint(left, 0, 0xFFFF, f"channel {i} seconds left"),
        )
    return layout.pack(*values)


def _encode_pressure_frame_checked(frame: PressureFrame) -> bytes:
    """The reference encoder, every field through its checked helper (tests compare the two)."""
    count = len(frame.channels)
    layout = STREAM_LAYOUTS.get(count)
    if layout is None:
        raise fail(Reason.CHANNEL_COUNT, f"{count} channels")
    values: list[int] = [
        encode_uint(frame.sequence, 0, 0xFFFF, "sequence"),
        encode_uint(frame.device_time_ms, 0, 0xFFFFFFFF, "device time"),
        encode_enum(Unit, frame.unit, "unit"),
        count,
    ]
    for i, ch in enumerate(frame.channels):
        what = f"channel {i}"
        if ch.pressure is None:
            pressure = SENSOR_FAULT_RAW
        else:
            pressure = encode_tenths(
                ch.pressure, _READING_RAW_MIN, _READING_RAW_MAX, f"{what} pressure"
            )
        cycle_count = encode_uint(ch.cycle_count, 0, CYCLES_MAX, f"{what} cycle count")
        cycle = encode_uint(ch.cycle, 1 if cycle_count else 0, cycle_count, f"{what} cycle")
        values += (
            pressure,
            encode_tenths(ch.target, 0, _TARGET_RAW_MAX, f"{what} target"),
            encode_enum(Phase, ch.phase, f"{what} phase"),
            (_FLAG_PUMP if ch.pump_on else 0) | (_FLAG_VALVE if ch.valve_open else 0),
            cycle,
            cycle_count,
            encode_uint(ch.seconds_left, 0, 0xFFFF, f"{what} seconds left"),
        )
    return layout.pack(*values)


def _stream_length_error(data: bytes) -> ProtocolError:
    size = len(data)
    if size < _STREAM_HEADER.size:
        return fail(Reason.TOO_SHORT, f"pressure frame: {size} bytes")
    count = data[7]
    if count not in STREAM_LAYOUTS:
        return fail(Reason.CHANNEL_COUNT, f"pressure frame declares {count} channels")
    expected = STREAM_LAYOUTS[count].size
    reason = Reason.TOO_SHORT if size < expected else Reason.TOO_LONG
    return fail(reason, f"pressure frame: {size} bytes for {count} channels, expected {expected}")


def decode_pressure_frame(data: bytes | bytearray | memoryview) -> PressureFrame:
    """Decode a Pressure Stream notification."""
    return _decode_pressure_frame(as_bytes(data), b"", ())


class PressureStreamDecoder:
    """Decodes one device's successive Pressure Stream notifications, as `decode_pressure_frame`.

    A channel whose bytes are those of the previous frame gets the previous frame's (immutable)
    ChannelSample back instead of a new, equal one: a band at rest sends the same bytes frame
    after frame, and building the sample is most of the decoding. The frame, and any error, is
    what `decode_pressure_frame` gives, since a channel's checks depend on its bytes alone.
    """

    __slots__ = ("_data", "_samples")

    def __init__(self) -> None:
        self._data = b""
        self._samples: tuple[ChannelSample, ...] = ()

    def __call__(self, data: bytes | bytearray | memoryview) -> PressureFrame:
        """Decode one notification."""
        raw = as_bytes(data)
        frame = _decode_pressure_frame(raw, self._data, self._samples)
        self._data, self._samples = raw, frame.channels
        return frame


def _decode_pressure_frame(
    data: bytes, previous: bytes, previous_samples: tuple[ChannelSample, ...]
) -> PressureFrame:
    entry = _STREAM_BY_LENGTH.get(len(data))
    if entry is None:
        raise _stream_length_error(data)
    count, layout = entry
    values = layout.unpack(data)
    unit_raw, declared = values[2], values[3]
    if declared != count:
        if declared not in STREAM_LAYOUTS:
            raise fail(Reason.CHANNEL_COUNT, f"pressure frame declares {declared} channels")
        raise fail(Reason.CHANNEL_MISMATCH, f"{count}-channel frame declares {declared} channels")
    if unit_raw >= len(_UNITS):
        raise fail(Reason.UNKNOWN_VALUE, f"unit 0x{unit_raw:02x}")
    reuse = len(previous) == len(data) and len(previous_samples) == count
    samples = []
    for j, i in enumerate(range(4, 4 + 7 * count, 7)):
        if reuse:
            at = _STREAM_HEADER_SIZE + _STREAM_CHANNEL_SIZE * j
            if data[at : at + _STREAM_CHANNEL_SIZE] == previous[at : at + _STREAM_CHANNEL_SIZE]:
                samples.append(previous_samples[j])
                continue
        pressure, target, phase, flags, cycle, cycle_count, seconds_left = values[i : i + 7]
        if pressure == SENSOR_FAULT_RAW:
            reading = None
        elif _READING_RAW_MIN <= pressure <= _READING_RAW_MAX:
            reading = pressure / 10
        else:
            raise fail(Reason.OUT_OF_RANGE, f"pressure {pressure / 10}")
        if target > _TARGET_RAW_MAX:
            raise fail(Reason.OUT_OF_RANGE, f"target {target / 10}")
        if phase >= len(_PHASES):
            raise fail(Reason.UNKNOWN_VALUE, f"phase 0x{phase:02x}")
        if flags & ~(_FLAG_PUMP | _FLAG_VALVE):
            raise fail(Reason.RESERVED_BITS, f"channel flags 0x{flags:02x}")
        if cycle_count > CYCLES_MAX or cycle > cycle_count or (cycle == 0) != (cycle_count == 0):
            raise fail(Reason.OUT_OF_RANGE, f"cycle {cycle} of {cycle_count}")
        samples.append(
            ChannelSample(
                reading,
                target / 10,
                _PHASES[phase],
                bool(flags & _FLAG_PUMP),
                bool(flags & _FLAG_VALVE),
                cycle,
                cycle_count,
                seconds_left,
            )
        )
    return PressureFrame(values[0], values[1], _UNITS[unit_raw], tuple(samples))


# --- Status ---------------------------------------------------------------------------------------


def encode_status(frame: StatusFrame) -> bytes:
    """Status notification bytes."""
    count = len(frame.channel_faults)
    if count not in CHANNEL_COUNTS:
        raise fail(Reason.CHANNEL_COUNT, f"{count} channels")
    battery = frame.battery_percent
    header = _STATUS_HEADER.pack(
        _BATTERY_UNKNOWN if battery is None else encode_uint(battery, 0, 100, "battery"),
        encode_fault(frame.device_faults, "device faults"),
        encode_enum(WatchdogState, frame.watchdog, "watchdog state"),
        encode_uint(frame.uptime_s, 0, 0xFFFFFFFF, "uptime"),
        encode_uint(frame.heartbeat_counter, 0, 0xFFFF, "heartbeat counter"),
        count,
    )
    faults = bytes(
        encode_fault(f, f"channel {i} faults") for i, f in enumerate(frame.channel_faults)
    )
    return header + faults


def decode_status(data: bytes | bytearray | memoryview) -> StatusFrame:
    """Decode a Status notification (or read)."""
    data = as_bytes(data)
    if len(data) < _STATUS_HEADER.size:
        raise fail(Reason.TOO_SHORT, f"status: {len(data)} bytes")
    battery, faults, watchdog, uptime, counter, count = _STATUS_HEADER.unpack_from(data)
    if count not in CHANNEL_COUNTS:
        raise fail(Reason.CHANNEL_COUNT, f"status declares {count} channels")
    check_length(data, _STATUS_HEADER.size + count, "status")
    if battery > 100 and battery != _BATTERY_UNKNOWN:
        raise fail(Reason.OUT_OF_RANGE, f"battery {battery} %")
    return StatusFrame(
        None if battery == _BATTERY_UNKNOWN else battery,
        decode_fault(faults, "device faults"),
        decode_enum(WatchdogState, watchdog, "watchdog state"),
        uptime,
        counter,
        tuple(
            decode_fault(raw, f"channel {i} faults")
            for i, raw in enumerate(data[_STATUS_HEADER.size :])
        ),
    )


# --- Command Result -------------------------------------------------------------------------------


def encode_command_result(result: CommandResult) -> bytes:
    """Command Result notification bytes."""
    return _RESULT.pack(
        encode_uint(result.sequence, 0, 0xFFFF, "sequence"),
        encode_enum(Opcode, result.opcode, "opcode"),
        encode_enum(ResultCode, result.result, "result code"),
        encode_channels(result.channels, "result", allow_empty=True),
    )


def decode_command_result(data: bytes | bytearray | memoryview) -> CommandResult:
    """Decode a Command Result notification."""
    data = as_bytes(data)
    check_length(data, _RESULT.size, "command result")
    sequence, opcode, result, mask = _RESULT.unpack(data)
    if opcode not in Opcode._value2member_map_:
        raise fail(Reason.UNKNOWN_OPCODE, f"result for opcode 0x{opcode:02x}")
    return CommandResult(
        sequence,
        Opcode(opcode),
        decode_enum(ResultCode, result, "result code"),
        decode_channels(mask, "result"),
    )


# --- Device Configuration -------------------------------------------------------------------------


def encode_device_config(config: DeviceConfig) -> bytes:
    """Device Configuration value bytes."""
    count = len(config.sites)
    if count not in CHANNEL_COUNTS:
        raise fail(Reason.CHANNEL_COUNT, f"{count} channels")
    header = _CONFIG_HEADER.pack(
        encode_uint(config.protocol_major, PROTOCOL_MAJOR, PROTOCOL_MAJOR, "protocol major"),
        encode_uint(config.protocol_minor, 0, 0xFF, "protocol minor"),
        count,
        encode_enum(Unit, config.unit, "unit"),
        encode_tenths(config.max_pressure, 1, _TARGET_RAW_MAX, "max pressure"),
        encode_uint(config.max_ttl_s, 1, SECONDS_MAX, "max ttl"),
        encode_uint(config.max_inflation_s, 1, SECONDS_MAX, "max inflation"),
        encode_uint(config.max_deflation_s, 1, SECONDS_MAX, "max deflation"),
        encode_uint(config.max_cycles, 1, CYCLES_MAX, "max cycles"),
        encode_uint(config.heartbeat_timeout_ms, *HEARTBEAT_TIMEOUT_RANGE_MS, "heartbeat timeout"),
    )
    return header + bytes(encode_enum(Site, s, f"site {i}") for i, s in enumerate(config.sites))


def _config_range(value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise fail(Reason.OUT_OF_RANGE, f"{what} {value} not in {low}..{high}")
    return value


def decode_device_config(data: bytes | bytearray | memoryview) -> DeviceConfig:
    """Decode the Device Configuration value; refuses a protocol major other than ours."""
    data = as_bytes(data)
    # Offsets 0-1 (the version) never move, so the check comes before any other field.
    if len(data) >= 1 and data[0] != PROTOCOL_MAJOR:
        raise fail(
            Reason.UNSUPPORTED_VERSION, f"device speaks {data[0]}, we speak {PROTOCOL_MAJOR}"
        )
    if len(data) < _CONFIG_HEADER.size:
        raise fail(Reason.TOO_SHORT, f"device configuration: {len(data)} bytes")
    (major, minor, count, unit, max_pressure, max_ttl, max_infl, max_defl, max_cycles, hb) = (
        _CONFIG_HEADER.unpack_from(data)
    )
    if count not in CHANNEL_COUNTS:
        raise fail(Reason.CHANNEL_COUNT, f"device configuration declares {count} channels")
    check_length(data, _CONFIG_HEADER.size + count, "device configuration")
    return DeviceConfig(
        major,
        minor,
        decode_enum(Unit, unit, "unit"),
        _config_range(max_pressure, 1, _TARGET_RAW_MAX, "max pressure (0.1 unit)") / 10,
        _config_range(max_ttl, 1, SECONDS_MAX, "max ttl"),
        _config_range(max_infl, 1, SECONDS_MAX, "max inflation"),
        _config_range(max_defl, 1, SECONDS_MAX, "max deflation"),
        _config_range(max_cycles, 1, CYCLES_MAX, "max cycles"),
        _config_range(hb, *HEARTBEAT_TIMEOUT_RANGE_MS, "heartbeat timeout"),
        tuple(
            decode_enum(Site, raw, f"site {i}") for i, raw in enumerate(data[_CONFIG_HEADER.size :])
        ),
    )


# --- Heartbeat ------------------------------------------------------------------------------------


def encode_heartbeat(heartbeat: Heartbeat) -> bytes:
    """Heartbeat write bytes."""
    return _HEARTBEAT.pack(encode_uint(heartbeat.counter, 0, 0xFFFF, "heartbeat counter"))


def decode_heartbeat(data: bytes | bytearray | memoryview) -> Heartbeat:
    """Decode a Heartbeat write (device side)."""
    data = as_bytes(data)
    check_length(data, _HEARTBEAT.size, "heartbeat")
    return Heartbeat(_HEARTBEAT.unpack(data)[0])
