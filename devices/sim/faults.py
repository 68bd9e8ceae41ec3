"""Physical faults a trainer or a test injects into the simulated cuff, and their clearing."""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Callable

from devices.protocol.types import Fault

logger = logging.getLogger(__name__)


class SimFault(enum.Enum):
    """A physical fault of one channel (ground truth; the firmware may or may not notice it)."""

    LEAK = "leak"  # a hole in band or tube: pressure lost in proportion to pressure
    STUCK_VALVE = "stuck_valve"  # the valve stays closed: a release does not empty the band
    RUNAWAY_PUMP = "runaway_pump"  # shorted driver: pump on, valve shut, pressure runs away
    NOISY_SENSOR = "noisy_sensor"  # the sensor reading carries large noise
    STUCK_SENSOR = "stuck_sensor"  # the sensor reading is frozen
    UNPLUGGED = "unplugged"  # the band's tube is off the device: the manifold vents


# The device flag a fault's detection latches; clearing the fault clears that flag too, a
# stand-in for the repair and self-test a real device would need.
LATCHED_FLAG: dict[SimFault, Fault] = {
    SimFault.LEAK: Fault.LEAK,
    SimFault.STUCK_VALVE: Fault.NONE,  # no sensor tells a stuck valve apart; the app must notice
    SimFault.RUNAWAY_PUMP: Fault.OVER_PRESSURE,
    SimFault.NOISY_SENSOR: Fault.SENSOR_FAULT,
    SimFault.STUCK_SENSOR: Fault.SENSOR_FAULT,
    SimFault.UNPLUGGED: Fault.CUFF_UNPLUGGED,
}

_ACTIVE_CACHE: dict[tuple[bool, ...], frozenset[SimFault]] = {}

DEFAULT_LEAK_RATE = 8.0  # unit/s lost at 200: the pump must run about a fifth of the time
DEFAULT_NOISE_SD = 15.0


class ChannelInjection:
    """The physical faults currently present on one channel (mutable, owned by the model)."""

    __slots__ = (
        "leak_rate",
        "noise_sd",
        "runaway_pump",
        "stuck_sensor",
        "stuck_valve",
        "unplugged",
    )

    def __init__(self) -> None:
        self.leak_rate = 0.0  # unit/s lost at 200 (orifice flow grows with pressure)
        self.noise_sd: float | None = None  # None: the sensor's normal noise
        self.runaway_pump = False
        self.stuck_sensor = False
        self.stuck_valve = False
        self.unplugged = False

    def active(self) -> frozenset[SimFault]:
        """The faults present on this channel."""
        key = (
            self.leak_rate > 0.0,
            self.noise_sd is not None,
            self.runaway_pump,
            self.stuck_sensor,
            self.stuck_valve,
            self.unplugged,
        )
        found = _ACTIVE_CACHE.get(key)
        if found is None:
            found = _ACTIVE_CACHE[key] = self._collect()
        return found

    def _collect(self) -> frozenset[SimFault]:
        present = set()
        if self.leak_rate > 0.0:
            present.add(SimFault.LEAK)
        if self.noise_sd is not None:
            present.add(SimFault.NOISY_SENSOR)
        if self.runaway_pump:
            present.add(SimFault.RUNAWAY_PUMP)
        if self.stuck_sensor:
            present.add(SimFault.STUCK_SENSOR)
        if self.stuck_valve:
            present.add(SimFault.STUCK_VALVE)
        if self.unplugged:
            present.add(SimFault.UNPLUGGED)
        return frozenset(present)

    def clear(self, kind: SimFault) -> None:
        """Remove one fault."""
        if kind is SimFault.LEAK:
            self.leak_rate = 0.0
        elif kind is SimFault.NOISY_SENSOR:
            self.noise_sd = None
        elif kind is SimFault.RUNAWAY_PUMP:
            self.runaway_pump = False
        elif kind is SimFault.STUCK_SENSOR:
            self.stuck_sensor = False
        elif kind is SimFault.STUCK_VALVE:
            self.stuck_valve = False
        elif kind is SimFault.UNPLUGGED:
            self.unplugged = False


class FaultInjector:
    """Trainer and test controls for physical faults; `cuff.faults` on a SimulatedCuff."""

    def __init__(
        self, injections: tuple[ChannelInjection, ...], on_clear: Callable[[int, SimFault], None]
    ) -> None:
        self._inj = injections
        self._on_clear = on_clear

    def _channel(self, channel: int) -> ChannelInjection:
        if not 0 <= channel < len(self._inj):
            raise ValueError(f"no channel {channel} on a {len(self._inj)}-channel device")
        return self._inj[channel]

    def leak(self, channel: int, rate_per_s: float = DEFAULT_LEAK_RATE) -> None:
        """Open a leak that loses about rate_per_s at 200 (proportionally less below)."""
        if not (math.isfinite(rate_per_s) and rate_per_s > 0.0):
            raise ValueError("leak rate must be a positive number")
        self._channel(channel).leak_rate = rate_per_s
        logger.info("sim fault: leak %.1f/s on channel %d", rate_per_s, channel)

    def stuck_valve(self, channel: int) -> None:
        """Jam the valve closed: releases and bleeds no longer let air out."""
        self._channel(channel).stuck_valve = True
        logger.info("sim fault: stuck valve on channel %d", channel)

    def runaway_pump(self, channel: int) -> None:
        """Short the channel's driver: pump on and valve shut until over-pressure protection."""
        self._channel(channel).runaway_pump = True
        logger.info("sim fault: runaway pump on channel %d", channel)

    def noisy_sensor(self, channel: int, sd: float = DEFAULT_NOISE_SD) -> None:
        """Give the sensor a large noise of this standard deviation."""
        if not (math.isfinite(sd) and sd >= 0.0):
            raise ValueError("noise must be a non-negative number")
        self._channel(channel).noise_sd = sd
        logger.info("sim fault: noisy sensor (sd %.1f) on channel %d", sd, channel)

    def stuck_sensor(self, channel: int) -> None:
        """Freeze the sensor at its current reading."""
        self._channel(channel).stuck_sensor = True
        logger.info("sim fault: stuck sensor on channel %d", channel)

    def unplug(self, channel: int) -> None:
        """Pull the band's tube off the device."""
        self._channel(channel).unplugged = True
        logger.info("sim fault: cuff unplugged on channel %d", channel)

    def active(self, channel: int) -> frozenset[SimFault]:
        """Faults present on a channel."""
        return self._channel(channel).active()

    def clear(self, channel: int, kind: SimFault | None = None) -> None:
        """Repair one fault of a channel, or all of them; the flag it latched clears too."""
        inj = self._channel(channel)
        kinds = inj.active() if kind is None else frozenset({kind})
        for k in kinds:
            inj.clear(k)
            self._on_clear(channel, k)
            logger.info("sim fault cleared: %s on channel %d", k.value, channel)

    def clear_all(self) -> None:
        """Repair every fault on every channel."""
        for channel in range(len(self._inj)):
            self.clear(channel)
