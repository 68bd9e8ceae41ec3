"""A whole patient record as JSON (kaatsu-patient/1), written session by session, read back typed.

The document:

```json
{"format": "kaatsu-patient/1", "exported_at": "2026-03-02T09:30:00+00:00",
 "patient": {...}, "screenings": [...], "clearances": [...],
 "sessions": [{...session row..., "events": [...],
               "samples": [{"channel": 0, "t_ms": [...], "pressure_x10": [...],
                            "target_x10": [...], "phase": [...]}]}]}
```

Records carry every stored field under its storage name (dates and times ISO 8601, enums by value),
oldest first. Samples are included, exactly as stored: one object per channel with parallel
integer arrays, pressures in tenths of the device's unit (the session's protocol names the unit).
That keeps the export loss-free and about 20 bytes per sample of JSON (a 35-minute session at
50 Hz on four channels is about 10 MB); the session CSV is the form for a spreadsheet. The writer
reads one session at a time, so a patient with hundreds of sessions never sits in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TextIO

import numpy as np

from kaatsu_desktop.clinical import Sex
from kaatsu_desktop.storage import (
    SAMPLE_DTYPE,
    ClearanceRecord,
    Database,
    Patient,
    ScreeningRecord,
    SessionEvent,
    SessionRecord,
    SessionStatus,
    get_patient,
    list_clearances,
    list_screenings,
    list_session_events,
    list_sessions,
    read_samples,
)
from kaatsu_desktop.storage.models import to_json_value

FORMAT = "kaatsu-patient/1"
SAMPLE_FIELDS = ("t_ms", "pressure_x10", "target_x10", "phase")


class PatientFileError(ValueError):
    """A patient JSON document that is not kaatsu-patient/1; names where it went wrong."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True, eq=False)
class SessionExport:
    """One session with its events and samples (SAMPLE_DTYPE, by channel then time)."""

    record: SessionRecord
    events: tuple[SessionEvent, ...]
    samples: np.ndarray = field(repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SessionExport):
            return NotImplemented
        return (
            self.record == other.record
            and self.events == other.events
            and self.samples.dtype == other.samples.dtype
            and np.array_equal(self.samples, other.samples)
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class PatientRecord:
    """A patient and everything stored about them, oldest first."""

    patient: Patient
    screenings: tuple[ScreeningRecord, ...]
    clearances: tuple[ClearanceRecord, ...]
    sessions: tuple[SessionExport, ...]


def _session_records(db: Database, patient_id: int) -> list[SessionRecord]:
    return sorted(list_sessions(db, patient_id), key=lambda s: (s.started_at, s.id))


def load_session(db: Database, record: SessionRecord, *, samples: bool = True) -> SessionExport:
    """A session with its events, and its samples unless ``samples`` is False."""
    data = read_samples(db, record.id) if samples else np.empty(0, SAMPLE_DTYPE)
    return SessionExport(record, tuple(list_session_events(db, record.id)), data)


def load_patient_record(db: Database, patient_id: int, *, samples: bool = True) -> PatientRecord:
    """Everything stored about one patient (storage.NotFound when there is none)."""
    patient = get_patient(db, patient_id)
    return PatientRecord(
        patient=patient,
        screenings=tuple(reversed(list_screenings(db, patient_id))),
        clearances=tuple(reversed(list_clearances(db, patient_id))),
        sessions=tuple(
            load_session(db, s, samples=samples) for s in _session_records(db, patient_id)
        ),
    )


def _dumps(value: Any) -> str:
    return json.dumps(to_json_value(value), ensure_ascii=False, allow_nan=False)


def samples_json(samples: np.ndarray) -> list[dict[str, Any]]:
    """Per channel: parallel integer arrays of the samples."""
    out = []
    for channel in np.unique(samples["channel"]).tolist():
        one = samples[samples["channel"] == channel]
        out.append({"channel": channel, **{f: one[f].tolist() for f in SAMPLE_FIELDS}})
    return out


def _session_text(session: SessionExport) -> str:
    head = _dumps(session.record)[:-1]  # the row's fields, object left open
    events = _dumps(list(session.events))
    samples = json.dumps(samples_json(session.samples))
    return f'{head}, "events": {events}, "samples": {samples}}}'


def write_patient_json(
    db: Database, patient_id: int, stream: TextIO, *, exported_at: datetime
) -> int:
    """Write the document to ``stream``, one session at a time; returns the number of sessions."""
    patient = get_patient(db, patient_id)
    screenings = list(reversed(list_screenings(db, patient_id)))
    clearances = list(reversed(list_clearances(db, patient_id)))
    stream.write(f'{{"format": "{FORMAT}", "exported_at": {_dumps(exported_at)},\n')
    stream.write(f' "patient": {_dumps(patient)},\n')
    stream.write(f' "screenings": {_dumps(screenings)},\n')
    stream.write(f' "clearances": {_dumps(clearances)},\n "sessions": [')
    records = _session_records(db, patient_id)
    for i, record in enumerate(records):
        stream.write(("," if i else "") + "\n  " + _session_text(load_session(db, record)))
    stream.write("\n ]}\n")
    return len(records)


def patient_json_text(record: PatientRecord, *, exported_at: datetime) -> str:
    """The whole document as text, from a loaded record (small records and tests)."""
    sessions = ",\n  ".join(_session_text(s) for s in record.sessions)
    return (
        f'{{"format": "{FORMAT}", "exported_at": {_dumps(exported_at)},\n'
        f' "patient": {_dumps(record.patient)},\n'
        f' "screenings": {_dumps(list(record.screenings))},\n'
        f' "clearances": {_dumps(list(record.clearances))},\n'
        f' "sessions": [{sessions}]}}\n'
    )


# -- reading -------------------------------------------------------------------------------------


def _get(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, Mapping):
        raise PatientFileError(where, "must be an object")
    if key not in obj:
        raise PatientFileError(f"{where}.{key}", "missing")
    return obj[key]


def _when(value: Any, where: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PatientFileError(where, "must be an ISO date and time") from None


def _day(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PatientFileError(where, "must be an ISO date") from None


def _patient(obj: Any, w: str = "patient") -> Patient:
    return Patient(
        id=_get(obj, "id", w),
        clinic_id=_get(obj, "clinic_id", w),
        given_name=_get(obj, "given_name", w),
        family_name=_get(obj, "family_name", w),
        date_of_birth=_day(_get(obj, "date_of_birth", w), f"{w}.date_of_birth"),
        sex=Sex(_get(obj, "sex", w)),
        contact=_get(obj, "contact", w),
        notes=_get(obj, "notes", w),
        archived=_get(obj, "archived", w),
        created_at=_when(_get(obj, "created_at", w), f"{w}.created_at"),
        created_by=_get(obj, "created_by", w),
        updated_at=_when(_get(obj, "updated_at", w), f"{w}.updated_at"),
        updated_by=_get(obj, "updated_by", w),
    )


def _screening(obj: Any, w: str) -> ScreeningRecord:
    return ScreeningRecord(
        id=_get(obj, "id", w),
        patient_id=_get(obj, "patient_id", w),
        assessed_on=_day(_get(obj, "assessed_on", w), f"{w}.assessed_on"),
        input=_get(obj, "input", w),
        assessment=_get(obj, "assessment", w),
        verdict=_get(obj, "verdict", w),
        created_at=_when(_get(obj, "created_at", w), f"{w}.created_at"),
        created_by=_get(obj, "created_by", w),
    )


def _clearance(obj: Any, w: str) -> ClearanceRecord:
    return ClearanceRecord(
        id=_get(obj, "id", w),
        patient_id=_get(obj, "patient_id", w),
        physician=_get(obj, "physician", w),
        issued_on=_day(_get(obj, "issued_on", w), f"{w}.issued_on"),
        rules=tuple(_get(obj, "rules", w)),
        expires_on=_day(_get(obj, "expires_on", w), f"{w}.expires_on"),
        note=_get(obj, "note", w),
        created_at=_when(_get(obj, "created_at", w), f"{w}.created_at"),
        created_by=_get(obj, "created_by", w),
    )


def _samples(obj: Any, w: str) -> np.ndarray:
    if not isinstance(obj, list):
        raise PatientFileError(w, "must be a list of channels")
    parts = []
    for i, ch in enumerate(obj):
        cols = {f: np.asarray(_get(ch, f, f"{w}[{i}]"), dtype=np.int64) for f in SAMPLE_FIELDS}
        if len({c.size for c in cols.values()}) != 1:
            raise PatientFileError(f"{w}[{i}]", "sample arrays differ in length")
        part = np.empty(cols["t_ms"].size, SAMPLE_DTYPE)
        part["channel"] = _get(ch, "channel", f"{w}[{i}]")
        for f, col in cols.items():
            part[f] = col
        parts.append(part)
    return np.concatenate(parts) if parts else np.empty(0, SAMPLE_DTYPE)


def _session(obj: Any, w: str) -> SessionExport:
    ended = _get(obj, "ended_at", w)
    changed = obj.get("updated_at")
    record = SessionRecord(
        id=_get(obj, "id", w),
        patient_id=_get(obj, "patient_id", w),
        protocol=_get(obj, "protocol", w),
        started_at=_when(_get(obj, "started_at", w), f"{w}.started_at"),
        ended_at=None if ended is None else _when(ended, f"{w}.ended_at"),
        status=SessionStatus(_get(obj, "status", w)),
        demo=_get(obj, "demo", w),
        device=_get(obj, "device", w),
        summary=_get(obj, "summary", w),
        end_reason=_get(obj, "end_reason", w),
        created_by=_get(obj, "created_by", w),
        # Who changed the session last: files written before schema 5 do not say.
        updated_at=None if changed is None else _when(changed, f"{w}.updated_at"),
        updated_by=obj.get("updated_by"),
    )
    events = tuple(
        SessionEvent(
            t_ms=_get(e, "t_ms", f"{w}.events[{j}]"),
            kind=_get(e, "kind", f"{w}.events[{j}]"),
            message=_get(e, "message", f"{w}.events[{j}]"),
            rule_id=_get(e, "rule_id", f"{w}.events[{j}]"),
            priority=_get(e, "priority", f"{w}.events[{j}]"),
            data=_get(e, "data", f"{w}.events[{j}]"),
        )
        for j, e in enumerate(_get(obj, "events", w))
    )
    return SessionExport(record, events, _samples(_get(obj, "samples", w), f"{w}.samples"))


def parse_patient_json(data: Any) -> PatientRecord:
    """A typed PatientRecord from a decoded kaatsu-patient/1 document; PatientFileError if not."""
    if _get(data, "format", "(document)") != FORMAT:
        raise PatientFileError("format", f"must be {FORMAT!r}")
    try:
        return PatientRecord(
            patient=_patient(_get(data, "patient", "(document)")),
            screenings=tuple(
                _screening(s, f"screenings[{i}]")
                for i, s in enumerate(_get(data, "screenings", "(document)"))
            ),
            clearances=tuple(
                _clearance(c, f"clearances[{i}]")
                for i, c in enumerate(_get(data, "clearances", "(document)"))
            ),
            sessions=tuple(
                _session(s, f"sessions[{i}]")
                for i, s in enumerate(_get(data, "sessions", "(document)"))
            ),
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, PatientFileError):
            raise
        raise PatientFileError("(document)", str(exc)) from None


def read_patient_json(stream: TextIO) -> PatientRecord:
    """Read a kaatsu-patient/1 document from a text stream."""
    try:
        data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise PatientFileError(f"line {exc.lineno}", exc.msg) from None
    return parse_patient_json(data)
