"""The patient's history in tabs: sessions, screenings and clearances, each with its empty state.

Sessions: plots over time above the table, each row with Report (PDF), Print and Export CSV.
Screenings: the verdict timeline above the table. Clearances: the table.

Opening a patient fills these at once (issue 8: within 100 ms for 200 sessions): the plots are
built and drawn only while on screen (DeferredPlot), rows keep the touch height and only a row
whose status would be cut is measured, and row buttons are made for the rows in view.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.services import PatientHistory, SessionSummary, clearance_in_force
from kaatsu_desktop.services.trends import (
    SessionTrends,
    clearance_spans,
    verdict_points,
)
from kaatsu_desktop.storage import SessionStatus
from ui.history.authorship import AuthorshipWords
from ui.patients.deferred import DeferredPlot
from ui.theme import TOUCH_MIN_PX
from ui.widgets import VerdictChip, styled_label

if TYPE_CHECKING:
    from kaatsu_desktop.accounts.session_authors import SessionAuthors
    from ui.history.session_plots import SessionHistoryPlots
    from ui.history.verdict_plot import VerdictTimeline

log = logging.getLogger(__name__)

ROW_BUTTON_STYLE = "QPushButton { padding: 4px 8px; }"  # three fit in one row of the table
ACTIONS = 6  # the session table's column of report and export buttons
STATUS = 5  # the session table's column that takes the width left over
CELL_PADDING_PX = 10  # the style sheet's padding on each side of a table cell
ROW_PX = TOUCH_MIN_PX + 4  # every history row, unless its text needs more
ROW_MARGIN_PX = 6  # above and below a status of more lines than a touch row holds


def _session_plots() -> SessionHistoryPlots:
    from ui.history.session_plots import SessionHistoryPlots  # pyqtgraph: at the first plot

    return SessionHistoryPlots()


def _verdict_timeline() -> VerdictTimeline:
    from ui.history.verdict_plot import VerdictTimeline

    return VerdictTimeline()


def history_table(headers: list[str], name: str, accessible: str) -> QTableWidget:
    """A read-only, row-selecting table with touch-sized rows."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(ROW_PX)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def cell(text: str, *, tip: bool = True) -> QTableWidgetItem:
    """A table cell whose tooltip repeats its text (long reasons are cut by the column).

    ``tip=False`` for short fixed texts (dates, numbers) that a column never cuts.
    """
    item = QTableWidgetItem(text)
    if tip:
        item.setToolTip(text)
    return item


class EmptyOr(QStackedWidget):
    """Either the content or, when there is nothing to show, a plain sentence saying so."""

    def __init__(self, content: QWidget, title: str, hint: str, name: str) -> None:
        super().__init__()
        self.empty = QWidget()
        self.empty.setObjectName(name)
        box = QVBoxLayout(self.empty)
        box.setContentsMargins(24, 24, 24, 24)
        self.title = styled_label(title, "subtitle", wrap=True)
        self.hint = styled_label(hint, "muted", wrap=True)
        box.addWidget(self.title)
        box.addWidget(self.hint)
        box.addStretch(1)
        self.content = content
        self.addWidget(self.empty)
        self.addWidget(content)

    def set_empty(self, empty: bool) -> None:
        """Show the sentence (True) or the content (False)."""
        self.setCurrentWidget(self.empty if empty else self.content)

    @property
    def is_empty(self) -> bool:
        """True while the sentence is shown."""
        return self.currentWidget() is self.empty


def _splitter(top: QWidget, bottom: QWidget, sizes: tuple[int, int]) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(top)
    splitter.addWidget(bottom)
    splitter.setSizes(list(sizes))
    return splitter


class SessionsTab(QWidget):
    """Sessions over time (plots) above the session table; each row offers report and export."""

    report_requested = Signal(int)  # session id
    print_requested = Signal(int)
    csv_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_slot = DeferredPlot(_session_plots)
        self.table = history_table(
            [self.tr("Date"), self.tr("Protocol"), self.tr("Arms\n(min)"), self.tr("Legs\n(min)"),
             self.tr("Alarms"), self.tr("Status"), self.tr("Report and export")],
            "sessionHistory",
            self.tr("Sessions"),
        )  # fmt: skip
        self.table.setMinimumHeight(110)
        header = self.table.horizontalHeader()
        # The buttons right after the date, so a narrow window scrolls the status away, never
        # them; the status (end reasons too) takes the width left over, rows re-fit to it.
        header.moveSection(header.visualIndex(ACTIONS), 1)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Stretch)
        self._refit = QTimer(self)  # after the layout settles, once per burst of resizes
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_rows)
        self._refit.timeout.connect(self._ensure_row_widgets)
        header.sectionResized.connect(self._status_resized)
        # Buttons are made for the rows in view only (a patient may have hundreds of sessions;
        # three widgets a row for all of them would take a visible moment to build).
        self.sessions: tuple[SessionSummary, ...] = ()
        self._statuses: list[tuple[int, str]] = []  # rows whose status may need a taller row
        self._actions_px: int | None = None
        self.table.verticalScrollBar().valueChanged.connect(self._ensure_row_widgets)
        self.table.viewport().installEventFilter(self)
        self.table.setStyleSheet(ROW_BUTTON_STYLE)
        self.body = EmptyOr(
            _splitter(self.plot_slot, self.table, (300, 260)),
            self.tr("No sessions yet."),
            self.tr(
                "Once this patient has had a session, its restriction time per limb group"
                " against the limits, the pressures and the alarms appear here, as plots and"
                " in a table."
            ),
            "noSessions",
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.body)

    @property
    def plots(self) -> SessionHistoryPlots:
        """The plots over time, built at their first use and drawn with the latest sessions."""
        plots: SessionHistoryPlots = self.plot_slot.widget
        return plots

    def show_sessions(
        self,
        history: PatientHistory,
        trends: SessionTrends,
        authors: Mapping[int, SessionAuthors] | None = None,
    ) -> None:
        """Fill the table (newest first) and the plots (oldest first).

        ``authors`` (session_authors of the patient) adds a line under each status: who started
        the session and who completed, aborted or last changed it (issue 7).
        """
        rows = history.sessions
        # Drawn before the plots come into view, so that they are drawn once, with these.
        self.plot_slot.draw(lambda plots: plots.set_trends(trends))
        self.body.set_empty(not rows)
        table = self.table
        table.setRowCount(0)  # the previous patient's rows go, with their heights and buttons
        table.setRowCount(len(rows))
        self.sessions = rows
        self._statuses = []
        words = {status: self._status_words(status) for status in SessionStatus}
        demo = self.tr(" (demo)")
        fitted: dict[int, dict[str, int]] = {0: {}, 1: {}, 2: {}, 3: {}, 4: {}}  # text: 1st row
        authorship = AuthorshipWords() if authors else None
        model = table.model()
        index, put = model.index, model.setItemData
        shown, tip_role = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
        described = Qt.ItemDataRole.AccessibleDescriptionRole
        # Cells are made by the model (setItemData), not as Python items: 1,400 item wrappers
        # an open kept alive until the next one, and made the collector's full passes, tens of
        # ms each, come sooner. The model tells the view of each cell as it is set; it is told
        # once, at the end, instead (the view has no rows to repaint before that).
        model.blockSignals(True)
        try:
            for r, s in enumerate(rows):
                status = words[s.status] + (demo if s.demo else "")
                if s.end_reason:
                    status += f": {s.end_reason}"
                roles = {shown: status, tip_role: status}
                who = authors.get(s.id) if authors is not None and authorship else None
                if who is not None and authorship is not None:
                    # Issue 7: the authors' names under the status, with their times in the tip.
                    written = authorship.cell_texts(status, who)
                    status = written.text
                    roles = {shown: status, tip_role: written.tip, described: written.description}
                if s.end_reason or who is not None:
                    self._statuses.append((r, status))  # may need a taller row
                # Date over time: a narrow column leaves the status its room.
                texts = (self._when(s).replace(" ", "\n"), self._minutes(s.minutes["arms"]),
                         self._minutes(s.minutes["legs"]), str(s.alarms))  # fmt: skip
                for column, text in zip((0, 2, 3, 4), texts, strict=True):
                    put(index(r, column), {shown: text})  # short: no tooltip (see cell())
                    fitted[column].setdefault(text, r)
                put(index(r, 1), {shown: s.protocol, tip_role: s.protocol})
                fitted[1].setdefault(s.protocol, r)
                put(index(r, STATUS), roles)
                put(index(r, ACTIONS), {shown: ""})  # the row stays selectable
        finally:
            model.blockSignals(False)
        if rows:
            model.dataChanged.emit(
                model.index(0, 0), model.index(len(rows) - 1, table.columnCount() - 1)
            )
        self._ensure_row_widgets()
        self._fit_columns(fitted)

    @staticmethod
    def _when(session: SessionSummary) -> str:
        # Not strftime: it imports the time module on every call, through PySide's import hook.
        t = session.started_at.astimezone()
        return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A taller table shows more rows: give them their buttons."""
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._refit.start()
        return super().eventFilter(watched, event)

    def _ensure_row_widgets(self) -> None:
        table = self.table
        if not self.sessions:
            return
        first = max(0, table.rowAt(0))
        last = table.rowAt(table.viewport().height() - 1)
        last = len(self.sessions) - 1 if last < 0 else last
        for row in range(first, min(last + 2, len(self.sessions))):  # one spare row below
            self._widget_for(row)

    def _widget_for(self, row: int) -> QWidget:
        holder = self.table.cellWidget(row, ACTIONS)
        if holder is None:
            session = self.sessions[row]
            holder = self._row_actions(session, self._when(session))
            self.table.setCellWidget(row, ACTIONS, holder)
        return holder

    def _fit_columns(self, fitted: dict[int, dict[str, int]]) -> None:
        # Dates, minutes and alarms as wide as their text; the buttons as wide as they need.
        table = self.table
        protocols = fitted.pop(1, {})
        for column, texts in fitted.items():
            table.setColumnWidth(column, self._content_width(column, texts))
        # The protocol as wide as its longest name, at most 150 px (the full name: tooltip);
        # each name measured once, as sizeHintForColumn measured it in every row.
        model, grid = table.model(), int(table.showGrid())
        widest = max(
            (
                table.sizeHintForIndex(model.index(row, 1)).width() + grid
                for row in protocols.values()
            ),
            default=grid,
        )
        table.setColumnWidth(1, min(150, widest + 12))
        if self.sessions:
            table.setColumnWidth(ACTIONS, self._actions_width())
        table.verticalHeader().setMinimumSectionSize(ROW_PX)
        self._fit_rows()

    def _content_width(self, column: int, texts: dict[str, int]) -> int:
        # What resizeColumnToContents gives, from the one cell with the widest text instead of
        # a size hint through the style sheet for every cell (dates, numbers: few widths).
        table = self.table
        header = table.horizontalHeader().sectionSizeHint(column)
        if not texts:
            return header
        advance = table.fontMetrics().horizontalAdvance
        widest = max(texts, key=lambda text: max(map(advance, text.split("\n"))))
        index = table.model().index(texts[widest], column)
        return max(table.sizeHintForIndex(index).width() + int(table.showGrid()), header)

    def _actions_width(self) -> int:
        # The same three buttons on every row: measured once (after the style sheet sized them).
        if self._actions_px is None:
            holder = self._widget_for(0)
            for button in holder.findChildren(QPushButton):
                button.ensurePolished()
            holder.ensurePolished()
            # The style sheet pads every cell by 10 px a side; cell widgets are inset by it.
            self._actions_px = holder.sizeHint().width() + 22
        return self._actions_px

    def _fit_rows(self) -> None:
        # A long end reason gets a taller row rather than an ellipsis (touch rows stay 48 px).
        # Only a status with an end reason or its authors' line can be longer than one line:
        # those rows alone are fitted (resizeRowsToContents measured every cell of every row,
        # 12 ms for 200 rows), each distinct text once (most of a patient's rows are alike).
        # The height comes from the text wrapped to the width it is painted in: the item size
        # hint under the style sheet wraps it to the width before the padding, one line short.
        table = self.table
        room = max(1, table.columnWidth(STATUS) - 2 * CELL_PADDING_PX - 1)
        metrics = table.fontMetrics()
        bounds = QRect(0, 0, room, 1 << 20)
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        heights: dict[str, int] = {}
        for row, text in self._statuses:
            height = heights.get(text)
            if height is None:
                needed = metrics.boundingRect(bounds, flags, text).height() + ROW_MARGIN_PX
                height = heights[text] = max(ROW_PX, needed)
            if table.rowHeight(row) != height:
                table.setRowHeight(row, height)

    def _status_resized(self, column: int, _old: int, _new: int) -> None:
        if column == STATUS:
            self._refit.start()

    def _row_actions(self, session: SessionSummary, when: str) -> QWidget:
        holder = QWidget()
        box = QHBoxLayout(holder)
        box.setContentsMargins(0, 2, 0, 2)
        box.setSpacing(6)
        specs = (
            ("sessionReportButton", self.tr("Report (PDF)"),
             self.tr("Save the report of the session of {when} as PDF"), self.report_requested),
            ("sessionPrintButton", self.tr("Print"),
             self.tr("Print the report of the session of {when}"), self.print_requested),
            ("sessionCsvButton", self.tr("Export CSV"),
             self.tr("Export the samples and events of the session of {when} as CSV"),
             self.csv_requested),
        )  # fmt: skip
        for name, text, accessible, signal in specs:
            button = QPushButton(text)
            button.setObjectName(name)
            button.setAccessibleName(accessible.format(when=when))
            button.setToolTip(accessible.format(when=when))
            button.setProperty("session_id", session.id)
            button.clicked.connect(lambda _=False, sid=session.id, sig=signal: sig.emit(sid))
            box.addWidget(button)
        return holder

    def row_button(self, row: int, name: str) -> QPushButton:
        """The action button ``name`` of a table row (for tests and keyboard users)."""
        button = self._widget_for(row).findChild(QPushButton, name)
        if button is None:
            raise LookupError(f"no {name} in row {row}")
        return button

    def _status_words(self, status: SessionStatus) -> str:
        words = {
            SessionStatus.RUNNING: self.tr("running"),
            SessionStatus.COMPLETED: self.tr("completed"),
            SessionStatus.ABORTED: self.tr("aborted"),
            SessionStatus.INTERRUPTED: self.tr("interrupted"),
        }
        return words[status]

    def _minutes(self, value: float | None) -> str:
        return self.tr("not recorded") if value is None else f"{value:.1f}"


class ScreeningsTab(QWidget):
    """The verdict timeline above the screening table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline_slot = DeferredPlot(_verdict_timeline)
        self.table = history_table(
            [self.tr("Date"), self.tr("Verdict"), self.tr("Rules fired"), self.tr("Not assessed")],
            "screeningHistory",
            self.tr("Screenings"),
        )
        self.table.setMinimumHeight(110)
        self.body = EmptyOr(
            _splitter(self.timeline_slot, self.table, (240, 300)),
            self.tr("No screenings yet."),
            self.tr(
                "A screening is needed before any session (P-SCR-1). Its verdict, and every"
                " later one, appears here on a timeline and in a table."
            ),
            "noScreenings",
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.body)

    @property
    def timeline(self) -> VerdictTimeline:
        """The verdict timeline, built at its first use and drawn with the latest screenings."""
        timeline: VerdictTimeline = self.timeline_slot.widget
        return timeline

    def show_screenings(self, history: PatientHistory) -> None:
        """Fill the timeline and the table (newest first)."""
        rows = history.screenings
        points, spans = verdict_points(rows), clearance_spans(history.clearances)
        self.timeline_slot.draw(lambda timeline: timeline.set_points(points, spans, history.today))
        self.body.set_empty(not rows)
        table = self.table
        table.setRowCount(len(rows))
        for r, record in enumerate(rows):
            table.setItem(r, 0, cell(record.assessed_on.isoformat()))
            chip = VerdictChip(record.verdict, long=True)
            holder = QWidget()
            box = QHBoxLayout(holder)
            box.setContentsMargins(6, 4, 6, 4)
            box.addWidget(chip)
            box.addStretch(1)
            table.setCellWidget(r, 1, holder)
            table.setItem(r, 1, cell(""))  # the chip speaks; the item keeps the row selectable
            fired = [rule["id"] for rule in record.assessment.get("rules", [])]
            table.setItem(r, 2, cell(", ".join(fired) or self.tr("none")))
            missing = record.assessment.get("not_assessed", [])
            table.setItem(r, 3, cell(", ".join(missing) or self.tr("none")))
        table.setColumnWidth(0, 150)
        table.setColumnWidth(1, 320)
        table.setColumnWidth(2, 470)


class ClearancesTab(QWidget):
    """Physician clearances, newest first, with whether each is in force today."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = history_table(
            [self.tr("Issued"), self.tr("Physician"), self.tr("Rules covered"),
             self.tr("Expires on"), self.tr("Status"), self.tr("Note")],
            "clearanceHistory",
            self.tr("Clearances"),
        )  # fmt: skip
        self.body = EmptyOr(
            self.table,
            self.tr("No physician clearance on file."),
            self.tr(
                "A screening verdict of “Physician clearance required” allows sessions only"
                " once a clearance is recorded (Record clearance)."
            ),
            "noClearances",
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.body)

    def show_clearances(self, history: PatientHistory) -> None:
        """Fill the table."""
        rows = history.clearances
        self.body.set_empty(not rows)
        table = self.table
        table.setRowCount(len(rows))
        for r, record in enumerate(rows):
            in_force = clearance_in_force(record, history.today)
            cells = (
                record.issued_on.isoformat(),
                record.physician,
                ", ".join(record.rules),
                record.expires_on.isoformat(),
                self.tr("in force") if in_force else self.tr("not in force"),
                record.note,
            )
            for c, text in enumerate(cells):
                table.setItem(r, c, cell(text))
        for column, width in enumerate((140, 220, 220, 140, 150)):
            table.setColumnWidth(column, width)
