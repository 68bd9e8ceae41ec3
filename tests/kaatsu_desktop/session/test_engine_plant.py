"""Whole sessions on the fake cuff: arms 15 min, changeover, legs 20 min; TTL without the app."""

from __future__ import annotations

import time

from kaatsu_desktop.session import (
    EventKind,
    LimbGroup,
    ReleaseCommand,
    RunCycleCommand,
    SessionEngine,
    SessionState,
)
from tests.kaatsu_desktop.session.helpers import EXPERIENCED, make_engine, protocol
from tests.kaatsu_desktop.session.plant import FakePlant, Harness

ARMS, LEGS = (0, 1), (2, 3)


def long_cycles() -> SessionEngine:
    """32 cycles of 35 s: longer than either limit, so the limits end the sets."""
    return make_engine(protocol(cycles=32, sets_per_limb=2), patient=EXPERIENCED)


def never_both(h: Harness) -> None:
    thr = h.engine.limits.residual_threshold
    arms = any(h.plant.pressurised(i, thr) for i in ARMS)
    legs = any(h.plant.pressurised(i, thr) for i in LEGS)
    assert not (arms and legs), f"arm and leg bands inflated together at {h.t}"


def test_full_session_arms_15_min_changeover_legs_20_min() -> None:
    wall = time.perf_counter()
    h = Harness(long_cycles(), FakePlant(), 0.0)
    h.advance(1.0)
    r = h.do("start_limb_group", "arms")
    (arm_cmd,) = r.commands
    assert isinstance(arm_cmd, RunCycleCommand) and arm_cmd.ttl_s == 900
    for _ in range(905):
        h.advance(1.0)
        never_both(h)
    arms = h.engine.group_state(LimbGroup.ARMS)
    assert arms.limit_reached and not any(h.plant.pressurised(i, 10.0) for i in ARMS)
    limit_events = [e for e in h.engine.event_log if e.kind is EventKind.LIMIT_RELEASE]
    assert [e.time for e in limit_events] == [901.0]  # started at 1.0, released on the limit
    assert h.do("start_limb_group", "legs").refusal.rule_id == "T-ORD-1"  # type: ignore[union-attr]
    h.do("acknowledge", "limit_release:arms")
    h.do("confirm_arm_bands_off")
    assert h.engine.state is SessionState.CHANGEOVER
    h.advance(1.0)
    legs_start = h.t
    r = h.do("start_limb_group", "legs")
    assert r.accepted and r.commands[0].ttl_s == 32 * 35 + 5  # type: ignore[union-attr]
    for _ in range(1121):  # the program ends on the cuff after 1120 s
        h.advance(1.0)
        never_both(h)
    legs = h.engine.group_state(LimbGroup.LEGS)
    assert not legs.running and not legs.limit_reached
    r = h.do("start_limb_group", "legs")  # a second set gets only what is left (T-TIME-3)
    assert r.accepted and r.commands[0].ttl_s == 1200 - 1121  # type: ignore[union-attr]
    for _ in range(85):
        h.advance(1.0)
        never_both(h)
    assert legs.limit_reached and legs.started_at == legs_start
    assert not any(h.plant.pressurised(i, 10.0) for i in LEGS)
    warnings = [e for e in h.engine.event_log if e.kind is EventKind.TIME_WARNING]
    assert [
        (e.data["group"], e.time - (1.0 if e.data["group"] == "arms" else legs_start))
        for e in warnings
    ] == [("arms", 600.0), ("legs", 900.0)]
    h.do("acknowledge", "limit_release:legs")
    assert h.do("finish").accepted and h.engine.state is SessionState.FINISHED
    assert time.perf_counter() - wall < 10.0


def test_device_releases_at_the_limit_even_when_the_app_is_gone() -> None:
    """Every inflate command carries a TTL no longer than the limit left: the cuff ends it."""
    h = Harness(long_cycles(), FakePlant(), 0.0)
    h.advance(0.5)
    h.do("start_limb_group", "arms")
    plant = h.plant
    t = h.t
    while t < 0.5 + 900.0 + 1.0:  # the app stops calling the engine: only the cuff runs
        t += 0.25
        plant.step(t)
        held = any(plant.channels[i].command is not None for i in ARMS)
        if t >= 0.5 + 900.0:
            assert not held, f"still inflated at {t}"
    assert all(plant.channels[i].pressure < 10.0 for i in ARMS)


def test_link_drop_mid_set_watchdog_and_queued_release() -> None:
    h = Harness(long_cycles(), FakePlant(), 0.0)
    h.advance(0.5)
    h.do("start_limb_group", "arms")
    h.advance(10.0)
    h.link(False)
    assert h.engine.alarms.is_active("link_stale") and h.queued  # release waits for the link
    h.advance(3.0)  # the cuff's watchdog releases after 2 s without a heartbeat
    assert all(h.plant.channels[i].command is None for i in ARMS)
    h.link(True)
    assert not h.queued
    h.advance(1.0)
    assert not h.engine.alarms.is_active("link_stale")
    assert h.engine.alarms.get("link_stale").latched  # type: ignore[union-attr]


def test_stop_criterion_mid_hold_empties_every_band() -> None:
    h = Harness(long_cycles(), FakePlant(), 0.0)
    h.advance(0.5)
    h.do("start_limb_group", "arms")
    h.advance(5.0)
    assert all(h.plant.channels[i].pressure > 90 for i in ARMS)
    h.do("release_for_stop_criterion", "dizziness")
    h.advance(1.0)
    assert all(h.plant.channels[i].pressure < 10.0 for i in range(4))
    assert not h.engine.pending_release_ids
    released = [c for c in h.sent if isinstance(c, ReleaseCommand)]
    assert not released  # a stop criterion releases everything at once, not channel by channel
