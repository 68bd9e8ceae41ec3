"""Users of the workstation (name and role; credentials come with the accounts issue)."""

from __future__ import annotations

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
