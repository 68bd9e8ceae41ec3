"""The patient registry: search-as-you-type, archived on request, new patient, open a record."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.services import ExchangeService, PatientChange, PatientSearch, PatientService
from ui.exchange.prompts import FilePrompts
from ui.patients.dialog import PatientDialog
from ui.patients.model import PatientTableModel
from ui.theme import TOUCH_MIN_PX
from ui.widgets import primary_button, styled_label

if TYPE_CHECKING:
    from kaatsu_desktop.exchange import ImportResult
    from ui.exchange.import_dialog import ImportDialog

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 100


class RegistryPage(QWidget):
    """Find a patient as you type; open one with Enter or a double click; import from CSV.

    ``exchange`` runs the patients import as the acting user; without one the page uses an
    ExchangeService alongside ``patients``. ``prompts`` answers the file dialog (tests).
    """

    patient_opened = Signal(int)  # patient id

    def __init__(
        self,
        patients: PatientService,
        parent: QWidget | None = None,
        *,
        exchange: ExchangeService | None = None,
        prompts: FilePrompts | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._exchange = exchange or ExchangeService.alongside(patients)
        self._prompts = prompts
        self.import_window: ImportDialog | None = None
        self.last_search: PatientSearch | None = None
        self.last_refresh_ms = 0.0  # search plus model reset, for the status line and tests

        title = styled_label(self.tr("Patients"), "title")
        self.search_field = QLineEdit()
        self.search_field.setObjectName("patientSearch")
        self.search_field.setAccessibleName(self.tr("Search patients"))
        self.search_field.setPlaceholderText(
            self.tr("Search by name, clinic ID or date of birth (YYYY-MM-DD)")
        )
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMinimumHeight(TOUCH_MIN_PX + 4)
        self.show_archived = QCheckBox(self.tr("Show archived patients"))
        self.show_archived.setObjectName("showArchived")
        self.new_button = primary_button(self.tr("&New patient"), "newPatientButton")
        self.import_button = QPushButton(self.tr("&Import patients (CSV)…"))
        self.import_button.setObjectName("importPatientsButton")
        self.import_button.setAccessibleName(self.tr("Import patients from a CSV file"))
        refused = self._exchange.refusal(importing=True)
        if refused:  # said where the button is; the import checks again when it runs
            self.import_button.setEnabled(False)
            self.import_button.setToolTip(refused)
        self.summary = styled_label("", "muted")
        self.summary.setObjectName("searchSummary")

        self.model = PatientTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("patientTable")
        self.table.setAccessibleName(self.tr("Patients found"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(TOUCH_MIN_PX)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        for column, width in enumerate((170, 240, 220, 180, 120)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)

        top = QHBoxLayout()
        top.addWidget(self.search_field, 1)
        top.addWidget(self.show_archived)
        top.addWidget(self.import_button)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search_field.textChanged.connect(self._debounce.start)
        self.search_field.returnPressed.connect(self._open_first)
        self.show_archived.toggled.connect(self.refresh)
        self.new_button.clicked.connect(self.new_patient)
        self.import_button.clicked.connect(self.open_import)
        patients.patient_changed.connect(self._on_patient_changed)
        self._exchange.imported.connect(self._on_imported)
        self.refresh()

    def refresh(self) -> None:
        """Run the search now for what is typed (the debounce timer calls this)."""
        self._debounce.stop()
        started = time.perf_counter()
        result = self._patients.search(
            self.search_field.text(), include_archived=self.show_archived.isChecked()
        )
        self.model.set_patients(result.patients)
        self.last_refresh_ms = (time.perf_counter() - started) * 1000
        self.last_search = result
        self.summary.setText(self._summary_text(result))
        log.debug("search %r: %d rows in %.1f ms", result.query, len(result.patients),
                  self.last_refresh_ms)  # fmt: skip

    def _summary_text(self, result: PatientSearch) -> str:
        count = len(result.patients)
        if count == 0:
            return (
                self.tr("No patient matches “{query}”.").format(query=result.query.strip())
                if result.query.strip()
                else self.tr("No patients yet: add one with New patient.")
            )
        if result.truncated:
            # Storage returns the most recently added matches when there are more than a page.
            return self.tr(
                "Showing {n} of the matches (the most recently added): type more to narrow them."
            ).format(n=count)
        if count == 1:
            return self.tr("1 patient found.")
        return self.tr("{n} patients found.").format(n=count)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.patient_opened.emit(self.model.patient_at(index.row()).id)

    def _open_first(self) -> None:
        self.refresh()  # Enter before the debounce fired: search what is typed now
        if self.model.rowCount() == 1:
            self.patient_opened.emit(self.model.patient_at(0).id)
        elif self.model.rowCount() > 1:
            self.table.setFocus()
            self.table.selectRow(0)

    def new_patient(self) -> None:
        """Open the New patient dialog; open the record once it is saved."""
        dialog = PatientDialog(self._patients, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self.patient_opened.emit(dialog.saved.id)

    def import_dialog(self) -> ImportDialog:
        """The Import patients dialog (not yet opened); its modules load at the first import."""
        from ui.exchange.import_dialog import ImportDialog

        return ImportDialog(self._exchange, self._prompts, parent=self)

    def open_import(self) -> ImportDialog | None:
        """Open the import dialog and ask for the file at once; a refusal is said, not opened."""
        refused = self._exchange.refusal(importing=True)
        if refused:
            self.summary.setText(refused)
            return None
        if self.import_window is not None:  # the previous one, closed: let it go
            self.import_window.deleteLater()
        dialog = self.import_dialog()
        self.import_window = dialog
        dialog.open()  # window-modal, without a nested event loop
        dialog.choose()
        return dialog

    def _on_imported(self, result: ImportResult) -> None:
        self.refresh()
        count = len(result.created)
        self.summary.setText(
            self.tr("Imported {n} patients from {name}.").format(n=count, name=result.source.name)
            if count != 1
            else self.tr("Imported 1 patient from {name}.").format(name=result.source.name)
        )

    def _on_patient_changed(self, _change: PatientChange) -> None:
        self.refresh()

    def focus_search(self) -> None:
        """Put the cursor in the search field, its text selected."""
        self.search_field.setFocus()
        self.search_field.selectAll()
