"""The lock over every other window: dialogs and message boxes are covered, never closed.

A dialog open when the lock fires (Edit patient, a clearance, a message box, a file chooser) is a
window of its own, over the main window's overlay. Hiding it would end its exec() and lose what
was typed, so each such window gets an opaque cover of its own, with the password field: a modal
dialog blocks input to the main window, so the unlock must be reachable in the dialog itself.
While covered, the window's own widgets are disabled (no typing or tabbing behind the cover), its
title is neutral, and Esc and Return do nothing to it; Unlock puts every one of them back as it
was, typed text and focus included (issue 7). The program may still close a covered dialog (its
own accept or done); so may the window manager's close button, as Cancel would, showing nothing:
Qt tells neither close apart from the other.

Windows under the Session page (the one patient in the chair) are left uncovered, as the page is.
Esc still reaches the session's release keys: they watch the application before any widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ui.accounts.lock import UnlockPanel

log = logging.getLogger(__name__)

# Windows that show content of their own; popups and tooltips are closed instead of covered.
COVERED_TYPES = frozenset(
    {
        Qt.WindowType.Window,
        Qt.WindowType.Dialog,
        Qt.WindowType.Sheet,
        Qt.WindowType.Tool,
    }
)
# A window smaller than this grows while locked so the password field fits (a message box).
MIN_COVER = QSize(380, 250)


class WindowCover(UnlockPanel):
    """An opaque cover over one whole window, with the unlock form; it swallows every key."""

    def __init__(self, user_name: str, parent: QWidget) -> None:
        super().__init__(user_name, parent)
        self.setObjectName("windowLockCover")
        self.setStyleSheet(
            "QFrame#windowLockCover { background: #1c2530; border: 1px solid #3a4656; }"
            "QFrame#windowLockCover QLabel { color: #f2f4f7; }"
        )
        self.session_note.setText(
            self.tr(
                "A session is running: Esc releases every band; its alarms and automatic"
                " releases go on."
            )
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addStretch(1)
        for widget in (self.title, self.note, self.session_note, self.password_field, self.message):
            layout.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        layout.addLayout(row)
        layout.addStretch(1)
        self.set_session_live(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Keys the password field leaves (Esc, Return) must not reach the dialog: Esc would
        # reject it and Return press its default button, both behind the cover.
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        event.accept()


@dataclass
class _Covered:
    """One covered window and what to give back to it at unlock."""

    window: QWidget
    cover: WindowCover
    title: str
    focus: QWidget | None
    disabled: list[QWidget] = field(default_factory=list)
    sizes: tuple[QSize, QSize, QSize] | None = None  # minimum, maximum, size before growing
    forced_disabled: bool = False  # disabled by the program itself, not through a locked page


def _alive(obj: QObject | None) -> bool:
    return obj is not None and shiboken6.isValid(obj)


def _grow(item: _Covered) -> None:
    """Make a window too small for its cover's password field big enough (the first time, note
    its sizes to give back). Again after its own layout fitted it to its content (QMessageBox)."""
    window = item.window
    size = window.size()
    if size.width() >= MIN_COVER.width() and size.height() >= MIN_COVER.height():
        return
    if item.sizes is None:
        item.sizes = (window.minimumSize(), window.maximumSize(), size)
    grown = size.expandedTo(MIN_COVER)
    window.setMaximumSize(window.maximumSize().expandedTo(grown))
    window.setMinimumSize(grown)
    window.resize(grown)


def _enable(window: QWidget) -> None:
    # A dialog of a page the lock disabled is disabled with it, and its cover too. Unlike any
    # other widget, a window can be enabled on its own; it must be, for its cover to take input.
    if not window.isEnabled():
        window.setEnabled(True)


class WindowCovers(QObject):
    """Covers every visible window but the main one while locked, and new ones as they open.

    `exempt(window)` names windows left uncovered (the main window, which has its own overlay,
    and anything under the Session page). Every cover's Unlock goes to `unlock_requested`.
    Nothing is covered once `owner` (the main window) is closed: its lock has ended with it.
    """

    unlock_requested = Signal(object, str)  # (the WindowCover typed in, the password)

    def __init__(
        self,
        user_name: str,
        owner: QWidget,
        exempt: Callable[[QWidget], bool],
        *,
        app: QApplication | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._user_name = user_name
        self._owner = owner
        self._exempt = exempt
        self._app = app or QApplication.instance()
        self._covered: list[_Covered] = []
        self._active = False
        self._session_live = False

    @property
    def active(self) -> bool:
        """True between cover_all and uncover_all."""
        return self._active

    def covers(self) -> list[WindowCover]:
        """The covers in place, oldest first."""
        return [c.cover for c in self._covered if _alive(c.window)]

    def cover_for(self, window: QWidget) -> WindowCover | None:
        """The cover over `window`, None when it is not covered."""
        for covered in self._covered:
            if covered.window is window and _alive(window):
                return covered.cover
        return None

    def set_session_live(self, live: bool) -> None:
        """Covers say that a session runs on (Esc releases)."""
        self._session_live = live
        for cover in self.covers():
            cover.set_session_live(live)

    def cover_all(self) -> None:
        """Close popups and tooltips, cover every window that may show patient data.

        Called before the main window disables its pages (each window's focus is still known);
        `keep_reachable` afterwards enables the covered windows that went with a page.
        """
        if self._app is None:
            return
        self._active = True
        self._app.installEventFilter(self)
        QToolTip.hideText()
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()  # a menu or a list drop-down holds nothing typed
            if QApplication.activePopupWidget() is popup:
                popup.hide()
        for window in QApplication.topLevelWidgets():
            if window.isVisible():
                self._cover(window)

    def keep_reachable(self) -> None:
        """Enable again the covered windows that the main window's lock disabled with a page."""
        for item in self._covered:
            if _alive(item.window):
                _enable(item.window)

    def focus_unlock(self) -> WindowCover | None:
        """Put the caret in the cover that can take input now (the topmost modal's, if any)."""
        modal = QApplication.activeModalWidget()
        target = self.cover_for(modal) if modal is not None else None
        if target is None:
            active = QApplication.activeWindow()
            target = self.cover_for(active) if active is not None else None
        if target is not None:
            target.password_field.setFocus(Qt.FocusReason.OtherFocusReason)
        return target

    def uncover_all(self) -> None:
        """Give every window back as it was: widgets, typed text, focus, title and size."""
        self._active = False
        if self._app is not None:
            self._app.removeEventFilter(self)
        covered, self._covered = self._covered, []
        for item in reversed(covered):
            if not _alive(item.window):
                continue
            self._restore(item)

    def _wants_cover(self, window: QWidget) -> bool:
        if not _alive(self._owner) or not self._owner.isVisible():
            return False
        if not window.isWindow() or window.windowType() not in COVERED_TYPES:
            return False
        if isinstance(window, WindowCover) or self._exempt(window):
            return False
        return self.cover_for(window) is None

    def _cover(self, window: QWidget) -> None:
        if not self._wants_cover(window):
            return
        focus = window.focusWidget()
        cover = WindowCover(self._user_name, window)
        cover.set_session_live(self._session_live)
        item = _Covered(window, cover, window.windowTitle(), focus)
        item.forced_disabled = window.testAttribute(Qt.WidgetAttribute.WA_ForceDisabled)
        _enable(window)
        for child in window.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
        ):
            if child is cover or child.isWindow():
                continue
            if child.isEnabledTo(window):
                child.setEnabled(False)  # no focus, typing or clicks behind the cover
                item.disabled.append(child)
        _grow(item)
        window.setWindowTitle(self.tr("KAATSU Desktop — locked"))
        cover.setGeometry(window.rect())
        cover.show()
        cover.raise_()
        cover.unlock_requested.connect(
            lambda password, c=cover: self.unlock_requested.emit(c, password)
        )
        self._covered.append(item)
        log.info("covered %s while locked", type(window).__name__)

    def _restore(self, item: _Covered) -> None:
        window = item.window
        item.cover.hide()
        item.cover.deleteLater()
        for child in item.disabled:
            if _alive(child):
                child.setEnabled(True)
        if item.sizes is not None:
            minimum, maximum, size = item.sizes
            window.setMinimumSize(minimum)
            window.setMaximumSize(maximum)
            window.resize(size)
        window.setWindowTitle(item.title)
        if item.forced_disabled:
            window.setEnabled(False)
        if _alive(item.focus) and item.focus.window() is window:
            item.focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While locked: cover windows as they open and keep the covers fitted to them."""
        kind = event.type()
        if kind not in (QEvent.Type.Show, QEvent.Type.Resize):
            return False
        if not self._active or not isinstance(watched, QWidget) or not watched.isWindow():
            return False
        if kind == QEvent.Type.Show:
            self._cover(watched)
            return False
        for item in self._covered:
            if item.window is watched:
                _grow(item)
                item.cover.setGeometry(watched.rect())
                item.cover.raise_()
        return False
