"""The alarm banner: colour and flashing by priority, message and rule, acknowledge, audio pause.

High priority flashes red at about 2 Hz, medium yellow at about 0.5 Hz, low is steady; an
acknowledged alarm stays on the banner without flashing until its cause is gone.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kaatsu_desktop.session import Alarm, AlarmPriority, AlarmsSnapshot
from ui.session.format import FLASH_HALF_PERIOD_MS, priority_label, rule_text, tr
from ui.theme import restyle


def alarm_line(alarm: Alarm) -> str:
    """One alarm in words: priority, message and rule id (technical alarms have none)."""
    state = ""
    if alarm.latched:
        state = " " + tr("(cause gone, acknowledge to clear)")
    elif alarm.acknowledged:
        state = " " + tr("(acknowledged)")
    return f"{priority_label(alarm.priority)}  ·  {rule_text(alarm.rule_id, alarm.message)}{state}"


def first_unacknowledged(alarms: AlarmsSnapshot) -> Alarm | None:
    """The most urgent alarm still waiting for acknowledgement."""
    return next((a for a in alarms.alarms if not a.acknowledged), None)


class AlarmBanner(QFrame):
    """The most urgent alarm in large type, the others below, and the alarm controls."""

    acknowledge_requested = Signal(str)  # condition id
    pause_audio_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBanner")
        self.setProperty("priority", "none")
        self.setProperty("flash", "on")
        self.message = QLabel(tr("No active alarms"))
        self.message.setObjectName("alarmMessage")
        self.message.setWordWrap(True)
        self.others = QLabel()
        self.others.setObjectName("alarmOthers")
        self.others.setWordWrap(True)
        self.others.hide()
        self.ack = QPushButton(tr("Acknowledge"))
        self.ack.setObjectName("acknowledgeButton")
        self.ack.setAccessibleName(tr("Acknowledge the alarm"))
        self.ack.setAutoDefault(True)
        self.ack.clicked.connect(self._acknowledge)
        self.pause = QPushButton(tr("Pause audio"))
        self.pause.setObjectName("audioPauseButton")
        self.pause.setAccessibleName(tr("Pause the alarm audio"))
        self.pause.setAutoDefault(True)
        self.pause.clicked.connect(self.pause_audio_requested)
        for button in (self.ack, self.pause):
            button.setMinimumWidth(170)
            button.setMinimumHeight(44)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.message)
        text.addWidget(self.others)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 4, 10, 4)
        row.addLayout(text, 1)
        row.addWidget(self.ack, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.pause, 0, Qt.AlignmentFlag.AlignVCenter)

        self._flash = QTimer(self)
        self._flash.timeout.connect(self._toggle)
        self._ack_target: str | None = None
        self.priority: AlarmPriority | None = None
        self._set_props("none", "on")
        self.ack.setEnabled(False)
        self.pause.setEnabled(False)

    @property
    def flash_interval_ms(self) -> int | None:
        """Half period of the flashing now; None when steady."""
        return self._flash.interval() if self._flash.isActive() else None

    def show_alarms(self, alarms: AlarmsSnapshot) -> None:
        """Draw the alarm state of one snapshot."""
        top = alarms.alarms[0] if alarms.alarms else None
        self.priority = top.priority if top else None
        waiting = first_unacknowledged(alarms)
        self._ack_target = waiting.condition_id if waiting else None
        self.ack.setEnabled(waiting is not None)
        if top is None:
            self.message.setText(tr("No active alarms"))
            self.others.hide()
        else:
            self.message.setText(alarm_line(top))
            rest = alarms.alarms[1:]
            self.others.setVisible(bool(rest))
            self.others.setText("\n".join(alarm_line(a) for a in rest[:3]))
            if len(rest) > 3:
                self.others.setText(
                    self.others.text() + "\n" + tr("and {n} more").format(n=len(rest) - 3)
                )
        self.setAccessibleName(self.message.text())
        audio = alarms.audio
        if audio.paused:
            left = math.ceil(audio.pause_seconds_left)
            self.pause.setText(tr("Audio paused {s} s").format(s=left))
            self.pause.setProperty("paused", True)
        else:
            self.pause.setText(tr("Pause audio"))
            self.pause.setProperty("paused", False)
        self.pause.setEnabled(top is not None)
        # Flash while an alarm of the top priority waits for acknowledgement.
        key = top.priority.name.lower() if top else "none"
        interval = None
        if top is not None and waiting is not None and waiting.priority is top.priority:
            interval = FLASH_HALF_PERIOD_MS[top.priority]
        if interval is None:
            self._flash.stop()
            self._set_props(key, "on")
        else:
            if not self._flash.isActive() or self._flash.interval() != interval:
                self._flash.start(interval)
            self._set_props(key, str(self.property("flash")))

    def _toggle(self) -> None:
        self._set_props(
            str(self.property("priority")), "off" if self.property("flash") == "on" else "on"
        )

    def _set_props(self, priority: str, flash: str) -> None:
        if self.property("priority") != priority or self.property("flash") != flash:
            self.setProperty("priority", priority)
            self.setProperty("flash", flash)
            restyle(self)
            for child in (self.message, self.others):
                restyle(child)

    def _acknowledge(self) -> None:
        if self._ack_target is not None:
            self.acknowledge_requested.emit(self._ack_target)
