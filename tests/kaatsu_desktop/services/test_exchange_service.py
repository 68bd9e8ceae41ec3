"""ExchangeService: reports, exports and the import act as the signed-in user, each audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaatsu_desktop.accounts import PermissionDenied
from kaatsu_desktop.exchange import ExportWritten, ImportResult
from kaatsu_desktop.reports import ReportWritten
from kaatsu_desktop.services import ExchangeService, ReportPrinted, Services
from kaatsu_desktop.storage import (
    Database,
    NotFound,
    create_user,
    list_audit,
    list_patients,
)
from tests.kaatsu_desktop.reports.stored import StoredSession, store_session
from tests.kaatsu_desktop.storage.helpers import FakeClock

HEADER = "clinic_id,family_name,given_name,date_of_birth,sex\n"
pytestmark = pytest.mark.usefixtures("qapp")  # the PDF writer needs a QGuiApplication


@pytest.fixture
def stored(db: Database, clock: FakeClock) -> StoredSession:
    return store_session(db, clock)


def _exports(db: Database, user_id: int | None) -> list[dict]:
    return [a.after for a in list_audit(db, user_id=user_id) if a.action in ("export", "report")]


def test_report_pdf_is_written_and_audited_as_the_clinician(
    db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    service = ExchangeService(db, user_id=stored.clinician.id)
    seen: list[object] = []
    service.written.connect(seen.append)
    written = service.write_report(stored.session_id, tmp_path / "report.pdf")
    assert isinstance(written, ReportWritten) and written.pages >= 2
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    (row,) = _exports(db, stored.clinician.id)
    assert row["destination"] == str(tmp_path / "report.pdf") and row["sha256"] == written.sha256
    assert seen == [written]


def test_exports_carry_the_user_and_the_format(
    db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    service = ExchangeService(db, user_id=stored.clinician.id)
    csv = service.export_session_csv(stored.session_id, tmp_path / "s.csv")
    js = service.export_patient_json(stored.patient.id, tmp_path / "p.json")
    fhir = service.export_patient_fhir(stored.patient.id, tmp_path / "p.fhir.json")
    assert all(isinstance(w, ExportWritten) for w in (csv, js, fhir))
    formats = [row["format"] for row in _exports(db, stored.clinician.id)]
    assert formats == ["kaatsu-session-csv/1", "kaatsu-patient/1", "fhir-r4-bundle"]
    assert (tmp_path / "p.fhir.json").read_text(encoding="utf-8").lstrip().startswith("{")


def test_a_trainer_may_not_export_patient_data_and_nothing_is_written(
    db: Database, stored: StoredSession, tmp_path: Path
) -> None:
    trainer = create_user(db, "Tom Trainer", "trainer", by=None)
    service = ExchangeService(db, user_id=trainer.id)
    assert "may not export patient data" in (service.refusal() or "")
    assert "may not create or change patient records" in (service.refusal(importing=True) or "")
    assert ExchangeService(db, user_id=stored.clinician.id).refusal(importing=True) is None
    audit_before = len(list_audit(db))
    calls = [
        lambda: service.write_report(stored.session_id, tmp_path / "r.pdf"),
        lambda: service.export_session_csv(stored.session_id, tmp_path / "s.csv"),
        lambda: service.export_patient_json(stored.patient.id, tmp_path / "p.json"),
        lambda: service.export_patient_fhir(stored.patient.id, tmp_path / "p.fhir.json"),
        lambda: service.check_import(tmp_path / "none.csv"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("kaatsu")] == []
    assert len(list_audit(db)) == audit_before


def test_a_missing_session_is_not_found(db: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        ExchangeService(db).write_report(999, tmp_path / "r.pdf")


def test_a_printed_report_is_audited_with_its_destination(
    db: Database, stored: StoredSession
) -> None:
    service = ExchangeService(db, user_id=stored.clinician.id)
    data = service.report_data(stored.session_id)
    printed = service.record_printed(data, pages=3, destination="printer:Ward 2")
    assert printed == ReportPrinted(stored.session_id, "printer:Ward 2", 3)
    (row,) = _exports(db, stored.clinician.id)
    assert row["destination"] == "printer:Ward 2" and row["printed"] is True and row["pages"] == 3


def test_import_dry_run_lists_errors_then_a_clean_file_imports(
    db: Database, services: Services, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "KC-1,Berg,Hanna,1970-05-01,female\nKC-2,Okafor,Ada,1990-13-01,x\n")
    service = services.exchange
    imported: list[ImportResult] = []
    service.imported.connect(imported.append)
    dry = service.check_import(bad)
    assert dry.dry_run and not dry.ok and dry.valid_rows == 1
    assert {(e.line, e.field) for e in dry.errors} == {(3, "date_of_birth"), (3, "sex")}
    assert service.import_patients(bad).created == () and list_patients(db) == []
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "KC-1,Berg,Hanna,1970-05-01,female\n")
    result = service.import_patients(good)
    assert [p.clinic_id for p in result.created] == ["KC-1"]
    assert imported == [result]


def test_alongside_acts_as_whoever_the_patient_service_acts_as(
    db: Database, services: Services, stored: StoredSession, tmp_path: Path
) -> None:
    service = ExchangeService.alongside(services.patients)
    assert service.user_id is None
    services.patients.user_id = stored.clinician.id
    assert service.user_id == stored.clinician.id
    service.export_session_csv(stored.session_id, tmp_path / "s.csv")
    assert len(_exports(db, stored.clinician.id)) == 1
    service.user_id = None  # set explicitly: no longer follows
    assert service.user_id is None
