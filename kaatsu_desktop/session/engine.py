"""The session engine: state machine, interlocks, limits and alarms of one KAATSU session.

Pure and deterministic: time comes in as ``now`` (monotonic seconds) with every call, nothing is
sent or stored here. Calling contract for the glue on the device thread:

- every call returns a StepResult: send its commands at once, in order (releases come first and
  jump every queue), record its events, show its refusal;
- answer every command with ``on_command_result(now, command.command_id, ok)``;
- call ``tick(now)`` at 10 Hz or more, ``on_readings`` for every Pressure Stream frame,
  ``on_status`` for every Status frame and ``on_link`` when the link comes or goes;
- intents from the UI thread are queued to this thread; ``snapshot(now)`` is for the UI.

Not thread-safe: call it from one thread only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from devices.protocol.frames import MAX_CHANNELS
from devices.protocol.types import Site
from kaatsu_desktop.session.alarms import AlarmManager, ClearOutcome
from kaatsu_desktop.session.channels import ChannelState, GroupState
from kaatsu_desktop.session.core import HIGH, tr
from kaatsu_desktop.session.device import DeviceInputs
from kaatsu_desktop.session.interlocks import StartPlan, plan_start
from kaatsu_desktop.session.model import (
    LimbGroup,
    Refusal,
    SessionState,
    SkinColour,
    StopCriterion,
    site_from_key,
    site_label,
)
from kaatsu_desktop.session.outputs import (
    EngineCommand,
    EventKind,
    HoldCommand,
    ReleaseAllCommand,
    RunCycleCommand,
    SessionEvent,
    SetSitesCommand,
    StepResult,
)
from kaatsu_desktop.session.protocols import ProtocolMode
from kaatsu_desktop.session.snapshot import SessionSnapshot
from kaatsu_desktop.session.views import build_snapshot

log = logging.getLogger(__name__)


class SessionEngine(DeviceInputs):
    """One session from setup to finish; see the module docstring for the calling contract."""

    # --- read-only state ---------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """Current session state."""
        return self._state

    @property
    def alarms(self) -> AlarmManager:
        """The alarm manager (read it; change it only through the engine's intents)."""
        return self._alarms

    @property
    def event_log(self) -> tuple[SessionEvent, ...]:
        """Every event so far, oldest first."""
        return tuple(self._log)

    @property
    def link_up(self) -> bool:
        """The device link is up (as last told, or implied by frames)."""
        return bool(self._link_up)

    def link_fresh(self, now: float) -> bool:
        """The link is up and a frame arrived within the stale time."""
        quiet_s = now - max(self._link_since, self._last_frame_at)
        return bool(self._link_up) and not self._stale and quiet_s <= self.tuning.link_stale_s

    @property
    def pending_release_ids(self) -> tuple[int, ...]:
        """Release commands not yet confirmed by the device."""
        return tuple(self._pending_releases)

    def group_state(self, group: LimbGroup) -> GroupState:
        """Internal state of one limb group (read only)."""
        return self._groups[group]

    def channel_states(self) -> tuple[ChannelState, ...]:
        """Internal state of every mapped channel (read only)."""
        return self._channels

    def skin(self) -> Mapping[Site, SkinColour]:
        """Last skin colour recorded per site (T-SKIN-1)."""
        return dict(self._skin)

    def plan(self, now: float, group: LimbGroup) -> StartPlan | Refusal:
        """What starting ``group`` now would send, or why it is refused (no side effect)."""
        return plan_start(self, now, group)

    def snapshot(self, now: float) -> SessionSnapshot:
        """Frozen view for the UI (does not advance time)."""
        return build_snapshot(self, now if now >= self._now else self._now)

    # --- clinician intents -------------------------------------------------------------------

    def start_limb_group(self, now: float, group: LimbGroup | str) -> StepResult:
        """Inflate one set on a limb group, if every interlock allows it."""
        now = self._begin(now)
        try:
            group = LimbGroup(group)
        except ValueError:
            msg = tr("Unknown limb group {group}.").format(group=group)
            return self._refuse("start_limb_group", Refusal(None, msg))
        plan = plan_start(self, now, group)
        if isinstance(plan, Refusal):
            return self._refuse("start_limb_group", plan, group=group.value)
        g = self._groups[group]
        cid = self._take_id()
        if self.protocol.mode is ProtocolMode.CONSTANT:
            cmd: EngineCommand = HoldCommand(
                cid, group, plan.channels, self.protocol.unit, plan.pressures[0], plan.ttl_s
            )
        else:
            cmd = RunCycleCommand(
                cid,
                group,
                plan.channels,
                self.protocol.unit,
                self.protocol.inflation_s,
                self.protocol.deflation_s,
                self.protocol.cycles,
                plan.pressures,
                plan.ttl_s,
            )
        self._cmds.append(cmd)
        self._pending_inflates[cid] = (group, plan.channels)
        for ch in plan.channels:
            channel = self._by_index[ch]
            assert channel is not None
            channel.command(cid)
        if g.started_at is None:
            g.started_at = now  # T-TIME-3: the clock starts at the first inflation
            self._update_deadline()
        g.sets_started += 1
        if group is LimbGroup.ARMS and self._state is SessionState.SETUP:
            self._set_state(SessionState.ARM_PHASE)
        elif group is LimbGroup.LEGS and self._state is SessionState.CHANGEOVER:
            self._set_state(SessionState.LEG_PHASE)
        self._emit(
            EventKind.SET_STARTED,
            "T-SETS-1",
            tr("Set {n} of {total} started on the {group}.").format(
                n=g.sets_started, total=self.protocol.sets_per_limb, group=group.label
            ),
            group=group.value,
            set=g.sets_started,
            channels=list(plan.channels),
            mode=self.protocol.mode.value,
            pressures=list(plan.pressures),
            ttl_s=plan.ttl_s,
            command_id=cid,
        )
        return self._result()

    def confirm_arm_bands_off(self, now: float) -> StepResult:
        """The clinician confirms the arm bands are off; ends the arm phase (T-ORD-2)."""
        now = self._begin(now)
        refusal = self.confirm_refusal()
        if refusal is not None:
            return self._refuse("confirm_arm_bands_off", refusal)
        if self.arm_bands_confirmed_off:
            return self._result()
        arms = self._groups[LimbGroup.ARMS]
        if self._state is SessionState.ARM_PHASE:
            self._issue_release(tuple(c.channel for c in arms.channels), tr("arm phase ended"))
            self._close_group(arms, now)
            self._set_state(SessionState.CHANGEOVER)
        self.arm_bands_confirmed_off = True
        self._emit(EventKind.ARM_BANDS_CONFIRMED_OFF, "T-ORD-2", tr("Arm bands confirmed off."))
        return self._result()

    def confirm_refusal(self) -> Refusal | None:
        """Why confirming the arm bands off is not possible now (None: it is)."""
        if self._state in (SessionState.ARM_PHASE, SessionState.CHANGEOVER):
            return None
        if self._state is SessionState.SETUP:
            return Refusal("T-ORD-1", tr("Start the arm phase or skip it first."))
        return Refusal("T-ORD-1", tr("The arm phase is over."))

    def skip_arm_phase(self, now: float, reason: str) -> StepResult:
        """Skip the arm phase; refused without a recorded reason (T-ORD-1)."""
        self._begin(now)
        text = str(reason or "").strip()
        if self._state is not SessionState.SETUP:
            return self._refuse(
                "skip_arm_phase",
                Refusal("T-ORD-1", tr("The arm phase can only be skipped before it begins.")),
            )
        if not text:
            return self._refuse(
                "skip_arm_phase",
                Refusal("T-ORD-1", tr("Skipping the arm phase needs a recorded reason.")),
            )
        self._groups[LimbGroup.ARMS].skip_reason = text
        self._set_state(SessionState.CHANGEOVER)
        self._emit(
            EventKind.ARM_PHASE_SKIPPED,
            "T-ORD-1",
            tr("Arm phase skipped: {reason}").format(reason=text),
            reason=text,
        )
        return self._result()

    def release_all(self, now: float, reason: object = "clinician") -> StepResult:
        """Release every band at once, in any state; never refused, never raises (T-REL-1)."""
        text = _text(reason)
        try:
            self._begin(now)
            self._release_everything(text, "T-REL-1")
            return self._result()
        except Exception:  # the release must go out whatever else went wrong
            log.exception("release_all failed inside the engine; releasing anyway")
            self._cmds.clear()
            self._evts.clear()
            self._next_id += 1
            return StepResult((ReleaseAllCommand(self._next_id - 1, text),), ())

    def release_for_stop_criterion(self, now: float, criterion: StopCriterion | str) -> StepResult:
        """One-click release with a stop criterion as the reason (T-REL-2); never refused."""
        text = _text(criterion)
        try:
            label = StopCriterion(criterion).label
        except Exception:
            label = text
        try:
            self._begin(now)
            self._emit(
                EventKind.STOP_CRITERION,
                "T-REL-2",
                tr("Stop criterion: {what}.").format(what=label),
                criterion=text,
            )
            self._release_everything(label, "T-REL-2")
            return self._result()
        except Exception:
            return self.release_all(now, label)

    def abort(self, now: float, reason: str) -> StepResult:
        """End the session early from any state; every band is released."""
        now = self._begin(now)
        self._release_everything(tr("aborted: {reason}").format(reason=reason), "T-REL-1")
        if self._state.terminal:
            return self._refuse("abort", Refusal(None, tr("The session is already over.")))
        for g in self._groups.values():
            self._close_group(g, now)
        self._set_state(SessionState.ABORTED, reason=str(reason))
        return self._result()

    def finish(self, now: float) -> StepResult:
        """End the session normally; every band is released."""
        now = self._begin(now)
        refusal = self.finish_refusal()
        if refusal is not None:
            return self._refuse("finish", refusal)
        self._release_everything(tr("session finished"), None)
        for g in self._groups.values():
            self._close_group(g, now)
        self._set_state(SessionState.FINISHED)
        return self._result()

    def finish_refusal(self) -> Refusal | None:
        """Why finishing is not possible now (None: it is)."""
        if self._state is SessionState.SETUP:
            return Refusal(None, tr("Nothing has started; abort the session instead."))
        if self._state.terminal:
            return Refusal(None, tr("The session is already over."))
        return None

    def record_skin(self, now: float, site: Site | str, colour: SkinColour | str) -> StepResult:
        """Skin colour under a band (T-SKIN-1): not pink or rosy alarms and proposes release."""
        self._begin(now)
        try:
            site = site_from_key(site)
            colour = SkinColour(colour)
            if site is Site.UNASSIGNED:
                raise ValueError(tr("A skin colour needs a limb site."))
        except ValueError as exc:
            return self._refuse("record_skin", Refusal("T-SKIN-1", str(exc)))
        self._skin[site] = colour
        self._emit(
            EventKind.SKIN_OBSERVED,
            "T-SKIN-1",
            tr("Skin under the {site} band: {colour}.").format(
                site=site_label(site), colour=colour.label
            ),
            site=site.name.lower(),
            colour=colour.value,
        )
        cid = f"skin:{site.name.lower()}"
        if colour.favourable:
            self._clear(cid)
        else:
            self._raise(
                cid,
                HIGH,
                "T-SKIN-1",
                tr("Skin under the {site} band is {colour}: release proposed.").format(
                    site=site_label(site), colour=colour.label
                ),
                proposes_release=True,
            )
        return self._result()

    def acknowledge(self, now: float, alarm_id: str) -> StepResult:
        """Acknowledge one alarm by its condition id."""
        self._begin(now)
        alarm = self._alarms.get(alarm_id)
        outcome = self._alarms.acknowledge(self._now, alarm_id)
        if outcome is None or alarm is None:
            return self._refuse(
                "acknowledge",
                Refusal(None, tr("No unacknowledged alarm {id}.").format(id=alarm_id)),
            )
        self._emit(
            EventKind.ALARM_ACKNOWLEDGED,
            alarm.rule_id,
            tr("Alarm acknowledged: {msg}").format(msg=alarm.message),
            condition_id=alarm_id,
            removed=outcome is ClearOutcome.REMOVED,
        )
        return self._result()

    def pause_audio(self, now: float) -> StepResult:
        """Silence the alarm tone for 30 s; it returns if the cause persists."""
        now = self._begin(now)
        until = self._alarms.pause_audio(now)
        self._emit(EventKind.AUDIO_PAUSED, None, tr("Alarm audio paused."), until=until)
        return self._result()

    def assign_sites(self, now: float, sites: Mapping[int, Site]) -> StepResult:
        """Move bands between sites (setup or changeover only; moved channels must be off)."""
        now = self._begin(now)
        if self._state not in (SessionState.SETUP, SessionState.CHANGEOVER):
            return self._refuse(
                "assign_sites",
                Refusal("T-ORD-2", tr("Bands can only be moved in setup or at the changeover.")),
            )
        changed = {ch: Site(s) for ch, s in sites.items() if self._site_of(ch) != Site(s)}
        for ch in changed:
            c = self._by_index[ch] if 0 <= ch < MAX_CHANNELS else None
            if c is None:
                msg = tr("No channel {n}.").format(n=ch + 1)
                return self._refuse("assign_sites", Refusal(None, msg))
            p = c.pressure_now(now, self.tuning.link_stale_s)
            if c.commanded or p is None or p >= self.limits.residual_threshold:
                return self._refuse(
                    "assign_sites",
                    Refusal("T-ORD-2", tr("{ch} is not deflated.").format(ch=c.label)),
                )
        if not changed:
            return self._result()
        mapping = {c.channel: c.site for c in self._channels} | changed
        self._assign(mapping, keep=True)
        chans = tuple(sorted(changed))
        self._cmds.append(SetSitesCommand(self._take_id(), chans, tuple(changed[c] for c in chans)))
        self._emit(
            EventKind.SITES_ASSIGNED,
            None,
            tr("Band sites changed."),
            sites={str(ch): changed[ch].name.lower() for ch in chans},
        )
        return self._result()


def _text(value: object) -> str:
    """A reason as text, whatever was passed (a release must never fail on its reason)."""
    try:
        return str(value)
    except Exception:
        return "(unprintable reason)"
