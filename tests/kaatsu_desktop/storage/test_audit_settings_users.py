"""The audit log shares each write's transaction; users and clinic settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from kaatsu_desktop.storage import (
    Database,
    NewClearance,
    NewScreening,
    NewSession,
    Role,
    User,
    ValidationError,
    add_clearance,
    add_screening,
    archive_patient,
    create_patient,
    create_session,
    create_user,
    finish_session,
    get_patient,
    get_setting,
    get_settings,
    list_audit,
    list_users,
    set_settings,
    update_patient,
    write_audit,
)

from .helpers import FakeClock, count, fields


@contextmanager
def audit_refused(db: Database) -> Iterator[None]:
    """Make every audit insert fail, as a full disk or a broken trigger would."""
    with db.reading() as sdb:
        sdb.conn.execute(
            "CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON main.audit_log"
            " BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
        )
    try:
        yield
    finally:
        with db.reading() as sdb:
            sdb.conn.execute("DROP TRIGGER temp.refuse_audit")


def _snapshot(db: Database) -> dict[str, int]:
    tables = ("patients", "screenings", "clearances", "sessions", "users", "settings", "audit_log")
    return {t: count(db, t) for t in tables}


WRITES: dict[str, Callable[[Database, int], object]] = {
    "create_patient": lambda db, pid: create_patient(db, fields(clinic_id="KC-NEW"), by=None),
    "update_patient": lambda db, pid: update_patient(
        db, pid, fields(family_name="Changed"), by=None
    ),
    "archive_patient": lambda db, pid: archive_patient(db, pid, by=None),
    "add_screening": lambda db, pid: add_screening(
        db, NewScreening(pid, "2026-03-01", {}, {}, "clear"), by=None
    ),
    "add_clearance": lambda db, pid: add_clearance(
        db, NewClearance(pid, "Dr Sato", "2026-03-01", ["S-BP-2"], "2026-09-01", "BP ok"), by=None
    ),
    "create_session": lambda db, pid: create_session(db, NewSession(pid, {"m": 1}), by=None),
    "create_user": lambda db, pid: create_user(db, "Nurse Kim", "clinician", by=None),
    "set_settings": lambda db, pid: set_settings(db, {"screening_validity_days": 60}, by=None),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_write_whose_audit_row_fails_is_rolled_back(db: Database, write: str) -> None:
    patient = create_patient(db, fields(), by=None)
    before = _snapshot(db)
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError, match="audit refused"):
        WRITES[write](db, patient.id)
    assert _snapshot(db) == before
    assert get_patient(db, patient.id) == patient
    WRITES[write](db, patient.id)  # the same write succeeds, with its audit row
    assert count(db, "audit_log") == before["audit_log"] + 1


def test_a_failed_write_leaves_no_audit_row(db: Database) -> None:
    create_patient(db, fields(), by=None)
    before = _snapshot(db)
    with pytest.raises(ValidationError):
        create_patient(db, fields(given_name="Other"), by=None)  # duplicate clinic id
    with pytest.raises(ValidationError):
        create_session(db, NewSession(12345, {"m": 1}), by=None)
    assert _snapshot(db) == before


def test_audit_rows_say_who_when_what(db: Database, clinician: User, clock: FakeClock) -> None:
    patient = create_patient(db, fields(), by=clinician.id)
    clock.advance(hours=2)
    session = create_session(db, NewSession(patient.id, {"mode": "cycle"}), by=clinician.id)
    finish_session(db, session.id, "aborted", end_reason="T-REL-2: numbness", by=clinician.id)
    entries = list_audit(db)
    assert [(e.entity, e.action) for e in entries] == [
        ("user", "create"),
        ("patient", "create"),
        ("session", "start"),
        ("session", "aborted"),
    ]
    created = entries[1]
    assert (created.user_id, created.entity_id, created.before) == (clinician.id, patient.id, None)
    assert created.after["clinic_id"] == "KC-00001" and created.at == clock.now.replace(hour=9)
    assert entries[3].at == clock.now
    assert entries[3].after["end_reason"] == "T-REL-2: numbness"
    assert list_audit(db, entity="session", limit=1) == [entries[2]]


def test_audit_log_is_append_only_and_hash_chained(db: Database) -> None:
    create_patient(db, fields(), by=None)
    with db.reading() as sdb:
        for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                sdb.conn.execute(sql)
        prev_hash, row_hash = sdb.conn.execute(
            "SELECT prev_hash, row_hash FROM audit_log"
        ).fetchone()
    assert prev_hash == "0" * 64 and len(row_hash) == 64  # chain: tests/kaatsu_desktop/accounts


def test_write_audit_refuses_to_run_outside_a_transaction(db: Database, clock: FakeClock) -> None:
    with db.reading() as sdb, pytest.raises(RuntimeError, match="inside the transaction"):
        write_audit(
            sdb, at=clock.now, user_id=None, action="x", entity="y", entity_id=None, after={}
        )
    assert count(db, "audit_log") == 0


def test_users(db: Database) -> None:
    admin = create_user(db, "Admin Ana", Role.ADMINISTRATOR, by=None)
    trainer = create_user(db, "trainer tom", "trainer", by=admin.id)
    assert trainer.role is Role.TRAINER and trainer.created_by == admin.id
    assert list_users(db) == [admin, trainer]
    for name, role, field in [
        ("ADMIN ANA", "clinician", "name"),  # names are unique regardless of case
        ("", "clinician", "name"),
        ("Bob", "superuser", "role"),
    ]:
        with pytest.raises(ValidationError) as info:
            create_user(db, name, role, by=admin.id)
        assert info.value.field == field
    assert len(list_users(db)) == 2 and count(db, "audit_log") == 2


def test_settings(db: Database, clinician: User) -> None:
    assert get_settings(db) == {}
    assert get_setting(db, "thrombosis_review_threshold", 3) == 3
    stored = set_settings(
        db,
        {"thrombosis_review_threshold": 4, "limits": {"arms": [10, 15], "legs": [15, 20]}},
        by=clinician.id,
    )
    assert stored == {
        "thrombosis_review_threshold": 4,
        "limits": {"arms": [10, 15], "legs": [15, 20]},
    }
    set_settings(db, {"thrombosis_review_threshold": 4}, by=clinician.id)  # unchanged: no audit
    set_settings(db, {"thrombosis_review_threshold": None}, by=clinician.id)  # reset to default
    assert get_setting(db, "thrombosis_review_threshold", 3) == 3
    entries = list_audit(db, entity="settings")
    assert len(entries) == 2
    assert entries[1].before == {"thrombosis_review_threshold": 4}
    assert entries[1].after == {"thrombosis_review_threshold": None}
    with pytest.raises(ValidationError) as info:
        set_settings(db, {"ok": 1, "bad": float("nan")}, by=clinician.id)
    assert info.value.field == "bad"
    assert "ok" not in get_settings(db)
