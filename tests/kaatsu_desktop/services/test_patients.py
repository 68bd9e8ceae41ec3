"""PatientService: create, refuse at the field, search, archive, audit rows and signals."""

from __future__ import annotations

import pytest

from kaatsu_desktop.services import ChangeKind, FormError, PatientChange, Services
from kaatsu_desktop.storage import Database, list_audit
from tests.kaatsu_desktop.storage.helpers import fields


def test_create_emits_change_and_writes_audit(services: Services, db: Database) -> None:
    seen: list[PatientChange] = []
    services.patients.patient_changed.connect(seen.append)
    patient = services.patients.create(fields(clinic_id="KC-7", family_name="Nakamura"))
    assert seen == [PatientChange(ChangeKind.CREATED, patient)]
    audit = list_audit(db, entity="patient", entity_id=patient.id)
    assert [a.action for a in audit] == ["create"]
    assert audit[0].after["family_name"] == "Nakamura"


def test_refused_create_names_the_field_and_stores_nothing(services: Services) -> None:
    services.patients.create(fields(clinic_id="KC-1"))
    with pytest.raises(FormError) as refused:
        services.patients.create(fields(clinic_id="kc-1", given_name="Other"))
    assert refused.value.fields == ("clinic_id",)
    with pytest.raises(FormError) as refused:
        services.patients.create(fields(clinic_id="KC-2", date_of_birth="1960-13-40"))
    assert refused.value.fields == ("date_of_birth",)
    assert len(services.patients.search("").patients) == 1


def test_search_matches_name_clinic_id_and_birth_date(services: Services) -> None:
    services.patients.create(fields(clinic_id="KC-100", family_name="Okafor", given_name="Ada"))
    services.patients.create(
        fields(clinic_id="KC-200", family_name="Berg", date_of_birth="1971-08-09")
    )
    assert [p.clinic_id for p in services.patients.search("oka").patients] == ["KC-100"]
    assert [p.clinic_id for p in services.patients.search("KC-2").patients] == ["KC-200"]
    assert [p.clinic_id for p in services.patients.search("1971-08").patients] == ["KC-200"]
    assert services.patients.search("zzz").patients == ()


def test_search_reports_truncation(services: Services) -> None:
    for i in range(4):
        services.patients.create(fields(clinic_id=f"KC-{i}"))
    assert services.patients.search("", limit=3).truncated
    result = services.patients.search("", limit=4)
    assert not result.truncated and len(result.patients) == 4


def test_archive_hides_and_restore_shows_again(services: Services, db: Database) -> None:
    patient = services.patients.create(fields(clinic_id="KC-9", family_name="Lindqvist"))
    seen: list[PatientChange] = []
    services.patients.patient_changed.connect(seen.append)
    services.patients.archive(patient.id)
    assert services.patients.search("Lindqvist").patients == ()
    assert services.patients.search("Lindqvist", include_archived=True).patients[0].archived
    services.patients.archive(patient.id, archived=False)
    assert services.patients.search("Lindqvist").patients[0].id == patient.id
    assert [c.kind for c in seen] == [ChangeKind.ARCHIVED, ChangeKind.RESTORED]
    actions = [a.action for a in list_audit(db, entity="patient", entity_id=patient.id)]
    assert actions == ["create", "archive", "restore"]


def test_update_refused_on_empty_name(services: Services) -> None:
    patient = services.patients.create(fields(clinic_id="KC-3"))
    with pytest.raises(FormError) as refused:
        services.patients.update(patient.id, fields(clinic_id="KC-3", family_name="  "))
    assert refused.value.fields == ("family_name",)
    updated = services.patients.update(patient.id, fields(clinic_id="KC-3", family_name="Sato"))
    assert updated.family_name == "Sato"
