"""The audit log: who did what to which record, when, with the values before and after."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlite_utils

from .db import insert_row
from .models import AuditEntry, to_json_value

if TYPE_CHECKING:
    from .db import Database


def write_audit(
    sdb: sqlite_utils.Database,
    *,
    at: datetime,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
) -> int:
    """Append one audit row; call it inside the transaction of the write it describes."""
    if not sdb.conn.in_transaction:
        # An audit row outside the write's transaction could survive a rolled-back write.
        raise RuntimeError("write_audit must run inside the transaction of the audited write")
    row = {
        "at": at.isoformat(timespec="milliseconds"),
        "user_id": user_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before_json": _dump(before),
        "after_json": _dump(after),
    }
    return insert_row(sdb, "audit_log", row)


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(to_json_value(value), ensure_ascii=False, allow_nan=False)


def list_audit(
    db: Database,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit rows, oldest first, optionally for one entity kind or one record."""
    where, params = [], []
    if entity is not None:
        where.append("entity = ?")
        params.append(entity)
    if entity_id is not None:
        where.append("entity_id = ?")
        params.append(entity_id)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    with db.reading() as sdb:
        rows = list(sdb.query(sql, params))
    return [
        AuditEntry(
            id=row["id"],
            at=datetime.fromisoformat(row["at"]),
            user_id=row["user_id"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            before=json.loads(row["before_json"]) if row["before_json"] is not None else None,
            after=json.loads(row["after_json"]) if row["after_json"] is not None else None,
        )
        for row in rows
    ]
