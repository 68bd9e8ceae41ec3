"""The audit hash chain: written with each row, append-only, tampering found and named."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from kaatsu_desktop.accounts import (
    PermissionDenied,
    export_audit_csv,
    neutralise,
    verify_audit_chain,
    view_audit,
    write_audit_csv,
)
from kaatsu_desktop.accounts.chain import CSV_COLUMNS, verify_rows
from kaatsu_desktop.storage import (
    Database,
    User,
    create_patient,
    list_audit,
    open_database,
    update_patient,
    write_audit,
)
from kaatsu_desktop.storage.audit import GENESIS_HASH, HASHED_COLUMNS, audit_row_hash
from kaatsu_desktop.storage.db import Database as DbClass
from kaatsu_desktop.storage.schema import MIGRATIONS
from tests.kaatsu_desktop.storage.helpers import FakeClock, fields


def _some_rows(db: Database, n: int = 4) -> None:
    patient = create_patient(db, fields(), by=None)
    for i in range(n - 1):
        update_patient(db, patient.id, fields(notes=f"visit {i}"), by=None)


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _stored(db: Database) -> list[tuple]:
    with db.reading() as sdb:
        return sdb.conn.execute(
            "SELECT id, prev_hash, row_hash FROM audit_log ORDER BY id"
        ).fetchall()


def test_each_row_hashes_its_content_and_the_previous_hash(db: Database) -> None:
    _some_rows(db, 3)
    rows = _stored(db)
    assert [r[0] for r in rows] == [1, 2, 3]
    assert rows[0][1] == GENESIS_HASH
    assert [r[1] for r in rows[1:]] == [r[2] for r in rows[:-1]]
    with db.reading() as sdb:
        first = sdb.conn.execute(
            f"SELECT {', '.join(HASHED_COLUMNS)} FROM audit_log WHERE id = 1"
        ).fetchone()
    assert audit_row_hash(*first) == rows[0][2]
    result = verify_audit_chain(db)
    assert (result.ok, result.rows_checked, result.first_broken_id, result.reason) == (
        True,
        3,
        None,
        "",
    )
    assert (result.last_id, result.last_hash) == (3, rows[2][2])


def test_update_and_delete_on_the_audit_table_fail(db: Database) -> None:
    _some_rows(db, 2)
    with db.reading() as sdb:
        for sql in (
            "UPDATE audit_log SET after_json = '{}' WHERE id = 1",
            "UPDATE audit_log SET row_hash = NULL",
            "DELETE FROM audit_log WHERE id = 2",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                sdb.conn.execute(sql)
    assert verify_audit_chain(db).ok


def test_an_insert_that_does_not_continue_the_chain_is_refused(db: Database) -> None:
    _some_rows(db, 2)
    bad = [
        (3, "x" * 64, "y" * 64),  # wrong previous hash
        (5, None, "y" * 64),  # skips an id
        (3, None, None),  # no hash at all
    ]
    last_hash = _stored(db)[-1][2]
    with db.reading() as sdb:
        for row_id, prev, row_hash in bad:
            with pytest.raises(sqlite3.IntegrityError, match="continue the hash chain"):
                sdb.conn.execute(
                    "INSERT INTO audit_log (id, at, action, entity, prev_hash, row_hash)"
                    " VALUES (?, 'now', 'forged', 'x', ?, ?)",
                    [row_id, prev or last_hash, row_hash],
                )


def test_write_audit_keeps_the_chain_across_nested_writes(db: Database, clock: FakeClock) -> None:
    with db.transaction() as sdb:
        for i in range(3):
            write_audit(sdb, at=clock.now, user_id=None, action=f"a{i}", entity="x", entity_id=i)
    assert verify_audit_chain(db).rows_checked == 3 and verify_audit_chain(db).ok


def test_verify_names_a_row_changed_behind_the_apps_back(db_path: Path, clock: FakeClock) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        _some_rows(db, 5)
    conn = _raw(db_path)
    conn.execute("DROP TRIGGER audit_log_append_only_update")
    conn.execute(
        "UPDATE audit_log SET after_json = json_set(after_json, '$.notes', 'x') WHERE id = 3"
    )
    conn.close()
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        result = verify_audit_chain(db)
    assert (result.ok, result.first_broken_id, result.rows_checked) == (False, 3, 3)
    assert "row 3 does not match its hash" in result.reason


def test_verify_finds_a_forger_who_also_recomputed_the_hash(db_path: Path, clock: FakeClock):
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        _some_rows(db, 4)
    conn = _raw(db_path)
    conn.execute("DROP TRIGGER audit_log_append_only_update")
    conn.execute("UPDATE audit_log SET action = 'forged' WHERE id = 2")
    values = conn.execute(
        f"SELECT {', '.join(HASHED_COLUMNS)} FROM audit_log WHERE id = 2"
    ).fetchone()
    conn.execute("UPDATE audit_log SET row_hash = ? WHERE id = 2", [audit_row_hash(*values)])
    result = verify_audit_chain(conn)
    conn.close()
    assert (result.ok, result.first_broken_id) == (False, 3)
    assert "row 3 does not follow the row before it" in result.reason


def test_verify_names_a_deleted_row(db_path: Path, clock: FakeClock) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        _some_rows(db, 6)
    conn = _raw(db_path)
    conn.execute("DROP TRIGGER audit_log_append_only_delete")
    conn.execute("DELETE FROM audit_log WHERE id IN (3, 4)")
    result = verify_audit_chain(conn)
    assert (result.ok, result.first_broken_id) == (False, 5)
    assert result.reason == "rows 3 to 4 are missing: they were deleted"
    conn.execute("DELETE FROM audit_log WHERE id = 1")
    assert verify_audit_chain(conn).reason == "row 1 is missing: it was deleted"
    conn.close()


def test_verify_rows_is_pure_and_stops_at_the_first_break() -> None:
    def row(i: int, prev: str, action: str = "x") -> tuple:
        values = (i, "t", None, action, "e", None, None, None, prev)
        return (*values, audit_row_hash(*values))

    a = row(1, GENESIS_HASH)
    b = row(2, a[-1])
    c = row(3, b[-1])
    assert verify_rows([a, b, c]).ok
    assert verify_rows([]).ok and verify_rows([]).last_id is None
    assert verify_rows([a, row(2, "f" * 64), c]).first_broken_id == 2
    no_hash = (*a[:-1], None)
    assert verify_rows([no_hash]).reason == "row 1 has no hash"


def test_migration_fills_the_chain_of_an_older_database(db_path: Path, clock: FakeClock) -> None:
    old = DbClass.open(db_path, clock=clock, auto_backup=False, migrations=MIGRATIONS[:2])
    try:
        _some_rows(old, 4)
        hashed_by_write_audit = _stored(old)
    finally:
        old.close()
    # Rows of a real v1/v2 clinic carry no hashes (today's write_audit adds them): remove them.
    conn = _raw(db_path)
    conn.execute("DROP TRIGGER audit_log_append_only_update")
    conn.execute("UPDATE audit_log SET prev_hash = NULL, row_hash = NULL")
    conn.execute(
        "CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    conn.close()
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        assert db.schema_version == len(MIGRATIONS)
        result = verify_audit_chain(db)
        assert result.ok and result.rows_checked == 4
        # The migration's SQL fill gives exactly the hashes write_audit computes in Python.
        assert _stored(db) == hashed_by_write_audit
        create_patient(db, fields(clinic_id="KC-2"), by=None)  # the chain goes on
        assert verify_audit_chain(db).rows_checked == 5
        with db.reading() as sdb:
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                sdb.conn.execute("DELETE FROM audit_log")
            triggers = {
                r[0]
                for r in sdb.conn.execute(
                    "SELECT name FROM sqlite_master"
                    " WHERE type = 'trigger' AND tbl_name = 'audit_log'"
                )
            }
    assert triggers == {
        "audit_log_append_only_update",
        "audit_log_append_only_delete",
        "audit_log_chained",
    }


def test_csv_cells_are_neutralised_against_formula_injection() -> None:
    for cell in ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    for cell in ("plain", '{"a": 1}', "2026-03-02", 12, None, ""):
        assert neutralise(cell) == cell
    buffer = io.StringIO()
    n = write_audit_csv([{"id": 1, "user_name": "=cmd|' /C calc'!A0", "after": "-1"}], buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert n == 1 and rows[0] == list(CSV_COLUMNS)
    assert rows[1][CSV_COLUMNS.index("user_name")] == "'=cmd|' /C calc'!A0"
    assert rows[1][CSV_COLUMNS.index("after")] == "'-1"


def test_export_is_for_administrators_never_overwrites_and_is_audited(
    db: Database, admin: User, clinician: User, tmp_path: Path
) -> None:
    create_patient(db, fields(family_name="=Smith"), by=clinician.id)
    dest = tmp_path / "audit.csv"
    with pytest.raises(PermissionDenied, match="view the audit trail"):
        export_audit_csv(db, dest, by=clinician)
    count = len(list_audit(db))
    assert export_audit_csv(db, dest, by=admin) == count
    rows = list(csv.DictReader(io.StringIO(dest.read_text(encoding="utf-8-sig"))))
    assert len(rows) == count
    created = next(r for r in rows if r["entity"] == "patient")
    assert created["user_name"] == "Dr Aiko Tanaka"
    assert '"family_name": "=Smith"' in created["after"]
    with pytest.raises(FileExistsError):
        export_audit_csv(db, dest, by=admin)
    last = list_audit(db)[-1]
    assert (last.action, last.user_id, last.after) == (
        "export",
        admin.id,
        {"rows": count, "file": "audit.csv"},
    )


def test_view_audit_filters_and_names_users(
    db: Database, admin: User, clinician: User, trainer: User, clock: FakeClock
) -> None:
    clock.advance(hours=1)
    start = clock.now
    patient = create_patient(db, fields(), by=clinician.id)
    clock.advance(hours=1)
    update_patient(db, patient.id, fields(notes="n"), by=clinician.id)
    lines = view_audit(db, by=admin, user_id=clinician.id, entity="patient")
    assert [(x.entry.action, x.user_name) for x in lines] == [
        ("create", "Dr Aiko Tanaka"),
        ("update", "Dr Aiko Tanaka"),
    ]
    assert [x.entry.action for x in view_audit(db, by=admin, since=clock.now)] == ["update"]
    assert len(view_audit(db, by=admin, since=start, until=clock.now)) == 1
    assert view_audit(db, by=admin, action="create", entity="user")[0].user_name == "the system"
    for user in (clinician, trainer):
        with pytest.raises(PermissionDenied):
            view_audit(db, by=user)
