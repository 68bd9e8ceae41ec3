"""Pressure fidelity on hand-made samples: both sides of 15 mmHg and of 10 %, hold only, timing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol.types import Phase
from kaatsu_desktop.reports.fidelity import (
    MAX_GAP_MS,
    NO_HOLD,
    Fidelity,
    channel_fidelity,
    overall_fidelity,
    session_fidelity,
)
from kaatsu_desktop.storage import make_samples

H, INF, DEF, IDLE = int(Phase.HOLDING), int(Phase.INFLATING), int(Phase.DEFLATING), int(Phase.IDLE)


def fid(rows: list[tuple[int, float, float, int]]) -> Fidelity:
    """Fidelity of (t_ms, pressure, target, phase) rows of one channel; pressures as shown."""
    t, p, g, ph = zip(*rows, strict=True)
    samples = make_samples(t, 0, p, g, ph)
    return channel_fidelity(
        samples["t_ms"], samples["pressure_x10"], samples["target_x10"], samples["phase"]
    )


def one(pressure: float, target: float) -> Fidelity:
    """A single hold sample lasting 100 ms (the second sample only closes it)."""
    return fid([(0, pressure, target, H), (100, 0.0, 0.0, IDLE)])


@pytest.mark.parametrize(
    ("pressure", "target", "abs_in", "rel_in"),
    [
        (115.0, 100.0, True, False),  # 15.0 off: in the 15 mmHg band; 10 % of 100 is 10
        (85.0, 100.0, True, False),  # -15.0 off: the band is symmetric
        (115.1, 100.0, False, False),  # 15.1 off: out of both
        (84.9, 100.0, False, False),
        (110.0, 100.0, True, True),  # 10.0 off: exactly 10 %, edge included
        (110.1, 100.0, True, False),  # 10.1 off: just over 10 %
        (89.9, 100.0, True, False),
        (220.0, 200.0, False, True),  # 20.0 off: 10 % of 200, but beyond 15 mmHg
        (220.1, 200.0, False, False),
        (213.0, 200.0, True, True),
        (100.0, 100.0, True, True),
    ],
)
def test_each_side_of_15_mmhg_and_10_percent(
    pressure: float, target: float, abs_in: bool, rel_in: bool
) -> None:
    f = one(pressure, target)
    assert f.hold_ms == 100
    assert f.within_abs_ms == (100 if abs_in else 0)
    assert f.within_rel_ms == (100 if rel_in else 0)


def test_only_holding_samples_with_a_target_count() -> None:
    f = fid(
        [
            (0, 60.0, 100.0, INF),  # inflating: 40 off, but not hold
            (100, 101.0, 100.0, H),  # 100 ms of hold, within both
            (200, 140.0, 100.0, H),  # 100 ms of hold, out of both
            (300, 30.0, 0.0, DEF),  # deflating: not hold
            (400, 50.0, 0.0, H),  # holding with no target (idle channel reporting): not hold
            (500, 0.2, 0.0, IDLE),
        ]
    )
    assert f == Fidelity(hold_ms=200, within_abs_ms=100, within_rel_ms=100)
    assert f.share_abs == pytest.approx(0.5)
    assert f.share_rel == pytest.approx(0.5)


def test_each_sample_lasts_until_the_next_one_and_long_gaps_are_left_out() -> None:
    f = fid(
        [
            (0, 100.0, 100.0, H),  # 30 ms, within
            (30, 130.0, 100.0, H),  # 70 ms, out
            (100, 100.0, 100.0, H),  # gap of 1001 ms: link stale, counted neither in nor out
            (100 + MAX_GAP_MS + 1, 100.0, 100.0, H),  # exactly MAX_GAP_MS: counted
            (100 + 2 * MAX_GAP_MS + 1, 100.0, 100.0, H),  # last sample: nothing after it
        ]
    )
    assert f.hold_ms == 30 + 70 + MAX_GAP_MS
    assert f.within_abs_ms == 30 + MAX_GAP_MS
    assert f.share_abs == pytest.approx((30 + MAX_GAP_MS) / (100 + MAX_GAP_MS))


def test_no_hold_time_gives_no_share() -> None:
    assert fid([(0, 0.0, 0.0, IDLE), (10, 0.0, 0.0, IDLE)]) == NO_HOLD
    assert NO_HOLD.share_abs is None and NO_HOLD.share_rel is None
    assert fid([(0, 100.0, 100.0, H)]) == NO_HOLD  # a single sample lasts no time


def test_channels_are_kept_apart_and_added_up() -> None:
    t = np.arange(0, 1000, 100)
    a = make_samples(t, 0, 100.0, 100.0, H)  # 900 ms, all within
    b = make_samples(t, 1, 120.0, 100.0, H)  # 900 ms, none within
    per = session_fidelity(np.concatenate([a, b]))
    assert per == {0: Fidelity(900, 900, 900), 1: Fidelity(900, 0, 0)}
    assert overall_fidelity(per) == Fidelity(1800, 900, 900)


def reference(rows: list[tuple[int, int, int, int]]) -> tuple[int, int, int]:
    """The definition, one sample at a time, in plain integers (tenths)."""
    hold = within_abs = within_rel = 0
    for (t, p, g, ph), (t_next, *_) in itertools.pairwise(rows):
        dt = t_next - t
        if ph != H or g <= 0 or dt > MAX_GAP_MS:
            continue
        hold += dt
        if abs(p - g) <= 150:
            within_abs += dt
        if abs(p - g) * 10 <= g:
            within_rel += dt
    return hold, within_abs, within_rel


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 1500),
            st.integers(-50, 3500),
            st.integers(0, 3000),
            st.sampled_from([IDLE, INF, H, H, H, DEF]),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_matches_the_definition_sample_by_sample(rows: list[tuple[int, int, int, int]]) -> None:
    t = np.cumsum([r[0] for r in rows])
    samples = [(int(ti), p, g, ph) for ti, (_, p, g, ph) in zip(t, rows, strict=True)]
    f = channel_fidelity(
        np.array([s[0] for s in samples]),
        np.array([s[1] for s in samples]),
        np.array([s[2] for s in samples]),
        np.array([s[3] for s in samples]),
    )
    assert (f.hold_ms, f.within_abs_ms, f.within_rel_ms) == reference(samples)
    assert 0 <= f.within_abs_ms <= f.hold_ms and 0 <= f.within_rel_ms <= f.hold_ms
