"""Resting channels are stepped in bulk: the very state, bit for bit, that sub-steps give."""

from __future__ import annotations

import pytest

from devices.sim import SimulatedCuff
from devices.sim.channel import SimChannel

from ._drive import FOUR


def _state(cuff: SimulatedCuff) -> list[object]:
    """Everything a channel keeps, private fields included, and the device's battery."""
    skip = ("params", "inj", "_rng", "_noise")
    rows = [
        sorted((k, v) for k, v in vars(ch).items() if k not in skip)
        for ch in cuff._channels  # the test compares the model's whole state
    ]
    return [cuff.battery_pct, cuff.snapshot(), *rows]


def _session(cuff: SimulatedCuff) -> list:
    """Legs idle while the arms cycle; a release, a heartbeat that stops, a hold and faults."""
    script = {
        0.0: lambda: cuff.run_cycle(0b0011, 4.0, 2.0, 3, [120.0, 160.0, 200.0], 60),
        9.0: lambda: cuff.release(0b0011),
        16.0: lambda: cuff.hold(0b0100, 150.0, 30),
        22.0: lambda: cuff.faults.noisy_sensor(3),
        25.0: lambda: cuff.faults.clear(3),
        27.0: lambda: setattr(cuff, "_hb_stop", True),  # the heartbeat stops: watchdog release
    }
    seen = []
    for i in range(1, 40 * 50 + 1):  # 40 s in 20 ms frames, as the stream ticks
        t = i * 0.02
        cuff.advance_to(t)
        if i % 25 == 0 and not getattr(cuff, "_hb_stop", False):
            cuff.heartbeat()
        action = script.get(round(t, 6))
        if action is not None:
            action()
        if i % 10 == 0:
            seen.append(_state(cuff))
    return seen


def test_bulk_rest_equals_sub_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = SimulatedCuff(FOUR, seed=5)
    fast.heartbeat()
    rested = []
    original = SimChannel.resting

    def counting(self: SimChannel) -> bool:
        out = original(self)
        rested.append(out)
        return out

    monkeypatch.setattr(SimChannel, "resting", counting)
    got = _session(fast)
    monkeypatch.setattr(SimChannel, "resting", lambda self: False)  # every sub-step, one by one
    slow = SimulatedCuff(FOUR, seed=5)
    slow.heartbeat()
    want = _session(slow)
    assert sum(rested) > len(rested) // 3  # the bulk path did carry a good share
    assert got == want
