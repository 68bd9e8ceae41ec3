"""Import patients from the registry: the dry run lists every error and imports nothing; a clean
file imports; Import is enabled only when every line passed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database, create_user, list_audit, list_patients
from tests.ui.conftest import add_patient
from ui.accounts.access import GuardedRegistryPage
from ui.exchange.prompts import FilePrompts
from ui.patients.registry import RegistryPage

HEADER = "clinic_id,family_name,given_name,date_of_birth,sex,contact,notes\n"
CLEAN = (
    HEADER
    + "KC-2001,Nakamura,Ren,1971-06-02,male,,\n"
    + 'KC-2002,O\'Brien,Siobhan,1983-11-30,female,,"knee pain, left"\n'
)


def _registry(qtbot, services: Services, chosen: list[Path]) -> RegistryPage:
    prompts = FilePrompts(open_file=lambda *_: (str(chosen.pop(0)) if chosen else "", ""))
    page = RegistryPage(services.patients, exchange=services.exchange, prompts=prompts)
    qtbot.addWidget(page)
    return page


def _rows(dialog) -> list[tuple[str, str, str]]:
    table = dialog.errors
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]


def test_a_bad_line_is_listed_with_its_line_and_field_and_nothing_is_imported(
    qtbot, services: Services, db: Database, tmp_path: Path
) -> None:
    add_patient(services, clinic_id="KC-2002")  # the file's second patient is already on file
    bad = tmp_path / "patients.csv"
    bad.write_text(CLEAN.replace("1971-06-02", "02/06/1971"), encoding="utf-8")
    audit_before = len(list_audit(db))
    page = _registry(qtbot, services, [bad])
    assert page.import_button.objectName() == "importPatientsButton"
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)

    dialog = page.import_window
    assert dialog is not None and dialog.isVisible()
    rows = _rows(dialog)
    assert ("2", "date_of_birth", "must be a date written YYYY-MM-DD") in rows
    assert any(line == "3" and field == "clinic_id" and "already used" in reason
               for line, field, reason in rows)  # fmt: skip
    assert not dialog.import_button.isEnabled()
    assert "2 problems found: nothing will be imported" in dialog.summary.text()
    dialog.import_now()  # refused while Import is disabled
    assert [p.clinic_id for p in list_patients(db)] == ["KC-2002"]
    assert len(list_audit(db)) == audit_before
    dialog.close()


def test_a_clean_file_imports_after_its_dry_run_and_the_list_shows_the_patients(
    qtbot, services: Services, db: Database, tmp_path: Path
) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text(CLEAN, encoding="utf-8")
    page = _registry(qtbot, services, [clean])
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    dialog = page.import_window
    assert dialog.errors.isHidden() and dialog.import_button.isEnabled()
    assert dialog.summary.text() == "Every line is valid: 2 patients ready to import."
    assert list_patients(db) == []  # the dry run wrote nothing

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert sorted(p.clinic_id for p in list_patients(db)) == ["KC-2001", "KC-2002"]
    assert dialog.summary.text() == "Imported 2 patients."
    assert not dialog.import_button.isEnabled()  # a second click cannot import twice
    assert page.model.rowCount() == 2 and "Imported 2 patients" in page.summary.text()
    (row,) = [a.after for a in list_audit(db, action="import")]
    assert row["count"] == 2 and row["source"] == str(clean)


def test_a_corrected_file_checked_again_can_be_imported(
    qtbot, services: Services, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(CLEAN.replace(",male,", ",man,"), encoding="utf-8")
    page = _registry(qtbot, services, [path])
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    dialog = page.import_window
    assert [(line, field) for line, field, _ in _rows(dialog)] == [("2", "sex")]
    assert not dialog.import_button.isEnabled()
    path.write_text(CLEAN, encoding="utf-8")
    qtbot.mouseClick(dialog.recheck_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.isHidden() and dialog.import_button.isEnabled()


def test_a_trainer_cannot_start_an_import(qtbot, services: Services, db: Database) -> None:
    trainer = create_user(db, "Tom Trainer", "trainer", by=None)
    page = RegistryPage(services.patients)  # its exchange service follows the patient service
    qtbot.addWidget(page)
    assert page.import_button.isEnabled()
    services.patients.user_id = trainer.id  # e.g. a role changed while the window was open
    assert page.open_import() is None and page.import_window is None
    assert "may not create or change patient records" in page.summary.text()
    guarded = GuardedRegistryPage(services.patients, "Trainers use demo mode only.")
    qtbot.addWidget(guarded)
    assert not guarded.import_button.isEnabled()
    assert "may not create or change patient records" in guarded.import_button.toolTip()
