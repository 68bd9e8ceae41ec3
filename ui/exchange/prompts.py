"""The questions export and import ask the user, as injectable callables (tests pass answers).

Each default is the plain Qt dialog; a test builds ``FilePrompts(save_file=lambda *a: (path, ""))``
and never opens a window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

log = logging.getLogger(__name__)

_CTX = "FilePrompts"

# (parent, caption, suggested path, filter) -> (chosen path or "", chosen filter), as QFileDialog.
FileChooser = Callable[[QWidget | None, str, str, str], tuple[str, str]]
PrintSetup = Callable[[QPrinter, QWidget | None], bool]  # True: print
OfferFolder = Callable[[QWidget | None, str, str], bool]  # (parent, title, text) -> open it?
OpenFolder = Callable[[Path], bool]
ShowError = Callable[[QWidget | None, str, str], None]  # (parent, title, text)


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def qt_print_dialog(printer: QPrinter, parent: QWidget | None) -> bool:
    """The system print dialog; True when the user chose Print."""
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


def qt_offer_folder(parent: QWidget | None, title: str, text: str) -> bool:
    """Say what was written and offer to open its folder; True when the user chose to."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setObjectName("exportDoneBox")
    open_button = box.addButton(_tr("Open folder"), QMessageBox.ButtonRole.AcceptRole)
    open_button.setObjectName("openFolderButton")
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    return box.clickedButton() is open_button


def qt_open_folder(folder: Path) -> bool:
    """Show a folder in the system's file manager."""
    opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
    if not opened:
        log.warning("could not open folder %s", folder)
    return opened


def qt_show_error(parent: QWidget | None, title: str, text: str) -> None:
    """A warning box with the reason in words."""
    QMessageBox.warning(parent, title, text)


@dataclass(frozen=True)
class FilePrompts:
    """Every question an export or import asks; the defaults are the ordinary Qt dialogs."""

    save_file: FileChooser = QFileDialog.getSaveFileName
    open_file: FileChooser = QFileDialog.getOpenFileName
    print_setup: PrintSetup = qt_print_dialog
    offer_folder: OfferFolder = qt_offer_folder
    open_folder: OpenFolder = qt_open_folder
    show_error: ShowError = qt_show_error
