"""Administrators' Audit page: the trail filtered by user, entity, action, dates; export; verify."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import (
    AuditAction,
    AuditLine,
    PermissionDenied,
    VerifyResult,
    export_audit_csv,
    list_accounts,
    verify_audit_chain,
    view_audit,
)
from kaatsu_desktop.storage import Database, StorageError, User
from ui.forms import from_qdate, to_qdate
from ui.theme import TOUCH_MIN_PX, restyle
from ui.widgets import FieldError, styled_label

log = logging.getLogger(__name__)

# Entities and actions offered in the filters (the field is editable for any other).
ENTITIES = ("patient", "screening", "clearance", "session", "settings", "user", "audit_log")
ACTIONS = (
    "create",
    "update",
    "archive",
    "read",
    "export",
    "import",
    "print",
    *(a.value for a in AuditAction if a.value not in ("read", "export")),
)
ROW_LIMIT = 2000


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """Local midnight of `first` up to (excluding) local midnight after `last`."""
    since = datetime.combine(first, time()).astimezone()
    until = datetime.combine(last + timedelta(days=1), time()).astimezone()
    return since, until


def verify_text(result: VerifyResult, tr: Callable[[str], str]) -> str:
    """The chain check in words: ok with the head of the chain, or the first broken row."""
    if result.ok:
        return tr("Chain intact: {n} rows checked; last row {id}, hash {hash}.").format(
            n=result.rows_checked, id=result.last_id or 0, hash=(result.last_hash or "")[:16]
        )
    return tr("Chain broken at row {id}: {reason}.").format(
        id=result.first_broken_id, reason=result.reason
    )


class AuditPage(QFrame):
    """The audit trail for an administrator; `choose_export_path` is injectable for tests."""

    def __init__(
        self,
        db: Database,
        admin: User,
        *,
        choose_export_path: Callable[[], Path | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._admin = admin
        self._choose = choose_export_path or self._ask_path
        self.lines: list[AuditLine] = []
        self.setObjectName("auditPage")

        self.user_box = QComboBox()
        self.user_box.setObjectName("auditUserFilter")
        self.user_box.setAccessibleName(self.tr("Filter by user"))
        self.entity_box = self._editable("auditEntityFilter", self.tr("Filter by entity"), ENTITIES)
        self.action_box = self._editable("auditActionFilter", self.tr("Filter by action"), ACTIONS)
        self.dates_check = QCheckBox(self.tr("Dates"))
        self.dates_check.setObjectName("auditDatesCheck")
        self.since_edit = self._date("auditSince", self.tr("From date"))
        self.until_edit = self._date("auditUntil", self.tr("To date"))
        self.apply_button = self._button(self.tr("Show"), "auditApplyButton")
        self.export_button = self._button(self.tr("Export CSV…"), "auditExportButton")
        self.verify_button = self._button(self.tr("Verify chain"), "auditVerifyButton")
        self.verify_label = QLabel()
        self.verify_label.setObjectName("auditVerifyResult")
        self.verify_label.setWordWrap(True)
        self.summary = styled_label("", "muted")
        self.summary.setObjectName("auditSummary")
        self.message = FieldError()
        self.message.setObjectName("auditMessage")

        self.table = QTableWidget(0, 7)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Row"),
                self.tr("When"),
                self.tr("User"),
                self.tr("Action"),
                self.tr("Entity"),
                self.tr("Record"),
                self.tr("Values"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)

        filters = QGridLayout()
        filters.addWidget(QLabel(self.tr("User")), 0, 0)
        filters.addWidget(self.user_box, 0, 1)
        filters.addWidget(QLabel(self.tr("Entity")), 0, 2)
        filters.addWidget(self.entity_box, 0, 3)
        filters.addWidget(QLabel(self.tr("Action")), 0, 4)
        filters.addWidget(self.action_box, 0, 5)
        filters.addWidget(self.dates_check, 1, 0)
        filters.addWidget(self.since_edit, 1, 1)
        filters.addWidget(QLabel(self.tr("to")), 1, 2)
        filters.addWidget(self.until_edit, 1, 3)
        filters.addWidget(self.apply_button, 1, 5)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(styled_label(self.tr("Audit trail"), "title"))
        layout.addWidget(
            styled_label(
                self.tr(
                    "Every sign-in, record read, change, export and session action, with who,"
                    " when and the values. Rows cannot be changed or deleted; Verify chain"
                    " finds a row changed outside the program."
                ),
                "subtitle",
                wrap=True,
            )
        )
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.verify_label)
        layout.addWidget(self.message)

        self.apply_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        self.verify_button.clicked.connect(self.verify)
        self.dates_check.toggled.connect(self._dates_toggled)
        self._dates_toggled(False)
        self.reload_users()
        self.refresh()

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setMinimumHeight(TOUCH_MIN_PX)
        return button

    def _editable(self, name: str, accessible: str, items: tuple[str, ...]) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.setAccessibleName(accessible)
        box.setEditable(True)
        box.addItem("")  # empty: any
        box.addItems(list(items))
        box.lineEdit().setPlaceholderText(self.tr("any"))
        return box

    def _date(self, name: str, accessible: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(to_qdate(self._db.now().astimezone().date()))
        return edit

    def _dates_toggled(self, on: bool) -> None:
        self.since_edit.setEnabled(on)
        self.until_edit.setEnabled(on)

    def reload_users(self) -> None:
        """The user filter: any, the program itself, then every account."""
        self.user_box.clear()
        self.user_box.addItem(self.tr("anyone"), None)
        for account in list_accounts(self._db):
            self.user_box.addItem(account.user.name, account.user.id)

    def set_date_range(self, first: date, last: date) -> None:
        """Filter by dates (inclusive)."""
        self.dates_check.setChecked(True)
        self.since_edit.setDate(QDate(first.year, first.month, first.day))
        self.until_edit.setDate(QDate(last.year, last.month, last.day))

    def refresh(self) -> None:
        """Read the trail with the filters shown."""
        since = until = None
        if self.dates_check.isChecked():
            since, until = day_range(
                from_qdate(self.since_edit.date()), from_qdate(self.until_edit.date())
            )
        try:
            self.lines = view_audit(
                self._db,
                by=self._admin,
                user_id=self.user_box.currentData(),
                entity=self.entity_box.currentText().strip() or None,
                action=self.action_box.currentText().strip() or None,
                since=since,
                until=until,
                limit=ROW_LIMIT,
            )
        except PermissionDenied as denied:
            self.message.show_reason(str(denied))
            self.lines = []
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            e = line.entry
            cells = (
                str(e.id),
                e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                line.user_name,
                e.action,
                e.entity,
                "" if e.entity_id is None else str(e.entity_id),
                line.summary,
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        count = len(self.lines)
        text = self.tr("{n} rows shown.").format(n=count)
        if count >= ROW_LIMIT:
            text += " " + self.tr("Only the first {n}: narrow the filters.").format(n=ROW_LIMIT)
        self.summary.setText(text)

    def _ask_path(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the audit trail"), "audit-trail.csv", self.tr("CSV (*.csv)")
        )
        return Path(name) if name else None

    def export(self) -> int | None:
        """Export the whole trail to a new CSV file chosen by the administrator (audited)."""
        path = self._choose()
        if path is None:
            return None
        try:
            n = export_audit_csv(self._db, path, by=self._admin)
        except (FileExistsError, OSError, PermissionDenied, StorageError) as refused:
            # StorageError: a damaged database, where no unaudited export is written.
            self.message.show_reason(str(refused))
            return None
        self.message.show_reason(None)
        self.summary.setText(self.tr("{n} rows exported to {path}.").format(n=n, path=path))
        self.refresh_keep_summary()
        return n

    def refresh_keep_summary(self) -> None:
        """Refresh the rows (the export added one) but keep the export's message."""
        text = self.summary.text()
        self.refresh()
        self.summary.setText(text)

    def verify(self) -> VerifyResult:
        """Check the hash chain end to end and show the result."""
        result = verify_audit_chain(self._db)
        self.verify_label.setText(verify_text(result, self.tr))
        self.verify_label.setProperty("statusRole", "ok" if result.ok else "error")
        restyle(self.verify_label)
        log.info("audit chain verified: ok=%s rows=%d", result.ok, result.rows_checked)
        return result
