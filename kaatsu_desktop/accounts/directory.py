"""User accounts: first administrator, accounts and passwords, roles, and who-did-what names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import Role, User, ValidationError, create_user, list_users, write_audit
from kaatsu_desktop.storage.users import (
    get_credentials,
    set_lockout_state,
    set_password_hash,
    update_user,
    user_names,
    user_state,
)

from .actions import USER_ENTITY, AuditAction
from .passwords import (
    PasswordPolicy,
    check_new_password,
    hash_password,
    production_hasher,
    verify_password,
)
from .permissions import Permission, require

DEFAULT_POLICY = PasswordPolicy()

if TYPE_CHECKING:
    from kaatsu_desktop.storage import Database

_T = "Accounts"


class AlreadySetUp(Exception):
    """The first administrator exists already; further accounts are made by an administrator."""

    def __init__(self) -> None:
        super().__init__(translate(_T, "This workstation already has an administrator."))


@dataclass(frozen=True)
class Account:
    """A user with the state an administrator sees: active, password set, locked until."""

    user: User
    active: bool
    has_password: bool
    locked_until: datetime | None
    updated_at: datetime | None
    updated_by: int | None

    def locked_at(self, now: datetime) -> bool:
        """True while the account is locked after failed sign-ins."""
        return self.locked_until is not None and now < self.locked_until


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None


def _active_administrators(db: Database) -> int:
    with db.reading() as sdb:
        row = sdb.execute(
            "SELECT count(*) FROM users AS u JOIN user_credentials AS c ON c.user_id = u.id"
            " WHERE u.role = 'administrator' AND u.active = 1"
        ).fetchone()
    return int(row[0])


def needs_first_administrator(db: Database) -> bool:
    """True until an active administrator with a password exists (first run)."""
    return _active_administrators(db) == 0


def create_account(
    db: Database,
    name: str,
    role: Role | str,
    password: str,
    *,
    by: User | None,
    hasher: PasswordHasher | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> User:
    """A new user with a password, in one transaction (two audit rows); administrators only."""
    require(by, Permission.MANAGE_USERS)
    check_new_password(password, user_name=name if isinstance(name, str) else "", policy=policy)
    password_hash = hash_password(hasher or production_hasher(), password)
    with db.transaction():
        user = create_user(db, name, role, by=_id(by))
        set_password_hash(
            db, user.id, password_hash, by=_id(by), action=AuditAction.PASSWORD_SET.value
        )
    return user


def create_first_administrator(
    db: Database,
    name: str,
    password: str,
    *,
    hasher: PasswordHasher | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> User:
    """The first run's administrator; AlreadySetUp once one exists."""
    if not needs_first_administrator(db):
        raise AlreadySetUp()
    return create_account(
        db, name, Role.ADMINISTRATOR, password, by=None, hasher=hasher, policy=policy
    )


def reset_password(
    db: Database,
    user_id: int,
    new_password: str,
    *,
    by: User | None,
    hasher: PasswordHasher | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> None:
    """An administrator sets a new password (this also ends a lockout)."""
    require(by, Permission.MANAGE_USERS)
    user = next((u for u in list_users(db) if u.id == user_id), None)
    if user is None:
        raise ValidationError("user", translate(_T, "no such user"))
    check_new_password(new_password, user_name=user.name, policy=policy)
    password_hash = hash_password(hasher or production_hasher(), new_password)
    set_password_hash(db, user_id, password_hash, by=_id(by), action=AuditAction.PASSWORD_SET.value)


def change_own_password(
    db: Database,
    user: User,
    old_password: str,
    new_password: str,
    *,
    hasher: PasswordHasher | None = None,
    policy: PasswordPolicy = DEFAULT_POLICY,
) -> None:
    """A user changes their own password, giving the old one (ValidationError otherwise)."""
    hasher = hasher or production_hasher()
    creds = get_credentials(db, user.id)
    if creds is None or not verify_password(hasher, creds.password_hash, old_password):
        raise ValidationError("old_password", translate(_T, "is not the current password"))
    check_new_password(new_password, user_name=user.name, policy=policy, field="new_password")
    if verify_password(hasher, creds.password_hash, new_password):
        raise ValidationError("new_password", translate(_T, "must differ from the current one"))
    password_hash = hash_password(hasher, new_password)
    set_password_hash(
        db, user.id, password_hash, by=user.id, action=AuditAction.PASSWORD_CHANGED.value
    )


def _keep_an_administrator(db: Database, user_id: int, role: Role, active: bool) -> None:
    state = user_state(db, user_id)
    current = next(u for u in list_users(db) if u.id == user_id)
    was_admin = current.role is Role.ADMINISTRATOR and state.active
    stays_admin = role is Role.ADMINISTRATOR and active
    if was_admin and not stays_admin and _active_administrators(db) <= 1:
        raise ValidationError(
            "role", translate(_T, "the workstation must keep one active administrator")
        )


def change_role(db: Database, user_id: int, role: Role | str, *, by: User | None) -> User:
    """Give a user another role; the last active administrator keeps theirs."""
    require(by, Permission.MANAGE_USERS)
    role = Role(role)
    _keep_an_administrator(db, user_id, role, user_state(db, user_id).active)
    return update_user(db, user_id, role=role, by=_id(by))


def set_active(db: Database, user_id: int, active: bool, *, by: User | None) -> User:
    """Deactivate (never delete: the audit trail names them) or reactivate a user."""
    require(by, Permission.MANAGE_USERS)
    current = next((u for u in list_users(db) if u.id == user_id), None)
    if current is None:
        raise ValidationError("user", translate(_T, "no such user"))
    _keep_an_administrator(db, user_id, current.role, active)
    return update_user(db, user_id, active=active, by=_id(by))


def unlock_account(db: Database, user_id: int, *, by: User | None) -> None:
    """An administrator ends a lockout before its period is over."""
    require(by, Permission.MANAGE_USERS)
    with db.transaction() as sdb:
        set_lockout_state(db, user_id, failed_attempts=0, locked_until=None)
        write_audit(
            sdb,
            at=db.now(),
            user_id=_id(by),
            action=AuditAction.ACCOUNT_UNLOCKED.value,
            entity=USER_ENTITY,
            entity_id=user_id,
        )


def list_accounts(db: Database) -> list[Account]:
    """Every user with their account state, by name."""
    out = []
    for user in list_users(db):
        state = user_state(db, user.id)
        creds = get_credentials(db, user.id)
        out.append(
            Account(
                user=user,
                active=state.active,
                has_password=creds is not None,
                locked_until=creds.locked_until if creds else None,
                updated_at=state.updated_at,
                updated_by=state.updated_by,
            )
        )
    return out


# -- who created and last changed a record ------------------------------------------------------


@dataclass(frozen=True)
class Authorship:
    """Who created a record and who changed it last, by name, for a record's footer."""

    created_at: datetime | None
    created_by: str
    updated_at: datetime | None
    updated_by: str


def system_name() -> str:
    """How a change made by the program itself (no user) is shown."""
    return translate(_T, "the system")


def resolve_names(db: Database, user_ids: Iterable[int | None]) -> dict[int | None, str]:
    """Display names for user ids: None is the system, an unknown id is shown as '#id'."""
    ids = list(user_ids)
    found = user_names(db, ids)
    out: dict[int | None, str] = {}
    for i in ids:
        out[i] = system_name() if i is None else found.get(i, f"#{i}")
    return out


def authorship(db: Database, record: Any) -> Authorship:
    """Creator and last editor of any stored record with created_by (and maybe updated_by).

    Append-only records (screenings, clearances) were last changed when they were created.
    """
    created_by = getattr(record, "created_by", None)
    updated_by = getattr(record, "updated_by", created_by)
    names = resolve_names(db, [created_by, updated_by])
    created_at = getattr(record, "created_at", None)
    return Authorship(
        created_at=created_at,
        created_by=names[created_by],
        updated_at=getattr(record, "updated_at", created_at),
        updated_by=names[updated_by],
    )
