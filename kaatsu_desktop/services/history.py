"""A patient's history for the patient page: screenings, clearances and sessions, newest first."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import ModuleType
from typing import Any

from kaatsu_desktop.session.model import LimbGroup
from kaatsu_desktop.storage import (
    ClearanceRecord,
    Database,
    Patient,
    ScreeningRecord,
    SessionRecord,
    SessionStatus,
    get_patient,
    list_clearances,
    list_screenings,
)
from kaatsu_desktop.storage.sessions import SessionHeadline, list_session_headlines

# The summary's group names (session.summary.GROUP_NAMES), from the model: the summary module
# brings the device link (bleak, D-Bus) with it, which start-up does without (issue 8).
LIMB_GROUPS: tuple[str, ...] = tuple(group.value for group in LimbGroup)
GROUP_NAMES = LIMB_GROUPS


@dataclass(frozen=True)
class SessionSummary:
    """One line of the session history."""

    id: int
    started_at: datetime
    protocol: str
    minutes: Mapping[str, float | None]  # restriction minutes per limb group; None: not recorded
    alarms: int
    status: SessionStatus
    demo: bool
    end_reason: str | None
    # The automatic-release limit in minutes the session kept (T-TIME-1/2); None: not kept.
    limits: Mapping[str, float | None] = field(default_factory=dict)
    # The protocol's starting pressure per limb group at its level; None: not recorded.
    pressures: Mapping[str, float | None] = field(default_factory=dict)
    unit: str | None = None  # the protocol's pressure unit (mmHg or SKU), never converted


@dataclass(frozen=True)
class PatientHistory:
    """Everything the patient page shows, read in one go; ``today`` is the clinic's date."""

    patient: Patient
    today: date
    screenings: tuple[ScreeningRecord, ...]
    clearances: tuple[ClearanceRecord, ...]
    sessions: tuple[SessionSummary, ...]


def clearance_in_force(record: ClearanceRecord, day: date) -> bool:
    """True when the clearance counts on ``day``: issued on or before it, ``expires_on`` excluded.

    Same reading as the pre-session check (clinical.Clearance.covers): ``expires_on`` is the first
    day on which the clearance no longer counts.
    """
    return record.issued_on <= day < record.expires_on


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _entry(mapping: object, key: str) -> Mapping[str, Any]:
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def kept_limits(summary: Mapping[str, Any] | None) -> dict[str, float | None]:
    """Limit minutes per limb group from the summary's ``limits`` (T-TIME-1/2); None: not kept."""
    limits = (summary or {}).get("limits")
    out: dict[str, float | None] = {}
    for group in GROUP_NAMES:
        seconds = _number(_entry(limits, group).get("limit_s"))
        out[group] = None if seconds is None else round(seconds / 60, 2)
    return out


def protocol_pressures(protocol: Mapping[str, Any]) -> dict[str, float | None]:
    """The protocol's starting pressure per limb group at its level; None where not recorded."""
    level = protocol.get("level")
    pressures = protocol.get("pressures")
    return {
        group: _number(_entry(pressures, group).get(level)) if isinstance(level, str) else None
        for group in GROUP_NAMES
    }


@functools.cache
def _summary_module() -> ModuleType:
    from kaatsu_desktop.session import summary  # at the first history read, not at start

    return summary


def summarise_session(record: SessionRecord | SessionHeadline, alarm_events: int) -> SessionSummary:
    """History line of one stored session; ``alarm_events`` counts its events with a priority."""
    # The summary's schema is kaatsu_desktop/session/summary.py (T-TIME-3 restriction time).
    summary = _summary_module()
    minutes = {
        group: None if seconds is None else round(seconds / 60, 1)
        for group, seconds in summary.restriction_seconds(record.summary).items()
    }
    alarms = summary.alarms_raised(record.summary)
    if alarms is None:
        alarms = alarm_events
    protocol = record.protocol.get("name") or record.protocol.get("id") or "?"
    unit = record.protocol.get("unit") or (record.summary or {}).get("unit")
    return SessionSummary(
        id=record.id,
        started_at=record.started_at,
        protocol=str(protocol),
        minutes=minutes,
        alarms=alarms,
        status=record.status,
        demo=record.demo,
        end_reason=record.end_reason,
        limits=kept_limits(record.summary),
        pressures=protocol_pressures(record.protocol),
        unit=unit if isinstance(unit, str) and unit.strip() else None,
    )


def _alarm_counts(db: Database, patient_id: int) -> dict[int, int]:
    # One grouped query instead of reading every session's events (a patient may have hundreds).
    with db.reading() as sdb:
        rows = sdb.execute(
            "SELECT e.session_id, count(*) FROM session_events AS e"
            " JOIN sessions AS s ON s.id = e.session_id"
            " WHERE s.patient_id = ? AND e.priority IS NOT NULL GROUP BY e.session_id",
            [patient_id],
        ).fetchall()
    return {int(session_id): int(n) for session_id, n in rows}


def load_history(db: Database, patient_id: int) -> PatientHistory:
    """Read a patient's record and history; storage.NotFound when there is no such patient."""
    patient = get_patient(db, patient_id)
    alarms = _alarm_counts(db, patient_id)
    return PatientHistory(
        patient=patient,
        today=db.today(),
        screenings=tuple(list_screenings(db, patient_id)),
        clearances=tuple(list_clearances(db, patient_id)),
        sessions=tuple(
            summarise_session(s, alarms.get(s.id, 0))
            for s in list_session_headlines(db, patient_id)
        ),
    )
