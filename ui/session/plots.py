"""One pressure plot per channel: the last 2 minutes scrolling, and the whole session beside it.

The plots never see single samples: a timer of the panel calls :meth:`ChannelPlot.refresh`,
which copies the ring buffer once (SessionBuffers snapshots are thread-safe) and redraws only
when samples arrived since the last refresh.

Drawing is cheap by construction, since it runs in software on most clinic PCs: the live
window's x axis is "seconds before now" (-120 ... 0), so neither the view range nor the axis
changes while the trace scrolls and only the plot area repaints; shading, grid, target and
trace are one item painted in one call, in opaque colours (blending large translucent areas is
what software rendering is slowest at); the trace keeps each bucket's minimum and maximum, at
most one point per pixel. The overview changes once a second.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF, QRegion, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from kaatsu_desktop.session.ringbuffer import SessionBuffers
from ui.session.format import LIVE_WINDOW_S, mmss, tr
from ui.session.plotdata import (
    DEFLATE_SHADE,
    INFLATE_SHADE,
    Spans,
    age_ticks,
    axis_top,
    envelope,
    live_view,
    overview_end,
    overview_ticks,
    pressure_ticks,
)
from ui.theme import PALETTE

log = logging.getLogger(__name__)

SURFACE = QColor(PALETTE["surface"])


def blend(colour: str, alpha: float, over: QColor = SURFACE) -> QColor:
    """``colour`` at opacity ``alpha`` over ``over``, as one opaque colour (nothing to blend)."""
    top = QColor(colour)
    return QColor(
        round(alpha * top.red() + (1 - alpha) * over.red()),
        round(alpha * top.green() + (1 - alpha) * over.green()),
        round(alpha * top.blue() + (1 - alpha) * over.blue()),
    )


def _pen(colour: str | QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour), width, style)
    pen.setCosmetic(True)  # widths in pixels whatever the data scale
    # Bevel joins: round joins cost four times as much to stroke in software and look the same
    # at this width.
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
    return pen


PRESSURE_PEN = _pen(PALETTE["accent"], 1)  # drawn 3 px thick by TraceItem (thickness=1)
OVERVIEW_PEN = _pen(PALETTE["accent"], 1.5)
TARGET_PEN = _pen(PALETTE["text"], 2, Qt.PenStyle.DashLine)
GRID_PEN = _pen(blend(PALETTE["muted"], 0.25), 1)
SHADES: Mapping[int, QColor] = {
    INFLATE_SHADE: blend(PALETTE["accent"], 0.16),  # the band is (being) inflated
    DEFLATE_SHADE: blend("#5b6672", 0.18),  # deflation between cycles
}
WINDOW_SHADE = 9  # the overview's mark of the live window
SHADES_OVERVIEW: Mapping[int, QColor] = {WINDOW_SHADE: blend(PALETTE["accent"], 0.12)}
AXIS_PEN = pg.mkPen(PALETTE["muted"])
TEXT_PEN = pg.mkPen(PALETTE["text"])
LABEL_OVERHANG_PX = 28  # "−120 s" and "now" are centred on the live window's edges
OVERVIEW_EVERY_S = 1.0  # the overview keeps one min/max pair a second: redrawn as often
# Plain background between the data and the axes (as shares of the x range, left of the data,
# and of the pressure range, under zero): the repainted plot area then never reaches an axis,
# so the axes are not drawn again while the data scroll.
X_MARGIN = 0.015
Y_MARGIN = 0.04
NOW_TEXT = QT_TRANSLATE_NOOP("SessionPanel", "now")
AGO_TEXT = QT_TRANSLATE_NOOP("SessionPanel", "−{s} s")


class TraceItem(pg.GraphicsObject):
    """Shading, grid, target and one trace of a view box, painted in one call, all opaque."""

    def __init__(
        self,
        top: float,
        extent: tuple[float, float],
        pen: QPen,
        shades: Mapping[int, QColor],
        grid: Sequence[float] = (),
        thickness: int = 0,
    ) -> None:
        super().__init__()
        self.top = top
        self.extent = extent
        self.pen = pen
        # The trace is drawn again shifted by up to ``thickness`` px left, right, up and down:
        # a 1 px polyline is ten times faster to draw in software than a wide pen's outline.
        self.offsets = [(0, 0)] + [
            (dx * k, dy * k)
            for k in range(1, thickness + 1)
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
        ]
        self.shades = shades
        self.grid = tuple(grid)
        self.x = np.empty(0)
        self.y = np.empty(0)
        self.shading = Spans(np.empty(0), np.empty(0), np.empty(0))
        self.target = Spans(np.empty(0), np.empty(0), np.empty(0))
        self._polygon = QPolygonF()
        self._fills: list[tuple[QRectF, QColor]] = []
        self._target: list[QLineF] = []
        self._grid: list[QLineF] = []
        self._rebuild_grid()

    def set_extent(self, x0: float, x1: float) -> None:
        """The x interval this item covers (the view box's range)."""
        if (x0, x1) != self.extent:
            self.prepareGeometryChange()
            self.extent = (x0, x1)
            self._rebuild_grid()

    def set_data(
        self,
        x: np.ndarray,
        y: np.ndarray,
        shading: Spans | None = None,
        target: Spans | None = None,
    ) -> None:
        """New trace points, shading spans and target levels; one repaint follows."""
        self.x, self.y = x, y
        # A reading below zero stays inside the margin under zero (the view clips the top).
        self._polygon = _polygon(x, np.maximum(y, -Y_MARGIN * self.top / 2))
        if shading is not None:
            self.shading = shading
            self._fills = [
                (QRectF(a, 0.0, b - a, self.top), self.shades[int(kind)])
                for a, b, kind in zip(shading.start, shading.end, shading.value, strict=True)
                if int(kind) in self.shades
            ]
        if target is not None:
            self.target = target
            self._target = [
                QLineF(a, level, b, level)
                for a, b, level in zip(target.start, target.end, target.value, strict=True)
            ]
        self.update()

    def _rebuild_grid(self) -> None:
        x0, x1 = self.extent
        self._grid = [QLineF(x0, level, x1, level) for level in self.grid]

    def boundingRect(self) -> QRectF:
        x0, x1 = self.extent
        return QRectF(x0, 0.0, x1 - x0, self.top)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None) -> tuple[float, float]:
        """The fixed extent (the view's ranges are set, never auto-fitted)."""
        return self.extent if ax == 0 else (0.0, self.top)

    def paint(self, p: QPainter, *_args) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for rect, colour in self._fills:
            p.fillRect(rect, colour)
        if self._grid:
            p.setPen(GRID_PEN)
            p.drawLines(self._grid)
        if self._target:
            p.setPen(TARGET_PEN)
            p.drawLines(self._target)
        if self._polygon.size() > 1:
            p.setPen(self.pen)
            base = p.transform()
            for dx, dy in self.offsets:
                p.setTransform(base * QTransform.fromTranslate(dx, dy))  # shift in pixels
                p.drawPolyline(self._polygon)
            p.setTransform(base)


def _polygon(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    """A QPolygonF filled straight from numpy (no Python loop over points)."""
    n = len(x)
    if n < 2:  # numpy cannot view an empty polygon's (null) buffer
        return QPolygonF([QPointF(float(a), float(b)) for a, b in zip(x, y, strict=True)])
    polygon = pg.functions.create_qpolygonf(n)
    points = pg.functions.ndarray_from_qpolygonf(polygon)
    points[:, 0] = x
    points[:, 1] = y
    return polygon


class AgeAxis(pg.AxisItem):
    """Bottom axis of the live window in seconds before now: its labels never change."""

    def __init__(self) -> None:
        super().__init__("bottom")

    def tickValues(self, minVal, maxVal, size):
        """Every 30 s (60 s on a narrow plot) from -120 to now."""
        return [(30.0, age_ticks(size))]

    def tickStrings(self, values, scale, spacing):
        """'−90 s' ... 'now'."""
        return [tr(NOW_TEXT) if v >= 0 else tr(AGO_TEXT).format(s=round(-v)) for v in values]


class OverviewAxis(pg.AxisItem):
    """Bottom axis of the session overview: round minutes of session time, mm:ss."""

    def __init__(self) -> None:
        super().__init__("bottom")

    def tickValues(self, minVal, maxVal, size):
        """Round minutes inside the range, at least 70 px apart."""
        return [(60.0, overview_ticks(maxVal, size))]

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
        # Ticks point outwards, so an axis never overlaps the plot area that repaints.
        axis.setStyle(tickFont=font, tickLength=4)
        # A fixed axis is painted once and then copied from its pixmap.
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _fixed_plot(plot: pg.PlotItem, x0: float, x1: float, top: float) -> None:
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.disableAutoRange()
    _set_x(plot, x0, x1)
    plot.setYRange(-Y_MARGIN * top, top, padding=0)


def _set_x(plot: pg.PlotItem, x0: float, x1: float) -> None:
    plot.setXRange(x0 - X_MARGIN * (x1 - x0), x1, padding=0)


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
        levels = pressure_ticks(self.top)

        self.live = self.addPlot(row=0, col=0, axisItems={"bottom": AgeAxis()})
        self.overview = self.addPlot(row=0, col=1, axisItems={"bottom": OverviewAxis()})
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 1)
        _fixed_plot(self.live, -LIVE_WINDOW_S, 0.0, self.top)
        _fixed_plot(self.overview, 0.0, LIVE_WINDOW_S, self.top)
        _style_axes(self.live, 10)
        _style_axes(self.overview, 9)
        self.live.getAxis("left").setTicks([[(v, f"{v:.0f}") for v in levels]])
        self.live.getAxis("bottom").setStyle(hideOverlappingLabels=LABEL_OVERHANG_PX)
        # The device unit on the axis, never converted.
        self.live.setLabel("left", unit_label, **{"font-size": "11pt", "color": PALETTE["text"]})
        caption = pg.TextItem(tr("session"), color=PALETTE["muted"], anchor=(0, 0))
        caption.setParentItem(self.overview.getViewBox())
        caption.setPos(4, 0)
        self.overview.getAxis("left").setStyle(showValues=False)
        self.overview.getAxis("left").setTicks([[(v, "") for v in levels]])
        self.overview.getAxis("left").setWidth(8)

        self.trace = TraceItem(
            self.top, (-LIVE_WINDOW_S, 0.0), PRESSURE_PEN, SHADES, levels, thickness=1
        )
        self.live.addItem(self.trace)
        self.ov_trace = TraceItem(
            self.top, (0.0, LIVE_WINDOW_S), OVERVIEW_PEN, SHADES_OVERVIEW, levels
        )
        self.overview.addItem(self.ov_trace)
        # Qt would repaint each plot's view in an update of its own as its scene settles (four
        # window repaints per refresh); refresh() asks for the areas it changed instead, so the
        # four plots repaint together in the window's next update.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.NoViewportUpdate)
        for plot in (self.live, self.overview):  # a layout change moves everything: all of it
            plot.getViewBox().sigResized.connect(self._repaint_all)
        # The background is one colour: filled, it costs half of what a cached background costs,
        # which Qt draws as an image and splits across threads that a busy machine must wake.
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.setMinimumHeight(90)
        self.setAccessibleName(tr("Pressure of channel {n}").format(n=channel + 1))

    def max_points(self) -> int:
        """At most one trace point per pixel of the live window (never fewer than 100)."""
        return max(100, int(self.live.getViewBox().width()))

    def refresh(self, buffers: SessionBuffers) -> bool:
        """Redraw from one snapshot of the ring buffer; False when nothing new arrived.

        Sample times in the buffers are session seconds (the controller's convention).
        """
        ring = buffers.live[self.channel]
        total = ring.total
        if total == self._seen_total:
            return False
        self._seen_total = total
        view = live_view(ring.snapshot(), self.max_points())
        if not len(view):
            return False
        self.trace.set_data(view.x, view.pressure, view.shading, view.target)
        self._repaint(self.live)
        if view.latest - self._overview_at >= OVERVIEW_EVERY_S or self._overview_at < 0:
            moved = self._refresh_overview(buffers, view.latest)
            self._repaint(self.overview, axes=moved)
        self.refreshes += 1
        return True

    def _repaint_all(self, *_args: object) -> None:
        self.viewport().update()

    def _area(self, item: QGraphicsItem) -> QRegion:
        return QRegion(self.mapFromScene(item.sceneBoundingRect()).boundingRect())

    def _repaint(self, plot: pg.PlotItem, axes: bool = False) -> None:
        """Ask for a repaint of a plot area, its axes left out unless they changed."""
        if axes:
            self.viewport().update(self._area(plot))
            return
        region = self._area(plot.getViewBox())
        for name in ("left", "bottom"):  # an axis's bounds reach a pixel or two into the area
            region -= self._area(plot.getAxis(name))
        self.viewport().update(region)

    def _refresh_overview(self, buffers: SessionBuffers, latest: float) -> bool:
        """Redraw the overview; True when its range (and axis) moved."""
        self._overview_at = latest
        end = overview_end(latest)
        moved = self.ov_trace.extent != (0.0, end)
        if moved:  # once a minute: the axis re-lays out then only
            self.ov_trace.set_extent(0.0, end)
            _set_x(self.overview, 0.0, end)
        ov = buffers.overview[self.channel].snapshot()
        keep = envelope(ov.pressure, max(50, int(self.overview.getViewBox().width())))
        lo = max(0.0, latest - LIVE_WINDOW_S)
        window = Spans(np.array([lo]), np.array([latest]), np.array([WINDOW_SHADE]))
        self.ov_trace.set_data(ov.t[keep], ov.pressure[keep].astype(np.float64), window)
        return moved
