"""Preallocated numpy ring buffers between the device thread (writer) and the plot (reader).

The device thread appends every decoded sample; the UI's plot timer takes a snapshot at ~30 Hz.
The arrays never grow: samples are staged in a short list and copied in batches. A lock guards
the indices and the staging list only for the few microseconds of a copy, so a slow reader never
delays the writer for long and never sees a half-written sample.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
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


_BATCH = 256  # samples staged in a plain list before they are copied into the array in one go
_STAGED_MAX = 4 * _BATCH  # four numbers per sample


class ChannelRing:
    """Fixed-capacity ring of samples for one channel; single writer, many readers.

    An append only stages the sample's four numbers in a list; they reach the numpy array in
    batches (when the list is full or a reader takes a snapshot), because writing one structured
    row from Python costs several times more than the batch copy per sample.
    """

    def __init__(self, capacity: int, lock: threading.Lock | None = None) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self._buf = np.zeros(capacity, dtype=SAMPLE_DTYPE)
        self._capacity = capacity
        self._count = 0  # total samples ever appended, staged ones included
        self._staged: list[float] = []  # t, pressure, target, phase of each staged sample
        self._lock = lock or threading.Lock()

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
            self._stage(t, pressure, target, phase)

    def _stage(self, t: float, pressure: float, target: float, phase: int) -> None:
        """Append with the lock held."""
        staged = self._staged
        staged += (t, pressure, target, phase)
        self._count += 1
        if len(staged) >= _STAGED_MAX:
            self._commit()

    def _commit(self) -> None:
        """Copy the staged samples into the array (lock held)."""
        staged = self._staged
        if not staged:
            return
        self._staged = []
        rows = np.array(staged, dtype=np.float64).reshape(-1, 4)
        cap = self._capacity
        n = len(rows)
        first = self._count - n  # index of the first staged sample, counted from the start
        if n > cap:
            rows, first, n = rows[-cap:], first + n - cap, cap
        at = first % cap
        head = min(n, cap - at)  # rows that fit before the end of the array; the rest wrap
        self._put(at, rows[:head])
        if head < n:
            self._put(0, rows[head:])

    def _put(self, at: int, rows: np.ndarray) -> None:
        end = at + len(rows)
        buf = self._buf
        buf["t"][at:end] = rows[:, 0]
        buf["pressure"][at:end] = rows[:, 1]
        buf["target"][at:end] = rows[:, 2]
        buf["phase"][at:end] = rows[:, 3]

    def clear(self) -> None:
        """Forget every sample."""
        with self._lock:
            self._count = 0
            self._staged = []

    def snapshot(self, since: float | None = None) -> ChannelSeries:
        """Copy the kept samples in time order, optionally only those at or after ``since``."""
        with self._lock:
            self._commit()
            n = min(self._count, self._capacity)
            start = self._count % self._capacity if self._count > self._capacity else 0
            # The oldest run first: [start, n) then, once the ring has wrapped, [0, start).
            runs = [(start, n), (0, start)] if start else [(0, n)]
            if since is not None:
                runs = [(self._first_at_or_after(a, b, since), b) for a, b in runs]
            data = self._copy(runs)
        return ChannelSeries(data["t"], data["pressure"], data["target"], data["phase"])

    def _first_at_or_after(self, a: int, b: int, since: float) -> int:
        """Index of the first sample of run [a, b) at or after ``since`` (times ascend in a run)."""
        return a + int(np.searchsorted(self._buf["t"][a:b], since, side="left"))

    def _copy(self, runs: list[tuple[int, int]]) -> np.ndarray:
        """The runs copied as raw bytes into one new array (lock held).

        A packed record array copied field by field costs about 25 times a plain byte copy,
        and the plot timer takes four of these copies many times a second.
        """
        size = SAMPLE_DTYPE.itemsize
        raw = self._buf.view(np.uint8)
        out = np.empty(sum(b - a for a, b in runs) * size, dtype=np.uint8)
        at = 0
        for a, b in runs:
            chunk = (b - a) * size
            out[at : at + chunk] = raw[a * size : b * size]
            at += chunk
        return out.view(SAMPLE_DTYPE)


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
        lo, hi = self._lo, self._hi
        if bucket != self._bucket or lo is None or hi is None:
            if self._bucket is not None and bucket != self._bucket:
                self._flush()
            self._bucket = bucket
            self._lo = self._hi = (t, pressure, target, phase)
            return
        # The sample's tuple is built only when it becomes the bucket's new low or high.
        if pressure < lo[1]:
            self._lo = (t, pressure, target, phase)
        if pressure > hi[1]:
            self._hi = (t, pressure, target, phase)

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
        # One lock for the live rings: a frame's samples go in under a single acquisition.
        self._lock = threading.Lock()
        self.live = [ChannelRing(live_capacity, self._lock) for _ in range(channels)]
        self.overview = [Decimator(overview_bucket_s, overview_capacity) for _ in range(channels)]

    @property
    def channels(self) -> int:
        """Channel count."""
        return len(self.live)

    def append(self, channel: int, t: float, pressure: float, target: float, phase: int) -> None:
        """Append one sample to the channel's live ring and overview."""
        self.live[channel].append(t, pressure, target, phase)
        self.overview[channel].append(t, pressure, target, phase)

    def append_frame(self, t: float, samples: Sequence[tuple[int, float, float, int]]) -> None:
        """Append one frame's samples, (channel, pressure, target, phase) each, all at ``t``."""
        live, overview = self.live, self.overview
        with self._lock:
            for channel, pressure, target, phase in samples:
                ring = live[channel]
                staged = ring._staged
                staged += (t, pressure, target, phase)  # ChannelRing._stage, inlined
                ring._count += 1
                if len(staged) >= _STAGED_MAX:
                    ring._commit()
        for channel, pressure, target, phase in samples:
            overview[channel].append(t, pressure, target, phase)
