"""The session flow: patient chosen -> checklist and cuff -> live session -> back to the set-up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from kaatsu_desktop.services import Services
from kaatsu_desktop.session import LimbGroup, SessionSnapshot
from kaatsu_desktop.session.controller import IntentRefusal
from ui.session.context import PreSessionContext, context_from_services
from ui.session.format import tr
from ui.session.page import SessionPage
from ui.session.port import CuffSummary, StartRequest
from ui.session.runner import CuffSessionHost, LiveSession
from ui.session.setup_view import SetupView

log = logging.getLogger(__name__)


class SessionFlow(QObject):
    """Wires the session page to the services (patients), the cuff host and each bridge."""

    link_state = Signal(str, str)  # words and colour role, for the main window's status bar
    session_live = Signal(bool)  # a session started (True) or was closed (False)

    def __init__(
        self,
        page: SessionPage,
        setup: SetupView,
        host: CuffSessionHost | None,
        services: Services | None,
        clock: Callable[[], datetime],
        *,
        demo: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page = page
        self.setup = setup
        self.host = host
        self.services = services
        self.clock = clock
        self.demo = demo
        self.live: LiveSession | None = None
        page.live.controls.close_requested.connect(self.close_session)
        picker = setup.picker
        if host is not None:
            page.fallback_release.append(host.release_direct)
            picker.scan_requested.connect(host.scan)
            picker.connect_requested.connect(host.connect_cuff)
            host.scanned.connect(picker.show_found)
            host.scan_failed.connect(picker.show_failure)
            host.connect_failed.connect(picker.show_failure)
            host.connected.connect(self._connected)
            host.link_changed.connect(self._link_changed)
            host.battery_changed.connect(picker.show_battery)
            host.session_started.connect(self._started)
            host.session_failed.connect(setup.show_message)
        else:
            picker.setEnabled(False)
            picker.set_state(tr("No device runtime: cuffs cannot be used here."), "error")

    # -- set-up -----------------------------------------------------------------------------------

    def prepare(self, patient_id: int) -> PreSessionContext | None:
        """Open the checklist of a patient (the main window's session request)."""
        if self.live is not None:
            self.setup.show_message(tr("A session is running: close it first."))
            return None
        if self.services is None:
            return None
        context = context_from_services(self.services, patient_id, self.clock(), demo=self.demo)
        checklist = self.setup.prepare(context)
        checklist.start_requested.connect(self._start)
        self.page.stack.setCurrentWidget(self.setup)
        return context

    def _connected(self, cuff: CuffSummary) -> None:
        self.setup.set_cuff(cuff)

    def _link_changed(self, text: str, role: str) -> None:
        self.setup.picker.set_state(text, role)
        self.link_state.emit(text, role)

    def _start(self, request: StartRequest) -> None:
        if self.host is None or self.services is None or self.live is not None:
            return
        self.setup.show_message("")
        self.host.start_session(request, self.services.settings.current())

    # -- live -------------------------------------------------------------------------------------

    def _started(self, live: LiveSession) -> None:
        self.live = live
        bridge, controller = live.bridge, live.controller
        protocol = live.request.protocol
        intents = self.host.intents() if self.host is not None else None
        assert intents is not None
        bridge.snapshot_changed.connect(self._snapshot)
        bridge.event_arrived.connect(self.page.add_event)
        bridge.intent_refused.connect(self._refused)
        self.page.begin_session(
            intents,
            live.snapshot,
            controller.buffers,
            {g: protocol.max_pressure(g) for g in LimbGroup},
            t0=controller.t0,
        )
        self.session_live.emit(True)
        log.info("session started for patient %s", live.request.patient_id)

    def _snapshot(self, snapshot: SessionSnapshot) -> None:
        self.page.show_snapshot(snapshot)

    def _refused(self, refusal: IntentRefusal) -> None:
        self.page.live.controls.show_refusal(refusal.refusal.rule_id, refusal.refusal.message)

    def close_session(self) -> None:
        """Leave a finished or aborted session: stop drawing, end the recording, back to set-up."""
        live, self.live = self.live, None
        if live is not None:
            for signal, slot in (
                (live.bridge.snapshot_changed, self._snapshot),
                (live.bridge.event_arrived, self.page.add_event),
                (live.bridge.intent_refused, self._refused),
            ):
                signal.disconnect(slot)
        if self.host is not None:
            self.host.close_session()
        self.page.end_session()
        self.setup.clear()
        self.session_live.emit(False)
