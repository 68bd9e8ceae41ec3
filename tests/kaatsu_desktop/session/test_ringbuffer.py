"""Ring buffers: order, wrap-around, windowed snapshots and the overview's min/max buckets."""

from __future__ import annotations

import threading

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kaatsu_desktop.session.ringbuffer import SAMPLE_DTYPE, ChannelRing, Decimator, SessionBuffers


def test_ring_keeps_last_capacity_samples_in_order() -> None:
    ring = ChannelRing(5)
    for i in range(12):
        ring.append(float(i), float(i * 10), 100.0, 2)
    snap = ring.snapshot()
    assert list(snap.t) == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert list(snap.pressure) == [70.0, 80.0, 90.0, 100.0, 110.0]
    assert ring.total == 12


def test_ring_before_wrap_and_since_filter() -> None:
    ring = ChannelRing(100)
    for i in range(10):
        ring.append(i * 0.5, 1.0, 2.0, 1)
    assert len(ring.snapshot()) == 10
    assert list(ring.snapshot(since=3.0).t) == [3.0, 3.5, 4.0, 4.5]
    ring.clear()
    assert len(ring.snapshot()) == 0


def test_snapshot_is_a_copy() -> None:
    ring = ChannelRing(4)
    ring.append(0.0, 5.0, 0.0, 0)
    snap = ring.snapshot()
    ring.append(1.0, 6.0, 0.0, 0)
    assert list(snap.pressure) == [5.0]


def test_decimator_keeps_min_and_max_per_bucket() -> None:
    dec = Decimator(1.0, 100)
    for i in range(300):  # 3 s at 100 Hz, a triangle per second
        t = i / 100
        dec.append(t, float(i % 100), 0.0, 1)
    snap = dec.snapshot()  # two closed buckets
    assert len(snap) == 4
    assert list(snap.pressure) == [0.0, 99.0, 0.0, 99.0]
    assert np.all(np.diff(snap.t) > 0)


def test_concurrent_reader_never_sees_disorder() -> None:
    bufs = SessionBuffers(4, rate_hz=100, window_s=5)
    stop = threading.Event()
    bad: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            snap = bufs.live[0].snapshot()
            if len(snap) > 1 and not np.all(np.diff(snap.t) > 0):
                bad.append("out of order")

    th = threading.Thread(target=reader)
    th.start()
    for i in range(20_000):
        for ch in range(4):
            bufs.append(ch, i / 100, 1.0, 1.0, 1)
    stop.set()
    th.join()
    assert not bad
    assert len(bufs.live[3].snapshot()) == bufs.live[3].capacity


def reference(samples: list[tuple[float, float, float, int]], capacity: int) -> np.ndarray:
    """The kept samples as one structured row per sample would store them."""
    out = np.zeros(len(samples), dtype=SAMPLE_DTYPE)
    for i, s in enumerate(samples):
        out[i] = s
    return out[-capacity:] if samples else out


def test_staged_batches_keep_exactly_what_row_by_row_writes_would() -> None:
    rng = np.random.default_rng(7)
    for capacity in (1, 7, 64, 100, 300):
        ring = ChannelRing(capacity)
        written: list[tuple[float, float, float, int]] = []
        for step in range(700):
            sample = (step * 0.02, float(rng.normal(120, 40)), float(rng.uniform(0, 300)), step % 5)
            ring.append(*sample)
            written.append(sample)
            if rng.random() < 0.03 or step == 699:  # a reader now and then commits the batch
                snap = ring.snapshot()
                ref = reference(written, capacity)
                assert ring.total == len(written)
                assert np.array_equal(snap.t, ref["t"])
                assert np.array_equal(snap.pressure, ref["pressure"])  # the same float32 rounding
                assert np.array_equal(snap.target, ref["target"])
                assert np.array_equal(snap.phase, ref["phase"])


def test_a_frame_appended_at_once_equals_its_samples_appended_one_by_one() -> None:
    by_frame, by_sample = (
        SessionBuffers(4, rate_hz=10, window_s=20),
        SessionBuffers(4, rate_hz=10, window_s=20),
    )
    for i in range(1000):
        t = i * 0.05
        samples = [
            (ch, 100.0 + ch + (i % 37) * 0.3, 150.0, i % 5) for ch in range(4) if ch != i % 7
        ]
        by_frame.append_frame(t, samples)
        for ch, p, target, phase in samples:
            by_sample.append(ch, t, p, target, phase)
    for ch in range(4):
        for a, b in (
            (by_frame.live[ch].snapshot(), by_sample.live[ch].snapshot()),
            (by_frame.overview[ch].snapshot(), by_sample.overview[ch].snapshot()),
        ):
            assert len(a) and all(
                np.array_equal(x, y)
                for x, y in zip(
                    (a.t, a.pressure, a.target, a.phase),
                    (b.t, b.pressure, b.target, b.phase),
                    strict=True,
                )
            )
        assert by_frame.live[ch].total == by_sample.live[ch].total


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 40),  # capacity
    st.integers(0, 130),  # samples appended
    st.one_of(st.none(), st.floats(-1.0, 70.0, allow_nan=False)),  # since
)
def test_snapshot_equals_the_kept_samples_filtered_by_time(capacity, count, since) -> None:
    ring = ChannelRing(capacity)
    rows = [(i * 0.5, float(i % 7), 100.0 + i, i % 5) for i in range(count)]
    for row in rows:
        ring.append(*row)
    kept = rows[-capacity:] if count else []
    if since is not None:
        kept = [r for r in kept if r[0] >= since]
    snap = ring.snapshot(since)
    assert snap.t.tolist() == [r[0] for r in kept]  # time order across the wrap, nothing twice
    assert snap.pressure.tolist() == [r[1] for r in kept]
    assert snap.target.tolist() == [r[2] for r in kept]
    assert snap.phase.tolist() == [r[3] for r in kept]
