"""The live verdict beside the form: badge in words, BMI, thrombosis points, every rule."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.clinical import RULES, TR_CONTEXT, Assessment, FieldError, FiredRule
from kaatsu_desktop.i18n import translate
from ui.labels import field_label, item_label
from ui.widgets import VerdictChip, styled_label


def _rule_card(rule: FiredRule) -> QFrame:
    card = QFrame()
    card.setProperty("ruleCard", True)
    card.setProperty("verdict", rule.verdict.value)
    card.setObjectName(f"rule_{rule.id}")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(12, 8, 10, 8)
    layout.setSpacing(4)
    head = QHBoxLayout()
    rule_id = QLabel(rule.id)
    rule_id.setProperty("role", "sectionHeading")
    head.addWidget(rule_id)
    head.addWidget(VerdictChip(rule.verdict.value))
    head.addStretch(1)
    layout.addLayout(head)
    text = styled_label(translate(TR_CONTEXT, rule.message), wrap=True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(text)
    card.setAccessibleName(f"{rule.id}: {rule.verdict.value}: {text.text()}")
    return card


class VerdictPanel(QScrollArea):
    """Shows a ScreeningCheck: the assessment, or the input errors and the values still needed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QFrame()
        inner.setProperty("role", "card")
        self._layout = QVBoxLayout(inner)
        self._layout.setContentsMargins(18, 16, 18, 16)
        self._layout.setSpacing(10)
        self._layout.addWidget(styled_label(self.tr("Verdict"), "sectionHeading"))
        self.badge = VerdictChip(long=True)
        self.badge.setObjectName("verdictBadge")
        self.badge.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.badge.setWordWrap(True)
        self._layout.addWidget(self.badge)
        self.figures = styled_label("", wrap=True)
        self.figures.setObjectName("verdictFigures")
        self._layout.addWidget(self.figures)
        self._body = QVBoxLayout()
        self._body.setSpacing(8)
        self._layout.addLayout(self._body)
        self._layout.addStretch(1)
        self.setWidget(inner)
        self._rule_ids: list[str] = []
        self._not_assessed: list[str] = []
        self.show_waiting([], [])

    # -- what tests and the page read ------------------------------------------------------------

    def rule_ids(self) -> list[str]:
        """Ids of the fired rules shown, in order (strongest first)."""
        return list(self._rule_ids)

    def not_assessed_ids(self) -> list[str]:
        """Ids of the rules shown as not assessed."""
        return list(self._not_assessed)

    def texts(self) -> list[str]:
        """Every text shown in the panel's body, in order."""
        return [label.text() for label in self.widget().findChildren(QLabel) if label.text()]

    # -- showing ---------------------------------------------------------------------------------

    def _clear(self) -> None:
        while self._body.count():
            item = self._body.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone from the screen now; deleted once the event loop runs
                widget.setParent(None)
                widget.deleteLater()
        self._rule_ids, self._not_assessed = [], []

    def _heading(self, text: str) -> None:
        self._body.addWidget(styled_label(text, "sectionHeading", wrap=True))

    def _line(self, text: str, role: str | None = None) -> QLabel:
        label = styled_label(text, role, wrap=True)
        self._body.addWidget(label)
        return label

    def show_waiting(self, missing: Sequence[str], errors: Sequence[FieldError]) -> None:
        """No assessment yet: list the input errors and the required values still empty."""
        self._clear()
        self.badge.set_verdict(None)
        self.figures.setText(self.tr("BMI and thrombosis points appear once height and weight"
                                     " are entered."))  # fmt: skip
        if errors:
            self._heading(self.tr("Input errors (%n)", "", len(errors)))
            for error in errors:
                self._line(f"{field_label(error.key)}: {error.reason}", "fieldError")
        if missing:
            self._heading(self.tr("Still needed"))
            self._line(", ".join(field_label(k) for k in missing), "muted")
        if not errors and not missing:
            self._line(self.tr("Fill in the form to see the verdict."), "muted")

    def show_assessment(self, assessment: Assessment) -> None:
        """Show the verdict, the figures, every fired rule and every rule not assessed."""
        self._clear()
        self.badge.set_verdict(assessment.overall)
        figures = self.tr("BMI {bmi:.1f}   ·   Thrombosis points {points}").format(
            bmi=assessment.bmi, points=assessment.thrombosis_points
        )
        if assessment.thrombosis_factors:
            factors = ", ".join(
                f"{item_label(t.factor)} ({t.points})" for t in assessment.thrombosis_factors
            )
            figures += "\n" + self.tr("Factors: {factors}").format(factors=factors)
        if assessment.not_assessed:
            figures += "\n" + self.tr(
                "{n} rules not assessed: values missing (listed below)"
            ).format(n=len(assessment.not_assessed))
        self.figures.setText(figures)
        self.figures.setAccessibleName(figures)
        if assessment.blocked_sites:
            sites = ", ".join(item_label(s.value) for s in assessment.blocked_sites)
            blocked = self.tr("Band blocked (S-LIMB-1): {sites}").format(sites=sites)
            self._line(blocked, "fieldError")
        self._heading(self.tr("Rules fired (%n)", "", len(assessment.rules)))
        if not assessment.rules:
            self._line(self.tr("No rule fired."), "muted")
        for rule in assessment.rules:
            self._body.addWidget(_rule_card(rule))
            self._rule_ids.append(rule.id)
        if assessment.not_assessed:
            self._heading(self.tr("Not assessed: values missing (%n)", "",
                                  len(assessment.not_assessed)))  # fmt: skip
            for rule_id in assessment.not_assessed:
                label = self._line(
                    f"{rule_id}  {translate(TR_CONTEXT, RULES[rule_id].text)}", "muted"
                )
                label.setObjectName(f"notAssessed_{rule_id}")
                self._not_assessed.append(rule_id)
