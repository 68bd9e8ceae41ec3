"""Pure geometry of the pressure traces: per-column min/max decimation and phase spans.

A 35-minute session holds about 100,000 samples per channel; a plot is a couple of thousand
columns wide. Each column keeps the first, lowest, highest and last sample that falls in it, so a
one-sample peak is never lost and the line joins columns where the signal really went.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SPAN_GAP_MS = 1000  # a longer gap between samples ends a phase span (unknown in between)


@dataclass(frozen=True, slots=True)
class ColumnEnvelope:
    """Per plot column: its index and the first, min, max and last value of its samples."""

    column: np.ndarray
    first: np.ndarray
    low: np.ndarray
    high: np.ndarray
    last: np.ndarray

    def __len__(self) -> int:
        return int(self.column.size)

    def polyline(self) -> tuple[np.ndarray, np.ndarray]:
        """Points (column, value) in drawing order: first, low, high, last of each column."""
        x = np.repeat(self.column, 4)
        y = np.column_stack((self.first, self.low, self.high, self.last)).ravel()
        return x, y


@dataclass(frozen=True, slots=True)
class PhaseSpan:
    """A stretch of one phase: [start_ms, end_ms] of one channel."""

    start_ms: int
    end_ms: int
    phase: int


def column_envelope(
    t_ms: np.ndarray, values: np.ndarray, t_start: float, t_end: float, columns: int
) -> ColumnEnvelope:
    """Decimate samples (times increasing) into ``columns`` columns over [t_start, t_end]."""
    if columns < 1:
        raise ValueError("columns must be at least 1")
    t = np.asarray(t_ms, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    keep = (t >= t_start) & (t <= t_end)
    t, v = t[keep], v[keep]
    if t.size == 0:
        empty = np.empty(0)
        return ColumnEnvelope(np.empty(0, np.int64), empty, empty, empty, empty)
    span = max(t_end - t_start, 1e-9)
    col = np.clip(((t - t_start) * columns / span).astype(np.int64), 0, columns - 1)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(col)) + 1))
    ends = np.concatenate((starts[1:], [t.size])) - 1
    return ColumnEnvelope(
        column=col[starts],
        first=v[starts],
        low=np.minimum.reduceat(v, starts),
        high=np.maximum.reduceat(v, starts),
        last=v[ends],
    )


def phase_spans(
    t_ms: np.ndarray, phase: np.ndarray, *, max_gap_ms: int = MAX_SPAN_GAP_MS
) -> tuple[PhaseSpan, ...]:
    """Runs of equal phase; a span lasts until the next sample, or ends at a long gap."""
    t = np.asarray(t_ms, dtype=np.int64)
    ph = np.asarray(phase, dtype=np.int64)
    if t.size == 0:
        return ()
    gaps = np.diff(t) > max_gap_ms
    breaks = np.flatnonzero((np.diff(ph) != 0) | gaps) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [t.size]))
    spans = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        # The span reaches the next sample unless a gap (or the end of the record) follows.
        stop = t[e] if e < t.size and not gaps[e - 1] else t[e - 1]
        spans.append(PhaseSpan(int(t[s]), int(stop), int(ph[s])))
    return tuple(spans)
