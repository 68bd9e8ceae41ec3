"""Drawing a ReportData on any paged paint device (QPdfWriter for files, a printer for paper).

QtGui's own PDF writer: text stays text (searchable, copyable, extractable by QtPdf), the traces
are vector paths, fonts are embedded, and no other library is needed; the UI can hand the same
function a QPrinter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPagedPaintDevice, QPageLayout, QPageSize, QPainter, QPdfWriter

from kaatsu_desktop.reports.canvas import ACCENT, DEMO_RED, LEFT, MUTED, RIGHT, Canvas
from kaatsu_desktop.reports.model import ReportData
from kaatsu_desktop.reports.sections import layout, stamp, tr

PDF_RESOLUTION = 300  # dots per inch of the writer's coordinate system


# -- page furniture -----------------------------------------------------------------------------


def _decorator(data: ReportData, pages: list[int]) -> Callable[[Canvas], tuple[float, float]]:
    """Header, footer and (demo) watermark of every page; returns the content band."""

    def decorate(canvas: Canvas) -> tuple[float, float]:
        w, h = canvas.width, canvas.height
        title = canvas.font(14, bold=True)
        small = canvas.font(7.5)
        title_h = canvas.measure(data.clinic, title, w * 0.6)
        canvas.draw_text(QRectF(0, 0, w * 0.62, title_h), data.clinic, title, color=ACCENT)
        sub = tr("Session report · session {n}").format(n=data.session_id)
        sub_h = canvas.measure(sub, canvas.font(9), w * 0.6)
        canvas.draw_text(QRectF(0, title_h, w * 0.62, sub_h), sub, canvas.font(9), color=MUTED)
        if data.demo:
            demo_font = canvas.font(16, bold=True)
            text = tr("DEMO")
            box_w = canvas.text_width(text, demo_font) + canvas.mm(6)
            box = QRectF(w - box_w, 0, box_w, title_h + sub_h * 0.6)
            if canvas.painter is not None:
                canvas.painter.setPen(DEMO_RED)
                canvas.painter.drawRect(box)
            canvas.draw_text(
                box, text, demo_font, color=DEMO_RED, flags=int(Qt.AlignmentFlag.AlignCenter)
            )
        else:
            when = stamp(data.started_at)
            canvas.draw_text(
                QRectF(w * 0.62, 0, w * 0.38, title_h), when, canvas.font(10), flags=RIGHT
            )
        top = title_h + sub_h + canvas.mm(1.5)
        canvas.line(0, top, w, top, ACCENT)
        foot_h = canvas.measure("X", small, w)
        foot_y = h - foot_h
        canvas.line(0, foot_y - canvas.mm(1.2), w, foot_y - canvas.mm(1.2))
        who = data.patient.name if data.patient else tr("no patient")
        left = tr("Session {n} · {who} · printed {when}").format(
            n=data.session_id, who=who, when=stamp(data.generated_at)
        )
        if data.demo:
            left = tr("DEMO: simulated session, not a clinical record") + " · " + left
        canvas.draw_text(QRectF(0, foot_y, w * 0.8, foot_h), left, small, color=MUTED, flags=LEFT)
        page = tr("Page {i} of {n}").format(i=canvas.page + 1, n=pages[0] or "?")
        canvas.draw_text(
            QRectF(w * 0.8, foot_y, w * 0.2, foot_h), page, small, color=MUTED, flags=RIGHT
        )
        return top + canvas.mm(3), foot_y - canvas.mm(3)

    return decorate


def _watermark(canvas: Canvas) -> None:
    """A large diagonal DEMO over the page; light enough to read everything through it."""
    p = canvas.painter
    if p is None:
        return
    p.save()
    p.translate(QPointF(canvas.width / 2, canvas.height / 2))
    p.rotate(-35)
    font = canvas.font(110, bold=True)
    p.setFont(font)
    color = QColor(DEMO_RED)
    color.setAlpha(30)
    p.setPen(color)
    size = canvas.mm(200)
    p.drawText(
        QRectF(-size / 2, -size / 4, size, size / 2), int(Qt.AlignmentFlag.AlignCenter), tr("DEMO")
    )
    p.restore()


def render_report(data: ReportData, device: QPagedPaintDevice) -> int:
    """Draw the report on ``device`` (a QPdfWriter or a QPrinter); returns the page count."""
    pages = [0]
    finish = _watermark if data.demo else None
    counting = Canvas(device, None, _decorator(data, pages), finish)
    layout(counting, data)
    pages[0] = counting.page + 1
    painter = QPainter()
    if not painter.begin(device):
        raise OSError(tr("Cannot start drawing the report."))
    try:
        layout(Canvas(device, painter, _decorator(data, pages), finish), data)
    finally:
        painter.end()
    return pages[0]


def pdf_writer(path: Path, data: ReportData) -> QPdfWriter:
    """An A4 PDF writer at PDF_RESOLUTION with 15 mm side margins."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 12, 15, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(tr("KAATSU session report {n}").format(n=data.session_id))
    writer.setCreator("KAATSU Desktop")
    return writer


def write_report_pdf(data: ReportData, path: Path) -> int:
    """Write the report as a PDF file at ``path``; returns the page count."""
    writer = pdf_writer(Path(path), data)
    pages = render_report(data, writer)
    del writer  # the file is complete once the writer is gone
    return pages


__all__ = ["PDF_RESOLUTION", "pdf_writer", "render_report", "write_report_pdf"]
