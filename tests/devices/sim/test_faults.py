"""Injected physical faults: what the device detects and what the snapshot shows."""

from __future__ import annotations

import pytest

from devices.protocol.types import Fault, Phase, ResultCode
from devices.sim import CuffParams, SimFault

from ._drive import ready_cuff, run


def test_leak_makes_the_pump_work_and_sets_the_leak_flag():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b11, 200.0, 300)
    run(cuff, 6.0)
    cuff.faults.leak(0, 8.0)
    run(cuff, 1.0)
    snap = cuff.snapshot()
    assert snap.channels[0].injected == frozenset({SimFault.LEAK})
    assert snap.channels[0].faults == Fault.NONE  # not yet: the duty average needs time
    run(cuff, 10.0)
    snap = cuff.snapshot()
    assert snap.channels[0].faults == Fault.LEAK and snap.channels[1].faults == Fault.NONE
    # It keeps regulating (a leak only loses pressure), but refuses new inflation.
    assert snap.channels[0].phase is Phase.HOLDING
    assert snap.channels[0].true_pressure == pytest.approx(200.0, abs=4.0)
    assert cuff.hold(0b01, 200.0, 60) is ResultCode.FAULT
    cuff.faults.clear(0)
    assert cuff.snapshot().channels[0].faults == Fault.NONE
    assert cuff.hold(0b01, 200.0, 60) is ResultCode.OK


def test_large_leak_times_out_the_inflation():
    cuff = ready_cuff(seed=1)
    cuff.faults.leak(0, 120.0)  # the pump cannot win against this
    cuff.hold(0b1, 250.0, 300)
    run(cuff, CuffParams().inflate_timeout_s - 0.1)
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.INFLATING and c.pump_on and c.faults == Fault.NONE
    run(cuff, 0.2)
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.RELEASED and c.faults == Fault.LEAK and not c.pump_on


def test_stuck_valve_keeps_pressure_after_release():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b11, 200.0, 300)
    run(cuff, 6.0)
    cuff.faults.stuck_valve(0)
    assert cuff.release_all() is ResultCode.OK
    run(cuff, 3.0)
    a, b = cuff.snapshot().channels[:2]
    # The device thinks it opened the valve; only the pressure shows it did not.
    assert a.phase is Phase.RELEASED and a.valve_open and a.faults == Fault.NONE
    assert a.true_pressure > 195.0 and a.pressure > 190.0
    assert a.injected == frozenset({SimFault.STUCK_VALVE})
    assert b.true_pressure < 10.0
    cuff.faults.clear(0, SimFault.STUCK_VALVE)
    run(cuff, 2.0)
    assert cuff.snapshot().channels[0].true_pressure < 10.0


def test_runaway_pump_trips_over_pressure_protection():
    params = CuffParams()
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1, 200.0, 300)
    run(cuff, 5.0)
    cuff.faults.runaway_pump(0)
    peak: list[float] = [0.0]
    tripped: list[float] = []

    def note(t, s):
        c = s.channels[0]
        peak[0] = max(peak[0], c.true_pressure)
        if not tripped and c.faults & Fault.OVER_PRESSURE:
            tripped.append(t)
            assert c.phase is Phase.RELEASED and c.valve_open

    run(cuff, 10.0, on_sample=note)
    assert tripped, "over-pressure protection never tripped"
    # The band ran up to the limit (sampled at 100 Hz, so the very top may fall between samples).
    assert params.over_pressure_limit - 5.0 < peak[0] < params.over_pressure_limit + 3.0
    c = cuff.snapshot().channels[0]
    assert c.true_pressure < 10.0  # the pump's supply was cut: it stopped, the band emptied
    assert c.injected == frozenset({SimFault.RUNAWAY_PUMP})
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.FAULT
    cuff.faults.clear(0)
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.OK


def test_noisy_sensor_is_flagged_and_its_readings_withheld():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1, 200.0, 300)
    run(cuff, 6.0)
    cuff.faults.noisy_sensor(0, 15.0)
    run(cuff, 0.05)
    c = cuff.snapshot().channels[0]
    assert c.injected == frozenset({SimFault.NOISY_SENSOR})
    assert abs(c.sensor_reading - c.true_pressure) < 80.0
    run(cuff, 1.0)
    c = cuff.snapshot().channels[0]
    assert c.faults == Fault.SENSOR_FAULT and c.phase is Phase.RELEASED
    assert c.pressure is None and cuff.readings()[0] is None
    assert cuff.stream_sample().pressures[0] is None
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.FAULT


def test_stuck_sensor_freezes_the_reading_until_the_firmware_notices():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1, 200.0, 300)
    run(cuff, 6.0)
    cuff.faults.stuck_sensor(0)
    run(cuff, 0.1)
    frozen = cuff.snapshot().channels[0].sensor_reading
    run(cuff, 0.5)
    c = cuff.snapshot().channels[0]
    assert c.sensor_reading == frozen and c.pressure == frozen
    assert c.injected == frozenset({SimFault.STUCK_SENSOR})
    run(cuff, 1.0)
    c = cuff.snapshot().channels[0]
    assert c.faults == Fault.SENSOR_FAULT and c.phase is Phase.RELEASED and c.pressure is None
    run(cuff, 2.0)
    c = cuff.snapshot().channels[0]
    assert c.sensor_reading == frozen and c.true_pressure < 10.0
    cuff.faults.clear(0)
    run(cuff, 0.05)
    c = cuff.snapshot().channels[0]
    assert c.faults == Fault.NONE and c.pressure is not None and c.pressure < 10.0


def test_unplugged_cuff_is_detected_when_the_pump_cannot_build_pressure():
    cuff = ready_cuff(seed=1)
    cuff.faults.unplug(2)
    cuff.hold(0b0100, 200.0, 60)
    run(cuff, 0.9)
    c = cuff.snapshot().channels[2]
    assert c.phase is Phase.INFLATING and c.pressure < 10.0 and c.faults == Fault.NONE
    run(cuff, 0.2)
    c = cuff.snapshot().channels[2]
    assert c.faults == Fault.CUFF_UNPLUGGED and c.phase is Phase.RELEASED
    assert c.injected == frozenset({SimFault.UNPLUGGED})


def test_unplugging_a_held_band_is_detected():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1, 180.0, 60)
    run(cuff, 6.0)
    cuff.faults.unplug(0)
    run(cuff, 1.5)
    assert cuff.snapshot().channels[0].faults == Fault.CUFF_UNPLUGGED


def test_fault_controls_check_their_arguments():
    cuff = ready_cuff(seed=1)
    with pytest.raises(ValueError):
        cuff.faults.leak(7)
    with pytest.raises(ValueError):
        cuff.faults.leak(0, -1.0)
    with pytest.raises(ValueError):
        cuff.faults.noisy_sensor(0, float("nan"))
    cuff.faults.leak(0)
    cuff.faults.stuck_valve(1)
    assert cuff.faults.active(0) == frozenset({SimFault.LEAK})
    cuff.faults.clear_all()
    assert all(not c.injected for c in cuff.snapshot().channels)


def test_gross_leak_while_holding_releases_after_the_pump_timeout():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1, 200.0, 300)
    run(cuff, 5.0)
    cuff.faults.leak(0, 150.0)  # the band sags far below target: no duty-cycle leak pattern
    run(cuff, CuffParams().inflate_timeout_s - 0.5)
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.HOLDING and c.pump_on and c.faults == Fault.NONE
    assert c.true_pressure < 190.0
    run(cuff, 1.0)
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.RELEASED and c.faults == Fault.LEAK
