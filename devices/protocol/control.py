"""Codec of the Control Point commands (app -> device, write with response)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Final

from devices.protocol._wire import (
    as_bytes,
    check_length,
    decode_channels,
    decode_enum,
    encode_channels,
    encode_enum,
    encode_tenths,
    encode_uint,
    fail,
)
from devices.protocol.errors import Reason
from devices.protocol.frames import (
    CYCLES_MAX,
    SECONDS_MAX,
    TARGET_MAX,
    Command,
    Hold,
    Opcode,
    ReadState,
    Release,
    ReleaseAll,
    RunCycle,
    SetSites,
)
from devices.protocol.types import Site, Unit

_HEADER: Final = struct.Struct("<BHB")  # opcode, sequence, channel mask
_RUN_CYCLE: Final = struct.Struct("<BHBBHHHB")  # header, unit, inflation, deflation, ttl, cycles
_HOLD: Final = struct.Struct("<BHBBHH")  # header, unit, pressure, ttl
_PRESSURES: Final = {n: struct.Struct(f"<{n}H") for n in range(1, CYCLES_MAX + 1)}
_PRESSURE_RAW_MAX: Final = round(TARGET_MAX * 10)


def _sequence(command: Command) -> int:
    return encode_uint(command.sequence, 0, 0xFFFF, "sequence")


def _seconds(value: object, what: str) -> int:
    return encode_uint(value, 1, SECONDS_MAX, what)


def encode_command(command: Command) -> bytes:
    """Control Point write bytes for one command."""
    if isinstance(command, RunCycle):
        count = len(command.pressures) if isinstance(command.pressures, tuple | list) else 0
        encode_uint(count, 1, CYCLES_MAX, "number of cycles")
        pressures = [
            encode_tenths(p, 1, _PRESSURE_RAW_MAX, f"cycle {i + 1} pressure")
            for i, p in enumerate(command.pressures)
        ]
        return _RUN_CYCLE.pack(
            Opcode.RUN_CYCLE,
            _sequence(command),
            encode_channels(command.channels, "run cycle"),
            encode_enum(Unit, command.unit, "unit"),
            _seconds(command.inflation_s, "inflation seconds"),
            _seconds(command.deflation_s, "deflation seconds"),
            _seconds(command.ttl_s, "time-to-live"),
            count,
        ) + _PRESSURES[count].pack(*pressures)
    if isinstance(command, Hold):
        return _HOLD.pack(
            Opcode.HOLD,
            _sequence(command),
            encode_channels(command.channels, "hold"),
            encode_enum(Unit, command.unit, "unit"),
            encode_tenths(command.pressure, 1, _PRESSURE_RAW_MAX, "hold pressure"),
            _seconds(command.ttl_s, "time-to-live"),
        )
    if isinstance(command, Release):
        return _HEADER.pack(
            Opcode.RELEASE, _sequence(command), encode_channels(command.channels, "release")
        )
    if isinstance(command, ReleaseAll):
        return _HEADER.pack(Opcode.RELEASE_ALL, _sequence(command), 0)
    if isinstance(command, ReadState):
        return _HEADER.pack(Opcode.READ_STATE, _sequence(command), 0)
    if isinstance(command, SetSites):
        mask = encode_channels(command.channels, "set sites")
        if not isinstance(command.sites, tuple | list) or len(command.sites) != len(
            command.channels
        ):
            raise fail(Reason.CHANNEL_MISMATCH, "set sites needs one site per channel")
        # Sites travel in ascending channel order, whatever order the caller gave.
        by_channel = dict(zip(command.channels, command.sites, strict=True))
        sites = bytes(
            encode_enum(Site, by_channel[ch], f"site of channel {ch}") for ch in sorted(by_channel)
        )
        return _HEADER.pack(Opcode.SET_SITES, _sequence(command), mask) + sites
    raise fail(Reason.UNKNOWN_OPCODE, f"not a command: {type(command).__name__}")


def _decode_run_cycle(data: bytes, sequence: int, mask: int) -> RunCycle:
    if len(data) < _RUN_CYCLE.size:
        raise fail(Reason.TOO_SHORT, f"run cycle: {len(data)} bytes")
    _, _, _, unit, inflation, deflation, ttl, count = _RUN_CYCLE.unpack_from(data)
    if not 1 <= count <= CYCLES_MAX:
        raise fail(Reason.OUT_OF_RANGE, f"number of cycles {count}")
    check_length(data, _RUN_CYCLE.size + 2 * count, f"run cycle of {count} cycles")
    pressures = _PRESSURES[count].unpack_from(data, _RUN_CYCLE.size)
    for raw in pressures:
        if not 1 <= raw <= _PRESSURE_RAW_MAX:
            raise fail(Reason.OUT_OF_RANGE, f"cycle pressure {raw / 10}")
    return RunCycle(
        sequence,
        _needs_channels(mask, "run cycle"),
        decode_enum(Unit, unit, "unit"),
        _decode_seconds(inflation, "inflation seconds"),
        _decode_seconds(deflation, "deflation seconds"),
        _decode_seconds(ttl, "time-to-live"),
        tuple(raw / 10 for raw in pressures),
    )


def _decode_hold(data: bytes, sequence: int, mask: int) -> Hold:
    check_length(data, _HOLD.size, "hold")
    _, _, _, unit, pressure, ttl = _HOLD.unpack(data)
    if not 1 <= pressure <= _PRESSURE_RAW_MAX:
        raise fail(Reason.OUT_OF_RANGE, f"hold pressure {pressure / 10}")
    return Hold(
        sequence,
        _needs_channels(mask, "hold"),
        decode_enum(Unit, unit, "unit"),
        pressure / 10,
        _decode_seconds(ttl, "time-to-live"),
    )


def _decode_release(data: bytes, sequence: int, mask: int) -> Release:
    check_length(data, _HEADER.size, "release")
    return Release(sequence, _needs_channels(mask, "release"))


def _decode_release_all(data: bytes, sequence: int, mask: int) -> ReleaseAll:
    # The mask is ignored: a release of everything is never refused over a reserved field.
    check_length(data, _HEADER.size, "release all")
    return ReleaseAll(sequence)


def _decode_read_state(data: bytes, sequence: int, mask: int) -> ReadState:
    check_length(data, _HEADER.size, "read state")
    return ReadState(sequence)


def _decode_set_sites(data: bytes, sequence: int, mask: int) -> SetSites:
    channels = _needs_channels(mask, "set sites")
    check_length(data, _HEADER.size + len(channels), f"set sites for {len(channels)} channels")
    sites = tuple(
        decode_enum(Site, raw, f"site of channel {ch}")
        for ch, raw in zip(channels, data[_HEADER.size :], strict=True)
    )
    return SetSites(sequence, channels, sites)


def _needs_channels(mask: int, what: str) -> tuple[int, ...]:
    channels = decode_channels(mask, what)
    if not channels:
        raise fail(Reason.OUT_OF_RANGE, f"{what}: empty channel mask")
    return channels


def _decode_seconds(value: int, what: str) -> int:
    if not 1 <= value <= SECONDS_MAX:
        raise fail(Reason.OUT_OF_RANGE, f"{what} {value} not in 1..{SECONDS_MAX}")
    return value


_DECODERS: Final[dict[int, Callable[[bytes, int, int], Command]]] = {
    Opcode.RUN_CYCLE: _decode_run_cycle,
    Opcode.HOLD: _decode_hold,
    Opcode.RELEASE: _decode_release,
    Opcode.RELEASE_ALL: _decode_release_all,
    Opcode.READ_STATE: _decode_read_state,
    Opcode.SET_SITES: _decode_set_sites,
}


def decode_command(data: bytes | bytearray | memoryview) -> Command:
    """Decode a Control Point write (device side)."""
    data = as_bytes(data)
    if not data:
        raise fail(Reason.TOO_SHORT, "empty command")
    decoder = _DECODERS.get(data[0])
    if decoder is None:
        raise fail(Reason.UNKNOWN_OPCODE, f"opcode 0x{data[0]:02x}")
    if len(data) < _HEADER.size:
        raise fail(Reason.TOO_SHORT, f"command: {len(data)} bytes")
    _, sequence, mask = _HEADER.unpack_from(data)
    return decoder(data, sequence, mask)
