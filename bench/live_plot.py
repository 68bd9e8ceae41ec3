"""Live plot: frame time and process CPU while 4 channels stream at 100 Hz for 20 minutes.

The whole workstation runs a recorded session on the simulated cuff (``bench.long_session``):
virtual time runs ahead between the measured minutes, and at minutes 1, 5, 10, 15 and 20 the loop
clock is held to real time for a few seconds while the plots refresh on their own timer. A frame
is the plot timer's refresh plus every window repaint until the next refresh
(``bench.workstation.FrameMeter``); the timer takes the plots in turn, two of the four a tick.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.common import BenchResult, Figure, main, median, percentile
from bench.long_session import run_long_session
from ui.session.panel import PLOT_INTERVAL_MS, PLOT_PERIOD_MS

CHANNELS = 4  # the benchmark cuff: both arms and both legs


@dataclass(frozen=True)
class Params:
    """Session length, measured minutes and the real-time window at each."""

    minutes: int = 20
    measured: tuple[int, ...] = (1, 5, 10, 15, 20)
    window_s: float = 5.0
    stream_hz: float = 100.0
    minute_s: float = 60.0  # shorter only for smoke runs


FULL = Params()
TINY = Params(minutes=1, measured=(1,), window_s=0.3, stream_hz=25.0, minute_s=5.0)


def run(params: Params) -> BenchResult:
    """Frame times and CPU at the measured minutes of a 20-minute session."""
    session = run_long_session(
        params.minutes, params.measured, params.window_s, params.stream_hz, params.minute_s
    )
    first, last = session.at(params.measured[0]), session.at(params.measured[-1])
    every = [f for m in session.minutes for f in m.frames_ms]
    per_minute = {m.minute: m for m in session.minutes if m.frames_ms}
    later = session.at(params.measured[1]) if len(params.measured) > 2 else first
    figures = [
        Figure(
            "frame time p95, all measured minutes",
            percentile(every, 95),
            "ms",
            8.0,
            anchor="half of a 60 Hz frame (16.7 ms)",
        ),
        Figure("frame time p50, all measured minutes", percentile(every, 50), "ms"),
        Figure(
            f"frame time at minute {last.minute} / minute {first.minute} (medians)",
            median(last.frames_ms) / median(first.frames_ms),
            "x",
            1.2,
            anchor="no growth over a session: nothing may pile up",
        ),
        Figure(
            f"frame time at minute {last.minute} / minute {later.minute} (medians)",
            median(last.frames_ms) / median(later.frames_ms),
            "x",
            anchor="after the 2-minute live window has filled",
        ),
        Figure(
            "frames drawn per second",
            len(every) / (params.window_s * len(per_minute)),
            "fps",
            anchor=f"the plot timer ticks {1000 / PLOT_INTERVAL_MS:.0f} times a second",
        ),
        Figure(
            "plot redraws per second, each plot",
            sum(m.redraws for m in per_minute.values())
            / (params.window_s * len(per_minute) * CHANNELS),
            "Hz",
            anchor=f"{CHANNELS} plots taken in turn, each asked for {1000 / PLOT_PERIOD_MS:.0f} Hz",
        ),
        Figure(
            "process CPU, mean of the measured minutes",
            sum(m.cpu_percent for m in per_minute.values()) / len(per_minute),
            "% of a core",
            anchor="every thread: UI, device loop, recorder",
        ),
    ]
    figures.append(
        Figure(
            "UI thread ready but without a CPU, mean of the measured minutes",
            sum(100 * m.ui_wait_s / m.window_s for m in per_minute.values()) / len(per_minute),
            "% of the time",
            anchor="taken by other processes and threads: frame times stretch by as much",
        )
    )
    for m in per_minute.values():
        figures.append(
            Figure(f"minute {m.minute}: frame p50 / p95, CPU",
                   median(m.frames_ms), "ms",
                   anchor=f"p95 {percentile(m.frames_ms, 95):.1f} ms, "
                   f"refresh p50 {median(m.refresh_ms):.1f} ms, "
                   f"{len(m.paint_ms) / m.window_s:.0f} repaints/s, CPU {m.cpu_percent:.0f} %, "
                   f"UI thread on a CPU {100 * m.ui_cpu_s / m.window_s:.0f} % and ready "
                   f"without one {100 * m.ui_wait_s / m.window_s:.0f} % of the time")
        )  # fmt: skip
    notes = (
        f"{session.frames:,} frames streamed, {session.samples_written:,} samples recorded; "
        f"{params.window_s:g} s of real time at each measured minute",
    )
    params_json = {"minutes": params.minutes, "measured": list(params.measured),
                   "window_s": params.window_s, "stream_hz": params.stream_hz}  # fmt: skip
    return BenchResult(
        "live_plot", "Live plot through a 20-minute session", tuple(figures), params_json, notes
    )


if __name__ == "__main__":
    raise SystemExit(main("live_plot", run, FULL, TINY))
