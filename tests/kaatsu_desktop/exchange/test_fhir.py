"""FHIR R4 Bundle: Patient, vital-sign and laboratory Observations (LOINC, UCUM), Procedures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from kaatsu_desktop.exchange import (
    bundle_json,
    export_patient_fhir,
    load_patient_record,
    parse_bundle,
    patient_bundle,
)
from kaatsu_desktop.storage import NotFound, list_audit
from tests.kaatsu_desktop.reports.stored import StoredSession

LOINC = "http://loinc.org"


def observations(bundle) -> dict[str, object]:
    """Observation resources by their LOINC code."""
    out = {}
    for entry in bundle.entry:
        r = entry.resource
        if r.get_resource_type() == "Observation":
            out[r.code.coding[0].code] = r
    return out


def test_the_exported_bundle_parses_back_and_validates(
    stored: StoredSession, tmp_path: Path
) -> None:
    out = tmp_path / "patient.fhir.json"
    written = export_patient_fhir(stored.db, stored.patient.id, out, by=stored.clinician.id)
    bundle = parse_bundle(out.read_text(encoding="utf-8"))
    assert bundle.type == "collection" and written.items == len(bundle.entry) == 9
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == ["Patient"] + ["Observation"] * 7 + ["Procedure"]
    urls = [e.fullUrl for e in bundle.entry]
    assert len(set(urls)) == len(urls) and all(u.startswith("urn:uuid:") for u in urls)

    patient = bundle.entry[0].resource
    assert patient.identifier[0].value == "KC-0042"
    assert (patient.name[0].family, patient.name[0].given) == ("Berg", ["Hanna"])
    assert patient.gender == "female" and str(patient.birthDate) == "1958-03-14"

    obs = observations(bundle)
    bp = obs["85354-9"]
    assert {
        c.code.coding[0].code: (c.valueQuantity.value, c.valueQuantity.code) for c in bp.component
    } == {
        "8480-6": (166, "mm[Hg]"),
        "8462-4": (92, "mm[Hg]"),
    }
    assert bp.category[0].coding[0].code == "vital-signs"
    expected = {
        "39156-5": (26.6, "kg/m2", "vital-signs"),  # BMI 71.5 / 1.64^2
        "8302-2": (164, "cm", "vital-signs"),
        "29463-7": (71.5, "kg", "vital-signs"),
        "1558-6": (118, "mg/dL", "laboratory"),
        "2093-3": (236, "mg/dL", "laboratory"),
        "2571-8": (140, "mg/dL", "laboratory"),
    }
    for code, (value, unit, category) in expected.items():
        q = obs[code].valueQuantity
        assert (float(q.value), q.code, q.system) == (value, unit, "http://unitsofmeasure.org")
        assert obs[code].category[0].coding[0].code == category
        assert obs[code].status == "final" and str(obs[code].effectiveDateTime) == "2026-02-23"
        assert obs[code].subject.reference == urls[0]

    procedure = bundle.entry[-1].resource
    assert procedure.status == "stopped" and procedure.statusReason.text == "patient dizzy"
    assert procedure.subject.reference == urls[0]
    assert procedure.performedPeriod.start.isoformat() == "2026-03-02T09:15:00+00:00"
    assert "restriction time arms 15.0 min" in procedure.note[0].text
    assert procedure.note[0].text.startswith("DEMO")


def test_full_urls_are_stable_from_one_export_to_the_next(stored: StoredSession) -> None:
    record = load_patient_record(stored.db, stored.patient.id, samples=False)
    a = patient_bundle(record, timestamp=datetime(2026, 3, 2, tzinfo=UTC))
    b = patient_bundle(record, timestamp=datetime(2026, 4, 2, tzinfo=UTC))
    assert [e.fullUrl for e in a.entry] == [e.fullUrl for e in b.entry]


def test_the_library_refuses_an_invalid_bundle(stored: StoredSession) -> None:
    record = load_patient_record(stored.db, stored.patient.id, samples=False)
    doc = json.loads(
        bundle_json(patient_bundle(record, timestamp=datetime(2026, 3, 2, tzinfo=UTC)))
    )
    del doc["entry"][1]["resource"]["status"]  # required in every Observation
    with pytest.raises(ValidationError):
        parse_bundle(json.dumps(doc))
    doc = json.loads(
        bundle_json(patient_bundle(record, timestamp=datetime(2026, 3, 2, tzinfo=UTC)))
    )
    doc["entry"][0]["resource"]["birthDate"] = "14.03.1958"
    with pytest.raises(ValidationError):
        parse_bundle(json.dumps(doc))


def test_fhir_export_is_audited(stored: StoredSession, tmp_path: Path) -> None:
    export_patient_fhir(stored.db, stored.patient.id, tmp_path / "f.json", by=stored.clinician.id)
    rows = [a for a in list_audit(stored.db, entity="patient") if a.action == "export"]
    assert [r.after["format"] for r in rows] == ["fhir-r4-bundle"]
    with pytest.raises(NotFound):
        export_patient_fhir(stored.db, 404, tmp_path / "g.json")
