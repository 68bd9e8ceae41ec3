"""Issue 8: the cheap check at open, the full check and the daily backup off the UI thread."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from kaatsu_desktop.storage import (
    BackupCancelled,
    DatabaseCorrupt,
    DatabaseDamaged,
    NewSession,
    create_patient,
    create_session,
    daily_backups,
    open_database,
    verify_backup,
)
from kaatsu_desktop.storage import backup as backup_module
from kaatsu_desktop.storage.cancel import Cancellation
from kaatsu_desktop.storage.upkeep import (
    BackupOutcome,
    BackupState,
    IntegrityOutcome,
    Upkeep,
    backup_today,
    check_whole_file,
)

from .helpers import FakeClock, damage_table, fields, fill_patients, table_counts


def _run(db, **kwargs) -> tuple[list[IntegrityOutcome], list[BackupOutcome]]:
    checked: list[IntegrityOutcome] = []
    backed: list[BackupOutcome] = []
    upkeep = Upkeep(db, on_checked=checked.append, on_backup=backed.append, **kwargs)
    upkeep.start()
    assert upkeep.wait(30)
    return checked, backed


def test_cheap_open_defers_the_whole_file_check(db_path: Path, clock: FakeClock) -> None:
    fill_patients(db_path, clock)
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        assert db.fully_checked
    with open_database(db_path, clock=clock, auto_backup=False, full_check=False) as db:
        assert not db.fully_checked
        outcome = check_whole_file(db)
        assert outcome.ok and outcome.detail == "ok" and not outcome.cancelled
        assert db.damage is None


@pytest.mark.parametrize("table", ["users", "settings"])
def test_damage_in_what_sign_in_reads_is_refused_at_open(
    db_path: Path, clock: FakeClock, table: str
) -> None:
    fill_patients(db_path, clock)
    damage_table(db_path, table)
    before = db_path.read_bytes()
    with pytest.raises(DatabaseCorrupt) as info:
        open_database(db_path, clock=clock, auto_backup=False, full_check=False)
    assert not isinstance(info.value, DatabaseDamaged)
    assert db_path.read_bytes() == before


def test_damaged_header_is_refused_at_open(db_path: Path, clock: FakeClock) -> None:
    fill_patients(db_path, clock, n=20)
    db_path.write_bytes(b"not a database at all" * 5 + db_path.read_bytes()[105:])
    before = db_path.read_bytes()
    with pytest.raises(DatabaseCorrupt):
        open_database(db_path, clock=clock, auto_backup=False, full_check=False)
    assert db_path.read_bytes() == before


def test_background_check_finds_damage_and_every_write_is_refused(
    db_path: Path, clock: FakeClock
) -> None:
    fill_patients(db_path, clock)
    damage_table(db_path, "patients")
    db = open_database(db_path, clock=clock, auto_backup=False, full_check=False)
    try:
        writer = db.open_writer()  # a session's recorder opened before the check failed
        before = db_path.read_bytes()
        checked, backed = _run(db, check=True, backup=True)
        assert len(checked) == 1 and not checked[0].ok and not checked[0].cancelled
        assert checked[0].detail and checked[0].detail != "ok"
        # No backup of a damaged file: the rotation must not push out the good ones.
        assert [b.state for b in backed] == [BackupState.SKIPPED]
        assert "integrity check" in backed[0].detail
        assert daily_backups(db.backup_dir, "kaatsu") == []
        assert isinstance(db.damage, DatabaseDamaged)
        message = str(db.damage)
        assert str(db_path) in message and "restore" in message and "backup" in message
        with pytest.raises(DatabaseDamaged):
            create_patient(db, fields(clinic_id="KC-99999"), by=None)
        with pytest.raises(DatabaseDamaged), writer.transaction():
            pass
        with pytest.raises(DatabaseDamaged):
            db.open_writer()
        writer.close()
    finally:
        db.close()
    assert db_path.read_bytes() == before  # not even PRAGMA optimize at close


def test_unclean_shutdown_checks_the_whole_file_at_open(db_path: Path, clock: FakeClock) -> None:
    fill_patients(db_path, clock)
    damage_table(db_path, "patients")
    db_path.with_name("kaatsu.sqlite3.lock").write_text(
        '{"pid": 4242, "started_at": "2026-03-01T08:00:00+00:00"}'
    )
    before = db_path.read_bytes()
    with pytest.raises(DatabaseCorrupt):
        open_database(db_path, clock=clock, auto_backup=False, full_check=False)
    assert db_path.read_bytes() == before


def test_sessions_left_running_are_checked_before_they_are_marked(
    db_path: Path, clock: FakeClock
) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        patient = create_patient(db, fields(), by=None)
        create_session(db, NewSession(patient.id, {"protocol": "x"}), by=None)
    with open_database(db_path, clock=clock, auto_backup=False, full_check=False) as db:
        assert db.fully_checked  # the open wrote: the session is marked interrupted
        assert len(db.interrupted_sessions) == 1
    with open_database(db_path, clock=clock, auto_backup=False, full_check=False) as db:
        assert not db.fully_checked and db.interrupted_sessions == ()


def test_backup_after_the_check_once_a_day(db_path: Path, clock: FakeClock) -> None:
    fill_patients(db_path, clock, n=20)
    states = []
    for _day in range(2):
        for _start in range(2):
            with open_database(db_path, clock=clock, auto_backup=False, full_check=False) as db:
                checked, backed = _run(db, check=True, backup=True)
                assert [c.ok for c in checked] == [True]
                states.append(backed[0].state)
                if backed[0].state is BackupState.WRITTEN:
                    assert backed[0].path is not None and verify_backup(backed[0].path) > 0
        clock.advance(days=1)
    assert states == [BackupState.WRITTEN, BackupState.EXISTS] * 2
    assert [d for d, _ in daily_backups(db_path.parent / "backups", "kaatsu")] == [
        date(2026, 3, 2),
        date(2026, 3, 3),
    ]


def test_failed_backup_is_an_outcome(db_path: Path, clock: FakeClock, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    with open_database(db_path, clock=clock, auto_backup=False, backup_dir=blocker) as db:
        outcome = backup_today(db)
        assert outcome.state is BackupState.FAILED and outcome.detail and outcome.path is None
        create_patient(db, fields(), by=None)  # the clinic keeps working


def test_closing_cancels_the_check_and_the_backup(db_path: Path, clock: FakeClock) -> None:
    fill_patients(db_path, clock)
    with open_database(db_path, clock=clock, auto_backup=False, full_check=False) as db:
        checked: list[IntegrityOutcome] = []
        backed: list[BackupOutcome] = []
        upkeep = Upkeep(db, check=True, backup=True, on_checked=checked.append,
                        on_backup=backed.append)  # fmt: skip
        assert upkeep.close()  # closing before it ran: nothing left to wait for
        upkeep.start()
        assert upkeep.wait(30)
        assert checked[0].cancelled and not checked[0].ok
        assert db.damage is None  # a cancelled check says nothing about the file
        assert [b.state for b in backed] == [BackupState.CANCELLED]
        assert not any(db.backup_dir.glob("*"))


def test_cancelled_copy_leaves_nothing(db_path: Path, clock: FakeClock, tmp_path: Path) -> None:
    fill_patients(db_path, clock)
    stop = Cancellation()
    stop.set()
    dest = tmp_path / "out" / "copy.sqlite3"
    with pytest.raises(BackupCancelled):
        backup_module.copy_database(db_path, dest, cancel=stop)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


class _WritesBetweenSteps(Cancellation):
    """Never cancels; writes a patient through the app's connection at its first look."""

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db
        self.calls = 0

    def is_set(self) -> bool:
        self.calls += 1
        if self.calls == 1:
            create_patient(self.db, fields(clinic_id="KC-LATE"), by=None)
        return False


def test_stepped_copy_is_one_snapshot_while_the_app_writes(
    db_path: Path, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_patients(db_path, clock)
    monkeypatch.setattr(backup_module, "STEP_PAGES", 4)
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        before = table_counts(db_path)["patients"]
        flag = _WritesBetweenSteps(db)
        copy = backup_module.copy_database(db_path, tmp_path / "snap.sqlite3", cancel=flag)
        assert flag.calls > 10  # many steps, the write came between the first two
        assert table_counts(copy)["patients"] == before
        assert verify_backup(copy) > 0
    assert table_counts(db_path)["patients"] == before + 1


def test_cancelling_interrupts_a_statement_in_flight(tmp_path: Path) -> None:
    # quick_check walks the file inside one VM step: only an interrupt stops it mid-way.
    conn = sqlite3.connect(tmp_path / "x.sqlite3", check_same_thread=False)
    cancel = Cancellation()
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    timer = threading.Timer(0.05, cancel.set)
    timer.start()
    with cancel.watching(conn), pytest.raises(sqlite3.OperationalError, match="interrupt"):
        conn.execute(endless).fetchone()
    timer.join()
    counted = endless.replace("FROM n)", "FROM n WHERE i < 100000)")
    with cancel.watching(conn), pytest.raises(sqlite3.OperationalError, match="interrupt"):
        conn.execute(counted).fetchone()  # already cancelled: stopped as it starts
    assert conn.execute(counted).fetchone() == (100000,)  # outside, it works as before
    conn.close()
