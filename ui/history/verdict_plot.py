"""Screenings over time: each verdict at its height, in its colour and, on the axis, in words.

Physician clearances are shaded over the days they are in force; today is a dashed line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kaatsu_desktop.services.trends import ClearanceSpan, VerdictPoint
from ui.history.style import MUTED_COLOUR, style_plot
from ui.theme import PALETTE, VERDICT_SWATCHES, verdict_short, verdict_words

log = logging.getLogger(__name__)

LEVELS = ("clear", "caution", "clearance", "blocked_today", "contraindicated")  # rank 0..4
DAY_S = 86_400.0
CLEARANCE_BRUSH = pg.mkBrush(90, 61, 154, 28)  # the clearance swatch, faint


DAY_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)  # whole days and weeks: ticks fall on Mondays
LABEL_SPACING_PX = 72  # "02 Mar" at 10 pt needs about 45 px


def day_x(day: date) -> float:
    """A calendar date on the time axis (UTC midnight, so the axis shows that very date)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def x_day(x: float) -> date:
    """The calendar date at a time-axis position."""
    return datetime.fromtimestamp(x, tz=UTC).date()


def day_ticks(lo: float, hi: float, width_px: float) -> list[float]:
    """Tick positions at midnights, spaced by whole days or weeks so labels stay apart."""
    days = max(1.0, (hi - lo) / DAY_S)
    room = max(1, int(width_px // LABEL_SPACING_PX))
    step = next((s for s in DAY_STEPS if days / s <= room), DAY_STEPS[-1])
    first = x_day(lo)
    if step >= 7:  # weeks start on Monday
        first += timedelta(days=(7 - first.weekday()) % 7)
    out, day = [], first
    while day_x(day) <= hi:
        if day_x(day) >= lo:
            out.append(day_x(day))
        day += timedelta(days=step)
    return out


class DayAxis(pg.AxisItem):
    """Bottom axis of calendar dates, labelled ``02 Mar`` (``02 Mar 25`` across years)."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.setStyle(hideOverlappingLabels=False)

    def tickValues(self, minVal, maxVal, size):
        """Midnights at whole-day or whole-week steps."""
        return [(DAY_S, day_ticks(minVal, maxVal, size))]

    def tickStrings(self, values, scale, spacing):
        """Day and month; the year too when the axis spans more than one."""
        days = [x_day(v) for v in values]
        years = {d.year for d in days}
        fmt = "%d %b %y" if len(years) > 1 else "%d %b"
        return [d.strftime(fmt) for d in days]


class VerdictTimeline(QWidget):
    """The verdict of every screening over time; `set_points` draws them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictTimeline")
        self.setAccessibleName(self.tr("Screening verdicts over time"))
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(PALETTE["surface"])
        self.graphics.ci.layout.setContentsMargins(4, 4, 14, 4)
        self.plot = self.graphics.addPlot(axisItems={"bottom": DayAxis()})
        style_plot(self.plot, self.tr("Screening verdicts"))
        left = self.plot.getAxis("left")
        left.setTicks([[(float(i), verdict_short(key)) for i, key in enumerate(LEVELS)]])
        left.setWidth(130)
        self.plot.setYRange(-0.6, len(LEVELS) - 0.4, padding=0)
        self.step = pg.PlotCurveItem(pen=pg.mkPen(MUTED_COLOUR, width=1.5), stepMode=None)
        self.points = pg.ScatterPlotItem(
            size=18, pen=pg.mkPen(PALETTE["text"], width=1), hoverable=True,
            tip=lambda x, y, data: data,
        )  # fmt: skip
        self.today_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(PALETTE["text"], width=1, style=Qt.PenStyle.DashLine),
            label=self.tr("today"),
            labelOpts={"position": 0.95, "color": PALETTE["text"], "anchors": [(1, 0), (1, 0)]},
        )  # fmt: skip
        self.plot.addItem(self.step)
        self.plot.addItem(self.points)
        self.plot.addItem(self.today_line)
        self.spans: list[pg.LinearRegionItem] = []
        self.span_labels: list[pg.TextItem] = []
        self.verdicts: tuple[VerdictPoint, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.setMinimumHeight(200)

    def set_points(
        self, points: Sequence[VerdictPoint], clearances: Sequence[ClearanceSpan], today: date
    ) -> None:
        """Draw the screenings (oldest first), the clearances and today's line."""
        self.verdicts = tuple(points)
        xs = np.array([day_x(p.assessed_on) for p in points], dtype=np.float64)
        ys = np.array([p.rank for p in points], dtype=np.float64)
        # The verdict holds until the next screening: a step line carried on to today.
        if len(xs):
            step_x = np.append(np.repeat(xs, 2)[1:], day_x(today))
            step_y = np.repeat(ys, 2)
            self.step.setData(step_x, step_y)
        else:
            self.step.setData([], [])
        brushes = [pg.mkBrush(VERDICT_SWATCHES[p.verdict].background) for p in points]
        tips = [
            self.tr("{date}: {verdict}{rules}").format(
                date=p.assessed_on.isoformat(), verdict=verdict_words(p.verdict),
                rules=f" ({', '.join(p.rules)})" if p.rules else "",
            )
            for p in points
        ]  # fmt: skip
        self.points.setData(x=xs, y=ys, brush=brushes, data=tips)
        self.today_line.setValue(day_x(today))
        self._draw_clearances(clearances, today)
        first = min([p.assessed_on for p in points] + [c.issued_on for c in clearances] + [today])
        lo = day_x(first) - 7 * DAY_S
        hi = day_x(today) + 7 * DAY_S
        self.plot.setXRange(lo, max(hi, lo + 30 * DAY_S), padding=0)

    def _draw_clearances(self, clearances: Sequence[ClearanceSpan], today: date) -> None:
        for item in [*self.spans, *self.span_labels]:
            self.plot.removeItem(item)
        self.spans, self.span_labels = [], []
        for i, c in enumerate(clearances):
            region = pg.LinearRegionItem(
                (day_x(c.issued_on), day_x(c.expires_on)), movable=False,
                brush=CLEARANCE_BRUSH, pen=pg.mkPen(VERDICT_SWATCHES["clearance"].background),
            )  # fmt: skip
            region.setZValue(-10)
            self.plot.addItem(region)
            self.spans.append(region)
            text = self.tr("cleared {rules} ({physician})").format(
                rules=", ".join(c.rules), physician=c.physician
            )
            label = pg.TextItem(text, color=VERDICT_SWATCHES["clearance"].background, anchor=(0, 0))
            # Alternate heights, so the labels of overlapping clearances do not cover each other.
            label.setPos(day_x(c.issued_on), len(LEVELS) - 0.45 - 0.4 * (i % 2))
            self.plot.addItem(label)
            self.span_labels.append(label)
