"""Render the sign-in, the lock overlay, Accounts and the audit viewer into docs/screenshots/.

Usage: python -m tests.ui.accounts.screenshots [OUT_DIR]. A fresh clinic database in a temporary
folder, a fixed clinic time and invented people, so the pictures are the same on every run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from kaatsu_desktop.accounts import (
    Authenticator,
    HashParameters,
    SignInFailed,
    create_account,
    create_first_administrator,
)
from kaatsu_desktop.services import Services
from kaatsu_desktop.storage import PatientFields, open_database
from ui.accounts.shell import AccountsShell
from ui.accounts.signin import SignInDialog
from ui.main_window import MainWindow, Page
from ui.theme import apply_theme

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SIZE = (1440, 900)
CHEAP = HashParameters(time_cost=1, memory_cost=8, parallelism=1)  # pictures only


class Clock:
    """The database clock, moved by hand between the scripted steps."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def save(widget: QWidget, app: QApplication, out: Path, name: str) -> Path:
    """Grab ``widget`` into ``out/name`` after layouts and polish settle."""
    for _ in range(5):
        app.processEvents()
    widget.repaint()
    app.processEvents()
    path = out / name
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"could not write {path}")
    print(f"wrote {path}")
    return path


def render(out: Path, tmp: Path, app: QApplication) -> None:
    """Every accounts screen, in the order a clinic meets them."""
    clock = Clock()
    hasher = CHEAP.hasher()
    db = open_database(tmp / "kaatsu.sqlite3", clock=clock, auto_backup=False)
    try:
        admin = create_first_administrator(db, "Ana Admin", "correct horse battery", hasher=hasher)
        nurse = create_account(db, "Dr Aiko Tanaka", "clinician", "tourniquet-lantern-42",
                               by=admin, hasher=hasher)  # fmt: skip
        create_account(db, "Tom Trainer", "trainer", "demo cuffs on a tuesday", by=admin,
                       hasher=hasher)  # fmt: skip
        auth = Authenticator(db, hasher=hasher)
        patients = Services.create(db, user_id=nurse.id).patients
        for clinic_id, given, family, born, sex in (
            ("KC-0001", "Hanna", "Berg", "1958-03-14", "female"),
            ("KC-0002", "Tomás", "Okafor", "1979-11-02", "male"),
            ("KC-0003", "Mei", "Lindqvist", "1990-07-21", "female"),
        ):
            clock.now = clock.now.replace(minute=clock.now.minute + 1)
            patients.create(PatientFields(clinic_id, given, family, born, sex))

        dialog = SignInDialog(auth)
        dialog.name_field.setText("Dr Aiko Tanaka")
        dialog.password_field.setText("a wrong password")
        dialog.attempt()
        dialog.resize(560, 360)
        dialog.show()
        save(dialog, app, out, "sign-in.png")
        dialog.close()
        try:
            auth.sign_in("Dr Aiko Tanaka", "tourniquet-lantern-42")
        except SignInFailed as failed:  # pragma: no cover - a broken fixture
            raise RuntimeError(str(failed)) from failed

        ticks = [0.0]
        window = MainWindow(Services.create(db, user_id=nurse.id), database_path=db.path)
        window.resize(*SIZE)
        shell = AccountsShell(window, db, auth, nurse, hasher=hasher, monotonic=lambda: ticks[0])
        window.show()
        save(window, app, out, "registry-signed-in.png")
        ticks[0] += 600.0  # ten idle minutes
        shell.lock.tick()
        save(window, app, out, "lock-overlay.png")
        shell.close("manual")
        window.close()

        clock.now = clock.now.replace(minute=45)
        auth.sign_in("Ana Admin", "correct horse battery")
        window = MainWindow(Services.create(db, user_id=admin.id), database_path=db.path)
        window.resize(*SIZE)
        shell = AccountsShell(window, db, auth, admin, hasher=hasher, monotonic=lambda: 0.0)
        window.show()
        window.show_page(Page.ACCOUNTS)
        assert shell.users_page is not None and shell.audit_page is not None
        shell.users_page.select(nurse.id)
        save(window, app, out, "accounts.png")
        window.show_page(Page.AUDIT)
        shell.audit_page.reload_users()
        shell.audit_page.refresh()
        shell.audit_page.verify()
        save(window, app, out, "audit.png")
        shell.close("manual")
        window.close()
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app)  # type: ignore[arg-type]
    tmp = Path(tempfile.gettempdir()) / "kaatsu-accounts-screenshots"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        render(out, tmp, app)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
