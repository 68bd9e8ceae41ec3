"""Pure numpy shaping of ring-buffer snapshots for the plots: envelopes, phase spans, ticks.

The live plot draws time as seconds before the newest sample (-120 ... 0), so its axis never
changes while the data scrolls; everything here returns plain arrays the plot turns into a few
Qt primitives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kaatsu_desktop.session.ringbuffer import ChannelSeries
from ui.session.format import DEFLATION_PHASES, INFLATION_PHASES, LIVE_WINDOW_S

NO_SHADE, INFLATE_SHADE, DEFLATE_SHADE = 0, 1, 2


@dataclass(frozen=True)
class Spans:
    """Contiguous x intervals ``[start, end)`` of one kind each (shading or a constant level)."""

    start: np.ndarray
    end: np.ndarray
    value: np.ndarray  # the shade kind or the level held over the span

    def __len__(self) -> int:
        return len(self.start)


@dataclass(frozen=True)
class LiveView:
    """What the live plot draws: x in seconds before the newest sample (``x[-1] == 0``)."""

    x: np.ndarray
    pressure: np.ndarray
    shading: Spans  # INFLATE_SHADE / DEFLATE_SHADE spans; unshaded time is left out
    target: Spans  # where a target pressure is set (> 0), the target over each span
    latest: float  # session seconds of the newest sample

    def __len__(self) -> int:
        return len(self.x)


def envelope(y: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` samples keeping every bucket's minimum and maximum.

    Buckets are counted from the end, so the newest sample is always kept; peaks and dips
    survive however far the trace is thinned (every n-th sample would drop them).
    """
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, (max_points - 2) // 2)  # two kept of each, plus the first and last sample
    k = math.ceil(n / buckets)  # samples per bucket
    m = n // k
    head = n - m * k  # the oldest few samples: one more, shorter bucket (its peaks count too)
    block = y[head:].reshape(m, k)
    base = head + np.arange(m) * k
    lo = base + np.argmin(block, axis=1)
    hi = base + np.argmax(block, axis=1)
    if head:
        lo = np.concatenate(([int(np.argmin(y[:head]))], lo))
        hi = np.concatenate(([int(np.argmax(y[:head]))], hi))
    idx = np.empty(2 * len(lo) + 2, dtype=np.int64)
    idx[0] = 0  # the oldest sample anchors the left end of the trace
    idx[1:-1:2] = np.minimum(lo, hi)
    idx[2:-1:2] = np.maximum(lo, hi)
    idx[-1] = n - 1
    # Ascending already; a flat bucket gives its one sample twice.
    return idx[np.concatenate(([True], idx[1:] != idx[:-1]))]


def runs(t: np.ndarray, values: np.ndarray) -> Spans:
    """Runs of equal ``values``; each ends where the next begins (the last at ``t[-1]``)."""
    if not len(t):
        empty = np.empty(0)
        return Spans(empty, empty, empty)
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    first = np.concatenate(([0], change))
    end_t = np.concatenate((t[change], t[-1:]))
    return Spans(t[first], end_t, values[first])


_SHADE_OF_PHASE = np.zeros(256, dtype=np.int8)  # indexed by the phase byte
_SHADE_OF_PHASE[list(INFLATION_PHASES)] = INFLATE_SHADE
_SHADE_OF_PHASE[list(DEFLATION_PHASES)] = DEFLATE_SHADE


def shade_kinds(phase: np.ndarray) -> np.ndarray:
    """The shading kind of every sample: inflation (held or rising), deflation or none."""
    return _SHADE_OF_PHASE.take(phase)  # a table look-up: a third of the time of np.isin


def _only(spans: Spans, keep: np.ndarray) -> Spans:
    return Spans(spans.start[keep], spans.end[keep], spans.value[keep])


def live_view(series: ChannelSeries, max_points: int, window_s: float = LIVE_WINDOW_S) -> LiveView:
    """The last ``window_s`` of a time-ordered snapshot, at most ``max_points`` trace points."""
    if not len(series):
        empty = np.empty(0)
        return LiveView(empty, empty, Spans(empty, empty, empty), Spans(empty, empty, empty), 0.0)
    latest = float(series.t[-1])
    start = int(np.searchsorted(series.t, latest - window_s, side="left"))
    t = series.t[start:] - latest
    keep = envelope(series.pressure[start:], max_points)
    shading = runs(t, shade_kinds(series.phase[start:]))
    target = runs(t, series.target[start:])
    return LiveView(
        x=t[keep],
        pressure=series.pressure[start:][keep].astype(np.float64),
        shading=_only(shading, shading.value != NO_SHADE),
        target=_only(target, target.value > 0),
        latest=latest,
    )


def axis_top(max_pressure: float) -> float:
    """Top of a pressure axis: the protocol maximum plus headroom, rounded up to 50."""
    if not math.isfinite(max_pressure) or max_pressure <= 0:
        return 300.0
    return float(math.ceil(max_pressure * 1.1 / 50.0) * 50)


def pressure_ticks(top: float) -> list[float]:
    """Two to four round pressure levels between 0 and ``top`` (a label on the edge is cut)."""
    for step in (25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 4.5:
            break
    return [float(v) for v in np.arange(step, top - step / 4, step)]


def age_ticks(width_px: float, window_s: float = LIVE_WINDOW_S) -> list[float]:
    """Ticks of the live axis in seconds before now: every 30 s, or 60 s on a narrow plot."""
    step = 30.0 if width_px >= 70 * window_s / 30.0 else 60.0
    return [-float(s) for s in np.arange(window_s, -1e-9, -step)]


def overview_end(latest: float, window_s: float = LIVE_WINDOW_S, step_s: float = 60.0) -> float:
    """Right end of the session overview: the next whole minute, so its axis moves rarely."""
    return max(window_s, math.ceil(max(latest, 0.0) / step_s) * step_s)


def overview_ticks(end: float, width_px: float, label_px: float = 40.0) -> list[float]:
    """Round minutes inside the overview, each label fully inside and at least 70 px apart."""
    room = max(1, int(width_px // 70))
    pad = end * (label_px / 2) / max(width_px, 1.0)  # a label centred nearer the edge is cut
    middle: list[float] = []
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200):
        ticks = [float(t) for t in np.arange(step, end, step) if pad <= t <= end - pad]
        if 1 <= len(ticks) <= room:
            return ticks
        if len(ticks) > room and not middle:  # too many at any round step: the middle one
            middle = [min(ticks, key=lambda t: abs(t - end / 2))]
    return middle
