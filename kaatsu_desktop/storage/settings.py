"""Clinic settings as JSON values by key; defaults and bounds live with the code that reads them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import validation as v
from .audit import write_audit
from .users import require_user

if TYPE_CHECKING:
    from .db import Database


def get_settings(db: Database) -> dict[str, Any]:
    """Every stored setting (keys that were never set are absent)."""
    with db.reading() as sdb:
        rows = sdb.execute("SELECT key, value_json FROM settings ORDER BY key").fetchall()
    return {key: json.loads(value) for key, value in rows}


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    """One setting, or `default` when it was never set."""
    return get_settings(db).get(key, default)


def set_settings(db: Database, changes: Mapping[str, Any], *, by: int | None) -> dict[str, Any]:
    """Store several settings in one transaction (a None value resets a key); returns all."""
    checked: dict[str, str | None] = {}
    for key, value in changes.items():
        v.text("key", key, max_length=100, strip=False)
        checked[key] = None if value is None else v.json_text(key, value, mapping=False)
    with db.transaction() as sdb:
        require_user(sdb, by)
        current = {
            k: json.loads(val)
            for k, val in sdb.execute("SELECT key, value_json FROM settings").fetchall()
        }
        before = {k: current.get(k) for k in checked}
        stamp = db.now().isoformat(timespec="milliseconds")
        for key, text in checked.items():
            if text is None:
                sdb.execute("DELETE FROM settings WHERE key = ?", [key])
            else:
                sdb.execute(
                    "INSERT INTO settings (key, value_json, updated_at, updated_by)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                    " value_json = excluded.value_json, updated_at = excluded.updated_at,"
                    " updated_by = excluded.updated_by",
                    [key, text, stamp, by],
                )
        after = {k: None if t is None else json.loads(t) for k, t in checked.items()}
        if before != after:
            write_audit(
                sdb,
                at=db.now(),
                user_id=by,
                action="update",
                entity="settings",
                entity_id=None,
                before=before,
                after=after,
            )
    return get_settings(db)
