"""Demo mode's own database: a marker that keeps demo and clinic files apart, and demo patients."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.services.patients import PatientService
from kaatsu_desktop.services.screenings import ScreeningService
from kaatsu_desktop.storage import (
    Database,
    Patient,
    PatientFields,
    default_database_path,
    get_setting,
    list_patients,
    list_sessions,
    set_settings,
)

log = logging.getLogger(__name__)

DEMO_MARKER_KEY = "database.demo"
DEMO_FILENAME = "kaatsu-demo.sqlite3"


class DatabaseModeError(Exception):
    """A demo database opened as a clinic database, or a clinic database opened for the demo."""


def default_demo_path() -> Path:
    """The demo database: beside the clinic database in the user data folder, another file."""
    return default_database_path().with_name(DEMO_FILENAME)


def check_database_mode(db: Database, *, demo: bool) -> None:
    """Refuse a file of the other mode; mark a new demo database as such (nothing demo leaks)."""
    marked = get_setting(db, DEMO_MARKER_KEY, False) is True
    if demo and not marked:
        has_records = bool(list_patients(db, include_archived=True, limit=1)) or bool(
            list_sessions(db, limit=1)
        )
        if has_records:
            raise DatabaseModeError(
                translate(
                    "Demo",
                    "{path} holds clinic records: demo mode never uses a clinic database."
                    " Start the demo without --db, or give it a new file.",
                ).format(path=db.path)
            )
        set_settings(db, {DEMO_MARKER_KEY: True}, by=None)
    elif not demo and marked:
        raise DatabaseModeError(
            translate(
                "Demo",
                "{path} is a demo database: start with --demo to open it, or choose the clinic"
                " database.",
            ).format(path=db.path)
        )


def _screening(today: date, born: str, sex: str, **facts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "format": "kaatsu-screening/1",
        "assessed_on": today.isoformat(),
        "sex": sex,
        "date_of_birth": born,
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
    }
    return {**base, **facts}


def demo_patients(today: date) -> list[tuple[PatientFields, dict[str, Any] | None]]:
    """Fictitious patients, each with a screening of ``today`` or none (all names invented)."""
    knee_op = (today - timedelta(days=5)).isoformat()
    rows: list[tuple[tuple[str, str, str, str, str], dict[str, Any] | None]] = [
        (
            ("DEMO-0001", "Hanna", "Berg", "1958-03-14", "female"),
            dict(height_cm=164, weight_kg=71.5, systolic_mmhg=166, diastolic_mmhg=92,
                 fasting_glucose_mg_dl=118, total_cholesterol_mg_dl=236,
                 under_treatment_for=["hypertension"], history=["controlled_hypertension"],
                 thrombosis_factors=["varicose_veins"]),
        ),
        (
            ("DEMO-0002", "Tomás", "Okafor", "1979-11-02", "male"),
            dict(height_cm=181, weight_kg=74, systolic_mmhg=124, diastolic_mmhg=78,
                 fasting_glucose_mg_dl=92, total_cholesterol_mg_dl=188, triglycerides_mg_dl=110,
                 urinary_protein_mg_dl=0, fundus_hypertensive_grade="none"),
        ),
        (
            ("DEMO-0003", "Mei", "Lindqvist", "1990-07-21", "female"),
            dict(height_cm=170, weight_kg=62, systolic_mmhg=118, diastolic_mmhg=74,
                 last_surgery_on=knee_op, wound_sites=["right_leg"],
                 thrombosis_factors=["post_operative"]),
        ),
        (
            ("DEMO-0004", "Rafael", "Duarte", "1951-01-30", "male"),
            dict(height_cm=176, weight_kg=94, systolic_mmhg=184, diastolic_mmhg=102,
                 fasting_glucose_mg_dl=151, under_treatment_for=["hypertension", "diabetes"],
                 symptoms=["palpitation"], history=["cardiovascular_disease"]),
        ),
        (("DEMO-0005", "Ingrid", "Sato", "1985-09-09", "female"), None),
        (("DEMO-0006", "Kwame", "Achterberg", "1968-05-17", "male"), None),
    ]  # fmt: skip
    out = []
    for (clinic_id, given, family, born, sex), facts in rows:
        fields = PatientFields(clinic_id, given, family, born, sex)
        out.append((fields, None if facts is None else _screening(today, born, sex, **facts)))
    return out


def seed_demo_patients(patients: PatientService, screenings: ScreeningService) -> list[Patient]:
    """Add the demo patients and their screenings to an empty demo database; returns them."""
    if patients.search("").patients:
        return []
    created = []
    for fields, screening in demo_patients(screenings.today()):
        patient = patients.create(fields)
        if screening is not None:
            screenings.save(patient.id, screening)
        created.append(patient)
    log.info("seeded %d demo patients", len(created))
    return created
