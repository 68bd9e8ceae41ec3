"""Restriction clocks per limb group (T-TIME-1..3) and the order strip (T-ORD-1)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.session import GroupView, LimbGroup, SessionSnapshot, SessionState
from ui.session.format import (
    LEVEL_COLOURS,
    ORDER_STEPS,
    ClockLevel,
    group_level,
    group_status_label,
    mmss,
    state_label,
    step_status,
    tr,
)
from ui.theme import restyle

TRACK = "#dde2e8"
WARNING_TICK = "#7a5a00"


class RestrictionBar(QWidget):
    """Restriction time against the warning and the limit: a bar whose colour follows the level."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.elapsed_s = 0.0
        self.warning_s = 1.0
        self.limit_s = 1.0
        self.level = ClockLevel.IDLE
        self.setMinimumHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        """Wide and short."""
        return QSize(320, 30)

    def set_values(self, elapsed_s: float, warning_s: float, limit_s: float, level: ClockLevel):
        """Show a clock; repaints only when something visible changed."""
        values = (round(elapsed_s, 1), warning_s, limit_s, level)
        if values == (round(self.elapsed_s, 1), self.warning_s, self.limit_s, self.level):
            return
        self.elapsed_s, self.warning_s, self.limit_s, self.level = (
            elapsed_s,
            warning_s,
            max(limit_s, 1.0),
            level,
        )
        self.update()

    @property
    def colour(self) -> str:
        """Fill colour of the bar now."""
        return LEVEL_COLOURS[self.level][0]

    def paintEvent(self, _event) -> None:
        """Track, fill to elapsed/limit, a tick at the warning time."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(TRACK))
        p.drawRoundedRect(r, 6, 6)
        frac = min(1.0, max(0.0, self.elapsed_s / self.limit_s))
        if frac > 0:
            p.setBrush(QColor(self.colour))
            p.drawRoundedRect(QRectF(r.left(), r.top(), r.width() * frac, r.height()), 6, 6)
        x = r.left() + r.width() * min(1.0, self.warning_s / self.limit_s)
        p.setPen(QPen(QColor(WARNING_TICK), 3))
        p.drawLine(int(x), int(r.top()), int(x), int(r.bottom()))
        p.end()


class GroupClock(QFrame):
    """One limb group: restriction time in large type, the bar, the limit and the sets."""

    def __init__(self, group: LimbGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = group
        self.setObjectName(f"clock_{group.value}")
        self.setProperty("sessionCard", True)
        self.title = QLabel(tr("Arms") if group is LimbGroup.ARMS else tr("Legs"))
        self.title.setProperty("role", "cardTitle")
        self.status = QLabel()
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.time = QLabel("00:00")
        self.time.setObjectName(f"restriction_{group.value}")
        self.time.setProperty("bigNumber", True)
        self.limit = QLabel()
        self.limit.setProperty("role", "clockLimit")
        self.bar = RestrictionBar()
        self.bar.setObjectName(f"restrictionBar_{group.value}")
        self.sets = QLabel()
        self.sets.setProperty("role", "clockDetail")
        self.sets.setWordWrap(True)

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.status, 1)
        numbers = QHBoxLayout()
        numbers.addWidget(self.time)
        numbers.addWidget(self.limit, 1, Qt.AlignmentFlag.AlignBottom)
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 8, 14, 10)
        column.setSpacing(4)
        column.addLayout(head)
        column.addLayout(numbers)
        column.addWidget(self.bar)
        column.addWidget(self.sets)

    def show_group(self, view: GroupView, skip_reason: str | None = None) -> None:
        """Draw one group's view."""
        level = group_level(view)
        self.time.setText(mmss(view.elapsed_s))
        self.limit.setText(tr("of {limit}").format(limit=mmss(view.limit_s)))
        status = group_status_label(view.status)
        if skip_reason:
            status = tr("skipped: {reason}").format(reason=skip_reason)
        self.status.setText(status)
        self.bar.set_values(view.elapsed_s, view.warning_s, view.limit_s, level)
        blocked = ""
        if view.blocked_channels:
            blocked = "  ·  " + tr("{n} band(s) blocked (S-LIMB-1)").format(
                n=len(view.blocked_channels)
            )
        self.sets.setText(
            tr("warning at {warn}  ·  auto release in {left}  ·  set {n} of {total}").format(
                warn=mmss(view.warning_s),
                left=mmss(view.remaining_s, round_up=True),
                n=view.sets_started,
                total=view.sets_allowed,
            )
            + blocked
        )
        rule = "T-TIME-1" if self.group is LimbGroup.ARMS else "T-TIME-2"
        self.setAccessibleName(
            tr("{group} restriction time {time} of {limit}, {status} ({rule})").format(
                group=self.title.text(),
                time=mmss(view.elapsed_s),
                limit=mmss(view.limit_s),
                status=status,
                rule=rule,
            )
        )
        if self.property("level") != level.value:
            self.setProperty("level", level.value)
            restyle(self)


class OrderStrip(QFrame):
    """Arms, changeover, legs: where the session stands (T-ORD-1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderStrip")
        self.steps: dict[SessionState, QLabel] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for i, step in enumerate(ORDER_STEPS):
            if i:
                arrow = QLabel("›")
                arrow.setProperty("role", "orderArrow")
                row.addWidget(arrow)
            label = QLabel(state_label(step))
            label.setProperty("orderStep", "todo")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.steps[step] = label
            row.addWidget(label, 1)
        self.final = QLabel()
        self.final.setProperty("orderStep", "done")
        self.final.hide()
        row.addWidget(self.final)

    def show_state(self, snapshot: SessionSnapshot) -> None:
        """Mark the steps done, current or to do."""
        skipped = snapshot.arm_skip_reason is not None
        for step, label in self.steps.items():
            status = step_status(snapshot.state, step, skipped)
            if label.property("orderStep") != status:
                label.setProperty("orderStep", status)
                restyle(label)
        self.final.setVisible(snapshot.state.terminal)
        self.final.setText(state_label(snapshot.state))
        self.setAccessibleName(
            tr("Session order: {state}").format(state=state_label(snapshot.state))
        )


def big_font(widget: QWidget, point_size: int) -> None:
    """Set a large bold font on ``widget`` (the style sheet may override it)."""
    font = QFont(widget.font())
    font.setPointSize(point_size)
    font.setBold(True)
    widget.setFont(font)
