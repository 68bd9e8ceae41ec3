"""The live path's on_frame (decoded samples, no readings built) decides exactly as on_readings."""

from __future__ import annotations

import random

from devices.protocol.frames import ChannelSample
from devices.protocol.types import Phase
from kaatsu_desktop.session import ChannelReading
from tests.kaatsu_desktop.session.helpers import EXPERIENCED, make_engine, protocol

PHASES = (Phase.IDLE, Phase.INFLATING, Phase.HOLDING, Phase.DEFLATING, Phase.RELEASED)


def samples(rng: random.Random) -> tuple[ChannelSample, ...]:
    """Four channels of a frame that wanders through every check: deviation, over-pressure,
    pump without reaching the target, sensor fault, program end, uncommanded inflation."""
    out = []
    for _ in range(4):
        phase = rng.choice(PHASES)
        target = rng.choice((0.0, 100.0, 160.0, 200.0))
        pressure = rng.choice((None, 0.0, 5.0, target, target - 30.0, target + 40.0, 400.0))
        out.append(
            ChannelSample(pressure, target, phase, rng.random() < 0.5, rng.random() < 0.5, 0, 0, 0)
        )
    return tuple(out)


def test_on_frame_gives_the_results_and_snapshots_of_on_readings() -> None:
    rng = random.Random(11)
    by_readings = make_engine(protocol(cycles=32), patient=EXPERIENCED)
    by_frame = make_engine(protocol(cycles=32), patient=EXPERIENCED)
    for engine in (by_readings, by_frame):
        assert engine.start_limb_group(0.5, "arms").accepted
    steady = samples(rng)
    raised = 0
    for i in range(1, 3000):
        now = 0.5 + i * 0.02
        # Runs of one frame held for a while, so that the timed checks (1 s, 7 s) fire too.
        if rng.random() < 0.02:
            steady = samples(rng)
        frame = steady
        a = by_readings.on_readings(
            now, [ChannelReading.from_sample(ch, s) for ch, s in enumerate(frame)]
        )
        b = by_frame.on_frame(now, frame)
        assert a == b, now
        raised += sum(e.kind.value == "alarm_raised" for e in a.events)
        if i % 5 == 0:
            assert by_readings.tick(now) == by_frame.tick(now)
        if i % 50 == 0:
            assert by_readings.snapshot(now) == by_frame.snapshot(now)
    assert raised >= 5  # the frames did exercise the alarms
