"""The recorder: batches on its own connection, never blocks the caller, finishes the row."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kaatsu_desktop.session import EventKind, SessionEvent
from kaatsu_desktop.session.recorder import Recorder, open_writer_database, stored_event
from kaatsu_desktop.storage import (
    Database,
    DatabaseInUse,
    NewSession,
    SessionStatus,
    count_samples,
    get_session,
    list_session_events,
    open_database,
    read_samples,
)
from tests.kaatsu_desktop.session_live._support import fixed_clock, open_db


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An open database (the app's connection, holding the lock file)."""
    database = open_db(tmp_path / "rec.sqlite3")
    yield database  # type: ignore[misc]
    database.close()


def frame(ch_count: int = 4, p: float = 100.0) -> list[tuple[int, float, float, int]]:
    """One frame's samples: (channel, pressure, target, phase)."""
    return [(ch, p + ch / 10, 120.0, 2) for ch in range(ch_count)]


def new_session() -> NewSession:
    """A demo session row."""
    return NewSession(None, {"id": "cycle-mmhg"}, demo=True)


def test_a_second_open_is_refused_but_the_writer_connection_works_beside_the_app(
    db: Database, tmp_path: Path
) -> None:
    with pytest.raises(DatabaseInUse):
        open_database(tmp_path / "rec.sqlite3", clock=fixed_clock, auto_backup=False)
    writer = open_writer_database(db)
    try:
        assert writer.conn is not db.conn
        assert writer.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert writer.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        writer.close()
    assert (tmp_path / "rec.sqlite3.lock").exists()  # the app still owns the lock file


def test_samples_and_events_are_committed_in_batches_and_read_by_the_app(db: Database) -> None:
    rec = Recorder.create(db, new_session(), by=None, flush_interval_s=0.2)
    try:
        for i in range(200):  # 2 s of 100 Hz frames handed over in 0.2 s
            rec.add_frame(i * 10, frame())
            if i % 20 == 0:
                time.sleep(0.02)
        rec.add_events([stored_event(SessionEvent(EventKind.SET_STARTED, 0.5, "T-SETS-1", "x"), 0)])
        rec.flush().result(5)
        assert count_samples(db, rec.session_id) == 800  # the app's connection sees them
        stats = rec.stats
        assert stats.samples_written == 800 and stats.events_written == 1
        assert 1 <= stats.commits <= 4  # batches, not one commit per frame
        samples = read_samples(db, rec.session_id, channel=3)
        assert samples["pressure_x10"][0] == 1003 and samples["t_ms"][-1] == 1990
        ((event),) = list_session_events(db, rec.session_id)
        assert (event.t_ms, event.rule_id) == (500, "T-SETS-1")
    finally:
        rec.close()


def test_a_commit_happens_at_least_once_a_second_without_being_asked(db: Database) -> None:
    rec = Recorder.create(db, new_session(), by=None)  # default: every 0.5 s
    try:
        rec.add_frame(0, frame())
        deadline = time.monotonic() + 1.0
        while count_samples(db, rec.session_id) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert count_samples(db, rec.session_id) == 4
    finally:
        rec.close()


def test_a_stuck_writer_never_blocks_the_device_thread_and_drops_are_counted(
    db: Database,
) -> None:
    rec = Recorder.create(db, new_session(), by=None, own_connection=False, max_pending_samples=400)
    try:
        hold = threading.Event()
        holding = threading.Event()

        def block_database() -> None:
            with db.transaction():  # the shared connection's lock: the writer waits on it
                holding.set()
                hold.wait(5)

        blocker = threading.Thread(target=block_database)
        blocker.start()
        holding.wait(5)
        rec.add_frame(0, frame())
        time.sleep(0.7)  # the writer took that frame and is now stuck in its commit
        worst = 0.0
        for i in range(1, 301):
            t = time.perf_counter()
            rec.add_frame(i * 10, frame())
            worst = max(worst, time.perf_counter() - t)
        # Appends never wait for the database, which stays locked for seconds: a wait would show
        # as seconds, while a loaded machine (or a 5 ms GIL switch) can stall any call briefly.
        assert worst < 0.25
        assert rec.stats.samples_dropped == 200 * 4  # 100 frames fit, the rest are counted
        hold.set()
        blocker.join(5)
        rec.flush().result(5)
        assert count_samples(db, rec.session_id) == 404
    finally:
        rec.close()


def test_summary_at_phase_changes_then_finish_and_nothing_after(db: Database) -> None:
    rec = Recorder.create(db, new_session(), by=None)
    try:
        rec.update_summary({"state": "arm_phase"})
        rec.flush().result(5)
        assert get_session(db, rec.session_id).summary == {"state": "arm_phase"}
        rec.add_frame(0, frame())
        done = rec.finish(
            SessionStatus.ABORTED, summary={"state": "aborted"}, end_reason="dizziness"
        )
        record = done.result(5)
        assert record.status is SessionStatus.ABORTED and record.end_reason == "dizziness"
        assert rec.finish(SessionStatus.COMPLETED) is done  # finished exactly once
        rec.add_frame(10, frame())  # after the finish: ignored, never an error
        rec.flush().result(5)
        assert count_samples(db, rec.session_id) == 4
        assert rec.stats.finished and rec.stats.errors == 0
    finally:
        rec.close()


def test_stored_events_keep_rule_ids_priorities_and_data() -> None:
    raised = SessionEvent(
        EventKind.ALARM_RAISED,
        12.3456,
        "T-SKIN-1",
        "blue",
        {"condition_id": "skin:left_arm", "priority": "high"},
    )
    stored = stored_event(raised, 2.0)
    assert (stored.t_ms, stored.kind, stored.rule_id, stored.priority) == (
        10346,
        "alarm_raised",
        "T-SKIN-1",
        "high",
    )
    odd = stored_event(SessionEvent(EventKind.RELEASE, 1.0, "not-a-rule", "m"), 5.0)
    assert odd.rule_id is None and odd.data == {"rule": "not-a-rule"} and odd.t_ms == 0


def test_asking_a_closed_recorder_fails_at_once_instead_of_hanging(db: Database) -> None:
    rec = Recorder.create(db, new_session(), by=None)
    rec.close()
    with pytest.raises(RuntimeError):
        rec.flush().result(1)
    with pytest.raises(RuntimeError):
        rec.finish(SessionStatus.COMPLETED).result(1)
    assert get_session(db, rec.session_id).status is SessionStatus.RUNNING  # the next open ends it
