"""Alarms from the device side: deviation, leak, link, release confirmation, faults, battery."""

from __future__ import annotations

import pytest

from devices.protocol.types import Fault, Phase
from kaatsu_desktop.session import (
    AlarmPriority,
    ChannelReading,
    ReleaseAllCommand,
    ReleaseCommand,
    SessionEngine,
)
from tests.kaatsu_desktop.session.helpers import frame, holding, kinds, make_engine

HIGH = AlarmPriority.HIGH


def hold_frame(p0: float, target: float = 100.0, phase: Phase = Phase.HOLDING) -> tuple:
    return (
        ChannelReading(0, p0, target, phase, False, False),
        ChannelReading(1, target, target, Phase.HOLDING, False, False),
        ChannelReading(2, 0.0, 0.0, Phase.RELEASED, False, True),
        ChannelReading(3, 0.0, 0.0, Phase.RELEASED, False, True),
    )


def started() -> SessionEngine:
    e = make_engine()
    assert e.start_limb_group(0.0, "arms").accepted
    for i in range(1, 11):  # one second of holding at target
        e.on_readings(i / 10, hold_frame(100.0))
    return e


def spike(e: SessionEngine, start: float, length: float, p: float, phase: Phase) -> None:
    """100 Hz frames with channel 0 at ``p`` from ``start`` for ``length`` seconds."""
    n = round(length * 100)
    for i in range(n + 1):
        e.on_readings(start + i / 100, hold_frame(p, phase=phase))


# --- pressure deviation during a hold ----------------------------------------------------------


def test_deviation_spike_of_0_9_s_does_not_alarm() -> None:
    e = started()
    spike(e, 2.0, 0.9, 120.0, Phase.HOLDING)
    e.on_readings(2.95, hold_frame(100.0))
    assert "pressure_deviation:ch1" not in e.alarms


def test_deviation_of_1_1_s_alarms_high_and_latches() -> None:
    e = started()
    spike(e, 2.0, 1.0, 120.0, Phase.HOLDING)
    assert "pressure_deviation:ch1" not in e.alarms  # exactly 1.0 s is not more than 1 s
    r = e.on_readings(3.1, hold_frame(120.0))
    alarm = e.alarms.get("pressure_deviation:ch1")
    assert alarm is not None and alarm.priority is HIGH and "alarm_raised" in kinds(r)
    e.on_readings(3.2, hold_frame(100.0))
    alarm = e.alarms.get("pressure_deviation:ch1")
    assert alarm is not None and alarm.latched


def test_deviation_of_exactly_15_or_outside_a_hold_does_not_count() -> None:
    e = started()
    spike(e, 2.0, 2.0, 115.0, Phase.HOLDING)  # 15 is not more than 15
    spike(e, 4.1, 2.0, 60.0, Phase.INFLATING)  # not holding
    assert "pressure_deviation:ch1" not in e.alarms
    spike(e, 6.2, 2.0, 84.9, Phase.HOLDING)  # below the target counts too
    assert "pressure_deviation:ch1" in e.alarms


# --- leak --------------------------------------------------------------------------------------


def pumping(p: float) -> tuple:
    return (
        ChannelReading(0, p, 100.0, Phase.INFLATING, True, False),
        *hold_frame(100.0)[1:],
    )


def pump_for(e: SessionEngine, start: float, seconds: float) -> None:
    n = round(seconds * 10)
    for i in range(n + 1):
        e.on_readings(start + i / 10, pumping(50.0))


def test_pump_running_7_s_is_not_a_leak_7_1_s_is() -> None:
    e = started()
    pump_for(e, 2.0, 7.0)
    assert "leak:ch1" not in e.alarms
    e.on_readings(9.1, pumping(50.0))
    alarm = e.alarms.get("leak:ch1")
    assert alarm is not None and alarm.priority is HIGH


def test_reaching_the_target_restarts_the_pump_clock() -> None:
    e = started()
    pump_for(e, 2.0, 5.0)
    e.on_readings(7.05, hold_frame(100.0))
    pump_for(e, 7.1, 5.0)
    assert "leak:ch1" not in e.alarms


def test_device_leak_flag_alarms_until_it_clears() -> None:
    e = started()
    e.on_status(2.0, 80, Fault.NONE, (Fault.NONE, Fault.LEAK, Fault.NONE, Fault.NONE))
    assert e.alarms.is_active("leak:ch2")
    e.on_status(3.0, 80, Fault.NONE, (Fault.NONE,) * 4)
    alarm = e.alarms.get("leak:ch2")
    assert alarm is not None and alarm.latched  # high: stays until acknowledged
    assert e.acknowledge(3.1, "leak:ch2").accepted
    assert "leak:ch2" not in e.alarms


# --- link --------------------------------------------------------------------------------------


def test_link_lost_alarms_and_releases_inflated_bands() -> None:
    e = started()
    r = e.on_link(2.0, False)
    assert e.alarms.is_active("link_stale")
    assert any(isinstance(c, ReleaseAllCommand) for c in r.commands)
    assert not any(c.commanded for c in e.channel_states())


def test_no_frame_for_1_s_is_fine_1_1_s_is_stale() -> None:
    e = make_engine()  # last frame at 0.0
    assert not e.tick(1.0).events
    r = e.tick(1.1)
    assert e.alarms.is_active("link_stale") and "alarm_raised" in kinds(r)
    assert not r.commands  # nothing was inflated: nothing to release
    e.on_readings(1.2, frame({0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}))
    alarm = e.alarms.get("link_stale")
    assert alarm is not None and alarm.latched
    assert not e.start_limb_group(1.3, "arms").accepted  # a latched high alarm blocks inflation
    e.acknowledge(1.3, "link_stale")
    assert e.start_limb_group(1.3, "arms").accepted


def test_stale_link_during_a_set_releases_at_the_tick() -> None:
    e = started()
    r = e.tick(2.2)
    assert any(isinstance(c, ReleaseAllCommand) for c in r.commands)


# --- release confirmation ----------------------------------------------------------------------


def test_release_not_confirmed_in_2_s_alarms_and_is_sent_again() -> None:
    e = started()
    (release,) = e.release_all(2.0, "test").commands
    for t in (2.5, 3.0, 3.5, 4.0):
        e.on_readings(t, frame({0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}))
        assert not e.tick(t).commands
    e.on_readings(4.1, frame({0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}))
    r = e.tick(4.1)
    assert e.alarms.is_active("release_unconfirmed")
    (again,) = r.commands
    assert isinstance(again, ReleaseAllCommand) and again.command_id != release.command_id
    e.on_command_result(4.2, again.command_id, True)
    alarm = e.alarms.get("release_unconfirmed")
    assert alarm is not None and alarm.latched and not e.pending_release_ids


def test_failed_channel_release_falls_back_to_release_all_at_once() -> None:
    e = started()
    (release,) = e.confirm_arm_bands_off(2.0).commands
    assert isinstance(release, ReleaseCommand)
    r = e.on_command_result(2.1, release.command_id, False)
    (again,) = r.commands
    assert isinstance(again, ReleaseAllCommand)
    assert e.alarms.is_active("release_unconfirmed")


def test_failed_release_all_is_retried_at_the_confirmation_pace() -> None:
    e = started()
    (release,) = e.release_all(2.0, "test").commands
    r = e.on_command_result(2.1, release.command_id, False)
    assert not r.commands and e.alarms.is_active("release_unconfirmed")
    e.on_readings(3.9, frame({0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}))
    assert not e.tick(3.9).commands
    e.on_readings(4.1, frame({0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}))
    (again,) = e.tick(4.1).commands
    assert isinstance(again, ReleaseAllCommand)


def test_link_reports_release_unconfirmed() -> None:
    e = started()
    r = e.on_release_unconfirmed(2.0)
    assert e.alarms.is_active("release_unconfirmed")
    assert isinstance(r.commands[0], ReleaseAllCommand)


def test_pending_releases_go_out_again_when_the_link_returns() -> None:
    e = started()
    e.on_link(2.0, False)
    assert e.pending_release_ids
    r = e.on_link(5.0, True)
    assert any(isinstance(c, ReleaseAllCommand) for c in r.commands)


# --- device status -----------------------------------------------------------------------------


@pytest.mark.parametrize(("pct", "alarm"), [(19, True), (20, False), (80, False), (None, False)])
def test_battery_low_below_20_percent(pct: int | None, alarm: bool) -> None:
    e = make_engine()
    e.on_status(1.0, pct, Fault.NONE)
    assert ("battery_low" in e.alarms) is alarm
    if alarm:
        assert e.alarms.get("battery_low").priority is AlarmPriority.LOW  # type: ignore[union-attr]
        e.on_status(2.0, 21, Fault.NONE)
        assert "battery_low" not in e.alarms  # low priority: no latch


def test_channel_fault_alarms_and_marks_the_channel_released() -> None:
    e = started()
    r = e.on_status(2.0, 90, Fault.NONE, (Fault.OVER_PRESSURE, Fault.NONE, Fault.NONE, Fault.NONE))
    assert e.alarms.is_active("device_fault")
    assert "device_released" in kinds(r)
    chans = {c.channel: c.commanded for c in e.channel_states()}
    assert chans[0] is False and chans[1] is True


def test_watchdog_release_is_recorded_once() -> None:
    e = started()
    r = e.on_status(2.0, 90, Fault.WATCHDOG_RELEASE)
    assert kinds(r).count("device_released") == 1
    assert not any(c.commanded for c in e.channel_states())
    assert "device_released" not in kinds(e.on_status(3.0, 90, Fault.WATCHDOG_RELEASE))


def test_pump_fault_is_a_high_device_fault() -> None:
    e = started()
    e.on_status(2.0, 90, Fault.PUMP_FAULT)
    alarm = e.alarms.get("device_fault")
    assert alarm is not None and alarm.priority is HIGH and "pump_fault" in alarm.message


# --- pressure ceiling --------------------------------------------------------------------------


def test_reading_above_max_plus_margin_releases_the_group() -> None:
    e = started()
    e.on_readings(2.0, holding((0, 1), 210.0, 100.0))  # arms max 200, margin 10: not above
    assert "over_pressure:ch1" not in e.alarms
    r = e.on_readings(2.1, holding((0, 1), 210.1, 100.0))
    release = r.commands[0]
    assert isinstance(release, ReleaseCommand) and release.channels == (0, 1)
    assert e.alarms.is_active("over_pressure:ch1")
    assert len([c for c in e.on_readings(2.2, holding((0, 1), 215.0, 100.0)).commands]) == 0


def test_uncommanded_inflation_is_released(engine: SessionEngine) -> None:
    r = engine.on_readings(0.5, holding((2,), 50.0, 140.0))
    assert isinstance(r.commands[0], ReleaseCommand) and r.commands[0].channels == (2,)
    assert "uncommanded_inflation" in kinds(r)
    # within the grace time after that release, the same channel is not released again
    assert not engine.on_readings(0.6, holding((2,), 45.0, 140.0)).commands
