"""Clearance dialog and settings page: stored through the services, refused at the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from kaatsu_desktop.services import FormError, Services
from kaatsu_desktop.storage import Database, get_settings, list_audit, list_clearances
from tests.kaatsu_desktop.clinical.builders import screening
from tests.ui.conftest import TODAY, add_patient
from ui.patients.page import PatientPage
from ui.settings_page import SettingsPage


def _page_with_screening(qtbot, services: Services, **facts) -> PatientPage:
    patient = add_patient(services)
    data = screening(assessed_on=TODAY.isoformat(), sex="female", date_of_birth="1970-05-01",
                     **facts)  # fmt: skip
    services.screenings.save(patient.id, data)
    page = PatientPage(services.patients, services.screenings, services.settings)
    qtbot.addWidget(page)
    page.show_patient(patient.id)
    return page


def test_clearance_prefilled_from_the_screening_and_stored(
    qtbot, services: Services, db: Database
) -> None:
    page = _page_with_screening(qtbot, services, systolic_mmhg=165, history=["lymphectomy"])
    dialog = page.clearance_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert set(dialog.checked_rules()) == {"S-BP-2", "S-REL-1"}
    assert dialog.rules.item(0).data(Qt.ItemDataRole.UserRole) in {"S-BP-2", "S-REL-1"}
    qtbot.keyClicks(dialog.physician, "Dr Ines Moreau")
    qtbot.keyClicks(dialog.note, "Reviewed home readings; low pressure, arms first.")
    dialog.set_rule_checked("S-REL-1", False)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    (stored,) = list_clearances(db, page.patient_id)
    assert stored.physician == "Dr Ines Moreau" and stored.rules == ("S-BP-2",)
    assert stored.issued_on == TODAY and stored.expires_on == TODAY + timedelta(days=90)
    assert [a.action for a in list_audit(db, entity="clearance")] == ["create"]
    # The page listens to the service and lists the new clearance.
    assert page.clearance_table.rowCount() == 1
    assert page.clearance_table.item(0, 1).text() == "Dr Ines Moreau"
    assert page.clearance_table.item(0, 4).text() == "in force"


def test_clearance_without_note_refused_at_the_field(
    qtbot, services: Services, db: Database
) -> None:
    page = _page_with_screening(qtbot, services, systolic_mmhg=165)
    dialog = page.clearance_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.physician, "Dr Moreau")
    dialog.expires_on.setDate(dialog.issued_on.date())
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.saved is None
    assert dialog.fieldset.shown("note") is not None
    assert dialog.fieldset.shown("expires_on") is not None
    assert dialog.fieldset.shown("physician") is None
    assert dialog.physician.text() == "Dr Moreau"
    assert dialog.checked_rules() == ["S-BP-2"]
    assert list_clearances(db, page.patient_id) == []


def test_settings_bounds_and_refusal_at_the_field(qtbot, services: Services, db: Database) -> None:
    page = SettingsPage(services.settings)
    qtbot.addWidget(page)
    assert (page.spins["arm_limit_min"].minimum(), page.spins["arm_limit_min"].maximum()) == (2, 15)
    assert page.spins["leg_limit_min"].maximum() == 20  # T-TIME-2 ceiling
    page.spins["arm_limit_min"].setValue(40)
    assert page.spins["arm_limit_min"].value() == 15  # the spin box keeps to the bounds
    page.spins["arm_warning_min"].setValue(14)
    page.spins["arm_limit_min"].setValue(12)  # warning no longer before the limit (T-TIME-1)
    assert page.save() is False
    assert page.fieldset.shown("arm_warning_min") is not None
    assert page.spins["arm_warning_min"].property("error") is True
    assert page.spins["arm_limit_min"].value() == 12  # kept as set
    assert get_settings(db) == {}

    page.spins["arm_warning_min"].setValue(9)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.fieldset.shown("arm_warning_min") is None
    assert services.settings.current().arm_limit_min == 12
    assert get_settings(db)["clinic.arm_warning_min"] == 9
    assert [a.action for a in list_audit(db, entity="settings")] == ["update"]


def test_settings_revert_shows_the_stored_values(qtbot, services: Services) -> None:
    page = SettingsPage(services.settings)
    qtbot.addWidget(page)
    page.spins["screening_validity_days"].setValue(30)
    page.revert()
    assert page.spins["screening_validity_days"].value() == 90


def test_patient_page_lists_sessions_with_minutes_and_alarms(
    qtbot, services: Services, db: Database
) -> None:
    from kaatsu_desktop.storage import NewSession, SessionStatus, create_session, finish_session

    patient = add_patient(services)
    done = create_session(db, NewSession(patient.id, {"name": "Cycle (mmHg)"}), by=None)
    minutes = {"groups": {"arms": {"restriction_s": 540}, "legs": {"restriction_s": 720}}}
    finish_session(db, done.id, SessionStatus.COMPLETED, by=None, summary=minutes)
    bare = create_session(db, NewSession(patient.id, {"id": "constant-mmhg"}), by=None)
    finish_session(db, bare.id, SessionStatus.ABORTED, by=None, end_reason="dizziness")
    page = PatientPage(services.patients, services.screenings, services.settings)
    qtbot.addWidget(page)
    page.show_patient(patient.id)
    table = page.session_table
    # The status's first line (the second names the session's authors: tests/ui/history).
    rows = {table.item(r, 1).text(): [table.item(r, c).text().split("\n")[0]
                                      for c in range(2, 6)]
            for r in range(table.rowCount())}  # fmt: skip
    assert rows["Cycle (mmHg)"] == ["9.0", "12.0", "0", "completed"]
    assert rows["constant-mmhg"] == ["not recorded", "not recorded", "0", "aborted: dizziness"]
    assert page.latest_verdict.verdict == "none"  # no screening on file


def test_settings_clinic_name_for_reports_saved_refused_and_reverted(
    qtbot, services: Services, db: Database
) -> None:
    page = SettingsPage(services.settings)
    qtbot.addWidget(page)
    assert page.clinic_name.text() == ""
    page.clinic_name.setText("  Clinique   du Parc ")
    assert page.save() is True
    assert get_settings(db)["report.clinic_name"] == "Clinique du Parc"
    assert services.settings.clinic_name() == "Clinique du Parc"
    page.clinic_name.setText("Elsewhere")
    page.revert()
    assert page.clinic_name.text() == "Clinique du Parc"
    with pytest.raises(FormError) as refused:
        services.settings.save_clinic_name("x" * 121)
    assert refused.value.fields == ("clinic_name",)
    page.clinic_name.setText("")
    assert page.save() is True
    assert "report.clinic_name" not in get_settings(db)  # reports say "Clinic" again
