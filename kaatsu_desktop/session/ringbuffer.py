"""Preallocated numpy ring buffers between the device thread (writer) and the plot (reader).

The device thread appends every decoded sample; the UI's plot timer takes a snapshot at ~30 Hz.
Appends never allocate. A lock guards the indices only for the few microseconds of a copy, so a
slow reader never delays the writer for long and never sees a half-written sample.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

SAMPLE_DTYPE = np.dtype([("t", "f8"), ("pressure", "f4"), ("target", "f4"), ("phase", "i1")])


@dataclass(frozen=True, slots=True)
class ChannelSeries:
    """A copied, time-ordered window of one channel's samples."""

    t: np.ndarray
    pressure: np.ndarray
    target: np.ndarray
    phase: np.ndarray

    def __len__(self) -> int:
        return len(self.t)


class ChannelRing:
    """Fixed-capacity ring of samples for one channel; single writer, many readers."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self._buf = np.zeros(capacity, dtype=SAMPLE_DTYPE)
        self._capacity = capacity
        self._count = 0  # total samples ever appended
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """How many samples the ring keeps."""
        return self._capacity

    @property
    def total(self) -> int:
        """How many samples were ever appended."""
        return self._count

    def append(self, t: float, pressure: float, target: float, phase: int) -> None:
        """Append one sample, overwriting the oldest when full."""
        with self._lock:
            self._buf[self._count % self._capacity] = (t, pressure, target, phase)
            self._count += 1

    def clear(self) -> None:
        """Forget every sample."""
        with self._lock:
            self._count = 0

    def snapshot(self, since: float | None = None) -> ChannelSeries:
        """Copy the kept samples in time order, optionally only those at or after ``since``."""
        with self._lock:
            n = min(self._count, self._capacity)
            start = self._count % self._capacity if self._count > self._capacity else 0
            if start == 0:
                data = self._buf[:n].copy()
            else:
                data = np.concatenate((self._buf[start:], self._buf[:start]))
        if since is not None and len(data):
            data = data[np.searchsorted(data["t"], since, side="left") :]
        return ChannelSeries(data["t"], data["pressure"], data["target"], data["phase"])


class Decimator:
    """Keeps one min/max pair per bucket of ``bucket_s`` seconds: a whole-session overview."""

    def __init__(self, bucket_s: float, capacity: int) -> None:
        self._bucket_s = bucket_s
        self._ring = ChannelRing(capacity * 2)
        self._bucket: int | None = None
        self._lo: tuple[float, float, float, int] | None = None
        self._hi: tuple[float, float, float, int] | None = None

    def append(self, t: float, pressure: float, target: float, phase: int) -> None:
        """Fold one sample into its bucket; flush the previous bucket when a new one starts."""
        bucket = int(t // self._bucket_s)
        if self._bucket is not None and bucket != self._bucket:
            self._flush()
        self._bucket = bucket
        sample = (t, pressure, target, phase)
        if self._lo is None or pressure < self._lo[1]:
            self._lo = sample
        if self._hi is None or pressure > self._hi[1]:
            self._hi = sample

    def _flush(self) -> None:
        if self._lo is None or self._hi is None:
            return
        first, second = sorted((self._lo, self._hi), key=lambda s: s[0])
        self._ring.append(*first)
        if second is not first:
            self._ring.append(*second)
        self._lo = self._hi = None

    def snapshot(self) -> ChannelSeries:
        """The overview so far (the open bucket is not included)."""
        return self._ring.snapshot()


class SessionBuffers:
    """Live window and whole-session overview for every channel of one cuff."""

    def __init__(
        self,
        channels: int,
        *,
        rate_hz: float = 100.0,
        window_s: float = 150.0,
        overview_bucket_s: float = 1.0,
        overview_hours: float = 2.0,
    ) -> None:
        live_capacity = int(rate_hz * window_s) + 1
        overview_capacity = int(overview_hours * 3600 / overview_bucket_s) + 1
        self.live = [ChannelRing(live_capacity) for _ in range(channels)]
        self.overview = [Decimator(overview_bucket_s, overview_capacity) for _ in range(channels)]

    @property
    def channels(self) -> int:
        """Channel count."""
        return len(self.live)

    def append(self, channel: int, t: float, pressure: float, target: float, phase: int) -> None:
        """Append one sample to the channel's live ring and overview."""
        self.live[channel].append(t, pressure, target, phase)
        self.overview[channel].append(t, pressure, target, phase)
