"""The lock file: clean close, a process killed mid-session, sessions left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from kaatsu_desktop.storage import (
    NewSession,
    SessionStatus,
    add_samples,
    count_samples,
    create_patient,
    create_session,
    get_session,
    list_audit,
    list_session_events,
    open_database,
    read_samples,
    restore_from,
)

from .helpers import FakeClock, fields

# A child process that records a session and dies without closing anything (SIGKILL), as a
# crash or a power cut would leave it.
_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, timezone
    import numpy as np
    from kaatsu_desktop.storage import *

    clock = lambda: datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    db = open_database(sys.argv[1], clock=clock, auto_backup=False)
    user = create_user(db, "Dr Ito", "clinician", by=None)
    patient = create_patient(
        db, PatientFields("KC-1", "Ken", "Ito", "1970-01-01", "male"), by=user.id
    )
    session = create_session(db, NewSession(patient.id, {"mode": "cycle"}), by=user.id)
    for second in range(3):
        t = np.arange(second * 1000, (second + 1) * 1000, 10)
        batch = make_samples(np.tile(t, 4), np.repeat(np.arange(4), t.size), 150.0, 150.0, 2)
        add_samples(db, session.id, batch)
    add_session_events(db, session.id, [SessionEvent(2500, "alarm", "link stale", None, "high")])
    print(session.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_process_leaves_lock_and_next_open_interrupts_its_session(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    session_id = int(child.stdout.strip())
    assert db_path.with_name("kaatsu.sqlite3.lock").exists()

    db = open_database(db_path, clock=clock, auto_backup=False)
    try:
        assert db.opened_after_unclean_shutdown
        assert db.previous_owner is not None and db.previous_owner.pid is not None
        assert db.previous_owner.pid != os.getpid()
        assert db.interrupted_sessions == (session_id,)
        session = get_session(db, session_id)
        assert session.status is SessionStatus.INTERRUPTED
        # Best evidence of the end: the last sample (2990 ms after the start).
        assert session.ended_at == session.started_at + timedelta(milliseconds=2990)
        assert "unclean shutdown" in (session.end_reason or "")
        # Samples and events survive the crash untouched.
        assert count_samples(db, session_id) == 1200
        samples = read_samples(db, session_id)
        assert np.array_equal(np.unique(samples["channel"]), np.arange(4))
        assert set(samples["pressure_x10"].tolist()) == {1500}
        assert [e.kind for e in list_session_events(db, session_id)] == ["alarm"]
        entry = list_audit(db, entity="session", entity_id=session_id)[-1]
        assert (entry.action, entry.user_id) == ("interrupt", None)
        assert entry.before["status"] == "running"
        assert entry.after["status"] == "interrupted"
        assert entry.at == clock.now
    finally:
        db.close()
    assert not db_path.with_name("kaatsu.sqlite3.lock").exists()
    with open_database(db_path, clock=clock, auto_backup=False) as again:
        assert not again.opened_after_unclean_shutdown
        assert again.interrupted_sessions == ()


def test_stale_lock_file_from_a_dead_owner(db_path: Path, clock: FakeClock) -> None:
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        patient = create_patient(db, fields(), by=None)
        session = create_session(db, NewSession(patient.id, {"mode": "cycle"}), by=None)
        add_samples(db, session.id, [(0, 0, 1500, 1500, 2), (10, 0, 1501, 1500, 2)])
    # A clean close marks nothing; then a lock file appears as a crash would leave it, even
    # with unreadable content.
    lock = db_path.with_name("kaatsu.sqlite3.lock")
    lock.write_bytes(b"\x00garbage")
    clock.advance(hours=1)
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        assert db.opened_after_unclean_shutdown
        assert db.previous_owner is not None and db.previous_owner.pid is None
        assert db.interrupted_sessions == (session.id,)
        assert get_session(db, session.id).ended_at == session.started_at + timedelta(
            milliseconds=10
        )
        assert count_samples(db, session.id) == 2


def test_session_running_in_a_restored_backup_is_interrupted(
    db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    # No lock file at all (a backup taken while a session ran): the owner is gone all the same.
    with open_database(db_path, clock=clock, auto_backup=False) as db:
        patient = create_patient(db, fields(), by=None)
        session = create_session(db, NewSession(patient.id, {"mode": "cycle"}), by=None)
        backup = db.backup_to(tmp_path / "while-running.sqlite3")
    restored = restore_from(backup, tmp_path / "restored" / "kaatsu.sqlite3")
    with open_database(restored, clock=clock, auto_backup=False) as db:
        assert not db.opened_after_unclean_shutdown
        assert db.interrupted_sessions == (session.id,)
        record = get_session(db, session.id)
        assert record.status is SessionStatus.INTERRUPTED
        assert record.ended_at == record.started_at  # nothing was recorded
        assert "no longer open" in (record.end_reason or "")
