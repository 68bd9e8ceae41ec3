"""The pre-session checklist (P-* rules): a page, never a modal dialog over Release all.

The Start button stays disabled while anything blocks, with the first reason and its rule id
right beside it; every blocking, missing and cautionary item is listed with its rule id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from devices.protocol.types import Site
from kaatsu_desktop.clinical import (
    TR_CONTEXT,
    CheckItem,
    ClinicalInputError,
    PreSessionInput,
    PreSessionResult,
    overall_label,
)
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.session import Protocol, Refusal
from ui.labels import item_label
from ui.session.context import SITES, PreSessionContext, band_site
from ui.session.format import rule_text, site_label, tr
from ui.session.port import CuffSummary, StartRequest
from ui.session.protocol_box import ProtocolBox
from ui.widgets import ChoiceButtons, VerdictChip, primary_button

YES_NO = [("yes", "Yes"), ("no", "No")]


@dataclass(frozen=True)
class Blocker:
    """One reason the session cannot start yet."""

    rule_id: str | None
    text: str

    def __str__(self) -> str:
        return rule_text(self.rule_id, self.text)


def start_blockers(
    result: PreSessionResult | None,
    input_error: str | None,
    protocol: Protocol | Refusal,
    cuff: CuffSummary | None,
    channels: dict[int, Site],
) -> list[Blocker]:
    """Every reason Start stays disabled, the most important first (empty: it may start)."""
    out: list[Blocker] = []
    if input_error:
        out.append(Blocker("P-BP-1", input_error))
    if result is not None:
        out += [Blocker(i.rule_id, item_text(i)) for i in result.blocking]
        out += [Blocker(i.rule_id, item_text(i)) for i in result.missing]
    if isinstance(protocol, Refusal):
        out.append(Blocker(protocol.rule_id, protocol.message))
    if cuff is None:
        out.append(Blocker(None, tr("Connect a cuff first.")))
    elif not channels:
        out.append(Blocker(None, tr("No band of the cuff is in use.")))
    return out


def _clinical(message: str) -> str:
    return translate(TR_CONTEXT, message)


def item_text(item: CheckItem) -> str:
    """A check item in words, naming the band site when it concerns one (P-FIT-1, S-LIMB-1)."""
    text = _clinical(item.message)
    site = item.details.get("site")
    return f"{text} ({item_label(str(site))})" if site else text


def _yes(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


class PreSessionChecklist(QWidget):
    """Today's answers, bands in use, protocol, the check's result and the Start button."""

    start_requested = Signal(object)  # StartRequest

    def __init__(
        self,
        context: PreSessionContext,
        presets: Sequence[Protocol],
        parent: QWidget | None = None,
        *,
        summary_outside: bool = False,
    ) -> None:
        """``summary_outside``: the caller places ``summary_panel`` (result and Start) itself."""
        super().__init__(parent)
        self.setObjectName("preSessionChecklist")
        self.context = context
        self.cuff: CuffSummary | None = None
        self.result: PreSessionResult | None = None
        self.blockers: list[Blocker] = []

        self.systolic = self._bp("systolicToday", tr("Systolic today (mmHg)"), 300)
        self.diastolic = self._bp("diastolicToday", tr("Diastolic today (mmHg)"), 200)
        self.unwell = self._yes_no("feelsUnwell", tr("Feels sick or unwell today"))
        self.hydrated = self._yes_no("hydrated", tr("Hydrated"))
        self.explained = self._yes_no(
            "explanationGiven", tr("Petechiae and numbness explained to the patient")
        )
        self.aed = self._yes_no("aedAvailable", tr("AED and emergency plan available"))

        today = QGroupBox(tr("Today"))
        form = QFormLayout(today)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        bp = QHBoxLayout()
        bp.addWidget(self.systolic)
        bp.addWidget(QLabel("/"))
        bp.addWidget(self.diastolic)
        bp.addStretch(1)
        form.addRow(tr("Seated blood pressure (P-BP-1)"), bp)
        form.addRow(tr("Feels sick or unwell (P-SICK-1)"), self.unwell)
        form.addRow(tr("Hydrated (P-HYD-1)"), self.hydrated)
        self.explained_note = QLabel(tr("Recorded at an earlier session."))
        self.explained_note.setProperty("role", "muted")
        explained = QVBoxLayout()
        explained.addWidget(self.explained)
        explained.addWidget(self.explained_note)
        form.addRow(tr("Petechiae and numbness explained (P-EXPL-1)"), explained)
        form.addRow(tr("AED and emergency plan (P-AED-1)"), self.aed)
        if context.explanation_recorded_before:
            self.explained.hide()
        else:
            self.explained_note.hide()

        bands = QGroupBox(tr("Bands (P-FIT-1, S-LIMB-1)"))
        grid = QGridLayout(bands)
        grid.addWidget(QLabel(tr("In use")), 0, 0)
        grid.addWidget(
            QLabel(tr("Fit checked: one finger (two or three for sensitive skin)")), 0, 1
        )
        self.in_use: dict[Site, QCheckBox] = {}
        self.fit: dict[Site, QCheckBox] = {}
        self.site_notes: dict[Site, QLabel] = {}
        for row, site in enumerate(SITES, start=1):
            key = band_site(site).value
            use = QCheckBox(site_label(site))
            use.setObjectName(f"siteInUse_{key}")
            use.setAccessibleName(tr("{site} band in use").format(site=site_label(site)))
            fit = QCheckBox(tr("fit checked"))
            fit.setObjectName(f"bandFit_{key}")
            fit.setAccessibleName(tr("{site} band fit checked").format(site=site_label(site)))
            note = QLabel()
            note.setObjectName(f"siteNote_{key}")
            note.setProperty("role", "muted")
            note.setWordWrap(True)
            use.toggled.connect(self._refresh)
            fit.toggled.connect(self._refresh)
            self.in_use[site], self.fit[site], self.site_notes[site] = use, fit, note
            grid.addWidget(use, row, 0)
            grid.addWidget(fit, row, 1)
            grid.addWidget(note, row + len(SITES), 0, 1, 2)

        self.protocol = ProtocolBox(presets)
        protocol_group = QGroupBox(tr("Protocol and pressure (T-MODE-1, T-SETS-1)"))
        QVBoxLayout(protocol_group).addWidget(self.protocol)

        self.header = QLabel(context.patient_label)
        self.header.setProperty("role", "title")
        self.header.setWordWrap(True)
        self.verdict = VerdictChip(
            None if context.screening is None else context.screening.assessment.overall
        )
        self.screening_line = QLabel()
        self.screening_line.setObjectName("screeningLine")
        self.screening_line.setWordWrap(True)
        self.history_line = QLabel()
        self.history_line.setObjectName("historyLine")
        self.history_line.setWordWrap(True)
        self.history_line.setProperty("role", "muted")

        self.results = QListWidget()
        self.results.setObjectName("checkResults")
        self.results.setAccessibleName(tr("Pre-session check"))
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.start = primary_button(tr("Start session"), "startSessionButton", tr("Start session"))
        self.start.setMinimumHeight(56)
        self.reason = QLabel()
        self.reason.setObjectName("startBlockedReason")
        self.reason.setProperty("role", "fieldError")
        self.reason.setWordWrap(True)
        self.start.clicked.connect(self._start)

        self.form_panel = QWidget()
        left = QVBoxLayout(self.form_panel)
        left.setContentsMargins(0, 0, 8, 0)
        left.addWidget(today)
        left.addWidget(bands)
        left.addWidget(protocol_group)
        left.addStretch(1)
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("checklistForm")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(self.form_panel)
        # The patient, the check's result and Start: never scrolled out of sight.
        self.summary_panel = QWidget()
        self.summary_panel.setObjectName("checklistSummary")
        right = QVBoxLayout(self.summary_panel)
        right.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.header, 1)
        head.addWidget(self.verdict)
        right.addLayout(head)
        right.addWidget(self.screening_line)
        right.addWidget(self.history_line)
        right.addWidget(self.results, 1)
        right.addWidget(self.start)
        right.addWidget(self.reason)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addWidget(self.form_scroll, 3)
        if not summary_outside:
            row.addWidget(self.summary_panel, 2)

        for widget in (self.systolic, self.diastolic):
            widget.valueChanged.connect(lambda _v: self._refresh())
        for choice in (self.unwell, self.hydrated, self.explained, self.aed):
            choice.changed.connect(self._refresh)
        self.protocol.changed.connect(self._refresh)
        self._describe_context()
        self.set_cuff(None)

    # -- building -----------------------------------------------------------------------------

    def _bp(self, name: str, accessible: str, top: int) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(name)
        box.setAccessibleName(accessible)
        box.setRange(0, top)
        box.setSpecialValueText(tr("not recorded"))  # 0: not measured yet
        box.setMinimumWidth(150)
        return box

    def _yes_no(self, name: str, accessible: str) -> ChoiceButtons:
        buttons = ChoiceButtons([(v, tr(t)) for v, t in YES_NO], accessible=accessible)
        buttons.setObjectName(name)
        return buttons

    def _describe_context(self) -> None:
        c = self.context
        if c.screening is None:
            self.screening_line.setText(tr("No screening on file (P-SCR-1)."))
        else:
            self.screening_line.setText(
                tr("Screening of {date}: {days} days old (valid {valid} days); {verdict}.").format(
                    date=c.screening.assessed_on.isoformat(),
                    days=c.screening_age_days,
                    valid=c.settings.screening_validity_days,
                    verdict=overall_label(c.screening.assessment.verdict),
                )
            )
        sessions = tr("{n} completed session(s)").format(n=c.completed_sessions)
        if c.clearances:
            cleared = ", ".join(
                f"{', '.join(sorted(x.rules))} ({x.physician}, {tr('until')} {x.expires_on})"
                for x in c.clearances
                if x.issued_on <= c.now.date() < x.expires_on
            )
            sessions += "  ·  " + tr("clearances in force: {list}").format(list=cleared or "—")
        self.history_line.setText(sessions)

    # -- state --------------------------------------------------------------------------------

    def set_cuff(self, cuff: CuffSummary | None) -> None:
        """The connected cuff (None: none yet): which sites have a band, and its unit."""
        self.cuff = cuff
        blocked = self.context.blocked_sites
        for site in SITES:
            use, fit, note = self.in_use[site], self.fit[site], self.site_notes[site]
            on_cuff = cuff is None or site in cuff.sites
            if site in blocked:
                use.setChecked(False)
                use.setEnabled(False)
                fit.setEnabled(False)
                note.setText(
                    rule_text(
                        "S-LIMB-1", tr("{site}: wound under the band, not available.")
                    ).format(site=site_label(site))
                )
                note.show()
            elif not on_cuff:
                use.setChecked(False)
                use.setEnabled(False)
                fit.setEnabled(False)
                note.setText(tr("{site}: no channel of this cuff.").format(site=site_label(site)))
                note.show()
            else:
                use.setEnabled(True)
                fit.setEnabled(use.isChecked())
                note.hide()
        self.protocol.set_patient(
            self.context.patient_context(), None if cuff is None else cuff.unit
        )
        self._refresh()

    def answers(self) -> PreSessionInput:
        """Today's answers as the check reads them (ClinicalInputError for a value out of range)."""
        used = {s for s, box in self.in_use.items() if box.isChecked()}
        sites = frozenset(band_site(s) for s in used)
        fitted = frozenset(band_site(s) for s in used if self.fit[s].isChecked())
        return PreSessionInput(
            systolic_mmhg=self.systolic.value() or None,
            diastolic_mmhg=self.diastolic.value() or None,
            feels_unwell=_yes(self.unwell.value()),
            hydrated=_yes(self.hydrated.value()),
            explanation_given=_yes(self.explained.value()),
            explanation_recorded_before=self.context.explanation_recorded_before,
            aed_available=_yes(self.aed.value()),
            sites_in_use=sites,
            band_fit_confirmed=fitted,
            last_session_ended_at=self.context.last_session_ended_at,
        )

    def channels(self) -> dict[int, Site]:
        """Cuff channels whose band is in use."""
        if self.cuff is None:
            return {}
        used = frozenset(s for s, box in self.in_use.items() if box.isChecked())
        return self.cuff.channels_at(used)

    def _refresh(self, *_: object) -> None:
        for site in SITES:
            self.fit[site].setEnabled(
                self.in_use[site].isChecked() and self.in_use[site].isEnabled()
            )
        error = None
        try:
            self.result = self.context.check(self.answers())
        except ClinicalInputError as exc:
            self.result = None
            error = "; ".join(str(e) for e in exc.errors)
        choice = self.protocol.choice()
        self.blockers = start_blockers(self.result, error, choice, self.cuff, self.channels())
        self._show_results(error)
        self.start.setEnabled(not self.blockers)
        if self.blockers:
            first = str(self.blockers[0])
            more = len(self.blockers) - 1
            text = first if not more else first + "  " + tr("(and {n} more)").format(n=more)
            self.reason.setText(text)
            self.start.setAccessibleDescription(text)
        else:
            self.reason.setText("")
            self.start.setAccessibleDescription(tr("Every pre-session item is satisfied."))
        self.reason.setVisible(bool(self.blockers))

    def _show_results(self, error: str | None) -> None:
        self.results.clear()

        def add(mark: str, text: str, colour: str) -> None:
            item = QListWidgetItem(f"{mark}  {text}")
            item.setForeground(QBrush(QColor(colour)))
            self.results.addItem(item)

        if error:
            add("✖", rule_text("P-BP-1", error), "#b3141b")
        for blocker in self.blockers:
            if blocker.rule_id is not None or not error:
                add("✖", str(blocker), "#b3141b")
        if self.result is not None:
            for item in self.result.warnings:
                add("⚠", rule_text(item.rule_id, item_text(item)), "#6b4a00")
            for cleared in self.result.cleared:
                add(
                    "✓",
                    tr("{rule}: cleared by {who} until {until}").format(
                        rule=cleared.rule_id,
                        who=cleared.clearance.physician,
                        until=cleared.clearance.expires_on.isoformat(),
                    ),
                    "#1e5b2c",
                )
        if not self.blockers:
            add("✓", tr("Every pre-session item is satisfied."), "#1e5b2c")

    def _start(self) -> None:
        if self.blockers or self.result is None or self.cuff is None:
            return
        protocol = self.protocol.choice()
        if isinstance(protocol, Refusal):
            return
        self.start_requested.emit(
            StartRequest(
                patient_id=self.context.patient_id,
                patient=self.context.patient_context(),
                protocol=protocol,
                sites=self.channels(),
                blocked_sites=tuple(sorted(self.context.blocked_sites)),
                answers=self.answers(),
                result=self.result,
                cuff=self.cuff,
            )
        )
