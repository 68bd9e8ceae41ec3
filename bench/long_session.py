"""A 20-minute session at 4 x 100 Hz through the whole workstation, measured at chosen minutes.

The session runs as a clinician runs it (three arm sets, arm bands off, leg sets) on the
simulated cuff, recorded to SQLite. Between the measured minutes the loop clock is virtual and
runs ahead as fast as the machine allows, the UI thread following after every second; at each
measured minute a pacer holds the loop clock to real time for a few seconds, so the cuff
streams at 100 Hz in real time while the plots refresh on their own timer, and the frames, the
process CPU and the resident memory are taken.
"""

from __future__ import annotations

import gc
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import CpuMeter, rss_mb
from bench.workstation import FrameMeter, Options, SessionWorkstation
from devices.vtime import RealTimePacer


@dataclass(frozen=True)
class Minute:
    """What was measured at one minute of the session."""

    minute: int
    frames_ms: tuple[float, ...]  # one per plot frame in the real-time window
    refresh_ms: tuple[float, ...]
    paint_ms: tuple[float, ...]
    cpu_percent: float  # process CPU over the window, % of one core
    rss_mb: float  # resident memory at the end of the minute
    window_s: float
    state: str
    redraws: int = 0  # plot redraws in the real-time window, all plots together
    ui_cpu_s: float = math.nan  # CPU time of the UI thread over the window
    ui_wait_s: float = math.nan  # time the UI thread was ready to run but had no CPU (Linux)


@dataclass(frozen=True)
class LongSession:
    """Every minute's record, the memory just after the start and the session's counters."""

    minutes: tuple[Minute, ...]
    rss_start_mb: float
    samples_written: int
    frames: int

    def at(self, minute: int) -> Minute:
        """The record of one minute."""
        return next(m for m in self.minutes if m.minute == minute)


def thread_times() -> tuple[float, float]:
    """(CPU seconds, seconds spent ready but waiting for a CPU) of the calling thread.

    The wait is what other processes (and this one's other threads) took from it; NaN where the
    kernel does not say (Linux ``schedstat`` only).
    """
    cpu = time.thread_time()
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat", encoding="ascii") as f:
            wait = int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        wait = math.nan
    return cpu, wait


def _redraws(ws: SessionWorkstation) -> int:
    return sum(row.plot.refreshes for row in ws.live.rows.values())


def run_long_session(
    minutes: int = 20,
    measured: Sequence[int] = (1, 5, 10, 15, 20),
    window_s: float = 5.0,
    stream_hz: float = 100.0,
    minute_s: float = 60.0,
) -> LongSession:
    """Run the session, measuring frames and CPU at ``measured`` minutes and memory each minute.

    ``minute_s`` shortens the "minutes" for smoke runs; the benchmarks keep 60 s.
    """
    records: list[Minute] = []
    with SessionWorkstation(Options(virtual=True, stream_hz=stream_hz)) as ws:
        ws.start_session()
        meter = FrameMeter(ws.window, ws.live)

        def step() -> None:
            ws.clinician_step()

        ws.run(1.0, step_s=0.5, each=step)  # the first set is inflating
        gc.collect()
        rss_start = rss_mb()
        t0 = ws.controller.t0
        for minute in range(1, minutes + 1):
            ahead = (
                minute * minute_s - (ws.rt.clock() - t0) - (window_s if minute in measured else 0)
            )
            if ahead > 0:
                ws.run(ahead, step_s=1.0, each=step)
            frames: tuple[float, ...] = ()
            refresh: tuple[float, ...] = ()
            paint: tuple[float, ...] = ()
            cpu = ui_cpu = ui_wait = math.nan
            redraws = 0
            if minute in measured:
                with RealTimePacer(ws.rt) as pacer:
                    before = _redraws(ws)
                    meter.start()
                    cpu_meter = CpuMeter()
                    ui_before = thread_times()
                    ws.wait_real(window_s)
                    ui_after = thread_times()
                    cpu = cpu_meter.percent()
                    frames = tuple(meter.stop())
                    redraws = _redraws(ws) - before
                    ui_cpu, ui_wait = (a - b for a, b in zip(ui_after, ui_before, strict=True))
                    refresh, paint = tuple(meter.refresh_ms), tuple(meter.paint_ms)
                if pacer.error is not None:
                    raise pacer.error
                step()
            snap = ws.live.snapshot
            state = snap.state.value if snap is not None else "?"
            records.append(
                Minute(
                    minute, frames, refresh, paint, cpu, rss_mb(), window_s, state, redraws,
                    ui_cpu, ui_wait,
                )
            )  # fmt: skip
        controller = ws.controller
        recorder = controller.recorder
        stats = controller.stats()
        samples = recorder.stats.samples_written if recorder is not None else 0
        return LongSession(tuple(records), rss_start, samples, stats.frames)
