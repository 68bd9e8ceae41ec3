"""Before a session: the cuff on one side, the pre-session checklist of the patient on the other."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.session import Protocol
from ui.session.checklist import PreSessionChecklist
from ui.session.context import PreSessionContext
from ui.session.device_picker import DevicePicker
from ui.session.format import tr
from ui.session.port import CuffSummary


class SetupView(QWidget):
    """The cuff picker and, once a patient is chosen, that patient's pre-session checklist."""

    def __init__(
        self,
        presets: Sequence[Protocol],
        parent: QWidget | None = None,
        *,
        demo: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sessionSetup")
        self.presets = tuple(presets)
        self.picker = DevicePicker(demo=demo)
        self.checklist: PreSessionChecklist | None = None
        self.cuff: CuffSummary | None = None
        self.message = QLabel()
        self.message.setObjectName("setupMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("role", "fieldError")
        self.message.hide()

        empty = QLabel(tr("Choose a patient on the Patients page and press Start session there."))
        empty.setObjectName("noPatient")
        empty.setProperty("role", "subtitle")
        empty.setWordWrap(True)
        empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack = QStackedWidget()
        self.stack.addWidget(empty)

        side_widget = QWidget()
        self.side = QVBoxLayout(side_widget)
        self.side.setContentsMargins(0, 0, 0, 0)
        self.side.addWidget(self.picker)
        self.side.addStretch(1)
        side_widget.setFixedWidth(420)
        main = QVBoxLayout()
        title = QLabel(tr("New session"))
        title.setProperty("role", "title")
        main.addWidget(title)
        main.addWidget(self.message)
        main.addWidget(self.stack, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 12, 16, 12)
        row.setSpacing(16)
        row.addLayout(main, 1)
        row.addWidget(side_widget)

    def prepare(self, context: PreSessionContext) -> PreSessionChecklist:
        """Show a fresh checklist for this patient (answers from a previous one never carry)."""
        self._drop_checklist()
        checklist = PreSessionChecklist(context, self.presets, summary_outside=True)
        self.checklist = checklist
        checklist.set_cuff(self.cuff)
        self.stack.addWidget(checklist)
        self.stack.setCurrentWidget(checklist)
        # Below the cuff: the patient, the check's result and Start, never scrolled away.
        self.side.insertWidget(1, checklist.summary_panel, 1)
        self.show_message("")
        return checklist

    def _drop_checklist(self) -> None:
        old, self.checklist = self.checklist, None
        if old is not None:
            self.side.removeWidget(old.summary_panel)
            old.summary_panel.deleteLater()
            self.stack.removeWidget(old)
            old.deleteLater()

    def clear(self) -> None:
        """No patient chosen."""
        self._drop_checklist()
        self.stack.setCurrentIndex(0)

    def set_cuff(self, cuff: CuffSummary | None) -> None:
        """A cuff was connected (None: disconnected)."""
        self.cuff = cuff
        if cuff is not None:
            self.picker.show_cuff(cuff)
        if self.checklist is not None:
            self.checklist.set_cuff(cuff)

    def show_message(self, text: str) -> None:
        """A refusal or failure to show above the checklist (empty hides it)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
