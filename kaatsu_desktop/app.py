"""Composition root: builds the database, the device runtime and the window, and wires them."""

from __future__ import annotations

import argparse
import logging
import sys

log = logging.getLogger(__name__)


def run_app(args: argparse.Namespace) -> int:
    """Start the Qt application (placeholder window until the workstation exists)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("KAATSU Desktop")
    window = QMainWindow()
    title = QCoreApplication.translate("App", "KAATSU Desktop")
    if args.demo:
        title += QCoreApplication.translate("App", " — DEMO")
    window.setWindowTitle(title)
    label = QLabel(
        QCoreApplication.translate(
            "App", "KAATSU Desktop is being set up: the workstation screens are not built yet."
        )
    )
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(900, 600)
    window.show()
    return app.exec()
