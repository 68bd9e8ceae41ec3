"""Small shared widgets: verdict chips, field errors, exclusive choice buttons, headings."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from ui.theme import TOUCH_MIN_PX, restyle, verdict_key, verdict_short, verdict_words


def styled_label(text: str = "", role: str | None = None, *, wrap: bool = False) -> QLabel:
    """A label with a style role (title, subtitle, muted, sectionHeading, fieldError)."""
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    label.setWordWrap(wrap)
    return label


def primary_button(text: str, object_name: str, accessible: str | None = None) -> QPushButton:
    """A prominent action button with an object name and an accessible name."""
    button = QPushButton(text)
    button.setProperty("primary", True)
    button.setObjectName(object_name)
    button.setAccessibleName(accessible or text.replace("&", ""))
    button.setMinimumHeight(TOUCH_MIN_PX)
    return button


def set_error_state(widget: QWidget, error: bool) -> None:
    """Highlight (or clear) a field refused by validation."""
    if bool(widget.property("error")) != error:
        widget.setProperty("error", error)
        restyle(widget)


class FieldError(QLabel):
    """The reason a field was refused, in words, shown beside the field; hidden when none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "fieldError")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_reason(self, reason: str | None) -> None:
        """Show ``reason`` (None or empty hides the label)."""
        self.setText(reason or "")
        self.setVisible(bool(reason))


class VerdictChip(QLabel):
    """A verdict in colour and in words; never colour alone."""

    def __init__(self, label: str | None = None, *, long: bool = False) -> None:
        super().__init__()
        self._long = long
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.set_verdict(label)

    def set_verdict(self, label: str | None) -> None:
        """Show a verdict label (``clear`` ... ``contraindicated``; None: not assessed)."""
        key = verdict_key(label)
        words = verdict_words(key) if self._long else verdict_short(key)
        self.setText(words)
        self.setAccessibleName(self.tr("Verdict: {words}").format(words=verdict_words(key)))
        if self.property("verdict") != key:
            self.setProperty("verdict", key)
            restyle(self)

    @property
    def verdict(self) -> str:
        """The verdict key shown."""
        return str(self.property("verdict"))


class ChoiceButtons(QWidget):
    """A row of exclusive, touch-sized buttons; ``value()`` is None until one is chosen."""

    changed = Signal()

    def __init__(
        self,
        options: Sequence[tuple[str | None, str]],
        *,
        accessible: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._values: dict[int, str | None] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for i, (value, text) in enumerate(options):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setProperty("choice", True)
            button.setMinimumHeight(TOUCH_MIN_PX)
            button.setAccessibleName(f"{accessible}: {text}")
            self._group.addButton(button, i)
            self._values[i] = value
            layout.addWidget(button)
        layout.addStretch(1)
        self._group.idToggled.connect(self._toggled)

    def _toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def buttons(self) -> list[QPushButton]:
        """The option buttons in order."""
        return sorted(self._group.buttons(), key=self._group.id)

    def value(self) -> str | None:
        """The chosen option's value; None when nothing (or a None option) is chosen."""
        checked = self._group.checkedId()
        return self._values.get(checked) if checked >= 0 else None

    def is_chosen(self) -> bool:
        """True once any option (a None option too) is chosen."""
        return self._group.checkedId() >= 0

    def clear(self) -> None:
        """Choose nothing (unanswered)."""
        # An exclusive group cannot uncheck its checked button; lift exclusivity for a moment.
        self._group.setExclusive(False)
        for button in self._group.buttons():
            button.setChecked(False)
        self._group.setExclusive(True)

    def set_value(self, value: str | None) -> None:
        """Choose the option with ``value``."""
        for i, v in self._values.items():
            if v == value:
                self._group.button(i).setChecked(True)
                return
        raise ValueError(f"no option {value!r}")
