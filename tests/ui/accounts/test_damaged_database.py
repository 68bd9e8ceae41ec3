"""A database that failed its integrity check refuses every write: the accounts actions say so.

A lock still locks (patient data hidden) and a sign-out still signs out, both logged instead of
audited; the right password unlocks; a refused account change keeps what was typed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kaatsu_desktop.accounts import AuditAction, list_accounts, view_audit
from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Role
from tests.ui.accounts.conftest import ADMIN_PASSWORD, CLINICIAN_PASSWORD
from tests.ui.conftest import add_patient
from ui.accounts.audit_page import AuditPage
from ui.accounts.shell import AccountsShell
from ui.accounts.signin import SignInDialog
from ui.main_window import MainWindow, Page

DETAIL = "*** in database main *** Page 7: btreeInitPage() returns error code 11"


def window_for(qtbot, db, user) -> MainWindow:
    win = MainWindow(Services.create(db, user_id=user.id), database_path=db.path)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    return win


def audited(db, action: AuditAction) -> int:
    return len(view_audit(db, by=None, action=action.value))


@pytest.fixture
def clinic(qtbot, db, auth, clinician, hasher, monotonic):
    add_patient(Services.create(db, user_id=clinician.id))
    win = window_for(qtbot, db, clinician)
    shell = AccountsShell(win, db, auth, clinician, hasher=hasher, monotonic=monotonic)
    win.show()
    return win, shell


def test_the_lock_hides_patient_data_though_it_cannot_be_audited(qtbot, clinic, db, caplog):
    win, shell = clinic
    db.mark_damaged(DETAIL)
    win.show_database_damaged(str(db.damage))
    locks = audited(db, AuditAction.LOCK)
    with caplog.at_level(logging.ERROR, logger="ui.accounts.lock"):
        shell.lock.lock_now()
    assert win.locked and shell.lock.is_locked
    assert shell.overlay.isVisible() and shell.overlay.geometry() == win.pages.rect()
    assert not win.patients_stack.isEnabled()
    win.show_page(Page.PATIENTS)
    assert shell.overlay.isVisible()  # the registry's names stay covered
    assert audited(db, AuditAction.LOCK) == locks  # nothing written to the damaged file
    assert "not audited" in caplog.text and "integrity check" in caplog.text
    assert "not in the audit trail" in shell.overlay.message.text()
    assert "damaged" in win.statusBar().currentMessage()
    # The damage dialog open at the lock is covered too, never closed.
    assert win.damage_box is not None and win.damage_box.isVisible()
    assert shell.covers.cover_for(win.damage_box) is not None


def test_the_inactivity_lock_happens_on_a_damaged_database(qtbot, clinic, db, monotonic):
    win, shell = clinic
    db.mark_damaged(DETAIL)
    monotonic.advance(shell.lock.model.timeout)
    assert shell.lock.tick()
    assert win.locked and shell.overlay.isVisible()


def test_the_right_password_unlocks_unaudited_and_wrong_ones_still_lock_the_account(
    qtbot, clinic, db, caplog
):
    win, shell = clinic
    shell.lock.lock_now()
    db.mark_damaged(DETAIL)
    assert not shell.unlock("wrong password")
    assert shell.overlay.message.text() == "Wrong user name or password."
    with caplog.at_level(logging.WARNING, logger="kaatsu_desktop.accounts.signin"):
        assert shell.unlock(CLINICIAN_PASSWORD)
    assert not win.locked and not shell.overlay.isVisible()
    assert "unlocked; not recorded" in caplog.text
    assert "not in the audit trail" in win.statusBar().currentMessage()
    assert audited(db, AuditAction.UNLOCK) == 0

    # The failures the file cannot store still lock the account (five by default), in memory.
    shell.lock.lock_now()
    for _ in range(5):
        assert not shell.unlock("wrong password")
    assert "locked after too many failed attempts" in shell.overlay.message.text()
    assert not shell.unlock(CLINICIAN_PASSWORD)
    assert win.locked


def test_sign_out_signs_out_on_a_damaged_database(qtbot, clinic, db, caplog):
    _win, shell = clinic
    db.mark_damaged(DETAIL)
    with (
        caplog.at_level(logging.WARNING, logger="ui.accounts.shell"),
        qtbot.waitSignal(shell.signed_out, timeout=1000),
    ):
        assert shell.sign_out()
    assert not shell.lock.timer.isActive()
    assert audited(db, AuditAction.SIGN_OUT) == 0
    assert "sign-out (manual)" in caplog.text and "not recorded" in caplog.text


def test_nobody_signs_in_and_the_dialog_says_why(qtbot, auth, db, clinician):
    db.mark_damaged(DETAIL)
    dialog = SignInDialog(auth)
    qtbot.addWidget(dialog)
    dialog.name_field.setText("Dr Aiko Tanaka")
    dialog.password_field.setText(CLINICIAN_PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.signed is None and dialog.result() != dialog.DialogCode.Accepted
    text = dialog.message.text()
    assert text.startswith("Nobody can sign in now.") and "restore" in text
    assert dialog.name_field.text() == "Dr Aiko Tanaka" and dialog.password_field.text() == ""


def test_a_refused_account_change_says_why_and_keeps_what_was_typed(
    qtbot, db, admin, clinician, auth, hasher, monotonic
):
    win = window_for(qtbot, db, admin)
    page = AccountsShell(win, db, auth, admin, hasher=hasher, monotonic=monotonic).users_page
    db.mark_damaged(DETAIL)
    page.new_name.setText("Nurse Nia")
    page.new_role.setCurrentIndex(page.new_role.findData(Role.CLINICIAN.value))
    page.new_password.setText("a long enough password")
    assert not page.create()
    text = page.message.text()
    assert text.startswith("Not saved.") and "integrity check" in text and DETAIL in text
    assert page.new_name.text() == "Nurse Nia"
    assert page.new_password.text() == "a long enough password"
    assert page.status.text() == ""
    assert [a.user.name for a in list_accounts(db)] == ["Admin Ana", "Dr Aiko Tanaka"]

    page.select(clinician.id)
    page.reset_password_field.setText("another long password")
    assert not page.reset_selected_password()
    assert page.reset_password_field.text() == "another long password"
    page.setting_spins["lockout_failures"].setValue(7)
    with qtbot.assertNotEmitted(page.account_settings_saved):
        assert not page.save_settings()
    assert page.setting_spins["lockout_failures"].value() == 7
    assert page.message.text().startswith("Not saved.")


def test_an_audit_export_that_cannot_be_audited_writes_no_file(
    qtbot, db, admin, auth, tmp_path: Path
):
    auth.sign_in("Admin Ana", ADMIN_PASSWORD)
    export = tmp_path / "audit.csv"
    page = AuditPage(db, admin, choose_export_path=lambda: export)
    qtbot.addWidget(page)
    db.mark_damaged(DETAIL)
    assert page.export() is None
    assert not export.exists()
    assert "integrity check" in page.message.text()
    page.refresh()  # reading the trail still works
    assert [line.entry.action for line in page.lines][-1] == "sign_in"
