"""One pressure plot per channel: the last 2 minutes scrolling, and the whole session beside it.

The plots never see single samples: a timer of the panel calls :meth:`ChannelPlot.refresh` at
about 30 Hz, which copies the ring buffer once (SessionBuffers snapshots are thread-safe) and
redraws only when samples arrived since the last refresh.
"""

from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kaatsu_desktop.session.ringbuffer import SessionBuffers
from ui.session.format import LIVE_WINDOW_S, mmss, tr
from ui.session.plotdata import axis_top, live_range, phase_fill, session_ticks, thin
from ui.theme import PALETTE

log = logging.getLogger(__name__)

PRESSURE_PEN = pg.mkPen(PALETTE["accent"], width=3)
TARGET_PEN = pg.mkPen("#161b21", width=2, style=Qt.PenStyle.DashLine)
INFLATE_BRUSH = pg.mkBrush(11, 92, 173, 40)  # accent, faint: the band is (being) inflated
DEFLATE_BRUSH = pg.mkBrush(91, 102, 114, 45)  # grey: deflation between cycles
AXIS_PEN = pg.mkPen("#47525e")
TEXT_PEN = pg.mkPen("#161b21")
WINDOW_BRUSH = pg.mkBrush(11, 92, 173, 30)
TICK_SPACING_PX = 70  # "10:30" in 10 pt needs about 40 px; the rest is air


class SessionTimeAxis(pg.AxisItem):
    """Bottom axis in session time, labelled mm:ss at round steps."""

    def __init__(self, ticks: int = 6) -> None:
        super().__init__("bottom")
        self.ticks = ticks

    def tickValues(self, minVal, maxVal, size):
        """Major ticks only, at whole 10 s, 30 s or minutes, at least 70 px apart."""
        target = max(1, min(self.ticks, int(size // TICK_SPACING_PX)))
        return [(1.0, session_ticks(minVal, maxVal, target))]

    def tickStrings(self, values, scale, spacing):
        """mm:ss."""
        return [mmss(v) for v in values]


def _style_axes(plot: pg.PlotItem, font_pt: int) -> None:
    font = pg.QtGui.QFont()
    font.setPointSize(font_pt)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(AXIS_PEN)
        axis.setTextPen(TEXT_PEN)
        axis.setStyle(tickFont=font)


class ChannelPlot(pg.GraphicsLayoutWidget):
    """Live window (left, wide) and session overview (right) of one channel."""

    def __init__(
        self,
        channel: int,
        unit_label: str,
        max_pressure: float,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.channel = channel
        self.setBackground(PALETTE["surface"])
        self.ci.layout.setContentsMargins(2, 2, 6, 2)
        self.ci.layout.setHorizontalSpacing(8)
        self.top = axis_top(max_pressure)
        self.refreshes = 0  # redraws done (for tests and the benchmark)
        self._seen_total = -1
        self._overview_at = -1.0

        self.live = self.addPlot(row=0, col=0, axisItems={"bottom": SessionTimeAxis(6)})
        self.overview = self.addPlot(row=0, col=1, axisItems={"bottom": SessionTimeAxis(2)})
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 1)
        for plot in (self.live, self.overview):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setYRange(0, self.top, padding=0)
            plot.showGrid(x=False, y=True, alpha=0.25)
        _style_axes(self.live, 10)
        _style_axes(self.overview, 9)
        # The device unit on the axis, never converted.
        self.live.setLabel("left", unit_label, **{"font-size": "11pt", "color": "#161b21"})
        caption = pg.TextItem(tr("session"), color="#47525e", anchor=(0, 0))
        caption.setParentItem(self.overview.getViewBox())
        caption.setPos(4, 0)
        self.overview.getAxis("left").setStyle(showValues=False)
        self.overview.getAxis("left").setWidth(8)

        self.inflate = pg.PlotCurveItem(pen=None, fillLevel=0.0, brush=INFLATE_BRUSH)
        self.deflate = pg.PlotCurveItem(pen=None, fillLevel=0.0, brush=DEFLATE_BRUSH)
        self.target = pg.PlotCurveItem(pen=TARGET_PEN)
        self.pressure = pg.PlotCurveItem(pen=PRESSURE_PEN, connect="finite")
        for item in (self.inflate, self.deflate, self.target, self.pressure):
            self.live.addItem(item)
        self.live.setXRange(0, LIVE_WINDOW_S, padding=0)

        self.ov_pressure = pg.PlotCurveItem(pen=pg.mkPen(PALETTE["accent"], width=1.5))
        self.ov_window = pg.LinearRegionItem(
            (0, LIVE_WINDOW_S), movable=False, brush=WINDOW_BRUSH, pen=pg.mkPen(None)
        )
        self.overview.addItem(self.ov_window)
        self.overview.addItem(self.ov_pressure)
        self.overview.setXRange(0, LIVE_WINDOW_S, padding=0)
        self.setMinimumHeight(90)
        self.setAccessibleName(tr("Pressure of channel {n}").format(n=channel + 1))

    def refresh(self, buffers: SessionBuffers) -> bool:
        """Redraw from one snapshot of the ring buffer; False when nothing new arrived.

        Sample times in the buffers are session seconds (the controller's convention).
        """
        ring = buffers.live[self.channel]
        total = ring.total
        if total == self._seen_total:
            return False
        self._seen_total = total
        newest = ring.snapshot()
        if not len(newest):
            return False
        latest = float(newest.t[-1])
        lo, hi = live_range(latest)
        series = thin(_window(newest, lo))
        x = series.t
        inflate, deflate = phase_fill(series.phase, self.top)
        self.inflate.setData(x, inflate)
        self.deflate.setData(x, deflate)
        self.target.setData(x, series.target.astype(np.float64))
        self.pressure.setData(x, series.pressure.astype(np.float64))
        self.live.setXRange(lo, hi, padding=0)
        if latest - self._overview_at >= 1.0 or self._overview_at < 0:
            self._refresh_overview(buffers, latest, lo, hi)
        self.refreshes += 1
        return True

    def _refresh_overview(
        self, buffers: SessionBuffers, latest: float, lo: float, hi: float
    ) -> None:
        # The overview keeps min/max per second: redrawn once a second is enough.
        self._overview_at = latest
        ov = thin(buffers.overview[self.channel].snapshot(), 600)
        if len(ov):
            self.ov_pressure.setData(ov.t, ov.pressure.astype(np.float64))
        self.overview.setXRange(0, max(hi, LIVE_WINDOW_S), padding=0)
        self.ov_window.setRegion((lo, hi))


def _window(series, since: float):
    """The samples at or after ``since`` (the ring is time-ordered)."""
    start = int(np.searchsorted(series.t, since, side="left"))
    if start == 0:
        return series
    return type(series)(
        series.t[start:], series.pressure[start:], series.target[start:], series.phase[start:]
    )
