"""Reports, exports and the patients import for the workstation, acting as the signed-in user.

A thin QObject over `kaatsu_desktop.reports` and `kaatsu_desktop.exchange`: each call checks the
acting user's role, then the core function writes the file and its audit row with that user's id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kaatsu_desktop.accounts.permissions import Permission, PermissionDenied, require_user_id
from kaatsu_desktop.services.patients import PatientService
from kaatsu_desktop.storage import Database, get_patient, get_session

if TYPE_CHECKING:
    from kaatsu_desktop.exchange import ExportWritten, ImportResult
    from kaatsu_desktop.reports import ReportData, ReportWritten

# The exchange and report modules (FHIR models, pydantic, the PDF writer) are imported by the
# methods that use them, not at start: the workstation opens without them (issue 8).

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportPrinted:
    """A report sent to a printer (or a print-to-file destination), with its audit row."""

    session_id: int
    destination: str
    pages: int


class ExchangeService(QObject):
    """Session reports (PDF and paper), exports (CSV, JSON, FHIR) and the patients CSV import.

    ``written`` carries a ReportWritten, ReportPrinted or ExportWritten after each success;
    ``imported`` carries the ImportResult of an import that created patients. Refusals raise
    accounts.PermissionDenied before anything is read or written; a missing session or patient
    raises storage.NotFound; a file that cannot be written raises OSError.
    """

    written = Signal(object)  # ReportWritten | ReportPrinted | ExportWritten
    imported = Signal(object)  # ImportResult

    def __init__(
        self, db: Database, *, user_id: int | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._user_id = user_id
        self._acting_as: PatientService | None = None

    @classmethod
    def alongside(cls, patients: PatientService) -> ExchangeService:
        """One over the patient service's database, always acting as the same user as it."""
        service = cls(patients.database)
        service._acting_as = patients
        return service

    @property
    def user_id(self) -> int | None:
        """The acting user (None: the program itself)."""
        return self._acting_as.user_id if self._acting_as is not None else self._user_id

    @user_id.setter
    def user_id(self, value: int | None) -> None:
        self._acting_as = None
        self._user_id = value

    # -- permission checks ----------------------------------------------------------------------

    def refusal(self, *, importing: bool = False) -> str | None:
        """Why the acting user may not export (or, with ``importing``, import); None: they may.

        For the UI to disable its buttons beforehand; every call still checks on its own.
        """
        permission = Permission.EDIT_PATIENTS if importing else Permission.EXPORT_PATIENT_DATA
        try:
            require_user_id(self._db, self.user_id, permission)
        except PermissionDenied as exc:
            return str(exc)
        return None

    def _require_session(self, session_id: int) -> None:
        # A demo session without a patient is no patient data: demo mode users may report it.
        session = get_session(self._db, session_id)
        permission = (
            Permission.RUN_DEMO if session.patient_id is None else Permission.EXPORT_PATIENT_DATA
        )
        require_user_id(self._db, self.user_id, permission)

    def _require_patient(self, patient_id: int) -> None:
        get_patient(self._db, patient_id)
        require_user_id(self._db, self.user_id, Permission.EXPORT_PATIENT_DATA)

    # -- reports --------------------------------------------------------------------------------

    def write_report(self, session_id: int, path: Path) -> ReportWritten:
        """Write a session's PDF report to ``path``, audited."""
        from kaatsu_desktop.reports import write_session_report

        self._require_session(session_id)
        written = write_session_report(self._db, session_id, Path(path), by=self.user_id)
        self.written.emit(written)
        return written

    def report_data(self, session_id: int) -> ReportData:
        """A session's report content, for drawing on a printer."""
        from kaatsu_desktop.reports import build_report_data

        self._require_session(session_id)
        return build_report_data(self._db, session_id)

    def record_printed(self, data: ReportData, *, pages: int, destination: str) -> ReportPrinted:
        """The audit row of a report printed on paper (or printed to a file by the print dialog)."""
        from kaatsu_desktop.reports import record_report

        self._require_session(data.session_id)
        record_report(
            self._db, data, by=self.user_id, destination=destination, pages=pages, printed=True
        )
        printed = ReportPrinted(data.session_id, destination, pages)
        log.info("session %d report printed to %s (%d pages)", data.session_id, destination, pages)
        self.written.emit(printed)
        return printed

    # -- exports --------------------------------------------------------------------------------

    def export_session_csv(self, session_id: int, path: Path) -> ExportWritten:
        """A session's samples and events as CSV, audited."""
        from kaatsu_desktop.exchange import export_session_csv

        self._require_session(session_id)
        return self._emit(export_session_csv(self._db, session_id, Path(path), by=self.user_id))

    def export_patient_json(self, patient_id: int, path: Path) -> ExportWritten:
        """A whole patient record as kaatsu-patient/1 JSON, audited."""
        from kaatsu_desktop.exchange import export_patient_json

        self._require_patient(patient_id)
        return self._emit(export_patient_json(self._db, patient_id, Path(path), by=self.user_id))

    def export_patient_fhir(self, patient_id: int, path: Path) -> ExportWritten:
        """A patient as an HL7 FHIR R4 Bundle, audited."""
        from kaatsu_desktop.exchange import export_patient_fhir

        self._require_patient(patient_id)
        return self._emit(export_patient_fhir(self._db, patient_id, Path(path), by=self.user_id))

    def _emit(self, written: ExportWritten) -> ExportWritten:
        self.written.emit(written)
        return written

    # -- import ---------------------------------------------------------------------------------

    def check_import(self, path: Path) -> ImportResult:
        """Dry run of a patients CSV: every error (line, field, reason); writes nothing."""
        from kaatsu_desktop.exchange import import_patients_csv

        require_user_id(self._db, self.user_id, Permission.EDIT_PATIENTS)
        return import_patients_csv(self._db, Path(path), by=self.user_id, dry_run=True)

    def import_patients(self, path: Path) -> ImportResult:
        """Import every patient of a CSV file, or none when any line is wrong; audited."""
        from kaatsu_desktop.exchange import import_patients_csv

        require_user_id(self._db, self.user_id, Permission.EDIT_PATIENTS)
        result = import_patients_csv(self._db, Path(path), by=self.user_id)
        if result.created:
            self.imported.emit(result)
        return result
