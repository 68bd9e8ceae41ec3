"""The screening form: sections of screening-input.md; empty optional values stay not measured."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.clinical import (
    AcuteCondition,
    EcgFinding,
    FieldError,
    FundusGrade,
    History,
    Symptom,
    ThrombosisFactor,
    TreatedDisease,
)
from ui.forms import FieldSet, from_qdate, to_qdate
from ui.labels import field_label, item_label
from ui.screening.body import BodyDiagram
from ui.theme import TOUCH_MIN_PX
from ui.widgets import ChoiceButtons

FORMAT = "kaatsu-screening/1"
# Number fields: key -> (whole numbers only, required).
NUMBERS: dict[str, tuple[bool, bool]] = {
    "height_cm": (False, True),
    "weight_kg": (False, True),
    "systolic_mmhg": (True, True),
    "diastolic_mmhg": (True, True),
    "fasting_glucose_mg_dl": (False, False),
    "total_cholesterol_mg_dl": (False, False),
    "triglycerides_mg_dl": (False, False),
    "cardiothoracic_ratio_pct": (False, False),
    "urinary_protein_mg_dl": (False, False),
}
# Optional yes/no facts: not recorded (absent), no, yes.
YES_NO = (
    "urinary_ketones_positive",
    "diabetic_retinopathy",
    "ecg_dangerous_arrhythmia_or_ischaemia",
    "exercise_test_confirmed_safe",
    "lifestyle_guidance_needed",
    "specialist_advice_recorded",
)
LISTS: dict[str, type[enum.Enum]] = {
    "under_treatment_for": TreatedDisease,
    "symptoms": Symptom,
    "history": History,
    "ecg_findings": EcgFinding,
    "acute_conditions": AcuteCondition,
    "thrombosis_factors": ThrombosisFactor,
}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_WHOLE = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class FormData:
    """What the form holds: the kaatsu-screening/1 object and the values it could not read."""

    data: dict[str, Any]
    errors: tuple[FieldError, ...]  # typed text that is not a number, keyed like the format


class CheckList(QWidget):
    """Checkboxes for the items of one vocabulary, in two columns."""

    changed = Signal()

    def __init__(self, key: str, items: Iterable[str], columns: int = 2) -> None:
        super().__init__()
        self.setObjectName(key)
        self.setAccessibleName(field_label(key))
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(0)
        for i, value in enumerate(items):
            box = QCheckBox(item_label(value))
            box.setObjectName(f"{key}.{value}")
            box.toggled.connect(self.changed)
            grid.addWidget(box, i // columns, i % columns)
            self.boxes[value] = box

    def values(self) -> list[str]:
        """The ticked items, in vocabulary order."""
        return [v for v, box in self.boxes.items() if box.isChecked()]

    def set_values(self, values: Iterable[str]) -> None:
        """Tick exactly these items."""
        wanted = set(values)
        for value, box in self.boxes.items():
            box.setChecked(value in wanted)


class SurgeryDate(QWidget):
    """Date of the last surgery, or none: a check box enables the date."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("last_surgery_on")
        self.has_surgery = QCheckBox(self.tr("Surgery on record"))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setEnabled(False)
        self.date.setAccessibleName(field_label("last_surgery_on"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.has_surgery)
        row.addWidget(self.date)
        row.addStretch(1)
        self.has_surgery.toggled.connect(self.date.setEnabled)
        self.has_surgery.toggled.connect(self.changed)
        self.date.dateChanged.connect(self.changed)

    def value(self) -> date | None:
        """The surgery date, None when no surgery is on record."""
        return from_qdate(self.date.date()) if self.has_surgery.isChecked() else None

    def set_value(self, value: date | None, *, today: date) -> None:
        """Show a surgery date (None: no surgery)."""
        self.date.setDate(to_qdate(value or today))
        self.has_surgery.setChecked(value is not None)


class ScreeningForm(QWidget):
    """Every input of one screening; ``changed`` fires on each edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fieldset = FieldSet()
        self.numbers: dict[str, QLineEdit] = {}
        self.yes_no: dict[str, ChoiceButtons] = {}
        self.lists: dict[str, CheckList] = {}
        self._sex = ""
        self._born: date | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(14)

        # Screening date and the patient facts it uses.
        form = self._section(layout, self.tr("Screening"))
        self.assessed_on = QDateEdit()
        self.assessed_on.setCalendarPopup(True)
        self.assessed_on.setDisplayFormat("yyyy-MM-dd")
        self.assessed_on.setMaximumWidth(220)
        self.assessed_on.dateChanged.connect(self.changed)
        self.fieldset.add(form, "assessed_on", self.assessed_on)
        self.patient_sex = QLabel()
        self.fieldset.add(form, "sex", self.patient_sex)
        self.patient_born = QLabel()
        self.fieldset.add(form, "date_of_birth", self.patient_born)

        form = self._section(layout, self.tr("Vital signs (required)"))
        for key in ("height_cm", "weight_kg", "systolic_mmhg", "diastolic_mmhg"):
            self._number(form, key)

        form = self._section(layout, self.tr("Laboratory values and examinations"))
        note = QLabel(self.tr("Leave a value empty when it was not measured: its rules are then"
                              " listed as not assessed, never as normal."))  # fmt: skip
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        form.addRow(note)
        self._number(form, "fasting_glucose_mg_dl")
        self._yes_no(form, "urinary_ketones_positive")
        self._yes_no(form, "diabetic_retinopathy")
        self._number(form, "total_cholesterol_mg_dl")
        self._number(form, "triglycerides_mg_dl")
        self._number(form, "cardiothoracic_ratio_pct")
        self._yes_no(form, "ecg_dangerous_arrhythmia_or_ischaemia", stacked=True)
        self._yes_no(form, "exercise_test_confirmed_safe", stacked=True)
        self._number(form, "urinary_protein_mg_dl")
        self.fundus = QComboBox()
        self.fundus.addItem(self.tr("Not examined"), None)
        for grade in FundusGrade:
            self.fundus.addItem(item_label(grade.value), grade.value)
        self.fundus.currentIndexChanged.connect(self.changed)
        self.fieldset.add(form, "fundus_hypertensive_grade", self.fundus)

        form = self._section(layout, self.tr("Treatment, symptoms and history (Table 1)"))
        self._list(form, "under_treatment_for")
        self._list(form, "symptoms")
        self._list(form, "history")
        self.family_history = QCheckBox(self.tr("Yes"))
        self.family_history.toggled.connect(self.changed)
        self.fieldset.add(
            form, "family_history_premature_cardiac_event", self.family_history, stacked=True
        )
        self._list(form, "ecg_findings")
        self._yes_no(form, "lifestyle_guidance_needed", stacked=True)

        form = self._section(layout, self.tr("Acute conditions and pregnancy"))
        self._list(form, "acute_conditions")
        self.pregnancy = ChoiceButtons(
            [(p, item_label(p)) for p in ("no", "early", "late")],
            accessible=field_label("pregnancy"),
        )
        self.pregnancy.changed.connect(self.changed)
        self.fieldset.add(form, "pregnancy", self.pregnancy, stacked=True)
        self._yes_no(form, "specialist_advice_recorded")

        form = self._section(layout, self.tr("Thrombosis risk factors"))
        note = QLabel(self.tr("Age, sex, BMI, pregnancy and hyperlipidaemia are counted"
                              " automatically."))  # fmt: skip
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        form.addRow(note)
        self._list(form, "thrombosis_factors", label=self.tr("Factors present"))

        form = self._section(layout, self.tr("Surgery and wounds"))
        self.surgery = SurgeryDate()
        self.surgery.changed.connect(self.changed)
        self.fieldset.add(form, "last_surgery_on", self.surgery)
        self.body = BodyDiagram()
        self.body.setObjectName("wound_sites")
        self.body.changed.connect(self.changed)
        self.fieldset.add(
            form,
            "wound_sites",
            self.body,
            self.tr("Wounds under a band site (front view: the patient's right is on your left)"),
            stacked=True,
        )
        self.joint_damage = QCheckBox(self.tr("Yes"))
        self.joint_damage.toggled.connect(self.changed)
        self.fieldset.add(form, "lower_limb_joint_damage", self.joint_damage)
        layout.addStretch(1)

    # -- building --------------------------------------------------------------------------------

    def _section(self, layout: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(8)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        layout.addWidget(box)
        return form

    def _number(self, form: QFormLayout, key: str) -> None:
        required = NUMBERS[key][1]
        field = QLineEdit()
        field.setPlaceholderText(self.tr("required") if required else self.tr("not measured"))
        field.setMaximumWidth(220)
        field.setMinimumHeight(TOUCH_MIN_PX)
        field.textChanged.connect(self.changed)
        self.fieldset.add(form, key, field)
        self.numbers[key] = field

    def _yes_no(self, form: QFormLayout, key: str, *, stacked: bool = False) -> None:
        choice = ChoiceButtons(
            [(None, self.tr("Not recorded")), ("no", self.tr("No")), ("yes", self.tr("Yes"))],
            accessible=field_label(key),
        )
        choice.set_value(None)
        choice.changed.connect(self.changed)
        self.fieldset.add(form, key, choice, stacked=stacked)
        self.yes_no[key] = choice

    def _list(self, form: QFormLayout, key: str, label: str | None = None) -> None:
        checklist = CheckList(key, [m.value for m in LISTS[key]])
        checklist.changed.connect(self.changed)
        self.fieldset.add(form, key, checklist, label, stacked=True)
        self.lists[key] = checklist

    # -- filling and reading ---------------------------------------------------------------------

    def reset(self, *, sex: str, date_of_birth: date, today: date) -> None:
        """Start an empty screening of a patient dated ``today``; nothing defaults to normal."""
        self._sex, self._born = sex, date_of_birth
        self.assessed_on.setMaximumDate(to_qdate(today))
        self.assessed_on.setDate(to_qdate(today))
        self.patient_sex.setText(item_label(sex) + "  " + self.tr("(from the patient record)"))
        self.patient_born.setText(date_of_birth.isoformat())
        for field in self.numbers.values():
            field.clear()
        for choice in self.yes_no.values():
            choice.set_value(None)
        for checklist in self.lists.values():
            checklist.set_values(())
        self.fundus.setCurrentIndex(0)
        self.family_history.setChecked(False)
        self.joint_damage.setChecked(False)
        self.surgery.set_value(None, today=today)
        self.body.set_sites(())
        # A man cannot be pregnant; for anyone else the answer must be given (S-REL-2).
        male = sex == "male"
        if male:
            self.pregnancy.set_value("no")
        else:
            self.pregnancy.clear()
        self.pregnancy.setEnabled(not male)
        self.fieldset.clear()

    def form_data(self) -> FormData:
        """The kaatsu-screening/1 object; empty optional values are left out (not measured)."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "assessed_on": from_qdate(self.assessed_on.date()).isoformat(),
            "sex": self._sex,
            "date_of_birth": self._born.isoformat() if self._born else None,
        }
        errors: list[FieldError] = []
        for key, field in self.numbers.items():
            text = field.text().strip()
            if not text:
                continue  # not measured: absent, never a normal value
            whole = NUMBERS[key][0]
            if whole and not _WHOLE.match(text):
                errors.append(FieldError(key, self.tr("must be a whole number, e.g. 128")))
            elif not _NUMBER.match(text):
                errors.append(FieldError(key, self.tr("must be a number, e.g. 72.5")))
            else:
                number = float(text.replace(",", "."))
                data[key] = int(number) if whole else number
        for key, choice in self.yes_no.items():
            if choice.value() is not None:
                data[key] = choice.value() == "yes"
        for key, checklist in self.lists.items():
            data[key] = checklist.values()
        grade = self.fundus.currentData()
        if grade is not None:
            data["fundus_hypertensive_grade"] = grade
        data["family_history_premature_cardiac_event"] = self.family_history.isChecked()
        if self.pregnancy.value() is not None:
            data["pregnancy"] = self.pregnancy.value()
        surgery = self.surgery.value()
        data["last_surgery_on"] = surgery.isoformat() if surgery else None
        data["wound_sites"] = sorted(self.body.sites())
        data["lower_limb_joint_damage"] = self.joint_damage.isChecked()
        return FormData(data, tuple(errors))

    def show_errors(self, errors: Sequence[FieldError]) -> list[FieldError]:
        """Show each error at its field; return those naming no field of the form."""
        return self.fieldset.show_all(errors)

    def set_number(self, key: str, text: str) -> None:
        """Type ``text`` into a number field (for scripts and tests)."""
        self.numbers[key].setText(text)

    def fill(self, data: dict[str, Any]) -> None:
        """Fill the form from a kaatsu-screening/1 object (missing optional values stay empty)."""
        for key, field in self.numbers.items():
            field.setText("" if data.get(key) is None else f"{data[key]:g}")
        for key, choice in self.yes_no.items():
            value = data.get(key)
            choice.set_value(None if value is None else ("yes" if value else "no"))
        for key, checklist in self.lists.items():
            checklist.set_values(data.get(key, ()))
        index = self.fundus.findData(data.get("fundus_hypertensive_grade"))
        self.fundus.setCurrentIndex(max(index, 0))
        self.family_history.setChecked(bool(data.get("family_history_premature_cardiac_event")))
        if data.get("pregnancy") and self.pregnancy.isEnabled():
            self.pregnancy.set_value(data["pregnancy"])
        surgery = data.get("last_surgery_on")
        today = from_qdate(self.assessed_on.maximumDate())
        self.surgery.set_value(date.fromisoformat(surgery) if surgery else None, today=today)
        self.body.set_sites(data.get("wound_sites", ()))
        self.joint_damage.setChecked(bool(data.get("lower_limb_joint_damage")))
