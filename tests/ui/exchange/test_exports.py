"""Reports and exports from the patient page: chosen path in, file and audit row out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import Database, list_audit
from tests.kaatsu_desktop.reports.stored import START, StoredSession, store_session
from tests.kaatsu_desktop.storage.helpers import FakeClock
from ui.exchange.prompts import FilePrompts
from ui.patients.page import PatientPage

DAY = START.astimezone().date().isoformat()  # file names carry the local date


class Answers:
    """Stands in for the dialogs: the save path to give, and what was asked and shown."""

    def __init__(self, save_to: Path | None, *, open_folder: bool = False) -> None:
        self.save_to = save_to
        self.open_folder_answer = open_folder
        self.asked: list[tuple[str, str, str]] = []  # (caption, suggested path, filter)
        self.offered: list[str] = []
        self.opened: list[Path] = []
        self.errors: list[tuple[str, str]] = []
        self.printed_to: Path | None = None

    def prompts(self) -> FilePrompts:
        def save_file(_parent, caption, suggested, file_filter):
            self.asked.append((caption, suggested, file_filter))
            return (str(self.save_to) if self.save_to else "", "")

        def offer(_parent, _title, text):
            self.offered.append(text)
            return self.open_folder_answer

        def print_setup(printer: QPrinter, _parent) -> bool:
            if self.printed_to is None:
                return False  # the user cancelled the print dialog
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self.printed_to))
            return True

        return FilePrompts(
            save_file=save_file,
            print_setup=print_setup,
            offer_folder=offer,
            open_folder=lambda folder: self.opened.append(folder) or True,
            show_error=lambda _parent, title, text: self.errors.append((title, text)),
        )


@pytest.fixture
def stored(db: Database, clock: FakeClock) -> StoredSession:
    return store_session(db, clock, demo=False)


def _page(qtbot, db: Database, stored: StoredSession, answers: Answers) -> PatientPage:
    services = Services.create(db, user_id=stored.clinician.id)
    page = PatientPage(services.patients, services.screenings, services.settings,
                       exchange=services.exchange, prompts=answers.prompts())  # fmt: skip
    qtbot.addWidget(page)
    page.show_patient(stored.patient.id)
    return page


def _audit(db: Database, action: str, user_id: int) -> list[dict]:
    return [a.after for a in list_audit(db, user_id=user_id, action=action)]


def test_report_pdf_from_the_session_row_writes_the_pdf_and_its_audit_row(
    qtbot, db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    answers = Answers(target, open_folder=True)
    page = _page(qtbot, db, stored, answers)
    button = page.sessions_tab.row_button(0, "sessionReportButton")
    assert button.text() == "Report (PDF)" and "PDF" in button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    data = target.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 20_000 and data.rstrip().endswith(b"%%EOF")
    (row,) = _audit(db, "report", stored.clinician.id)
    assert row["destination"] == str(target) and row["bytes"] == len(data)
    caption, suggested, file_filter = answers.asked[0]
    assert caption == "Save session report"
    assert Path(suggested).name == f"KC-0042_session-1_{DAY}.pdf" and "*.pdf" in file_filter
    assert answers.opened == [target.parent]  # the user took the offer to open the folder
    assert "report.pdf" in page.feedback.text() and answers.errors == []


def test_print_renders_on_the_printer_and_audits_it(
    qtbot, db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    answers = Answers(None)
    page = _page(qtbot, db, stored, answers)
    qtbot.mouseClick(page.sessions_tab.row_button(0, "sessionPrintButton"),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert _audit(db, "report", stored.clinician.id) == []  # cancelled: nothing printed
    answers.printed_to = tmp_path / "printed.pdf"
    qtbot.mouseClick(page.sessions_tab.row_button(0, "sessionPrintButton"),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert answers.printed_to.read_bytes()[:5] == b"%PDF-"
    (row,) = _audit(db, "report", stored.clinician.id)
    assert row["destination"] == str(answers.printed_to) and row["printed"] is True
    assert row["pages"] >= 2 and "printed" in page.feedback.text()


def test_session_csv_patient_json_and_fhir_buttons_write_their_files(
    qtbot, db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    answers = Answers(None)
    page = _page(qtbot, db, stored, answers)
    clicks = (
        ("session.csv", page.sessions_tab.row_button(0, "sessionCsvButton")),
        ("patient.json", page.export_json_button),
        ("bundle.json", page.export_fhir_button),
    )
    for name, button in clicks:
        answers.save_to = tmp_path / name
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    header = (tmp_path / "session.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "pressure" in header
    record = json.loads((tmp_path / "patient.json").read_text(encoding="utf-8"))
    assert record["format"] == "kaatsu-patient/1"
    bundle = json.loads((tmp_path / "bundle.json").read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    formats = [row["format"] for row in _audit(db, "export", stored.clinician.id)]
    assert formats == ["kaatsu-session-csv/1", "kaatsu-patient/1", "fhir-r4-bundle"]
    suggested = [Path(s).name for _, s, _ in answers.asked]
    assert suggested == [f"KC-0042_session-1_{DAY}.csv", "KC-0042_patient.json",
                         "KC-0042_fhir-bundle.json"]  # fmt: skip
    assert page.export_json_button.objectName() == "exportPatientJsonButton"
    assert page.export_fhir_button.accessibleName()


def test_a_cancelled_dialog_writes_nothing_and_a_failed_write_says_why(
    qtbot, db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    answers = Answers(None)
    page = _page(qtbot, db, stored, answers)
    qtbot.mouseClick(page.sessions_tab.row_button(0, "sessionReportButton"),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert answers.errors == [] and answers.offered == []
    answers.save_to = tmp_path / "no-such-folder" / "report.pdf"
    qtbot.mouseClick(page.sessions_tab.row_button(0, "sessionReportButton"),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    ((title, text),) = answers.errors
    assert title == "Report not written" and "could not be written" in text
    assert _audit(db, "report", stored.clinician.id) == [] and answers.offered == []
    assert "Report not written" in page.feedback.text()


def test_a_path_without_extension_gets_the_suggested_one(
    qtbot, db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    answers = Answers(tmp_path / "berg-record")
    page = _page(qtbot, db, stored, answers)
    qtbot.mouseClick(page.export_json_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "berg-record.json").exists()
