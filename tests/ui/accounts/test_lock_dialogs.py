"""The lock over open dialogs: covered, never closed; typed text kept; unlock from the dialog.

A modal dialog (exec) blocks input to the main window, so its own cover must take the password;
Esc, Return and closing must not end the dialog behind the cover; a running session's Esc still
releases every band (T-REL-1) while the dialog stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from kaatsu_desktop.services import Services
from kaatsu_desktop.session import LimbGroup
from kaatsu_desktop.storage import create_patient, get_patient
from tests.kaatsu_desktop.storage.helpers import fields
from tests.ui.accounts.conftest import CLINICIAN_PASSWORD
from tests.ui.session.driver import EngineDriver
from tests.ui.session.test_release import assert_everything_released, inflate_arms
from ui.accounts.shell import AccountsShell
from ui.accounts.window_covers import MIN_COVER, WindowCover
from ui.main_window import MainWindow
from ui.patients.dialog import PatientDialog
from ui.session.page import SessionPage

TEN_MINUTES = 600.0


@pytest.fixture
def services(db, clinician) -> Services:
    return Services.create(db, user_id=clinician.id)


@pytest.fixture
def win(qtbot, db, services) -> MainWindow:
    window = MainWindow(services, database_path=db.path)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def shell(win, db, auth, clinician, hasher, monotonic) -> AccountsShell:
    return AccountsShell(win, db, auth, clinician, hasher=hasher, monotonic=monotonic)


@pytest.fixture
def patient(db, clinician):
    return create_patient(db, fields(given_name="Mirabel", family_name="Quintero"), by=clinician.id)


def run_modal(dialog: QDialog, act: Callable[[], None]) -> int:
    """exec() the dialog and run `act` inside its event loop; act's failure fails the test."""
    errors: list[BaseException] = []

    def wrapper() -> None:
        try:
            act()
        except BaseException as exc:  # re-raised below, after exec() has returned
            errors.append(exc)
        finally:
            if dialog.isVisible() and errors:
                dialog.done(QDialog.DialogCode.Rejected)  # never leave the test hanging

    QTimer.singleShot(0, wrapper)
    result = dialog.exec()
    if errors:
        raise errors[0]
    return result


def lock_by_inactivity(shell: AccountsShell, monotonic) -> None:
    monotonic.advance(TEN_MINUTES)
    assert shell.lock.tick()


def image(widget: QWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def assert_hidden_by_cover(window: QWidget, cover: WindowCover) -> None:
    """Nothing of the window shows: its picture is the cover's, pixel for pixel."""
    assert cover.isVisible() and cover.geometry() == window.rect()
    assert image(window) == image(cover)


def type_password(qtbot, cover: WindowCover, password: str) -> None:
    qtbot.keyClicks(cover.password_field, password)
    qtbot.keyClick(cover.password_field, Qt.Key.Key_Return)


def test_a_modal_edit_dialog_is_covered_then_given_back_with_what_was_typed(
    qtbot, win, shell, services, patient, db, monotonic
):
    win.open_patient(patient.id)
    # As the patient page opens it: a child of the page, which the lock disables.
    dialog = PatientDialog(services.patients, patient, parent=win.patient_page)
    seen: dict[str, object] = {}

    def act() -> None:
        assert QApplication.activeModalWidget() is dialog
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        dialog.family_name.setFocus()
        dialog.family_name.selectAll()
        qtbot.keyClicks(dialog.family_name, "Quintero-Vale")
        qtbot.keyClicks(dialog.notes, "knee surgery 2019")
        unlocked_picture = image(dialog)

        lock_by_inactivity(shell, monotonic)
        cover = shell.covers.cover_for(dialog)
        assert cover is not None and dialog.isVisible()  # exec() still runs
        assert win.locked and shell.overlay.isVisible()
        assert_hidden_by_cover(dialog, cover)
        assert image(dialog) != unlocked_picture
        assert dialog.windowTitle() == "KAATSU Desktop — locked"
        assert not dialog.family_name.isEnabled() and not dialog.save_button.isEnabled()
        assert not win.patient_page.isEnabled()  # the page under the dialog is locked
        assert cover.isEnabled() and cover.unlock_button.isEnabled()  # unlock reachable here
        assert QApplication.focusWidget() is cover.password_field

        # Neither Esc nor Return ends the dialog behind the cover.
        qtbot.keyClick(cover.password_field, Qt.Key.Key_Escape)
        qtbot.keyClick(cover.password_field, Qt.Key.Key_Return)  # empty: asks for the password
        assert cover.message.text() == "Type your password."
        assert dialog.isVisible() and dialog.saved is None

        type_password(qtbot, cover, "not my password")
        assert win.locked and cover.message.text() == "Wrong user name or password."
        type_password(qtbot, cover, CLINICIAN_PASSWORD)

        assert not win.locked and not shell.overlay.isVisible()
        assert shell.covers.covers() == [] and not cover.isVisible()
        assert dialog.windowTitle() == "Edit patient"
        assert dialog.family_name.isEnabled() and dialog.save_button.isEnabled()
        assert dialog.family_name.text() == "Quintero-Vale"
        assert dialog.notes.toPlainText() == "knee surgery 2019"
        assert QApplication.focusWidget() is dialog.family_name
        seen["picture_back"] = image(dialog) == unlocked_picture
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert run_modal(dialog, act) == QDialog.DialogCode.Accepted
    assert seen["picture_back"]
    assert get_patient(db, patient.id).family_name == "Quintero-Vale"


def test_a_small_window_modal_message_box_grows_to_hold_the_password_and_shrinks_back(
    qtbot, win, shell, patient, monotonic
):
    win.open_patient(patient.id)
    # A child of the patient page, as its questions are: the lock disables the page, and the
    # style sheet's re-polish makes a message box fit itself to its text again.
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Archive",
        f"Archive {patient.given_name}?",
        parent=win.patient_page,
    )
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    qtbot.waitExposed(box)
    before = box.size()
    shell.lock.lock_now()
    qtbot.wait(20)  # the box's layout asks to fit it to its text again: it must stay grown
    cover = shell.covers.cover_for(box)
    assert cover is not None and box.isVisible()
    assert box.width() >= MIN_COVER.width() and box.height() >= MIN_COVER.height()
    assert_hidden_by_cover(box, cover)
    # The main window is blocked by the box: its cover is where the password goes.
    assert QApplication.activeModalWidget() is box
    type_password(qtbot, cover, CLINICIAN_PASSWORD)
    assert not win.locked and box.isVisible() and box.size() == before
    assert box.text() == "Archive Mirabel?" and box.windowTitle() == "Archive"
    box.done(QMessageBox.StandardButton.No)


def test_a_window_opened_while_locked_is_covered_and_the_main_overlay_unlocks_it(
    qtbot, win, shell, patient, services, monotonic
):
    lock_by_inactivity(shell, monotonic)
    dialog = PatientDialog(services.patients, patient, parent=win.registry)
    dialog.setModal(False)
    dialog.show()  # for example a message posted by a background job
    qtbot.waitExposed(dialog)
    cover = shell.covers.cover_for(dialog)
    assert cover is not None and cover.isEnabled()
    assert_hidden_by_cover(dialog, cover)
    dialog.resize(dialog.width() + 90, dialog.height() + 40)
    assert cover.geometry() == dialog.rect()  # the cover follows the window's size
    # Not modal: the main window's overlay is reachable and unlocks every window.
    qtbot.keyClicks(shell.overlay.password_field, CLINICIAN_PASSWORD)
    qtbot.mouseClick(shell.overlay.unlock_button, Qt.MouseButton.LeftButton)
    assert not win.locked and shell.covers.cover_for(dialog) is None
    assert dialog.isVisible() and dialog.given_name.text() == "Mirabel"
    assert dialog.isEnabled() and dialog.given_name.isEnabled()
    dialog.reject()


def test_during_a_session_esc_in_a_covered_dialog_releases_and_the_dialog_stays(
    qtbot, win, shell, services, patient, monotonic, tone
):
    driver = EngineDriver()
    page = SessionPage(tone=tone)
    win.set_session_page(page)
    driver.snapshot_sinks.append(page.show_snapshot)
    driver.event_sinks.append(page.add_events)
    page.begin_session(driver, driver.snapshot(), driver.buffers,
                       {LimbGroup.ARMS: 200.0, LimbGroup.LEGS: 260.0}, t0=driver.t0)  # fmt: skip
    keys = page.install_keys(win)
    keys.set_session_live(True)
    shell.set_session_live(True)
    inflate_arms(driver)
    dialog = PatientDialog(services.patients, patient, parent=win)

    def act() -> None:
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        qtbot.keyClicks(dialog.contact, "+41 79 000 00 00")
        lock_by_inactivity(shell, monotonic)
        cover = shell.covers.cover_for(dialog)
        assert cover is not None and cover.session_note.isVisibleTo(cover)
        assert QApplication.focusWidget() is cover.password_field
        assert page.isEnabled()  # the session page is never covered nor disabled
        qtbot.keyClick(cover.password_field, Qt.Key.Key_Escape)
        assert driver.calls[-1] == "release_all"
        assert_everything_released(driver)
        assert dialog.isVisible() and win.locked
        type_password(qtbot, cover, CLINICIAN_PASSWORD)
        assert dialog.contact.toPlainText() == "+41 79 000 00 00"
        dialog.reject()

    assert run_modal(dialog, act) == QDialog.DialogCode.Rejected
    keys.detach()
