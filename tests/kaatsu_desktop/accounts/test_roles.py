"""Roles through the services: a trainer opens no patient, a clinician changes no clinic setting."""

from __future__ import annotations

import pytest

from kaatsu_desktop.accounts import (
    ROLE_PERMISSIONS,
    AccountSettings,
    Permission,
    PermissionDenied,
    can,
    load_account_settings,
    permissions_of,
    require,
    save_account_settings,
    set_active,
)
from kaatsu_desktop.services import FormError, Services
from kaatsu_desktop.storage import Database, Role, User, ValidationError, list_audit
from tests.kaatsu_desktop.services.conftest import screening_today
from tests.kaatsu_desktop.storage.helpers import fields


def test_the_role_table() -> None:
    assert permissions_of("trainer") == {Permission.RUN_DEMO}
    assert Permission.VIEW_PATIENTS not in ROLE_PERMISSIONS[Role.ADMINISTRATOR]
    assert Permission.CHANGE_CLINIC_SETTINGS not in ROLE_PERMISSIONS[Role.CLINICIAN]
    assert {Permission.MANAGE_USERS, Permission.VIEW_AUDIT} <= permissions_of("administrator")
    assert {Permission.VIEW_PATIENTS, Permission.RUN_SESSIONS} <= permissions_of("clinician")
    every = set().union(*ROLE_PERMISSIONS.values())
    assert every == set(Permission)  # each permission belongs to some role
    assert all(can(None, p) for p in Permission)  # the program itself


def test_a_trainer_cannot_open_a_patient(db: Database, trainer: User) -> None:
    patient = Services.create(db).patients.create(fields())
    services = Services.create(db, user_id=trainer.id)
    for attempt in (
        lambda: services.patients.get(patient.id),
        lambda: services.patients.history(patient.id),
        lambda: services.patients.search("smith"),
        lambda: services.patients.create(fields(clinic_id="KC-2")),
        lambda: services.screenings.screening_on_file(patient.id),
        lambda: services.patients.get(patient.id + 999),  # refused, never "not found"
    ):
        with pytest.raises(PermissionDenied) as info:
            attempt()
        assert info.value.role is Role.TRAINER and info.value.user_id == trainer.id
    assert str(info.value) == "Tom Trainer is a trainer and may not open patient records."
    assert not [a for a in list_audit(db, entity="patient") if a.action == "read"]


def test_a_clinician_works_with_patients_and_each_opening_is_audited(
    db: Database, clinician: User
) -> None:
    services = Services.create(db, user_id=clinician.id)
    patient = services.patients.create(fields())
    assert services.patients.get(patient.id).created_by == clinician.id
    services.patients.history(patient.id)
    services.screenings.save(patient.id, screening_today())
    services.patients.archive(patient.id)
    reads = [a for a in list_audit(db, entity="patient", entity_id=patient.id)]
    assert [(a.action, a.user_id) for a in reads] == [
        ("create", clinician.id),
        ("read", clinician.id),
        ("read", clinician.id),
        ("archive", clinician.id),
    ]


def test_a_clinician_cannot_change_clinic_settings(
    db: Database, clinician: User, admin: User
) -> None:
    services = Services.create(db, user_id=clinician.id)
    before = services.settings.current()
    with pytest.raises(PermissionDenied, match="may not change the clinic settings"):
        services.settings.save({"screening_validity_days": 60})
    with pytest.raises(PermissionDenied):
        save_account_settings(db, {"inactivity_lock_min": 30}, by=clinician)
    assert services.settings.current() == before
    assert load_account_settings(db) == AccountSettings()
    admin_services = Services.create(db, user_id=admin.id)
    assert (
        admin_services.settings.save({"screening_validity_days": 60}).screening_validity_days == 60
    )
    assert (
        save_account_settings(db, {"inactivity_lock_min": 30}, by=admin).inactivity_lock_min == 30
    )
    assert load_account_settings(db).inactivity_lock_min == 30
    with pytest.raises(PermissionDenied):
        admin_services.patients.search("")  # administrators hold no patient permission


def test_account_settings_are_bounded(db: Database, admin: User) -> None:
    for values in ({"inactivity_lock_min": 0}, {"lockout_failures": 11}, {"nope": 1}):
        with pytest.raises(ValidationError):
            save_account_settings(db, values, by=admin)
    with pytest.raises(ValidationError):
        AccountSettings(lockout_min=True)  # type: ignore[arg-type]
    # A stored value out of bounds (an older version's, or edited) falls back to the default.
    from kaatsu_desktop.storage import set_settings

    set_settings(db, {"accounts.inactivity_lock_min": 999}, by=None)
    assert load_account_settings(db).inactivity_lock_min == 10


def test_a_deactivated_user_is_refused_by_the_services(
    db: Database, clinician: User, admin: User
) -> None:
    services = Services.create(db, user_id=clinician.id)
    set_active(db, clinician.id, False, by=admin)
    with pytest.raises(PermissionDenied, match="deactivated"):
        services.patients.search("")
    set_active(db, clinician.id, True, by=admin)
    assert services.patients.search("").patients == ()


def test_the_program_itself_keeps_working_without_a_user(db: Database) -> None:
    services = Services.create(db)
    patient = services.patients.create(fields())
    assert services.patients.get(patient.id) == patient
    with pytest.raises(FormError):
        services.settings.save({"screening_validity_days": 0})
    require(None, Permission.MANAGE_USERS)
