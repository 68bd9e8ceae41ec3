"""The audit log: who did what to which record, when, with the values before and after.

Tamper-evident: every row carries `row_hash`, the SHA-256 of a canonical serialisation of its
content and of the previous row's hash (`prev_hash`; the first row follows GENESIS_HASH). The
hash is computed in `write_audit`, inside the transaction of the write it describes, and
triggers refuse UPDATE, DELETE and any INSERT that does not continue the chain.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
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
    last = sdb.execute("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    # The id is part of the hashed content, so it is chosen here: rows are never deleted
    # (a trigger refuses it), so the next id is always the last one plus one.
    row: dict[str, Any] = {
        "id": (last[0] + 1) if last else 1,
        "at": at.isoformat(timespec="milliseconds"),
        "user_id": user_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before_json": _dump(before),
        "after_json": _dump(after),
        "prev_hash": (last[1] if last else None) or GENESIS_HASH,
    }
    row["row_hash"] = audit_row_hash(*(row[c] for c in HASHED_COLUMNS))
    return insert_row(sdb, "audit_log", row)


# The columns whose values the hash covers, in order: the whole row except row_hash itself.
HASHED_COLUMNS: tuple[str, ...] = (
    "id",
    "at",
    "user_id",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "prev_hash",
)
GENESIS_HASH = "0" * 64


def audit_row_hash(*values: Any) -> str:
    """SHA-256 (hex) of the canonical form of one row's HASHED_COLUMNS values.

    Canonical form: a compact JSON array of the stored values (text, integers or null), UTF-8,
    so the same row always gives the same bytes, in Python and in the migration's SQL alike.
    """
    if len(values) != len(HASHED_COLUMNS):
        raise ValueError(f"expected {len(HASHED_COLUMNS)} values, got {len(values)}")
    canonical = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """Make `kaatsu_audit_hash(id, at, ..., prev_hash)` callable from SQL (migrations use it)."""
    conn.create_function(
        "kaatsu_audit_hash", len(HASHED_COLUMNS), audit_row_hash, deterministic=True
    )


def audit_rows(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """Every stored row as a (HASHED_COLUMNS..., row_hash) tuple, in id order."""
    columns = ", ".join((*HASHED_COLUMNS, "row_hash"))
    yield from conn.execute(f"SELECT {columns} FROM audit_log ORDER BY id")


def _utc_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit filters need timezone-aware datetimes")
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


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
    user_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntry]:
    """Audit rows, oldest first, filtered by entity, record, acting user, action or time.

    `since` is inclusive and `until` exclusive (timestamps are stored in UTC).
    """
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("entity", entity),
        ("entity_id", entity_id),
        ("user_id", user_id),
        ("action", action),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("at >= ?")
        params.append(_utc_text(since))
    if until is not None:
        where.append("at < ?")
        params.append(_utc_text(until))
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
