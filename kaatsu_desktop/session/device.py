"""Device inputs of the session engine: readings, link, status and command results."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from devices.protocol.frames import MAX_CHANNELS, ChannelSample
from devices.protocol.types import Fault, Phase
from kaatsu_desktop.session.channels import ChannelState
from kaatsu_desktop.session.core import (
    ACTIVE_PHASES,
    DEVICE_RELEASE_FAULTS,
    HIGH,
    LOW,
    SERIOUS_FAULTS,
    EngineCore,
    fault_names,
    tr,
)
from kaatsu_desktop.session.model import (
    ChannelReading,
)
from kaatsu_desktop.session.outputs import (
    EventKind,
    StepResult,
)

log = logging.getLogger(__name__)


class DeviceInputs(EngineCore):
    """What the device tells the engine; each call returns the commands and events it caused."""

    # --- device inputs -----------------------------------------------------------------------

    def tick(self, now: float) -> StepResult:
        """Advance time: limits, link staleness, release confirmation."""
        now = self._begin(now)
        t = self.tuning
        quiet_s = now - max(self._link_since, self._last_frame_at)
        if self._link_up and not self._stale and quiet_s > t.link_stale_s:
            self._link_lost(tr("No frame from the device for more than 1 s."))
        for cid, pending in list(self._pending_releases.items()):
            if now - pending.sent_at > t.release_confirm_s:
                self._release_unconfirmed()
                if self._link_up and not self._stale:
                    del self._pending_releases[cid]
                    self._resend(pending)
        return self._result()

    def on_readings(self, now: float, readings: Sequence[ChannelReading]) -> StepResult:
        """Per-channel observations of one Pressure Stream frame (called at up to 100 Hz)."""
        now = self._frame_seen(now)
        by_index = self._by_index
        for r in readings:
            ch = r.channel
            c = by_index[ch] if 0 <= ch < MAX_CHANNELS else None
            if c is None:
                continue
            c.last = r
            c.last_at = now
            self._watch_channel(c, now, r)
        return self._result()

    def on_frame(self, now: float, samples: Sequence[ChannelSample]) -> StepResult:
        """A decoded Pressure Stream frame, channel i in ``samples[i]``: as ``on_readings``.

        The live path: no ChannelReading is built per frame; a channel's ``last`` is made from
        its sample when something reads it.
        """
        now = self._frame_seen(now)
        by_index = self._by_index
        for ch, sample in enumerate(samples):
            c = by_index[ch] if ch < MAX_CHANNELS else None
            if c is None:
                continue
            c.observe(sample, now)
            self._watch_channel(c, now, sample)
        return self._result()

    def _frame_seen(self, now: float) -> float:
        now = self._begin(now)
        self._last_frame_at = now
        if not self._link_up:
            self._link_up = True
            self._link_since = now
        if self._stale:
            self._stale = False
            self._clear("link_stale")
        return now

    def _watch_channel(
        self, c: ChannelState, now: float, r: ChannelReading | ChannelSample
    ) -> None:
        """Command end, uncommanded inflation, over-pressure, deviation and leak checks."""
        t = self.tuning
        phase = r.phase
        if c.commanded:
            if phase in ACTIVE_PHASES:
                c.seen_active = True
            elif c.seen_active:
                c.release(now)  # the program ended on the device
                self._after_channel_released(c)
        elif (phase is Phase.INFLATING or phase is Phase.HOLDING) and (
            now - c.released_at > t.uncommanded_grace_s
        ):
            self._release_uncommanded(c)
        p = r.pressure
        if p is None:
            c.deviation_since = c.pump_since = None
            return
        if p > c.release_above or r.target > c.max_target:
            if not c.over:
                self._over_pressure(c, p, r.target)
        elif c.over:
            c.over = False
            self._clear(c.over_id)
        if phase is Phase.HOLDING and abs(p - r.target) > t.deviation:
            if c.deviation_since is None:
                c.deviation_since = now
            elif not c.deviating and now - c.deviation_since > t.deviation_s:
                c.deviating = True
                self._raise(
                    c.deviation_id,
                    HIGH,
                    None,
                    tr("{ch}: pressure {p:.0f}, target {t:.0f}, for more than 1 s.").format(
                        ch=c.label, p=p, t=r.target
                    ),
                )
        else:
            c.deviation_since = None
            if c.deviating:
                c.deviating = False
                self._clear(c.deviation_id)
        if r.pump_on and p < r.target - t.target_band:
            if c.pump_since is None:
                c.pump_since = now
            elif not c.leak_reading and now - c.pump_since > t.pump_s:
                c.leak_reading = True
                self._raise_leak(c, tr("pump running more than 7 s without reaching target"))
        else:
            c.pump_since = None
            if c.leak_reading:
                c.leak_reading = False
                if not c.leak_flag:
                    self._clear(c.leak_id)

    def on_link(self, now: float, connected: bool) -> StepResult:
        """The link came up or went down."""
        now = self._begin(now)
        if connected:
            if self._link_up is not True:
                self._link_up = True
                self._link_since = now
                self._emit(EventKind.LINK_CHANGED, None, tr("Device link up."), connected=True)
                for cid, pending in list(self._pending_releases.items()):
                    del self._pending_releases[cid]
                    self._resend(pending)
        else:
            if self._link_up is not False:
                self._emit(EventKind.LINK_CHANGED, None, tr("Device link lost."), connected=False)
            self._link_up = False
            self._link_lost(tr("Device link lost."))
        return self._result()

    def on_status(
        self,
        now: float,
        battery_pct: int | None,
        faults: Fault,
        channel_faults: Sequence[Fault] = (),
    ) -> StepResult:
        """A Status frame: battery, device faults and, when known, per-channel faults."""
        now = self._begin(now)
        if battery_pct is not None and battery_pct < self.tuning.battery_low_pct:
            self._raise(
                "battery_low", LOW, None, tr("Battery low: {pct} %.").format(pct=battery_pct)
            )
        else:
            self._clear("battery_low")
        faults = Fault(faults)
        rising = faults & ~self._prev_faults
        self._prev_faults = faults
        if rising & (Fault.WATCHDOG_RELEASE | Fault.PUMP_FAULT):
            self._device_released(self._channels, rising)
        serious: list[str] = []
        if faults & SERIOUS_FAULTS:
            serious.append(f"device:{fault_names(faults & SERIOUS_FAULTS)}")
        for ch, cf in enumerate(channel_faults):
            c = self._by_index[ch] if ch < MAX_CHANNELS else None
            if c is None:
                continue
            cf = Fault(cf)
            was = self._prev_channel_faults.get(ch, Fault.NONE)
            self._prev_channel_faults[ch] = cf
            if (cf & ~was) & DEVICE_RELEASE_FAULTS:
                self._device_released((c,), cf & ~was)
            if cf & SERIOUS_FAULTS:
                serious.append(f"{c.label}:{fault_names(cf & SERIOUS_FAULTS)}")
            leak = bool(cf & Fault.LEAK)
            if leak != c.leak_flag:
                c.leak_flag = leak
                if leak:
                    self._raise_leak(c, tr("the device reports a leak"))
                elif not c.leak_reading:
                    self._clear(c.leak_id)
        if faults & Fault.LEAK:
            self._raise("leak:device", HIGH, None, tr("Leak: the device reports a leak."))
        else:
            self._clear("leak:device")
        if serious:
            self._raise(
                "device_fault",
                HIGH,
                None,
                tr("Device fault: {faults}.").format(faults=", ".join(serious)),
            )
        else:
            self._clear("device_fault")
        return self._result()

    def on_command_result(self, now: float, command_id: int, ok: bool) -> StepResult:
        """The device's answer to a command the engine issued."""
        now = self._begin(now)
        pending = self._pending_releases.pop(command_id, None)
        if pending is not None:
            if ok:
                if pending.channels is None:  # a confirmed release-all covers older releases
                    for cid in [k for k, p in self._pending_releases.items() if k < command_id]:
                        del self._pending_releases[cid]
                if not self._pending_releases:
                    self._clear("release_unconfirmed")
            else:
                self._emit(
                    EventKind.COMMAND_FAILED,
                    None,
                    tr("The device did not accept a release; releasing every channel."),
                    command_id=command_id,
                )
                self._release_unconfirmed()
                if pending.channels is not None:
                    # RELEASE_ALL is never refused when well formed: fall back to it at once.
                    self._issue_release(None, pending.reason)
                else:
                    # Keep it pending: tick sends it again after the confirmation time, so a
                    # device that keeps refusing is not flooded.
                    self._pending_releases[command_id] = pending
            return self._result()
        inflate = self._pending_inflates.pop(command_id, None)
        if inflate is not None and not ok:
            group, channels = inflate
            g = self._groups[group]
            for c in g.channels:
                if c.command_id == command_id and c.commanded:
                    c.release(now)
            g.sets_started = max(0, g.sets_started - 1)  # the set never ran
            self._emit(
                EventKind.COMMAND_FAILED,
                None,
                tr("The device refused to inflate the {group}.").format(group=group.label),
                command_id=command_id,
                group=group.value,
                channels=list(channels),
            )
        return self._result()

    def on_release_unconfirmed(self, now: float) -> StepResult:
        """The link gave up waiting for a release confirmation: alarm and send it again."""
        self._begin(now)
        self._release_unconfirmed()
        self._issue_release(None, tr("release not confirmed"))
        return self._result()
