"""Patients for the workstation: search-as-you-type, create, edit, archive, and the history."""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from kaatsu_desktop.accounts.permissions import (
    Permission,
    require_patient_read,
    require_user_id,
)
from kaatsu_desktop.services.errors import FormError
from kaatsu_desktop.services.history import PatientHistory, load_history
from kaatsu_desktop.storage import (
    Database,
    Patient,
    PatientFields,
    ValidationError,
    archive_patient,
    create_patient,
    get_patient,
    search_patients,
    update_patient,
)

log = logging.getLogger(__name__)

SEARCH_LIMIT = 500  # rows shown at once; more matches ask the user to type more


class ChangeKind(enum.StrEnum):
    """What happened to a patient record."""

    CREATED = "created"
    UPDATED = "updated"
    ARCHIVED = "archived"
    RESTORED = "restored"


@dataclass(frozen=True)
class PatientChange:
    """Payload of ``patient_changed``: the record as stored after the change."""

    kind: ChangeKind
    patient: Patient


@dataclass(frozen=True)
class PatientSearch:
    """Result of one search: at most ``limit`` patients; ``truncated`` when more matched."""

    query: str
    include_archived: bool
    patients: tuple[Patient, ...]
    truncated: bool
    elapsed_ms: float


class PatientService(QObject):
    """Patient records through the storage layer; every write carries its audit row.

    Each call checks the acting user's role (accounts.PermissionDenied); user_id None is the
    program itself (demo seeding, the command line, tests) and may do everything.
    """

    patient_changed = Signal(object)  # PatientChange

    def __init__(
        self, db: Database, *, user_id: int | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.user_id = user_id

    @property
    def database(self) -> Database:
        """The database this service reads and writes (for display of its path)."""
        return self._db

    def search(
        self, query: str, *, include_archived: bool = False, limit: int = SEARCH_LIMIT
    ) -> PatientSearch:
        """Patients whose name, clinic id or date of birth match every word typed."""
        require_user_id(self._db, self.user_id, Permission.VIEW_PATIENTS)
        started = time.perf_counter()
        found = search_patients(self._db, query, include_archived=include_archived, limit=limit + 1)
        elapsed = (time.perf_counter() - started) * 1000
        return PatientSearch(
            query, include_archived, tuple(found[:limit]), len(found) > limit, elapsed
        )

    def get(self, patient_id: int) -> Patient:
        """One patient by id (archived too); storage.NotFound when there is none; audited."""
        # Permission first: a refused user must not learn whether an id exists.
        require_user_id(self._db, self.user_id, Permission.VIEW_PATIENTS)
        patient = get_patient(self._db, patient_id)
        require_patient_read(self._db, self.user_id, patient_id)
        return patient

    def create(self, fields: PatientFields) -> Patient:
        """Store a new patient; FormError names the field refused."""
        require_user_id(self._db, self.user_id, Permission.EDIT_PATIENTS)
        try:
            patient = create_patient(self._db, fields, by=self.user_id)
        except ValidationError as exc:
            raise FormError.from_exception(exc) from None
        log.info("patient %d created", patient.id)
        self.patient_changed.emit(PatientChange(ChangeKind.CREATED, patient))
        return patient

    def update(self, patient_id: int, fields: PatientFields) -> Patient:
        """Replace a patient's editable fields; FormError names the field refused."""
        require_user_id(self._db, self.user_id, Permission.EDIT_PATIENTS)
        try:
            patient = update_patient(self._db, patient_id, fields, by=self.user_id)
        except ValidationError as exc:
            raise FormError.from_exception(exc) from None
        self.patient_changed.emit(PatientChange(ChangeKind.UPDATED, patient))
        return patient

    def archive(self, patient_id: int, *, archived: bool = True) -> Patient:
        """Archive a patient (never deleted), or restore one with ``archived=False``."""
        require_user_id(self._db, self.user_id, Permission.ARCHIVE_PATIENTS)
        patient = archive_patient(self._db, patient_id, by=self.user_id, archived=archived)
        kind = ChangeKind.ARCHIVED if archived else ChangeKind.RESTORED
        log.info("patient %d %s", patient_id, kind.value)
        self.patient_changed.emit(PatientChange(kind, patient))
        return patient

    def history(self, patient_id: int) -> PatientHistory:
        """The patient with screenings, clearances and sessions, newest first; audited."""
        history = load_history(self._db, patient_id)
        require_patient_read(self._db, self.user_id, patient_id)
        return history
