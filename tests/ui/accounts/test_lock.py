"""The screen lock: inactivity from application-wide input, the overlay, unlock; a running
session (Release all by click and Esc, alarm acknowledge, the bands) is never covered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from kaatsu_desktop.accounts import AuditAction, save_account_settings, view_audit
from kaatsu_desktop.services import Services
from kaatsu_desktop.session import LimbGroup
from tests.ui.accounts.conftest import CLINICIAN_PASSWORD
from tests.ui.session.driver import EngineDriver
from tests.ui.session.test_release import assert_everything_released, inflate_arms
from ui.accounts.shell import AccountsShell
from ui.main_window import MainWindow, Page
from ui.session.page import SessionPage

TEN_MINUTES = 600.0


@pytest.fixture
def clinic_window(qtbot, db, clinician):
    win = MainWindow(Services.create(db, user_id=clinician.id), database_path=db.path)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    return win


@pytest.fixture
def shell(clinic_window, db, auth, clinician, hasher, monotonic):
    return AccountsShell(clinic_window, db, auth, clinician, hasher=hasher, monotonic=monotonic)


def lock_actions(db) -> list[str]:
    wanted = {AuditAction.LOCK.value, AuditAction.UNLOCK.value}
    return [
        r.entry.action for r in view_audit(db, by=None, entity="user") if r.entry.action in wanted
    ]


def test_ten_idle_minutes_lock_the_patient_pages_and_the_password_unlocks(
    qtbot, shell, clinic_window, db, monotonic
):
    win = clinic_window
    win.show()
    assert shell.lock.model.timeout == TEN_MINUTES  # the clinic's default
    monotonic.advance(TEN_MINUTES - 1)
    assert not shell.lock.tick() and not win.locked
    monotonic.advance(1)
    assert shell.lock.tick()
    assert win.locked and shell.overlay.isVisible()
    assert shell.overlay.geometry() == win.pages.rect()
    assert not win.patients_stack.isEnabled() and not win.settings_page.isEnabled()
    assert lock_actions(db) == ["lock"]
    row = view_audit(db, by=None, action="lock")[0]
    assert row.entry.after == {"reason": "inactivity"}

    # Every page but the session page stays covered.
    win.show_page(Page.SETTINGS)
    assert shell.overlay.isVisible()
    win.show_page(Page.SESSION)
    assert not shell.overlay.isVisible()
    win.show_page(Page.PATIENTS)

    qtbot.keyClicks(shell.overlay.password_field, "wrong password")
    qtbot.keyClick(shell.overlay.password_field, Qt.Key.Key_Return)
    assert win.locked
    assert shell.overlay.message.text() == "Wrong user name or password."
    assert shell.overlay.password_field.text() == ""
    qtbot.keyClicks(shell.overlay.password_field, CLINICIAN_PASSWORD)
    qtbot.mouseClick(shell.overlay.unlock_button, Qt.MouseButton.LeftButton)
    assert not win.locked and not shell.overlay.isVisible()
    assert win.patients_stack.isEnabled()
    assert lock_actions(db) == ["lock", "unlock"]


def test_input_anywhere_restarts_the_idle_time_and_the_lock_button_locks_at_once(
    qtbot, shell, clinic_window, monotonic
):
    clinic_window.show()
    monotonic.advance(TEN_MINUTES - 5)
    # Through the application's event dispatch, as any key press on any widget.
    QApplication.sendEvent(
        clinic_window.nav_buttons[Page.SETTINGS],
        QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier),
    )
    monotonic.advance(10)
    assert not shell.lock.tick()  # 10 s after the key press, not 10 min
    qtbot.mouseClick(clinic_window.lock_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert clinic_window.locked and shell.lock.is_locked


def test_a_changed_timeout_applies_at_once(qtbot, db, admin, auth, hasher, monotonic):
    save_account_settings(db, {"inactivity_lock_min": 2}, by=admin)
    win = MainWindow(Services.create(db, user_id=admin.id), database_path=db.path)
    qtbot.addWidget(win)
    shell = AccountsShell(win, db, auth, admin, hasher=hasher, monotonic=monotonic)
    assert shell.lock.model.timeout == 120
    shell.users_page.setting_spins["inactivity_lock_min"].setValue(1)
    assert shell.users_page.save_settings()
    monotonic.advance(60)
    assert shell.lock.tick() and win.locked


@pytest.mark.parametrize("how", ["click", "escape"])
def test_the_lock_during_a_running_session_leaves_release_and_alarms_working(
    qtbot, shell, clinic_window, monotonic, tone, how
):
    win = clinic_window
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
    win.show()
    qtbot.waitExposed(win)
    win.show_page(Page.PATIENTS)

    inflate_arms(driver)
    driver.advance(600.5, step=0.5)  # T-TIME-1 warning: a medium alarm is raised
    assert page.live.banner.property("priority") == "medium"

    monotonic.advance(TEN_MINUTES)
    assert shell.lock.tick()
    # Locked: the running session is shown, live and uncovered.
    assert win.locked and win.current_page() is Page.SESSION
    assert not shell.overlay.isVisible()
    assert page.isEnabled() and page.isVisible()
    assert shell.overlay.session_note.isVisibleTo(shell.overlay)
    assert page.release_bar.button.isEnabled() and page.release_bar.button.isVisible()

    qtbot.mouseClick(page.live.banner.ack, Qt.MouseButton.LeftButton)
    assert driver.calls[-1] == "acknowledge"
    assert driver.snapshot().alarms.alarms[0].acknowledged

    if how == "click":
        qtbot.mouseClick(page.release_bar.button, Qt.MouseButton.LeftButton)
    else:
        win.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
        qtbot.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Escape)
    assert driver.calls[-1] == "release_all"
    assert_everything_released(driver)
    assert win.locked  # releasing does not unlock the patient data
    assert shell.sign_out_refusal() is not None  # no sign-out while the session runs


def test_sign_out_is_audited_and_refused_while_a_session_runs(qtbot, shell, db):
    shell.set_session_live(True)
    assert not shell.sign_out()
    shell.set_session_live(False)
    with qtbot.waitSignal(shell.signed_out):
        assert shell.sign_out()
    assert view_audit(db, by=None, action="sign_out")[0].entry.after == {"reason": "manual"}
    assert not shell.lock.timer.isActive()
