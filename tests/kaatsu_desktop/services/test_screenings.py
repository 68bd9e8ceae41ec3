"""ScreeningService: live checks, dated saves, clearances, and what the pre-session check reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kaatsu_desktop.clinical import Verdict
from kaatsu_desktop.services import (
    REQUIRED_KEYS,
    ClearanceSaved,
    FormError,
    ScreeningSaved,
    Services,
    clearance_rules,
)
from kaatsu_desktop.storage import Database, list_audit, list_clearances, list_screenings
from tests.kaatsu_desktop.services.conftest import TODAY, screening_today
from tests.kaatsu_desktop.storage.helpers import fields


@pytest.fixture
def patient_id(services: Services) -> int:
    return services.patients.create(fields(clinic_id="KC-1", date_of_birth="1970-05-01")).id


def test_check_contraindicated_at_systolic_180_not_at_179(services: Services) -> None:
    high = services.screenings.check(screening_today(systolic_mmhg=180, diastolic_mmhg=80))
    assert high.assessment is not None and high.assessment.overall == "contraindicated"
    assert high.assessment.rules[0].id == "S-BP-3"
    below = services.screenings.check(screening_today(systolic_mmhg=179, diastolic_mmhg=80))
    assert below.assessment is not None and below.assessment.fired("S-BP-3") is None
    assert below.assessment.fired("S-BP-2") is not None


def test_check_lists_missing_required_apart_from_errors(services: Services) -> None:
    data = screening_today(omit=("height_cm", "systolic_mmhg"), weight_kg=5)
    check = services.screenings.check(data)
    assert check.assessment is None
    assert check.missing == ("height_cm", "systolic_mmhg")
    assert [e.key for e in check.errors] == ["weight_kg"]


def test_missing_optional_value_is_not_assessed(services: Services) -> None:
    check = services.screenings.check(screening_today(omit=("fasting_glucose_mg_dl",)))
    assert check.assessment is not None
    assert "S-DM-1" in check.assessment.not_assessed
    full = services.screenings.check(screening_today())
    assert full.assessment is not None and "S-DM-1" not in full.assessment.not_assessed


def test_review_threshold_comes_from_the_stored_settings(services: Services) -> None:
    data = screening_today(thrombosis_factors=["varicose_veins"])  # 3 points + age 40-60: 4
    assert services.screenings.check(data).assessment.fired("S-DVT-2") is not None
    services.settings.save({"thrombosis_review_threshold": 5})
    assert services.screenings.check(data).assessment.fired("S-DVT-2") is None


def test_saving_twice_keeps_two_dated_screenings(
    services: Services, db: Database, patient_id: int
) -> None:
    seen: list[ScreeningSaved] = []
    services.screenings.screening_saved.connect(seen.append)
    first = services.screenings.save(patient_id, screening_today(systolic_mmhg=165))
    second = services.screenings.save(patient_id, screening_today())
    stored = list_screenings(db, patient_id)
    assert {s.id for s in stored} == {first.record.id, second.record.id}
    assert first.record.verdict == "clearance" and first.record.assessed_on == TODAY
    assert [s.record.id for s in seen] == [first.record.id, second.record.id]
    assert len(list_audit(db, entity="screening")) == 2


def test_save_refuses_bad_input_and_future_date(services: Services, patient_id: int) -> None:
    with pytest.raises(FormError) as refused:
        services.screenings.save(patient_id, screening_today(omit=("weight_kg",)))
    assert refused.value.fields == ("weight_kg",)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    with pytest.raises(FormError) as refused:
        services.screenings.save(patient_id, screening_today(assessed_on=tomorrow))
    assert refused.value.fields == ("assessed_on",)


def test_clearance_is_stored_with_audit_and_read_by_the_check(
    services: Services, db: Database, patient_id: int
) -> None:
    saved = services.screenings.save(patient_id, screening_today(systolic_mmhg=165))
    rules = clearance_rules(saved.assessment)
    assert rules == ("S-BP-2",)
    seen: list[ClearanceSaved] = []
    services.screenings.clearance_saved.connect(seen.append)
    record = services.screenings.record_clearance(
        patient_id,
        physician="Dr Ines Moreau",
        issued_on=TODAY,
        note="Home readings below 150/90; cleared for low pressure.",
        rules=rules,
        expires_on=TODAY + timedelta(days=90),
    )
    assert list_clearances(db, patient_id) == [record]
    assert seen == [ClearanceSaved(record)]
    assert [a.action for a in list_audit(db, entity="clearance")] == ["create"]
    (clearance,) = services.screenings.clearances_on_file(patient_id)
    assert clearance.covers("S-BP-2", TODAY)
    on_file = services.screenings.screening_on_file(patient_id)
    assert on_file is not None and on_file.assessment.verdict is Verdict.CLEARANCE


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"physician": " "}, "physician"),
        ({"note": ""}, "note"),
        ({"rules": ["S-BP-3"]}, "rules"),  # contraindicated: no clearance can lift it
        ({"rules": []}, "rules"),
        ({"expires_on": TODAY}, "expires_on"),
        ({"issued_on": TODAY + timedelta(days=1), "expires_on": TODAY + timedelta(9)}, "issued_on"),
    ],
)
def test_clearance_refused_at_the_field(
    services: Services, db: Database, patient_id: int, change: dict, field: str
) -> None:
    values: dict = {
        "physician": "Dr Ines Moreau",
        "issued_on": TODAY,
        "note": "Reviewed.",
        "rules": ["S-BP-2"],
        "expires_on": TODAY + timedelta(days=30),
    }
    with pytest.raises(FormError) as refused:
        services.screenings.record_clearance(patient_id, **{**values, **change})
    assert field in refused.value.fields
    assert list_clearances(db, patient_id) == []


def test_no_screening_on_file(services: Services, patient_id: int) -> None:
    assert services.screenings.screening_on_file(patient_id) is None
    assert services.screenings.today() == date(2026, 3, 2)


def test_required_keys_follow_the_format() -> None:
    assert "pregnancy" in REQUIRED_KEYS and "last_surgery_on" in REQUIRED_KEYS
    assert "fasting_glucose_mg_dl" not in REQUIRED_KEYS
