"""Band physics of the simulated cuff: inflation, regulation, release, unit."""

from __future__ import annotations

import pytest

from devices.protocol.types import Phase, ResultCode, Site, Unit
from devices.sim import CuffParams, SimulatedCuff

from ._drive import FOUR, run


@pytest.mark.parametrize(("site", "target"), [(Site.LEFT_ARM, 200.0), (Site.LEFT_LEG, 250.0)])
def test_inflation_reaches_target_in_documented_time_and_regulates(site: Site, target: float):
    params = CuffParams()
    cuff = SimulatedCuff((site, Site.RIGHT_ARM), seed=3)
    cuff.heartbeat()
    assert cuff.hold(0b01, target, 120) is ResultCode.OK
    nominal = params.inflation_time_s(site, target)
    # Plausibility of the defaults: arm 0->200 in about 3-4 s, leg bands slower.
    assert (3.0 <= nominal <= 4.5) if site.is_arm else (4.5 <= nominal <= 8.0)
    reached: list[float] = []
    run(
        cuff,
        nominal + 0.5,
        on_sample=lambda t, s: (
            reached.append(t) if not reached and s.channels[0].phase is Phase.HOLDING else None
        ),
    )
    assert reached, "never reached the target"
    assert abs(reached[0] - nominal) < 0.3
    errors: list[float] = []
    run(cuff, 20.0, on_sample=lambda t, s: errors.append(s.channels[0].true_pressure - target))
    # Regulation within a few mmHg, on average right on target.
    assert max(abs(e) for e in errors) < 4.0
    assert abs(sum(errors) / len(errors)) < 1.5
    assert cuff.snapshot().channels[0].phase is Phase.HOLDING


@pytest.mark.parametrize("site", [Site.LEFT_ARM, Site.RIGHT_LEG])
def test_release_all_empties_band_within_valve_time(site: Site):
    params = CuffParams()
    cuff = SimulatedCuff((site, site), seed=1)
    cuff.heartbeat()
    cuff.hold(0b11, 300.0, 120)
    run(cuff, 12.0)
    start = cuff.snapshot().channels[0].true_pressure
    assert start == pytest.approx(300.0, abs=4.0)
    assert cuff.release_all() is ResultCode.OK
    valve_time = params.valve_time_s(site, start)
    assert valve_time < 2.0  # a 300 mmHg band is empty well within 2 s
    below: list[float] = []
    run(
        cuff,
        valve_time + 0.5,
        on_sample=lambda t, s: (
            below.append(t)
            if not below and max(c.true_pressure for c in s.channels) < params.residual
            else None
        ),
    )
    assert below and below[0] - 12.0 <= valve_time + 0.02
    snap = cuff.snapshot()
    assert all(c.phase is Phase.RELEASED and c.valve_open and not c.pump_on for c in snap.channels)
    assert all(c.pressure is not None and c.pressure < params.residual for c in snap.channels)


def test_pump_and_valve_states_follow_the_phase():
    cuff = SimulatedCuff(FOUR, seed=2)
    cuff.heartbeat()
    cuff.hold(0b0001, 150.0, 60)
    run(cuff, 0.5)
    ch = cuff.snapshot().channels[0]
    assert ch.phase is Phase.INFLATING and ch.pump_on and not ch.valve_open
    idle = cuff.snapshot().channels[1]
    assert idle.phase is Phase.IDLE and idle.true_pressure == 0.0 and idle.target == 0.0


def test_sensor_reading_carries_noise_but_true_pressure_does_not():
    cuff = SimulatedCuff(FOUR, seed=5, params=CuffParams(pulse_amplitude=0.0))
    cuff.heartbeat()
    cuff.hold(0b1, 180.0, 60)
    run(cuff, 8.0)
    diffs: list[float] = []
    run(
        cuff,
        2.0,
        on_sample=lambda t, s: diffs.append(s.channels[0].pressure - s.channels[0].true_pressure),
    )
    sd = (sum(d * d for d in diffs) / len(diffs)) ** 0.5
    assert 0.2 < sd < 0.7  # the default 0.4 sensor noise


def test_sku_unit_uses_its_own_numbers_and_refuses_mmhg_commands():
    cuff = SimulatedCuff(FOUR, unit=Unit.SKU, seed=1)
    cuff.heartbeat()
    assert cuff.hold(0b1, 150.0, 60, unit=Unit.MMHG) is ResultCode.UNIT_MISMATCH
    assert cuff.hold(0b1, 150.0, 60, unit=Unit.SKU) is ResultCode.OK
    run(cuff, 8.0)
    snap = cuff.snapshot()
    assert snap.unit is Unit.SKU
    # Never converted: the band sits at 150 in the device's unit.
    assert snap.channels[0].true_pressure == pytest.approx(150.0, abs=4.0)


def test_channel_count_must_be_two_or_four():
    with pytest.raises(ValueError):
        SimulatedCuff((Site.LEFT_ARM,))
    assert SimulatedCuff(FOUR).snapshot().channel_count == 4
    assert SimulatedCuff().snapshot().sites == (Site.LEFT_ARM, Site.RIGHT_ARM)


def test_time_never_goes_backwards():
    cuff = SimulatedCuff()
    cuff.advance_to(1.0)
    with pytest.raises(ValueError):
        cuff.advance_to(0.5)
