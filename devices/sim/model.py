"""The simulated KAATSU cuff controller: typed commands in, physics and firmware safety inside.

Time is injected: the caller passes its monotonic time to `advance_to`, and the model steps in
fixed sub-steps (`CuffParams.step_s`), so the trajectory does not depend on how the caller chunks
time. Safety behaves as firmware would (see "Safety lives below the UI" in architecture.md): every
inflating command carries a time-to-live, the heartbeat watchdog releases every channel after 2 s
of silence, and release is always accepted.

Flags: LEAK, OVER_PRESSURE, SENSOR_FAULT and CUFF_UNPLUGGED latch per channel and refuse inflation
(FAULT) until the injected fault is cleared or the device reboots. TTL_RELEASE (per channel) and
WATCHDOG_RELEASE (device, raised only when a channel held pressure) are events: they stay set so an
app that reconnects can read them, and clear when a new inflating command is accepted.

Commands are checked in the order of docs/device-protocol.md section 6: BAD_CHANNEL, UNIT_MISMATCH,
OUT_OF_RANGE, REFUSED, FAULT, BUSY (BAD_COMMAND is the wire decoder's, before all of them).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from devices.protocol.types import Fault, Phase, ResultCode, Site, Unit
from devices.sim.channel import BLOCKING, CYCLE, HOLD, RELEASED, SimChannel
from devices.sim.faults import LATCHED_FLAG, FaultInjector, SimFault
from devices.sim.params import CuffParams
from devices.sim.snapshot import ChannelSnapshot, DeviceSnapshot, Program, StreamSample

logger = logging.getLogger(__name__)

_WATCHDOG = int(Fault.WATCHDOG_RELEASE)
# Fault flags by value: building an IntFlag costs more than a whole channel snapshot.
_FAULTS = tuple(Fault(i) for i in range(1 << len(Fault)))
_PRESSURISED = frozenset({1, 2, 3})  # INFLATING, HOLDING, DEFLATING
_PROGRAMS = tuple(Program)  # by the channel's plain-int program kind


def mask_of(channels: Sequence[int]) -> int:
    """Channel mask (bit i = channel i) of a list of channel indices."""
    mask = 0
    for c in channels:
        mask |= 1 << c
    return mask


def _finite_in(x: float, lo: float, hi: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x) and lo <= x <= hi


class SimulatedCuff:
    """A 2- or 4-channel cuff controller driven by injected time; see the module docstring."""

    def __init__(
        self,
        sites: Sequence[Site] = (Site.LEFT_ARM, Site.RIGHT_ARM),
        *,
        unit: Unit = Unit.MMHG,
        params: CuffParams | None = None,
        seed: int = 0,
        start_time: float = 0.0,
        battery_pct: float = 100.0,
    ) -> None:
        if len(sites) not in (2, 4):
            raise ValueError("a cuff controller has 2 or 4 channels")
        self.params = params or CuffParams()
        p = self.params
        # Sub-step constants (the parameters never change), computed as advance_to once did.
        self._two_pi_f = 2.0 * math.pi * p.pulse_rate_hz
        self._drain_idle = p.idle_ma * p.step_s / 3600.0 / p.battery_mah * 100.0
        self._drain_pump = p.pump_ma * p.step_s / 3600.0 / p.battery_mah * 100.0
        self.unit = unit
        self._channels = tuple(
            SimChannel(i, Site(s), self.params, seed) for i, s in enumerate(sites)
        )
        self.faults = FaultInjector(tuple(c.inj for c in self._channels), self._on_fault_cleared)
        self._battery = float(battery_pct)
        self._now = float(start_time)
        self._boot_id = 0
        self._boot(start_time)

    # -- time --------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The caller's time of the last `advance_to`."""
        return self._now

    @property
    def boot_id(self) -> int:
        """Identifier of the current boot; changes on every reboot."""
        return self._boot_id

    @property
    def channel_count(self) -> int:
        """Number of air channels."""
        return len(self._channels)

    @property
    def battery_pct(self) -> float:
        """Battery charge in percent."""
        return self._battery

    def advance_to(self, t: float) -> None:
        """Run the device up to time t (seconds on the caller's monotonic clock)."""
        if t < self._now:
            raise ValueError(f"time went backwards: {t} < {self._now}")
        self._now = t
        dt = self.params.step_s
        end = math.floor((t - self._t0) / dt + 1e-9)
        if end <= self._n:
            return
        channels = self._channels
        # Resting channels stay resting whatever happens in between (a watchdog or battery
        # release leaves an empty band empty), so they are stepped in bulk afterwards.
        active = [ch for ch in channels if not ch.resting()]
        two_pi_f = self._two_pi_f
        amp = self.params.pulse_amplitude if active else 0.0  # the pulse is for active bands
        drain_idle, drain_pump = self._drain_idle, self._drain_pump
        t0 = self._t0
        sin = math.sin
        for n in range(self._n + 1, end + 1):
            tt = t0 + n * dt
            if tt >= self._hb_deadline:
                self._watchdog_expired()
            pulse = amp * sin(two_pi_f * tt) if amp else 0.0
            pumping = 0
            for ch in active:
                if ch.step(tt, pulse):
                    pumping += 1
            self._battery -= drain_idle + drain_pump * pumping
            if self._battery <= 0.0:
                self._battery_empty()
        if len(active) < len(channels):
            steps = end - self._n
            for ch in channels:
                if ch not in active:
                    ch.rest(steps)
        self._n = end

    @property
    def _tick_time(self) -> float:
        return self._t0 + self._n * self.params.step_s

    # -- commands -------------------------------------------------------------------------------

    def heartbeat(self, counter: int = 0) -> ResultCode:
        """Feed the watchdog; the first heartbeat arms it and allows inflation."""
        self._hb_counter = counter
        self._hb_seen = True
        self._hb_expired = False
        self._hb_deadline = self._now + self.params.watchdog_s
        return ResultCode.OK

    def connection_started(self) -> None:
        """A central connected: inflation waits for its first heartbeat (the timer runs on)."""
        self._hb_seen = False

    def run_cycle(
        self,
        mask: int,
        inflate_s: float,
        deflate_s: float,
        cycles: int,
        pressures: Sequence[float],
        ttl_s: float,
        *,
        unit: Unit | None = None,
    ) -> ResultCode:
        """Run a cycle program; one pressure per cycle (rising pressures: Progressive Cycle)."""
        p = self.params
        code = self._check_mask(mask)
        if code is ResultCode.OK and (not isinstance(cycles, int) or len(pressures) != cycles):
            code = ResultCode.BAD_COMMAND
        code = self._check_unit(code, unit)
        if code is ResultCode.OK and not (
            1 <= cycles <= p.max_cycles
            and _finite_in(inflate_s, p.min_phase_s, p.max_inflation_s)
            and _finite_in(deflate_s, p.min_phase_s, p.max_deflation_s)
            and all(_finite_in(x, p.min_pressure, p.max_pressure) for x in pressures)
        ):
            code = ResultCode.OUT_OF_RANGE
        code = self._check_inflation(code, mask, ttl_s)
        if code is ResultCode.OK:
            self._start(mask, CYCLE, pressures, float(inflate_s), float(deflate_s), float(ttl_s))
        logger.debug("run_cycle mask=%#x -> %s", mask, code.name)
        return code

    def hold(
        self, mask: int, pressure: float, ttl_s: float, *, unit: Unit | None = None
    ) -> ResultCode:
        """Hold a constant pressure until the time-to-live runs out or a release (Constant mode).

        Sent again to a holding channel it changes the target and renews the time-to-live
        without deflating the band.
        """
        p = self.params
        code = self._check_unit(self._check_mask(mask), unit)
        if code is ResultCode.OK and not _finite_in(pressure, p.min_pressure, p.max_pressure):
            code = ResultCode.OUT_OF_RANGE
        code = self._check_inflation(code, mask, ttl_s)
        if code is ResultCode.OK:
            self._start(mask, HOLD, (pressure,), 0.0, 0.0, float(ttl_s))
        logger.debug("hold mask=%#x -> %s", mask, code.name)
        return code

    def release(self, mask: int) -> ResultCode:
        """Release channels; always carried out, faults or not (an idle channel becomes RELEASED).

        A mask naming channels the device lacks still releases the channels it has, and answers
        BAD_CHANNEL so the app learns of its mistake.
        """
        for ch in self._channels:
            if mask >> ch.index & 1:
                ch.release()
        code = self._check_mask(mask)
        logger.info("release mask=%#x -> %s", mask, code.name)
        return code

    def release_all(self) -> ResultCode:
        """Release every channel, idle ones included (they become RELEASED); always carried out."""
        for ch in self._channels:
            ch.release()
        logger.info("release all")
        return ResultCode.OK

    def set_sites(self, mask: int, sites: Sequence[Site]) -> ResultCode:
        """Store the site label of the channels in the mask (one site each, ascending order).

        REFUSED while a named channel holds pressure: labels change only on an empty band.
        """
        code = self._check_mask(mask)
        chosen = [ch for ch in self._channels if mask >> ch.index & 1]
        if code is ResultCode.OK and len(sites) != len(chosen):
            code = ResultCode.BAD_COMMAND
        if code is ResultCode.OK and any(ch.phase in _PRESSURISED for ch in chosen):
            code = ResultCode.REFUSED
        if code is ResultCode.OK:
            for ch, site in zip(chosen, sites, strict=True):
                ch.set_site(Site(site))
        return code

    def set_battery(self, pct: float) -> None:
        """Set the battery charge (a trainer's control)."""
        self._battery = min(100.0, max(0.0, float(pct)))

    def reboot(self) -> int:
        """Restart the firmware now: RAM lost, valves de-energised; returns the new boot id."""
        self._boot(self._now)
        logger.info("sim cuff rebooted: boot id %d", self._boot_id)
        return self._boot_id

    # -- read-out -------------------------------------------------------------------------------

    def readings(self) -> tuple[float | None, ...]:
        """The pressure each channel reports right now (None for a flagged sensor)."""
        return tuple(ch.reported() for ch in self._channels)

    def status_fields(self) -> tuple[int, Fault, bool, bool, int, tuple[Fault, ...]]:
        """What a Status frame reports less the uptime, cheap enough to compare at every tick.

        (battery percent as reported 0..100, device faults, watchdog armed, watchdog expired,
        heartbeat counter as reported, each channel's faults); equal values mean no change.
        """
        return (
            min(100, max(0, round(self._battery))),
            _FAULTS[self._device_faults],
            self._armed(),
            self._hb_expired,
            self._hb_counter & 0xFFFF,
            tuple([_FAULTS[ch.faults] for ch in self._channels]),
        )

    @property
    def uptime_ms(self) -> int:
        """Device time since boot, in milliseconds."""
        return self._uptime_ms()

    def stream_rows(
        self,
    ) -> tuple[int, tuple[tuple[float | None, float, Phase, bool, bool, int, int, float], ...]]:
        """Uptime (ms) and, per channel, what a Pressure Stream frame carries, row by row.

        (reported pressure, target, phase, pump, valve, cycle, cycle count, seconds left): the
        firmware builds each frame from these without going through `stream_sample`.
        """
        now = self._now
        return self._uptime_ms(), tuple(
            [
                (
                    ch.reported(),
                    ch.target,
                    ch.phase,
                    ch.pump_cmd,
                    ch.valve_cmd,
                    *_cycle_numbers(ch),
                    ch.phase_left(now),
                )
                for ch in self._channels
            ]
        )

    def stream_sample(self) -> StreamSample:
        """What one Pressure Stream notification carries, at the current time."""
        uptime_ms, rows = self.stream_rows()
        pressures, targets, phases, pumps, valves, cycles, counts, left = zip(*rows, strict=True)
        return StreamSample(
            uptime_ms,
            pressures,
            targets,
            phases,
            pumps,
            valves,
            cycles,
            counts,
            left,
            tuple([_PROGRAMS[ch.kind] for ch in self._channels]),
        )

    def snapshot(self) -> DeviceSnapshot:
        """The full state of the device and every channel."""
        now = self._now
        union = self._device_faults
        channels = []
        for ch in self._channels:
            union |= ch.faults
            channels.append(
                ChannelSnapshot(
                    ch.index,
                    ch.site,
                    ch.reported(),
                    ch.reading,
                    ch.pressure,
                    ch.target,
                    ch.phase,
                    ch.pump_cmd,
                    ch.valve_cmd,
                    *_cycle_numbers(ch),
                    ch.phase_left(now),
                    ch.ttl_left(now),
                    _FAULTS[ch.faults],
                    ch.inj.active(),
                    _PROGRAMS[ch.kind],
                )
            )
        return DeviceSnapshot(
            time_s=self._tick_time,
            uptime_ms=self._uptime_ms(),
            boot_id=self._boot_id,
            unit=self.unit,
            channel_count=len(channels),
            battery_pct=self._battery,
            battery_low=self._battery <= self.params.battery_low_pct,
            faults=_FAULTS[union],
            device_faults=_FAULTS[self._device_faults],
            heartbeat_seen=self._hb_seen,
            watchdog_armed=self._armed(),
            watchdog_expired=self._hb_expired,
            heartbeat_counter=self._hb_counter,
            channels=tuple(channels),
        )

    # -- internals ------------------------------------------------------------------------------

    def _uptime_ms(self) -> int:
        return round(self._n * self.params.step_s * 1000.0)

    def _boot(self, t: float) -> None:
        self._boot_id = (self._boot_id + 1) & 0xFFFFFFFF
        self._t0 = t
        self._n = 0
        self._hb_seen = False
        self._hb_expired = False
        self._hb_deadline = math.inf
        self._hb_counter = 0
        self._device_faults = 0
        for ch in self._channels:
            ch.reset()

    def _check_mask(self, mask: int) -> ResultCode:
        if not isinstance(mask, int) or mask <= 0 or mask >> len(self._channels):
            return ResultCode.BAD_CHANNEL
        return ResultCode.OK

    def _armed(self) -> bool:
        return math.isfinite(self._hb_deadline)

    def _check_unit(self, code: ResultCode, unit: Unit | None) -> ResultCode:
        """UNIT_MISMATCH comes before every range check (section 6 order)."""
        if code is ResultCode.OK and unit is not None and unit is not self.unit:
            return ResultCode.UNIT_MISMATCH  # never converted
        return code

    def _check_inflation(self, code: ResultCode, mask: int, ttl_s: float) -> ResultCode:
        """The checks after the unit that every inflating command shares, in the device's order."""
        p = self.params
        if code is not ResultCode.OK:
            return code
        if not _finite_in(ttl_s, p.min_ttl_s, p.max_ttl_s):
            return ResultCode.OUT_OF_RANGE
        if not self._armed() or not self._hb_seen:
            # No inflation while the watchdog is disarmed or expired, nor before the first
            # heartbeat of the current connection (section 8).
            return ResultCode.REFUSED
        if self._battery < p.battery_refuse_pct:
            return ResultCode.REFUSED
        chosen = [ch for ch in self._channels if mask >> ch.index & 1]
        if any(ch.faults & BLOCKING for ch in chosen):
            return ResultCode.FAULT
        if any(ch.phase == RELEASED and ch.reading > p.residual for ch in chosen):
            return ResultCode.BUSY  # a release completes before the band fills again
        return ResultCode.OK

    def _start(
        self,
        mask: int,
        kind: int,
        pressures: Sequence[float],
        inflate_s: float,
        deflate_s: float,
        ttl_s: float,
    ) -> None:
        self._device_faults &= ~_WATCHDOG
        for ch in self._channels:
            if mask >> ch.index & 1:
                ch.start(self._now, kind, pressures, inflate_s, deflate_s, ttl_s)

    def _watchdog_expired(self) -> None:
        """Heartbeat silence (section 8): release everything if anything holds pressure."""
        self._hb_deadline = math.inf
        if not any(ch.phase in _PRESSURISED for ch in self._channels):
            logger.info("sim cuff watchdog: heartbeat stopped with nothing inflated, disarmed")
            return
        self._hb_expired = True
        self._device_faults |= _WATCHDOG
        for ch in self._channels:
            ch.release()
        logger.warning("sim cuff watchdog: heartbeat stopped, every channel released")

    def _battery_empty(self) -> None:
        self._battery = 0.0
        for ch in self._channels:
            ch.release()

    def _on_fault_cleared(self, channel: int, kind: SimFault) -> None:
        self._channels[channel].clear_latched(int(LATCHED_FLAG[kind]))


def _cycle_numbers(ch: SimChannel) -> tuple[int, int]:
    """(cycle, cycle count) as the stream reports them: (0, 0) unless a cycle program runs."""
    if ch.kind == CYCLE:
        return ch.cycle, len(ch.pressures)
    return 0, 0
