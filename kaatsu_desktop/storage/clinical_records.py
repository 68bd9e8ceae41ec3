"""Screenings and physician clearances of a patient: append-only clinical documents."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlite_utils

from kaatsu_desktop.i18n import translate

from . import validation as v
from .audit import write_audit
from .db import insert_row
from .errors import NotFound, ValidationError
from .models import VERDICTS, ClearanceRecord, NewClearance, NewScreening, ScreeningRecord
from .users import require_user

if TYPE_CHECKING:
    from .db import Database

# Rule ids as the rule book writes them: S-BP-2, S-T1-3, P-BP-1 (clinical-rules.md).
RULE_ID = re.compile(r"[A-Z]-[A-Z0-9]+-\d+")
MAX_NOTE = 10_000


def _tr(text: str) -> str:
    return translate("Storage", text)


def _active_patient(sdb: sqlite_utils.Database, patient_id: object) -> None:
    v.integer("patient_id", patient_id, minimum=1, maximum=2**63 - 1)
    row = sdb.execute("SELECT archived FROM patients WHERE id = ?", [patient_id]).fetchone()
    if row is None:
        raise ValidationError("patient_id", _tr("no patient with this id"))
    if row[0]:
        raise ValidationError("patient_id", _tr("the patient is archived; restore it first"))


# -- screenings ----------------------------------------------------------------------------------


def _screening(row: dict[str, Any]) -> ScreeningRecord:
    return ScreeningRecord(
        id=row["id"],
        patient_id=row["patient_id"],
        assessed_on=date.fromisoformat(row["assessed_on"]),
        input=json.loads(row["input_json"]),
        assessment=json.loads(row["assessment_json"]),
        verdict=row["verdict"],
        created_at=datetime.fromisoformat(row["created_at"]),
        created_by=row["created_by"],
    )


def add_screening(db: Database, new: NewScreening, *, by: int | None) -> ScreeningRecord:
    """Store a screening; older screenings are never overwritten (P-SCR-1 reads the latest)."""
    assessed_on = v.iso_date("assessed_on", new.assessed_on, latest=db.today())
    verdict = v.choice("verdict", new.verdict, VERDICTS)
    input_json = v.json_text("input", new.input)
    assessment_json = v.json_text("assessment", new.assessment)
    stated_day = new.input.get("assessed_on")
    if stated_day is not None and stated_day != assessed_on.isoformat():
        raise ValidationError("assessed_on", _tr("differs from the input's assessed_on"))
    stated_verdict = new.assessment.get("verdict")
    if stated_verdict is not None and stated_verdict != verdict:
        raise ValidationError("verdict", _tr("differs from the assessment's verdict"))
    with db.transaction() as sdb:
        require_user(sdb, by)
        _active_patient(sdb, new.patient_id)
        row = {
            "patient_id": new.patient_id,
            "assessed_on": assessed_on.isoformat(),
            "input_json": input_json,
            "assessment_json": assessment_json,
            "verdict": verdict,
            "created_at": db.now().isoformat(timespec="milliseconds"),
            "created_by": by,
        }
        screening_id = insert_row(sdb, "screenings", row)
        record = _screening({"id": screening_id, **row})
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action="create",
            entity="screening",
            entity_id=screening_id,
            after=record,
        )
    return record


def list_screenings(db: Database, patient_id: int) -> list[ScreeningRecord]:
    """A patient's screenings, newest first."""
    with db.reading() as sdb:
        rows = list(
            sdb.query(
                "SELECT * FROM screenings WHERE patient_id = ? ORDER BY assessed_on DESC, id DESC",
                [patient_id],
            )
        )
    return [_screening(r) for r in rows]


def latest_screening(db: Database, patient_id: int) -> ScreeningRecord | None:
    """The most recent screening of a patient, or None."""
    with db.reading() as sdb:
        rows = list(
            sdb.query(
                "SELECT * FROM screenings WHERE patient_id = ?"
                " ORDER BY assessed_on DESC, id DESC LIMIT 1",
                [patient_id],
            )
        )
    return _screening(rows[0]) if rows else None


def get_screening(db: Database, screening_id: int) -> ScreeningRecord:
    """One screening by id."""
    with db.reading() as sdb:
        rows = list(sdb.query("SELECT * FROM screenings WHERE id = ?", [screening_id]))
    if not rows:
        raise NotFound("screening", screening_id)
    return _screening(rows[0])


# -- clearances ----------------------------------------------------------------------------------


def _clearance(row: dict[str, Any]) -> ClearanceRecord:
    return ClearanceRecord(
        id=row["id"],
        patient_id=row["patient_id"],
        physician=row["physician"],
        issued_on=date.fromisoformat(row["issued_on"]),
        rules=tuple(json.loads(row["rules_json"])),
        expires_on=date.fromisoformat(row["expires_on"]),
        note=row["note"],
        created_at=datetime.fromisoformat(row["created_at"]),
        created_by=row["created_by"],
    )


def _rule_ids(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError("rules", _tr("must be a list of rule ids"))
    if not value:
        raise ValidationError("rules", _tr("must name at least one rule"))
    rules: list[str] = []
    for item in value:
        if not isinstance(item, str) or not RULE_ID.fullmatch(item):
            raise ValidationError("rules", _tr("{item!r} is not a rule id").format(item=item))
        if item not in rules:
            rules.append(item)
    return rules


def add_clearance(db: Database, new: NewClearance, *, by: int | None) -> ClearanceRecord:
    """Store a physician clearance for the rules it names, valid until `expires_on`."""
    physician = v.text("physician", new.physician, max_length=200)
    issued_on = v.iso_date("issued_on", new.issued_on, latest=db.today())
    expires_on = v.iso_date("expires_on", new.expires_on, earliest=issued_on)
    rules = _rule_ids(new.rules)
    if expires_on <= issued_on:
        # As the pre-session check reads it: expires_on is the first day it no longer counts.
        raise ValidationError("expires_on", _tr("must be after the date of issue"))
    # The rule book's clearance is "who, date, note": a clearance without a note is refused.
    note = v.text("note", new.note, max_length=MAX_NOTE, single_line=False)
    with db.transaction() as sdb:
        require_user(sdb, by)
        _active_patient(sdb, new.patient_id)
        row = {
            "patient_id": new.patient_id,
            "physician": physician,
            "issued_on": issued_on.isoformat(),
            "rules_json": json.dumps(rules),
            "expires_on": expires_on.isoformat(),
            "note": note,
            "created_at": db.now().isoformat(timespec="milliseconds"),
            "created_by": by,
        }
        clearance_id = insert_row(sdb, "clearances", row)
        record = _clearance({"id": clearance_id, **row})
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action="create",
            entity="clearance",
            entity_id=clearance_id,
            after=record,
        )
    return record


def list_clearances(
    db: Database, patient_id: int, *, valid_on: date | None = None
) -> list[ClearanceRecord]:
    """A patient's clearances, newest first; with `valid_on`, only those in force that day."""
    with db.reading() as sdb:
        rows = list(
            sdb.query(
                "SELECT * FROM clearances WHERE patient_id = ? ORDER BY issued_on DESC, id DESC",
                [patient_id],
            )
        )
    records = [_clearance(r) for r in rows]
    if valid_on is not None:
        records = [r for r in records if r.valid_on(valid_on)]
    return records
