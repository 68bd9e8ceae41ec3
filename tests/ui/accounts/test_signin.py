"""Start-up dialogs: first administrator, sign-in success and failure, lockout after five."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QPushButton

from kaatsu_desktop.accounts import (
    AuditAction,
    Authenticator,
    create_first_administrator,
    list_accounts,
    needs_first_administrator,
    view_audit,
)
from kaatsu_desktop.storage import Role
from tests.ui.accounts.conftest import ADMIN_PASSWORD, CLINICIAN_PASSWORD
from ui.accounts.signin import FirstAdministratorDialog, SignInDialog


def test_first_run_creates_the_administrator_after_refusing_bad_input(qtbot, db, hasher):
    assert needs_first_administrator(db)
    dialog = FirstAdministratorDialog(
        lambda n, p: create_first_administrator(db, n, p, hasher=hasher)
    )
    qtbot.addWidget(dialog)
    dialog.name_field.setText("Admin Ana")
    dialog.password_field.setText(ADMIN_PASSWORD)
    dialog.repeat_field.setText(ADMIN_PASSWORD + "x")
    assert not dialog.attempt()
    assert dialog.message.text() == "The two passwords differ."
    dialog.password_field.setText("short")
    dialog.repeat_field.setText("short")
    assert not dialog.attempt()
    assert "the password" in dialog.message.text() and "12" in dialog.message.text()
    assert needs_first_administrator(db)

    dialog.password_field.setText(ADMIN_PASSWORD)
    dialog.repeat_field.setText(ADMIN_PASSWORD)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user is not None and dialog.user.role is Role.ADMINISTRATOR
    assert not needs_first_administrator(db)
    assert [a.user.name for a in list_accounts(db)] == ["Admin Ana"]


def test_sign_in_fields_and_buttons_have_object_and_accessible_names(qtbot, auth, admin):
    dialog = SignInDialog(auth)
    qtbot.addWidget(dialog)
    for kind, name in (
        (QLineEdit, "signInName"),
        (QLineEdit, "signInPassword"),
        (QPushButton, "signInButton"),
        (QPushButton, "signInQuitButton"),
    ):
        widget = dialog.findChild(kind, name)
        assert widget is not None and widget.accessibleName(), name
    assert dialog.password_field.echoMode() is QLineEdit.EchoMode.Password


def test_sign_in_succeeds_with_the_right_password_and_is_audited(qtbot, auth, db, clinician):
    dialog = SignInDialog(auth)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name_field, "Dr Aiko Tanaka")
    qtbot.keyClicks(dialog.password_field, CLINICIAN_PASSWORD)
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signed is not None and dialog.signed.user.id == clinician.id
    rows = view_audit(db, by=None, action=AuditAction.SIGN_IN.value)
    assert [r.entry.entity_id for r in rows] == [clinician.id]


def test_a_wrong_password_shows_a_clear_message_and_clears_the_field(qtbot, auth, clinician):
    dialog = SignInDialog(auth)
    qtbot.addWidget(dialog)
    dialog.name_field.setText("Dr Aiko Tanaka")
    dialog.password_field.setText("not the password")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.signed is None and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.isVisibleTo(dialog)
    assert dialog.message.text() == "Wrong user name or password."
    assert dialog.password_field.text() == ""
    assert "not the password" not in dialog.message.text()
    dialog.name_field.setText("Nobody")
    dialog.password_field.setText(CLINICIAN_PASSWORD)
    assert not dialog.attempt()
    assert dialog.message.text() == "Wrong user name or password."  # names stay secret


def test_the_fifth_failure_shows_the_lockout_and_when_it_lifts(qtbot, db, hasher, clinician):
    auth = Authenticator(db, hasher=hasher)
    dialog = SignInDialog(auth)
    qtbot.addWidget(dialog)
    for attempt in range(1, 6):
        dialog.name_field.setText("Dr Aiko Tanaka")
        dialog.password_field.setText(f"wrong guess {attempt}")
        assert not dialog.attempt()
        assert dialog.locked_out is (attempt == 5)
    lifts = (db.now() + auth.settings().lockout_period).astimezone().strftime("%H:%M")
    assert "locked after too many failed attempts" in dialog.message.text()
    assert f"Try again after {lifts}" in dialog.message.text()
    # Even the right password is refused while the lockout lasts.
    dialog.password_field.setText(CLINICIAN_PASSWORD)
    assert not dialog.attempt() and dialog.locked_out
    actions = [r.entry.action for r in view_audit(db, by=None, entity="user")]
    assert actions.count(AuditAction.SIGN_IN_FAILED.value) == 6
    assert AuditAction.ACCOUNT_LOCKED.value in actions
