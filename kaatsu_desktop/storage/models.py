"""Typed values going into and coming out of the storage layer (frozen dataclasses)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from kaatsu_desktop.clinical.vocab import Sex  # one spelling for the record and the screening


class Role(enum.StrEnum):
    """What a user may do (enforced by the accounts issue; stored here)."""

    ADMINISTRATOR = "administrator"
    CLINICIAN = "clinician"
    TRAINER = "trainer"


class SessionStatus(enum.StrEnum):
    """Life cycle of a session row: running, then exactly one final state."""

    RUNNING = "running"
    COMPLETED = "completed"
    ABORTED = "aborted"
    INTERRUPTED = "interrupted"


# Screening verdicts, mildest to strongest (clinical-rules.md).
VERDICTS: tuple[str, ...] = ("clear", "caution", "clearance", "blocked_today", "contraindicated")
# Alarm priorities of session events (issue 4: high, medium, low).
PRIORITIES: tuple[str, ...] = ("high", "medium", "low")


@dataclasses.dataclass(frozen=True, slots=True)
class User:
    """A person who uses the workstation."""

    id: int
    name: str
    role: Role
    created_at: datetime
    created_by: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class PatientFields:
    """The editable fields of a patient; `date_of_birth` may be an ISO string from a form."""

    clinic_id: str
    given_name: str
    family_name: str
    date_of_birth: date | str
    sex: Sex | str
    # Kept out of repr so that a logged record never spills clinical notes into a log file.
    contact: str = dataclasses.field(default="", repr=False)
    notes: str = dataclasses.field(default="", repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Patient:
    """A stored patient; archived patients are hidden from lists, never deleted."""

    id: int
    clinic_id: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    contact: str = dataclasses.field(repr=False)
    notes: str = dataclasses.field(repr=False)
    archived: bool
    created_at: datetime
    created_by: int | None
    updated_at: datetime
    updated_by: int | None

    @property
    def fields(self) -> PatientFields:
        """The editable fields, for a form or for `update_patient`."""
        return PatientFields(
            clinic_id=self.clinic_id,
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            contact=self.contact,
            notes=self.notes,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class NewScreening:
    """A screening to store: the kaatsu-screening/1 input and the kaatsu-assessment/1 output."""

    patient_id: int
    assessed_on: date | str
    input: Mapping[str, Any]
    assessment: Mapping[str, Any]
    verdict: str


@dataclasses.dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """A stored screening; screenings are append-only."""

    id: int
    patient_id: int
    assessed_on: date
    input: dict[str, Any]
    assessment: dict[str, Any]
    verdict: str
    created_at: datetime
    created_by: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class NewClearance:
    """A physician clearance covering some rule ids (for example S-BP-2) until `expires_on`."""

    patient_id: int
    physician: str
    issued_on: date | str
    rules: Sequence[str]
    expires_on: date | str
    note: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class ClearanceRecord:
    """A stored clearance; clearances are append-only."""

    id: int
    patient_id: int
    physician: str
    issued_on: date
    rules: tuple[str, ...]
    expires_on: date
    note: str
    created_at: datetime
    created_by: int | None

    def valid_on(self, day: date) -> bool:
        """True when in force on `day` (issued_on <= day < expires_on, as the pre-session check).

        `expires_on` is the first day on which the clearance no longer counts.
        """
        return self.issued_on <= day < self.expires_on


@dataclasses.dataclass(frozen=True, slots=True)
class NewSession:
    """A session about to start; `patient_id` may be None only for a demo session."""

    patient_id: int | None
    protocol: Mapping[str, Any]
    demo: bool = False
    device: Mapping[str, Any] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SessionRecord:
    """A stored session row."""

    id: int
    patient_id: int | None
    protocol: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    demo: bool
    device: dict[str, Any] | None
    summary: dict[str, Any] | None
    end_reason: str | None
    created_by: int | None
    # Who changed it last (summary recorded, finished, aborted, interrupted) and when; at the
    # start, its starter and start time. None by: the program itself (an interruption at open).
    updated_at: datetime | None = None
    updated_by: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SessionEvent:
    """Something that happened in a session at `t_ms` after its start (alarm, release, phase...)."""

    t_ms: int
    kind: str
    message: str = ""
    rule_id: str | None = None
    priority: str | None = None
    data: Mapping[str, Any] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log."""

    id: int
    at: datetime
    user_id: int | None
    action: str
    entity: str
    entity_id: int | None
    before: Any
    after: Any


def to_json_value(value: Any) -> Any:
    """Turn a record (dataclass, enum, date, tuple...) into plain JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    return value
