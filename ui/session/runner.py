"""The UI thread's handle on the device runtime: scan and connect a cuff, run and end sessions.

Everything that talks to the cuff runs on the device runtime's thread; this object only submits
work there and turns the answers into queued Qt signals. The composition root gives it the
runtime, the link (real radio or the simulated cuff's bleak backends) and a recorder factory,
so no SQLite or bleak object is created here.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from devices.link import (
    CuffLink,
    DiscoveredCuff,
    LinkEvent,
    LinkStale,
    LinkState,
    LinkStateChanged,
    Reconciled,
    StatusReading,
)
from devices.runtime import DeviceRuntime
from kaatsu_desktop.clinical import ClinicSettings
from kaatsu_desktop.session import LimbGroup, SessionSnapshot, SkinColour, StopCriterion
from kaatsu_desktop.session.bridge import SessionBridge
from kaatsu_desktop.session.controller import SessionController, SessionSetup
from kaatsu_desktop.session.recorder import Recorder
from kaatsu_desktop.storage.errors import StorageError
from ui.session.format import tr
from ui.session.port import CuffSummary, StartRequest

log = logging.getLogger(__name__)

RecorderFactory = Callable[[StartRequest], Recorder | None]

_STATE_WORDS = {
    LinkState.IDLE: ("Cuff: not connected", "idle"),
    LinkState.SCANNING: ("Cuff: scanning…", "info"),
    LinkState.CONNECTING: ("Cuff: connecting…", "info"),
    LinkState.STREAMING: ("Cuff: connected", "ok"),
    LinkState.RECONNECTING: ("Cuff: link lost, reconnecting…", "error"),
    LinkState.FAILED: ("Cuff: connection failed", "error"),
    LinkState.DISCONNECTED: ("Cuff: disconnected", "idle"),
}


def link_words(state: LinkState, name: str | None = None) -> tuple[str, str]:
    """The link state in words and its colour role (ok, info, warning, error, idle)."""
    text, role = _STATE_WORDS[state]
    text = tr(text)
    if name and state is LinkState.STREAMING:
        text = tr("Cuff: {name} connected").format(name=name)
    return text, role


@dataclass(frozen=True)
class LiveSession:
    """A started session: its controller, the bridge to the UI thread and the first snapshot."""

    controller: SessionController
    bridge: SessionBridge
    request: StartRequest
    snapshot: SessionSnapshot


class ControllerIntents:
    """SessionIntents over a SessionController: never blocks, never raises on a release."""

    def __init__(self, controller: SessionController, fallback: Callable[[str], None]) -> None:
        self.controller = controller
        self._fallback = fallback

    def _watch(self, name: str, fut: concurrent.futures.Future[Any]) -> None:
        def done(f: concurrent.futures.Future[Any]) -> None:
            exc = f.exception()
            if exc is not None:
                log.error("intent %s failed: %s", name, exc)

        fut.add_done_callback(done)

    def release_all(self, reason: str = "clinician") -> None:
        try:
            self._watch("release_all", self.controller.release_all(reason))
        except Exception:
            log.exception("release all through the controller failed; releasing via the link")
            self._fallback(reason)

    def release_for_stop_criterion(self, criterion: StopCriterion) -> None:
        try:
            fut = self.controller.release_for_stop_criterion(criterion.value)
            self._watch("release_for_stop_criterion", fut)
        except Exception:
            log.exception("stop-criterion release failed; releasing via the link")
            self._fallback(criterion.label)

    def start_limb_group(self, group: LimbGroup) -> None:
        self._watch("start_limb_group", self.controller.start_limb_group(group))

    def confirm_arm_bands_off(self) -> None:
        self._watch("confirm_arm_bands_off", self.controller.confirm_arm_bands_off())

    def skip_arm_phase(self, reason: str) -> None:
        self._watch("skip_arm_phase", self.controller.skip_arm_phase(reason))

    def record_skin(self, site: Any, colour: SkinColour) -> None:
        self._watch("record_skin", self.controller.record_skin(site, colour.value))

    def acknowledge(self, alarm_id: str) -> None:
        self._watch("acknowledge", self.controller.acknowledge(alarm_id))

    def pause_audio(self) -> None:
        self._watch("pause_audio", self.controller.pause_audio())

    def finish(self) -> None:
        self._watch("finish", self.controller.finish())

    def abort(self, reason: str) -> None:
        self._watch("abort", self.controller.abort(reason))


class CuffSessionHost(QObject):
    """Scan, connect, start and end sessions on the device runtime; answers come as signals."""

    scanned = Signal(object)  # tuple[DiscoveredCuff, ...]
    scan_failed = Signal(str)
    connected = Signal(object)  # CuffSummary
    connect_failed = Signal(str)
    link_changed = Signal(str, str)  # words, colour role
    battery_changed = Signal(object)  # int | None
    session_started = Signal(object)  # LiveSession
    session_failed = Signal(str)
    _done = Signal(object)  # (handler, future), queued from the device thread
    _link_event = Signal(object)  # LinkEvent, queued from the device thread
    _status = Signal(object)  # battery percent, queued from the device thread

    def __init__(
        self,
        runtime: DeviceRuntime,
        link: CuffLink,
        *,
        recorder_factory: RecorderFactory | None = None,
        simulated: bool = False,
        scan_timeout_s: float = 3.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.link = link
        self.recorder_factory = recorder_factory
        self.simulated = simulated
        self.scan_timeout_s = scan_timeout_s
        self.cuff: CuffSummary | None = None
        self.session: LiveSession | None = None
        self.battery: int | None = None
        self._state = LinkState.IDLE
        self._done.connect(self._finish)
        self._link_event.connect(self._on_link_event)
        self._status.connect(self._on_battery)
        runtime.call(link.subscribe_events, self._link_event.emit).result(5)
        runtime.call(link.subscribe_status, self._status_on_device_thread).result(5)

    # -- device thread side ------------------------------------------------------------------------

    def _status_on_device_thread(self, reading: StatusReading) -> None:
        battery = reading.status.battery_percent
        if battery != self.battery:  # a status frame comes every second: forward changes only
            self.battery = battery
            self._status.emit(battery)

    def _later(self, fut: concurrent.futures.Future[Any], handler: Callable[..., None]) -> None:
        fut.add_done_callback(lambda f: self._done.emit((handler, f)))

    def _finish(self, item: tuple[Callable[..., None], concurrent.futures.Future[Any]]) -> None:
        handler, fut = item
        handler(fut)

    # -- scanning and connecting ------------------------------------------------------------------

    def scan(self) -> None:
        """Look for cuffs; ``scanned`` or ``scan_failed`` follows."""
        fut = self.runtime.submit(self.link.scan(self.scan_timeout_s))

        def done(f: concurrent.futures.Future[list[DiscoveredCuff]]) -> None:
            exc = f.exception()
            if exc is not None:
                self.scan_failed.emit(tr("Scan failed: {error}").format(error=exc))
            else:
                self.scanned.emit(tuple(f.result()))

        self._later(fut, done)

    def connect_cuff(self, cuff: DiscoveredCuff | str) -> None:
        """Connect to a cuff; ``connected`` or ``connect_failed`` follows."""
        fut = self.runtime.submit(self.link.connect(cuff))

        def done(f: concurrent.futures.Future[Reconciled]) -> None:
            exc = f.exception()
            if exc is not None:
                self.connect_failed.emit(tr("Could not connect: {error}").format(error=exc))
                return
            reconciled = f.result()
            status = reconciled.state.status
            battery = None if status is None else status.battery_percent
            self.battery = battery
            info = reconciled.info
            self.cuff = CuffSummary(
                info.address,
                info.name or info.model or info.address,
                reconciled.config.unit,
                tuple(reconciled.config.sites),
                battery,
                self.simulated,
            )
            self.connected.emit(self.cuff)

        self._later(fut, done)

    def release_direct(self, reason: str) -> None:
        """Release every channel through the link (no session, or the session failed)."""
        if self.cuff is None:
            return
        log.warning("release all through the link: %s", reason)
        self.runtime.submit(self.link.release_all())

    # -- sessions ---------------------------------------------------------------------------------

    def start_session(self, request: StartRequest, settings: ClinicSettings) -> None:
        """Start a session for a checked request; ``session_started`` or ``session_failed``."""
        try:
            recorder = self.recorder_factory(request) if self.recorder_factory else None
        except StorageError as exc:
            # A session that cannot be recorded is not started: its record is the clinic's proof
            # of what the patient went through (a damaged or locked database, a full disk).
            log.error("session not started, its record cannot be written: %s", exc)
            self.session_failed.emit(
                tr("The session was not started: its record cannot be stored. {error}").format(
                    error=exc
                )
            )
            return
        setup = SessionSetup(
            settings=settings,
            protocol=request.protocol,
            patient=request.patient,
            sites=request.sites,
            blocked_sites=request.blocked_sites,
        )
        controller = SessionController(self.runtime, self.link, setup, recorder=recorder)
        bridge = SessionBridge(controller, self)

        def done(f: concurrent.futures.Future[SessionSnapshot]) -> None:
            exc = f.exception()
            if exc is not None:
                bridge.detach()
                if recorder is not None:
                    recorder.finish("aborted", end_reason=f"not started: {exc}")
                    threading.Thread(target=recorder.close, daemon=True).start()
                self.session_failed.emit(
                    tr("The session could not start: {error}").format(error=exc)
                )
                return
            self.session = LiveSession(controller, bridge, request, f.result())
            self.session_started.emit(self.session)

        self._later(controller.start(), done)

    def intents(self) -> ControllerIntents | None:
        """Intents for the running session."""
        if self.session is None:
            return None
        return ControllerIntents(self.session.controller, self.release_direct)

    def close_session(self, reason: str = "session closed") -> threading.Thread | None:
        """End the session (aborting it if it still runs) without blocking the UI thread."""
        session, self.session = self.session, None
        if session is None:
            return None
        session.bridge.detach()
        worker = threading.Thread(
            target=session.controller.close, args=(reason,), name="session-close", daemon=True
        )
        worker.start()
        return worker

    # -- link state -------------------------------------------------------------------------------

    def _on_link_event(self, event: LinkEvent) -> None:
        name = None if self.cuff is None else self.cuff.name
        if isinstance(event, LinkStateChanged):
            self._state = event.state
            self.link_changed.emit(*link_words(event.state, name))
        elif isinstance(event, LinkStale):
            self.link_changed.emit(tr("Cuff: no data for more than 1 s"), "error")
        elif self._state is LinkState.STREAMING:
            self.link_changed.emit(*link_words(LinkState.STREAMING, name))

    def _on_battery(self, battery: int | None) -> None:
        if self.cuff is not None:
            self.battery_changed.emit(battery)
