"""Users of the workstation: name and role, active flag, credentials and lockout state."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlite_utils

from kaatsu_desktop.i18n import translate

from . import validation as v
from .audit import write_audit
from .db import insert_row
from .errors import NotFound, ValidationError
from .models import Role, User

if TYPE_CHECKING:
    from .db import Database


def require_user(sdb: sqlite_utils.Database, user_id: int | None, field: str = "by") -> None:
    """Check that the acting user exists (None stands for the system itself)."""
    if user_id is None:
        return
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise ValidationError(field, translate("Storage", "must be a user id"))
    if not sdb.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone():
        raise ValidationError(
            field, translate("Storage", "no user with id {id}").format(id=user_id)
        )


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        created_by=row["created_by"],
    )


def create_user(db: Database, name: str, role: Role | str, *, by: int | None) -> User:
    """Add a user; names are unique regardless of case."""
    name = v.text("name", name, max_length=100)
    role = Role(v.choice("role", role, [r.value for r in Role]))
    with db.transaction() as sdb:
        require_user(sdb, by)
        if sdb.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise ValidationError("name", translate("Storage", "a user with this name exists"))
        row = {
            "name": name,
            "role": role.value,
            "created_at": db.now().isoformat(timespec="milliseconds"),
            "created_by": by,
        }
        user_id = insert_row(sdb, "users", row)
        user = _user({"id": user_id, **row})
        write_audit(
            sdb,
            at=db.now(),
            user_id=by,
            action="create",
            entity="user",
            entity_id=user_id,
            after=user,
        )
    return user


def get_user(db: Database, user_id: int) -> User:
    """One user by id."""
    with db.reading() as sdb:
        rows = list(sdb.query("SELECT * FROM users WHERE id = ?", [user_id]))
    if not rows:
        raise NotFound("user", user_id)
    return _user(rows[0])


def list_users(db: Database) -> list[User]:
    """Every user, by name."""
    with db.reading() as sdb:
        rows = list(sdb.query("SELECT * FROM users ORDER BY name COLLATE NOCASE, id"))
    return [_user(r) for r in rows]


# -- accounts: activity, changes and credentials (the rules live in kaatsu_desktop.accounts) ----


@dataclasses.dataclass(frozen=True, slots=True)
class UserState:
    """What changes about a user after creation: active flag and who last changed the record."""

    user_id: int
    active: bool
    updated_at: datetime | None
    updated_by: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class Credentials:
    """A user's stored password hash and lockout state (the hash never shows in a repr)."""

    user_id: int
    password_hash: str = dataclasses.field(repr=False)
    failed_attempts: int
    locked_until: datetime | None
    password_changed_at: datetime
    password_changed_by: int | None


def _stamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def find_user(db: Database, name: str) -> User | None:
    """The user with this name (case does not matter), or None."""
    with db.reading() as sdb:
        rows = list(sdb.query("SELECT * FROM users WHERE name = ?", [name.strip()]))
    return _user(rows[0]) if rows else None


def user_state(db: Database, user_id: int) -> UserState:
    """Active flag and last change of one user."""
    with db.reading() as sdb:
        row = sdb.execute(
            "SELECT active, updated_at, updated_by FROM users WHERE id = ?", [user_id]
        ).fetchone()
    if row is None:
        raise NotFound("user", user_id)
    return UserState(user_id, bool(row[0]), _stamp(row[1]), row[2])


def user_names(db: Database, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the given user ids that exist (None and unknown ids are left out)."""
    wanted = sorted({i for i in user_ids if i is not None})
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    with db.reading() as sdb:
        rows = sdb.execute(f"SELECT id, name FROM users WHERE id IN ({marks})", wanted).fetchall()
    return {int(i): str(n) for i, n in rows}


def update_user(
    db: Database,
    user_id: int,
    *,
    by: int | None,
    role: Role | str | None = None,
    active: bool | None = None,
) -> User:
    """Change a user's role or active flag; one audit row with the values before and after."""
    changes: dict[str, object] = {}
    if role is not None:
        changes["role"] = Role(v.choice("role", role, [r.value for r in Role])).value
    if active is not None:
        if not isinstance(active, bool):
            raise ValidationError("active", translate("Storage", "must be true or false"))
        changes["active"] = int(active)
    with db.transaction() as sdb:
        require_user(sdb, by)
        row = sdb.execute("SELECT role, active FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            raise NotFound("user", user_id)
        before = {"role": row[0], "active": bool(row[1])}
        after = {**before, **{k: (bool(x) if k == "active" else x) for k, x in changes.items()}}
        if after != before:
            stamp = db.now().isoformat(timespec="milliseconds")
            sets = ", ".join(f"{k} = ?" for k in changes)
            sdb.execute(
                f"UPDATE users SET {sets}, updated_at = ?, updated_by = ? WHERE id = ?",
                [*changes.values(), stamp, by, user_id],
            )
            write_audit(
                sdb,
                at=db.now(),
                user_id=by,
                action="update",
                entity="user",
                entity_id=user_id,
                before=before,
                after=after,
            )
    return get_user(db, user_id)


def get_credentials(db: Database, user_id: int) -> Credentials | None:
    """A user's credentials, None when no password was ever set."""
    with db.reading() as sdb:
        rows = list(sdb.query("SELECT * FROM user_credentials WHERE user_id = ?", [user_id]))
    if not rows:
        return None
    row = rows[0]
    return Credentials(
        user_id=row["user_id"],
        password_hash=row["password_hash"],
        failed_attempts=row["failed_attempts"],
        locked_until=_stamp(row["locked_until"]),
        password_changed_at=datetime.fromisoformat(row["password_changed_at"]),
        password_changed_by=row["password_changed_by"],
    )


def set_password_hash(
    db: Database, user_id: int, password_hash: str, *, by: int | None, action: str
) -> None:
    """Store a new password hash (clearing any lockout); the audit row names no hash."""
    with db.transaction() as sdb:
        require_user(sdb, by)
        if not sdb.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone():
            raise NotFound("user", user_id)
        stamp = db.now().isoformat(timespec="milliseconds")
        sdb.execute(
            "INSERT INTO user_credentials (user_id, password_hash, failed_attempts, locked_until,"
            " password_changed_at, password_changed_by) VALUES (?, ?, 0, NULL, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash,"
            " failed_attempts = 0, locked_until = NULL,"
            " password_changed_at = excluded.password_changed_at,"
            " password_changed_by = excluded.password_changed_by",
            [user_id, password_hash, stamp, by],
        )
        write_audit(sdb, at=db.now(), user_id=by, action=action, entity="user", entity_id=user_id)


def set_lockout_state(
    db: Database, user_id: int, *, failed_attempts: int, locked_until: datetime | None
) -> None:
    """Store the failed-attempt count and lock expiry (the caller writes the audit row)."""
    with db.transaction() as sdb:
        sdb.execute(
            "UPDATE user_credentials SET failed_attempts = ?, locked_until = ? WHERE user_id = ?",
            [
                failed_attempts,
                locked_until.isoformat(timespec="milliseconds") if locked_until else None,
                user_id,
            ],
        )


def replace_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    """Swap in a rehash of the same password (stronger parameters); no audit of its own."""
    with db.transaction() as sdb:
        sdb.execute(
            "UPDATE user_credentials SET password_hash = ? WHERE user_id = ?",
            [password_hash, user_id],
        )
