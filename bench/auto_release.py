"""Automatic release at a limit while the UI thread is blocked for 5 s.

The clinic's arm limit is set to its shortest (2 min, T-TIME-1), the arm set started through the
UI, and the session fast-forwarded in virtual time to 1 s before the limit. From there a pacer
holds the loop clock to real time while the UI thread is blocked for 5 s, either asleep (a
blocking call that lets other threads run) or busy in Python (holding the interpreter lock as a
runaway computation would). The figure is the delay between the limit and the RELEASE of the arm
bands reaching the simulated cuff, on the loop clock and in real time; then how long the UI
takes, once free, to show the limit's alarm.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench.common import BenchResult, Figure, main
from bench.workstation import Options, SessionWorkstation
from devices.protocol import Release
from devices.vtime import RealTimePacer
from kaatsu_desktop.session import Control, LimbGroup

ARMS = (0, 1)
LIMIT_S = 120.0


@dataclass(frozen=True)
class Params:
    """Trials per way of blocking and how long the UI thread is blocked."""

    trials: int = 3
    block_s: float = 5.0
    stream_hz: float = 100.0


FULL = Params()
TINY = Params(trials=1, block_s=0.2, stream_hz=20.0)


@dataclass(frozen=True)
class Trial:
    """One limit crossed with the UI thread blocked."""

    loop_delay_ms: float
    real_delay_ms: float
    alarm_shown_ms: float  # after the UI thread was free again


def block(how: str, seconds: float) -> None:
    """Block the calling (UI) thread: asleep, or busy in Python."""
    if how == "sleep":
        time.sleep(seconds)
        return
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += sum(i * i for i in range(200))  # pure Python: holds the interpreter lock


def trial(how: str, block_s: float, stream_hz: float = 100.0) -> Trial:
    """One session crossing the arm limit while the UI thread is blocked."""
    settings = {"arm_warning_min": 1, "arm_limit_min": 2}
    options = Options(virtual=True, settings=settings, stream_hz=stream_hz)
    with SessionWorkstation(options) as ws:
        ws.start_session()
        ws.button(Control.START_ARMS).click()
        ws.pump(lambda: ws.live.snapshot.group(LimbGroup.ARMS).started_at is not None, 10.0)
        started = ws.live.snapshot.group(LimbGroup.ARMS).started_at
        limit = started + LIMIT_S
        margin = min(1.0, block_s / 2)  # the block starts before the limit and spans it
        ws.run(limit - margin - ws.rt.clock(), step_s=5.0)
        before = len(ws.writes.releases)
        with RealTimePacer(ws.rt) as pacer:
            block(how, block_s)
            shown_s = ws.wait_until(lambda: ws.live.banner.property("priority") == "high", 5.0)
        if pacer.error is not None:
            raise pacer.error
        record = next(
            r for r in ws.writes.releases[before:] if getattr(r.command(), "channels", None) == ARMS
        )
        assert isinstance(record.command(), Release)
        return Trial(
            (record.at - limit) * 1000.0,
            (record.real - pacer.real_at(limit)) * 1000.0,
            shown_s * 1000.0,
        )


def run(params: Params) -> BenchResult:
    """The arm limit crossed with the UI thread asleep, then busy."""
    results = {how: [trial(how, params.block_s, params.stream_hz) for _ in range(params.trials)]
               for how in ("sleep", "busy")}  # fmt: skip
    anchor = "an automatic release must not wait for the screen"
    figures = []
    for how, trials in results.items():
        figures += [
            Figure(f"UI {how}: limit -> release at the cuff, real time, max",
                   max(t.real_delay_ms for t in trials), "ms", 100.0, anchor=anchor),
            Figure(f"UI {how}: limit -> release, loop clock, max",
                   max(t.loop_delay_ms for t in trials), "ms",
                   anchor="the engine ticks at 20 Hz: up to 50 ms by design"),
            Figure(f"UI {how}: alarm on screen after the UI is free, max",
                   max(t.alarm_shown_ms for t in trials), "ms"),
        ]  # fmt: skip
    notes = (
        f"{params.trials} sessions per way of blocking, UI thread blocked {params.block_s:g} s "
        f"across the limit, 4 channels at {params.stream_hz:g} Hz",
    )
    params_json = {"trials": params.trials, "block_s": params.block_s, "hz": params.stream_hz}
    return BenchResult("auto_release", "Automatic release at the limit, UI thread blocked",
                       tuple(figures), params_json, notes)  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main("auto_release", run, FULL, TINY))
