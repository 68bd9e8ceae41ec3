"""Patients CSV import: every error with its line and field; all lines or nothing; audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaatsu_desktop.cli import main
from kaatsu_desktop.exchange import LineError, import_patients_csv
from kaatsu_desktop.storage import (
    Database,
    PatientFields,
    archive_patient,
    create_patient,
    list_audit,
    list_patients,
    open_database,
)
from tests.kaatsu_desktop.reports.stored import clinic_clock, store_session

HEADER = "clinic_id,family_name,given_name,date_of_birth,sex,contact,notes\r\n"
GOOD = (
    HEADER
    + "KC-1001,Nakamura,Ren,1971-06-02,male,ren@example.org,\r\n"
    + 'KC-1002,O\'Brien,Siobhan,1983-11-30,Female,"+353 1 555 0100","knee pain,\r\nleft side"\r\n'
    + "\r\n"
    + "KC-1003,Okafor,Ada,1990-01-15,other,,\r\n"
)


def write(tmp_path: Path, text: str, name: str = "patients.csv", bom: bool = True) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_dry_run_checks_and_writes_nothing_then_the_import_writes_all(
    db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    audit_before = len(list_audit(db))
    dry = import_patients_csv(db, path, dry_run=True)
    assert dry.ok and dry.dry_run and dry.valid_rows == 3 and dry.created == ()
    assert list_patients(db) == [] and len(list_audit(db)) == audit_before

    result = import_patients_csv(db, path)
    assert result.ok and len(result.created) == 3
    by_id = {p.clinic_id: p for p in list_patients(db)}
    assert sorted(by_id) == ["KC-1001", "KC-1002", "KC-1003"]
    siobhan = by_id["KC-1002"]
    assert siobhan.sex.value == "female" and siobhan.family_name == "O'Brien"
    assert siobhan.contact == "+353 1 555 0100" and siobhan.notes == "knee pain,\r\nleft side"
    imports = [a for a in list_audit(db, entity="patient") if a.action == "import"]
    assert len(imports) == 1 and imports[0].after["count"] == 3
    assert imports[0].after["source"] == str(path)
    creates = [a for a in list_audit(db, entity="patient") if a.action == "create"]
    assert len(creates) == 3


def test_one_bad_line_imports_nothing_and_names_the_line(db: Database, tmp_path: Path) -> None:
    text = GOOD.replace("1990-01-15", "15/01/1990")  # the record on line 6
    path = write(tmp_path, text)
    audit_before = len(list_audit(db))
    for dry_run in (True, False):
        result = import_patients_csv(db, path, dry_run=dry_run)
        assert result.errors == (
            LineError(6, "date_of_birth", "must be a date written YYYY-MM-DD"),
        )
        assert result.created == () and result.valid_rows == 2
    assert list_patients(db, include_archived=True) == []
    assert len(list_audit(db)) == audit_before


def test_every_error_is_listed_with_line_field_and_reason(
    db: Database, tmp_path: Path, clock
) -> None:
    existing = create_patient(
        db, PatientFields("KC-0042", "Hanna", "Berg", "1958-03-14", "female"), by=None
    )
    archive_patient(db, existing.id, by=None)  # archived ids are taken too
    future = clock.now.date().replace(year=clock.now.year + 1).isoformat()
    text = (
        "clinic_id,family_name,given_name,date_of_birth,sex,nickname\r\n"
        "KC-2001,Lund,Eva,1970-02-02,female,\r\n"  # line 2: fine apart from the header
        f"KC-2002,,Jon,{future},m,\r\n"  # line 3: three errors
        "kc-0042,Berg,Hanna,1958-03-14,female,\r\n"  # line 4: in the database (any case)
        "KC-2001,Lund,Eva,1970-02-02,female,\r\n"  # line 5: twice in the file
        "KC-2003,Mora,Luis,1960-01-01\r\n"  # line 6: too few cells
        "KC-2004,Ng,Ta\tb,1961-01-01,male,\r\n"  # line 7: a control character in a name
    )
    result = import_patients_csv(db, write(tmp_path, text, bom=False), dry_run=True)
    assert [(e.line, e.field) for e in result.errors] == [
        (1, "nickname"),
        (3, "family_name"),
        (3, "date_of_birth"),
        (3, "sex"),
        (4, "clinic_id"),
        (5, "clinic_id"),
        (6, "(row)"),
        (7, "given_name"),
    ]
    reasons = {(e.line, e.field): e.reason for e in result.errors}
    assert reasons[1, "nickname"] == "is not a known column"
    assert reasons[3, "sex"] == "must be one of: female, male, other"
    assert reasons[4, "clinic_id"] == f"kc-0042 is already used by patient record {existing.id}"
    assert reasons[5, "clinic_id"] == "KC-2001 is also on line 2"
    assert str(result.errors[4]).startswith("line 4, clinic_id: ")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", LineError(1, "(header)", "the file is empty")),
        (
            b"clinic_id,family_name,given_name,sex\r\n",
            LineError(1, "date_of_birth", "column is missing"),
        ),
        (
            HEADER.encode() + b"KC-1,M\xfcller,Anna,1960-01-01,female,,\r\n",
            LineError(2, "(file)", "is not UTF-8 text"),
        ),
    ],
)
def test_file_level_errors(db: Database, tmp_path: Path, data: bytes, expected: LineError) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    assert import_patients_csv(db, path).errors == (expected,)


def test_cli_import_dry_run_and_import_and_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "kaatsu.sqlite3"
    clock = clinic_clock()
    db = open_database(db_path, clock=clock, auto_backup=False)
    stored = store_session(db, clock)
    db.close()
    base = ["--db", str(db_path)]
    bad = write(tmp_path, GOOD.replace("KC-1003", "KC-0042"), "bad.csv")
    assert main([*base, "import", str(bad), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "line 6, clinic_id: KC-0042 is already used by patient record" in err
    assert "nothing was imported" in err
    good = write(tmp_path, GOOD)
    assert main([*base, "import", str(good), "--dry-run"]) == 0
    assert "3 patients would be imported" in capsys.readouterr().out
    assert main([*base, "import", str(good)]) == 0
    assert "Imported 3 patients." in capsys.readouterr().out
    assert main([*base, "import", str(good)]) == 2  # the same ids again: all taken
    for what, ident, name in (
        ("session-csv", stored.session_id, "s.csv"),
        ("patient-json", stored.patient.id, "p.json"),
        ("patient-fhir", stored.patient.id, "p.fhir.json"),
    ):
        assert main([*base, "export", what, str(ident), "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert main([*base, "export", "patient-json", "999", "-o", str(tmp_path / "x.json")]) == 2
    assert not (tmp_path / "x.json").exists()
    db = open_database(db_path, clock=clock, auto_backup=False)
    try:
        actions = [(a.action, a.entity) for a in list_audit(db) if a.action in ("export", "import")]
    finally:
        db.close()
    assert actions == [
        ("import", "patient"),
        ("export", "session"),
        ("export", "patient"),
        ("export", "patient"),
    ]
