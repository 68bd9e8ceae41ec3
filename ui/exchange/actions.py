"""Export and print actions: ask where, write through the exchange service, say what was done.

Every file is written by `ExchangeService` (which checks the user's role and writes the audit
row); this module only asks the questions (through `FilePrompts`) and reports the outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QMarginsF, QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from kaatsu_desktop.accounts import PermissionDenied
from kaatsu_desktop.exchange import ExportWritten
from kaatsu_desktop.reports import ReportWritten, render_report
from kaatsu_desktop.services import ExchangeService, ReportPrinted
from kaatsu_desktop.storage import NotFound, StorageError
from ui.exchange.prompts import FilePrompts

log = logging.getLogger(__name__)

T = TypeVar("T")


def documents_folder() -> Path:
    """Where the first save dialog opens: the user's documents folder (home when unknown)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


@contextmanager
def busy() -> Iterator[None]:
    """A wait cursor while a file is written (reports of long sessions take a moment)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


class ExportActions(QObject):
    """Report (PDF), print, session CSV, patient JSON and FHIR, for one owner widget.

    ``message`` carries a one-line account of each outcome (written, printed, refused) for the
    page to show; cancelled dialogs say nothing.
    """

    message = Signal(str)

    def __init__(
        self, exchange: ExchangeService, owner: QWidget, prompts: FilePrompts | None = None
    ) -> None:
        super().__init__(owner)
        self.exchange = exchange
        self.owner = owner
        self.prompts = prompts or FilePrompts()
        self.last_dir: Path = documents_folder()

    # -- the actions ----------------------------------------------------------------------------

    def report_pdf(self, session_id: int, suggested: str) -> ReportWritten | None:
        """Ask where, write the session's PDF report, offer to open its folder."""
        path = self._ask_path(self.tr("Save session report"), suggested, self.tr("PDF (*.pdf)"))
        if path is None:
            return None
        written = self._attempt(
            self.tr("Report not written"), lambda: self.exchange.write_report(session_id, path)
        )
        if written is not None:
            self._done(
                written.path,
                self.tr("Session report written: {name} ({pages} pages).").format(
                    name=written.path.name, pages=written.pages
                ),
            )
        return written

    def session_csv(self, session_id: int, suggested: str) -> ExportWritten | None:
        """Ask where, write the session's samples and events as CSV."""
        path = self._ask_path(self.tr("Export session as CSV"), suggested, self.tr("CSV (*.csv)"))
        if path is None:
            return None
        written = self._attempt(
            self.tr("Export failed"), lambda: self.exchange.export_session_csv(session_id, path)
        )
        if written is not None:
            self._done(
                written.path,
                self.tr("Session exported as CSV: {name} ({n} rows).").format(
                    name=written.path.name, n=written.items
                ),
            )
        return written

    def patient_json(self, patient_id: int, suggested: str) -> ExportWritten | None:
        """Ask where, write the whole patient record as JSON."""
        path = self._ask_path(self.tr("Export patient record"), suggested, self.tr("JSON (*.json)"))
        if path is None:
            return None
        written = self._attempt(
            self.tr("Export failed"), lambda: self.exchange.export_patient_json(patient_id, path)
        )
        if written is not None:
            self._done(
                written.path,
                self.tr("Patient record exported: {name} ({n} sessions).").format(
                    name=written.path.name, n=written.items
                ),
            )
        return written

    def patient_fhir(self, patient_id: int, suggested: str) -> ExportWritten | None:
        """Ask where, write the patient as an HL7 FHIR R4 Bundle."""
        path = self._ask_path(
            self.tr("Export FHIR bundle"), suggested, self.tr("FHIR JSON (*.json)")
        )
        if path is None:
            return None
        written = self._attempt(
            self.tr("Export failed"), lambda: self.exchange.export_patient_fhir(patient_id, path)
        )
        if written is not None:
            self._done(
                written.path,
                self.tr("FHIR R4 bundle exported: {name} ({n} entries).").format(
                    name=written.path.name, n=written.items
                ),
            )
        return written

    def print_report(self, session_id: int) -> ReportPrinted | None:
        """Print the session's report after the print dialog; the printing is audited."""
        title = self.tr("Report not printed")
        data = self._attempt(title, lambda: self.exchange.report_data(session_id))
        if data is None:
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.tr("KAATSU session report {n}").format(n=session_id))
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 12, 15, 12),
                QPageLayout.Unit.Millimeter,
            )
        )
        if not self.prompts.print_setup(printer, self.owner):
            return None

        def send() -> ReportPrinted:
            pages = render_report(data, printer)
            # Printing to a file names the file; otherwise the printer is the destination.
            where = printer.outputFileName() or f"printer:{printer.printerName()}"
            return self.exchange.record_printed(data, pages=pages, destination=where)

        printed = self._attempt(title, send)
        if printed is not None:
            self.message.emit(
                self.tr("Session report printed ({pages} pages).").format(pages=printed.pages)
            )
        return printed

    # -- shared steps ---------------------------------------------------------------------------

    def _ask_path(self, caption: str, suggested: str, file_filter: str) -> Path | None:
        chosen, _ = self.prompts.save_file(
            self.owner, caption, str(self.last_dir / suggested), file_filter
        )
        if not chosen:
            return None
        path = Path(chosen)
        if not path.suffix:  # some platforms' dialogs leave the extension to us
            path = path.with_suffix(Path(suggested).suffix)
        return path

    def _attempt(self, title: str, work: Callable[[], T]) -> T | None:
        try:
            with busy():
                return work()
        except PermissionDenied as exc:
            reason = str(exc)
        except NotFound:
            reason = self.tr("The record is no longer in the database.")
        except OSError as exc:
            reason = self.tr("The file could not be written: {reason}").format(
                reason=exc.strerror or exc
            )
        except StorageError as exc:
            reason = str(exc)
        except Exception as exc:  # a failed export must never take the workstation down
            log.exception("%s", title)
            reason = str(exc) or type(exc).__name__
        self.message.emit(f"{title}: {reason}")
        self.prompts.show_error(self.owner, title, reason)
        return None

    def _done(self, path: Path, text: str) -> None:
        self.last_dir = path.parent
        self.message.emit(text)
        question = text + "\n\n" + self.tr("Folder: {folder}").format(folder=path.parent)
        if self.prompts.offer_folder(self.owner, self.tr("File written"), question):
            self.prompts.open_folder(path.parent)
