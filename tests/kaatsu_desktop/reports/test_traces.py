"""Trace geometry: per-column min/max keeps every peak; phase spans follow the samples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol.types import Phase
from kaatsu_desktop.reports.traces import PhaseSpan, column_envelope, phase_spans


def test_a_single_sample_peak_survives_decimation() -> None:
    t = np.arange(0, 2_100_000, 20)  # 35 min at 50 Hz: 105,000 samples
    v = np.full(t.size, 100.0)
    v[54_321] = 250.0  # one sample
    v[77_777] = 3.0  # one dip
    env = column_envelope(t, v, 0, float(t[-1]), 1800)
    assert len(env) == 1800
    assert env.high.max() == 250.0 and env.low.min() == 3.0
    peak_col = int(t[54_321] * 1800 / t[-1])
    assert env.high[env.column == peak_col][0] == 250.0
    x, y = env.polyline()
    assert len(x) == len(y) == 4 * 1800
    assert y.max() == 250.0 and y.min() == 3.0


def test_columns_keep_first_and_last_so_the_line_joins_where_the_signal_went() -> None:
    t = np.array([0, 1, 2, 3, 10, 11])
    v = np.array([5.0, 9.0, 1.0, 4.0, 7.0, 8.0])
    env = column_envelope(t, v, 0, 11, 2)  # columns [0, 5.5) and [5.5, 11]
    assert env.column.tolist() == [0, 1]
    assert env.first.tolist() == [5.0, 7.0]
    assert env.low.tolist() == [1.0, 7.0]
    assert env.high.tolist() == [9.0, 8.0]
    assert env.last.tolist() == [4.0, 8.0]


def test_samples_outside_the_window_are_left_out_and_bad_widths_refused() -> None:
    env = column_envelope(np.array([0, 50, 100]), np.array([1.0, 2.0, 3.0]), 40, 60, 10)
    assert env.high.tolist() == [2.0]
    assert len(column_envelope(np.array([], dtype=int), np.array([]), 0, 1, 10)) == 0
    with pytest.raises(ValueError):
        column_envelope(np.array([0]), np.array([1.0]), 0, 1, 0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-100, 400, allow_nan=False), min_size=1, max_size=400),
    st.integers(1, 50),
)
def test_envelope_holds_every_extreme(values: list[float], columns: int) -> None:
    v = np.array(values)
    t = np.arange(v.size) * 7
    env = column_envelope(t, v, 0, float(max(t[-1], 1)), columns)
    assert env.high.max() == v.max() and env.low.min() == v.min()
    assert len(env) <= columns
    assert np.all(np.diff(env.column) > 0)


def test_phase_spans_follow_the_phases_and_break_at_gaps() -> None:
    H, INF, DEF = int(Phase.HOLDING), int(Phase.INFLATING), int(Phase.DEFLATING)
    t = np.array([0, 100, 200, 300, 400, 2000, 2100])
    ph = np.array([INF, INF, H, H, DEF, DEF, DEF])
    assert phase_spans(t, ph) == (
        PhaseSpan(0, 200, INF),  # until the first holding sample
        PhaseSpan(200, 400, H),
        PhaseSpan(400, 400, DEF),  # a gap over 1 s follows: the span ends at its last sample
        PhaseSpan(2000, 2100, DEF),
    )
    assert phase_spans(np.array([], dtype=int), np.array([], dtype=int)) == ()
