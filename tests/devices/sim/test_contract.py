"""The model follows docs/device-protocol.md where it once differed: each rule from both sides."""

from __future__ import annotations

import pytest

from devices.protocol.types import Fault, Phase, ResultCode, Unit
from devices.sim import CuffParams, Program, SimulatedCuff

from ._drive import FOUR, ready_cuff, run

# -- RELEASE and RELEASE_ALL: every named channel ends RELEASED (section 6) ---------------------


def test_release_all_turns_idle_channels_released():
    cuff = ready_cuff(seed=1)
    assert all(c.phase is Phase.IDLE for c in cuff.snapshot().channels)  # nothing commanded
    assert cuff.release_all() is ResultCode.OK
    snap = cuff.snapshot()
    assert all(c.phase is Phase.RELEASED and c.valve_open and c.target == 0 for c in snap.channels)


def test_release_names_only_its_channels_and_leaves_the_others_idle():
    cuff = ready_cuff(seed=1)
    assert cuff.release(0b0101) is ResultCode.OK
    assert [c.phase for c in cuff.snapshot().channels] == [
        Phase.RELEASED,
        Phase.IDLE,
        Phase.RELEASED,
        Phase.IDLE,
    ]


def test_a_released_channel_inflates_again_on_the_next_pressure_command():
    cuff = ready_cuff(seed=1)
    cuff.release_all()
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.OK
    assert cuff.snapshot().channels[0].phase is Phase.INFLATING


def test_a_sensor_fault_on_an_idle_channel_keeps_it_idle():
    # Nothing was commanded, so nothing is released: the section 10 example (idle, 0x7FFF).
    cuff = ready_cuff(seed=1)
    cuff.faults.noisy_sensor(3)
    run(cuff, 2.0)
    c = cuff.snapshot().channels[3]
    assert c.faults == Fault.SENSOR_FAULT and c.pressure is None and c.phase is Phase.IDLE


# -- Check order: UNIT_MISMATCH before OUT_OF_RANGE (section 6) ---------------------------------


@pytest.mark.parametrize(
    ("pressure", "ttl", "unit", "code"),
    [
        (450.0, 60, Unit.SKU, ResultCode.UNIT_MISMATCH),  # both wrong: the unit wins
        (150.0, 5000, Unit.SKU, ResultCode.UNIT_MISMATCH),
        (450.0, 60, Unit.MMHG, ResultCode.OUT_OF_RANGE),  # right unit: the range speaks
        (150.0, 5000, Unit.MMHG, ResultCode.OUT_OF_RANGE),
        (150.0, 60, Unit.MMHG, ResultCode.OK),
    ],
)
def test_hold_checks_the_unit_before_the_ranges(pressure, ttl, unit, code):
    cuff = ready_cuff(seed=1)
    assert cuff.hold(0b1, pressure, ttl, unit=unit) is code


@pytest.mark.parametrize(
    ("inflate", "pressures", "unit", "code"),
    [
        (10.0, [150.0, 400.0], Unit.SKU, ResultCode.UNIT_MISMATCH),
        (900.0, [150.0, 150.0], Unit.SKU, ResultCode.UNIT_MISMATCH),
        (10.0, [150.0, 400.0], Unit.MMHG, ResultCode.OUT_OF_RANGE),
        (900.0, [150.0, 150.0], Unit.MMHG, ResultCode.OUT_OF_RANGE),
        (10.0, [150.0, 150.0], Unit.MMHG, ResultCode.OK),
    ],
)
def test_run_cycle_checks_the_unit_before_the_ranges(inflate, pressures, unit, code):
    cuff = ready_cuff(seed=1)
    assert cuff.run_cycle(0b1, inflate, 5.0, 2, pressures, 60, unit=unit) is code


def test_unit_mismatch_comes_before_the_watchdog_refusal_and_bad_channel_before_both():
    cuff = SimulatedCuff(FOUR, seed=1)  # no heartbeat: disarmed
    assert cuff.hold(0b1, 150.0, 60, unit=Unit.SKU) is ResultCode.UNIT_MISMATCH
    assert cuff.hold(0b1, 150.0, 60, unit=Unit.MMHG) is ResultCode.REFUSED
    assert cuff.hold(0b10000, 450.0, 60, unit=Unit.SKU) is ResultCode.BAD_CHANNEL


# -- Minimum pressure: a documented profile constant, 10.0 units (section 6) --------------------


@pytest.mark.parametrize(
    ("pressure", "code"),
    [(9.9, ResultCode.OUT_OF_RANGE), (10.0, ResultCode.OK), (0.1, ResultCode.OUT_OF_RANGE)],
)
def test_minimum_pressure_is_ten_units_inclusive(pressure, code):
    assert CuffParams().min_pressure == 10.0
    assert ready_cuff(seed=1).hold(0b1, pressure, 60) is code
    assert ready_cuff(seed=1).run_cycle(0b1, 5, 5, 1, [pressure], 60) is code


# -- HOLD and cycle programs are told apart (section 5) -----------------------------------------


def test_program_kind_tells_a_hold_from_a_one_cycle_program():
    cuff = ready_cuff(seed=1)
    assert cuff.hold(0b01, 150.0, 60) is ResultCode.OK
    assert cuff.run_cycle(0b10, 10.0, 5.0, 1, [150.0], 60) is ResultCode.OK
    run(cuff, 1.0)
    sample = cuff.stream_sample()
    assert sample.programs == (Program.HOLD, Program.CYCLE, Program.NONE, Program.NONE)
    assert (sample.cycles, sample.cycle_counts) == ((0, 1, 0, 0), (0, 1, 0, 0))
    hold, cycle = cuff.snapshot().channels[:2]
    assert hold.program is Program.HOLD and (hold.cycle, hold.cycle_count) == (0, 0)
    assert cycle.program is Program.CYCLE and (cycle.cycle, cycle.cycle_count) == (1, 1)
    # A HOLD's seconds left count down its time-to-live; the cycle's its inflation window.
    assert sample.seconds_left[0] == pytest.approx(59.0, abs=0.011)
    assert sample.seconds_left[1] == pytest.approx(9.0, abs=0.011)


def test_program_kind_follows_the_last_command_and_ends_with_a_release():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1, 150.0, 60)
    cuff.run_cycle(0b1, 10.0, 5.0, 2, [150.0, 150.0], 60)  # replaces the HOLD
    assert cuff.stream_sample().programs[0] is Program.CYCLE
    cuff.hold(0b1, 150.0, 60)  # and back
    assert cuff.stream_sample().programs[0] is Program.HOLD
    cuff.release(0b1)
    assert cuff.stream_sample().programs[0] is Program.NONE
    assert cuff.snapshot().channels[0].program is Program.NONE
