"""First administrator, accounts and passwords, keeping one administrator, and record authors."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from kaatsu_desktop.accounts import (
    AlreadySetUp,
    Authenticator,
    FailureReason,
    PermissionDenied,
    SignInFailed,
    authorship,
    change_own_password,
    change_role,
    create_account,
    create_first_administrator,
    list_accounts,
    needs_first_administrator,
    reset_password,
    resolve_names,
    set_active,
    unlock_account,
)
from kaatsu_desktop.storage import (
    Database,
    Role,
    User,
    ValidationError,
    create_patient,
    create_user,
    list_audit,
    update_patient,
)
from kaatsu_desktop.storage.users import get_credentials, user_state
from tests.kaatsu_desktop.storage.helpers import FakeClock, fields

from .conftest import ADMIN_PASSWORD, CLINICIAN_PASSWORD


def test_first_run_asks_for_one_administrator(db: Database, hasher: PasswordHasher) -> None:
    assert needs_first_administrator(db)
    create_user(db, "Legacy Admin", "administrator", by=None)  # no password: still first run
    assert needs_first_administrator(db)
    with pytest.raises(ValidationError) as info:
        create_first_administrator(db, "Admin Ana", "admin ana", hasher=hasher)
    assert info.value.field == "password" and needs_first_administrator(db)
    admin = create_first_administrator(db, "Admin Ana", ADMIN_PASSWORD, hasher=hasher)
    assert admin.role is Role.ADMINISTRATOR and not needs_first_administrator(db)
    with pytest.raises(AlreadySetUp):
        create_first_administrator(db, "Second Admin", ADMIN_PASSWORD, hasher=hasher)
    rows = list_audit(db, entity="user", entity_id=admin.id)
    assert [r.action for r in rows] == ["create", "password_set"]
    assert ADMIN_PASSWORD not in str([(r.before, r.after) for r in rows])


def test_a_failed_account_creation_leaves_nothing(
    db: Database, admin: User, hasher: PasswordHasher
) -> None:
    count = len(list_audit(db))
    with pytest.raises(ValidationError):
        create_account(db, "admin ana", "clinician", CLINICIAN_PASSWORD, by=admin, hasher=hasher)
    assert len(list_audit(db)) == count and len(list_accounts(db)) == 1


def test_only_administrators_manage_users(
    db: Database, clinician: User, trainer: User, hasher: PasswordHasher
) -> None:
    for attempt in (
        lambda: create_account(db, "X Y", "clinician", CLINICIAN_PASSWORD, by=clinician),
        lambda: reset_password(db, trainer.id, CLINICIAN_PASSWORD, by=clinician),
        lambda: change_role(db, trainer.id, "clinician", by=trainer),
        lambda: set_active(db, trainer.id, False, by=clinician),
        lambda: unlock_account(db, trainer.id, by=trainer),
    ):
        with pytest.raises(PermissionDenied, match="manage user accounts"):
            attempt()


def test_the_last_administrator_stays(db: Database, admin: User, clinician: User) -> None:
    for attempt in (
        lambda: change_role(db, admin.id, "clinician", by=admin),
        lambda: set_active(db, admin.id, False, by=admin),
    ):
        with pytest.raises(ValidationError, match="one active administrator"):
            attempt()
    change_role(db, clinician.id, "administrator", by=admin)
    assert change_role(db, admin.id, "clinician", by=admin).role is Role.CLINICIAN
    state = user_state(db, admin.id)
    assert state.updated_by == admin.id and state.updated_at is not None
    change = list_audit(db, entity="user", entity_id=admin.id, action="update")[-1]
    assert (change.before, change.after) == (
        {"role": "administrator", "active": True},
        {"role": "clinician", "active": True},
    )


def test_admin_unlocks_and_resets(
    db: Database, admin: User, clinician: User, auth: Authenticator, hasher: PasswordHasher
) -> None:
    for _ in range(5):
        with pytest.raises(SignInFailed):
            auth.sign_in(clinician.name, "wrong wrong wrong")
    assert next(a for a in list_accounts(db) if a.user == clinician).locked_at(db.now())
    unlock_account(db, clinician.id, by=admin)
    assert auth.sign_in(clinician.name, CLINICIAN_PASSWORD)
    reset_password(db, clinician.id, "a brand new passphrase", by=admin, hasher=hasher)
    with pytest.raises(SignInFailed) as info:
        auth.sign_in(clinician.name, CLINICIAN_PASSWORD)
    assert info.value.reason is FailureReason.BAD_CREDENTIALS
    assert auth.sign_in(clinician.name, "a brand new passphrase")
    assert get_credentials(db, clinician.id).password_changed_by == admin.id


def test_users_change_their_own_password(
    db: Database, clinician: User, hasher: PasswordHasher, auth: Authenticator
) -> None:
    with pytest.raises(ValidationError) as info:
        change_own_password(db, clinician, "wrong", "another long passphrase", hasher=hasher)
    assert info.value.field == "old_password"
    with pytest.raises(ValidationError) as info:
        change_own_password(db, clinician, CLINICIAN_PASSWORD, CLINICIAN_PASSWORD, hasher=hasher)
    assert info.value.field == "new_password"
    change_own_password(db, clinician, CLINICIAN_PASSWORD, "another long passphrase", hasher=hasher)
    assert auth.sign_in(clinician.name, "another long passphrase")
    assert list_audit(db, action="password_changed")[0].user_id == clinician.id


def test_who_created_and_last_changed_a_record(
    db: Database, admin: User, clinician: User, clock: FakeClock, hasher: PasswordHasher
) -> None:
    other = create_account(
        db, "Nurse Kim", "clinician", "kim's long passphrase", by=admin, hasher=hasher
    )
    patient = create_patient(db, fields(), by=clinician.id)
    clock.advance(hours=1)
    patient = update_patient(db, patient.id, fields(notes="n"), by=other.id)
    who = authorship(db, patient)
    assert (who.created_by, who.updated_by) == ("Dr Aiko Tanaka", "Nurse Kim")
    assert who.updated_at == clock.now and who.created_at < who.updated_at
    system = authorship(db, create_patient(db, fields(clinic_id="KC-9"), by=None))
    assert system.created_by == system.updated_by == "the system"
    assert resolve_names(db, [None, clinician.id, 999]) == {
        None: "the system",
        clinician.id: "Dr Aiko Tanaka",
        999: "#999",
    }
