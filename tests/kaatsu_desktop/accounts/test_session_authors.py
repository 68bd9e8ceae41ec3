"""session_authors: the same authors as from the full session records, in two queries."""

from __future__ import annotations

from datetime import timedelta

from kaatsu_desktop.accounts import resolve_names, session_authors
from kaatsu_desktop.accounts.session_authors import authors_of
from kaatsu_desktop.storage import (
    NewSession,
    SessionStatus,
    create_patient,
    create_session,
    finish_session,
    list_sessions,
    mark_interrupted,
)
from tests.kaatsu_desktop.storage.helpers import fields


def test_authors_of_every_session_in_two_queries_whatever_their_number(
    db, clock, admin, clinician
) -> None:
    patient = create_patient(db, fields(), by=clinician.id)
    other = create_patient(db, fields(clinic_id="KC-00002"), by=clinician.id)
    for i in range(30):
        clock.advance(hours=5)
        record = create_session(db, NewSession(patient.id, {"id": "p"}), by=clinician.id)
        clock.advance(minutes=20)
        if i % 3 == 0:
            finish_session(db, record.id, SessionStatus.COMPLETED, by=admin.id)
        elif i < 29:  # a patient has one running session at most: the newest here
            mark_interrupted(db, record.id, reason="power lost")
    create_session(db, NewSession(other.id, {"id": "p"}), by=admin.id)
    create_session(db, NewSession(None, {}, demo=True), by=clinician.id)

    statements: list[str] = []
    with db.reading():
        db.conn.set_trace_callback(statements.append)
    try:
        authors = session_authors(db, patient.id)
    finally:
        with db.reading():
            db.conn.set_trace_callback(None)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2

    records = list_sessions(db, patient.id)
    names = resolve_names(db, [r.created_by for r in records] + [r.updated_by for r in records])
    expected = {a.session_id: a for a in authors_of(records, names)}
    assert authors == expected and len(authors) == 30
    assert list(authors) == [r.id for r in records]  # newest first, as the table
    completed = [a for a in authors.values() if a.status is SessionStatus.COMPLETED]
    assert {(a.started_by, a.changed_by) for a in completed} == {("Dr Aiko Tanaka", "Admin Ana")}
    assert all(a.changed_at - a.started_at == timedelta(minutes=20) for a in completed)
