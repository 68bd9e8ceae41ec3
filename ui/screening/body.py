"""A simple front-view body diagram with four band sites that can be marked as wounded."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.labels import item_label
from ui.theme import PALETTE, VERDICT_SWATCHES

# Front view: the patient's right side is on the viewer's left.
SITES: tuple[str, ...] = ("right_arm", "left_arm", "right_leg", "left_leg")
_W, _H = 340.0, 420.0  # design size; the drawing scales to the widget


_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom


def _captions() -> dict[str, tuple[QRectF, Qt.AlignmentFlag]]:
    # Arm captions above the arm, leg captions beside the foot, each on the outer side.
    return {
        "right_arm": (QRectF(0, 60, 150, 48), _LEFT),
        "left_arm": (QRectF(190, 60, 150, 48), _RIGHT),
        "right_leg": (QRectF(0, 364, 112, 48), _RIGHT),
        "left_leg": (QRectF(228, 364, 112, 48), _LEFT),
    }


def _site_rects() -> dict[str, QRectF]:
    return {
        "right_arm": QRectF(58, 112, 44, 150),
        "left_arm": QRectF(238, 112, 44, 150),
        "right_leg": QRectF(118, 262, 46, 150),
        "left_leg": QRectF(176, 262, 46, 150),
    }


class BodyDiagram(QWidget):
    """Click (or Space on the focused site) to mark a wound under a band site (S-LIMB-1)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marked: set[str] = set()
        self._focus = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(QSize(340, 430))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self.tr("Wound sites"))
        self.setToolTip(
            self.tr(
                "Click a limb, or use the arrow keys and Space, to mark a wound under its band."
            )
        )
        self._describe()

    def sizeHint(self) -> QSize:
        return QSize(360, 430)

    # -- state -----------------------------------------------------------------------------------

    def sites(self) -> frozenset[str]:
        """The sites marked as wounded."""
        return frozenset(self._marked)

    def set_sites(self, sites: Iterable[str]) -> None:
        """Mark exactly these sites."""
        wanted = set(sites)
        unknown = wanted - set(SITES)
        if unknown:
            raise ValueError(f"unknown sites {sorted(unknown)}")
        if wanted != self._marked:
            self._marked = wanted
            self._after_change()

    def toggle(self, site: str) -> None:
        """Mark or unmark one site."""
        if site not in SITES:
            raise ValueError(f"unknown site {site!r}")
        self._marked ^= {site}
        self._after_change()

    def site_centre(self, site: str) -> QPointF:
        """Where ``site`` is drawn, in widget coordinates (for clicks in tests)."""
        return self._to_widget().map(_site_rects()[site].center())

    def _after_change(self) -> None:
        self._describe()
        self.update()
        self.changed.emit()

    def _describe(self) -> None:
        marked = [item_label(s) for s in SITES if s in self._marked]
        self.setAccessibleDescription(
            self.tr("Wounds marked: {sites}").format(sites=", ".join(marked))
            if marked
            else self.tr("No wound marked")
        )

    # -- geometry --------------------------------------------------------------------------------

    def _to_widget(self) -> QTransform:
        scale = min(self.width() / _W, self.height() / _H)
        dx = (self.width() - _W * scale) / 2
        dy = (self.height() - _H * scale) / 2
        return QTransform(scale, 0, 0, scale, dx, dy)

    def _site_at(self, point: QPointF) -> str | None:
        inverse, ok = self._to_widget().inverted()
        if not ok:
            return None
        local = inverse.map(point)
        for site, rect in _site_rects().items():
            if rect.adjusted(-8, -8, 8, 8).contains(local):
                return site
        return None

    # -- input -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        site = self._site_at(event.position())
        if site is None:
            super().mousePressEvent(event)
            return
        self._focus = SITES.index(site)
        self.toggle(site)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.toggle(SITES[self._focus])
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self._focus = (self._focus + 1) % len(SITES)
            self.update()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._focus = (self._focus - 1) % len(SITES)
            self.update()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    # -- drawing ---------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(self._to_widget())
        skin, outline = QColor("#d9dee4"), QColor(PALETTE["muted"])
        painter.setPen(QPen(outline, 2))
        painter.setBrush(skin)
        painter.drawEllipse(QRectF(140, 20, 60, 70))  # head
        torso = QPainterPath()
        torso.addRoundedRect(QRectF(108, 100, 124, 170), 18, 18)
        painter.drawPath(torso)
        wound = QColor(VERDICT_SWATCHES["contraindicated"].background)
        font = painter.font()
        font.setPointSizeF(12)
        font.setBold(True)
        painter.setFont(font)
        for site, rect in _site_rects().items():
            marked = site in self._marked
            painter.setPen(QPen(outline, 2))
            painter.setBrush(QBrush(wound if marked else skin))
            painter.drawRoundedRect(rect, 16, 16)
            if marked:
                # A pattern as well as the colour, so the mark does not rest on colour alone.
                painter.setBrush(QBrush(QColor("#ffffff"), Qt.BrushStyle.BDiagPattern))
                painter.drawRoundedRect(rect, 16, 16)
            if self.hasFocus() and SITES.index(site) == self._focus:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor(PALETTE["accent"]), 4, Qt.PenStyle.DashLine))
                painter.drawRoundedRect(rect.adjusted(-6, -6, 6, 6), 20, 20)
        # Side captions: the patient's right is on the viewer's left.
        painter.setPen(QColor(PALETTE["text"]))
        for site, (box, align) in _captions().items():
            words = item_label(site)
            if site in self._marked:
                words += "\n" + self.tr("WOUND")
            painter.drawText(box, int(align), words)
        painter.end()
