"""The plots read ring-buffer snapshots on a timer (about 30 Hz), never once per sample."""

from __future__ import annotations

import numpy as np

from kaatsu_desktop.session import LimbGroup
from kaatsu_desktop.session.ringbuffer import ChannelSeries, SessionBuffers
from tests.ui.session.driver import EngineDriver
from ui.session.page import SessionPage
from ui.session.panel import PLOT_INTERVAL_MS
from ui.session.plotdata import axis_top, live_range, phase_fill, session_ticks, thin


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


def test_a_thousand_samples_cost_one_snapshot_per_channel_per_refresh(qtbot, page, driver):
    buffers = CountingBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    for i in range(1000):
        for ch in range(4):
            buffers.append(ch, i / 100.0, 100.0, 100.0, 2)
    assert buffers.snapshots == [0, 0, 0, 0]  # appending never touches the plots
    assert page.live.refresh_plots() == 4
    assert buffers.snapshots == [1, 1, 1, 1]
    assert page.live.refresh_plots() == 0  # nothing new: no copy, no redraw
    assert buffers.snapshots == [1, 1, 1, 1]
    plot = page.live.rows[0].plot
    x, y = plot.pressure.getData()
    assert len(x) == 1000 and x[-1] == 9.99 and y[-1] == 100.0
    assert plot.live.viewRange()[0] == [0.0, 120.0]


def test_the_timer_refreshes_at_about_30_hz_whatever_the_sample_rate(qtbot, page, driver):
    assert 25 <= 1000 / PLOT_INTERVAL_MS <= 35
    assert page.live.plot_timer.isActive()
    buffers = CountingBuffers(4, rate_hz=100.0)
    page.live.buffers = buffers
    t = [0.0]

    def feed() -> None:  # 100 samples per channel between timer ticks
        for _ in range(100):
            t[0] += 0.01
            for ch in range(4):
                buffers.append(ch, t[0], 50.0, 100.0, 1)

    for _ in range(5):
        feed()
        qtbot.wait(PLOT_INTERVAL_MS + 10)
    assert 1 <= buffers.snapshots[0] <= 5  # one copy per tick at most, not 500
    assert page.live.rows[0].plot.refreshes >= 1


def test_the_plot_shows_target_pressure_and_phase_shading_from_a_running_set(page, driver):
    driver.start_limb_group(LimbGroup.ARMS)
    driver.advance(40.0, step=0.1)  # one 30 s inflation and a 5 s deflation of the Cycle protocol
    page.live.refresh_plots()
    plot = page.live.rows[0].plot
    _, target = plot.target.getData()
    _, inflate = plot.inflate.getData()
    _, deflate = plot.deflate.getData()
    assert target.max() == 100.0  # the low arm pressure of the test protocol
    assert inflate.max() == plot.top and deflate.max() == plot.top
    assert plot.top == axis_top(MAX_ARMS := 200.0) == 250.0 and plot.top > MAX_ARMS
    assert plot.live.getAxis("left").labelText == "mmHg"  # the device unit, never converted
    x, _ = plot.ov_pressure.getData()
    assert x is not None and len(x) > 10  # the whole-session overview


def test_plot_data_helpers():
    n = 12_000
    series = ChannelSeries(
        np.arange(n) / 100.0, np.ones(n, "f4"), np.ones(n, "f4"), np.zeros(n, "i1")
    )
    small = thin(series, 1500)
    assert len(small) <= 1500 and small.t[-1] == series.t[-1]
    assert thin(small, 2000) is small
    inflate, deflate = phase_fill(np.array([0, 1, 2, 3, 4], "i1"), 300.0)
    assert inflate.tolist() == [0, 300, 300, 0, 0] and deflate.tolist() == [0, 0, 0, 300, 0]
    assert live_range(30.0) == (0.0, 120.0)
    assert live_range(500.0) == (380.0, 500.0)
    assert axis_top(260.0) == 300.0 and axis_top(0.0) == 300.0
    assert session_ticks(0.0, 120.0) == [0.0, 30.0, 60.0, 90.0, 120.0]
    assert session_ticks(0.0, 1800.0, 2) == [0.0, 900.0, 1800.0]


def _unused(driver: EngineDriver, page: SessionPage) -> None:  # keep fixtures typed for readers
    del driver, page
