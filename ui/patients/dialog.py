"""New and Edit patient: validation at the field, and nothing typed is lost when refused."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.services import FormError, PatientService
from kaatsu_desktop.storage import Patient, PatientFields
from ui.forms import FieldSet
from ui.labels import item_label
from ui.widgets import ChoiceButtons, FieldError, primary_button, styled_label

log = logging.getLogger(__name__)


class PatientDialog(QDialog):
    """Create a patient (``patient`` None) or edit one; ``saved`` holds the stored record."""

    def __init__(
        self,
        patients: PatientService,
        patient: Patient | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._patient = patient
        self.saved: Patient | None = None
        self.setObjectName("patientDialog")
        self.setWindowTitle(self.tr("New patient") if patient is None else self.tr("Edit patient"))
        self.setMinimumWidth(640)

        self.clinic_id = QLineEdit()
        self.given_name = QLineEdit()
        self.family_name = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.sex = ChoiceButtons(
            [(s, item_label(s)) for s in ("female", "male", "other")], accessible=self.tr("Sex")
        )
        self.contact = QPlainTextEdit()
        self.contact.setFixedHeight(72)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(110)

        self.fieldset = FieldSet()
        form = QFormLayout()
        form.setVerticalSpacing(10)
        for key in ("clinic_id", "given_name", "family_name", "date_of_birth", "sex", "contact",
                    "notes"):  # fmt: skip
            self.fieldset.add(form, key, getattr(self, key))
        self.general_error = FieldError()
        self.general_error.setObjectName("patientDialogError")

        self.save_button = primary_button(self.tr("Save patient"), "savePatientButton")
        buttons = QDialogButtonBox()
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(styled_label(self.windowTitle(), "title"))
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addWidget(buttons)

        if patient is not None:
            self._fill(patient)

    def _fill(self, patient: Patient) -> None:
        self.clinic_id.setText(patient.clinic_id)
        self.given_name.setText(patient.given_name)
        self.family_name.setText(patient.family_name)
        self.date_of_birth.setText(patient.date_of_birth.isoformat())
        self.sex.set_value(patient.sex.value)
        self.contact.setPlainText(patient.contact)
        self.notes.setPlainText(patient.notes)

    def values(self) -> PatientFields:
        """The fields exactly as typed (the storage strips and checks them)."""
        return PatientFields(
            clinic_id=self.clinic_id.text(),
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            date_of_birth=self.date_of_birth.text(),
            sex=self.sex.value() or "",
            contact=self.contact.toPlainText(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        """Store the patient; when refused, show why at the field and keep every value."""
        try:
            if self._patient is None:
                self.saved = self._patients.create(self.values())
            else:
                self.saved = self._patients.update(self._patient.id, self.values())
        except FormError as refused:
            self.fieldset.show_refusal(refused.errors, self.general_error)
            log.info("patient not saved: refused fields %s", refused.fields)
            return
        self.accept()
