"""Hypothesis state machine over the engine and the fake cuff; safety invariants in every state."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from devices.protocol.types import Site
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.session import (
    Control,
    InflateCommand,
    LimbGroup,
    ProtocolMode,
    ReleaseAllCommand,
    SessionEngine,
    SessionState,
    SkinColour,
    StopCriterion,
)
from tests.kaatsu_desktop.session.helpers import EXPERIENCED, FOUR, NEW, protocol
from tests.kaatsu_desktop.session.plant import FakePlant, Harness

# Short limits so that random walks reach warnings and limits: arms 1/2 min, legs 1/3 min.
SHORT = ClinicSettings(arm_warning_min=1, arm_limit_min=2, leg_warning_min=1, leg_limit_min=3)
STEP = 0.5  # frame and tick period of the walk
SLACK_S = 1.0  # "no channel inflated more than 1 s past its limit"


class SessionMachine(RuleBasedStateMachine):
    """Random clinician and device behaviour around one session."""

    def __init__(self) -> None:
        super().__init__()
        self.h: Harness
        self.seen: set[int] = set()

    @initialize(
        mode=st.sampled_from(list(ProtocolMode)),
        experienced=st.booleans(),
        blocked=st.sets(st.sampled_from([Site.LEFT_ARM, Site.RIGHT_LEG]), max_size=2),
    )
    def setup(self, mode: ProtocolMode, experienced: bool, blocked: set[Site]) -> None:
        if mode is ProtocolMode.CONSTANT:
            experienced = True  # T-MODE-1: Constant only for clear, experienced patients
        if mode is ProtocolMode.CONSTANT:
            proto = protocol(mode, hold_s=200)
        else:  # 14 cycles of 15 s: a set outlasts both short limits
            step = 5.0 if mode is ProtocolMode.PROGRESSIVE_CYCLE else 0.0
            proto = protocol(mode, inflation_s=10, deflation_s=5, cycles=14, step=step)
        if experienced:
            proto = proto.adjusted(sets_per_limb=3)
        patient = EXPERIENCED if experienced else NEW
        engine = SessionEngine(SHORT, FOUR, proto, patient, blocked, 0.0)
        self.h = Harness(engine, FakePlant(), 0.0)
        self.h.link(True)
        self.h.advance(STEP, STEP)

    # --- rules -----------------------------------------------------------------------------

    @rule(group=st.sampled_from(list(LimbGroup)))
    def start(self, group: LimbGroup) -> None:
        h = self.h
        e = h.engine
        thr = e.limits.residual_threshold
        result = h.do("start_limb_group", group)
        if not result.accepted:
            assert not result.commands
            return
        other = LimbGroup.ARMS if group is LimbGroup.LEGS else LimbGroup.LEGS
        for c in e.group_state(other).channels:
            # T-ORD-2 checked against the cuff itself, not only against the engine's view
            assert not h.plant.channels[c.channel].command, "other group under command"
            assert h.plant.channels[c.channel].pressure < thr
        g = e.group_state(group)
        assert g.started_at is not None
        for cmd in result.commands:
            assert isinstance(cmd, InflateCommand)
            assert cmd.max_pressure <= e.protocol.max_pressure(group)
            assert cmd.ttl_s <= g.limits.limit_s - (h.t - g.started_at)
            assert not {c.channel for c in e.group_state(other).channels} & set(cmd.channels)
            blocked = {c.channel for c in g.channels if c.blocked}
            assert not blocked & set(cmd.channels), "S-LIMB-1: blocked site inflated"

    @rule(patient_wait=st.booleans())
    def progress(self, patient_wait: bool) -> None:
        """What a clinician does next on a good day: clears alarms and moves the session on."""
        h = self.h
        if not h.plant.link_up:
            h.link(True)
        h.advance(2 * STEP, STEP)
        self.acknowledge_all()
        state = h.engine.state
        if state is SessionState.SETUP:
            self.start(LimbGroup.ARMS)
        elif state is SessionState.ARM_PHASE and patient_wait:
            self.to_next_deadline(STEP)
        elif state is SessionState.ARM_PHASE:
            h.do("confirm_arm_bands_off")
            self.start(LimbGroup.LEGS)  # a hurried click while the arm bands still vent
        elif state in (SessionState.CHANGEOVER, SessionState.LEG_PHASE):
            if patient_wait:
                h.advance(2.0, STEP)  # arm bands vent below the residual threshold
            self.start(LimbGroup.LEGS)

    @rule()
    def confirm_arm_bands_off(self) -> None:
        self.h.do("confirm_arm_bands_off")

    @rule(reason=st.sampled_from(["", "  ", "right arm wound"]))
    def skip_arms(self, reason: str) -> None:
        result = self.h.do("skip_arm_phase", reason)
        if not reason.strip():
            assert not result.accepted

    @rule(reason=st.sampled_from(["clinician", "patient asked", ""]))
    def release_all(self, reason: str) -> None:
        result = self.h.do("release_all", reason)
        assert result.accepted
        assert isinstance(result.commands[0], ReleaseAllCommand)
        assert not any(c.commanded for c in self.h.engine.channel_states())

    @rule(criterion=st.sampled_from(list(StopCriterion)))
    def stop(self, criterion: StopCriterion) -> None:
        result = self.h.do("release_for_stop_criterion", criterion)
        assert result.accepted and isinstance(result.commands[0], ReleaseAllCommand)

    @rule(
        site=st.sampled_from([Site.LEFT_ARM, Site.RIGHT_ARM, Site.LEFT_LEG, Site.RIGHT_LEG]),
        colour=st.sampled_from([SkinColour.PINK, SkinColour.ROSY, *SkinColour]),
    )
    def skin(self, site: Site, colour: SkinColour) -> None:
        self.h.do("record_skin", site, colour)

    @rule(up=st.booleans())
    def link(self, up: bool) -> None:
        self.h.link(up)

    @rule(dt=st.floats(min_value=0.1, max_value=40.0))
    def tick(self, dt: float) -> None:
        self.h.advance(round(dt / STEP) * STEP or STEP, STEP)

    @rule(offset=st.sampled_from([-STEP, 0.0, STEP, 2 * STEP]))
    def to_next_deadline(self, offset: float) -> None:
        """Jump to just around the next warning or limit, where the boundaries are."""
        deadlines = [g.next_deadline() for g in (self.h.engine.group_state(x) for x in LimbGroup)]
        target = min(deadlines) + offset
        if target != float("inf") and target > self.h.t:
            self.h.advance(round((target - self.h.t) / STEP) * STEP or STEP, STEP)

    @rule()
    def acknowledge_all(self) -> None:
        for alarm in self.h.engine.alarms.alarms:
            self.h.do("acknowledge", alarm.condition_id)

    @rule()
    def pause_audio(self) -> None:
        self.h.do("pause_audio")

    @rule()
    def finish(self) -> None:
        self.h.do("finish")

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def arm_and_leg_bands_never_inflated_at_once(self) -> None:
        h = self.h
        thr = h.engine.limits.residual_threshold
        arms = [c.channel for c in h.engine.group_state(LimbGroup.ARMS).channels]
        legs = [c.channel for c in h.engine.group_state(LimbGroup.LEGS).channels]
        on_arms = any(h.plant.pressurised(i, thr) for i in arms)
        on_legs = any(h.plant.pressurised(i, thr) for i in legs)
        assert not (on_arms and on_legs), f"T-ORD-2 broken at {h.t}"
        commanded = {c.group for c in h.engine.channel_states() if c.commanded}
        assert len(commanded) <= 1

    @invariant()
    def nothing_inflated_past_its_limit(self) -> None:
        h = self.h
        thr = h.engine.limits.residual_threshold
        for group in LimbGroup:
            g = h.engine.group_state(group)
            if g.started_at is None or h.t <= g.started_at + g.limits.limit_s + SLACK_S:
                continue
            for c in g.channels:
                assert not h.plant.pressurised(c.channel, thr), (
                    f"{group} channel {c.channel} inflated at {h.t}, limit "
                    f"{g.started_at + g.limits.limit_s}"
                )

    @invariant()
    def legs_never_before_arms_unless_skipped(self) -> None:
        e = self.h.engine
        legs = e.group_state(LimbGroup.LEGS)
        arms = e.group_state(LimbGroup.ARMS)
        if legs.started_at is None:
            return
        assert arms.skip_reason or (
            arms.ended_at is not None and arms.ended_at <= legs.started_at
        ), "T-ORD-1 broken"
        if arms.skip_reason is not None:
            assert arms.skip_reason.strip()

    @invariant()
    def targets_never_above_the_protocol_maximum(self) -> None:
        e = self.h.engine
        for c in e.channel_states():
            seen = self.h.plant.max_target_seen.get(c.channel, 0.0)
            assert c.group is not None or seen == 0.0
            if c.group is not None:
                assert seen <= e.protocol.max_pressure(c.group)
            assert self.h.plant.channels[c.channel].target <= e.protocol.max_pressure(
                c.group or LimbGroup.LEGS
            )

    @invariant()
    def snapshot_is_consistent(self) -> None:
        snap = self.h.engine.snapshot(self.h.t)
        assert snap.state is self.h.engine.state
        assert snap.control(Control.RELEASE_ALL).enabled  # T-REL-1: always available
        for g in snap.groups:
            assert g.elapsed_s >= 0.0 and g.remaining_s >= 0.0


SessionMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSessionMachine = SessionMachine.TestCase
