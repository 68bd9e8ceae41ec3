"""Backups: on demand, daily with rotation, restore, and the `backup` command."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from kaatsu_desktop.storage import (
    SCHEMA_VERSION,
    BackupFailed,
    Database,
    DatabaseInUse,
    NewScreening,
    NewSession,
    add_samples,
    add_screening,
    create_patient,
    create_session,
    daily_backups,
    finish_session,
    list_patients,
    make_samples,
    open_database,
    read_samples,
    restore_from,
    verify_backup,
)
from kaatsu_desktop.storage.cli import run_backup

from .helpers import FakeClock, fields, table_counts


def _fill(db: Database) -> int:
    """Some of everything; returns the session id."""
    patient = create_patient(db, fields(notes='Zoë\'s knee; "quoted" -- note'), by=None)
    create_patient(db, fields(clinic_id="KC-00002", given_name="José"), by=None)
    add_screening(
        db,
        NewScreening(patient.id, "2026-03-01", {"assessed_on": "2026-03-01"}, {}, "caution"),
        by=None,
    )
    session = create_session(db, NewSession(patient.id, {"mode": "cycle"}), by=None)
    t = np.arange(0, 5000, 10)
    add_samples(db, session.id, make_samples(np.tile(t, 2), np.repeat([0, 1], t.size), 150, 150, 2))
    finish_session(db, session.id, "completed", by=None)
    return session.id


def test_backup_to_file_and_folder_then_restore(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    session_id = _fill(db)
    original = read_samples(db, session_id)

    to_file = db.backup_to(tmp_path / "out" / "copy.sqlite3")
    assert to_file == tmp_path / "out" / "copy.sqlite3"
    to_folder = db.backup_to(tmp_path / "out")
    assert to_folder.parent == tmp_path / "out"
    assert to_folder.name == "kaatsu-20260302-093000.sqlite3"  # named from the injected clock
    again = db.backup_to(tmp_path / "out")
    assert again != to_folder and again.exists()
    for backup in (to_file, to_folder, again):
        assert verify_backup(backup) == db.schema_version
        assert not backup.with_name(backup.name + "-wal").exists()
        conn = sqlite3.connect(backup)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        conn.close()
    with pytest.raises(BackupFailed, match="exists"):
        db.backup_to(to_file)
    with pytest.raises(BackupFailed):
        db.backup_to(db_path)

    db.close()
    counts = table_counts(db_path)
    assert counts["patients"] == 2 and counts["sample_chunks"] > 0
    assert table_counts(to_file) == counts

    restored_path = restore_from(to_file, tmp_path / "restored" / "kaatsu.sqlite3")
    assert table_counts(restored_path) == counts
    with open_database(restored_path, auto_backup=False) as restored:
        assert [p.given_name for p in list_patients(restored)] == ["Anna", "José"]
        assert np.array_equal(read_samples(restored, session_id), original)


def test_restore_keeps_the_replaced_file_and_refuses_an_open_database(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    _fill(db)
    backup = db.backup_to(tmp_path / "b.sqlite3")
    with pytest.raises(DatabaseInUse):
        restore_from(backup, db_path, overwrite=True)
    db.close()
    before = table_counts(db_path)
    with pytest.raises(BackupFailed, match="overwrite"):
        restore_from(backup, db_path)
    restore_from(backup, db_path, overwrite=True)
    aside = [p for p in db_path.parent.iterdir() if "replaced" in p.name and p.suffix == ".sqlite3"]
    assert len(aside) == 1 and table_counts(aside[0]) == before
    assert table_counts(db_path) == before


def test_restore_refuses_a_damaged_backup(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupFailed):
        restore_from(bad, tmp_path / "dest.sqlite3")
    assert not (tmp_path / "dest.sqlite3").exists()


def test_daily_backup_once_a_day_with_rotation(db_path: Path, clock: FakeClock) -> None:
    made = []
    for day in range(10):
        for _ in range(2):  # the second open of a day makes no new backup
            with open_database(db_path, clock=clock) as db:
                if day == 0 and not made:
                    create_patient(db, fields(), by=None)
                made.append(db.auto_backup_path)
                assert db.auto_backup_error is None
        clock.advance(days=1)
    assert made[1::2] == [None] * 10
    assert all(p is not None for p in made[0::2])
    kept = daily_backups(db_path.parent / "backups", "kaatsu")
    assert [d for d, _ in kept] == [date(2026, 3, d) for d in range(5, 12)]
    for _, path in kept:
        assert verify_backup(path) == SCHEMA_VERSION
        assert table_counts(path)["patients"] == 1


def test_keep_and_folder_are_configurable(db_path: Path, clock: FakeClock, tmp_path: Path) -> None:
    elsewhere = tmp_path / "usb-stick"
    for _ in range(4):
        open_database(db_path, clock=clock, backup_dir=elsewhere, keep_daily_backups=2).close()
        clock.advance(days=1)
    assert [d.day for d, _ in daily_backups(elsewhere, "kaatsu")] == [4, 5]
    # Files that are not daily backups of this database are never touched by the rotation.
    (elsewhere / "notes.txt").write_text("keep me")
    open_database(db_path, clock=clock, backup_dir=elsewhere, keep_daily_backups=2).close()
    assert (elsewhere / "notes.txt").exists()


def test_failed_automatic_backup_does_not_block_opening(
    db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    with open_database(db_path, clock=clock, backup_dir=blocker) as db:
        assert db.auto_backup_path is None
        assert db.auto_backup_error
        create_patient(db, fields(), by=None)


def _args(db: Path | None, dest: Path) -> argparse.Namespace:
    return argparse.Namespace(db=db, dest=dest, command="backup")


def test_backup_command_while_the_app_is_running(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db)
    folder = tmp_path / "backups-by-hand"
    folder.mkdir()
    assert run_backup(_args(db_path, folder)) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == folder and verify_backup(written) == SCHEMA_VERSION
    assert run_backup(_args(db_path, tmp_path / "one.sqlite3")) == 0
    assert (tmp_path / "one.sqlite3").is_file()
    # The running instance is unaffected and keeps its lock.
    create_patient(db, fields(clinic_id="KC-00003"), by=None)
    assert db_path.with_name("kaatsu.sqlite3.lock").exists()
    db.close()
    assert table_counts(tmp_path / "one.sqlite3")["patients"] == 2


def test_backup_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backup(_args(tmp_path / "missing.sqlite3", tmp_path / "x.sqlite3")) == 2
    assert "No database" in capsys.readouterr().err
    source = tmp_path / "db.sqlite3"
    open_database(source, auto_backup=False).close()
    (tmp_path / "taken.sqlite3").write_text("x")
    assert run_backup(_args(source, tmp_path / "taken.sqlite3")) == 2
    assert "exists" in capsys.readouterr().err
    source.write_bytes(b"\x00" * 8192)  # damaged source: the backup must fail, not copy it
    assert run_backup(_args(source, tmp_path / "copy.sqlite3")) == 1
    assert not (tmp_path / "copy.sqlite3").exists()


def test_backup_command_through_the_main_cli(tmp_path: Path) -> None:
    from kaatsu_desktop.cli import main

    source = tmp_path / "db.sqlite3"
    open_database(source, auto_backup=False).close()
    assert main(["--db", str(source), "backup", str(tmp_path / "via-cli.sqlite3")]) == 0
    assert verify_backup(tmp_path / "via-cli.sqlite3") == SCHEMA_VERSION
