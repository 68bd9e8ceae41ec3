"""Patient JSON: the whole record, samples included, reads back equal; bad documents named."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from kaatsu_desktop.clinical import assess_json
from kaatsu_desktop.exchange import (
    PatientFileError,
    export_patient_json,
    load_patient_record,
    parse_patient_json,
    patient_json_text,
    read_patient_json,
)
from kaatsu_desktop.storage import (
    NewScreening,
    NewSession,
    NotFound,
    add_screening,
    create_session,
    list_audit,
)
from tests.kaatsu_desktop.reports.stored import StoredSession, screening_input, store_session


def test_export_then_import_gives_back_the_same_record(
    stored: StoredSession, tmp_path: Path
) -> None:
    db = stored.db
    # A second screening and a running session without samples make the record less tidy.
    day = stored.clock.now.date()
    assessment = assess_json(screening_input(day))
    add_screening(
        db,
        NewScreening(
            stored.patient.id, day, screening_input(day), assessment, assessment["verdict"]
        ),
        by=None,
    )
    create_session(
        db, NewSession(stored.patient.id, {"id": "constant-sku", "unit": "SKU"}), by=None
    )
    out = tmp_path / "patient.json"
    written = export_patient_json(db, stored.patient.id, out, by=stored.clinician.id)
    with open(out, encoding="utf-8") as fh:
        back = read_patient_json(fh)
    original = load_patient_record(db, stored.patient.id)
    assert back == original
    assert written.items == 2 == len(back.sessions)
    assert [s.assessed_on for s in back.screenings] == sorted(
        s.assessed_on for s in back.screenings
    )
    first = back.sessions[0]
    assert first.samples.size == stored.sample_count
    assert np.array_equal(
        first.samples["pressure_x10"], original.sessions[0].samples["pressure_x10"]
    )
    assert back.sessions[1].samples.size == 0 and back.sessions[1].record.ended_at is None
    # The text form of a loaded record reads back equal too.
    text = patient_json_text(original, exported_at=datetime(2026, 3, 2, 12, tzinfo=UTC))
    assert read_patient_json(io.StringIO(text)) == original
    doc = json.loads(text)
    assert doc["format"] == "kaatsu-patient/1"
    assert doc["patient"]["clinic_id"] == "KC-0042"
    assert doc["sessions"][0]["samples"][0]["channel"] == 0


def test_a_changed_value_is_not_equal(stored: StoredSession) -> None:
    record = load_patient_record(stored.db, stored.patient.id)
    doc = json.loads(patient_json_text(record, exported_at=datetime(2026, 1, 1, tzinfo=UTC)))
    doc["sessions"][0]["samples"][1]["pressure_x10"][100] += 1
    assert parse_patient_json(doc) != record
    doc = json.loads(patient_json_text(record, exported_at=datetime(2026, 1, 1, tzinfo=UTC)))
    doc["sessions"][0]["events"][0]["message"] = "changed"
    assert parse_patient_json(doc) != record


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(format="kaatsu-patient/0"), "format"),
        (lambda d: d["patient"].pop("clinic_id"), "patient.clinic_id"),
        (
            lambda d: d["screenings"][0].update(assessed_on="23/02/2026"),
            "screenings[0].assessed_on",
        ),
        (lambda d: d["sessions"][0]["samples"][0]["phase"].pop(), "sessions[0].samples[0]"),
        (lambda d: d["sessions"][0]["events"][2].pop("t_ms"), "sessions[0].events[2].t_ms"),
    ],
)
def test_a_bad_document_names_where(stored: StoredSession, change, where: str) -> None:
    record = load_patient_record(stored.db, stored.patient.id)
    doc = json.loads(patient_json_text(record, exported_at=datetime(2026, 1, 1, tzinfo=UTC)))
    change(doc)
    with pytest.raises(PatientFileError) as err:
        parse_patient_json(doc)
    assert err.value.where == where


def test_export_is_audited_and_a_missing_patient_makes_no_file(db, clock, tmp_path: Path) -> None:
    stored = store_session(db, clock)
    export_patient_json(db, stored.patient.id, tmp_path / "p.json", by=stored.clinician.id)
    rows = [a for a in list_audit(db, entity="patient") if a.action == "export"]
    assert [(r.entity_id, r.after["format"]) for r in rows] == [
        (stored.patient.id, "kaatsu-patient/1")
    ]
    with pytest.raises(NotFound):
        export_patient_json(db, 404, tmp_path / "q.json")
    assert not (tmp_path / "q.json").exists()
