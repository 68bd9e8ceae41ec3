"""State machine and order rules: T-ORD-1, T-ORD-2 (residual threshold), skip, abort, finish."""

from __future__ import annotations

import pytest

from devices.protocol.types import Site
from kaatsu_desktop.clinical.catalog import RULES
from kaatsu_desktop.session import (
    Control,
    LimbGroup,
    ReleaseAllCommand,
    RunCycleCommand,
    SessionEngine,
    SessionState,
    SetSitesCommand,
)
from tests.kaatsu_desktop.session.helpers import frame, holding, kinds, make_engine

S = SessionState


def to_changeover(e: SessionEngine, t: float = 1.0) -> None:
    assert e.start_limb_group(t, "arms").accepted
    e.on_readings(t + 0.1, holding((0, 1), 100.0, 100.0))
    assert e.confirm_arm_bands_off(t + 0.2).accepted
    assert e.state is S.CHANGEOVER


def arms_read(e: SessionEngine, t: float, p0: float, p1: float = 0.0) -> None:
    e.on_readings(t, frame({0: p0, 1: p1, 2: 0.0, 3: 0.0}))


def reach(e: SessionEngine, state: SessionState) -> None:
    """Drive a fresh engine to ``state`` the ordinary way."""
    if state is S.SETUP:
        return
    if state is S.ARM_PHASE:
        e.start_limb_group(1.0, "arms")
    elif state is S.CHANGEOVER:
        to_changeover(e)
    elif state is S.LEG_PHASE:
        to_changeover(e)
        arms_read(e, 2.0, 0.0)
        assert e.start_limb_group(2.0, "legs").accepted
    elif state is S.FINISHED:
        reach(e, S.ARM_PHASE)
        e.finish(3.0)
    elif state is S.ABORTED:
        e.abort(3.0, "test")
    assert e.state is state


def test_full_path_setup_arms_changeover_legs_finished(engine: SessionEngine) -> None:
    seen = [engine.state]
    r = engine.start_limb_group(1.0, LimbGroup.ARMS)
    seen.append(engine.state)
    assert isinstance(r.commands[0], RunCycleCommand) and r.commands[0].channels == (0, 1)
    engine.on_readings(1.1, holding((0, 1), 100.0, 100.0))
    engine.confirm_arm_bands_off(2.0)
    seen.append(engine.state)
    arms_read(engine, 2.5, 0.0)
    r = engine.start_limb_group(2.5, LimbGroup.LEGS)
    assert r.commands[0].channels == (2, 3)  # type: ignore[union-attr]
    seen.append(engine.state)
    r = engine.finish(3.0)
    seen.append(engine.state)
    assert isinstance(r.commands[0], ReleaseAllCommand)
    assert seen == [S.SETUP, S.ARM_PHASE, S.CHANGEOVER, S.LEG_PHASE, S.FINISHED]
    changes = [e.data["new"] for e in engine.event_log if e.kind.value == "state_changed"]
    assert changes == ["arm_phase", "changeover", "leg_phase", "finished"]


@pytest.mark.parametrize("state", [S.SETUP, S.ARM_PHASE])
def test_t_ord_1_legs_refused_before_the_arm_phase_ends(state: SessionState) -> None:
    e = make_engine()
    reach(e, state)
    r = e.start_limb_group(2.0, "legs")
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-1" and not r.commands
    assert "intent_refused" in kinds(r)


@pytest.mark.parametrize("state", [S.CHANGEOVER, S.LEG_PHASE])
def test_t_ord_1_arms_refused_once_the_arm_phase_ended(state: SessionState) -> None:
    e = make_engine()
    reach(e, state)
    arms_read(e, 2.6, 0.0)
    r = e.start_limb_group(2.6, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-1" and not r.commands


def test_skip_needs_a_reason(engine: SessionEngine) -> None:
    for reason in ("", "   "):
        r = engine.skip_arm_phase(1.0, reason)
        assert r.refusal is not None and r.refusal.rule_id == "T-ORD-1"
        assert engine.state is S.SETUP
    r = engine.skip_arm_phase(1.0, "left arm wound (S-LIMB-1)")
    assert r.accepted and engine.state is S.CHANGEOVER
    assert "arm_phase_skipped" in kinds(r)
    snap = engine.snapshot(1.0)
    assert snap.arm_skip_reason == "left arm wound (S-LIMB-1)"


def test_skip_refused_once_the_arm_phase_began(engine: SessionEngine) -> None:
    engine.start_limb_group(1.0, "arms")
    r = engine.skip_arm_phase(2.0, "changed my mind")
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-1"
    assert engine.state is S.ARM_PHASE


def test_legs_after_skip_still_need_confirmation_and_low_arm_readings(
    engine: SessionEngine,
) -> None:
    engine.skip_arm_phase(1.0, "arm bands not used")
    r = engine.start_limb_group(1.0, "legs")
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-2"
    assert "Confirm" in r.refusal.message
    engine.confirm_arm_bands_off(1.1)
    r = engine.start_limb_group(1.2, "legs")
    assert not r.accepted and "link" in r.refusal.message  # type: ignore[union-attr]
    arms_read(engine, 1.2, 0.0)
    assert engine.start_limb_group(1.2, "legs").accepted
    assert engine.state is S.LEG_PHASE


@pytest.mark.parametrize(("reading", "allowed"), [(9.9, True), (10.0, False), (10.1, False)])
def test_t_ord_2_residual_threshold_boundary(reading: float, allowed: bool) -> None:
    """A band reading below the threshold is off; at or above it, leg inflation is refused."""
    e = make_engine()
    to_changeover(e)
    arms_read(e, 5.0, 0.0, reading)
    snap = e.snapshot(5.0)
    r = e.start_limb_group(5.0, "legs")
    assert r.accepted is allowed
    assert snap.control(Control.START_LEGS).enabled is allowed
    if not allowed:
        assert r.refusal is not None and r.refusal.rule_id == "T-ORD-2"
        assert f"reads {reading:.1f} mmHg" in r.refusal.message and "channel 2" in r.refusal.message
        assert not r.commands


def test_t_ord_2_start_legs_control_says_why(engine: SessionEngine) -> None:
    to_changeover(engine)
    arms_read(engine, 1.5, 34.0)
    control = engine.snapshot(1.5).control(Control.START_LEGS)
    assert not control.enabled and control.rule_id == "T-ORD-2"
    assert control.reason == "arm channel 1 reads 34.0 mmHg, not below 10."


def test_t_ord_2_needs_a_current_arm_reading(engine: SessionEngine) -> None:
    to_changeover(engine)
    # channel 0 stops reporting pressure (sensor fault): unknown is never "off"
    engine.on_readings(2.0, frame({0: None, 1: 0.0, 2: 0.0, 3: 0.0}))
    r = engine.start_limb_group(2.0, "legs")
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-2"


def test_arms_refused_while_a_leg_band_holds_pressure(engine: SessionEngine) -> None:
    engine.on_readings(0.5, frame({0: 0.0, 1: 0.0, 2: 25.0, 3: 0.0}))
    r = engine.start_limb_group(0.5, "arms")
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-2"
    assert "leg channel 3" in r.refusal.message


def test_confirm_in_arm_phase_releases_the_arm_bands(engine: SessionEngine) -> None:
    engine.start_limb_group(1.0, "arms")
    r = engine.confirm_arm_bands_off(2.0)
    assert r.commands[0].channels == (0, 1)  # type: ignore[union-attr]
    assert "arm_bands_confirmed_off" in kinds(r)
    assert r.events[-1].rule_id == "T-ORD-2"


@pytest.mark.parametrize("state", [S.SETUP, S.LEG_PHASE, S.FINISHED, S.ABORTED])
def test_confirm_refused_outside_arm_phase_and_changeover(state: SessionState) -> None:
    e = make_engine()
    reach(e, state)
    assert not e.confirm_arm_bands_off(4.0).accepted


@pytest.mark.parametrize("state", [S.SETUP, S.ARM_PHASE, S.CHANGEOVER, S.LEG_PHASE])
def test_abort_from_every_live_state_releases_everything(state: SessionState) -> None:
    e = make_engine()
    reach(e, state)
    r = e.abort(4.0, "patient asked to stop")
    assert e.state is S.ABORTED and r.accepted
    assert isinstance(r.commands[0], ReleaseAllCommand)
    assert not any(c.commanded for c in e.channel_states())
    assert not e.start_limb_group(4.1, "arms").accepted
    assert not e.start_limb_group(4.1, "legs").accepted


@pytest.mark.parametrize("state", [S.FINISHED, S.ABORTED])
def test_abort_after_the_end_is_refused_but_still_releases(state: SessionState) -> None:
    e = make_engine()
    reach(e, state)
    r = e.abort(5.0, "again")
    assert not r.accepted and e.state is state
    assert isinstance(r.commands[0], ReleaseAllCommand)


def test_finish_refused_in_setup(engine: SessionEngine) -> None:
    r = engine.finish(1.0)
    assert not r.accepted and engine.state is S.SETUP
    assert not engine.snapshot(1.0).control(Control.FINISH).enabled


def test_two_channel_device_moves_bands_from_arms_to_legs() -> None:
    e = make_engine(sites={0: Site.LEFT_ARM, 1: Site.RIGHT_ARM})
    e.start_limb_group(1.0, "arms")
    moved = {0: Site.LEFT_LEG, 1: Site.RIGHT_LEG}
    r = e.assign_sites(1.5, moved)
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-2"  # not in changeover
    e.confirm_arm_bands_off(2.0)
    e.on_readings(2.1, frame({0: 40.0, 1: 0.0}))
    r = e.assign_sites(2.1, moved)
    assert r.refusal is not None and r.refusal.rule_id == "T-ORD-2"  # still venting
    e.on_readings(2.5, frame({0: 2.0, 1: 0.0}))
    r = e.assign_sites(2.5, moved)
    assert r.accepted and isinstance(r.commands[0], SetSitesCommand)
    assert r.commands[0].sites == (Site.LEFT_LEG, Site.RIGHT_LEG)
    r = e.start_limb_group(2.6, "legs")
    assert r.accepted and r.commands[0].channels == (0, 1)  # type: ignore[union-attr]


def test_every_rule_id_in_the_engine_is_in_the_rule_book() -> None:
    import re
    from pathlib import Path

    import kaatsu_desktop.session as session

    ids: set[str] = set()
    for path in Path(session.__file__).parent.glob("*.py"):
        ids |= set(re.findall(r"\"([STP]-[A-Z0-9]+-\d+)\"", path.read_text()))
    assert {"T-ORD-1", "T-ORD-2", "T-TIME-1", "T-TIME-2", "T-REL-1", "T-REL-2"} <= ids
    assert {"T-SKIN-1", "T-MODE-1", "T-SETS-1", "S-LIMB-1"} <= ids
    assert ids <= set(RULES)
