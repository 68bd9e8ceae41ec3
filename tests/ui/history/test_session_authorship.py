"""Session rows name who started each session and who finished or last changed it (issue 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from kaatsu_desktop.accounts import session_authors
from kaatsu_desktop.storage import (
    NewSession,
    create_patient,
    create_session,
    create_user,
    finish_session,
    list_users,
    mark_interrupted,
    open_database,
    update_session,
)
from tests.kaatsu_desktop.storage.helpers import FakeClock, fields
from ui.history.authorship import (
    AuthorshipWords,
    CellTexts,
    annotate_session_rows,
    session_authorship_short,
    session_authorship_text,
)

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def stored(tmp_path):
    clock = FakeClock(START)
    db = open_database(tmp_path / "kaatsu.sqlite3", clock=clock, auto_backup=False)
    aiko = create_user(db, "Dr Aiko Tanaka", "clinician", by=None)
    ben = create_user(db, "Ben Okafor", "clinician", by=None)
    patient = create_patient(db, fields(), by=aiko.id)
    ids = {}
    for name, by_end in (("completed", ben.id), ("aborted", aiko.id), ("interrupted", None)):
        clock.now += timedelta(days=1)
        ids[name] = create_session(db, NewSession(patient.id, {"name": "p"}), by=aiko.id).id
        clock.now += timedelta(minutes=30)
        if name == "interrupted":
            mark_interrupted(db, ids[name], reason="power lost")
        else:
            finish_session(db, ids[name], name, by=by_end, end_reason="dizzy")
    clock.now += timedelta(days=1)
    ids["running"] = create_session(db, NewSession(patient.id, {"name": "p"}), by=aiko.id).id
    clock.now += timedelta(days=1)
    ids["demo"] = create_session(db, NewSession(None, {}, demo=True), by=aiko.id).id
    yield db, patient.id, ids
    db.close()


def when(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def test_each_session_names_its_starter_and_who_ended_it(stored) -> None:
    db, patient_id, ids = stored
    authors = session_authors(db, patient_id)
    assert set(authors) == {ids[k] for k in ("completed", "aborted", "interrupted", "running")}
    done = authors[ids["completed"]]
    assert (done.started_by, done.changed_by, done.changed) == (
        "Dr Aiko Tanaka",
        "Ben Okafor",
        True,
    )
    day1 = START + timedelta(days=1)
    assert session_authorship_text(done) == (
        f"Started by Dr Aiko Tanaka on {when(day1)};"
        f" completed by Ben Okafor on {when(day1 + timedelta(minutes=30))}."
    )
    assert session_authorship_short(done) == "Started by Dr Aiko Tanaka; completed by Ben Okafor"
    assert session_authorship_short(authors[ids["aborted"]]) == (
        "Started by Dr Aiko Tanaka; aborted by Dr Aiko Tanaka"
    )
    assert session_authorship_short(authors[ids["interrupted"]]) == (
        "Started by Dr Aiko Tanaka; marked interrupted by the system"
    )
    running = authors[ids["running"]]
    assert not running.changed
    assert session_authorship_text(running) == (
        f"Started by Dr Aiko Tanaka on {when(START + timedelta(days=4, minutes=90))}."
    )


def test_cell_texts_put_the_names_under_the_status_and_the_times_in_the_tip(stored) -> None:
    db, patient_id, ids = stored
    done = session_authors(db, patient_id)[ids["completed"]]
    words = AuthorshipWords()
    full = session_authorship_text(done)
    assert words.cell_texts("completed", done) == CellTexts(
        "completed\nStarted by Dr Aiko Tanaka; completed by Ben Okafor", f"completed\n{full}", full
    )
    assert words.cell_texts("", done) == CellTexts(full, full, full)  # no status: the times


def test_a_running_session_changed_by_someone_else_says_who(stored) -> None:
    db, patient_id, ids = stored
    ben = next(u.id for u in list_users(db) if u.name == "Ben Okafor")
    update_session(db, ids["running"], by=ben, summary={"phase": "arms"})
    who = session_authorship_short(session_authors(db, patient_id)[ids["running"]])
    assert who == "Started by Dr Aiko Tanaka; last changed by Ben Okafor"


def test_session_rows_show_their_authors_under_the_status_and_in_the_tooltip(qtbot, stored) -> None:
    db, patient_id, ids = stored
    order = [ids["running"], ids["completed"], 999]  # 999: not this patient's, left alone
    table = QTableWidget(len(order), 2)
    qtbot.addWidget(table)
    for row, status in enumerate(("Running", "Completed", "Aborted")):
        table.setItem(row, 1, QTableWidgetItem(status))
    annotate_session_rows(table, order, session_authors(db, patient_id), column=1)
    assert table.item(0, 1).text() == "Running\nStarted by Dr Aiko Tanaka"
    done = table.item(1, 1)
    assert done.text() == "Completed\nStarted by Dr Aiko Tanaka; completed by Ben Okafor"
    full = (
        f"Started by Dr Aiko Tanaka on {when(START + timedelta(days=1))};"
        f" completed by Ben Okafor on {when(START + timedelta(days=1, minutes=30))}."
    )
    assert done.toolTip() == f"Completed\n{full}"
    assert done.data(Qt.ItemDataRole.AccessibleDescriptionRole) == full
    assert table.item(2, 1).text() == "Aborted" and table.item(2, 1).toolTip() == ""
