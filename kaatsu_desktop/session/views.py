"""Builds the frozen SessionSnapshot from the engine's state, controls included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.session.interlocks import plan_start
from kaatsu_desktop.session.model import LimbGroup, Refusal, SessionState
from kaatsu_desktop.session.snapshot import (
    ChannelView,
    Control,
    ControlState,
    GroupStatus,
    GroupView,
    SessionSnapshot,
)

if TYPE_CHECKING:
    from kaatsu_desktop.session.channels import GroupState
    from kaatsu_desktop.session.engine import SessionEngine

_CTX = "SessionEngine"


def build_snapshot(engine: SessionEngine, now: float) -> SessionSnapshot:
    """Frozen view of ``engine`` at ``now``."""
    arms = engine.group_state(LimbGroup.ARMS)
    return SessionSnapshot(
        time=now,
        state=engine.state,
        protocol_id=engine.protocol.id,
        unit=engine.protocol.unit,
        groups=tuple(_group_view(engine, engine.group_state(g), now) for g in LimbGroup),
        channels=tuple(
            ChannelView(
                c.channel,
                c.site,
                c.group,
                c.blocked,
                c.commanded,
                c.last,
                None if c.last is None else now - c.last_at,
            )
            for c in engine.channel_states()
        ),
        alarms=engine.alarms.snapshot(now),
        link_up=engine.link_fresh(now),
        arm_bands_confirmed_off=engine.arm_bands_confirmed_off,
        arm_skip_reason=arms.skip_reason,
        legs_begun=engine.group_state(LimbGroup.LEGS).started_at is not None,
        controls=_controls(engine, now),
    )


def _group_view(engine: SessionEngine, g: GroupState, now: float) -> GroupView:
    if g.skip_reason is not None:
        status = GroupStatus.SKIPPED
    elif g.limit_reached:
        status = GroupStatus.LIMIT_REACHED
    elif g.ended_at is not None:
        status = GroupStatus.ENDED
    elif g.running:
        status = GroupStatus.RUNNING
    elif g.started_at is not None:
        status = GroupStatus.PAUSED
    else:
        status = GroupStatus.NOT_STARTED
    elapsed = g.elapsed(now)
    return GroupView(
        group=g.group,
        status=status,
        started_at=g.started_at,
        elapsed_s=elapsed,
        warning_s=g.limits.warning_s,
        limit_s=g.limits.limit_s,
        remaining_s=max(0.0, g.limits.limit_s - elapsed),
        warned=g.warned,
        sets_started=g.sets_started,
        sets_allowed=engine.protocol.sets_per_limb,
        channels=tuple(c.channel for c in g.usable),
        blocked_channels=tuple(c.channel for c in g.channels if c.blocked),
    )


def _state(control: Control, refusal: Refusal | None) -> ControlState:
    if refusal is None:
        return ControlState(control, True)
    return ControlState(control, False, refusal.rule_id, refusal.message)


def _controls(engine: SessionEngine, now: float) -> tuple[ControlState, ...]:
    def start(group: LimbGroup) -> Refusal | None:
        plan = plan_start(engine, now, group)
        return plan if isinstance(plan, Refusal) else None

    skip = (
        None
        if engine.state is SessionState.SETUP
        else Refusal(
            "T-ORD-1", translate(_CTX, "The arm phase can only be skipped before it begins.")
        )
    )
    abort = (
        Refusal(None, translate(_CTX, "The session is over.")) if engine.state.terminal else None
    )
    pause = None if engine.alarms.alarms else Refusal(None, translate(_CTX, "No alarm is active."))
    return (
        _state(Control.START_ARMS, start(LimbGroup.ARMS)),
        _state(Control.START_LEGS, start(LimbGroup.LEGS)),
        _state(Control.CONFIRM_ARM_BANDS_OFF, engine.confirm_refusal()),
        _state(Control.SKIP_ARM_PHASE, skip),
        ControlState(Control.RELEASE_ALL, True),  # T-REL-1: always available
        _state(Control.FINISH, engine.finish_refusal()),
        _state(Control.ABORT, abort),
        _state(Control.PAUSE_AUDIO, pause),
    )
