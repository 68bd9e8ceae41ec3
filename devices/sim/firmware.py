"""The simulated cuff's firmware side of the GATT profile: bytes in, model calls, frames out.

Decodes Control Point and Heartbeat writes with the project codec, dispatches them to the
`SimulatedCuff` model, and builds the Command Result, Pressure Stream, Status and Device
Configuration values that docs/device-protocol.md describes. Every decision about a command
(check order, result codes) belongs to the model; this module only translates between the wire
and the model, so the radio side (`devices/sim/host.py`) stays about timing and the link.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Final

from devices.protocol import (
    ProtocolError,
    decode_command,
    decode_heartbeat,
    encode_pressure_rows,
    mask_to_channels,
)
from devices.protocol.frames import (
    OPCODE_OF,
    PROTOCOL_MAJOR,
    PROTOCOL_MINOR,
    READING_MAX,
    READING_MIN,
    ChannelSample,
    Command,
    CommandResult,
    DeviceConfig,
    Hold,
    Opcode,
    PressureFrame,
    ReadState,
    Release,
    ReleaseAll,
    RunCycle,
    StatusFrame,
    WatchdogState,
)
from devices.protocol.types import Phase, ResultCode
from devices.sim.channel import BLOCKING
from devices.sim.model import SimulatedCuff, mask_of

logger = logging.getLogger(__name__)

_RELEASE_ALL_BYTE: Final = 0x04
_WIRE_SECONDS_MAX: Final = 3600
_CYCLES_WIRE_MAX: Final = 32


@dataclass(frozen=True, slots=True)
class Answer:
    """What the device sends back for one Control Point write."""

    result: CommandResult
    malformed: bool  # the write did not decode (answered BAD_COMMAND)
    follow_state: bool  # READ_STATE: a full Pressure Stream frame and a Status follow the result


def handle_heartbeat(cuff: SimulatedCuff, data: bytes) -> None:
    """A Heartbeat write: any write feeds the watchdog, whatever its decoding (section 8)."""
    try:
        counter = decode_heartbeat(data).counter
    except ProtocolError:
        counter = cuff.snapshot().heartbeat_counter
    cuff.heartbeat(counter)


def handle_command(cuff: SimulatedCuff, data: bytes) -> Answer:
    """A Control Point write: apply it to the model and return the one Command Result."""
    releases_all = data[:1] == bytes((_RELEASE_ALL_BYTE,))
    if releases_all:
        # Any write starting 0x04 releases everything (section 6), before anything can fail.
        cuff.release_all()
    try:
        command = decode_command(data)
    except ProtocolError as exc:
        logger.debug("sim cuff: bad command (%s)", exc)
        return Answer(malformed_result(data), malformed=True, follow_state=False)
    if isinstance(command, ReleaseAll):  # released above
        return Answer(_all_released(cuff, command), malformed=False, follow_state=False)
    return Answer(
        apply_command(cuff, command), malformed=False, follow_state=isinstance(command, ReadState)
    )


def apply_command(cuff: SimulatedCuff, command: Command) -> CommandResult:
    """Carry out a decoded command on the model; the result names the channels it concerns."""
    n = cuff.channel_count
    opcode = OPCODE_OF[type(command)]
    seq = command.sequence
    if isinstance(command, ReleaseAll):
        cuff.release_all()
        return _all_released(cuff, command)
    if isinstance(command, ReadState):
        return CommandResult(seq, opcode, ResultCode.OK, ())
    mask = mask_of(command.channels)
    missing = mask & ~((1 << n) - 1)
    if isinstance(command, Release):
        code = cuff.release(mask)  # releases the channels it has, whatever else is named
    elif missing:
        code = ResultCode.BAD_CHANNEL
    elif isinstance(command, RunCycle):
        code = cuff.run_cycle(
            mask,
            command.inflation_s,
            command.deflation_s,
            len(command.pressures),
            command.pressures,
            command.ttl_s,
            unit=command.unit,
        )
    elif isinstance(command, Hold):
        code = cuff.hold(mask, command.pressure, command.ttl_s, unit=command.unit)
    else:
        code = cuff.set_sites(mask, command.sites)
    return CommandResult(seq, opcode, code, _result_channels(cuff, code, mask, missing))


def _all_released(cuff: SimulatedCuff, command: ReleaseAll) -> CommandResult:
    channels = tuple(range(cuff.channel_count))
    return CommandResult(command.sequence, Opcode.RELEASE_ALL, ResultCode.OK, channels)


def _result_channels(
    cuff: SimulatedCuff, code: ResultCode, mask: int, missing: int
) -> tuple[int, ...]:
    named = mask_to_channels(mask)
    if code is ResultCode.BAD_CHANNEL:
        return mask_to_channels(missing)
    if code in (ResultCode.FAULT, ResultCode.BUSY):
        snap = cuff.snapshot()
        residual = cuff.params.residual
        if code is ResultCode.FAULT:
            hit = [ch for ch in named if snap.channels[ch].faults & BLOCKING]
        else:
            hit = [
                ch
                for ch in named
                if snap.channels[ch].phase is Phase.RELEASED
                and snap.channels[ch].sensor_reading > residual
            ]
        return tuple(hit) or named  # a device-wide cause (pump fault) concerns all named
    return named


def malformed_result(data: bytes) -> CommandResult:
    """BAD_COMMAND answer to an unreadable write: echo what the header lets the device read.

    Section 6: the sequence is 0 when the write is too short to hold one, the opcode 0x00 when
    it is unknown, and the channels are those named (none when the mask cannot be read).
    """
    known = len(data) >= 1 and data[0] in Opcode._value2member_map_ and data[0] != Opcode.NONE
    opcode = Opcode(data[0]) if known else Opcode.NONE
    sequence = int.from_bytes(data[1:3], "little") if len(data) >= 3 else 0
    names_channels = opcode not in (Opcode.NONE, Opcode.RELEASE_ALL, Opcode.READ_STATE)
    mask = data[3] & 0x0F if names_channels and len(data) >= 4 else 0
    return CommandResult(sequence, opcode, ResultCode.BAD_COMMAND, mask_to_channels(mask))


def device_config(cuff: SimulatedCuff) -> DeviceConfig:
    """The Device Configuration value of the model."""
    p = cuff.params
    return DeviceConfig(
        PROTOCOL_MAJOR,
        PROTOCOL_MINOR,
        cuff.unit,
        p.max_pressure,
        min(int(p.max_ttl_s), _WIRE_SECONDS_MAX),
        min(int(p.max_inflation_s), _WIRE_SECONDS_MAX),
        min(int(p.max_deflation_s), _WIRE_SECONDS_MAX),
        min(p.max_cycles, _CYCLES_WIRE_MAX),
        round(p.watchdog_s * 1000),
        cuff.snapshot().sites,
    )


def status_frame(cuff: SimulatedCuff) -> StatusFrame:
    """The Status value at the model's present."""
    battery, device_faults, armed, expired, counter, channel_faults = cuff.status_fields()
    if expired:
        watchdog = WatchdogState.EXPIRED
    elif armed:
        watchdog = WatchdogState.ARMED
    else:
        watchdog = WatchdogState.DISARMED  # after boot, or silence with nothing inflated
    return StatusFrame(
        battery, device_faults, watchdog, cuff.uptime_ms // 1000, counter, channel_faults
    )


def pressure_frame(cuff: SimulatedCuff, sequence: int) -> PressureFrame:
    """A Pressure Stream frame with this sequence number, at the model's present."""
    uptime_ms, rows = _stream_rows(cuff)
    return PressureFrame(
        sequence, uptime_ms & 0xFFFFFFFF, cuff.unit, tuple([ChannelSample(*r) for r in rows])
    )


def pressure_frame_bytes(cuff: SimulatedCuff, sequence: int) -> bytes:
    """The bytes of `pressure_frame` (the same, to the bit), without building the frame."""
    uptime_ms, rows = _stream_rows(cuff)
    return encode_pressure_rows(sequence, uptime_ms & 0xFFFFFFFF, cuff.unit, rows)


def _stream_rows(
    cuff: SimulatedCuff,
) -> tuple[int, list[tuple[float | None, float, Phase, bool, bool, int, int, int]]]:
    """Uptime and one row per channel in ChannelSample's field order, as the wire carries it."""
    uptime_ms, rows = cuff.stream_rows()
    out = []
    for pressure, target, phase, pump, valve, cycle, count, left in rows:
        if pressure is not None:
            # The sensor saturates at the ends of the wire range rather than wrapping.
            pressure = min(READING_MAX, max(READING_MIN, pressure))
        out.append(
            (
                pressure,
                target,
                phase,
                pump,
                valve,
                cycle,
                count,
                min(0xFFFF, math.ceil(left - 1e-6)) if left > 0 else 0,
            )
        )
    return uptime_ms, out
