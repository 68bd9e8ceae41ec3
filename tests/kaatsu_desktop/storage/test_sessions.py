"""Sessions, their events and their pressure samples."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kaatsu_desktop.storage import (
    SAMPLE_DTYPE,
    Database,
    NewSession,
    NotFound,
    SessionEvent,
    SessionStatus,
    User,
    ValidationError,
    add_samples,
    add_session_events,
    count_samples,
    create_patient,
    create_session,
    finish_session,
    get_session,
    list_audit,
    list_session_events,
    list_sessions,
    make_samples,
    mark_interrupted,
    read_samples,
    update_session,
)
from kaatsu_desktop.storage.samples import decode_chunk, encode_chunk
from kaatsu_desktop.storage.sessions import list_session_headlines

from .helpers import FakeClock, count, fields

PROTOCOL = {"mode": "cycle", "inflate_s": 30, "deflate_s": 5, "pressure": {"arms": 150}}


@pytest.fixture
def patient_id(db: Database) -> int:
    return create_patient(db, fields(), by=None).id


def test_session_life_cycle(
    db: Database, clinician: User, clock: FakeClock, patient_id: int
) -> None:
    device = {"model": "KAATSU C3", "firmware": "1.2.0", "unit": "SKU"}
    started = create_session(db, NewSession(patient_id, PROTOCOL, device=device), by=clinician.id)
    assert (started.status, started.started_at, started.ended_at) == (
        SessionStatus.RUNNING,
        clock.now,
        None,
    )
    assert started.protocol == PROTOCOL and started.device == device and not started.demo
    clock.advance(minutes=16)
    phase = update_session(db, started.id, summary={"phase": "changeover"}, by=clinician.id)
    assert phase.summary == {"phase": "changeover"}
    clock.advance(minutes=21)
    summary = {"minutes": {"arms": 15.0, "legs": 20.0}, "alarms": 2}
    done = finish_session(db, started.id, "completed", summary=summary, by=clinician.id)
    assert done.status is SessionStatus.COMPLETED
    assert done.ended_at == started.started_at + timedelta(minutes=37)
    assert done.summary == summary
    assert get_session(db, started.id) == done
    actions = [e.action for e in list_audit(db, entity="session", entity_id=started.id)]
    assert actions == ["start", "update", "completed"]
    # A finished session is final, in the API and in the database itself.
    with pytest.raises(ValidationError, match="ended"):
        finish_session(db, started.id, "aborted", end_reason="dizziness", by=clinician.id)
    with pytest.raises(ValidationError):
        update_session(db, started.id, summary={"x": 1}, by=clinician.id)
    with db.reading() as sdb, pytest.raises(sqlite3.IntegrityError, match="finished session"):
        sdb.conn.execute("UPDATE sessions SET status = 'running', ended_at = NULL")
    with db.reading() as sdb, pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        sdb.conn.execute("DELETE FROM sessions")


def test_abort_needs_a_reason(db: Database, patient_id: int) -> None:
    session = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    with pytest.raises(ValidationError) as info:
        finish_session(db, session.id, "aborted", by=None)
    assert info.value.field == "end_reason"
    with pytest.raises(ValidationError) as info:
        finish_session(db, session.id, "interrupted", by=None)  # only the recovery path may
    assert info.value.field == "status"
    assert get_session(db, session.id).status is SessionStatus.RUNNING
    aborted = finish_session(db, session.id, "aborted", end_reason="T-REL-2: dizziness", by=None)
    assert aborted.end_reason == "T-REL-2: dizziness"


def test_one_running_session_per_patient_and_demo_rules(db: Database, patient_id: int) -> None:
    first = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    with pytest.raises(ValidationError, match="running session") as info:
        create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    assert info.value.field == "patient_id"
    finish_session(db, first.id, "completed", by=None)
    second = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    demo = create_session(db, NewSession(None, PROTOCOL, demo=True), by=None)
    assert demo.demo and demo.patient_id is None
    with pytest.raises(ValidationError) as info:
        create_session(db, NewSession(None, PROTOCOL), by=None)
    assert info.value.field == "patient_id"
    with pytest.raises(ValidationError) as info:
        create_session(db, NewSession(patient_id, {"pressure": float("inf")}), by=None)
    assert info.value.field == "protocol"
    assert [s.id for s in list_sessions(db, patient_id)] == [second.id, first.id]
    assert [s.id for s in list_sessions(db, status="running")] == [demo.id, second.id]
    assert demo.id not in {s.id for s in list_sessions(db, include_demo=False)}
    assert count(db, "sessions") == 3


def test_session_headlines_list_a_patients_sessions_as_list_sessions_does(
    db: Database, clock: FakeClock, patient_id: int
) -> None:
    first = create_session(db, NewSession(patient_id, PROTOCOL, device={"model": "C3"}), by=None)
    clock.advance(minutes=30)
    done = finish_session(
        db, first.id, "aborted", end_reason="dizziness", summary={"a": 1}, by=None
    )
    clock.advance(days=1)
    running = create_session(db, NewSession(patient_id, {"id": "cycle-mmhg"}), by=None)
    other = create_patient(db, fields(clinic_id="KC-0099"), by=None).id
    create_session(db, NewSession(other, PROTOCOL), by=None)  # another patient's: not listed
    lines = list_session_headlines(db, patient_id)
    assert [line.id for line in lines] == [s.id for s in list_sessions(db, patient_id)]
    assert [line.id for line in lines] == [running.id, done.id]
    for line, record in zip(lines, (running, done), strict=True):
        assert (line.started_at, line.status, line.demo, line.end_reason) == (
            record.started_at, record.status, record.demo, record.end_reason
        )  # fmt: skip
        assert (line.protocol, line.summary) == (record.protocol, record.summary)
    assert lines[1].summary == {"a": 1} and lines[0].summary is None
    assert lines[1].status is SessionStatus.ABORTED and lines[1].end_reason == "dizziness"
    assert list_session_headlines(db, 999_999) == []


def test_events_batch_round_trip_and_all_or_nothing(db: Database, patient_id: int) -> None:
    session = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    events = [
        SessionEvent(0, "phase", "arm phase"),
        SessionEvent(600_000, "alarm", "10 min of restriction", "T-TIME-1", "medium"),
        SessionEvent(
            900_000,
            "release",
            "automatic release at 15 min",
            "T-TIME-1",
            "high",
            {"channels": [0, 1], "reason": "limit"},
        ),
    ]
    assert add_session_events(db, session.id, events) == 3
    bad = [SessionEvent(901_000, "alarm"), SessionEvent(902_000, "alarm", priority="urgent")]
    with pytest.raises(ValidationError) as info:
        add_session_events(db, session.id, bad)
    assert info.value.field == "events[1].priority"
    with pytest.raises(ValidationError) as info:
        add_session_events(db, session.id, [SessionEvent(1, "alarm", rule_id="T TIME 1")])
    assert info.value.field == "events[0].rule_id"
    assert list_session_events(db, session.id) == events
    finish_session(db, session.id, "completed", by=None)
    with pytest.raises(ValidationError):
        add_session_events(db, session.id, [SessionEvent(999_999, "late")])


def test_mark_interrupted_ends_at_the_last_record(db: Database, patient_id: int) -> None:
    session = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    add_samples(db, session.id, [(0, 0, 0, 0, 1), (40, 0, 5, 1500, 1)])
    add_session_events(db, session.id, [SessionEvent(75, "link", "link stale", None, "high")])
    record = mark_interrupted(db, session.id, reason="power cut", by=None)
    assert record.status is SessionStatus.INTERRUPTED
    assert record.ended_at == record.started_at + timedelta(milliseconds=75)
    assert count_samples(db, session.id) == 2


def _one_second(second: int, channels: int = 4, hz: int = 100) -> np.ndarray:
    t = np.arange(second * 1000, (second + 1) * 1000, 1000 // hz)
    rng = np.random.default_rng(second)
    cycle = (t // 1000) % 35 < 30  # 30 s inflation, 5 s deflation
    target = np.where(cycle, 150.0, 0.0)
    batch = np.empty(t.size * channels, SAMPLE_DTYPE)
    for ch in range(channels):
        part = batch[ch * t.size : (ch + 1) * t.size]
        part["t_ms"], part["channel"] = t, ch
        part["pressure_x10"] = np.rint((target + rng.normal(0, 0.8, t.size)) * 10)
        part["target_x10"] = target * 10
        part["phase"] = np.where(cycle, 2, 3)
    return batch


def test_a_full_session_of_samples_round_trips(
    db: Database, db_path: Path, patient_id: int
) -> None:
    """4 channels x 100 Hz x 20 min = 480,000 samples, written once a second like the recorder."""
    session = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    batches = [_one_second(s) for s in range(20 * 60)]
    size_before = db_path.stat().st_size
    started = time.perf_counter()
    for batch in batches:
        add_samples(db, session.id, batch)
    elapsed = time.perf_counter() - started
    with db.reading() as sdb:
        sdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored_bytes = db_path.stat().st_size - size_before
    started = time.perf_counter()
    back = read_samples(db, session.id)
    read_s = time.perf_counter() - started

    expected = np.concatenate(batches)
    expected = expected[np.lexsort((expected["t_ms"], expected["channel"]))]
    assert back.dtype == SAMPLE_DTYPE and back.size == 480_000
    assert np.array_equal(back, expected)
    assert count_samples(db, session.id) == 480_000
    one = read_samples(db, session.id, channel=2)
    assert np.array_equal(one, expected[expected["channel"] == 2])
    print(
        f"\n480,000 samples in 1,200 one-second batches: {480_000 / elapsed:,.0f} samples/s"
        f" ({elapsed:.2f} s), {stored_bytes / 480_000:.2f} bytes/sample"
        f" ({stored_bytes / 1e6:.2f} MB per 20-minute session), read back in {read_s * 1000:.0f} ms"
    )


def test_samples_accept_rows_and_reject_bad_batches_whole(db: Database, patient_id: int) -> None:
    session = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    assert add_samples(db, session.id, [(0, 1, 10, 20, 1), (0, 0, 11, 20, 1)]) == 2
    assert add_samples(db, session.id, []) == 0
    bad_batches = {
        "samples.t_ms": [(20, 0, 1, 1, 1), (10, 0, 1, 1, 1)],  # going back in time
        "samples.channel": [(30, 256, 1, 1, 1)],
        "samples.phase": [(30, 0, 1, 1, -1)],
        "samples.pressure_x10": [(30, 0, 1.5, 1, 1)],  # tenths are integers, never truncated
        "samples": [(30, 0, 1, 1)],
    }
    for field, batch in bad_batches.items():
        with pytest.raises(ValidationError) as info:
            add_samples(db, session.id, batch)
        assert info.value.field == field
    # Channel 1 is fine but channel 0 overlaps what is stored: the whole batch is refused.
    with pytest.raises(ValidationError, match="channel 0"):
        add_samples(db, session.id, [(10, 1, 1, 1, 1), (0, 0, 1, 1, 1)])
    assert count_samples(db, session.id) == 2
    with pytest.raises(NotFound):
        add_samples(db, 999, [(0, 0, 1, 1, 1)])
    finish_session(db, session.id, "completed", by=None)
    with pytest.raises(ValidationError, match="not running"):
        add_samples(db, session.id, [(100, 0, 1, 1, 1)])
    assert np.array_equal(
        read_samples(db, session.id)[["t_ms", "channel", "pressure_x10"]].tolist(),
        [(0, 0, 11), (0, 1, 10)],
    )


def test_long_batches_are_split_into_chunks(db: Database, patient_id: int) -> None:
    session = create_session(db, NewSession(patient_id, PROTOCOL), by=None)
    t = np.arange(10_000) * 10
    batch = make_samples(t, 0, 100 + np.sin(t / 1000) * 50, 150, 2)
    add_samples(db, session.id, batch)
    add_samples(db, session.id, make_samples(t[-1] + 10, 0, 1.0, 0, 4))
    with db.reading() as sdb:
        chunks = sdb.conn.execute(
            "SELECT t_first_ms, t_last_ms, n FROM sample_chunks ORDER BY t_first_ms"
        ).fetchall()
    assert chunks == [(0, 40_950, 4096), (40_960, 81_910, 4096), (81_920, 99_990, 1808),
                      (100_000, 100_000, 1)]  # fmt: skip
    back = read_samples(db, session.id)
    assert np.array_equal(back[:-1], batch) and back[-1]["phase"] == 4


def test_make_samples_rounds_device_units_to_tenths() -> None:
    batch = make_samples([0, 10, 20], 3, [149.96, 150.04, 0.0], 150, [1, 2, 3])
    assert batch["pressure_x10"].tolist() == [1500, 1500, 0]
    assert batch["target_x10"].tolist() == [1500] * 3
    assert batch["channel"].tolist() == [3, 3, 3]
    with pytest.raises(ValidationError):
        make_samples([0], 0, [float("nan")], 0, 0)
    with pytest.raises(ValidationError):
        make_samples([0], 300, [1.0], 0, 0)


@settings(max_examples=60, deadline=None)
@given(
    deltas=hnp.arrays(np.int64, st.integers(1, 600), elements=st.integers(1, 100_000)),
    data=st.data(),
)
def test_chunk_codec_round_trips_any_values(deltas: np.ndarray, data: st.DataObject) -> None:
    n = deltas.size
    t = 5_000 + np.cumsum(deltas)
    int32 = st.integers(-(2**31), 2**31 - 1)
    pressure = data.draw(hnp.arrays(np.int64, n, elements=int32))
    target = data.draw(hnp.arrays(np.int64, n, elements=int32))
    phase = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 255)))
    back = decode_chunk(encode_chunk(t, pressure, target, phase), n, int(t[0]))
    for got, want in zip(back, (t, pressure, target, phase), strict=True):
        assert np.array_equal(got, want)
