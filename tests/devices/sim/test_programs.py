"""Programs run on the device with their own timing; command validation."""

from __future__ import annotations

import math

import pytest

from devices.protocol.types import Phase, ResultCode, Site
from devices.sim import CuffParams, SimulatedCuff, mask_of

from ._drive import FOUR, PERIOD, ready_cuff, run


def _transitions(cuff: SimulatedCuff, seconds: float, channel: int = 0):
    """(time, phase, cycle, target) at every phase change seen in the 100 Hz stream."""
    seen: list[tuple[float, Phase, int, float]] = []

    def note(t, s):
        c = s.channels[channel]
        if not seen or seen[-1][1] is not c.phase:
            seen.append((t, c.phase, c.cycle, c.target))

    run(cuff, seconds, on_sample=note)
    return seen


def test_progressive_cycle_phase_timing_within_one_sample_period():
    cuff = ready_cuff(seed=4)
    cuff.advance_to(0.123)  # start between samples and between internal steps
    start = cuff.now
    pressures = [120.0, 150.0, 180.0, 210.0]
    inflate, deflate = 8.0, 4.0
    assert cuff.run_cycle(0b0011, inflate, deflate, 4, pressures, 300) is ResultCode.OK
    seen = _transitions(cuff, 4 * (inflate + deflate) + 1.0)

    expected = []  # (time, phase, cycle) of every scheduled change
    for k in range(4):
        expected.append((start + k * (inflate + deflate) + inflate, None, k + 1))
    deflations = [(t, p, c) for (t, p, c, _) in seen if p is Phase.DEFLATING]
    assert [c for _, _, c in deflations] == [1, 2, 3, 4]  # the last cycle deflates too
    for (t, _, c), (exp_t, _, exp_c) in zip(deflations, expected, strict=True):
        assert c == exp_c
        assert abs(t - exp_t) <= PERIOD + 1e-9
    # Each new cycle starts inflating exactly a deflation later, towards its own pressure.
    inflations = [(t, c, target) for (t, p, c, target) in seen if p is Phase.INFLATING]
    assert [c for _, c, _ in inflations] == [1, 2, 3, 4]
    assert [target for _, _, target in inflations] == pressures
    for k, (t, _, _) in enumerate(inflations[1:], start=1):
        assert abs(t - (start + k * (inflate + deflate))) <= PERIOD + 1e-9
    # The program ends after the last deflation window (protocol section 6): released.
    assert [p for _, p, _, _ in seen[-2:]] == [Phase.DEFLATING, Phase.RELEASED]
    end_t, end_phase, end_cycle, end_target = seen[-1]
    assert end_phase is Phase.RELEASED and end_cycle == 0 and end_target == 0.0
    assert abs(end_t - (start + 4 * (inflate + deflate))) <= PERIOD + 1e-9
    snap = cuff.snapshot()
    assert snap.faults == 0  # a program's natural end is not a fault


def test_each_cycle_reaches_its_own_pressure_and_deflates_to_near_zero():
    cuff = ready_cuff(seed=8)
    pressures = [100.0, 140.0, 180.0]
    cuff.run_cycle(0b1, 10.0, 5.0, 3, pressures, 300)
    peaks = [0.0, 0.0, 0.0]
    troughs = [math.inf, math.inf, math.inf]

    def note(t, s):
        c = s.channels[0]
        if c.phase in (Phase.INFLATING, Phase.HOLDING):
            peaks[c.cycle - 1] = max(peaks[c.cycle - 1], c.true_pressure)
        elif c.phase is Phase.DEFLATING:
            troughs[c.cycle - 1] = min(troughs[c.cycle - 1], c.true_pressure)

    run(cuff, 46.0, on_sample=note)
    for peak, p in zip(peaks, pressures, strict=True):
        assert p - 1.0 < peak < p + 4.0
    assert all(t < 5.0 for t in troughs)  # the last cycle's deflation window included
    assert cuff.snapshot().channels[0].phase is Phase.RELEASED


def test_seconds_left_and_cycle_number_are_exposed():
    cuff = ready_cuff(seed=1)
    cuff.run_cycle(0b1, 6.0, 3.0, 2, [150.0, 150.0], 60)
    run(cuff, 2.0)
    c = cuff.snapshot().channels[0]
    assert c.cycle == 1 and c.cycle_count == 2
    assert c.phase_left_s == pytest.approx(4.0, abs=0.011)
    assert c.ttl_left_s == pytest.approx(58.0, abs=0.011)
    run(cuff, 5.0)  # t = 7: deflation of cycle 1, 2 s left
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.DEFLATING and c.cycle == 1
    assert c.phase_left_s == pytest.approx(2.0, abs=0.011)
    sample = cuff.stream_sample()
    assert sample.phases[0] is Phase.DEFLATING and sample.cycles[0] == 1
    assert sample.cycle_counts == (2, 0, 0, 0)
    assert sample.seconds_left[0] == pytest.approx(2.0, abs=0.011)
    assert sample.uptime_ms == 7000


def test_hold_sent_again_renews_ttl_without_deflating():
    cuff = ready_cuff(seed=2)
    cuff.hold(0b1, 200.0, 10)
    run(cuff, 8.0)
    assert cuff.hold(0b1, 200.0, 10) is ResultCode.OK
    lows: list[float] = []
    run(cuff, 8.0, on_sample=lambda t, s: lows.append(s.channels[0].true_pressure))
    assert min(lows) > 196.0
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.HOLDING and c.ttl_left_s == pytest.approx(2.0, abs=0.011)


def test_hold_with_lower_target_bleeds_down():
    cuff = ready_cuff(seed=2)
    cuff.hold(0b1, 250.0, 60)
    run(cuff, 8.0)
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.OK
    run(cuff, 3.0)
    c = cuff.snapshot().channels[0]
    assert c.phase is Phase.HOLDING
    assert c.true_pressure == pytest.approx(150.0, abs=4.0)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((0, 10, 5, 1, [150], 60), ResultCode.BAD_CHANNEL),
        ((0b10000, 10, 5, 1, [150], 60), ResultCode.BAD_CHANNEL),
        ((0b1, 10, 5, 2, [150], 60), ResultCode.BAD_COMMAND),
        ((0b1, 10, 5, 1, [400], 60), ResultCode.OUT_OF_RANGE),
        ((0b1, 10, 5, 1, [5], 60), ResultCode.OUT_OF_RANGE),
        ((0b1, 10, 5, 1, [math.nan], 60), ResultCode.OUT_OF_RANGE),
        ((0b1, 0.5, 5, 1, [150], 60), ResultCode.OUT_OF_RANGE),
        ((0b1, 10, 601, 1, [150], 60), ResultCode.OUT_OF_RANGE),
        ((0b1, 10, 5, 21, [150] * 21, 60), ResultCode.OUT_OF_RANGE),
        ((0b1, 10, 5, 1, [150], 0), ResultCode.OUT_OF_RANGE),
        ((0b1, 10, 5, 1, [150], 4000), ResultCode.OUT_OF_RANGE),
        ((0b1, 10, 5, 1, [150], math.inf), ResultCode.OUT_OF_RANGE),
        ((0b1111, 10, 5, 1, [150], 60), ResultCode.OK),
    ],
)
def test_run_cycle_validation(args, code):
    cuff = ready_cuff(seed=1)
    assert cuff.run_cycle(*args) is code
    running = any(c.phase is Phase.INFLATING for c in cuff.snapshot().channels)
    assert running is (code is ResultCode.OK)


def test_hold_validation_and_refusals():
    cuff = SimulatedCuff(FOUR, seed=1)
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.REFUSED  # no heartbeat ever received
    cuff.heartbeat()
    assert cuff.hold(0b100000, 150.0, 60) is ResultCode.BAD_CHANNEL
    assert cuff.hold(0b1, 301.0, 60) is ResultCode.OUT_OF_RANGE
    assert cuff.hold(0b1, 150.0, 1801) is ResultCode.OUT_OF_RANGE
    cuff.set_battery(3.0)
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.REFUSED  # battery too low to inflate
    cuff.set_battery(80.0)
    assert cuff.hold(0b1, 150.0, 60) is ResultCode.OK


def test_refill_waits_for_a_release_to_complete():
    cuff = ready_cuff(seed=1)
    cuff.hold(0b1, 200.0, 60)
    run(cuff, 5.0)
    cuff.release(0b1)
    run(cuff, 0.1)
    assert cuff.hold(0b1, 200.0, 60) is ResultCode.BUSY
    run(cuff, CuffParams().valve_time_s(Site.LEFT_ARM, 200.0))
    assert cuff.hold(0b1, 200.0, 60) is ResultCode.OK


def test_set_sites_relabels_idle_channels_only():
    cuff = ready_cuff(seed=1)
    legs = (Site.LEFT_LEG, Site.RIGHT_LEG)
    assert cuff.set_sites(mask_of([0, 1]), legs) is ResultCode.OK
    assert cuff.snapshot().sites[:2] == legs
    assert cuff.set_sites(mask_of([0]), legs) is ResultCode.BAD_COMMAND
    cuff.hold(0b1, 150.0, 60)
    # Section 6: REFUSED (not BUSY) while a named channel holds pressure.
    assert cuff.set_sites(0b1, (Site.LEFT_ARM,)) is ResultCode.REFUSED
    assert cuff.set_sites(0b10, (Site.LEFT_ARM,)) is ResultCode.OK  # channel 1 is idle
    run(cuff, 1.0)
    assert cuff.set_sites(0b11, legs) is ResultCode.REFUSED  # one inflating channel is enough
    assert cuff.snapshot().sites[:2] == (Site.LEFT_LEG, Site.LEFT_ARM)
