"""Controller life cycle: closing a running session, output rates, the demo cuff builder."""

from __future__ import annotations

from pathlib import Path

from devices.protocol import ReleaseAll
from devices.protocol.types import Phase
from devices.sim.registry import CuffRegistry
from kaatsu_desktop.session import EventKind, SessionState
from kaatsu_desktop.session.demo import (
    connect_demo_cuff,
    demo_setup,
    start_session,
    virtual_runtime,
)
from kaatsu_desktop.storage import SessionStatus, get_session, list_session_events, read_samples
from tests.kaatsu_desktop.session_live._support import live_session, open_db


def test_closing_a_running_session_aborts_it_releases_and_ends_the_row(tmp_path: Path) -> None:
    db = open_db(tmp_path / "close.sqlite3")
    try:
        with live_session(db=db) as s:
            c = s.controller
            assert s.do(c.start_limb_group("arms")).accepted
            s.advance(20.0)
            recorder = s.recorder
            assert recorder is not None
            recorder.flush().result(5)
            assert get_session(db, recorder.session_id).summary["state"] == "arm_phase"  # type: ignore[index]
            c.close("window closed")
            s.advance(0.1)
            assert s.snapshot().state is SessionState.ABORTED
            assert s.rig.writes.commands(ReleaseAll)
            s.advance(1.5)
            channels = s.on_loop(s.rig.host.cuff_now).snapshot().channels
            assert all(ch.phase is Phase.RELEASED for ch in channels)
            session_id = recorder.session_id
        record = get_session(db, session_id)
        assert record.status is SessionStatus.ABORTED
        assert record.end_reason == "window closed"
        assert record.summary is not None and record.summary["state"] == "aborted"
        kinds = [e.kind for e in list_session_events(db, session_id)]
        assert kinds.count("release") >= 1 and "state_changed" in kinds
    finally:
        db.close()


def test_snapshots_come_at_10_hz_of_loop_time_and_after_each_intent() -> None:
    with live_session() as s:
        c = s.controller
        assert s.do(c.start_limb_group("arms")).accepted
        before = len(s.collector.snapshots)
        s.advance(10.0)
        assert 99 <= len(s.collector.snapshots) - before <= 101
        started = s.collector.of(EventKind.SET_STARTED.value)
        assert started and started[0].rule_id == "T-SETS-1"  # events as they happen
        before = len(s.collector.snapshots)
        assert s.do(c.pause_audio()) is not None
        assert len(s.collector.snapshots) == before + 1  # an intent gets its view at once


def test_the_demo_builder_connects_the_four_channel_demo_cuff() -> None:
    rt = virtual_runtime()
    try:
        rig = connect_demo_cuff(rt, CuffRegistry())
        assert rig.link.config is not None and rig.link.config.channel_count == 4
        controller = start_session(rig, demo_setup())
        rt.advance(0.2)
        snapshot = rig.wait(controller.start_limb_group("arms"))
        assert snapshot.accepted
        view = rt.call(controller.engine.snapshot, rt.clock()).result(5)
        assert [g.channels for g in view.groups] == [(0, 1), (2, 3)]
    finally:
        rt.stop()


def test_a_sensor_fault_is_never_plotted_nor_stored_and_raises_the_device_alarm(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "sensor.sqlite3")
    try:
        with live_session(db=db) as s:
            c = s.controller
            assert s.do(c.start_limb_group("arms")).accepted
            s.advance(8.0)
            s.on_loop(lambda: s.rig.host.cuff_now().faults.noisy_sensor(0))
            s.advance(3.0)
            frame_pressures = s.on_loop(
                lambda: [ch.reading.pressure for ch in c.engine.snapshot(s.now()).channels]
            )
            assert frame_pressures[0] is None and frame_pressures[1] is not None
            alarm = next(a for a in s.snapshot().alarms.alarms if a.condition_id == "device_fault")
            assert alarm.priority.name == "HIGH"
            assert s.recorder is not None
            s.recorder.flush().result(5)
            buffers = c.buffers
            assert buffers is not None
            plotted = [len(buffers.live[ch].snapshot()) for ch in range(4)]
            stored = [len(read_samples(db, s.recorder.session_id, channel=ch)) for ch in range(4)]
        assert plotted[0] < plotted[1] and stored[0] < stored[1]  # ch1 kept every frame
        assert plotted[1] == stored[1] == plotted[2]
    finally:
        db.close()
