"""Patients: round trips, validation that writes nothing, update, archive, never delete."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaatsu_desktop.storage import (
    Database,
    NotFound,
    Patient,
    Sex,
    User,
    ValidationError,
    archive_patient,
    create_patient,
    create_patients,
    get_patient,
    list_audit,
    list_patients,
    search_patients,
    update_patient,
)

from .helpers import FakeClock, count, fields

NASTY = [
    "O'Brien",
    'Robert"); DROP TABLE patients; --',
    "'; DELETE FROM audit_log WHERE 1=1; --",
    "Zoë Ångström-Łukasiewicz",
    "山田 太郎",
    "Nguyễn Thị Minh Khai",
    "محمد",
    "🙂 smiley",
    "back\\slash % _ * ? [x] {y}",
    "NEAR(a b) AND c OR NOT d",
]


def test_create_and_get_round_trip(db: Database, clinician: User, clock: FakeClock) -> None:
    created = create_patient(
        db,
        fields(contact="+81 3 1234 5678\nTokyo", notes="line 1\nline 2\ttabbed"),
        by=clinician.id,
    )
    assert created == get_patient(db, created.id)
    assert created.date_of_birth == date(1960, 4, 12)
    assert created.sex is Sex.FEMALE
    assert (created.created_at, created.updated_at) == (clock.now, clock.now)
    assert (created.created_by, created.updated_by) == (clinician.id, clinician.id)
    assert not created.archived
    assert "line 1" not in repr(created)  # notes stay out of logs


def test_names_are_stripped_and_dates_accept_date_objects(db: Database) -> None:
    created = create_patient(
        db,
        fields(clinic_id="  KC-7 ", given_name="  Anna ", date_of_birth=date(1961, 2, 28)),
        by=None,
    )
    assert (created.clinic_id, created.given_name) == ("KC-7", "Anna")
    assert created.date_of_birth == date(1961, 2, 28)


@pytest.mark.parametrize("text", NASTY)
def test_unicode_quotes_and_sql_metacharacters_round_trip(db: Database, text: str) -> None:
    notes = (text + "\n") * (10_000 // (len(text) + 1))
    created = create_patient(
        db,
        fields(clinic_id=text[:60], given_name=text, family_name=text, contact=text, notes=notes),
        by=None,
    )
    again = get_patient(db, created.id)
    assert (again.given_name, again.family_name, again.contact) == (text, text, text)
    assert again.clinic_id == text[:60].strip()
    assert again.notes == notes
    assert count(db, "patients") == 1 and count(db, "audit_log") == 1


def test_ten_thousand_character_notes(db: Database) -> None:
    notes = "".join(chr(0x20 + (i * 7919) % 0x2FF0) for i in range(10_000))
    notes = notes.replace("\x7f", "x")
    created = create_patient(db, fields(notes=notes), by=None)
    assert len(notes) == 10_000
    assert get_patient(db, created.id).notes == notes


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    max_size=300,
)
_NOTES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=2000,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_TEXT.filter(lambda s: s.strip() and len(s.strip()) <= 200), notes=_NOTES)
def test_any_text_round_trips(db: Database, name: str, notes: str) -> None:
    clinic_id = f"H-{count(db, 'patients')}"
    created = create_patient(
        db, fields(clinic_id=clinic_id, family_name=name, notes=notes), by=None
    )
    again = get_patient(db, created.id)
    assert again.family_name == name.strip()
    assert again.notes == notes


INVALID = [
    ("given_name", {"given_name": "   "}),
    ("family_name", {"family_name": ""}),
    ("clinic_id", {"clinic_id": ""}),
    ("date_of_birth", {"date_of_birth": "1960-02-30"}),
    ("date_of_birth", {"date_of_birth": "12/04/1960"}),
    ("date_of_birth", {"date_of_birth": "2026-03-03"}),  # after "today" of the injected clock
    ("date_of_birth", {"date_of_birth": "1899-12-31"}),
    ("date_of_birth", {"date_of_birth": None}),
    ("sex", {"sex": "unknown"}),
    ("given_name", {"given_name": "Anna\nSmith"}),
    ("family_name", {"family_name": "x" * 201}),
    ("clinic_id", {"clinic_id": "K" * 65}),
    ("notes", {"notes": "n" * 100_001}),
    ("notes", {"notes": "NUL \x00 inside"}),
    ("contact", {"contact": 12345}),
]


@pytest.mark.parametrize(("field", "overrides"), INVALID, ids=[repr(o)[:40] for _, o in INVALID])
def test_invalid_input_names_the_field_and_writes_nothing(
    db: Database, field: str, overrides: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as info:
        create_patient(db, fields(**overrides), by=None)
    assert info.value.field == field
    assert info.value.reason
    assert count(db, "patients") == 0 and count(db, "audit_log") == 0


def test_today_is_a_valid_birth_date(db: Database, clock: FakeClock) -> None:
    assert create_patient(db, fields(date_of_birth=clock.now.date()), by=None).id


def test_duplicate_clinic_id_ignores_case_and_writes_nothing(db: Database) -> None:
    create_patient(db, fields(clinic_id="KC-001"), by=None)
    with pytest.raises(ValidationError) as info:
        create_patient(db, fields(clinic_id="kc-001", given_name="Other"), by=None)
    assert info.value.field == "clinic_id"
    assert count(db, "patients") == 1 and count(db, "audit_log") == 1


def test_bulk_create_is_all_or_nothing(db: Database) -> None:
    batch = [fields(clinic_id=f"KC-{i}") for i in range(5)]
    batch[3] = fields(clinic_id="KC-1")
    with pytest.raises(ValidationError) as info:
        create_patients(db, batch, by=None)
    assert info.value.field == "patients[3].clinic_id"
    bad_date = [fields(clinic_id="A"), fields(clinic_id="B", date_of_birth="1970-13-01")]
    with pytest.raises(ValidationError) as info:
        create_patients(db, bad_date, by=None)
    assert info.value.field == "patients[1].date_of_birth"
    assert count(db, "patients") == 0 and count(db, "audit_log") == 0
    assert len(create_patients(db, [fields(clinic_id=f"KC-{i}") for i in range(5)], by=None)) == 5
    assert count(db, "audit_log") == 5


def test_unknown_acting_user_writes_nothing(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        create_patient(db, fields(), by=999)
    assert info.value.field == "by"
    assert count(db, "patients") == 0


def test_update_records_before_and_after(db: Database, clinician: User, clock: FakeClock) -> None:
    created = create_patient(db, fields(), by=None)
    clock.advance(minutes=5)
    changed = update_patient(
        db, created.id, fields(family_name="Smith-Jones", notes="allergy: latex"), by=clinician.id
    )
    assert changed.family_name == "Smith-Jones" and changed.notes == "allergy: latex"
    assert changed.updated_at == clock.now and changed.updated_by == clinician.id
    assert changed.created_at == created.created_at and changed.created_by is None
    entry = list_audit(db, entity="patient", entity_id=created.id)[-1]
    assert (entry.action, entry.user_id, entry.at) == ("update", clinician.id, clock.now)
    assert entry.before["family_name"] == "Smith" and entry.after["family_name"] == "Smith-Jones"
    assert entry.after["notes"] == "allergy: latex"
    # The search index follows the change.
    assert search_patients(db, "jones") == [changed]
    assert search_patients(db, "smith-j") == [changed]
    # Saving the same values again writes nothing.
    audit_rows = count(db, "audit_log")
    assert update_patient(db, created.id, changed.fields, by=clinician.id) == changed
    assert count(db, "audit_log") == audit_rows


def test_failed_update_changes_nothing(db: Database) -> None:
    first = create_patient(db, fields(clinic_id="KC-1"), by=None)
    second = create_patient(db, fields(clinic_id="KC-2"), by=None)
    with pytest.raises(ValidationError) as info:
        update_patient(db, second.id, fields(clinic_id="kc-1", given_name="Changed"), by=None)
    assert info.value.field == "clinic_id"
    with pytest.raises(ValidationError):
        update_patient(db, second.id, fields(clinic_id="KC-2", date_of_birth="1960-02-30"), by=None)
    assert get_patient(db, second.id) == second and get_patient(db, first.id) == first
    assert count(db, "audit_log") == 2
    with pytest.raises(NotFound):
        update_patient(db, 999, fields(clinic_id="KC-9"), by=None)


def test_archive_hides_and_restore_shows(db: Database, clinician: User) -> None:
    kept = create_patient(db, fields(clinic_id="KC-1"), by=None)
    gone = create_patient(db, fields(clinic_id="KC-2", given_name="Archie"), by=None)
    archived = archive_patient(db, gone.id, by=clinician.id)
    assert archived.archived and archived.updated_by == clinician.id
    assert list_patients(db) == [kept]
    assert {p.id for p in list_patients(db, include_archived=True)} == {kept.id, gone.id}
    assert search_patients(db, "archie") == []
    assert search_patients(db, "archie", include_archived=True) == [archived]
    with pytest.raises(ValidationError) as info:
        update_patient(db, gone.id, fields(clinic_id="KC-2", given_name="New"), by=None)
    assert info.value.field == "patient_id"
    assert archive_patient(db, gone.id, by=clinician.id) == archived  # already archived: no-op
    restored = archive_patient(db, gone.id, by=clinician.id, archived=False)
    assert not restored.archived
    actions = [e.action for e in list_audit(db, entity="patient", entity_id=gone.id)]
    assert actions == ["create", "archive", "restore"]


def test_patients_are_never_deleted(db: Database) -> None:
    created = create_patient(db, fields(), by=None)
    with db.reading() as sdb, pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        sdb.conn.execute("DELETE FROM patients WHERE id = ?", [created.id])
    assert get_patient(db, created.id) == created


def test_get_missing_patient(db: Database) -> None:
    with pytest.raises(NotFound) as info:
        get_patient(db, 12345)
    assert (info.value.entity, info.value.entity_id) == ("patient", 12345)


def test_list_orders_by_family_then_given_name(db: Database) -> None:
    names = [("b", "Zed"), ("a", "zed"), ("c", "Adams"), ("d", "adams")]
    for i, (given_name, family) in enumerate(names):
        create_patient(
            db, fields(clinic_id=str(i), given_name=given_name, family_name=family), by=None
        )
    listed: list[Patient] = list_patients(db)
    assert [(p.family_name, p.given_name) for p in listed] == [
        ("Adams", "c"),
        ("adams", "d"),
        ("zed", "a"),
        ("Zed", "b"),
    ]
    assert [p.given_name for p in list_patients(db, limit=2, offset=1)] == ["d", "a"]
