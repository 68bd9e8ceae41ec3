"""Accounts on a database that failed its integrity check: nothing written, unlock still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaatsu_desktop.accounts import (
    AuditAction,
    FailureReason,
    SignInFailed,
    export_audit_csv,
    set_active,
    view_audit,
)
from kaatsu_desktop.storage import DatabaseDamaged
from kaatsu_desktop.storage.users import get_credentials
from tests.kaatsu_desktop.accounts.conftest import CLINICIAN_PASSWORD

DETAIL = "Page 12: btreeInitPage() returns error code 11"


def rows(db) -> int:
    return len(view_audit(db, by=None, limit=None))


def test_nobody_signs_in_on_a_damaged_database_right_password_or_not(db, auth, clinician):
    db.mark_damaged(DETAIL)
    before = rows(db)
    for name, password in (
        ("Dr Aiko Tanaka", CLINICIAN_PASSWORD),
        ("Dr Aiko Tanaka", "wrong"),
        ("nobody", "x"),
    ):
        with pytest.raises(DatabaseDamaged, match="integrity check"):
            auth.sign_in(name, password)
    assert rows(db) == before


def test_unlock_checks_the_password_and_records_nothing(db, auth, clinician):
    auth.lock(clinician, reason="manual")
    db.mark_damaged(DETAIL)
    before = rows(db)
    with pytest.raises(DatabaseDamaged):
        auth.lock(clinician, reason="manual")  # the caller logs it and locks all the same
    with pytest.raises(DatabaseDamaged):
        auth.sign_out(clinician)
    with pytest.raises(SignInFailed) as failed:
        auth.unlock(clinician, "wrong")
    assert failed.value.reason is FailureReason.BAD_CREDENTIALS
    signed = auth.unlock(clinician, CLINICIAN_PASSWORD)
    assert signed.user == clinician and not signed.recorded and not signed.rehashed
    assert signed.at == db.now()
    assert rows(db) == before
    assert get_credentials(db, clinician.id).failed_attempts == 0  # the file is untouched


def test_failed_unlocks_lock_the_account_in_memory_until_the_period_ends(
    db, auth, clinician, clock
):
    db.mark_damaged(DETAIL)
    for attempt in range(1, 5):
        with pytest.raises(SignInFailed) as failed:
            auth.unlock(clinician, f"wrong {attempt}")
        assert failed.value.reason is FailureReason.BAD_CREDENTIALS
    with pytest.raises(SignInFailed) as failed:
        auth.unlock(clinician, "wrong 5")
    assert failed.value.reason is FailureReason.LOCKED
    assert failed.value.locked_until == db.now() + auth.settings().lockout_period
    with pytest.raises(SignInFailed) as failed:
        auth.unlock(clinician, CLINICIAN_PASSWORD)  # no password check while locked
    assert failed.value.reason is FailureReason.LOCKED
    clock.advance(minutes=15)
    assert not auth.unlock(clinician, CLINICIAN_PASSWORD).recorded
    # A success clears the count kept in memory: four more failures do not lock.
    for attempt in range(4):
        with pytest.raises(SignInFailed) as failed:
            auth.unlock(clinician, f"again {attempt}")
        assert failed.value.reason is FailureReason.BAD_CREDENTIALS


def test_a_deactivated_account_does_not_unlock_on_a_damaged_database(db, auth, admin, clinician):
    set_active(db, clinician.id, False, by=admin)
    db.mark_damaged(DETAIL)
    with pytest.raises(SignInFailed) as failed:
        auth.unlock(clinician, CLINICIAN_PASSWORD)
    assert failed.value.reason is FailureReason.DEACTIVATED


def test_the_audit_export_writes_no_file_it_cannot_audit(db, admin, tmp_path: Path):
    dest = tmp_path / "audit.csv"
    db.mark_damaged(DETAIL)
    with pytest.raises(DatabaseDamaged):
        export_audit_csv(db, dest, by=admin)
    assert not dest.exists()
    assert not view_audit(db, by=None, action=AuditAction.EXPORT.value)
