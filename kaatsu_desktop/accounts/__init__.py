"""Clinician accounts, the tamper-evident audit trail and encryption at rest (issue 7).

What the UI calls (no widget here):

- Start: `database_state(path)`; ENCRYPTED -> `open_protected(path, key_store=KeyringStore())`,
  on SecretRequired (or WrongKey with a kept key) ask the secret and call it again with `secret=`;
  WrongKey: the secret does not fit; storage.DatabaseCorrupt: the file is damaged.
  First run: offer encryption when `encryption_available()`; `open_protected(path, secret=...,
  remember=True)` creates the encrypted file. Then `needs_first_administrator(db)` ->
  `create_first_administrator(db, name, password)`.
- Sign-in: `auth = Authenticator(db)`; `auth.sign_in(name, password) -> SignedIn` or
  SignInFailed (`.reason`, `.locked_until`, a message to show). Build the services with
  `Services.create(db, user_id=signed.user.id)`; they refuse what the role may not do with
  PermissionDenied (`can(user, Permission.X)` tells the UI what to show at all).
- Screen lock: `InactivityLock(load_account_settings(db).inactivity_timeout, monotonic())`;
  `activity(now)` on input, `tick(now)` from a timer; on the change to locked call
  `auth.lock(user)`, hide patient data (never the session panel's release and alarms, never
  the running session) and on the password `auth.unlock(user, password)` then `lock.unlock(now)`.
  A damaged database (storage.DatabaseDamaged, writes refused): `sign_in` and the audit export
  raise it; `lock` and `sign_out` raise it after nothing was written (lock and sign out anyway,
  log it); `unlock` still checks the password and returns `SignedIn.recorded` False.
- Administrators: `create_account`, `reset_password`, `change_role`, `set_active`,
  `unlock_account`, `list_accounts`, `save_account_settings`, `view_audit`, `export_audit_csv`.
- Records: `authorship(db, record)` names who created and last changed any record;
  `session_authors(db, patient_id)` who started each session and who finished or last changed it.
- Command line: `KeySource().key(path)` / `open_cli_database(args, keys)`: an encrypted
  database's key from the keyring, else the secret asked on the terminal (keysource).
"""

from __future__ import annotations

from kaatsu_desktop.storage.cipher import (
    DatabaseKey,
    DatabaseNotEncrypted,
    EncryptionUnavailable,
    WrongKey,
)

from .actions import AUDIT_ENTITY, USER_ENTITY, AuditAction
from .chain import (
    AuditLine,
    VerifyResult,
    export_audit_csv,
    neutralise,
    verify_audit_chain,
    view_audit,
    write_audit_csv,
)
from .directory import (
    Account,
    AlreadySetUp,
    Authorship,
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
from .encryption import (
    KDF_V1,
    ClinicSecret,
    DatabaseState,
    KdfParameters,
    KeyringStore,
    SecretRequired,
    check_new_secret,
    database_state,
    derive_key,
    encryption_available,
    key_for,
    open_protected,
)
from .inactivity import InactivityLock
from .passwords import (
    OWASP_MINIMUM,
    PRODUCTION,
    HashParameters,
    PasswordPolicy,
    check_new_password,
    production_hasher,
)
from .permissions import (
    ROLE_PERMISSIONS,
    Permission,
    PermissionDenied,
    can,
    permissions_of,
    require,
    require_user_id,
)
from .session_authors import SessionAuthors, session_authors
from .settings import AccountSettings, load_account_settings, save_account_settings
from .signin import Authenticator, FailureReason, SignedIn, SignInFailed

__all__ = [
    "AUDIT_ENTITY",
    "KDF_V1",
    "OWASP_MINIMUM",
    "PRODUCTION",
    "ROLE_PERMISSIONS",
    "USER_ENTITY",
    "Account",
    "AccountSettings",
    "AlreadySetUp",
    "AuditAction",
    "AuditLine",
    "Authenticator",
    "Authorship",
    "ClinicSecret",
    "DatabaseKey",
    "DatabaseNotEncrypted",
    "DatabaseState",
    "EncryptionUnavailable",
    "FailureReason",
    "HashParameters",
    "InactivityLock",
    "KdfParameters",
    "KeyringStore",
    "PasswordPolicy",
    "Permission",
    "PermissionDenied",
    "SecretRequired",
    "SessionAuthors",
    "SignInFailed",
    "SignedIn",
    "VerifyResult",
    "WrongKey",
    "authorship",
    "can",
    "change_own_password",
    "change_role",
    "check_new_password",
    "check_new_secret",
    "create_account",
    "create_first_administrator",
    "database_state",
    "derive_key",
    "encryption_available",
    "export_audit_csv",
    "key_for",
    "list_accounts",
    "load_account_settings",
    "needs_first_administrator",
    "neutralise",
    "open_protected",
    "permissions_of",
    "production_hasher",
    "require",
    "require_user_id",
    "reset_password",
    "resolve_names",
    "save_account_settings",
    "session_authors",
    "set_active",
    "unlock_account",
    "verify_audit_chain",
    "view_audit",
    "write_audit_csv",
]
