"""Roles in the window (a trainer opens no patient, a clinician changes no clinic setting),
the administrators' Accounts and Audit pages, and who created and changed a record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kaatsu_desktop.accounts import PermissionDenied, list_accounts, view_audit
from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import PatientFields, Role
from tests.ui.accounts.conftest import ADMIN_PASSWORD, CLINICIAN_PASSWORD
from tests.ui.conftest import add_patient
from ui.accounts.audit_page import AuditPage
from ui.accounts.authorship import AuthorshipLabel
from ui.accounts.shell import AccountsShell
from ui.main_window import MainWindow, Page


def window_for(qtbot, db, user) -> MainWindow:
    win = MainWindow(Services.create(db, user_id=user.id), database_path=db.path)
    qtbot.addWidget(win)
    return win


def test_a_trainer_cannot_open_a_patient_and_the_registry_says_why(qtbot, db, trainer):
    patient = add_patient(Services.create(db))
    win = window_for(qtbot, db, trainer)
    assert win.registry.model.rowCount() == 0
    reason = win.registry.summary.text()
    assert reason == "Tom Trainer is a trainer and may not open patient records."
    assert not win.registry.search_field.isEnabled() and not win.registry.new_button.isEnabled()
    win.open_patient(patient.id)
    assert win.patients_stack.currentWidget() is win.registry  # refused, the reason stays
    with pytest.raises(PermissionDenied):
        Services.create(db, user_id=trainer.id).patients.get(patient.id)
    assert view_audit(db, by=None, action="read") == []  # nothing was read


def test_a_clinician_opens_patients_and_the_read_is_audited(qtbot, db, clinician):
    patient = add_patient(Services.create(db))
    win = window_for(qtbot, db, clinician)
    assert win.registry.model.rowCount() == 1
    win.open_patient(patient.id)
    assert win.patients_stack.currentWidget() is win.patient_page
    (read,) = view_audit(db, by=None, action="read")
    assert (read.entry.user_id, read.entry.entity_id) == (clinician.id, patient.id)


def test_a_clinician_sees_the_clinic_settings_read_only_with_the_reason(qtbot, db, clinician):
    win = window_for(qtbot, db, clinician)
    page = win.settings_page
    assert not page.save_button.isEnabled()
    assert all(not spin.isEnabled() for spin in page.spins.values())
    label = page.findChild(type(page.status), "settingsReadOnlyReason")
    assert label is not None
    assert "Dr Aiko Tanaka is a clinician and may not change the clinic settings" in label.text()
    with pytest.raises(PermissionDenied):
        win.services.settings.save(page.values())


def test_an_administrator_changes_settings_and_gets_accounts_and_audit(
    qtbot, db, admin, auth, hasher, monotonic
):
    win = window_for(qtbot, db, admin)
    shell = AccountsShell(win, db, auth, admin, hasher=hasher, monotonic=monotonic)
    assert win.settings_page.save_button.isEnabled()
    assert win.settings_page.save()
    assert {Page.ACCOUNTS, Page.AUDIT} <= set(win.nav_buttons)
    qtbot.mouseClick(win.nav_buttons[Page.AUDIT], Qt.MouseButton.LeftButton)
    assert win.pages.currentWidget() is shell.audit_page
    assert "Admin Ana (Administrator)" in win.account_label.text()
    # No patient for an administrator either.
    assert "may not open patient records" in win.registry.summary.text()


def test_a_clinician_gets_no_accounts_or_audit_page(qtbot, db, clinician, auth, hasher, monotonic):
    win = window_for(qtbot, db, clinician)
    shell = AccountsShell(win, db, auth, clinician, hasher=hasher, monotonic=monotonic)
    assert shell.users_page is None and shell.audit_page is None
    assert Page.ACCOUNTS not in win.nav_buttons and win.pages.count() == 3
    with pytest.raises(ValueError):
        win.show_page(Page.AUDIT)


def test_the_accounts_page_creates_resets_changes_role_and_keeps_the_last_administrator(
    qtbot, db, admin, auth, hasher, monotonic
):
    win = window_for(qtbot, db, admin)
    page = AccountsShell(win, db, auth, admin, hasher=hasher, monotonic=monotonic).users_page
    page.new_name.setText("Nurse Nia")
    page.new_role.setCurrentIndex(page.new_role.findData(Role.CLINICIAN.value))
    page.new_password.setText("short")
    assert not page.create()
    assert "12" in page.message.text()
    page.new_password.setText("a long enough password")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "Account Nurse Nia created."
    assert page.selected().user.name == "Nurse Nia"
    auth.sign_in("Nurse Nia", "a long enough password")

    page.reset_password_field.setText("another long password")
    assert page.reset_selected_password()
    auth.sign_in("Nurse Nia", "another long password")

    page.role_box.setCurrentIndex(page.role_box.findData(Role.TRAINER.value))
    assert page.change_selected_role()
    assert page.toggle_selected_active()
    nia = next(a for a in list_accounts(db) if a.user.name == "Nurse Nia")
    assert nia.user.role is Role.TRAINER and not nia.active

    page.select(admin.id)
    assert page.active_button.text() == "Deactivate"
    assert not page.toggle_selected_active()
    assert "must keep one active administrator" in page.message.text()
    page.role_box.setCurrentIndex(page.role_box.findData(Role.CLINICIAN.value))
    assert not page.change_selected_role()
    assert next(a for a in list_accounts(db) if a.user.id == admin.id).active


def test_the_audit_viewer_lists_sign_ins_filters_exports_and_verifies(
    qtbot, db, admin, clinician, auth, clock, tmp_path: Path
):
    auth.sign_in("Admin Ana", ADMIN_PASSWORD)
    auth.sign_in("Dr Aiko Tanaka", CLINICIAN_PASSWORD)
    export = tmp_path / "out" / "audit.csv"
    page = AuditPage(db, admin, choose_export_path=lambda: export)
    qtbot.addWidget(page)
    page.action_box.setCurrentText("sign_in")
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert [line.user_name for line in page.lines] == ["Admin Ana", "Dr Aiko Tanaka"]
    assert page.table.rowCount() == 2 and page.table.item(1, 2).text() == "Dr Aiko Tanaka"

    page.user_box.setCurrentIndex(page.user_box.findData(clinician.id))
    page.refresh()
    assert [line.entry.user_id for line in page.lines] == [clinician.id]

    today = clock.now.astimezone().date()
    page.set_date_range(date(2020, 1, 1), date(2020, 12, 31))
    page.refresh()
    assert page.lines == []
    page.set_date_range(today, today)
    page.refresh()
    assert len(page.lines) == 1

    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    assert page.verify_label.text().startswith("Chain intact:")
    assert page.verify_label.property("statusRole") == "ok"

    n = page.export()
    assert n is not None and n > 2
    text = export.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("id,at,user_id,user_name,action")
    assert text.count("sign_in") >= 2
    (exported,) = view_audit(db, by=None, action="export")
    assert exported.entry.user_id == admin.id
    assert page.export() is None  # never replaces an existing file
    assert "exists already" in page.message.text()


def test_the_authorship_line_names_who_created_and_who_last_changed(qtbot, db, clinician, admin,
                                                                   hasher, clock):  # fmt: skip
    from kaatsu_desktop.accounts import create_account

    other = create_account(db, "Dr Ben Osei", "clinician", "yet another password", by=admin,
                           hasher=hasher)  # fmt: skip
    first = Services.create(db, user_id=clinician.id).patients
    patient = first.create(PatientFields("KC-7", "Ida", "Holm", "1960-01-02", "female"))
    label = AuthorshipLabel(db)
    qtbot.addWidget(label)
    label.set_record(patient)
    assert label.text().startswith("Created by Dr Aiko Tanaka on ")
    assert "last changed" not in label.text()
    clock.advance(minutes=5)
    second = Services.create(db, user_id=other.id).patients
    changed = second.update(patient.id, PatientFields("KC-7", "Ida", "Holm-Berg", "1960-01-02",
                                                      "female"))  # fmt: skip
    label.set_record(changed)
    assert "Created by Dr Aiko Tanaka" in label.text()
    assert "last changed by Dr Ben Osei on " in label.text()
    label.set_record(None)
    assert not label.isVisibleTo(label.parentWidget() or label) and label.text() == ""


def test_the_patient_page_shows_who_created_the_record(qtbot, db, clinician) -> None:
    from ui.patients.page import PatientPage

    services = Services.create(db, user_id=clinician.id)
    patient = services.patients.create(PatientFields("KC-8", "Ola", "Berg", "1970-03-04", "male"))
    page = PatientPage(services.patients, services.screenings, services.settings)
    qtbot.addWidget(page)
    page.show_patient(patient.id)
    assert page.authorship.text().startswith("Created by Dr Aiko Tanaka on ")
