"""The session's event log: everything that happened, newest first, with time and rule id."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kaatsu_desktop.session import EventKind, SessionEvent
from ui.session.format import mmss, rule_text, tr

MAX_ROWS = 5000  # a long session with link trouble stays well below this

_ALARM_KINDS = frozenset(
    {
        EventKind.ALARM_RAISED,
        EventKind.LIMIT_RELEASE,
        EventKind.OVER_PRESSURE,
        EventKind.UNCOMMANDED_INFLATION,
        EventKind.COMMAND_FAILED,
    }
)
_RELEASE_KINDS = frozenset({EventKind.RELEASE, EventKind.STOP_CRITERION, EventKind.DEVICE_RELEASED})
# Events that only echo a command's round trip: kept in the record, not worth a line here.
_QUIET_KINDS = frozenset({EventKind.COMMAND_CONFIRMED})


def event_text(event: SessionEvent, t0: float) -> str:
    """One log line: session time, rule id and message."""
    return f"{mmss(event.time - t0)}   {rule_text(event.rule_id, event.message)}"


class EventLog(QFrame):
    """A list of the session's events, the newest at the top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventLogCard")
        self.setProperty("sessionCard", True)
        self.t0 = 0.0
        title = QLabel(tr("Event log"))
        title.setProperty("role", "cardTitle")
        self.list = QListWidget()
        self.list.setObjectName("eventLog")
        self.list.setAccessibleName(tr("Session event log"))
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setMinimumHeight(64)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 10)
        column.addWidget(title)
        column.addWidget(self.list, 1)
        self._last: SessionEvent | None = None
        self._bold = QFont(self.list.font())
        self._bold.setBold(True)

    def clear(self, t0: float) -> None:
        """Start a new session's log; times count from ``t0``."""
        self.list.clear()
        self._last = None
        self.t0 = t0

    def add_events(self, events: tuple[SessionEvent, ...] | list[SessionEvent]) -> None:
        """Add events (oldest first, as the engine emits them)."""
        for event in events:
            if event.kind in _QUIET_KINDS:
                continue
            if self._folds(event):
                continue
            item = QListWidgetItem(event_text(event, self.t0))
            item.setData(256, event.kind.value)  # Qt.UserRole: the kind, for tests and filters
            if event.kind in _ALARM_KINDS:
                item.setForeground(QBrush(QColor("#b3141b")))
                item.setFont(self._bold)
            elif event.kind in _RELEASE_KINDS:
                item.setFont(self._bold)
            self.list.insertItem(0, item)
            self._last = event
        while self.list.count() > MAX_ROWS:
            self.list.takeItem(self.list.count() - 1)

    def _folds(self, event: SessionEvent) -> bool:
        """An alarm raised for the event just logged joins that line instead of repeating it."""
        last = self._last
        if (
            event.kind is not EventKind.ALARM_RAISED
            or last is None
            or last.message != event.message
            or last.time != event.time
            or self.list.count() == 0
        ):
            return False
        item = self.list.item(0)
        priority = str(event.data.get("priority", ""))
        item.setText(item.text() + "  " + tr("[alarm: {priority}]").format(priority=priority))
        item.setForeground(QBrush(QColor("#b3141b")))
        item.setFont(self._bold)
        item.setData(257, event.kind.value)  # the folded kind, for tests
        return True

    def lines(self) -> list[str]:
        """Every line shown, newest first."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def kinds(self) -> list[str]:
        """Event kind of every line, newest first."""
        return [str(self.list.item(i).data(256)) for i in range(self.list.count())]
