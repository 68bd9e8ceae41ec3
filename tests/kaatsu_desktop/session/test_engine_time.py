"""T-TIME-1..3: warnings, automatic release at the limit, time-to-live of every inflate command."""

from __future__ import annotations

import pytest

from devices.protocol.types import Phase
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.session import (
    AlarmPriority,
    GroupStatus,
    HoldCommand,
    LimbGroup,
    ProtocolMode,
    ReleaseCommand,
    RunCycleCommand,
    SessionEngine,
    SessionState,
)
from tests.kaatsu_desktop.session.helpers import (
    EXPERIENCED,
    frame,
    holding,
    kinds,
    make_engine,
    protocol,
    run,
)

ARMS_ON = (0, 1)
LEGS_ON = (2, 3)


def arms_holding(t: float) -> tuple:
    return holding(ARMS_ON, 100.0, 100.0)


def legs_holding(t: float) -> tuple:
    return holding(LEGS_ON, 140.0, 140.0)


def all_off(t: float) -> tuple:
    return frame({0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0})


def start_legs(engine: SessionEngine, t: float) -> None:
    assert engine.skip_arm_phase(t, "arm bands not used today").accepted
    assert engine.confirm_arm_bands_off(t).accepted
    assert engine.start_limb_group(t, LimbGroup.LEGS).accepted


def test_arm_warning_at_exactly_10_min_not_before(engine: SessionEngine) -> None:
    assert engine.start_limb_group(0.0, "arms").accepted
    results = run(engine, 0.0, 599.5, arms_holding)
    assert not any("time_warning" in kinds(r) for r in results)
    r = engine.on_readings(599.9, arms_holding(599.9))
    assert "time_warning" not in kinds(r)
    assert "time_warning:arms" not in engine.alarms
    r = engine.on_readings(600.0, arms_holding(600.0))
    assert "time_warning" in kinds(r)
    alarm = engine.alarms.get("time_warning:arms")
    assert alarm is not None and alarm.priority is AlarmPriority.MEDIUM
    assert alarm.rule_id == "T-TIME-1"
    assert engine.snapshot(600.0).group(LimbGroup.ARMS).warned


def test_arm_release_at_15_min_within_one_tick(engine: SessionEngine) -> None:
    engine.start_limb_group(0.0, "arms")
    run(engine, 0.0, 899.5, arms_holding)
    r = engine.tick(899.9)
    assert not r.commands and engine.group_state(LimbGroup.ARMS).running
    r = engine.tick(900.0)
    (release,) = r.commands
    assert isinstance(release, ReleaseCommand) and release.channels == ARMS_ON
    assert "limit_release" in kinds(r)
    alarm = engine.alarms.get("limit_release:arms")
    assert alarm is not None and alarm.priority is AlarmPriority.HIGH and alarm.latched
    assert "time_warning:arms" not in engine.alarms  # replaced by the limit alarm
    view = engine.snapshot(900.0).group(LimbGroup.ARMS)
    assert view.status is GroupStatus.LIMIT_REACHED and view.remaining_s == 0.0


def test_release_happens_on_a_late_tick_and_on_frames_too(engine: SessionEngine) -> None:
    engine.start_limb_group(0.0, "arms")
    r = engine.tick(900.1)  # a tick one period late still releases at once
    assert any(isinstance(c, ReleaseCommand) for c in r.commands)
    other = make_engine()
    other.start_limb_group(0.0, "arms")
    r = other.on_readings(900.0, arms_holding(900.0))  # no tick needed: frames check the limit
    assert any(isinstance(c, ReleaseCommand) for c in r.commands)


def test_arms_cannot_be_inflated_again_after_the_limit(engine: SessionEngine) -> None:
    e = make_engine(protocol(sets_per_limb=3), patient=EXPERIENCED)
    e.start_limb_group(0.0, "arms")
    run(e, 0.0, 900.0, arms_holding)
    e.acknowledge(900.5, "limit_release:arms")
    run(e, 900.0, 901.0, all_off)
    r = e.start_limb_group(901.0, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "T-TIME-1"
    assert not r.commands


def test_leg_warning_at_15_and_release_at_20_min(engine: SessionEngine) -> None:
    start_legs(engine, 0.0)
    run(engine, 0.0, 899.5, legs_holding)
    assert "time_warning" not in kinds(engine.on_readings(899.9, legs_holding(0)))
    r = engine.on_readings(900.0, legs_holding(0))
    assert "time_warning" in kinds(r)
    assert engine.alarms.get("time_warning:legs").rule_id == "T-TIME-2"  # type: ignore[union-attr]
    run(engine, 900.0, 1199.5, legs_holding)
    assert not engine.tick(1199.9).commands
    r = engine.tick(1200.0)
    (release,) = r.commands
    assert isinstance(release, ReleaseCommand) and release.channels == LEGS_ON


def test_clinic_settings_shorten_the_limits() -> None:
    settings = ClinicSettings(arm_warning_min=5, arm_limit_min=8)
    e = make_engine(settings=settings)
    e.start_limb_group(0.0, "arms")
    run(e, 0.0, 299.5, arms_holding)
    assert "time_warning" in kinds(e.on_readings(300.0, arms_holding(0)))
    run(e, 300.0, 479.5, arms_holding)
    assert any(isinstance(c, ReleaseCommand) for c in e.tick(480.0).commands)


def test_limits_never_above_the_rule_book(engine: SessionEngine) -> None:
    assert engine.limits.arms.limit_s == 900.0 and engine.limits.legs.limit_s == 1200.0
    with pytest.raises(ValueError):
        ClinicSettings(arm_limit_min=16)


def test_restriction_time_runs_through_deflations_and_pauses() -> None:
    """T-TIME-3: a second set later on gets only what is left of the limit as time-to-live."""
    e = make_engine(protocol(sets_per_limb=3, cycles=2), patient=EXPERIENCED)
    first = e.start_limb_group(0.0, "arms").commands[0]
    assert isinstance(first, RunCycleCommand) and first.ttl_s == 2 * 35 + 5
    run(e, 0.0, 60.0, arms_holding)
    e.on_readings(60.5, all_off(0))  # the program ended: the set is over, the clock runs on
    run(e, 60.5, 850.0, all_off)
    view = e.snapshot(850.0).group(LimbGroup.ARMS)
    assert view.status is GroupStatus.PAUSED and view.elapsed_s == pytest.approx(850.0)
    second = e.start_limb_group(850.0, "arms").commands[0]
    assert isinstance(second, RunCycleCommand) and second.ttl_s == 50


def test_ttl_is_floored_and_no_time_left_is_refused() -> None:
    e = make_engine(protocol(sets_per_limb=3, cycles=2), patient=EXPERIENCED)
    e.start_limb_group(0.0, "arms")
    run(e, 0.0, 60.0, arms_holding)
    e.on_readings(60.5, all_off(0))
    run(e, 60.5, 898.6, all_off)
    cmd = e.start_limb_group(898.6, "arms").commands[0]
    assert isinstance(cmd, RunCycleCommand) and cmd.ttl_s == 1  # 1.4 s left -> 1 s
    (release,) = e.release_all(898.7, "test").commands
    e.on_command_result(898.7, release.command_id, True)
    e.on_readings(899.2, all_off(0))
    r = e.start_limb_group(899.2, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "T-TIME-1"
    assert "No restriction time left" in r.refusal.message


def test_constant_hold_ttl_is_the_hold_capped_by_the_limit() -> None:
    e = make_engine(protocol(ProtocolMode.CONSTANT, sets_per_limb=3), patient=EXPERIENCED)
    cmd = e.start_limb_group(0.0, "arms").commands[0]
    assert isinstance(cmd, HoldCommand) and cmd.ttl_s == 120 and cmd.pressure == 100
    run(e, 0.0, 120.0, arms_holding)
    e.on_readings(120.5, all_off(0))
    run(e, 120.5, 850.0, all_off)
    cmd = e.start_limb_group(850.0, "arms").commands[0]
    assert isinstance(cmd, HoldCommand) and cmd.ttl_s == 50


def test_arm_clock_stops_when_the_arm_phase_ends(engine: SessionEngine) -> None:
    engine.start_limb_group(0.0, "arms")
    run(engine, 0.0, 300.0, arms_holding)
    r = engine.confirm_arm_bands_off(300.0)
    assert engine.state is SessionState.CHANGEOVER
    assert any(isinstance(c, ReleaseCommand) for c in r.commands)
    run(engine, 300.0, 1000.0, all_off)
    view = engine.snapshot(1000.0).group(LimbGroup.ARMS)
    assert view.status is GroupStatus.ENDED and view.elapsed_s == pytest.approx(300.0)
    assert "limit_release:arms" not in engine.alarms


def test_phase_detection_ends_a_set_when_the_device_releases(engine: SessionEngine) -> None:
    engine.start_limb_group(0.0, "arms")
    engine.on_readings(0.1, holding(ARMS_ON, 20.0, 100.0))
    assert engine.group_state(LimbGroup.ARMS).running
    r = engine.on_readings(0.2, frame({0: 5.0, 1: 5.0, 2: 0.0, 3: 0.0}, phase=Phase.RELEASED))
    assert "set_ended" in kinds(r)
    assert not engine.group_state(LimbGroup.ARMS).running
