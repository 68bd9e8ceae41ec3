"""`kaatsu-desktop report SESSION_ID -o FILE.pdf`: a session's report as a PDF file."""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtGui import QGuiApplication

from kaatsu_desktop.accounts.keysource import KeySource, open_cli_database
from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import NotFound, StorageError


def gui_application() -> QGuiApplication:
    """The running QGuiApplication, or a new one; a PDF needs fonts, not a screen."""
    app = QGuiApplication.instance()
    if app is None:
        # Drawing a PDF needs no display: the offscreen platform works on a headless machine.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["kaatsu-desktop"])
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("a QCoreApplication without GUI support is running")
    return app


def run_report(args: argparse.Namespace, *, keys: KeySource | None = None) -> int:
    """Write the report of `args.session_id` to `args.output`.

    Exit codes: 0 written (its path is printed), 1 the database (a missing or wrong key of an
    encrypted one too) or the file failed, 2 no such session. An encrypted database's key comes
    from the keyring, else the secret is asked on the terminal (`keys`).
    """
    from kaatsu_desktop.reports.service import write_session_report

    gui_application()
    try:
        db = open_cli_database(args, keys)
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        written = write_session_report(db, args.session_id, args.output)
    except NotFound as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (StorageError, OSError) as exc:
        print(
            translate("Reports", "The report was not written: {e}").format(e=exc), file=sys.stderr
        )
        return 1
    finally:
        db.close()
    print(written.path)
    return 0
