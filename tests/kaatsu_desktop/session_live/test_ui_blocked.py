"""A UI thread blocked for 5 s across a time limit delays neither the release nor the alarm.

The arm limit is set to its minimum (2 min, T-TIME-1 via clinic settings); virtual time is
fast-forwarded to 1 s before it, then paced at real time by a helper thread while this test's
thread (the Qt UI thread, owner of the SessionBridge) sleeps 5 s without processing any event.
"""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from devices.protocol import Release
from devices.vtime import RealTimePacer
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.session import EventKind, LimbGroup
from kaatsu_desktop.session.bridge import SessionBridge
from kaatsu_desktop.session.snapshot import GroupStatus
from tests.kaatsu_desktop.session_live._support import live_session

ARMS = (0, 1)


def test_release_reaches_the_cuff_within_100_ms_of_the_limit_while_the_ui_sleeps_5_s(
    qtbot: QtBot,
) -> None:
    settings = ClinicSettings(arm_warning_min=1, arm_limit_min=2)
    with live_session(settings=settings) as s:
        c = s.controller
        bridge = SessionBridge(c)  # created here: it lives in this, the UI, thread
        events = []
        bridge.event_arrived.connect(events.append)
        try:
            assert s.do(c.start_limb_group("arms")).accepted
            started = s.on_loop(lambda: c.engine.group_state(LimbGroup.ARMS).started_at)
            limit = started + 120.0
            s.advance(limit - 1.0 - s.now())
            qtbot.wait(10)  # deliver what happened so far
            seen = len(events)
            wakes = bridge.deliveries_requested
            pacer = RealTimePacer(s.rt)
            pacer.start()
            pacer.ready.wait(5)
            time.sleep(5.0)  # the UI thread is blocked: no Qt event is processed
            pacer.stop()
            assert pacer.error is None
            assert len(events) == seen  # nothing was delivered while the UI thread slept
            # One queued wake-up covered everything that piled up meanwhile.
            assert bridge.deliveries_requested - wakes == 1

            record = next(r for r, cmd in s.rig.writes.commands(Release) if cmd.channels == ARMS)
            loop_delay = record.at - limit
            real_delay = record.real - pacer.real_at(limit)
            print(
                f"\nrelease at the limit: {loop_delay * 1000:.1f} ms after it on the loop clock, "
                f"{real_delay * 1000:.1f} ms in real time, UI thread blocked"
            )
            assert 0.0 <= loop_delay <= 0.1
            assert real_delay <= 0.1
            assert s.on_loop(s.rig.host.cuff_now).snapshot().channels[0].phase.name in (
                "RELEASED",
                "IDLE",
            )

            qtbot.wait(10)  # the UI thread catches up in one delivery
            kinds = [e.kind for e in events[seen:]]
            assert EventKind.LIMIT_RELEASE in kinds
            limit_event = next(e for e in events if e.kind is EventKind.LIMIT_RELEASE)
            assert limit_event.rule_id == "T-TIME-1"
            assert abs(limit_event.time - limit) <= 0.05
            alarm = next(
                e
                for e in events
                if e.kind is EventKind.ALARM_RAISED
                and e.data["condition_id"] == "limit_release:arms"
            )
            assert alarm.time == limit_event.time  # the alarm was not delayed either
            assert bridge.latest is not None
            assert bridge.latest.group(LimbGroup.ARMS).status is GroupStatus.LIMIT_REACHED
        finally:
            bridge.detach()
