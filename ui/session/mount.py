"""Mounting the session page in the main window: the one call the composition root makes.

The session page carries the large Release all bar. While a cuff is connected or a session runs,
the other pages (Patients, Settings) show a slim Release all strip at the top of the window, so
the release is never more than one click away, and Esc and Space (application shortcuts on the
main window) release from any page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

from devices.link import CuffLink
from devices.runtime import DeviceRuntime
from devices.sim.registry import CuffRegistry
from kaatsu_desktop.services import Services
from kaatsu_desktop.session import load_presets
from ui.session.flow import SessionFlow
from ui.session.format import tr
from ui.session.page import SessionPage
from ui.session.release import ReleaseKeys
from ui.session.runner import CuffSessionHost, RecorderFactory
from ui.session.setup_view import SetupView
from ui.session.tone import AlarmTone
from ui.session.trainer import TrainerPanel

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


class ReleaseStrip(QFrame):
    """A slim Release all strip for the pages other than the session page."""

    release_requested = Signal(str)
    go_to_session = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("releaseStrip")
        self.setStyleSheet(
            "QFrame#releaseStrip { background: #2a1416; }"
            "QFrame#releaseStrip QLabel { color: #ffffff; font-size: 12pt; }"
            "QPushButton#releaseAllStripButton { background: #c8102e; color: #ffffff;"
            " border: 2px solid #ffffff; border-radius: 8px; font-size: 15pt;"
            " font-weight: bold; padding: 4px 18px; }"
        )
        self.button = QPushButton(tr("RELEASE ALL  (Esc / Space)"))
        self.button.setObjectName("releaseAllStripButton")
        self.button.setAccessibleName(tr("Release all bands"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setMinimumHeight(44)
        self.button.pressed.connect(lambda: self.release_requested.emit(tr("Release all strip")))
        self.note = QLabel(tr("A cuff is connected."))
        back = QPushButton(tr("Go to the session"))
        back.setObjectName("goToSessionButton")
        back.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        back.clicked.connect(self.go_to_session)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        row.addWidget(self.button)
        row.addWidget(self.note, 1)
        row.addWidget(back)


@dataclass
class SessionMount:
    """What ``mount_session`` built, for the composition root to keep and to shut down."""

    page: SessionPage
    setup: SetupView
    flow: SessionFlow
    host: CuffSessionHost | None
    trainer: TrainerPanel | None
    keys: ReleaseKeys
    strip: ReleaseStrip
    toolbar: QToolBar

    def close(self) -> None:
        """End a running session (every band released) before the window goes away."""
        if self.host is not None:
            worker = self.host.close_session("application closing")
            if worker is not None:
                worker.join(10.0)
        self.page.live.stop()
        self.keys.detach()


def mount_session(
    window: MainWindow,
    services: Services,
    *,
    runtime: DeviceRuntime | None,
    link: CuffLink | None,
    clock: Callable[[], datetime],
    recorder_factory: RecorderFactory | None = None,
    demo_registry: CuffRegistry | None = None,
    tone: AlarmTone | None = None,
) -> SessionMount:
    """Build the session page, its cuff host and flow, and plug them into ``window``.

    ``runtime`` and ``link`` must already be started and created (the link's ``close`` registered
    as a runtime shutdown hook); ``demo_registry`` (demo mode) holds the simulated cuffs and adds
    the trainer's fault panel; ``clock`` gives the clinic's wall time for the pre-session check.
    """
    from ui.main_window import Page

    demo = demo_registry is not None
    setup = SetupView(load_presets(), demo=demo)
    page = SessionPage(setup, tone=tone)
    host = None
    if runtime is not None and link is not None:
        host = CuffSessionHost(
            runtime, link, recorder_factory=recorder_factory, simulated=demo, parent=page
        )
    flow = SessionFlow(page, setup, host, services, clock, demo=demo, parent=page)
    trainer = None
    if demo and runtime is not None and host is not None:
        current = host
        trainer = TrainerPanel(
            runtime, demo_registry, lambda: None if current.cuff is None else current.cuff.address
        )
        page.set_trainer(trainer)
    window.set_session_page(page)
    keys = page.install_keys(window)

    strip = ReleaseStrip()
    strip.release_requested.connect(page.release_all)
    strip.go_to_session.connect(lambda: window.show_page(Page.SESSION))
    toolbar = QToolBar(tr("Release all"))
    toolbar.setObjectName("releaseToolbar")
    toolbar.setMovable(False)
    toolbar.setFloatable(False)
    toolbar.toggleViewAction().setEnabled(False)  # it cannot be hidden by hand
    toolbar.addWidget(strip)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    state = {"cuff": False, "live": False}

    def refresh_strip() -> None:
        away = window.current_page() is not Page.SESSION
        needed = state["cuff"] or state["live"]
        strip.note.setText(
            tr("A session is running.") if state["live"] else tr("A cuff is connected.")
        )
        toolbar.setVisible(away and needed)

    def on_cuff(_cuff: object) -> None:
        state["cuff"] = True
        refresh_strip()

    def on_live(live: bool) -> None:
        state["live"] = live
        refresh_strip()

    if host is not None:
        host.connected.connect(on_cuff)
    flow.session_live.connect(on_live)
    flow.link_state.connect(window.set_link_state)
    window.pages.currentChanged.connect(lambda _i: refresh_strip())
    window.session_requested.connect(lambda patient: flow.prepare(patient.id))
    refresh_strip()
    log.info("session page mounted (%s)", "demo" if demo else "clinic")
    return SessionMount(page, setup, flow, host, trainer, keys, strip, toolbar)
