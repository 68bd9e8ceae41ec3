"""The audit trail's hash chain checked end to end, and the trail exported as CSV.

A row changed behind the program's back no longer matches its hash; a row deleted leaves a gap
in the ids and breaks the link of the row after it. Deleting rows at the very end leaves no trace
inside the file: `VerifyResult.last_id` and `last_hash` are printed so that a clinic can note the
head of the chain elsewhere (on paper, in a report) and compare it later.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import AuditEntry, Database, User, list_audit, write_audit
from kaatsu_desktop.storage.audit import GENESIS_HASH, HASHED_COLUMNS, audit_row_hash, audit_rows

from .actions import AUDIT_ENTITY, AuditAction
from .directory import resolve_names
from .permissions import Permission, require

_T = "Accounts"
_ROW_HASH = len(HASHED_COLUMNS)  # index of row_hash in an audit_rows tuple
_ID, _PREV = HASHED_COLUMNS.index("id"), HASHED_COLUMNS.index("prev_hash")


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `verify_audit_chain`; `reason` is empty when the chain is whole."""

    ok: bool
    rows_checked: int
    first_broken_id: int | None
    reason: str
    last_id: int | None = None
    last_hash: str | None = None


def verify_rows(rows: Iterable[tuple[Any, ...]]) -> VerifyResult:
    """Check (HASHED_COLUMNS..., row_hash) tuples in id order; stop at the first broken row."""
    expected_prev, last_id, checked = GENESIS_HASH, 0, 0
    for row in rows:
        checked += 1
        reason = _row_problem(row, last_id, expected_prev)
        if reason is not None:
            return VerifyResult(False, checked, row[_ID], reason, last_id or None, expected_prev)
        expected_prev, last_id = row[_ROW_HASH], row[_ID]
    return VerifyResult(True, checked, None, "", last_id or None, expected_prev)


def _row_problem(row: tuple[Any, ...], last_id: int, expected_prev: str) -> str | None:
    """What is wrong with one row given the row before it, None when it is sound."""
    row_id = row[_ID]
    if row_id != last_id + 1:
        first, last = last_id + 1, row_id - 1
        text = (
            translate(_T, "row {first} is missing: it was deleted")
            if first == last
            else translate(_T, "rows {first} to {last} are missing: they were deleted")
        )
        return text.format(first=first, last=last)
    if row[_ROW_HASH] is None or row[_PREV] is None:
        return translate(_T, "row {id} has no hash").format(id=row_id)
    if audit_row_hash(*row[:_ROW_HASH]) != row[_ROW_HASH]:
        return translate(
            _T, "row {id} does not match its hash: it was changed after it was written"
        ).format(id=row_id)
    if row[_PREV] != expected_prev:
        return translate(
            _T,
            "row {id} does not follow the row before it: that row was changed or replaced"
            " after it was written",
        ).format(id=row_id)
    return None


def verify_audit_chain(db: Database | sqlite3.Connection) -> VerifyResult:
    """Recompute every row's hash and link, oldest first (an open Database or a raw connection)."""
    if isinstance(db, Database):
        with db.reading():
            return verify_rows(audit_rows(db.conn))
    return verify_rows(audit_rows(db))


# -- export -----------------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "at",
    "user_id",
    "user_name",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "prev_hash",
    "row_hash",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _rows_from_connection(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    cur = conn.execute(
        "SELECT a.id, a.at, a.user_id, u.name, a.action, a.entity, a.entity_id,"
        " a.before_json, a.after_json, a.prev_hash, a.row_hash"
        " FROM audit_log AS a LEFT JOIN users AS u ON u.id = a.user_id ORDER BY a.id"
    )
    for values in cur:
        yield dict(zip(CSV_COLUMNS, values, strict=True))


def write_audit_csv(rows: Iterable[Mapping[str, Any]], fh: IO[str]) -> int:
    """Write audit rows (CSV_COLUMNS keys) as CSV with neutralised cells; return the count."""
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for row in rows:
        writer.writerow([neutralise(row.get(c)) for c in CSV_COLUMNS])
        n += 1
    return n


def audit_csv_text(conn: sqlite3.Connection) -> tuple[str, int]:
    """The whole trail of a raw connection as CSV text, with its row count."""
    buffer = io.StringIO()
    n = write_audit_csv(_rows_from_connection(conn), buffer)
    return buffer.getvalue(), n


def write_new_file(dest: Path, text: str) -> Path:
    """Write `text` to a new file atomically; an existing file is never replaced."""
    dest = dest.expanduser().absolute()
    if dest.exists():
        raise FileExistsError(
            translate(_T, "{path} exists already; choose a new file name.").format(path=dest)
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    # newline="" keeps the CSV's own CRLF line ends; utf-8-sig lets spreadsheets read accents.
    with open(partial, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    if dest.exists():  # appeared meanwhile: keep it, drop ours
        partial.unlink(missing_ok=True)
        raise FileExistsError(str(dest))
    os.replace(partial, dest)
    return dest


def export_audit_csv(db: Database, dest: Path, *, by: User | None) -> int:
    """Export the whole trail to a new CSV file (VIEW_AUDIT); the export itself is audited.

    DatabaseDamaged, with no file written, once the database refuses writes: an export that
    cannot be audited is not made.
    """
    require(by, Permission.VIEW_AUDIT)
    if db.damage is not None:
        raise db.damage
    with db.reading():
        text, n = audit_csv_text(db.conn)
    written = write_new_file(dest, text)
    with db.transaction() as sdb:
        write_audit(
            sdb,
            at=db.now(),
            user_id=by.id if by is not None else None,
            action=AuditAction.EXPORT.value,
            entity=AUDIT_ENTITY,
            entity_id=None,
            after={"rows": n, "file": written.name},
        )
    return n


# -- the administrator's view -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    """One row of the trail as the administrator's view shows it."""

    entry: AuditEntry
    user_name: str

    @property
    def summary(self) -> str:
        """The values after the change, compact (for a table cell)."""
        value = self.entry.after if self.entry.after is not None else self.entry.before
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def view_audit(
    db: Database,
    *,
    by: User | None,
    user_id: int | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 1000,
) -> list[AuditLine]:
    """The trail filtered for display (VIEW_AUDIT), oldest first, with user names."""
    require(by, Permission.VIEW_AUDIT)
    entries = list_audit(
        db,
        entity=entity,
        entity_id=entity_id,
        user_id=user_id,
        action=action,
        since=since,
        until=until,
        limit=limit,
    )
    names = resolve_names(db, [e.user_id for e in entries])
    return [AuditLine(e, names[e.user_id]) for e in entries]
