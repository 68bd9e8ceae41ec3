"""The patient page: details first, then the history of screenings, clearances and sessions."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import session_authors
from kaatsu_desktop.clinical import Assessment, ClinicalInputError, age_on
from kaatsu_desktop.services import (
    ClearanceSaved,
    ExchangeService,
    PatientChange,
    PatientHistory,
    PatientService,
    ScreeningSaved,
    ScreeningService,
    SettingsService,
    clearance_rules,
)
from kaatsu_desktop.services.trends import SessionTrends, session_trends
from ui.accounts.authorship import AuthorshipLabel
from ui.exchange.names import patient_file_name, session_file_name
from ui.exchange.prompts import FilePrompts
from ui.labels import item_label
from ui.patients.dialog import PatientDialog
from ui.patients.history_tabs import ClearancesTab, ScreeningsTab, SessionsTab
from ui.screening.clearance import ClearanceDialog
from ui.widgets import VerdictChip, primary_button, styled_label

if TYPE_CHECKING:
    from ui.exchange.actions import ExportActions

log = logging.getLogger(__name__)


class PatientPage(QWidget):
    """One patient's record and history; edit, screening, clearance, session, export, archive.

    ``exchange`` writes reports and exports as the acting user; without one the page uses an
    ExchangeService alongside ``patients`` (same database, same user). ``prompts`` answers the
    file and print dialogs (tests pass their own).
    """

    back_requested = Signal()
    screening_requested = Signal(int)  # patient id
    session_requested = Signal(int)  # patient id

    def __init__(
        self,
        patients: PatientService,
        screenings: ScreeningService,
        settings: SettingsService,
        parent: QWidget | None = None,
        *,
        exchange: ExchangeService | None = None,
        prompts: FilePrompts | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._screenings = screenings
        self._settings = settings
        self.history: PatientHistory | None = None
        self.trends: SessionTrends | None = None
        self._exchange = exchange
        self._prompts = prompts
        self._exports: ExportActions | None = None

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
        self.session_button.setObjectName("sessionSetupButton")  # the checklist owns "startSession"
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
        # Who created and last changed the record (issue 7), under the details.
        self.authorship = AuthorshipLabel(patients.database)
        grid.addWidget(self.authorship, 2, 0, 1, 4)

        self.export_json_button = QPushButton(self.tr("Export patient (&JSON)"))
        self.export_json_button.setObjectName("exportPatientJsonButton")
        self.export_json_button.setAccessibleName(
            self.tr("Export the whole patient record as JSON")
        )
        self.export_fhir_button = QPushButton(self.tr("Export &FHIR bundle"))
        self.export_fhir_button.setObjectName("exportPatientFhirButton")
        self.export_fhir_button.setAccessibleName(
            self.tr("Export the patient as an HL7 FHIR R4 bundle")
        )

        self.sessions_tab = SessionsTab()
        self.screenings_tab = ScreeningsTab()
        self.clearances_tab = ClearancesTab()
        self.session_table = self.sessions_tab.table
        self.screening_table = self.screenings_tab.table
        self.clearance_table = self.clearances_tab.table
        self.tabs = QTabWidget()
        self.tabs.setObjectName("patientHistoryTabs")
        self.tabs.setAccessibleName(self.tr("Patient history"))
        # Touch-sized tabs, tall enough for the export buttons in the corner beside them.
        self.tabs.setStyleSheet("QTabBar::tab { min-height: 34px; padding: 4px 18px; }")
        self.tabs.addTab(self.sessions_tab, "")
        self.tabs.addTab(self.screenings_tab, "")
        self.tabs.addTab(self.clearances_tab, "")
        corner = QWidget()
        corner_row = QHBoxLayout(corner)
        corner_row.setContentsMargins(0, 0, 0, 4)
        corner_row.addWidget(self.export_json_button)
        corner_row.addWidget(self.export_fhir_button)
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.feedback = styled_label("", "muted", wrap=True)
        self.feedback.setObjectName("exportFeedback")
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

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
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.feedback)

        self.back_button.clicked.connect(self.back_requested)
        self.edit_button.clicked.connect(self.edit)
        self.screening_button.clicked.connect(self._request_screening)
        self.clearance_button.clicked.connect(self.record_clearance)
        self.session_button.clicked.connect(self._request_session)
        self.archive_button.clicked.connect(self._toggle_archive)
        self.export_json_button.clicked.connect(self.export_patient_json)
        self.export_fhir_button.clicked.connect(self.export_patient_fhir)
        self.sessions_tab.report_requested.connect(self.report_pdf)
        self.sessions_tab.print_requested.connect(self.print_report)
        self.sessions_tab.csv_requested.connect(self.export_session_csv)
        patients.patient_changed.connect(self._on_patient_changed)
        screenings.screening_saved.connect(self._on_screening_saved)
        screenings.clearance_saved.connect(self._on_clearance_saved)
        settings.settings_changed.connect(self._on_settings_changed)

    @property
    def exports(self) -> ExportActions:
        """Report and export actions, built at their first use (their modules load late)."""
        if self._exports is None:
            from ui.exchange.actions import ExportActions

            service = self._exchange or ExchangeService.alongside(self._patients)
            self._exports = ExportActions(service, self, self._prompts)
            self._exports.message.connect(self.feedback.setText)
        return self._exports

    # -- showing ---------------------------------------------------------------------------------

    @property
    def patient_id(self) -> int | None:
        """The patient shown, None before one is."""
        return None if self.history is None else self.history.patient.id

    def show_patient(self, patient_id: int) -> None:
        """Read and show a patient's record and history."""
        other = patient_id != self.patient_id
        self.history = self._patients.history(patient_id)
        self.trends = session_trends(self.history.sessions, self._settings.current())
        if other:
            self.tabs.setCurrentWidget(self.sessions_tab)
            self.feedback.clear()
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
        self.authorship.set_record(p)
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
        assert self.trends is not None
        self.sessions_tab.show_sessions(
            h, self.trends, session_authors(self._patients.database, p.id)
        )
        self.screenings_tab.show_screenings(h)
        self.clearances_tab.show_clearances(h)
        titles = (
            self.tr("Sessions ({n})").format(n=len(h.sessions)),
            self.tr("Screenings ({n})").format(n=len(h.screenings)),
            self.tr("Physician clearances ({n})").format(n=len(h.clearances)),
        )
        for i, title in enumerate(titles):
            self.tabs.setTabText(i, title)

    def _notes_box_visible(self, visible: bool) -> None:
        for widget in self._notes_widgets:
            widget.setVisible(visible)

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

    # -- reports and exports ---------------------------------------------------------------------

    def _session_file(self, session_id: int, ext: str) -> str:
        assert self.history is not None
        line = next(s for s in self.history.sessions if s.id == session_id)
        return session_file_name(self.history.patient.clinic_id, session_id, line.started_at, ext)

    def report_pdf(self, session_id: int) -> None:
        """Save a session's report as PDF (file dialog, then the service; offers the folder)."""
        if self.history is None:
            return
        self.exports.report_pdf(session_id, self._session_file(session_id, "pdf"))

    def print_report(self, session_id: int) -> None:
        """Print a session's report (print dialog); the printing is audited."""
        if self.history is not None:
            self.exports.print_report(session_id)

    def export_session_csv(self, session_id: int) -> None:
        """Export a session's samples and events as CSV."""
        if self.history is None:
            return
        self.exports.session_csv(session_id, self._session_file(session_id, "csv"))

    def export_patient_json(self) -> None:
        """Export the whole patient record as JSON."""
        if self.history is not None:
            p = self.history.patient
            self.exports.patient_json(p.id, patient_file_name(p.clinic_id, "patient"))

    def export_patient_fhir(self) -> None:
        """Export the patient as an HL7 FHIR R4 Bundle."""
        if self.history is not None:
            p = self.history.patient
            self.exports.patient_fhir(p.id, patient_file_name(p.clinic_id, "fhir-bundle"))

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

    def _on_settings_changed(self, _settings: object) -> None:
        # Sessions that kept no limits are drawn against the clinic's current ones.
        self.reload()

    def _on_clearance_saved(self, saved: ClearanceSaved) -> None:
        if saved.record.patient_id == self.patient_id:
            self.reload()
