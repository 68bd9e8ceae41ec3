"""Patient history lines and the demo database marker."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kaatsu_desktop.services import Services, clearance_in_force
from kaatsu_desktop.services.demo import (
    DatabaseModeError,
    check_database_mode,
    seed_demo_patients,
)
from kaatsu_desktop.storage import (
    ClearanceRecord,
    Database,
    NewSession,
    SessionEvent,
    SessionStatus,
    add_session_events,
    create_session,
    finish_session,
)
from tests.kaatsu_desktop.services.conftest import TODAY, screening_today
from tests.kaatsu_desktop.storage.helpers import fields


def test_history_lists_screenings_clearances_and_sessions(services: Services, db: Database) -> None:
    patient = services.patients.create(fields(clinic_id="KC-1", date_of_birth="1970-05-01"))
    services.screenings.save(patient.id, screening_today(systolic_mmhg=165))
    services.screenings.record_clearance(
        patient.id, physician="Dr Moreau", issued_on=TODAY, note="ok", rules=["S-BP-2"],
        expires_on=TODAY + timedelta(days=30),
    )  # fmt: skip
    protocol = {"id": "cycle-mmhg", "name": "Cycle (mmHg)"}
    done = create_session(db, NewSession(patient.id, protocol), by=None)
    add_session_events(
        db,
        done.id,
        [
            SessionEvent(1000, "alarm", "leak", priority="medium"),
            SessionEvent(2000, "phase", "arms"),
            SessionEvent(3000, "alarm", "limit", rule_id="T-TIME-1", priority="high"),
        ],
    )
    summary = {"groups": {"arms": {"restriction_s": 612}, "legs": {"restriction_s": 0}}}
    finish_session(db, done.id, SessionStatus.COMPLETED, by=None, summary=summary)
    bare = create_session(db, NewSession(patient.id, {"id": "constant-mmhg"}), by=None)
    finish_session(db, bare.id, SessionStatus.ABORTED, by=None, end_reason="dizziness")

    history = services.patients.history(patient.id)
    assert history.today == TODAY
    assert [s.verdict for s in history.screenings] == ["clearance"]
    assert history.clearances[0].rules == ("S-BP-2",)
    by_id = {s.id: s for s in history.sessions}
    assert by_id[done.id].minutes == {"arms": 10.2, "legs": 0.0}
    assert by_id[done.id].alarms == 2 and by_id[done.id].protocol == "Cycle (mmHg)"
    assert by_id[bare.id].minutes == {"arms": None, "legs": None}
    assert by_id[bare.id].alarms == 0 and by_id[bare.id].protocol == "constant-mmhg"
    assert by_id[bare.id].end_reason == "dizziness"


def test_clearance_in_force_excludes_the_expiry_day() -> None:
    record = ClearanceRecord(
        1, 1, "Dr Moreau", date(2026, 3, 1), ("S-BP-2",), date(2026, 3, 10), "", None, None
    )  # type: ignore[arg-type]
    assert not clearance_in_force(record, date(2026, 2, 28))
    assert clearance_in_force(record, date(2026, 3, 1))
    assert clearance_in_force(record, date(2026, 3, 9))
    assert not clearance_in_force(record, date(2026, 3, 10))


def test_demo_marker_keeps_the_two_kinds_of_file_apart(services: Services, db: Database) -> None:
    check_database_mode(db, demo=False)  # a fresh file is a clinic file
    check_database_mode(db, demo=True)  # ...or becomes a demo file, marked
    with pytest.raises(DatabaseModeError):
        check_database_mode(db, demo=False)
    check_database_mode(db, demo=True)


def test_demo_mode_refuses_a_clinic_file_with_records(services: Services, db: Database) -> None:
    services.patients.create(fields())
    with pytest.raises(DatabaseModeError):
        check_database_mode(db, demo=True)
    check_database_mode(db, demo=False)


def test_seed_demo_patients_once(services: Services) -> None:
    created = seed_demo_patients(services.patients, services.screenings)
    assert len(created) >= 5
    verdicts = {s.verdict for p in created for s in services.patients.history(p.id).screenings}
    assert {"contraindicated", "clearance", "clear"} <= verdicts
    assert seed_demo_patients(services.patients, services.screenings) == []
