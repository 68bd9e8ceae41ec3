"""Alarm manager: priorities, latching, acknowledgement and the 30 s audio pause."""

from __future__ import annotations

from kaatsu_desktop.session.alarms import (
    AUDIO_PAUSE_S,
    AlarmManager,
    AlarmPriority,
    ClearOutcome,
)

HIGH, MEDIUM, LOW = AlarmPriority.HIGH, AlarmPriority.MEDIUM, AlarmPriority.LOW


def test_raise_is_idempotent_and_sorted_by_priority_then_time() -> None:
    m = AlarmManager()
    assert m.raise_alarm(1.0, "battery_low", LOW, None, "battery") is not None
    assert m.raise_alarm(2.0, "time_warning:arms", MEDIUM, "T-TIME-1", "warn") is not None
    assert m.raise_alarm(3.0, "leak:ch1", HIGH, None, "leak") is not None
    assert m.raise_alarm(4.0, "link_stale", HIGH, None, "link") is not None
    assert m.raise_alarm(5.0, "leak:ch1", HIGH, None, "leak") is None  # already raised
    ids = [a.condition_id for a in m.alarms]
    assert ids == ["leak:ch1", "link_stale", "time_warning:arms", "battery_low"]
    assert m.snapshot(5.0).highest is HIGH
    assert m.alarms[0].raised_at == 3.0


def test_medium_and_low_clear_with_their_condition() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "time_warning:arms", MEDIUM, "T-TIME-1", "warn")
    m.raise_alarm(0.0, "battery_low", LOW, None, "battery")
    assert m.clear(1.0, "time_warning:arms") is ClearOutcome.REMOVED
    assert m.clear(1.0, "battery_low") is ClearOutcome.REMOVED
    assert m.alarms == ()
    assert m.clear(1.0, "battery_low") is None


def test_high_latches_until_acknowledged_even_when_the_cause_clears() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "link_stale", HIGH, None, "link")
    assert m.clear(1.0, "link_stale") is ClearOutcome.LATCHED
    (alarm,) = m.alarms
    assert alarm.latched and not alarm.acknowledged and not m.is_active("link_stale")
    assert m.audio(1.0).sounding  # latched alarms keep sounding
    assert m.acknowledge(2.0, "link_stale") is ClearOutcome.REMOVED
    assert m.alarms == () and not m.audio(2.0).sounding


def test_acknowledged_high_with_persisting_cause_stays_listed_silently_then_goes() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "leak:ch1", HIGH, None, "leak")
    assert m.acknowledge(1.0, "leak:ch1") is ClearOutcome.LATCHED
    assert m.acknowledge(1.5, "leak:ch1") is None  # twice is a no-op
    (alarm,) = m.alarms
    assert alarm.acknowledged and alarm.condition_active
    assert not m.audio(1.0).sounding
    assert m.clear(2.0, "leak:ch1") is ClearOutcome.REMOVED  # acknowledged: no latch
    assert m.alarms == ()


def test_latched_alarm_whose_cause_returns_is_active_again() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "link_stale", HIGH, None, "link")
    m.clear(1.0, "link_stale")
    assert m.raise_alarm(2.0, "link_stale", HIGH, None, "link") is None
    assert m.is_active("link_stale") and m.alarms[0].raised_at == 0.0


def test_audio_pause_returns_after_30_s_when_the_cause_persists() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "leak:ch1", HIGH, None, "leak")
    assert m.audio(0.0).sounding and m.audio(0.0).priority is HIGH
    end = m.pause_audio(10.0)
    assert end == 10.0 + AUDIO_PAUSE_S
    a = m.audio(25.0)
    assert a.paused and not a.sounding and a.pause_seconds_left == 15.0
    a = m.audio(39.9)
    assert a.paused and not a.sounding
    a = m.audio(40.0)
    assert not a.paused and a.sounding and a.pause_seconds_left == 0.0


def test_audio_pause_ends_quietly_when_the_medium_cause_cleared() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "time_warning:legs", MEDIUM, "T-TIME-2", "warn")
    m.pause_audio(0.0)
    m.clear(5.0, "time_warning:legs")
    assert not m.audio(31.0).sounding


def test_new_alarm_ends_the_audio_pause() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "battery_low", LOW, None, "battery")
    m.pause_audio(1.0)
    assert not m.audio(2.0).sounding
    m.raise_alarm(3.0, "link_stale", HIGH, None, "link")
    a = m.audio(3.0)
    assert a.sounding and a.priority is HIGH and not a.paused


def test_tone_priority_is_the_highest_unacknowledged() -> None:
    m = AlarmManager()
    m.raise_alarm(0.0, "leak:ch1", HIGH, None, "leak")
    m.raise_alarm(0.0, "time_warning:arms", MEDIUM, "T-TIME-1", "warn")
    m.acknowledge(1.0, "leak:ch1")
    assert m.audio(1.0).priority is MEDIUM
    assert m.has(HIGH) and "leak:ch1" in m and m.get("nothing") is None
