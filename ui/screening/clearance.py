"""Record a physician clearance: who, when, why, which rules it covers and until when."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.clinical import RULES, TR_CONTEXT, Stage
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.services import FormError, ScreeningService
from kaatsu_desktop.storage import ClearanceRecord
from ui.forms import FieldSet, from_qdate, to_qdate
from ui.widgets import FieldError, primary_button, styled_label

log = logging.getLogger(__name__)

CLEARABLE: tuple[str, ...] = tuple(
    spec.id for spec in RULES.values() if spec.stage is Stage.SCREENING and spec.clearable
)


class ClearanceDialog(QDialog):
    """The screening's clearance rules come pre-ticked; other clearable rules can be ticked."""

    def __init__(
        self,
        screenings: ScreeningService,
        patient_id: int,
        *,
        requested: Sequence[str] = (),
        valid_days: int = 90,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._screenings = screenings
        self._patient_id = patient_id
        self.saved: ClearanceRecord | None = None
        self.setObjectName("clearanceDialog")
        self.setWindowTitle(self.tr("Record physician clearance"))
        self.setMinimumSize(760, 720)
        today = screenings.today()

        self.physician = QLineEdit()
        self.physician.setPlaceholderText(self.tr("Name of the physician who cleared the patient"))
        self.issued_on = QDateEdit(to_qdate(today))
        self.issued_on.setCalendarPopup(True)
        self.issued_on.setDisplayFormat("yyyy-MM-dd")
        self.issued_on.setMaximumWidth(220)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("What the physician examined and decided"))
        self.note.setFixedHeight(96)
        self.rules = QListWidget()
        self.rules.setMinimumHeight(240)
        ordered = list(dict.fromkeys([r for r in requested if r in CLEARABLE] + list(CLEARABLE)))
        for rule_id in ordered:
            text = translate(TR_CONTEXT, RULES[rule_id].text)
            item = QListWidgetItem(f"{rule_id}  {text}")
            item.setData(Qt.ItemDataRole.UserRole, rule_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = rule_id in requested
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            item.setToolTip(text)
            self.rules.addItem(item)
        self.rules.setWordWrap(True)
        self.rules.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rules.setResizeMode(QListView.ResizeMode.Adjust)
        self.expires_on = QDateEdit(to_qdate(today + timedelta(days=valid_days)))
        self.expires_on.setCalendarPopup(True)
        self.expires_on.setDisplayFormat("yyyy-MM-dd")
        self.expires_on.setMaximumWidth(220)
        self.expires_on.setToolTip(self.tr("The first day on which the clearance no longer counts"))

        self.fieldset = FieldSet()
        form = QFormLayout()
        form.setVerticalSpacing(10)
        self.fieldset.add(form, "physician", self.physician)
        self.fieldset.add(form, "issued_on", self.issued_on)
        self.fieldset.add(form, "note", self.note)
        self.fieldset.add(form, "rules", self.rules)
        self.fieldset.add(
            form, "expires_on", self.expires_on, self.tr("Expires on (no longer valid from)")
        )
        self.general_error = FieldError()

        self.save_button = primary_button(self.tr("Save clearance"), "saveClearanceButton")
        buttons = QDialogButtonBox()
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(styled_label(self.windowTitle(), "title"))
        layout.addWidget(
            styled_label(
                self.tr("Rules of the latest screening that ask for a clearance are ticked."),
                "muted",
                wrap=True,
            )
        )
        layout.addWidget(self.general_error)
        layout.addLayout(form, 1)
        layout.addWidget(buttons)

    def checked_rules(self) -> list[str]:
        """Ids of the ticked rules, in list order."""
        return [
            self.rules.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.rules.count())
            if self.rules.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_rule_checked(self, rule_id: str, checked: bool) -> None:
        """Tick or untick one rule."""
        for i in range(self.rules.count()):
            item = self.rules.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == rule_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(rule_id)

    def save(self) -> None:
        """Store the clearance; when refused, show why at the field and keep every value."""
        try:
            self.saved = self._screenings.record_clearance(
                self._patient_id,
                physician=self.physician.text(),
                issued_on=from_qdate(self.issued_on.date()),
                note=self.note.toPlainText(),
                rules=self.checked_rules(),
                expires_on=from_qdate(self.expires_on.date()),
            )
        except FormError as refused:
            self.fieldset.show_refusal(refused.errors, self.general_error)
            log.info("clearance not saved: refused fields %s", refused.fields)
            return
        self.accept()
