"""The plots read ring-buffer snapshots on a timer, draw at most a point per pixel, and scroll
under a fixed "seconds before now" axis, shading the phases of the samples they show."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QApplication

from kaatsu_desktop.session import LimbGroup
from kaatsu_desktop.session.ringbuffer import ChannelSeries, SessionBuffers
from ui.session.format import LIVE_WINDOW_S
from ui.session.panel import PLOT_INTERVAL_MS, PLOT_PERIOD_MS, plots_per_tick
from ui.session.plotdata import (
    DEFLATE_SHADE,
    INFLATE_SHADE,
    age_ticks,
    axis_top,
    envelope,
    live_view,
    overview_end,
    overview_ticks,
    pressure_ticks,
    runs,
    shade_kinds,
)
from ui.session.plots import SHADES, WINDOW_SHADE, X_MARGIN, Y_MARGIN, blend


class CountingBuffers(SessionBuffers):
    """SessionBuffers whose live rings count the snapshots taken."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.snapshots = [0] * self.channels
        for i, ring in enumerate(self.live):
            original = ring.snapshot

            def counted(since=None, i=i, original=original):
                self.snapshots[i] += 1
                return original(since)

            ring.snapshot = counted  # type: ignore[method-assign]


def cycle(t: float) -> tuple[float, float, int]:
    """(pressure, target, phase) of a 30 s inflation / 5 s deflation cycle at 100 mmHg."""
    c = t % 35.0
    if c < 30.0:
        return 100.0 + (t * 37 % 3), 100.0, 1 if c < 2.0 else 2
    return 0.0, 0.0, 3


def feed(buffers: SessionBuffers, start: float, seconds: float, hz: float = 100.0) -> float:
    """Append ``seconds`` of the cycle to every channel; the time of the last sample."""
    n = round(seconds * hz)
    for i in range(1, n + 1):
        t = start + i / hz
        for ch in range(buffers.channels):
            buffers.append(ch, t, *cycle(t))
    return start + n / hz


def test_a_thousand_samples_cost_one_snapshot_per_channel_per_refresh(qtbot, page, driver):
    buffers = CountingBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    feed(buffers, 0.0, 10.0)
    assert buffers.snapshots == [0, 0, 0, 0]  # appending never touches the plots
    assert page.live.refresh_plots() == 4
    assert buffers.snapshots == [1, 1, 1, 1]
    assert page.live.refresh_plots() == 0  # nothing new: no copy, no redraw
    assert buffers.snapshots == [1, 1, 1, 1]
    plot = page.live.rows[0].plot
    x, y = plot.trace.x, plot.trace.y
    assert 100 <= len(x) <= plot.max_points() < 1000  # at most a point per pixel
    assert x[-1] == 0.0 and abs(x[0] + 9.99) < 1e-9  # seconds before the newest sample
    assert y[-1] == cycle(10.0)[0]
    assert plot.live.viewRange()[0] == pytest.approx([-LIVE_WINDOW_S * (1 + X_MARGIN), 0.0])


def test_the_live_window_shows_the_last_two_minutes_under_an_axis_that_never_moves(
    qtbot, page, driver
):
    buffers = SessionBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    plot = page.live.rows[1].plot
    axis = plot.live.getAxis("bottom")
    latest = feed(buffers, 0.0, 200.0)
    page.live.refresh_plots()
    page.grab()  # painted once: the axis keeps its picture from now on
    picture, ranges = axis.picture, plot.live.viewRange()
    assert picture is not None
    for _ in range(3):
        latest = feed(buffers, latest, 1.5)
        assert page.live.refresh_plots() == 4
        page.grab()
        assert plot.live.viewRange() == ranges  # the same, not merely close
        assert ranges[0] == pytest.approx([-LIVE_WINDOW_S * (1 + X_MARGIN), 0.0])
        assert ranges[1] == pytest.approx([-Y_MARGIN * plot.top, plot.top])
        assert axis.picture is picture  # no tick layout while the data scrolls
    x, y = plot.trace.x, plot.trace.y
    assert x[-1] == 0.0 and -LIVE_WINDOW_S <= x[0] < -LIVE_WINDOW_S + 0.5
    assert len(x) <= plot.max_points()
    assert [axis.tickStrings(v, 1, 30)[0] for v in ([-120.0], [-30.0], [0.0])] == [
        "−120 s",
        "−30 s",
        "now",
    ]
    t_of = np.round(x + latest, 2)
    assert np.allclose(y, [cycle(t)[0] for t in t_of])  # the samples of the last 2 minutes


def test_the_plot_shows_target_pressure_and_phase_shading_from_a_running_set(page, driver):
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(40.0, step=0.1)  # one 30 s inflation and a 5 s deflation of the Cycle protocol
    page.live.refresh_plots()
    plot = page.live.rows[0].plot
    series = driver.buffers.live[0].snapshot()
    latest = float(series.t[-1])
    trace = plot.trace
    assert set(trace.target.value) == {100.0}  # the low arm pressure of the test protocol
    assert INFLATE_SHADE in trace.shading.value and DEFLATE_SHADE in trace.shading.value
    # Every sample lies in a span of the shade of its phase (and no span covers an idle one).
    kinds = shade_kinds(series.phase)
    x = series.t - latest
    for xi, kind in zip(x[:-1], kinds[:-1], strict=True):
        inside = (trace.shading.start <= xi) & (xi < trace.shading.end)
        assert list(trace.shading.value[inside]) == ([kind] if kind else [])
    fills = {c.name() for _, c in trace._fills}
    assert fills == {SHADES[INFLATE_SHADE].name(), SHADES[DEFLATE_SHADE].name()}
    assert all(c.alpha() == 255 for c in SHADES.values())  # opaque: nothing blended at paint
    assert plot.top == axis_top(MAX_ARMS := 200.0) == 250.0 and plot.top > MAX_ARMS
    assert plot.live.getAxis("left").labelText == "mmHg"  # the device unit, never converted
    assert len(plot.ov_trace.x) > 10  # the whole-session overview
    assert list(plot.ov_trace.shading.value) == [WINDOW_SHADE]


def test_the_four_plots_repaint_together_in_one_window_update(qtbot, page, driver):
    buffers = SessionBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    page.show()
    qtbot.waitExposed(page)
    latest = feed(buffers, 0.0, 30.0)
    page.live.refresh_plots()
    QApplication.processEvents()
    viewports = {row.plot.viewport(): 0 for row in page.live.rows.values()}
    regions = []
    counts = {"updates": 0}

    class Spy(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and obj in viewports:
                viewports[obj] += 1
                regions.append((obj, QRegion(event.region())))
            elif event.type() == QEvent.Type.UpdateRequest:
                counts["updates"] += 1
            return False

    spy = Spy()
    QApplication.instance().installEventFilter(spy)
    try:
        feed(buffers, latest, 0.05)
        page.live.refresh_plots()
        for _ in range(5):
            QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(spy)
    assert list(viewports.values()) == [1, 1, 1, 1]  # each plot once, not once per item
    assert counts["updates"] == 1
    for row in page.live.rows.values():  # the plot areas, never the axes (drawn once)
        plot = row.plot
        painted = next(r for v, r in regions if v is plot.viewport())
        assert painted.intersects(plot._area(plot.live.getViewBox()))
        for axis in ("left", "bottom"):
            assert not painted.intersects(plot._area(plot.live.getAxis(axis)))
            assert not painted.intersects(plot._area(plot.overview.getAxis(axis)))


def test_a_layout_change_inside_a_plot_repaints_all_of_it(qtbot, page, driver):
    page.show()
    qtbot.waitExposed(page)
    plot = page.live.rows[0].plot
    painted: list[QRegion] = []

    class Spy(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and obj is plot.viewport():
                painted.append(QRegion(event.region()))
            return False

    spy = Spy()
    qtbot.wait(50)  # the first paints are done
    plot.viewport().installEventFilter(spy)
    plot.live.getAxis("left").setWidth(90)  # as when a wider label comes: the plot area moves
    qtbot.wait(50)
    plot.viewport().removeEventFilter(spy)
    whole = QRegion(plot.viewport().rect())
    assert any(region.contains(whole.boundingRect()) for region in painted)


def test_the_overview_axis_moves_once_a_minute(page, driver):
    buffers = SessionBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    plot = page.live.rows[0].plot
    latest = feed(buffers, 0.0, 125.0)
    page.live.refresh_plots()
    assert plot.ov_trace.extent == (0.0, 180.0)
    latest = feed(buffers, latest, 30.0)
    page.live.refresh_plots()
    assert plot.ov_trace.extent == (0.0, 180.0)  # same range: the axis keeps its labels
    shade = plot.ov_trace.shading
    assert (shade.start[0], shade.end[0]) == (latest - LIVE_WINDOW_S, latest)
    assert plot.overview.viewRange()[0] == pytest.approx([-180.0 * X_MARGIN, 180.0])


def test_the_timer_redraws_every_plot_about_20_times_a_second_two_at_a_tick(qtbot, page, driver):
    assert 20 <= 1000 / PLOT_PERIOD_MS <= 30  # each plot; plenty for a pressure trace
    assert plots_per_tick(4) == 2 and plots_per_tick(2) == plots_per_tick(1) == 1
    assert PLOT_INTERVAL_MS * 4 // plots_per_tick(4) == PLOT_PERIOD_MS
    assert page.live.plot_timer.isActive() and page.live.plot_timer.interval() == PLOT_INTERVAL_MS
    page.live.plot_timer.stop()  # ticked by hand below
    buffers = CountingBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    latest = feed(buffers, 0.0, 1.0)
    assert page.live.refresh_due() == 0  # hidden: nothing drawn, nothing copied
    page.show()
    qtbot.waitExposed(page)
    for _ in range(6):
        latest = feed(buffers, latest, PLOT_INTERVAL_MS / 1000)  # 100 Hz streams on
        assert page.live.refresh_due() == 2
    assert buffers.snapshots == [3, 3, 3, 3]  # in turn: each plot every second tick
    assert [row.plot.refreshes for row in page.live.rows.values()] == [3, 3, 3, 3]


def test_the_timer_never_copies_more_than_once_a_tick(qtbot, page, driver):
    buffers = CountingBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    page.show()
    qtbot.waitExposed(page)
    t = [0.0]

    def more() -> None:  # 100 samples per channel between timer ticks
        t[0] = feed(buffers, t[0], 1.0)

    for _ in range(5):
        more()
        qtbot.wait(PLOT_INTERVAL_MS + 10)
    assert 1 <= buffers.snapshots[0] <= 5  # one copy per tick at most, not 500
    assert page.live.rows[0].plot.refreshes >= 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-50, 400, allow_nan=False), min_size=1, max_size=3000),
    st.integers(4, 800),
)
@example([0.0, 1.0, 0.0, 0.0, 0.0, 0.0], 5)  # a peak among the oldest samples, before the buckets
def test_the_envelope_keeps_peaks_dips_and_the_newest_sample(values, max_points):
    y = np.array(values)
    idx = envelope(y, max_points)
    assert len(idx) <= max(max_points, len(y) if len(y) <= max_points else 0)
    assert idx[0] == 0 and idx[-1] == len(y) - 1
    assert np.all(np.diff(idx) > 0)  # time order, no sample twice
    assert y[idx].max() == y.max() and y[idx].min() == y.min()


def test_plot_data_helpers():
    n = 12_000
    t = np.arange(n) / 100.0
    phase = np.array([cycle(v)[2] for v in t], "i1")
    series = ChannelSeries(t, np.ones(n, "f4"), np.full(n, 100.0, "f4"), phase)
    view = live_view(series, 600)
    assert len(view) <= 600 and view.x[-1] == 0.0 and view.latest == t[-1]
    assert view.x[0] >= -LIVE_WINDOW_S
    assert shade_kinds(np.array([0, 1, 2, 3, 4], "i1")).tolist() == [0, 1, 1, 2, 0]
    spans = runs(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1, 1, 2, 2]))
    assert spans.start.tolist() == [0.0, 2.0] and spans.end.tolist() == [2.0, 3.0]
    assert spans.value.tolist() == [1, 2]
    assert axis_top(260.0) == 300.0 and axis_top(0.0) == 300.0
    assert pressure_ticks(250.0) == pressure_ticks(300.0) == [100.0, 200.0]
    assert pressure_ticks(100.0) == [25.0, 50.0, 75.0] and pressure_ticks(350.0) == [
        100.0,
        200.0,
        300.0,
    ]
    assert age_ticks(400) == [-120.0, -90.0, -60.0, -30.0, 0.0]
    assert age_ticks(200) == [-120.0, -60.0, 0.0]  # a narrow plot keeps its labels apart
    assert overview_end(30.0) == 120.0 and overview_end(121.0) == overview_end(180.0) == 180.0
    assert overview_ticks(120.0, 95) == [60.0] and overview_ticks(1200.0, 95) == [600.0]
    assert overview_ticks(1800.0, 200) == [600.0, 1200.0]
    assert blend("#000000", 0.25).name() == "#bfbfbf"  # 25 % black over white
