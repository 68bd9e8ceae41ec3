"""Intents through the live controller: release all from another thread, skin colour, link drop.

Every test runs the real link over BleakClient and the simulated cuff in virtual time; the
cuff's write log tells when a command's bytes reached the device, on the loop clock.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from devices.protocol import Opcode, Release, ReleaseAll, RunCycle
from devices.protocol.types import Phase, Unit
from kaatsu_desktop.session import (
    AlarmPriority,
    EventKind,
    SessionRefusedError,
    StepResult,
)
from kaatsu_desktop.session.controller import SessionController
from kaatsu_desktop.session.demo import connect_simulated_cuff, demo_setup, preset, virtual_runtime
from kaatsu_desktop.storage import list_session_events
from tests.kaatsu_desktop.session_live._support import EXPERIENCED, live_session, open_db


def from_other_thread(call: object) -> object:
    """Run ``call()`` on a thread of its own (as the UI thread would) and return its result."""
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(call()))  # type: ignore[operator]
    thread.start()
    thread.join(5)
    return out[0]


def test_release_all_from_another_thread_goes_out_at_once_ahead_of_a_pending_inflate() -> None:
    with live_session() as s:
        c = s.controller
        # RUN_CYCLE results come late: the inflate command keeps the link's command lock.
        s.on_loop(lambda: s.rig.host.link.delay_results(0.4, opcodes=[Opcode.RUN_CYCLE]))
        assert s.do(c.start_limb_group("arms")).accepted
        s.advance(0.2)
        (inflate, _), *_ = s.rig.writes.commands(RunCycle)
        phases = {ch.phase for ch in s.on_loop(s.rig.host.cuff_now).snapshot().channels[:2]}
        assert phases == {Phase.INFLATING}
        future = from_other_thread(lambda: c.release_all("patient asked"))
        result: StepResult = s.do(future)  # type: ignore[arg-type]
        (release_event,) = [e for e in result.events if e.kind is EventKind.RELEASE]
        assert release_event.rule_id == "T-REL-1"
        (record, _), *_ = s.rig.writes.commands(ReleaseAll)
        print(f"\nrelease all: {1000 * (record.at - release_event.time):.1f} ms on the loop clock")
        assert record.at - release_event.time <= 0.001  # written in the same loop turn
        assert record.at < inflate.at + 0.4  # while the inflate still waited for its result
        s.advance(1.5)
        channels = s.on_loop(s.rig.host.cuff_now).snapshot().channels
        assert all(ch.phase is Phase.RELEASED and ch.true_pressure < 10.0 for ch in channels)


def test_release_all_is_accepted_when_the_engine_raises_and_before_the_start() -> None:
    with live_session() as s:
        c = s.controller
        assert s.do(c.start_limb_group("arms")).accepted
        s.advance(1.0)

        def broken(*_: object) -> StepResult:
            raise RuntimeError("engine bug")

        s.on_loop(lambda: setattr(c.engine, "release_all", broken))
        result = s.do(c.release_all("clinician"))
        assert result.commands == ()  # the engine gave nothing ...
        s.advance(0.1)
        assert s.rig.writes.commands(ReleaseAll)  # ... the link released all the same
        s.advance(1.5)
        channels = s.on_loop(s.rig.host.cuff_now).snapshot().channels
        assert all(ch.phase is Phase.RELEASED for ch in channels)

    rt = virtual_runtime()
    try:
        rig = connect_simulated_cuff(rt)
        idle = SessionController(rt, rig.link, demo_setup())  # never started
        rig.wait(idle.release_all("before start"))
        rt.advance(0.1)
        assert rig.writes.commands(ReleaseAll)
    finally:
        rt.stop()


def test_unfavourable_skin_colour_raises_a_high_alarm_proposing_release(tmp_path: Path) -> None:
    db = open_db(tmp_path / "skin.sqlite3")
    try:
        with live_session(db=db) as s:
            c = s.controller
            assert s.do(c.start_limb_group("arms")).accepted
            s.advance(5.0)
            assert s.do(c.record_skin("left_arm", "blue")).accepted
            alarm = s.snapshot().alarms.alarms[0]
            assert (alarm.condition_id, alarm.priority, alarm.rule_id) == (
                "skin:left_arm",
                AlarmPriority.HIGH,
                "T-SKIN-1",
            )
            assert alarm.proposes_release
            assert s.do(c.start_limb_group("arms")).refusal is not None
            assert s.do(c.release_for_stop_criterion("unfavourable_skin_colour")).accepted
            s.advance(0.1)
            assert s.rig.writes.commands(ReleaseAll)
            assert s.do(c.abort("skin colour")).accepted
            s.advance(2.5)
            assert s.recorder is not None and s.recorder.finish_future is not None
            record = s.recorder.finish_future.result(10)
        stored = list_session_events(db, record.id)
        raised = [e for e in stored if e.kind == "alarm_raised" and e.rule_id == "T-SKIN-1"]
        assert raised and raised[0].priority == "high"
        assert any(e.kind == "stop_criterion" and e.rule_id == "T-REL-2" for e in stored)
        assert record.status.value == "aborted" and record.end_reason == "skin colour"
    finally:
        db.close()


def test_a_link_drop_raises_the_stale_alarm_and_the_release_is_sent_again_after() -> None:
    with live_session() as s:
        c = s.controller
        assert s.do(c.start_limb_group("arms")).accepted
        s.advance(5.0)
        dropped = s.now()
        s.on_loop(lambda: s.rig.host.drop_link(3.0))
        s.advance(1.2)
        snap = s.snapshot()
        stale = next(a for a in snap.alarms.alarms if a.condition_id == "link_stale")
        assert stale.priority is AlarmPriority.HIGH
        assert stale.raised_at - dropped <= 1.0 + 0.05  # 1 s without a frame
        assert not snap.link_up
        assert not any(ch.commanded for ch in snap.channels)
        assert EventKind.LINK_CHANGED.value in s.collector.kinds()
        s.advance(1.5)  # the cuff's watchdog has released by now, with nobody connected
        channels = s.on_loop(s.rig.host.cuff_now).snapshot().channels
        assert all(ch.phase is Phase.RELEASED for ch in channels[:2])
        before = len(s.rig.writes.commands(ReleaseAll))
        s.advance(3.0)  # the link comes back and reconnects
        assert s.snapshot().link_up
        assert len(s.rig.writes.commands(ReleaseAll)) > before  # the pending release went again
        assert s.on_loop(lambda: c.engine.pending_release_ids) == ()
        latched = next(a for a in s.snapshot().alarms.alarms if a.condition_id == "link_stale")
        assert latched.latched  # high priority: stays until acknowledged
        assert s.do(c.acknowledge("link_stale")).accepted


def test_unconfirmed_releases_are_retried_by_the_link_without_multiplying() -> None:
    with live_session() as s:
        c = s.controller
        assert s.do(c.start_limb_group("arms")).accepted
        s.advance(3.0)
        s.on_loop(lambda: s.rig.host.link.drop_results())  # commands apply, results are lost
        start = s.now()
        s.do(c.release_all("test"))
        s.advance(10.0)
        writes = [
            r
            for r, _ in s.rig.writes.commands(ReleaseAll) + s.rig.writes.commands(Release)
            if r.at >= start
        ]
        rate = len(writes) / 10.0
        print(f"\nunconfirmed release: {len(writes)} release writes in 10 s ({c.stats()})")
        assert 2.0 <= rate <= 2.6  # one retry loop at a time: 4 writes per 2 s, not doubling
        alarm = next(
            a for a in s.snapshot().alarms.alarms if a.condition_id == "release_unconfirmed"
        )
        assert alarm.priority is AlarmPriority.HIGH and alarm.rule_id == "T-REL-1"
        s.on_loop(lambda: s.rig.host.link.clear_results())
        s.advance(2.5)
        assert s.on_loop(lambda: c.engine.pending_release_ids) == ()
        assert s.snapshot().alarms.alarms[0].latched


def test_commands_carry_the_device_unit_and_a_protocol_in_another_unit_is_refused() -> None:
    rt = virtual_runtime()
    try:
        rig = connect_simulated_cuff(rt, unit=Unit.SKU)
        wrong = SessionController(rt, rig.link, demo_setup(preset("cycle-mmhg")))
        with pytest.raises(SessionRefusedError):
            rig.wait(wrong.start())
        right = SessionController(
            rt, rig.link, demo_setup(preset("cycle-sku"), patient=EXPERIENCED)
        )
        rig.wait(right.start())
        rt.advance(0.2)
        assert rig.wait(right.start_limb_group("arms")).accepted
        rt.advance(0.1)
        ((_, command),) = rig.writes.commands(RunCycle)
        assert command.unit is Unit.SKU
        assert command.pressures == preset("cycle-sku").cycle_pressures("arms")  # type: ignore[arg-type]
    finally:
        rt.stop()
