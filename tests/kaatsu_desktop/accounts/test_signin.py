"""Sign-in with Argon2id: lockout after five failures, unlock after the period, rehash, audit."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from kaatsu_desktop.accounts import (
    OWASP_MINIMUM,
    PRODUCTION,
    AccountSettings,
    AuditAction,
    Authenticator,
    FailureReason,
    HashParameters,
    SignInFailed,
    production_hasher,
    reset_password,
    save_account_settings,
    set_active,
)
from kaatsu_desktop.accounts.passwords import (
    PasswordPolicy,
    check_new_password,
    meets_owasp_minimum,
    parameters_of,
    policy_problems,
)
from kaatsu_desktop.storage import Database, User, ValidationError, list_audit
from kaatsu_desktop.storage.users import get_credentials
from tests.kaatsu_desktop.storage.helpers import FakeClock

from .conftest import CHEAP, CLINICIAN_PASSWORD

WRONG = "not the password at all"


def _fail(auth: Authenticator, name: str, times: int) -> list[SignInFailed]:
    errors = []
    for _ in range(times):
        with pytest.raises(SignInFailed) as info:
            auth.sign_in(name, WRONG)
        errors.append(info.value)
    return errors


def _actions(db: Database, user: User | None = None) -> list[str]:
    rows = list_audit(db, entity="user", entity_id=user.id if user else None)
    return [r.action for r in rows]


def test_sign_in_succeeds_and_is_audited(db: Database, auth: Authenticator, clinician: User):
    signed = auth.sign_in("dr aiko tanaka", CLINICIAN_PASSWORD)  # names ignore case
    assert signed.user == clinician and signed.at == db.now() and not signed.rehashed
    last = list_audit(db)[-1]
    assert (last.action, last.user_id, last.entity_id) == ("sign_in", clinician.id, clinician.id)
    auth.sign_out(clinician)
    assert list_audit(db)[-1].action == AuditAction.SIGN_OUT


def test_four_failures_do_not_lock(auth: Authenticator, clinician: User, db: Database) -> None:
    errors = _fail(auth, clinician.name, 4)
    assert {e.reason for e in errors} == {FailureReason.BAD_CREDENTIALS}
    assert get_credentials(db, clinician.id).failed_attempts == 4
    assert auth.sign_in(clinician.name, CLINICIAN_PASSWORD).user == clinician
    assert get_credentials(db, clinician.id).failed_attempts == 0  # success resets the count
    _fail(auth, clinician.name, 4)
    auth.sign_in(clinician.name, CLINICIAN_PASSWORD)  # four again: still no lock


def test_fifth_failure_locks_for_the_period_then_unlocks(
    db: Database, auth: Authenticator, clinician: User, clock: FakeClock
) -> None:
    errors = _fail(auth, clinician.name, 5)
    assert [e.reason for e in errors][-2:] == [FailureReason.BAD_CREDENTIALS, FailureReason.LOCKED]
    until = clock.now + timedelta(minutes=15)
    assert errors[-1].locked_until == until
    assert "locked" in str(errors[-1]) and "administrator" in str(errors[-1])
    # The right password is refused while locked, and is not even checked.
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(SignInFailed) as info:
        auth.sign_in(clinician.name, CLINICIAN_PASSWORD)
    assert info.value.reason is FailureReason.LOCKED
    clock.advance(seconds=1)  # exactly the end of the period
    assert auth.sign_in(clinician.name, CLINICIAN_PASSWORD).user == clinician
    actions = _actions(db, clinician)
    assert actions.count("sign_in_failed") == 6 and actions.count("account_locked") == 1
    locked = next(r for r in list_audit(db) if r.action == "account_locked")
    assert locked.after == {"failed_attempts": 5, "locked_until": until.isoformat()}
    assert actions[-1] == "sign_in"


def test_after_a_lock_expires_five_more_failures_lock_again(
    auth: Authenticator, clinician: User, clock: FakeClock
) -> None:
    _fail(auth, clinician.name, 5)
    clock.advance(minutes=15)
    errors = _fail(auth, clinician.name, 5)
    assert [e.reason for e in errors] == [FailureReason.BAD_CREDENTIALS] * 4 + [
        FailureReason.LOCKED
    ]


def test_lockout_settings_come_from_the_clinic(
    db: Database, auth: Authenticator, admin: User, clinician: User, clock: FakeClock
) -> None:
    save_account_settings(db, {"lockout_failures": 3, "lockout_min": 60}, by=admin)
    errors = _fail(auth, clinician.name, 3)
    assert errors[-1].reason is FailureReason.LOCKED
    assert errors[-1].locked_until == clock.now + timedelta(minutes=60)


def test_unlock_failures_count_toward_the_lockout(
    auth: Authenticator, clinician: User, db: Database
) -> None:
    for _ in range(4):
        with pytest.raises(SignInFailed):
            auth.unlock(clinician, WRONG)
    with pytest.raises(SignInFailed) as info:
        auth.unlock(clinician, WRONG)
    assert info.value.reason is FailureReason.LOCKED
    auth2 = Authenticator(db, hasher=CHEAP.hasher(), settings=AccountSettings())
    with pytest.raises(SignInFailed):
        auth2.sign_in(clinician.name, CLINICIAN_PASSWORD)


def test_lock_and_unlock_are_audited(auth: Authenticator, clinician: User, db: Database) -> None:
    auth.lock(clinician)
    auth.unlock(clinician, CLINICIAN_PASSWORD)
    rows = list_audit(db)[-2:]
    assert [(r.action, r.user_id, r.after) for r in rows] == [
        ("lock", clinician.id, {"reason": "inactivity"}),
        ("unlock", clinician.id, None),
    ]


def test_unknown_name_deactivated_and_passwordless_users_are_refused_alike(
    db: Database, auth: Authenticator, admin: User, clinician: User
) -> None:
    from kaatsu_desktop.storage import create_user

    bare = create_user(db, "No Password", "clinician", by=admin.id)
    for name in ("Nobody Here", bare.name):
        with pytest.raises(SignInFailed) as info:
            auth.sign_in(name, CLINICIAN_PASSWORD)
        assert info.value.reason is FailureReason.BAD_CREDENTIALS
        assert str(info.value) == "Wrong user name or password."
    set_active(db, clinician.id, False, by=admin)
    with pytest.raises(SignInFailed) as info:
        auth.sign_in(clinician.name, CLINICIAN_PASSWORD)
    assert info.value.reason is FailureReason.DEACTIVATED
    failed = list_audit(db, action="sign_in_failed")
    assert [(r.entity_id, r.after["reason"]) for r in failed] == [
        (None, "unknown_user"),
        (bare.id, "no_password"),
        (clinician.id, "deactivated"),
    ]
    assert "Nobody" not in str([r.after for r in failed])  # a typed name is not recorded


def test_rehash_at_sign_in_when_parameters_rise(
    db: Database, clinician: User, hasher: PasswordHasher
) -> None:
    old = get_credentials(db, clinician.id).password_hash
    assert old.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    stronger = HashParameters(time_cost=2, memory_cost=16, parallelism=1).hasher()
    signed = Authenticator(db, hasher=stronger).sign_in(clinician.name, CLINICIAN_PASSWORD)
    assert signed.rehashed
    new = get_credentials(db, clinician.id).password_hash
    assert new.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    assert list_audit(db)[-2].action == "password_rehashed"
    again = Authenticator(db, hasher=stronger).sign_in(clinician.name, CLINICIAN_PASSWORD)
    assert not again.rehashed and get_credentials(db, clinician.id).password_hash == new
    # The old, weaker hasher still verifies the new hash (parameters live in the hash).
    assert Authenticator(db, hasher=hasher).sign_in(clinician.name, CLINICIAN_PASSWORD)


def test_production_parameters_meet_owasp_and_hash_argon2id(db: Database, admin: User) -> None:
    hasher = production_hasher()
    assert parameters_of(hasher) == PRODUCTION
    assert meets_owasp_minimum(PRODUCTION) and meets_owasp_minimum(OWASP_MINIMUM)
    assert not meets_owasp_minimum(CHEAP)
    assert PRODUCTION.memory_cost >= 19 * 1024 and PRODUCTION.time_cost >= 2
    reset_password(db, admin.id, "a long production password", by=admin, hasher=hasher)
    stored = get_credentials(db, admin.id).password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert Authenticator(db, hasher=hasher).sign_in(admin.name, "a long production password")


def test_no_password_reaches_logs_audit_or_errors(
    db: Database, auth: Authenticator, clinician: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _fail(auth, clinician.name, 5)
    with pytest.raises(SignInFailed) as refused:
        auth.sign_in("Nobody", "secret-typed-into-the-name")
    with pytest.raises(ValidationError) as info:
        check_new_password("short", user_name="x", policy=PasswordPolicy())
    with db.reading() as sdb:
        dump = "\n".join(str(row) for row in sdb.conn.execute("SELECT * FROM audit_log"))
    for text in (caplog.text, dump, str(info.value), str(refused.value)):
        for secret in (WRONG, CLINICIAN_PASSWORD, "short", "secret-typed-into-the-name"):
            assert secret not in text


def test_password_policy() -> None:
    policy = PasswordPolicy()
    assert policy_problems("tourniquet-lantern-42", user_name="Aiko", policy=policy) == []
    assert policy_problems("short", user_name="Aiko", policy=policy) == [
        "must have at least 12 characters"
    ]
    assert policy_problems("Dr Aiko Tanaka", user_name="dr aiko tanaka", policy=policy) == [
        "must not contain the user name"
    ]
    assert "must not contain the user name" in policy_problems(
        "aikotanaka2026!", user_name="Aiko Tanaka", policy=policy
    )
    assert policy_problems("aaaaaaaaaaaaaa", user_name="B", policy=policy) == [
        "must not repeat one character"
    ]
    assert policy_problems("Password1234", user_name="B", policy=policy) == ["is too common"]
    assert policy_problems("x" * 300 + "yz", user_name="B", policy=policy) == [
        "must have at most 256 characters"
    ]
    # Eleven characters are refused and twelve pass: the boundary of the minimum.
    assert policy_problems("abcdefghijk", user_name="B", policy=policy)
    assert not policy_problems("abcdefghijkl", user_name="B", policy=policy)
