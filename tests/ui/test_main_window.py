"""Main window: navigation by keyboard, status bar, demo marker, the session page slot."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from kaatsu_desktop.app import build_workstation, database_path, open_for
from kaatsu_desktop.services import Services
from kaatsu_desktop.services.demo import DatabaseModeError
from kaatsu_desktop.storage import Database, default_database_path, list_audit
from tests.ui.conftest import add_patient
from ui.main_window import MainWindow, Page


def test_keyboard_navigation_between_the_three_places(qtbot, window: MainWindow) -> None:
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    for key, page in ((Qt.Key.Key_3, Page.SETTINGS), (Qt.Key.Key_2, Page.SESSION),
                      (Qt.Key.Key_1, Page.PATIENTS)):  # fmt: skip
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() is page
        assert window.nav_buttons[page].isChecked()
    assert window.registry.search_field.hasFocus()


def test_status_bar_names_the_database_and_the_link(window: MainWindow, db: Database) -> None:
    assert str(db.path) in window.database_label.text()
    assert window.windowTitle() == "KAATSU Desktop"
    assert window.findChild(QLabel, "demoMarker") is None
    window.set_link_state("Cuff KA-01: connected, battery 80 %", "ok")
    assert window.link_label.text().startswith("Cuff KA-01")
    assert window.link_label.property("statusRole") == "ok"
    with pytest.raises(ValueError):
        window.set_link_state("?", "purple")


def test_demo_marker_in_title_and_status_bar(qtbot, services: Services, db: Database) -> None:
    demo = MainWindow(services, database_path=db.path, demo=True)
    qtbot.addWidget(demo)
    assert "DEMO" in demo.windowTitle()
    assert demo.demo_label is not None and demo.demo_label.text() == "DEMO"
    assert demo.findChild(QLabel, "demoMarker") is not None


def test_session_page_can_be_replaced(qtbot, window: MainWindow, services: Services) -> None:
    patient = add_patient(services)
    window.open_patient(patient.id)
    with qtbot.waitSignal(window.session_requested, timeout=1000) as asked:
        qtbot.mouseClick(window.patient_page.session_button, Qt.MouseButton.LeftButton)
    assert asked.args[0].id == patient.id
    assert window.current_page() is Page.SESSION
    panel = QWidget()
    panel.setObjectName("sessionPanel")
    window.set_session_page(panel)
    assert window.session_page is panel
    assert window.pages.widget(Page.SESSION) is panel
    assert window.current_page() is Page.SESSION
    window.show_page(Page.SETTINGS)
    assert window.pages.currentWidget() is window.settings_page


def test_patient_flow_through_the_window_writes_audit_rows(
    qtbot, window: MainWindow, services: Services, db: Database
) -> None:
    patient = add_patient(services)
    window.open_patient(patient.id)
    qtbot.mouseClick(window.patient_page.screening_button, Qt.MouseButton.LeftButton)
    assert window.patients_stack.currentWidget() is window.screening_page
    form = window.screening_page.form
    for key, text in (("height_cm", "168"), ("weight_kg", "61"), ("systolic_mmhg", "121"),
                      ("diastolic_mmhg", "79")):  # fmt: skip
        form.set_number(key, text)
    form.pregnancy.set_value("no")
    qtbot.mouseClick(window.screening_page.save_button, Qt.MouseButton.LeftButton)
    assert window.patients_stack.currentWidget() is window.patient_page
    assert window.patient_page.screening_table.rowCount() == 1
    assert window.patient_page.latest_verdict.verdict == "clear"
    window.patient_page.confirm_archive = lambda: True  # type: ignore[method-assign]
    qtbot.mouseClick(window.patient_page.archive_button, Qt.MouseButton.LeftButton)
    assert window.patient_page.archived_note.isVisibleTo(window.patient_page)
    assert not window.patient_page.screening_button.isEnabled()
    actions = [(a.entity, a.action) for a in list_audit(db)]
    assert actions == [("patient", "create"), ("screening", "create"), ("patient", "archive")]


def _args(tmp_path: Path, *extra: str) -> argparse.Namespace:
    from kaatsu_desktop.cli import build_parser

    return build_parser().parse_args([*extra])


def test_demo_mode_never_opens_the_clinic_database(tmp_path: Path) -> None:
    clinic = default_database_path()
    with pytest.raises(DatabaseModeError):
        database_path(_args(tmp_path, "--demo", "--db", str(clinic)))
    assert database_path(_args(tmp_path, "--demo")) != clinic
    assert database_path(_args(tmp_path)) == clinic


def test_root_builds_a_demo_workstation_and_refuses_it_as_clinic(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    db = open_for(_args(tmp_path, "--demo", "--db", str(path)))
    try:
        ws = build_workstation(db, demo=True)
        qtbot.addWidget(ws.window)
        assert "DEMO" in ws.window.windowTitle()
        assert ws.window.registry.model.rowCount() >= 5
    finally:
        db.close()
    with pytest.raises(DatabaseModeError):
        open_for(_args(tmp_path, "--db", str(path)))
    reopened = open_for(_args(tmp_path, "--demo", "--db", str(path)))  # the lock was released
    reopened.close()


# -- the database check and the daily backup after the first paint (issue 8) ---------------------


def test_first_painted_once_after_the_first_paint(qtbot, window: MainWindow) -> None:
    painted: list[bool] = []
    window.first_painted.connect(lambda: painted.append(window.isVisible()))
    with qtbot.waitSignal(window.first_painted, timeout=5000):
        window.show()
    window.update()
    qtbot.wait(50)
    assert painted == [True]
    # Right after it: the patient page with its plots and the screening form, off screen.
    qtbot.waitUntil(lambda: window.pages_built, timeout=5000)
    page = window.patient_page
    assert page.sessions_tab.plot_slot.built and page.screenings_tab.timeline_slot.built
    assert window.patients_stack.currentWidget() is window.registry


def test_database_check_in_the_status_bar(window: MainWindow) -> None:
    from kaatsu_desktop.storage.upkeep import IntegrityOutcome

    label = window.database_check_label
    assert label.isHidden()
    window.show_integrity(None)
    assert label.text() == "Checking the database…" and label.property("statusRole") == "info"
    window.show_integrity(IntegrityOutcome(True, "ok", 1.7))
    assert label.text() == "Database checked" and label.property("statusRole") == "ok"
    window.show_integrity(IntegrityOutcome(False, "Tree 4 page 12 cell 3: ...", 1.7))
    assert label.text() == "Database damaged" and label.property("statusRole") == "error"
    assert "Tree 4 page 12" in label.toolTip()
    assert not window.database_damaged  # what to do arrives with show_database_damaged


def test_damaged_database_disables_every_page_but_the_session(
    qtbot, window: MainWindow, services: Services
) -> None:
    from PySide6.QtWidgets import QMessageBox

    window.show()
    message = "The database file x failed its integrity check ... restore the most recent backup"
    window.show_database_damaged(message)
    assert window.database_damaged
    assert window.notice.isVisible() and window.notice.text.text() == message
    assert window.notice.text.property("statusRole") == "error"
    assert not window.notice.dismiss.isVisible()  # it stays until the program closes
    box = window.damage_box
    assert isinstance(box, QMessageBox) and box.isVisible() and box.text() == message
    enabled = {Page(i): window.pages.widget(i).isEnabled() for i in range(window.pages.count())}
    assert enabled == {Page.PATIENTS: False, Page.SESSION: True, Page.SETTINGS: False}
    window.set_locked(True)
    window.set_locked(False)  # unlocking does not give the pages back
    assert not window.patients_stack.isEnabled()
    added = QWidget()
    window.add_admin_page(Page.ACCOUNTS, "Accounts", added)
    assert not added.isEnabled()
    window.show_database_damaged(message)  # a second report opens no second box
    assert window.damage_box is box
    box.close()


def test_backup_outcomes(window: MainWindow, tmp_path: Path) -> None:
    from kaatsu_desktop.storage.upkeep import BackupOutcome, BackupState

    window.show()
    written = tmp_path / "kaatsu-daily-2026-03-02.sqlite3"
    window.show_backup(BackupOutcome(BackupState.WRITTEN, written, "", 2.5))
    assert str(written) in window.statusBar().currentMessage()
    assert not window.notice.isVisible()
    window.show_backup(BackupOutcome(BackupState.FAILED, None, "disk full", 0.1))
    assert window.notice.isVisible() and "disk full" in window.notice.text.text()
    assert window.notice.text.property("statusRole") == "warning"
    window.notice.dismiss.click()
    assert not window.notice.isVisible()
    assert all(window.pages.widget(i).isEnabled() for i in range(window.pages.count()))
