"""Registry and patient dialog: create, refusal at the field, search-as-you-type, archive."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database, PatientFields, create_patients, list_audit
from tests.ui.conftest import add_patient
from ui.patients.dialog import PatientDialog
from ui.patients.registry import SEARCH_DEBOUNCE_MS, RegistryPage


def _type(qtbot, dialog: PatientDialog, **values: str) -> None:
    for key, text in values.items():
        widget = getattr(dialog, key)
        widget.clear()
        qtbot.keyClicks(widget, text)


def test_create_patient_through_the_dialog(qtbot, services: Services, db: Database) -> None:
    dialog = PatientDialog(services.patients)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog, clinic_id="KC-0042", given_name="Mei", family_name="Lindqvist",
          date_of_birth="1990-07-21")  # fmt: skip
    qtbot.mouseClick(dialog.sex.buttons()[0], Qt.MouseButton.LeftButton)  # female
    qtbot.keyClicks(dialog.notes, "Knee surgery 2025; prefers mornings.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = services.patients.get(dialog.saved.id)
    assert (stored.clinic_id, stored.family_name, stored.sex.value) == (
        "KC-0042",
        "Lindqvist",
        "female",
    )
    assert stored.notes == "Knee surgery 2025; prefers mornings."
    assert [a.action for a in list_audit(db, entity="patient")] == ["create"]


def test_refused_save_keeps_every_value_and_names_the_field(qtbot, services: Services) -> None:
    add_patient(services, clinic_id="KC-0001")
    dialog = PatientDialog(services.patients)
    qtbot.addWidget(dialog)
    dialog.show()
    typed = {
        "clinic_id": "kc-0001",  # taken: clinic ids ignore case
        "given_name": "Tomas",
        "family_name": "Okafor",
        "date_of_birth": "1979-11-02",
    }
    _type(qtbot, dialog, **typed)
    qtbot.mouseClick(dialog.sex.buttons()[1], Qt.MouseButton.LeftButton)  # male
    qtbot.keyClicks(dialog.contact, "+44 20 7946 0000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.saved is None
    assert "already used" in dialog.fieldset.shown("clinic_id")
    assert dialog.clinic_id.property("error") is True
    assert dialog.fieldset.shown("given_name") is None
    for key, text in typed.items():
        assert getattr(dialog, key).text() == text
    assert dialog.sex.value() == "male"
    assert dialog.contact.toPlainText() == "+44 20 7946 0000"

    _type(qtbot, dialog, clinic_id="KC-0002", date_of_birth="1979-02-30")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.fieldset.shown("clinic_id") is None
    assert dialog.clinic_id.property("error") is False
    assert "calendar date" in dialog.fieldset.shown("date_of_birth")

    _type(qtbot, dialog, date_of_birth="1979-11-02")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert services.patients.get(dialog.saved.id).contact == "+44 20 7946 0000"


def test_missing_sex_refused_at_its_field(qtbot, services: Services) -> None:
    dialog = PatientDialog(services.patients)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog, clinic_id="KC-9", given_name="A", family_name="B",
          date_of_birth="1980-01-01")  # fmt: skip
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.fieldset.shown("sex") is not None
    assert services.patients.search("").patients == ()


def test_search_as_you_type_finds_the_patient(qtbot, services: Services) -> None:
    add_patient(services, clinic_id="KC-0001", family_name="Berg")
    add_patient(services, clinic_id="KC-0002", family_name="Okafor", given_name="Tomás",
                date_of_birth="1979-11-02")  # fmt: skip
    page = RegistryPage(services.patients)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 2
    qtbot.keyClicks(page.search_field, "oka")
    assert page.model.rowCount() == 2  # debounced: no query per keystroke
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=SEARCH_DEBOUNCE_MS * 10)
    assert page.model.patient_at(0).family_name == "Okafor"
    page.search_field.setText("1979-11")
    qtbot.waitUntil(lambda: page.last_search.query == "1979-11", timeout=1000)
    assert [page.model.patient_at(i).clinic_id for i in range(page.model.rowCount())] == ["KC-0002"]
    with qtbot.waitSignal(page.patient_opened, timeout=1000) as opened:
        page.search_field.setText("KC-0001")
        qtbot.keyClick(page.search_field, Qt.Key.Key_Return)
    assert opened.args == [services.patients.search("KC-0001").patients[0].id]


def test_archived_hidden_unless_asked(qtbot, services: Services) -> None:
    patient = add_patient(services)
    page = RegistryPage(services.patients)
    qtbot.addWidget(page)
    services.patients.archive(patient.id)  # the registry listens and refreshes
    assert page.model.rowCount() == 0
    page.show_archived.setChecked(True)
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 5)) == "archived"


def test_table_sorts_by_column(qtbot, services: Services) -> None:
    for i, (family, born) in enumerate((("Berg", "1990-01-01"), ("Achterberg", "1950-01-01"),
                                        ("Sato", "1970-01-01"))):  # fmt: skip
        add_patient(services, clinic_id=f"KC-{i}", family_name=family, date_of_birth=born)
    page = RegistryPage(services.patients)
    qtbot.addWidget(page)
    page.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    births = [page.model.patient_at(i).date_of_birth.year for i in range(3)]
    assert births == [1990, 1970, 1950]
    page.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert [page.model.patient_at(i).family_name for i in range(3)] == [
        "Achterberg",
        "Berg",
        "Sato",
    ]


@pytest.mark.slow
def test_two_thousand_patients_stay_responsive(qtbot, services: Services, db: Database) -> None:
    families = ("Berg", "Okafor", "Lindqvist", "Duarte", "Sato", "Nakamura", "Moreau", "Achebe")
    many = [
        PatientFields(
            f"KC-{i:05d}",
            ("Anna", "Ben", "Chiara", "Dev", "Eun", "Femi")[i % 6],
            f"{families[i % len(families)]}{i // 64}",
            f"{1940 + i % 60}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            ("female", "male")[i % 2],
        )
        for i in range(2000)
    ]
    create_patients(db, many, by=None)
    page = RegistryPage(services.patients)
    qtbot.addWidget(page)
    timings = {}
    for query in ("", "b", "be", "berg1", "KC-0199", "1975-0", "anna berg"):
        started = time.perf_counter()
        page.search_field.setText(query)
        page.refresh()
        timings[query] = (time.perf_counter() - started) * 1000
    print("registry refresh with 2,000 patients (ms):",
          {q or "(all)": round(ms, 1) for q, ms in timings.items()})  # fmt: skip
    assert page.last_search.query == "anna berg" and page.model.rowCount() > 0
    assert all(p.given_name == "Anna" for p in page.last_search.patients)
    page.search_field.setText("")
    page.refresh()
    assert page.last_search.truncated and page.model.rowCount() == 500
    # A generous ceiling: a keystroke's refresh must stay well under a tenth of a second.
    assert max(timings.values()) < 100, timings


def test_edit_dialog_shows_the_record_and_saves_a_change(
    qtbot, services: Services, db: Database
) -> None:
    patient = add_patient(services, contact="clinic phone")
    dialog = PatientDialog(services.patients, patient)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Edit patient"
    assert (dialog.family_name.text(), dialog.date_of_birth.text()) == ("Berg", "1970-05-01")
    assert dialog.sex.value() == "female" and dialog.contact.toPlainText() == "clinic phone"
    _type(qtbot, dialog, family_name="Berg-Larsen")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert services.patients.get(patient.id).family_name == "Berg-Larsen"
    assert [a.action for a in list_audit(db, entity="patient")] == ["create", "update"]


# -- the patient page opens fast (issue 8) ---------------------------------------------------------


def _with_sessions(
    db: Database, services: Services, reasons: list[str | None], clinic_id: str = "KC-0001"
) -> int:
    from kaatsu_desktop.storage import NewSession, SessionStatus, create_session, finish_session

    patient = add_patient(services, clinic_id=clinic_id)
    for reason in reasons:
        record = create_session(db, NewSession(patient.id, {"id": "cycle-mmhg"}), by=None)
        status = SessionStatus.ABORTED if reason else SessionStatus.COMPLETED
        finish_session(db, record.id, status, by=None, end_reason=reason)
    return patient.id


def test_history_plots_are_built_and_drawn_only_on_screen(
    qtbot, services: Services, db: Database
) -> None:
    from tests.kaatsu_desktop.services.conftest import screening_today
    from ui.patients.page import PatientPage

    patient_id = _with_sessions(db, services, [None, None])
    services.screenings.save(patient_id, screening_today(assessed_on=str(db.today())))
    page = PatientPage(services.patients, services.screenings, services.settings)
    qtbot.addWidget(page)
    page.show_patient(patient_id)
    sessions, screenings = page.sessions_tab.plot_slot, page.screenings_tab.timeline_slot
    assert not sessions.built and not screenings.built  # the page is not on screen
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    assert sessions.built and not sessions.stale  # the sessions tab is the one shown
    assert not screenings.built  # its tab was not chosen
    x, _ = page.sessions_tab.plots.points["arms"].getData()
    assert len(x) == 0  # two sessions, no restriction minutes recorded
    page.tabs.setCurrentWidget(page.screenings_tab)
    assert screenings.built and not screenings.stale
    page.show_patient(patient_id)  # read again while the sessions tab is hidden
    assert sessions.stale and not screenings.stale
    page.tabs.setCurrentWidget(page.sessions_tab)
    assert not sessions.stale


def assert_status_whole(table) -> None:
    """Every status, wrapped to the width it is painted in (padding off), fits its row."""
    from PySide6.QtCore import QRect

    from ui.patients.history_tabs import CELL_PADDING_PX, STATUS

    room = table.columnWidth(STATUS) - 2 * CELL_PADDING_PX
    for row in range(table.rowCount()):
        text = table.item(row, STATUS).text()
        needed = table.fontMetrics().boundingRect(
            QRect(0, 0, room, 10_000), int(Qt.TextFlag.TextWordWrap), text
        )
        assert needed.height() < table.rowHeight(row), (row, text)
        assert table.rowHeight(row) >= table.sizeHintForRow(row)  # Qt's own measure too


def test_session_rows_keep_touch_height_unless_the_status_is_cut(
    qtbot, services: Services, db: Database
) -> None:
    from ui.patients.history_tabs import ROW_PX
    from ui.patients.page import PatientPage

    long = ("the patient felt dizzy and asked to stop; " * 4).strip()
    first = _with_sessions(db, services, [None, long, None, "cuff slipped"])
    page = PatientPage(services.patients, services.screenings, services.settings)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.show_patient(first)
    table = page.session_table
    statuses = [table.item(r, 5).text() for r in range(table.rowCount())]
    # At 1280 px the authors' line under each status wraps: every row as tall as its text.
    heights = [table.rowHeight(r) for r in range(table.rowCount())]
    assert_status_whole(table)
    assert all(h > ROW_PX for h in heights)
    assert max(heights) == heights[statuses.index(next(t for t in statuses if long in t))]
    # Wide enough for the authors' line: two lines keep the touch height, the long reason not.
    page.resize(1700, 800)
    qtbot.waitUntil(lambda: table.rowHeight(0) == ROW_PX, timeout=2000)
    heights = [table.rowHeight(r) for r in range(table.rowCount())]
    tall = [h > ROW_PX for h in heights]
    assert tall == [long in text for text in statuses] and any(tall)
    assert min(heights) == ROW_PX
    page.resize(1280, 800)
    # Columns as wide as Qt's own fit to their contents; tooltips only where text may be cut.
    widths = [table.columnWidth(c) for c in (0, 2, 3, 4)]
    for column in (0, 2, 3, 4):
        table.resizeColumnToContents(column)
    assert widths == [table.columnWidth(c) for c in (0, 2, 3, 4)]
    assert table.columnWidth(1) == min(150, table.sizeHintForColumn(1) + 12)
    assert table.item(0, 0).toolTip() == ""
    assert table.item(0, 1).toolTip() == table.item(0, 1).text() != ""  # a protocol may be cut
    status_tip = table.item(0, 5).toolTip()  # the status, then its authors with their times
    assert status_tip.startswith(statuses[0].split("\n")[0] + "\nStarted by the system on ")
    # The next patient's rows start at touch height again.
    second = _with_sessions(db, services, [None], clinic_id="KC-0002")
    page.resize(1700, 800)
    page.show_patient(second)
    assert [table.rowHeight(r) for r in range(table.rowCount())] == [ROW_PX]


def test_the_patient_page_names_who_started_and_who_completed_each_session(
    qtbot, services: Services, db: Database, clock
) -> None:
    from kaatsu_desktop.storage import (
        NewSession,
        SessionStatus,
        create_session,
        create_user,
        finish_session,
    )
    from ui.patients.history_tabs import STATUS
    from ui.patients.page import PatientPage

    aiko = create_user(db, "Dr Aiko Tanaka", "clinician", by=None)
    ben = create_user(db, "Ben Okafor", "clinician", by=None)
    patient = add_patient(services)
    handed_over = create_session(db, NewSession(patient.id, {"id": "cycle-mmhg"}), by=aiko.id)
    clock.advance(minutes=25)
    finish_session(db, handed_over.id, SessionStatus.COMPLETED, by=ben.id)
    clock.advance(days=1)
    own = create_session(db, NewSession(patient.id, {"id": "cycle-mmhg"}), by=aiko.id)
    clock.advance(minutes=20)
    finish_session(db, own.id, SessionStatus.ABORTED, by=aiko.id, end_reason="dizziness")
    page = PatientPage(services.patients, services.screenings, services.settings)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.show_patient(patient.id)
    table = page.session_table
    statuses = [table.item(r, STATUS).text() for r in range(table.rowCount())]
    assert statuses == [  # newest first
        "aborted: dizziness\nStarted by Dr Aiko Tanaka; aborted by Dr Aiko Tanaka",
        "completed\nStarted by Dr Aiko Tanaka; completed by Ben Okafor",
    ]
    described = table.item(1, STATUS).data(Qt.ItemDataRole.AccessibleDescriptionRole)
    assert described.startswith("Started by Dr Aiko Tanaka on ")
    assert "; completed by Ben Okafor on " in described
    assert_status_whole(table)
