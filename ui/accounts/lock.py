"""The screen lock: application-wide activity, the inactivity timer, and the unlock overlay.

The lock hides patient data only. It is an overlay inside the main window, never a modal dialog,
so the session page (Release all, alarms, acknowledge) stays fully live while the workstation is
locked, and the session engine never learns of the lock (issue 7).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import Authenticator, InactivityLock, SignInFailed
from kaatsu_desktop.storage import StorageError, User
from ui.accounts.signin import text_field
from ui.theme import TOUCH_MIN_PX
from ui.widgets import FieldError, primary_button, styled_label

log = logging.getLogger(__name__)

# What counts as someone at the workstation: pressing, typing, touching, scrolling, moving.
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.Wheel,
        QEvent.Type.TabletPress,
    }
)
TICK_MS = 1000


class ActivityFilter(QObject):
    """An application event filter that reports user input; it never consumes an event."""

    def __init__(self, on_activity: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS:
            self._on_activity()
        return False


class ScreenLock(QObject):
    """Drives InactivityLock from input and a timer; audits lock and checks the unlock password.

    `monotonic` is injected (tests move it by hand); the timer only asks the model, so a late
    tick locks late, never early, and nothing of the session depends on it.
    """

    locked = Signal(str)  # reason: "inactivity" or "manual"
    unlocked = Signal()
    # A lock or unlock that happened but could not be audited (a damaged database): the words.
    not_recorded = Signal(str)

    def __init__(
        self,
        auth: Authenticator,
        user: User,
        timeout: timedelta | float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        app: QApplication | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self.user = user
        self._now = monotonic
        self.model = InactivityLock(timeout, monotonic())
        self._app = app or QApplication.instance()
        self.filter = ActivityFilter(self.activity, self)
        if self._app is not None:
            self._app.installEventFilter(self.filter)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    @property
    def is_locked(self) -> bool:
        """True while the workstation is locked."""
        return self.model.locked

    def activity(self) -> None:
        """Someone used the workstation: the idle time starts again."""
        self.model.activity(self._now())

    def tick(self) -> bool:
        """Ask the model; on the change to locked, audit it and tell the window."""
        was = self.model.locked
        now_locked = self.model.tick(self._now())
        if now_locked and not was:
            self._locked("inactivity")
        return now_locked

    def lock_now(self) -> None:
        """The user's own Lock command."""
        if not self.model.locked:
            self.model.lock(self._now())
            self._locked("manual")

    def set_timeout(self, timeout: timedelta | float) -> None:
        """Apply a changed clinic setting at once."""
        self.model.set_timeout(timeout)

    def unlock(self, password: str) -> str | None:
        """Check the signed-in user's password; None when unlocked, else the reason to show."""
        try:
            signed = self._auth.unlock(self.user, password)
        except SignInFailed as failed:
            log.info("unlock refused: %s", failed.reason.value)
            return str(failed)
        except (StorageError, sqlite3.Error) as exc:
            # The stored password could not be read (or the file was found damaged during the
            # check): it stays locked, and says why. The Session page stays live behind it.
            log.error("unlock of user %d failed: %s", self.user.id, exc)
            return self.tr("Not unlocked: {error}").format(error=exc)
        self.model.unlock(self._now())
        log.info("user %d unlocked the workstation", self.user.id)
        self.unlocked.emit()
        if not signed.recorded:
            # Authenticator.unlock lets the right password through on a damaged database (the
            # clinician gets back to the workstation, closes it properly or runs the session
            # on); only the audit row is missing, and the application log has it.
            self.not_recorded.emit(
                self.tr(
                    "Unlocked, but the unlock is not in the audit trail: the database is"
                    " damaged and nothing more is saved to it."
                )
            )
        return None

    def stop(self) -> None:
        """Stop watching input (sign-out, closing)."""
        self.timer.stop()
        if self._app is not None:
            self._app.removeEventFilter(self.filter)

    def _locked(self, reason: str) -> None:
        # Patient data is hidden first: a lock whose audit row cannot be written (a damaged
        # database refuses every write) still locks; the log line is the lesser loss.
        self.locked.emit(reason)
        try:
            self._auth.lock(self.user, reason=reason)
        except (StorageError, sqlite3.Error) as exc:
            log.error("workstation locked (%s); the lock is not audited: %s", reason, exc)
            self.not_recorded.emit(
                self.tr(
                    "Locked, but the lock is not in the audit trail: the database is damaged"
                    " and nothing more is saved to it."
                )
            )
            return
        log.info("workstation locked (%s)", reason)


class UnlockPanel(QFrame):
    """The signed-in user's name, the password field and Unlock: what every lock cover shows."""

    unlock_requested = Signal(str)  # the password typed

    def __init__(self, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setAccessibleName(self.tr("Workstation locked"))
        self.title = styled_label(self.tr("Workstation locked"), "title")
        self.title.setObjectName("lockTitle")
        self.note = styled_label("", "subtitle", wrap=True)
        self.note.setObjectName("lockNote")
        self.session_note = styled_label("", "subtitle", wrap=True)  # the subclass words it
        self.session_note.setObjectName("lockSessionNote")
        self.password_field = text_field(
            "unlockPassword", self.tr("Password to unlock"), password=True
        )
        self.message = FieldError()
        self.message.setObjectName("unlockMessage")
        self.unlock_button = primary_button(self.tr("Unlock"), "unlockButton")
        self.unlock_button.clicked.connect(self._submit)
        self.password_field.returnPressed.connect(self._submit)
        self.set_user(user_name)

    def set_user(self, user_name: str) -> None:
        """Name whose password unlocks."""
        self.note.setText(
            self.tr("Patient data is hidden. {name}, type your password to unlock.").format(
                name=user_name
            )
        )

    def set_session_live(self, live: bool) -> None:
        """Say that a session runs on behind the lock."""
        self.session_note.setVisible(live)

    def show_refusal(self, reason: str | None) -> None:
        """Why the unlock failed (wrong password, locked account)."""
        self.message.show_reason(reason)

    def reset(self) -> None:
        """Clear the field and the message for the next lock."""
        self.password_field.clear()
        self.message.show_reason(None)

    def _submit(self) -> None:
        password = self.password_field.text()
        self.password_field.clear()
        if not password:
            self.message.show_reason(self.tr("Type your password."))
            return
        self.unlock_requested.emit(password)


class LockOverlay(UnlockPanel):
    """Covers the patient data pages while locked and asks the signed-in user's password."""

    switch_user_requested = Signal()
    go_to_session = Signal()

    def __init__(self, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__(user_name, parent)
        self.setObjectName("lockOverlay")
        self.session_note.setText(
            self.tr(
                "A session is running: the Session page stays live, with Release all (Esc),"
                " its alarms and the automatic releases."
            )
        )
        self.setStyleSheet(
            "QFrame#lockOverlay { background: #10151c; }"
            "QFrame#lockCard { background: #1c2530; border-radius: 12px; }"
            "QFrame#lockOverlay QLabel { color: #f2f4f7; }"
        )
        self.switch_button = QPushButton(self.tr("Sign in as someone else"))
        self.switch_button.setObjectName("switchUserButton")
        self.switch_button.setAccessibleName(self.tr("Sign out and sign in as someone else"))
        self.switch_button.setMinimumHeight(TOUCH_MIN_PX)
        self.session_button = QPushButton(self.tr("Go to the session"))
        self.session_button.setObjectName("lockGoToSession")
        self.session_button.setMinimumHeight(TOUCH_MIN_PX)

        card = QFrame()
        card.setObjectName("lockCard")
        card.setMaximumWidth(560)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.note)
        inner.addWidget(self.session_note)
        inner.addWidget(self.password_field)
        inner.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.session_button)
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 0, Qt.AlignmentFlag.AlignCenter)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.switch_button.clicked.connect(self.switch_user_requested)
        self.session_button.clicked.connect(self.go_to_session)
        self.set_session_live(False)

    def set_session_live(self, live: bool) -> None:
        """Say that a session runs on, and offer the way to it."""
        super().set_session_live(live)
        self.session_button.setVisible(live)
