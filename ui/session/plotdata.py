"""Pure numpy shaping of ring-buffer snapshots for the plots: thinning, phase shading, ranges."""

from __future__ import annotations

import math

import numpy as np

from kaatsu_desktop.session.ringbuffer import ChannelSeries
from ui.session.format import DEFLATION_PHASES, INFLATION_PHASES, LIVE_WINDOW_S

MAX_POINTS = 1500  # more than one point per pixel of the widest plot adds nothing


def thin(series: ChannelSeries, max_points: int = MAX_POINTS) -> ChannelSeries:
    """Every n-th sample so at most ``max_points`` remain (the last sample is always kept)."""
    n = len(series)
    if n <= max_points:
        return series
    step = math.ceil(n / max_points)
    idx = np.arange(n - 1, -1, -step)[::-1]  # counted from the end: the newest sample stays
    return ChannelSeries(series.t[idx], series.pressure[idx], series.target[idx], series.phase[idx])


def phase_fill(phase: np.ndarray, top: float) -> tuple[np.ndarray, np.ndarray]:
    """Heights of the inflation and deflation shading: ``top`` inside the phase, 0 outside."""
    inflate = np.where(np.isin(phase, INFLATION_PHASES), top, 0.0)
    deflate = np.where(np.isin(phase, DEFLATION_PHASES), top, 0.0)
    return inflate, deflate


def live_range(latest: float, window_s: float = LIVE_WINDOW_S) -> tuple[float, float]:
    """X range of the scrolling window (session seconds): fixed until it fills, then scrolling."""
    end = max(latest, window_s)
    return end - window_s, end


def axis_top(max_pressure: float) -> float:
    """Top of a pressure axis: the protocol maximum plus headroom, rounded up to 50."""
    if not math.isfinite(max_pressure) or max_pressure <= 0:
        return 300.0
    return float(math.ceil(max_pressure * 1.1 / 50.0) * 50)


def session_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """Tick positions on a session-time axis at whole 10 s, 30 s, minutes or 5 minutes."""
    span = max(hi - lo, 1.0)
    for step in (10, 15, 30, 60, 120, 300, 600, 900, 1800):
        if span / step <= target:
            break
    first = math.ceil(lo / step) * step
    return [float(t) for t in np.arange(first, hi + 1e-9, step)]
