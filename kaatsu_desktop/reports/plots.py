"""Pressure traces drawn with QPainter from the stored samples: phases shaded, peaks kept."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from devices.protocol.types import Phase
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.reports.canvas import INK, LEFT, MUTED, RIGHT, RULE, Canvas
from kaatsu_desktop.reports.model import ChannelData, ReportData, TimelineEntry
from kaatsu_desktop.reports.traces import column_envelope, phase_spans

_CTX = "Reports"

PHASE_FILL: dict[int, QColor] = {
    int(Phase.INFLATING): QColor("#fde7c8"),
    int(Phase.HOLDING): QColor("#d6e6f5"),
    int(Phase.DEFLATING): QColor("#e6e6e6"),
}
PRESSURE_PEN = QColor("#0b3d91")
TARGET_PEN = QColor("#6b6b6b")
MARKERS: dict[str, QColor] = {
    "release": QColor("#c62828"),
    "alarm": QColor("#e08a00"),
    "warning": QColor("#e08a00"),
    "skin": QColor("#7b1fa2"),
}


def nice_step(span: float, target_ticks: int) -> float:
    """A 1-2-5 step that cuts ``span`` into about ``target_ticks`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / max(target_ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def time_label(ms: float) -> str:
    """mm:ss from the start of the session."""
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def _polyline(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    return QPolygonF([QPointF(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)])


def draw_legend(canvas: Canvas, unit: str) -> None:
    """One line that names the colours of the traces."""
    font = canvas.font(7.5)
    items = [
        (PHASE_FILL[int(Phase.INFLATING)], translate(_CTX, "inflating"), "fill"),
        (PHASE_FILL[int(Phase.HOLDING)], translate(_CTX, "holding"), "fill"),
        (PHASE_FILL[int(Phase.DEFLATING)], translate(_CTX, "deflating"), "fill"),
        (PRESSURE_PEN, translate(_CTX, "pressure ({unit})").format(unit=unit), "line"),
        (TARGET_PEN, translate(_CTX, "target"), "dash"),
        (MARKERS["release"], translate(_CTX, "release"), "mark"),
        (MARKERS["alarm"], translate(_CTX, "alarm or warning"), "mark"),
        (MARKERS["skin"], translate(_CTX, "skin observation"), "mark"),
    ]
    height = canvas.measure("X", font, canvas.width)
    canvas.ensure(height)
    x, y, swatch = 0.0, canvas.y, canvas.mm(4)
    p = canvas.painter
    for color, label, style in items:
        width = canvas.text_width(label, font)
        if x > 0 and x + swatch + canvas.mm(1) + width > canvas.width:
            x, y = 0.0, y + height + canvas.mm(0.5)  # wrap: a translation may be longer
        if p is not None:
            mid = y + height / 2
            if style == "fill":
                p.fillRect(QRectF(x, y + height * 0.2, swatch, height * 0.6), color)
            elif style == "mark":
                p.setPen(_pen(color, canvas.mm(0.4)))
                p.drawLine(QPointF(x + swatch / 2, y), QPointF(x + swatch / 2, y + height))
            else:
                dash = Qt.PenStyle.DashLine if style == "dash" else Qt.PenStyle.SolidLine
                p.setPen(_pen(color, canvas.mm(0.4), dash))
                p.drawLine(QPointF(x, mid), QPointF(x + swatch, mid))
        x += swatch + canvas.mm(1)
        canvas.draw_text(QRectF(x, y, width + 2, height), label, font, color=MUTED, flags=LEFT)
        x += width + canvas.mm(3)
    canvas.y = y + height + canvas.mm(1.5)


def draw_channel(
    canvas: Canvas,
    rect: QRectF,
    channel: ChannelData,
    end_ms: int,
    unit: str,
    markers: Sequence[TimelineEntry],
    *,
    time_axis: bool,
) -> None:
    """One channel's plot in ``rect``: shading, grid, target, pressure, markers and axes."""
    p = canvas.painter
    if p is None:
        return
    small = canvas.font(7.0)
    axis_w = canvas.mm(12)
    label_h = canvas.measure("0", small, axis_w)
    title = f"{channel.label} ({unit})"
    title_h = canvas.measure(title, canvas.font(8.5, bold=True), rect.width())
    head = title_h + label_h / 2 + canvas.mm(0.5)  # the top value label must clear the title
    plot = QRectF(
        rect.left() + axis_w,
        rect.top() + head,
        rect.width() - axis_w,
        rect.height() - head - (label_h + canvas.mm(1.5)),
    )
    canvas.draw_text(
        QRectF(rect.left(), rect.top(), rect.width(), title_h),
        title,
        canvas.font(8.5, bold=True),
        flags=LEFT,
    )
    t_end = float(max(end_ms, 1))
    pressure = channel.pressure_x10 / 10.0
    target = channel.target_x10 / 10.0
    top_value = max(float(pressure.max(initial=0.0)), float(target.max(initial=0.0)), 10.0)
    step = nice_step(top_value * 1.08, 4)
    y_max = step * math.ceil(top_value * 1.08 / step)
    # A sensor offset of a few tenths below zero stays on the axis; a real dip gets room.
    lowest = float(pressure.min(initial=0.0))
    y_min = step * math.floor(lowest / step) if lowest < -0.05 * y_max else 0.0

    def x_of(ms: float) -> float:
        return plot.left() + plot.width() * ms / t_end

    def y_of(value: np.ndarray | float) -> np.ndarray | float:
        return plot.bottom() - plot.height() * (value - y_min) / (y_max - y_min)

    p.save()
    p.setClipRect(plot)
    for span in phase_spans(channel.t_ms, channel.phase):
        color = PHASE_FILL.get(span.phase)
        if color is not None:
            left, right = x_of(span.start_ms), x_of(span.end_ms)
            p.fillRect(QRectF(left, plot.top(), max(right - left, 0.5), plot.height()), color)
    p.restore()
    # Grid and value axis.
    p.setPen(_pen(RULE, canvas.mm(0.1)))
    value = y_min
    while value <= y_max + 1e-9:
        y = float(y_of(value))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        # The lowest label sits on its line, clear of the time labels under the plot.
        top = y - label_h if value == y_min else y - label_h / 2
        canvas.draw_text(
            QRectF(rect.left(), top, axis_w - canvas.mm(1.5), label_h),
            f"{value:g}",
            small,
            color=MUTED,
            flags=RIGHT,
        )
        value += step
    t_step = nice_step(t_end / 60000.0, 8) * 60000.0
    p.setPen(_pen(RULE, canvas.mm(0.1), Qt.PenStyle.DotLine))
    tick = t_step
    while tick < t_end:
        p.drawLine(QPointF(x_of(tick), plot.top()), QPointF(x_of(tick), plot.bottom()))
        tick += t_step
    # Traces: one polyline point set per column (first, min, max, last).
    columns = max(int(plot.width()), 1)
    p.save()
    p.setClipRect(plot.adjusted(0, -canvas.mm(0.5), 0, canvas.mm(0.5)))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for values, pen in (
        (target, _pen(TARGET_PEN, canvas.mm(0.25), Qt.PenStyle.DashLine)),
        (pressure, _pen(PRESSURE_PEN, canvas.mm(0.25))),
    ):
        env = column_envelope(channel.t_ms, values, 0.0, t_end, columns)
        if len(env):
            cols, vals = env.polyline()
            xs = plot.left() + (cols + 0.5) * plot.width() / columns
            p.setPen(pen)
            p.drawPolyline(_polyline(xs, np.asarray(y_of(vals))))
    for entry in markers:
        color = MARKERS.get(entry.category)
        if color is not None:
            p.setPen(_pen(color, canvas.mm(0.3)))
            x = x_of(entry.t_ms)
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
    p.restore()
    p.setPen(_pen(INK, canvas.mm(0.2)))
    p.drawRect(plot)
    if time_axis:
        tick = 0.0
        while tick <= t_end + 1e-9:
            x = x_of(tick)
            width = canvas.mm(12)
            canvas.draw_text(
                QRectF(x - width / 2, plot.bottom() + canvas.mm(1), width, label_h),
                time_label(tick),
                small,
                color=MUTED,
                flags=int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            )
            tick += t_step


def draw_traces(canvas: Canvas, data: ReportData) -> None:
    """The traces section: every channel stacked on one page, sharing the time axis."""
    if not data.channels:
        canvas.paragraph(translate(_CTX, "No pressure samples were recorded."), color=MUTED)
        return
    draw_legend(canvas, data.unit)
    markers = [e for e in data.timeline if e.category in MARKERS]
    note = translate(
        _CTX,
        "Time in minutes:seconds from the start of the session. Each plot column shows the"
        " lowest and highest sample in it, so no peak is lost. Pressures in {unit}, as the"
        " device reported them.",
    ).format(unit=data.unit)
    note_h = canvas.measure(note, canvas.font(7.5), canvas.width) + canvas.mm(2)
    available = canvas.bottom - canvas.y - note_h
    per = max(min(available / len(data.channels), canvas.mm(70)), canvas.mm(38))
    for channel in data.channels:
        canvas.ensure(per)
        rect = QRectF(0, canvas.y, canvas.width, per - canvas.mm(2))
        draw_channel(canvas, rect, channel, data.end_ms, data.unit, markers, time_axis=True)
        canvas.y += per
    canvas.paragraph(note, 7.5, color=MUTED)
