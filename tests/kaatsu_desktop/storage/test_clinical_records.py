"""Screenings and clearances: append-only documents, validated before anything is written."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from kaatsu_desktop.storage import (
    Database,
    NewClearance,
    NewScreening,
    User,
    ValidationError,
    add_clearance,
    add_screening,
    archive_patient,
    create_patient,
    get_screening,
    latest_screening,
    list_audit,
    list_clearances,
    list_screenings,
)

from .helpers import FakeClock, count, fields

SCREENING_INPUT = {
    "format": "kaatsu-screening/1",
    "assessed_on": "2026-02-20",
    "sex": "female",
    "date_of_birth": "1960-04-12",
    "height_cm": 162.5,
    "weight_kg": 70.2,
    "systolic_mmhg": 165,
    "diastolic_mmhg": 88,
    "under_treatment_for": ["hypertension"],
    "symptoms": [],
    "history": [],
    "family_history_premature_cardiac_event": False,
    "ecg_findings": [],
    "acute_conditions": [],
    "pregnancy": "no",
    "thrombosis_factors": ["varicose_veins"],
    "last_surgery_on": None,
    "wound_sites": [],
    "lower_limb_joint_damage": False,
}
ASSESSMENT = {
    "format": "kaatsu-assessment/1",
    "verdict": "clearance",
    "bmi": 26.6,
    "thrombosis_points": 6,
    "rules": [{"id": "S-BP-2", "verdict": "clearance", "message": "Blutdruck 165 — Arzt fragen"}],
    "not_assessed": ["S-DM"],
}


def _screening(patient_id: int, **overrides: object) -> NewScreening:
    values: dict[str, object] = {
        "patient_id": patient_id,
        "assessed_on": "2026-02-20",
        "input": SCREENING_INPUT,
        "assessment": ASSESSMENT,
        "verdict": "clearance",
    }
    values.update(overrides)
    return NewScreening(**values)  # type: ignore[arg-type]


def test_screenings_are_appended_and_the_latest_is_found(
    db: Database, clinician: User, clock: FakeClock
) -> None:
    patient = create_patient(db, fields(), by=clinician.id)
    assert latest_screening(db, patient.id) is None
    first = add_screening(db, _screening(patient.id), by=clinician.id)
    assert first.input == SCREENING_INPUT and first.assessment == ASSESSMENT
    assert (first.assessed_on, first.created_at, first.created_by) == (
        date(2026, 2, 20),
        clock.now,
        clinician.id,
    )
    newer_input = {**SCREENING_INPUT, "assessed_on": "2026-03-01", "systolic_mmhg": 130}
    clear = {**ASSESSMENT, "verdict": "clear", "rules": []}
    second = add_screening(
        db,
        _screening(
            patient.id,
            assessed_on=date(2026, 3, 1),
            input=newer_input,
            assessment=clear,
            verdict="clear",
        ),
        by=clinician.id,
    )
    assert latest_screening(db, patient.id) == second
    assert list_screenings(db, patient.id) == [second, first]
    assert get_screening(db, first.id) == first  # never overwritten (P-SCR-1 keeps history)
    actions = [(e.action, e.entity_id) for e in list_audit(db, entity="screening")]
    assert actions == [("create", first.id), ("create", second.id)]
    assert list_audit(db, entity="screening")[0].after["assessment"]["rules"][0]["id"] == "S-BP-2"


def test_screenings_cannot_be_changed_or_deleted(db: Database) -> None:
    patient = create_patient(db, fields(), by=None)
    record = add_screening(db, _screening(patient.id), by=None)
    with db.reading() as sdb:
        for sql in ("UPDATE screenings SET verdict = 'clear'", "DELETE FROM screenings"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                sdb.conn.execute(sql)
    assert get_screening(db, record.id) == record


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("verdict", {"verdict": "fine"}),
        ("verdict", {"verdict": "caution"}),  # differs from the assessment's own verdict
        ("assessed_on", {"assessed_on": "2026-03-03"}),  # in the future of the injected clock
        ("assessed_on", {"assessed_on": "2026-02-21"}),  # differs from the input's assessed_on
        ("assessed_on", {"assessed_on": "20.02.2026"}),
        ("input", {"input": ["not", "an", "object"]}),
        ("assessment", {"assessment": {**ASSESSMENT, "bmi": float("nan")}}),
        ("assessment", {"assessment": {**ASSESSMENT, "when": date(2026, 1, 1)}}),
        ("patient_id", {"patient_id": 999}),
        ("patient_id", {"patient_id": "1"}),
    ],
)
def test_invalid_screening_writes_nothing(
    db: Database, field: str, overrides: dict[str, object]
) -> None:
    patient = create_patient(db, fields(), by=None)
    values = {"patient_id": patient.id, **overrides}
    with pytest.raises(ValidationError) as info:
        add_screening(db, _screening(**values), by=None)  # type: ignore[arg-type]
    assert info.value.field == field
    assert count(db, "screenings") == 0 and count(db, "audit_log") == 1


def test_archived_patient_takes_no_new_records(db: Database) -> None:
    patient = create_patient(db, fields(), by=None)
    archive_patient(db, patient.id, by=None)
    with pytest.raises(ValidationError, match="archived"):
        add_screening(db, _screening(patient.id), by=None)
    clearance = NewClearance(patient.id, "Dr Sato", "2026-03-01", ["S-BP-2"], "2026-09-01", "BP ok")
    with pytest.raises(ValidationError, match="archived"):
        add_clearance(db, clearance, by=None)


def test_clearances_round_trip_and_filter_by_validity(db: Database, clinician: User) -> None:
    patient = create_patient(db, fields(), by=None)
    old = add_clearance(
        db,
        NewClearance(patient.id, "Dr Sato", "2025-01-10", ("S-BP-2",), "2025-07-10", "BP ok"),
        by=clinician.id,
    )
    current = add_clearance(
        db,
        NewClearance(
            patient.id,
            "Dr Ōtani",
            date(2026, 2, 1),
            ["S-DVT-2", "S-T1-4", "S-DVT-2"],
            date(2026, 8, 1),
            'Exercise ECG normal; "low pressure" only',
        ),
        by=clinician.id,
    )
    assert current.rules == ("S-DVT-2", "S-T1-4")  # duplicates dropped, order kept
    assert current.physician == "Dr Ōtani" and current.created_by == clinician.id
    assert list_clearances(db, patient.id) == [current, old]
    assert list_clearances(db, patient.id, valid_on=date(2026, 3, 2)) == [current]
    assert list_clearances(db, patient.id, valid_on=date(2025, 7, 9)) == [old]
    # expires_on is the first day a clearance no longer counts (the pre-session check's reading)
    assert list_clearances(db, patient.id, valid_on=date(2025, 7, 10)) == []
    assert list_clearances(db, patient.id, valid_on=date(2026, 7, 31)) == [current]
    assert list_clearances(db, patient.id, valid_on=date(2026, 8, 1)) == []
    assert [e.action for e in list_audit(db, entity="clearance")] == ["create", "create"]
    with db.reading() as sdb, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sdb.conn.execute("UPDATE clearances SET expires_on = '2099-01-01'")


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("physician", {"physician": "  "}),
        ("issued_on", {"issued_on": "2026-03-03"}),
        ("issued_on", {"issued_on": "2026-02-30"}),
        ("expires_on", {"expires_on": "2026-01-31"}),  # before it was issued
        ("rules", {"rules": []}),
        ("rules", {"rules": "S-BP-2"}),
        ("rules", {"rules": ["S-BP-2", "BP2"]}),
        ("rules", {"rules": ["S-BP-2; DROP TABLE clearances"]}),
        ("note", {"note": "x" * 10_001}),
    ],
)
def test_invalid_clearance_writes_nothing(
    db: Database, field: str, change: dict[str, object]
) -> None:
    patient = create_patient(db, fields(), by=None)
    values: dict[str, object] = {
        "patient_id": patient.id,
        "physician": "Dr Sato",
        "issued_on": "2026-02-01",
        "rules": ["S-BP-2"],
        "expires_on": "2026-08-01",
        "note": "",
    }
    values.update(change)
    with pytest.raises(ValidationError) as info:
        add_clearance(db, NewClearance(**values), by=None)  # type: ignore[arg-type]
    assert info.value.field == field
    assert count(db, "clearances") == 0 and count(db, "audit_log") == 1


@pytest.mark.parametrize(
    ("expires_on", "note", "field"),
    [
        ("2026-02-01", "ok", "expires_on"),
        ("2026-01-31", "ok", "expires_on"),
        ("2026-02-02", "", "note"),
    ],
)
def test_clearance_needs_a_note_and_an_expiry_after_issue(
    db: Database, clinician: User, expires_on: str, note: str, field: str
) -> None:
    patient = create_patient(db, fields(), by=None)
    with pytest.raises(ValidationError) as err:
        add_clearance(
            db,
            NewClearance(patient.id, "Dr Sato", "2026-02-01", ("S-BP-2",), expires_on, note),
            by=clinician.id,
        )
    assert err.value.field == field
    assert list_clearances(db, patient.id) == []
    ok = add_clearance(
        db,
        NewClearance(patient.id, "Dr Sato", "2026-02-01", ("S-BP-2",), "2026-02-02", "ok"),
        by=clinician.id,
    )
    assert ok.valid_on(date(2026, 2, 1)) and not ok.valid_on(date(2026, 2, 2))
