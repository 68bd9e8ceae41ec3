"""Read-outs of the simulated cuff: full state snapshots and cheap stream samples."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.protocol.types import Fault, Phase, Site, Unit
from devices.sim.faults import SimFault


class Program(enum.IntEnum):
    """The kind of program a channel runs."""

    NONE = 0
    CYCLE = 1  # RUN_CYCLE: Cycle or Progressive Cycle mode
    HOLD = 2  # HOLD: constant pressure until released or the time-to-live runs out


@dataclass(frozen=True, slots=True)
class ChannelSnapshot:
    """State of one air channel; pressures in the device's unit."""

    index: int
    site: Site
    pressure: float | None  # what the device reports; None once it flagged its sensor as faulty
    sensor_reading: float  # what the sensor gives, noise and a frozen value included
    true_pressure: float  # the band's real pressure (ground truth for tests and the trainer)
    target: float  # 0.0 when the channel has no target
    phase: Phase
    pump_on: bool  # the firmware's pump command (a runaway pump may run while this is False)
    valve_open: bool  # the firmware's valve command (a stuck valve stays shut while this is True)
    cycle: int  # 1-based cycle of the running cycle program, 0 when none runs (or a HOLD)
    cycle_count: int  # cycles of the running cycle program, 0 when none runs (or a HOLD)
    # Seconds left in the current timed phase: a cycle's inflation window (INFLATING and HOLDING
    # share it) or its deflation; for a hold, the time-to-live. 0.0 when nothing is timed.
    phase_left_s: float
    ttl_left_s: float  # seconds before the command's time-to-live runs out; 0.0 without one
    faults: Fault  # flags the device has raised for this channel
    injected: frozenset[SimFault]  # physical faults present (ground truth)
    program: Program = Program.NONE  # what the channel runs (a HOLD has no cycle numbers)


@dataclass(frozen=True, slots=True)
class DeviceSnapshot:
    """State of the whole device."""

    time_s: float  # caller's monotonic time of the last internal step
    uptime_ms: int  # device time since boot
    boot_id: int  # changes on every reboot
    unit: Unit
    channel_count: int
    battery_pct: float
    battery_low: bool  # the app alarms on this
    faults: Fault  # device flags together with every channel's flags
    device_faults: Fault  # flags that belong to the device rather than a channel
    heartbeat_seen: bool  # a heartbeat arrived since boot or since the connection began
    watchdog_armed: bool  # the heartbeat timer runs and will release on silence
    watchdog_expired: bool  # the heartbeat stopped and the device released every channel
    heartbeat_counter: int  # the last heartbeat counter received
    channels: tuple[ChannelSnapshot, ...]

    @property
    def sites(self) -> tuple[Site, ...]:
        """Site label of every channel."""
        return tuple(c.site for c in self.channels)


@dataclass(frozen=True, slots=True)
class StreamSample:
    """What one Pressure Stream notification carries; cheap to build at 100 Hz."""

    uptime_ms: int
    pressures: tuple[float | None, ...]  # None where the device flagged its sensor as faulty
    targets: tuple[float, ...]
    phases: tuple[Phase, ...]
    pumps: tuple[bool, ...]
    valves: tuple[bool, ...]
    cycles: tuple[int, ...]
    cycle_counts: tuple[int, ...]
    seconds_left: tuple[float, ...]
    programs: tuple[Program, ...] = ()  # one per channel; HOLD and cycle programs told apart
