"""Interlocks on inflation: every reason a limb group may not be inflated now, with its rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.session.alarms import AlarmPriority
from kaatsu_desktop.session.limits import inflate_ttl
from kaatsu_desktop.session.model import LimbGroup, Refusal, SessionState
from kaatsu_desktop.session.protocols import ProtocolMode

if TYPE_CHECKING:
    from kaatsu_desktop.session.channels import ChannelState
    from kaatsu_desktop.session.engine import SessionEngine

_CTX = "SessionEngine"


def _tr(text: str) -> str:
    return translate(_CTX, text)


@dataclass(frozen=True, slots=True)
class StartPlan:
    """What starting a set would send."""

    group: LimbGroup
    channels: tuple[int, ...]
    pressures: tuple[float, ...]  # one per cycle (Constant: the held pressure)
    ttl_s: int


def plan_start(engine: SessionEngine, now: float, group: LimbGroup) -> StartPlan | Refusal:
    """The set that starting ``group`` would run now, or the first rule that forbids it."""
    state = engine.state
    protocol = engine.protocol
    g = engine.group_state(group)
    rule = g.limits.rule_id
    if state.terminal:
        return Refusal(None, _tr("The session is over."))
    if group is LimbGroup.ARMS and state in (SessionState.CHANGEOVER, SessionState.LEG_PHASE):
        return Refusal("T-ORD-1", _tr("The arm phase is over: arm bands cannot be inflated again."))
    if group is LimbGroup.LEGS and state in (SessionState.SETUP, SessionState.ARM_PHASE):
        return Refusal(
            "T-ORD-1",
            _tr("Arms first: end the arm phase, or skip it with a reason, before the legs."),
        )
    usable = g.usable
    if not usable:
        if g.channels:
            return Refusal(
                "S-LIMB-1",
                _tr("Every {group} band is on a blocked site.").format(group=group.label),
            )
        return Refusal(None, _tr("No band is assigned to the {group}.").format(group=group.label))
    if g.limit_reached:
        return Refusal(rule, _tr("The {group} reached their time limit.").format(group=group.label))
    if g.running:
        return Refusal(
            None, _tr("A set is already running on the {group}.").format(group=group.label)
        )
    if g.sets_started >= protocol.sets_per_limb:
        return Refusal(
            "T-SETS-1",
            _tr("{n} of {n} sets per limb done on the {group}.").format(
                n=protocol.sets_per_limb, group=group.label
            ),
        )
    if not engine.link_fresh(now):
        return Refusal(None, _tr("The device link is not up."))
    for alarm in engine.alarms.alarms:
        if alarm.priority is AlarmPriority.HIGH:
            return Refusal(
                alarm.rule_id,
                _tr("High-priority alarm: {msg}").format(msg=alarm.message),
            )
    other = engine.group_state(LimbGroup.ARMS if group is LimbGroup.LEGS else LimbGroup.LEGS)
    if group is LimbGroup.LEGS and not engine.arm_bands_confirmed_off:
        return Refusal("T-ORD-2", _tr("Confirm the arm bands are off first."))
    refusal = _others_deflated(engine, now, other.channels)
    if refusal is not None:
        return refusal
    ttl = inflate_ttl(
        protocol.set_seconds,
        0 if protocol.mode is ProtocolMode.CONSTANT else engine.tuning.ttl_margin_s,
        g.elapsed(now),
        g.limits.limit_s,
    )
    if ttl < 1:
        return Refusal(
            rule, _tr("No restriction time left on the {group}.").format(group=group.label)
        )
    pressures = protocol.cycle_pressures(group)
    if max(pressures) > protocol.max_pressure(group):
        return Refusal(None, _tr("The protocol would exceed its maximum pressure."))
    return StartPlan(group, tuple(c.channel for c in usable), pressures, ttl)


def _others_deflated(
    engine: SessionEngine, now: float, others: tuple[ChannelState, ...]
) -> Refusal | None:
    """T-ORD-2: arm and leg bands never at once; every band of the other group must read off."""
    threshold = engine.limits.residual_threshold
    unit = engine.protocol.unit.label
    for c in others:
        if c.commanded:
            return Refusal(
                "T-ORD-2",
                _tr("{site} channel {n} is inflated.").format(site=_kind(c), n=c.channel + 1),
            )
        pressure = c.pressure_now(now, engine.tuning.link_stale_s)
        if pressure is None:
            return Refusal(
                "T-ORD-2",
                _tr("{site} channel {n} has no current reading.").format(
                    site=_kind(c), n=c.channel + 1
                ),
            )
        if pressure >= threshold:
            return Refusal(
                "T-ORD-2",
                _tr("{site} channel {n} reads {p:.1f} {unit}, not below {t:g}.").format(
                    site=_kind(c), n=c.channel + 1, p=pressure, unit=unit, t=threshold
                ),
            )
    return None


def _kind(c: ChannelState) -> str:
    return _tr("arm") if c.group is LimbGroup.ARMS else _tr("leg")
