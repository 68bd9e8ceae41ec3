"""Bookkeeping core of the session engine: state, clocks, releases, alarms and events."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from devices.protocol.frames import MAX_CHANNELS
from devices.protocol.types import Fault, Phase, Site, Unit
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.session.alarms import AlarmManager, AlarmPriority, ClearOutcome
from kaatsu_desktop.session.channels import ChannelState, GroupState
from kaatsu_desktop.session.limits import SessionLimits, Tuning
from kaatsu_desktop.session.model import (
    LimbGroup,
    Refusal,
    SessionState,
    SkinColour,
    group_of,
    site_from_key,
)
from kaatsu_desktop.session.outputs import (
    NOTHING,
    EngineCommand,
    EventKind,
    ReleaseAllCommand,
    ReleaseCommand,
    SessionEvent,
    StepResult,
)
from kaatsu_desktop.session.protocols import PatientContext, Protocol, check_protocol

log = logging.getLogger(__name__)

_CTX = "SessionEngine"
HIGH, MEDIUM, LOW = AlarmPriority.HIGH, AlarmPriority.MEDIUM, AlarmPriority.LOW
ACTIVE_PHASES = (Phase.INFLATING, Phase.HOLDING, Phase.DEFLATING)
# Faults on which the device itself releases (protocol section 7); the engine then alarms.
SERIOUS_FAULTS = Fault.OVER_PRESSURE | Fault.SENSOR_FAULT | Fault.CUFF_UNPLUGGED | Fault.PUMP_FAULT
DEVICE_RELEASE_FAULTS = SERIOUS_FAULTS | Fault.TTL_RELEASE | Fault.WATCHDOG_RELEASE


def tr(text: str) -> str:
    """Translate an engine message."""
    return translate(_CTX, text)


class SessionRefusedError(ValueError):
    """The session cannot be set up as asked (T-MODE-1, T-SETS-1, unit, channel map)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class _PendingRelease:
    """A release sent and not yet confirmed by the device."""

    __slots__ = ("channels", "reason", "sent_at")

    def __init__(self, channels: tuple[int, ...] | None, reason: str, sent_at: float) -> None:
        self.channels = channels  # None: release all
        self.reason = reason
        self.sent_at = sent_at


class EngineCore:
    """State and internal actions shared by the engine's inputs and intents."""

    def __init__(
        self,
        settings: ClinicSettings,
        sites: Mapping[int, Site],
        protocol: Protocol,
        patient: PatientContext,
        blocked_sites: Iterable[Site | str] = (),
        start_time: float = 0.0,
        *,
        device_unit: Unit | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        decision = check_protocol(patient, protocol, device_unit)
        if isinstance(decision, Refusal):
            raise SessionRefusedError(decision)
        if not sites or any(not 0 <= ch < MAX_CHANNELS for ch in sites):
            msg = tr("Channels are numbered 0 to {top}.").format(top=MAX_CHANNELS - 1)
            raise SessionRefusedError(Refusal(None, msg))
        self.protocol = protocol
        self.patient = patient
        self.limits = SessionLimits.from_settings(settings)
        self.tuning = tuning or Tuning()
        self.blocked_sites = frozenset(site_from_key(s) for s in blocked_sites)
        self.started_at = start_time
        self._state = SessionState.SETUP
        self._now = start_time
        self._alarms = AlarmManager()
        self._groups = {g: GroupState(g, self.limits.of(g)) for g in LimbGroup}
        self._by_index: list[ChannelState | None] = [None] * MAX_CHANNELS
        self._channels: tuple[ChannelState, ...] = ()
        self._assign(dict(sites))
        self.arm_bands_confirmed_off = False
        self._link_up: bool | None = None  # None: not heard of yet
        self._link_since = start_time
        self._last_frame_at = float("-inf")
        self._stale = False
        self._prev_faults = Fault.NONE
        self._prev_channel_faults: dict[int, Fault] = {}
        self._skin: dict[Site, SkinColour] = {}
        self._next_id = 1
        self._next_deadline = float("inf")
        self._pending_releases: dict[int, _PendingRelease] = {}
        self._pending_inflates: dict[int, tuple[LimbGroup, tuple[int, ...]]] = {}
        self._cmds: list[EngineCommand] = []
        self._evts: list[SessionEvent] = []
        self._log: list[SessionEvent] = []

    # --- internals ---------------------------------------------------------------------------

    def _begin(self, now: float) -> float:
        if not now >= self._now:  # also catches NaN
            now = self._now  # the clock is monotonic; a late caller never moves time back
        self._now = now
        if now >= self._next_deadline:
            self._check_time(now)
        return now

    def _result(self, refusal: Refusal | None = None) -> StepResult:
        if not self._cmds and not self._evts and refusal is None:
            return NOTHING
        # Releases go first: they jump every queue.
        cmds = sorted(
            self._cmds, key=lambda c: not isinstance(c, ReleaseCommand | ReleaseAllCommand)
        )
        result = StepResult(tuple(cmds), tuple(self._evts), refusal)
        self._cmds.clear()
        self._evts.clear()
        return result

    def _refuse(self, intent: str, refusal: Refusal, **data: object) -> StepResult:
        self._emit(
            EventKind.INTENT_REFUSED, refusal.rule_id, refusal.message, intent=intent, **data
        )
        return self._result(refusal)

    def _emit(self, kind: EventKind, rule_id: str | None, message: str, **data: object) -> None:
        event = SessionEvent(kind, self._now, rule_id, message, data)
        self._evts.append(event)
        self._log.append(event)

    def _take_id(self) -> int:
        cid = self._next_id
        self._next_id += 1
        return cid

    def _set_state(self, state: SessionState, **data: object) -> None:
        old = self._state
        self._state = state
        self._emit(
            EventKind.STATE_CHANGED,
            "T-ORD-1",
            tr("Session state: {state}.").format(state=state.value),
            old=old.value,
            new=state.value,
            **data,
        )

    def _assign(self, sites: Mapping[int, Site], keep: bool = False) -> None:
        old = {c.channel: c for c in self._channels}
        channels = []
        for ch, site in sorted(sites.items()):
            site = Site(site)
            group = group_of(site)
            c = ChannelState(ch, site, group, site in self.blocked_sites)
            if keep and ch in old:  # keep what was observed; only the band moved
                for attr in ("last", "last_at", "released_at", "leak_flag"):
                    setattr(c, attr, getattr(old[ch], attr))
            top = max(self.protocol.max_pressure(g) for g in LimbGroup)
            c.max_target = self.protocol.max_pressure(group) if group else top
            c.release_above = c.max_target + self.tuning.over_max_margin
            channels.append(c)
            self._by_index[ch] = c
        self._channels = tuple(channels)
        for g in self._groups.values():
            g.channels = tuple(c for c in channels if c.group is g.group)

    def _site_of(self, ch: int) -> Site | None:
        c = self._by_index[ch] if 0 <= ch < MAX_CHANNELS else None
        return None if c is None else c.site

    def _update_deadline(self) -> None:
        self._next_deadline = min(g.next_deadline() for g in self._groups.values())

    def _check_time(self, now: float) -> None:
        """T-TIME-1..3: warning, then automatic release of the group at its limit."""
        for g in self._groups.values():
            if not g.open or g.started_at is None:
                continue
            elapsed = now - g.started_at
            if not g.warned and elapsed >= g.limits.warning_s:
                g.warned = True
                msg = tr(
                    "Restriction time on the {group}: {m} min; automatic release at {limit} min."
                ).format(
                    group=g.group.label,
                    m=round(g.limits.warning_s / 60),
                    limit=round(g.limits.limit_s / 60),
                )
                self._emit(EventKind.TIME_WARNING, g.limits.rule_id, msg, group=g.group.value)
                self._raise(g.warning_id, MEDIUM, g.limits.rule_id, msg)
            if not g.limit_reached and elapsed >= g.limits.limit_s:
                g.limit_reached = True
                self._close_group(g, now)
                msg = tr(
                    "Time limit of {limit} min reached on the {group}: bands released."
                ).format(group=g.group.label, limit=round(g.limits.limit_s / 60))
                self._issue_release(tuple(c.channel for c in g.channels), msg)
                self._emit(EventKind.LIMIT_RELEASE, g.limits.rule_id, msg, group=g.group.value)
                self._raise(g.limit_id, HIGH, g.limits.rule_id, msg)
                self._clear(g.limit_id)  # the cause is handled; it stays latched until acknowledged
        self._update_deadline()

    def _close_group(self, g: GroupState, now: float) -> None:
        if g.started_at is not None and g.ended_at is None:
            g.ended_at = now
        self._clear(g.warning_id)
        self._update_deadline()

    def _raise(
        self,
        cid: str,
        priority: AlarmPriority,
        rule_id: str | None,
        message: str,
        *,
        proposes_release: bool = False,
    ) -> None:
        alarm = self._alarms.raise_alarm(
            self._now, cid, priority, rule_id, message, proposes_release=proposes_release
        )
        if alarm is not None:
            self._emit(
                EventKind.ALARM_RAISED,
                rule_id,
                message,
                condition_id=cid,
                priority=priority.name.lower(),
                proposes_release=proposes_release,
            )

    def _clear(self, cid: str) -> None:
        if cid not in self._alarms:
            return
        alarm = self._alarms.get(cid)
        outcome = self._alarms.clear(self._now, cid)
        if outcome is None or alarm is None:
            return
        kind = (
            EventKind.ALARM_CLEARED if outcome is ClearOutcome.REMOVED else EventKind.ALARM_LATCHED
        )
        self._emit(kind, alarm.rule_id, alarm.message, condition_id=cid)

    def _raise_leak(self, c: ChannelState, why: str) -> None:
        self._raise(c.leak_id, HIGH, None, tr("Leak on {ch}: {why}.").format(ch=c.label, why=why))

    def _issue_release(self, channels: tuple[int, ...] | None, reason: str) -> None:
        """Queue a release (None: every channel) and track it until the device confirms it."""
        cid = self._take_id()
        if channels is None:
            self._cmds.append(ReleaseAllCommand(cid, reason))
            targets: Iterable[ChannelState] = self._channels
        else:
            self._cmds.append(ReleaseCommand(cid, channels, reason))
            targets = [c for c in self._channels if c.channel in channels]
        self._pending_releases[cid] = _PendingRelease(channels, reason, self._now)
        ended = {c.group for c in targets if c.commanded}
        for c in targets:
            c.release(self._now)
        for group in ended:
            if group is not None:
                self._group_set_ended(self._groups[group])

    def _resend(self, pending: _PendingRelease) -> None:
        self._issue_release(pending.channels, pending.reason)

    def _release_everything(self, reason: str, rule_id: str | None) -> None:
        self._issue_release(None, reason)
        self._emit(
            EventKind.RELEASE,
            rule_id,
            tr("All bands released: {reason}").format(reason=reason),
            reason=reason,
        )

    def _release_unconfirmed(self) -> None:
        self._raise(
            "release_unconfirmed",
            HIGH,
            "T-REL-1",
            tr("The device has not confirmed a release; check the bands."),
        )

    def _release_uncommanded(self, c: ChannelState) -> None:
        msg = tr("{ch} inflating without a command from this session; released.").format(ch=c.label)
        self._emit(EventKind.UNCOMMANDED_INFLATION, "T-ORD-2", msg, channel=c.channel)
        self._issue_release((c.channel,), msg)

    def _over_pressure(self, c: ChannelState, pressure: float, target: float) -> None:
        c.over = True
        msg = tr("{ch} reads {p:.0f} (target {t:.0f}), above the protocol maximum {m:.0f}.").format(
            ch=c.label, p=pressure, t=target, m=c.max_target
        )
        group = self._groups[c.group] if c.group else None
        chans = tuple(x.channel for x in group.channels) if group else (c.channel,)
        self._issue_release(chans, msg)
        self._emit(EventKind.OVER_PRESSURE, None, msg, channel=c.channel, pressure=pressure)
        self._raise(c.over_id, HIGH, None, msg)

    def _link_lost(self, message: str) -> None:
        self._stale = True
        self._raise("link_stale", HIGH, None, message)
        if any(c.commanded for c in self._channels):
            # Queued for the moment the link returns; meanwhile the device's watchdog releases.
            self._release_everything(tr("device link stale"), None)

    def _device_released(self, channels: Iterable[ChannelState], why: Fault) -> None:
        hit = [c for c in channels if c.commanded]
        for c in hit:
            c.release(self._now)
        self._emit(
            EventKind.DEVICE_RELEASED,
            None,
            tr("The device released channels on its own: {why}.").format(why=fault_names(why)),
            channels=[c.channel for c in channels],
            faults=int(why),
        )
        for group in {c.group for c in hit}:
            if group is not None:
                self._group_set_ended(self._groups[group])

    def _after_channel_released(self, c: ChannelState) -> None:
        if c.group is not None:
            g = self._groups[c.group]
            if not g.running:
                self._group_set_ended(g)

    def _group_set_ended(self, g: GroupState) -> None:
        if g.running:
            return
        self._emit(
            EventKind.SET_ENDED,
            None,
            tr("Set {n} on the {group} ended.").format(n=g.sets_started, group=g.group.label),
            group=g.group.value,
            set=g.sets_started,
        )


def fault_names(faults: Fault) -> str:
    """Fault bits as text, e.g. ``leak+over_pressure``."""
    return "+".join(f.name.lower() for f in Fault if f and f in faults and f.name) or "none"
