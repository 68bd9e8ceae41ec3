"""Patients: create, update, archive (never delete), get, list and search-as-you-type."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlite_utils

from kaatsu_desktop.i18n import translate

from . import validation as v
from .audit import write_audit
from .db import insert_row
from .errors import NotFound, ValidationError
from .models import Patient, PatientFields, Sex
from .users import require_user

if TYPE_CHECKING:
    from .db import Database

MAX_NAME = 200
MAX_CLINIC_ID = 64
MAX_CONTACT = 2000
MAX_NOTES = 100_000
MAX_SEARCH_TERMS = 8
_EDITABLE = ("clinic_id", "given_name", "family_name", "date_of_birth", "sex", "contact", "notes")


def validate_fields(fields: PatientFields, today: date, *, prefix: str = "") -> dict[str, str]:
    """Check and normalise patient fields into column values (names stripped, date ISO)."""

    def field(name: str) -> str:
        return prefix + name

    if not isinstance(fields, PatientFields):
        raise ValidationError(prefix.rstrip(".") or "fields", "must be PatientFields")
    dob = v.iso_date(field("date_of_birth"), fields.date_of_birth, latest=today)
    return {
        "clinic_id": v.text(field("clinic_id"), fields.clinic_id, max_length=MAX_CLINIC_ID),
        "given_name": v.text(field("given_name"), fields.given_name, max_length=MAX_NAME),
        "family_name": v.text(field("family_name"), fields.family_name, max_length=MAX_NAME),
        "date_of_birth": dob.isoformat(),
        "sex": v.choice(field("sex"), fields.sex, [s.value for s in Sex]),
        "contact": v.text(
            field("contact"),
            fields.contact,
            required=False,
            max_length=MAX_CONTACT,
            single_line=False,
        ),
        "notes": v.text(
            field("notes"), fields.notes, required=False, max_length=MAX_NOTES, single_line=False
        ),
    }


def patient_from_row(row: dict[str, Any]) -> Patient:
    """Build a Patient from a `patients` row."""
    return Patient(
        id=row["id"],
        clinic_id=row["clinic_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        date_of_birth=date.fromisoformat(row["date_of_birth"]),
        sex=Sex(row["sex"]),
        contact=row["contact"],
        notes=row["notes"],
        archived=bool(row["archived"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        created_by=row["created_by"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
        updated_by=row["updated_by"],
    )


# The columns of a `patients` row in Patient's field order, for lists read straight off a cursor.
_COLUMNS = (
    "id, clinic_id, given_name, family_name, date_of_birth, sex, contact, notes, archived,"
    " created_at, created_by, updated_at, updated_by"
)
_SEX = {s.value: s for s in Sex}


def _patients(cursor: Iterable[tuple[Any, ...]]) -> list[Patient]:
    """Patients from rows of `_COLUMNS`; a search returns hundreds, so no dict per row."""
    day, stamp = date.fromisoformat, datetime.fromisoformat
    return [
        Patient(pid, cid, given, family, day(born), _SEX[sex], contact, notes, bool(archived),
                stamp(created), created_by, stamp(updated), updated_by)
        for (pid, cid, given, family, born, sex, contact, notes, archived,
             created, created_by, updated, updated_by) in cursor
    ]  # fmt: skip


def _fetch(sdb: sqlite_utils.Database, patient_id: int) -> Patient:
    rows = list(sdb.query("SELECT * FROM patients WHERE id = ?", [patient_id]))
    if not rows:
        raise NotFound("patient", patient_id)
    return patient_from_row(rows[0])


def _check_clinic_id_free(
    sdb: sqlite_utils.Database, clinic_id: str, own_id: int | None, field: str
) -> None:
    # The column is COLLATE NOCASE, so "kc-001" and "KC-001" are the same clinic id.
    row = sdb.execute(
        "SELECT id FROM patients WHERE clinic_id = ? AND id IS NOT ?", [clinic_id, own_id]
    ).fetchone()
    if row:
        raise ValidationError(
            field,
            translate("Storage", "is already used by another patient (record {id})").format(
                id=row[0]
            ),
        )


def _insert(
    db: Database, sdb: sqlite_utils.Database, values: dict[str, str], by: int | None, field: str
) -> Patient:
    _check_clinic_id_free(sdb, values["clinic_id"], None, field)
    stamp = db.now().isoformat(timespec="milliseconds")
    row = {
        **values,
        "archived": 0,
        "created_at": stamp,
        "created_by": by,
        "updated_at": stamp,
        "updated_by": by,
    }
    patient_id = insert_row(sdb, "patients", row)
    patient = patient_from_row({"id": patient_id, **row})
    write_audit(
        sdb,
        at=db.now(),
        user_id=by,
        action="create",
        entity="patient",
        entity_id=patient_id,
        after=patient,
    )
    return patient


def create_patient(db: Database, fields: PatientFields, *, by: int | None) -> Patient:
    """Add a patient (one transaction with its audit row)."""
    values = validate_fields(fields, db.today())
    with db.transaction() as sdb:
        require_user(sdb, by)
        return _insert(db, sdb, values, by, "clinic_id")


def create_patients(
    db: Database, many: Sequence[PatientFields], *, by: int | None
) -> list[Patient]:
    """Import many patients in one transaction: all of them or, on any error, none."""
    today = db.today()
    checked = [validate_fields(f, today, prefix=f"patients[{i}].") for i, f in enumerate(many)]
    with db.transaction() as sdb:
        require_user(sdb, by)
        return [
            _insert(db, sdb, values, by, f"patients[{i}].clinic_id")
            for i, values in enumerate(checked)
        ]


def update_patient(
    db: Database, patient_id: int, fields: PatientFields, *, by: int | None
) -> Patient:
    """Replace a patient's editable fields; no change means no write and no audit row."""
    values = validate_fields(fields, db.today())
    with db.transaction() as sdb:
        require_user(sdb, by)
        before = _fetch(sdb, patient_id)
        if before.archived:
            raise ValidationError(
                "patient_id", translate("Storage", "the patient is archived; restore it first")
            )
        old = {k: getattr(before, k) for k in _EDITABLE}
        old["date_of_birth"] = before.date_of_birth.isoformat()
        old["sex"] = before.sex.value
        changed = {k: val for k, val in values.items() if old[k] != val}
        if not changed:
            return before
        if "clinic_id" in changed:
            _check_clinic_id_free(sdb, values["clinic_id"], patient_id, "clinic_id")
        stamp = db.now().isoformat(timespec="milliseconds")
        sdb["patients"].update(patient_id, {**changed, "updated_at": stamp, "updated_by": by})
        after = _fetch(sdb, patient_id)
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action="update",
            entity="patient",
            entity_id=patient_id,
            before=before,
            after=after,
        )
    return after


def archive_patient(
    db: Database, patient_id: int, *, by: int | None, archived: bool = True
) -> Patient:
    """Archive a patient (hidden from lists and search), or restore one with archived=False."""
    with db.transaction() as sdb:
        require_user(sdb, by)
        before = _fetch(sdb, patient_id)
        if before.archived == archived:
            return before
        stamp = db.now().isoformat(timespec="milliseconds")
        sdb["patients"].update(
            patient_id, {"archived": int(archived), "updated_at": stamp, "updated_by": by}
        )
        after = _fetch(sdb, patient_id)
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action="archive" if archived else "restore",
            entity="patient",
            entity_id=patient_id,
            before=before,
            after=after,
        )
    return after


def get_patient(db: Database, patient_id: int) -> Patient:
    """One patient by id (archived ones too)."""
    with db.reading() as sdb:
        return _fetch(sdb, patient_id)


def list_patients(
    db: Database, *, include_archived: bool = False, limit: int | None = None, offset: int = 0
) -> list[Patient]:
    """Patients by family name, then given name."""
    sql = f"SELECT {_COLUMNS} FROM patients"
    if not include_archived:
        sql += " WHERE archived = 0"
    sql += " ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id LIMIT ? OFFSET ?"
    with db.reading() as sdb:
        return _patients(sdb.conn.execute(sql, [-1 if limit is None else limit, offset]))


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word a quoted prefix phrase.

    Quoting makes FTS5 read operators (AND, OR, NOT, NEAR), parentheses, '-', '^', ':' and '*'
    as plain text, which its tokenizer then splits like the indexed text, so "1960-04" becomes the
    phrase "1960" "04*" and "O'Brien" the phrase "o" "brien*". Returns None when no word is left.
    """
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs") else ch for ch in text)
    terms = []
    for word in text.split():
        if not any(ch.isalnum() for ch in word):
            continue  # nothing the tokenizer would keep; an empty phrase is a syntax error
        terms.append('"' + word.replace('"', '""') + '"*')
        if len(terms) == MAX_SEARCH_TERMS:
            break
    return " ".join(terms) or None


def search_patients(
    db: Database, query: str, *, include_archived: bool = False, limit: int = 50
) -> list[Patient]:
    """Search-as-you-type over names, clinic id and date of birth; every word must match.

    Results come by family name, then given name. When more than ``limit`` patients match, the
    ``limit`` most recently added ones are returned (still by name): the full-text index yields
    its matches newest first and stops at the limit, so "b" or "19" among 100,000 patients costs
    about as much as a precise query. Ranking or sorting every match first would read them all
    (40-170 ms on a 100,000-patient registry, bench/registry.py); a broad prefix is only ever a
    step on the way to a precise one.
    """
    match = fts_query(query)
    if match is None:
        return list_patients(db, include_archived=include_archived, limit=limit)
    # CROSS JOIN keeps the index as the outer loop, so its rowid order serves ORDER BY and the
    # LIMIT stops it early; archived rows are skipped inside that loop, not after it.
    sql = (
        f"SELECT {_COLUMNS} FROM (SELECT p.* FROM patients_fts CROSS JOIN patients AS p"
        " ON p.id = patients_fts.rowid WHERE patients_fts MATCH ?"
        + ("" if include_archived else " AND p.archived = 0")
        + " ORDER BY patients_fts.rowid DESC LIMIT ?)"
        " ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id"
    )
    with db.reading() as sdb:
        return _patients(sdb.conn.execute(sql, [match, limit]))
