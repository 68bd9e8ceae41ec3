"""Audit actions written by the accounts package (entity "user" unless said otherwise)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """The `action` column of the audit rows about accounts and access."""

    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    SIGN_IN_FAILED = "sign_in_failed"  # after: reason, failed_attempts; never what was typed
    ACCOUNT_LOCKED = "account_locked"  # five failures: after: locked_until
    ACCOUNT_UNLOCKED = "account_unlocked"  # by an administrator, before the period ends
    LOCK = "lock"  # the workstation's screen lock (inactivity or by hand)
    UNLOCK = "unlock"
    PASSWORD_SET = "password_set"  # first password, or reset by an administrator
    PASSWORD_CHANGED = "password_changed"  # by the user, knowing the old one
    PASSWORD_REHASHED = "password_rehashed"  # same password, stronger Argon2 parameters
    READ = "read"  # a patient record opened (entity "patient")
    EXPORT = "export"  # the audit trail exported (entity "audit_log")


# Entity names of the audit rows written here.
USER_ENTITY = "user"
AUDIT_ENTITY = "audit_log"
