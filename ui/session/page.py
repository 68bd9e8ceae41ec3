"""The Session place of the main window: Release all on top, then the set-up or the live panel.

Nothing here is modal: the pre-session checklist, the device picker and the trainer's panel are
pages and side panels, so no dialog of this page can ever cover the Release all button.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kaatsu_desktop.session import (
    LimbGroup,
    SessionEvent,
    SessionSnapshot,
    StopCriterion,
)
from kaatsu_desktop.session.ringbuffer import SessionBuffers
from ui.session.noneguard import guard_none_refcount
from ui.session.panel import LiveSessionPanel
from ui.session.port import SessionIntents
from ui.session.release import ReleaseAllBar, ReleaseKeys
from ui.session.style import session_stylesheet
from ui.session.tone import AlarmTone

log = logging.getLogger(__name__)


class SessionPage(QWidget):
    """Release all, and below it the set-up (checklist, cuff) or the live session panel."""

    released = Signal(str)  # a Release all went out (reason), for the status line and tests

    def __init__(
        self,
        setup: QWidget | None = None,
        parent: QWidget | None = None,
        *,
        tone: AlarmTone | None = None,
    ) -> None:
        super().__init__(parent)
        # The live panel makes hundreds of Qt calls a second: without the guard, PySide6 6.12.0
        # on Python 3.11 would abort the interpreter within a minute of a session (noneguard).
        guard_none_refcount()
        self.setObjectName("sessionPage")
        self.setStyleSheet(session_stylesheet())
        self.tone = tone if tone is not None else AlarmTone(self)
        self.release_bar = ReleaseAllBar()
        self.release_bar.set_audio_available(self.tone.available, self.tone.reason)
        self.tone.availability_changed.connect(
            lambda ok: self.release_bar.set_audio_available(ok, self.tone.reason)
        )
        self.live = LiveSessionPanel(tone=self.tone)
        self.setup_view = setup or QWidget()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.setup_view)
        self.stack.addWidget(self.live)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.bar_slot = QVBoxLayout()
        self.bar_slot.setContentsMargins(0, 0, 0, 0)
        self.bar_slot.addWidget(self.release_bar)
        column.addLayout(self.bar_slot)
        self.body = QHBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.stack, 1)
        column.addLayout(self.body, 1)
        self.trainer: QWidget | None = None
        self.intents: SessionIntents | None = None
        self.fallback_release: list = []  # callables releasing a connected cuff without a session
        self.keys: ReleaseKeys | None = None
        self.release_bar.release_requested.connect(self.release_all)
        self.release_bar.stop_requested.connect(self.stop_for)

    # -- keys and placement ------------------------------------------------------------------------

    def install_keys(self, window: QWidget) -> ReleaseKeys:
        """Bind Esc and Space to Release all on ``window`` (one that is always shown)."""
        if self.keys is not None:
            self.keys.detach()
        self.keys = ReleaseKeys(window, self.release_all)
        self.keys.set_session_live(self._live())
        return self.keys

    def take_release_bar(self) -> ReleaseAllBar:
        """Hand the Release all bar to the window (to keep it above every page)."""
        self.bar_slot.removeWidget(self.release_bar)
        return self.release_bar

    def set_trainer(self, panel: QWidget) -> None:
        """Demo mode: the trainer's fault panel in a column the Trainer button shows or hides."""
        self.trainer = panel
        panel.setFixedWidth(260)
        self.body.addWidget(panel)
        panel.hide()  # shown on demand: the clinician's view stays as in the clinic
        self.release_bar.add_trainer_toggle(panel)

    # -- releases ---------------------------------------------------------------------------------

    def release_all(self, reason: str = "clinician") -> None:
        """T-REL-1: release every band now, with no question asked; never raises."""
        sent = False
        if self.intents is not None:
            try:
                self.intents.release_all(reason)
                sent = True
            except Exception:
                log.exception("release all through the session failed")
        if not sent:
            for release in self.fallback_release:
                try:
                    release(reason)
                    sent = True
                except Exception:
                    log.exception("release all through the cuff link failed")
        log.warning("release all (%s)%s", reason, "" if sent else ": no cuff to release")
        self.released.emit(reason)

    def stop_for(self, criterion: StopCriterion) -> None:
        """T-REL-2: release every band with a stop criterion as the reason."""
        if self.intents is not None:
            try:
                self.intents.release_for_stop_criterion(criterion)
                self.released.emit(criterion.label)
                return
            except Exception:
                log.exception("stop-criterion release through the session failed")
        self.release_all(criterion.label)

    # -- the session ------------------------------------------------------------------------------

    def begin_session(
        self,
        intents: SessionIntents,
        snapshot: SessionSnapshot,
        buffers: SessionBuffers | None,
        max_pressure: Mapping[LimbGroup, float],
        *,
        t0: float | None = None,
    ) -> None:
        """Show the live panel for a started session."""
        self.intents = intents
        self.live.bind(intents)
        self.live.begin(snapshot, buffers, max_pressure, t0=t0)
        self.stack.setCurrentWidget(self.live)
        if self.keys is not None:
            self.keys.set_session_live(True)

    def show_snapshot(self, snapshot: SessionSnapshot) -> None:
        """Draw a snapshot (from the bridge)."""
        self.live.show_snapshot(snapshot)
        if self.keys is not None:
            self.keys.set_session_live(not snapshot.state.terminal)

    def add_events(self, events: Iterable[SessionEvent]) -> None:
        """Log events (from the bridge)."""
        self.live.add_events(events)

    def add_event(self, event: SessionEvent) -> None:
        """Log one event (the bridge's per-event signal)."""
        self.live.add_events((event,))

    def end_session(self) -> None:
        """Back to the set-up; the panel stops refreshing and the tone stops."""
        self.live.stop()
        self.live.bind(None)
        self.intents = None
        self.stack.setCurrentWidget(self.setup_view)
        if self.keys is not None:
            self.keys.set_session_live(False)

    def _live(self) -> bool:
        snap = self.live.snapshot
        return self.intents is not None and snap is not None and not snap.state.terminal
