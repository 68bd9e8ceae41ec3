"""SessionController: runs one KAATSU session on the device runtime's loop, for real.

It owns the cuff link subscriptions, the SessionEngine, the ring buffers and the recorder hand-off.
Everything that matters for safety happens on the device thread: readings, ticks (20 Hz on the
loop clock), commands to the cuff. Other threads only send intents (thread-safe methods returning
``concurrent.futures.Future``) and receive snapshots and events through listeners (the Qt bridge).

Who owns what (one owner each, so nothing is done twice):

- Release retries belong to the link: ``CuffLink.release``/``release_all`` write at once (no lock),
  retry 4 x 500 ms and then emit ``ReleaseUnconfirmed``. The controller does not retry. The
  engine reacts to that event (alarm, then one RELEASE_ALL), and its own "not confirmed in 2 s"
  re-send in ``tick`` is kept from stacking: a release the engine issues while a release covering
  the same channels was written less than ``coalesce_s`` ago joins that one (its confirmation
  answers both command ids) instead of starting another retry loop. Without this, every
  unconfirmed release would spawn two more every 2 s.
- Staleness belongs to the link: its timer fires exactly 1 s after the last Pressure Stream frame
  on the loop clock, whatever the tick rate, and ``LinkStale``/``LinkStateChanged`` reach the
  engine as ``on_link(False)``. The engine's own check in ``tick`` uses the same 1 s and is
  idempotent, so it only backs the link up.
- Recording failures belong to the recorder: its first failed write is kept as
  ``Recorder.failure``; the tick polls it and raises one medium technical alarm,
  ``recording_failed``. The session goes on: a record that cannot be stored is no stop
  criterion, so nothing is released or stopped; the clinician decides.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from devices.link import (
    CuffLink,
    LinkEvent,
    LinkFresh,
    LinkStale,
    LinkState,
    LinkStateChanged,
    PressureReading,
    ReleaseUnconfirmed,
    ReleaseUnconfirmedError,
    StatusReading,
)
from devices.protocol.types import Site
from devices.runtime import DeviceRuntime
from kaatsu_desktop.clinical.settings import ClinicSettings
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.session.alarms import AlarmPriority
from kaatsu_desktop.session.engine import SessionEngine
from kaatsu_desktop.session.limits import Tuning
from kaatsu_desktop.session.model import LimbGroup, Refusal, SessionState
from kaatsu_desktop.session.outputs import (
    NOTHING,
    EngineCommand,
    EventKind,
    HoldCommand,
    ReleaseAllCommand,
    ReleaseCommand,
    RunCycleCommand,
    SessionEvent,
    SetSitesCommand,
    StepResult,
)
from kaatsu_desktop.session.protocols import PatientContext, Protocol
from kaatsu_desktop.session.recorder import (
    Recorder,
    RecorderStats,
    RecordingFailure,
    stored_event,
)
from kaatsu_desktop.session.ringbuffer import SessionBuffers
from kaatsu_desktop.session.snapshot import SessionSnapshot
from kaatsu_desktop.session.summary import session_summary

log = logging.getLogger(__name__)

Unsubscribe = Callable[[], None]
_CTX = "SessionController"
_SLACK_S = 1e-6
_DOWN = (LinkState.RECONNECTING, LinkState.FAILED, LinkState.DISCONNECTED)
RECORDING_FAILED = "recording_failed"  # condition id of the alarm raised when recording fails


def _tr(text: str) -> str:
    return translate(_CTX, text)


@dataclass(frozen=True, slots=True)
class SessionSetup:
    """What a session runs with; ``sites`` None takes the band sites stored on the device."""

    settings: ClinicSettings
    protocol: Protocol
    patient: PatientContext
    sites: Mapping[int, Site] | None = None
    blocked_sites: tuple[Site | str, ...] = ()  # S-LIMB-1
    tuning: Tuning | None = None


@dataclass(frozen=True, slots=True)
class IntentRefusal:
    """An intent the engine refused, with the rule that forbids it."""

    intent: str
    refusal: Refusal


@dataclass(frozen=True, slots=True)
class ControllerStats:
    """Counters of the device-thread side (frames, samples, releases sent)."""

    frames: int  # Pressure Stream frames handled since start
    frames_recorded: int  # frames handed to the recorder
    commands_sent: int
    releases_sent: int  # release tasks started on the link
    releases_joined: int  # engine releases answered by one already being retried
    recording: bool


class SessionListener:
    """Receives the controller's output on the device thread; each method must return at once."""

    def on_snapshot(self, snapshot: SessionSnapshot) -> None:
        """A fresh snapshot (about 10 Hz, and after every intent)."""

    def on_events(self, events: tuple[SessionEvent, ...]) -> None:
        """Session events, as soon as they happen."""

    def on_refusal(self, refusal: IntentRefusal) -> None:
        """An intent was refused."""

    def on_link_event(self, event: LinkEvent) -> None:
        """A link event (state, stale, fresh, release unconfirmed, reconciled, counters)."""

    def on_recorder(self, stats: RecorderStats) -> None:
        """Recorder counters changed (at most once a second)."""


class _Flight:
    """A release being written and retried by the link, and the engine ids it answers."""

    __slots__ = ("channels", "ids", "started")

    def __init__(self, channels: tuple[int, ...] | None, started: float, cid: int) -> None:
        self.channels = channels
        self.started = started
        self.ids = [cid]

    def covers(self, channels: tuple[int, ...] | None) -> bool:
        if self.channels is None:
            return True
        return channels is not None and set(channels) <= set(self.channels)


class SessionController:
    """One session on the device runtime; see the module docstring."""

    def __init__(
        self,
        runtime: DeviceRuntime,
        link: CuffLink,
        setup: SessionSetup,
        *,
        recorder: Recorder | None = None,
        tick_hz: float = 20.0,
        snapshot_hz: float = 10.0,
        finish_grace_s: float = 2.0,
        coalesce_s: float = 0.5,
        buffer_rate_hz: float = 100.0,
    ) -> None:
        if tick_hz < 10.0:
            raise ValueError("the engine is ticked at 10 Hz or more")
        self._rt = runtime
        self._link = link
        self._setup = setup
        self._recorder = recorder
        self._tick_s = 1.0 / tick_hz
        self._snapshot_s = 1.0 / snapshot_hz
        self._grace_s = finish_grace_s
        self._coalesce_s = coalesce_s
        self._buffer_rate = buffer_rate_hz
        self._listeners: tuple[SessionListener, ...] = ()
        self._engine: SessionEngine | None = None
        self.buffers: SessionBuffers | None = None
        self.t0 = 0.0
        self._unsubscribe: list[Unsubscribe] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._flights: set[_Flight] = set()
        # The tick is a chain of loop timers, not a task sleeping: cheaper at 20 Hz.
        self._tick_timer: asyncio.TimerHandle | None = None
        self._tick_due = 0.0
        self._ticking = False
        self._last_t_ms = -1
        self._recording = recorder is not None
        self._recording_alarmed = False
        self._ended_at: float | None = None
        self._end_reason: str | None = None
        self._alarms_raised = 0
        self._next_snapshot = 0.0
        self._next_stats = 0.0
        self._last_stats: RecorderStats | None = None
        self._frames = self._frames_recorded = 0
        self._commands = self._releases = self._joined = 0

    # -- life cycle (any thread) ------------------------------------------------------------------

    def start(self) -> concurrent.futures.Future[SessionSnapshot]:
        """Build the engine on the device thread, start ticking (SessionRefusedError if refused)."""
        return self._rt.call(self._start)

    def close(self, reason: str | None = None, timeout: float = 10.0) -> None:
        """Abort if still running (every band released), end the recording, stop. Blocks.

        Call from any thread but the device thread (it waits for the device thread).
        """
        reason = reason or _tr("session closed")
        try:
            self._rt.submit(self._aclose(reason)).result(timeout)
        finally:
            if self._recorder is not None:
                self._recorder.close(timeout)

    @property
    def recorder(self) -> Recorder | None:
        """The recorder, if the session is recorded."""
        return self._recorder

    @property
    def engine(self) -> SessionEngine:
        """The engine; touch it only on the device thread."""
        if self._engine is None:
            raise RuntimeError(_tr("The session has not started."))
        return self._engine

    @property
    def started(self) -> bool:
        """True once the engine runs."""
        return self._engine is not None

    @property
    def recording(self) -> bool:
        """True while frames and events go to the recorder."""
        return self._recording

    def stats(self) -> ControllerStats:
        """Counters of the device-thread side."""
        return ControllerStats(
            self._frames,
            self._frames_recorded,
            self._commands,
            self._releases,
            self._joined,
            self._recording,
        )

    def subscribe(self, listener: SessionListener) -> Unsubscribe:
        """Add a listener (called on the device thread); returns unsubscribe."""
        self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    # -- intents (any thread; each returns a Future of the engine's StepResult) -------------------

    def start_limb_group(self, group: LimbGroup | str) -> concurrent.futures.Future[StepResult]:
        """Inflate one set on a limb group (arms first, T-ORD-1)."""
        return self._intent("start_limb_group", group)

    def confirm_arm_bands_off(self) -> concurrent.futures.Future[StepResult]:
        """The clinician confirms the arm bands are off (T-ORD-2)."""
        return self._intent("confirm_arm_bands_off")

    def skip_arm_phase(self, reason: str) -> concurrent.futures.Future[StepResult]:
        """Skip the arm phase with a recorded reason (T-ORD-1)."""
        return self._intent("skip_arm_phase", reason)

    def record_skin(self, site: Site | str, colour: str) -> concurrent.futures.Future[StepResult]:
        """Skin colour under a band (T-SKIN-1)."""
        return self._intent("record_skin", site, colour)

    def acknowledge(self, alarm_id: str) -> concurrent.futures.Future[StepResult]:
        """Acknowledge an alarm by its condition id."""
        return self._intent("acknowledge", alarm_id)

    def pause_audio(self) -> concurrent.futures.Future[StepResult]:
        """Silence the alarm tone for 30 s."""
        return self._intent("pause_audio")

    def assign_sites(self, sites: Mapping[int, Site]) -> concurrent.futures.Future[StepResult]:
        """Move bands between sites (setup or changeover only)."""
        return self._intent("assign_sites", dict(sites))

    def finish(self) -> concurrent.futures.Future[StepResult]:
        """End the session normally; every band is released."""
        return self._intent("finish")

    def abort(self, reason: str) -> concurrent.futures.Future[StepResult]:
        """End the session early; every band is released."""
        return self._intent("abort", reason)

    def release_all(self, reason: object = None) -> concurrent.futures.Future[StepResult]:
        """Release every band at once (T-REL-1); accepted whatever state the engine is in."""
        return self._rt.call(self._release_all, reason or _tr("clinician"), None)

    def release_for_stop_criterion(self, criterion: str) -> concurrent.futures.Future[StepResult]:
        """One-click release with a stop criterion as its reason (T-REL-2)."""
        return self._rt.call(self._release_all, criterion, criterion)

    # -- device thread ----------------------------------------------------------------------------

    def _now(self) -> float:
        return self._rt.loop.time()

    def _start(self) -> SessionSnapshot:
        if self._engine is not None:
            raise RuntimeError(_tr("The session has already started."))
        config = self._link.config
        if config is None:
            raise RuntimeError(_tr("The cuff is not connected."))
        s = self._setup
        sites = dict(s.sites) if s.sites is not None else dict(enumerate(config.sites))
        now = self._now()
        self._engine = SessionEngine(
            s.settings,
            sites,
            s.protocol,
            s.patient,
            s.blocked_sites,
            now,
            device_unit=config.unit,  # the protocol must be in the device's unit: never converted
            tuning=s.tuning,
        )
        self.t0 = now
        self.buffers = SessionBuffers(config.channel_count, rate_hz=self._buffer_rate)
        link = self._link
        self._unsubscribe = [
            link.subscribe_pressure(self._on_pressure),
            link.subscribe_status(self._on_status),
            link.subscribe_events(self._on_link_event),
        ]
        up = link.state is LinkState.STREAMING and not link.stale
        self._apply(self._engine.on_link(now, up))
        self._tick_due = now
        self._ticking = True
        self._schedule_tick()
        log.info("session started on %s (%s)", link.info.address if link.info else "?", sites)
        return self._publish_snapshot(now)

    async def _aclose(self, reason: str) -> None:
        engine = self._engine
        if engine is not None and not engine.state.terminal:
            self._apply(engine.abort(self._now(), reason))
        self._end_recording()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        self._ticking = False
        timer, self._tick_timer = self._tick_timer, None
        if timer is not None:
            timer.cancel()
        # Let release writes already started finish their first attempt; cancel the rest.
        await asyncio.sleep(0)
        for task in list(self._tasks):
            if not task.done() and task.get_name() != "session-release":
                task.cancel()

    def _intent(self, name: str, *args: Any) -> concurrent.futures.Future[StepResult]:
        return self._rt.call(self._do_intent, name, args)

    def _do_intent(self, name: str, args: tuple[Any, ...]) -> StepResult:
        engine = self.engine
        now = self._now()
        result: StepResult = getattr(engine, name)(now, *args)
        self._apply(result)
        if result.refusal is not None:
            self._each(lambda x: x.on_refusal(IntentRefusal(name, result.refusal)))  # type: ignore[arg-type]
        self._publish_snapshot(now)
        return result

    def _release_all(self, reason: object, criterion: str | None) -> StepResult:
        result = NOTHING
        try:
            now = self._now()
            engine = self.engine
            if criterion is not None:
                result = engine.release_for_stop_criterion(now, criterion)
            else:
                result = engine.release_all(now, reason)
        except Exception:
            log.exception("the engine failed on release all; releasing through the link")
        if not any(isinstance(c, ReleaseAllCommand) for c in result.commands):
            # T-REL-1: the release goes out whatever happened to the engine.
            self._spawn(self._direct_release_all(), "session-release")
        self._apply(result)
        try:
            self._publish_snapshot(self._now())
        except Exception:
            log.exception("snapshot after release all failed")
        return result

    async def _direct_release_all(self) -> None:
        try:
            await self._link.release_all()
        except Exception:
            log.exception("direct release all failed")

    # -- inputs from the link ---------------------------------------------------------------------

    def _on_pressure(self, reading: PressureReading) -> None:
        engine = self._engine
        buffers = self.buffers
        if engine is None or buffers is None:
            return
        now = self._rt.loop.time()
        channels = reading.frame.channels
        self._apply(engine.on_frame(now, channels))  # safety first, then plot and record
        self._frames += 1
        t = now - self.t0
        top = buffers.channels
        samples = []
        for ch, s in enumerate(channels):
            p = s.pressure
            if p is None or ch >= top:
                continue  # a sensor fault is never a reading
            samples.append((ch, p, s.target, int(s.phase)))
        buffers.append_frame(t, samples)
        recorder = self._recorder
        if self._recording and recorder is not None:
            # Times strictly increase per channel, as storage requires.
            t_ms = max(round(t * 1000.0), self._last_t_ms + 1)
            self._last_t_ms = t_ms
            recorder.add_frame(t_ms, samples)
            self._frames_recorded += 1

    def _on_status(self, reading: StatusReading) -> None:
        engine = self._engine
        if engine is None:
            return
        s = reading.status
        self._apply(
            engine.on_status(self._now(), s.battery_percent, s.device_faults, s.channel_faults)
        )

    def _on_link_event(self, event: LinkEvent) -> None:
        engine = self._engine
        if engine is None:
            return
        now = self._now()
        if isinstance(event, LinkStale):
            self._apply(engine.on_link(now, False))
        elif isinstance(event, LinkFresh):
            self._apply(engine.on_link(now, True))
        elif isinstance(event, LinkStateChanged):
            if event.state is LinkState.STREAMING:
                self._apply(engine.on_link(now, True))
            elif event.state in _DOWN:
                self._apply(engine.on_link(now, False))
        elif isinstance(event, ReleaseUnconfirmed):
            self._apply(engine.on_release_unconfirmed(now))
        self._each(lambda x: x.on_link_event(event))

    # -- ticking and output -----------------------------------------------------------------------

    def _schedule_tick(self) -> None:
        """Set the timer of the next tick, one period after the last one was due."""
        loop = self._rt.loop
        while True:
            self._tick_due += self._tick_s
            now = loop.time()
            delay = self._tick_due - now
            if delay > 0:
                # now + delay, as a sleep of delay would compute it: the same timer to the bit.
                self._tick_timer = loop.call_at(now + delay, self._on_tick_timer)
                return
            if delay < -10 * self._tick_s:
                self._tick_due = now  # far behind: carry on from now rather than burst
            self._run_tick()
            if not self._ticking:
                return

    def _on_tick_timer(self) -> None:
        self._tick_timer = None
        self._run_tick()
        if self._ticking:
            self._schedule_tick()

    def _run_tick(self) -> None:
        try:
            self._tick()
        except Exception:
            log.exception("session tick failed")

    def _tick(self) -> None:
        engine = self.engine
        now = self._now()
        self._apply(engine.tick(now))
        recorder = self._recorder
        if recorder is not None and not self._recording_alarmed:
            failure = recorder.failure  # one attribute read: the writer thread is never waited on
            if failure is not None:
                self._recording_failed(now, failure)
        # Snapshots at snapshot_hz on the loop clock; the bridge coalesces them for the UI.
        due = now + _SLACK_S >= self._next_snapshot  # float ticks may land a hair early
        if due and self._listeners:
            self._publish_snapshot(now)
        if self._ended_at is not None and self._recording:
            settled = not engine.pending_release_ids
            if settled or now - self._ended_at >= self._grace_s:
                self._end_recording()
        if recorder is not None and self._listeners and now >= self._next_stats:
            self._next_stats = now + 1.0
            stats = recorder.stats
            if stats != self._last_stats:
                self._last_stats = stats
                self._each(lambda x: x.on_recorder(stats))

    def _recording_failed(self, now: float, failure: RecordingFailure) -> None:
        """Raise the recording alarm once; the session, its releases and alarms go on as before."""
        self._recording_alarmed = True
        if failure.damaged:
            detail = _tr("the database file failed its integrity check")
        else:
            detail = f"{failure.error}: {failure.detail}"
        message = _tr(
            "Recording stopped: the session's record cannot be stored ({detail}). The session"
            " goes on; release and alarms work. Note the times by hand."
        ).format(detail=detail)
        # A technical alarm (no rule id), medium: not a stop criterion, so it proposes no release.
        # The engine has no intent for alarms raised outside it; its manager is shared with the
        # snapshot, so the alarm shows, sounds and is acknowledged like any other.
        alarm = self.engine.alarms.raise_alarm(
            now, RECORDING_FAILED, AlarmPriority.MEDIUM, None, message
        )
        if alarm is None:
            return
        event = SessionEvent(
            EventKind.ALARM_RAISED,
            now,
            None,
            message,
            {
                "condition_id": RECORDING_FAILED,
                "priority": AlarmPriority.MEDIUM.name.lower(),
                "proposes_release": False,
                "error": failure.error,
            },
        )
        self._handle_events((event,))
        self._publish_snapshot(now)

    def _publish_snapshot(self, now: float) -> SessionSnapshot:
        snapshot = self.engine.snapshot(now)
        self._next_snapshot = now + self._snapshot_s
        self._each(lambda x: x.on_snapshot(snapshot))
        return snapshot

    def _each(self, call: Callable[[SessionListener], None]) -> None:
        for listener in self._listeners:
            try:
                call(listener)
            except Exception:
                log.exception("session listener %r failed", listener)

    # -- results: commands out first, then events -------------------------------------------------

    def _apply(self, result: StepResult) -> None:
        for command in result.commands:  # releases come first in every StepResult
            try:
                self._send(command)
            except Exception:
                log.exception("could not send %r", command)
        if not result.events:
            return
        try:
            self._handle_events(result.events)
        except Exception:
            log.exception("session events not handled")

    def _send(self, command: EngineCommand) -> None:
        link = self._link
        if isinstance(command, ReleaseAllCommand):
            self._send_release(command.command_id, None)
        elif isinstance(command, ReleaseCommand):
            self._send_release(command.command_id, command.channels)
        elif isinstance(command, RunCycleCommand):
            coro = link.run_cycle(
                command.channels,
                unit=command.unit,  # as the device reports it; never converted
                inflation_s=command.inflate_s,
                deflation_s=command.deflate_s,
                ttl_s=command.ttl_s,
                pressures=command.pressures,
            )
            self._spawn(self._answer(command.command_id, coro), "session-command")
        elif isinstance(command, HoldCommand):
            coro = link.hold(
                command.channels, unit=command.unit, pressure=command.pressure, ttl_s=command.ttl_s
            )
            self._spawn(self._answer(command.command_id, coro), "session-command")
        elif isinstance(command, SetSitesCommand):
            coro = link.set_sites(command.channels, command.sites)
            self._spawn(self._answer(command.command_id, coro), "session-command")
        self._commands += 1

    def _send_release(self, cid: int, channels: tuple[int, ...] | None) -> None:
        now = self._now()
        for flight in self._flights:
            if flight.covers(channels) and now - flight.started < self._coalesce_s:
                flight.ids.append(cid)  # being written and retried right now: no second loop
                self._joined += 1
                return
        flight = _Flight(channels, now, cid)
        self._flights.add(flight)
        self._releases += 1
        # A task of its own at once: a release never waits behind an inflate awaiting its result.
        self._spawn(self._release(flight), "session-release")

    async def _release(self, flight: _Flight) -> None:
        link = self._link
        ok: bool | None
        try:
            if flight.channels is None:
                await link.release_all()
            else:
                await link.release(flight.channels)
            ok = True
        except ReleaseUnconfirmedError:
            ok = None  # the link's ReleaseUnconfirmed event has already reached the engine
        except Exception:
            log.exception("release of %s failed", flight.channels or "all channels")
            ok = False
        finally:
            self._flights.discard(flight)
        engine = self._engine
        if ok is None or engine is None:
            return
        for cid in flight.ids:
            self._apply(engine.on_command_result(self._now(), cid, ok))

    async def _answer(self, cid: int, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
            ok = True
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # rejected, superseded by a release, timed out, link lost
            log.warning("command %d failed: %s", cid, exc)
            ok = False
        if self._engine is not None:
            self._apply(self._engine.on_command_result(self._now(), cid, ok))

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = self._rt.loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _handle_events(self, events: tuple[SessionEvent, ...]) -> None:
        phase_changed = False
        for e in events:
            if e.kind is EventKind.ALARM_RAISED:
                self._alarms_raised += 1
            elif e.kind is EventKind.STATE_CHANGED:
                phase_changed = True
                if SessionState(str(e.data["new"])).terminal:
                    self._ended_at = e.time
                    reason = e.data.get("reason")
                    self._end_reason = None if reason is None else str(reason)
        recorder = self._recorder
        if self._recording and recorder is not None:
            recorder.add_events([stored_event(e, self.t0) for e in events])
            if phase_changed:
                recorder.update_summary(self.summary())
        self._each(lambda x: x.on_events(events))

    def summary(self, now: float | None = None) -> dict[str, Any]:
        """The session row's summary: state, restriction time per limb group, sets, alarms."""
        snapshot = self.engine.snapshot(self._now() if now is None else now)
        return session_summary(snapshot, self._alarms_raised)

    def _end_recording(self) -> None:
        recorder = self._recorder
        if not self._recording or recorder is None:
            return
        self._recording = False
        engine = self.engine
        if engine.state is SessionState.FINISHED:
            status, reason = "completed", None
        else:
            status, reason = "aborted", self._end_reason or _tr("session closed")
        recorder.finish(status, summary=self.summary(), end_reason=reason)
