"""Clinician intents: T-REL-1/2, T-SKIN-1, S-LIMB-1, T-SETS-1, T-MODE-1, alarms and the snapshot."""

from __future__ import annotations

import json

import pytest

from devices.protocol.types import Site, Unit
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.session import (
    AlarmPriority,
    Control,
    EventKind,
    LimbGroup,
    PatientContext,
    PressureLevel,
    ProtocolMode,
    ReleaseAllCommand,
    RunCycleCommand,
    SessionEngine,
    SessionRefusedError,
    SessionState,
    SkinColour,
    StopCriterion,
)
from tests.kaatsu_desktop.session.helpers import (
    EXPERIENCED,
    FOUR,
    NEW,
    frame,
    holding,
    kinds,
    make_engine,
    protocol,
)

ZERO = {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}


# --- T-REL-1 and T-REL-2 -------------------------------------------------------------------------


def test_release_all_is_accepted_in_every_state() -> None:
    e = make_engine()
    for step in range(6):
        if step == 1:
            e.start_limb_group(1.0, "arms")
        elif step == 2:
            e.confirm_arm_bands_off(1.5)
        elif step == 3:
            e.on_readings(2.0, frame(ZERO))
            e.start_limb_group(2.0, "legs")
        elif step == 4:
            e.finish(3.0)
        elif step == 5:
            e.abort(4.0, "after the end")
        r = e.release_all(5.0, "test")
        assert r.accepted and isinstance(r.commands[0], ReleaseAllCommand)
        assert r.events[-1].kind is EventKind.RELEASE and r.events[-1].rule_id == "T-REL-1"
        assert e.snapshot(5.0).control(Control.RELEASE_ALL).enabled


def test_release_all_logs_time_and_reason(engine: SessionEngine) -> None:
    engine.start_limb_group(1.0, "arms")
    r = engine.release_all(7.25, "patient pale")
    event = r.events[-1]
    assert event.time == 7.25 and event.data["reason"] == "patient pale"
    assert r.commands[0].reason == "patient pale"  # type: ignore[union-attr]
    assert not any(c.commanded for c in engine.channel_states())
    json.dumps(dict(event.data))  # events are JSON-friendly for the recorder


def test_release_all_never_raises() -> None:
    class Nasty:
        def __str__(self) -> str:
            raise RuntimeError("broken reason")

    e = make_engine()
    e.start_limb_group(1.0, "arms")
    r = e.release_all(2.0, Nasty())  # type: ignore[arg-type]
    assert r.accepted and isinstance(r.commands[0], ReleaseAllCommand)
    r = e.release_all(float("nan"), "time is nonsense")
    assert isinstance(r.commands[0], ReleaseAllCommand)


@pytest.mark.parametrize("criterion", list(StopCriterion))
def test_t_rel_2_stop_criteria_release_everything(criterion: StopCriterion) -> None:
    e = make_engine()
    e.start_limb_group(1.0, "arms")
    r = e.release_for_stop_criterion(2.0, criterion)
    assert r.accepted and isinstance(r.commands[0], ReleaseAllCommand)
    stop = next(ev for ev in r.events if ev.kind is EventKind.STOP_CRITERION)
    assert stop.rule_id == "T-REL-2" and stop.data["criterion"] == criterion.value


def test_unknown_stop_criterion_still_releases(engine: SessionEngine) -> None:
    r = engine.release_for_stop_criterion(1.0, "headache")
    assert isinstance(r.commands[0], ReleaseAllCommand)


# --- T-SKIN-1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("colour", ["red_purple", "white", "grey", "blue"])
def test_unfavourable_skin_colour_alarms_high_proposing_release(colour: str) -> None:
    e = make_engine()
    e.start_limb_group(1.0, "arms")
    r = e.record_skin(2.0, "left_arm", colour)
    assert "skin_observed" in kinds(r) and "alarm_raised" in kinds(r)
    alarm = e.alarms.get("skin:left_arm")
    assert alarm is not None and alarm.priority is AlarmPriority.HIGH
    assert alarm.proposes_release and alarm.rule_id == "T-SKIN-1"
    assert not r.commands  # proposes, does not release by itself


@pytest.mark.parametrize("colour", [SkinColour.PINK, SkinColour.ROSY])
def test_target_skin_colour_raises_nothing(colour: SkinColour) -> None:
    e = make_engine()
    r = e.record_skin(1.0, Site.RIGHT_LEG, colour)
    assert kinds(r) == ["skin_observed"] and not e.alarms.alarms
    assert e.skin() == {Site.RIGHT_LEG: colour}


def test_skin_alarm_blocks_inflation_until_pink_and_acknowledged(engine: SessionEngine) -> None:
    engine.record_skin(1.0, "left_arm", "white")
    r = engine.start_limb_group(1.0, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "T-SKIN-1"
    engine.record_skin(1.2, "left_arm", "pink")
    assert engine.alarms.get("skin:left_arm").latched  # type: ignore[union-attr]
    engine.acknowledge(1.3, "skin:left_arm")
    engine.on_readings(1.4, frame(ZERO))
    assert engine.start_limb_group(1.4, "arms").accepted


def test_bad_skin_input_is_refused(engine: SessionEngine) -> None:
    assert engine.record_skin(1.0, "left_arm", "green").refusal.rule_id == "T-SKIN-1"  # type: ignore[union-attr]
    assert not engine.record_skin(1.0, "tail", "pink").accepted
    assert not engine.record_skin(1.0, Site.UNASSIGNED, "pink").accepted


# --- S-LIMB-1 ----------------------------------------------------------------------------------


def test_blocked_site_channel_is_never_inflated() -> None:
    e = make_engine(blocked=["left_arm"])
    (cmd,) = e.start_limb_group(1.0, "arms").commands
    assert isinstance(cmd, RunCycleCommand) and cmd.channels == (1,)
    view = e.snapshot(1.0).group(LimbGroup.ARMS)
    assert view.channels == (1,) and view.blocked_channels == (0,)


def test_all_arm_sites_blocked_refuses_arms_and_allows_a_reasoned_skip() -> None:
    e = make_engine(blocked=[Site.LEFT_ARM, Site.RIGHT_ARM])
    r = e.start_limb_group(1.0, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "S-LIMB-1"
    assert e.skip_arm_phase(1.0, "both arm sites blocked (S-LIMB-1)").accepted
    e.confirm_arm_bands_off(1.0)
    (cmd,) = e.start_limb_group(1.0, "legs").commands
    assert cmd.channels == (2, 3)  # type: ignore[union-attr]


# --- T-SETS-1 and T-MODE-1 -----------------------------------------------------------------------


def test_t_sets_1_first_session_one_set(engine: SessionEngine) -> None:
    engine.start_limb_group(1.0, "arms")
    engine.release_all(2.0, "pause")
    engine.on_readings(2.5, frame(ZERO))
    r = engine.start_limb_group(2.5, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "T-SETS-1"


def test_t_sets_1_later_sessions_three_sets() -> None:
    e = make_engine(protocol(sets_per_limb=3), patient=EXPERIENCED)
    for i in range(3):
        t = 1.0 + i
        e.on_readings(t, frame(ZERO))
        assert e.start_limb_group(t, "arms").accepted
        (release,) = e.release_all(t + 0.5, "next set").commands
        e.on_command_result(t + 0.5, release.command_id, True)
    e.on_readings(4.0, frame(ZERO))
    r = e.start_limb_group(4.0, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "T-SETS-1"


def test_device_refusal_does_not_use_up_a_set(engine: SessionEngine) -> None:
    (cmd,) = engine.start_limb_group(1.0, "arms").commands
    r = engine.on_command_result(1.1, cmd.command_id, False)
    assert "command_failed" in kinds(r)
    assert not engine.group_state(LimbGroup.ARMS).running
    engine.on_readings(1.2, frame(ZERO))
    assert engine.start_limb_group(1.2, "arms").accepted


@pytest.mark.parametrize(
    ("patient", "kw"),
    [
        (NEW, {"mode": ProtocolMode.CONSTANT}),
        (PatientContext(3, "caution"), {"mode": ProtocolMode.CONSTANT}),
        (NEW, {"level": PressureLevel.MEDIUM}),
        (NEW, {"sets_per_limb": 2}),
    ],
)
def test_engine_refuses_a_protocol_the_patient_may_not_use(
    patient: PatientContext, kw: dict[str, object]
) -> None:
    mode = kw.pop("mode", ProtocolMode.CYCLE)
    with pytest.raises(SessionRefusedError) as err:
        SessionEngine(ClinicSettings(), FOUR, protocol(mode, **kw), patient)  # type: ignore[arg-type]
    assert err.value.refusal.rule_id in ("T-MODE-1", "T-SETS-1")


def test_engine_refuses_a_protocol_in_another_unit() -> None:
    with pytest.raises(SessionRefusedError):
        SessionEngine(ClinicSettings(), FOUR, protocol(), NEW, device_unit=Unit.SKU)
    SessionEngine(ClinicSettings(), FOUR, protocol(), NEW, device_unit=Unit.MMHG)


def test_progressive_cycle_sends_rising_pressures_within_the_maximum() -> None:
    e = make_engine(protocol(ProtocolMode.PROGRESSIVE_CYCLE, cycles=4, step=10.0))
    (cmd,) = e.start_limb_group(1.0, "arms").commands
    assert isinstance(cmd, RunCycleCommand) and cmd.pressures == (100, 110, 120, 130)
    assert cmd.max_pressure <= e.protocol.max_pressure(LimbGroup.ARMS)


# --- alarms through the engine ------------------------------------------------------------------


def test_acknowledge_and_audio_pause_through_the_engine(engine: SessionEngine) -> None:
    engine.start_limb_group(0.0, "arms")
    engine.on_link(1.0, False)
    assert engine.snapshot(1.0).alarms.audio.sounding
    r = engine.pause_audio(1.0)
    assert "audio_paused" in kinds(r)
    audio = engine.snapshot(16.0).alarms.audio
    assert audio.paused and audio.pause_seconds_left == pytest.approx(15.0)
    audio = engine.snapshot(31.0).alarms.audio
    assert audio.sounding and audio.priority is AlarmPriority.HIGH  # the cause persists
    r = engine.acknowledge(31.0, "link_stale")
    assert r.accepted and "alarm_acknowledged" in kinds(r)
    assert not engine.snapshot(31.0).alarms.audio.sounding
    assert not engine.acknowledge(31.0, "nonexistent").accepted


def test_snapshot_is_frozen_and_complete(engine: SessionEngine) -> None:
    engine.start_limb_group(0.0, "arms")
    engine.on_readings(0.5, holding((0, 1), 80.0, 100.0))
    snap = engine.snapshot(0.5)
    with pytest.raises(AttributeError):
        snap.state = SessionState.ABORTED  # type: ignore[misc]
    assert snap.state is SessionState.ARM_PHASE and snap.protocol_id == "test"
    assert snap.unit is Unit.MMHG and snap.link_up
    ch0 = snap.channels[0]
    assert ch0.commanded and ch0.reading is not None and ch0.reading.pressure == 80.0
    assert ch0.reading_age_s == 0.0 and ch0.group is LimbGroup.ARMS
    arms = snap.group(LimbGroup.ARMS)
    assert arms.elapsed_s == 0.5 and arms.limit_s == 900.0 and arms.sets_allowed == 1
    assert {c.control for c in snap.controls} == set(Control)
