"""A flowing page canvas over QPainter: text, key-value grids and tables that break across pages.

Every layout runs twice: once without a painter to count the pages ("page 2 of 3" needs the
total), then for real. Measurements use the paint device's own font metrics in both runs, so the
two runs break pages at the same places.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPagedPaintDevice,
    QPainter,
    QPen,
)

INK = QColor("#1a1a1a")
MUTED = QColor("#555555")
RULE = QColor("#9a9a9a")
ACCENT = QColor("#1f4e79")
HEADER_FILL = QColor("#e8edf3")
STRIPE = QColor("#f6f7f9")
DEMO_RED = QColor("#c62828")

WRAP = int(Qt.TextFlag.TextWordWrap)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: header, share of the width, right-aligned or not."""

    header: str
    share: float
    right: bool = False


class Canvas:
    """Draws top to bottom inside the device's page rect; starts new pages as needed."""

    def __init__(
        self,
        device: QPagedPaintDevice,
        painter: QPainter | None,
        decorate: Callable[[Canvas], tuple[float, float]],
        finish: Callable[[Canvas], None] | None = None,
    ) -> None:
        self.device = device
        self.painter = painter
        self.dpi = float(device.logicalDpiY())
        self.width = float(device.width())
        self.height = float(device.height())
        self._decorate = decorate
        self._finish = finish
        self.page = 0  # 0-based index of the current page
        self.top = 0.0
        self.bottom = self.height
        self.y = 0.0
        self.family = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
        self._start_page()

    # -- units and fonts ---------------------------------------------------------------------------

    def mm(self, value: float) -> float:
        """Millimetres in device units."""
        return value * self.dpi / 25.4

    def font(self, size_pt: float, *, bold: bool = False) -> QFont:
        """The report's font at a point size (points follow the device's resolution)."""
        font = QFont(self.family)
        font.setPointSizeF(size_pt)
        font.setBold(bold)
        return font

    def measure(self, text: str, font: QFont, width: float) -> float:
        """Height of ``text`` wrapped to ``width``."""
        metrics = QFontMetricsF(font, self.device)
        if not text:
            return metrics.height()
        rect = metrics.boundingRect(QRectF(0, 0, width, 1e7), LEFT | WRAP, text)
        return max(rect.height(), metrics.height())

    def text_width(self, text: str, font: QFont) -> float:
        """Width of one line of ``text``."""
        return QFontMetricsF(font, self.device).horizontalAdvance(text)

    # -- pages -------------------------------------------------------------------------------------

    def _start_page(self) -> None:
        self.top, self.bottom = self._decorate(self)
        self.y = self.top

    def finish_page(self) -> None:
        """Draw what goes over the finished page's content (the demo watermark)."""
        if self._finish is not None:
            self._finish(self)

    def new_page(self) -> None:
        """Finish this page and start the next one (header and footer)."""
        self.finish_page()
        if self.painter is not None:
            self.device.newPage()
        self.page += 1
        self._start_page()

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the cursor."""
        if self.y + height > self.bottom and self.y > self.top:
            self.new_page()

    def space(self, mm: float) -> None:
        """Vertical space."""
        self.y += self.mm(mm)

    # -- drawing -----------------------------------------------------------------------------------

    def draw_text(
        self,
        rect: QRectF,
        text: str,
        font: QFont,
        *,
        color: QColor = INK,
        flags: int = LEFT | WRAP,
    ) -> None:
        """Text in a rectangle (nothing in the counting run)."""
        if self.painter is None:
            return
        self.painter.setFont(font)
        self.painter.setPen(color)
        self.painter.drawText(rect, flags, text)

    def fill(self, rect: QRectF, color: QColor) -> None:
        """A filled rectangle without outline."""
        if self.painter is not None:
            self.painter.fillRect(rect, QBrush(color))

    def line(self, x1: float, y1: float, x2: float, y2: float, color: QColor = RULE) -> None:
        """A thin line."""
        if self.painter is not None:
            self.painter.setPen(QPen(color, self.mm(0.2)))
            self.painter.drawLine(QPointF(x1, y1), QPointF(x2, y2))

    def paragraph(
        self, text: str, size_pt: float = 9.0, *, bold: bool = False, color: QColor = INK
    ) -> None:
        """Wrapped text across the page width."""
        font = self.font(size_pt, bold=bold)
        height = self.measure(text, font, self.width)
        self.ensure(height)
        self.draw_text(QRectF(0, self.y, self.width, height), text, font, color=color)
        self.y += height

    def heading(self, text: str) -> None:
        """A section heading with a rule under it; kept with at least a few lines of content."""
        font = self.font(11.0, bold=True)
        height = self.measure(text, font, self.width)
        self.ensure(height + self.mm(22))
        self.y += self.mm(3)
        self.draw_text(QRectF(0, self.y, self.width, height), text, font, color=ACCENT)
        self.y += height + self.mm(0.8)
        self.line(0, self.y, self.width, self.y, ACCENT)
        self.y += self.mm(1.5)

    def pairs(
        self, items: Sequence[tuple[str, str]], columns: int = 2, size_pt: float = 9.0
    ) -> None:
        """Label-value pairs in ``columns`` columns, row by row."""
        label_font = self.font(size_pt, bold=True)
        value_font = self.font(size_pt)
        gap = self.mm(4)
        col_w = (self.width - gap * (columns - 1)) / columns
        label_w = max((self.text_width(k, label_font) for k, _ in items), default=0) + self.mm(2)
        label_w = min(label_w, col_w * 0.45)
        for start in range(0, len(items), columns):
            row = items[start : start + columns]
            height = max(
                max(
                    self.measure(k, label_font, label_w),
                    self.measure(v, value_font, col_w - label_w),
                )
                for k, v in row
            ) + self.mm(0.8)
            self.ensure(height)
            for i, (key, value) in enumerate(row):
                x = i * (col_w + gap)
                self.draw_text(QRectF(x, self.y, label_w, height), key, label_font, color=MUTED)
                self.draw_text(
                    QRectF(x + label_w, self.y, col_w - label_w, height), value, value_font
                )
            self.y += height

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        *,
        size_pt: float = 8.5,
        row_colors: Sequence[QColor | None] | None = None,
    ) -> None:
        """A table with a header row repeated on every page it spans; cells wrap."""
        pad = self.mm(1.0)
        total = sum(c.share for c in columns)
        widths = [self.width * c.share / total for c in columns]
        header_font = self.font(size_pt, bold=True)
        body_font = self.font(size_pt)

        def row_height(cells: Sequence[str], font: QFont) -> float:
            return (
                max(
                    self.measure(text, font, w - 2 * pad)
                    for text, w in zip(cells, widths, strict=True)
                )
                + 2 * pad
            )

        def draw_row(cells: Sequence[str], font: QFont, height: float, fill: QColor | None) -> None:
            if fill is not None:
                self.fill(QRectF(0, self.y, self.width, height), fill)
            x = 0.0
            for text, w, col in zip(cells, widths, columns, strict=True):
                flags = (RIGHT if col.right else LEFT) | WRAP
                rect = QRectF(x + pad, self.y + pad, w - 2 * pad, height - 2 * pad)
                self.draw_text(rect, text, font, flags=flags)
                x += w
            self.y += height

        headers = [c.header for c in columns]
        header_h = row_height(headers, header_font)
        first_h = row_height(rows[0], body_font) if rows else 0.0
        self.ensure(header_h + first_h)
        draw_row(headers, header_font, header_h, HEADER_FILL)
        for i, cells in enumerate(rows):
            height = row_height(cells, body_font)
            if self.y + height > self.bottom:
                self.new_page()
                draw_row(headers, header_font, header_h, HEADER_FILL)
            fill = row_colors[i] if row_colors is not None else None
            draw_row(
                cells, body_font, height, fill if fill is not None else (STRIPE if i % 2 else None)
            )
        self.line(0, self.y, self.width, self.y)
        self.y += self.mm(1)
