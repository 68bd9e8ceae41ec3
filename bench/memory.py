"""Memory: resident memory growth over a 20-minute session at 4 x 100 Hz.

The same session as the live-plot benchmark (``bench.long_session``), recorded to SQLite, with the
plots refreshing; resident memory (VmRSS) is read just after the session started and at the end
of every minute. Growth is the last reading minus the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.common import BenchResult, Figure, main
from bench.long_session import run_long_session


@dataclass(frozen=True)
class Params:
    """Session length and the real-time window at the two measured minutes."""

    minutes: int = 20
    window_s: float = 2.0
    stream_hz: float = 100.0
    minute_s: float = 60.0  # shorter only for smoke runs


FULL = Params()
TINY = Params(minutes=1, window_s=0.2, stream_hz=25.0, minute_s=5.0)


def run(params: Params) -> BenchResult:
    """Resident memory over a 20-minute session."""
    session = run_long_session(
        params.minutes, (1, params.minutes), params.window_s, params.stream_hz, params.minute_s
    )
    rss = [m.rss_mb for m in session.minutes]
    growth = rss[-1] - session.rss_start_mb
    first_minute = rss[0] - session.rss_start_mb
    tail = rss[-1] - rss[min(4, len(rss) - 1)]
    figures = (
        Figure(
            f"RSS growth over {params.minutes} min",
            growth,
            "MB",
            30.0,
            anchor="a clinic PC runs the app all day; sessions follow each other",
        ),
        Figure("RSS growth in the first minute", first_minute, "MB"),
        Figure(
            f"RSS growth from minute 5 to {params.minutes}",
            tail,
            "MB",
            anchor="what keeps growing once everything is warm",
        ),
        Figure("RSS at the start of the session", session.rss_start_mb, "MB"),
    )
    by_minute = ", ".join(f"{m.minute}: {m.rss_mb:.0f}" for m in session.minutes)
    notes = (
        f"RSS by minute (MB): {by_minute}",
        f"{session.samples_written:,} samples recorded; virtual time between the two "
        "real-time windows",
    )
    params_json = {
        "minutes": params.minutes,
        "window_s": params.window_s,
        "stream_hz": params.stream_hz,
    }
    return BenchResult("memory", "Memory over a 20-minute session", figures, params_json, notes)


if __name__ == "__main__":
    raise SystemExit(main("memory", run, FULL, TINY))
