"""One air channel of the simulated cuff: band physics, its firmware program and fault detection."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from devices.protocol.types import Fault, Phase, Site
from devices.sim.faults import ChannelInjection
from devices.sim.params import CuffParams

# Plain ints in the hot loop: IntFlag and IntEnum arithmetic is several times slower.
_LEAK = int(Fault.LEAK)
_OVER = int(Fault.OVER_PRESSURE)
_SENSOR = int(Fault.SENSOR_FAULT)
_UNPLUGGED = int(Fault.CUFF_UNPLUGGED)
_TTL = int(Fault.TTL_RELEASE)
_PUMP = int(Fault.PUMP_FAULT)
BLOCKING = _LEAK | _OVER | _SENSOR | _UNPLUGGED | _PUMP  # these refuse inflation (FAULT)

IDLE, INFLATING, HOLDING, DEFLATING, RELEASED = (
    Phase.IDLE,
    Phase.INFLATING,
    Phase.HOLDING,
    Phase.DEFLATING,
    Phase.RELEASED,
)
NO_PROGRAM, CYCLE, HOLD = 0, 1, 2
_LEAK_REF = 200.0  # an injected leak rate is stated at this pressure
_NOISE_BLOCK = 4096
_QUIET = 1e-3  # below this a band with no pump running counts as empty


class SimChannel:
    """Physics and firmware state of one channel, stepped in fixed sub-steps by the device."""

    def __init__(self, index: int, site: Site, params: CuffParams, seed: int):
        self.index = index
        self.params = params
        self.inj = ChannelInjection()
        # Noise comes in blocks from a generator seeded per channel: drawing one value at a time
        # from `random` costs more than the rest of the physics together.
        self._rng = np.random.default_rng([seed, index])
        self._noise: list[float] = []
        self._ni = 0
        dt = params.step_s
        self._dt = dt
        self._lag_alpha = 1.0 - math.exp(-dt / params.pump_lag_s) if params.pump_lag_s > 0 else 1.0
        self._duty_alpha = dt / params.leak_duty_tau_s
        self._noisy_alpha = dt / params.noisy_detect_tau_s
        self._g_unplug = 1.0 / params.unplugged_tau_s
        self.pressure = 0.0  # true band pressure; kept over a reboot (only RAM is lost)
        self.flow = 0.0  # pump delivery, 0..1 of full speed
        self.set_site(site)
        self.reset()

    def set_site(self, site: Site) -> None:
        """Relabel the channel; the band's air volume follows the site (arm or leg band)."""
        p = self.params
        self.site = site
        v = p.volume_factor(site)
        self._r0 = p.pump_rate / v
        self._k_stall = self._r0 / p.pump_stall
        self._g_valve = 1.0 / (p.valve_tau_s * v)
        self._g_leak = 1.0 / (p.slow_leak_tau_s * v) if p.slow_leak_tau_s > 0 else 0.0

    def reset(self) -> None:
        """Firmware state after power-up: nothing runs, valve de-energised (open)."""
        self.pump_cmd = False
        self.valve_cmd = True  # normally-open valve: unpowered means open
        self.pump_cut = False  # over-pressure protection has cut the pump's supply
        self.reading = self.pressure
        self._prev = self.reading
        self._prev2 = self.reading
        self._frozen: float | None = None
        self._noisy_ema = 0.0
        self._stuck_since: float | None = None
        self._pump_since: float | None = None
        self._inflating_since = 0.0
        self._duty = 0.0
        self.faults = 0
        self.phase = IDLE
        self.target = 0.0
        self.kind = NO_PROGRAM
        self.pressures: tuple[float, ...] = ()
        self.inflate_s = 0.0
        self.deflate_s = 0.0
        self.cycle = 0
        self.window_end = 0.0
        self.phase_end = 0.0
        self.ttl_deadline = math.inf

    # -- commands (validated by the device) ----------------------------------------------------

    def start(
        self,
        now: float,
        kind: int,
        pressures: Sequence[float],
        inflate_s: float,
        deflate_s: float,
        ttl_s: float,
    ) -> None:
        """Start a cycle or hold program at time now, replacing whatever ran."""
        self.faults &= ~_TTL
        self.kind = kind
        self.pressures = tuple(float(x) for x in pressures)
        self.inflate_s = inflate_s
        self.deflate_s = deflate_s
        self.cycle = 1
        self.target = self.pressures[0]
        self.window_end = now + inflate_s if kind == CYCLE else math.inf
        self.ttl_deadline = now + ttl_s
        self._duty = 0.0
        self._pump_since = None
        if (
            self.phase in (INFLATING, HOLDING)
            and self.reading >= self.target - self.params.pump_on_below
        ):
            self.phase = HOLDING  # a new lower or equal target: regulate (bleed) from here
        else:
            self._enter_inflating(now)

    def release(self) -> None:
        """Stop the program, stop the pump, open the valve; the phase becomes RELEASED."""
        self.kind = NO_PROGRAM
        self.phase = RELEASED
        self.target = 0.0
        self.cycle = 0
        self.pressures = ()
        self.pump_cmd = False
        self.valve_cmd = True
        self.ttl_deadline = math.inf
        self._pump_since = None

    def _enter_inflating(self, now: float) -> None:
        self.phase = INFLATING
        self._inflating_since = now
        self.valve_cmd = False

    # -- one sub-step ---------------------------------------------------------------------------

    def step(self, t: float, pulse: float) -> bool:
        """Advance physics over one sub-step ending at t, then run the firmware; True if pumping."""
        inj = self.inj
        p = self.pressure
        f = self.flow
        # A runaway is a shorted driver stage: the pump runs and the valve solenoid stays
        # energised (shut) whatever the firmware commands, until the over-pressure cut removes
        # the channel's driver supply, which also lets the normally-open valve open.
        runaway = inj.runaway_pump and not self.pump_cut
        u = 1.0 if (self.pump_cmd or runaway) and not self.pump_cut else 0.0
        if u == 0.0 and f == 0.0 and p < _QUIET:
            p = 0.0  # an empty band with the pump stopped: nothing to integrate
        else:
            f += (u - f) * self._lag_alpha
            if abs(u - f) < 1e-4:
                f = u
            g = self._g_leak
            if (self.valve_cmd or self.pump_cut) and not (inj.stuck_valve or runaway):
                g += self._g_valve
            if inj.leak_rate:
                g += inj.leak_rate / _LEAK_REF
            if inj.unplugged:
                g += self._g_unplug
            a = self._r0 * f
            b = g + self._k_stall * f
            # Exact solution of dp/dt = a - b p over the step (pump and valve held constant).
            if b > 0.0:
                p_inf = a / b
                p = p_inf + (p - p_inf) * math.exp(-b * self._dt)
            else:
                p += a * self._dt
            self.flow = f
        self.pressure = p

        # Sensor (the firmware's only view of the band).
        if inj.stuck_sensor:
            if self._frozen is None:
                self._frozen = self.reading
            r = self._frozen
        else:
            self._frozen = None
            sd = self.params.noise_sd if inj.noise_sd is None else inj.noise_sd
            if p == 0.0 and inj.noise_sd is None:
                r = 0.0  # a quiet sensor at ambient reads zero (firmware zero dead-band)
            else:
                r = p + pulse * (p / 40.0 if p < 40.0 else 1.0)
                if sd > 0.0:
                    i = self._ni
                    if i >= len(self._noise):
                        self._noise = self._rng.standard_normal(_NOISE_BLOCK).tolist()
                        i = 0
                    r += sd * self._noise[i]
                    self._ni = i + 1
        self._prev2 = self._prev
        self._prev = self.reading
        self.reading = r

        self._firmware(t, r, p)
        return f > 0.0

    def resting(self) -> bool:
        """True when a sub-step would only move the sensor check's average (see `rest`).

        An empty band with the pump stopped and no program, a quiet sensor that read zero for
        the last three sub-steps: nothing integrates, nothing is drawn from the noise, no
        firmware branch can fire. About half of a session's channel sub-steps are like this.
        """
        inj = self.inj
        return (
            self.pressure < _QUIET
            and self.flow == 0.0
            and (self.pump_cut or not (self.pump_cmd or inj.runaway_pump))
            and self.kind == NO_PROGRAM
            and (self.phase is IDLE or self.phase is RELEASED)
            and self.reading == 0.0
            and self._prev == 0.0
            and self._prev2 == 0.0
            and not inj.stuck_sensor
            and inj.noise_sd is None
            and self._noisy_ema <= self.params.noisy_detect_level
        )

    def rest(self, steps: int) -> None:
        """Run ``steps`` sub-steps of a `resting` channel: what `step` would do, in bulk."""
        ema = self._noisy_ema
        alpha = self._noisy_alpha
        for _ in range(steps):
            ema += (0.0 - ema) * alpha  # the second difference of an all-zero reading is 0
        self._noisy_ema = ema
        self.pressure = 0.0
        self._frozen = None
        self.reading = self._prev = self._prev2 = 0.0
        self._stuck_since = None
        self._pump_since = None

    def _firmware(self, t: float, r: float, p: float) -> None:
        prm = self.params
        # Over-pressure protection reads an independent safety sensor (the true pressure) and cuts
        # the pump's supply, so even a pump driver stuck on stops.
        if p > prm.over_pressure_limit and not self.pump_cut:
            self.pump_cut = True
            self.faults |= _OVER
            self.release()
            return

        kind = self.kind
        if kind != NO_PROGRAM:
            if t >= self.ttl_deadline:
                self.release()
                self.faults |= _TTL
                return
            phase = self.phase
            if kind == CYCLE:
                # Deadlines are anchored to the program's start, so timing never drifts. Every
                # cycle, the last included, ends with its deflation window (protocol section 6).
                if phase in (INFLATING, HOLDING) and t >= self.window_end:
                    self.phase = DEFLATING
                    self.phase_end = self.window_end + self.deflate_s
                    self.target = 0.0
                    self.pump_cmd = False
                    self.valve_cmd = True
                elif phase == DEFLATING and t >= self.phase_end:
                    if self.cycle >= len(self.pressures):
                        self.release()  # the end of the program
                        return
                    self.cycle += 1
                    self.target = self.pressures[self.cycle - 1]
                    self.window_end = self.phase_end + self.inflate_s
                    self._duty = 0.0
                    self._enter_inflating(t)

        phase = self.phase
        target = self.target
        if phase == INFLATING:
            if r >= target:
                self.pump_cmd = False
                self.phase = HOLDING
            else:
                self.pump_cmd = True
                self.valve_cmd = False
                if t - self._inflating_since >= prm.inflate_timeout_s:
                    self.faults |= _LEAK  # the pump cannot reach the target: a leak
                    self.release()
                    return
        elif phase == HOLDING:
            if self.valve_cmd:
                if r <= target + prm.bleed_until:
                    self.valve_cmd = False
            elif r > target + prm.bleed_above:
                self.valve_cmd = True
            if self.pump_cmd:
                if r >= target or self.valve_cmd:
                    self.pump_cmd = False
            elif r < target - prm.pump_on_below and not self.valve_cmd:
                self.pump_cmd = True
            self._duty += ((1.0 if self.pump_cmd else 0.0) - self._duty) * self._duty_alpha
            # A leak: the pump keeps the band near its target but must run far more than a
            # healthy band needs. Regulation goes on: a leak only loses pressure.
            if self._duty > prm.leak_duty_limit and r >= target - prm.leak_track_band:
                self.faults |= _LEAK
            elif (
                self.pump_cmd
                and self._pump_since is not None
                and t - self._pump_since >= prm.inflate_timeout_s
            ):
                self.faults |= _LEAK  # the pump cannot win back the target at all
                self.release()
                return

        # Sensor checks: a frozen reading while the pressure must move, or a reading that jumps
        # far more than any band can.
        d2 = r - 2.0 * self._prev + self._prev2
        self._noisy_ema += ((d2 if d2 >= 0.0 else -d2) - self._noisy_ema) * self._noisy_alpha
        if r == self._prev and (self.pump_cmd or r > prm.residual):
            if self._stuck_since is None:
                self._stuck_since = t
            elif t - self._stuck_since >= prm.stuck_detect_s:
                self._sensor_fault()
        else:
            self._stuck_since = None
        if self._noisy_ema > prm.noisy_detect_level:
            self._sensor_fault()

        # An unplugged band: the pump runs and the manifold stays near ambient.
        if self.pump_cmd:
            if self._pump_since is None:
                self._pump_since = t
            elif t - self._pump_since >= prm.unplugged_detect_s and r < prm.residual:
                self.faults |= _UNPLUGGED
                self.release()
        else:
            self._pump_since = None

    def _sensor_fault(self) -> None:
        if not self.faults & _SENSOR:
            self.faults |= _SENSOR
            if self.phase != IDLE:
                # Regulating blind is unsafe. An idle channel has nothing to release: it stays
                # IDLE with the flag, as in the protocol's worked example (section 10).
                self.release()

    def clear_latched(self, flag: int) -> None:
        """Clear a latched flag (the repaired fault's), and re-enable a cut pump."""
        self.faults &= ~flag
        if flag & _OVER:
            self.pump_cut = False
        if flag & _SENSOR:
            self._noisy_ema = 0.0
            self._stuck_since = None

    # -- read-out --------------------------------------------------------------------------------

    def phase_left(self, now: float) -> float:
        """Seconds left in the current timed phase."""
        if self.kind == CYCLE:
            end = self.phase_end if self.phase == DEFLATING else self.window_end
        elif self.kind == HOLD:
            end = self.ttl_deadline
        else:
            return 0.0
        return max(0.0, end - now)

    def ttl_left(self, now: float) -> float:
        """Seconds before the time-to-live runs out."""
        return max(0.0, self.ttl_deadline - now) if self.kind != NO_PROGRAM else 0.0

    def reported(self) -> float | None:
        """The pressure the device reports: None once it flagged the sensor."""
        return None if self.faults & _SENSOR else self.reading
