"""Opening the database: migrations, PRAGMAs, integrity check, identity, second instance."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path

import pytest

from kaatsu_desktop.storage import (
    SCHEMA_VERSION,
    DatabaseCorrupt,
    DatabaseInUse,
    ForeignDatabase,
    MigrationFailed,
    SchemaTooNew,
    create_patient,
    create_patients,
    list_audit,
    list_patients,
    open_database,
    search_patients,
)
from kaatsu_desktop.storage import db as db_module
from kaatsu_desktop.storage.backup import verify_backup
from kaatsu_desktop.storage.schema import APPLICATION_ID, MIGRATIONS, Migration

from .helpers import FakeClock, fields

EXPECTED_TABLES = {
    "users",
    "patients",
    "patients_fts",
    "screenings",
    "clearances",
    "sessions",
    "session_events",
    "sample_chunks",
    "settings",
    "audit_log",
}


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


def _header_values(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("PRAGMA user_version").fetchone()[0],
            conn.execute("PRAGMA application_id").fetchone()[0],
        )
    finally:
        conn.close()


def test_migrations_from_empty(db_path: Path, clock: FakeClock) -> None:
    assert not db_path.exists()
    db = open_database(db_path, clock=clock, auto_backup=False)
    try:
        assert db.schema_version == SCHEMA_VERSION == len(MIGRATIONS) >= 1
        assert set(db.sqlite.table_names()) >= EXPECTED_TABLES
        with db.reading() as sdb:
            columns = {c.name for c in sdb["audit_log"].columns}
        assert {"prev_hash", "row_hash", "before_json", "after_json", "user_id"} <= columns
        assert not db.opened_after_unclean_shutdown
        assert db.interrupted_sessions == ()
        lock = json.loads(db_path.with_name("kaatsu.sqlite3.lock").read_text())
        assert lock["pid"] == os.getpid()
        assert lock["started_at"].startswith("2026-03-02T09:30")
    finally:
        db.close()
    assert not db_path.with_name("kaatsu.sqlite3.lock").exists()
    assert _header_values(db_path) == (SCHEMA_VERSION, APPLICATION_ID)


def test_reopen_is_idempotent(db_path: Path, clock: FakeClock) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        create_patient(db, fields(), by=None)
        audit_rows = len(list_audit(db))
    schema = _schema(db_path)
    for _ in range(2):
        with open_database(db_path, clock=clock, auto_backup=False) as db:
            assert db.schema_version == SCHEMA_VERSION
            assert [p.clinic_id for p in list_patients(db)] == ["KC-00001"]
            assert [p.clinic_id for p in search_patients(db, "smi")] == ["KC-00001"]
            assert len(list_audit(db)) == audit_rows
            assert not db.opened_after_unclean_shutdown
            assert db.premigration_backup_path is None
        assert _schema(db_path) == schema


def test_pragmas_in_force(db) -> None:
    with db.reading() as sdb:
        conn = sdb.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db_module.BUSY_TIMEOUT_MS
        # foreign_keys really bites: a screening for a patient that does not exist.
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO screenings (patient_id, assessed_on, input_json, assessment_json,"
                " verdict, created_at) VALUES (999, '2026-01-01', '{}', '{}', 'clear', 'x')"
            )


_NEXT = SCHEMA_VERSION + 1
_BAD_STEP = Migration(
    _NEXT, "a step that fails half-way", "CREATE TABLE half (x); SELECT * FROM nope;"
)
_GOOD_STEP = Migration(_NEXT, "a next step", "CREATE TABLE extra (x INTEGER);")


def test_failing_migration_rolls_back_whole_step(db_path: Path, clock: FakeClock) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        create_patient(db, fields(), by=None)
    with pytest.raises(MigrationFailed) as info:
        db_module.Database.open(
            db_path, clock=clock, auto_backup=False, migrations=(*MIGRATIONS, _BAD_STEP)
        )
    assert info.value.version == _NEXT
    assert "nope" in info.value.detail
    assert _header_values(db_path)[0] == SCHEMA_VERSION
    assert "half" not in {name for name, _ in _schema(db_path)}
    assert not db_path.with_name("kaatsu.sqlite3.lock").exists()
    # The pre-migration backup was taken before the failed step and holds the old version.
    backups = sorted((db_path.parent / "backups").glob(f"kaatsu-before-v{_NEXT}-*.sqlite3"))
    assert len(backups) == 1 and verify_backup(backups[0]) == SCHEMA_VERSION


def test_pending_migration_runs_after_a_backup(db_path: Path, clock: FakeClock) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        create_patient(db, fields(), by=None)
    db = db_module.Database.open(
        db_path, clock=clock, auto_backup=False, migrations=(*MIGRATIONS, _GOOD_STEP)
    )
    try:
        assert db.schema_version == _NEXT
        assert "extra" in db.sqlite.table_names()
        assert db.premigration_backup_path is not None
        assert verify_backup(db.premigration_backup_path) == SCHEMA_VERSION
        assert [p.clinic_id for p in list_patients(db)] == ["KC-00001"]
    finally:
        db.close()


def test_too_new_schema_is_refused_and_untouched(db_path: Path, clock: FakeClock) -> None:
    open_database(db_path, clock=clock, auto_backup=False).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNew) as info:
        open_database(db_path, clock=clock, auto_backup=False)
    assert (info.value.found, info.value.supported) == (SCHEMA_VERSION + 5, SCHEMA_VERSION)
    assert "newer version" in str(info.value)
    assert db_path.read_bytes() == before
    assert not db_path.with_name("kaatsu.sqlite3.lock").exists()


def test_foreign_sqlite_file_is_refused(db_path: Path, clock: FakeClock) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE moz_places (url TEXT)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(ForeignDatabase):
        open_database(db_path, clock=clock, auto_backup=False)
    assert db_path.read_bytes() == before


def _garbage(n: int) -> bytes:
    return random.Random(4).randbytes(n)


CORRUPTIONS = {
    "header": lambda b: b"not a database at all" * 5 + b[105:],
    "btree pages": lambda b: b[: 4096 * 5] + _garbage(4096 * 3) + b[4096 * 8 :],
    "page header": lambda b: b[: 4096 * 10] + b"\xff" * 16 + b[4096 * 10 + 16 :],
    "truncated": lambda b: b[: len(b) // 2],
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupt_file_gives_typed_error_and_stays_byte_identical(
    db_path: Path, clock: FakeClock, kind: str
) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        many = [fields(clinic_id=f"KC-{i:05d}", notes="n" * 300) for i in range(300)]
        create_patients(db, many, by=None)
    db_path.write_bytes(CORRUPTIONS[kind](db_path.read_bytes()))
    before = db_path.read_bytes()
    with pytest.raises(DatabaseCorrupt) as info:
        open_database(db_path, clock=clock)
    message = str(info.value)
    assert str(db_path) in message
    assert info.value.detail in message  # what SQLite said
    assert "restore" in message and "backup" in message  # what to do
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["kaatsu.sqlite3"]


def test_failed_open_keeps_the_trace_of_an_unclean_shutdown(
    db_path: Path, clock: FakeClock
) -> None:
    open_database(db_path, clock=clock, auto_backup=False).close()
    lock = db_path.with_name("kaatsu.sqlite3.lock")
    lock.write_text('{"pid": 4242, "started_at": "2026-03-01T08:00:00+00:00"}')
    db_path.write_bytes(CORRUPTIONS["header"](db_path.read_bytes()))
    with pytest.raises(DatabaseCorrupt):
        open_database(db_path, clock=clock, auto_backup=False)
    assert '"pid": 4242' in lock.read_text()


def test_second_instance_is_refused(db_path: Path, clock: FakeClock) -> None:
    first = open_database(db_path, clock=clock, auto_backup=False)
    try:
        with pytest.raises(DatabaseInUse) as info:
            open_database(db_path, clock=clock, auto_backup=False)
        assert f"process {os.getpid()}" in str(info.value)
        # The refused attempt neither broke the first instance nor removed its lock file.
        create_patient(first, fields(), by=None)
        assert db_path.with_name("kaatsu.sqlite3.lock").exists()
    finally:
        first.close()
    with open_database(db_path, clock=clock, auto_backup=False) as again:
        assert not again.opened_after_unclean_shutdown
        assert len(list_patients(again)) == 1


def test_default_path_is_in_the_user_data_folder(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_user_data_dir(appname: str, appauthor: object = None) -> str:
        calls.append((appname, appauthor))
        return str(tmp_path / "user-data")

    monkeypatch.setattr(db_module.platformdirs, "user_data_dir", fake_user_data_dir)
    with open_database(None, clock=clock, auto_backup=False) as db:
        assert db.path == tmp_path / "user-data" / "kaatsu.sqlite3"
    assert calls == [("KAATSU Desktop", False)]
    assert (tmp_path / "user-data" / "kaatsu.sqlite3").is_file()


def test_clock_must_be_timezone_aware(db_path: Path) -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        open_database(db_path, clock=lambda: datetime(2026, 1, 1), auto_backup=False)
    assert not db_path.with_name("kaatsu.sqlite3.lock").exists()
