"""Sessions over time: restriction minutes per limb group against their limits, pressure, alarms.

One point per session on each plot, sessions in order along the x axis (1 = oldest), labelled
with their dates, so two sessions on one day stay apart and a column reads as one session.
"""

from __future__ import annotations

import functools
import locale
import logging
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import SupportsInt

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kaatsu_desktop.services.trends import GroupSeries, SessionTrends
from ui.history.style import (
    ALARM_COLOUR,
    GROUP_COLOURS,
    GROUP_SYMBOLS,
    MUTED_COLOUR,
    legend_html,
    style_plot,
)
from ui.theme import PALETTE
from ui.widgets import styled_label

log = logging.getLogger(__name__)

LABEL_SPACING_PX = 64  # a "02 Mar" label needs about 45 px at 10 pt


def symbol_size(sessions: int) -> int:
    """Marker size for this many sessions: full size while they stand apart, small when dense."""
    if sessions <= 40:
        return 10
    return 7 if sessions <= 100 else 4


def _values(series: Sequence[float | None]) -> np.ndarray:
    return np.array([math.nan if v is None else float(v) for v in series], dtype=np.float64)


@functools.lru_cache(maxsize=4)
def _month_abbreviations(lc_time: str) -> tuple[str, ...]:
    """strftime's ``%b`` for each month under the LC_TIME locale named (12 calls, then cached)."""
    return tuple(datetime(2000, month, 1).strftime("%b") for month in range(1, 13))


def date_labels(started: Sequence[datetime]) -> list[str]:
    """Each time's local date as strftime("%d %b") gives it, e.g. ``02 Mar``.

    Not strftime itself: each call imports the time module through PySide's import hook, and a
    patient with 200 sessions had 600 of them at every open (three axes). The month names still
    come from strftime, once per locale, so they follow the clinic's language as before.
    """
    months = _month_abbreviations(locale.setlocale(locale.LC_TIME))
    out = []
    for s in started:
        t = s.astimezone()
        out.append(f"{t.day:02d} {months[t.month - 1]}")
    return out


class SessionAxis(pg.AxisItem):
    """Bottom axis of session numbers (1 = oldest), labelled with each session's date."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.labels: list[str] = []
        # The first and last dates sit near the plot's edges; draw them rather than drop them.
        self.setStyle(hideOverlappingLabels=False)

    def set_dates(self, started: Sequence[datetime]) -> None:
        """One label per session, local date, e.g. ``02 Mar``."""
        self.set_labels(date_labels(started))

    def set_labels(self, labels: list[str]) -> None:
        """One label per session (date_labels), shared by the plots' axes."""
        self.labels = labels
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        """Whole session numbers, thinned to keep labels apart."""
        n = len(self.labels)
        if n == 0:
            return []
        room = max(1, int(size // LABEL_SPACING_PX))
        step = max(1, math.ceil(n / room))
        return [(float(step), [float(i) for i in range(1, n + 1, step)])]

    def tickStrings(self, values, scale, spacing):
        """The date of each session number."""
        out = []
        for v in values:
            i = round(v) - 1
            out.append(self.labels[i] if 0 <= i < len(self.labels) else "")
        return out


class SessionHistoryPlots(QWidget):
    """Three side-by-side plots of a patient's sessions; `set_trends` draws them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionHistoryPlots")
        self.setAccessibleName(self.tr("Sessions over time"))
        self.trends: SessionTrends | None = None
        self._tips: dict[pg.ScatterPlotItem, Callable[[int], str]] = {}  # point words, by plot

        self.legend = QLabel()
        self.legend.setObjectName("sessionPlotLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.note = styled_label("", "muted")
        self.note.setObjectName("sessionPlotNote")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(PALETTE["surface"])
        self.graphics.ci.layout.setContentsMargins(4, 4, 10, 4)
        self.graphics.ci.layout.setHorizontalSpacing(18)
        self.axes = {name: SessionAxis() for name in ("minutes", "pressure", "alarms")}
        self.minutes_plot = self.graphics.addPlot(
            row=0, col=0, axisItems={"bottom": self.axes["minutes"]}
        )
        self.pressure_plot = self.graphics.addPlot(
            row=0, col=1, axisItems={"bottom": self.axes["pressure"]}
        )
        self.alarms_plot = self.graphics.addPlot(
            row=0, col=2, axisItems={"bottom": self.axes["alarms"]}
        )
        self.graphics.ci.layout.setColumnStretchFactor(0, 2)
        self.graphics.ci.layout.setColumnStretchFactor(1, 1)
        self.graphics.ci.layout.setColumnStretchFactor(2, 1)
        style_plot(self.minutes_plot, self.tr("Restriction time (min)"))
        style_plot(self.pressure_plot, self.tr("Pressure"))
        style_plot(self.alarms_plot, self.tr("Alarms"))

        # Per limb group: a thin line through the sessions, the points, the limit as steps.
        self.lines: dict[str, pg.PlotCurveItem] = {}
        self.points: dict[str, pg.ScatterPlotItem] = {}
        self.limits: dict[str, pg.PlotDataItem] = {}
        self.pressure_lines: dict[str, pg.PlotCurveItem] = {}
        self.pressure_points: dict[str, pg.ScatterPlotItem] = {}
        for group, colour in GROUP_COLOURS.items():
            self.limits[group] = pg.PlotDataItem(
                pen=pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine), stepMode="center"
            )
            self.lines[group] = pg.PlotCurveItem(pen=pg.mkPen(colour, width=1.5), connect="finite")
            self.points[group] = self._scatter(group)
            for item in (self.limits[group], self.lines[group], self.points[group]):
                self.minutes_plot.addItem(item)
            self.pressure_lines[group] = pg.PlotCurveItem(
                pen=pg.mkPen(colour, width=1.5), connect="finite"
            )
            self.pressure_points[group] = self._scatter(group)
            self.pressure_plot.addItem(self.pressure_lines[group])
            self.pressure_plot.addItem(self.pressure_points[group])
        alarm_brush = pg.mkBrush(ALARM_COLOUR)
        self.alarm_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=alarm_brush, pen=None)
        self.alarms_plot.addItem(self.alarm_bars)
        self.alarm_counts: list[pg.TextItem] = []
        self.no_pressure = pg.TextItem(self.tr("no pressure recorded"), color=MUTED_COLOUR)
        self.no_pressure.setAnchor((0.5, 0.5))
        self.pressure_plot.addItem(self.no_pressure)

        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        head.addWidget(self.legend)
        head.addStretch(1)
        head.addWidget(self.note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.graphics, 1)
        self.setMinimumHeight(170)

    def _scatter(self, group: str) -> pg.ScatterPlotItem:
        colour = GROUP_COLOURS[group]
        item = pg.ScatterPlotItem(
            size=10 if group == "arms" else 9,
            symbol=GROUP_SYMBOLS[group],
            pen=pg.mkPen("#ffffff", width=1),
            brush=pg.mkBrush(colour),
            hoverable=True,
        )
        # Each point's data is its session's index; its words are made when it is hovered
        # (two sentences a session for every plot drawn cost a visible moment at each open).
        item.setData(tip=lambda x, y, data, item=item: self.point_tip(item, data))
        return item

    def point_tip(self, item: pg.ScatterPlotItem, index: SupportsInt) -> str:
        """The tooltip of the point of session ``index`` (0 = oldest) on one of the plots."""
        describe = self._tips.get(item)
        return "" if describe is None else describe(int(index))

    def _set_points(
        self,
        item: pg.ScatterPlotItem,
        x: np.ndarray,
        y: np.ndarray,
        keep: np.ndarray,
        describe: Callable[[int], str],
    ) -> None:
        size = symbol_size(len(keep))
        # Overlapping markers with white rims would read as a pale band: no rim when dense.
        pen = pg.mkPen("#ffffff", width=1) if size >= 10 else pg.mkPen(None)
        self._tips[item] = describe
        item.setData(x=x[keep], y=y[keep], data=np.flatnonzero(keep), size=size, pen=pen)

    # -- drawing --------------------------------------------------------------------------------

    def set_trends(self, trends: SessionTrends) -> None:
        """Draw the sessions (oldest first); an empty history draws nothing."""
        self.trends = trends
        n = len(trends)
        x = np.arange(1, n + 1, dtype=np.float64)
        labels = date_labels(trends.started_at)  # once for the three axes
        for axis in self.axes.values():
            axis.set_labels(labels)
        words = {"arms": self.tr("Arms"), "legs": self.tr("Legs")}
        top = 1.0
        for series in trends.groups:
            top = max(top, self._draw_minutes(series, x, words[series.group]))
        limit_words = {"arms": self.tr("arm limit {m:g} min ({rule})"),
                       "legs": self.tr("leg limit {m:g} min ({rule})")}  # fmt: skip
        for plot in (self.minutes_plot, self.pressure_plot, self.alarms_plot):
            plot.setXRange(0.4, n + 0.6, padding=0)
        self.minutes_plot.setYRange(0, top * 1.12, padding=0)
        self._draw_pressures(trends, x, words)
        self._draw_alarms(trends, x)
        entries = [("●", GROUP_COLOURS["arms"], words["arms"]),
                   ("■", GROUP_COLOURS["legs"], words["legs"])]  # fmt: skip
        for series in trends.groups:
            if series.limit_min:  # the latest session's limit: the one in force now
                text = limit_words[series.group].format(m=series.limit_min[-1], rule=series.rule_id)
                entries.append(("- - -", GROUP_COLOURS[series.group], text))
        self.legend.setText(legend_html(entries))

    def _draw_minutes(self, series: GroupSeries, x: np.ndarray, word: str) -> float:
        minutes = _values(series.minutes)
        limit = np.asarray(series.limit_min, dtype=np.float64)
        self.lines[series.group].setData(x, minutes)
        keep = np.isfinite(minutes)
        template = self.tr("Session {n} ({date}), {group}: {m:.1f} min of {limit:g} min")
        labels = self.axes["minutes"].labels

        def describe(i: int) -> str:
            return template.format(
                n=i + 1, date=labels[i], group=word.lower(), m=minutes[i], limit=limit[i]
            )

        self._set_points(self.points[series.group], x, minutes, keep, describe)
        edges = np.arange(0.5, len(x) + 1.0, dtype=np.float64)
        self.limits[series.group].setData(edges, limit)
        highest = [limit.max() if len(limit) else 0.0]
        if keep.any():
            highest.append(float(np.nanmax(minutes)))
        return max(highest)

    def _draw_pressures(self, trends: SessionTrends, x: np.ndarray, words: dict[str, str]) -> None:
        unit = trends.unit
        self.pressure_plot.setTitle(
            self.tr("Pressure ({unit})").format(unit=unit) if unit else self.tr("Pressure"),
            color=PALETTE["text"], size="11pt", bold=True,
        )  # fmt: skip
        top = 0.0
        for series in trends.groups:
            values = _values(series.pressure)
            keep = np.isfinite(values)
            self.pressure_lines[series.group].setData(x, values)
            self._set_points(
                self.pressure_points[series.group], x, values, keep,
                self._pressure_tip(values, words[series.group].lower(), unit),
            )  # fmt: skip
            if keep.any():
                top = max(top, float(np.nanmax(values)))
        self.no_pressure.setVisible(top == 0.0)
        self.no_pressure.setPos((len(x) + 1) / 2, 0.5)
        self.pressure_plot.setYRange(0, top * 1.15 if top else 1.0, padding=0)
        self.pressure_plot.getAxis("left").setStyle(showValues=bool(top))
        note = ""
        if trends.other_unit:
            note = self.tr("{n} sessions in another unit are not plotted.").format(
                n=trends.other_unit
            )
        self.note.setText(note)

    def _pressure_tip(
        self, values: np.ndarray, group: str, unit: str | None
    ) -> Callable[[int], str]:
        template = self.tr("Session {n} ({date}), {group}: {p:g} {unit}")
        labels = self.axes["pressure"].labels
        return lambda i: template.format(
            n=i + 1, date=labels[i], group=group, p=values[i], unit=unit
        )

    def _draw_alarms(self, trends: SessionTrends, x: np.ndarray) -> None:
        counts = np.asarray(trends.alarms, dtype=np.float64)
        self.alarm_bars.setOpts(x=x, height=counts, width=0.6)
        for item in self.alarm_counts:
            self.alarms_plot.removeItem(item)
        self.alarm_counts = []
        if len(x) <= 40:  # beyond that the numbers would touch; the bars still tell
            for xi, c in zip(x, counts, strict=True):
                if c > 0:
                    text = pg.TextItem(f"{int(c)}", color=PALETTE["text"], anchor=(0.5, 1))
                    text.setPos(xi, c)
                    self.alarms_plot.addItem(text)
                    self.alarm_counts.append(text)
        top = max(3.0, float(counts.max()) + 1 if len(counts) else 3.0)
        self.alarms_plot.setYRange(0, top * 1.1, padding=0)
        step = max(1, math.ceil(top / 4))
        self.alarms_plot.getAxis("left").setTicks(
            [[(float(v), str(v)) for v in range(0, int(top) + 1, step)]]
        )
