"""Import patients from CSV: a dry run first that lists every error; Import only when none."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaatsu_desktop.accounts import PermissionDenied
from kaatsu_desktop.exchange import ImportResult, LineError
from kaatsu_desktop.services import ExchangeService
from ui.exchange.actions import busy, documents_folder
from ui.exchange.prompts import FilePrompts
from ui.theme import TOUCH_MIN_PX, restyle
from ui.widgets import primary_button, styled_label

log = logging.getLogger(__name__)


class ImportDialog(QDialog):
    """Choose a patients CSV, see the dry run's errors (line, field, reason), then import.

    ``imported`` carries the ImportResult once patients were created.
    """

    imported = Signal(object)  # ImportResult

    def __init__(
        self,
        exchange: ExchangeService,
        prompts: FilePrompts | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._exchange = exchange
        self.prompts = prompts or FilePrompts()
        self.path: Path | None = None
        self.result: ImportResult | None = None  # of the last dry run or import
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("Import patients (CSV)"))
        self.setMinimumSize(820, 520)

        intro = styled_label(
            self.tr(
                "The file needs a header row with clinic_id, family_name, given_name,"
                " date_of_birth (YYYY-MM-DD) and sex (female, male, other); contact and notes"
                " are optional. Every line is checked first: nothing is imported unless every"
                " line is valid."
            ),
            wrap=True,
        )
        self.file_label = styled_label(self.tr("No file chosen."), "subtitle", wrap=True)
        self.file_label.setObjectName("importFile")
        self.summary = styled_label("", wrap=True)
        self.summary.setObjectName("importSummary")
        self.errors = QTableWidget(0, 3)
        self.errors.setObjectName("importErrors")
        self.errors.setAccessibleName(self.tr("Errors found in the file"))
        self.errors.setHorizontalHeaderLabels([self.tr("Line"), self.tr("Field"),
                                               self.tr("Reason")])  # fmt: skip
        self.errors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.errors.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.errors.setAlternatingRowColors(True)
        self.errors.verticalHeader().hide()
        self.errors.verticalHeader().setDefaultSectionSize(TOUCH_MIN_PX - 8)
        header = self.errors.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.errors.setColumnWidth(0, 80)
        self.errors.setColumnWidth(1, 180)
        self.errors.hide()

        self.choose_button = QPushButton(self.tr("&Choose file…"))
        self.choose_button.setObjectName("chooseImportFile")
        self.choose_button.setAccessibleName(self.tr("Choose a patients CSV file"))
        self.recheck_button = QPushButton(self.tr("Check &again"))
        self.recheck_button.setObjectName("recheckImportFile")
        self.recheck_button.setAccessibleName(self.tr("Check the file again"))
        self.recheck_button.setEnabled(False)
        self.import_button = primary_button(self.tr("&Import"), "importPatientsNow",
                                            self.tr("Import the patients"))  # fmt: skip
        self.import_button.setEnabled(False)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeImport")

        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.recheck_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addWidget(self.file_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.errors, 1)
        layout.addStretch(0)
        layout.addLayout(buttons)

        self.choose_button.clicked.connect(self.choose)
        self.recheck_button.clicked.connect(self.recheck)
        self.import_button.clicked.connect(self.import_now)
        self.close_button.clicked.connect(self.accept)

    def choose(self) -> None:
        """Ask for a file (the injected chooser), then check it."""
        folder = self.path.parent if self.path else documents_folder()
        chosen, _ = self.prompts.open_file(
            self, self.tr("Choose a patients CSV file"), str(folder),
            self.tr("CSV files (*.csv);;All files (*)"),
        )  # fmt: skip
        if chosen:
            self.check(Path(chosen))

    def recheck(self) -> None:
        """Check the chosen file again (after it was corrected)."""
        if self.path is not None:
            self.check(self.path)

    def check(self, path: Path) -> ImportResult | None:
        """Dry run: list every error; Import is enabled only when there is none."""
        self.path = path
        self.file_label.setText(self.tr("File: {path}").format(path=path))
        self.recheck_button.setEnabled(True)
        self.import_button.setEnabled(False)
        result = self._run(lambda: self._exchange.check_import(path))
        if result is None:
            return None
        self._show(result)
        if result.ok and result.valid_rows:
            self.import_button.setEnabled(True)
            self._say(
                self.tr("Every line is valid: {n} patients ready to import.").format(
                    n=result.valid_rows
                )
                if result.valid_rows != 1
                else self.tr("Every line is valid: 1 patient ready to import."),
                "ok",
            )
        elif result.ok:
            self._say(self.tr("The file holds no patients."), "error")
        return result

    def import_now(self) -> ImportResult | None:
        """Import the checked file: every patient, or none when a line is (now) wrong."""
        if self.path is None or not self.import_button.isEnabled():
            return None
        self.import_button.setEnabled(False)
        path = self.path
        result = self._run(lambda: self._exchange.import_patients(path))
        if result is None:
            return None
        self._show(result)
        if result.ok:
            self._say(
                self.tr("Imported {n} patients.").format(n=len(result.created))
                if len(result.created) != 1
                else self.tr("Imported 1 patient."),
                "ok",
            )
            self.imported.emit(result)
        return result

    # -- showing --------------------------------------------------------------------------------

    def _run(self, work: Callable[[], ImportResult]) -> ImportResult | None:
        try:
            with busy():
                result = work()
        except PermissionDenied as exc:
            self._say(str(exc), "error")
            return None
        except OSError as exc:
            self._say(
                self.tr("The file could not be read: {reason}").format(reason=exc.strerror or exc),
                "error",
            )
            return None
        self.result = result
        return result

    def _show(self, result: ImportResult) -> None:
        self._fill(result.errors)
        if result.errors:
            count = len(result.errors)
            self._say(
                self.tr(
                    "{n} problems found: nothing will be imported. Correct the file, then"
                    " Check again."
                ).format(n=count)
                if count != 1
                else self.tr(
                    "1 problem found: nothing will be imported. Correct the file, then Check again."
                ),
                "error",
            )

    def _fill(self, errors: tuple[LineError, ...]) -> None:
        self.errors.setRowCount(len(errors))
        for r, error in enumerate(errors):
            line = QTableWidgetItem(str(error.line) if error.line else "—")
            line.setData(Qt.ItemDataRole.UserRole, error.line)
            self.errors.setItem(r, 0, line)
            self.errors.setItem(r, 1, QTableWidgetItem(error.field))
            reason = QTableWidgetItem(error.reason)
            reason.setToolTip(error.reason)
            self.errors.setItem(r, 2, reason)
        self.errors.setVisible(bool(errors))

    def _say(self, text: str, tone: str) -> None:
        self.summary.setText(text)
        # fieldError is the style sheet's red, bold role; "ok" stays plain text.
        self.summary.setProperty("role", "fieldError" if tone == "error" else "subtitle")
        restyle(self.summary)
