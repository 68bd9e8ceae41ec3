"""Determinism, chunking invariance and the cost of a long simulated session."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol.types import Phase, ResultCode
from devices.sim import SimulatedCuff

from ._drive import FOUR


def _trajectory(seed: int, chunk: float, seconds: float = 20.0) -> list[tuple]:
    """Drive a scripted session advancing in chunks of the given size; sample every 100 ms."""
    cuff = SimulatedCuff(FOUR, seed=seed)
    script = {
        0.0: lambda: cuff.run_cycle(0b0011, 4.0, 2.0, 3, [120.0, 160.0, 200.0], 60),
        2.0: lambda: cuff.hold(0b0100, 220.0, 60),
        9.0: lambda: cuff.faults.leak(2, 10.0),
        14.0: lambda: cuff.release(0b0100),
    }
    out: list[tuple] = []
    n = round(seconds / chunk)
    every = round(0.1 / chunk)
    hb_every = round(0.5 / chunk)
    for i in range(n + 1):
        t = i * chunk
        cuff.advance_to(t)
        if i % hb_every == 0:
            cuff.heartbeat()
        action = script.get(round(t, 6))
        if action is not None:
            action()
        if i % every == 0:
            s = cuff.snapshot()
            rows = [(c.pressure, c.true_pressure, c.phase, c.pump_on, c.faults) for c in s.channels]
            out.append((round(t, 6), s.uptime_ms, s.battery_pct, *rows))
    return out


def test_same_seed_same_trajectory_other_seed_other_noise():
    a = _trajectory(7, 0.01)
    assert a == _trajectory(7, 0.01)
    b = _trajectory(8, 0.01)
    assert [row[3][0] for row in a] != [row[3][0] for row in b]
    # The noise differs, the programme does not.
    assert [row[3][2] for row in a] == [row[3][2] for row in b]


def test_chunking_does_not_change_the_trajectory():
    fine = _trajectory(3, 0.001)
    coarse = _trajectory(3, 0.1)
    assert len(fine) == len(coarse) == 201
    for f, c in zip(fine, coarse, strict=True):
        assert f[:2] == c[:2]
        assert abs(f[2] - c[2]) < 1e-9
        for fc, cc in zip(f[3:], c[3:], strict=True):
            assert fc[2:] == cc[2:]
            assert abs(fc[1] - cc[1]) < 1e-6
            assert fc[0] is cc[0] is None or abs(fc[0] - cc[0]) < 1e-6
    assert any(row[5][2] is Phase.HOLDING for row in fine)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.0005, 0.3), min_size=1, max_size=60))
def test_irregular_chunks_end_in_the_same_state(chunks: list[float]):
    ref = SimulatedCuff(FOUR, seed=11)
    cuff = SimulatedCuff(FOUR, seed=11)
    for c in (ref, cuff):
        c.heartbeat()
        assert c.hold(0b1111, 200.0, 60) is ResultCode.OK
    t = 0.0
    for dt in chunks:
        t += dt
        cuff.advance_to(t)
    ref.advance_to(t)
    assert ref.snapshot() == cuff.snapshot()


@pytest.mark.slow
def test_thirty_five_minute_session_cost(capsys):
    """Four channels streamed at 100 Hz for 35 simulated minutes (timing printed, not asserted)."""
    cuff = SimulatedCuff(FOUR, seed=1)
    cuff.heartbeat()
    pressures = [150.0 + 5.0 * k for k in range(20)]
    cuff.run_cycle(0b1111, 30.0, 10.0, 20, pressures, 1800)
    started = time.perf_counter()
    samples = 35 * 60 * 100
    last = None
    for i in range(1, samples + 1):
        cuff.advance_to(i * 0.01)
        if i % 50 == 0:
            cuff.heartbeat()
        if i == 80_000:
            cuff.release_all()
        elif i == 80_300:
            assert cuff.run_cycle(0b1111, 30.0, 10.0, 20, pressures, 1800) is ResultCode.OK
        last = cuff.stream_sample()
    elapsed = time.perf_counter() - started
    assert last is not None and last.uptime_ms == 35 * 60 * 1000
    with capsys.disabled():
        print(f"\n35 min, 4 channels, 100 Hz stream: {elapsed:.2f} s wall ({samples} samples)")
