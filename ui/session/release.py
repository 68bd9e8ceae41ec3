"""Release all: the one large button, its keys (Esc, Space) and the stop-criteria releases.

T-REL-1: one action releases every band at once, always visible, a keyboard shortcut, no
confirmation. T-REL-2: stop criteria offered as one-click release reasons.

The shortcuts are application-wide (Qt.ApplicationShortcut) and belong to a window that is always
shown, so they fire whatever has focus. A text field keeps Space for typing (Esc still releases).
Qt does not deliver an application shortcut to a window shadowed by a modal dialog, so a small
event filter also catches Esc while any modal dialog is up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.session import StopCriterion
from ui.session.format import tr

log = logging.getLogger(__name__)

RELEASE_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Space)


def two_lines(text: str, longest: int = 12) -> str:
    """Break a long button text at the space nearest its middle (buttons do not wrap)."""
    if len(text) <= longest or " " not in text:
        return text
    middle = len(text) / 2
    cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: abs(i - middle))
    return text[:cut] + "\n" + text[cut + 1 :]


class ReleaseAllBar(QFrame):
    """The Release all button and the stop-criteria buttons, in one strip kept on top."""

    release_requested = Signal(str)  # reason
    stop_requested = Signal(object)  # StopCriterion

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("releaseBar")
        self.button = QPushButton()
        self.button.setObjectName("releaseAllButton")
        inner = QVBoxLayout(self.button)
        inner.setContentsMargins(8, 4, 8, 4)
        inner.setSpacing(0)
        for text, name in ((tr("RELEASE ALL"), "releaseTitle"), (tr("Esc / Space"), "releaseKeys")):
            label = QLabel(text)
            label.setObjectName(name)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            inner.addWidget(label)
        self.button.setAccessibleName(tr("Release all bands"))
        self.button.setAccessibleDescription(
            tr("Releases every band at once, without confirmation (T-REL-1). Keys: Esc, Space.")
        )
        self.button.setToolTip(tr("Release every band now (Esc or Space). T-REL-1"))
        # The button must not take focus from a typed field nor steal Space from itself.
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.button.setMinimumSize(320, 76)
        self.button.pressed.connect(self._release)  # on press, not on release: no delay

        stops = QWidget()
        grid = QGridLayout(stops)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        caption = QLabel(tr("Stop\nbecause of:"))
        caption.setObjectName("stopCaption")
        caption.setToolTip(tr("Stop criteria: each releases every band with its reason (T-REL-2)"))
        grid.addWidget(caption, 0, 0)
        self.stop_buttons: dict[StopCriterion, QPushButton] = {}
        for i, criterion in enumerate(StopCriterion):
            button = QPushButton(two_lines(criterion.label))
            button.setObjectName(f"stop_{criterion.value}")
            button.setProperty("stopCriterion", True)
            button.setAccessibleName(tr("Release all: {why}").format(why=criterion.label))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(44)
            # Never narrower than its words: a cut stop criterion is one a clinician may not find.
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            button.pressed.connect(lambda c=criterion: self._stop(c))
            self.stop_buttons[criterion] = button
            grid.addWidget(button, 0, i + 1)
            grid.setColumnStretch(i + 1, 1)
        # An alarm system that cannot sound must say so, where the eye goes first.
        self.audio_note = QLabel()
        self.audio_note.setObjectName("audioUnavailable")
        # Wraps rather than widening the bar: a long note must never push a stop button off a
        # narrow screen (1280 px).
        self.audio_note.setWordWrap(True)
        self.audio_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.audio_note.hide()
        grid.addWidget(self.audio_note, 1, 0, 1, len(StopCriterion))
        self._grid = grid

        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.setSpacing(16)
        row.addWidget(self.button, 0)
        row.addWidget(stops, 1)

    def add_trainer_toggle(self, panel: QWidget) -> QPushButton:
        """Demo mode: a button that shows or hides the trainer's panel."""
        toggle = QPushButton(tr("Trainer"))
        toggle.setObjectName("trainerToggle")
        toggle.setCheckable(True)
        toggle.setChecked(not panel.isHidden())
        toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        toggle.setAccessibleName(tr("Show the trainer's fault panel"))
        toggle.toggled.connect(panel.setVisible)
        self._grid.addWidget(toggle, 1, len(StopCriterion))
        self.trainer_toggle = toggle
        return toggle

    def set_audio_available(self, available: bool, reason: str = "") -> None:
        """Say clearly when alarms cannot sound (hidden when they can)."""
        text = full = ""
        if not available:
            # Short enough for one line at 1280 px; the reason is in the tooltip and read aloud.
            text = "⚠ " + tr("Audible alarms unavailable.") + " " + tr("Watch this screen.")
            full = text if not reason else f"{text} ({reason})"
        self.audio_note.setText(text)
        self.audio_note.setToolTip(full)
        self.audio_note.setAccessibleName(full)
        self.audio_note.setVisible(not available)

    def _release(self) -> None:
        self.release_requested.emit(tr("Release all button"))

    def _stop(self, criterion: StopCriterion) -> None:
        self.stop_requested.emit(criterion)


class ReleaseKeys(QObject):
    """Esc and Space release every band from anywhere in the application (T-REL-1).

    Esc always releases. Space releases while a session is live (``set_session_live``): before
    that the pre-session checklist needs Space for its check boxes, and nothing can be inflated.
    """

    def __init__(self, window: QWidget, release: Callable[[str], None]) -> None:
        super().__init__(window)
        self._release = release
        self._window = window
        self.shortcuts: dict[Qt.Key, QShortcut] = {}
        for key in RELEASE_KEYS:
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.setAutoRepeat(False)
            name = QKeySequence(key).toString()
            shortcut.activated.connect(lambda n=name: self._fire(n))
            self.shortcuts[key] = shortcut
        self.set_session_live(False)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_session_live(self, live: bool) -> None:
        """Space joins Esc while a session is live."""
        self.shortcuts[Qt.Key.Key_Space].setEnabled(live)

    @property
    def space_enabled(self) -> bool:
        """True while Space releases."""
        return self.shortcuts[Qt.Key.Key_Space].isEnabled()

    def _fire(self, key: str) -> None:
        try:
            self._release(tr("{key} key").format(key=key))
        except Exception:  # a key press must never take the application down
            log.exception("release from the keyboard failed")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Backstop: Esc under a modal dialog, where Qt holds back application shortcuts."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() != Qt.Key.Key_Escape or event.isAutoRepeat():
            return False
        modal = QApplication.activeModalWidget()
        if modal is None or modal is self._window:
            return False
        # Qt offers a key event to the focus widget first, then to its parents: act once.
        first = QApplication.focusWidget() or modal
        if watched is not first:
            return False
        self._fire("Esc")
        return False  # the dialog still closes on Esc as it always does

    def detach(self) -> None:
        """Stop listening (the window is going away)."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for shortcut in self.shortcuts.values():
            shortcut.setEnabled(False)
