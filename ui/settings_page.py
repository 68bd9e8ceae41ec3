"""Clinic settings: each within its bounds, refused at the field, stored in the database."""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.clinical import ClinicSettings
from kaatsu_desktop.clinical.settings import BOUNDS
from kaatsu_desktop.services import FormError, SettingsService
from kaatsu_desktop.services.settings import CLINIC_NAME_MAX
from ui.forms import FieldSet
from ui.theme import TOUCH_MIN_PX
from ui.widgets import FieldError, primary_button, styled_label

log = logging.getLogger(__name__)

# key -> (label with its rule id, unit)
_ROWS: dict[str, tuple[str, str]] = {
    "thrombosis_review_threshold": (
        QT_TRANSLATE_NOOP("SettingsPage", "Thrombosis points that ask for clearance (S-DVT-2)"),
        QT_TRANSLATE_NOOP("SettingsPage", "points"),
    ),
    "screening_validity_days": (
        QT_TRANSLATE_NOOP("SettingsPage", "A screening stays valid for (P-SCR-1)"),
        QT_TRANSLATE_NOOP("SettingsPage", "days"),
    ),
    "arm_warning_min": (
        QT_TRANSLATE_NOOP("SettingsPage", "Arms: warning after (T-TIME-1)"),
        QT_TRANSLATE_NOOP("SettingsPage", "min"),
    ),
    "arm_limit_min": (
        QT_TRANSLATE_NOOP("SettingsPage", "Arms: automatic release at (T-TIME-1, at most 15)"),
        QT_TRANSLATE_NOOP("SettingsPage", "min"),
    ),
    "leg_warning_min": (
        QT_TRANSLATE_NOOP("SettingsPage", "Legs: warning after (T-TIME-2)"),
        QT_TRANSLATE_NOOP("SettingsPage", "min"),
    ),
    "leg_limit_min": (
        QT_TRANSLATE_NOOP("SettingsPage", "Legs: automatic release at (T-TIME-2, at most 20)"),
        QT_TRANSLATE_NOOP("SettingsPage", "min"),
    ),
    "residual_pressure_threshold": (
        QT_TRANSLATE_NOOP("SettingsPage", "A band reading below this counts as off (T-ORD-2)"),
        QT_TRANSLATE_NOOP("SettingsPage", "mmHg"),
    ),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("SettingsPage", text)


class SettingsPage(QFrame):
    """Edit ClinicSettings; Save stores them, Revert shows the stored ones again."""

    def __init__(self, settings: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.spins: dict[str, QSpinBox] = {}
        self.fieldset = FieldSet(caption_width=480)
        card = QFrame()
        card.setProperty("role", "card")
        card.setMaximumWidth(900)
        form = QFormLayout(card)
        form.setContentsMargins(20, 16, 20, 16)
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        for key, (label, unit) in _ROWS.items():
            low, high = BOUNDS[key]
            spin = QSpinBox()
            spin.setRange(low, high)
            spin.setSuffix(" " + _tr(unit))
            spin.setMinimumHeight(TOUCH_MIN_PX)
            spin.setMinimumWidth(200)
            spin.setMaximumWidth(240)
            spin.setToolTip(self.tr("From {low} to {high}").format(low=low, high=high))
            self.fieldset.add(form, key, spin, _tr(label))
            self.spins[key] = spin
        self.clinic_name = QLineEdit()
        self.clinic_name.setMaxLength(CLINIC_NAME_MAX)
        self.clinic_name.setMinimumHeight(TOUCH_MIN_PX)
        self.clinic_name.setMaximumWidth(420)
        self.clinic_name.setPlaceholderText(self.tr("Reports then say \u201cClinic\u201d"))
        self.fieldset.add(form, "clinic_name", self.clinic_name, self.tr("Clinic name on reports"))
        self.save_button = primary_button(self.tr("Save settings"), "saveSettingsButton")
        self.revert_button = QPushButton(self.tr("Revert"))
        self.revert_button.setObjectName("revertSettingsButton")
        self.message = FieldError()
        self.status = styled_label("", "muted")
        self.status.setObjectName("settingsStatus")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.status, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(styled_label(self.tr("Clinic settings"), "title"))
        layout.addWidget(
            styled_label(
                self.tr(
                    "These settings apply to every patient of this clinic. The time limits may be"
                    " shortened, never lengthened beyond the rule book."
                ),
                "subtitle",
                wrap=True,
            )
        )
        layout.addWidget(card)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        settings.settings_changed.connect(self._show)
        self._show(settings.current())

    def values(self) -> dict[str, int]:
        """The values shown."""
        return {key: spin.value() for key, spin in self.spins.items()}

    def _show(self, settings: ClinicSettings) -> None:
        for key, value in settings.to_dict().items():
            if key in self.spins:
                self.spins[key].setValue(value)
        self.clinic_name.setText(self._settings.clinic_name())

    def revert(self) -> None:
        """Show the stored settings again and clear every error."""
        self._show(self._settings.current())
        self.fieldset.clear()
        self.message.show_reason(None)
        self.status.setText("")

    def save(self) -> bool:
        """Store the values shown; when refused, show why at the field and keep them."""
        try:
            self._settings.save(self.values())
            self._settings.save_clinic_name(self.clinic_name.text())
        except FormError as refused:
            self.fieldset.show_refusal(refused.errors, self.message)
            self.status.setText(self.tr("Not saved."))
            log.info("settings refused: %s", refused.fields)
            return False
        self.fieldset.clear()
        self.message.show_reason(None)
        self.status.setText(self.tr("Saved."))
        return True
