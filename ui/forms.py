"""Field rows for forms: a label, the field, and the reason it was refused right below it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from kaatsu_desktop.clinical import FieldError as Refusal
from ui.labels import field_label
from ui.theme import TOUCH_MIN_PX
from ui.widgets import FieldError, set_error_state


def to_qdate(day: date) -> QDate:
    """QDate of a date."""
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    """Date of a QDate."""
    return date(day.year(), day.month(), day.day())


CAPTION_WIDTH = 230  # side captions this wide keep "Fasting glucose (mg/dl)" on one line


class FieldSet:
    """Fields by key, each with its error label; shows refusals at the field they name."""

    def __init__(self, caption_width: int = CAPTION_WIDTH) -> None:
        self.caption_width = caption_width
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}

    def add(
        self,
        form: QFormLayout,
        key: str,
        widget: QWidget,
        label: str | None = None,
        *,
        stacked: bool = False,
    ) -> None:
        """Add a row: label, field, and the (hidden) error label under the field.

        ``stacked`` puts the label on its own line above the field (long labels, wide fields).
        """
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(widget)
        error = FieldError()
        error.setObjectName(f"{key}Error")
        column.addWidget(error)
        text = label or field_label(key)
        caption = QLabel(text)
        caption.setBuddy(widget)
        caption.setWordWrap(True)
        if not widget.accessibleName():
            widget.setAccessibleName(text)
        widget.setObjectName(widget.objectName() or key)
        if stacked:
            form.addRow(caption)
            form.addRow(box)
        else:
            # As tall as a touch-sized field, text centred: the caption lines up with the field.
            caption.setMinimumWidth(self.caption_width)
            caption.setMinimumHeight(TOUCH_MIN_PX)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            form.addRow(caption, box)
        self.fields[key] = widget
        self.errors[key] = error

    def clear(self) -> None:
        """Hide every reason and every highlight."""
        for key in self.fields:
            self.show(key, None)

    def show(self, key: str, reason: str | None) -> None:
        """Show (or with None hide) the reason at the field ``key``."""
        self.errors[key].show_reason(reason)
        set_error_state(self.fields[key], reason is not None)
        self.fields[key].setAccessibleDescription(reason or "")

    def show_all(self, refusals: Iterable[Refusal]) -> list[Refusal]:
        """Show every refusal at its field; return those naming no field of this set."""
        reasons: dict[str, list[str]] = {}
        other: list[Refusal] = []
        for refusal in refusals:
            if refusal.key in self.fields:
                reasons.setdefault(refusal.key, []).append(refusal.reason)
            else:
                other.append(refusal)
        for key in self.fields:
            self.show(key, "; ".join(reasons[key]) if key in reasons else None)
        first = next((k for k in self.fields if k in reasons), None)
        if first is not None:
            self.fields[first].setFocus()
        return other

    def show_refusal(self, refusals: Iterable[Refusal], general: FieldError) -> None:
        """Show refusals at their fields; those naming no field go to ``general``."""
        other = self.show_all(refusals)
        general.show_reason("; ".join(f"{field_label(e.key)}: {e.reason}" for e in other) or None)

    def shown(self, key: str) -> str | None:
        """The reason shown at ``key``, None when none is."""
        error = self.errors[key]
        return error.text() if not error.isHidden() else None
