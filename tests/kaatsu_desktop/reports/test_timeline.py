"""Timeline content: alarms, releases with reasons, skin observations; bookkeeping left out."""

from __future__ import annotations

from kaatsu_desktop.reports.timeline import build_timeline, category_label
from kaatsu_desktop.storage import SessionEvent
from tests.kaatsu_desktop.reports.stored import events


def test_the_stored_session_timeline() -> None:
    lines = [(e.t_ms, e.category, e.rule_id, e.priority, e.text) for e in build_timeline(events())]
    assert lines == [
        (5_000, "phase", "T-ORD-1", None, "Session state: arm_phase."),
        (5_000, "set", "T-SETS-1", None, "Set 1 of 1 started on the arms."),
        (305_000, "skin", "T-SKIN-1", "high", "Skin under the left arm band: red-purple."),
        (325_000, "skin", "T-SKIN-1", None, "Skin under the left arm band: pink."),
        (
            605_000,
            "warning",
            "T-TIME-1",
            "medium",
            "Restriction time on the arms: 10 min; automatic release at 15 min.",
        ),
        (
            905_000,
            "release",
            "T-TIME-1",
            "high",
            "Time limit of 15 min reached on the arms: bands released.",
        ),
        (920_000, "phase", "T-ORD-2", None, "Arm bands confirmed off."),
        (920_000, "phase", "T-ORD-1", None, "Session state: changeover."),
        (930_000, "phase", "T-ORD-1", None, "Session state: leg_phase."),
        (930_000, "set", "T-SETS-1", None, "Set 1 of 1 started on the legs."),
        (1_530_000, "release", "T-REL-2", None, "Stop criterion: dizziness."),
        (1_530_000, "release", "T-REL-2", None, "All bands released: dizziness"),
        (1_535_000, "phase", "T-ORD-1", None, "Session state: aborted."),
    ]


def test_an_alarm_without_a_twin_gets_its_own_line_and_unknown_kinds_are_skipped() -> None:
    stored = [
        SessionEvent(10, "alarm_raised", "Leak on ch2: pump running.", None, "high"),
        SessionEvent(10, "command_confirmed", "ok"),
        SessionEvent(20, "audio_paused", "Alarm audio paused."),
        SessionEvent(30, "release", "", "T-REL-1", None, {"reason": "clinician"}),
        SessionEvent(40, "some_future_kind", "?"),
    ]
    lines = build_timeline(stored)
    assert [(e.kind, e.priority, e.text) for e in lines] == [
        ("alarm_raised", "high", "Leak on ch2: pump running."),
        ("release", None, "release: clinician"),  # the reason shows even without a message
    ]
    assert category_label("release") == "Release"
