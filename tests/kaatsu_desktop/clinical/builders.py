"""Builders of valid inputs for the clinical tests: a healthy baseline plus overrides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from kaatsu_desktop.clinical import (
    Assessment,
    BandSite,
    Clearance,
    ClinicSettings,
    PreSessionInput,
    ScreeningOnFile,
    assess,
    parse_screening,
)

ASSESSED_ON = date(2025, 6, 15)
ALL_OPTIONAL = {
    "fasting_glucose_mg_dl": 90,
    "urinary_ketones_positive": False,
    "diabetic_retinopathy": False,
    "total_cholesterol_mg_dl": 180,
    "triglycerides_mg_dl": 100,
    "cardiothoracic_ratio_pct": 45,
    "ecg_dangerous_arrhythmia_or_ischaemia": False,
    "exercise_test_confirmed_safe": False,
    "urinary_protein_mg_dl": 0,
    "fundus_hypertensive_grade": "none",
    "lifestyle_guidance_needed": False,
    "specialist_advice_recorded": False,
}


def dob_for_age(years: int, *, on: date = ASSESSED_ON, days_after_birthday: int = 0) -> str:
    """Date of birth that gives exactly ``years`` on ``on``, the birthday ``days`` ago."""
    birthday = on - timedelta(days=days_after_birthday)
    return birthday.replace(year=birthday.year - years).isoformat()


def screening(*, omit: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
    """A valid kaatsu-screening/1 object: a healthy man of 30, every optional value normal."""
    data: dict[str, Any] = {
        "format": "kaatsu-screening/1",
        "assessed_on": ASSESSED_ON.isoformat(),
        "sex": "male",
        "date_of_birth": dob_for_age(30, days_after_birthday=100),
        "height_cm": 200,  # 2 m: BMI = weight / 4, so every BMI to 0.1 has an exact weight
        "weight_kg": 80,  # BMI 20.0
        "systolic_mmhg": 120,
        "diastolic_mmhg": 80,
        "under_treatment_for": [],
        "symptoms": [],
        "history": [],
        "family_history_premature_cardiac_event": False,
        "ecg_findings": [],
        "acute_conditions": [],
        "pregnancy": "no",
        "thrombosis_factors": [],
        "last_surgery_on": None,
        "wound_sites": [],
        "lower_limb_joint_damage": False,
        **ALL_OPTIONAL,
    }
    data.update(overrides)
    for key in omit:
        data.pop(key)
    return data


def weight_for_bmi(bmi: str) -> float:
    """Weight in kg giving exactly ``bmi`` at the builder's 200 cm (four times the BMI)."""
    return float(f"{float(bmi) * 4:.2f}")


def assessed(settings: ClinicSettings | None = None, **overrides: Any) -> Assessment:
    """Assessment of the builder's screening with ``overrides``."""
    return assess(parse_screening(screening(**overrides)), settings)


def fired(assessment: Assessment) -> dict[str, str]:
    """Fired rule id -> verdict value."""
    return {r.id: r.verdict.value for r in assessment.rules}


NOW = datetime(2025, 7, 1, 10, 0)
TODAY = NOW.date()


def ready(**overrides: Any) -> PreSessionInput:
    """A complete pre-session input that passes every P-rule (arms in use, fit confirmed)."""
    values: dict[str, Any] = {
        "systolic_mmhg": 125,
        "diastolic_mmhg": 80,
        "feels_unwell": False,
        "hydrated": True,
        "explanation_given": True,
        "aed_available": True,
        "sites_in_use": frozenset({BandSite.LEFT_ARM, BandSite.RIGHT_ARM}),
        "band_fit_confirmed": frozenset({BandSite.LEFT_ARM, BandSite.RIGHT_ARM}),
        "last_session_ended_at": NOW - timedelta(days=2),
    }
    values.update(overrides)
    return PreSessionInput(**values)


def on_file(days_ago: int = 10, **overrides: Any) -> ScreeningOnFile:
    """A screening on file, ``days_ago`` days before NOW, assessed from the builder."""
    day = TODAY - timedelta(days=days_ago)
    return ScreeningOnFile(day, assessed(assessed_on=day.isoformat(), **overrides))


def clearance(*rules: str, issued_days_ago: int = 5, valid_days: int = 60) -> Clearance:
    """A clearance covering ``rules``, issued before NOW and valid for ``valid_days``."""
    issued = TODAY - timedelta(days=issued_days_ago)
    return Clearance(
        physician="Dr. A. Example",
        issued_on=issued,
        note="Examined; cleared for low-pressure cycle mode.",
        rules=frozenset(rules),
        expires_on=issued + timedelta(days=valid_days),
    )
