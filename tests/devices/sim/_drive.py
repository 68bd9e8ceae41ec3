"""Helpers that drive a simulated cuff in virtual time, the way the link would."""

from __future__ import annotations

from collections.abc import Callable

from devices.protocol.types import Site
from devices.sim import DeviceSnapshot, SimulatedCuff

FOUR = (Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG)
PERIOD = 0.01  # 100 Hz stream
HEARTBEAT = 0.5  # the app's heartbeat interval


def ready_cuff(sites=FOUR, **kwargs) -> SimulatedCuff:
    """A cuff that has received its first heartbeat."""
    cuff = SimulatedCuff(sites, **kwargs)
    cuff.heartbeat()
    return cuff


def run(
    cuff: SimulatedCuff,
    seconds: float,
    *,
    heartbeat: bool = True,
    on_sample: Callable[[float, DeviceSnapshot], None] | None = None,
) -> None:
    """Advance in 10 ms sample periods, with heartbeats every 500 ms, calling on_sample."""
    start = cuff.now
    steps = round(seconds / PERIOD)
    every = round(HEARTBEAT / PERIOD)
    for i in range(1, steps + 1):
        t = start + i * PERIOD
        cuff.advance_to(t)
        if heartbeat and i % every == 0:
            cuff.heartbeat()
        if on_sample is not None:
            on_sample(t, cuff.snapshot())
