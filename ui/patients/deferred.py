"""A plot built at its first show and redrawn only while shown (issue 8).

The patient page holds three history plots; the window builds the page at start-up and redraws it
for every patient opened. A plot off screen (a tab not chosen, the page not open yet) costs
nothing here: it is built and drawn when it comes into view, with the latest data only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class DeferredPlot(QWidget):
    """Holds the widget ``build()`` makes, made and drawn when first needed."""

    def __init__(self, build: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self._widget: Any = None
        self._pending: Callable[[Any], None] | None = None
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        """True once the widget exists."""
        return self._widget is not None

    @property
    def stale(self) -> bool:
        """True while a drawing waits for the next show."""
        return self._pending is not None

    def build(self) -> None:
        """Build the widget now, without drawing (ahead of its first show)."""
        if self._widget is None:
            self._widget = self._build()
            self._box.addWidget(self._widget)

    @property
    def widget(self) -> Any:
        """The widget, built now if it was not, drawn with the latest data."""
        self.build()
        if self._pending is not None:
            draw, self._pending = self._pending, None
            draw(self._widget)
        return self._widget

    def draw(self, draw: Callable[[Any], None]) -> None:
        """Run ``draw(widget)`` now when on screen, else at the next show (the latest only)."""
        self._pending = draw
        if self.isVisible():
            _ = self.widget

    def showEvent(self, event: QShowEvent) -> None:
        """Build or redraw on coming into view."""
        super().showEvent(event)
        if self._widget is None or self._pending is not None:
            _ = self.widget
