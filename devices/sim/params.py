"""Physical and firmware parameters of the simulated cuff controller.

Every number is in the device's configured unit (mmHg or SKU) and is used as is: the model never
converts. The defaults describe a portable two- or four-channel controller with one small
diaphragm pump and one normally-open solenoid valve per channel, driving a 5 cm arm band or a
larger leg band. Where the numbers come from (orders of magnitude, not a vendor's data sheet):

- Inflation: small 6 V/12 V diaphragm pumps deliver about 1-2 l/min and stall near 450-600 mmHg;
  an arm band plus the soft tissue under it takes up tens of millilitres, so an arm band reaches
  200 mmHg in about 3-4 s and a leg band (about 1.5 times the volume) in about 5-6 s. This matches
  how quickly automatic blood pressure monitors and KAATSU-style controllers fill a cuff.
- Release: a solenoid valve with a ~1 mm orifice empties an arm band with a time constant of
  about a third of a second: 200 mmHg falls below 10 mmHg in about 1 s, a leg band in about 1.5 s.
- Regulation: firmware switches the pump on below the target minus a small band and bleeds
  through the valve above the target plus a small band, so the pressure stays within a few mmHg.
- Leak: a healthy band and tubing lose well under 1 mmHg per second at training pressure.
- Sensor: MEMS gauge sensors in such devices show about 0.3-0.5 mmHg of noise; the limb's pulse
  adds an oscillation of about 1 mmHg (the oscillometric signal blood pressure monitors use).
- Battery: a 2,000 mAh pack, about 40 mA for electronics and radio, about 350 mA per running pump.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from devices.protocol.types import Site


@dataclass(frozen=True, slots=True)
class CuffParams:
    """Parameters of the simulated controller; pressures in the device's unit."""

    step_s: float = 0.005  # internal sub-step and firmware control period (200 Hz)

    # Pump: pressure rise rate into an arm band at ambient pressure, falling linearly to zero
    # at the stall pressure (a diaphragm pump's flow falls with back pressure).
    pump_rate: float = 75.0  # unit/s at 0, arm band: 0 -> 200 in about 3.5 s
    pump_stall: float = 450.0  # back pressure at which the pump delivers nothing
    pump_lag_s: float = 0.04  # motor spin-up and spin-down; the cause of small overshoots

    # Valve and leaks (time constants for an arm band; a leg band scales by leg_volume_factor).
    valve_tau_s: float = 0.33  # release time constant: 200 -> 10 in about 1.0 s
    slow_leak_tau_s: float = 900.0  # healthy band: about 0.2 unit/s lost at 200
    unplugged_tau_s: float = 0.08  # an open tube vents the manifold almost at once
    leg_volume_factor: float = 1.5  # leg band and limb take up 1.5 times the air of an arm band

    # Sensor.
    noise_sd: float = 0.4  # standard deviation of the sensor noise
    pulse_amplitude: float = 0.8  # oscillation the pulse adds to the reading at full effect
    pulse_rate_hz: float = 1.2  # 72 beats per minute

    # Regulation (bang-bang with hysteresis plus valve bleed).
    pump_on_below: float = 2.0  # holding: pump starts below target - this
    bleed_above: float = 3.0  # holding: valve bleeds above target + this
    bleed_until: float = 0.5  # ... until the reading is back at target + this

    # Device limits (validated on every command; also reported in the device configuration).
    min_pressure: float = 10.0
    max_pressure: float = 300.0  # highest target a command may ask for
    over_pressure_limit: float = 350.0  # independent safety sensor trips and releases above this
    min_phase_s: float = 1.0
    max_inflation_s: float = 600.0
    max_deflation_s: float = 600.0
    max_cycles: int = 20
    min_ttl_s: float = 1.0
    max_ttl_s: float = 1800.0  # longer than any clinical time limit (T-TIME-1, T-TIME-2)
    residual: float = 10.0  # below this a released band counts as empty
    watchdog_s: float = 2.0  # heartbeat timeout: every channel releases after it

    # Firmware fault detection.
    inflate_timeout_s: float = 20.0  # pump ran this long without reaching target: LEAK
    leak_duty_limit: float = 0.08  # holding: pump duty above this (averaged) means LEAK
    leak_duty_tau_s: float = 5.0  # averaging time constant of the pump duty
    leak_track_band: float = 10.0  # ... while the reading stays this close to the target
    unplugged_detect_s: float = 1.0  # pump ran this long with the reading below residual
    stuck_detect_s: float = 1.0  # reading bit-identical this long while it should move
    noisy_detect_level: float = 4.0  # mean |second difference| of the reading above this
    noisy_detect_tau_s: float = 0.5

    # Battery.
    battery_mah: float = 2000.0
    idle_ma: float = 40.0
    pump_ma: float = 350.0
    battery_low_pct: float = 20.0  # status the app alarms on
    battery_refuse_pct: float = 5.0  # inflation refused below this

    def volume_factor(self, site: Site) -> float:
        """Air volume of a band at this site relative to an arm band."""
        return self.leg_volume_factor if site.is_leg else 1.0

    def valve_time_s(self, site: Site, from_pressure: float | None = None) -> float:
        """Time the open valve needs to bring a band from a pressure down to the residual."""
        start = self.over_pressure_limit if from_pressure is None else from_pressure
        if start <= self.residual:
            return 0.0
        tau = self.valve_tau_s * self.volume_factor(site)
        # The slow leak runs in parallel with the valve and only shortens the fall.
        return tau * math.log(start / self.residual)

    def inflation_time_s(self, site: Site, target: float) -> float:
        """Nominal time the pump needs to bring an empty band at this site to a target."""
        if target >= self.pump_stall:
            return math.inf
        rate = self.pump_rate / self.volume_factor(site)
        return self.pump_lag_s + (self.pump_stall / rate) * -math.log(
            1.0 - target / self.pump_stall
        )
