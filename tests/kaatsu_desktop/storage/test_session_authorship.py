"""Who started a session and who changed it last (finished, aborted, interrupted), and when.

Schema 5 adds updated_at and updated_by to sessions; an older database gets them from the audit
log's last change of each session (issue 7: every record shows who created and last changed it).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from kaatsu_desktop.storage import (
    Database,
    NewSession,
    SessionStatus,
    create_patient,
    create_session,
    create_user,
    finish_session,
    get_session,
    list_audit,
    mark_interrupted,
    open_database,
    update_session,
)
from kaatsu_desktop.storage.audit import write_audit
from kaatsu_desktop.storage.schema import MIGRATIONS

from .helpers import FakeClock, fields

PROTOCOL = {"name": "cycle", "cycles": 3}


def test_a_session_names_who_started_it_and_who_changed_it_last(
    db: Database, clock: FakeClock
) -> None:
    aiko = create_user(db, "Dr Aiko Tanaka", "clinician", by=None)
    ben = create_user(db, "Ben Okafor", "clinician", by=None)
    patient = create_patient(db, fields(), by=aiko.id)
    started = create_session(db, NewSession(patient.id, PROTOCOL), by=aiko.id)
    assert (started.created_by, started.updated_by) == (aiko.id, aiko.id)
    assert started.updated_at == started.started_at == clock.now

    clock.advance(minutes=5)
    noted = update_session(db, started.id, by=aiko.id, summary={"phase": "arms"})
    assert (noted.updated_by, noted.updated_at) == (aiko.id, clock.now)

    clock.advance(minutes=20)
    finished = finish_session(db, started.id, "completed", by=ben.id)
    assert finished.created_by == aiko.id  # who started it stays
    assert (finished.updated_by, finished.updated_at) == (ben.id, clock.now)
    assert get_session(db, started.id) == finished
    # The audit row of the change says the same.
    (row,) = [a for a in list_audit(db, entity="session") if a.action == "completed"]
    assert row.user_id == ben.id and row.after["updated_by"] == ben.id

    other = create_patient(db, fields(clinic_id="KC-2"), by=aiko.id)
    running = create_session(db, NewSession(other.id, PROTOCOL), by=aiko.id)
    clock.advance(minutes=1)
    interrupted = mark_interrupted(db, running.id, reason="power lost")
    assert interrupted.status is SessionStatus.INTERRUPTED
    assert (interrupted.updated_by, interrupted.updated_at) == (None, clock.now)  # the program


def _insert_v4_session(
    db: Database, patient_id: int, by: int | None, started: str, ended: str | None, status: str
) -> int:
    with db.transaction() as sdb:
        cur = sdb.execute(
            "INSERT INTO sessions (patient_id, protocol_json, started_at, ended_at, status,"
            " created_by) VALUES (?, '{}', ?, ?, ?, ?)",
            [patient_id, started, ended, status, by],
        )
        return int(cur.lastrowid)


def _audit(db: Database, at: str, by: int | None, action: str, session_id: int) -> None:
    with db.transaction() as sdb:
        write_audit(
            sdb,
            at=datetime.fromisoformat(at),
            user_id=by,
            action=action,
            entity="session",
            entity_id=session_id,
        )


def test_an_older_database_gets_each_sessions_last_change_from_its_audit_log(
    db_path: Path, clock: FakeClock
) -> None:
    old = Database.open(db_path, clock=clock, auto_backup=False, migrations=MIGRATIONS[:4])
    try:
        assert old.schema_version == 4
        aiko = create_user(old, "Dr Aiko Tanaka", "clinician", by=None).id
        ben = create_user(old, "Ben Okafor", "clinician", by=None).id
        ids = [create_patient(old, fields(clinic_id=f"KC-{i}"), by=aiko).id for i in range(4)]
        t0 = "2026-03-01T08:00:00.000+00:00"
        t1 = "2026-03-01T08:30:00.000+00:00"
        done = _insert_v4_session(old, ids[0], aiko, t0, t1, "completed")
        _audit(old, t0, aiko, "start", done)
        _audit(old, t1, ben, "completed", done)
        _audit(old, "2026-03-02T09:00:00.000+00:00", aiko, "export", done)  # a read, no change
        running = _insert_v4_session(old, ids[1], aiko, t0, None, "running")
        _audit(old, t0, aiko, "start", running)
        lost = _insert_v4_session(old, ids[2], aiko, t0, t1, "interrupted")
        _audit(old, t0, aiko, "start", lost)
        _audit(old, "2026-03-01T09:00:00.000+00:00", None, "interrupt", lost)
        unaudited = _insert_v4_session(old, ids[3], ben, t0, t1, "aborted")
    finally:
        old.close()

    with open_database(db_path, clock=clock, auto_backup=False) as db:
        assert db.schema_version == len(MIGRATIONS) == 5

        def last(session_id: int) -> tuple[int | None, str | None]:
            record = get_session(db, session_id)
            changed = record.updated_at.isoformat(timespec="milliseconds")
            return record.updated_by, changed

        assert last(done) == (ben, t1)
        assert get_session(db, done).created_by == aiko
        assert last(lost) == (None, "2026-03-01T09:00:00.000+00:00")
        assert last(unaudited) == (ben, t1)  # no audit row: its end and its starter
        # Opening marked the running one interrupted, by the program itself, at open.
        record = get_session(db, running)
        assert record.status is SessionStatus.INTERRUPTED and record.updated_by is None
        assert record.updated_at == clock.now
        # A finished session still cannot change: the trigger is back.
        with db.reading() as sdb, pytest.raises(sqlite3.IntegrityError, match="cannot change"):
            sdb.conn.execute("UPDATE sessions SET updated_by = NULL WHERE id = ?", [done])
