"""Screenings and physician clearances: live checks of a form, dated saves, clearance records."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Signal

from kaatsu_desktop.accounts.permissions import Permission, require_user_id
from kaatsu_desktop.clinical import (
    Assessment,
    Clearance,
    ClinicalInputError,
    FieldError,
    ScreeningInput,
    ScreeningInputError,
    ScreeningOnFile,
    Verdict,
    assess,
    parse_screening,
)
from kaatsu_desktop.services.errors import FormError
from kaatsu_desktop.services.settings import SettingsService
from kaatsu_desktop.storage import (
    ClearanceRecord,
    Database,
    NewClearance,
    NewScreening,
    ScreeningRecord,
    ValidationError,
    add_clearance,
    add_screening,
    latest_screening,
    list_clearances,
)

log = logging.getLogger(__name__)

# Keys a kaatsu-screening/1 object must hold (screening-input.md): the fields without a default.
REQUIRED_KEYS: tuple[str, ...] = tuple(
    f.name
    for f in dataclasses.fields(ScreeningInput)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
)


@dataclass(frozen=True)
class ScreeningCheck:
    """Live result of a form: the assessment, or why there is none yet."""

    assessment: Assessment | None
    errors: tuple[FieldError, ...]  # input errors, each naming its key (missing keys excluded)
    missing: tuple[str, ...]  # required keys not given yet


@dataclass(frozen=True)
class ScreeningSaved:
    """Payload of ``screening_saved``: the stored record and its assessment."""

    record: ScreeningRecord
    assessment: Assessment


@dataclass(frozen=True)
class ClearanceSaved:
    """Payload of ``clearance_saved``: the stored clearance."""

    record: ClearanceRecord


def clearance_rules(assessment: Assessment) -> tuple[str, ...]:
    """Ids of the fired rules whose verdict asks for a physician clearance, strongest first."""
    return tuple(r.id for r in assessment.rules if r.verdict is Verdict.CLEARANCE)


def to_clinical(record: ClearanceRecord) -> Clearance:
    """The pre-session check's Clearance of a stored record (PreSessionInputError if unfit)."""
    return Clearance(
        physician=record.physician,
        issued_on=record.issued_on,
        note=record.note,
        rules=frozenset(record.rules),
        expires_on=record.expires_on,
    )


class ScreeningService(QObject):
    """Assesses and stores screenings, and records physician clearances."""

    screening_saved = Signal(object)  # ScreeningSaved
    clearance_saved = Signal(object)  # ClearanceSaved

    def __init__(
        self,
        db: Database,
        settings: SettingsService,
        *,
        user_id: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._settings = settings
        self.user_id = user_id

    def today(self) -> date:
        """The clinic's date (from the database's injected clock)."""
        return self._db.today()

    def check(self, data: Mapping[str, Any]) -> ScreeningCheck:
        """Assess a kaatsu-screening/1 object as typed so far; pure, nothing is stored."""
        missing = tuple(k for k in REQUIRED_KEYS if k not in data)
        try:
            inp = parse_screening(data)
        except ScreeningInputError as exc:
            errors = tuple(e for e in exc.errors if e.key not in missing)
            return ScreeningCheck(None, errors, missing)
        return ScreeningCheck(assess(inp, self._settings.current()), (), ())

    def save(self, patient_id: int, data: Mapping[str, Any]) -> ScreeningSaved:
        """Assess and store a dated screening (never overwriting one); FormError if refused."""
        require_user_id(self._db, self.user_id, Permission.RECORD_SCREENINGS)
        try:
            inp = parse_screening(data)
        except ScreeningInputError as exc:
            raise FormError.from_exception(exc) from None
        assessment = assess(inp, self._settings.current())
        new = NewScreening(
            patient_id=patient_id,
            assessed_on=inp.assessed_on,
            input=inp.to_json(),
            assessment=assessment.to_json(),
            verdict=assessment.overall,
        )
        try:
            record = add_screening(self._db, new, by=self.user_id)
        except ValidationError as exc:
            raise FormError.from_exception(exc) from None
        log.info("screening %d stored for patient %d: %s", record.id, patient_id, record.verdict)
        saved = ScreeningSaved(record, assessment)
        self.screening_saved.emit(saved)
        return saved

    def record_clearance(
        self,
        patient_id: int,
        *,
        physician: str,
        issued_on: date,
        note: str,
        rules: Iterable[str],
        expires_on: date,
    ) -> ClearanceRecord:
        """Store a physician clearance for the rules named; FormError names the fields refused."""
        require_user_id(self._db, self.user_id, Permission.RECORD_SCREENINGS)
        rule_ids = tuple(dict.fromkeys(rules))
        try:
            # The pre-session check's own rules first (note required, clearable S-rules only,
            # expiry after issue), then the storage's (issue date not in the future).
            Clearance(physician, issued_on, note, frozenset(rule_ids), expires_on)
            record = add_clearance(
                self._db,
                NewClearance(patient_id, physician, issued_on, list(rule_ids), expires_on, note),
                by=self.user_id,
            )
        except (ClinicalInputError, ValidationError) as exc:
            raise FormError.from_exception(exc) from None
        log.info("clearance %d stored for patient %d: %s", record.id, patient_id, rule_ids)
        self.clearance_saved.emit(ClearanceSaved(record))
        return record

    def screening_on_file(self, patient_id: int) -> ScreeningOnFile | None:
        """The latest screening as the pre-session check reads it (P-SCR-1), None if none."""
        require_user_id(self._db, self.user_id, Permission.VIEW_PATIENTS)
        record = latest_screening(self._db, patient_id)
        if record is None:
            return None
        return ScreeningOnFile(record.assessed_on, Assessment.from_json(record.assessment))

    def clearances_on_file(self, patient_id: int) -> tuple[Clearance, ...]:
        """Every stored clearance of a patient that the pre-session check can read."""
        require_user_id(self._db, self.user_id, Permission.VIEW_PATIENTS)
        out = []
        for record in list_clearances(self._db, patient_id):
            try:
                out.append(to_clinical(record))
            except ClinicalInputError as exc:
                # Skipping an unfit record is the stricter side: its rules stay uncleared.
                log.warning("clearance %d not usable for the check: %s", record.id, exc)
        return tuple(out)
