"""The screening page: the form on the left, the live verdict on the right, Save on top."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.clinical import FieldError as Refusal
from kaatsu_desktop.services import FormError, ScreeningCheck, ScreeningSaved, ScreeningService
from kaatsu_desktop.storage import Patient
from ui.screening.form import ScreeningForm
from ui.screening.verdict_panel import VerdictPanel
from ui.widgets import FieldError, primary_button, styled_label

log = logging.getLogger(__name__)

CHECK_DEBOUNCE_MS = 150
PANEL_WIDTH = 460


class ScreeningPage(QWidget):
    """A new screening of one patient; every save stores a new dated screening."""

    back_requested = Signal()
    saved = Signal(object)  # ScreeningSaved

    def __init__(self, screenings: ScreeningService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._screenings = screenings
        self.patient: Patient | None = None
        self.last_check: ScreeningCheck | None = None
        self._save_tried = False

        self.back_button = QPushButton(self.tr("← Patient"))
        self.back_button.setObjectName("backToPatient")
        self.back_button.setAccessibleName(self.tr("Back to the patient page"))
        self.title = styled_label("", "title")
        self.title.setObjectName("screeningTitle")
        self.save_button = primary_button(self.tr("&Save screening"), "saveScreeningButton")
        self.save_button.setToolTip(self.tr("Stores a new dated screening; older ones are kept."))
        self.message = FieldError()
        self.message.setObjectName("screeningMessage")

        self.form = ScreeningForm()
        scroll = QScrollArea()
        scroll.setObjectName("screeningScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        self.scroll = scroll
        self.panel = VerdictPanel()
        self.panel.setFixedWidth(PANEL_WIDTH)

        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.title, 1)
        head.addWidget(self.save_button)
        body = QHBoxLayout()
        body.setSpacing(18)
        body.addWidget(scroll, 1)
        body.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addLayout(body, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(CHECK_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.recheck)
        self.form.changed.connect(self._debounce.start)
        self.back_button.clicked.connect(self.back_requested)
        self.save_button.clicked.connect(self.save)

    def start(self, patient: Patient) -> None:
        """Begin a new, empty screening of ``patient`` dated today."""
        self.patient = patient
        self._save_tried = False
        self.title.setText(
            self.tr("New screening: {family}, {given}").format(
                family=patient.family_name, given=patient.given_name
            )
        )
        self.message.show_reason(None)
        self.form.reset(
            sex=patient.sex.value,
            date_of_birth=patient.date_of_birth,
            today=self._screenings.today(),
        )
        self.scroll.verticalScrollBar().setValue(0)
        self.recheck()

    def recheck(self) -> ScreeningCheck:
        """Assess what the form holds now and show it (the debounce timer calls this)."""
        self._debounce.stop()
        typed = self.form.form_data()
        check = self._screenings.check(typed.data)
        unreadable = {e.key for e in typed.errors}
        errors = list(typed.errors) + [e for e in check.errors if e.key not in unreadable]
        missing = [k for k in check.missing if k not in unreadable]
        if typed.errors:
            check = ScreeningCheck(None, tuple(errors), tuple(missing))
        self.last_check = check
        if check.assessment is not None:
            self.panel.show_assessment(check.assessment)
        else:
            self.panel.show_waiting(missing, errors)
        # Empty required fields are marked only after a save was tried; wrong values at once.
        shown: list[Refusal] = list(errors)
        if self._save_tried:
            shown += [Refusal(k, self.tr("required: enter a value")) for k in missing]
        self.form.show_errors(shown)
        return check

    def save(self) -> ScreeningSaved | None:
        """Store a new dated screening; when refused, show why at the fields and keep them."""
        if self.patient is None:
            return None
        self._save_tried = True
        check = self.recheck()
        if check.assessment is None:
            self.message.show_reason(
                self.tr("Not saved: correct or complete the fields marked in red.")
            )
            return None
        try:
            saved = self._screenings.save(self.patient.id, self.form.form_data().data)
        except FormError as refused:
            other = self.form.show_errors(refused.errors)
            self.message.show_reason(
                self.tr("Not saved: {reasons}").format(
                    reasons="; ".join(str(e) for e in other) or self.tr("see the fields marked")
                )
            )
            return None
        self.message.show_reason(None)
        log.info("screening %d saved", saved.record.id)
        self.saved.emit(saved)
        return saved
