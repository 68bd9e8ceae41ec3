"""A record that can no longer be stored: reported once, alarmed, and the session goes on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from devices.protocol import ReleaseAll
from devices.protocol.types import Phase
from kaatsu_desktop.session import AlarmPriority, EventKind, SessionEvent
from kaatsu_desktop.session import recorder as recorder_module
from kaatsu_desktop.session.recorder import Recorder, stored_event
from kaatsu_desktop.storage import (
    Database,
    DatabaseDamaged,
    NewSession,
    count_samples,
    list_session_events,
)
from tests.kaatsu_desktop.session_live._support import live_session, open_db

RECORDING_FAILED = "recording_failed"  # the alarm's condition id, as the session panel sees it


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An open database (the app's connection, holding the lock file)."""
    database = open_db(tmp_path / "failed.sqlite3")
    yield database  # type: ignore[misc]
    database.close()


def frame(p: float = 100.0) -> list[tuple[int, float, float, int]]:
    """One frame's samples on four channels: (channel, pressure, target, phase)."""
    return [(ch, p, 120.0, 2) for ch in range(4)]


def event(t: float) -> Any:
    """One stored event at ``t`` seconds."""
    return stored_event(SessionEvent(EventKind.SET_STARTED, t, "T-SETS-1", "set"), 0.0)


def new_session() -> NewSession:
    """A demo session row."""
    return NewSession(None, {"id": "cycle-mmhg"}, demo=True)


def test_the_first_refused_write_is_reported_once_and_what_was_written_stays(
    db: Database,
) -> None:
    rec = Recorder.create(db, new_session(), by=None, flush_interval_s=0.5)
    try:
        for i in range(10):
            rec.add_frame(i * 10, frame())
        rec.add_events([event(0.05)])
        rec.flush().result(5)
        assert rec.failure is None and rec.stats.errors == 0
        db.mark_damaged("page 7: btree corrupt")
        for i in range(10, 20):
            rec.add_frame(i * 10, frame())  # never raises into the caller
        rec.add_events([event(0.15)])
        rec.update_summary({"state": "running"})  # refused, and the flush behind it still answers
        rec.flush().result(5)
        failure = rec.failure
        assert failure is not None
        assert failure.damaged and failure.error == "DatabaseDamaged"
        assert "page 7: btree corrupt" in failure.detail
        errors = rec.stats.errors
        rec.add_frame(300, frame())
        rec.flush().result(5)
        assert rec.failure is failure  # once: later refusals are only counted
        assert rec.stats.errors > errors
        stats = rec.stats
        assert stats.samples_written == 40 and stats.samples_dropped == 44
        assert stats.events_written == 1 and stats.events_dropped == 1
        assert count_samples(db, rec.session_id) == 40  # what was written before stays
        assert len(list_session_events(db, rec.session_id)) == 1
        with pytest.raises(DatabaseDamaged):
            rec.finish("aborted", end_reason="test").result(5)  # answered, not left pending
    finally:
        rec.close()


def test_a_full_disk_is_reported_once_and_the_batch_is_still_retried(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = recorder_module.add_samples
    calls = [0]

    def full_once(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            raise sqlite3.OperationalError("database or disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(recorder_module, "add_samples", full_once)
    rec = Recorder.create(db, new_session(), by=None, flush_interval_s=0.5)
    try:
        rec.add_frame(0, frame())
        rec.flush().result(5)
        failure = rec.failure
        assert failure is not None and not failure.damaged
        assert failure.error == "OperationalError" and "disk is full" in failure.detail
        assert count_samples(db, rec.session_id) == 0
        rec.add_frame(10, frame())
        rec.flush().result(5)
        assert count_samples(db, rec.session_id) == 8  # the kept batch went in with the next
        assert rec.failure is failure
    finally:
        rec.close()


def test_a_damaged_database_mid_session_alarms_and_the_session_goes_on(tmp_path: Path) -> None:
    db = open_db(tmp_path / "live.sqlite3")
    try:
        with live_session(db=db) as s:
            c, rec = s.controller, s.recorder
            assert rec is not None
            assert s.do(c.start_limb_group("arms")).accepted
            s.advance(3.0)
            rec.flush().result(5)
            written = count_samples(db, rec.session_id)
            assert written > 0
            before = s.snapshot()
            arms = [ch.channel for ch in before.channels if ch.commanded]
            assert arms
            db.mark_damaged("page 3: btree corrupt")
            s.advance(0.1)
            rec.flush().result(5)  # the writer's next batch is refused
            failed_at = s.now()
            deadline = failed_at + 1.0
            while RECORDING_FAILED not in s.on_loop(lambda: c.engine.alarms) and (
                s.now() < deadline
            ):
                s.advance(0.05)
            alarm = s.on_loop(lambda: c.engine.alarms.get(RECORDING_FAILED))
            assert alarm is not None, "no alarm within a second of the refused write"
            assert alarm.priority is AlarmPriority.MEDIUM and alarm.rule_id is None
            assert not alarm.proposes_release and alarm.condition_active
            assert "Recording stopped" in alarm.message and "by hand" in alarm.message
            snap = s.snapshot()
            assert RECORDING_FAILED in [a.condition_id for a in snap.alarms.alarms]
            # Not a stop criterion: nothing released, the state and the bands as they were.
            s.advance(2.0)
            rec.flush().result(5)
            after = s.snapshot()
            assert after.state == before.state
            assert [ch.channel for ch in after.channels if ch.commanded] == arms
            assert not s.rig.writes.commands(ReleaseAll)
            cuff = s.on_loop(s.rig.host.cuff_now).snapshot().channels
            assert all(cuff[ch].phase is not Phase.RELEASED for ch in arms)
            assert all(cuff[ch].true_pressure > 50.0 for ch in arms)
            raised = [
                e
                for e in s.collector.of("alarm_raised")
                if e.data.get("condition_id") == RECORDING_FAILED
            ]
            assert len(raised) == 1  # once, however many writes are refused
            # The clinician decides: Release all still goes out.
            assert s.do(c.release_all("clinician")).accepted
            assert s.rig.writes.commands(ReleaseAll)
            s.advance(1.5)
            cuff = s.on_loop(s.rig.host.cuff_now).snapshot().channels
            assert all(ch.phase is Phase.RELEASED and ch.true_pressure < 10.0 for ch in cuff)
            assert count_samples(db, rec.session_id) == written  # kept, nothing more added
    finally:
        db.close()
