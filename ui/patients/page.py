"""The patient page: details first, then the history of screenings, clearances and sessions."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.clinical import Assessment, ClinicalInputError, age_on
from kaatsu_desktop.services import (
    ClearanceSaved,
    PatientChange,
    PatientHistory,
    PatientService,
    ScreeningSaved,
    ScreeningService,
    SettingsService,
    clearance_in_force,
    clearance_rules,
)
from kaatsu_desktop.storage import SessionStatus
from ui.labels import item_label
from ui.patients.dialog import PatientDialog
from ui.screening.clearance import ClearanceDialog
from ui.theme import TOUCH_MIN_PX
from ui.widgets import VerdictChip, primary_button, styled_label

log = logging.getLogger(__name__)


def _table(headers: list[str], name: str, accessible: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(TOUCH_MIN_PX + 4)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


class PatientPage(QWidget):
    """One patient's record; actions for edit, screening, clearance, session and archive."""

    back_requested = Signal()
    screening_requested = Signal(int)  # patient id
    session_requested = Signal(int)  # patient id

    def __init__(
        self,
        patients: PatientService,
        screenings: ScreeningService,
        settings: SettingsService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._screenings = screenings
        self._settings = settings
        self.history: PatientHistory | None = None

        self.back_button = QPushButton(self.tr("← Patients"))
        self.back_button.setObjectName("backToRegistry")
        self.back_button.setAccessibleName(self.tr("Back to the patient list"))
        self.title = styled_label("", "title")
        self.title.setObjectName("patientTitle")
        self.archived_note = styled_label(self.tr("Archived record"), "subtitle")
        self.latest_verdict = VerdictChip(long=True)
        self.latest_verdict.setObjectName("latestVerdict")

        self.edit_button = QPushButton(self.tr("&Edit details"))
        self.edit_button.setObjectName("editPatientButton")
        self.screening_button = primary_button(self.tr("New &screening"), "newScreeningButton")
        self.clearance_button = QPushButton(self.tr("Record &clearance"))
        self.clearance_button.setObjectName("recordClearanceButton")
        self.session_button = QPushButton(self.tr("Start s&ession"))
        self.session_button.setObjectName("startSessionButton")
        self.archive_button = QPushButton()
        self.archive_button.setObjectName("archivePatientButton")

        self.details = QFrame()
        self.details.setProperty("role", "card")
        self._detail_labels: dict[str, QLabel] = {}
        grid = QGridLayout(self.details)
        grid.setContentsMargins(18, 14, 18, 14)
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(6)
        captions = (
            ("clinic_id", self.tr("Clinic ID")),
            ("born", self.tr("Date of birth")),
            ("sex", self.tr("Sex")),
            ("contact", self.tr("Contact")),
            ("notes", self.tr("Notes")),
        )
        for i, (key, caption) in enumerate(captions):
            cap = styled_label(caption, "muted")
            value = styled_label("", wrap=True)
            value.setObjectName(f"detail_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(cap)
            box.addWidget(value)
            if key == "notes":
                self._notes_widgets = (cap, value)
                grid.addLayout(box, 1, 0, 1, 4)
            else:
                grid.addLayout(box, 0, i)
                grid.setColumnStretch(i, 1 if key != "contact" else 2)
            self._detail_labels[key] = value

        self.screening_table = _table(
            [self.tr("Date"), self.tr("Verdict"), self.tr("Rules fired"), self.tr("Not assessed")],
            "screeningHistory",
            self.tr("Screenings"),
        )
        self.clearance_table = _table(
            [self.tr("Issued"), self.tr("Physician"), self.tr("Rules covered"),
             self.tr("Expires on"), self.tr("Status"), self.tr("Note")],
            "clearanceHistory",
            self.tr("Clearances"),
        )  # fmt: skip
        self.session_table = _table(
            [self.tr("Date"), self.tr("Protocol"), self.tr("Arms (min)"), self.tr("Legs (min)"),
             self.tr("Alarms"), self.tr("Status")],
            "sessionHistory",
            self.tr("Sessions"),
        )  # fmt: skip
        self.sections: list[QGroupBox] = []
        for table in (self.screening_table, self.clearance_table, self.session_table):
            section = QGroupBox()
            box = QVBoxLayout(section)
            box.setContentsMargins(8, 12, 8, 8)
            box.addWidget(table)
            table.setMinimumHeight(110)
            self.sections.append(section)

        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.title, 1)
        head.addWidget(self.archived_note)
        head.addWidget(styled_label(self.tr("Latest screening:"), "subtitle"))
        head.addWidget(self.latest_verdict)
        actions = QHBoxLayout()
        for button in (self.screening_button, self.clearance_button, self.session_button,
                       self.edit_button):  # fmt: skip
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.archive_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(head)
        layout.addLayout(actions)
        layout.addWidget(self.details)
        # Sessions pile up fastest; clearances are few.
        for section, stretch in zip(self.sections, (2, 1, 3), strict=True):
            layout.addWidget(section, stretch)

        self.back_button.clicked.connect(self.back_requested)
        self.edit_button.clicked.connect(self.edit)
        self.screening_button.clicked.connect(self._request_screening)
        self.clearance_button.clicked.connect(self.record_clearance)
        self.session_button.clicked.connect(self._request_session)
        self.archive_button.clicked.connect(self._toggle_archive)
        patients.patient_changed.connect(self._on_patient_changed)
        screenings.screening_saved.connect(self._on_screening_saved)
        screenings.clearance_saved.connect(self._on_clearance_saved)

    # -- showing ---------------------------------------------------------------------------------

    @property
    def patient_id(self) -> int | None:
        """The patient shown, None before one is."""
        return None if self.history is None else self.history.patient.id

    def show_patient(self, patient_id: int) -> None:
        """Read and show a patient's record and history."""
        self.history = self._patients.history(patient_id)
        self._render()

    def reload(self) -> None:
        """Read the shown patient again."""
        if self.patient_id is not None:
            self.show_patient(self.patient_id)

    def _render(self) -> None:
        assert self.history is not None
        h, p = self.history, self.history.patient
        self.title.setText(f"{p.family_name}, {p.given_name}")
        self.title.setAccessibleName(self.tr("Patient {name}").format(name=self.title.text()))
        self.archived_note.setVisible(p.archived)
        age = age_on(p.date_of_birth, h.today)
        values = {
            "clinic_id": p.clinic_id,
            "born": self.tr("{date} (age {age})").format(date=p.date_of_birth.isoformat(), age=age),
            "sex": item_label(p.sex.value),
            "contact": p.contact or self.tr("—"),
            "notes": p.notes or self.tr("—"),
        }
        for key, text in values.items():
            self._detail_labels[key].setText(text)
        self._notes_box_visible(bool(p.notes))
        latest = h.screenings[0] if h.screenings else None
        self.latest_verdict.set_verdict(latest.verdict if latest else None)
        self.latest_verdict.setToolTip(
            self.tr("Latest screening: {date}").format(date=latest.assessed_on.isoformat())
            if latest
            else self.tr("No screening on file")
        )
        for button in (self.edit_button, self.screening_button, self.clearance_button,
                       self.session_button):  # fmt: skip
            button.setEnabled(not p.archived)
        self.archive_button.setText(
            self.tr("Restore record") if p.archived else self.tr("Archive record")
        )
        self._fill_screenings()
        self._fill_clearances()
        self._fill_sessions()

    def _fill_screenings(self) -> None:
        assert self.history is not None
        rows = self.history.screenings
        table = self.screening_table
        table.setRowCount(len(rows))
        for r, record in enumerate(rows):
            table.setItem(r, 0, _cell(record.assessed_on.isoformat()))
            chip = VerdictChip(record.verdict, long=True)
            holder = QWidget()
            box = QHBoxLayout(holder)
            box.setContentsMargins(6, 4, 6, 4)
            box.addWidget(chip)
            box.addStretch(1)
            table.setCellWidget(r, 1, holder)
            table.setItem(r, 1, _cell(""))  # the chip speaks; the item keeps the row selectable
            fired = [rule["id"] for rule in record.assessment.get("rules", [])]
            table.setItem(r, 2, _cell(", ".join(fired) or self.tr("none")))
            missing = record.assessment.get("not_assessed", [])
            table.setItem(r, 3, _cell(", ".join(missing) or self.tr("none")))
        table.setColumnWidth(0, 150)
        table.setColumnWidth(1, 320)
        table.setColumnWidth(2, 470)
        self.sections[0].setTitle(self.tr("Screenings ({n})").format(n=len(rows)))

    def _fill_clearances(self) -> None:
        assert self.history is not None
        rows = self.history.clearances
        table = self.clearance_table
        table.setRowCount(len(rows))
        for r, record in enumerate(rows):
            in_force = clearance_in_force(record, self.history.today)
            cells = (
                record.issued_on.isoformat(),
                record.physician,
                ", ".join(record.rules),
                record.expires_on.isoformat(),
                self.tr("in force") if in_force else self.tr("not in force"),
                record.note,
            )
            for c, text in enumerate(cells):
                table.setItem(r, c, _cell(text))
        for column, width in enumerate((140, 220, 220, 140, 150)):
            table.setColumnWidth(column, width)
        self.sections[1].setTitle(self.tr("Physician clearances ({n})").format(n=len(rows)))

    def _fill_sessions(self) -> None:
        assert self.history is not None
        rows = self.history.sessions
        table = self.session_table
        table.setRowCount(len(rows))
        for r, s in enumerate(rows):
            status = self._status_words(s.status) + (self.tr(" (demo)") if s.demo else "")
            if s.end_reason:
                status += f": {s.end_reason}"
            cells = (
                s.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                s.protocol,
                self._minutes(s.minutes["arms"]),
                self._minutes(s.minutes["legs"]),
                str(s.alarms),
                status,
            )
            for c, text in enumerate(cells):
                table.setItem(r, c, _cell(text))
        for column, width in enumerate((190, 260, 130, 130, 100)):
            table.setColumnWidth(column, width)
        self.sections[2].setTitle(self.tr("Sessions ({n})").format(n=len(rows)))

    def _notes_box_visible(self, visible: bool) -> None:
        for widget in self._notes_widgets:
            widget.setVisible(visible)

    def _status_words(self, status: SessionStatus) -> str:
        words = {
            SessionStatus.RUNNING: self.tr("running"),
            SessionStatus.COMPLETED: self.tr("completed"),
            SessionStatus.ABORTED: self.tr("aborted"),
            SessionStatus.INTERRUPTED: self.tr("interrupted"),
        }
        return words[status]

    def _minutes(self, value: float | None) -> str:
        return self.tr("not recorded") if value is None else f"{value:.1f}"

    # -- actions ---------------------------------------------------------------------------------

    def edit(self) -> None:
        """Open the Edit patient dialog."""
        if self.history is None:
            return
        PatientDialog(self._patients, self.history.patient, parent=self).exec()

    def record_clearance(self) -> None:
        """Open the clearance dialog, the latest screening's clearance rules ticked."""
        if self.history is None:
            return
        self.clearance_dialog().exec()

    def clearance_dialog(self) -> ClearanceDialog:
        """The clearance dialog for the shown patient (not yet opened)."""
        assert self.history is not None
        requested: tuple[str, ...] = ()
        if self.history.screenings:
            try:
                latest = Assessment.from_json(self.history.screenings[0].assessment)
                requested = clearance_rules(latest)
            except ClinicalInputError as exc:
                log.warning("latest screening unreadable: %s", exc)
        return ClearanceDialog(
            self._screenings,
            self.history.patient.id,
            requested=requested,
            valid_days=self._settings.current().screening_validity_days,
            parent=self,
        )

    def _request_screening(self) -> None:
        if self.patient_id is not None:
            self.screening_requested.emit(self.patient_id)

    def _request_session(self) -> None:
        if self.patient_id is not None:
            self.session_requested.emit(self.patient_id)

    def _toggle_archive(self) -> None:
        if self.history is None:
            return
        patient = self.history.patient
        if not patient.archived and not self.confirm_archive():
            return
        self._patients.archive(patient.id, archived=not patient.archived)

    def confirm_archive(self) -> bool:
        """Ask before archiving (the record is kept and can be restored)."""
        answer = QMessageBox.question(
            self,
            self.tr("Archive record"),
            self.tr(
                "Archive this patient? The record is kept, hidden from the list, and can be"
                " restored at any time."
            ),
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- service signals -------------------------------------------------------------------------

    def _on_patient_changed(self, change: PatientChange) -> None:
        if change.patient.id == self.patient_id:
            self.reload()

    def _on_screening_saved(self, saved: ScreeningSaved) -> None:
        if saved.record.patient_id == self.patient_id:
            self.reload()

    def _on_clearance_saved(self, saved: ClearanceSaved) -> None:
        if saved.record.patient_id == self.patient_id:
            self.reload()
