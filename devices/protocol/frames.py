"""Typed frames of the cuff profile: one frozen dataclass per wire frame."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from devices.protocol.types import Fault, Phase, ResultCode, Site, Unit

PROTOCOL_MAJOR: Final = 1
PROTOCOL_MINOR: Final = 0

CHANNEL_COUNTS: Final = (2, 4)  # a device has 2 or 4 air channels
MAX_CHANNELS: Final = 4

# Wire limits the codec enforces (the device may be stricter: see DeviceConfig).
READING_MIN: Final = -50.0  # gauge readings may dip below zero after a release
READING_MAX: Final = 650.0  # head-room above any target so over-pressure stays readable
TARGET_MAX: Final = 500.0
SECONDS_MAX: Final = 3600  # inflation, deflation and time-to-live, in seconds
CYCLES_MAX: Final = 32
SECONDS_LEFT_MAX: Final = 0xFFFF
HEARTBEAT_TIMEOUT_MS: Final = 2000
HEARTBEAT_INTERVAL_MS: Final = 500
SENSOR_FAULT_RAW: Final = 0x7FFF  # int16 pressure value meaning "no valid reading"


class Opcode(enum.IntEnum):
    """Control-point opcodes; NONE appears only in results for unreadable commands."""

    NONE = 0x00
    RUN_CYCLE = 0x01
    HOLD = 0x02
    RELEASE = 0x03
    RELEASE_ALL = 0x04
    READ_STATE = 0x05
    SET_SITES = 0x06


class WatchdogState(enum.IntEnum):
    """Heartbeat watchdog of the device."""

    DISARMED = 0  # no heartbeat since the connection began; inflation is refused
    ARMED = 1  # heartbeats arrive within the timeout
    EXPIRED = 2  # the heartbeat stopped and the device released every channel


@dataclass(frozen=True, slots=True)
class ChannelSample:
    """One channel of a pressure stream frame; pressures in the frame's unit."""

    pressure: float | None  # None: the sensor reports a fault (never a reading)
    target: float  # 0.0 when the channel has no target
    phase: Phase
    pump_on: bool
    valve_open: bool
    cycle: int  # 1-based cycle of the running program, 0 when none runs
    cycle_count: int  # cycles in the running program, 0 when none runs
    seconds_left: int  # seconds left in the current timed phase (or before the TTL)


@dataclass(frozen=True, slots=True)
class PressureFrame:
    """A Pressure Stream notification."""

    sequence: int  # uint16, wraps
    device_time_ms: int  # uint32 milliseconds since boot, wraps
    unit: Unit
    channels: tuple[ChannelSample, ...]


@dataclass(frozen=True, slots=True)
class StatusFrame:
    """A Status notification."""

    battery_percent: int | None  # None: unknown or mains powered
    device_faults: Fault
    watchdog: WatchdogState
    uptime_s: int
    heartbeat_counter: int  # the last heartbeat counter the device received
    channel_faults: tuple[Fault, ...]


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A Command Result notification: the answer to one control-point write."""

    sequence: int
    opcode: Opcode
    result: ResultCode
    channels: tuple[int, ...]  # channels the result concerns (ascending)


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """The Device Configuration characteristic (read once after connecting)."""

    protocol_major: int
    protocol_minor: int
    unit: Unit
    max_pressure: float
    max_ttl_s: int
    max_inflation_s: int
    max_deflation_s: int
    max_cycles: int
    heartbeat_timeout_ms: int
    sites: tuple[Site, ...]  # one per channel; its length is the channel count

    @property
    def channel_count(self) -> int:
        """Number of air channels."""
        return len(self.sites)


@dataclass(frozen=True, slots=True)
class RunCycle:
    """Run a cycle program; rising pressures make it a Progressive Cycle."""

    sequence: int
    channels: tuple[int, ...]
    unit: Unit
    inflation_s: int
    deflation_s: int
    ttl_s: int
    pressures: tuple[float, ...]  # one target per cycle


@dataclass(frozen=True, slots=True)
class Hold:
    """Hold a constant pressure (Constant mode)."""

    sequence: int
    channels: tuple[int, ...]
    unit: Unit
    pressure: float
    ttl_s: int


@dataclass(frozen=True, slots=True)
class Release:
    """Release the given channels."""

    sequence: int
    channels: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ReleaseAll:
    """Release every channel."""

    sequence: int


@dataclass(frozen=True, slots=True)
class ReadState:
    """Ask for a result, a full Pressure Stream frame and a Status frame at once."""

    sequence: int


@dataclass(frozen=True, slots=True)
class SetSites:
    """Store the site label of the given channels."""

    sequence: int
    channels: tuple[int, ...]
    sites: tuple[Site, ...]  # one per channel, same order


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A Heartbeat write; any write feeds the watchdog, the counter is for diagnostics."""

    counter: int  # uint16, wraps


Command = RunCycle | Hold | Release | ReleaseAll | ReadState | SetSites
Frame = PressureFrame | StatusFrame | CommandResult | DeviceConfig | Command | Heartbeat

OPCODE_OF: Final[dict[type, Opcode]] = {
    RunCycle: Opcode.RUN_CYCLE,
    Hold: Opcode.HOLD,
    Release: Opcode.RELEASE,
    ReleaseAll: Opcode.RELEASE_ALL,
    ReadState: Opcode.READ_STATE,
    SetSites: Opcode.SET_SITES,
}
