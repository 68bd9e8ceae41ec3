"""Session controls (start, changeover, skip, finish, abort) with why each one is unavailable."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.session import Control, ControlState, SessionSnapshot, SessionState
from ui.session.format import rule_text, tr

# The controls in the order a session uses them, with their button text and object name.
# Alt+letter presses each one from the keyboard (Space belongs to Release all).
_CONTROLS: tuple[tuple[Control, str, str], ...] = (
    (Control.START_ARMS, "Start &arm set", "startArmsButton"),
    (Control.CONFIRM_ARM_BANDS_OFF, "Arm bands are &off", "confirmArmBandsOffButton"),
    (Control.START_LEGS, "Start &leg set", "startLegsButton"),
    (Control.SKIP_ARM_PHASE, "&Skip arm phase", "skipArmsButton"),
    (Control.FINISH, "&Finish session", "finishButton"),
    (Control.ABORT, "&End session early", "abortButton"),
)
# Ending a session never happens by an Enter meant for another button: these take no focus.
_NO_FOCUS = (Control.FINISH, Control.ABORT)


def relevant(control: Control, state: SessionState) -> bool:
    """Whether a control is worth showing in ``state`` (the others only add noise)."""
    if state.terminal:
        return False
    if control is Control.SKIP_ARM_PHASE:
        return state is SessionState.SETUP
    if control is Control.START_ARMS:
        return state in (SessionState.SETUP, SessionState.ARM_PHASE)
    if control is Control.CONFIRM_ARM_BANDS_OFF:
        return state in (SessionState.ARM_PHASE, SessionState.CHANGEOVER)
    if control is Control.START_LEGS:
        # In the arm phase the order strip already says "arms first"; the next step is the
        # changeover, so the leg button appears (with its T-ORD-2 reason) from then on.
        return state in (SessionState.CHANGEOVER, SessionState.LEG_PHASE)
    if control is Control.FINISH:
        return state is not SessionState.SETUP
    return True


class SessionControls(QFrame):
    """Buttons for the session's steps; a disabled one shows its reason and rule id beside it."""

    requested = Signal(object, str)  # Control, reason text (skip and abort)
    close_requested = Signal()  # the session is over: back to the set-up

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionControls")
        self.setProperty("sessionCard", True)
        self.buttons: dict[Control, QPushButton] = {}
        self.reasons: dict[Control, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        # Finish and end early share the last row; each step above has a row of its own.
        places = {
            Control.START_ARMS: (0, 0, 2),
            Control.CONFIRM_ARM_BANDS_OFF: (2, 0, 2),
            Control.START_LEGS: (4, 0, 2),
            Control.SKIP_ARM_PHASE: (6, 0, 2),
            Control.FINISH: (8, 0, 1),
            Control.ABORT: (8, 1, 1),
        }
        for control, text, name in _CONTROLS:
            button = QPushButton(tr(text))
            button.setObjectName(name)
            button.setAccessibleName(tr(text).replace("&", ""))
            if control in _NO_FOCUS:
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            else:
                button.setAutoDefault(True)  # Enter presses it: Space belongs to Release all
            button.setMinimumHeight(44)
            button.clicked.connect(lambda _=False, c=control: self._clicked(c))
            reason = QLabel()
            reason.setObjectName(f"{name}Reason")
            reason.setProperty("role", "controlReason")
            reason.setWordWrap(True)
            reason.hide()
            self.buttons[control] = button
            self.reasons[control] = reason
            row, col, span = places[control]
            grid.addWidget(button, row, col, 1, span)
            grid.addWidget(reason, row + 1, col, 1, span)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("sessionReasonEdit")
        self.reason_edit.setPlaceholderText(tr("Reason for skipping the arm phase"))
        self.reason_edit.setAccessibleName(tr("Reason for skipping the arm phase"))
        self.reason_edit.textChanged.connect(lambda _t: self._refresh_reason_buttons())
        self.refusal = QLabel()
        self.refusal.setObjectName("refusalLine")
        self.refusal.setProperty("role", "controlReason")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        self.close_button = QPushButton(tr("Close session"))
        self.close_button.setObjectName("closeSessionButton")
        self.close_button.setProperty("primary", True)
        self.close_button.setAutoDefault(True)
        self.close_button.setMinimumHeight(44)
        self.close_button.clicked.connect(self.close_requested)
        self.close_button.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(6)
        column.addLayout(grid)
        column.addWidget(self.reason_edit)
        column.addWidget(self.refusal)
        column.addWidget(self.close_button)
        self._states: dict[Control, ControlState] = {}
        self._state = SessionState.SETUP

    def show_controls(self, snapshot: SessionSnapshot) -> None:
        """Enable what the engine allows now; show why the rest is not allowed (rule ids)."""
        self._state = snapshot.state
        for control, _text, _name in _CONTROLS:
            cs = snapshot.control(control)
            self._states[control] = cs
            show = relevant(control, snapshot.state)
            button, reason = self.buttons[control], self.reasons[control]
            button.setVisible(show)
            button.setEnabled(cs.enabled)
            why = "" if cs.enabled else rule_text(cs.rule_id, cs.reason)
            reason.setText(why)
            reason.setVisible(show and bool(why))
            button.setToolTip(why)
            button.setAccessibleDescription(why)
        # Only skipping needs a typed reason; ending early records the clinician's decision and
        # the stop criteria above carry their own reasons.
        self.reason_edit.setVisible(snapshot.state is SessionState.SETUP)
        self.close_button.setVisible(snapshot.state.terminal)
        self._refresh_reason_buttons()

    def show_refusal(self, rule_id: str | None, message: str) -> None:
        """The engine refused what was asked: say why, with the rule (empty message hides)."""
        self.refusal.setText(tr("Refused") + " — " + rule_text(rule_id, message))
        self.refusal.setVisible(bool(message))

    def _refresh_reason_buttons(self) -> None:
        # Skipping needs a recorded reason (T-ORD-1): the button waits for one.
        has_reason = bool(self.reason_edit.text().strip())
        skip = self._states.get(Control.SKIP_ARM_PHASE)
        if skip is not None and skip.enabled:
            self.buttons[Control.SKIP_ARM_PHASE].setEnabled(has_reason)
            label = self.reasons[Control.SKIP_ARM_PHASE]
            label.setText("" if has_reason else "T-ORD-1: " + tr("type the reason below first."))
            label.setVisible(not has_reason and relevant(Control.SKIP_ARM_PHASE, self._state))

    def _clicked(self, control: Control) -> None:
        self.refusal.hide()
        reason = self.reason_edit.text().strip()
        if control is Control.ABORT:
            reason = reason or tr("ended early by the clinician")
        self.requested.emit(control, reason)
        if control in (Control.SKIP_ARM_PHASE, Control.ABORT):
            self.reason_edit.clear()
